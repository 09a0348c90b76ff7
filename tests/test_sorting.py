"""Sorting and selection against PyTorch 2.13: sort, argsort, msort, topk, kthvalue, median,
nonzero, where(condition), unique, count_nonzero, bincount. Values, dtypes, shapes, return
types, gradients (against PyTorch and float64 finite differences) and errors, over 0-d, empty,
non-contiguous inputs and negative dims."""

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


def _same(got: Any, want: Any) -> None:
    assert str(got.dtype).rsplit(".", 1)[-1] == str(want.dtype).rsplit(".", 1)[-1]
    assert tuple(got.shape) == tuple(want.shape)
    np.testing.assert_array_equal(_np(got), want.detach().numpy())


def _inputs(dtype: str = "float64") -> list[tuple[str, np.ndarray, bool]]:
    """(id, array, transpose first): distinct values so that every order is unique."""
    rng = np.random.default_rng(0)
    out = [
        ("0d", np.array(1.5), False),
        ("1d", rng.permutation(7).astype(float) - 3, False),
        ("2d", rng.permutation(12).reshape(3, 4).astype(float), False),
        ("2d-t", rng.permutation(12).reshape(4, 3).astype(float), True),
        ("3d", rng.permutation(24).reshape(2, 3, 4).astype(float) / 4, False),
        ("empty", np.zeros((0, 3)), False),
    ]
    return [(i, a.astype(dtype), t) for i, a, t in out]


def _pair(arr: np.ndarray, transpose: bool, requires_grad: bool = False) -> tuple[Any, Any]:
    a = pa.tensor(arr, requires_grad=requires_grad)
    t = torch.tensor(arr, requires_grad=requires_grad)
    if transpose:
        return a.t(), t.t()
    return a, t


def _dims(arr: np.ndarray) -> list[int]:
    return list(range(-max(arr.ndim, 1), max(arr.ndim, 1)))


def _case_ids(cases: list[tuple[str, np.ndarray, bool]]) -> list[str]:
    return [c[0] for c in cases]


CASES = _inputs()


# ---- values ----------------------------------------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=_case_ids(CASES))
def test_sort_values_and_indices(case: tuple[str, np.ndarray, bool]) -> None:
    _, arr, tr = case
    a, t = _pair(arr, tr)
    for dim in _dims(arr):
        for desc in (False, True):
            got, want = pa.sort(a, dim, desc), torch.sort(t, dim, desc)
            assert type(got).__name__ == "sort" and got._fields == ("values", "indices")
            _same(got.values, want.values)
            _same(got.indices, want.indices)
            _same(a.sort(dim=dim, descending=desc)[0], want.values)
            _same(a.argsort(dim, descending=desc), torch.argsort(t, dim, descending=desc))
    _same(pa.msort(a), torch.msort(t)) if arr.ndim else None


@pytest.mark.parametrize("dt", ["float32", "int64", "int32", "uint8", "bool"])
def test_sort_dtypes_and_stability(dt: str) -> None:
    vals = [3, 1, 2, 1, 3, 0, 2, 1] if dt != "bool" else [1, 0, 1, 0, 0, 1]
    a = pa.tensor(vals, dtype=getattr(pa, dt))
    t = torch.tensor(vals, dtype=getattr(torch, dt))
    for desc in (False, True):
        got, want = a.sort(descending=desc, stable=True), t.sort(descending=desc, stable=True)
        _same(got.values, want.values)
        _same(got.indices, want.indices)


def test_sort_puts_nan_last_like_torch() -> None:
    nan = float("nan")
    vals = [2.0, nan, -1.0, float("inf"), nan, 0.0]
    a, t = pa.tensor(vals), torch.tensor(vals)
    for desc in (False, True):
        got, want = a.sort(descending=desc, stable=True), t.sort(descending=desc, stable=True)
        np.testing.assert_array_equal(_np(got.values), want.values.numpy())
        _same(got.indices, want.indices)
    _same(a.topk(3).indices, t.topk(3).indices)


