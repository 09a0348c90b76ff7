"""Dropout3d, AlphaDropout, FeatureAlphaDropout and RReLU modules."""

from __future__ import annotations

from ..._core import Tensor
from .._functional import dropout_extra as F
from .dropout import _DropoutNd
from .module import Module

__all__ = ["AlphaDropout", "Dropout3d", "FeatureAlphaDropout", "RReLU"]


class Dropout3d(_DropoutNd):
    """Zeroes whole channels of (N, C, D, H, W) inputs with probability p (training)."""

    def forward(self, input: Tensor) -> Tensor:
        """Applies channel dropout (training) or returns input (eval)."""
        return F.dropout3d(input, self.p, self.training, self.inplace)


class AlphaDropout(_DropoutNd):
    """Dropout that keeps SELU networks' self-normalization (training only)."""

    def forward(self, input: Tensor) -> Tensor:
        """Applies alpha dropout (training) or returns input (eval)."""
        return F.alpha_dropout(input, self.p, self.training)


class FeatureAlphaDropout(_DropoutNd):
    """Alpha dropout of whole channels (training only)."""

    def forward(self, input: Tensor) -> Tensor:
        """Applies channel alpha dropout (training) or returns input (eval)."""
        return F.feature_alpha_dropout(input, self.p, self.training)


class RReLU(Module):
    """Randomized leaky ReLU: negative slopes drawn from U(lower, upper) in training, their
    mean in eval."""

    def __init__(
        self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, inplace: bool = False
    ) -> None:
        super().__init__()
        self.lower = lower
        self.upper = upper
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        """Applies the function."""
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self) -> str:
        inplace_str = ", inplace=True" if self.inplace else ""
        return f"lower={self.lower}, upper={self.upper}{inplace_str}"
