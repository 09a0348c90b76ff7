"""torch.autograd.graph (pyautograd/_autograd_graph.py, cpp/autograd/node.h SavedTensorHooks):
saved-tensor hooks are called at save and unpack at backward, their results really used
(checkpoint-style packing to an index), save_on_cpu, disable_saved_tensors_hooks, nesting,
errors; register_multi_grad_hook; graph.Node. Gradients against PyTorch and finite
differences (float64)."""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np
import pytest

import pyautograd as pa

try:
    import torch
except ImportError:  # pragma: no cover - the oracle is optional
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch (the oracle) is not installed")
R = np.random.default_rng(3)


def _f(lib: Any, x: Any, w: Any) -> Any:
    h = lib.tanh(x @ w)
    return (h.exp() * h.sin() + (h * x.sum()).sigmoid()).sum()


def _grads(lib: Any, xv: np.ndarray, wv: np.ndarray, ctx: Any = None) -> list[np.ndarray]:
    x = lib.tensor(xv, requires_grad=True)
    w = lib.tensor(wv, requires_grad=True)
    if ctx is None:
        y = _f(lib, x, w)
    else:
        with ctx:
            y = _f(lib, x, w)
    y.backward()
    return [x.grad.numpy(), w.grad.numpy()]


def test_import_paths() -> None:
    g = importlib.import_module("pyautograd.autograd.graph")
    assert g is pa.autograd.graph
    from pyautograd.autograd.graph import saved_tensors_hooks  # noqa: F401


