"""Convolution, pooling, padding and channel dropout of nn.functional: conv1d, conv2d,
max_pool1d/2d, avg_pool1d/2d, adaptive_avg_pool1d/2d, adaptive_max_pool1d/2d, pad,
dropout1d, dropout2d. Each convolution, pooling and padding is one C++ kernel forward and one
backward."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

from ... import _core
from ..._core import Tensor

__all__ = [
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
    "avg_pool1d",
    "avg_pool2d",
    "conv1d",
    "conv2d",
    "dropout1d",
    "dropout2d",
    "max_pool1d",
    "max_pool2d",
    "pad",
]

IntOrSeq = int | Sequence[int]


def _ntuple(v: Any, n: int, what: str, op: str) -> list[int]:
    """v as n ints: an int is repeated, a one-element sequence too."""
    if isinstance(v, bool) or v is None:
        raise TypeError(f"[{op}] {what} must be an int or a sequence of {n} ints, got {v!r}")
    if isinstance(v, int):
        return [v] * n
    try:
        vals = [int(e) for e in v]
    except TypeError:
        raise TypeError(
            f"[{op}] {what} must be an int or a sequence of {n} ints, got {v!r}"
        ) from None
    if len(vals) == 1:
        return vals * n
    if len(vals) != n:
        raise ValueError(f"[{op}] {what} must have {n} elements, got {tuple(vals)}")
    return vals


def _padding_is_same(padding: str) -> bool:
    """Whether a padding string is 'same' ('valid' is not; any other string is PyTorch's
    ValueError)."""
    if padding not in ("same", "valid"):
        raise ValueError(
            f"Invalid padding string {padding!r}, should be one of {{'valid', 'same'}}"
        )
    return padding == "same"


def _conv(
    op: str,
    n: int,
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None,
    stride: IntOrSeq,
    padding: IntOrSeq | str,
    dilation: IntOrSeq,
    groups: int,
) -> Tensor:
    same = False
    if isinstance(padding, str):
        same = _padding_is_same(padding)
        pads = [0] * n
    else:
        pads = _ntuple(padding, n, "padding", op)
    if input.dim() not in (n + 1, n + 2):
        raise RuntimeError(
            f"[{op}] Expected {n + 1}D (unbatched) or {n + 2}D (batched) input to {op}, but got "
            f"input of size: {list(input.shape)}"
        )
    return _core._convolution(
        input,
        weight,
        bias,
        _ntuple(stride, n, "stride", op),
        pads,
        _ntuple(dilation, n, "dilation", op),
        groups,
        same,
        op,
    )


def conv1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntOrSeq = 1,
    padding: IntOrSeq | str = 0,
    dilation: IntOrSeq = 1,
    groups: int = 1,
) -> Tensor:
    """1-d convolution of input (N, C_in, L) or (C_in, L) with weight (C_out, C_in / groups,
    k); padding is an int, 'valid' or 'same'."""
    return _conv("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntOrSeq = 1,
    padding: IntOrSeq | str = 0,
    dilation: IntOrSeq = 1,
    groups: int = 1,
) -> Tensor:
    """2-d convolution of input (N, C_in, H, W) or (C_in, H, W) with weight (C_out,
    C_in / groups, kH, kW); padding is an int, a pair, 'valid' or 'same'."""
    return _conv("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def _stride(stride: Any, kernel: list[int], n: int, op: str) -> list[int]:
    if stride is None or (not isinstance(stride, int) and len(stride) == 0):
        return kernel
    return _ntuple(stride, n, "stride", op)


def _max_pool(
    op: str,
    n: int,
    input: Tensor,
    kernel_size: IntOrSeq,
    stride: IntOrSeq | None,
    padding: IntOrSeq,
    dilation: IntOrSeq,
    ceil_mode: bool,
    return_indices: bool,
) -> Any:
    k = _ntuple(kernel_size, n, "kernel_size", op)
    out, idx = _core._max_pool(
        input,
        k,
        _stride(stride, k, n, op),
        _ntuple(padding, n, "padding", op),
        _ntuple(dilation, n, "dilation", op),
        ceil_mode,
        op,
    )
    return (out, idx) if return_indices else out


def max_pool1d(
    input: Tensor,
    kernel_size: IntOrSeq,
    stride: IntOrSeq | None = None,
    padding: IntOrSeq = 0,
    dilation: IntOrSeq = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """Max over windows of the last dim of (N, C, L) or (C, L); with return_indices also the
    int64 positions of the maxima."""
    return _max_pool(
        "max_pool1d", 1, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices
    )


def max_pool2d(
    input: Tensor,
    kernel_size: IntOrSeq,
    stride: IntOrSeq | None = None,
    padding: IntOrSeq = 0,
    dilation: IntOrSeq = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """Max over windows of the last two dims of (N, C, H, W) or (C, H, W); with
    return_indices also the int64 positions (h * W + w) of the maxima."""
    return _max_pool(
        "max_pool2d", 2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices
    )


def _avg_pool(
    op: str,
    n: int,
    input: Tensor,
    kernel_size: IntOrSeq,
    stride: IntOrSeq | None,
    padding: IntOrSeq,
    ceil_mode: bool,
    count_include_pad: bool,
    divisor_override: int | None,
) -> Tensor:
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError(f"[{op}] divisor must be not zero")
    k = _ntuple(kernel_size, n, "kernel_size", op)
    return _core._avg_pool(
        input,
        k,
        _stride(stride, k, n, op),
        _ntuple(padding, n, "padding", op),
        ceil_mode,
        count_include_pad,
        divisor_override or 0,
        op,
    )


def avg_pool1d(
    input: Tensor,
    kernel_size: IntOrSeq,
    stride: IntOrSeq | None = None,
    padding: IntOrSeq = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """Mean over windows of the last dim of (N, C, L) or (C, L)."""
    return _avg_pool(
        "avg_pool1d", 1, input, kernel_size, stride, padding, ceil_mode, count_include_pad, None
    )


def avg_pool2d(
    input: Tensor,
    kernel_size: IntOrSeq,
    stride: IntOrSeq | None = None,
    padding: IntOrSeq = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """Mean over windows of the last two dims of (N, C, H, W) or (C, H, W)."""
    return _avg_pool(
        "avg_pool2d",
        2,
        input,
        kernel_size,
        stride,
        padding,
        ceil_mode,
        count_include_pad,
        divisor_override,
    )


def _output_size(size: Any, n: int, op: str) -> list[int]:
    if size is None:
        return [-1] * n
    if isinstance(size, int):
        return [size] * n
    vals = [-1 if e is None else int(e) for e in size]
    if len(vals) != n:
        raise ValueError(f"[{op}] output_size must have {n} elements, got {tuple(size)}")
    return vals


def adaptive_avg_pool1d(input: Tensor, output_size: IntOrSeq) -> Tensor:
    """Mean over output_size adaptive windows of the last dim of (N, C, L) or (C, L)."""
    op = "adaptive_avg_pool1d"
    return _core._adaptive_avg_pool(input, _output_size(output_size, 1, op), op)


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Mean over adaptive windows of the last two dims, to output_size (an int, or a pair
    whose None entries keep the input's size)."""
    op = "adaptive_avg_pool2d"
    return _core._adaptive_avg_pool(input, _output_size(output_size, 2, op), op)


