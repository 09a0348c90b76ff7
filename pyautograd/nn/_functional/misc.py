"""Functional helpers that are not layers: one_hot."""

from __future__ import annotations

from ... import _core
from ..._core import Tensor


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """An int64 tensor of shape ``(*tensor.shape, num_classes)`` with a 1 at each class index of
    ``tensor`` (int64) and 0 elsewhere; ``num_classes=-1`` uses ``tensor.max() + 1``."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"one_hot(): argument 'input' must be Tensor, not {type(tensor).__name__}")
    if tensor.dtype != _core.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if tensor.numel() == 0:
        if num_classes == -1:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
    else:
        lo, hi = int(tensor.min().item()), int(tensor.max().item())
        if lo < 0:
            raise RuntimeError("Class values must be non-negative.")
        if num_classes == -1:
            num_classes = hi + 1
        elif hi >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    if num_classes < 0:
        raise RuntimeError(f"one_hot: num_classes must be non-negative, got {num_classes}")
    classes = _core.arange(num_classes)
    return (tensor.detach().unsqueeze(-1) == classes).to(_core.int64)
