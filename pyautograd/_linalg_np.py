"""Dense linear algebra computed by NumPy's LAPACK (float32 and float64, batched over leading
dimensions), with PyTorch's gradients as autograd Functions: linalg.inv, det, slogdet, logdet,
solve, cholesky and matrix_rank (no gradient), and their torch.* and Tensor forms (inverse, det,
logdet, slogdet, cholesky). Python Functions: pyautograd.compile refuses to capture them.
"""

# The functions call the package's own (typed Any through sys.modules) to compose.
# mypy: disable-error-code="no-any-return"

from __future__ import annotations

import sys
from typing import Any, NamedTuple

import numpy as np

from ._core import Tensor
from ._functions_extra import _typed
from .autograd import Function, FunctionCtx, once_differentiable


class LinAlgError(RuntimeError):
    """A matrix the factorization cannot handle (singular, not positive-definite), as
    torch.linalg.LinAlgError."""


class slogdet_result(NamedTuple):
    """(sign, logabsdet) of slogdet."""

    sign: Tensor
    logabsdet: Tensor


def _pa() -> Any:
    return sys.modules[__package__]


def _square(op: str, a: Any) -> Tensor:
    if not isinstance(a, Tensor):
        raise TypeError(f"{op}(): argument 'A' must be Tensor, not {type(a).__name__}")
    if a.dim() < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions.")
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeError(
            f"{op}: A must be batches of square matrices, but they are {a.shape[-2]} by "
            f"{a.shape[-1]} matrices"
        )
    if str(a.dtype).split(".")[-1] not in ("float32", "float64"):
        raise RuntimeError(
            f"{op}: Expected a floating point tensor as input. Got {str(a.dtype).split('.')[-1]}"
        )
    return a


def _arr(t: Tensor) -> np.ndarray:
    return t.detach().numpy()


def _t(a: Any, like: Tensor) -> Tensor:
    """A new tensor of like's dtype owning a copy of the array (no Python list in between)."""
    return _pa().from_numpy(np.array(a, dtype=_arr(like).dtype, copy=True))


def _named(out: Tensor, name: str) -> Tensor:
    """out shown with PyTorch's backward node name (the Function's own stays underneath)."""
    return _pa()._core._show_grad_fn_as(out, name) if out.grad_fn is not None else out


def _mT(t: Tensor) -> Tensor:
    return t.transpose(-2, -1)


def _inv_np(op: str, a: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.inv(a)
    except np.linalg.LinAlgError:
        raise LinAlgError(
            f"{op}: The diagonal element 1 is zero, the inversion could not be completed "
            "because the input matrix is singular."
        ) from None


class _Inv(Function):
    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any) -> Tensor:
        (a,) = args
        out = _t(_inv_np("linalg.inv", _arr(a)), a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: FunctionCtx, *grads: Tensor) -> Any:
        (inv,) = ctx.saved_tensors
        assert inv is not None
        inv_t = _mT(inv)
        return -(inv_t.matmul(grads[0]).matmul(inv_t))


def inv(A: Tensor) -> Tensor:
    """The inverse of each square matrix (LinAlgError when singular)."""
    a = _square("linalg.inv", A)
    return _named(_Inv.apply(a), "LinalgInvExBackward0")


def _adjugate(a: np.ndarray) -> np.ndarray:
    """adj(A) through the SVD, defined for singular matrices too."""
    u, s, vt = np.linalg.svd(a)
    n = s.shape[-1]
    prods = np.stack(
        [np.prod(np.delete(s, i, axis=-1), axis=-1) for i in range(n)], axis=-1
    ) if n > 1 else np.ones_like(s)  # fmt: skip
    sign = np.linalg.det(u) * np.linalg.det(vt)
    return sign[..., None, None] * np.matmul(np.swapaxes(vt, -1, -2) * prods[..., None, :],
                                             np.swapaxes(u, -1, -2))  # fmt: skip


