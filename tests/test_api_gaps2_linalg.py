"""SVD, QR and what is composed of them (pyautograd/_linalg_np2.py): linalg.svd/svdvals/qr/pinv/
lstsq, torch.svd/qr/pinverse, and the composed linalg functions (solve_triangular, multi_dot,
vecdot, vander, matrix_exp, *_ex, tensorinv/tensorsolve). Values and gradients against PyTorch
(float64) through losses that do not depend on the factors' signs, and against finite
differences."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from test_api_gaps2 import compare, needs_torch, raises_like

import pyautograd as pa

try:
    import torch
except ImportError:  # pragma: no cover - the oracle is optional
    torch = None

R = np.random.default_rng(7)

SHAPES = [(4, 3), (3, 4), (3, 3), (2, 5, 3), (2, 3, 5)]


def _w(L: Any, *shape: int) -> Any:
    """A fixed weighting (the same in both libraries)."""
    return L.tensor(np.cos(np.arange(int(np.prod(shape)), dtype=np.float64)).reshape(shape))


def _sign_free_svd(L: Any, U: Any, S: Any, Vh: Any) -> tuple[Any, ...]:
    """Functions of the factors that do not depend on the singular vectors' signs."""
    UUt = U @ U.transpose(-2, -1) * 1.0
    VVt = Vh.transpose(-2, -1) @ Vh * 1.0
    rec = (U * S.unsqueeze(-2)) @ Vh
    proj = (U * U) @ S.unsqueeze(-1)  # |U|^2 weighted by S
    return S * 1.0, UUt, VVt, rec, proj


@needs_torch
@pytest.mark.parametrize("shape", SHAPES)
def test_linalg_svd(shape: tuple[int, ...]) -> None:
    a = R.standard_normal(shape)
    compare(lambda L, x: _sign_free_svd(L, *L.linalg.svd(x, full_matrices=False)), a, rtol=1e-9,
            atol=1e-10)  # fmt: skip
    compare(lambda L, x: L.linalg.svdvals(x), a, rtol=1e-10)
    # full matrices: orthogonal factors of the full size, values as PyTorch's
    tU, tS, tVh = torch.linalg.svd(torch.tensor(a))
    pU, pS, pVh = pa.linalg.svd(pa.tensor(a))
    assert tuple(tU.shape) == tuple(pU.shape) and tuple(tVh.shape) == tuple(pVh.shape)
    np.testing.assert_allclose(pS.numpy(), tS.numpy(), rtol=1e-12)
    eye = np.eye(shape[-2])
    np.testing.assert_allclose((pU @ pU.mT).numpy(), np.broadcast_to(eye, pU.shape), atol=1e-12)


@needs_torch
@pytest.mark.parametrize("some", [True, False])
def test_torch_svd_legacy(some: bool) -> None:
    a = R.standard_normal((4, 3))
    t, p = torch.svd(torch.tensor(a), some=some), pa.svd(pa.tensor(a), some=some)
    for x, y in zip(t, p, strict=True):
        assert tuple(x.shape) == tuple(y.shape)
    np.testing.assert_allclose(p.S.numpy(), t.S.numpy(), rtol=1e-12)
    rec = (p.U[:, :3] * p.S) @ p.V[:, :3].T
    np.testing.assert_allclose(rec.numpy(), a, atol=1e-12)
    compare(lambda L, x: _sign_free_svd(L, *(lambda r: (r.U, r.S, r.V.mT))(x.svd())), a,
            rtol=1e-9, atol=1e-10)  # fmt: skip
    t, p = torch.svd(torch.tensor(a), compute_uv=False), pa.svd(pa.tensor(a), compute_uv=False)
    for x, y in zip(t, p, strict=True):
        np.testing.assert_allclose(y.numpy(), x.numpy(), rtol=1e-12)


def _sign_free_qr(Q: Any, Rm: Any) -> tuple[Any, ...]:
    sign = Rm.diagonal(0, -2, -1).sign().unsqueeze(-2)
    k = min(Q.shape[-1], Rm.shape[-2])
    return Q[..., :k] * sign[..., :k], Rm[..., :k, :] * sign[..., :k].transpose(-2, -1)


