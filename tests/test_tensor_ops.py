"""Element-wise ops, broadcasting, type promotion, matmul, reductions,
comparisons, where, clamp, pow, dtype conversion -- against NumPy."""

import operator
import zlib

import numpy as np
import pytest
from helpers import (
    DTYPES,
    FLOAT_DTYPES,
    LAYOUTS,
    NUMERIC_DTYPES,
    assert_tensor,
    compute_np_dtype,
    div_dtype,
    dname,
    is_float,
    make_tensor,
    np_dtype,
    promote,
    promote_scalar,
    rand_np,
    to_np,
)

import pyautograd as pa


def _seed(*parts):
    """Deterministic per-test RNG (str hash() is randomized per process)."""
    return np.random.default_rng(zlib.crc32(repr(parts).encode()))


# --------------------------------------------------------------------------
# binary arithmetic with broadcasting
# --------------------------------------------------------------------------
BIN = {
    "add": (operator.add, np.add),
    "sub": (operator.sub, np.subtract),
    "mul": (operator.mul, np.multiply),
    "div": (operator.truediv, np.true_divide),
}

BCAST_SHAPES = [
    ((2, 3), (2, 3)),
    ((2, 3), (3,)),
    ((3,), (2, 3)),
    ((2, 3), (2, 1)),
    ((2, 1), (1, 3)),
    ((4, 1, 3), (2, 1)),
    ((3,), ()),
    ((), (2, 3)),
    ((), ()),
    ((0, 3), (3,)),
    ((1,), (2, 3)),
    ((5, 1, 4), (1, 3, 1)),
    ((2, 3, 4), (2, 3, 4)),
]


def _binary_expected(op, a, b, rd):
    cd = compute_np_dtype(rd)
    return BIN[op][1](a.astype(cd), b.astype(cd))


@pytest.mark.parametrize("shapes", BCAST_SHAPES, ids=str)
@pytest.mark.parametrize("op", list(BIN))
@pytest.mark.parametrize("d", NUMERIC_DTYPES, ids=dname)
@pytest.mark.parametrize("layout", ["contiguous", "transposed", "strided"])
def test_binary_broadcast(op, shapes, d, layout):
    rng = _seed(op, shapes, d, layout)
    sa, sb = shapes
    a = rand_np(sa, d, rng)
    b = rand_np(sb, d, rng, kind="nonzero" if op == "div" else "any")
    ta = make_tensor(a, layout)
    tb = make_tensor(b, layout)
    r = BIN[op][0](ta, tb)
    rd = div_dtype(d) if op == "div" else d
    assert_tensor(r, _binary_expected(op, a, b, rd), dtype=rd)
    # inputs untouched
    assert_tensor(ta, a)
    assert_tensor(tb, b)


@pytest.mark.parametrize("op", list(BIN))
@pytest.mark.parametrize("form", ["operator", "method", "function"])
@pytest.mark.parametrize("d", FLOAT_DTYPES, ids=dname)
def test_binary_forms(op, form, d):
    rng = _seed(op, form, d)
    a = rand_np((3, 4), d, rng)
    b = rand_np((4,), d, rng, kind="nonzero")
    ta, tb = pa.tensor(a), pa.tensor(b)
    if form == "operator":
        r = BIN[op][0](ta, tb)
    elif form == "method":
        r = getattr(ta, op)(tb)
    else:
        r = getattr(pa, op)(ta, tb)
    assert_tensor(r, BIN[op][1](a.astype(np.float64), b), dtype=d)


# subtraction involving a bool tensor is an error in torch (see test_tensor_errors)
PROMO_CASES = [
    (op, da, db)
    for op in BIN
    for da in DTYPES
    for db in DTYPES
    if not (op == "sub" and pa.bool in (da, db))
]


