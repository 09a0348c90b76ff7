"""nn.functional gaps (pyautograd/nn/_functional/gaps2.py): fractional_max_pool2d/3d with
PyTorch's windows (given _random_samples), linear_cross_entropy, native_channel_shuffle and the
modules FractionalMaxPool2d/3d, LinearCrossEntropyLoss; values, indices and gradients against
PyTorch (float64) and finite differences."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from test_api_gaps2 import compare, needs_torch, raises_like

import pyautograd as pa

try:
    import torch
except ImportError:  # pragma: no cover - the oracle is optional
    torch = None

R = np.random.default_rng(5)

CASES = [
    ((2, 3, 9, 11), (2, 3), {"output_size": (5, 4)}, 2),
    ((3, 10, 10), 2, {"output_size": (4, 7)}, 2),
    ((2, 2, 12, 9), 3, {"output_ratio": (0.5, 0.7)}, 2),
    ((1, 2, 6, 7, 8), (2, 2, 3), {"output_size": (3, 4, 3)}, 3),
    ((2, 5, 6, 6), 2, {"output_size": 1}, 2),
]


@needs_torch
@pytest.mark.parametrize("shape,k,kw,nd", CASES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fractional_max_pool(shape: Any, k: Any, kw: Any, nd: int, dtype: Any) -> None:
    x = R.standard_normal(shape).astype(dtype)
    n = shape[0] if len(shape) == nd + 2 else 1
    s = R.random((n, shape[-nd - 1], nd)).astype(dtype)
    name = f"fractional_max_pool{nd}d"

    def fn(L: Any, x: Any) -> Any:
        return getattr(L.nn.functional, name)(
            x, k, return_indices=True, _random_samples=L.tensor(s), **kw
        )

    compare(fn, x, rtol=1e-6 if dtype == np.float32 else 1e-12, fd=dtype == np.float64)
    compare(lambda L, x: getattr(L.nn.functional, name + "_with_indices")(
        x, k, _random_samples=L.tensor(s), **kw), x, grad=False)  # fmt: skip
    mod = getattr(pa.nn, f"FractionalMaxPool{nd}d")(k, _random_samples=pa.tensor(s), **kw)
    tmod = getattr(torch.nn, f"FractionalMaxPool{nd}d")(k, _random_samples=torch.tensor(s), **kw)
    np.testing.assert_array_equal(mod(pa.tensor(x)).numpy(), tmod(torch.tensor(x)).numpy())


def test_fractional_max_pool_random_and_errors() -> None:
    x = pa.randn(2, 3, 10, 10)
    y = pa.nn.functional.fractional_max_pool2d(x, 3, output_ratio=0.5)
    assert y.shape == (2, 3, 5, 5)
    # every output is the maximum of some 3x3 window of its plane
    win = x.unfold(2, 3, 1).unfold(3, 3, 1).amax((-1, -2))
    for v, plane in zip(y.reshape(6, -1).numpy(), win.reshape(6, -1).numpy(), strict=True):
        assert np.isin(v, plane).all()
    with pytest.raises(ValueError):
        pa.nn.functional.fractional_max_pool2d(x, 3)
    with pytest.raises(RuntimeError):
        pa.nn.functional.fractional_max_pool2d(x, 3, output_size=9)
    with pytest.raises(RuntimeError):
        pa.nn.functional.fractional_max_pool2d(pa.zeros(3), 3, output_size=1)
    with pytest.raises(ValueError):
        pa.nn.FractionalMaxPool2d(2, output_ratio=1.5)
    with pytest.raises(TypeError):
        pa.nn.functional.fractional_max_pool2d(3, 3, output_size=1)


@needs_torch
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_linear_cross_entropy(reduction: str) -> None:
    x, w, b = R.standard_normal((6, 5)), R.standard_normal((4, 5)), R.standard_normal(4)
    t = R.integers(0, 4, 6)
    t[2] = -100

    def fn(L: Any, x: Any, w: Any, b: Any) -> Any:
        return L.nn.functional.linear_cross_entropy(
            x, w, L.tensor(t), linear_bias=b, reduction=reduction, ignore_index=-100,
            label_smoothing=0.1,
        )  # fmt: skip

    compare(fn, x, w, b)
    t2 = R.integers(0, 4, 6)
    compare(lambda L, x, w: L.nn.functional.linear_cross_entropy(x, w, L.tensor(t2)), x, w)
    w3, t3 = R.standard_normal((4, 2, 5)), R.integers(0, 4, (6, 2))
    compare(lambda L, x, w: L.nn.functional.linear_cross_entropy(x, w, L.tensor(t3)), x, w3)
    torch.manual_seed(0)
    tm = torch.nn.LinearCrossEntropyLoss(5, 4, bias=True).double()
    pm = pa.nn.LinearCrossEntropyLoss(5, 4, bias=True).double()
    pm.linear.weight.data = pa.tensor(tm.linear.weight.detach().numpy().copy())
    pm.linear.bias.data = pa.tensor(tm.linear.bias.detach().numpy().copy())
    lt = tm(torch.tensor(x), torch.tensor(t2))
    lp = pm(pa.tensor(x), pa.tensor(t2))
    np.testing.assert_allclose(lp.item(), lt.item(), rtol=1e-12)
    lt.backward()
    lp.backward()
    np.testing.assert_allclose(pm.linear.weight.grad.numpy(), tm.linear.weight.grad.numpy(),
                               rtol=1e-10)  # fmt: skip
    raises_like(
        lambda L: L.nn.functional.linear_cross_entropy(L.zeros(2, 3), L.zeros(3), L.zeros(2))
    )


@needs_torch
def test_native_channel_shuffle() -> None:
    compare(
        lambda L, x: L.nn.functional.native_channel_shuffle(x, 3),
        R.standard_normal((2, 6, 3)),
        grad=False,
    )
    compare(
        lambda L, x: L.native_channel_shuffle(x, 2), R.standard_normal((2, 4, 2, 2)), grad=False
    )
    # PyTorch's has no derivative: it requires grad and backward raises
    for L in (torch, pa):
        y = L.native_channel_shuffle(L.zeros(1, 4, 2, requires_grad=True), 2)
        assert y.requires_grad
        with pytest.raises(RuntimeError, match="native_channel_shuffle"):
            y.sum().backward()
