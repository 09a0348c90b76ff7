"""In-place ops: add_ sub_ mul_ div_ zero_ fill_ clamp_ copy_ and += -= *= /=."""

import operator

import numpy as np
import pytest
from helpers import (
    FLOAT_DTYPES,
    NUMERIC_DTYPES,
    assert_tensor,
    dname,
    make_tensor,
    np_dtype,
    raises,
    rand_np,
    to_np,
)

import pyautograd as pa

INPLACE = {
    "add_": (operator.iadd, np.add),
    "sub_": (operator.isub, np.subtract),
    "mul_": (operator.imul, np.multiply),
    "div_": (operator.itruediv, np.true_divide),
}


@pytest.mark.parametrize("op", list(INPLACE))
@pytest.mark.parametrize("other_shape", [(3, 4), (4,), (3, 1), (), (1, 4)], ids=str)
@pytest.mark.parametrize("d", FLOAT_DTYPES, ids=dname)
@pytest.mark.parametrize("layout", ["contiguous", "transposed", "strided"])
def test_inplace_method_tensor(op, other_shape, d, layout):
    rng = np.random.default_rng(len(op) + len(other_shape))
    a = rand_np((3, 4), d, rng)
    b = rand_np(other_shape, d, rng, kind="nonzero")
    t = make_tensor(a, layout)
    ptr = t.data_ptr()
    r = getattr(t, op)(pa.tensor(b))
    assert r is t  # returns self
    assert t.data_ptr() == ptr
    assert_tensor(t, INPLACE[op][1](a.astype(np.float64), b), dtype=d)


@pytest.mark.parametrize("op", list(INPLACE))
@pytest.mark.parametrize("s", [2, 0.5, -1.25], ids=repr)
@pytest.mark.parametrize("d", FLOAT_DTYPES, ids=dname)
def test_inplace_method_scalar(op, s, d):
    rng = np.random.default_rng(7)
    a = rand_np((2, 3), d, rng)
    t = pa.tensor(a)
    r = getattr(t, op)(s)
    assert r is t
    assert_tensor(t, INPLACE[op][1](a.astype(np.float64), s), dtype=d)


@pytest.mark.parametrize("op", ["add_", "sub_", "mul_"])
def test_inplace_int64(op):
    a = np.array([[1, -2, 3], [4, 5, -6]], dtype=np.int64)
    t = pa.tensor(a)
    getattr(t, op)(pa.tensor([2, 3, -1]))
    assert_tensor(t, INPLACE[op][1](a, np.array([2, 3, -1])), dtype=pa.int64)
    getattr(t, op)(2)
    assert_tensor(t, INPLACE[op][1](INPLACE[op][1](a, np.array([2, 3, -1])), 2), dtype=pa.int64)


def test_inplace_float_tensor_with_int_and_float64_operand():
    # result dtype of the in-place op stays the tensor's dtype
    t = pa.tensor([1.0, 2.0])
    t.add_(pa.tensor([1, 2]))
    assert_tensor(t, np.array([2.0, 4.0]), dtype=pa.float32)
    t.mul_(pa.tensor([0.5, 0.25], dtype=pa.float64))
    assert_tensor(t, np.array([1.0, 1.0]), dtype=pa.float32)


@pytest.mark.parametrize("op", list(INPLACE))
@pytest.mark.parametrize("other", ["tensor", "scalar"])
def test_augmented_assignment_keeps_identity(op, other):
    a = np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32)
    t = pa.tensor(a)
    view = t[0]  # a view must observe the in-place update
    alias = t
    ptr = t.data_ptr()
    o = pa.tensor([2.0, -4.0]) if other == "tensor" else 2.0
    ov = np.array([2.0, -4.0]) if other == "tensor" else 2.0
    t = INPLACE[op][0](t, o)
    assert t is alias
    assert t.data_ptr() == ptr
    expected = INPLACE[op][1](a.astype(np.float64), ov)
    assert_tensor(alias, expected, dtype=pa.float32)
    assert_tensor(view, expected[0])


