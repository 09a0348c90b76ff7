"""More of the second gap list: the LU family (linalg.lu_factor/lu_factor_ex/lu/lu_solve,
torch.lu/lu_unpack/lu_solve: partial pivoting as LAPACK's getrf, with PyTorch's gradient for
square matrices), the regularised incomplete gamma functions (igamma/igammac, special.gammainc/
gammaincc: Cephes, as PyTorch; differentiable in x), the in-place random fill log_normal_
(cauchy_ and geometric_ are _multinomial's), poisson/binomial sampling, unsafe_chunk/
unsafe_split, fill, is_inference, share_memory_/is_shared, and settings programs set and read back
(interop threads, warn_always, deterministic debug mode).
"""

# mypy: disable-error-code="no-any-return"

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

import pyautograd as pa

from ._core import Tensor
from .autograd import Function, FunctionCtx


def _need(x: Any, op: str, arg: str = "input") -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument '{arg}' must be Tensor, not {type(x).__name__}")


def _mT(t: Tensor) -> Tensor:
    return t.transpose(-2, -1)


# ---- LU ----------------------------------------------------------------------------------------
class lu_factor_result(NamedTuple):
    """(LU, pivots) of linalg.lu_factor."""

    LU: Tensor
    pivots: Tensor


class lu_factor_ex_result(NamedTuple):
    """(LU, pivots, info) of linalg.lu_factor_ex."""

    LU: Tensor
    pivots: Tensor
    info: Tensor


class lu_result(NamedTuple):
    """(P, L, U) of linalg.lu and lu_unpack."""

    P: Tensor
    L: Tensor
    U: Tensor


