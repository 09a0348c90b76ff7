"""Property-based hardening tests (hypothesis): random shapes (0-d, empty, broadcastable pairs),
dtypes and memory layouts (contiguous, transposed, step-sliced) for the element-wise, reduction,
matmul, view and in-place ops against NumPy, and random chains of differentiable float64 ops
whose gradients must match central finite differences (tests/grad_helpers.check_grads).

Every test runs under the "pyautograd-hardening" profile (derandomize=True, no deadline, no
example database), so a CI run always tries the same examples; sizes are kept small so the whole
file takes a few seconds.
"""

import math
import operator
import warnings

import numpy as np
import pytest
from grad_helpers import check_grads
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
    to_np,
)
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import pyautograd as pa
from pyautograd.autograd import Function

settings.register_profile(
    "pyautograd-hardening",
    derandomize=True,
    deadline=None,
    database=None,
    max_examples=40,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PROFILE = settings.get_profile("pyautograd-hardening")


def prop(max_examples):
    """The hardening profile with a per-test example budget."""
    return settings(PROFILE, max_examples=max_examples)


NAN, INF = float("nan"), float("inf")
SPECIALS = [NAN, INF, -INF, 0.0, -0.0]

# --------------------------------------------------------------------------
# strategies
# --------------------------------------------------------------------------
dtypes = st.sampled_from(DTYPES)
numeric_dtypes = st.sampled_from(NUMERIC_DTYPES)
float_dtypes = st.sampled_from(FLOAT_DTYPES)
layouts = st.sampled_from(LAYOUTS)
shapes = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4)
nonempty_shapes = hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=4)


def elements(d, special=False, lo=-10.0, hi=10.0):
    if d == pa.bool:
        return st.booleans()
    if d == pa.int64:
        return st.integers(int(lo), int(hi))
    finite = st.floats(lo, hi, width=32 if d == pa.float32 else 64)
    if special:
        return st.one_of(finite, finite, finite, st.sampled_from(SPECIALS))
    return finite


@st.composite
def arrays(draw, d=None, shape=None, special=False, lo=-10.0, hi=10.0):
    """(numpy array, pyautograd tensor with the same values in a random layout)."""
    d = draw(dtypes) if d is None else d
    shape = draw(shapes) if shape is None else shape
    a = draw(hnp.arrays(np_dtype(d), shape, elements=elements(d, special, lo, hi)))
    return a, make_tensor(a, draw(layouts))


def np_compute(a, d):
    """a converted to the NumPy dtype the oracle computes a pa-dtype-d result in."""
    return a.astype(compute_np_dtype(d))


def float_atol(d, n_terms=1, magnitude=10.0):
    """Absolute tolerance for a float result summing n_terms values of size <= magnitude."""
    eps = 1e-6 if d == pa.float32 else 1e-13
    return eps * max(1, n_terms) * magnitude + (1e-6 if d == pa.float32 else 1e-12)


# --------------------------------------------------------------------------
# element-wise binary ops with broadcasting
# --------------------------------------------------------------------------
ARITH = {
    "add": (operator.add, np.add),
    "sub": (operator.sub, np.subtract),
    "mul": (operator.mul, np.multiply),
    "div": (operator.truediv, np.true_divide),
}
CMP = {
    "eq": (operator.eq, np.equal),
    "ne": (operator.ne, np.not_equal),
    "lt": (operator.lt, np.less),
    "le": (operator.le, np.less_equal),
    "gt": (operator.gt, np.greater),
    "ge": (operator.ge, np.greater_equal),
}


def _sub_bool_rejected():
    """Whether '-' with one bool operand raises (PyTorch) or computes (NumPy-like)."""
    try:
        pa.tensor([1.0]) - pa.tensor([True])
    except RuntimeError:
        return True
    return False


def _category(d):
    return 0 if d == pa.bool else 2 if is_float(d) else 1


@prop(150)
@given(
    data=st.data(),
    op=st.sampled_from(sorted(ARITH)),
    bshapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=4, max_side=3),
)
def test_binary_arith_broadcast(data, op, bshapes):
    da, db = data.draw(dtypes, label="da"), data.draw(dtypes, label="db")
    a, ta = data.draw(arrays(da, bshapes.input_shapes[0], special=True), label="a")
    b, tb = data.draw(arrays(db, bshapes.input_shapes[1], special=True), label="b")
    if op == "sub" and da == db == pa.bool:
        with pytest.raises(RuntimeError, match=r"^\[sub\]"):
            ARITH[op][0](ta, tb)
        return
    if op == "sub" and pa.bool in (da, db) and _sub_bool_rejected():
        return  # PyTorch rejects any bool operand of '-'; pyautograd may do the same
    rd = promote(da, db)
    if (ta.dim() == 0) != (tb.dim() == 0):  # a 0-d operand counts only by its category
        dim_d, zero_d = (da, db) if ta.dim() else (db, da)
        rd = zero_d if _category(zero_d) > _category(dim_d) else dim_d
    if op == "div":
        rd = div_dtype(rd)
    r = ARITH[op][0](ta, tb)
    with np.errstate(all="ignore"):
        expected = ARITH[op][1](np_compute(a, rd), np_compute(b, rd))
    assert_tensor(r, expected, dtype=rd)
    assert tuple(r.shape) == bshapes.result_shape
    assert_tensor(ta, a)  # inputs untouched
    assert_tensor(tb, b)


@prop(120)
@given(
    data=st.data(),
    op=st.sampled_from(sorted(CMP)),
    bshapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=4, max_side=3),
)
def test_compare_broadcast(data, op, bshapes):
    da, db = data.draw(dtypes, label="da"), data.draw(dtypes, label="db")
    a, ta = data.draw(arrays(da, bshapes.input_shapes[0], special=True, lo=-2, hi=2), label="a")
    b, tb = data.draw(arrays(db, bshapes.input_shapes[1], special=True, lo=-2, hi=2), label="b")
    rd = promote(da, db)
    with np.errstate(all="ignore"):
        expected = CMP[op][1](np_compute(a, rd), np_compute(b, rd))
    assert_tensor(CMP[op][0](ta, tb), expected, dtype=pa.bool)
    assert_tensor(getattr(ta, op)(tb), expected, dtype=pa.bool)


