"""softmax and log_softmax (one fused kernel each, ops/softmax.cpp) against PyTorch: every dim
of a 3-D input, 0-d, empty and non-contiguous inputs, dtype=, the stable range (no overflow at
1e4), rows of infinities, float64 gradients against finite differences and PyTorch, and the four
spellings (torch.softmax, Tensor.softmax, nn.functional.softmax, nn.Softmax).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from grad_helpers import check_grads
from helpers import TORCH_STANDIN, make_tensor

import pyautograd
import pyautograd.nn.functional as F

pytestmark = pytest.mark.skipif(TORCH_STANDIN, reason="pyautograd's own ops")
torch = pytest.importorskip("torch")

OPS = ["softmax", "log_softmax"]
TOL = {"float32": {"rtol": 2e-5, "atol": 1e-6}, "float64": {"rtol": 1e-10, "atol": 1e-12}}


def _same(out: Any, ref: Any, dtype: str = "float64") -> None:
    assert str(out.dtype).split(".")[-1] == str(ref.dtype).split(".")[-1]
    assert tuple(out.shape) == tuple(ref.shape)
    np.testing.assert_allclose(
        out.detach().numpy(), ref.detach().numpy(), equal_nan=True, **TOL[dtype]
    )


@pytest.mark.parametrize("layout", ["contiguous", "transposed", "strided"])
@pytest.mark.parametrize("dim", [-3, -2, -1, 0, 1, 2])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("op", OPS)
def test_values_against_torch(op: str, dtype: str, dim: int, layout: str) -> None:
    arr = (np.random.default_rng(dim + 5).standard_normal((2, 3, 4)) * 3).astype(dtype)
    x = make_tensor(arr, layout)
    ref = getattr(torch, op)(torch.from_numpy(arr), dim)
    _same(getattr(pyautograd, op)(x, dim), ref, dtype)
    _same(getattr(x, op)(dim), ref, dtype)
    _same(getattr(F, op)(x, dim=dim), ref, dtype)


@pytest.mark.parametrize("op", OPS)
def test_gradients(op: str) -> None:
    for shape, dim in [((3, 4), 1), ((3, 4), 0), ((2, 3, 4), 1), ((5,), 0), ((), 0)]:
        arr = np.random.default_rng(1).standard_normal(shape)
        x = pyautograd.tensor(arr, requires_grad=True)
        check_grads(lambda a, d=dim: getattr(pyautograd, op)(a, d), x)
        x.grad = None
        t = torch.tensor(arr, requires_grad=True)
        w = np.random.default_rng(2).standard_normal(shape)
        getattr(pyautograd, op)(x, dim).backward(pyautograd.tensor(w))
        getattr(torch, op)(t, dim).backward(torch.tensor(w))
        assert x.grad is not None and t.grad is not None
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-12)
    # non-contiguous input and an expanded (stride-0) incoming gradient
    base = pyautograd.tensor(np.random.default_rng(3).standard_normal((4, 3)), requires_grad=True)
    check_grads(lambda a: getattr(pyautograd, op)(a.t(), 1), base)
    check_grads(lambda a: getattr(pyautograd, op)(a, 0).sum(), base)


@pytest.mark.parametrize("op", OPS)
def test_stable_at_1e4(op: str) -> None:
    arr = np.array([[1e4, 0.0, -1e4], [1e4, 1e4, 1e4], [-1e4, -1e4, 5.0]], dtype=np.float32)
    out = getattr(pyautograd, op)(pyautograd.tensor(arr), 1)
    assert np.isfinite(out.numpy()).all()
    _same(out, getattr(torch, op)(torch.from_numpy(arr), 1), "float32")


@pytest.mark.parametrize("op", OPS)
def test_infinities_as_torch(op: str) -> None:
    inf = float("inf")
    arr = np.array([[inf, 0.0, 1.0], [-inf, -inf, -inf], [-inf, 0.0, 1.0], [np.nan, 0, 1]])
    _same(
        getattr(pyautograd, op)(pyautograd.tensor(arr), 1), getattr(torch, op)(torch.tensor(arr), 1)
    )


@pytest.mark.parametrize("op", OPS)
def test_0d_and_empty(op: str) -> None:
    for shape, dim in [((), 0), ((), -1), ((0,), 0), ((2, 0), 1), ((2, 0), 0), ((1, 1), 1)]:
        arr = np.random.default_rng(0).standard_normal(shape)
        _same(
            getattr(pyautograd, op)(pyautograd.tensor(arr), dim),
            getattr(torch, op)(torch.tensor(arr), dim),
        )


@pytest.mark.parametrize("op", OPS)
def test_dtype_argument(op: str) -> None:
    arr = np.arange(6, dtype=np.int64).reshape(2, 3)
    for dt in ("float32", "float64"):
        out = getattr(pyautograd, op)(pyautograd.tensor(arr), 1, dtype=getattr(pyautograd, dt))
        _same(out, getattr(torch, op)(torch.from_numpy(arr), 1, dtype=getattr(torch, dt)), dt)
        out = F.__dict__[op](
            pyautograd.tensor(arr.astype(np.float32)), 1, dtype=getattr(pyautograd, dt)
        )
        assert out.dtype == getattr(pyautograd, dt)
    x = pyautograd.tensor(arr.astype(np.float32), requires_grad=True)
    getattr(pyautograd, op)(x, 0, dtype=pyautograd.float64).sum().backward()
    assert x.grad is not None and x.grad.dtype == pyautograd.float32


@pytest.mark.parametrize("op", OPS)
def test_errors(op: str) -> None:
    with pytest.raises(RuntimeError, match=rf"\[{op}\].*int64"):
        getattr(pyautograd, op)(pyautograd.tensor([1, 2]), 0)
    with pytest.raises(IndexError, match=rf"\[{op}\].*range"):
        getattr(pyautograd, op)(pyautograd.zeros(2, 3), 2)
    with pytest.raises(IndexError):
        getattr(pyautograd, op)(pyautograd.tensor(1.0), 1)
    with pytest.raises(TypeError):
        getattr(pyautograd, op)(pyautograd.zeros(2, 3))  # type: ignore[call-arg]


def test_modules_and_implicit_dim() -> None:
    arr = np.random.default_rng(4).standard_normal((2, 5)).astype(np.float32)
    x = pyautograd.tensor(arr)
    _same(
        pyautograd.nn.Softmax(dim=1)(x), torch.nn.Softmax(dim=1)(torch.from_numpy(arr)), "float32"
    )
    _same(
        pyautograd.nn.LogSoftmax(dim=0)(x),
        torch.nn.LogSoftmax(dim=0)(torch.from_numpy(arr)),
        "float32",
    )
    with pytest.warns(UserWarning, match="Implicit dimension"):
        out = F.softmax(x)
    _same(out, torch.softmax(torch.from_numpy(arr), 1), "float32")


def test_cross_entropy_agrees_with_log_softmax() -> None:
    arr = np.random.default_rng(5).standard_normal((4, 3))
    rows, cols = np.arange(4), np.array([0, 2, 1, 2])
    lsm = F.log_softmax(pyautograd.tensor(arr), dim=1).numpy()
    ce = F.cross_entropy(pyautograd.tensor(arr), pyautograd.tensor(cols))
    np.testing.assert_allclose(float(ce), -lsm[rows, cols].mean(), rtol=1e-10)
