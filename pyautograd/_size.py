"""Tuple types returned by the core: Size (tensor shapes) and MinMax (max/min over a dim)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, NamedTuple, SupportsIndex, overload

if TYPE_CHECKING:
    from ._core import Tensor


class Size(tuple[int, ...]):
    """The shape of a tensor: a tuple of ints, as torch.Size."""

    def __repr__(self) -> str:
        return f"torch.Size({list(self)!r})"

    def numel(self) -> int:
        """The number of elements of a tensor of this shape (1 for ``Size([])``)."""
        return math.prod(self)

    # As torch.Size: slices, concatenations and repetitions are Sizes too.
    @overload
    def __getitem__(self, key: SupportsIndex, /) -> int: ...
    @overload
    def __getitem__(self, key: slice, /) -> Size: ...
    def __getitem__(self, key: SupportsIndex | slice, /) -> int | Size:
        if isinstance(key, slice):
            return Size(tuple.__getitem__(self, key))
        return tuple.__getitem__(self, key)

    def __add__(self, other: tuple[Any, ...], /) -> Size:
        return Size(tuple.__add__(self, other))

    def __radd__(self, other: tuple[Any, ...], /) -> Size:
        return Size(tuple.__add__(tuple(other), self))

    def __mul__(self, n: SupportsIndex, /) -> Size:
        return Size(tuple.__mul__(self, n))

    __rmul__ = __mul__


class MinMax(NamedTuple):
    """(values, indices) of max/min over a dimension."""

    values: Tensor
    indices: Tensor
