"""Shared helpers for the autograd test-suite (tests/test_autograd_*.py).

The numeric gradient checker below is deliberately independent of
``pyautograd.autograd.gradcheck``: it perturbs the leaf tensors in place
through ``.data`` (element assignment), re-evaluates the function and compares
central finite differences (float64) with the gradients produced by
``out.backward(gradient=W)`` for a random weighting ``W`` of the output.
Values are read back through ``.tolist()`` into numpy (float64).
"""

import os
import random
import sys
from pathlib import Path

import numpy as np
import pytest
from helpers import TORCH_STANDIN

import pyautograd

# The seed's training step is written once, in the benchmarks (which time it).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from benchlib.steps import seed_autograd_step

#: True when the tests run against the PyTorch stand-in instead of the real library.
IS_STANDIN = TORCH_STANDIN

skip_standin = pytest.mark.skipif(
    IS_STANDIN, reason="pyautograd-specific behaviour (PyTorch differs here)"
)

F64 = pyautograd.float64


def to_np(t):
    """Copy a tensor's values into a float64 numpy array (no autograd)."""
    if hasattr(t, "detach"):
        t = t.detach()
    try:
        v = t.tolist()
    except AttributeError:  # pragma: no cover - fallback
        v = t.numpy().tolist()
    return np.array(v, dtype=np.float64)


def shape_of(t):
    return tuple(int(s) for s in t.shape)


def rng(seed=0):
    return np.random.RandomState(seed)


def make(arr, requires_grad=True, dtype=None):
    """Build a (float64 by default) leaf tensor from a numpy array / list."""
    arr = np.asarray(arr, dtype=np.float64)
    return pyautograd.tensor(arr.tolist(), dtype=dtype or F64, requires_grad=requires_grad)


def randt(*shape, seed=0, requires_grad=True, low=None, high=None):
    """Random float64 leaf tensor (numpy RNG, independent of pyautograd's)."""
    r = rng(seed)
    if low is None:
        a = r.standard_normal(shape)
    else:
        a = r.uniform(low, high, size=shape)
    return make(a, requires_grad=requires_grad)


def _set_elem(t, idx, value):
    d = t.data
    if len(idx) == 0:
        d.fill_(value)
    else:
        d[idx] = value


def numeric_grads(fn, inputs, weight, eps=1e-6):
    """Central differences of sum(weight * fn(*inputs)) w.r.t. every input
    that requires grad (None for the others).  Inputs are perturbed in place
    through ``.data`` and restored afterwards."""
    grads = []
    for x in inputs:
        if not getattr(x, "requires_grad", False):
            grads.append(None)
            continue
        base = to_np(x)
        g = np.zeros_like(base)
        for idx in np.ndindex(*base.shape):
            orig = float(base[idx])
            _set_elem(x, idx, orig + eps)
            fp = to_np(fn(*inputs))
            _set_elem(x, idx, orig - eps)
            fm = to_np(fn(*inputs))
            _set_elem(x, idx, orig)
            g[idx] = np.sum(weight * (fp - fm)) / (2.0 * eps)
        grads.append(g)
    return grads


def analytic_grads(fn, inputs, weight):
    for x in inputs:
        if getattr(x, "requires_grad", False):
            x.grad = None
    out = fn(*inputs)
    assert out.requires_grad, "output does not require grad"
    w = pyautograd.tensor(weight.tolist(), dtype=out.dtype)
    out.backward(gradient=w)
    res = []
    for x in inputs:
        if not getattr(x, "requires_grad", False):
            res.append(None)
            continue
        assert x.grad is not None, "no gradient reached an input"
        assert shape_of(x.grad) == shape_of(x), (shape_of(x.grad), shape_of(x))
        res.append(to_np(x.grad))
    return res


def check_grads(fn, *inputs, eps=1e-6, rtol=1e-5, atol=1e-6, seed=1234):
    """Assert autograd gradients of ``fn`` match central finite differences.

    ``fn`` may return a tensor of any shape; a random weighting W of the
    output is back-propagated (``out.backward(gradient=W)``).
    """
    out = fn(*inputs)
    w = rng(seed).standard_normal(shape_of(out))
    w = np.asarray(w, dtype=np.float64)
    an = analytic_grads(fn, inputs, w)
    nu = numeric_grads(fn, inputs, w, eps=eps)
    for i, (a, n) in enumerate(zip(an, nu, strict=True)):
        if a is None:
            continue
        np.testing.assert_allclose(
            a, n, rtol=rtol, atol=atol, err_msg=f"gradient mismatch for input {i}"
        )
    return an


def assert_close(a, b, rtol=1e-6, atol=1e-8):
    np.testing.assert_allclose(
        to_np(a) if not isinstance(a, np.ndarray) else a,
        to_np(b) if not isinstance(b, np.ndarray) else b,
        rtol=rtol,
        atol=atol,
    )


def grad_fn_name(fn):
    """Name of a grad_fn node: ``name()`` if available, else the class name;
    PyTorch's trailing version digits (``MmBackward0``) are stripped."""
    n = fn.name() if hasattr(fn, "name") else type(fn).__name__
    while n and n[-1].isdigit():
        n = n[:-1]
    return n


def rss_bytes():
    with open("/proc/self/statm") as f:
        resident_pages = int(f.read().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE")


def seed_step(x, y, params, lr=1e-6):
    """One iteration of the seed's autograd program (examples/two_layer_autograd.py)."""
    return seed_autograd_step(x, y, params, lr)


def seed_all(s=0):
    random.seed(s)
    pyautograd.manual_seed(s)
