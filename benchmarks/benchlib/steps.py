"""The seed's two training steps, written once per API.

The Tensor-API versions take the module as a parameter, so the very same code runs on
pyautograd and on PyTorch (their APIs match). Each factory builds its own state from the
shared initial arrays and returns a closure that runs one step and returns the loss.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from .data import InitArrays

StepFn = Callable[[], Any]  # one training step; returns the loss (a framework scalar)


class TensorApi(Protocol):
    """What a step needs from pyautograd or torch (see ``backends.TensorBackend``)."""

    module: Any

    def tensor(self, array: np.ndarray) -> Any: ...

    def variable(self, array: np.ndarray, requires_grad: bool) -> Any: ...


def tensor_autograd_step(api: TensorApi, init: InitArrays, lr: float) -> StepFn:
    """Program 2: Variables with requires_grad, ``loss.backward()``, update through ``.data``."""
    x = api.variable(init.x, requires_grad=False)
    y = api.variable(init.y, requires_grad=False)
    params = {
        name: api.variable(value, requires_grad=True) for name, value in init.params().items()
    }

    def step() -> Any:
        return seed_autograd_step(x, y, params, lr)

    return step


def seed_autograd_step(x: Any, y: Any, params: dict[str, Any], lr: float) -> Any:
    """One iteration of the seed's program 2 (examples/two_layer_autograd.py), on any module
    with PyTorch's Tensor API; the tests run this very function (tests/grad_helpers.py)."""
    z1 = params["w1"].mm(x) + params["b1"]
    a1 = z1.clamp(min=0)
    z2 = params["w2"].mm(a1) + params["b2"]
    loss = (z2 - y).pow(2).sum()
    loss.backward()
    for p in params.values():
        p.data -= lr * p.grad.data
    for p in params.values():
        p.grad.data.zero_()
    return loss


def tensor_autograd_step_no_grad(api: TensorApi, init: InitArrays, lr: float) -> StepFn:
    """Program 2 with today's update form, ``with no_grad(): p -= lr * p.grad; p.grad.zero_()``:
    the closest form ``torch.compile`` accepts (the seed's ``.data`` form fails there)."""
    torch = api.module
    x = api.variable(init.x, requires_grad=False)
    y = api.variable(init.y, requires_grad=False)
    params = {
        name: api.variable(value, requires_grad=True) for name, value in init.params().items()
    }

    def step() -> Any:
        z1 = params["w1"].mm(x) + params["b1"]
        a1 = z1.clamp(min=0)
        z2 = params["w2"].mm(a1) + params["b2"]
        loss = (z2 - y).pow(2).sum()
        loss.backward()
        with torch.no_grad():
            for p in params.values():
                p -= lr * p.grad
                p.grad.zero_()
        return loss

    return step


def tensor_manual_step(api: TensorApi, init: InitArrays, lr: float) -> StepFn:
    """Program 1: plain tensors, backprop by hand (the seed comments out its forward's biases)."""
    torch = api.module
    x, y = api.tensor(init.x), api.tensor(init.y)
    params = {name: api.tensor(value) for name, value in init.params().items()}

    def step() -> Any:
        m = y.size()[1]
        z1 = params["w1"].mm(x)
        a1 = z1.clamp(min=0)
        y_pred = params["w2"].mm(a1)
        loss = (y_pred - y).pow(2).sum()
        d_y_pred = 1 / m * (y_pred - y)
        d_w2 = 1 / m * d_y_pred.mm(a1.t())
        d_b2 = 1 / m * torch.sum(d_y_pred, 1, keepdim=True)
        d_a1 = params["w2"].t().mm(d_y_pred)
        d_z1 = d_a1.clone()
        d_z1[z1 < 0] = 0
        d_w1 = 1 / m * d_z1.mm(x.t())
        d_b1 = 1 / m * torch.sum(d_z1, 1, keepdim=True)
        params["w1"] -= lr * d_w1
        params["w2"] -= lr * d_w2
        params["b1"] -= lr * d_b1
        params["b2"] -= lr * d_b2
        return loss

    return step


def numpy_autograd_step(init: InitArrays, lr: float) -> StepFn:
    """Program 2's maths derived by hand in NumPy (clamp passes the gradient where z1 >= 0)."""
    x, y = init.x.copy(), init.y.copy()
    p = {name: value.copy() for name, value in init.params().items()}

    def step() -> Any:
        z1 = p["w1"] @ x + p["b1"]
        a1 = np.maximum(z1, 0)
        z2 = p["w2"] @ a1 + p["b2"]
        diff = z2 - y
        loss = (diff * diff).sum()
        d_z2 = 2 * diff
        d_z1 = (p["w2"].T @ d_z2) * (z1 >= 0)
        grads = {
            "w1": d_z1 @ x.T,
            "b1": d_z1.sum(1, keepdims=True),
            "w2": d_z2 @ a1.T,
            "b2": d_z2.sum(1, keepdims=True),
        }
        for name, grad in grads.items():
            p[name] -= lr * grad
        return loss

    return step


def numpy_manual_step(init: InitArrays, lr: float) -> StepFn:
    """Program 1 in NumPy, line for line."""
    x, y = init.x.copy(), init.y.copy()
    p = {name: value.copy() for name, value in init.params().items()}

    def step() -> Any:
        m = y.shape[1]
        z1 = p["w1"] @ x
        a1 = np.maximum(z1, 0)
        y_pred = p["w2"] @ a1
        loss = ((y_pred - y) ** 2).sum()
        d_y_pred = 1 / m * (y_pred - y)
        d_w2 = 1 / m * (d_y_pred @ a1.T)
        d_b2 = 1 / m * np.sum(d_y_pred, 1, keepdims=True)
        d_a1 = p["w2"].T @ d_y_pred
        d_z1 = d_a1.copy()
        d_z1[z1 < 0] = 0
        d_w1 = 1 / m * (d_z1 @ x.T)
        d_b1 = 1 / m * np.sum(d_z1, 1, keepdims=True)
        p["w1"] -= lr * d_w1
        p["w2"] -= lr * d_w2
        p["b1"] -= lr * d_b1
        p["b2"] -= lr * d_b2
        return loss

    return step
