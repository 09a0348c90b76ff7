"""SGD with momentum, dampening, Nesterov momentum, weight decay and maximize."""

from __future__ import annotations

from typing import Any

from .._core import Tensor
from ._checks import check_lr, check_nonneg, check_unsupported
from .optimizer import Optimizer, ParamsT

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent, PyTorch's formulas: d = g (+ weight_decay * p);
    with momentum, buf = momentum * buf + (1 - dampening) * d (buf = d on the first step) and
    d = buf (or d + momentum * buf with nesterov); p -= lr * d. Each step updates a group in
    one fused C++ call."""

    _kernel = "sgd"

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        check_lr(lr)
        check_nonneg(momentum, "momentum")
        check_nonneg(weight_decay, "weight_decay")
        check_unsupported("SGD", "SGD", differentiable=differentiable)
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
            "foreach": foreach,
            "differentiable": differentiable,
            "fused": fused,
        }
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def _update_group(
        self, group: dict[str, Any], params: list[Tensor], grads: list[Tensor]
    ) -> None:
        momentum = group["momentum"]
        none: list[Tensor | None] = [None] * len(params)
        bufs: list[Tensor | None] = none
        fresh = [False] * len(params)
        if momentum != 0:
            bufs = []
            state = self.state
            for i, p in enumerate(params):
                s = state[p]
                buf = s.get("momentum_buffer")
                if buf is None:
                    buf = s["momentum_buffer"] = self._zeros_like(p)
                    fresh[i] = True
                bufs.append(buf)
        self._run(
            params,
            grads,
            (bufs, none, none),
            none,
            fresh,
            group["lr"],
            group["weight_decay"],
            momentum,
            group["dampening"],
            nesterov=group["nesterov"],
            maximize=group["maximize"],
        )
