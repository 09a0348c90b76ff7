"""Dropout, Dropout1d, Dropout2d."""

from __future__ import annotations

from ..._core import Tensor
from .._functional import conv as FC
from .._functional import layers as F
from .module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d"]


class _DropoutNd(Module):
    """The shared constructor and repr of the dropout layers."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """In training mode zeroes each element with probability p and scales the others by
    1 / (1 - p); in eval mode the identity."""

    def forward(self, input: Tensor) -> Tensor:
        """Applies dropout (training) or returns input (eval)."""
        return F.dropout(input, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    """In training mode zeroes whole channels of (N, C, L) or (C, L) with probability p and
    scales the rest by 1 / (1 - p); in eval mode the identity."""

    def forward(self, input: Tensor) -> Tensor:
        """Applies channel dropout (training) or returns input (eval)."""
        return FC.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """In training mode zeroes whole channels of (N, C, H, W) with probability p and scales
    the rest by 1 / (1 - p); in eval mode the identity."""

    def forward(self, input: Tensor) -> Tensor:
        """Applies channel dropout (training) or returns input (eval)."""
        return FC.dropout2d(input, self.p, self.training, self.inplace)