def _reduce_dtypes(op):
    if op == "mean":
        return float_dtypes
    return numeric_dtypes if op in ("argmax", "argmin") else dtypes


@prop(100)
@given(
    data=st.data(),
    fn=st.sampled_from(["maximum", "minimum", "pow"]),
    bshapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3),
)
def test_maximum_minimum_pow(data, fn, bshapes):
    d = data.draw(float_dtypes if fn == "pow" else numeric_dtypes, label="d")
    lo, hi = (0.0, 4.0) if fn == "pow" else (-10.0, 10.0)
    a, ta = data.draw(arrays(d, bshapes.input_shapes[0], special=True, lo=lo, hi=hi), label="a")
    b, tb = data.draw(arrays(d, bshapes.input_shapes[1], special=True, lo=-3, hi=3), label="b")
    npf = {"maximum": np.maximum, "minimum": np.minimum, "pow": np.power}[fn]
    with np.errstate(all="ignore"):
        expected = npf(np_compute(a, d), np_compute(b, d))
    r = getattr(pa, fn)(ta, tb)
    # float32 pow: the float64 oracle may overflow differently only beyond float32 range
    assert_tensor(
        r,
        expected.astype(np_dtype(d)) if d == pa.float32 else expected,
        dtype=d,
        rtol=1e-5 if d == pa.float32 else 1e-12,
    )


scalars = st.one_of(
    st.booleans(), st.integers(-5, 5), st.floats(-5, 5, width=32), st.sampled_from([NAN, INF, -INF])
)


@prop(150)
@given(
    data=st.data(),
    op=st.sampled_from(sorted(ARITH)),
    s=scalars,
    side=st.sampled_from(["right", "left"]),
)
def test_binary_python_scalar(data, op, s, side):
    d = data.draw(dtypes, label="d")
    a, t = data.draw(arrays(d, special=True), label="a")
    if op == "sub" and d == pa.bool and isinstance(s, bool):
        with pytest.raises(RuntimeError, match=r"^\[sub\]"):
            ARITH[op][0](t, s) if side == "right" else ARITH[op][0](s, t)
        return
    if op == "sub" and (d == pa.bool or isinstance(s, bool)) and _sub_bool_rejected():
        return
    rd = promote_scalar(d, s)
    if op == "div":
        rd = div_dtype(rd)
    cd = compute_np_dtype(rd)
    sv = np.array(s).astype(cd)
    with np.errstate(all="ignore"):
        if side == "right":
            r, expected = ARITH[op][0](t, s), ARITH[op][1](a.astype(cd), sv)
        else:
            r, expected = ARITH[op][0](s, t), ARITH[op][1](sv, a.astype(cd))
    assert_tensor(r, expected, dtype=rd, atol=float_atol(rd, 2, 10.0) if is_float(rd) else None)
    assert_tensor(t, a)


# --------------------------------------------------------------------------
# element-wise unary ops, clamp, where, masked_fill, casts
# --------------------------------------------------------------------------
def _sigmoid(x):
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-x))


def _sign(x):
    if x.dtype == np.bool_:  # sign(bool) is bool, as PyTorch
        return x
    return np.nan_to_num(np.sign(x), nan=0.0)  # PyTorch: sign(nan) == 0


UNARY = {
    "neg": np.negative,
    "abs": np.abs,
    "exp": np.exp,
    "log": np.log,
    "sqrt": np.sqrt,
    "tanh": np.tanh,
    "sigmoid": _sigmoid,
    "relu": lambda x: np.maximum(x, 0),
    "sign": _sign,
    "square": np.square,
}
FLOAT_RESULT = {"exp", "log", "sqrt", "tanh", "sigmoid"}
NO_BOOL = {"neg", "relu", "abs"}  # as PyTorch ("abs_cpu" not implemented for Bool)


def unary_dtype(op, d):
    if is_float(d):
        return d
    if op in FLOAT_RESULT:
        return pa.float32
    if op == "square":
        return pa.int64
    return d


@prop(200)
@given(data=st.data(), op=st.sampled_from(sorted(UNARY)))
def test_unary(data, op):
    d = data.draw(dtypes, label="d")
    a, t = data.draw(arrays(d, special=True), label="a")
    if d == pa.bool and op in NO_BOOL:
        with pytest.raises(RuntimeError, match=rf"^\[{op}\]"):
            getattr(t, op)()
        return
    rd = unary_dtype(op, d)
    with np.errstate(all="ignore"):
        expected = UNARY[op](np_compute(a, rd))
    assert_tensor(getattr(t, op)(), expected, dtype=rd)
    if hasattr(pa, op):
        assert_tensor(getattr(pa, op)(t), expected, dtype=rd)
    assert_tensor(t, a)


@pytest.mark.parametrize("d", FLOAT_DTYPES, ids=dname)
def test_relu_propagates_nan(d):
    x = pa.tensor([NAN, -1.0, 2.0], dtype=d)
    assert math.isnan(x.clamp(min=0).tolist()[0])  # clamp does propagate
    assert_tensor(x.relu(), np.array([NAN, 0.0, 2.0]), dtype=d)


