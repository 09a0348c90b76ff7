"""autograd.functional.vjp and jacobian against torch.autograd.functional (float64)."""

import numpy as np
import pytest

import pyautograd as pa
from pyautograd.autograd import functional as F

torch = pytest.importorskip("torch")


def f_single(x):
    return (x**2).sum(0) * x[0].tanh()


def f_multi(x, y):
    return x @ y, (x * 2).exp().sum()


def both(fn_name, data):
    xs = [pa.tensor(d, dtype=pa.float64) for d in data]
    ts = [torch.tensor(d, dtype=torch.float64) for d in data]
    return xs, ts


def assert_same(ours, ref):
    if isinstance(ref, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(ref)
        for o, r in zip(ours, ref, strict=True):
            assert_same(o, r)
        return
    assert tuple(ours.shape) == tuple(ref.shape)
    np.testing.assert_allclose(ours.numpy(), ref.detach().numpy(), rtol=1e-12, atol=1e-14)


rng = np.random.default_rng(0)
X = rng.standard_normal((3, 2))
Y = rng.standard_normal((2, 4))


def test_jacobian_single():
    (x,), (t,) = both("j", [X])
    assert_same(F.jacobian(f_single, x), torch.autograd.functional.jacobian(f_single, t))


def test_jacobian_tuples():
    xs, ts = both("j", [X, Y])
    assert_same(
        F.jacobian(f_multi, tuple(xs)), torch.autograd.functional.jacobian(f_multi, tuple(ts))
    )


def test_jacobian_scalar_function_and_independent_input():
    def g(x, y):
        return (x * 3).sum()

    xs, ts = both("j", [X, Y])
    assert_same(F.jacobian(g, tuple(xs)), torch.autograd.functional.jacobian(g, tuple(ts)))
    with pytest.raises(RuntimeError, match="independent"):
        torch.autograd.functional.jacobian(g, tuple(ts), strict=True)
    with pytest.raises(RuntimeError, match="independent"):
        F.jacobian(g, tuple(xs), strict=True)


def test_vjp():
    (x,), (t,) = both("v", [X])
    v = rng.standard_normal(2)
    out, g = F.vjp(f_single, x, pa.tensor(v, dtype=pa.float64))
    rout, rg = torch.autograd.functional.vjp(f_single, t, torch.tensor(v))
    assert_same(out, rout)
    assert_same(g, rg)
    xs, ts = both("v", [X, Y])
    vs = (rng.standard_normal((3, 4)), np.array(0.7))
    ours = F.vjp(f_multi, tuple(xs), tuple(pa.tensor(a, dtype=pa.float64) for a in vs))
    ref = torch.autograd.functional.vjp(f_multi, tuple(ts), tuple(torch.tensor(a) for a in vs))
    assert_same(ours, ref)


def test_vjp_errors_and_unsupported():
    (x,), _ = both("v", [X])
    with pytest.raises(RuntimeError, match="single element"):
        F.vjp(f_single, x)
    with pytest.raises(RuntimeError, match="shape"):
        F.vjp(f_single, x, pa.ones(3, dtype=pa.float64))
    with pytest.raises(TypeError):
        F.jacobian(f_single, [1.0])
    for name in ("hessian", "hvp", "vhp"):  # a scalar function is required
        with pytest.raises(RuntimeError, match="single element"):
            getattr(F, name)(f_single, x)
    with pytest.raises(RuntimeError, match="shape"):
        F.jvp(f_single, x, pa.ones(3, dtype=pa.float64))


def test_import_path():
    import pyautograd.autograd.functional as mod

    assert mod is pa.autograd.functional