def adaptive_max_pool1d(input: Tensor, output_size: IntOrSeq, return_indices: bool = False) -> Any:
    """Max over output_size adaptive windows of the last dim (and the indices)."""
    op = "adaptive_max_pool1d"
    out, idx = _core._adaptive_max_pool(input, _output_size(output_size, 1, op), op)
    return (out, idx) if return_indices else out


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Max over adaptive windows of the last two dims, to output_size (and the indices)."""
    op = "adaptive_max_pool2d"
    out, idx = _core._adaptive_max_pool(input, _output_size(output_size, 2, op), op)
    return (out, idx) if return_indices else out


def pad(
    input: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None
) -> Tensor:
    """Pads the last len(pad) // 2 dims: pad = (left, right, top, bottom, front, back) from the
    last dim backwards; mode constant (value, default 0; negative pads crop), reflect,
    replicate or circular (these pad 1 to 3 dims of a batched or unbatched input)."""
    if mode != "constant" and value is not None and value != 0:
        raise ValueError(
            f'[pad] Padding mode "{mode}" doesn\'t take in value argument, got value={value}'
        )
    return _core._pad(input, [int(p) for p in pad], mode, 0.0 if value is None else float(value))


def _channel_dropout(
    input: Tensor, p: float, training: bool, inplace: bool, channels: int
) -> Tensor:
    """Dropout of whole slices: the mask has input's first `channels` dims and size 1 after."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0 or input.numel() == 0:
        return input
    shape = (*input.shape[:channels], *([1] * (input.dim() - channels)))
    if p == 1.0:
        mask = _core.zeros(shape, dtype=input.dtype)
    else:
        # PyTorch's draws: a bernoulli(1 - p) mask of input's dtype, divided by 1 - p
        mask = _core.empty(shape, dtype=input.dtype).bernoulli_(1.0 - p)
        mask.div_(1.0 - p)
    if inplace:
        return input.mul_(mask)
    return input * mask


def dropout1d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """Zeroes whole channels of (N, C, L) or (C, L) with probability p (training), scaling the
    others by 1 / (1 - p)."""
    if input.dim() not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.dim()}D input. Note that "
            "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, "
            "a channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs)."
        )
    return _channel_dropout(input, p, training, inplace, input.dim() - 1)


def dropout2d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """Zeroes whole channels of (N, C, H, W) with probability p (training), scaling the
    others by 1 / (1 - p). A 3-d input is taken as (N, C, L), as PyTorch does (with its
    warning)."""
    d = input.dim()
    if d not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {d}-D input to dropout2d, which is deprecated and will "
            "result in an error in a future release. To retain the behavior and silence this "
            "warning, please use dropout instead. Note that dropout2d exists to provide "
            "channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, and "
            "an optional batch dimension (i.e. 3D or 4D inputs).",
            stacklevel=2,
        )
    if d == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
            "the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2,
        )
    if d < 2:
        raise RuntimeError(f"dropout2d: Expected a 2D or higher input, got a {d}D input")
    return _channel_dropout(input, p, training, inplace, 2)