@prop(120)
@given(
    data=st.data(),
    lo=st.one_of(st.none(), st.integers(-4, 4)),
    hi=st.one_of(st.none(), st.integers(-4, 4)),
    inplace=st.booleans(),
)
def test_clamp(data, lo, hi, inplace):
    d = data.draw(numeric_dtypes, label="d")
    a, t = data.draw(arrays(d, special=True, lo=-6, hi=6), label="a")
    if lo is None and hi is None:
        with pytest.raises(RuntimeError, match=r"^\[clamp_?\]"):
            t.clamp_() if inplace else t.clamp()
        assert_tensor(t, a)
        return
    if is_float(d) and data.draw(st.booleans(), label="float_bounds"):
        lo = None if lo is None else lo - 0.25
        hi = None if hi is None else hi + 0.5
    with np.errstate(invalid="ignore"):
        expected = np_compute(a, d)
        if lo is not None:
            expected = np.where(np.isnan(expected), expected, np.maximum(expected, lo))
        if hi is not None:
            expected = np.where(np.isnan(expected), expected, np.minimum(expected, hi))
    if inplace:
        r = t.clamp_(lo, hi)
        assert r is t
        assert_tensor(t, expected, dtype=d)
    else:
        assert_tensor(t.clamp(min=lo, max=hi), expected, dtype=d)
        assert_tensor(t, a)


@pytest.mark.parametrize("d", NUMERIC_DTYPES)
@pytest.mark.parametrize("inplace", [False, True])
def test_clamp_min_greater_than_max(d, inplace):
    t = pa.tensor([-5, 0, 5], dtype=d)
    r = t.clamp_(3, 1) if inplace else t.clamp(3, 1)
    assert_tensor(r, np.array([1, 1, 1]), dtype=d)


@prop(100)
@given(
    data=st.data(), bshapes=hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3)
)
def test_where(data, bshapes):
    d = data.draw(dtypes, label="d")
    c, tc = data.draw(arrays(pa.bool, bshapes.input_shapes[0]), label="cond")
    a, ta = data.draw(arrays(d, bshapes.input_shapes[1], special=True), label="a")
    b, tb = data.draw(arrays(d, bshapes.input_shapes[2], special=True), label="b")
    assert_tensor(pa.where(tc, ta, tb), np.where(c, a, b), dtype=d)
    assert_tensor(ta.where(tc, tb), np.where(c, a, b), dtype=d)


@prop(100)
@given(data=st.data(), value=st.one_of(st.integers(-3, 3), st.booleans()), inplace=st.booleans())
def test_masked_fill(data, value, inplace):
    d = data.draw(dtypes, label="d")
    a, t = data.draw(arrays(d), label="a")
    # a mask broadcastable to a's shape
    mshape = data.draw(
        hnp.broadcastable_shapes(a.shape, min_side=0, max_dims=a.ndim), label="mshape"
    )
    assume(np.broadcast_shapes(a.shape, mshape) == a.shape)
    m, tm = data.draw(arrays(pa.bool, mshape), label="mask")
    expected = a.copy()
    expected[np.broadcast_to(m, a.shape)] = value
    if inplace:
        assert t.masked_fill_(tm, value) is t
        assert_tensor(t, expected, dtype=d)
    else:
        assert_tensor(t.masked_fill(tm, value), expected, dtype=d)
        assert_tensor(t, a)


@pytest.mark.parametrize(
    "mask", [[True, False, True], [[True], [False]], [[False, True, True]]], ids=str
)
def test_masked_fill_inplace_broadcasts(mask):
    a = np.zeros((2, 3))
    m = np.array(mask)
    expected = a.copy()
    expected[np.broadcast_to(m, a.shape)] = 1.0
    t = pa.tensor(a)
    assert_tensor(t.masked_fill(pa.tensor(m), 1.0), expected)  # out of place: fine
    t.masked_fill_(pa.tensor(m), 1.0)
    assert_tensor(t, expected)


@prop(120)
@given(data=st.data(), dst=dtypes)
def test_cast(data, dst):
    src = data.draw(dtypes, label="src")
    # float -> int of NaN/inf/out-of-range is undefined (C++ and NumPy alike): finite only
    a, t = data.draw(arrays(src, special=not (is_float(src) and dst == pa.int64)), label="a")
    with np.errstate(invalid="ignore"):
        expected = a.astype(np_dtype(dst))
    r = t.to(dst)
    assert_tensor(r, expected, dtype=dst)
    assert_tensor(t, a, dtype=src)
    if dst == src:
        assert r is t or r.data_ptr() == t.data_ptr()


# --------------------------------------------------------------------------
# reductions
# --------------------------------------------------------------------------
def red_dtype(op, d):
    if op in ("argmax", "argmin"):
        return pa.int64
    if op == "sum" and not is_float(d):
        return pa.int64
    return d


def np_reduce(op, a, d, axis=None, keepdims=False):
    rd = red_dtype(op, d)
    x = np_compute(a, d) if op != "sum" else np_compute(a, rd)
    kw = dict(axis=axis, keepdims=keepdims)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # mean of an empty slice is nan
        if op in ("argmax", "argmin"):
            r = getattr(np, op)(x, axis=axis)
            if keepdims and axis is not None:
                r = np.expand_dims(r, axis)
            return r
        return getattr(np, op)(x, **kw)


@prop(150)
@given(data=st.data(), op=st.sampled_from(["sum", "mean", "max", "min", "argmax", "argmin"]))
def test_reduce_all(data, op):
    # mean needs a float dtype; argmax/argmin refuse bool, as PyTorch (test_core_rules.py)
    d = data.draw(_reduce_dtypes(op), label="d")
    empty_ok = op in ("sum", "mean")
    a, t = data.draw(
        arrays(
            d, shape=data.draw(shapes if empty_ok else nonempty_shapes, label="s"), special=True
        ),
        label="a",
    )
    r = getattr(t, op)()
    if op not in ("argmax", "argmin"):  # (ties and NaN: the first occurrence wins)
        assert_tensor(
            getattr(pa, op)(t),
            np_reduce(op, a, d),
            dtype=red_dtype(op, d),
            atol=float_atol(d, a.size) if is_float(d) else None,
        )
    assert r.dim() == 0
    assert_tensor(
        r,
        np_reduce(op, a, d),
        dtype=red_dtype(op, d),
        atol=float_atol(d, a.size) if is_float(d) else None,
    )
    assert_tensor(t, a)


