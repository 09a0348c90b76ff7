"""The singular value and QR decompositions by NumPy's LAPACK (float32 and float64, batched),
with PyTorch's gradients as autograd Functions, and what is composed of them: linalg.svd,
svdvals, qr, pinv, lstsq and the legacy torch.svd, qr, pinverse (and Tensor methods); also the
linalg functions composed of existing ops: matrix_exp, solve_triangular, matrix_power,
multi_dot, vecdot, diagonal, matmul, vander, inv_ex, cholesky_ex, solve_ex, tensorinv,
tensorsolve.

Signs: a singular vector (and a column of Q with its row of R) is defined up to sign; the
vectors are LAPACK's (gesdd, geqrf), as PyTorch's on the CPU, but another LAPACK build may
choose other signs. Gradients are PyTorch's formulas (svd_backward, linalg_qr_backward),
which are sign-independent for sign-independent losses.
"""

# mypy: disable-error-code="no-any-return"

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

import pyautograd as pa

from ._core import Tensor
from .autograd import Function, FunctionCtx


class svd_result(NamedTuple):
    """(U, S, Vh) of linalg.svd."""

    U: Tensor
    S: Tensor
    Vh: Tensor


class svd_legacy(NamedTuple):
    """(U, S, V) of torch.svd."""

    U: Tensor
    S: Tensor
    V: Tensor


class qr_result(NamedTuple):
    """(Q, R) of qr."""

    Q: Tensor
    R: Tensor


class lstsq_result(NamedTuple):
    """(solution, residuals, rank, singular_values) of linalg.lstsq."""

    solution: Tensor
    residuals: Tensor
    rank: Tensor
    singular_values: Tensor


class ex_result(NamedTuple):
    """(result, info) of the *_ex functions."""

    result: Tensor
    info: Tensor


class cholesky_ex_result(NamedTuple):
    """(L, info) of linalg.cholesky_ex."""

    L: Tensor
    info: Tensor


class inv_ex_result(NamedTuple):
    """(inverse, info) of linalg.inv_ex."""

    inverse: Tensor
    info: Tensor


def _mat(op: str, a: Any, name: str = "A") -> Tensor:
    if not isinstance(a, Tensor):
        raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(a).__name__}")
    if a.dim() < 2:
        raise RuntimeError(f"{op}: The input tensor {name} must have at least 2 dimensions.")
    if str(a.dtype).rsplit(".", 1)[-1] not in ("float32", "float64"):
        raise RuntimeError(
            f"{op}: Expected a floating point tensor as input. Got "
            f"{str(a.dtype).rsplit('.', 1)[-1]}"
        )
    return a


def _t(a: np.ndarray, like: Tensor) -> Tensor:
    return pa.from_numpy(np.array(a, dtype=like.detach().numpy().dtype, copy=True))


def _mT(t: Tensor) -> Tensor:
    return t.transpose(-2, -1)


def _finite(op: str, a: np.ndarray) -> None:
    if not np.isfinite(a).all():
        raise pa.linalg.LinAlgError(f"{op}: The algorithm failed to converge because the input "
                                    "matrix contained non-finite values.")  # fmt: skip


# ---- SVD -------------------------------------------------------------------------------------
def _svd_backward(
    U: Tensor, S: Tensor, Vh: Tensor, gU: Tensor | None, gS: Tensor | None, gVh: Tensor | None
) -> Tensor:
    """PyTorch's svd_backward (real, reduced)."""
    m, n, k = U.shape[-2], Vh.shape[-1], S.shape[-1]
    if gU is None and gVh is None:
        return U @ (gS.unsqueeze(-1) * Vh)  # type: ignore[union-attr]
    V = _mT(Vh)
    gV = _mT(gVh) if gVh is not None else None
    S2 = S * S
    E = S2.unsqueeze(-2) - S2.unsqueeze(-1)
    E = E + pa.eye(k, dtype=S.dtype)  # (its diagonal is 0: made 1)
    UhgU = VhgV = None
    if gU is not None:
        X = _mT(U) @ gU
        UhgU = X - _mT(X)
    if gV is not None:
        X = _mT(V) @ gV
        VhgV = X - _mT(X)
    if UhgU is not None and VhgV is not None:
        gA = (UhgU * S.unsqueeze(-2) + S.unsqueeze(-1) * VhgV) / E
    elif UhgU is not None:
        gA = UhgU / E * S.unsqueeze(-2)
    else:
        gA = S.unsqueeze(-1) * (VhgV / E)  # type: ignore[operator]
    if gS is not None:
        gA = gA + pa.diag_embed(gS)
    if m > k and gU is not None:
        gA = U @ gA
        gUSinv = gU / S.unsqueeze(-2)
        gA = gA + gUSinv - U @ (_mT(U) @ gUSinv)
        gA = gA @ Vh
    elif n > k and gV is not None:
        gA = gA @ Vh
        gVSinv = gV / S.unsqueeze(-2)
        gA = gA + _mT(gVSinv - V @ (_mT(V) @ gVSinv))
        gA = U @ gA
    else:
        gA = U @ (gA @ Vh)
    return gA