def _lu_np(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row-pivoted LU (LAPACK getrf's choice: the largest magnitude, the first of ties):
    (packed LU, 1-based int32 pivots, info)."""
    m, n = a.shape[-2], a.shape[-1]
    k = min(m, n)
    batch = a.shape[:-2]
    A = np.array(a, dtype=a.dtype, copy=True).reshape(-1, m, n)
    B = A.shape[0]
    piv = np.zeros((B, k), np.int32)
    info = np.zeros(B, np.int32)
    rows = np.arange(B)
    for j in range(k):
        p = j + np.argmax(np.abs(A[:, j:, j]), axis=1)
        piv[:, j] = p + 1
        rj = A[rows, j, :].copy()
        A[rows, j, :] = A[rows, p, :]
        A[rows, p, :] = rj
        d = A[:, j, j]
        zero = d == 0
        info = np.where(zero & (info == 0), j + 1, info).astype(np.int32)
        if j + 1 < m:
            f = A[:, j + 1 :, j] / np.where(zero, 1, d)[:, None]
            f = np.where(zero[:, None], A[:, j + 1 :, j], f)
            A[:, j + 1 :, j] = f
            upd = np.where(zero[:, None, None], 0, f[:, :, None] * A[:, j, None, j + 1 :])
            A[:, j + 1 :, j + 1 :] -= upd
    return A.reshape(a.shape), piv.reshape(*batch, k), info.reshape(batch)


def _perm(piv: np.ndarray, m: int) -> np.ndarray:
    """The row order (..., m) the pivots make: row i of L U is row perm[i] of A."""
    batch = piv.shape[:-1]
    p = np.broadcast_to(np.arange(m), (*batch, m)).reshape(-1, m).copy()
    pv = piv.reshape(-1, piv.shape[-1]) - 1
    rows = np.arange(p.shape[0])
    for j in range(pv.shape[1]):
        t = p[rows, j].copy()
        p[rows, j] = p[rows, pv[:, j]]
        p[rows, pv[:, j]] = t
    return p.reshape(*batch, m)


def _P(piv: np.ndarray, m: int, dtype: Any) -> Tensor:
    perm = _perm(piv, m)
    P = np.zeros((*perm.shape, m))
    np.put_along_axis(P, perm[..., :, None], 1.0, axis=-1)  # P^T[i, perm[i]] = 1
    return pa.from_numpy(np.ascontiguousarray(np.swapaxes(P, -1, -2))).to(dtype)


def _pack_lu(lu: np.ndarray, piv: np.ndarray, info: np.ndarray, a: Tensor) -> Tensor:
    """The three outputs along one last dim (a Python Function returns one tensor)."""
    batch = lu.shape[:-2]
    parts = [lu.reshape(*batch, -1), piv.reshape(*batch, -1), info.reshape(*batch, 1)]
    return pa.from_numpy(np.concatenate([p.astype(lu.dtype) for p in parts], axis=-1))


class _LUFactor(Function):
    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any) -> Any:
        (a,) = args
        arr = a.detach().numpy()
        lu, piv, info = _lu_np(arr)
        ctx.piv = piv
        out = _pack_lu(lu, piv, info, a)
        ctx.save_for_backward(out)
        ctx.mn = (arr.shape[-2], arr.shape[-1])
        return out

    @staticmethod
    def backward(ctx: FunctionCtx, *grads: Any) -> Any:
        (out,) = ctx.saved_tensors
        m, n = ctx.mn
        if m != n:
            raise RuntimeError(
                "linalg.lu_factor: the derivative is implemented for square matrices only"
            )
        LU = out[..., : m * n].reshape(*out.shape[:-1], m, n)
        gLU = grads[0][..., : m * n].reshape(*out.shape[:-1], m, n)
        L = LU.tril(-1) + pa.eye(m, dtype=LU.dtype)
        U = LU.triu()
        gL, gU = gLU.tril(-1), gLU.triu()
        P = _P(ctx.piv, m, LU.dtype)
        phi = (_mT(L) @ gL).tril(-1) + (gU @ _mT(U)).triu()
        # gA = P L^-T phi U^-T
        x = pa.linalg.solve(_mT(L), phi)
        x = _mT(pa.linalg.solve(U, _mT(x)))
        return P @ x


def _factor(op: str, A: Any, pivot: bool) -> tuple[Tensor, Tensor, Tensor]:
    _need(A, op, "A")
    if A.dim() < 2:
        raise RuntimeError(f"{op}: Expected tensor with 2 or more dimensions. Got size: "
                           f"{list(A.shape)} instead")  # fmt: skip
    if str(A.dtype).rsplit(".", 1)[-1] not in ("float32", "float64"):
        raise RuntimeError(
            f"{op}: Expected a floating point tensor as input. Got "
            f"{str(A.dtype).rsplit('.', 1)[-1]}"
        )
    if not pivot:
        raise RuntimeError(f"{op}: LU without pivoting is not implemented on the CPU")
    m, n = A.shape[-2], A.shape[-1]
    k = min(m, n)
    packed = _LUFactor.apply(A)
    batch = tuple(A.shape[:-2])
    LU = packed[..., : m * n].reshape(*batch, m, n)
    piv = packed[..., m * n : m * n + k].detach().to(pa.int32)
    info = packed[..., m * n + k].detach().to(pa.int32)
    return LU, piv, info


def lu_factor(A: Tensor, *, pivot: bool = True) -> lu_factor_result:
    """linalg.lu_factor: the packed LU factorisation with partial pivoting (LU, 1-based int32
    pivots); a singular matrix raises. Differentiable (square matrices)."""
    LU, piv, info = _factor("linalg.lu_factor", A, pivot)
    if bool((info > 0).any().item()):
        raise pa.linalg.LinAlgError(
            "torch.linalg.lu_factor: U[{0},{0}] is zero and using it on lu_solve would result "
            "in a division by zero. If you still want to perform the factorization, consider "
            "calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)".format(
                int(info.max().item())
            )
        )
    return lu_factor_result(LU, piv)


def lu_factor_ex(
    A: Tensor, *, pivot: bool = True, check_errors: bool = False
) -> lu_factor_ex_result:
    """linalg.lu_factor_ex: (LU, pivots, info), info > 0 where U has a zero on its diagonal
    (the first such index, 1-based)."""
    LU, piv, info = _factor("linalg.lu_factor_ex", A, pivot)
    if check_errors and bool((info > 0).any().item()):
        raise pa.linalg.LinAlgError("torch.linalg.lu_factor_ex: the factorization could not be "
                                    "completed because the input is singular")  # fmt: skip
    return lu_factor_ex_result(LU, piv, info)


def lu_unpack(
    LU_data: Tensor, LU_pivots: Tensor, unpack_data: bool = True, unpack_pivots: bool = True
) -> lu_result:
    """torch.lu_unpack: (P, L, U) from the packed factorisation, A = P L U; L and U are
    differentiable in LU_data. Empty tensors for what is not unpacked."""
    _need(LU_data, "lu_unpack", "LU_data")
    _need(LU_pivots, "lu_unpack", "LU_pivots")
    if LU_data.dim() < 2:
        raise RuntimeError("torch.lu_unpack: LU_data must have at least 2 dimensions")
    if LU_pivots.dtype not in (pa.int32, pa.int64):
        raise RuntimeError(
            "torch.lu_unpack: LU_pivots is expected to be a contiguous tensor of torch.int32 "
            f"dtype. Note: this function is intended to be used with the output produced by "
            f"torch.linalg.lu_factor. Got {LU_pivots.dtype}"
        )
    m, n = LU_data.shape[-2], LU_data.shape[-1]
    k = min(m, n)
    if tuple(LU_pivots.shape) != (*LU_data.shape[:-2], k):
        raise RuntimeError(
            f"torch.lu_unpack: Expected LU_pivots of shape {[*LU_data.shape[:-2], k]}, got "
            f"{list(LU_pivots.shape)}"
        )
    empty = pa.empty(0, dtype=LU_data.dtype)
    if unpack_data:
        L = LU_data[..., :, :k].tril(-1) + pa.eye(m, k, dtype=LU_data.dtype)
        U = LU_data[..., :k, :].triu()
    else:
        L = U = empty
    if unpack_pivots:
        piv = LU_pivots.detach().numpy()
        if piv.size and (piv.min() < 1 or piv.max() > m):
            raise RuntimeError(
                f"torch.lu_unpack: pivots must be between 1 and {m} (LU_data.size(-2))"
            )
        P = _P(piv, m, LU_data.dtype)
    else:
        P = empty
    return lu_result(P, L, U)


def lu(A: Tensor, *, pivot: bool = True) -> lu_result:
    """linalg.lu: (P, L, U) with A = P L U (L unit lower, U upper). Differentiable (square)."""
    LU, piv, _info = _factor("linalg.lu", A, pivot)
    return lu_unpack(LU, piv)


def lu_legacy(A: Tensor, pivot: bool = True, get_infos: bool = False) -> Any:
    """torch.lu (deprecated): (A_LU, pivots) or, with get_infos, (A_LU, pivots, infos)."""
    LU, piv, info = _factor("lu", A, pivot)
    return (LU, piv, info) if get_infos else (LU, piv)


def linalg_lu_solve(
    LU: Tensor, pivots: Tensor, B: Tensor, *, left: bool = True, adjoint: bool = False
) -> Tensor:
    """linalg.lu_solve: X with A X = B (left) or X A = B, A (or its transpose when adjoint)
    given by its LU factorisation. Differentiable in LU and B."""
    _need(B, "linalg.lu_solve", "B")
    P, L, U = lu_unpack(LU, pivots)
    n = LU.shape[-1]
    if LU.shape[-2] != n:
        raise RuntimeError("linalg.lu_solve: Expected LU to be square")
    if (B.shape[-2] if left else B.shape[-1]) != n:
        raise RuntimeError(
            f"linalg.lu_solve: Incompatible shapes of A and B for the equation "
            f"{'AX = B' if left else 'XA = B'} ({n}x{n} and {B.shape[-2]}x{B.shape[-1]})"
        )
    solve = pa.linalg.solve
    if left and not adjoint:  # P L U X = B
        return solve(U, solve(L, _mT(P) @ B))
    if left:  # Uᵀ Lᵀ Pᵀ X = B
        return P @ solve(_mT(L), solve(_mT(U), B))
    if not adjoint:  # X P L U = B  <=>  Uᵀ Lᵀ Pᵀ Xᵀ = Bᵀ
        return _mT(P @ solve(_mT(L), solve(_mT(U), _mT(B))))
    # X (P L U)ᵀ = B  <=>  P L U Xᵀ = Bᵀ
    return _mT(solve(U, solve(L, _mT(P) @ _mT(B))))


def lu_solve_legacy(b: Tensor, LU_data: Tensor, LU_pivots: Tensor) -> Tensor:
    """torch.lu_solve (deprecated, warns once as PyTorch): linalg.lu_solve(LU_data, LU_pivots,
    b)."""
    from ._linalg_np2 import _warn_once

    _warn_once(
        "lu_solve",
        "torch.lu_solve is deprecated in favor of torch.linalg.lu_solveand will be removed in "
        "a future PyTorch release.",
    )
    return linalg_lu_solve(LU_data, LU_pivots, b)


# ---- incomplete gamma ----------------------------------------------------------------------
_MACHEP = 1.11022302462515654042e-16
_BIG = 4.503599627370496e15
_BIGINV = 2.22044604925031308085e-16


def _igam1(a: float, x: float) -> float:
    if math.isnan(a) or math.isnan(x) or a < 0 or x < 0:
        return math.nan
    if a == 0:
        return 1.0 if x > 0 else math.nan
    if x == 0:
        return 0.0
    if math.isinf(a):
        return math.nan if math.isinf(x) else 0.0
    if math.isinf(x):
        return 1.0
    if x > 1.0 and x > a:
        return 1.0 - _igamc1(a, x)
    ax = a * math.log(x) - x - math.lgamma(a)
    if ax < -709.78271289338399:
        return 0.0
    ax = math.exp(ax)
    r, c, ans = a, 1.0, 1.0
    while True:
        r += 1.0
        c *= x / r
        ans += c
        if c / ans <= _MACHEP:
            break
    return ans * ax / a


def _igamc1(a: float, x: float) -> float:
    if math.isnan(a) or math.isnan(x) or a < 0 or x < 0:
        return math.nan
    if a == 0:
        return 0.0 if x > 0 else math.nan
    if x == 0:
        return 1.0
    if math.isinf(a):
        return math.nan if math.isinf(x) else 1.0
    if math.isinf(x):
        return 0.0
    if x < 1.0 or x < a:
        return 1.0 - _igam1(a, x)
    ax = a * math.log(x) - x - math.lgamma(a)
    if ax < -709.78271289338399:
        return 0.0
    ax = math.exp(ax)
    y = 1.0 - a
    z = x + y + 1.0
    c = 0.0
    pkm2, qkm2, pkm1, qkm1 = 1.0, x, x + 1.0, z * x
    ans = pkm1 / qkm1
    while True:
        c += 1.0
        y += 1.0
        z += 2.0
        yc = y * c
        pk = pkm1 * z - pkm2 * yc
        qk = qkm1 * z - qkm2 * yc
        if qk != 0:
            r = pk / qk
            t = abs((ans - r) / r)
            ans = r
        else:
            t = 1.0
        pkm2, pkm1, qkm2, qkm1 = pkm1, pk, qkm1, qk
        if abs(pk) > _BIG:
            pkm2 *= _BIGINV
            pkm1 *= _BIGINV
            qkm2 *= _BIGINV
            qkm1 *= _BIGINV
        if t <= _MACHEP:
            break
    return ans * ax


_IGAM = np.frompyfunc(_igam1, 2, 1)
_IGAMC = np.frompyfunc(_igamc1, 2, 1)


def _igamma_fn() -> Any:
    class IncompleteGamma(Function):
        @staticmethod
        def forward(ctx: FunctionCtx, *args: Any) -> Any:
            a, x, upper = args
            ctx.save_for_backward(a, x)
            ctx.upper = upper
            f = _IGAMC if upper else _IGAM
            r = f(a.detach().numpy().astype(np.float64), x.detach().numpy().astype(np.float64))
            return pa.from_numpy(np.ascontiguousarray(np.asarray(r, np.float64))).to(a.dtype)

        @staticmethod
        def backward(ctx: FunctionCtx, *grads: Any) -> Any:
            a, x = ctx.saved_tensors
            g = grads[0]
            name = "igammac" if ctx.upper else "igamma"
            if ctx.needs_input_grad[0]:
                raise RuntimeError(f"derivative for aten::{name} is not implemented")
            d = pa.exp((a - 1) * pa.log(x) - x - pa.lgamma(a))
            gx = g * (-d if ctx.upper else d)
            return None, gx.sum_to_size(*x.shape), None

    return IncompleteGamma


_IG: list[Any] = []


def _incomplete(op: str, input: Any, other: Any, upper: bool) -> Tensor:
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        raise TypeError(f"{op}(): arguments 'input' and 'other' must be tensors")
    dt = pa.result_type(input, other)
    if not dt.is_floating_point:
        raise RuntimeError(f"\"{op}_cpu\" not implemented for '{str(dt).rsplit('.', 1)[-1]}'")
    a, x = pa.broadcast_tensors(input.to(dt), other.to(dt))
    if not _IG:
        _IG.append(_igamma_fn())
    return _IG[0].apply(a, x, upper)


def igamma(input: Tensor, other: Tensor) -> Tensor:
    """The regularised lower incomplete gamma function P(input, other) (Cephes, as PyTorch).
    Differentiable in other (PyTorch has no derivative in input either)."""
    return _incomplete("igamma", input, other, False)


def igammac(input: Tensor, other: Tensor) -> Tensor:
    """The regularised upper incomplete gamma function Q(input, other) = 1 - P (Cephes, as
    PyTorch). Differentiable in other."""
    return _incomplete("igammac", input, other, True)


def _igamma_(self: Tensor, other: Tensor) -> Tensor:
    """In place: igamma."""
    return self.copy_(igamma(self, other))


def _igammac_(self: Tensor, other: Tensor) -> Tensor:
    """In place: igammac."""
    return self.copy_(igammac(self, other))


# ---- random fills and sampling ---------------------------------------------------------------
def _float_inplace(self: Tensor, op: str) -> None:
    _need(self, op, "self")
    if not self.is_floating_point():
        raise RuntimeError(f"\"{op}\" not implemented for '{str(self.dtype).rsplit('.', 1)[-1]}'")


def _log_normal_(
    self: Tensor, mean: float = 1.0, std: float = 2.0, *, generator: Any = None
) -> Tensor:
    """In place: samples of exp(N(mean, std²)) (std > 0)."""
    _float_inplace(self, "log_normal_")
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std}")
    with pa.no_grad():
        n = pa.empty(self.shape, dtype=pa.float64).normal_(mean, std, generator=generator)
        self.copy_(pa.exp(n))
    return self


def _np_rng(generator: Any) -> np.random.Generator:
    seed = pa.randint(0, 2**62, (2,), generator=generator).tolist()
    return np.random.default_rng(seed)


def poisson(input: Tensor, generator: Any = None) -> Tensor:
    """Samples of the Poisson distribution of rate input (elementwise; not differentiable).
    Draws follow pyautograd's generator (not PyTorch's stream)."""
    _need(input, "poisson")
    if not input.is_floating_point():
        raise RuntimeError(
            f"\"poisson_cpu\" not implemented for '{str(input.dtype).rsplit('.', 1)[-1]}'"
        )
    lam = input.detach().numpy().astype(np.float64)
    if (lam < 0).any() or np.isnan(lam).any():
        raise RuntimeError("[poisson] invalid Poisson rate, expected rate to be non-negative")
    r = _np_rng(generator).poisson(lam).astype(np.float64)
    return pa.from_numpy(np.ascontiguousarray(r)).to(input.dtype)


def binomial(count: Tensor, prob: Tensor, generator: Any = None) -> Tensor:
    """Samples of the binomial distribution (count trials of probability prob; not
    differentiable). Draws follow pyautograd's generator (not PyTorch's stream)."""
    _need(count, "binomial", "count")
    _need(prob, "binomial", "prob")
    if not count.is_floating_point() or not prob.is_floating_point():
        raise RuntimeError('"binomial_cpu" not implemented for integer tensors')
    n = count.detach().numpy().astype(np.float64)
    p = prob.detach().numpy().astype(np.float64)
    n, p = np.broadcast_arrays(n, p)
    if (p < 0).any() or (p > 1).any() or (n < 0).any():
        raise RuntimeError("[binomial] expected 0 <= prob <= 1 and count >= 0")
    r = _np_rng(generator).binomial(n.astype(np.int64), p).astype(np.float64)
    return pa.from_numpy(np.ascontiguousarray(r)).to(count.dtype)


# ---- small things ----------------------------------------------------------------------------
def unsafe_chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """chunk (PyTorch's unsafe form skips a check this library does not make)."""
    return tuple(pa.chunk(input, chunks, dim))


def unsafe_split(input: Tensor, split_size: int, dim: int = 0) -> tuple[Tensor, ...]:
    """split (PyTorch's unsafe form skips a check this library does not make)."""
    return tuple(pa.split(input, split_size, dim))


def unsafe_split_with_sizes(
    input: Tensor, split_sizes: Sequence[int], dim: int = 0
) -> tuple[Tensor, ...]:
    """split_with_sizes (unsafe: as split_with_sizes here)."""
    return tuple(pa.split(input, list(split_sizes), dim))


def fill(input: Tensor, value: Any) -> Tensor:
    """A new tensor of input's shape and dtype filled with value (out of place fill_;
    differentiable in a tensor value)."""
    _need(input, "fill")
    if isinstance(value, Tensor):
        if value.dim() != 0:
            raise RuntimeError(
                "fill only supports 0-dimension value tensor but got tensor with "
                f"{value.dim()} dimensions."
            )
        return value.to(input.dtype).expand(*input.shape).clone()
    return pa.full(input.shape, value, dtype=input.dtype)


def is_inference(input: Tensor) -> bool:
    """False: pyautograd has no inference tensors."""
    _need(input, "is_inference")
    return False


def _share_memory_(self: Tensor) -> Tensor:
    """Marks the tensor shared (its memory already is, between threads; processes get copies
    through pickling). Returns self."""
    self._pyag_shared = True  # type: ignore[attr-defined]
    return self


def _is_shared(self: Tensor) -> bool:
    """Whether share_memory_() was called on this tensor."""
    return bool(getattr(self, "_pyag_shared", False))


_SETTINGS: dict[str, Any] = {"interop": 1, "warn_always": False}


def set_num_interop_threads(n: int) -> None:
    """Records the inter-op thread count (ops here run one at a time)."""
    if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
        raise RuntimeError("Expected positive number of threads")
    _SETTINGS["interop"] = n


def get_num_interop_threads() -> int:
    """The value given to set_num_interop_threads (1 by default)."""
    return _SETTINGS["interop"]


def init_num_threads() -> None:
    """Nothing to initialise: the thread pool starts on first use."""


def set_warn_always(b: bool) -> None:
    """Records whether warnings PyTorch gives once should always be given."""
    _SETTINGS["warn_always"] = bool(b)
    if b:
        from . import _linalg_np2

        _linalg_np2._WARNED.clear()


def is_warn_always_enabled() -> bool:
    """The value given to set_warn_always."""
    return _SETTINGS["warn_always"]


def set_deterministic_debug_mode(debug_mode: str | int) -> None:
    """0 / "default", 1 / "warn", 2 / "error": use_deterministic_algorithms off, on with
    warn_only, on."""
    modes = {"default": 0, "warn": 1, "error": 2}
    if isinstance(debug_mode, str):
        if debug_mode not in modes:
            raise RuntimeError(
                f"invalid value of debug_mode, expected one of `default`, `warn`, `error`, but "
                f"got {debug_mode}"
            )
        debug_mode = modes[debug_mode]
    if isinstance(debug_mode, bool) or not isinstance(debug_mode, int):
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode).__name__}")
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(
            f"invalid value of debug_mode, expected 0, 1, or 2, but got {debug_mode}"
        )
    pa.use_deterministic_algorithms(debug_mode > 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode() -> int:
    """0, 1 or 2 as set_deterministic_debug_mode (read from use_deterministic_algorithms)."""
    if not pa.are_deterministic_algorithms_enabled():
        return 0
    return 1 if pa.is_deterministic_algorithms_warn_only_enabled() else 2


FUNCTIONS: dict[str, Any] = {
    "lu": lu_legacy,
    "lu_unpack": lu_unpack,
    "lu_solve": lu_solve_legacy,
    "igamma": igamma,
    "igammac": igammac,
    "poisson": poisson,
    "binomial": binomial,
    "unsafe_chunk": unsafe_chunk,
    "unsafe_split": unsafe_split,
    "unsafe_split_with_sizes": unsafe_split_with_sizes,
    "fill": fill,
    "is_inference": is_inference,
    "set_num_interop_threads": set_num_interop_threads,
    "get_num_interop_threads": get_num_interop_threads,
    "init_num_threads": init_num_threads,
    "set_warn_always": set_warn_always,
    "is_warn_always_enabled": is_warn_always_enabled,
    "set_deterministic_debug_mode": set_deterministic_debug_mode,
    "get_deterministic_debug_mode": get_deterministic_debug_mode,
}

LINALG: dict[str, Any] = {
    "lu_factor": lu_factor,
    "lu_factor_ex": lu_factor_ex,
    "lu": lu,
    "lu_solve": linalg_lu_solve,
}


def install(cls: type[Tensor], module: dict[str, Any], linalg: Any, special: Any) -> None:
    """Adds the functions (what exists stays), linalg's LU family, special.gammainc/gammaincc
    and the Tensor methods."""
    from ._functions_extra import _typed

    for name, fn in FUNCTIONS.items():
        if name not in module:
            module[name] = _typed(name, fn)
    for name, fn in LINALG.items():
        if not hasattr(linalg, name):
            setattr(linalg, name, _typed(f"linalg.{name}", fn))
    for name, fn in SPECIAL.items():
        if not hasattr(special, name):
            setattr(special, name, _typed(f"special.{name}", fn))
    for name, fn in (("gammainc", igamma), ("gammaincc", igammac)):
        if not hasattr(special, name):
            setattr(special, name, _typed(f"special.{name}", fn))
    methods: dict[str, Any] = {
        "lu": lambda self, pivot=True, get_infos=False: lu_legacy(self, pivot, get_infos),
        "lu_solve": lambda self, LU_data, LU_pivots: lu_solve_legacy(self, LU_data, LU_pivots),
        "igamma": igamma,
        "igammac": igammac,
        "igamma_": _igamma_,
        "igammac_": _igammac_,
        "log_normal_": _log_normal_,
        "unsafe_chunk": unsafe_chunk,
        "unsafe_split": unsafe_split,
        "unsafe_split_with_sizes": unsafe_split_with_sizes,
        "share_memory_": _share_memory_,
        "is_shared": _is_shared,
    }
    methods["lu"].__doc__ = lu_legacy.__doc__
    methods["lu_solve"].__doc__ = "torch.lu_solve(self, LU_data, LU_pivots)."
    for name, fn in methods.items():
        if not hasattr(cls, name):
            setattr(cls, name, _typed(name, fn))


# ---- orthogonal polynomials of torch.special (PyTorch's recurrences; no derivative) -----------
def _recurrence(n: int, p1: float, step: Any, ks: Any) -> float:
    """P_n of a three-term recurrence from P_0 = 1 and P_1 = p1: for each k of ks the next value
    is step(k, P_prev, P_cur) (n >= 0; the loop runs n - 1 times)."""
    if n == 0:
        return 1.0
    if n == 1:
        return p1
    p, q = 1.0, p1
    for k in ks:
        p, q = q, step(k, p, q)
    return q


def _cheb_t(x: float, n: int) -> float:
    if n < 0:
        return 0.0
    if abs(x) == 1.0:
        return 1.0 if x > 0 or n % 2 == 0 else -1.0
    if n > 6 and abs(x) < 1.0:
        return math.cos(n * math.acos(x))
    return _recurrence(n, x, lambda k, p, q: (x + x) * q - p, range(2, n + 1))


def _cheb_u(x: float, n: int) -> float:
    if n < 0:
        return 0.0
    if abs(x) == 1.0:
        return float(n + 1) if x > 0 or n % 2 == 0 else -float(n + 1)
    if n > 8 and abs(x) < 1.0:
        t = math.acos(x)
        if math.sin(t) != 0:
            return math.sin((n + 1) * t) / math.sin(t)
        return (n + 1) * math.cos((n + 1) * t) * x
    return _recurrence(n, x + x, lambda k, p, q: (x + x) * q - p, range(2, n + 1))


def _cheb_v(x: float, n: int) -> float:
    if n < 0:
        return 0.0
    if abs(x) == 1.0:
        if x > 0:
            return 1.0
        return float(n + n + 1) if n % 2 == 0 else -float(n + n + 1)
    if n > 8 and abs(x) < 1.0:
        t = math.acos(x)
        if math.sin(t / 2) != 1.0:
            return math.cos((n + 0.5) * t) / math.cos(t / 2)
        return float(n + n + 1) if n % 2 == 0 else -float(n + n + 1)
    return _recurrence(n, x + x - 1.0, lambda k, p, q: (x + x) * q - p, range(2, n + 1))


def _cheb_w(x: float, n: int) -> float:
    if n < 0:
        return 0.0
    if abs(x) == 1.0:
        if x > 0:
            return float(n + n + 1)
        return 1.0 if n % 2 == 0 else -1.0
    if n > 8 and abs(x) < 1.0:
        t = math.acos(x)
        if math.cos(t / 2) != 1.0:
            return math.sin((n + 0.5) * t) / math.sin(t / 2)
        if x > 0:
            return float(n + n + 1)
        return 1.0 if n % 2 == 0 else -1.0
    return _recurrence(n, x + x + 1.0, lambda k, p, q: (x + x) * q - p, range(2, n + 1))


def _hermite_h(x: float, n: int) -> float:
    if n < 0:
        return 0.0
    return _recurrence(n, x + x, lambda k, p, q: (x + x) * q - k * p, range(2, n + n, 2))


def _hermite_he(x: float, n: int) -> float:
    if n < 0:
        return 0.0
    return _recurrence(n, x, lambda k, p, q: x * q - k * p, range(1, n))


def _laguerre_l(x: float, n: int) -> float:
    if n < 0:
        return 0.0
    if abs(x) == 0.0:
        return 1.0
    return _recurrence(
        n, 1.0 - x, lambda k, p, q: (((k + k) + (1.0 - x)) * q - k * p) / (k + 1), range(1, n)
    )


def _legendre_p(x: float, n: int) -> float:
    if n < 0:
        return 0.0
    if abs(x) == 1.0:
        return 1.0 if x > 0 or n == 0 or n % 2 == 0 else -1.0
    return _recurrence(n, x, lambda k, p, q: ((k + k + 1) * x * q - k * p) / (k + 1), range(1, n))


def _shifted(f: Any) -> Any:
    """PyTorch's shifted forms evaluate the polynomial at 2x - 1 with their own special cases at
    x = 1 and x = 0, which agree with the unshifted ones at 2x - 1 = 1 and -1."""

    def g(x: float, n: int) -> float:
        return f(x + x - 1.0, n)

    return g


_POLYS: dict[str, Any] = {
    "chebyshev_polynomial_t": _cheb_t,
    "chebyshev_polynomial_u": _cheb_u,
    "chebyshev_polynomial_v": _cheb_v,
    "chebyshev_polynomial_w": _cheb_w,
    "shifted_chebyshev_polynomial_t": _shifted(_cheb_t),
    "shifted_chebyshev_polynomial_u": _shifted(_cheb_u),
    "shifted_chebyshev_polynomial_v": _shifted(_cheb_v),
    "shifted_chebyshev_polynomial_w": _shifted(_cheb_w),
    "hermite_polynomial_h": _hermite_h,
    "hermite_polynomial_he": _hermite_he,
    "laguerre_polynomial_l": _laguerre_l,
    "legendre_polynomial_p": _legendre_p,
}


def _poly(name: str) -> Any:
    scalar = _POLYS[name]

    def fn(input: Any, n: Any, *, out: Any = None) -> Tensor:
        if out is not None:
            raise TypeError(f"[special.{name}] out= is not supported")
        if not isinstance(input, Tensor) and not isinstance(n, Tensor):
            raise TypeError(f"special.{name}(): expected a tensor argument")
        for v, nm in ((input, "input"), (n, "n")):
            if not isinstance(v, (Tensor, int, float)) or isinstance(v, bool):
                raise TypeError(
                    f"special.{name}(): argument '{nm}' must be a Tensor or a number, not "
                    f"{type(v).__name__}"
                )
        dt = pa.result_type(input, n)
        if dt == pa.bool:
            raise RuntimeError(f"\"{name}_cpu\" not implemented for 'Bool'")
        xv = input.detach().numpy() if isinstance(input, Tensor) else np.asarray(input)
        nv = n.detach().numpy() if isinstance(n, Tensor) else np.asarray(n)
        xv, nv = np.broadcast_arrays(xv.astype(np.float64), nv.astype(np.float64))
        out_np = np.empty(xv.shape)
        fx, fn_, fo = xv.reshape(-1), nv.reshape(-1), out_np.reshape(-1)
        for i in range(fx.size):
            ni = fn_[i]
            fo[i] = (
                math.nan if math.isnan(ni) or math.isnan(fx[i]) else scalar(float(fx[i]), int(ni))
            )
        r = pa.from_numpy(np.ascontiguousarray(out_np)).to(dt)
        from ._api_gaps import _attach

        return _attach(r, [input, n], name, "none")

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (
        f"torch.special.{name}(input, n): the polynomial of degree n (cast to an integer; "
        "negative: 0) at input, by PyTorch's recurrence and special cases. It requires grad when "
        "input does and has no derivative, as PyTorch's."
    )
    return fn


SPECIAL: dict[str, Any] = {name: _poly(name) for name in _POLYS}
