"""lerp, addcmul and addcdiv (made of declared ops: pyautograd/_pointwise.py) against PyTorch
2.13: values, gradients (PyTorch and float64 finite differences), methods, in-place forms and
errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import pyautograd as pa

torch = pytest.importorskip("torch")

from grad_helpers import check_grads, make  # noqa: E402

INF, NAN = float("inf"), float("nan")
SPECIAL = [NAN, INF, -INF, 0.0, -0.0, 1.5, -2.5, 3.0e38]


def _np(t: Any) -> np.ndarray:
    return np.asarray(t.detach().numpy())


def _same(got: Any, want: Any, **tol: float) -> None:
    assert str(got.dtype).rsplit(".", 1)[-1] == str(want.dtype).rsplit(".", 1)[-1]
    assert tuple(got.shape) == tuple(want.shape)
    if tol:
        np.testing.assert_allclose(_np(got), want.detach().numpy(), **tol)
    else:
        np.testing.assert_array_equal(_np(got), want.detach().numpy())


def _pair(vals: Any, dt: str = "float32") -> tuple[Any, Any]:
    return pa.tensor(vals, dtype=getattr(pa, dt)), torch.tensor(vals, dtype=getattr(torch, dt))


# ---- lerp, addcmul, addcdiv -------------------------------------------------------------------
COMPOSED: dict[str, tuple[Callable[..., Any], int]] = {
    "lerp_scalar": (lambda L, a, b: L.lerp(a, b, 0.3), 2),
    "lerp_tensor": (lambda L, a, b, w: L.lerp(a, b, w), 3),
    "addcmul": (lambda L, a, b, c: L.addcmul(a, b, c), 3),
    "addcmul_value": (lambda L, a, b, c: L.addcmul(a, b, c, value=-0.5), 3),
    "addcdiv": (lambda L, a, b, c: L.addcdiv(a, b, c), 3),
    "addcdiv_value": (lambda L, a, b, c: L.addcdiv(a, b, c, value=2.0), 3),
}


@pytest.mark.parametrize("name", list(COMPOSED))
def test_composed_values_and_gradients(name: str) -> None:
    f, n = COMPOSED[name]
    rng = np.random.default_rng(0)
    shapes = [(3, 4), (4,), (3, 1)][:n]
    arrs = [rng.uniform(0.5, 2.0, s) for s in shapes]
    xs = [pa.tensor(x.tolist(), dtype=pa.float64, requires_grad=True) for x in arrs]
    ts = [torch.tensor(x, requires_grad=True) for x in arrs]
    out, ref = f(pa, *xs), f(torch, *ts)
    _same(out, ref, rtol=1e-12)
    w = rng.standard_normal(tuple(ref.shape))
    out.backward(pa.tensor(w.tolist(), dtype=pa.float64))
    ref.backward(torch.tensor(w))
    for x, t in zip(xs, ts, strict=True):
        np.testing.assert_allclose(_np(x.grad), t.grad.numpy(), rtol=1e-10)
    check_grads(lambda *a: f(pa, *a), *[make(x) for x in arrs])
    # method and float32
    a32 = [pa.tensor(x.tolist()) for x in arrs]
    t32 = [torch.tensor(x, dtype=torch.float32) for x in arrs]
    meth = name.split("_")[0]
    extra = (
        {"value": -0.5} if name == "addcmul_value" else {"value": 2.0} if "value" in name else {}
    )
    if meth != "lerp":
        _same(
            getattr(a32[0], meth)(*a32[1:], **extra),
            getattr(t32[0], meth)(*t32[1:], **extra),
            rtol=1e-6,
        )
        b, u = a32[0].clone(), t32[0].clone()
        getattr(b, meth + "_")(*a32[1:], **extra)
        getattr(u, meth + "_")(*t32[1:], **extra)
        _same(b, u, rtol=1e-6)


def test_lerp_in_place_and_errors() -> None:
    a, t = _pair([1.0, 2.0])
    b, u = _pair([3.0, 5.0])
    a.lerp_(b, 0.25)
    t.lerp_(u, 0.25)
    _same(a, t)
    ia, it = _pair([1, 2], "int64")
    with pytest.raises(RuntimeError):
        torch.lerp(it, it, 0.5)
    with pytest.raises(RuntimeError, match="lerp"):
        pa.lerp(ia, ia, 0.5)
    with pytest.raises(RuntimeError):
        torch.addcdiv(it, it, it)
    with pytest.raises(RuntimeError, match="addcdiv"):
        pa.addcdiv(ia, ia, ia)
    with pytest.raises(RuntimeError):
        pa.addcmul(pa.ones(2, 3), pa.ones(4), pa.ones(2, 3))


def test_lerp_by_a_number_saves_nothing() -> None:
    """lerp with a number weight (and lerp_) runs a second backward pass after the graph was
    freed, as PyTorch's LerpBackward0, which saves no tensor; the gradients agree."""
    grads = []
    for L in (pa, torch):
        x = L.tensor([-2.0, 3.0], dtype=L.float64, requires_grad=True)
        t0 = L.tensor([1.0, 1.0], dtype=L.float64)
        t0.lerp_(x, 0.3)
        y = L.tensor([1.0, 0.5], dtype=L.float64).lerp(x, 0.7)
        assert y.grad_fn.name() == "LerpBackward0"
        t0.backward(L.ones(2, dtype=L.float64))
        t0.backward(L.ones(2, dtype=L.float64))
        y.sum().backward()
        y.sum().backward()
        grads.append(x.grad.tolist())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-15)