# A Python Function returns one tensor: the factors travel packed along one last dim
# (*batch, sum of their sizes) and are unpacked by views, whose gradients come back packed.
def _pack(arrs: Sequence[np.ndarray], like: Tensor) -> Tensor:
    batch = arrs[0].shape[: like.dim() - 2]
    flat = [a.reshape(*batch, -1) for a in arrs]
    return _t(np.concatenate(flat, axis=-1), like)


def _unpack(packed: Tensor, shapes: Sequence[tuple[int, ...]]) -> list[Tensor]:
    out, at = [], 0
    batch = tuple(packed.shape[:-1])
    for shp in shapes:
        n = math.prod(shp)
        out.append(packed[..., at : at + n].reshape(*batch, *shp))
        at += n
    return out


def _or_none(g: Tensor) -> Tensor | None:
    """A gradient part that is all zeros: that factor was not used (PyTorch's undefined)."""
    return g if bool(g.any().item()) else None


class _SVD(Function):
    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any) -> Any:
        a, full = args
        arr = a.detach().numpy()
        _finite("linalg.svd", arr)
        u, s, vh = np.linalg.svd(arr, full_matrices=full)
        ctx.shapes = [u.shape[-2:], s.shape[-1:], vh.shape[-2:]]
        packed = _pack([u, s, vh], a)
        ctx.save_for_backward(packed)
        ctx.full = full
        return packed

    @staticmethod
    def backward(ctx: FunctionCtx, *grads: Any) -> Any:
        (packed,) = ctx.saved_tensors
        U, S, Vh = _unpack(packed, ctx.shapes)
        gU, gS, gVh = (_or_none(g) for g in _unpack(grads[0], ctx.shapes))
        k = S.shape[-1]
        if ctx.full:  # (the extra columns are not unique: PyTorch's rule narrows to k)
            U, Vh = U[..., :k], Vh[..., :k, :]
            gU = None if gU is None else gU[..., :k]
            gVh = None if gVh is None else gVh[..., :k, :]
        return _svd_backward(U, S, Vh, gU, gS, gVh), None


def svd(A: Tensor, full_matrices: bool = True, *, driver: str | None = None) -> svd_result:
    """linalg.svd: A = U diag(S) Vh, S descending (full_matrices: U and Vh square).
    Differentiable (PyTorch's formula; full_matrices=True differentiates the first min(m, n)
    columns)."""
    a = _mat("linalg.svd", A)
    if driver is not None:
        raise RuntimeError(
            "linalg.svd: keyword argument `driver=` is only supported on CUDA inputs"
        )
    m, n = a.shape[-2], a.shape[-1]
    k = min(m, n)
    shapes = [(m, m if full_matrices else k), (k,), (n if full_matrices else k, n)]
    U, S, Vh = _unpack(_SVD.apply(a, bool(full_matrices)), shapes)
    return svd_result(U, S, Vh)


def svdvals(A: Tensor, *, driver: str | None = None) -> Tensor:
    """linalg.svdvals: the singular values, descending. Differentiable."""
    return svd(A, full_matrices=False, driver=driver).S


def svd_legacy_fn(input: Tensor, some: bool = True, compute_uv: bool = True) -> svd_legacy:
    """torch.svd (deprecated): (U, S, V) with input = U diag(S) Vᵀ; some=True the reduced
    factors; compute_uv=False gives zero U and V of shape (m, m) and (n, n)."""
    a = _mat("svd", input)
    if not compute_uv:
        S = svd(a, full_matrices=False).S
        m, n = a.shape[-2], a.shape[-1]
        z = pa.zeros(*a.shape[:-2], m, m, dtype=a.dtype)
        return svd_legacy(z, S, pa.zeros(*a.shape[:-2], n, n, dtype=a.dtype))
    U, S, Vh = svd(a, full_matrices=not some)
    return svd_legacy(U, S, _mT(Vh))


