"""BatchNorm3d, the 3-d padding layers (ZeroPad3d, ConstantPad3d, ReflectionPad3d,
ReplicationPad3d, CircularPad3d) and NLLLoss2d (PyTorch's deprecated alias of NLLLoss)."""

from __future__ import annotations

import warnings
from typing import Any

from ..._core import Tensor
from .batchnorm import _BatchNorm
from .loss import NLLLoss
from .padding import _ConstantPadNd, _PadNd

__all__ = [
    "BatchNorm3d",
    "CircularPad3d",
    "ConstantPad3d",
    "NLLLoss2d",
    "ReflectionPad3d",
    "ReplicationPad3d",
    "ZeroPad3d",
]


class BatchNorm3d(_BatchNorm):
    """Batch normalization of (N, C, D, H, W) inputs per channel C."""

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() != 5:
            raise ValueError(f"expected 5D input (got {input.dim()}D input)")


class ConstantPad3d(_ConstantPadNd):
    """Pads the last three dims with value: padding an int or 6 ints (last dim first)."""

    _n = 3


class ZeroPad3d(ConstantPad3d):
    """Pads the last three dims with zeros."""

    def __init__(self, padding: int | tuple[int, ...]) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ReflectionPad3d(_PadNd):
    """Pads the last three dims by reflection."""

    _n = 3
    _mode = "reflect"


class ReplicationPad3d(_PadNd):
    """Pads the last three dims by repeating the edges."""

    _n = 3
    _mode = "replicate"


class CircularPad3d(_PadNd):
    """Pads the last three dims circularly."""

    _n = 3
    _mode = "circular"


class NLLLoss2d(NLLLoss):
    """Deprecated alias of NLLLoss (for (N, C, H, W) inputs); warns as PyTorch."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        warnings.warn(
            "`NLLLoss2d` has been deprecated. Please use `NLLLoss` instead as a drop-in "
            "replacement and see https://pytorch.org/docs/main/nn.html#torch.nn.NLLLoss for "
            "more details.",
            FutureWarning,
            stacklevel=2,
        )
        super().__init__(*args, **kwargs)
