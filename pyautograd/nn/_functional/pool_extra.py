"""lp_pool1d/2d, max_unpool1d/2d/3d, channel_shuffle and multilabel_margin_loss of
nn.functional, as compositions of core ops (PyTorch's definitions)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ... import _core
from ..._core import Tensor
from ..._creation import tensor
from .activation import relu
from .conv import _ntuple, avg_pool1d, avg_pool2d

__all__ = [
    "channel_shuffle",
    "lp_pool1d",
    "lp_pool2d",
    "max_unpool1d",
    "max_unpool2d",
    "max_unpool3d",
    "multilabel_margin_loss",
]


def lp_pool1d(
    input: Tensor,
    norm_type: float,
    kernel_size: int,
    stride: int | Sequence[int] | None = None,
    ceil_mode: bool = False,
) -> Tensor:
    """(sum over each window of x^p)^(1/p) along the last dim."""
    out = avg_pool1d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    k = kernel_size if isinstance(kernel_size, int) else int(kernel_size[0])
    return (out.sign() * relu(out.abs())).mul(k).pow(1.0 / norm_type)


def lp_pool2d(
    input: Tensor,
    norm_type: float,
    kernel_size: int | Sequence[int],
    stride: int | Sequence[int] | None = None,
    ceil_mode: bool = False,
) -> Tensor:
    """(sum over each kh x kw window of x^p)^(1/p) over the last two dims."""
    kh, kw = _ntuple(kernel_size, 2, "kernel_size", "lp_pool2d")
    out = avg_pool2d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (out.sign() * relu(out.abs())).mul(kw * kh).pow(1.0 / norm_type)


def _unpool(
    op: str,
    n: int,
    input: Tensor,
    indices: Tensor,
    kernel_size: int | Sequence[int],
    stride: int | Sequence[int] | None,
    padding: int | Sequence[int],
    output_size: Sequence[int] | None,
) -> Tensor:
    k = _ntuple(kernel_size, n, "kernel_size", op)
    s = k if stride is None else _ntuple(stride, n, "stride", op)
    p = _ntuple(padding, n, "padding", op)
    spatial = list(input.shape[-n:])
    default = [(spatial[i] - 1) * s[i] + k[i] - 2 * p[i] for i in range(n)]
    if output_size is None:
        size = default
    else:
        size = list(output_size)
        if len(size) == n + 2:
            size = size[2:]
        elif len(size) == n + 1 and input.dim() == n + 1:
            size = size[1:]
        if len(size) != n:
            raise ValueError(
                f"output_size should be a sequence containing {n} or {n + 2} elements, but it "
                f"has a length of '{len(size)}'"
            )
        for i in range(n):
            lo, hi = default[i] - s[i], default[i] + s[i]
            if not lo < size[i] < hi:
                raise ValueError(
                    f'invalid output_size "{size}" (dim {i} must be between {lo} and {hi})'
                )
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(
            f"Expected shape of indices to be same as that of the input tensor "
            f"({list(input.shape)}) but got indices tensor with shape: {list(indices.shape)}"
        )
    lead = list(input.shape[:-n])
    planes = int(np.prod(lead, dtype=np.int64)) if lead else 1
    total = int(np.prod(size, dtype=np.int64))
    flat_idx = indices.reshape(planes, -1)
    if flat_idx.numel() and (bool((flat_idx < 0).any()) or bool((flat_idx >= total).any())):
        raise RuntimeError(
            f"[{op}] Found an invalid max index (the output has {total} elements per plane)"
        )
    out = _core.zeros(planes, total, dtype=input.dtype)
    out = out.scatter(1, flat_idx, input.reshape(planes, -1))
    return out.reshape(*lead, *size)


def max_unpool1d(
    input: Tensor,
    indices: Tensor,
    kernel_size: int | Sequence[int],
    stride: int | Sequence[int] | None = None,
    padding: int | Sequence[int] = 0,
    output_size: Sequence[int] | None = None,
) -> Tensor:
    """The partial inverse of max_pool1d: each value goes back to its index, zeros elsewhere."""
    return _unpool("max_unpool1d", 1, input, indices, kernel_size, stride, padding, output_size)


def max_unpool2d(
    input: Tensor,
    indices: Tensor,
    kernel_size: int | Sequence[int],
    stride: int | Sequence[int] | None = None,
    padding: int | Sequence[int] = 0,
    output_size: Sequence[int] | None = None,
) -> Tensor:
    """The partial inverse of max_pool2d: each value goes back to its index, zeros elsewhere."""
    return _unpool("max_unpool2d", 2, input, indices, kernel_size, stride, padding, output_size)


def max_unpool3d(
    input: Tensor,
    indices: Tensor,
    kernel_size: int | Sequence[int],
    stride: int | Sequence[int] | None = None,
    padding: int | Sequence[int] = 0,
    output_size: Sequence[int] | None = None,
) -> Tensor:
    """The partial inverse of max_pool3d: each value goes back to its index, zeros elsewhere."""
    return _unpool("max_unpool3d", 3, input, indices, kernel_size, stride, padding, output_size)


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """(N, C, *) -> (N, C, *) with the channels of the groups interleaved."""
    if input.dim() <= 2:
        raise RuntimeError(
            "channel_shuffle expects input to have at least 3 dimensions, but got input with "
            f"{input.dim()} dimension(s)"
        )
    if groups <= 0:
        raise RuntimeError(
            f"Number of groups to divide channels in must be positive. Value of groups:{groups}"
        )
    n, c = input.shape[0], input.shape[1]
    if c % groups:
        raise RuntimeError(
            f"Number of channels must be divisible by groups. Got {c} channels and {groups} groups."
        )
    rest = list(input.shape[2:])
    x = input.reshape(n, groups, c // groups, *rest).transpose(1, 2)
    return x.reshape(n, c, *rest)


def multilabel_margin_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Multi-label hinge loss: for each sample, the sum over its target classes j (the target
    row's leading non-negative entries) and its other classes i of max(0, 1 - (x[j] - x[i])),
    divided by the number of classes."""
    from .loss_extra import _apply, _reduction

    red = _reduction(size_average, reduce, reduction)
    if input.dim() > 2 or (input.dim() == 0):
        raise RuntimeError(
            "Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
            f"{list(input.shape)}"
        )
    if tuple(target.shape) != tuple(input.shape):
        raise RuntimeError(
            f"inconsistent target size: {list(target.shape)} for input of size: {list(input.shape)}"
        )
    x = input.reshape(1, -1) if input.dim() == 1 else input
    n, c = x.shape
    t = np.asarray(target.tolist(), dtype=np.int64).reshape(n, c)
    counts = np.zeros((n, c), dtype=np.float64)
    for row in range(n):
        for j in t[row]:
            if j < 0:
                break
            if j >= c:
                raise RuntimeError(f"[multilabel_margin_loss] target {j} out of range [0, {c})")
            counts[row, j] += 1
    others = (counts == 0).astype(np.float64)
    w = tensor(counts[:, :, None] * others[:, None, :], dtype=x.dtype)
    hinge = (1 - x.unsqueeze(2) + x.unsqueeze(1)).relu()
    per_sample = (hinge * w).sum((1, 2)) / c
    if input.dim() == 1:
        per_sample = per_sample.reshape([])
    return _apply(per_sample, red)