# ---- QR --------------------------------------------------------------------------------------
def _copyltu(M: Tensor) -> Tensor:
    low = M.tril(-1)
    return low + _mT(low) + pa.diag_embed(M.diagonal(0, -2, -1))


def _qr_backward_tall(Q: Tensor, R: Tensor, gQ: Tensor, gR: Tensor) -> Tensor:
    """m >= n, reduced: gA = [gQ + Q copyltu(M)] R^-T with M = R gRᵀ - gQᵀ Q."""
    M = R @ _mT(gR) - _mT(gQ) @ Q
    B = gQ + Q @ _copyltu(M)
    # B R^-T: solve R X^T = B^T  (R upper triangular)
    return _mT(pa.linalg.solve(R, _mT(B)))


class _QR(Function):
    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any) -> Any:
        a, mode = args
        arr = a.detach().numpy()
        _finite("linalg.qr", arr)
        if arr.shape[-2] == 0 or arr.shape[-1] == 0:
            m, n = arr.shape[-2], arr.shape[-1]
            k = m if mode == "complete" else min(m, n)
            q = np.broadcast_to(np.eye(m, k), (*arr.shape[:-2], m, k)).astype(arr.dtype)
            r = np.zeros((*arr.shape[:-2], k, n), arr.dtype)
        else:
            q, r = np.linalg.qr(arr, mode="complete" if mode == "complete" else "reduced")
        ctx.shapes = [q.shape[-2:], r.shape[-2:]]
        packed = _pack([q, r], a)
        ctx.save_for_backward(packed)
        ctx.mode = mode
        return packed

    @staticmethod
    def backward(ctx: FunctionCtx, *grads: Any) -> Any:
        (packed,) = ctx.saved_tensors
        Q, R = _unpack(packed, ctx.shapes)
        gQ, gR = (_or_none(g) for g in _unpack(grads[0], ctx.shapes))
        m, n = Q.shape[-2], R.shape[-1]
        if ctx.mode == "complete" and m > n and gQ is not None:
            raise RuntimeError(
                "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
                "Please use linalg.qr(A, mode='reduced') if you are going to differentiate "
                "through linalg.qr."
                if ctx.mode == "r"
                else "The QR decomposition is not differentiable when mode='complete' and "
                "nrows > ncols."
            )
        if gQ is None:
            gQ = pa.zeros_like(Q)
        if gR is None:
            gR = pa.zeros_like(R)
        if m >= n:
            return _qr_backward_tall(Q, R, gQ, gR), None
        # m < n: A = [X | Y], R = [U | V] with X = Q U (square), Y = Q V
        U, V = R[..., :, :m], R[..., :, m:]
        gU, gV = gR[..., :, :m], gR[..., :, m:]
        Y_grad = Q @ gV
        gQ2 = gQ + (Q @ V) @ _mT(gV)
        gX = _qr_backward_tall(Q, U, gQ2, gU)
        return pa.cat([gX, Y_grad], dim=-1), None


def qr(A: Tensor, mode: str = "reduced") -> qr_result:
    """linalg.qr: A = Q R, Q with orthonormal columns, R upper triangular. mode "reduced"
    (k = min(m, n) columns), "complete" (Q square) or "r" (R only; Q empty). Differentiable
    (PyTorch's formula; not for "complete" with m > n, nor "r")."""
    a = _mat("linalg.qr", A)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(
            f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), "
            "'r', or 'complete'"
        )
    m, n = a.shape[-2], a.shape[-1]
    k = m if mode == "complete" else min(m, n)
    Q, R = _unpack(_QR.apply(a, "complete" if mode == "complete" else "reduced"), [(m, k), (k, n)])
    if mode == "r":
        if R.requires_grad:  # PyTorch's: Q is not kept, so the derivative cannot be formed

            def refuse(g: Tensor) -> Tensor:
                raise RuntimeError(
                    "The derivative of linalg.qr depends on Q, which is not computed when "
                    "mode='r'. Please use linalg.qr(A, mode='reduced') if you are going to "
                    "differentiate through linalg.qr."
                )

            R.register_hook(refuse)
        return qr_result(pa.empty(0, dtype=a.dtype), R)
    return qr_result(Q, R)


