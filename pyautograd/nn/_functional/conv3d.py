"""3-d convolution and pooling of nn.functional (conv3d, max_pool3d, avg_pool3d,
adaptive_avg_pool3d, adaptive_max_pool3d, lp_pool3d), composed of the 2-d kernels.

Pooling over a (kD, kH, kW) box is separable: a 2-d pool over (H, W) of every depth slice,
then a 2-d pool with a (kD, 1) window over (D, H*W). Max of maxima is the box's maximum (the
first in (d, h, w) order, as PyTorch's kernel scans); the average's divisor is a product of
per-dim counts in every mode PyTorch has (padding counted or not, ceil_mode windows clipped),
so mean of means is the box mean. conv3d sums kD 2-d convolutions of strided depth slabs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ... import _core
from ..._core import Tensor, cat
from .activation import relu
from .conv import (
    _ntuple,
    _output_size,
    _padding_is_same,
    _stride,
    adaptive_avg_pool2d,
    adaptive_max_pool2d,
    avg_pool2d,
    conv2d,
    max_pool2d,
    pad,
)
from .conv_transpose import conv_transpose2d as _conv_t2d

__all__ = [
    "adaptive_avg_pool3d",
    "adaptive_max_pool3d",
    "adaptive_max_pool3d_with_indices",
    "avg_pool3d",
    "conv3d",
    "conv_transpose3d",
    "lp_pool3d",
    "max_pool3d",
    "max_pool3d_with_indices",
]

IntOrSeq = int | Sequence[int]


def _batched(input: Tensor, op: str) -> tuple[Tensor, bool]:
    if input.dim() not in (4, 5):
        raise RuntimeError(
            f"{op}: Expected 4D (unbatched) or 5D (batched) input to {op}, but got input of "
            f"size: {list(input.shape)}"
        )
    return (input, False) if input.dim() == 5 else (input.unsqueeze(0), True)


def _done(out: Tensor, unbatched: bool) -> Tensor:
    return out.squeeze(0) if unbatched else out


def _sizes3(output_size: Any, sizes: tuple[int, int, int], op: str) -> list[int]:
    """output_size as three ints (None keeps the input's size)."""
    want = _output_size(output_size, 3, op)
    return [o if o != -1 else i for o, i in zip(want, sizes, strict=True)]


def _combine_indices(idx_hw: Tensor, idx_d: Tensor, shape: Sequence[int]) -> Tensor:
    """Flat (d * H * W + h * W + w) indices from the (H, W) pass's (N, C*D, oH, oW) indices
    and the depth pass's (N, C, oD, oH*oW) ones."""
    n, c, d, h, w = shape
    ohw = int(idx_d.shape[-1])
    dd = idx_d // ohw
    hw = idx_hw.reshape(n, c, d, ohw).gather(2, dd)
    return dd * (h * w) + hw


def _max_result(
    z: Tensor,
    idx_hw: Tensor,
    idx_d: Tensor,
    shape: Sequence[int],
    out_hw: tuple[int, int],
    unbatched: bool,
    return_indices: bool,
) -> Any:
    """The separable max pool's (N, C, oD, oH*oW) result as (N, C, oD, oH, oW) (and the flat
    indices of the maxima), unbatched again where the input was."""
    n, c = shape[0], shape[1]
    od, (oh, ow) = int(z.shape[2]), out_hw
    out = _done(z.reshape(n, c, od, oh, ow), unbatched)
    if not return_indices:
        return out
    idx = _combine_indices(idx_hw, idx_d, shape).reshape(n, c, od, oh, ow)
    return out, _done(idx, unbatched)


def max_pool3d(
    input: Tensor,
    kernel_size: IntOrSeq,
    stride: IntOrSeq | None = None,
    padding: IntOrSeq = 0,
    dilation: IntOrSeq = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """Max over (kD, kH, kW) windows of the last three dims of (N, C, D, H, W) or
    (C, D, H, W); with return_indices also the flat positions of the maxima."""
    op = "max_pool3d"
    x, unb = _batched(input, op)
    k = _ntuple(kernel_size, 3, "kernel_size", op)
    s = _stride(stride, k, 3, op)
    p = _ntuple(padding, 3, "padding", op)
    dl = _ntuple(dilation, 3, "dilation", op)
    n, c, d, h, w = (int(v) for v in x.shape)
    y, i1 = max_pool2d(x.reshape(n, c * d, h, w), k[1:], s[1:], p[1:], dl[1:], ceil_mode, True)
    oh, ow = int(y.shape[-2]), int(y.shape[-1])
    z, i2 = max_pool2d(
        y.reshape(n, c, d, oh * ow), (k[0], 1), (s[0], 1), (p[0], 0), (dl[0], 1), ceil_mode, True
    )
    return _max_result(z, i1, i2, (n, c, d, h, w), (oh, ow), unb, return_indices)


def avg_pool3d(
    input: Tensor,
    kernel_size: IntOrSeq,
    stride: IntOrSeq | None = None,
    padding: IntOrSeq = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """Mean over (kD, kH, kW) windows of the last three dims of (N, C, D, H, W) or
    (C, D, H, W) (divisor_override: the window sums divided by it)."""
    op = "avg_pool3d"
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError(f"[{op}] divisor must be not zero")
    x, unb = _batched(input, op)
    k = _ntuple(kernel_size, 3, "kernel_size", op)
    s = _stride(stride, k, 3, op)
    p = _ntuple(padding, 3, "padding", op)
    n, c, d, h, w = (int(v) for v in x.shape)
    if d < k[0] or h < k[1] or w < k[2]:  # PyTorch's check (the padding not counted)
        raise RuntimeError(
            f"input image (T: {d} H: {h} W: {w}) smaller than kernel size (kT: {k[0]} kH: "
            f"{k[1]} kW: {k[2]})"
        )
    sums = divisor_override is not None
    y = avg_pool2d(
        x.reshape(n, c * d, h, w), k[1:], s[1:], p[1:], ceil_mode, count_include_pad,
        1 if sums else None,
    )  # fmt: skip
    oh, ow = int(y.shape[-2]), int(y.shape[-1])
    z = avg_pool2d(
        y.reshape(n, c, d, oh * ow), (k[0], 1), (s[0], 1), (p[0], 0), ceil_mode,
        count_include_pad, divisor_override,
    )  # fmt: skip
    return _done(z.reshape(n, c, int(z.shape[2]), oh, ow), unb)


def adaptive_avg_pool3d(input: Tensor, output_size: Any) -> Tensor:
    """Mean over adaptive windows of the last three dims, to output_size (an int, or a triple
    whose None entries keep the input's size)."""
    op = "adaptive_avg_pool3d"
    x, unb = _batched(input, op)
    n, c, d, h, w = (int(v) for v in x.shape)
    od, oh, ow = _sizes3(output_size, (d, h, w), op)
    y = adaptive_avg_pool2d(x.reshape(n, c * d, h, w), (oh, ow))
    z = adaptive_avg_pool2d(y.reshape(n, c, d, oh * ow), (od, oh * ow))
    return _done(z.reshape(n, c, od, oh, ow), unb)


def adaptive_max_pool3d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Max over adaptive windows of the last three dims, to output_size (and the flat
    indices of the maxima)."""
    op = "adaptive_max_pool3d"
    x, unb = _batched(input, op)
    n, c, d, h, w = (int(v) for v in x.shape)
    od, oh, ow = _sizes3(output_size, (d, h, w), op)
    y, i1 = adaptive_max_pool2d(x.reshape(n, c * d, h, w), (oh, ow), True)
    z, i2 = adaptive_max_pool2d(y.reshape(n, c, d, oh * ow), (od, oh * ow), True)
    return _max_result(z, i1, i2, (n, c, d, h, w), (oh, ow), unb, return_indices)


def lp_pool3d(
    input: Tensor,
    norm_type: float,
    kernel_size: IntOrSeq,
    stride: IntOrSeq | None = None,
    ceil_mode: bool = False,
) -> Tensor:
    """(sum over each kD x kH x kW window of x^p)^(1/p) over the last three dims."""
    kd, kh, kw = _ntuple(kernel_size, 3, "kernel_size", "lp_pool3d")
    out = avg_pool3d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (out.sign() * relu(out.abs())).mul(kd * kh * kw).pow(1.0 / norm_type)


def conv3d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntOrSeq = 1,
    padding: IntOrSeq | str = 0,
    dilation: IntOrSeq = 1,
    groups: int = 1,
) -> Tensor:
    """3-d convolution of input (N, C_in, D, H, W) or (C_in, D, H, W) with weight (C_out,
    C_in / groups, kD, kH, kW); padding is an int, a triple, 'valid' or 'same'."""
    op = "conv3d"
    x, unb = _batched(input, op)
    if weight.dim() != 5:
        raise RuntimeError(
            f"[{op}] weight must be 5-d (C_out, C_in / groups, kD, kH, kW), got shape "
            f"{list(weight.shape)}"
        )
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    n, cin = int(x.shape[0]), int(x.shape[1])
    cout = int(weight.shape[0])
    k = [int(v) for v in weight.shape[2:]]
    if int(weight.shape[1]) * groups != cin:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {list(weight.shape)}, expected input"
            f"{list(x.shape)} to have {int(weight.shape[1]) * groups} channels, but got {cin} "
            "channels instead"
        )
    s = _ntuple(stride, 3, "stride", op)
    dl = _ntuple(dilation, 3, "dilation", op)
    if isinstance(padding, str):
        same = _padding_is_same(padding)
        if same and any(v != 1 for v in s):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        tot = [dl[i] * (k[i] - 1) if same else 0 for i in range(3)]
        pads = [(t // 2, t - t // 2) for t in tot]
    else:
        pads = [(v, v) for v in _ntuple(padding, 3, "padding", op)]
    if any(a or b for a, b in pads):
        flat = [v for i in (2, 1, 0) for v in pads[i]]
        x = pad(x, flat)
    dp, hp, wp = (int(v) for v in x.shape[2:])
    od = (dp - dl[0] * (k[0] - 1) - 1) // s[0] + 1
    if od <= 0 or any(dp_ - dl[i] * (k[i] - 1) - 1 < 0 for i, dp_ in ((1, hp), (2, wp))):
        raise RuntimeError(
            f"Calculated padded input size per channel: ({dp} x {hp} x {wp}). Kernel size: "
            f"({k[0]} x {k[1]} x {k[2]}). Kernel size can't be greater than actual input size"
        )
    out: Tensor | None = None
    for kd in range(k[0]):
        start = kd * dl[0]
        slab = x[:, :, start : start + s[0] * (od - 1) + 1 : s[0]]
        slab = slab.permute(0, 2, 1, 3, 4).reshape(n * od, cin, hp, wp)
        part = conv2d(slab, weight[:, :, kd], None, s[1:], 0, dl[1:], groups)
        out = part if out is None else out + part
    assert out is not None
    oh, ow = int(out.shape[-2]), int(out.shape[-1])
    y = out.reshape(n, od, cout, oh, ow).permute(0, 2, 1, 3, 4)
    if bias is not None:
        y = y + bias.reshape(1, cout, 1, 1, 1)
    y = y.contiguous()
    return _done(y, unb)


def max_pool3d_with_indices(input: Tensor, *args: Any, **kwargs: Any) -> Any:
    """max_pool3d(..., return_indices=True)."""
    kwargs["return_indices"] = True
    return max_pool3d(input, *args, **kwargs)


def adaptive_max_pool3d_with_indices(input: Tensor, output_size: Any) -> Any:
    """adaptive_max_pool3d(..., return_indices=True)."""
    return adaptive_max_pool3d(input, output_size, return_indices=True)


def conv_transpose3d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntOrSeq = 1,
    padding: IntOrSeq = 0,
    output_padding: IntOrSeq = 0,
    groups: int = 1,
    dilation: IntOrSeq = 1,
) -> Tensor:
    """3-d transposed convolution of (N, C_in, D, H, W) or (C_in, D, H, W) with weight (C_in,
    C_out / groups, kD, kH, kW): for each depth tap kd, a 2-d transposed convolution of every
    input depth slice, placed at depth d * stride + kd * dilation and summed, then cropped by
    padding (output_padding extends the end)."""
    op = "conv_transpose3d"
    x, unb = _batched(input, op)
    if weight.dim() != 5:
        raise RuntimeError(
            f"[{op}] weight must be 5-d (C_in, C_out / groups, kD, kH, kW), got shape "
            f"{list(weight.shape)}"
        )
    n, cin, d, h, w = (int(v) for v in x.shape)
    if int(weight.shape[0]) != cin:
        raise RuntimeError(
            f"Given transposed=1, weight of size {list(weight.shape)}, expected input"
            f"{list(x.shape)} to have {int(weight.shape[0])} channels, but got {cin} channels "
            "instead"
        )
    cout = int(weight.shape[1]) * groups
    k = [int(v) for v in weight.shape[2:]]
    s = _ntuple(stride, 3, "stride", op)
    p = _ntuple(padding, 3, "padding", op)
    op_ = _ntuple(output_padding, 3, "output_padding", op)
    dl = _ntuple(dilation, 3, "dilation", op)
    if op_[0] >= max(s[0], dl[0]):
        raise RuntimeError(
            "output padding must be smaller than either stride or dilation, but got "
            f"output_padding_depth: {op_[0]} output_padding_height: {op_[1]} "
            f"output_padding_width: {op_[2]} stride_depth: {s[0]} stride_height: {s[1]} "
            f"stride_width: {s[2]} dilation_depth: {dl[0]} dilation_height: {dl[1]} "
            f"dilation_width: {dl[2]}"
        )
    full = (d - 1) * s[0] + dl[0] * (k[0] - 1) + 1 + op_[0]
    od = full - 2 * p[0]
    if od <= 0:
        raise RuntimeError(
            f"Given input size per channel: ({d} x {h} x {w}). Calculated output size per "
            f"channel: ({od} x ...). Output size is too small"
        )
    slices = x.permute(0, 2, 1, 3, 4).reshape(n * d, cin, h, w)
    spread = (d - 1) * s[0] + 1  # the input depths, stride apart
    total: Tensor | None = None
    for kd in range(k[0]):
        y = _conv_t2d(slices, weight[:, :, kd], None, s[1:], p[1:], op_[1:], groups, dl[1:])
        oh, ow = int(y.shape[-2]), int(y.shape[-1])
        y = y.reshape(n, d, cout, oh, ow)
        if s[0] > 1:  # zeros between the depths
            gap = _zeros(n, d, s[0] - 1, cout, oh, ow, y=y)
            assert gap is not None
            y = cat([y.unsqueeze(2), gap], 2).reshape(n, d * s[0], cout, oh, ow)[:, :spread]
        front = kd * dl[0]
        back = full - front - spread
        pads = (_zeros(n, front, cout, oh, ow, y=y), y, _zeros(n, back, cout, oh, ow, y=y))
        parts = [t for t in pads if t is not None]
        placed = cat(parts, 1) if len(parts) > 1 else y
        total = placed if total is None else total + placed
    assert total is not None
    out = total[:, p[0] : p[0] + od].permute(0, 2, 1, 3, 4)
    if bias is not None:
        out = out + bias.reshape(1, cout, 1, 1, 1)
    return _done(out.contiguous(), unb)


def _zeros(*shape: int, y: Tensor) -> Tensor | None:
    if 0 in shape:
        return None
    return _core.zeros(*shape, dtype=y.dtype)
