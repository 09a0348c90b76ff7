"""logaddexp, fmax/fmin, nansum/nanmean, quantile, cummax/cummin, cov/corrcoef, diff,
tensordot, kron, cross, rot90, cartesian_prod, combinations, block_diag, tril/triu_indices, isin,
logspace, heaviside and masked_scatter against PyTorch: values, dtypes, gradients and errors."""

import math

import numpy as np
import pytest

import pyautograd as pa
from pyautograd.autograd import gradcheck

RNG = np.random.default_rng(11)


def _torch():
    return pytest.importorskip("torch")


def _lib_args(L, args):
    out = []
    for a in args:
        if isinstance(a, np.ndarray):
            t = L.tensor(a)
            if a.dtype.kind == "f":
                t.requires_grad_(True)
            out.append(t)
        else:
            out.append(a)
    return out


def _flat(r):
    return list(r) if isinstance(r, tuple) else [r]


def compare(fn, *args, rtol=1e-7, atol=1e-10, grad=True):
    """fn(L, *args) in both libraries (ndarray args become tensors; float ones require grad):
    equal results (or the same error class), equal gradients."""
    torch = _torch()
    ta, pa_ = _lib_args(torch, args), _lib_args(pa, args)
    try:
        rt = fn(torch, *ta)
    except Exception as e:
        with pytest.raises(type(e)):
            fn(pa, *pa_)
        return
    rp = fn(pa, *pa_)
    loss_t, loss_p = 0, 0
    for t, p in zip(_flat(rt), _flat(rp), strict=True):
        assert tuple(t.shape) == tuple(p.shape), (t.shape, p.shape)
        assert str(t.dtype).split(".")[-1] == str(p.dtype).split(".")[-1]
        np.testing.assert_allclose(
            np.asarray(p.detach().tolist(), dtype=float),
            np.asarray(t.detach().tolist(), dtype=float),
            rtol=rtol, atol=atol,
        )  # fmt: skip
        if t.requires_grad and t.is_floating_point():
            w = RNG.standard_normal(tuple(t.shape))
            loss_t = loss_t + (t * torch.tensor(w)).nan_to_num().sum()
            loss_p = loss_p + (p * pa.tensor(w)).nan_to_num().sum()
    if grad and not isinstance(loss_t, int):
        loss_t.backward()
        loss_p.backward()
        for t, p in zip(ta, pa_, strict=True):
            if hasattr(t, "grad") and t.grad is not None:
                np.testing.assert_allclose(p.grad.numpy(), t.grad.numpy(), rtol=rtol, atol=atol)


A = RNG.standard_normal((3, 4))
B = RNG.standard_normal((3, 4))
N = A.copy()
N[0, 1] = np.nan
N[2, :] = np.nan


def test_logaddexp_and_2():
    compare(lambda L, a, b: L.logaddexp(a, b), A * 30, B)
    compare(lambda L, a, b: a.logaddexp2(b), A, B * 50)
    inf = np.array([np.inf, -np.inf, np.inf, 1.0])
    compare(lambda L, a, b: L.logaddexp(a, b), inf, np.array([np.inf, -np.inf, 0.0, -np.inf]),
            grad=False)  # fmt: skip


def test_fmax_fmin_ignore_nan():
    compare(lambda L, a, b: L.fmax(a, b), N, B)
    compare(lambda L, a, b: a.fmin(b), B, N)
    compare(lambda L, a, b: L.fmax(a, b), N, N, grad=False)


def test_nansum_nanmean():
    for dim in (None, 0, 1, (0, 1)):
        compare(lambda L, x, dim=dim: L.nansum(x) if dim is None else L.nansum(x, dim), N)
        compare(lambda L, x, dim=dim: x.nanmean() if dim is None else x.nanmean(dim, True), N[:2])
    compare(lambda L, x: x.nanmean(1), N, grad=False)  # an all-NaN row: PyTorch's gradient NaN
    compare(lambda L, x: L.nansum(x.detach().long()), A * 10)


@pytest.mark.parametrize("interp", ["linear", "lower", "higher", "midpoint", "nearest"])
def test_quantile_matches_torch(interp):
    compare(lambda L, x: L.quantile(x, 0.3, interpolation=interp), A)
    compare(lambda L, x: x.quantile(0.75, dim=1, keepdim=True, interpolation=interp), A)
    compare(lambda L, x: L.quantile(x, L.tensor([0.1, 0.5, 0.9], dtype=L.float64), dim=0,
                                    interpolation=interp), A)  # fmt: skip
    compare(lambda L, x: L.quantile(x, 0.5, dim=1, interpolation=interp), N, grad=False)
    compare(lambda L, x: L.nanquantile(x, 0.4, dim=1, interpolation=interp), N, grad=False)


def test_quantile_errors():
    compare(lambda L, x: L.quantile(x, 1.5), A)
    compare(lambda L, x: L.quantile(x.detach().long(), 0.5), A)


@pytest.mark.parametrize("op", ["cummax", "cummin"])
def test_cummax_cummin_match_torch(op):
    ties = np.array([[1.0, 3, 3, 2, 5], [2, 2, 1, 1, 0], [0, np.nan, 4, 1, 7]])
    compare(lambda L, x: getattr(L, op)(x, 1), ties)
    compare(lambda L, x: getattr(x, op)(0), A)
    compare(lambda L, x: getattr(L, op)(x.detach().long(), -1), A * 5)
    r = pa.cummax(pa.tensor([1.0, 2.0]), 0)
    assert r.values.tolist() == [1.0, 2.0] and r.indices.tolist() == [0, 1]


