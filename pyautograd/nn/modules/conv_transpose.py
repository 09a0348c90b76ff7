"""ConvTranspose1d, ConvTranspose2d and ConvTranspose3d, with PyTorch's arguments, weight layout
(C_in, C_out / groups, *kernel), initialisation, output_size= in forward, and repr."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ... import _core
from ..._core import Tensor
from .._functional import conv as Fc
from .._functional import conv_transpose as F
from .._functional.conv3d import conv_transpose3d
from ..parameter import Parameter
from .conv import _ConvNd
from .linear import _factory

__all__ = ["ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"]


class _ConvTransposeNd(_ConvNd):
    """The shared part of ConvTranspose1d/2d."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: Any = 1,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        if padding_mode != "zeros":
            raise ValueError(
                f'Only "zeros" padding mode is supported for {self.__class__.__name__}'
            )
        if isinstance(padding, str):
            raise ValueError(
                f"[{type(self).__name__}] padding must be ints for a transposed convolution, "
                f"got {padding!r}"
            )
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            groups,
            bias,
            padding_mode,
            device,
            dtype,
        )
        self.transposed = True
        self.output_padding = tuple(
            Fc._ntuple(output_padding, self._n, "output_padding", type(self).__name__)
        )
        dt = _factory(dtype, device)
        self.weight = Parameter(
            _core.empty((in_channels, out_channels // groups, *self.kernel_size), dtype=dt)
        )
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Re-draws weight and bias from PyTorch's default distributions (once the transposed
        weight exists: the base class's draw for its own weight would advance the random
        stream, which PyTorch's single draw does not)."""
        if self.transposed:
            super().reset_parameters()

    def _output_padding(self, input: Tensor, output_size: Sequence[int] | None) -> list[int]:
        n = self._n
        if output_size is None:
            return list(self.output_padding)
        non_spatial = 2 if input.dim() == n + 2 else 1
        if len(output_size) == non_spatial + n:
            output_size = output_size[non_spatial:]
        sizes = list(output_size)
        if len(sizes) != n:
            raise ValueError(
                f"ConvTranspose{n}D: for {input.dim()}D input, output_size must have {n} or "
                f"{non_spatial + n} elements (got {len(sizes)})"
            )
        assert not isinstance(self.padding, str)
        min_sizes = [
            (input.shape[d + non_spatial] - 1) * self.stride[d]
            - 2 * self.padding[d]
            + self.dilation[d] * (self.kernel_size[d] - 1)
            + 1
            for d in range(n)
        ]
        max_sizes = [m + self.stride[d] - 1 for d, m in enumerate(min_sizes)]
        for size, lo, hi in zip(sizes, min_sizes, max_sizes, strict=True):
            if size < lo or size > hi:
                raise ValueError(
                    f"requested an output size of {output_size}, but valid sizes range from "
                    f"{min_sizes} to {max_sizes} (for an input of {input.shape[non_spatial:]})"
                )
        return [sizes[d] - min_sizes[d] for d in range(n)]

    def forward(self, input: Tensor, output_size: Sequence[int] | None = None) -> Tensor:
        """The transposed convolution of input (batched or unbatched); output_size picks the
        output_padding that gives that size."""
        conv = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: conv_transpose3d}[self._n]
        assert not isinstance(self.padding, str)
        return conv(
            input,
            self.weight,
            self.bias,
            self.stride,
            self.padding,
            self._output_padding(input, output_size),
            self.groups,
            self.dilation,
        )


class ConvTranspose1d(_ConvTransposeNd):
    """1-d transposed convolution over (N, C_in, L) or (C_in, L): weight (C_in,
    C_out / groups, k)."""

    _n = 1


class ConvTranspose2d(_ConvTransposeNd):
    """2-d transposed convolution over (N, C_in, H, W) or (C_in, H, W): weight (C_in,
    C_out / groups, kH, kW)."""

    _n = 2


class ConvTranspose3d(_ConvTransposeNd):
    """3-d transposed convolution over (N, C_in, D, H, W) or (C_in, D, H, W): weight (C_in,
    C_out / groups, kD, kH, kW)."""

    _n = 3
