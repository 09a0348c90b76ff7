"""Adam and AdamW (amsgrad, weight decay coupled or decoupled, maximize)."""

from __future__ import annotations

from typing import Any

from .._core import Tensor
from ._checks import check_lr, check_nonneg, check_unsupported
from .optimizer import Optimizer, ParamsT

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """Adam, PyTorch's formulas: m = lerp(m, g, 1 - beta1), v = beta2 v + (1 - beta2) g^2,
    p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps) (v: its running maximum
    with amsgrad); weight_decay adds wd * p to g, or with decoupled_weight_decay (AdamW)
    multiplies p by 1 - lr * wd. Each step updates a group in one fused C++ call."""

    _kernel = "adam"

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        check_lr(lr)
        check_nonneg(eps, "epsilon")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        check_nonneg(weight_decay, "weight_decay")
        check_unsupported(
            type(self).__name__,
            type(self).__name__,
            capturable=capturable,
            differentiable=differentiable,
        )
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
            "fused": fused,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def _update_group(
        self, group: dict[str, Any], params: list[Tensor], grads: list[Tensor]
    ) -> None:
        amsgrad = group["amsgrad"]
        m: list[Tensor | None] = []
        v: list[Tensor | None] = []
        vmax: list[Tensor | None] = []
        steps: list[Tensor | None] = []
        state = self.state
        for p in params:
            s = state[p]
            if not s:
                s["step"] = self._new_step()
                s["exp_avg"] = self._zeros_like(p)
                s["exp_avg_sq"] = self._zeros_like(p)
            if amsgrad and "max_exp_avg_sq" not in s:
                s["max_exp_avg_sq"] = self._zeros_like(p)
            m.append(s["exp_avg"])
            v.append(s["exp_avg_sq"])
            vmax.append(s["max_exp_avg_sq"] if amsgrad else None)
            steps.append(s["step"])
        beta1, beta2 = group["betas"]
        self._run(
            params,
            grads,
            (m, v, vmax),
            steps,
            [False] * len(params),
            group["lr"],
            group["weight_decay"],
            beta1=beta1,
            beta2=beta2,
            eps=group["eps"],
            amsgrad=amsgrad,
            maximize=group["maximize"],
            decoupled_weight_decay=group["decoupled_weight_decay"],
        )


class AdamW(Adam):
    """Adam with decoupled weight decay (default 1e-2): p *= 1 - lr * weight_decay before the
    Adam update."""

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            foreach=foreach,
            maximize=maximize,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=True,
        )
