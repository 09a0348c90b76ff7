"""nn.utils.spectral_norm / remove_spectral_norm and nn.utils.parametrizations.spectral_norm
against PyTorch: parameter and buffer names, the power-iteration buffers, outputs and
gradients over training steps and in eval mode (the random u, v are copied from PyTorch)."""

import warnings

import numpy as np
import pytest
from nn_helpers import assert_close, pa_of, torch_or_skip

import pyautograd as pa
from pyautograd import nn

rng = np.random.default_rng(0)

MAKES = [
    ("linear", lambda L: L.nn.Linear(4, 3), (2, 4)),
    ("conv", lambda L: L.nn.Conv2d(2, 3, 3), (2, 2, 5, 5)),
    ("conv_transpose", lambda L: L.nn.ConvTranspose2d(2, 3, 3), (2, 2, 4, 4)),
]


def _sync(pm, tm):
    """The torch module's state (parameters and the random power-iteration buffers)."""
    pm.load_state_dict({k: pa_of(v) for k, v in tm.state_dict().items()})


def _steps(pm, tm, shape, torch):
    for step, mode in enumerate([True, True, False]):
        pm.train(mode)
        tm.train(mode)
        x = rng.standard_normal(shape)
        po, to = pm(pa.tensor(x)), tm(torch.tensor(x))
        (po * po).sum().backward()
        (to * to).sum().backward()
        assert_close(po, to, rtol=1e-9, atol=1e-11, what=f"output {step}")
        for (n, p), (_, q) in zip(pm.named_parameters(), tm.named_parameters(), strict=True):
            assert_close(p.grad, q.grad, rtol=1e-8, atol=1e-10, what=f"grad of {n}")
        for (n, b), (_, c) in zip(pm.named_buffers(), tm.named_buffers(), strict=True):
            assert_close(b, c, rtol=1e-9, atol=1e-11, what=f"buffer {n}")


@pytest.mark.parametrize(("name", "make", "shape"), MAKES, ids=[m[0] for m in MAKES])
def test_hook_spectral_norm_matches_torch(name, make, shape):
    torch = torch_or_skip()
    tm = torch.nn.utils.spectral_norm(make(torch).double())
    pm = nn.utils.spectral_norm(make(pa).double())
    assert list(pm.state_dict()) == list(tm.state_dict())
    assert [n for n, _ in pm.named_parameters()] == [n for n, _ in tm.named_parameters()]
    _sync(pm, tm)
    _steps(pm, tm, shape, torch)
    nn.utils.remove_spectral_norm(pm)
    torch.nn.utils.remove_spectral_norm(tm)
    assert [n for n, _ in pm.named_parameters()] == [n for n, _ in tm.named_parameters()]
    assert_close(pm.weight, tm.weight, rtol=1e-9)


@pytest.mark.parametrize(("name", "make", "shape"), MAKES, ids=[m[0] for m in MAKES])
def test_parametrized_spectral_norm_matches_torch(name, make, shape):
    torch = torch_or_skip()
    tm = torch.nn.utils.parametrizations.spectral_norm(make(torch).double())
    pm = nn.utils.parametrizations.spectral_norm(make(pa).double())
    assert list(pm.state_dict()) == list(tm.state_dict())
    assert type(pm).__name__ == type(tm).__name__
    _sync(pm, tm)
    _steps(pm, tm, shape, torch)


def test_errors():
    m = nn.Linear(2, 2)
    nn.utils.spectral_norm(m)
    with pytest.raises(RuntimeError, match="Cannot register two spectral_norm hooks"):
        nn.utils.spectral_norm(m)
    with pytest.raises(ValueError, match="Expected n_power_iterations to be positive"):
        nn.utils.spectral_norm(nn.Linear(2, 2), n_power_iterations=0)
    with pytest.raises(ValueError, match="spectral_norm of 'weight' not found"):
        nn.utils.remove_spectral_norm(nn.Linear(2, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.utils.parametrizations.spectral_norm(nn.Linear(3, 2))(pa.randn(1, 3))