@prop(200)
@given(
    data=st.data(),
    op=st.sampled_from(["sum", "mean", "max", "min", "argmax", "argmin"]),
    keepdim=st.booleans(),
)
def test_reduce_dim(data, op, keepdim):
    # mean needs a float dtype; argmax/argmin refuse bool, as PyTorch (test_core_rules.py)
    d = data.draw(_reduce_dtypes(op), label="d")
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=4), label="s")
    dim = data.draw(st.integers(-len(shape), len(shape) - 1), label="dim")
    shape = list(shape)
    if op not in ("sum", "mean") and shape[dim] == 0:
        shape[dim] = 2  # max/min/argmax over an empty dim is an error (tested in the fuzzer)
    a, t = data.draw(arrays(d, shape=tuple(shape), special=True), label="a")
    rd = red_dtype(op, d)
    n = a.shape[dim]
    atol = float_atol(d, n) if is_float(rd) else None
    if op in ("max", "min"):
        res = getattr(t, op)(dim, keepdim=keepdim)
        assert_tensor(res.values, np_reduce(op, a, d, dim, keepdim), dtype=d)
        assert_tensor(res.indices, np_reduce("arg" + op, a, d, dim, keepdim), dtype=pa.int64)
        values, indices = res
        assert values.shape == res.values.shape and indices.shape == res.indices.shape
    else:
        r = getattr(t, op)(dim, keepdim=keepdim)
        assert_tensor(r, np_reduce(op, a, d, dim, keepdim), dtype=rd, atol=atol)
        if op in ("sum", "mean"):
            assert_tensor(
                getattr(pa, op)(t, dim, keepdim=keepdim),
                np_reduce(op, a, d, dim, keepdim),
                dtype=rd,
                atol=atol,
            )
    assert_tensor(t, a)


@prop(100)
@given(data=st.data(), op=st.sampled_from(["sum", "mean"]), keepdim=st.booleans())
def test_reduce_multiple_dims(data, op, keepdim):
    d = data.draw(dtypes if op == "sum" else float_dtypes, label="d")
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=4), label="s")
    nd = len(shape)
    axes = data.draw(st.lists(st.integers(0, nd - 1), min_size=1, max_size=nd, unique=True))
    dims = tuple(ax - nd if data.draw(st.booleans()) else ax for ax in axes)  # some negative
    a, t = data.draw(arrays(d, shape=shape, special=True), label="a")
    expected = np_reduce(op, a, d, tuple(axes), keepdim)
    n = int(np.prod([shape[ax] for ax in axes]))
    rd = red_dtype(op, d)
    r = getattr(t, op)(dims, keepdim=keepdim)
    assert_tensor(r, expected, dtype=rd, atol=float_atol(d, n) if is_float(rd) else None)
    if len(dims) > 1:
        with pytest.raises((RuntimeError, ValueError, IndexError), match=rf"^\[{op}\]"):
            getattr(t, op)((*dims, dims[0]))


# --------------------------------------------------------------------------
# matmul / mm / bmm
# --------------------------------------------------------------------------
@st.composite
def matmul_shapes(draw):
    n, k, m = (draw(st.integers(0, 4)) for _ in range(3))
    kind = draw(
        st.sampled_from(["1-1", "1-2", "2-1", "2-2", "3-3", "3-2", "2-3", "3-1", "1-3", "bcast"])
    )
    b = draw(st.integers(1, 3))
    return {
        "1-1": ((k,), (k,)),
        "1-2": ((k,), (k, m)),
        "2-1": ((n, k), (k,)),
        "2-2": ((n, k), (k, m)),
        "3-3": ((b, n, k), (b, k, m)),
        "3-2": ((b, n, k), (k, m)),
        "2-3": ((n, k), (b, k, m)),
        "3-1": ((b, n, k), (k,)),
        "1-3": ((k,), (b, k, m)),
        "bcast": ((b, 1, n, k), (2, k, m)),
    }[kind]


@prop(150)
@given(data=st.data(), sh=matmul_shapes())
def test_matmul(data, sh):
    d = data.draw(numeric_dtypes, label="d")
    a, ta = data.draw(arrays(d, sh[0]), label="a")
    b, tb = data.draw(arrays(d, sh[1]), label="b")
    expected = np.matmul(np_compute(a, d), np_compute(b, d))
    k = sh[0][-1]
    atol = float_atol(d, k, 100.0) if is_float(d) else None
    assert_tensor(ta @ tb, expected, dtype=d, atol=atol)
    assert_tensor(pa.matmul(ta, tb), expected, dtype=d, atol=atol)
    if len(sh[0]) == 2 and len(sh[1]) == 2:
        assert_tensor(ta.mm(tb), expected, dtype=d, atol=atol)
    if len(sh[0]) == 3 and len(sh[1]) == 3:
        assert_tensor(ta.bmm(tb), expected, dtype=d, atol=atol)
    assert_tensor(ta, a)
    assert_tensor(tb, b)


@pytest.mark.parametrize(
    "sa,sb", [((1, 0, 0), (0, 0)), ((2, 3, 0), (0, 4)), ((2, 3, 0), (0,))], ids=str
)
def test_matmul_batched_empty_inner_dim(sa, sb):
    r = pa.zeros(*sa) @ pa.zeros(*sb)
    assert_tensor(r, np.zeros(sa) @ np.zeros(sb))


