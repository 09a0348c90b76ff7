"""NumPy interop (numpy(), from_numpy, __array__, buffer protocol), tolist,
item, repr/str, threads, legacy Variable-era compat."""

import re
import threading

import numpy as np
import pytest
from helpers import (
    DTYPES,
    FLOAT_DTYPES,
    assert_tensor,
    dname,
    np_dtype,
    pyautograd_only,
    rand_np,
    to_np,
)

import pyautograd as pa


# --------------------------------------------------------------------------
# numpy()
# --------------------------------------------------------------------------
@pytest.mark.parametrize("d", DTYPES, ids=dname)
@pytest.mark.parametrize("shape", [(), (0,), (4,), (2, 3), (2, 0, 3)], ids=str)
def test_numpy_roundtrip(d, shape):
    rng = np.random.default_rng(0)
    a = rand_np(shape, d, rng)
    t = pa.tensor(a)
    n = t.numpy()
    assert isinstance(n, np.ndarray)
    assert n.dtype == np_dtype(d)
    assert n.shape == shape
    np.testing.assert_array_equal(n, a)
    back = pa.tensor(n)
    assert_tensor(back, a, dtype=d)


@pytest.mark.parametrize("d", [pa.float32, pa.float64, pa.int64], ids=dname)
def test_numpy_shares_memory(d):
    t = pa.zeros(2, 3, dtype=d)
    n = t.numpy()
    n[1, 2] = 5
    assert t[1, 2].item() == 5
    t.add_(1)
    np.testing.assert_array_equal(n, np.array([[1, 1, 1], [1, 1, 6]]))
    assert np.shares_memory(n, t.numpy())


def test_numpy_of_views_shares_memory():
    t = pa.tensor(np.arange(12.0).reshape(3, 4), dtype=pa.float32)
    base = t.numpy()
    for v, sl in [
        (t.t(), lambda a: a.T),
        (t[:, ::2], lambda a: a[:, ::2]),
        (t[1:], lambda a: a[1:]),
        (t[2], lambda a: a[2]),
    ]:
        n = v.numpy()
        np.testing.assert_array_equal(n, sl(np.arange(12.0).reshape(3, 4)))
        assert np.shares_memory(n, base)
    n = t.t().numpy()
    n[0, 2] = -1.0  # element (2, 0) of t
    assert t[2, 0].item() == -1.0


def test_array_protocol():
    rng = np.random.default_rng(1)
    for d in DTYPES:
        a = rand_np((3, 2), d, rng)
        t = pa.tensor(a)
        n = np.asarray(t)
        assert n.dtype == np_dtype(d)
        np.testing.assert_array_equal(n, a)
        np.testing.assert_array_equal(np.asarray(t.t()), a.T)
        np.testing.assert_array_equal(np.array(t), a)
    np.testing.assert_allclose(np.asarray(pa.tensor([1.0, 2.0]), dtype=np.float64), [1.0, 2.0])
    assert np.asarray(pa.tensor(2.5)).shape == ()
    # numpy functions accept tensors
    np.testing.assert_allclose(np.sum(np.asarray(pa.ones(3, 3))), 9.0)


# --------------------------------------------------------------------------
# from_numpy
# --------------------------------------------------------------------------
@pytest.mark.parametrize("npd", [np.float32, np.float64, np.int64, np.bool_])
def test_from_numpy_dtype_and_sharing(npd):
    a = (np.arange(6).reshape(2, 3) % 2).astype(npd)
    t = pa.from_numpy(a)
    assert (
        t.dtype
        == {np.float32: pa.float32, np.float64: pa.float64, np.int64: pa.int64, np.bool_: pa.bool}[
            npd
        ]
    )
    assert_tensor(t, a)
    a[0, 0] = 1  # numpy -> tensor
    assert t[0, 0].item() == 1
    t.zero_()  # tensor -> numpy
    assert not a.any()
    assert t.data_ptr() == a.ctypes.data


def test_from_numpy_roundtrip_identity_of_memory():
    a = np.arange(5.0)
    t = pa.from_numpy(a)
    n = t.numpy()
    assert np.shares_memory(a, n)
    n[2] = 42.0
    assert a[2] == 42.0


