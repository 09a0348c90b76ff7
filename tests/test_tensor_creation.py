"""Creation functions, dtypes, devices, random generation."""

import numpy as np
import pytest
from helpers import DTYPES, FLOAT_DTYPES, TORCH_STANDIN, assert_tensor, dname, np_dtype, to_np

import pyautograd as pa


# --------------------------------------------------------------------------
# dtypes & devices
# --------------------------------------------------------------------------
def test_dtype_objects_distinct():
    ds = [pa.float32, pa.float64, pa.int64, pa.bool]
    for i, a in enumerate(ds):
        for j, b in enumerate(ds):
            assert (a == b) == (i == j)


def test_default_dtype_is_float32():
    assert pa.zeros(2).dtype == pa.float32
    assert pa.ones(2, 3).dtype == pa.float32
    assert pa.randn(2).dtype == pa.float32
    assert pa.rand(2).dtype == pa.float32
    assert pa.empty(2).dtype == pa.float32
    assert pa.tensor(1.5).dtype == pa.float32
    assert pa.tensor([1.0, 2.0]).dtype == pa.float32


@pytest.mark.parametrize(
    "data,expected",
    [
        (3, "int64"),
        (3.0, "float32"),
        (True, "bool"),
        ([1, 2], "int64"),
        ([1, 2.5], "float32"),
        ([True, False], "bool"),
        ([True, 2], "int64"),
        ([[1.0], [2]], "float32"),
        ([], "float32"),
    ],
)
def test_tensor_infers_dtype(data, expected):
    assert pa.tensor(data).dtype == getattr(pa, expected)


def test_device_cpu():
    d = pa.device("cpu")
    t = pa.zeros(2, device="cpu")
    assert_tensor(t, np.zeros(2))
    t2 = pa.zeros(2, device=d)
    assert_tensor(t2, np.zeros(2))
    assert t.device == pa.device("cpu")
    assert str(t.device) == "cpu"
    assert_tensor(pa.tensor([1.0, 2.0], device="cpu"), np.array([1.0, 2.0]))
    assert_tensor(pa.ones(2, 2, device="cpu", dtype=pa.float64), np.ones((2, 2)), dtype=pa.float64)


@pytest.mark.parametrize(
    "make",
    [
        lambda: pa.zeros(2, device="cuda"),
        lambda: pa.ones(2, device="cuda"),
        lambda: pa.tensor([1.0], device="cuda"),
        lambda: pa.randn(2, device="cuda"),
        lambda: pa.zeros(2, device="foo"),
    ],
    ids=["zeros", "ones", "tensor", "randn", "bogus"],
)
def test_non_cpu_device_rejected(make):
    # torch built without CUDA raises AssertionError; pyautograd must raise
    # RuntimeError or ValueError
    excs = (
        (RuntimeError, ValueError, AssertionError) if TORCH_STANDIN else (RuntimeError, ValueError)
    )
    with pytest.raises(excs):
        make()


# --------------------------------------------------------------------------
# zeros / ones / full / empty
# --------------------------------------------------------------------------
SIZE_FORMS = [
    ((2, 3), (2, 3)),
    (([2, 3],), (2, 3)),
    (((2, 3),), (2, 3)),
    ((4,), (4,)),
    ((0,), (0,)),
    ((2, 0, 3), (2, 0, 3)),
    (((),), ()),
    ((1, 1, 1), (1, 1, 1)),
]


@pytest.mark.parametrize("args,shape", SIZE_FORMS)
@pytest.mark.parametrize("fn,npfn", [("zeros", np.zeros), ("ones", np.ones)])
def test_zeros_ones_sizes(fn, npfn, args, shape):
    t = getattr(pa, fn)(*args)
    assert tuple(t.shape) == shape
    assert_tensor(t, npfn(shape), dtype=pa.float32)


@pytest.mark.parametrize("d", DTYPES, ids=dname)
@pytest.mark.parametrize("fn,npfn", [("zeros", np.zeros), ("ones", np.ones)])
def test_zeros_ones_dtype(fn, npfn, d):
    t = getattr(pa, fn)(3, 2, dtype=d)
    assert_tensor(t, npfn((3, 2), dtype=np_dtype(d)), dtype=d)
    assert t.is_contiguous()


def test_requires_grad_kwarg():
    assert pa.zeros(2, requires_grad=True).requires_grad is True
    assert pa.zeros(2).requires_grad is False
    assert pa.ones(2, 2, requires_grad=True, dtype=pa.float64).requires_grad is True
    assert pa.tensor([1.0, 2.0], requires_grad=True).requires_grad is True
    assert pa.randn(3, requires_grad=True).requires_grad is True
    assert pa.full((2,), 1.0, requires_grad=True).requires_grad is True


@pytest.mark.parametrize(
    "fill,d", [(1.5, pa.float32), (7, pa.int64), (True, pa.bool), (-2.25, pa.float32)]
)
def test_full_infers_dtype(fill, d):
    t = pa.full((2, 3), fill)
    assert_tensor(t, np.full((2, 3), fill, dtype=np_dtype(d)), dtype=d)


@pytest.mark.parametrize("d", DTYPES, ids=dname)
def test_full_dtype_kwarg(d):
    t = pa.full([3], 1, dtype=d)
    assert_tensor(t, np.full(3, 1, dtype=np_dtype(d)), dtype=d)
    assert_tensor(pa.full((), 2.5, dtype=pa.float64), np.array(2.5), dtype=pa.float64)


@pytest.mark.parametrize("d", DTYPES, ids=dname)
def test_empty(d):
    t = pa.empty(2, 5, dtype=d)
    assert tuple(t.shape) == (2, 5) and t.dtype == d
    assert tuple(pa.empty((3,)).shape) == (3,)
    assert tuple(pa.empty([0, 4]).shape) == (0, 4)


# --------------------------------------------------------------------------
# *_like
# --------------------------------------------------------------------------
@pytest.mark.parametrize("d", DTYPES, ids=dname)
def test_like_preserves_shape_dtype(d):
    src = pa.zeros(2, 3, dtype=d)
    for fn, npfn in [(pa.zeros_like, np.zeros), (pa.ones_like, np.ones)]:
        assert_tensor(fn(src), npfn((2, 3), dtype=np_dtype(d)), dtype=d)
    assert_tensor(pa.full_like(src, 1), np.ones((2, 3), dtype=np_dtype(d)), dtype=d)
    e = pa.empty_like(src)
    assert tuple(e.shape) == (2, 3) and e.dtype == d


@pytest.mark.parametrize("d", FLOAT_DTYPES, ids=dname)
def test_random_like(d):
    src = pa.zeros(4, 5, dtype=d)
    r = pa.rand_like(src)
    assert tuple(r.shape) == (4, 5) and r.dtype == d
    v = to_np(r)
    assert (v >= 0).all() and (v < 1).all()
    n = pa.randn_like(src)
    assert tuple(n.shape) == (4, 5) and n.dtype == d
    assert np.unique(to_np(n)).size > 1


def test_like_dtype_override_and_noncontiguous_source():
    src = pa.zeros(3, 2).t()  # non-contiguous source
    z = pa.zeros_like(src, dtype=pa.float64)
    assert_tensor(z, np.zeros((2, 3)), dtype=pa.float64)
    o = pa.ones_like(src, dtype=pa.int64)
    assert_tensor(o, np.ones((2, 3), dtype=np.int64), dtype=pa.int64)
    f = pa.full_like(src, 2.5)
    assert_tensor(f, np.full((2, 3), 2.5), dtype=pa.float32)
    # full_like keeps the source dtype: an int source truncates the fill value
    fi = pa.full_like(pa.zeros(2, dtype=pa.int64), 2.7)
    assert_tensor(fi, np.array([2, 2]), dtype=pa.int64)


def test_like_of_0d_and_empty():
    assert_tensor(pa.ones_like(pa.tensor(3.0)), np.array(1.0), dtype=pa.float32)
    assert_tensor(pa.zeros_like(pa.zeros(0, 2)), np.zeros((0, 2)))


def test_like_is_independent_storage():
    src = pa.zeros(3)
    o = pa.zeros_like(src)
    o.fill_(5.0)
    assert_tensor(src, np.zeros(3))


# --------------------------------------------------------------------------
# arange / linspace
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args,kw,npargs,d",
    [
        ((5,), {}, (5,), pa.int64),
        ((2, 7), {}, (2, 7), pa.int64),
        ((1, 10, 3), {}, (1, 10, 3), pa.int64),
        ((10, 0, -3), {}, (10, 0, -3), pa.int64),
        ((0, 1, 0.25), {}, (0, 1, 0.25), pa.float32),
        ((0.0, 3.0), {}, (0.0, 3.0), pa.float32),
        ((5,), {"dtype": pa.float64}, (5,), pa.float64),
        ((-1.5, 1.5, 0.5), {"dtype": pa.float64}, (-1.5, 1.5, 0.5), pa.float64),
        ((0,), {}, (0,), pa.int64),
    ],
)
def test_arange(args, kw, npargs, d):
    t = pa.arange(*args, **kw)
    assert_tensor(t, np.arange(*npargs, dtype=np_dtype(d)), dtype=d)


@pytest.mark.parametrize(
    "start,end,steps", [(0, 1, 5), (-1, 1, 3), (2, 3, 1), (2, 3, 0), (0, 10, 11), (1, -1, 4)]
)
@pytest.mark.parametrize("d", [None, pa.float64], ids=["default", "float64"])
def test_linspace(start, end, steps, d):
    kw = {} if d is None else {"dtype": d}
    t = pa.linspace(start, end, steps, **kw)
    expected_dtype = pa.float32 if d is None else d
    assert_tensor(t, np.linspace(start, end, steps), dtype=expected_dtype)


LINSPACE_BOUNDS = [
    (-3, 10, 4), (-3.0, 10, 4), (3.0, 10, 4), (-255, 10, 3), (-256, 10, 3), (200, 10, 3),
    (128, 0, 3), (-129, 0, 3), (-0.5, 1, 3), (255.5, 0, 2), (float("nan"), 1, 2),
    (float("inf"), 1, 2), (True, False, 3), (70000, 0, 2), (1e10, 0, 2), (1e39, 0, 2),
    (-3, -3.0, 5), (5, -3, 5), (-1, 1, 3), (-200, 10, 3), (10, -300, 3),
]  # fmt: skip


@pytest.mark.skipif(TORCH_STANDIN, reason="compares with PyTorch")
@pytest.mark.parametrize("dt", ["uint8", "int8", "int16", "int32", "int64", "float32", "bool"])
@pytest.mark.parametrize("as_tensor", [False, True], ids=["numbers", "tensors"])
def test_linspace_integer_dtype_bounds_match_torch(dt, as_tensor):
    """An int bound wraps into uint8 (-3 -> 253) as PyTorch's Scalar conversion lets it; a
    float bound out of the dtype's range, NaN or inf in an integer dtype, raise as PyTorch."""
    torch = pytest.importorskip("torch")

    def run(lib, start, end, steps):
        if as_tensor:
            start, end = lib.tensor(start), lib.tensor(end)
        try:
            return lib.linspace(start, end, steps, dtype=getattr(lib, dt)).tolist()
        except (RuntimeError, ValueError, TypeError) as e:
            return type(e)

    for start, end, steps in LINSPACE_BOUNDS:
        want = run(torch, start, end, steps)
        got = run(pa, start, end, steps)
        if isinstance(want, type):  # PyTorch raises RuntimeError (NotImplementedError: bool)
            assert isinstance(got, type) and issubclass(got, RuntimeError), (start, end, got)
        else:
            np.testing.assert_array_equal(got, want, err_msg=f"{(start, end, steps, dt)}")


@pytest.mark.skipif(TORCH_STANDIN, reason="compares with PyTorch")
@pytest.mark.parametrize("dt", ["int64", "int32", "int16", "int8", "uint8", "bool"])
def test_arange_integer_dtypes_match_torch(dt):
    """int64 truncates the bounds and the step and counts in integers; the other integer types
    count in double and step from the truncated start by the truncated step, wrapping."""
    torch = pytest.importorskip("torch")

    def run(lib, args):
        try:
            return lib.arange(*args, dtype=getattr(lib, dt)).tolist()
        except (RuntimeError, ValueError, TypeError) as e:
            return RuntimeError if isinstance(e, RuntimeError) else type(e)

    cases = [
        (-0.5, 3), (0.5, 3), (0, 2.5), (0, 3, 1.5), (0, 3, 0.5), (-2.7, 3.2, 0.9),
        (3.5, -0.5, -1), (0, 1, 0.3), (-0.5, 0.4), (2.9, 3), (-3, 5), (-3.0, 5), (-3, 5, 2),
        (250, 260), (-300, 3, 100), (5, -3, -1), (0, 300, 50), (0, 3, 0), (0, 3, 0.0),
        (3, 0, 0.5), (0, 3, -0.5), (0, -3, 0.5), (10,), (2.5,), (1e10, 1e10 + 5),
    ]  # fmt: skip
    for args in cases:
        assert run(pa, args) == run(torch, args), (dt, args)


def test_linspace_bound_errors_match_torch():
    torch = pytest.importorskip("torch")
    for lib in (torch, pa):
        with pytest.raises(RuntimeError, match="0-dimensional start and end tensors"):
            lib.linspace(lib.tensor([1.0]), 2, 3)
        with pytest.raises(RuntimeError, match="0-dimensional start and end tensors"):
            lib.linspace(1, lib.tensor([[2]]), 3)
        with pytest.raises(TypeError):
            lib.linspace("a", 2, 3)
        with pytest.raises(TypeError):
            lib.linspace(1, None, 3)
    assert pa.linspace(np.float32(-1), np.int64(1), 3).tolist() == [-1.0, 0.0, 1.0]


def test_reshape_and_view_without_a_shape_raise_type_error():
    torch = pytest.importorskip("torch")
    for lib in (torch, pa):
        x = lib.ones(2, 3)
        for call in (x.reshape, x.view, x.tile, x.flip, lambda x=x, lib=lib: lib.reshape(x)):
            with pytest.raises(TypeError):
                call()
    y = pa.ones(())
    assert y.reshape(()).shape == () and y.reshape([]).shape == ()
    assert pa.ones(2, 3).reshape(6).shape == (6,)


# --------------------------------------------------------------------------
# tensor(data)
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "data",
    [
        2.5,
        -3,
        True,
        [1.0, 2.0, 3.0],
        [[1, 2], [3, 4]],
        [[[1.5], [2.5]], [[3.5], [4.5]]],
        [[True, False]],
        [],
        [[], []],
        [[1.0, 2.0], [3.0, 4.0]],
    ],
)
def test_tensor_from_python(data):
    t = pa.tensor(data)
    expected = np.array(data)
    if expected.dtype == np.float64:
        expected = expected.astype(np.float32)
    assert_tensor(
        t,
        expected,
        dtype={
            np.dtype(np.float32): pa.float32,
            np.dtype(np.int64): pa.int64,
            np.dtype(np.bool_): pa.bool,
        }[expected.dtype],
    )


@pytest.mark.parametrize("d", DTYPES, ids=dname)
def test_tensor_dtype_kwarg(d):
    data = [[0, 1, 2], [3, 0, 5]]
    t = pa.tensor(data, dtype=d)
    assert_tensor(t, np.array(data).astype(np_dtype(d)), dtype=d)


def test_tensor_float_to_int_dtype_truncates():
    t = pa.tensor([1.7, -1.7, 0.2], dtype=pa.int64)
    assert_tensor(t, np.array([1, -1, 0]), dtype=pa.int64)


def test_tensor_float64_precision_preserved():
    vals = [1.0 + 1e-12, 0.1, 1e300, -(2.0**-60)]
    t = pa.tensor(vals, dtype=pa.float64)
    assert t.tolist() == vals  # exact
    big = 2**62 + 1  # not representable as a double
    ti = pa.tensor([big, -big])
    assert ti.tolist() == [big, -big]


@pytest.mark.parametrize("npd", [np.float32, np.float64, np.int64, np.bool_])
def test_tensor_from_numpy_preserves_dtype_and_copies(npd):
    a = (np.arange(6).reshape(2, 3) % 3).astype(npd)
    t = pa.tensor(a)
    expected = a.copy()
    assert (
        t.dtype
        == {np.float32: pa.float32, np.float64: pa.float64, np.int64: pa.int64, np.bool_: pa.bool}[
            npd
        ]
    )
    a[...] = a.dtype.type(1) if npd is not np.bool_ else False
    a[0, 0] = 0 if npd is not np.bool_ else True
    assert_tensor(t, expected)  # tensor() copies
    snapshot = a.copy()
    t.fill_(1)
    np.testing.assert_array_equal(a, snapshot)  # and vice versa


@pytest.mark.parametrize("view", ["T", "step", "step_rows", "T_step"])
def test_tensor_from_noncontiguous_numpy(view):
    base = np.arange(24, dtype=np.float32).reshape(4, 6)
    a = {"T": base.T, "step": base[:, ::2], "step_rows": base[::2], "T_step": base.T[1::2, ::3]}[
        view
    ]
    assert not a.flags.c_contiguous
    t = pa.tensor(a)
    expected = a.copy()
    assert_tensor(t, expected, dtype=pa.float32)
    base += 100  # tensor() copied
    assert_tensor(t, expected)


def test_tensor_from_readonly_numpy():
    a = np.arange(5, dtype=np.float64)
    a.setflags(write=False)
    t = pa.tensor(a)
    assert_tensor(t, np.arange(5.0), dtype=pa.float64)
    t.add_(1.0)  # the copy is writable
    assert_tensor(t, np.arange(5.0) + 1)
    np.testing.assert_array_equal(a, np.arange(5.0))


def test_tensor_from_numpy_0d_and_empty():
    assert_tensor(pa.tensor(np.array(2.5)), np.array(2.5), dtype=pa.float64)
    assert_tensor(pa.tensor(np.zeros((0, 3), dtype=np.float32)), np.zeros((0, 3)), dtype=pa.float32)


# --------------------------------------------------------------------------
# random
# --------------------------------------------------------------------------
@pytest.mark.parametrize("fn", ["randn", "rand"])
def test_manual_seed_reproducible(fn):
    f = getattr(pa, fn)
    pa.manual_seed(123)
    a = to_np(f(4, 5))
    b = to_np(f(4, 5))
    pa.manual_seed(123)
    c = to_np(f(4, 5))
    d = to_np(f(4, 5))
    np.testing.assert_array_equal(a, c)
    np.testing.assert_array_equal(b, d)
    assert not np.array_equal(a, b)  # successive draws differ
    pa.manual_seed(124)
    e = to_np(f(4, 5))
    assert not np.array_equal(a, e)  # other seed, other values


def test_manual_seed_reproducible_like_and_dtype():
    pa.manual_seed(7)
    a = to_np(pa.randn_like(pa.zeros(3, dtype=pa.float64)))
    b = to_np(pa.rand(3, dtype=pa.float64))
    pa.manual_seed(7)
    np.testing.assert_array_equal(a, to_np(pa.randn_like(pa.zeros(3, dtype=pa.float64))))
    np.testing.assert_array_equal(b, to_np(pa.rand(3, dtype=pa.float64)))


@pytest.mark.parametrize("d", FLOAT_DTYPES, ids=dname)
def test_rand_distribution(d):
    pa.manual_seed(0)
    t = pa.rand(200, 100, dtype=d)
    assert tuple(t.shape) == (200, 100) and t.dtype == d
    v = to_np(t)
    assert v.min() >= 0.0 and v.max() < 1.0
    assert abs(v.mean() - 0.5) < 0.02
    assert abs(v.var() - 1 / 12) < 0.01
    assert np.unique(v).size > 19000


@pytest.mark.parametrize("d", FLOAT_DTYPES, ids=dname)
def test_randn_distribution(d):
    pa.manual_seed(1)
    t = pa.randn((200, 100), dtype=d)
    assert tuple(t.shape) == (200, 100) and t.dtype == d
    v = to_np(t).astype(np.float64)
    assert abs(v.mean()) < 0.03
    assert abs(v.std() - 1.0) < 0.03
    assert (v < 0).mean() == pytest.approx(0.5, abs=0.03)
    assert (np.abs(v) < 1).mean() == pytest.approx(0.6827, abs=0.02)
    assert np.isfinite(v).all()


@pytest.mark.parametrize(
    "args,shape",
    [
        ((3,), (3,)),
        ((2, 3), (2, 3)),
        (((2, 3),), (2, 3)),
        (([4, 1],), (4, 1)),
        ((0,), (0,)),
        (((),), ()),
    ],
)
@pytest.mark.parametrize("fn", ["randn", "rand"])
def test_random_sizes(fn, args, shape):
    assert tuple(getattr(pa, fn)(*args).shape) == shape
