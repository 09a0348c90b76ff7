"""var_mean and std_mean (PyTorch's pairs of a spread and the mean), composed of the core's var,
std and mean: their gradients come with them."""

from __future__ import annotations

from collections.abc import Sequence

from ._core import Tensor

_Dims = int | Sequence[int] | None


def _pair(
    fn: str, input: Tensor, dim: _Dims | bool, unbiased: bool | None, keepdim: bool,
    correction: float | None,
) -> tuple[Tensor, Tensor]:  # fmt: skip
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn}(): argument 'input' must be Tensor, not {type(input).__name__}")
    spread = getattr(input, fn[:3])(dim, unbiased, keepdim, correction=correction)
    mean_dim = None if isinstance(dim, bool) else dim  # a bool in dim's place is unbiased
    return spread, input.mean(mean_dim, keepdim)


def var_mean(
    input: Tensor,
    dim: _Dims | bool = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: float | None = None,
) -> tuple[Tensor, Tensor]:
    """(var, mean) of input over dim, with var's arguments (correction default 1)."""
    return _pair("var_mean", input, dim, unbiased, keepdim, correction)


def std_mean(
    input: Tensor,
    dim: _Dims | bool = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: float | None = None,
) -> tuple[Tensor, Tensor]:
    """(std, mean) of input over dim, with std's arguments (correction default 1)."""
    return _pair("std_mean", input, dim, unbiased, keepdim, correction)