def test_augmented_assignment_on_view_changes_base():
    base = pa.tensor(np.arange(12.0).reshape(3, 4), dtype=pa.float32)
    expected = np.arange(12.0).reshape(3, 4)
    v = base[:, ::2]
    v += 100
    expected[:, ::2] += 100
    assert_tensor(base, expected)
    v2 = base.t()
    v2 *= 2
    expected *= 2
    assert_tensor(base, expected)
    row = base[1]
    row -= pa.tensor([1.0, 2.0, 3.0, 4.0])
    expected[1] -= [1.0, 2.0, 3.0, 4.0]
    assert_tensor(base, expected)
    row /= 2
    expected[1] /= 2
    assert_tensor(base, expected)


def test_inplace_method_on_views_changes_base():
    base = pa.zeros(3, 4)
    expected = np.zeros((3, 4))
    base[1:3].add_(1.0)
    expected[1:3] += 1.0
    base.t()[0].mul_(5.0)  # column 0
    expected[:, 0] *= 5.0
    base[:, 1::2].sub_(pa.tensor([[1.0, 2.0]]))
    expected[:, 1::2] -= [[1.0, 2.0]]
    base[2, 3].fill_(-7.0)
    expected[2, 3] = -7.0
    assert_tensor(base, expected)


@pytest.mark.parametrize("d", NUMERIC_DTYPES, ids=dname)
@pytest.mark.parametrize("layout", ["contiguous", "transposed", "strided"])
def test_zero_fill(d, layout):
    a = np.arange(12).reshape(3, 4).astype(np_dtype(d))
    t = make_tensor(a, layout)
    assert t.fill_(3) is t
    assert_tensor(t, np.full((3, 4), 3, dtype=np_dtype(d)), dtype=d)
    assert t.zero_() is t
    assert_tensor(t, np.zeros((3, 4)), dtype=d)


def test_fill_with_0d_tensor_and_float_on_int():
    t = pa.zeros(2, 2)
    t.fill_(pa.tensor(2.5))
    assert_tensor(t, np.full((2, 2), 2.5))
    i = pa.zeros(3, dtype=pa.int64)
    i.fill_(7)
    assert_tensor(i, np.full(3, 7), dtype=pa.int64)


def test_fill_zero_only_touch_view_elements():
    base = pa.ones(4, 6)
    base[:, ::2].zero_()
    expected = np.ones((4, 6))
    expected[:, ::2] = 0
    assert_tensor(base, expected)
    base[1:3, 1:].fill_(9.0)
    expected[1:3, 1:] = 9.0
    assert_tensor(base, expected)


@pytest.mark.parametrize("bounds", [dict(min=-0.5, max=0.5), dict(max=0.1), dict(min=0.3)], ids=str)
@pytest.mark.parametrize("layout", ["contiguous", "transposed"])
def test_clamp_(bounds, layout):
    rng = np.random.default_rng(3)
    a = rand_np((3, 4), pa.float32, rng)
    t = make_tensor(a, layout)
    assert t.clamp_(**bounds) is t
    assert_tensor(t, np.clip(a.astype(np.float64), bounds.get("min"), bounds.get("max")))


def test_clamp_on_view_changes_base():
    base = pa.tensor([[-2.0, 2.0], [-3.0, 3.0]])
    base[1].clamp_(min=-1.0, max=1.0)
    assert_tensor(base, np.array([[-2.0, 2.0], [-1.0, 1.0]]))


@pytest.mark.parametrize("src_shape", [(3, 4), (4,), (3, 1), ()], ids=str)
@pytest.mark.parametrize("dst_layout", ["contiguous", "transposed", "strided"])
@pytest.mark.parametrize("src_layout", ["contiguous", "transposed", "strided"])
def test_copy_(src_shape, dst_layout, src_layout):
    rng = np.random.default_rng(11)
    a = rand_np((3, 4), pa.float32, rng)
    b = rand_np(src_shape, pa.float32, rng)
    dst = make_tensor(a, dst_layout)
    src = make_tensor(b, src_layout)
    assert dst.copy_(src) is dst
    assert_tensor(dst, np.broadcast_to(b, (3, 4)), dtype=pa.float32)
    dst.fill_(0.0)  # no aliasing with the source
    assert_tensor(src, b)