@needs_torch
@pytest.mark.parametrize("shape", SHAPES)
def test_linalg_qr(shape: tuple[int, ...]) -> None:
    a = R.standard_normal(shape)
    compare(lambda L, x: _sign_free_qr(*L.linalg.qr(x)), a, rtol=1e-9, atol=1e-10)
    compare(lambda L, x: _sign_free_qr(*x.qr()), a, rtol=1e-9, atol=1e-10)
    for mode in ("complete", "r"):
        tq, tr = torch.linalg.qr(torch.tensor(a), mode=mode)
        pq, pr = pa.linalg.qr(pa.tensor(a), mode=mode)
        assert tuple(tq.shape) == tuple(pq.shape) and tuple(tr.shape) == tuple(pr.shape)
        np.testing.assert_allclose(np.abs(pr.numpy()), np.abs(tr.numpy()), atol=1e-12)
    raises_like(lambda L: L.linalg.qr(L.zeros(3, 3), mode="bogus"))
    p = pa.tensor(a, requires_grad=True)
    with pytest.raises(RuntimeError, match="mode='r'"):
        pa.linalg.qr(p, mode="r").R.sum().backward()


@needs_torch
@pytest.mark.parametrize("shape", [(4, 3), (3, 4), (2, 3, 3)])
def test_pinv_pinverse_lstsq(shape: tuple[int, ...]) -> None:
    a = R.standard_normal(shape)
    compare(lambda L, x: L.linalg.pinv(x), a, rtol=1e-9, atol=1e-10)
    compare(lambda L, x: L.pinverse(x), a, rtol=1e-9, atol=1e-10)
    compare(lambda L, x: x.pinverse(), a, rtol=1e-9, atol=1e-10)
    # a rank-deficient matrix: the small singular value is cut
    d = R.standard_normal((4, 2)) @ R.standard_normal((2, 3))
    compare(lambda L, x: L.linalg.pinv(x), d, rtol=1e-8, atol=1e-9, grad=False)
    compare(lambda L, x: L.linalg.pinv(x, rtol=0.5), a, rtol=1e-9, atol=1e-10, fd=False)
    if shape[-2] >= shape[-1]:
        b = R.standard_normal((*shape[:-1], 2))
        compare(lambda L, x, y: L.linalg.lstsq(x, y).solution, a, b, rtol=1e-9, atol=1e-10)
        for driver in ("gelsy", "gelsd", "gelss"):
            t = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), driver=driver)
            p = pa.linalg.lstsq(pa.tensor(a), pa.tensor(b), driver=driver)
            for x, y in zip(t, p, strict=True):
                assert tuple(x.shape) == tuple(y.shape), (driver, x.shape, y.shape)
                assert str(x.dtype) == str(y.dtype)
                np.testing.assert_allclose(y.numpy(), x.numpy(), rtol=1e-9, atol=1e-10)


@needs_torch
@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("unitriangular", [True, False])
def test_solve_triangular(upper: bool, left: bool, unitriangular: bool) -> None:
    a = R.standard_normal((2, 3, 3)) + 3 * np.eye(3)
    b = R.standard_normal((2, 3, 4) if left else (2, 4, 3))
    compare(
        lambda L, x, y: L.linalg.solve_triangular(
            x, y, upper=upper, left=left, unitriangular=unitriangular
        ),
        a, b, rtol=1e-9, atol=1e-10, fd=False,
    )  # fmt: skip
    tri = (lambda m: m.triu()) if upper else (lambda m: m.tril())
    ai, bi = pa.tensor(a, requires_grad=True), pa.tensor(b, requires_grad=True)
    f = pa.linalg.solve_triangular
    assert pa.autograd.gradcheck(
        lambda x, y: f(tri(x), y, upper=upper, left=left, unitriangular=unitriangular), [ai, bi]
    )