@pytest.mark.parametrize(
    "op,da,db", PROMO_CASES, ids=[f"{o}-{dname(a)}-{dname(b)}" for o, a, b in PROMO_CASES]
)
def test_binary_promotion(op, da, db):
    rng = _seed(op, da, db)
    a = rand_np((2, 3), da, rng, kind="pos")
    b = rand_np((3,), db, rng, kind="pos")
    if op == "div" and db == pa.bool:
        b[:] = True  # avoid division by zero
    r = BIN[op][0](pa.tensor(a), pa.tensor(b))
    rd = promote(da, db)
    if op == "div":
        rd = div_dtype(rd)
    assert_tensor(r, _binary_expected(op, a, b, rd), dtype=rd)


SCALARS = [2, -3, 2.5, -0.75, True]


SCALAR_CASES = [
    (op, d, s)
    for op in BIN
    for d in DTYPES
    for s in SCALARS
    if not (op == "sub" and (d == pa.bool or isinstance(s, bool)))
]


@pytest.mark.parametrize(
    "op,d,s", SCALAR_CASES, ids=[f"{o}-{dname(d)}-{s!r}" for o, d, s in SCALAR_CASES]
)
@pytest.mark.parametrize("side", ["right", "left"])
def test_binary_python_scalar(op, d, s, side):
    rng = _seed(op, d, s, side)
    kind = "nonzero" if (op == "div" and side == "left") else "any"
    a = rand_np((2, 3), d, rng, kind=kind)
    if op == "div" and side == "left" and d == pa.bool:
        a[:] = True
    t = pa.tensor(a)
    rd = promote_scalar(d, s)
    if op == "div":
        rd = div_dtype(rd)
    cd = compute_np_dtype(rd)
    sv = np.array(s).astype(cd)
    if side == "right":
        r = BIN[op][0](t, s)
        expected = BIN[op][1](a.astype(cd), sv)
    else:
        r = BIN[op][0](s, t)
        expected = BIN[op][1](sv, a.astype(cd))
    assert_tensor(r, expected, dtype=rd)


def test_scalar_does_not_upcast_float32():
    t = pa.tensor([1.0, 2.0])
    assert (t * 2.5).dtype == pa.float32
    assert (t + 10**6).dtype == pa.float32
    assert (1e-3 / t).dtype == pa.float32
    assert (pa.tensor([1], dtype=pa.float64) + 1).dtype == pa.float64


def test_int_true_division_gives_float32():
    r = pa.tensor([1, 2, 7]) / pa.tensor([2, 4, 2])
    assert_tensor(r, np.array([0.5, 0.5, 3.5]), dtype=pa.float32)
    assert_tensor(pa.tensor([3]) / 2, np.array([1.5]), dtype=pa.float32)
    assert_tensor(3 / pa.tensor([2]), np.array([1.5]), dtype=pa.float32)


def test_int64_exact_arithmetic():
    big = 2**62
    t = pa.tensor([big, -big])
    assert (t + 1).tolist() == [big + 1, -big + 1]
    assert (t - pa.tensor([3, 3])).tolist() == [big - 3, -big - 3]
    assert (pa.tensor([3037000499]) * 3037000499).tolist() == [3037000499**2]


def test_float32_arithmetic_is_float32():
    # 1 + 2**-30 is not representable in float32: the result must round
    t = pa.tensor([1.0]) + 2.0**-30
    assert t.item() == 1.0
    t64 = pa.tensor([1.0], dtype=pa.float64) + 2.0**-30
    assert t64.item() == 1.0 + 2.0**-30


def test_float_division_by_zero():
    r = pa.tensor([1.0, -1.0, 0.0]) / pa.tensor([0.0, 0.0, 0.0])
    v = to_np(r)
    assert v[0] == np.inf and v[1] == -np.inf and np.isnan(v[2])


