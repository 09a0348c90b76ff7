"""Sorting and selection with PyTorch's signatures: sort, argsort, topk, kthvalue, median,
nonzero, where(condition), unique, count_nonzero, bincount (the work is in C++: ops/sort.cpp)."""

from __future__ import annotations

from typing import Any, overload

from . import _core, return_types
from ._core import Tensor

_MISSING: Any = object()


def sort(
    input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False
) -> return_types.sort:
    """(values, indices) of input sorted along dim, ascending unless descending; NaN sorts as
    the largest value. Every sort here is stable (equal elements keep their order)."""
    return return_types.sort(*_core._sort(input, dim, descending))


def argsort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    """The indices that sort input along dim (those of sort)."""
    return _core._sort(input, dim, descending)[1]


def msort(input: Tensor) -> Tensor:
    """input sorted along its first dimension."""
    return _core._sort(input, 0, False)[0]


def topk(
    input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True
) -> return_types.topk:
    """(values, indices) of the k largest (smallest unless largest) elements along dim, in
    sorted order (also when sorted=False, which leaves the order free)."""
    if input.dtype == _core.bool:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    return return_types.topk(*_core._topk(input, k, dim, largest))


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False) -> return_types.kthvalue:
    """(values, indices) of the k-th smallest element (1-based) along dim."""
    return return_types.kthvalue(*_core._kthvalue(input, k, dim, keepdim))


def median(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    """Without dim, the lower median of all elements (a 0-d tensor); with dim, (values,
    indices) of the lower median along it. NaN if the elements hold NaN."""
    if dim is None:
        return _core._median(input)
    return return_types.median(*_core._median_dim(input, dim, keepdim))


def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:
    """The coordinates of the nonzero elements: a (count, input.dim()) int64 tensor, or with
    as_tuple=True one 1-d tensor per dimension (a 0-d input counts as 1-d)."""
    coords = _core._nonzero(input)
    if not as_tuple:
        return coords
    if input.dim() == 0:
        return (_core._nonzero(input.reshape(1))[:, 0],)
    return tuple(coords[:, d] for d in range(input.dim()))


@overload
def where(condition: Tensor) -> tuple[Tensor, ...]: ...
@overload
def where(condition: Tensor, input: Any, other: Any) -> Tensor: ...
def where(condition: Tensor, input: Any = _MISSING, other: Any = _MISSING) -> Any:
    """where(condition, input, other): input where condition holds, else other (broadcast);
    where(condition): nonzero(condition, as_tuple=True)."""
    if input is _MISSING and other is _MISSING:
        return nonzero(condition, as_tuple=True)
    if input is _MISSING or other is _MISSING:
        raise TypeError("[where] expected condition, input and other (or only condition)")
    return _core.where(condition, input, other)


def unique(
    input: Tensor,
    sorted: bool = True,
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: int | None = None,
) -> Any:
    """The sorted distinct elements of input; with return_inverse, also the index of each
    element among them (input's shape); with return_counts, also how often each occurs.
    Each NaN is distinct. dim= is not supported (raises)."""
    if dim is not None:
        raise NotImplementedError("[unique] dim= is not supported; unique works on all elements")
    values, inverse, counts = _core._unique(input)
    out = (values, *([inverse] if return_inverse else []), *([counts] if return_counts else []))
    return out[0] if len(out) == 1 else out


def count_nonzero(input: Tensor, dim: int | tuple[int, ...] | list[int] | None = None) -> Tensor:
    """The number of nonzero elements (int64), over all elements or along dim."""
    return (input != 0).sum(dim)


def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """How often each value 0..max occurs in a 1-d non-negative integer tensor (int64), or the
    sum of weights at each value (float32 weights give float32, others float64); at least
    minlength bins."""
    return _core._bincount(input, weights, minlength)


FUNCTIONS = {
    "sort": sort,
    "argsort": argsort,
    "msort": msort,
    "topk": topk,
    "kthvalue": kthvalue,
    "median": median,
    "nonzero": nonzero,
    "unique": unique,
    "count_nonzero": count_nonzero,
    "bincount": bincount,
}


def install(cls: type[Tensor]) -> None:
    """Adds the sorting and selection methods to Tensor."""
    for name, f in FUNCTIONS.items():
        setattr(cls, name, f)
