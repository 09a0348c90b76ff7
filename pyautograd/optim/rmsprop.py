"""RMSprop (centered, momentum, weight decay, maximize)."""

from __future__ import annotations

from typing import Any

from .._core import Tensor
from ._checks import check_lr, check_nonneg, check_unsupported
from .optimizer import Optimizer, ParamsT

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop, PyTorch's formulas: s = alpha s + (1 - alpha) g^2; avg = sqrt(s) + eps
    (centered: sqrt(s - ga^2) + eps with ga = lerp(ga, g, 1 - alpha)); with momentum
    buf = momentum buf + g / avg and p -= lr buf, else p -= lr g / avg. Each step updates a
    group in one fused C++ call."""

    _kernel = "rmsprop"

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_lr(lr)
        check_nonneg(eps, "epsilon")
        check_nonneg(momentum, "momentum")
        check_nonneg(weight_decay, "weight_decay")
        check_nonneg(alpha, "alpha")
        check_unsupported(
            "RMSprop", "RMSprop", capturable=capturable, differentiable=differentiable
        )
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "capturable": capturable,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def _update_group(
        self, group: dict[str, Any], params: list[Tensor], grads: list[Tensor]
    ) -> None:
        momentum, centered = group["momentum"], group["centered"]
        sq: list[Tensor | None] = []
        bufs: list[Tensor | None] = []
        gavg: list[Tensor | None] = []
        steps: list[Tensor | None] = []
        state = self.state
        for p in params:
            s = state[p]
            if not s:
                s["step"] = self._new_step()
                s["square_avg"] = self._zeros_like(p)
            if momentum > 0 and "momentum_buffer" not in s:
                s["momentum_buffer"] = self._zeros_like(p)
            if centered and "grad_avg" not in s:
                s["grad_avg"] = self._zeros_like(p)
            sq.append(s["square_avg"])
            bufs.append(s["momentum_buffer"] if momentum > 0 else None)
            gavg.append(s["grad_avg"] if centered else None)
            steps.append(s["step"])
        self._run(
            params,
            grads,
            (sq, bufs, gavg),
            steps,
            [False] * len(params),
            group["lr"],
            group["weight_decay"],
            momentum,
            beta2=group["alpha"],
            eps=group["eps"],
            centered=centered,
            maximize=group["maximize"],
        )