@pytest.mark.parametrize("d", [pa.float32, pa.int64], ids=dname)
def test_empty_binary(d):
    a = pa.zeros(0, 3, dtype=d)
    b = pa.ones(3, dtype=d)
    for op in ("add", "sub", "mul"):
        r = BIN[op][0](a, b)
        assert tuple(r.shape) == (0, 3) and r.dtype == d
    assert tuple((a / b).shape) == (0, 3)


# --------------------------------------------------------------------------
# unary ops
# --------------------------------------------------------------------------
def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


UNARY = {
    "neg": (np.negative, "any"),
    "abs": (np.abs, "any"),
    "exp": (np.exp, "any"),
    "log": (np.log, "pos"),
    "sqrt": (np.sqrt, "pos"),
    "tanh": (np.tanh, "any"),
    "sigmoid": (_sigmoid, "any"),
    "relu": (lambda x: np.maximum(x, 0), "any"),
}
SHAPES = [(), (0,), (5,), (3, 4), (2, 3, 4)]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("d", FLOAT_DTYPES, ids=dname)
@pytest.mark.parametrize("op", list(UNARY))
@pytest.mark.parametrize("layout", LAYOUTS)
def test_unary_float(op, d, shape, layout):
    fn, kind = UNARY[op]
    rng = _seed(op, d, shape, layout)
    a = rand_np(shape, d, rng, kind=kind)
    t = make_tensor(a, layout)
    expected = fn(a.astype(np.float64))
    assert_tensor(getattr(t, op)(), expected, dtype=d)
    assert_tensor(getattr(pa, op)(t), expected, dtype=d)
    assert_tensor(t, a)  # input untouched


def test_neg_operator():
    a = np.array([[1.5, -2.0], [0.0, 3.0]], dtype=np.float32)
    assert_tensor(-pa.tensor(a), -a, dtype=pa.float32)
    assert_tensor(-pa.tensor([1, -2]), np.array([-1, 2]), dtype=pa.int64)


@pytest.mark.parametrize("op", ["neg", "abs", "relu"])
def test_unary_int_stays_int(op):
    a = np.array([[-3, 0], [2, -7]], dtype=np.int64)
    assert_tensor(getattr(pa.tensor(a), op)(), UNARY[op][0](a), dtype=pa.int64)


@pytest.mark.parametrize("op", ["exp", "log", "sqrt", "tanh", "sigmoid"])
def test_unary_int_to_float32(op):
    a = np.array([1, 2, 4, 9], dtype=np.int64)
    assert_tensor(getattr(pa.tensor(a), op)(), UNARY[op][0](a.astype(np.float64)), dtype=pa.float32)


def test_unary_special_values():
    assert np.isnan(pa.tensor([-1.0]).sqrt().item())
    assert np.isnan(pa.tensor([-1.0]).log().item())
    assert pa.tensor([0.0]).log().item() == -np.inf
    assert pa.tensor([-1000.0]).sigmoid().item() == pytest.approx(0.0, abs=1e-30)
    assert pa.tensor([1000.0]).sigmoid().item() == 1.0
    assert pa.tensor([1000.0]).tanh().item() == 1.0
    assert pa.tensor([-1000.0]).tanh().item() == -1.0
    assert pa.tensor([100.0]).exp().item() == np.inf  # float32 overflow


# --------------------------------------------------------------------------
# pow
# --------------------------------------------------------------------------
@pytest.mark.parametrize("e", [2, 3, 0, 1, -1, 0.5, 2.5, -1.5], ids=repr)
@pytest.mark.parametrize("d", FLOAT_DTYPES, ids=dname)
@pytest.mark.parametrize("layout", ["contiguous", "transposed"])
def test_pow_scalar(e, d, layout):
    rng = _seed(e, d, layout)
    kind = "any" if isinstance(e, int) and e >= 0 else "pos"
    a = rand_np((3, 4), d, rng, kind=kind)
    t = make_tensor(a, layout)
    expected = np.power(a.astype(np.float64), e)
    assert_tensor(t.pow(e), expected, dtype=d)
    assert_tensor(t**e, expected, dtype=d)
    assert_tensor(pa.pow(t, e), expected, dtype=d)