def qr_legacy(input: Tensor, some: bool = True) -> qr_result:
    """torch.qr (deprecated, warns once as PyTorch): linalg.qr with mode "reduced" (some=True)
    or "complete"."""
    _warn_once(
        "qr",
        "torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a future "
        "PyTorch release.",
    )
    return qr(input, "reduced" if some else "complete")


_WARNED: set[str] = set()


def _warn_once(key: str, msg: str) -> None:
    if key not in _WARNED:
        _WARNED.add(key)
        warnings.warn(msg, UserWarning, stacklevel=4)


# ---- composed of the above -------------------------------------------------------------------
def _pinv_cut(S: Tensor, atol: Any, rtol: Any, default_rtol: float) -> Tensor:
    smax = S.detach().amax(-1, keepdim=True) if S.shape[-1] else S.detach().sum(-1, keepdim=True)
    a = 0.0 if atol is None else atol
    if isinstance(a, Tensor):
        a = a.unsqueeze(-1)
    if rtol is None:
        r = default_rtol if atol is None or (not isinstance(atol, Tensor) and atol == 0) else 0.0
    else:
        r = rtol
    if isinstance(r, Tensor):
        r = r.unsqueeze(-1)
    return pa.maximum(pa.as_tensor(a, dtype=S.dtype) + 0 * smax, r * smax)


def pinv(
    A: Tensor,
    *,
    atol: Any = None,
    rtol: Any = None,
    hermitian: bool = False,
    rcond: Any = None,
) -> Tensor:
    """linalg.pinv: the pseudo-inverse through the SVD, singular values at or below
    max(atol, rtol * largest) taken as zero (rtol default: eps * max(m, n) when atol is not
    given). Differentiable (PyTorch's pinv_backward)."""
    a = _mat("linalg.pinv", A)
    if rcond is not None:
        rtol = rcond
    with pa.no_grad():
        U, S, Vh = svd(a.detach(), full_matrices=False)
        eps = np.finfo(a.detach().numpy().dtype).eps
        cut = _pinv_cut(S, atol, rtol, eps * max(a.shape[-2], a.shape[-1]))
        keep = S > cut
        sinv = pa.where(keep, 1.0 / pa.where(keep, S, pa.ones_like(S)), pa.zeros_like(S))
        p = _mT(Vh) @ (sinv.unsqueeze(-1) * _mT(U))
    return _Pinv.apply(a, p)


class _Pinv(Function):
    """The pseudo-inverse (computed outside) with PyTorch's pinv_backward."""

    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any) -> Any:
        a, p = args
        ctx.save_for_backward(a, p)
        return p.detach().clone()

    @staticmethod
    def backward(ctx: FunctionCtx, *grads: Any) -> Any:
        A, P = ctx.saved_tensors
        g = grads[0]
        m, n = A.shape[-2], A.shape[-1]
        Ph, gh = _mT(P), _mT(g)
        if m <= n:
            K = gh @ P
            KPh = K @ Ph
            gA = -_mT(P @ K) + KPh - (A @ P) @ KPh + (Ph @ P) @ (gh - K @ A)
        else:
            K = P @ gh
            PhK = Ph @ K
            gA = -_mT(K @ P) + (gh - A @ K) @ P @ Ph + PhK - PhK @ P @ A
        return gA, None


def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:
    """torch.pinverse: linalg.pinv with singular values at or below rcond * largest dropped."""
    return pinv(input, rtol=rcond)


