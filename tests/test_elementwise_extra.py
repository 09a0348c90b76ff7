"""Declared elementwise extras against PyTorch 2.13 beyond what tests/test_op_table.py's random
inputs reach: isnan/isinf/isfinite/isposinf/isneginf and nan_to_num on NaN and infinities,
fmod/remainder sign conventions and integer division by zero, atan2/hypot/copysign on special
values, clamp_min/clamp_max."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import pyautograd as pa

torch = pytest.importorskip("torch")

from helpers import LAYOUTS, make_tensor  # noqa: E402
from hypothesis import HealthCheck, assume, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

INF, NAN = float("inf"), float("nan")
SPECIAL = [NAN, INF, -INF, 0.0, -0.0, 1.5, -2.5, 3.0e38]


def _np(t: Any) -> np.ndarray:
    return np.asarray(t.detach().numpy())


def _same(got: Any, want: Any, **tol: float) -> None:
    assert str(got.dtype).rsplit(".", 1)[-1] == str(want.dtype).rsplit(".", 1)[-1]
    assert tuple(got.shape) == tuple(want.shape)
    if tol:
        np.testing.assert_allclose(_np(got), want.detach().numpy(), **tol)
    else:
        np.testing.assert_array_equal(_np(got), want.detach().numpy())


def _pair(vals: Any, dt: str = "float32") -> tuple[Any, Any]:
    return pa.tensor(vals, dtype=getattr(pa, dt)), torch.tensor(vals, dtype=getattr(torch, dt))


@pytest.mark.parametrize("name", ["isnan", "isinf", "isfinite", "isposinf", "isneginf"])
@pytest.mark.parametrize("dt", ["float32", "float64", "int64", "int32", "bool"])
def test_classification(name: str, dt: str) -> None:
    vals = SPECIAL if dt.startswith("float") else [0, 1, 1, 0]
    a, t = _pair(vals, dt)
    _same(getattr(pa, name)(a), getattr(torch, name)(t))
    _same(getattr(a, name)(), getattr(t, name)())
    _same(getattr(pa, name)(a[::2]), getattr(torch, name)(t[::2]))
    _same(getattr(pa, name)(a[:0]), getattr(torch, name)(t[:0]))


@pytest.mark.parametrize("dt", ["float32", "float64", "int32", "bool"])
def test_nan_to_num(dt: str) -> None:
    vals = SPECIAL if dt.startswith("float") else [0, 1, 1, 0]
    a, t = _pair(vals, dt)
    _same(pa.nan_to_num(a), torch.nan_to_num(t))
    _same(a.nan_to_num(nan=1.0, posinf=2.0), t.nan_to_num(nan=1.0, posinf=2.0))
    _same(a.nan_to_num(neginf=-7.0), t.nan_to_num(neginf=-7.0))
    b, u = a.clone(), t.clone()
    b.nan_to_num_(nan=4.0)
    u.nan_to_num_(nan=4.0)
    _same(b, u)


def test_nan_to_num_gradient_stops_at_replaced_values() -> None:
    a = pa.tensor(SPECIAL, dtype=pa.float64, requires_grad=True)
    t = torch.tensor(SPECIAL, dtype=torch.float64, requires_grad=True)
    (pa.nan_to_num(a) * 2).sum().backward()
    (torch.nan_to_num(t) * 2).sum().backward()
    _same(a.grad, t.grad)


INT_PAIRS = [(5, 3), (-5, 3), (5, -3), (-5, -3), (0, 7), (7, 7), (-7, 2)]


@pytest.mark.parametrize("name", ["fmod", "remainder"])
@pytest.mark.parametrize("dt", ["int64", "int32", "int8", "float32", "float64"])
def test_fmod_remainder_signs(name: str, dt: str) -> None:
    a, t = _pair([p[0] for p in INT_PAIRS], dt)
    b, u = _pair([p[1] for p in INT_PAIRS], dt)
    f, g = getattr(pa, name), getattr(torch, name)
    _same(f(a, b), g(t, u))
    _same(f(a, 4), g(t, 4))
    _same(f(a, -2.5), g(t, -2.5))
    _same(getattr(a, name)(b), getattr(t, name)(u))
    if name == "remainder":
        _same(a % b, t % u)
        _same(a % 3, t % 3)
        _same(-7 % b, -7 % u)
        c, v = a.clone(), t.clone()
        c %= 4
        v %= 4
        _same(c, v)


@pytest.mark.parametrize("name", ["fmod", "remainder"])
def test_integer_division_by_zero_raises(name: str) -> None:
    a, t = _pair([5, 3], "int64")
    z, w = _pair([1, 0], "int64")
    with pytest.raises(RuntimeError):
        getattr(torch, name)(t, w)
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        getattr(pa, name)(a, z)
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        getattr(pa, name)(a, 0)
    fa, ft = _pair([5.0, -3.0])
    _same(getattr(pa, name)(fa, 0.0), getattr(torch, name)(ft, 0.0))  # NaN for floats


@pytest.mark.parametrize("name", ["atan2", "hypot", "copysign"])
def test_binary_special_values(name: str) -> None:
    a, t = _pair(SPECIAL[:-1])
    b, u = _pair([1.0, -1.0, 2.0, -0.0, 0.0, INF, NAN])
    f, g = getattr(pa, name), getattr(torch, name)
    _same(f(a, b), g(t, u))
    _same(f(a[:, None], b[None, :]), g(t[:, None], u[None, :]))
    ia, it = _pair([1, -2, 3], "int64")
    if name != "hypot":  # PyTorch's hypot refuses integers; ours computes them in float32
        _same(f(ia, ia), g(it, it))


@pytest.mark.parametrize("name,kw", [("clamp_min", "min"), ("clamp_max", "max")])
@pytest.mark.parametrize("dt", ["float32", "int64", "int32"])
def test_clamp_min_max(name: str, kw: str, dt: str) -> None:
    vals = [-3, -1, 0, 2, 5] if not dt.startswith("float") else [-3.0, NAN, 0.0, 2.5, INF]
    a, t = _pair(vals, dt)
    _same(getattr(pa, name)(a, 1), getattr(torch, name)(t, 1))
    _same(getattr(a, name)(1), getattr(t, name)(1))
    _same(getattr(pa, name)(a, **{kw: -1}), getattr(torch, name)(t, **{kw: -1}))
    b, u = a.clone(), t.clone()
    getattr(b, name + "_")(0)
    getattr(u, name + "_")(0)
    _same(b, u)


# --------------------------------------------------------------------------
# a property over random broadcastable shapes (0-d and empty included), dtypes, layouts and
# special values: the binary extras against PyTorch, values and dtypes
# --------------------------------------------------------------------------
BINARY = ["atan2", "fmod", "remainder", "hypot", "copysign"]
PROP_DTYPES = ["float32", "float64", "int64", "int32"]


def _prop_values(rng: np.random.Generator, shape: tuple[int, ...], dt: str) -> np.ndarray:
    if dt.startswith("float"):
        a = rng.uniform(-6, 6, size=shape)
        pick = rng.random(size=shape)
        a = np.where(pick < 0.1, rng.choice(SPECIAL[:5], size=shape), a)
        return a.astype(dt)
    a = rng.integers(-9, 10, size=shape)
    return np.where(a == 0, 3, a).astype(dt)  # integer division by zero: tested above


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(
    name=st.sampled_from(BINARY),
    shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_side=0, max_dims=3, max_side=3),
    da=st.sampled_from(PROP_DTYPES),
    db=st.sampled_from(PROP_DTYPES),
    layout=st.sampled_from(LAYOUTS),
    seed=st.integers(0, 2**16),
)
def test_property_binary_extras_against_torch(
    name: str, shapes: Any, da: str, db: str, layout: str, seed: int
) -> None:
    # issue 10 #4 (known, tests/test_differential_issue10.py): a 0-d tensor promotes like a
    # dimensioned one; here both operands are 0-d or neither is, or they share a dtype
    zero_d = [len(s) == 0 for s in shapes.input_shapes]
    assume(zero_d[0] == zero_d[1] or da == db)
    rng = np.random.default_rng(seed)
    a = _prop_values(rng, shapes.input_shapes[0], da)
    b = _prop_values(rng, shapes.input_shapes[1], db)
    ta, tb = torch.from_numpy(a.copy()), torch.from_numpy(b.copy())
    try:
        ref = getattr(torch, name)(ta, tb)
    except RuntimeError:  # hypot of integers: PyTorch refuses; ours computes in float32
        assert name == "hypot"
        return
    got = getattr(pa, name)(make_tensor(a, layout), make_tensor(b, "contiguous"))
    _same(got, ref, rtol=2e-6 if "float32" in str(ref.dtype) else 1e-12, atol=1e-6)