def test_pow_int_tensor():
    a = np.array([-3, 0, 2, 5], dtype=np.int64)
    assert_tensor(pa.tensor(a) ** 2, a**2, dtype=pa.int64)
    assert_tensor(pa.tensor(a) ** 3, a**3, dtype=pa.int64)
    assert_tensor(pa.tensor(np.abs(a)) ** 0.5, np.sqrt(np.abs(a)), dtype=pa.float32)


@pytest.mark.parametrize(
    "shapes",
    [((3, 4), (3, 4)), ((3, 4), (4,)), ((3, 1), (1, 4)), ((2, 3), ()), ((), (5,))],
    ids=str,
)
@pytest.mark.parametrize("d", FLOAT_DTYPES, ids=dname)
def test_pow_tensor_tensor(shapes, d):
    rng = _seed(shapes, d)
    a = rand_np(shapes[0], d, rng, kind="pos")
    b = rand_np(shapes[1], d, rng, kind="any")
    expected = np.power(a.astype(np.float64), b)
    assert_tensor(pa.tensor(a) ** pa.tensor(b), expected, dtype=d)
    assert_tensor(pa.tensor(a).pow(pa.tensor(b)), expected, dtype=d)
    assert_tensor(pa.pow(pa.tensor(a), pa.tensor(b)), expected, dtype=d)


def test_pow_mixed_dtype_tensor():
    a = pa.tensor([1.0, 2.0, 3.0])
    assert_tensor(a ** pa.tensor([2, 3, 0]), np.array([1.0, 8.0, 1.0]), dtype=pa.float32)
    r = pa.tensor([2, 3]) ** pa.tensor([0.5, 2.0], dtype=pa.float64)
    assert_tensor(r, np.array([2**0.5, 9.0]), dtype=pa.float64)


# --------------------------------------------------------------------------
# clamp
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "bounds",
    [dict(min=-0.5, max=0.5), dict(max=0.3), dict(min=0.2), dict(min=1.0, max=1.0)],
    ids=str,
)
@pytest.mark.parametrize("d", FLOAT_DTYPES, ids=dname)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_clamp(bounds, d, layout):
    rng = _seed(bounds, d, layout)
    a = rand_np((3, 4), d, rng)
    t = make_tensor(a, layout)
    expected = np.clip(a.astype(np.float64), bounds.get("min"), bounds.get("max"))
    assert_tensor(t.clamp(**bounds), expected, dtype=d)
    assert_tensor(pa.clamp(t, **bounds), expected, dtype=d)
    assert_tensor(t, a)


def test_clamp_positional_and_int():
    a = np.array([-3.0, -0.1, 0.4, 9.0], dtype=np.float32)
    assert_tensor(pa.tensor(a).clamp(-1.0, 1.0), np.clip(a, -1, 1), dtype=pa.float32)
    i = np.array([-5, 0, 3, 12], dtype=np.int64)
    assert_tensor(pa.tensor(i).clamp(min=0, max=10), np.clip(i, 0, 10), dtype=pa.int64)
    assert_tensor(pa.tensor(i).clamp(max=2), np.minimum(i, 2), dtype=pa.int64)


def test_clamp_0d_and_empty():
    assert_tensor(pa.tensor(5.0).clamp(max=1.0), np.array(1.0))
    assert tuple(pa.zeros(0, 2).clamp(min=0.0).shape) == (0, 2)


