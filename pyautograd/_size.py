"""Tuple types returned by the core: Size (tensor shapes) and MinMax (max/min over a dim)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from ._core import Tensor


class Size(tuple[int, ...]):
    """The shape of a tensor: a tuple of ints, as torch.Size."""

    def __repr__(self) -> str:
        return f"torch.Size({list(self)!r})"

    def numel(self) -> int:
        """The number of elements of a tensor of this shape (1 for ``Size([])``)."""
        return math.prod(self)


class MinMax(NamedTuple):
    """(values, indices) of max/min over a dimension."""

    values: Tensor
    indices: Tensor
