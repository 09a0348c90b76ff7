"""dot, outer, addmm, baddbmm (ops/linalg_more.cpp) and pow with a tensor exponent against
PyTorch: values, dtypes, broadcast inputs, beta/alpha, in-place forms, float64 gradients
(finite differences and PyTorch), non-contiguous operands and errors naming the shapes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from grad_helpers import check_grads
from helpers import TORCH_STANDIN

import pyautograd

pytestmark = pytest.mark.skipif(TORCH_STANDIN, reason="pyautograd's own ops")
torch = pytest.importorskip("torch")


def _r(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def _compare(
    fn: Callable[..., Any], tfn: Callable[..., Any], arrays: list[np.ndarray], grad: bool = True
) -> None:
    xs = [pyautograd.tensor(a, requires_grad=grad and a.dtype == np.float64) for a in arrays]
    ts = [torch.tensor(a, requires_grad=grad and a.dtype == np.float64) for a in arrays]
    out, ref = fn(*xs), tfn(*ts)
    assert str(out.dtype).split(".")[-1] == str(ref.dtype).split(".")[-1]
    assert tuple(out.shape) == tuple(ref.shape)
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-10, atol=1e-12)
    if not grad or not ref.requires_grad:
        return
    w = _r(*ref.shape, seed=9)
    out.backward(pyautograd.tensor(w))
    ref.backward(torch.tensor(w))
    for x, t in zip(xs, ts, strict=True):
        if t.grad is None:
            continue
        if x.grad is None:  # addmm(beta=0) ignores input: PyTorch gives it a zero gradient
            assert not t.grad.numpy().any()
            continue
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-12)
    if ref.numel():
        rg = [a.dtype == np.float64 and x.grad is not None for a, x in zip(arrays, xs, strict=True)]
        check_grads(
            fn, *[pyautograd.tensor(a, requires_grad=r) for a, r in zip(arrays, rg, strict=True)]
        )


def test_dot_outer() -> None:
    _compare(pyautograd.dot, torch.dot, [_r(5), _r(5, seed=1)])
    _compare(lambda a, b: a.dot(b), lambda a, b: a.dot(b), [_r(3), _r(3, seed=1)])
    _compare(pyautograd.outer, torch.outer, [_r(3), _r(4, seed=1)])
    _compare(lambda a, b: a.outer(b), lambda a, b: a.outer(b), [_r(0), _r(4, seed=1)])
    ints = [np.arange(4), np.arange(4) + 2]
    _compare(pyautograd.dot, torch.dot, ints, grad=False)
    _compare(pyautograd.outer, torch.outer, ints, grad=False)
    _compare(pyautograd.outer, torch.outer, [np.arange(3), _r(2)])  # promotes, as mul
    _compare(pyautograd.dot, torch.dot, [_r(0), _r(0)], grad=False)


def test_dot_non_contiguous() -> None:
    m = _r(4, 6)
    _compare(
        lambda a, b: pyautograd.dot(a[:, 1], b[::2]),
        lambda a, b: torch.dot(a[:, 1], b[::2]),
        [m, _r(8, seed=2)],
    )


@pytest.mark.parametrize("input_shape", [(2, 4), (4,), (1, 4), (2, 1), (1,), ()], ids=str)
@pytest.mark.parametrize("coef", [{}, {"beta": 0.5, "alpha": -2.0}, {"beta": 0, "alpha": 3}])
def test_addmm(input_shape: tuple[int, ...], coef: dict[str, float]) -> None:
    arrays = [_r(*input_shape), _r(2, 3, seed=1), _r(3, 4, seed=2)]
    _compare(
        lambda i, a, b: pyautograd.addmm(i, a, b, **coef),
        lambda i, a, b: torch.addmm(i, a, b, **coef),
        arrays,
    )
    _compare(lambda i, a, b: i.addmm(a, b, **coef), lambda i, a, b: i.addmm(a, b, **coef), arrays)


def test_addmm_transposed_and_beta_zero_ignores_nan() -> None:
    _compare(
        lambda i, a, b: pyautograd.addmm(i, a.t(), b.t()),
        lambda i, a, b: torch.addmm(i, a.t(), b.t()),
        [_r(2, 4), _r(3, 2, seed=1), _r(4, 3, seed=2)],
    )
    nan_in = np.full((2, 4), np.nan)
    out = pyautograd.addmm(
        pyautograd.tensor(nan_in), pyautograd.tensor(_r(2, 3)), pyautograd.tensor(_r(3, 4)), beta=0
    )
    assert np.isfinite(out.numpy()).all()
    ints = [np.ones((2, 2), dtype=np.int64), np.arange(6).reshape(2, 3), np.arange(6).reshape(3, 2)]
    _compare(
        lambda i, a, b: pyautograd.addmm(i, a, b, beta=2, alpha=3),
        lambda i, a, b: torch.addmm(i, a, b, beta=2, alpha=3),
        ints,
        grad=False,
    )


@pytest.mark.parametrize("input_shape", [(2, 3, 4), (3, 4), (1, 1, 4), ()], ids=str)
def test_baddbmm(input_shape: tuple[int, ...]) -> None:
    arrays = [_r(*input_shape), _r(2, 3, 5, seed=1), _r(2, 5, 4, seed=2)]
    for coef in ({}, {"beta": -1.5, "alpha": 0.5}):
        _compare(
            lambda i, a, b, c=coef: pyautograd.baddbmm(i, a, b, **c),
            lambda i, a, b, c=coef: torch.baddbmm(i, a, b, **c),
            arrays,
        )
        _compare(
            lambda i, a, b, c=coef: i.baddbmm(a, b, **c),
            lambda i, a, b, c=coef: i.baddbmm(a, b, **c),
            arrays,
        )


def test_inplace_forms() -> None:
    for name, shapes in [
        ("addmm_", [(2, 4), (2, 3), (3, 4)]),
        ("baddbmm_", [(2, 2, 4), (2, 2, 3), (2, 3, 4)]),
    ]:
        arrays = [_r(*s, seed=i) for i, s in enumerate(shapes)]
        x, t = pyautograd.tensor(arrays[0]), torch.tensor(arrays[0])
        r = getattr(x, name)(
            pyautograd.tensor(arrays[1]), pyautograd.tensor(arrays[2]), beta=0.5, alpha=2
        )
        getattr(t, name)(torch.tensor(arrays[1]), torch.tensor(arrays[2]), beta=0.5, alpha=2)
        assert r is x
        np.testing.assert_allclose(x.numpy(), t.numpy(), rtol=1e-10)

        # gradients flow through the in-place update to the old value and the factors
        def f(i: Any, a: Any, b: Any, n: str = name) -> Any:
            y = i * 1.0
            getattr(y, n)(a, b, beta=0.5, alpha=2)
            return y

        check_grads(f, *[pyautograd.tensor(a, requires_grad=True) for a in arrays])
        with pytest.raises(RuntimeError, match="leaf"):
            getattr(pyautograd.tensor(arrays[0], requires_grad=True), name)(
                pyautograd.tensor(arrays[1]), pyautograd.tensor(arrays[2])
            )
    with pytest.raises(RuntimeError, match=r"\[addmm_\].*\(4,\)"):
        pyautograd.zeros(4).addmm_(pyautograd.zeros(2, 3), pyautograd.zeros(3, 4))


def test_errors_name_op_and_shapes() -> None:
    z = pyautograd.zeros
    cases: list[tuple[Callable[[], Any], str, tuple[str, ...]]] = [
        (lambda: pyautograd.dot(z(3), z(4)), "dot", ("(3,)", "(4,)")),
        (lambda: pyautograd.dot(z(2, 3), z(3)), "dot", ("(2, 3)",)),
        (lambda: pyautograd.dot(z(3), z(3, dtype=pyautograd.float64)), "dot", ("float64",)),
        (lambda: pyautograd.outer(z(2, 2), z(3)), "outer", ("(2, 2)",)),
        (lambda: pyautograd.addmm(z(2, 4), z(2, 3), z(4, 4)), "addmm", ("(2, 3)", "(4, 4)")),
        (lambda: pyautograd.addmm(z(2, 4), z(3), z(3, 4)), "addmm", ("(3,)",)),
        (lambda: pyautograd.addmm(z(3, 4), z(2, 3), z(3, 4)), "addmm", ("(3, 4)", "(2, 4)")),
        (lambda: pyautograd.baddbmm(z(2, 2, 4), z(2, 2, 3), z(3, 3, 4)), "baddbmm", ("(3, 3, 4)",)),
        (lambda: pyautograd.baddbmm(z(2, 4), z(2, 3), z(3, 4)), "baddbmm", ("(2, 3)",)),
    ]
    for call, op, fragments in cases:
        with pytest.raises(RuntimeError) as info:
            call()
        msg = str(info.value)
        assert msg.startswith(f"[{op}]"), msg
        for f in fragments:
            assert f in msg, (f, msg)
    with pytest.raises(TypeError, match="alpha"):
        pyautograd.addmm(
            z(2, 2, dtype=pyautograd.int64),
            z(2, 2, dtype=pyautograd.int64),
            z(2, 2, dtype=pyautograd.int64),
            alpha=0.5,
        )


# --------------------------------------------------------------------------
# pow with a tensor exponent
# --------------------------------------------------------------------------
def test_pow_tensor_exponent_broadcast() -> None:
    x = np.abs(_r(4)) + 0.5
    p = np.array([1.0, 2.0, 3.0])
    _compare(lambda a, b: a.unsqueeze(-1).pow(b), lambda a, b: a.unsqueeze(-1).pow(b), [x, p])
    _compare(lambda a, b: pyautograd.pow(a, b), lambda a, b: torch.pow(a, b), [x.reshape(4, 1), p])
    _compare(lambda a, b: a**b, lambda a, b: a**b, [x[:3], p])
    # an integer exponent tensor: the result promotes as PyTorch
    ints = pyautograd.tensor([1, 2, 3])
    out = pyautograd.tensor(x).unsqueeze(-1).pow(ints)
    ref = torch.tensor(x).unsqueeze(-1).pow(torch.tensor([1, 2, 3]))
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-12)
    assert str(out.dtype) == "torch.float64"


def test_pow_conventions_as_torch() -> None:
    base = np.array([0.0, 0.0, 0.0, -2.0, -2.0, -8.0, 2.0, -0.0])
    expo = np.array([0.0, 1.0, 2.5, 2.0, 3.0, 1 / 3, -1.0, -1.0])
    xs = [pyautograd.tensor(base, requires_grad=True), pyautograd.tensor(expo, requires_grad=True)]
    ts = [torch.tensor(base, requires_grad=True), torch.tensor(expo, requires_grad=True)]
    out, ref = xs[0] ** xs[1], ts[0] ** ts[1]
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), equal_nan=True)
    out.sum().backward()
    ref.sum().backward()
    for x, t in zip(xs, ts, strict=True):
        assert x.grad is not None and t.grad is not None
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), equal_nan=True)
    ib = np.array([0, 2, -3, 5])
    ie = np.array([0, 10, 3, 0])
    np.testing.assert_array_equal(
        pyautograd.pow(pyautograd.tensor(ib), pyautograd.tensor(ie)).numpy(),
        torch.pow(torch.tensor(ib), torch.tensor(ie)).numpy(),
    )


@pytest.mark.parametrize("beta", [0, 1, -0.66, 2])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_addmm_alpha_zero_ignores_the_product(beta: float, dtype: str) -> None:
    """alpha=0: PyTorch's GEMM skips mat1 @ mat2, so NaN/inf there do not reach the value
    (beta * input; -0 where input is 0 and beta < 0; 0 for beta 0); the gradients stay."""
    nan, inf = float("nan"), float("inf")
    m1 = np.array([[0.0, 0.0, nan], [1.0, inf, 2.0]])
    m2 = np.array([[1.0, -1.0], [1.0, 2.0], [1.0, 0.5]])
    inp = np.array([[0.0, -0.0], [3.0, -2.0]])
    outs = []
    for L in (pyautograd, torch):
        dt = getattr(L, dtype)
        a, b = L.tensor(m1, dtype=dt), L.tensor(m2, dtype=dt, requires_grad=True)
        i = L.tensor(inp, dtype=dt, requires_grad=True)
        r = i.addmm(a, b, beta=beta, alpha=0)
        r.backward(L.ones_like(r))
        # (beta=0: input's gradient is a known divergence, new-baddbmm-beta0-grad)
        ts = (r, b.grad) if beta == 0 else (r, i.grad, b.grad)
        outs.append([np.array(t.detach().numpy()) for t in ts])
    for ours, theirs in zip(*outs, strict=True):
        np.testing.assert_array_equal(ours, theirs)
        np.testing.assert_array_equal(np.signbit(ours), np.signbit(theirs))