@needs_torch
def test_composed_linalg() -> None:
    a, b, c = R.standard_normal((3, 4)), R.standard_normal((4, 2)), R.standard_normal((2, 5))
    compare(lambda L, x, y, z: L.linalg.multi_dot([x, y, z]), a, b, c)
    compare(lambda L, x, y: L.linalg.multi_dot([x[0], y]), a, b)
    compare(lambda L, x, y: L.linalg.multi_dot([x, y[:, 0]]), a, b)
    compare(lambda L, x, y: L.linalg.vecdot(x, y), a, a[::-1].copy())
    compare(lambda L, x, y: L.linalg.vecdot(x, y, dim=0), a, a[::-1].copy())
    compare(lambda L, x: L.linalg.vander(x), R.standard_normal(4))
    compare(lambda L, x: L.linalg.vander(x, N=3), R.standard_normal((2, 4)))
    compare(lambda L, x: L.linalg.diagonal(x, offset=1), R.standard_normal((2, 3, 4)))
    m = R.standard_normal((3, 3))
    compare(lambda L, x: L.linalg.matrix_exp(x), m, rtol=1e-11, atol=1e-11)
    compare(lambda L, x: L.linalg.matrix_power(x, 3), m)
    compare(lambda L, x: L.linalg.matrix_power(x, -2), m + 3 * np.eye(3), rtol=1e-9)
    spd = m @ m.T + 3 * np.eye(3)
    compare(lambda L, x: L.linalg.inv_ex(x), spd, rtol=1e-9, atol=1e-12)
    # (cholesky reads one triangle: its symmetrised gradient is not a finite difference)
    compare(lambda L, x: L.linalg.cholesky_ex(x), spd, rtol=1e-9, atol=1e-12, fd=False)
    compare(lambda L, x, y: L.linalg.solve_ex(x, y), spd, b[:3], rtol=1e-9, atol=1e-12)
    t = torch.linalg.cholesky_ex(torch.tensor(-spd))
    p = pa.linalg.cholesky_ex(pa.tensor(-spd))
    assert int(t.info) == int(p.info) > 0
    with pytest.raises(RuntimeError):
        pa.linalg.cholesky_ex(pa.tensor(-spd), check_errors=True)
    t4 = R.standard_normal((4, 6, 8, 3)) + 0.0
    t4 = t4.reshape(24, 24) + 5 * np.eye(24)
    t4 = t4.reshape(4, 6, 8, 3)
    compare(lambda L, x: L.linalg.tensorinv(x, ind=2), t4, rtol=1e-8, atol=1e-10, fd=False)
    bb = R.standard_normal((4, 6))
    compare(lambda L, x, y: L.linalg.tensorsolve(x, y), t4, bb, rtol=1e-8, atol=1e-10, fd=False)
    raises_like(lambda L: L.linalg.multi_dot([L.zeros(2, 2)]))
    raises_like(lambda L: L.linalg.tensorinv(L.zeros(2, 3), ind=1))


def _sym(*shape: int) -> np.ndarray:
    m = R.standard_normal(shape)
    return m + np.swapaxes(m, -1, -2)


@needs_torch
@pytest.mark.parametrize("uplo", ["L", "U"])
def test_eigh(uplo: str) -> None:
    a = _sym(2, 4, 4)

    def fn(L: Any, x: Any) -> Any:
        w, v = L.linalg.eigh(x, UPLO=uplo)
        # sign-free: the eigenvalues, the projectors v v^T, |v|^2
        return w * 1.0, v @ L.diag_embed(w * w) @ v.mT, v * v

    # (eigh reads one triangle: its symmetrised gradient is compared with PyTorch's, and
    # finite differences run through a symmetric input below)
    compare(fn, a, rtol=1e-9, atol=1e-10, fd=False)
    compare(lambda L, x: L.linalg.eigvalsh(x, UPLO=uplo), a, rtol=1e-10, atol=1e-12, fd=False)
    xi = pa.tensor(a[0], requires_grad=True)
    assert pa.autograd.gradcheck(lambda x: fn(pa, (x + x.mT) / 2), [xi])
    raises_like(lambda L: L.linalg.eigh(L.zeros(2, 3)))
    raises_like(lambda L: L.linalg.eigh(L.zeros(2, 2), UPLO="X"))


@needs_torch
@pytest.mark.parametrize("p", [None, 2, -2, "fro", "nuc", float("inf"), float("-inf"), 1, -1])
def test_cond(p: Any) -> None:
    a = R.standard_normal((2, 4, 4)) + 3 * np.eye(4)
    # (PyTorch 2.13's cond with a matrix norm cannot be differentiated: its inverse is changed
    # in place; pyautograd's can, checked by finite differences)
    svd_based = p in (None, 2, -2)
    compare(lambda L, x: L.linalg.cond(x, p), a, rtol=1e-9, atol=1e-10, grad=svd_based)
    if not svd_based:
        xi = pa.tensor(a, requires_grad=True)
        smooth = p in ("fro", "nuc")
        if smooth:
            assert pa.autograd.gradcheck(lambda x: pa.linalg.cond(x, p), [xi])