def test_copy_casts_dtype():
    dst = pa.zeros(3)
    dst.copy_(pa.tensor([1.5, 2.5, -3.0], dtype=pa.float64))
    assert_tensor(dst, np.array([1.5, 2.5, -3.0]), dtype=pa.float32)
    di = pa.zeros(3, dtype=pa.int64)
    di.copy_(pa.tensor([1.9, -1.9, 0.0]))
    assert_tensor(di, np.array([1, -1, 0]), dtype=pa.int64)
    df = pa.zeros(2, dtype=pa.float64)
    df.copy_(pa.tensor([True, False]))
    assert_tensor(df, np.array([1.0, 0.0]), dtype=pa.float64)


def test_copy_into_view_changes_base():
    base = pa.zeros(3, 3)
    base[1].copy_(pa.tensor([1.0, 2.0, 3.0]))
    base.t()[2].copy_(pa.tensor([7.0, 8.0, 9.0]))
    assert_tensor(base, np.array([[0, 0, 7], [1, 2, 8], [0, 0, 9]], dtype=np.float64))


def test_inplace_0d_and_empty():
    s = pa.tensor(2.0)
    s.add_(1.0)
    s *= 3
    assert_tensor(s, np.array(9.0))
    e = pa.zeros(0, 3)
    e.add_(pa.ones(3))
    e.fill_(1.0)
    e.zero_()
    assert tuple(e.shape) == (0, 3)


# --------------------------------------------------------------------------
# failing in-place ops leave the tensor unchanged
# --------------------------------------------------------------------------
@pytest.mark.parametrize("op", ["add_", "sub_", "mul_", "div_", "copy_"])
@pytest.mark.parametrize(
    "a_shape,b_shape", [((2, 3), (4,)), ((3,), (2, 3)), ((2, 3), (3, 2)), ((2, 1), (2, 3))], ids=str
)
def test_failed_inplace_leaves_tensor_unchanged(op, a_shape, b_shape):
    rng = np.random.default_rng(5)
    a = rand_np(a_shape, pa.float32, rng)
    b = rand_np(b_shape, pa.float32, rng, kind="nonzero")
    ta, tb = pa.tensor(a), pa.tensor(b)
    name = op.rstrip("_")
    with raises(RuntimeError, rf"{name}_?"):
        getattr(ta, op)(tb)
    assert_tensor(ta, a)
    assert tuple(ta.shape) == a_shape
    assert_tensor(tb, b)


@pytest.mark.parametrize("op", ["iadd", "isub", "imul", "itruediv"])
def test_failed_augmented_assignment_leaves_tensor_unchanged(op):
    a = np.arange(6.0).reshape(2, 3).astype(np.float32)
    ta = pa.tensor(a)
    with pytest.raises(RuntimeError):
        getattr(operator, op)(ta, pa.ones(4))
    assert_tensor(ta, a)


def test_failed_inplace_on_view_leaves_base_unchanged():
    base = pa.tensor(np.arange(12.0).reshape(3, 4), dtype=pa.float32)
    with pytest.raises(RuntimeError):
        base[:, ::2].add_(pa.ones(3))  # view is (3, 2)
    assert_tensor(base, np.arange(12.0).reshape(3, 4))


@pytest.mark.parametrize("op", ["add_", "sub_", "mul_"])
def test_inplace_int_with_float_rejected(op):
    # torch: "result type Float can't be cast to the desired output type Long"
    t = pa.tensor([1, 2, 3])
    with raises(RuntimeError, rf"{op.rstrip('_')}_?"):
        getattr(t, op)(pa.tensor([0.5, 0.5, 0.5]))
    assert_tensor(t, np.array([1, 2, 3]), dtype=pa.int64)


def test_inplace_div_int_rejected():
    t = pa.tensor([2, 4])
    with raises(RuntimeError, "div_?"):
        t.div_(2)
    assert_tensor(t, np.array([2, 4]), dtype=pa.int64)
    with pytest.raises(RuntimeError):
        t /= 2
    assert_tensor(t, np.array([2, 4]), dtype=pa.int64)


def test_inplace_returns_self_chain():
    t = pa.ones(3)
    r = t.add_(1).mul_(3).sub_(1).div_(5).clamp_(max=0.9)
    assert r is t
    np.testing.assert_allclose(to_np(t), np.full(3, 0.9), rtol=1e-6)
