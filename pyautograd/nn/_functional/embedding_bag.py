"""embedding_bag of nn.functional: the sums, means or maxima of bags of embedding rows, as
one index_select of the rows and one index_add (sum, mean) or one padded max (max); the bag
layout (offsets, include_last_offset, padding_idx, empty bags) is worked out in NumPy."""

from __future__ import annotations

import warnings

import numpy as np

from ... import _core
from ..._core import Tensor
from ..._creation import tensor

__all__ = ["embedding_bag"]


def _ints(t: Tensor) -> np.ndarray:
    return np.asarray(t.tolist(), dtype=np.int64).reshape(-1)


def embedding_bag(
    input: Tensor,
    weight: Tensor,
    offsets: Tensor | None = None,
    max_norm: float | None = None,
    norm_type: float = 2,
    scale_grad_by_freq: bool = False,
    mode: str = "mean",
    sparse: bool = False,
    per_sample_weights: Tensor | None = None,
    include_last_offset: bool = False,
    padding_idx: int | None = None,
) -> Tensor:
    """Reduces bags of rows of weight: a 2-d input is one bag per row; a 1-d input is split
    into bags at offsets. mode 'sum' (optionally weighted per sample), 'mean' or 'max'; entries
    equal to padding_idx are left out; an empty bag gives zeros."""
    if weight.dtype == _core.int64 and input.is_floating_point():
        warnings.warn(
            "Argument order of nn.functional.embedding_bag was changed. Usage "
            "`embedding_bag(weight, input, ...)` is deprecated, and should now be "
            "`embedding_bag(input, weight, ...)`.",
            stacklevel=2,
        )
        weight, input = input, weight
    if per_sample_weights is not None and input.shape != per_sample_weights.shape:
        raise ValueError(
            f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, "
            f"then it must have the same shape as the input ({input.shape})"
        )
    if weight.dim() != 2:
        raise ValueError(
            f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}"
        )
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError(
                "if input is 2D, then offsets has to be None, as input is treated is a "
                "mini-batch of fixed length sequences. However, found offsets of type "
                f"{type(offsets)}"
            )
        idx = _ints(input)
        starts = np.arange(0, idx.size, max(input.shape[1], 1), dtype=np.int64)
        if input.shape[1] == 0:
            starts = np.zeros(input.shape[0], dtype=np.int64)
        include_last_offset = False
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        idx = _ints(input)
        starts = _ints(offsets)
    else:
        raise ValueError(
            f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}"
        )
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if mode == "max" and sparse:
        raise ValueError("max mode does not support sparse weights")
    if max_norm is not None or scale_grad_by_freq or sparse:
        raise NotImplementedError(
            "[embedding_bag] max_norm, scale_grad_by_freq and sparse are not supported"
        )
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only "
            f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
            "GitHub."
        )
    num, dim = weight.shape
    if idx.size and (idx.min() < 0 or idx.max() >= num):
        raise IndexError(
            f"[embedding_bag] index out of range: indices must be in [0, {num}), got "
            f"[{int(idx.min())}, {int(idx.max())}]"
        )
    if include_last_offset:
        if starts.size == 0:
            raise ValueError("[embedding_bag] include_last_offset needs at least one offset")
        ends = starts[1:]
        starts = starts[:-1]
    else:
        ends = np.append(starts[1:], idx.size)
    bags = starts.size
    if np.any(starts < 0) or np.any(ends > idx.size) or np.any(ends < starts):
        raise RuntimeError(
            f"[embedding_bag] offsets must be non-decreasing and within [0, {idx.size}], got "
            f"{starts.tolist()}"
        )
    bag_of = np.full(idx.size, -1, dtype=np.int64)
    for b in range(bags):
        bag_of[starts[b] : ends[b]] = b
    keep = bag_of >= 0
    if padding_idx is not None:
        if padding_idx < 0:
            padding_idx += num
        keep &= idx != padding_idx
    kept = np.nonzero(keep)[0]
    rows = weight.index_select(0, tensor(idx[kept]))
    if per_sample_weights is not None:
        psw = per_sample_weights.reshape(-1).index_select(0, tensor(kept))
        rows = rows * psw.unsqueeze(1)
    counts = np.bincount(bag_of[kept], minlength=bags).astype(np.int64)
    if mode in ("sum", "mean"):
        out = _core.zeros(bags, dim, dtype=weight.dtype).index_add(0, tensor(bag_of[kept]), rows)
        if mode == "mean":
            div = np.maximum(counts, 1).astype(np.float64).reshape(-1, 1)
            out = out / tensor(div, dtype=weight.dtype)
        return out
    width = int(counts.max()) if counts.size else 0
    if width == 0:
        return _core.zeros(bags, dim, dtype=weight.dtype)
    slot = np.full((bags, width), kept.size, dtype=np.int64)  # the -inf row
    fill = np.zeros(bags, dtype=np.int64)
    for k, b in enumerate(bag_of[kept]):
        slot[b, fill[b]] = k
        fill[b] += 1
    ext = _core.cat([rows, _core.full([1, dim], float("-inf"), dtype=weight.dtype)], 0)
    dense = ext.index_select(0, tensor(slot.reshape(-1))).reshape(bags, width, dim)
    best = dense.max(1)[0]
    empty = tensor((counts == 0).reshape(-1, 1))
    return _core.where(empty, 0.0, best)