def test_from_numpy_noncontiguous_array():
    base = np.arange(24.0).reshape(4, 6)
    for a in (base.T, base[:, ::2], base[::2, 1:]):
        t = pa.from_numpy(a)
        assert_tensor(t, a.copy(), dtype=pa.float64)
        assert tuple(t.stride()) == tuple(s // 8 for s in a.strides)
    t = pa.from_numpy(base.T)
    base[0, 5] = -1.0
    assert t[5, 0].item() == -1.0


def test_from_numpy_0d_and_empty():
    t = pa.from_numpy(np.array(3.5))
    assert t.dim() == 0 and t.item() == 3.5
    e = pa.from_numpy(np.zeros((0, 4), dtype=np.float32))
    assert tuple(e.shape) == (0, 4) and e.dtype == pa.float32


def test_from_numpy_ops_match_numpy():
    rng = np.random.default_rng(2)
    a = rng.standard_normal((3, 4)).astype(np.float32)
    b = rng.standard_normal((4, 2)).astype(np.float32)
    r = (pa.from_numpy(a) @ pa.from_numpy(b)).numpy()
    np.testing.assert_allclose(r, a.astype(np.float64) @ b, rtol=1e-5, atol=1e-6)


# --------------------------------------------------------------------------
# buffer protocol (pyautograd-specific: torch tensors don't implement it)
# --------------------------------------------------------------------------
@pyautograd_only
@pytest.mark.parametrize("d", DTYPES, ids=dname)
def test_memoryview(d):
    a = (np.arange(6).reshape(2, 3) % 4).astype(np_dtype(d))
    t = pa.tensor(a)
    m = memoryview(t)
    assert m.ndim == 2
    assert m.shape == (2, 3)
    assert m.itemsize == np_dtype(d).itemsize
    np.testing.assert_array_equal(np.asarray(m), a)
    assert m.tobytes() == a.tobytes()


@pyautograd_only
def test_memoryview_float_formats_and_sharing():
    assert memoryview(pa.zeros(2)).format == "f"
    assert memoryview(pa.zeros(2, dtype=pa.float64)).format == "d"
    t = pa.zeros(3)
    arr = np.asarray(memoryview(t))
    t.add_(2.0)
    np.testing.assert_array_equal(arr, [2.0, 2.0, 2.0])


@pyautograd_only
def test_memoryview_noncontiguous_and_0d():
    t = pa.tensor(np.arange(6.0).reshape(2, 3), dtype=pa.float32)
    np.testing.assert_array_equal(np.asarray(memoryview(t.t())), np.arange(6.0).reshape(2, 3).T)
    assert memoryview(t.t()).tobytes() == np.arange(6.0, dtype=np.float32).reshape(2, 3).T.tobytes()
    s = memoryview(pa.tensor(1.5))
    assert s.ndim == 0 and s.shape == ()


# --------------------------------------------------------------------------
# tolist / item
# --------------------------------------------------------------------------
@pytest.mark.parametrize("d", DTYPES, ids=dname)
@pytest.mark.parametrize("layout", ["contiguous", "t"])
def test_tolist(d, layout):
    rng = np.random.default_rng(3)
    a = rand_np((3, 4), d, rng)
    t = pa.tensor(a)
    if layout == "t":
        t, a = t.t(), a.T
    lst = t.tolist()
    assert lst == a.tolist()
    pytype = {"float32": float, "float64": float, "int64": int, "bool": bool}[dname(d)]
    assert all(type(x) is pytype for row in lst for x in row)


def test_tolist_float32_values_exact():
    a = np.array([0.1, 1 / 3, 1e-8], dtype=np.float32)
    assert pa.tensor(a).tolist() == [float(x) for x in a]


def test_tolist_0d_and_empty():
    assert pa.tensor(2.5).tolist() == 2.5
    assert pa.tensor(7).tolist() == 7 and type(pa.tensor(7).tolist()) is int
    assert pa.zeros(0).tolist() == []
    assert pa.zeros(2, 0).tolist() == [[], []]
    assert pa.zeros(0, 2).tolist() == []


@pytest.mark.parametrize(
    "value,d,pytype",
    [
        (2.5, pa.float32, float),
        (-1.25, pa.float64, float),
        (7, pa.int64, int),
        (True, pa.bool, bool),
    ],
)
def test_item(value, d, pytype):
    t = pa.tensor(value, dtype=d)
    v = t.item()
    assert type(v) is pytype and v == value
    one = pa.tensor([value], dtype=d)  # single-element, not 0-d
    assert one.item() == value
    assert pa.tensor([[value]], dtype=d).item() == value


def test_item_float32_rounding():
    assert pa.tensor(0.1).item() == float(np.float32(0.1))
    assert pa.tensor(0.1, dtype=pa.float64).item() == 0.1


def test_item_of_reduction_and_view():
    x = pa.tensor(np.arange(6.0).reshape(2, 3), dtype=pa.float32)
    assert x.sum().item() == 15.0
    assert x[1, 2].item() == 5.0
    assert x.t()[2, 1].item() == 5.0


# --------------------------------------------------------------------------
# legacy compat (pyautograd-specific: torch raises IndexError)
# --------------------------------------------------------------------------
@pyautograd_only
def test_0d_index_zero_returns_python_number():
    loss = pa.tensor(2.5)
    v = loss[0]
    assert type(v) is float and v == 2.5
    assert loss.data[0] == 2.5
    i = pa.tensor(7)[0]
    assert type(i) is int and i == 7
    s = (pa.tensor([1.0, 2.0]) * 3).sum()
    assert s.data[0] == 9.0
    assert s[0] == s.item()


# --------------------------------------------------------------------------
# repr / str
# --------------------------------------------------------------------------
REPR_CASES = [
    (lambda: pa.tensor([[1.0, 2.0], [3.0, 4.0]]), "tensor([[1., 2.],\n        [3., 4.]])"),
    (lambda: pa.tensor(11128.1064), "tensor(11128.1064)"),
    (lambda: pa.tensor([1, 2, 3]), "tensor([1, 2, 3])"),
    (lambda: pa.tensor([True, False]), "tensor([ True, False])"),
    (lambda: pa.tensor([0.1, 2.5]), "tensor([0.1000, 2.5000])"),
    (lambda: pa.tensor([-1.5, 0.0, 2.25]), "tensor([-1.5000,  0.0000,  2.2500])"),
    (lambda: pa.tensor([[1, -20], [300, 4]]), "tensor([[  1, -20],\n        [300,   4]])"),
    (lambda: pa.tensor(3), "tensor(3)"),
    (lambda: pa.tensor([]), "tensor([])"),
    (
        lambda: pa.tensor(np.arange(6.0).reshape(2, 3), dtype=pa.float32).t(),
        "tensor([[0., 3.],\n        [1., 4.],\n        [2., 5.]])",
    ),
    (
        lambda: pa.zeros(2, 2, 2),
        "tensor([[[0., 0.],\n         [0., 0.]],\n\n        [[0., 0.],\n         [0., 0.]]])",
    ),
    (lambda: pa.tensor([1.5, 2.0], dtype=pa.float64), "tensor([1.5000, 2.0000]"),
    (lambda: pa.tensor(2.5, dtype=pa.float64), "tensor(2.5000"),
]


def _strip_dtype(s):
    return re.sub(r",\s*dtype=[\w.]+\)$", "", s)


@pytest.mark.parametrize(
    "make,expected", REPR_CASES, ids=[f"case{i}" for i in range(len(REPR_CASES))]
)
def test_repr(make, expected):
    t = make()
    r = repr(t)
    assert str(t) == r
    if not expected.endswith(")"):
        # float64: only the numeric part and the prefix are checked, not the
        # dtype suffix text
        assert r.startswith(expected)
        assert r.endswith(")")
    else:
        assert r == expected


@pytest.mark.parametrize("d", DTYPES, ids=dname)
def test_repr_has_dtype_suffix_only_for_float64(d):
    r = repr(pa.zeros(2, dtype=d))
    assert r.startswith("tensor(")
    assert ("dtype=" in r) == (d == pa.float64)


def test_repr_scientific():
    assert repr(pa.tensor([1e10, 1e-5])) == "tensor([1.0000e+10, 1.0000e-05])"


def test_repr_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(9)
    arrays = [
        np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32),
        np.array(11128.1064, dtype=np.float32),
        np.array([1, -2, 30], dtype=np.int64),
        np.array([[True, False], [False, True]]),
        rng.standard_normal((3, 4)).astype(np.float32),
        rng.standard_normal((2, 3, 2)).astype(np.float32),
        rng.standard_normal((2, 3)).astype(np.float64),
        np.array([0.5, -0.25, 100.0], dtype=np.float32),
        np.arange(6, dtype=np.float32).reshape(2, 3) * 1000,
        np.array([np.nan, np.inf, 1.0], dtype=np.float32),
        np.zeros((0,), dtype=np.float32),
        np.array(-3.0, dtype=np.float64),
    ]
    for a in arrays:
        mine = _strip_dtype(repr(pa.tensor(a)))
        ref = _strip_dtype(repr(torch.tensor(a)).replace("torch.", "pyautograd."))
        assert mine == ref, f"\n{mine}\n!=\n{ref}"


