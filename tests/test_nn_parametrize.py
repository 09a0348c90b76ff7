"""nn.utils.weight_norm / remove_weight_norm, nn.utils.parametrize (register_parametrization,
remove_parametrizations, is_parametrized, cached) and nn.utils.parametrizations.weight_norm
against PyTorch: parameter names, shapes and order, state_dict keys, outputs and gradients."""

import warnings

import numpy as np
import pytest
from nn_helpers import assert_close, copy_params, torch_or_skip

import pyautograd as pa
from pyautograd import nn
from pyautograd.nn.utils import parametrize

rng = np.random.default_rng(0)

MAKES = [
    ("linear_dim0", lambda L: L.nn.Linear(3, 4), 0),
    ("linear_dimNone", lambda L: L.nn.Linear(3, 4), None),
    ("linear_dim1", lambda L: L.nn.Linear(3, 4), 1),
    ("conv_dim0", lambda L: L.nn.Conv2d(2, 3, 3), 0),
    ("conv_dim1", lambda L: L.nn.Conv2d(2, 3, 3), 1),
]


def _wn(lib, new_style):
    u = lib.nn.utils
    return u.parametrizations.weight_norm if new_style else u.weight_norm


@pytest.mark.parametrize("new_style", [False, True])
@pytest.mark.parametrize(("name", "make", "dim"), MAKES, ids=[m[0] for m in MAKES])
def test_weight_norm_matches_torch(name, make, dim, new_style):
    torch = torch_or_skip()
    tm, pm = make(torch).double(), make(pa).double()
    copy_params(pm, tm)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        tm, pm = _wn(torch, new_style)(tm, dim=dim), _wn(pa, new_style)(pm, dim=dim)
    assert type(pm).__name__ == type(tm).__name__
    assert [(n, tuple(p.shape)) for n, p in pm.named_parameters()] == [
        (n, tuple(p.shape)) for n, p in tm.named_parameters()
    ]
    assert list(pm.state_dict()) == list(tm.state_dict())
    for (n, p), (_, q) in zip(pm.named_parameters(), tm.named_parameters(), strict=True):
        assert_close(p, q, rtol=1e-12, what=n)
    x = rng.standard_normal((2, 3) if name.startswith("linear") else (2, 2, 5, 5))
    for step in range(2):  # the weight follows the parameters after an update
        to, po = tm(torch.tensor(x)), pm(pa.tensor(x))
        (to * to).sum().backward()
        (po * po).sum().backward()
        assert_close(po, to, rtol=1e-10, atol=1e-12, what=f"output {step}")
        for (n, p), (_, q) in zip(pm.named_parameters(), tm.named_parameters(), strict=True):
            assert_close(p.grad, q.grad, rtol=1e-9, atol=1e-12, what=f"grad of {n}")
            with pa.no_grad():
                p -= 0.1 * p.grad
            with torch.no_grad():
                q -= 0.1 * q.grad
            p.grad, q.grad = None, None


def test_old_weight_norm_warns_removes_and_refuses_twice():
    torch = torch_or_skip()
    m = nn.Linear(3, 2)
    with pytest.warns(FutureWarning, match="deprecated in favor of"):
        nn.utils.weight_norm(m)
    with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks"):
        with pytest.warns(FutureWarning):
            nn.utils.weight_norm(m)
    w = m.weight.detach().clone()
    nn.utils.remove_weight_norm(m)
    assert [n for n, _ in m.named_parameters()] == ["bias", "weight"]
    assert_close(m.weight, w, rtol=1e-6)
    with pytest.raises(ValueError, match="weight_norm of 'weight' not found"):
        nn.utils.remove_weight_norm(m)
    t = torch.nn.Linear(3, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        torch.nn.utils.remove_weight_norm(torch.nn.utils.weight_norm(t))
    assert [n for n, _ in t.named_parameters()] == ["bias", "weight"]


def _symmetric(L):
    class Symmetric(L.nn.Module):
        def forward(self, x):
            return x.triu() + x.triu(1).transpose(-1, -2)

        def right_inverse(self, a):
            return a.triu()

    return Symmetric()


def test_custom_parametrization_matches_torch():
    torch = torch_or_skip()
    tm, pm = torch.nn.Linear(3, 3).double(), nn.Linear(3, 3).double()
    copy_params(pm, tm)
    parametrize.register_parametrization(pm, "weight", _symmetric(pa))
    torch.nn.utils.parametrize.register_parametrization(tm, "weight", _symmetric(torch))
    assert parametrize.is_parametrized(pm) and parametrize.is_parametrized(pm, "weight")
    assert not parametrize.is_parametrized(pm, "bias")
    assert list(pm.state_dict()) == list(tm.state_dict())
    assert_close(pm.weight, tm.weight)
    assert_close(pm.weight, pm.weight.t())
    # assigning goes through right_inverse
    a = rng.standard_normal((3, 3))
    pm.weight = pa.tensor(a)
    tm.weight = torch.tensor(a)
    assert_close(pm.parametrizations.weight.original, tm.parametrizations.weight.original)
    x = rng.standard_normal((2, 3))
    po, to = pm(pa.tensor(x)), tm(torch.tensor(x))
    po.sum().backward()
    to.sum().backward()
    assert_close(po, to)
    assert_close(pm.parametrizations.weight.original.grad, tm.parametrizations.weight.original.grad)
    with parametrize.cached():
        assert pm.weight is pm.weight
    assert pm.weight is not pm.weight
    parametrize.remove_parametrizations(pm, "weight")
    torch.nn.utils.parametrize.remove_parametrizations(tm, "weight")
    assert type(pm) is nn.Linear
    assert [n for n, _ in pm.named_parameters()] == [n for n, _ in tm.named_parameters()]
    assert_close(pm.weight, tm.weight)


def test_parametrize_errors():
    m = nn.Linear(2, 2)
    with pytest.raises(ValueError, match="does not have a parameter, a buffer"):
        parametrize.register_parametrization(m, "nothing", _symmetric(pa))
    with pytest.raises(ValueError, match="does not have a parametrization on weight"):
        parametrize.remove_parametrizations(m, "weight")
    nn.utils.parametrizations.weight_norm(m)
    with pytest.raises(ValueError, match="Cannot leave unparametrized"):
        parametrize.remove_parametrizations(m, "weight", leave_parametrized=False)
    w = m.weight.detach().clone()
    parametrize.remove_parametrizations(m, "weight")
    assert_close(m.weight, w, rtol=1e-6)
    assert type(m) is nn.Linear