def lstsq(A: Tensor, B: Tensor, rcond: float | None = None, *, driver: str | None = None) -> Any:
    """linalg.lstsq: the least-squares solution X of A X = B (through the pseudo-inverse;
    differentiable). Returns (solution, residuals, rank, singular_values) as PyTorch's default
    driver "gelsy" on the CPU: empty residuals and singular values, the numerical rank."""
    a = _mat("linalg.lstsq", A)
    if not isinstance(B, Tensor):
        raise TypeError(f"linalg.lstsq(): argument 'B' must be Tensor, not {type(B).__name__}")
    if driver not in (None, "gelsy", "gelsd", "gelss", "gels"):
        raise RuntimeError(
            "torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, "
            f"gelss), got {driver}"
        )
    vec = B.dim() == a.dim() - 1
    b = B.unsqueeze(-1) if vec else B
    if b.shape[-2] != a.shape[-2]:
        raise RuntimeError(
            f"torch.linalg.lstsq: input.size(-2) should match other.size(-2), got {a.shape[-2]} "
            f"and {b.shape[-2]}"
        )
    eps = np.finfo(a.detach().numpy().dtype).eps
    rc = eps * max(a.shape[-2], a.shape[-1]) if rcond is None or rcond < 0 else rcond
    x = pinv(a, rtol=rc) @ b
    S = svd(a.detach(), full_matrices=False).S
    smax = S.amax(-1, keepdim=True) if S.shape[-1] else S.sum(-1, keepdim=True)
    rank = (S > rc * smax).sum(-1).to(pa.int64)
    d = driver or "gelsy"
    m, n = a.shape[-2], a.shape[-1]
    if d in ("gelsd", "gelss", "gels") and m > n and bool((rank == n).all().item()):
        resid = ((a @ x - b) ** 2).sum(-2)
    else:
        resid = pa.empty(0, dtype=a.dtype)
    sv = S if d in ("gelsd", "gelss") else pa.empty(0, dtype=a.dtype)
    if d == "gels":
        rank = pa.empty(0, dtype=pa.int64)
    return lstsq_result(x.squeeze(-1) if vec else x, resid, rank, sv)


def solve_triangular(
    A: Tensor, B: Tensor, *, upper: bool, left: bool = True, unitriangular: bool = False
) -> Tensor:
    """linalg.solve_triangular: X with A X = B (left) or X A = B, reading A's upper or lower
    triangle (its diagonal as ones when unitriangular). Differentiable."""
    a = _mat("linalg.solve_triangular", A)
    b = _mat("linalg.solve_triangular", B, "B")
    m = a.triu() if upper else a.tril()
    if unitriangular:
        m = m - pa.diag_embed(m.diagonal(0, -2, -1)) + pa.eye(a.shape[-1], dtype=a.dtype)
    if left:
        return pa.linalg.solve(m, b)
    return _mT(pa.linalg.solve(_mT(m), _mT(b)))


def matrix_power(A: Tensor, n: int) -> Tensor:
    """linalg.matrix_power: A to the integer power n (negative: of the inverse)."""
    return pa.matrix_power(A, n)


def multi_dot(tensors: Sequence[Tensor]) -> Tensor:
    """linalg.multi_dot: the product of the matrices (the first may be 1-d, a row vector; the
    last 1-d, a column vector), multiplied left to right. Differentiable."""
    ts = list(tensors)
    if len(ts) < 2:
        raise RuntimeError("multi_dot(): expected at least 2 tensors but got " + str(len(ts)))
    for i, t in enumerate(ts):
        if not isinstance(t, Tensor):
            raise TypeError(f"multi_dot(): tensor {i} is a {type(t).__name__}, not a Tensor")
        lim = 1 if i in (0, len(ts) - 1) else 2
        if t.dim() != 2 and not (t.dim() == 1 and lim == 1):
            raise RuntimeError(
                f"multi_dot(): tensor {i} must be 2D"
                + (" or 1D" if lim == 1 else "")
                + f" but got {t.dim()}D"
            )
    first_vec, last_vec = ts[0].dim() == 1, ts[-1].dim() == 1
    if first_vec:
        ts[0] = ts[0].unsqueeze(0)
    if last_vec:
        ts[-1] = ts[-1].unsqueeze(-1)
    out = ts[0]
    for t in ts[1:]:
        out = out @ t
    if first_vec:
        out = out.squeeze(0)
    if last_vec:
        out = out.squeeze(-1)
    return out


def vecdot(x: Tensor, y: Tensor, *, dim: int = -1) -> Tensor:
    """linalg.vecdot: the dot product of x and y along dim (broadcast). Differentiable."""
    if not isinstance(x, Tensor) or not isinstance(y, Tensor):
        raise TypeError("linalg.vecdot(): expected tensors")
    return (x * y).sum(dim)


def diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """linalg.diagonal: A.diagonal(offset, dim1, dim2) (the last two dims by default)."""
    return pa.diagonal(A, offset, dim1, dim2)


