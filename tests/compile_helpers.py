"""The eager-vs-compiled comparison the compile tests share: a program's tensors (and their
gradients) after an eager and a compiled run, bitwise under ``compile(exact=True)``, else within
1e-5 of each tensor's largest magnitude (the fused updates round differently)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

import pyautograd as torch
from pyautograd.autograd import Variable


def np_copy(t: Any) -> np.ndarray:
    """A NumPy copy of a tensor's values (detached)."""
    return np.array(t.detach().numpy(), copy=True)


def assert_same(a: Any, b: Any, exact: bool, what: str = "") -> None:
    """a and b (tensors or both None) equal: bitwise when exact, else to 1e-5 of a's scale."""
    if a is None or b is None:
        assert a is None and b is None, f"{what}: one is None"
        return
    x, y = np_copy(a), np_copy(b)
    if exact:
        np.testing.assert_array_equal(x, y, err_msg=what)
    else:
        scale = max(float(np.abs(x).max(initial=0.0)), 1e-30)
        np.testing.assert_allclose(x, y, rtol=0, atol=1e-5 * scale, err_msg=what)


def assert_same_state(
    eager: Mapping[str, Any], compiled: Mapping[str, Any], exact: bool, what: str = ""
) -> None:
    """Every tensor of the eager state equals its compiled twin, and so do their gradients."""
    for k, v in eager.items():
        if isinstance(v, torch.Tensor):
            assert_same(v, compiled[k], exact, f"{what}: {k}")
            assert_same(v.grad, compiled[k].grad, exact, f"{what}: {k}.grad")


def seed_net(
    seed: int = 0, n_in: int = 1000, hidden: int = 100, m: int = 64
) -> tuple[Any, Any, dict[str, Any]]:
    """The seed's two-layer network (examples/two_layer_autograd.py), column-major batches:
    x (n_in, m), y (10, m) and the parameters w1, w2, b1, b2 as Variables."""
    torch.manual_seed(seed)
    x = Variable(torch.randn(n_in, m), requires_grad=False)
    y = Variable(torch.randn(10, m), requires_grad=False)
    p = {
        "w1": Variable(torch.randn(hidden, n_in), requires_grad=True),
        "w2": Variable(torch.randn(10, hidden), requires_grad=True),
        "b1": Variable(torch.randn(hidden, 1), requires_grad=True),
        "b2": Variable(torch.randn(10, 1), requires_grad=True),
    }
    return x, y, p
