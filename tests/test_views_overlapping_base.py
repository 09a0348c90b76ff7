"""A view of a tensor whose elements share memory (an expanded tensor made a leaf), after an
in-place write: the view's history is remade through AsStridedBackward, as in PyTorch. Its
gradient is scattered into the base's storage, then, since several base elements read each
storage element, divided among them (PyTorch's as_strided_backward); summed over the aliases
it is the derivative with respect to the storage, which the finite differences check.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import pyautograd

# (base: expand of a 1-D tensor of `n` values to `shape`, view of it, write under no_grad)
CASES: dict[str, tuple[int, tuple[int, ...], Callable[[Any], Any], str]] = {
    "slice": (1, (3,), lambda b: b[1:], "b.fill_(2.0)"),
    "row": (2, (3, 2), lambda b: b[1], "b.zero_()"),
    "rows": (2, (3, 2), lambda b: b[1:], "b[0, 1] = 5.0"),
    "column": (2, (3, 2), lambda b: b[:, 1], "b.fill_(0.5)"),
    "transpose": (3, (2, 3), lambda b: b.t(), "b[0] = 1.5"),
    "inner": (2, (4, 3, 2), lambda b: b[1:3, ::2], "b[0, 0, 0] = 3.0"),
    "unsqueeze": (2, (3, 2), lambda b: b.unsqueeze(0)[:, 1:], "b[0, 0] = -1.0"),
    "empty": (2, (3, 2), lambda b: b[3:], "b.fill_(1.0)"),
}


def run(L: Any, case: str, values: np.ndarray, weights: np.ndarray) -> tuple[Any, Any, Any]:
    """The base's gradient, the view's grad_fn, and the base's storage after the write."""
    n, shape, view, write = CASES[case]
    b = L.tensor(values, dtype=L.float64).expand(*shape).detach().requires_grad_()
    v = view(b)
    with L.no_grad():
        exec(write, {"b": b})
    w = L.tensor(weights[: v.numel()].reshape(tuple(v.shape)), dtype=L.float64)
    (v.sin() * w).sum().backward()
    return b.grad, v.grad_fn, b.detach().reshape(-1, n)[0].numpy().copy()


def data(case: str) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(sum(map(ord, case)))
    return rng.standard_normal(CASES[case][0]), rng.standard_normal(64)


@pytest.mark.parametrize("case", sorted(CASES))
def test_against_pytorch(case: str) -> None:
    torch = pytest.importorskip("torch")
    values, weights = data(case)
    want, fn, _ = run(torch, case, values, weights)
    got, ours, _ = run(pyautograd, case, values, weights)
    assert fn.name().startswith("AsStridedBackward") and ours.name().startswith("AsStridedBackward")
    assert tuple(got.shape) == tuple(want.shape)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("case", sorted(CASES))
def test_finite_differences(case: str) -> None:
    """Summed over the base elements sharing one storage element, the gradient is the
    derivative of the loss with respect to that storage element after the write (central
    differences)."""
    n, shape, view, _ = CASES[case]
    values, weights = data(case)
    grad, _, storage = run(pyautograd, case, values, weights)

    def loss(vals: np.ndarray) -> float:
        v = view(pyautograd.tensor(vals, dtype=pyautograd.float64).expand(*shape))
        w = pyautograd.tensor(weights[: v.numel()].reshape(tuple(v.shape)))
        return float((v.sin() * w.double()).sum())

    eps = 1e-6
    fd = [
        (loss(storage + eps * np.eye(n)[j]) - loss(storage - eps * np.eye(n)[j])) / (2 * eps)
        for j in range(n)
    ]
    per_storage = grad.numpy().reshape(-1, n).sum(0)
    np.testing.assert_allclose(per_storage, fd, rtol=1e-6, atol=1e-8)
