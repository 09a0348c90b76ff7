"""The activations declared as unary ops (softplus leaky_relu elu gelu silu hardtanh) through
pyautograd.nn.functional and the nn modules, against PyTorch: parameters, gelu's tanh
approximation, inplace=True, the functional-only exposure (no torch.<name>, no Tensor method
where PyTorch has none), and float64 gradients. The op table and tests/test_ops_unary.py cover
their dtypes, layouts, 0-d and empty inputs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from grad_helpers import check_grads
from helpers import TORCH_STANDIN

import pyautograd
import pyautograd.nn.functional as F

pytestmark = pytest.mark.skipif(TORCH_STANDIN, reason="pyautograd's own ops")
torch = pytest.importorskip("torch")
TF = torch.nn.functional

CASES: list[tuple[str, dict[str, Any]]] = [
    ("softplus", {}),
    ("softplus", {"beta": 0.5, "threshold": 2.0}),
    ("softplus", {"beta": 3.0}),
    ("leaky_relu", {}),
    ("leaky_relu", {"negative_slope": -0.3}),
    ("elu", {}),
    ("elu", {"alpha": 2.5}),
    ("gelu", {}),
    ("gelu", {"approximate": "tanh"}),
    ("silu", {}),
    ("hardtanh", {}),
    ("hardtanh", {"min_val": -0.25, "max_val": 2.0}),
    ("relu6", {}),
]
IDS = [f"{n}{k}" for n, k in CASES]


def _x(dtype: str = "float64") -> np.ndarray:
    a = np.random.default_rng(0).standard_normal((4, 5)) * 4
    a[a.round() == a] += 0.3
    return a.astype(dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("name", "kw"), CASES, ids=IDS)
def test_functional_against_torch(name: str, kw: dict[str, Any], dtype: str) -> None:
    arr = _x(dtype)
    x = pyautograd.tensor(arr, requires_grad=True)
    t = torch.tensor(arr, requires_grad=True)
    out, ref = getattr(F, name)(x, **kw), getattr(TF, name)(t, **kw)
    assert str(out.dtype).split(".")[-1] == dtype
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == "float32" else {"rtol": 1e-10, "atol": 1e-12}
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), **tol)
    w = np.random.default_rng(1).standard_normal(arr.shape).astype(dtype)
    out.backward(pyautograd.tensor(w))
    ref.backward(torch.tensor(w))
    assert x.grad is not None and t.grad is not None
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), **tol)


@pytest.mark.parametrize(("name", "kw"), CASES, ids=IDS)
def test_gradcheck_non_contiguous(name: str, kw: dict[str, Any]) -> None:
    x = pyautograd.tensor(_x().T.copy(), requires_grad=True)
    check_grads(lambda a: getattr(F, name)(a.t(), **kw), x)


@pytest.mark.parametrize("name", ["leaky_relu", "elu", "silu", "hardtanh", "relu6", "relu"])
def test_inplace_true(name: str) -> None:
    arr = _x("float32")
    x = pyautograd.tensor(arr)
    t = torch.tensor(arr)
    r = getattr(F, name)(x, inplace=True)
    getattr(TF, name)(t, inplace=True)
    assert r is x
    np.testing.assert_allclose(x.numpy(), t.numpy(), rtol=1e-6)

    def f(a: Any) -> Any:
        y = a * 1.0
        return getattr(F, name)(y, inplace=True)

    check_grads(f, pyautograd.tensor(_x(), requires_grad=True))


def test_exposed_where_pytorch_has_them() -> None:
    for name in ("softplus", "leaky_relu", "elu", "gelu", "silu", "hardtanh"):
        assert callable(getattr(F, name))
        assert hasattr(pyautograd, name) == hasattr(torch, name), name
        assert hasattr(pyautograd.Tensor, name) == hasattr(torch.Tensor, name), name
    for name in ("sigmoid", "relu", "tanh", "softmax", "log_softmax"):
        assert callable(getattr(pyautograd, name)) and callable(getattr(pyautograd.Tensor, name))


MODULES: list[tuple[str, dict[str, Any]]] = [
    ("Softplus", {"beta": 2.0, "threshold": 3.0}),
    ("LeakyReLU", {"negative_slope": 0.2}),
    ("ELU", {"alpha": 0.7}),
    ("GELU", {"approximate": "tanh"}),
    ("SiLU", {}),
    ("Hardtanh", {"min_val": -0.5, "max_val": 0.7}),
    ("ReLU6", {}),
]


@pytest.mark.parametrize(("cls", "kw"), MODULES, ids=[c for c, _ in MODULES])
def test_modules_use_the_ops(cls: str, kw: dict[str, Any]) -> None:
    arr = _x("float32")
    out = getattr(pyautograd.nn, cls)(**kw)(pyautograd.tensor(arr))
    ref = getattr(torch.nn, cls)(**kw)(torch.tensor(arr))
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-5, atol=1e-6)


def test_errors() -> None:
    with pytest.raises(ValueError, match="approximate"):
        F.gelu(pyautograd.zeros(2), approximate="fast")
    with pytest.raises(ValueError, match="min_val"):
        F.hardtanh(pyautograd.zeros(2), 1.0, -1.0)
    for name in ("softplus", "leaky_relu", "elu", "gelu", "silu"):
        with pytest.raises(RuntimeError, match=rf"\[{name}\].*int64"):
            getattr(F, name)(pyautograd.tensor([1, 2]))
    with pytest.raises(RuntimeError, match=r"\[hardtanh\].*bool"):
        F.hardtanh(pyautograd.tensor([True]))
    with pytest.raises(TypeError, match="negative_slope"):
        F.leaky_relu(pyautograd.zeros(2), "0.1")  # type: ignore[arg-type]


def test_large_inputs_do_not_overflow() -> None:
    arr = np.array([-1e4, -50.0, 0.0, 50.0, 1e4], dtype=np.float32)
    for name in ("softplus", "elu", "gelu", "silu"):
        out = getattr(F, name)(pyautograd.tensor(arr)).numpy()
        ref = getattr(TF, name)(torch.tensor(arr)).numpy()
        np.testing.assert_allclose(out, ref, rtol=1e-6, atol=1e-6)
        assert np.isfinite(out).all(), name
