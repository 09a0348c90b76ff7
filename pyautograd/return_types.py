"""The named tuples that sorting and selection ops return, as ``torch.return_types``:
``values, indices = x.sort()`` or ``x.topk(3).indices``."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from ._size import MinMax

if TYPE_CHECKING:
    from ._core import Tensor


def _repr(self: tuple[Tensor, Tensor]) -> str:
    """PyTorch's: torch.return_types.sort(\nvalues=tensor(...),\nindices=tensor(...))."""
    values, indices = self
    return f"torch.return_types.{type(self).__name__}(\nvalues={values!r},\nindices={indices!r})"


class sort(NamedTuple):
    """(values, indices) of Tensor.sort."""

    values: Tensor
    indices: Tensor

    def __repr__(self) -> str:
        return _repr(self)


class topk(NamedTuple):
    """(values, indices) of Tensor.topk."""

    values: Tensor
    indices: Tensor

    def __repr__(self) -> str:
        return _repr(self)


class kthvalue(NamedTuple):
    """(values, indices) of Tensor.kthvalue."""

    values: Tensor
    indices: Tensor

    def __repr__(self) -> str:
        return _repr(self)


class median(NamedTuple):
    """(values, indices) of Tensor.median(dim)."""

    values: Tensor
    indices: Tensor

    def __repr__(self) -> str:
        return _repr(self)


class cummax(NamedTuple):
    """(values, indices) of Tensor.cummax."""

    values: Tensor
    indices: Tensor

    def __repr__(self) -> str:
        return _repr(self)


class cummin(NamedTuple):
    """(values, indices) of Tensor.cummin."""

    values: Tensor
    indices: Tensor

    def __repr__(self) -> str:
        return _repr(self)


class max(MinMax):
    """(values, indices) of Tensor.max(dim)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return _repr(self)


class min(MinMax):
    """(values, indices) of Tensor.min(dim)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return _repr(self)


class frexp(NamedTuple):
    """(mantissa, exponent) of frexp."""

    mantissa: Tensor
    exponent: Tensor

    def __repr__(self) -> str:
        return (
            f"torch.return_types.frexp(\nmantissa={self.mantissa!r},\nexponent={self.exponent!r})"
        )


__all__ = ["cummax", "cummin", "frexp", "kthvalue", "max", "median", "min", "sort", "topk"]
