"""default_collate and default_convert: how a DataLoader turns a list of samples into a
batch (PyTorch's rules)."""

from __future__ import annotations

import collections.abc
from typing import Any

import numpy as np

from ... import _core
from ..._core import Tensor

__all__ = ["default_collate", "default_convert"]

_ERR = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
)


def _stack(tensors: list[Tensor]) -> Tensor:
    first = tensors[0]
    for t in tensors[1:]:
        if t.shape != first.shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {tuple(first.shape)} at "
                f"entry 0 and {tuple(t.shape)} at another entry"
            )
        if t.dtype != first.dtype:
            raise RuntimeError(
                f"[default_collate] tensors of dtypes {first.dtype} and {t.dtype} in one batch"
            )
    arr = np.stack([t.detach().numpy() for t in tensors])
    return _core.from_numpy(arr)


def default_collate(batch: list[Any]) -> Any:
    """Stacks tensors and NumPy arrays into one tensor with a new first dim, turns numbers into
    tensors (floats: float64, ints: int64), keeps strings, and recurses into dicts, named
    tuples and sequences (transposing them)."""
    if not batch:
        raise IndexError("[default_collate] the batch is empty")
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _stack(list(batch))
    if isinstance(elem, np.ndarray):
        if elem.dtype.kind in "OUS":
            raise TypeError(_ERR.format(elem.dtype))
        return _stack([_core.from_numpy(np.ascontiguousarray(b)) for b in batch])
    if isinstance(elem, np.generic):
        return _core._copy_numpy(np.array(batch), None)
    if isinstance(elem, bool):
        return _core._copy_numpy(np.array(batch, dtype=np.bool_), None)
    if isinstance(elem, float):
        return _core._copy_numpy(np.array(batch, dtype=np.float64), None)
    if isinstance(elem, int):
        return _core._copy_numpy(np.array(batch, dtype=np.int64), None)
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        try:
            return type(elem)({k: default_collate([d[k] for d in batch]) for k in elem})  # type: ignore[call-arg]
        except TypeError:
            return {k: default_collate([d[k] for d in batch]) for k in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return type(elem)(*(default_collate(list(s)) for s in zip(*batch, strict=True)))
    if isinstance(elem, collections.abc.Sequence):
        n = len(elem)
        if any(len(e) != n for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [default_collate(list(s)) for s in zip(*batch, strict=True)]
        if isinstance(elem, tuple):
            return columns
        try:
            return type(elem)(columns)  # type: ignore[call-arg]
        except TypeError:
            return columns
    raise TypeError(_ERR.format(type(elem)))


def default_convert(data: Any) -> Any:
    """Without batching (batch_size=None): NumPy arrays and scalars become tensors, containers
    are converted element by element, anything else is returned as is."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, np.ndarray):
        return data if data.dtype.kind in "OUS" else _core._copy_numpy(data, None)
    if isinstance(data, np.generic):
        return _core._copy_numpy(np.array(data), None)
    if isinstance(data, collections.abc.Mapping):
        try:
            return type(data)({k: default_convert(v) for k, v in data.items()})  # type: ignore[call-arg]
        except TypeError:
            return {k: default_convert(v) for k, v in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            return type(data)([default_convert(d) for d in data])  # type: ignore[call-arg]
        except TypeError:
            return [default_convert(d) for d in data]
    return data
