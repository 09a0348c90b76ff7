"""Python protocols on tensors, as PyTorch has them: format() (``f"{loss:.4f}"`` on 0-d tensors),
copy.deepcopy and pickling (also of Tensor subclasses such as nn.Parameter)."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from . import _core
from ._core import Tensor

_NON_LEAF_DEEPCOPY = (
    "Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol "
    "at the moment"
)
_NON_LEAF_PICKLE = (
    "Cowardly refusing to serialize non-leaf tensor which requires_grad, since autograd does "
    "not support crossing process boundaries. If you just want to transfer the data, call "
    "detach() on the tensor before serializing"
)


def _format(self: Tensor, format_spec: str) -> str:
    """A 0-d tensor formats as its value (``f"{loss:.4f}"``); other tensors only with an empty
    format spec (as str()), as in PyTorch."""
    if self.dim() == 0 and type(self) is Tensor:
        return format(self.item(), format_spec)
    if format_spec:
        raise TypeError(f"unsupported format string passed to {type(self).__name__}.__format__")
    return str(self)


def _deepcopy(self: Tensor, memo: dict[int, Any]) -> Tensor:
    """A copy of the data (and of .grad and instance attributes) with the same requires_grad,
    class and dtype; leaves only, as in PyTorch."""
    if id(self) in memo:
        return memo[id(self)]  # type: ignore[no-any-return]
    if not self.is_leaf:
        raise RuntimeError(f"[deepcopy] {_NON_LEAF_DEEPCOPY}")
    data = self.detach().clone()
    new = Tensor._make_subclass(type(self), data, self.requires_grad)
    memo[id(self)] = new
    if self.grad is not None:
        new.grad = copy.deepcopy(self.grad, memo)
    state = getattr(self, "__dict__", None)
    if state:
        new.__dict__.update(copy.deepcopy(state, memo))
    return new


def _rebuild_tensor(
    cls: type[Tensor],
    data: bytes,
    dtype: str,
    shape: tuple[int, ...],
    requires_grad: bool,
    state: dict[str, Any] | None,
) -> Tensor:
    """The inverse of Tensor.__reduce_ex__."""
    d = getattr(_core, dtype, None)
    if not isinstance(d, _core.dtype):
        raise ValueError(f"[load] unknown dtype '{dtype}'")
    flat = _core._from_bytes(data, d)
    t = _core._as_strided_raw(flat, shape, _contiguous_strides(shape), 0)
    out = Tensor._make_subclass(cls, t, requires_grad)
    if state:
        out.__dict__.update(state)
    return out


def _contiguous_strides(shape: tuple[int, ...]) -> tuple[int, ...]:
    strides, acc = [], 1
    for n in reversed(shape):
        strides.append(acc)
        acc *= max(n, 1)
    return tuple(reversed(strides))


def _reduce_ex(self: Tensor, protocol: int) -> tuple[Any, ...]:
    """Pickles the elements (a contiguous copy), dtype, shape, requires_grad, the class and
    instance attributes; not .grad, as in PyTorch."""
    if self.requires_grad and not self.is_leaf:
        raise RuntimeError(f"[pickle] {_NON_LEAF_PICKLE}")
    data = np.ascontiguousarray(self.detach().numpy()).tobytes()
    dtype = str(self.dtype).rsplit(".", 1)[-1]
    state = dict(getattr(self, "__dict__", None) or {}) or None
    args = (type(self), data, dtype, tuple(self.shape), self.requires_grad, state)
    return (_rebuild_tensor, args)


def _dtype_named(name: str) -> _core.dtype:
    """The dtype called name (how dtypes are pickled)."""
    d = getattr(_core, name, None)
    if not isinstance(d, _core.dtype):
        raise ValueError(f"[load] unknown dtype '{name}'")
    return d


def _reduce_dtype(self: _core.dtype) -> tuple[Any, tuple[str]]:
    return (_dtype_named, (str(self).rsplit(".", 1)[-1],))


def install(cls: type[Tensor]) -> None:
    """Adds Tensor.__format__, __deepcopy__ and __reduce_ex__, and pickling of dtypes."""
    cls.__format__ = _format  # type: ignore[method-assign]
    cls.__deepcopy__ = _deepcopy  # type: ignore[method-assign]
    cls.__reduce_ex__ = _reduce_ex  # type: ignore[method-assign]
    _core.dtype.__reduce__ = _reduce_dtype  # type: ignore[method-assign]
    # identity hashing straight from the C slot: tensors are dict keys in optimizer states
    cls.__hash__ = object.__hash__  # type: ignore[method-assign]