# --------------------------------------------------------------------------
# views and indexing
# --------------------------------------------------------------------------
@st.composite
def basic_index(draw, shape):
    """A random basic index (ints, slices with positive steps, None, one Ellipsis) for shape."""
    items, d = [], 0
    used_ellipsis = False
    for _ in range(draw(st.integers(0, len(shape) + 2))):
        kinds = ["none"]
        if d < len(shape):
            kinds += ["slice", "slice"] + (["int"] if shape[d] > 0 else [])
        if not used_ellipsis:
            kinds.append("ellipsis")
        kind = draw(st.sampled_from(kinds))
        if kind == "none":
            items.append(None)
        elif kind == "ellipsis":
            items.append(Ellipsis)
            used_ellipsis = True
            d = len(shape)  # the rest is covered; later items must not consume dims
        elif kind == "int":
            items.append(draw(st.integers(-shape[d], shape[d] - 1)))
            d += 1
        else:
            bound = st.one_of(st.none(), st.integers(-shape[d] - 2, shape[d] + 2))
            items.append(
                slice(draw(bound), draw(bound), draw(st.one_of(st.none(), st.integers(1, 3))))
            )
            d += 1
    if used_ellipsis:  # items after the ellipsis may only be None (it swallowed every dim)
        pos = items.index(Ellipsis)
        consumed_after = [i for i in items[pos + 1 :] if i is not None]
        if consumed_after:
            items = items[:pos] + [i for i in items[pos:] if i is None or i is Ellipsis]
    return tuple(items) if len(items) != 1 or draw(st.booleans()) else items[0]


@prop(200)
@given(data=st.data())
def test_getitem_basic_is_view(data):
    d = data.draw(dtypes, label="d")
    a, t = data.draw(arrays(d), label="a")
    idx = data.draw(basic_index(a.shape), label="idx")
    if t.dim() == 0 and idx in (0, -1):  # legacy loss.data[0] compat: returns a Python number
        assert t[idx] == a.item()
        return
    r = t[idx]
    expected = a[idx]
    assert_tensor(r, np.asarray(expected), dtype=d)
    # a view: writing through the base is visible
    if r.numel() > 0:
        v = (not bool(np.asarray(expected).flat[0])) if d == pa.bool else 7
        t.fill_(v)
        assert (to_np(r) == np.asarray(v).astype(np_dtype(d))).all()


@prop(120)
@given(data=st.data())
def test_getitem_mask(data):
    d = data.draw(dtypes, label="d")
    a, t = data.draw(
        arrays(
            d, shape=data.draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=4))
        ),
        label="a",
    )
    # a mask over the tensor's leading k dims (k == ndim: the full shape)
    k = data.draw(st.integers(1, a.ndim), label="mask_dims")
    m, tm = data.draw(arrays(pa.bool, a.shape[:k]), label="mask")
    r = t[tm]
    assert_tensor(r, a[m], dtype=d)
    if r.numel():
        r.fill_(not bool(a[m].flat[0]) if d == pa.bool else 3)  # a copy, not a view
        assert_tensor(t, a)
    # writing through the mask
    value = data.draw(elements(d), label="value")
    expected = a.copy()
    expected[m] = value
    t[tm] = value
    assert_tensor(t, expected, dtype=d)


@pytest.mark.parametrize(
    "shape,mask",
    [
        ((2, 3), [True, False]),
        ((1, 4), [True]),
        ((1, 0), [True]),
        ((3, 2, 2), [True, False, True]),
        ((2, 2, 3), [[True, False], [False, True]]),
    ],
    ids=str,
)
def test_mask_over_leading_dims(shape, mask):
    a = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)
    m = np.array(mask)
    assert_tensor(pa.tensor(a)[pa.tensor(m)], a[m], dtype=pa.int64)


def test_mask_over_leading_dims_setitem():
    a = np.zeros((2, 3))
    t = pa.tensor(a)
    t[pa.tensor([True, True])] = pa.tensor(np.ones((2, 3)))
    assert_tensor(t, np.ones((2, 3)))


@st.composite
def view_case(draw):
    shape = draw(shapes)
    nd = len(shape)
    ops = [
        "reshape",
        "flatten",
        "unsqueeze",
        "squeeze",
        "expand",
        "contiguous",
        "clone",
        "T",
        "reshape_as",
        "view_as",
        "expand_as",
    ]
    if nd >= 2:
        ops += ["transpose", "permute", "t"]
    op = draw(st.sampled_from(ops))
    if op == "transpose":
        arg = (draw(st.integers(-nd, nd - 1)), draw(st.integers(-nd, nd - 1)))
    elif op == "permute":
        arg = tuple(draw(st.permutations(range(nd))))
    elif op == "t":
        arg = () if nd == 2 else None
        if nd != 2:
            op, arg = "transpose", (0, 1)
    elif op == "reshape":
        n = int(np.prod(shape))
        factors = []
        rest = n
        for _ in range(draw(st.integers(0, 3))):
            f = draw(st.sampled_from([x for x in range(1, 5) if rest % x == 0] if rest else [0]))
            factors.append(f)
            rest = rest // f if f else 0
        new = [*factors, rest] if n or not factors else [*factors, 0]
        if n and draw(st.booleans()):
            new[draw(st.integers(0, len(new) - 1))] = -1
        arg = tuple(new)
    elif op == "unsqueeze":
        arg = (draw(st.integers(-nd - 1, nd)),)
    elif op == "squeeze":
        arg = () if nd == 0 or draw(st.booleans()) else (draw(st.integers(-nd, nd - 1)),)
    elif op == "expand":
        lead = tuple(draw(st.lists(st.integers(0, 3), max_size=2)))
        arg = lead + tuple(
            draw(st.sampled_from([s, -1])) if s != 1 else draw(st.sampled_from([1, 3, -1]))
            for s in shape
        )
    elif op in ("reshape_as", "view_as"):
        n = int(np.prod(shape))
        arg = ((n,) if n else (0, 2),)
    elif op == "expand_as":
        arg = ((2, *shape),)
    else:
        arg = ()
    return shape, op, arg


