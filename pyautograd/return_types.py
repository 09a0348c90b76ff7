"""The named tuples that sorting and selection ops return, as ``torch.return_types``:
``values, indices = x.sort()`` or ``x.topk(3).indices``."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from ._core import Tensor


class sort(NamedTuple):
    """(values, indices) of Tensor.sort."""

    values: Tensor
    indices: Tensor


class topk(NamedTuple):
    """(values, indices) of Tensor.topk."""

    values: Tensor
    indices: Tensor


class kthvalue(NamedTuple):
    """(values, indices) of Tensor.kthvalue."""

    values: Tensor
    indices: Tensor


class median(NamedTuple):
    """(values, indices) of Tensor.median(dim)."""

    values: Tensor
    indices: Tensor


class cummax(NamedTuple):
    """(values, indices) of Tensor.cummax."""

    values: Tensor
    indices: Tensor


class cummin(NamedTuple):
    """(values, indices) of Tensor.cummin."""

    values: Tensor
    indices: Tensor


__all__ = ["cummax", "cummin", "kthvalue", "median", "sort", "topk"]


class frexp(NamedTuple):
    """(mantissa, exponent) of frexp."""

    mantissa: Tensor
    exponent: Tensor
