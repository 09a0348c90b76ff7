"""Adagrad (learning-rate decay, initial accumulator, weight decay, maximize)."""

from __future__ import annotations

from typing import Any

from .. import _core
from .._core import Tensor
from ._checks import check_lr, check_nonneg, check_unsupported
from .optimizer import Optimizer, ParamsT

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad, PyTorch's formulas: sum += g^2; p -= lr / (1 + (t - 1) lr_decay) * g /
    (sqrt(sum) + eps). Each step updates a group in one fused C++ call."""

    _kernel = "adagrad"

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        check_lr(lr)
        check_nonneg(lr_decay, "lr_decay")
        check_nonneg(weight_decay, "weight_decay")
        check_nonneg(initial_accumulator_value, "initial_accumulator_value")
        check_nonneg(eps, "epsilon")
        check_unsupported("Adagrad", "Adagrad", differentiable=differentiable)
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p)

    def _init_state(self, p: Tensor) -> None:
        # PyTorch fills every sum with the defaults' initial_accumulator_value (a group's own
        # value is not read), at construction, and at the first step of a parameter added
        # later by add_param_group
        state = self.state[p]
        state["step"] = self._new_step()
        state["sum"] = _core.full(
            p.shape, float(self.defaults["initial_accumulator_value"]), dtype=p.dtype
        )

    def _update_group(
        self, group: dict[str, Any], params: list[Tensor], grads: list[Tensor]
    ) -> None:
        state = self.state
        for p in params:
            if not state.get(p):
                self._init_state(p)
        sums: list[Tensor | None] = [state[p]["sum"] for p in params]
        steps: list[Tensor | None] = [state[p]["step"] for p in params]
        none: list[Tensor | None] = [None] * len(params)
        self._run(
            params,
            grads,
            (sums, none, none),
            steps,
            [False] * len(params),
            group["lr"],
            group["weight_decay"],
            eps=group["eps"],
            lr_decay=group["lr_decay"],
            maximize=group["maximize"],
        )
