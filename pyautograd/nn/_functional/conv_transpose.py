"""conv_transpose1d and conv_transpose2d of nn.functional: the adjoint of a convolution, as
one (grouped, batched) GEMM of the input with the weight into columns and one col2im
(index_add) of the columns into the output, as ATen's slow_conv_transpose2d; the gradients
are the GEMM's and the scatter's."""

from __future__ import annotations

from collections.abc import Sequence

from ... import _core
from ..._core import Tensor
from .conv import _ntuple
from .sampling import col2im

__all__ = ["conv_transpose1d", "conv_transpose2d"]

IntOrSeq = int | Sequence[int]


def _conv_transpose(
    op: str,
    n: int,
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None,
    stride: IntOrSeq,
    padding: IntOrSeq,
    output_padding: IntOrSeq,
    groups: int,
    dilation: IntOrSeq,
) -> Tensor:
    s = _ntuple(stride, n, "stride", op)
    p = _ntuple(padding, n, "padding", op)
    op_ = _ntuple(output_padding, n, "output_padding", op)
    d = _ntuple(dilation, n, "dilation", op)
    if input.dim() not in (n + 1, n + 2):
        raise RuntimeError(
            f"[{op}] Expected {n + 1}D (unbatched) or {n + 2}D (batched) input to {op}, but got "
            f"input of size: {list(input.shape)}"
        )
    if weight.dim() != n + 2:
        raise RuntimeError(
            f"[{op}] expected a {n + 2}-d weight (C_in, C_out / groups, *kernel), got "
            f"{list(weight.shape)}"
        )
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if min(s) <= 0:
        raise RuntimeError("non-positive stride is not supported")
    if min(d) <= 0:
        raise RuntimeError("dilation should be greater than zero")
    if min(p) < 0:
        raise RuntimeError("negative padding is not supported")
    for i in range(n):
        if op_[i] < 0 or (op_[i] >= s[i] and op_[i] >= d[i]):
            raise RuntimeError(
                "output padding must be smaller than either stride or dilation, but got "
                f"output_padding={list(op_)}, stride={list(s)}, dilation={list(d)}"
            )
    batched = input.dim() == n + 2
    x = input if batched else input.unsqueeze(0)
    if n == 1:  # as a 2-d transposed convolution over (N, C, 1, L)
        x, weight = x.unsqueeze(2), weight.unsqueeze(2)
        s, p, op_, d = [1, *s], [0, *p], [0, *op_], [1, *d]
    nb, cin, h, w = x.shape
    wcin, cout_g, kh, kw = weight.shape
    if cin != wcin:
        raise RuntimeError(
            f"Given transposed=1, weight of size {list(weight.shape)}, expected input"
            f"{list(input.shape)} to have {wcin} channels, but got {cin} channels instead"
        )
    if cin % groups:
        raise RuntimeError(
            f"[{op}] the input's {cin} channels are not divisible by groups={groups}"
        )
    out_hw = (
        (h - 1) * s[0] - 2 * p[0] + d[0] * (kh - 1) + op_[0] + 1,
        (w - 1) * s[1] - 2 * p[1] + d[1] * (kw - 1) + op_[1] + 1,
    )
    if min(out_hw) <= 0:
        raise RuntimeError(
            f"[{op}] the output size {list(out_hw)} is too small (input {list(input.shape)}, "
            f"weight {list(weight.shape)})"
        )
    g = groups
    xg = x.reshape(nb, g, cin // g, h * w)
    wg = weight.reshape(g, cin // g, cout_g * kh * kw).transpose(1, 2)
    cols = (wg @ xg).reshape(nb, g * cout_g * kh * kw, h * w)
    out = col2im(cols, out_hw, (kh, kw), (d[0], d[1]), (p[0], p[1]), (s[0], s[1]), (h, w))
    if bias is not None:
        out = out + bias.reshape(1, -1, 1, 1)
    if n == 1:
        out = out.squeeze(2)
    # PyTorch's node (an unbatched input: the squeeze of the batched result)
    _core._show_grad_fn_as(out, "ConvolutionBackward0")
    return out if batched else out.squeeze(0)


def conv_transpose1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntOrSeq = 1,
    padding: IntOrSeq = 0,
    output_padding: IntOrSeq = 0,
    groups: int = 1,
    dilation: IntOrSeq = 1,
) -> Tensor:
    """1-d transposed convolution of (N, C_in, L) or (C_in, L) with weight (C_in,
    C_out / groups, k): L_out = (L - 1) stride - 2 padding + dilation (k - 1) + output_padding
    + 1."""
    return _conv_transpose(
        "conv_transpose1d",
        1,
        input,
        weight,
        bias,
        stride,
        padding,
        output_padding,
        groups,
        dilation,
    )


def conv_transpose2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntOrSeq = 1,
    padding: IntOrSeq = 0,
    output_padding: IntOrSeq = 0,
    groups: int = 1,
    dilation: IntOrSeq = 1,
) -> Tensor:
    """2-d transposed convolution ("deconvolution") of (N, C_in, H, W) or (C_in, H, W) with
    weight (C_in, C_out / groups, kH, kW)."""
    return _conv_transpose(
        "conv_transpose2d",
        2,
        input,
        weight,
        bias,
        stride,
        padding,
        output_padding,
        groups,
        dilation,
    )
