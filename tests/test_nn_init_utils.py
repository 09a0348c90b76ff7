"""nn.init (distributions, bounds, gains against PyTorch) and nn.utils (gradient clipping,
parameters <-> vector) against PyTorch."""

import math

import numpy as np
import pytest
from nn_helpers import assert_close, np_of, pa_of, torch_or_skip

import pyautograd as pa
from pyautograd import nn
from pyautograd.nn import init


@pytest.mark.parametrize(
    ("name", "param"),
    [
        ("linear", None),
        ("sigmoid", None),
        ("tanh", None),
        ("relu", None),
        ("leaky_relu", None),
        ("leaky_relu", 0.2),
        ("selu", None),
        ("conv2d", None),
    ],
)
def test_calculate_gain_matches_torch(name, param):
    torch = torch_or_skip()
    assert init.calculate_gain(name, param) == torch.nn.init.calculate_gain(name, param)


def test_calculate_gain_errors():
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        init.calculate_gain("nope")
    with pytest.raises(ValueError, match="not a valid number"):
        init.calculate_gain("leaky_relu", "x")


def _stats(t):
    a = np_of(t)
    return a.min(), a.max(), a.mean(), a.std()


@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize("nonlinearity", ["relu", "leaky_relu"])
def test_kaiming_bounds(mode, nonlinearity):
    pa.manual_seed(0)
    w = pa.empty(300, 200)
    init.kaiming_uniform_(w, a=0.1, mode=mode, nonlinearity=nonlinearity)
    fan = 200 if mode == "fan_in" else 300
    bound = math.sqrt(3.0) * init.calculate_gain(nonlinearity, 0.1) / math.sqrt(fan)
    lo, hi, _mean, std = _stats(w)
    assert -bound <= lo < -0.99 * bound and 0.99 * bound < hi <= bound
    assert abs(std - bound / math.sqrt(3)) < 0.01 * bound
    init.kaiming_normal_(w, mode=mode, nonlinearity=nonlinearity)
    assert abs(_stats(w)[3] - init.calculate_gain(nonlinearity) / math.sqrt(fan)) < 0.01


def test_xavier_uniform_normal_and_simple():
    pa.manual_seed(0)
    w = pa.empty(400, 100, dtype=pa.float64)
    init.xavier_uniform_(w, gain=2.0)
    a = 2.0 * math.sqrt(6.0 / 500)
    lo, hi, _, std = _stats(w)
    assert -a <= lo and hi <= a and abs(std - a / math.sqrt(3)) < 0.01 * a
    init.xavier_normal_(w)
    assert abs(_stats(w)[3] - math.sqrt(2.0 / 500)) < 0.002
    init.uniform_(w, -2, 3)
    lo, hi, mean, _ = _stats(w)
    assert -2 <= lo and hi <= 3 and abs(mean - 0.5) < 0.05
    init.normal_(w, 1.0, 0.5)
    _, _, mean, std = _stats(w)
    assert abs(mean - 1.0) < 0.01 and abs(std - 0.5) < 0.01
    assert np_of(init.zeros_(w)).max() == 0
    assert np_of(init.ones_(w)).min() == 1
    assert np_of(init.constant_(w, 0.3)).max() == 0.3
    assert w.dtype == pa.float64
    e = init.eye_(pa.empty(2, 3))
    assert np_of(e).tolist() == [[1, 0, 0], [0, 1, 0]]


def test_init_on_parameters_needs_no_no_grad_and_keeps_leaf():
    p = nn.Parameter(pa.empty(3, 4))
    r = init.kaiming_uniform_(p)
    assert r is p and p.is_leaf and p.requires_grad and p.grad_fn is None


def test_init_errors():
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(pa.empty(3))
    with pytest.raises(ValueError, match="Mode fan_x not supported"):
        init.kaiming_uniform_(pa.empty(3, 3), mode="fan_x")
    with pytest.warns(UserWarning, match="zero-element"):
        init.kaiming_uniform_(pa.empty(0, 3))


def _grads_pair(torch, shapes, seed=0):
    rng = np.random.default_rng(seed)
    ps, ts = [], []
    for s in shapes:
        g = rng.standard_normal(s) * 3
        p = pa.zeros(s, requires_grad=True)
        p.grad = pa_of(g, pa.float32)
        t = torch.zeros(s, requires_grad=True)
        t.grad = torch.tensor(g, dtype=torch.float32)
        ps.append(p)
        ts.append(t)
    return ps, ts


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    torch = torch_or_skip()
    ps, ts = _grads_pair(torch, [(3, 4), (5,), ()])
    n1 = nn.utils.clip_grad_norm_(ps, max_norm, norm_type)
    n2 = torch.nn.utils.clip_grad_norm_(ts, max_norm, norm_type)
    assert_close(n1, n2, 1e-5, 1e-6, "total norm")
    for p, t in zip(ps, ts, strict=True):
        assert_close(p.grad, t.grad, 1e-5, 1e-6, "clipped gradient")


def test_clip_grad_norm_edge_cases():
    p = pa.zeros(2, requires_grad=True)
    assert nn.utils.clip_grad_norm_([p], 1.0).item() == 0.0  # no gradients
    p.grad = pa.tensor([float("nan"), 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        nn.utils.clip_grad_norm_(p, 1.0, error_if_nonfinite=True)


def test_clip_grad_value_matches_torch():
    torch = torch_or_skip()
    ps, ts = _grads_pair(torch, [(3, 4), (2,)])
    nn.utils.clip_grad_value_(ps, 0.7)
    torch.nn.utils.clip_grad_value_(ts, 0.7)
    for p, t in zip(ps, ts, strict=True):
        assert_close(p.grad, t.grad, 0, 0)


def test_parameters_to_vector_and_back():
    m = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    with pa.no_grad():
        v = nn.utils.parameters_to_vector(m.parameters())
    assert tuple(v.shape) == (11,)
    expect = np.concatenate([np_of(p).reshape(-1) for p in m.parameters()])
    np.testing.assert_array_equal(np_of(v), expect)
    new = pa.arange(11).float()
    nn.utils.vector_to_parameters(new, m.parameters())
    np.testing.assert_array_equal(np_of(m[0].weight).reshape(-1), np.arange(6.0))
    assert m[1].bias.item() == 10.0 and isinstance(m[1].bias, nn.Parameter)
    with pytest.raises(TypeError, match=r"expected torch\.Tensor"):
        nn.utils.vector_to_parameters([1.0], m.parameters())


def test_parameters_to_vector_is_differentiable():
    m = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    v = nn.utils.parameters_to_vector(m.parameters())
    (v * pa.arange(11).float()).sum().backward()
    got = np.concatenate([np_of(p.grad).reshape(-1) for p in m.parameters()])
    np.testing.assert_array_equal(got, np.arange(11.0))
