"""Advanced indexing: integer tensors, lists and bool masks among ints, slices, None and
Ellipsis, for reads and writes, against PyTorch (skipped without it) and finite differences.

Reads copy; the gradient of a read with repeated indices accumulates. Writes are index_put
without accumulation (`x[idx] += v` with repeated indices adds v once, as in PyTorch), and
`index_put_(..., accumulate=True)` sums. Writes on tensors autograd tracks record an
IndexPutBackward: the values get the gradient at the written elements, the overwritten input
a zero there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from grad_helpers import check_grads
from helpers import TORCH_STANDIN

import pyautograd as pa


def _i(m: Any, a: Any) -> Any:
    return m.tensor(np.asarray(a, dtype=np.int64))


def _b(m: Any, a: Any) -> Any:
    return m.tensor(np.asarray(a, dtype=bool))


# (name, shape, index builder idx(m) -> the index expression)
READS: list[tuple[str, tuple[int, ...], Callable[[Any], Any]]] = [
    ("tensor", (5, 3), lambda m: _i(m, [4, 0, 4, -1])),
    ("list", (5, 3), lambda m: [0, 2]),
    ("list_neg", (5, 3), lambda m: [-5, -1, 2]),
    ("tensor_2d", (5, 3), lambda m: _i(m, [[1, 2], [3, 3]])),
    ("tensor_0d", (5, 3), lambda m: _i(m, 3)),
    ("empty_list", (5, 3), lambda m: _i(m, np.zeros(0))),
    ("row_slice", (4, 5), lambda m: (_i(m, [1, 3]), slice(None))),
    ("col", (4, 5), lambda m: (slice(None), _i(m, [4, 0, 4]))),
    ("col_list", (4, 5), lambda m: (slice(1, 3), [2, 0])),
    ("ellipsis", (2, 3, 4), lambda m: (Ellipsis, _i(m, [3, 1]))),
    ("pair", (4, 5), lambda m: (_i(m, [0, 3, 3]), _i(m, [4, 4, 1]))),
    ("pair_bcast", (4, 5), lambda m: (_i(m, [[0], [3]]), _i(m, [1, 2, 4]))),
    ("pair_lists", (4, 5), lambda m: ([0, 1], [2, 3])),
    ("separated", (3, 4, 5), lambda m: (_i(m, [0, 2]), slice(None), _i(m, [1, 4]))),
    ("separated_bcast", (3, 4, 5), lambda m: (_i(m, [[1], [0]]), slice(None), _i(m, [0, 3]))),
    ("int_then_tensor", (3, 4, 5), lambda m: (1, slice(None), _i(m, [1, 2]))),
    ("int_and_tensors", (3, 4, 5), lambda m: (1, _i(m, [0, 2]), _i(m, [1, 1]))),
    ("newaxis", (3, 4), lambda m: (None, _i(m, [0, 1]))),
    ("newaxis_mid", (3, 4), lambda m: (slice(None), None, _i(m, [0, 3]))),
    ("step_slice", (6, 4), lambda m: (slice(None, None, 2), _i(m, [3, 0]))),
    ("mask_list", (4, 3), lambda m: [True, False, True, True]),
    ("mask_col", (3, 4), lambda m: (slice(None), _b(m, [True, False, False, True]))),
    ("mask_2d", (3, 4), lambda m: _b(m, np.arange(12).reshape(3, 4) % 3 == 0)),
    ("mask_and_tensor", (3, 4), lambda m: (_b(m, [True, False, True]), _i(m, [1, 3]))),
    ("mask_of_3d", (2, 3, 4), lambda m: (slice(None), _b(m, np.eye(3, 4, dtype=bool)))),
    ("bool_true", (2, 3), lambda m: (True, _i(m, [1]))),
]


def _pair(shape: tuple[int, ...], dtype: str, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if dtype == "int64":
        return rng.integers(-9, 10, size=shape).astype(np.int64)
    return rng.standard_normal(shape).astype(dtype)


def _np(t: Any) -> np.ndarray:
    return np.asarray(t.detach().numpy())


@pytest.mark.parametrize("strided", [False, True], ids=["contiguous", "transposed"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
@pytest.mark.parametrize(("name", "shape", "idx"), READS, ids=[r[0] for r in READS])
def test_read_against_torch(
    name: str, shape: tuple, idx: Callable, dtype: str, strided: bool
) -> None:
    torch = pytest.importorskip("torch")
    a = _pair(shape, dtype)
    grad = dtype != "int64"
    res = []
    for m in (pa, torch):
        if strided:  # a transposed leaf, transposed back: non-contiguous with the same values
            leaf = m.tensor(np.ascontiguousarray(np.swapaxes(a, 0, -1)), requires_grad=grad)
            x = leaf.transpose(0, -1)
        else:
            leaf = m.tensor(a, requires_grad=grad)
            x = leaf
        out = x[idx(m)]
        res.append((leaf, out))
    (pl, po), (tl, to) = res
    assert tuple(po.shape) == tuple(to.shape)
    assert str(po.dtype).split(".")[-1] == str(to.dtype).split(".")[-1]
    np.testing.assert_array_equal(_np(po), to.detach().numpy())
    if grad and to.numel():
        w = np.random.default_rng(2).standard_normal(tuple(to.shape)).astype(dtype)
        (po * pa.tensor(w)).sum().backward()
        (to * torch.tensor(w)).sum().backward()
        np.testing.assert_allclose(_np(pl.grad), tl.grad.numpy(), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(("name", "shape", "idx"), READS, ids=[r[0] for r in READS])
def test_read_gradcheck(name: str, shape: tuple, idx: Callable) -> None:
    x = pa.tensor(_pair(shape, "float64", seed=3), requires_grad=True)
    if x[idx(pa)].numel() == 0:
        return
    check_grads(lambda t: t[idx(pa)] * 1.5, x)


def test_read_is_a_copy_and_repeated_indices_accumulate() -> None:
    x = pa.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x[[2, 2, 0, 2]]
    (y * pa.tensor([1.0, 10.0, 100.0, 1000.0])).sum().backward()
    np.testing.assert_array_equal(_np(x.grad), [100.0, 0.0, 1011.0])
    z = pa.arange(4.0)
    r = z[pa.tensor([1, 2])]
    z.fill_(-1.0)
    np.testing.assert_array_equal(_np(r), [1.0, 2.0])


# --------------------------------------------------------------------------
# writes
# --------------------------------------------------------------------------
WRITES: list[tuple[str, tuple[int, ...], Callable[[Any], Any], Callable[[Any], Any]]] = [
    ("tensor_scalar", (5, 3), lambda m: _i(m, [4, 0, -1]), lambda m: 2.5),
    ("tensor_row", (5, 3), lambda m: _i(m, [4, 1]), lambda m: m.tensor([7.0, 8.0, 9.0])),
    ("tensor_full", (5, 3), lambda m: _i(m, [4, 1]), lambda m: m.ones(2, 3) * 3),
    ("list", (5, 3), lambda m: [0, 2], lambda m: m.tensor([[1.0], [2.0]])),
    ("col", (4, 5), lambda m: (slice(None), _i(m, [4, 0])), lambda m: -1.0),
    ("pair", (4, 5), lambda m: (_i(m, [0, 3]), _i(m, [4, 1])), lambda m: m.tensor([5.0, 6.0])),
    (
        "separated",
        (3, 4, 5),
        lambda m: (_i(m, [0, 2]), slice(None), _i(m, [1, 4])),
        lambda m: m.zeros(2, 4),
    ),
    (
        "int_then_tensor",
        (3, 4, 5),
        lambda m: (1, slice(None), _i(m, [1, 2])),
        lambda m: m.ones(4, 2),
    ),
    (
        "mask_and_tensor",
        (3, 4),
        lambda m: (_b(m, [True, False, True]), _i(m, [1, 3])),
        lambda m: 0.5,
    ),
    ("mask_col", (3, 4), lambda m: (slice(None), _b(m, [True, False, False, True])), lambda m: 4.0),
    ("repeated", (5,), lambda m: _i(m, [1, 1, 3]), lambda m: m.tensor([1.0, 2.0, 3.0])),
    ("empty", (5,), lambda m: _i(m, np.zeros(0)), lambda m: 1.0),
]


@pytest.mark.parametrize("grad", [False, True], ids=["plain", "autograd"])
@pytest.mark.parametrize(("name", "shape", "idx", "val"), WRITES, ids=[w[0] for w in WRITES])
def test_write_against_torch(
    name: str, shape: tuple, idx: Callable, val: Callable, grad: bool
) -> None:
    torch = pytest.importorskip("torch")
    a = _pair(shape, "float64")
    res = []
    for m in (pa, torch):
        leaf = m.tensor(a, requires_grad=grad)
        v = val(m)
        if isinstance(v, m.Tensor):
            v = v.double()  # index_put requires the dtypes to match (as PyTorch does)
        vleaf = None
        if grad and isinstance(v, m.Tensor):
            vleaf = v.detach().double().requires_grad_()
            v = vleaf * 1
        x = leaf * 1 if grad else leaf.clone()
        x[idx(m)] = v
        res.append((leaf, vleaf, x))
    (pl, pv, px), (tl, tv, tx) = res
    if name == "repeated":  # which write of a repeated index wins is unspecified in PyTorch
        np.testing.assert_array_equal(_np(px)[[0, 2, 4]], tx.detach().numpy()[[0, 2, 4]])
        return
    np.testing.assert_array_equal(_np(px), tx.detach().numpy())
    if grad:
        w = np.random.default_rng(5).standard_normal(shape)
        (px * pa.tensor(w)).sum().backward()
        (tx * torch.tensor(w)).sum().backward()
        np.testing.assert_allclose(_np(pl.grad), tl.grad.numpy())
        if tv is not None:
            np.testing.assert_allclose(_np(pv.grad), tv.grad.numpy())


@pytest.mark.parametrize("accumulate", [False, True])
def test_index_put_against_torch(accumulate: bool) -> None:
    torch = pytest.importorskip("torch")
    a = _pair((4, 5), "float64")
    vals = _pair((3,), "float64", seed=9)
    res = []
    for m in (pa, torch):
        leaf = m.tensor(a, requires_grad=True)
        v = m.tensor(vals, requires_grad=True)
        idx = (_i(m, [0, 3, 0]), _i(m, [4, 1, 4]) if accumulate else _i(m, [4, 1, 2]))
        y = leaf.index_put(idx, v, accumulate=accumulate)
        x = leaf * 2
        x.index_put_(idx, v * 3, accumulate)
        w = np.random.default_rng(1).standard_normal((4, 5))
        ((y + x) * m.tensor(w)).sum().backward()
        res.append((y, x, leaf.grad, v.grad))
    for p, t in zip(res[0], res[1], strict=True):
        np.testing.assert_allclose(_np(p), t.detach().numpy())
    z = pa.zeros(4)
    z.index_put_((pa.tensor([1, 1, 2]),), pa.tensor(1.0), accumulate=True)
    np.testing.assert_array_equal(_np(z), [0, 2, 1, 0])
    np.testing.assert_array_equal(
        _np(pa.index_put(z, (pa.tensor([0]),), pa.tensor(5.0))), [5, 2, 1, 0]
    )


def test_iadd_with_repeated_indices_does_not_accumulate() -> None:
    x = pa.zeros(4)
    idx = pa.tensor([1, 1, 3])
    x[idx] += 1.0
    np.testing.assert_array_equal(_np(x), [0, 1, 0, 1])  # index_put without accumulate
    torch = pytest.importorskip("torch")
    grads = []
    for m in (pa, torch):
        leaf = m.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
        y = leaf * 1
        y[m.tensor([1, 1, 3])] += m.tensor([10.0, 10.0, 30.0])
        np.testing.assert_array_equal(_np(y), [1.0, 12.0, 3.0, 34.0])
        (y * m.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
        grads.append(_np(leaf.grad))
    np.testing.assert_array_equal(grads[0], grads[1])


def test_write_gradcheck() -> None:
    x = pa.tensor(_pair((4, 5), "float64"), requires_grad=True)
    v = pa.tensor(_pair((2, 5), "float64", seed=2), requires_grad=True)

    def f(t: Any, u: Any) -> Any:
        y = t * 1
        y[pa.tensor([3, 1])] = u * 2
        y[:, [0, 4]] = y[:, [4, 0]] * 3
        return y

    check_grads(f, x, v)

    def g(t: Any, u: Any) -> Any:
        return t.index_put((pa.tensor([3, 1, 3]),), u[0], accumulate=True)

    check_grads(g, x, v)


def test_write_into_a_view_without_autograd_reaches_the_base() -> None:
    base = pa.zeros(3, 4)
    base[1][pa.tensor([0, 2])] = 5.0
    base[:, [3]] = pa.tensor([[1.0], [2.0], [3.0]])
    ref = np.zeros((3, 4))
    ref[1, [0, 2]] = 5.0
    ref[:, 3] = [1.0, 2.0, 3.0]
    np.testing.assert_array_equal(_np(base), ref)


def test_write_value_aliasing_self() -> None:
    x = pa.arange(5.0)
    x[[1, 2, 3, 4]] = x[:4]
    np.testing.assert_array_equal(_np(x), [0, 0, 1, 2, 3])


def test_write_on_leaf_requiring_grad_raises() -> None:
    x = pa.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        x[pa.tensor([0])] = 1.0


def test_nonzero_and_argwhere_against_torch() -> None:
    torch = pytest.importorskip("torch")
    a = np.array([[0, 1.5, 0], [2, 0, -1]])
    for arr in (a, a[0], np.zeros((0, 3)), np.array(0.0), np.array(3.0)):
        p, t = pa.tensor(arr), torch.tensor(arr)
        np.testing.assert_array_equal(_np(pa.nonzero(p)), torch.nonzero(t).numpy())
        np.testing.assert_array_equal(_np(p.argwhere()), torch.argwhere(t).numpy())
        for pp, tt in zip(p.nonzero(as_tuple=True), t.nonzero(as_tuple=True), strict=True):
            np.testing.assert_array_equal(_np(pp), tt.numpy())
    assert pa.nonzero(pa.tensor(a)).dtype == pa.int64


# --------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------
ERRORS: list[tuple[str, type[Exception], Callable[[Any], Any]]] = [
    ("oob", IndexError, lambda m: m.ones(2, 3)[_i(m, [2])]),
    ("oob_neg", IndexError, lambda m: m.ones(2, 3)[:, [-4]]),
    ("oob_list", IndexError, lambda m: m.ones(2, 3)[[0, 5]]),
    ("float_index", IndexError, lambda m: m.ones(2, 3)[m.tensor([1.0])]),
    ("too_many", IndexError, lambda m: m.ones(2, 3)[_i(m, [0]), _i(m, [0]), _i(m, [0])]),
    ("bcast", IndexError, lambda m: m.ones(2, 3)[_i(m, [0, 1]), _i(m, [0, 1, 2])]),
    ("mask_shape", IndexError, lambda m: m.ones(2, 3)[_b(m, [True, False, True])]),
    ("write_shape", RuntimeError, lambda m: m.ones(2, 3).__setitem__(_i(m, [0, 1]), m.ones(3, 3))),
    ("write_oob", IndexError, lambda m: m.ones(2, 3).__setitem__(_i(m, [2]), 1.0)),
    (
        "put_dtype",
        RuntimeError,
        lambda m: m.ones(3).index_put_((_i(m, [0]),), m.ones(1, dtype=m.float64)),
    ),
]


@pytest.mark.parametrize(("name", "exc", "fn"), ERRORS, ids=[e[0] for e in ERRORS])
def test_errors(name: str, exc: type[Exception], fn: Callable[[Any], Any]) -> None:
    with pytest.raises(exc) as info:
        fn(pa)
    if not TORCH_STANDIN:
        assert str(info.value).startswith("["), str(info.value)
    try:
        import torch
    except ImportError:
        return
    with pytest.raises(exc):
        fn(torch)