class _Det(Function):
    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any) -> Tensor:
        (a,) = args
        ctx.save_for_backward(a)
        return _t(np.linalg.det(_arr(a)), a)

    @staticmethod
    @once_differentiable  # NumPy inside
    def backward(ctx: FunctionCtx, *grads: Tensor) -> Any:
        (a,) = ctx.saved_tensors
        assert a is not None
        adj_t = _t(np.swapaxes(_adjugate(_arr(a)), -1, -2), a)
        return grads[0].unsqueeze(-1).unsqueeze(-1) * adj_t


def det(A: Tensor) -> Tensor:
    """The determinant of each square matrix."""
    return _named(_Det.apply(_square("linalg.det", A)), "LinalgDetBackward0")


class _LogAbsDet(Function):
    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any) -> Tensor:
        (a,) = args
        ctx.save_for_backward(a)
        _, logabs = np.linalg.slogdet(_arr(a))
        return _t(logabs, a)

    @staticmethod
    @once_differentiable  # NumPy inside
    def backward(ctx: FunctionCtx, *grads: Tensor) -> Any:
        (a,) = ctx.saved_tensors
        assert a is not None
        with np.errstate(all="ignore"):
            try:
                inv_t = np.swapaxes(np.linalg.inv(_arr(a)), -1, -2)
            except np.linalg.LinAlgError:
                inv_t = np.full(_arr(a).shape, np.nan)
        return grads[0].unsqueeze(-1).unsqueeze(-1) * _t(inv_t, a)


def slogdet(A: Tensor) -> slogdet_result:
    """(sign, log |det|) of each square matrix (sign 0 and -inf when singular)."""
    a = _square("linalg.slogdet", A)
    sign, _ = np.linalg.slogdet(_arr(a))
    return slogdet_result(_t(sign, a), _named(_LogAbsDet.apply(a), "LinalgSlogdetBackward0"))


def logdet(A: Tensor) -> Tensor:
    """log det(A): NaN when the determinant is negative, -inf when it is 0."""
    a = _square("logdet", A)
    sign = _t(np.linalg.slogdet(_arr(a))[0], a)
    logabs = _LogAbsDet.apply(a)
    nan = _pa().full((), float("nan"), dtype=a.dtype)
    return _pa().where(sign < 0, nan, logabs)


class _Solve(Function):
    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any) -> Tensor:
        a, b = args
        try:
            x = np.linalg.solve(_arr(a), _arr(b))
        except np.linalg.LinAlgError:
            raise LinAlgError(
                "torch.linalg.solve: The solver failed because the input matrix is singular."
            ) from None
        out = _t(x, a)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    @once_differentiable  # NumPy inside
    def backward(ctx: FunctionCtx, *grads: Tensor) -> Any:
        a, x = ctx.saved_tensors
        assert a is not None and x is not None
        g = grads[0]
        gb = _t(np.linalg.solve(np.swapaxes(_arr(a), -1, -2), _arr(g)), a)
        ga = -gb.matmul(_mT(x))
        return ga, gb


def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:
    """X with A X = B (X A = B when not left); B a vector (or a batch of them) or matrices."""
    a = _square("linalg.solve", A)
    if not isinstance(B, Tensor):
        raise TypeError(f"linalg.solve(): argument 'B' must be Tensor, not {type(B).__name__}")
    if B.dtype != a.dtype:
        raise RuntimeError(
            "linalg.solve: Expected A and B to have the same dtype, but found A of type "
            f"{str(a.dtype).split('.')[-1]} and B of type {str(B.dtype).split('.')[-1]} instead"
        )
    if not left:
        return _mT(solve(_mT(a), _mT(B)))
    vector = B.dim() == 1 or (B.dim() == a.dim() - 1 and list(B.shape) == list(a.shape[:-1]))
    b = B.unsqueeze(-1) if vector else B
    if b.shape[-2] != a.shape[-1]:
        raise RuntimeError(
            f"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
            f"({a.shape[-2]}x{a.shape[-1]} and {b.shape[-2]}x{b.shape[-1]})"
        )
    batch = list(_pa().broadcast_shapes(tuple(a.shape[:-2]), tuple(b.shape[:-2])))
    ae = a.expand(*batch, *a.shape[-2:]) if list(a.shape[:-2]) != batch else a
    be = b.expand(*batch, *b.shape[-2:]) if list(b.shape[:-2]) != batch else b
    x = _named(_Solve.apply(ae, be), "LinalgSolveExBackward0")
    return x.squeeze(-1) if vector else x


