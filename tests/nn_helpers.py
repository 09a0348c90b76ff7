"""Shared helpers of the nn/optim tests: the same module in pyautograd and PyTorch with the
same weights, and comparisons of values and gradients."""

import numpy as np
import pytest

import pyautograd as pa


def torch_or_skip():
    return pytest.importorskip("torch")


def np_of(t):
    """A float64/int64 NumPy copy of a pyautograd or torch tensor (detached)."""
    return np.array(t.detach().tolist())


def pa_of(a, dtype=None, requires_grad=False):
    """A pyautograd tensor from a NumPy array, a torch tensor or nested lists."""
    if hasattr(a, "detach"):
        a = a.detach().cpu().numpy()
    t = pa.tensor(np.asarray(a), dtype=dtype)
    if requires_grad:
        t.requires_grad_(True)
    return t


def torch_of(a, torch, dtype=None, requires_grad=False):
    if hasattr(a, "detach"):
        a = a.detach().numpy()
    t = torch.tensor(np.asarray(a), dtype=dtype)
    if requires_grad:
        t.requires_grad_(True)
    return t


def copy_params(pa_module, torch_module):
    """Gives the pyautograd module the torch module's parameters and buffers (by name)."""
    t_state = torch_module.state_dict()
    p_state = pa_module.state_dict()
    assert list(p_state) == list(t_state), (list(p_state), list(t_state))
    pa_module.load_state_dict({k: pa_of(v) for k, v in t_state.items()})


def assert_close(a, b, rtol=1e-5, atol=1e-6, what=""):
    a, b = (
        np_of(a) if not isinstance(a, np.ndarray) else a,
        (np_of(b) if not isinstance(b, np.ndarray) else b),
    )
    assert a.shape == b.shape, f"{what}: shapes {a.shape} vs {b.shape}"
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=what)


def assert_grads_match(pa_module, torch_module, rtol=1e-5, atol=1e-6):
    tp = dict(torch_module.named_parameters())
    for name, p in pa_module.named_parameters():
        t = tp[name]
        if t.grad is None:
            assert p.grad is None, name
            continue
        assert p.grad is not None, name
        assert_close(p.grad, t.grad, rtol, atol, f"grad of {name}")


def has_op(name):
    return any(getattr(m, name, None) is not None for m in (pa, pa._core, pa.Tensor))