# --------------------------------------------------------------------------
# threads
# --------------------------------------------------------------------------
@pytest.fixture
def restore_threads():
    n = pa.get_num_threads()
    yield
    pa.set_num_threads(n)


def test_set_get_num_threads(restore_threads):
    assert pa.get_num_threads() >= 1
    pa.set_num_threads(1)
    assert pa.get_num_threads() == 1
    pa.set_num_threads(3)
    assert pa.get_num_threads() == 3


@pytest.mark.parametrize("d", FLOAT_DTYPES, ids=dname)
def test_results_independent_of_thread_count(restore_threads, d):
    rng = np.random.default_rng(4)
    a = rng.standard_normal((150, 200)).astype(np_dtype(d))
    b = rng.standard_normal((200, 120)).astype(np_dtype(d))
    c = rng.standard_normal((200,)).astype(np_dtype(d))
    results = []
    for n in (1, 4):
        pa.set_num_threads(n)
        ta, tb, tc = pa.tensor(a), pa.tensor(b), pa.tensor(c)
        results.append(
            [
                to_np(ta @ tb),
                to_np((ta * tc + 1.0).exp().sum(1)),
                to_np(ta.t().sum(0)),
                to_np(ta.max(1).values),
                to_np(ta.sum()),
            ]
        )
    tol = dict(rtol=1e-5, atol=1e-4) if d == pa.float32 else dict(rtol=1e-12, atol=1e-12)
    ref_mm = a.astype(np.float64) @ b
    for res in results:
        np.testing.assert_allclose(
            res[0], ref_mm, **(tol if d == pa.float64 else dict(rtol=1e-4, atol=1e-3))
        )
        np.testing.assert_allclose(
            res[1],
            np.exp(a.astype(np.float64) * c + 1.0).sum(1),
            rtol=1e-5 if d == pa.float32 else 1e-12,
        )
        np.testing.assert_allclose(res[2], a.astype(np.float64).sum(1), **tol)
        np.testing.assert_array_equal(res[3], a.max(1))
        np.testing.assert_allclose(res[4], a.astype(np.float64).sum(), rtol=1e-5, atol=1e-3)


def test_ops_from_python_threads(restore_threads):
    """Independent tensors used from several Python threads at once."""
    pa.set_num_threads(2)
    errors = []

    def work(seed):
        try:
            rng = np.random.default_rng(seed)
            a = rng.standard_normal((60, 70)).astype(np.float32)
            b = rng.standard_normal((70, 50)).astype(np.float32)
            for _ in range(5):
                r = to_np(pa.tensor(a) @ pa.tensor(b))
                np.testing.assert_allclose(r, a.astype(np.float64) @ b, rtol=1e-4, atol=1e-4)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(s,)) for s in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors
