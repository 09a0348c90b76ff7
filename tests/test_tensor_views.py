"""Views (t, transpose, view, reshape, expand, slicing), strides, metadata,
indexing reads and writes."""

import numpy as np
import pytest
from helpers import DTYPES, assert_tensor, dname, np_dtype, rand_np, to_np

import pyautograd as pa

ITEMSIZE = {"float32": 4, "float64": 8, "int64": 8, "bool": 1}


def arange_t(*shape, d=pa.float32):
    n = int(np.prod(shape)) if shape else 1
    a = np.arange(n).reshape(shape).astype(np_dtype(d))
    return pa.tensor(a), a


# --------------------------------------------------------------------------
# metadata
# --------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(), (0,), (5,), (2, 3), (2, 0, 4), (2, 3, 4)])
def test_metadata(shape):
    t = pa.zeros(shape)
    assert t.shape == shape
    assert t.size() == shape
    assert tuple(t.size()) == shape
    assert len(t.size()) == len(shape)
    assert t.dim() == len(shape)
    assert t.numel() == int(np.prod(shape))
    for i in range(len(shape)):
        assert t.size(i) == shape[i]
        assert t.size()[i] == shape[i]
        assert t.size(i - len(shape)) == shape[i]
        assert t.shape[i] == shape[i]
    if shape:
        assert len(t) == shape[0]
        assert t.size(-1) == shape[-1]


def test_shape_unpacking():
    a, b = pa.zeros(2, 3).shape
    assert (a, b) == (2, 3)
    n, m = pa.zeros(4, 5).size()
    assert (n, m) == (4, 5)
    assert list(pa.zeros(4, 5).size()) == [4, 5]


@pytest.mark.parametrize(
    "shape,strides",
    [((), ()), ((5,), (1,)), ((2, 3), (3, 1)), ((2, 3, 4), (12, 4, 1)), ((3, 1), (1, 1))],
)
def test_contiguous_strides(shape, strides):
    t = pa.zeros(shape)
    assert tuple(t.stride()) == strides
    assert t.is_contiguous()
    assert t.storage_offset() == 0


# --------------------------------------------------------------------------
# t / transpose
# --------------------------------------------------------------------------
@pytest.mark.parametrize("d", DTYPES, ids=dname)
def test_t_is_view(d):
    x, a = arange_t(2, 3, d=pa.float64)
    x = x.to(d)
    a = a.astype(np_dtype(d))
    y = x.t()
    assert_tensor(y, a.T, dtype=d)
    assert tuple(y.stride()) == (1, 3)
    assert not y.is_contiguous()
    assert y.data_ptr() == x.data_ptr()
    x.zero_()
    assert_tensor(y, np.zeros((3, 2), dtype=np_dtype(d)))


def test_t_functional_and_small_dims():
    x, a = arange_t(3, 4)
    assert_tensor(pa.t(x), a.T)
    v, va = arange_t(4)
    assert_tensor(v.t(), va)  # 1-D t() is the identity
    s = pa.tensor(2.0)
    assert_tensor(s.t(), np.array(2.0))


def test_t_write_through_view():
    x, a = arange_t(2, 3)
    y = x.t()
    y[0] = pa.tensor([-1.0, -2.0])
    a[:, 0] = [-1.0, -2.0]
    assert_tensor(x, a)


@pytest.mark.parametrize("d0,d1", [(0, 1), (1, 2), (0, 2), (2, 0), (-1, 0), (-1, -2), (1, 1)])
def test_transpose(d0, d1):
    x, a = arange_t(2, 3, 4)
    y = x.transpose(d0, d1)
    assert_tensor(y, np.swapaxes(a, d0, d1))
    assert_tensor(pa.transpose(x, d0, d1), np.swapaxes(a, d0, d1))
    s = list(x.stride())
    s[d0], s[d1] = s[d1], s[d0]
    assert tuple(y.stride()) == tuple(s)
    x.mul_(2)
    assert_tensor(y, np.swapaxes(a * 2, d0, d1))


def test_double_transpose_is_contiguous_again():
    x, a = arange_t(3, 4)
    y = x.t().t()
    assert y.is_contiguous()
    assert_tensor(y, a)


# --------------------------------------------------------------------------
# view / reshape
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args,shape",
    [
        ((6,), (6,)),
        ((3, 2), (3, 2)),
        (((3, 2),), (3, 2)),
        (([1, 6],), (1, 6)),
        ((-1,), (6,)),
        ((2, -1), (2, 3)),
        ((-1, 1, 2), (3, 1, 2)),
        ((1, 2, 1, 3), (1, 2, 1, 3)),
    ],
)
@pytest.mark.parametrize("method", ["view", "reshape"])
def test_view_reshape_contiguous_share_memory(method, args, shape):
    x, a = arange_t(2, 3)
    y = getattr(x, method)(*args)
    assert_tensor(y, a.reshape(shape))
    assert y.data_ptr() == x.data_ptr()
    x.add_(10.0)
    assert_tensor(y, a.reshape(shape) + 10)
    y.mul_(0.0)
    assert_tensor(x, np.zeros((2, 3)))


def test_reshape_functional_and_0d():
    x, a = arange_t(2, 3)
    assert_tensor(pa.reshape(x, (3, 2)), a.reshape(3, 2))
    assert_tensor(pa.reshape(x, (-1,)), a.reshape(-1))
    s = pa.tensor(5.0)
    assert_tensor(s.view(1), np.array([5.0]))
    assert_tensor(s.reshape(1, 1), np.array([[5.0]]))
    assert_tensor(pa.tensor([5.0]).view(()), np.array(5.0))
    e = pa.zeros(0, 3)
    assert tuple(e.view(3, 0).shape) == (3, 0)
    assert tuple(e.reshape(-1).shape) == (0,)


def test_reshape_noncontiguous_copies():
    x, a = arange_t(3, 4)
    y = x.t()
    r = y.reshape(12)
    assert_tensor(r, a.T.reshape(12))
    x.zero_()  # r is a copy: unaffected
    assert_tensor(r, a.T.reshape(12))


def test_view_on_compatible_noncontiguous():
    # splitting/merging dims that are contiguous among themselves is allowed
    x, a = arange_t(4, 6)
    y = x[:, ::2]  # (4, 3) strides (6, 2)
    v = y.view(2, 2, 3)
    assert_tensor(v, a[:, ::2].reshape(2, 2, 3))
    x.zero_()
    assert_tensor(v, np.zeros((2, 2, 3)))


def test_view_noncontiguous_incompatible_raises():
    x, _ = arange_t(3, 4)
    with pytest.raises(RuntimeError):
        x.t().view(12)
    with pytest.raises(RuntimeError):
        x[:, :3].view(9)  # (3, 3) with strides (4, 1)
    # (3, 2) with strides (4, 2) is uniformly strided: flattening is a view
    y = x[:, ::2].view(6)
    assert_tensor(y, np.arange(12.0).reshape(3, 4)[:, ::2].reshape(6))


# --------------------------------------------------------------------------
# expand
# --------------------------------------------------------------------------
def test_expand_row_and_column():
    r = pa.tensor([1.0, 2.0, 3.0])
    e = r.expand(2, 3)
    assert_tensor(e, np.broadcast_to([1.0, 2.0, 3.0], (2, 3)))
    assert tuple(e.stride()) == (0, 1)
    c = pa.tensor([[1.0], [2.0]])
    e2 = c.expand(-1, 4)
    assert_tensor(e2, np.broadcast_to([[1.0], [2.0]], (2, 4)))
    assert tuple(e2.stride()) == (1, 0)
    e3 = c.expand((3, 2, 4))
    assert_tensor(e3, np.broadcast_to([[1.0], [2.0]], (3, 2, 4)))
    assert e3.stride()[0] == 0


def test_expand_is_view():
    r = pa.tensor([1.0, 2.0, 3.0])
    e = r.expand(4, 3)
    r[1] = 9.0
    assert_tensor(e, np.broadcast_to([1.0, 9.0, 3.0], (4, 3)))
    assert e.data_ptr() == r.data_ptr()


def test_expand_contiguous_copies():
    r = pa.tensor([1.0, 2.0])
    e = r.expand(3, 2)
    c = e.contiguous()
    assert c.is_contiguous()
    assert tuple(c.stride()) == (2, 1)
    assert_tensor(c, np.broadcast_to([1.0, 2.0], (3, 2)))
    r.zero_()
    assert_tensor(c, np.broadcast_to([1.0, 2.0], (3, 2)))


def test_expand_0d():
    s = pa.tensor(4.0)
    assert_tensor(s.expand(2, 2), np.full((2, 2), 4.0))


# --------------------------------------------------------------------------
# slicing & integer indexing (views)
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "key",
    [
        slice(1, 3),
        slice(None, None, 2),
        slice(-2, None),
        slice(1, None, 3),
        slice(5, 10),
        slice(0, 0),
        2,
        -1,
        (slice(None), slice(None, None, 2)),
        (slice(1, 3), slice(1, None)),
        (1, 2),
        (-1, -1),
        (1, slice(None, None, 2)),
        (slice(None), 0),
        (slice(None, None, 2), slice(None, None, 3)),
    ],
    ids=str,
)
@pytest.mark.parametrize("d", [pa.float32, pa.int64], ids=dname)
def test_getitem_matches_numpy_and_is_view(key, d):
    x, a = arange_t(4, 6, d=d)
    y = x[key]
    expected = a[key]
    assert_tensor(y, expected, dtype=d)
    # view: writes to the base are visible
    x.add_(100)
    assert_tensor(y, expected + 100)


def test_slice_strides_offsets_data_ptr():
    x, _ = arange_t(4, 6)
    isz = ITEMSIZE["float32"]
    y = x[1:3]
    assert tuple(y.stride()) == (6, 1)
    assert y.storage_offset() == 6
    assert y.is_contiguous()
    assert y.data_ptr() == x.data_ptr() + 6 * isz
    z = x[:, ::2]
    assert tuple(z.stride()) == (6, 2)
    assert not z.is_contiguous()
    assert z.storage_offset() == 0
    w = x[2, 3]
    assert w.dim() == 0
    assert w.storage_offset() == 15
    assert w.data_ptr() == x.data_ptr() + 15 * isz
    r = x[3]
    assert tuple(r.shape) == (6,) and r.storage_offset() == 18
    # chained views accumulate offsets
    c = x[1:][:, 2:][1]
    assert c.storage_offset() == 2 * 6 + 2
    assert_tensor(c, np.arange(24.0).reshape(4, 6)[1:][:, 2:][1])


@pytest.mark.parametrize("d", DTYPES, ids=dname)
def test_data_ptr_itemsize(d):
    x = pa.zeros(3, 4, dtype=d)
    assert x[1].data_ptr() - x.data_ptr() == 4 * ITEMSIZE[dname(d)]


def test_write_through_slices():
    x, a = arange_t(4, 6)
    x[1:3].mul_(-1)
    a[1:3] *= -1
    assert_tensor(x, a)
    x[:, ::2].fill_(0.5)
    a[:, ::2] = 0.5
    assert_tensor(x, a)
    x[3].zero_()
    a[3] = 0
    assert_tensor(x, a)
    v = x[0, 1]
    v.fill_(42.0)
    a[0, 1] = 42.0
    assert_tensor(x, a)


def test_integer_index_0d_result():
    x, a = arange_t(3, 4)
    v = x[1, 2]
    assert v.dim() == 0 and tuple(v.shape) == ()
    assert v.item() == a[1, 2]


def test_1d_index_and_len():
    x, a = arange_t(5)
    assert len(x) == 5
    assert x[0].item() == 0.0 and x[-1].item() == 4.0
    assert_tensor(x[1:4], a[1:4])
    assert len(pa.zeros(0, 3)) == 0


# --------------------------------------------------------------------------
# contiguous / clone
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "make",
    [
        lambda x: x.t(),
        lambda x: x[:, ::2],
        lambda x: x[::2, 1:],
        lambda x: x.transpose(0, 1)[1:],
    ],
    ids=["t", "colstep", "rowstep", "t_slice"],
)
def test_contiguous_noncontiguous(make):
    x, _ = arange_t(4, 6)
    y = make(x)
    expected = to_np(y)
    assert not y.is_contiguous()
    c = y.contiguous()
    assert c.is_contiguous()
    assert_tensor(c, expected)
    n = len(expected.shape)
    assert tuple(c.stride()) == tuple(int(np.prod(expected.shape[i + 1 :])) for i in range(n))
    x.fill_(-5.0)
    assert_tensor(c, expected)  # a copy


def test_contiguous_on_contiguous_shares():
    x, a = arange_t(2, 3)
    c = x.contiguous()
    assert c.data_ptr() == x.data_ptr()
    x.add_(1)
    assert_tensor(c, a + 1)


@pytest.mark.parametrize("d", DTYPES, ids=dname)
@pytest.mark.parametrize("layout", ["contiguous", "t"])
def test_clone(d, layout):
    rng = np.random.default_rng(0)
    a = rand_np((3, 4), d, rng)
    x = pa.tensor(a)
    if layout == "t":
        x, a = x.t(), a.T
    c = x.clone()
    c2 = pa.clone(x)
    assert_tensor(c, a, dtype=d)
    assert_tensor(c2, a, dtype=d)
    assert c.data_ptr() != x.data_ptr()
    x.zero_()
    assert_tensor(c, a)
    c2.fill_(1)
    assert_tensor(x, np.zeros(a.shape, dtype=np_dtype(d)))


