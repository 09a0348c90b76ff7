"""nn.utils.parametrizations.weight_norm: the weight as g * v / ||v|| through
nn.utils.parametrize (parameters parametrizations.weight.original0 = g, original1 = v)."""

from __future__ import annotations

from typing import TypeVar

from ..._core import Tensor
from ..modules.module import Module
from . import parametrize
from .weight_norm import _weight_norm, norm_except_dim

__all__ = ["weight_norm"]

T_module = TypeVar("T_module", bound=Module)


class _WeightNorm(Module):
    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        if dim is None:
            dim = -1
        self.dim = dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        """g * v / ||v||."""
        return _weight_norm(weight_v, weight_g, self.dim)

    def right_inverse(self, weight: Tensor) -> tuple[Tensor, Tensor]:
        """(g, v) = (||weight||, weight)."""
        return norm_except_dim(weight, 2, self.dim), weight


def weight_norm(module: T_module, name: str = "weight", dim: int | None = 0) -> T_module:
    """Reparametrizes module.<name> as g * v / ||v|| (the norm over every dim but dim)."""
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)
    return module