def test_cov_corrcoef():
    compare(lambda L, x: L.cov(x), A)
    compare(lambda L, x: L.cov(x, correction=0), A)
    fw, aw = np.array([1, 2, 1, 3]), RNG.random(4)
    compare(lambda L, x: L.cov(x, fweights=L.tensor(fw), aweights=L.tensor(aw)), A)
    compare(lambda L, x: L.cov(x), A[0])
    compare(lambda L, x: L.corrcoef(x), A)
    compare(lambda L, x: x.corrcoef(), A[:, 0:3].T.copy())


def test_diff():
    compare(lambda L, x: L.diff(x), A)
    compare(lambda L, x: x.diff(n=2, dim=0), A)
    compare(lambda L, x, p: L.diff(x, dim=1, prepend=p), A, B)
    compare(lambda L, x: L.diff(x > 0), A)
    compare(lambda L, x: L.diff(x, n=5), A)


def test_tensordot_kron():
    a3, b3 = RNG.standard_normal((2, 3, 4)), RNG.standard_normal((4, 3, 5))
    compare(lambda L, a, b: L.tensordot(a, b, dims=1), a3, b3)
    compare(lambda L, a, b: L.tensordot(a, b, dims=([1, 2], [1, 0])), a3, b3)
    compare(lambda L, a, b: L.tensordot(a, b, dims=0), A[:2, :2].copy(), B[:2].copy())
    compare(lambda L, a, b: L.tensordot(a, b, dims=([0], [0])), a3, b3)
    compare(lambda L, a, b: L.kron(a, b), A[:2].copy(), B[:, :3].copy())
    compare(lambda L, a, b: a.kron(b), A[0].copy(), a3)


def test_cross_rot90():
    u, v = RNG.standard_normal((4, 3)), RNG.standard_normal((4, 3))
    compare(lambda L, a, b: L.cross(a, b, dim=1), u, v)
    compare(lambda L, a, b: L.linalg.cross(a, b), u, v)
    compare(lambda L, a, b: L.cross(a, b, dim=0), u, v)
    for k in (-1, 0, 1, 2, 3, 5):
        compare(lambda L, x, k=k: L.rot90(x, k), A)
        compare(lambda L, x, k=k: x.rot90(k, [1, 0]), A)
    compare(lambda L, x: L.rot90(x, 1, [0, 0]), A)


def test_construction_helpers():
    compare(lambda L, a, b: L.cartesian_prod(a, b), A[0].copy(), B[1, :2].copy())
    compare(lambda L, a: L.combinations(a, 2), A[0].copy())
    compare(lambda L, a: L.combinations(a, 3, with_replacement=True), A[0, :3].copy())
    compare(lambda L, a, b: L.block_diag(a, b), A[:2].copy(), B[:1].copy())
    compare(lambda L, a: L.block_diag(a, L.tensor(2.0, dtype=L.float64), a[0]), A)
    for args in ((3, 3), (4, 3, 1), (3, 5, -1), (0, 2)):
        compare(lambda L, args=args: L.tril_indices(*args))
        compare(lambda L, args=args: L.triu_indices(*args))
    compare(lambda L: L.logspace(0, 2, 5))
    compare(lambda L: L.logspace(-1, 1, 4, base=2.0, dtype=L.float64))


def test_isin_heaviside_masked_scatter():
    compare(lambda L: L.isin(L.tensor([1, 2, 3, 4]), L.tensor([2, 4])))
    compare(lambda L: L.isin(L.tensor([[1, 5], [3, 2]]), L.tensor([2, 3]), invert=True))
    compare(lambda L: L.heaviside(L.tensor([-1.5, 0, 2.0]), L.tensor([0.5])))
    mask = A > 0
    compare(lambda L, x, s: x.masked_scatter(L.tensor(mask), s), A, RNG.standard_normal(20))
    compare(lambda L, x, s: L.masked_scatter(x, L.tensor(mask[0]), s), A, RNG.standard_normal(12))


def test_gradcheck_composites():
    x = pa.tensor(A, requires_grad=True)
    y = pa.tensor(B, requires_grad=True)
    assert gradcheck(lambda a, b: pa.logaddexp(a, b), (x, y))
    assert gradcheck(lambda a: pa.quantile(a, 0.3, dim=1), (x,))
    assert gradcheck(lambda a: pa.cov(a), (x,))
    assert gradcheck(lambda a, b: pa.tensordot(a, b.t(), dims=1), (x, y))
    assert gradcheck(lambda a: pa.cummax(a, 1).values, (x,))
    assert math.isfinite(pa.corrcoef(x).sum().item())


@pytest.mark.parametrize("op", ["cummax", "cummin"])
def test_cummax_cummin_values_are_their_own_tensors_and_empty_skips_the_dim(op):
    """values is not a view (detach_() of it runs, as PyTorch's); an empty input returns
    empty results without checking dim, as PyTorch."""
    torch = _torch()
    for L in (pa, torch):
        for x in (L.tensor([1, 3, 2]), L.tensor(2.0), L.tensor([[1.0, 0.0]], requires_grad=True)):
            v, i = getattr(x, op)(0)
            v.detach_()
            assert not v.requires_grad
        v, i = getattr(L.zeros((1, 0), dtype=L.float64), op)(-3)
        assert tuple(v.shape) == (1, 0) and tuple(i.shape) == (1, 0)
        assert str(i.dtype).endswith("int64")
        with pytest.raises(IndexError):
            getattr(L.zeros((1, 2)), op)(-3)
    r = pa.cummax(pa.tensor([[1.0, 3.0, 2.0]]), 1)
    assert r.values.tolist() == [[1.0, 3.0, 3.0]] and r.indices.tolist() == [[0, 1, 1]]