def np_view(a, op, arg):
    if op == "transpose":
        return np.swapaxes(a, *arg)
    if op == "permute":
        return np.transpose(a, arg)
    if op in ("t", "T"):
        return a.T
    if op in ("reshape_as", "view_as"):
        return a.reshape(arg[0])
    if op == "expand_as":
        return np.broadcast_to(a, arg[0])
    if op == "reshape":
        return a.reshape(arg)
    if op == "flatten":
        return a.reshape(-1)
    if op == "unsqueeze":
        return np.expand_dims(a, arg[0] if arg[0] >= 0 else a.ndim + 1 + arg[0])
    if op == "squeeze":
        if not arg:
            return np.squeeze(a)
        return np.squeeze(a, arg[0]) if a.ndim and a.shape[arg[0]] == 1 else a
    if op == "expand":
        lead = len(arg) - a.ndim
        target = list(arg[:lead]) + [a.shape[i] if s == -1 else s for i, s in enumerate(arg[lead:])]
        return np.broadcast_to(a, tuple(target))
    return a.copy()


VIEW_OPS = {
    "transpose",
    "permute",
    "t",
    "T",
    "unsqueeze",
    "squeeze",
    "expand",
    "view_as",
    "expand_as",
}


@prop(250)
@given(data=st.data(), case=view_case())
def test_view_ops(data, case):
    shape, op, arg = case
    d = data.draw(dtypes, label="d")
    a, t = data.draw(arrays(d, shape), label="a")
    expected = np_view(a, op, arg)
    if op == "view_as" and not t.is_contiguous():
        op, arg = "reshape_as", arg  # view() of a strided tensor may legitimately fail
    if op == "T":
        r = t.T
    elif op.endswith("_as"):
        r = getattr(t, op)(pa.zeros(*arg[0], dtype=pa.bool))
    else:
        r = getattr(t, op)(*arg)
    assert_tensor(r, expected, dtype=d)
    if op in ("reshape", "flatten", "reshape_as") and t.is_contiguous():
        assert_tensor(t.view(*expected.shape), expected)
    if op in ("reshape", "flatten", "reshape_as") and not t.is_contiguous():
        return  # a view when the strides allow it, else a copy: either is fine
    if op in VIEW_OPS or op in ("reshape", "flatten", "reshape_as"):
        shares = True
    elif op == "clone":
        shares = False
    else:  # contiguous(): the input itself when already contiguous, else a copy
        shares = t.is_contiguous()
    if r.numel() > 0:
        before = to_np(r)
        v = (not bool(before.flat[0])) if d == pa.bool else 5
        t.fill_(v)
        after = to_np(r)
        if shares:
            assert (after == np.asarray(v).astype(after.dtype)).all()
        else:
            np.testing.assert_array_equal(after, before)


@pytest.mark.parametrize("start", [None, 0, 3])
def test_getitem_huge_step(start):
    a = np.arange(5)
    t = pa.arange(5)
    for step in (2**62, 2**63 - 1):
        assert_tensor(t[start::step], a[start::step], dtype=pa.int64)


# --------------------------------------------------------------------------
# in-place ops and writes
# --------------------------------------------------------------------------
INPLACE = {"add_": np.add, "sub_": np.subtract, "mul_": np.multiply, "div_": np.true_divide}


def castable(frm, to):
    if is_float(frm) and not is_float(to):
        return False
    return not (frm != pa.bool and to == pa.bool)


@prop(200)
@given(data=st.data(), op=st.sampled_from(sorted(INPLACE)), scalar_other=st.booleans())
def test_inplace_binary(data, op, scalar_other):
    ds = data.draw(numeric_dtypes, label="self_dtype")
    a, t = data.draw(arrays(ds), label="self")
    base_version = pa._core._version(t)
    if scalar_other:
        b = data.draw(st.one_of(st.integers(-3, 3), st.floats(-3, 3, width=32)), label="s")
        rd = promote_scalar(ds, b)
        bb = np.array(b)
        other = b
    else:
        db = data.draw(numeric_dtypes, label="other_dtype")
        oshape = data.draw(
            hnp.broadcastable_shapes(a.shape, min_side=0, max_dims=a.ndim), label="oshape"
        )
        assume(np.broadcast_shapes(a.shape, oshape) == a.shape)
        bb, other = data.draw(arrays(db, oshape), label="other")
        rd = promote(ds, db)
    if op == "div_":
        rd = div_dtype(rd)
    if not castable(rd, ds):
        with pytest.raises(RuntimeError, match=rf"^\[{op}\]"):
            getattr(t, op)(other)
        assert_tensor(t, a, dtype=ds)
        assert pa._core._version(t) == base_version
        return
    with np.errstate(all="ignore"):
        expected = INPLACE[op](np_compute(a, rd), np_compute(bb, rd)).astype(np_dtype(ds))
    assert getattr(t, op)(other) is t
    assert_tensor(t, expected, dtype=ds, atol=float_atol(ds, 2, 20.0) if is_float(ds) else None)
    assert pa._core._version(t) > base_version


@prop(150)
@given(data=st.data())
def test_setitem_basic(data):
    d = data.draw(dtypes, label="d")
    a, t = data.draw(arrays(d), label="a")
    idx = data.draw(basic_index(a.shape), label="idx")
    target_shape = np.asarray(a[idx]).shape
    expected = a.copy()
    if data.draw(st.booleans(), label="scalar_value"):
        value = data.draw(elements(d), label="value")
        expected[idx] = value
    else:
        vshape = data.draw(
            hnp.broadcastable_shapes(target_shape, min_side=0, max_dims=len(target_shape)),
            label="vshape",
        )
        assume(np.broadcast_shapes(target_shape, vshape) == target_shape)
        vd = data.draw(dtypes, label="vd")
        v, value = data.draw(arrays(vd, vshape), label="value")
        expected[idx] = v.astype(np_dtype(d))
    t[idx] = value
    assert_tensor(t, expected, dtype=d)