def test_clone_0d_and_empty():
    assert_tensor(pa.tensor(1.5).clone(), np.array(1.5))
    assert_tensor(pa.zeros(0, 2).clone(), np.zeros((0, 2)))


# --------------------------------------------------------------------------
# boolean-mask reads / writes
# --------------------------------------------------------------------------
@pytest.mark.parametrize("d", [pa.float32, pa.float64, pa.int64], ids=dname)
@pytest.mark.parametrize("layout", ["contiguous", "t"])
def test_mask_read(d, layout):
    rng = np.random.default_rng(1)
    a = rand_np((4, 5), d, rng)
    x = pa.tensor(a)
    if layout == "t":
        x, a = x.t(), a.T
    m = x > 0
    r = x[m]
    assert r.dim() == 1
    assert_tensor(r, a[a > 0], dtype=d)
    r.fill_(0)  # mask indexing returns a copy
    assert_tensor(x, a)


def test_mask_read_all_false_and_all_true():
    x, a = arange_t(2, 3)
    assert tuple(x[x > 100].shape) == (0,)
    assert_tensor(x[x >= 0], a.reshape(-1))
    m = pa.tensor([True, False, True])
    assert_tensor(pa.tensor([1.0, 2.0, 3.0])[m], np.array([1.0, 3.0]))


@pytest.mark.parametrize("d", [pa.float32, pa.float64, pa.int64], ids=dname)
def test_mask_write_scalar(d):
    rng = np.random.default_rng(2)
    a = rand_np((3, 4), d, rng)
    x = pa.tensor(a)
    x[x < 0] = 0
    a[a < 0] = 0
    assert_tensor(x, a, dtype=d)


def test_mask_write_through_view():
    x, a = arange_t(4, 6)
    y = x[:, ::2]
    y[y > 10] = -1.0
    v = a[:, ::2]
    v[v > 10] = -1.0
    assert_tensor(x, a)


# --------------------------------------------------------------------------
# index writes
# --------------------------------------------------------------------------
def test_setitem_int_scalar_and_tensor():
    x, a = arange_t(3, 4)
    x[1] = 5.0
    a[1] = 5.0
    assert_tensor(x, a)
    x[0] = pa.tensor([9.0, 8.0, 7.0, 6.0])
    a[0] = [9.0, 8.0, 7.0, 6.0]
    assert_tensor(x, a)
    x[2] = pa.tensor(-3.0)  # 0-d tensor broadcast over the row
    a[2] = -3.0
    assert_tensor(x, a)
    x[-1] = pa.tensor([1.0, 2.0, 3.0, 4.0])  # negative index
    a[-1] = [1.0, 2.0, 3.0, 4.0]
    assert_tensor(x, a)
    x[1, 2] = 0.25
    a[1, 2] = 0.25
    assert_tensor(x, a)


def test_setitem_1d():
    x = pa.zeros(4, dtype=pa.int64)
    x[2] = 7
    x[-1] = 3
    assert_tensor(x, np.array([0, 0, 7, 3]), dtype=pa.int64)


def test_setitem_slice_tensor():
    x, a = arange_t(4, 3)
    src = np.array([[-1.0, -2.0, -3.0], [-4.0, -5.0, -6.0]])
    x[1:3] = pa.tensor(src)
    a[1:3] = src
    assert_tensor(x, a)
    x[::2] = pa.tensor([0.5, 0.25, 0.125])  # broadcast a row
    a[::2] = [0.5, 0.25, 0.125]
    assert_tensor(x, a)
    x[2:4] = 1.0
    a[2:4] = 1.0
    assert_tensor(x, a)


def test_setitem_from_noncontiguous_and_other_dtype():
    x = pa.zeros(2, 3)
    src_np = np.arange(6.0).reshape(3, 2)
    x[0:2] = pa.tensor(src_np, dtype=pa.float64).t()
    assert_tensor(x, src_np.T, dtype=pa.float32)


def test_setitem_visible_in_views():
    x, a = arange_t(3, 4)
    v = x.t()
    x[1] = 0.0
    a[1] = 0.0
    assert_tensor(v, a.T)
    r = x[2]
    r[1] = 99.0  # writing into a view writes the base
    a[2, 1] = 99.0
    assert_tensor(x, a)
