"""PyTorch behaviour the differential tester gates as `torch-*` (tests/difftest/known.py) and
pyautograd does not copy, found by the long runs: each test asserts what PyTorch does (when it
is importable) and what pyautograd does instead, computed independently.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import pyautograd


def test_gelu_backward_with_a_strided_gradient() -> None:
    """torch-gelu-strided-grad: gelu's backward with g = t[:, ::2] of a (2, 5, 2) t raises in
    PyTorch (oneDNN); pyautograd gives the gradient of the contiguous copy of g, which PyTorch
    gives too."""
    rng = np.random.default_rng(5)
    xs, gs = rng.standard_normal((2, 3, 2)), rng.standard_normal((2, 5, 2))

    def grad(L: Any, strided: bool) -> np.ndarray:
        x = L.tensor(xs, dtype=L.float32, requires_grad=True)
        g = L.tensor(gs, dtype=L.float32)[:, ::2]
        L.nn.functional.gelu(x).backward(g if strided else g.contiguous())
        return np.array(x.grad.numpy())

    ours = grad(pyautograd, True)
    np.testing.assert_array_equal(ours, grad(pyautograd, False))
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="memory descriptor"):
        grad(torch, True)
    np.testing.assert_allclose(ours, grad(torch, False), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("shape", [(0,), (3,), (2, 1, 3), (2, 0, 3)])
def test_detach_in_place_of_a_linear_result(shape: tuple[int, ...]) -> None:
    """torch-linear-view: F.linear with a bias of a 1-D or 3-D input is a view in PyTorch, and
    detach_() of it raises there; here it is a tensor of its own and detaches."""
    n = shape[-1]

    def run(L: Any) -> Any:
        x = L.ones(shape, requires_grad=True)
        y = L.nn.functional.linear(x, L.ones(2, n), L.ones(2, requires_grad=True))
        y.detach_()
        return y

    y = run(pyautograd)
    assert not y.requires_grad and y.grad_fn is None
    assert y.tolist() == (np.ones((*shape[:-1], 2)) * (n + 1)).tolist()
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="detach views in-place"):
        run(torch)