@prop(100)
@given(
    data=st.data(),
    n=st.integers(2, 8),
    k=st.integers(1, 3),
    via=st.sampled_from(["copy_", "setitem", "add_"]),
)
def test_overlapping_writes_behave_as_if_copied(data, n, k, via):
    """t[k:] op= t[:-k] reads and writes the same memory: the result must be as if the source
    had been copied first (NumPy's semantics)."""
    k = min(k, n - 1)
    a, t = data.draw(arrays(pa.float64, (n,)), label="a")
    expected = a.copy()
    if via == "add_":
        expected[k:] = expected[k:] + a[:-k]
        t[k:].add_(t[: n - k])
    else:
        expected[k:] = a[:-k]
        if via == "copy_":
            t[k:].copy_(t[: n - k])
        else:
            t[k:] = t[: n - k]
    assert_tensor(t, expected)


@prop(60)
@given(data=st.data(), n=st.integers(1, 4), op=st.sampled_from(sorted(INPLACE)))
def test_inplace_with_own_transpose(data, n, op):
    a, t = data.draw(arrays(pa.float64, (n, n), lo=0.5, hi=3.0), label="a")
    with np.errstate(all="ignore"):
        expected = INPLACE[op](a, a.T.copy())
    getattr(t, op)(t.t())
    assert_tensor(t, expected)


def test_inplace_into_expanded_tensor_raises():
    e = pa.zeros(1).expand(3)
    with pytest.raises(
        RuntimeError, match=r"^\[add_\] .*more than one element of the written-to tensor"
    ):
        e.add_(pa.tensor([0.0, 1.0, 2.0]))
    assert_tensor(e, np.zeros(3, dtype=np.float32))


# --------------------------------------------------------------------------
# random chains of differentiable ops: gradients vs central differences
# --------------------------------------------------------------------------
class _Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x * x


def _leaf(shape, rng, kind="any"):
    if kind == "pos":
        arr = rng.uniform(0.5, 2.0, size=shape)
    else:
        arr = rng.standard_normal(shape)
    return pa.tensor(np.asarray(arr, dtype=np.float64), requires_grad=True)


def _bshape(shape, draw):
    """A shape broadcastable to `shape` (some dims 1, some leading dims dropped)."""
    s = [1 if draw(st.booleans()) else x for x in shape]
    drop = draw(st.integers(0, len(s)))
    return tuple(s[drop:])


UNARY_CHAIN = {
    "tanh": lambda t: t.tanh(),
    "sigmoid": lambda t: t.sigmoid(),
    "exp_tanh": lambda t: t.tanh().exp(),
    "log_pos": lambda t: (t * t + 0.5).log(),
    "sqrt_pos": lambda t: (t * t + 0.5).sqrt(),
    "pow2": lambda t: t.pow(2),
    "square": lambda t: t.square(),
    "pow_frac": lambda t: (t * t + 1.0) ** 1.5,
    "relu": lambda t: t.relu(),
    "clamp": lambda t: t.clamp(-0.7, 0.9),
    "clamp_min": lambda t: t.clamp(min=-0.3),
    "abs": lambda t: t.abs(),
    "neg": lambda t: -t,
    "scalar_affine": lambda t: t * 1.7 - 0.3,
    "rsub": lambda t: 2.0 - t,
    "rdiv": lambda t: 1.0 / (t * t + 1.0),
    "div_scalar": lambda t: t / 3,
    "cube_fn": lambda t: _Cube.apply(t),
    "clone": lambda t: t.clone(),
    "masked_fill": lambda t: t.masked_fill(t > 0.5, 0.25),
}


@st.composite
def chain_step(draw, shape):
    """One op applicable to a tensor of `shape`: (name, fn(t, *extra), extra leaf specs)."""
    nd = len(shape)
    names = [
        *UNARY_CHAIN,
        "add_leaf",
        "mul_leaf",
        "sub_leaf",
        "div_leaf",
        "where_leaf",
        "maximum_leaf",
        "minimum_leaf",
        "sum_all",
        "mean_all",
        "unsqueeze",
        "expand",
        "reshape_flat",
    ]
    if nd >= 1:
        names += ["sum_dim", "mean_dim", "max_dim", "min_dim", "index0", "matmul_leaf"]
        names += ["flip", "roll", "repeat", "cat_leaf", "stack_leaf", "narrow", "split_piece"]
        names += ["unbind_piece", "movedim"]
        if shape[-1] >= 2:
            names += ["slice_step"]
    if nd >= 2:
        names += ["transpose", "permute", "t_reshape"]
    if nd == 2:
        names += ["mm_leaf", "t"]
    if 1 in shape:
        names += ["squeeze"]
    name = draw(st.sampled_from(names))
    if name in UNARY_CHAIN:
        return name, UNARY_CHAIN[name], []
    if name in ("add_leaf", "mul_leaf", "sub_leaf", "maximum_leaf", "minimum_leaf"):
        fn = {
            "add_leaf": operator.add,
            "mul_leaf": operator.mul,
            "sub_leaf": lambda t, y: y - t,
            "maximum_leaf": pa.maximum,
            "minimum_leaf": pa.minimum,
        }[name]
        return name, fn, [(_bshape(shape, draw), "any")]
    if name == "div_leaf":
        return name, operator.truediv, [(_bshape(shape, draw), "pos")]
    if name == "where_leaf":
        return name, lambda t, y: pa.where(t > 0, t, y), [(_bshape(shape, draw), "any")]
    if name == "sum_all":
        return name, lambda t: t.sum(), []
    if name == "mean_all":
        return name, lambda t: t.mean(), []
    if name == "unsqueeze":
        dim = draw(st.integers(-nd - 1, nd))
        return name, lambda t: t.unsqueeze(dim), []
    if name == "expand":
        return name, lambda t: t.unsqueeze(0).expand(2, *shape), []
    if name == "reshape_flat":
        return name, lambda t: t.reshape(-1), []
    if name in ("sum_dim", "mean_dim"):
        dim, keep = draw(st.integers(-nd, nd - 1)), draw(st.booleans())
        op = name[:-4]
        return name, lambda t: getattr(t, op)(dim, keepdim=keep), []
    if name in ("max_dim", "min_dim"):
        dim, keep = draw(st.integers(-nd, nd - 1)), draw(st.booleans())
        op = name[:-4]
        return name, lambda t: getattr(t, op)(dim, keepdim=keep).values, []
    if name == "index0":
        return name, lambda t: t[0] if t.shape[0] > 0 else t, []
    if name == "slice_step":
        return name, lambda t: t[..., ::2], []
    if name == "matmul_leaf":
        m = draw(st.integers(1, 3))
        return name, lambda t, w: t @ w, [((shape[-1], m), "any")]
    if name == "mm_leaf":
        m = draw(st.integers(1, 3))
        return name, lambda t, w: t.mm(w), [((shape[-1], m), "any")]
    if name == "transpose":
        d0, d1 = draw(st.integers(-nd, nd - 1)), draw(st.integers(-nd, nd - 1))
        return name, lambda t: t.transpose(d0, d1), []
    if name == "permute":
        perm = tuple(draw(st.permutations(range(nd))))
        return name, lambda t: t.permute(*perm), []
    if name == "t_reshape":
        return name, lambda t: t.transpose(0, 1).reshape(-1), []
    if name == "t":
        return name, lambda t: t.t(), []
    if name == "squeeze":
        return name, lambda t: t.squeeze(), []
    return _shape_step(draw, name, shape)


