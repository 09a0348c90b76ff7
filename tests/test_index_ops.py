"""Indexing along a dim by int64 index tensors: gather, scatter, scatter_add, index_select,
index_add, index_copy, index_fill, take, masked_select, and the in-place forms.

Table-driven against PyTorch (skipped without it): values, dtypes, shapes and gradients from
the same NumPy inputs, contiguous and step-sliced; gradients also against central finite
differences in float64; errors (index dtype, shapes, out-of-range indices) of the type PyTorch
raises, naming the op.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from grad_helpers import check_grads
from helpers import TORCH_STANDIN

import pyautograd as pa


def _i(mod: Any, a: Any) -> Any:
    return mod.tensor(np.asarray(a, dtype=np.int64))


def _it(mod: Any, a: Any) -> Any:
    """A non-contiguous int64 index: the transpose of a contiguous one."""
    return mod.tensor(np.ascontiguousarray(np.asarray(a, dtype=np.int64).T)).t()


@dataclass
class Case:
    name: str
    shapes: list[tuple[int, ...]]  # float inputs (the first is `x`)
    fn: Callable[..., Any]  # fn(mod, *inputs)
    inplace: bool = False  # fn writes into its first input (the test passes a non-leaf)
    torch_grad: bool = True  # PyTorch's backward works (not for a src larger than the index)


G = [[0, 3, 3], [1, 0, 2], [2, 2, 2]]
CASES = [
    Case("gather1", [(3, 4)], lambda m, x: x.gather(1, _i(m, G))),
    Case(
        "gather0_small", [(3, 4)], lambda m, x: m.gather(x, 0, _i(m, [[2, 0, 1, 1], [0, 0, 2, 1]]))
    ),
    Case("gather_neg", [(3, 4)], lambda m, x: m.gather(x, -1, index=_i(m, G))),
    Case("gather_3d", [(2, 3, 2)], lambda m, x: x.gather(1, _i(m, [[[2, 0]], [[1, 1]]]))),
    Case("gather_t_index", [(3, 4)], lambda m, x: x.gather(1, _it(m, [[0, 1, 2], [3, 3, 0]]))),
    Case("gather_empty", [(3, 4)], lambda m, x: x.gather(0, _i(m, np.zeros((0, 4))))),
    Case(
        "scatter_src",
        [(3, 4), (2, 4)],
        lambda m, x, s: x.scatter(0, _i(m, [[2, 0, 1, 1], [0, 2, 2, 0]]), s),
    ),
    Case(
        "scatter_fn",
        [(3, 4), (3, 2)],
        lambda m, x, s: m.scatter(x, 1, _i(m, [[3, 0], [1, 2], [0, 3]]), s),
    ),
    Case(
        "scatter_big_src",
        [(3, 4), (4, 5)],
        lambda m, x, s: x.scatter(1, _i(m, [[3], [1], [2]]), src=s),
        torch_grad=False,
    ),
    Case("scatter_value", [(3, 4)], lambda m, x: x.scatter(1, _i(m, G), 2.5)),
    Case("scatter_value_kw", [(3, 4)], lambda m, x: m.scatter(x, 0, _i(m, [[1, 2]]), value=-1.0)),
    Case("scatter_add", [(3, 4), (3, 3)], lambda m, x, s: x.scatter_add(1, _i(m, G), s)),
    Case(
        "scatter_add_fn",
        [(3, 4), (2, 4)],
        lambda m, x, s: m.scatter_add(x, 0, _i(m, [[2, 2, 0, 2], [2, 0, 0, 2]]), s),
    ),
    Case(
        "scatter_reduce_add",
        [(3, 4), (3, 3)],
        lambda m, x, s: x.scatter(1, _i(m, G), s, reduce="add"),
        torch_grad=False,
    ),
    Case("index_select0", [(4, 3)], lambda m, x: x.index_select(0, _i(m, [3, 0, 3, 1]))),
    Case("index_select1", [(4, 3)], lambda m, x: m.index_select(x, -1, _i(m, [2, 2]))),
    Case("index_select_0d", [(4, 3)], lambda m, x: m.index_select(x, 0, _i(m, 2))),
    Case("index_select_empty", [(4, 3)], lambda m, x: x.index_select(1, _i(m, np.zeros(0)))),
    Case("index_select_3d", [(2, 3, 4)], lambda m, x: x.index_select(1, _i(m, [1, 0, 1, 2]))),
    Case("index_add", [(4, 3), (5, 3)], lambda m, x, s: x.index_add(0, _i(m, [3, 0, 3, 1, 3]), s)),
    Case(
        "index_add_alpha",
        [(4, 3), (4, 2)],
        lambda m, x, s: m.index_add(x, 1, _i(m, [2, 2]), s, alpha=-2),
    ),
    Case("index_copy", [(4, 3), (2, 3)], lambda m, x, s: x.index_copy(0, _i(m, [3, 1]), s)),
    Case("index_copy_fn", [(4, 3), (4, 2)], lambda m, x, s: m.index_copy(x, -1, _i(m, [0, 2]), s)),
    Case("index_fill", [(4, 3)], lambda m, x: x.index_fill(1, _i(m, [2, 0, 2]), -3.0)),
    Case("index_fill_fn", [(4, 3)], lambda m, x: m.index_fill(x, 0, _i(m, [1]), 7)),
    Case("index_fill_0d_value", [(4, 3)], lambda m, x: x.index_fill(0, _i(m, [1]), m.tensor(2.0))),
    Case("take", [(3, 4)], lambda m, x: m.take(x, _i(m, [[0, 11], [-1, 5]]))),
    Case("take_method", [(3, 4)], lambda m, x: x.take(_i(m, [3, 3, -12]))),
    Case("masked_select", [(3, 4)], lambda m, x: m.masked_select(x, x > 0)),
    Case(
        "masked_select_bcast",
        [(3, 4)],
        lambda m, x: x.masked_select(m.tensor([True, False, True, True])),
    ),
    Case(
        "scatter_",
        [(3, 4), (2, 4)],
        lambda m, x, s: x.scatter_(0, _i(m, [[2, 0, 1, 1], [0, 2, 2, 0]]), s),
        True,
    ),
    Case("scatter_value_", [(3, 4)], lambda m, x: x.scatter_(1, _i(m, G), 1.5), True),
    Case("scatter_add_", [(3, 4), (3, 3)], lambda m, x, s: x.scatter_add_(1, _i(m, G), s), True),
    Case(
        "index_add_",
        [(4, 3), (5, 3)],
        lambda m, x, s: x.index_add_(0, _i(m, [3, 0, 3, 1, 3]), s, alpha=3),
        True,
    ),
    Case("index_copy_", [(4, 3), (4, 2)], lambda m, x, s: x.index_copy_(1, _i(m, [2, 0]), s), True),
    Case("index_fill_", [(4, 3)], lambda m, x: x.index_fill_(1, _i(m, [1, 1]), 0.5), True),
]
IDS = [c.name for c in CASES]


def _arrays(case: Case, dtype: str, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    if dtype == "int64":
        return [rng.integers(-9, 10, size=s).astype(np.int64) for s in case.shapes]
    return [rng.standard_normal(s).astype(dtype) for s in case.shapes]


def _run(mod: Any, case: Case, arrays: list[np.ndarray], strided: bool, grad: bool) -> tuple:
    leaves, xs = [], []
    for a in arrays:
        rg = grad and a.dtype.kind == "f"
        if strided:
            leaf = mod.tensor(np.repeat(a, 2, axis=-1), requires_grad=rg)
            x = leaf[..., ::2]
        else:
            leaf = mod.tensor(a, requires_grad=rg)
            x = leaf
        leaves.append(leaf)
        xs.append(x)
    if case.inplace:
        xs[0] = xs[0] * 1 if grad else xs[0].clone()  # a non-leaf that autograd may change
    out = case.fn(mod, *xs)
    if case.inplace:
        assert out is xs[0]
    return leaves, out


def _np(t: Any) -> np.ndarray:
    return np.asarray(t.detach().numpy())


@pytest.mark.parametrize("strided", [False, True], ids=["contiguous", "strided"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_against_torch(case: Case, dtype: str, strided: bool) -> None:
    torch = pytest.importorskip("torch")
    arrays = _arrays(case, dtype)
    grad = dtype != "int64" and case.torch_grad
    pl, po = _run(pa, case, arrays, strided, grad)
    tl, to = _run(torch, case, arrays, strided, grad)
    assert tuple(po.shape) == tuple(to.shape)
    assert str(po.dtype).split(".")[-1] == str(to.dtype).split(".")[-1]
    np.testing.assert_allclose(_np(po), to.detach().numpy(), rtol=1e-6, atol=1e-6)
    if not grad:
        return
    w = np.random.default_rng(4).standard_normal(tuple(to.shape)).astype(dtype)
    (po * pa.tensor(w)).sum().backward()
    (to * torch.tensor(w)).sum().backward()
    for p, t in zip(pl, tl, strict=True):
        if t.grad is None:
            assert p.grad is None
            continue
        np.testing.assert_allclose(_np(p.grad), t.grad.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_gradcheck(case: Case) -> None:
    if "masked_select" in case.name:
        pytest.skip("the mask depends on the input: finite differences move it")
    arrays = _arrays(case, "float64", seed=1)
    leaves = [pa.tensor(a, requires_grad=True) for a in arrays]

    def f(*ls: Any) -> Any:
        xs = list(ls)
        if case.inplace:
            xs[0] = xs[0] * 1
        return case.fn(pa, *xs)

    if f(*leaves).numel() == 0:
        return
    check_grads(f, *leaves)


def test_scatter_repeated_indices_last_write_wins_and_add_accumulates() -> None:
    x = pa.zeros(5)
    idx = pa.tensor([1, 1, 3, 1])
    src = pa.tensor([1.0, 2.0, 3.0, 4.0])
    np.testing.assert_array_equal(_np(x.scatter(0, idx, src)), [0, 4, 0, 3, 0])
    np.testing.assert_array_equal(_np(x.scatter_add(0, idx, src)), [0, 7, 0, 3, 0])
    np.testing.assert_array_equal(_np(x.index_add(0, idx, src)), [0, 7, 0, 3, 0])


def test_inplace_without_autograd_writes_into_views_and_bumps_version() -> None:
    base = pa.zeros(3, 4)
    v = base[:, 1:3]
    before = pa._core._version(base)
    v.index_fill_(1, pa.tensor([1]), 2.0)
    v.scatter_add_(0, pa.tensor([[2, 2]]), pa.ones(1, 2))
    ref = np.zeros((3, 4))
    ref[:, 2] = 2.0
    ref[2, 1:3] += 1.0
    np.testing.assert_array_equal(_np(base), ref)
    assert pa._core._version(base) > before


def test_inplace_on_leaf_requiring_grad_raises() -> None:
    x = pa.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        x.index_fill_(0, pa.tensor([1]), 1.0)
    with pa.no_grad():
        x.index_fill_(0, pa.tensor([1]), 1.0)
    np.testing.assert_array_equal(_np(x), [0, 1, 0])


def test_source_aliasing_self_reads_before_writing() -> None:
    x = pa.arange(5.0)
    x.index_copy_(0, pa.tensor([1, 2, 3, 4]), x[:4])
    np.testing.assert_array_equal(_np(x), [0, 0, 1, 2, 3])


def test_gather_backward_is_scatter_add_with_repeats() -> None:
    x = pa.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    x.gather(1, pa.tensor([[2, 2, 0, 2]])).sum().backward()
    np.testing.assert_array_equal(_np(x.grad), [[1, 0, 3]])


def test_saved_index_modified_in_place_is_detected() -> None:
    x = pa.ones(4, requires_grad=True)
    idx = pa.tensor([0, 1])
    y = x.index_select(0, idx)
    idx.fill_(3)
    with pytest.raises(RuntimeError, match=r"modified by an inplace operation|version"):
        y.sum().backward()


# --------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------
def _x(m: Any) -> Any:
    return m.ones(2, 3)


ERRORS: list[tuple[str, type[Exception], Callable[[Any], Any]]] = [
    ("gather_oob", RuntimeError, lambda m: _x(m).gather(1, _i(m, [[3]]))),
    ("gather_negative", RuntimeError, lambda m: _x(m).gather(1, _i(m, [[-1]]))),
    ("gather_float_index", RuntimeError, lambda m: _x(m).gather(1, m.tensor([[1.0]]))),
    ("gather_ndim", RuntimeError, lambda m: _x(m).gather(1, _i(m, [1]))),
    ("gather_too_big", RuntimeError, lambda m: _x(m).gather(1, m.zeros(3, 1, dtype=m.int64))),
    ("gather_dim", IndexError, lambda m: _x(m).gather(2, _i(m, [[0]]))),
    ("scatter_oob", RuntimeError, lambda m: _x(m).scatter(1, _i(m, [[3]]), 1.0)),
    (
        "scatter_src_small",
        RuntimeError,
        lambda m: _x(m).scatter(1, m.zeros(2, 3, dtype=m.int64), m.ones(1, 1)),
    ),
    (
        "scatter_dtype",
        RuntimeError,
        lambda m: _x(m).scatter(1, _i(m, [[0]]), m.ones(1, 1, dtype=m.float64)),
    ),
    ("scatter_add_oob", RuntimeError, lambda m: _x(m).scatter_add(0, _i(m, [[2]]), m.ones(1, 1))),
    ("index_select_oob", RuntimeError, lambda m: _x(m).index_select(1, _i(m, [3]))),
    ("index_select_neg", RuntimeError, lambda m: _x(m).index_select(1, _i(m, [-1]))),
    ("index_select_2d", IndexError, lambda m: _x(m).index_select(1, _i(m, [[1]]))),
    ("index_select_float", RuntimeError, lambda m: _x(m).index_select(1, m.tensor([1.0]))),
    ("index_add_oob", RuntimeError, lambda m: _x(m).index_add(1, _i(m, [3]), m.ones(2, 1))),
    ("index_add_shape", RuntimeError, lambda m: _x(m).index_add(1, _i(m, [0]), m.ones(2, 2))),
    ("index_copy_oob", IndexError, lambda m: _x(m).index_copy(1, _i(m, [4]), m.ones(2, 1))),
    ("index_fill_oob", IndexError, lambda m: _x(m).index_fill(1, _i(m, [4]), 0.0)),
    ("take_oob", IndexError, lambda m: m.take(_x(m), _i(m, [6]))),
    ("take_neg_oob", IndexError, lambda m: m.take(_x(m), _i(m, [-7]))),
    ("masked_select_float", RuntimeError, lambda m: m.masked_select(_x(m), m.ones(3))),
]


@pytest.mark.parametrize(("name", "exc", "fn"), ERRORS, ids=[e[0] for e in ERRORS])
def test_errors(name: str, exc: type[Exception], fn: Callable[[Any], Any]) -> None:
    with pytest.raises(exc) as info:
        fn(pa)
    if not TORCH_STANDIN:
        op = name.split("_oob")[0].split("_neg")[0]
        assert str(info.value).startswith("["), str(info.value)
        if "oob" in name or "neg" in name:
            assert isinstance(info.value, IndexError) and isinstance(info.value, RuntimeError)
            assert op.split("_")[0] in str(info.value)
    try:
        import torch
    except ImportError:
        return
    with pytest.raises(exc):
        fn(torch)


def test_index_add_second_backward_when_only_self_needs_grad() -> None:
    """index_add's self gradient is the gradient itself: PyTorch saves the index only for
    source's, so with source not requiring grad a second pass (graph freed) runs; with source
    requiring grad it raises in both."""
    torch = pytest.importorskip("torch")
    for L in (pa, torch):
        x = L.ones(1, 3, 2, dtype=L.float64, requires_grad=True)
        y = x.index_add(0, L.tensor([0]), L.ones(1, 3, 2, dtype=L.float64))
        (y * 2).sum().backward()
        (g,) = L.autograd.grad(y.sum(), [x])
        assert g.tolist() == [[[1.0, 1.0]] * 3]
        s = L.ones(1, 3, 2, dtype=L.float64, requires_grad=True)
        y = x.index_add(0, L.tensor([0]), s)
        y.sum().backward()
        with pytest.raises(RuntimeError, match="second time"):
            y.sum().backward()


@pytest.mark.parametrize("op", ["index_fill", "index_copy", "index_add", "index_fill_"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_index_writes_into_an_empty_tensor_do_not_check_the_index(op: str, dim: int) -> None:
    """PyTorch's index_fill/index_copy/index_add return early for an empty self: an index out
    of range is not an error there, but along the dim of size 0 itself for index_fill and
    index_copy (PyTorch: an internal error); index_select always checks."""
    torch = pytest.importorskip("torch")
    raises = dim == 1 and op != "index_add"
    for L in (pa, torch):
        x = L.zeros(1, 0, 1)
        idx = L.tensor([3])
        src = L.zeros([1 if d == dim % 3 else s for d, s in enumerate(x.shape)])
        args = (dim, idx, 3.0 if op.startswith("index_fill") else src)
        if raises:
            with pytest.raises((IndexError, RuntimeError)):
                getattr(x, op)(*args)
        else:
            assert tuple(getattr(x, op)(*args).shape) == (1, 0, 1)
        with pytest.raises(IndexError):
            L.zeros(2, 1).index_fill(0, idx, 1.0)
        with pytest.raises((IndexError, RuntimeError)):
            x.index_select(dim, idx)
