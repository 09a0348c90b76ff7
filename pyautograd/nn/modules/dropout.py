"""Dropout."""

from __future__ import annotations

from ..._core import Tensor
from .._functional import layers as F
from .module import Module

__all__ = ["Dropout"]


class Dropout(Module):
    """In training mode zeroes each element with probability p and scales the rest by
    1 / (1 - p); in eval mode the identity."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        """Applies dropout (training) or returns input (eval)."""
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