def _shape_step(draw, name, shape):
    """Steps of the join/split/rearrange family (tests/test_shape_join.py has the table)."""
    nd = len(shape)
    dim = draw(st.integers(-nd, nd - 1))
    size = shape[dim]
    if name == "flip":
        return name, lambda t: t.flip(dim), []
    if name == "roll":
        k = draw(st.integers(-4, 4))
        return name, lambda t: t.roll(k, dim), []
    if name == "repeat":
        reps = tuple(draw(st.integers(1, 2)) for _ in range(nd + draw(st.integers(0, 1))))
        return name, lambda t: t.repeat(*reps), []
    if name == "cat_leaf":
        other = list(shape)
        other[dim] = draw(st.integers(1, 3))
        return name, lambda t, y: pa.cat([y, t, y], dim), [(tuple(other), "any")]
    if name == "stack_leaf":
        return name, lambda t, y: pa.stack([t, y], dim), [(shape, "any")]
    if name == "narrow":
        start = draw(st.integers(0, size - 1))
        n = draw(st.integers(1, size - start))
        return name, lambda t: t.narrow(dim, start, n), []
    if name == "split_piece":
        k = draw(st.integers(1, size))
        i = draw(st.integers(0, (size + k - 1) // k - 1))
        return name, lambda t: t.split(k, dim)[i], []
    if name == "unbind_piece":
        i = draw(st.integers(0, size - 1))
        return name, lambda t: t.unbind(dim)[i] * 2 + t.unbind(dim)[-1], []
    if name == "movedim":
        to = draw(st.integers(-nd, nd - 1))
        return name, lambda t: t.movedim(dim, to), []
    raise AssertionError(name)


@st.composite
def chains(draw):
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3))
    seed = draw(st.integers(0, 2**31 - 1))
    depth = draw(st.integers(1, 5))
    rng = np.random.default_rng(seed)
    x = _leaf(shape, rng)
    leaves = [x]
    steps = []
    cur = x
    for _ in range(depth):
        name, fn, extra = draw(chain_step(tuple(cur.shape)))
        ys = [_leaf(s, rng, kind) for s, kind in extra]
        idx = list(range(len(leaves), len(leaves) + len(ys)))
        leaves.extend(ys)
        steps.append((name, fn, idx))
        cur = fn(cur, *ys)
    return leaves, steps


@prop(120)
@given(chain=chains())
def test_random_chain_gradients(chain):
    leaves, steps = chain

    def f(*ls):
        t = ls[0]
        for _, fn, idx in steps:
            t = fn(t, *(ls[i] for i in idx))
        return t

    note = " -> ".join(name for name, _, _ in steps)
    try:
        check_grads(f, *leaves, rtol=1e-5, atol=1e-6)
    except AssertionError as e:
        raise AssertionError(f"chain {note}: {e}") from None


@pytest.mark.parametrize("fn", ["maximum", "minimum"])
def test_maximum_minimum_are_differentiable(fn):
    x = pa.tensor([1.0, 4.0, -2.0], dtype=pa.float64, requires_grad=True)
    y = pa.tensor([3.0, 0.5, -1.0], dtype=pa.float64, requires_grad=True)
    r = getattr(pa, fn)(x, y)
    assert r.requires_grad
    check_grads(lambda a, b: getattr(pa, fn)(a, b), x, y)


# --------------------------------------------------------------------------
# conversions at the NumPy / Python boundary
# --------------------------------------------------------------------------
@pytest.mark.parametrize("how", ["tensor", "from_numpy"])
@pytest.mark.parametrize("npd", [">f8", ">f4", ">i8"])
def test_byteswapped_numpy_array(how, npd):
    a = np.array([1.0, -2.0, 3.0]).astype(npd)
    native = a.astype(a.dtype.newbyteorder("="))
    if how == "tensor":  # converted (a copy)
        assert_tensor(pa.tensor(a), native)
        return
    # from_numpy shares memory, so it cannot take a non-native byte order (PyTorch refuses too)
    with pytest.raises(TypeError, match=r"^\[from_numpy\]"):
        pa.from_numpy(a)


@pytest.mark.parametrize("v", [NAN, INF, -INF, 1e30], ids=repr)
@pytest.mark.parametrize("d", FLOAT_DTYPES, ids=dname)
def test_int_of_float_tensor_out_of_int64_range(v, d):
    """int() behaves like int() of the equivalent Python float (exact value, or the same error)."""
    f = float(np_dtype(d).type(v))
    try:
        expected = int(f)
    except (ValueError, OverflowError) as e:
        with pytest.raises(type(e)):
            int(pa.tensor(v, dtype=d))
        return
    assert int(pa.tensor(v, dtype=d)) == expected