def test_hooks_called_and_gradients_unchanged() -> None:
    xv, wv = R.standard_normal((3, 4)), R.standard_normal((4, 2))
    packed: list[Any] = []
    unpacked: list[Any] = []

    def pack(t: Any) -> Any:
        assert isinstance(t, pa.Tensor)
        packed.append(t)
        return t

    def unpack(t: Any) -> Any:
        unpacked.append(t)
        return t

    ref = _grads(pa, xv, wv)
    got = _grads(pa, xv, wv, pa.autograd.graph.saved_tensors_hooks(pack, unpack))
    assert len(packed) >= 5 and len(unpacked) >= 5
    for a, b in zip(got, ref, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-13)
    if torch is not None:
        for a, b in zip(got, _grads(torch, xv, wv), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    # outside the context nothing is packed
    n = len(packed)
    _grads(pa, xv, wv)
    assert len(packed) == n


def test_checkpoint_style_pack_to_index() -> None:
    """pack keeps the tensor in a side store and returns its index; the node keeps only the
    index, and unpack loads the tensor back (a copy: the saved one is dropped)."""
    xv, wv = R.standard_normal((2, 5)), R.standard_normal((5, 3))
    store: dict[int, np.ndarray] = {}

    def pack(t: Any) -> int:
        store[len(store)] = t.detach().numpy().copy()
        return len(store) - 1

    def unpack(i: int) -> Any:
        assert isinstance(i, int)
        return pa.tensor(store[i])

    got = _grads(pa, xv, wv, pa.autograd.graph.saved_tensors_hooks(pack, unpack))
    ref = _grads(pa, xv, wv)
    assert store
    for a, b in zip(got, ref, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-13)


def test_unpack_result_is_what_backward_uses() -> None:
    """unpack returning 2 * t changes the gradient of sin (which saves its input): the hook's
    result is really used, as in PyTorch."""
    xv = R.standard_normal(6)
    out = []
    for lib in (pa,) if torch is None else (pa, torch):
        x = lib.tensor(xv, requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: 2 * t):
            y = x.sin().sum()
        y.backward()
        out.append(x.grad.numpy())
    np.testing.assert_allclose(out[0], np.cos(2 * xv), rtol=1e-13)
    if len(out) == 2:
        np.testing.assert_allclose(out[0], out[1], rtol=1e-13)


def test_custom_function_saved_tensors_are_packed() -> None:
    class Cube(pa.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            (x,) = ctx.saved_tensors
            return 3 * x**2 * g

    seen: list[str] = []
    x = pa.tensor(R.standard_normal(4), requires_grad=True)
    with pa.autograd.graph.saved_tensors_hooks(
        lambda t: (seen.append("pack"), t)[1], lambda t: (seen.append("unpack"), t)[1]
    ):
        y = Cube.apply(x).sum()
    assert seen == ["pack"]
    y.backward()
    assert seen == ["pack", "unpack"]
    np.testing.assert_allclose(x.grad.numpy(), 3 * x.detach().numpy() ** 2, rtol=1e-14)


def test_nesting_innermost_wins_and_state_restored() -> None:
    calls: list[str] = []

    def hooks(tag: str) -> Any:
        return pa.autograd.graph.saved_tensors_hooks(
            lambda t: (calls.append(tag), t)[1], lambda t: t
        )

    x = pa.tensor([1.0, 2.0], requires_grad=True)
    with hooks("outer"):
        x.sin()
        with hooks("inner"):
            x.cos()
        x.exp()
    x.tan()
    assert calls and set(calls[: calls.index("inner")]) == {"outer"}
    assert "inner" in calls and calls[-1] == "outer"


def test_hooks_are_off_inside_hooks() -> None:
    calls = []

    def pack(t: Any) -> Any:
        calls.append(1)
        return (t * 2.0).exp()  # ops here save tensors without calling pack again

    x = pa.tensor([0.5, 1.5], dtype=pa.float64, requires_grad=True)
    with pa.autograd.graph.saved_tensors_hooks(pack, lambda t: t.log() / 2.0):
        y = (x * 3.0).exp().sum()
    y.backward()
    assert 1 <= len(calls) <= 2
    np.testing.assert_allclose(x.grad.numpy(), 3 * np.exp(3 * np.array([0.5, 1.5])), rtol=1e-12)


def test_save_on_cpu_gradients_and_finite_differences() -> None:
    xv, wv = R.standard_normal((3, 4)), R.standard_normal((4, 2))
    got = _grads(pa, xv, wv, pa.autograd.graph.save_on_cpu())
    eps = 1e-6
    num = np.zeros_like(xv)
    for i in np.ndindex(*xv.shape):
        d = np.zeros_like(xv)
        d[i] = eps
        hi = float(_f(pa, pa.tensor(xv + d), pa.tensor(wv)))
        lo = float(_f(pa, pa.tensor(xv - d), pa.tensor(wv)))
        num[i] = (hi - lo) / (2 * eps)
    np.testing.assert_allclose(got[0], num, rtol=1e-6, atol=1e-8)
    if torch is not None:
        ref = _grads(torch, xv, wv, torch.autograd.graph.save_on_cpu())
        for a, b in zip(got, ref, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_disable_saved_tensors_hooks() -> None:
    g = pa.autograd.graph
    with g.disable_saved_tensors_hooks("no hooks here"):
        with pytest.raises(RuntimeError, match="no hooks here"):
            with g.saved_tensors_hooks(lambda t: t, lambda t: t):
                pass
    with g.saved_tensors_hooks(lambda t: t, lambda t: t):  # enabled again
        pass

    @g.disable_saved_tensors_hooks("not in f")
    def f() -> None:
        with g.saved_tensors_hooks(lambda t: t, lambda t: t):
            pass

    with pytest.raises(RuntimeError, match="not in f"):
        f()


def test_errors_from_hooks() -> None:
    x = pa.tensor([1.0, 2.0], requires_grad=True)

    def bad_pack(t: Any) -> Any:
        raise ValueError("pack failed")

    with pytest.raises(ValueError, match="pack failed"):
        with pa.autograd.graph.saved_tensors_hooks(bad_pack, lambda t: t):
            x.sin()
    y = x.sin().sum()  # hooks gone: plain saving again
    y.backward()
    with pa.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: "not a tensor"):
        z = x.sin().sum()
    with pytest.raises(TypeError, match="unpack_hook"):
        z.backward()
    with pa.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
        z = x.sin().sum()
    z.backward()
    with pytest.raises(RuntimeError, match="second time"):
        z.backward()


@needs_torch
@pytest.mark.parametrize("mode", ["all", "any"])
def test_register_multi_grad_hook(mode: str) -> None:
    res: dict[str, list[Any]] = {}
    for lib in (pa, torch):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = lib.tensor([3.0], requires_grad=True)
        calls: list[Any] = []

        def fn(g: Any, calls: list[Any] = calls) -> None:
            if isinstance(g, (list, tuple)):
                calls.append([None if t is None else t.numpy().tolist() for t in g])
            else:
                calls.append(g.numpy().tolist())

        h = lib.autograd.graph.register_multi_grad_hook((a, b), fn, mode=mode)
        ((a * 2).sum() + (b * 3).sum()).backward()
        ((a * a).sum() * b.sum()).backward()
        h.remove()
        ((a * 2).sum() + b.sum()).backward()
        res[lib.__name__] = calls
    if mode == "all":
        assert res["pyautograd"] == res["torch"]
    else:  # the first gradient computed: PyTorch's order of the pass may differ
        assert len(res["pyautograd"]) == len(res["torch"]) == 2


def test_node_base_class() -> None:
    x = pa.tensor([1.0], requires_grad=True)
    y = x * 2
    assert isinstance(y.grad_fn, pa.autograd.graph.Node)
    assert y.grad_fn.name() == "MulBackward0"
    assert not isinstance(x, pa.autograd.graph.Node)