@pytest.mark.parametrize("case", CASES, ids=_case_ids(CASES))
def test_topk(case: tuple[str, np.ndarray, bool]) -> None:
    _, arr, tr = case
    a, t = _pair(arr, tr)
    for dim in _dims(arr):
        n = t.shape[dim] if t.dim() else 1
        for k in sorted({0, min(1, n), n // 2, n}):
            for largest in (True, False):
                got, want = pa.topk(a, k, dim, largest), torch.topk(t, k, dim, largest)
                assert type(got).__name__ == "topk"
                _same(got.values, want.values)
                _same(got.indices, want.indices)
        with pytest.raises(RuntimeError):
            torch.topk(t, n + 1, dim)
        with pytest.raises(IndexError, match="topk"):
            pa.topk(a, n + 1, dim)


@pytest.mark.parametrize("case", CASES[:-1], ids=_case_ids(CASES[:-1]))
def test_kthvalue_and_median(case: tuple[str, np.ndarray, bool]) -> None:
    _, arr, tr = case
    a, t = _pair(arr, tr)
    for dim in _dims(arr):
        n = t.shape[dim] if t.dim() else 1
        for keepdim in (False, True):
            for k in sorted({1, (n + 1) // 2, n}):
                got, want = a.kthvalue(k, dim, keepdim), t.kthvalue(k, dim, keepdim)
                assert type(got).__name__ == "kthvalue"
                _same(got.values, want.values)
                _same(got.indices, want.indices)
            got, want = pa.median(a, dim, keepdim=keepdim), torch.median(t, dim, keepdim=keepdim)
            assert type(got).__name__ == "median"
            _same(got.values, want.values)
            _same(got.indices, want.indices)
        with pytest.raises(IndexError, match="kthvalue"):
            a.kthvalue(n + 1, dim)
        with pytest.raises(IndexError, match="kthvalue"):
            a.kthvalue(0, dim)
    _same(a.median(), t.median())


def test_median_with_nan_and_empty() -> None:
    nan = float("nan")
    vals = [[1.0, nan, 3.0, nan], [4.0, 2.0, 3.0, 1.0]]
    a, t = pa.tensor(vals), torch.tensor(vals)
    got, want = a.median(1), t.median(1)
    np.testing.assert_array_equal(_np(got.values), want.values.numpy())
    _same(got.indices, want.indices)
    assert np.isnan(a.median().item()) and np.isnan(pa.tensor([]).median().item())
    with pytest.raises(IndexError):
        pa.zeros(0, 3).median(0)


# ---- nonzero, where, unique, count_nonzero, bincount -----------------------------------------
NZ = [
    np.array(0.0),
    np.array(2.0),
    np.array([0.0, 1.5, 0.0, -2.0]),
    np.array([[0, 1, 0], [2, 0, 3]]),
    np.array([[True, False], [False, True]]),
    np.zeros((2, 0, 3)),
]


@pytest.mark.parametrize("arr", NZ, ids=[str(i) for i in range(len(NZ))])
def test_nonzero_where_count_nonzero(arr: np.ndarray) -> None:
    a, t = pa.tensor(arr), torch.tensor(arr)
    _same(pa.nonzero(a), torch.nonzero(t))
    _same(a.nonzero(), t.nonzero())
    got, want = pa.nonzero(a, as_tuple=True), torch.nonzero(t, as_tuple=True)
    assert isinstance(got, tuple) and len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        _same(g, w)
    for g, w in zip(pa.where(a != 0), torch.where(t != 0), strict=True):
        _same(g, w)
    _same(pa.count_nonzero(a), torch.count_nonzero(t))
    for d in range(-arr.ndim, arr.ndim):
        _same(a.count_nonzero(d), t.count_nonzero(d))
    if arr.ndim == 2:
        _same(a.t().nonzero(), t.t().nonzero())
        _same(pa.count_nonzero(a, (0, 1)), torch.count_nonzero(t, (0, 1)))


def test_where_three_arguments_still_work() -> None:
    c = pa.tensor([True, False])
    _same(
        pa.where(c, pa.ones(2), 0.0), torch.where(torch.tensor([True, False]), torch.ones(2), 0.0)
    )
    with pytest.raises(TypeError):
        pa.where(c, pa.ones(2))


UNIQ = [
    np.array([3, 1, 2, 3, 1, 5]),
    np.array([[2.5, -1.0], [2.5, 0.0]]),
    np.array(4.0),
    np.array([], dtype=np.int64),
    np.array([True, False, True]),
]


@pytest.mark.parametrize("arr", UNIQ, ids=[str(i) for i in range(len(UNIQ))])
def test_unique(arr: np.ndarray) -> None:
    a, t = pa.tensor(arr), torch.tensor(arr)
    _same(pa.unique(a), torch.unique(t))
    _same(a.unique(sorted=True), t.unique(sorted=True))
    for inv in (False, True):
        for cnt in (False, True):
            got = pa.unique(a, return_inverse=inv, return_counts=cnt)
            want = torch.unique(t, return_inverse=inv, return_counts=cnt)
            if not (inv or cnt):
                _same(got, want)
                continue
            assert len(got) == len(want)
            for g, w in zip(got, want, strict=True):
                _same(g, w)
    if arr.ndim == 2:
        _same(a.t().unique(return_inverse=True)[1], t.t().unique(return_inverse=True)[1])
    if arr.ndim:  # unique slices along a dim, as PyTorch
        for d in range(-arr.ndim, arr.ndim):
            got = pa.unique(a, dim=d, return_inverse=True, return_counts=True)
            want = torch.unique(t, dim=d, return_inverse=True, return_counts=True)
            for g, w in zip(got, want, strict=True):
                _same(g, w)
    else:
        with pytest.raises(IndexError):
            pa.unique(a, dim=0)


def test_unique_with_nan() -> None:
    nan = float("nan")
    vals = [3.0, nan, 1.0, nan, 3.0]
    got = pa.unique(pa.tensor(vals), return_inverse=True, return_counts=True)
    want = torch.unique(torch.tensor(vals), return_inverse=True, return_counts=True)
    np.testing.assert_array_equal(_np(got[0]), want[0].numpy())
    _same(got[1], want[1])
    _same(got[2], want[2])


@pytest.mark.parametrize("dt", ["int64", "int32", "uint8", "int16"])
def test_bincount(dt: str) -> None:
    vals = [1, 4, 1, 0, 7, 4, 4]
    a, t = pa.tensor(vals, dtype=getattr(pa, dt)), torch.tensor(vals, dtype=getattr(torch, dt))
    _same(pa.bincount(a), torch.bincount(t))
    _same(a.bincount(minlength=12), t.bincount(minlength=12))
    _same(a[::2].bincount(), t[::2].bincount())
    for wd in ("float32", "float64", "int64"):
        w = [0.5, 1.0, 2.0, 3.0, -1.0, 0.25, 4.0]
        pw = pa.tensor(w).to(getattr(pa, wd))
        tw = torch.tensor(w).to(getattr(torch, wd))
        got, want = pa.bincount(a, pw), torch.bincount(t, tw)
        assert str(got.dtype).rsplit(".", 1)[-1] == str(want.dtype).rsplit(".", 1)[-1]
        np.testing.assert_allclose(_np(got), want.numpy())
    _same(
        pa.bincount(pa.tensor([], dtype=pa.int64)),
        torch.bincount(torch.tensor([], dtype=torch.int64)),
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda L: L.bincount(L.tensor([-1, 2])),
        lambda L: L.bincount(L.tensor([1.0, 2.0])),
        lambda L: L.bincount(L.tensor([[1, 2]])),
        lambda L: L.bincount(L.tensor([1, 2]), L.tensor([1.0])),
        lambda L: L.bincount(L.tensor([1, 2]), minlength=-1),
    ],
)
def test_bincount_errors(call: Callable[[Any], Any]) -> None:
    with pytest.raises(RuntimeError):
        call(torch)
    with pytest.raises(RuntimeError, match="bincount"):
        call(pa)


# ---- gradients -------------------------------------------------------------------------------
GRAD_OPS: dict[str, Callable[[Any, Any, int], Any]] = {
    "sort": lambda L, x, d: L.sort(x, d, True).values,
    "topk": lambda L, x, d: L.topk(x, 2 if x.dim() and x.shape[d] >= 2 else 1, d).values,
    "kthvalue": lambda L, x, d: L.kthvalue(x, 1, d).values,
    "kthvalue_keep": lambda L, x, d: L.kthvalue(x, 1, d, keepdim=True).values,
    "median": lambda L, x, d: L.median(x, d).values,
    "median_all": lambda L, x, d: L.median(x),
}


@pytest.mark.parametrize("op", list(GRAD_OPS))
@pytest.mark.parametrize("case", CASES[:-1], ids=_case_ids(CASES[:-1]))
def test_gradients_match_torch_and_finite_differences(
    op: str, case: tuple[str, np.ndarray, bool]
) -> None:
    _, arr, tr = case
    f = GRAD_OPS[op]

    def view(x: Any) -> Any:
        return x.t() if tr else x

    for dim in _dims(arr):
        a = pa.tensor(arr.tolist(), dtype=pa.float64, requires_grad=True)
        t = torch.tensor(arr, requires_grad=True)
        out, tout = f(pa, view(a), dim), f(torch, view(t), dim)
        _same(out.detach(), tout.detach())
        assert out.grad_fn is not None and "Backward" in out.grad_fn.name()
        w = np.random.default_rng(1).standard_normal(tuple(tout.shape))
        out.backward(pa.tensor(w.tolist(), dtype=pa.float64))
        tout.backward(torch.tensor(w))
        np.testing.assert_allclose(_np(a.grad), t.grad.numpy())
        check_grads(lambda x_, d=dim: f(pa, view(x_), d), make(arr))


def test_gradient_of_topk_accumulates_with_other_uses() -> None:
    a = pa.tensor([[3.0, 1.0, 2.0], [0.5, 4.0, -1.0]], requires_grad=True)
    t = torch.tensor([[3.0, 1.0, 2.0], [0.5, 4.0, -1.0]], requires_grad=True)
    (a.topk(2, 0).values.sum() * 2 + a.sort(1).values[:, 0].sum() + (a * a).sum()).backward()
    (t.topk(2, 0).values.sum() * 2 + t.sort(1).values[:, 0].sum() + (t * t).sum()).backward()
    np.testing.assert_allclose(_np(a.grad), t.grad.numpy(), rtol=1e-6)


def test_indices_and_int_outputs_do_not_require_grad() -> None:
    a = pa.tensor([3.0, 1.0], requires_grad=True)
    assert not a.sort().indices.requires_grad
    assert not a.nonzero().requires_grad
    assert a.sort().values.requires_grad
    with pa.no_grad():
        assert not a.sort().values.requires_grad
