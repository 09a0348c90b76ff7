"""MaxPool1d/2d/3d, AvgPool1d/2d/3d, AdaptiveAvgPool1d/2d/3d, AdaptiveMaxPool1d/2d/3d."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..._core import Tensor
from .._functional import conv as F
from .._functional import conv3d as F3
from .module import Module

__all__ = [
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "AdaptiveAvgPool3d",
    "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d",
    "AdaptiveMaxPool3d",
    "AvgPool1d",
    "AvgPool2d",
    "AvgPool3d",
    "MaxPool1d",
    "MaxPool2d",
    "MaxPool3d",
]


class _MaxPoolNd(Module):
    _pool: Callable[..., Any]  # the functional form: F.max_pool1d, F.max_pool2d, ...

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        dilation: Any = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if (stride is not None) else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input: Tensor) -> Any:
        """The pooled input (and the indices when return_indices)."""
        return type(self)._pool(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            ceil_mode=self.ceil_mode,
            return_indices=self.return_indices,
        )

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class MaxPool1d(_MaxPoolNd):
    """Max over windows of the last dim of (N, C, L) or (C, L) (stride defaults to
    kernel_size)."""

    _pool = staticmethod(F.max_pool1d)


class MaxPool2d(_MaxPoolNd):
    """Max over windows of the last two dims of (N, C, H, W) or (C, H, W) (stride defaults to
    kernel_size)."""

    _pool = staticmethod(F.max_pool2d)


class AvgPool1d(Module):
    """Mean over windows of the last dim of (N, C, L) or (C, L)."""

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
    ) -> None:
        super().__init__()
        self.kernel_size = tuple(F._ntuple(kernel_size, 1, "kernel_size", "AvgPool1d"))
        self.stride = tuple(
            F._ntuple(stride if stride is not None else kernel_size, 1, "stride", "AvgPool1d")
        )
        self.padding = tuple(F._ntuple(padding, 1, "padding", "AvgPool1d"))
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input: Tensor) -> Tensor:
        """The pooled input."""
        return F.avg_pool1d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(Module):
    """Mean over windows of the last two dims of (N, C, H, W) or (C, H, W)."""

    _pool = staticmethod(F.avg_pool2d)  # AvgPool3d's: F3.avg_pool3d

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if (stride is not None) else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:
        """The pooled input."""
        out: Tensor = type(self)._pool(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )
        return out

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _AdaptivePool(Module):
    _pool: Callable[..., Any]  # the functional form: F.adaptive_avg_pool1d, ...

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        """The pooled input."""
        out: Tensor = type(self)._pool(input, self.output_size)
        return out

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class _AdaptiveMaxPool(_AdaptivePool):
    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__(output_size)
        self.return_indices = return_indices

    def forward(self, input: Tensor) -> Any:
        """The pooled input (and the indices when return_indices)."""
        return type(self)._pool(input, self.output_size, self.return_indices)


class AdaptiveAvgPool1d(_AdaptivePool):
    """Mean over output_size adaptive windows of the last dim."""

    _pool = staticmethod(F.adaptive_avg_pool1d)


class AdaptiveAvgPool2d(_AdaptivePool):
    """Mean over adaptive windows of the last two dims, to output_size (None keeps a size)."""

    _pool = staticmethod(F.adaptive_avg_pool2d)


class AdaptiveMaxPool1d(_AdaptiveMaxPool):
    """Max over output_size adaptive windows of the last dim (and the indices)."""

    _pool = staticmethod(F.adaptive_max_pool1d)


class AdaptiveMaxPool2d(_AdaptiveMaxPool):
    """Max over adaptive windows of the last two dims (and the indices)."""

    _pool = staticmethod(F.adaptive_max_pool2d)


class MaxPool3d(_MaxPoolNd):
    """Max over windows of the last three dims of (N, C, D, H, W) or (C, D, H, W) (stride
    defaults to kernel_size)."""

    _pool = staticmethod(F3.max_pool3d)


class AvgPool3d(AvgPool2d):
    """Mean over windows of the last three dims of (N, C, D, H, W) or (C, D, H, W)."""

    _pool = staticmethod(F3.avg_pool3d)


class AdaptiveAvgPool3d(_AdaptivePool):
    """Mean over adaptive windows of the last three dims, to output_size (None keeps a
    size)."""

    _pool = staticmethod(F3.adaptive_avg_pool3d)


class AdaptiveMaxPool3d(_AdaptiveMaxPool):
    """Max over adaptive windows of the last three dims (and the indices)."""

    _pool = staticmethod(F3.adaptive_max_pool3d)
