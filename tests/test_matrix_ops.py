"""Matrix helpers against PyTorch 2.13: eye, tril/triu (and in place), diag, diagonal (a view),
diag_embed, trace, mv and einsum (any number of operands, repeated subscripts, '...',
implicit output), with gradients against PyTorch and float64 finite differences."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import pyautograd as pa

torch = pytest.importorskip("torch")

from grad_helpers import check_grads, make  # noqa: E402


def _np(t: Any) -> np.ndarray:
    return np.asarray(t.detach().numpy())


def _same(got: Any, want: Any, rtol: float = 0.0) -> None:
    assert str(got.dtype).rsplit(".", 1)[-1] == str(want.dtype).rsplit(".", 1)[-1]
    assert tuple(got.shape) == tuple(want.shape)
    if rtol:
        np.testing.assert_allclose(_np(got), want.detach().numpy(), rtol=rtol, atol=1e-12)
    else:
        np.testing.assert_array_equal(_np(got), want.detach().numpy())


def _pair(arr: np.ndarray) -> tuple[Any, Any]:
    return pa.tensor(arr), torch.tensor(arr)


RNG = np.random.default_rng(0)


@pytest.mark.parametrize("n,m", [(3, None), (2, 4), (4, 2), (0, 3), (1, 1)])
def test_eye(n: int, m: int | None) -> None:
    _same(pa.eye(n, m), torch.eye(n, m) if m is not None else torch.eye(n))
    _same(pa.eye(n, m, dtype=pa.int32), torch.eye(n, m if m is not None else n, dtype=torch.int32))
    assert pa.eye(2, requires_grad=True).requires_grad


@pytest.mark.parametrize("k", [-2, -1, 0, 1, 3])
@pytest.mark.parametrize("shape", [(3, 4), (4, 3), (2, 3, 3), (0, 2)])
def test_tril_triu(shape: tuple[int, ...], k: int) -> None:
    a, t = _pair(RNG.standard_normal(shape))
    for name in ("tril", "triu"):
        _same(getattr(pa, name)(a, k), getattr(torch, name)(t, k))
        _same(getattr(a, name)(diagonal=k), getattr(t, name)(diagonal=k))
        _same(
            getattr(pa, name)(a.transpose(-1, -2), k), getattr(torch, name)(t.transpose(-1, -2), k)
        )
        b, u = a.clone(), t.clone()
        assert getattr(b, name + "_")(k) is b
        getattr(u, name + "_")(k)
        _same(b, u)
    ia, it = _pair(np.arange(12).reshape(3, 4))
    _same(pa.tril(ia, k), torch.tril(it, k))
    with pytest.raises(RuntimeError, match="tril"):
        pa.tril(pa.ones(3))


@pytest.mark.parametrize("offset", [-2, -1, 0, 1, 5])
def test_diagonal_is_a_view(offset: int) -> None:
    arr = RNG.standard_normal((3, 4, 5))
    a, t = _pair(arr)
    for d1, d2 in [(0, 1), (1, 2), (2, 0), (-1, -2)]:
        _same(pa.diagonal(a, offset, d1, d2), torch.diagonal(t, offset, d1, d2))
        _same(
            a.diagonal(offset=offset, dim1=d1, dim2=d2), t.diagonal(offset=offset, dim1=d1, dim2=d2)
        )
    v = a.diagonal(offset, 1, 2)
    if v.numel():
        v.fill_(7.0)
        t.diagonal(offset, 1, 2).fill_(7.0)
        _same(a, t)  # writes reach the base
    with pytest.raises(RuntimeError):
        pa.diagonal(a, 0, 1, 1)
    with pytest.raises(RuntimeError):
        pa.diagonal(pa.ones(3))


@pytest.mark.parametrize("k", [-2, 0, 1])
def test_diag_diag_embed_trace_mv(k: int) -> None:
    v, tv = _pair(RNG.standard_normal(4))
    m, tm = _pair(RNG.standard_normal((4, 3)))
    _same(pa.diag(v, k), torch.diag(tv, k))
    _same(pa.diag(m, k), torch.diag(tm, k))
    _same(v.diag(k), tv.diag(k))
    _same(pa.diag_embed(m, k), torch.diag_embed(tm, k))
    _same(pa.diag_embed(m, k, 0, 2), torch.diag_embed(tm, k, 0, 2))
    _same(pa.trace(m), torch.trace(tm), rtol=1e-12)
    im, it = _pair(np.arange(9).reshape(3, 3))
    _same(pa.trace(im), torch.trace(it))
    _same(pa.mv(m.t(), v), torch.mv(tm.t(), tv), rtol=1e-12)
    _same(m.t().mv(v), tm.t().mv(tv), rtol=1e-12)
    with pytest.raises(RuntimeError, match="mv"):
        pa.mv(m, v)
    with pytest.raises(RuntimeError, match="diag"):
        pa.diag(pa.ones(2, 2, 2))


GRADS: dict[str, tuple[Callable[..., Any], list[tuple[int, ...]]]] = {
    "tril": (lambda L, a: L.tril(a, -1), [(3, 4)]),
    "triu": (lambda L, a: L.triu(a, 1), [(2, 3, 3)]),
    "diagonal": (lambda L, a: L.diagonal(a, 1, 2, 0), [(3, 2, 4)]),
    "diag_vec": (lambda L, a: L.diag(a, -1), [(3,)]),
    "diag_mat": (lambda L, a: L.diag(a, 1), [(3, 4)]),
    "diag_embed": (lambda L, a: L.diag_embed(a, 1), [(2, 3)]),
    "trace": (lambda L, a: L.trace(a), [(3, 3)]),
    "mv": (lambda L, a, b: L.mv(a, b), [(2, 3), (3,)]),
    "einsum_mm": (lambda L, a, b: L.einsum("ij,jk->ik", a, b), [(2, 3), (3, 4)]),
    "einsum_bmm": (lambda L, a, b: L.einsum("bij,bjk->bik", a, b), [(2, 2, 3), (2, 3, 2)]),
    "einsum_diag": (lambda L, a: L.einsum("ii->i", a), [(3, 3)]),
    "einsum_trace": (lambda L, a: L.einsum("ii", a), [(3, 3)]),
    "einsum_ell": (lambda L, a, b: L.einsum("...ij,...j->...i", a, b), [(2, 3, 4), (4,)]),
    "einsum_three": (
        lambda L, a, b, c: L.einsum("ij,jk,kl->il", a, b, c),
        [(2, 3), (3, 4), (4, 2)],
    ),
    "einsum_outer_sum": (lambda L, a, b: L.einsum("i,j->", a, b), [(3,), (2,)]),
    "einsum_bilinear": (
        lambda L, a, b, c: L.einsum("bn,anm,bm->ba", a, b, c),
        [(2, 3), (4, 3, 5), (2, 5)],
    ),
}


@pytest.mark.parametrize("name", list(GRADS))
def test_gradients(name: str) -> None:
    f, shapes = GRADS[name]
    arrs = [RNG.standard_normal(s) for s in shapes]
    xs = [pa.tensor(a.tolist(), dtype=pa.float64, requires_grad=True) for a in arrs]
    ts = [torch.tensor(a, requires_grad=True) for a in arrs]
    out, ref = f(pa, *xs), f(torch, *ts)
    _same(out, ref, rtol=1e-10)
    w = RNG.standard_normal(tuple(ref.shape))
    out.backward(pa.tensor(w.tolist(), dtype=pa.float64))
    ref.backward(torch.tensor(w))
    for x, t in zip(xs, ts, strict=True):
        np.testing.assert_allclose(_np(x.grad), t.grad.numpy(), rtol=1e-10, atol=1e-12)
    check_grads(lambda *a: f(pa, *a), *[make(a) for a in arrs])


EINSUMS = [
    ("ij->ji", [(2, 3)]),
    ("ij->", [(2, 3)]),
    ("ij", [(2, 3)]),
    ("ji", [(2, 3)]),
    ("i,i->", [(4,), (4,)]),
    ("i,i", [(4,), (4,)]),
    ("i,j->ij", [(3,), (2,)]),
    ("i,j", [(3,), (2,)]),
    ("ij,ij->ij", [(2, 3), (2, 3)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("bij,jk->bik", [(2, 3, 4), (4, 5)]),
    ("iij->j", [(3, 3, 2)]),
    ("iji->j", [(3, 2, 3)]),
    ("...ij->...ji", [(2, 3, 4)]),
    ("...,...->...", [(2, 3), (3,)]),
    ("i...->...", [(2, 3, 4)]),
    ("ab,cd->", [(2, 3), (4, 5)]),
    ("ij,jk,kl,lm->im", [(2, 3), (3, 2), (2, 4), (4, 2)]),
    ("i j , j k -> i k", [(2, 3), (3, 4)]),
    ("ij,kj->ik", [(2, 3), (4, 3)]),
    ("bhqd,bhkd->bhqk", [(2, 2, 3, 4), (2, 2, 5, 4)]),
    ("ij,j->i", [(0, 3), (3,)]),
    ("i,i->i", [(1,), (4,)]),
]


@pytest.mark.parametrize("eq,shapes", EINSUMS, ids=[e for e, _ in EINSUMS])
def test_einsum_values(eq: str, shapes: list[tuple[int, ...]]) -> None:
    arrs = [RNG.standard_normal(s) for s in shapes]
    xs = [pa.tensor(a) for a in arrs]
    ts = [torch.tensor(a) for a in arrs]
    _same(pa.einsum(eq, *xs), torch.einsum(eq, *ts), rtol=1e-10)
    _same(pa.einsum(eq, xs), torch.einsum(eq, ts), rtol=1e-10)  # operands as a list
    if len(xs) == 2 and all(len(s) == 2 for s in shapes):  # non-contiguous operands
        _same(
            pa.einsum(eq, xs[0].t().contiguous().t(), xs[1]),
            torch.einsum(eq, ts[0].t().contiguous().t(), ts[1]),
            rtol=1e-10,
        )


def test_einsum_integers() -> None:
    a, t = _pair(np.arange(6).reshape(2, 3))
    _same(pa.einsum("ij,kj->ik", a, a), torch.einsum("ij,kj->ik", t, t))


@pytest.mark.parametrize(
    "eq,shapes",
    [
        ("ij,jk->ik", [(2, 3), (4, 5)]),
        ("ij->ik", [(2, 3)]),
        ("ij,jk", [(2, 3)]),
        ("ijk->i", [(2, 3)]),
        ("ii->i", [(2, 3)]),
        ("ij->ii", [(2, 2)]),
        ("i2->i", [(2, 2)]),
    ],
)
def test_einsum_errors(eq: str, shapes: list[tuple[int, ...]]) -> None:
    xs = [pa.ones(*s) for s in shapes]
    ts = [torch.ones(*s) for s in shapes]
    with pytest.raises(RuntimeError):
        torch.einsum(eq, *ts)
    with pytest.raises(RuntimeError, match="einsum"):
        pa.einsum(eq, *xs)