class _Cholesky(Function):
    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any) -> Tensor:
        (a,) = args
        try:
            low = np.linalg.cholesky(_arr(a))
        except np.linalg.LinAlgError:
            raise LinAlgError(
                "linalg.cholesky: The factorization could not be completed because the input "
                "is not positive-definite."
            ) from None
        out = _t(low, a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    @once_differentiable  # NumPy inside
    def backward(ctx: FunctionCtx, *grads: Tensor) -> Any:
        (low,) = ctx.saved_tensors
        assert low is not None
        # PyTorch's cholesky_backward (Murray 2016): L^-H Phi(L^H gL) L^-1
        ga = _mT(low).matmul(grads[0]).tril()
        ga = 0.5 * (ga + _mT(ga.tril(-1)))
        linv = _t(np.linalg.inv(_arr(low)), low)
        return _mT(linv).matmul(ga).matmul(linv)


def cholesky(A: Tensor, *, upper: bool = False) -> Tensor:
    """The Cholesky factor of each symmetric positive-definite matrix (lower, or upper)."""
    low = _named(_Cholesky.apply(_square("linalg.cholesky", A)), "LinalgCholeskyExBackward0")
    return _mT(low) if upper else low


def matrix_rank(
    A: Tensor, *, atol: Any = None, rtol: Any = None, hermitian: bool = False
) -> Tensor:
    """The number of singular values above max(atol, rtol * the largest) (rtol defaults to
    eps * max(m, n) when neither is given). Not differentiable."""
    if not isinstance(A, Tensor) or A.dim() < 2:
        raise RuntimeError(
            "linalg.matrix_rank: The input tensor A must have at least 2 dimensions."
        )
    a = _arr(A)
    s = np.linalg.svd(a, compute_uv=False)
    big = s.max(axis=-1, initial=0.0)
    eps = np.finfo(a.dtype).eps
    r = rtol if rtol is not None else (eps * max(a.shape[-2:]) if atol is None else 0.0)
    tol = np.maximum(atol if atol is not None else 0.0, r * big)
    return _pa().tensor(np.asarray((s > np.asarray(tol)[..., None]).sum(-1)).tolist())


def install(cls: type[Tensor], module: dict[str, Any], linalg: Any) -> None:
    """torch.linalg.{inv, det, slogdet, solve, cholesky, matrix_rank, LinAlgError}, torch.{inverse,
    det, logdet, slogdet, cholesky} and the Tensor methods of the same names."""
    for name, fn in (("inv", inv), ("det", det), ("slogdet", slogdet), ("solve", solve),
                     ("cholesky", cholesky), ("matrix_rank", matrix_rank),
                     ("LinAlgError", LinAlgError)):  # fmt: skip
        setattr(linalg, name, fn)
        if hasattr(linalg, "__all__") and name not in linalg.__all__:
            linalg.__all__.append(name)

    def cholesky_legacy(input: Tensor, upper: bool = False) -> Tensor:
        """torch.cholesky: the Cholesky factor (lower, or upper)."""
        return cholesky(input, upper=upper)

    cholesky_legacy.__name__ = "cholesky"

    legacy: tuple[tuple[str, Any], ...] = (
        ("inverse", inv),
        ("det", det),
        ("logdet", logdet),
        ("slogdet", slogdet),
        ("cholesky", cholesky_legacy),
    )
    for name, fn in legacy:
        module.setdefault(name, fn)
        if not hasattr(cls, name):
            setattr(cls, name, _typed(name, fn))