# --------------------------------------------------------------------------
# matmul / mm
# --------------------------------------------------------------------------
MATMUL_SHAPES = [
    ((2, 3), (3, 4)),
    ((1, 5), (5, 1)),
    ((3,), (3,)),
    ((3,), (3, 4)),
    ((2, 3), (3,)),
    ((5, 2, 3), (5, 3, 4)),
    ((5, 2, 3), (3, 4)),
    ((2, 3), (5, 3, 4)),
    ((5, 2, 3), (1, 3, 4)),
    ((1, 2, 3), (5, 3, 4)),
    ((3,), (5, 3, 4)),
    ((5, 2, 3), (3,)),
    ((0, 3), (3, 4)),
    ((2, 0), (0, 3)),
    ((2, 3), (3, 0)),
    ((0,), (0,)),
    ((17, 33), (33, 9)),
]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
@pytest.mark.parametrize("d", FLOAT_DTYPES, ids=dname)
@pytest.mark.parametrize("layout", ["contiguous", "transposed", "strided"])
def test_matmul(shapes, d, layout):
    rng = _seed(shapes, d, layout)
    a = rand_np(shapes[0], d, rng)
    b = rand_np(shapes[1], d, rng)
    ta, tb = make_tensor(a, layout), make_tensor(b, layout)
    expected = np.matmul(a.astype(np.float64), b.astype(np.float64))
    atol = 1e-5 if d == pa.float32 else None
    assert_tensor(ta @ tb, expected, dtype=d, atol=atol)
    assert_tensor(ta.matmul(tb), expected, dtype=d, atol=atol)
    assert_tensor(pa.matmul(ta, tb), expected, dtype=d, atol=atol)
    if len(shapes[0]) == 2 and len(shapes[1]) == 2:
        assert_tensor(ta.mm(tb), expected, dtype=d, atol=atol)
        assert_tensor(pa.mm(ta, tb), expected, dtype=d, atol=atol)
    assert_tensor(ta, a)
    assert_tensor(tb, b)


def test_matmul_1d_dot_is_0d():
    r = pa.tensor([1.0, 2.0, 3.0]) @ pa.tensor([4.0, 5.0, 6.0])
    assert r.dim() == 0
    assert r.item() == 32.0


def test_mm_with_t_views():
    rng = np.random.default_rng(3)
    w = rng.standard_normal((4, 3)).astype(np.float32)
    x = rng.standard_normal((5, 3)).astype(np.float32)
    tw, tx = pa.tensor(w), pa.tensor(x)
    assert_tensor(tx.mm(tw.t()), x.astype(np.float64) @ w.T.astype(np.float64), atol=1e-5)
    assert_tensor(tw.t().t().mm(tx.t()), w.astype(np.float64) @ x.T, atol=1e-5)


def test_matmul_int64():
    a = np.arange(6, dtype=np.int64).reshape(2, 3)
    b = np.arange(12, dtype=np.int64).reshape(3, 4) - 5
    assert_tensor(pa.tensor(a) @ pa.tensor(b), a @ b, dtype=pa.int64)


@pytest.mark.parametrize("d", FLOAT_DTYPES, ids=dname)
def test_matmul_large(d):
    rng = np.random.default_rng(4)
    a = rng.standard_normal((120, 200)).astype(np_dtype(d))
    b = rng.standard_normal((200, 90)).astype(np_dtype(d))
    expected = a.astype(np.float64) @ b.astype(np.float64)
    assert_tensor(
        pa.tensor(a) @ pa.tensor(b),
        expected,
        dtype=d,
        rtol=1e-4 if d == pa.float32 else 1e-10,
        atol=1e-3 if d == pa.float32 else 1e-10,
    )


# --------------------------------------------------------------------------
# reductions
# --------------------------------------------------------------------------
RED_SHAPES = [(5,), (3, 4), (2, 3, 4)]


