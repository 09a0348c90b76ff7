"""var_mean and std_mean (PyTorch's pairs of a spread and the mean) and cdist, composed of the
core's var, std, mean and norm: their gradients come with them."""

from __future__ import annotations

from collections.abc import Sequence

from . import _core
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


def cdist(
    x1: Tensor,
    x2: Tensor,
    p: float = 2.0,
    compute_mode: str = "use_mm_for_euclid_dist_if_necessary",
) -> Tensor:
    """The p-norm distance between each row of x1 (..., P, M) and each row of x2 (..., R, M): a
    (..., P, R) tensor (batch dims broadcast). Computed directly for every p (PyTorch may use a
    matrix product for p = 2, which differs in the last bits); the gradient at a zero distance is
    zero, as PyTorch's. compute_mode is accepted and does not change the result."""
    for name, v in (("x1", x1), ("x2", x2)):
        if not isinstance(v, Tensor):
            raise TypeError(f"cdist(): argument '{name}' must be Tensor, not {type(v).__name__}")
        if v.dim() < 2:
            raise RuntimeError(f"[cdist] only supports at least 2D tensors, {name} got: {v.dim()}D")
    if isinstance(p, bool) or not isinstance(p, (int, float)):
        raise TypeError(f"cdist(): argument 'p' must be a number, not {type(p).__name__}")
    if p < 0:
        raise RuntimeError(f"[cdist] only supports non-negative p values, got {p}")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(
            f"[cdist] X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} "
            f"X2: {x2.shape[-1]}"
        )
    out = (x1.unsqueeze(-2) - x2.unsqueeze(-3)).norm(p, -1)
    return _core._show_grad_fn_as(out, "CdistBackward0")
