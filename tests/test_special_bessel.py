"""special.i0/i0e/i1/i1e/erfcx and torch.i0 / Tensor.i0 / i0_ against PyTorch 2.13: values
(float64 and float32, special values, the overflow edges), result dtypes, gradients, and
finite differences in float64 (first and second order)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import pyautograd as pa
from pyautograd import special
from pyautograd.autograd import gradcheck

torch = pytest.importorskip("torch")

NAMES = ["i0", "i0e", "i1", "i1e", "erfcx"]
INF, NAN = math.inf, math.nan

# both sides of the series/asymptotic switch at 20 and of erfcx's at 10, the edges where exp
# overflows (float32: 88.72; float64: 709.78) and erfcx's 2 exp(x^2) (x = -26.6, -9.4)
GRID = np.concatenate(
    [
        np.linspace(-30, 30, 241),
        [0.0, -0.0, 1e-300, -1e-30, 1e-8, 0.5, 19.999, 20.0, 20.001, 9.999, 10.0, 10.001],
        [88.0, 88.7, 88.8, 89.0, 91.0, -89.0, 700.0, 709.0, 710.0, 713.0, -713.0],
        [-26.5, -26.6, -26.7, -9.3, -9.4, -9.5, 27.0, 1e3, 1e10, 1e30, 1e300],
        [INF, -INF, NAN],
    ]
)


def _fn(lib, name):
    return getattr(lib.special, name)


def _np(t):
    return np.asarray(t.detach().tolist(), dtype=np.float64)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_values_match_torch(name, dtype):
    with np.errstate(over="ignore"):  # 1e300 is inf in float32
        x = GRID.astype(dtype)
    got = _fn(pa, name)(pa.tensor(x, dtype=getattr(pa, dtype)))
    want = _fn(torch, name)(torch.tensor(x, dtype=getattr(torch, dtype)))
    assert str(got.dtype) == str(want.dtype)
    rtol = 4e-14 if dtype == "float64" else 2e-6
    np.testing.assert_allclose(_np(got), _np(want), rtol=rtol, atol=0, equal_nan=True)
    # the infinities (overflow) where PyTorch's are
    np.testing.assert_array_equal(np.isinf(_np(got)), np.isinf(_np(want)))


@pytest.mark.parametrize("name", NAMES)
def test_integer_input_and_shapes(name):
    for vals in [[0, 1, -2, 3], [[1, 2], [3, 4]], 5, [True, False]]:
        got = _fn(pa, name)(pa.tensor(vals))
        want = _fn(torch, name)(torch.tensor(vals))
        assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1]
        assert tuple(got.shape) == tuple(want.shape)
        np.testing.assert_allclose(_np(got), _np(want), rtol=2e-6)
    # a non-contiguous input
    base = np.linspace(-5, 5, 12).reshape(3, 4)
    got = _fn(pa, name)(pa.tensor(base, dtype=pa.float64).t())
    want = _fn(torch, name)(torch.tensor(base, dtype=torch.float64).t())
    np.testing.assert_allclose(_np(got), _np(want), rtol=1e-14)


@pytest.mark.parametrize("name", NAMES)
def test_gradients_match_torch(name):
    x = np.array([-12.0, -3.5, -1.0, -1e-20, 0.0, 1e-20, 0.3, 2.0, 7.5, 15.0, 25.0, 40.0])
    a = pa.tensor(x, dtype=pa.float64, requires_grad=True)
    b = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    w = np.random.default_rng(0).standard_normal(x.shape)
    (_fn(pa, name)(a) * pa.tensor(w)).sum().backward()
    (_fn(torch, name)(b) * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(_np(a.grad), _np(b.grad), rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("name", NAMES)
def test_gradcheck_float64(name):
    x = pa.tensor([-4.0, -1.3, -0.2, 0.4, 1.7, 6.0, 19.0, 23.0], dtype=pa.float64)
    x.requires_grad_(True)
    # i0/i1 grow like exp(x): compare in relative terms through a constant scale
    scale = 1 / (1 + x.detach().abs().exp())
    assert gradcheck(lambda t: _fn(pa, name)(t) * scale, (x,))
    assert gradcheck(_fn(pa, name), (x[:5],), atol=1e-6, rtol=1e-4)


@pytest.mark.parametrize("name", NAMES)
def test_second_derivative_matches_torch(name):
    x = [-3.0, -0.7, 0.5, 2.5, 12.0]
    a = pa.tensor(x, dtype=pa.float64, requires_grad=True)
    b = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    try:
        (ga,) = pa.autograd.grad(_fn(pa, name)(a).sum(), a, create_graph=True)
    except RuntimeError as e:
        if "create_graph=True" not in str(e):
            raise
        pytest.skip("this build has no higher-order gradients")
    (gb,) = torch.autograd.grad(_fn(torch, name)(b).sum(), b, create_graph=True)
    (gga,) = pa.autograd.grad(ga.sum(), a)
    (ggb,) = torch.autograd.grad(gb.sum(), b)
    np.testing.assert_allclose(_np(gga), _np(ggb), rtol=1e-10)


def test_i0_function_method_and_inplace():
    x = np.linspace(-6, 6, 9)
    want = torch.i0(torch.tensor(x))
    t = pa.tensor(x, dtype=pa.float64)
    np.testing.assert_allclose(_np(pa.i0(t)), _np(want), rtol=1e-14)
    np.testing.assert_allclose(_np(t.i0()), _np(want), rtol=1e-14)
    u = t.clone()
    assert u.i0_() is u
    np.testing.assert_allclose(_np(u), _np(want), rtol=1e-14)
    v = t.clone()
    pa.i0_(v)
    np.testing.assert_allclose(_np(v), _np(want), rtol=1e-14)
    # an integer tensor cannot hold the float result, as PyTorch's
    with pytest.raises(RuntimeError):
        torch.tensor([1, 2]).i0_()
    with pytest.raises(RuntimeError):
        pa.tensor([1, 2]).i0_()


def test_bad_input_is_a_type_error():
    for name in NAMES:
        with pytest.raises(TypeError):
            _fn(torch, name)("x")
        with pytest.raises(TypeError):
            _fn(pa, name)("x")
    with pytest.raises(TypeError):
        pa.i0(None)


def test_known_values():
    # exact references: I0(0) = 1, erfcx(0) = 1, and the series' leading terms for small x
    x = pa.tensor([0.0, 1e-4], dtype=pa.float64)
    np.testing.assert_allclose(_np(special.i0(x)), [1.0, 1 + 0.25e-8], rtol=1e-15)
    np.testing.assert_allclose(_np(special.i1(x)), [0.0, 0.5e-4 * (1 + 0.125e-8)], rtol=1e-15)
    np.testing.assert_allclose(
        _np(special.erfcx(x)), [1.0, math.exp(1e-8) * math.erfc(1e-4)], rtol=1e-15
    )