def _red_data(shape, d, rng):
    """Distinct values (no ties for max/min)."""
    n = int(np.prod(shape))
    if d == pa.int64:
        return (rng.permutation(n) - n // 2).reshape(shape).astype(np.int64)
    return rand_np(shape, d, rng)


# mean of an integer tensor is an error in torch (see test_tensor_errors)
RED_OPS = [
    (op, d)
    for op in ["sum", "mean", "max", "min"]
    for d in NUMERIC_DTYPES
    if not (op == "mean" and d == pa.int64)
]


@pytest.mark.parametrize("shape", [*RED_SHAPES, ()], ids=str)
@pytest.mark.parametrize("op,d", RED_OPS, ids=[f"{o}-{dname(d)}" for o, d in RED_OPS])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_reduce_all(op, d, shape, layout):
    rng = _seed(op, d, shape, layout)
    a = _red_data(shape, d, rng)
    t = make_tensor(a, layout)
    cd = compute_np_dtype(d)
    expected = getattr(np, op)(a.astype(cd))
    for r in (getattr(t, op)(), getattr(pa, op)(t)):
        assert r.dim() == 0
        assert_tensor(r, expected, dtype=d)


SUM_MEAN = [(op, d) for op, d in RED_OPS if op in ("sum", "mean")]


@pytest.mark.parametrize("shape", RED_SHAPES, ids=str)
@pytest.mark.parametrize("op,d", SUM_MEAN, ids=[f"{o}-{dname(d)}" for o, d in SUM_MEAN])
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_sum_mean_dim(op, d, shape, keepdim, layout):
    rng = _seed(op, d, shape, keepdim, layout)
    a = _red_data(shape, d, rng)
    t = make_tensor(a, layout)
    cd = compute_np_dtype(d)
    for dim in range(-len(shape), len(shape)):
        expected = getattr(np, op)(a.astype(cd), axis=dim, keepdims=keepdim)
        assert_tensor(getattr(t, op)(dim, keepdim=keepdim), expected, dtype=d)
        assert_tensor(getattr(t, op)(dim=dim, keepdim=keepdim), expected, dtype=d)
        assert_tensor(getattr(pa, op)(t, dim, keepdim=keepdim), expected, dtype=d)
        if not keepdim:
            assert_tensor(getattr(t, op)(dim), expected, dtype=d)


@pytest.mark.parametrize("shape", RED_SHAPES, ids=str)
@pytest.mark.parametrize("d", NUMERIC_DTYPES, ids=dname)
@pytest.mark.parametrize("op", ["max", "min"])
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_max_min_dim(op, d, shape, keepdim, layout):
    rng = _seed(op, d, shape, keepdim, layout)
    a = _red_data(shape, d, rng)
    t = make_tensor(a, layout)
    npv, npi = (np.max, np.argmax) if op == "max" else (np.min, np.argmin)
    for dim in range(-len(shape), len(shape)):
        ev = npv(a, axis=dim, keepdims=keepdim)
        ei = npi(a, axis=dim, keepdims=keepdim)
        for res in (
            getattr(t, op)(dim, keepdim=keepdim),
            getattr(pa, op)(t, dim, keepdim),
            getattr(t, op)(dim=dim, keepdim=keepdim),
        ):
            assert_tensor(res.values, ev, dtype=d)
            assert_tensor(res.indices, ei, dtype=pa.int64)
            values, indices = res  # unpacks as a pair
            assert_tensor(values, ev, dtype=d)
            assert_tensor(indices, ei, dtype=pa.int64)
            assert_tensor(res[0], ev)
            assert_tensor(res[1], ei)


@pytest.mark.parametrize("d", DTYPES, ids=dname)
def test_sum_dtype(d):
    a = (np.arange(6).reshape(2, 3) % 2).astype(np_dtype(d))
    rd = d if is_float(d) else pa.int64  # bool sums to int64
    assert_tensor(pa.tensor(a).sum(), np.array(a.astype(np.int64).sum()), dtype=rd)
    assert_tensor(pa.tensor(a).sum(0), a.astype(np.int64).sum(0), dtype=rd)


def test_reduce_empty():
    e = pa.zeros(0, 3)
    assert_tensor(e.sum(), np.array(0.0), dtype=pa.float32)
    assert_tensor(e.sum(0), np.zeros(3))
    assert_tensor(e.sum(1), np.zeros(0))
    assert_tensor(e.sum(0, keepdim=True), np.zeros((1, 3)))
    assert np.isnan(e.mean().item())
    assert_tensor(e.mean(1), np.zeros(0))
    assert np.isnan(to_np(e.mean(0))).all() and tuple(e.mean(0).shape) == (3,)
    r = e.max(1)
    assert tuple(r.values.shape) == (0,) and tuple(r.indices.shape) == (0,)
    assert_tensor(pa.zeros(0, dtype=pa.int64).sum(), np.array(0), dtype=pa.int64)


def test_reduce_0d_dims():
    s = pa.tensor(3.5)
    assert_tensor(s.sum(0), np.array(3.5))
    assert_tensor(s.sum(-1, keepdim=True), np.array(3.5))
    m = s.max(0)
    assert_tensor(m.values, np.array(3.5))
    assert_tensor(m.indices, np.array(0), dtype=pa.int64)


def test_sum_large_float32_accuracy():
    rng = np.random.default_rng(5)
    a = rng.random(100_000).astype(np.float32)
    assert pa.tensor(a).sum().item() == pytest.approx(a.astype(np.float64).sum(), rel=1e-4)
    assert pa.tensor(a).mean().item() == pytest.approx(a.astype(np.float64).mean(), rel=1e-4)
    b = a.reshape(100, 1000)
    assert_tensor(pa.tensor(b).sum(1), b.astype(np.float64).sum(1), rtol=1e-5, atol=1e-4)


def test_max_bool_and_ints():
    assert pa.tensor([True, False]).max().item() is True
    assert pa.tensor([3, -9, 4]).min().item() == -9
    assert isinstance(pa.tensor([3, -9, 4]).max().item(), int)


# --------------------------------------------------------------------------
# comparisons
# --------------------------------------------------------------------------
CMP = {
    "lt": (operator.lt, np.less),
    "le": (operator.le, np.less_equal),
    "gt": (operator.gt, np.greater),
    "ge": (operator.ge, np.greater_equal),
    "eq": (operator.eq, np.equal),
    "ne": (operator.ne, np.not_equal),
}


@pytest.mark.parametrize(
    "shapes",
    [((3, 4), (3, 4)), ((3, 4), (4,)), ((3, 1), (1, 4)), ((2, 3), ()), ((0, 2), (2,))],
    ids=str,
)
@pytest.mark.parametrize("d", NUMERIC_DTYPES, ids=dname)
@pytest.mark.parametrize("op", list(CMP))
@pytest.mark.parametrize("layout", ["contiguous", "transposed"])
def test_compare_tensor(op, d, shapes, layout):
    rng = _seed(op, d, shapes, layout)
    a = rand_np(shapes[0], d, rng, kind="small")  # small ints -> many ties
    b = rand_np(shapes[1], d, rng, kind="small")
    r = CMP[op][0](make_tensor(a, layout), make_tensor(b, layout))
    assert_tensor(r, CMP[op][1](a, b), dtype=pa.bool)


@pytest.mark.parametrize("s", [0, 1.5, -1], ids=repr)
@pytest.mark.parametrize("d", NUMERIC_DTYPES, ids=dname)
@pytest.mark.parametrize("op", list(CMP))
def test_compare_scalar(op, d, s):
    rng = _seed(op, d, s)
    a = rand_np((3, 4), d, rng, kind="small")
    t = pa.tensor(a)
    assert_tensor(CMP[op][0](t, s), CMP[op][1](a, s), dtype=pa.bool)
    # reflected: s < t  is  t > s
    assert_tensor(CMP[op][0](s, t), CMP[op][1](s, a), dtype=pa.bool)


def test_compare_mixed_dtypes():
    i = pa.tensor([1, 2, 3])
    f = pa.tensor([1.0, 2.5, 3.0])
    assert_tensor(i == f, np.array([True, False, True]), dtype=pa.bool)
    assert_tensor(i < f, np.array([False, True, False]), dtype=pa.bool)
    assert_tensor(pa.tensor([True, False]) == pa.tensor([1, 1]), np.array([True, False]))


def test_compare_0d():
    r = pa.tensor(2.0) > pa.tensor(1.0)
    assert r.dim() == 0 and r.dtype == pa.bool and r.item() is True


# --------------------------------------------------------------------------
# where
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "shapes",
    [
        ((3, 4), (3, 4), (3, 4)),
        ((3, 1), (4,), (3, 4)),
        ((4,), (3, 4), ()),
        ((2, 1, 4), (3, 1), (1,)),
        ((0, 2), (2,), (2,)),
    ],
    ids=str,
)
@pytest.mark.parametrize("d", NUMERIC_DTYPES, ids=dname)
@pytest.mark.parametrize("layout", ["contiguous", "transposed", "strided"])
def test_where(shapes, d, layout):
    rng = _seed(shapes, d, layout)
    c = rng.random(shapes[0]) < 0.5
    a = rand_np(shapes[1], d, rng)
    b = rand_np(shapes[2], d, rng)
    r = pa.where(make_tensor(c, layout), make_tensor(a, layout), make_tensor(b, layout))
    assert_tensor(r, np.where(c, a, b), dtype=d)


