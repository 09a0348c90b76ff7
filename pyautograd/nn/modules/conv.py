"""Conv1d, Conv2d and Conv3d."""

from __future__ import annotations

import math
from typing import Any

from ... import _core
from ..._core import Tensor
from .. import init
from .._functional import conv as F
from .._functional.conv3d import conv3d
from ..parameter import Parameter
from .linear import _factory
from .module import Module

__all__ = ["Conv1d", "Conv2d", "Conv3d"]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class _ConvNd(Module):
    """The shared part of Conv1d and Conv2d: PyTorch's attributes, checks, initialisation
    (kaiming_uniform_(a=sqrt(5)) for the weight, bias uniform in +-1/sqrt(fan_in)) and repr."""

    _n = 2
    weight: Parameter
    bias: Parameter | None

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        n, name = self._n, type(self).__name__
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        self.kernel_size = tuple(F._ntuple(kernel_size, n, "kernel_size", name))
        self.stride = tuple(F._ntuple(stride, n, "stride", name))
        self.dilation = tuple(F._ntuple(dilation, n, "dilation", name))
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(
                    f"Invalid padding string {padding!r}, should be one of {{'valid', 'same'}}"
                )
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
            self.padding: tuple[int, ...] | str = padding
        else:
            self.padding = tuple(F._ntuple(padding, n, "padding", name))
        if padding_mode not in _PADDING_MODES:
            raise ValueError(
                f"padding_mode must be one of {set(_PADDING_MODES)}, but got "
                f"padding_mode='{padding_mode}'"
            )
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.transposed = False
        self.output_padding = (0,) * n
        self.groups = groups
        self.padding_mode = padding_mode
        # F.pad's order (last dim first, before/after) for the non-zeros padding modes.
        pads: list[int] = []
        for i in reversed(range(n)):
            if isinstance(self.padding, str):
                total = (
                    0 if self.padding == "valid" else self.dilation[i] * (self.kernel_size[i] - 1)
                )
                pads += [total // 2, total - total // 2]
            else:
                pads += [self.padding[i], self.padding[i]]
        self._reversed_padding_repeated_twice = pads
        dt = _factory(dtype, device)
        self.weight = Parameter(
            _core.empty((out_channels, in_channels // groups, *self.kernel_size), dtype=dt)
        )
        if bias:
            self.bias = Parameter(_core.empty(out_channels, dtype=dt))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-draws weight and bias from PyTorch's default distributions."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def _conv_forward(self, input: Tensor, weight: Tensor, bias: Tensor | None) -> Tensor:
        conv = {1: F.conv1d, 2: F.conv2d, 3: conv3d}[self._n]
        if self.padding_mode != "zeros":
            padded = F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            return conv(padded, weight, bias, self.stride, 0, self.dilation, self.groups)
        return conv(input, weight, bias, self.stride, self.padding, self.dilation, self.groups)

    def forward(self, input: Tensor) -> Tensor:
        """The convolution of input (batched or unbatched) with weight, plus bias."""
        return self._conv_forward(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        n = self._n
        s = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        if self.padding != (0,) * n:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * n:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * n:  # a transposed convolution's
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv1d(_ConvNd):
    """1-d convolution over (N, C_in, L) or (C_in, L): weight (C_out, C_in / groups, k)."""

    _n = 1


class Conv2d(_ConvNd):
    """2-d convolution over (N, C_in, H, W) or (C_in, H, W): weight (C_out, C_in / groups,
    kH, kW)."""

    _n = 2


class Conv3d(_ConvNd):
    """3-d convolution over (N, C_in, D, H, W) or (C_in, D, H, W): weight (C_out,
    C_in / groups, kD, kH, kW)."""

    _n = 3