def vander(x: Tensor, *, N: int | None = None) -> Tensor:
    """linalg.vander: the Vandermonde matrix of x's last dim, powers 0 to N-1 increasing
    (N default: x.size(-1)). Differentiable."""
    if not isinstance(x, Tensor):
        raise TypeError(f"linalg.vander(): argument 'x' must be Tensor, not {type(x).__name__}")
    if x.dim() < 1:
        raise RuntimeError("linalg.vander: x must have at least one dimension.")
    n = x.shape[-1] if N is None else N
    if n <= 1:
        if n < 0:
            raise RuntimeError("N must be greater than 1.")
        return pa.ones(*x.shape, n, dtype=x.dtype)
    xs = x.unsqueeze(-1)
    cols = [pa.ones_like(xs)]
    for _ in range(n - 1):
        cols.append(cols[-1] * xs)
    return pa.cat(cols, dim=-1)


def _info(a: Tensor) -> Tensor:
    return pa.zeros(*a.shape[:-2], dtype=pa.int32)


def inv_ex(A: Tensor, *, check_errors: bool = False) -> inv_ex_result:
    """linalg.inv_ex: (inverse, info): info 0 (a singular matrix raises, as check_errors)."""
    return inv_ex_result(pa.linalg.inv(A), _info(A))


def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False) -> Any:
    """linalg.cholesky_ex: (L, info): info 0 where the factorization succeeded; without
    check_errors a matrix that is not positive-definite gives info > 0 (its first failing
    minor) and an unspecified L."""
    a = _mat("linalg.cholesky_ex", A)
    try:
        return cholesky_ex_result(pa.linalg.cholesky(a, upper=upper), _info(a))
    except RuntimeError:
        if check_errors or a.dim() != 2:
            raise
        arr = a.detach().numpy()
        n = arr.shape[-1]
        k = next(
            (i for i in range(1, n + 1) if not _posdef(arr[:i, :i])), n
        )  # the first minor that fails
        return cholesky_ex_result(pa.zeros_like(a), pa.tensor(k, dtype=pa.int32))


def _posdef(m: np.ndarray) -> bool:
    try:
        np.linalg.cholesky(m)
        return True
    except np.linalg.LinAlgError:
        return False


def solve_ex(A: Tensor, B: Tensor, *, left: bool = True, check_errors: bool = False) -> ex_result:
    """linalg.solve_ex: (result, info): info 0 (a singular matrix raises)."""
    if left:
        x = pa.linalg.solve(A, B)
    else:
        x = _mT(pa.linalg.solve(_mT(A), _mT(B)))
    return ex_result(x, _info(A))


def tensorinv(A: Tensor, ind: int = 2) -> Tensor:
    """linalg.tensorinv: the inverse of A seen as a matrix of its first ind dims by the rest
    (their products must be equal). Differentiable."""
    if not isinstance(A, Tensor):
        raise TypeError(f"linalg.tensorinv(): argument 'A' must be Tensor, not {type(A).__name__}")
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    rows, cols = A.shape[:ind], A.shape[ind:]
    pr, pc = math.prod(rows), math.prod(cols)
    if pr != pc:
        raise RuntimeError(
            f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
            f"prod(self.shape[:ind]), but got {pc} != {pr}"
        )
    return pa.linalg.inv(A.reshape(pr, pc)).reshape(*cols, *rows)


def tensorsolve(A: Tensor, B: Tensor, dims: Sequence[int] | None = None) -> Tensor:
    """linalg.tensorsolve: X with tensordot(A, X, X.ndim) = B. Differentiable."""
    if not isinstance(A, Tensor) or not isinstance(B, Tensor):
        raise TypeError("linalg.tensorsolve(): expected tensors")
    if dims is not None:
        nd = A.dim()
        dims = [d % nd for d in dims]
        order = [d for d in range(nd) if d not in dims] + list(dims)
        A = A.permute(*order)
    xshape = A.shape[B.dim() :]
    pr, pc = math.prod(A.shape[: B.dim()]), math.prod(xshape)
    if pr != pc:
        raise RuntimeError(
            "Expected self to satisfy the requirement prod(result_shape) == prod(other.shape), "
            f"but got {pc} != {pr}"
        )
    return pa.linalg.solve(A.reshape(pr, pc), B.reshape(pr)).reshape(*xshape)


# ---- symmetric eigendecomposition -------------------------------------------------------
class eigh_result(NamedTuple):
    """(eigenvalues, eigenvectors) of linalg.eigh."""

    eigenvalues: Tensor
    eigenvectors: Tensor


