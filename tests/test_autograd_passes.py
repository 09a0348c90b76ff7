"""One backward pass's state belongs to the pass: two passes over one retained graph in two
threads both get the right gradients; autograd.grad runs only what leads to its inputs and
frees only what it ran."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

import pyautograd as pa


def _graph() -> tuple[Any, Any, np.ndarray]:
    rng = np.random.default_rng(0)
    xv = rng.standard_normal((64, 32))
    wv = rng.standard_normal((32, 16))
    x = pa.tensor(xv.tolist(), dtype=pa.float64, requires_grad=True)
    w = pa.tensor(wv.tolist(), dtype=pa.float64)
    h = x.mm(w)
    loss = (h.tanh() * h + h.exp() * 0.1).sum() + (x * x).sum()  # x reaches loss twice
    # d/dx, by hand: h = x w, dl/dh = tanh(h) + h (1 - tanh(h)^2) + 0.1 exp(h)
    hv = xv @ wv
    dh = np.tanh(hv) + hv * (1 - np.tanh(hv) ** 2) + 0.1 * np.exp(hv)
    return x, loss, dh @ wv.T + 2 * xv


def test_two_threads_backward_through_one_retained_graph() -> None:
    x, loss, expected = _graph()
    results: list[list[np.ndarray]] = [[], []]
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            for _ in range(100):
                (g,) = pa.autograd.grad(loss, [x], retain_graph=True)
                results[k].append(np.array(g.tolist()))
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert len(results[0]) == len(results[1]) == 100
    for r in results[0] + results[1]:
        np.testing.assert_allclose(r, expected, rtol=1e-12, atol=1e-12)


def test_autograd_grad_runs_and_frees_only_what_leads_to_its_inputs() -> None:
    x = pa.tensor([1.0, 2.0], dtype=pa.float64, requires_grad=True)
    y = x.exp()
    z = y * y
    (gy,) = pa.autograd.grad(z.sum(), [y])
    np.testing.assert_allclose(gy.tolist(), 2 * np.exp([1.0, 2.0]))
    y.sum().backward()  # y's own node was neither run nor freed
    np.testing.assert_allclose(x.grad.tolist(), np.exp([1.0, 2.0]))