def test_where_from_comparison():
    x = pa.tensor([[-1.0, 2.0], [3.0, -4.0]])
    r = pa.where(x > 0, x, pa.zeros(2, 2))
    assert_tensor(r, np.array([[0.0, 2.0], [3.0, 0.0]]))


# --------------------------------------------------------------------------
# dtype conversion
# --------------------------------------------------------------------------
@pytest.mark.parametrize("src", DTYPES, ids=dname)
@pytest.mark.parametrize("dst", DTYPES, ids=dname)
def test_to_dtype(src, dst):
    a = np.array([[0.0, 1.0, -2.0], [3.0, 0.0, 1.0]]).astype(np_dtype(src))
    t = pa.tensor(a)
    r = t.to(dst)
    assert_tensor(r, a.astype(np_dtype(dst)), dtype=dst)
    assert_tensor(t.to(dtype=dst), a.astype(np_dtype(dst)), dtype=dst)
    assert_tensor(t, a, dtype=src)


def test_float_double_methods():
    i = pa.tensor([[1, 2], [3, 4]])
    assert_tensor(i.float(), np.array([[1.0, 2.0], [3.0, 4.0]]), dtype=pa.float32)
    assert_tensor(i.double(), np.array([[1.0, 2.0], [3.0, 4.0]]), dtype=pa.float64)
    x = pa.tensor([0.1, 1.0 / 3])
    dd = x.double()
    assert dd.dtype == pa.float64
    # float32 -> float64 is exact: the values are the float32 roundings
    assert dd.tolist() == [float(np.float32(0.1)), float(np.float32(1.0 / 3))]
    back = pa.tensor([0.1], dtype=pa.float64).float()
    assert back.dtype == pa.float32 and back.item() == float(np.float32(0.1))


def test_to_float_to_int_truncates():
    t = pa.tensor([1.7, -1.7, 2.5, -0.2])
    assert_tensor(t.to(pa.int64), np.array([1, -1, 2, 0]), dtype=pa.int64)
    assert_tensor(pa.tensor([0.0, -0.5, 2.0]).to(pa.bool), np.array([False, True, True]))


def test_conversion_copies_noncontiguous():
    x = pa.tensor(np.arange(6.0).reshape(2, 3), dtype=pa.float32)
    r = x.t().double()
    assert_tensor(r, np.arange(6.0).reshape(2, 3).T, dtype=pa.float64)
    x.zero_()
    assert_tensor(r, np.arange(6.0).reshape(2, 3).T)