class _Eigh(Function):
    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any) -> Any:
        a, uplo = args
        arr = a.detach().numpy()
        _finite("linalg.eigh", arr)
        w, v = np.linalg.eigh(arr, UPLO=uplo)
        n = arr.shape[-1]
        ctx.shapes = [(n,), (n, n)]
        packed = _pack([w, v], a)
        ctx.save_for_backward(packed)
        return packed

    @staticmethod
    def backward(ctx: FunctionCtx, *grads: Any) -> Any:
        (packed,) = ctx.saved_tensors
        L, V = _unpack(packed, ctx.shapes)
        gL, gV = (_or_none(g) for g in _unpack(grads[0], ctx.shapes))
        n = L.shape[-1]
        if gV is None:  # PyTorch's linalg_eig_backward, hermitian
            if gL is None:
                return pa.zeros(*V.shape, dtype=V.dtype), None
            return (V * gL.unsqueeze(-2)) @ _mT(V), None
        VhgV = _mT(V) @ gV
        VhgV = 0.5 * (VhgV - _mT(VhgV))
        E = L.unsqueeze(-2) - L.unsqueeze(-1) + pa.eye(n, dtype=L.dtype)
        ret = VhgV / E
        eye = pa.eye(n, dtype=L.dtype)
        ret = ret * (1 - eye)
        if gL is not None:
            ret = ret + pa.diag_embed(gL)
        return V @ ret @ _mT(V), None


def _square(op: str, A: Any) -> Tensor:
    a = _mat(op, A)
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeError(
            f"{op}: A must be batches of square matrices, but they are {a.shape[-2]} by "
            f"{a.shape[-1]} matrices"
        )
    return a


def eigh(A: Tensor, UPLO: str = "L") -> eigh_result:
    """linalg.eigh: the eigenvalues (ascending) and orthonormal eigenvectors of symmetric
    matrices, reading the lower (UPLO="L") or upper triangle. Differentiable (PyTorch's
    formula; an eigenvector's sign is LAPACK's choice)."""
    a = _square("linalg.eigh", A)
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    n = a.shape[-1]
    L, V = _unpack(_Eigh.apply(a, UPLO), [(n,), (n, n)])
    return eigh_result(L, V)


def eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:
    """linalg.eigvalsh: the eigenvalues (ascending) of symmetric matrices. Differentiable."""
    return eigh(A, UPLO).eigenvalues


def cond(A: Tensor, p: Any = None) -> Tensor:
    """linalg.cond: the condition number of A in the norm p (None or 2: the ratio of the
    extreme singular values; -2 its inverse; "fro", "nuc", inf, -inf, 1, -1: norm(A) *
    norm(inv(A)) of square matrices). Differentiable."""
    a = _mat("linalg.cond", A)
    if p is None or p in (2, -2):
        S = svdvals(a)
        r = S[..., 0] / S[..., -1]
        return 1.0 / r if p == -2 else r
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"linalg.cond(ord={p}): A must be batches of square matrices")
    inv = pa.linalg.inv(a)
    if p == "nuc":
        return svdvals(a).sum(-1) * svdvals(inv).sum(-1)
    return pa.linalg.matrix_norm(a, p) * pa.linalg.matrix_norm(inv, p)


LINALG: dict[str, Any] = {
    "eigh": eigh,
    "eigvalsh": eigvalsh,
    "cond": cond,
    "svd": svd,
    "svdvals": svdvals,
    "qr": qr,
    "pinv": pinv,
    "lstsq": lstsq,
    "solve_triangular": solve_triangular,
    "matrix_power": matrix_power,
    "multi_dot": multi_dot,
    "vecdot": vecdot,
    "diagonal": diagonal,
    "vander": vander,
    "inv_ex": inv_ex,
    "cholesky_ex": cholesky_ex,
    "solve_ex": solve_ex,
    "tensorinv": tensorinv,
    "tensorsolve": tensorsolve,
}

TOP: dict[str, Any] = {"svd": svd_legacy_fn, "qr": qr_legacy, "pinverse": pinverse}


def install(cls: type[Tensor], module: dict[str, Any], linalg: Any) -> None:
    """The linalg functions above, torch.svd/qr/pinverse and the Tensor methods."""
    from ._api_gaps2 import matrix_exp
    from ._functions_extra import _typed

    table = dict(LINALG, matrix_exp=matrix_exp, matmul=pa.matmul)
    for name, fn in table.items():
        if not hasattr(linalg, name):
            setattr(linalg, name, _typed(f"linalg.{name}", fn))
    for name, fn in TOP.items():
        if name not in module:
            module[name] = _typed(name, fn)
        if not hasattr(cls, name):
            setattr(cls, name, _typed(name, fn))
