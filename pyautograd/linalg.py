"""``pyautograd.linalg``: the norms of ``torch.linalg`` (``vector_norm``, ``matrix_norm``,
``norm``), composed of the core's reductions, so their gradients come with them.

Norms that need a singular value decomposition (matrix ``ord`` 2, -2 and ``'nuc'``) raise: the
core has no SVD.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from . import _core
from ._core import Tensor
from ._extra_ops import amax, amin
from ._functions_more import linalg_cross as cross

__all__ = ["cross", "matrix_norm", "norm", "vector_norm"]

_Dim = int | Sequence[int] | None


def _need_float(op: str, x: Tensor) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"linalg.{op}(): argument 'input' must be Tensor, not {type(x).__name__}")
    if not x.is_floating_point():
        raise RuntimeError(
            f"linalg.{op}: Expected a floating point or complex tensor as input. Got "
            f"{str(x.dtype).rsplit('.', 1)[-1]}"
        )


def _wrap(d: int, n: int) -> int:
    if not -n <= d < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {d})"
        )
    return d % n


def vector_norm(
    x: Tensor,
    ord: float = 2,
    dim: _Dim = None,
    keepdim: bool = False,
    *,
    dtype: _core.dtype | None = None,
) -> Tensor:
    """The vector ``ord``-norm of x over dim (None: every element, as one vector): ``inf`` the
    largest absolute value, ``-inf`` the smallest, 0 the count of non-zeros, otherwise
    ``sum(|x|**ord)**(1/ord)``. dtype= converts x first."""
    _need_float("vector_norm", x)
    if dtype is not None:
        x = x.to(dtype)
    if isinstance(ord, bool) or not isinstance(ord, (int, float)):
        raise TypeError(f"linalg.vector_norm(): argument 'ord' must be a number, not {ord!r}")
    if dim is not None and not isinstance(dim, int):
        dim = tuple(dim)
        if not dim:
            dim = None
    if dim is None:
        if not keepdim or x.dim() == 0:
            x = x.reshape(-1)
            dim = 0 if keepdim else None
        else:
            dim = tuple(range(x.dim()))
    return _core.norm(x, p=float(ord), dim=dim, keepdim=keepdim)


def matrix_norm(
    A: Tensor,
    ord: float | str = "fro",
    dim: tuple[int, int] = (-2, -1),
    keepdim: bool = False,
    *,
    dtype: _core.dtype | None = None,
) -> Tensor:
    """The matrix norm of A over the two dims in dim: ``'fro'`` (Frobenius), ``inf``/``-inf``
    (largest/smallest absolute row sum), 1/-1 (largest/smallest absolute column sum). ``'nuc'``, 2
    and -2 need singular values and raise."""
    _need_float("matrix_norm", A)
    if A.dim() < 2:
        raise RuntimeError(
            "linalg.matrix_norm: The input tensor A must have at least 2 dimensions."
        )
    if dtype is not None:
        A = A.to(dtype)
    dims = tuple(dim)
    if len(dims) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {dims}")
    r, c = (_wrap(d, A.dim()) for d in dims)
    if r == c:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({r}, {c})")
    if ord == "fro":
        return _core.norm(A, p=2.0, dim=(r, c), keepdim=keepdim)
    if ord == "nuc" or ord in (2, -2):
        raise NotImplementedError(
            f"linalg.matrix_norm: ord={ord!r} needs singular values, and pyautograd has no SVD "
            "(supported: 'fro', inf, -inf, 1, -1)"
        )
    if ord in (math.inf, -math.inf, 1, -1):
        # inf/-inf: the rows' absolute sums (over the column dim), then the largest/smallest
        # over the row dim; 1/-1: the columns' sums, over the row dim
        sum_dim, pick_dim = (c, r) if ord in (math.inf, -math.inf) else (r, c)
        sums = A.abs().sum(sum_dim, keepdim=True)
        pick = amax if ord in (math.inf, 1) else amin
        out = pick(sums, pick_dim, keepdim=True)
        if not keepdim:
            out = out.squeeze(max(r, c)).squeeze(min(r, c))
        return out
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


def norm(
    A: Tensor,
    ord: float | str | None = None,
    dim: _Dim = None,
    keepdim: bool = False,
    *,
    dtype: _core.dtype | None = None,
) -> Tensor:
    """``torch.linalg.norm``: a vector norm (dim an int, or ord None and dim None: every
    element) or a matrix norm (dim a 2-tuple, or a 2-d A with ord given), as in PyTorch."""
    if not isinstance(A, Tensor):
        raise TypeError(f"linalg.norm(): argument 'input' must be Tensor, not {type(A).__name__}")
    if dim is not None:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        if ord is None:  # the 2-norm of the elements over dims (Frobenius for two dims)
            return vector_norm(A, 2, dims, keepdim, dtype=dtype)
        if len(dims) == 1:
            if isinstance(ord, str):
                raise RuntimeError(
                    f"linalg.norm: If dim is specified, it must be of length 2. Got {list(dims)}"
                )
            return vector_norm(A, ord, dims, keepdim, dtype=dtype)
        if len(dims) == 2:
            return matrix_norm(A, ord, dims, keepdim, dtype=dtype)
        raise RuntimeError(
            f"linalg.norm: If dim is specified, it mut be of length 1 or 2. Got {list(dims)}"
        )
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    if A.dim() == 1:
        if isinstance(ord, str):
            raise RuntimeError(f"linalg.vector_norm: Order {ord} not supported.")
        return vector_norm(A, ord, None, keepdim, dtype=dtype)
    if A.dim() == 2:
        return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
    raise RuntimeError(
        "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got "
        f"{A.dim()}D."
    )
