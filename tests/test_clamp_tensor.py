"""clamp/clip/clamp_min/clamp_max with tensor bounds (PyTorch's clamp.Tensor overloads): values,
dtypes and shapes against PyTorch, gradients to the input and to both bounds against PyTorch
and central finite differences (float64), in-place forms and errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from grad_helpers import check_grads

import pyautograd

torch = pytest.importorskip("torch")
nan = float("nan")

CALLS = [
    "x.clamp(min=L.tensor(2.0), max=4)",
    "x.clamp(L.tensor([2.0]), None)",
    "x.clamp(None, L.tensor(0.0))",
    "x.clamp(min=L.zeros(3, 1))",
    "x.clamp(min=L.tensor([0, 1, 2, nan]))",
    "x.clamp(min=L.tensor(3.0), max=L.tensor(1.0))",  # min > max gives max
    "x.clamp(min=L.tensor(nan))",
    "x.clamp(L.tensor(1.0), 4.0)",
    "x.clamp(min=L.tensor([[1.0]]))",
    "x.clamp(L.tensor(2, dtype=L.int64))",
    "x.clamp(L.tensor(2.0, dtype=L.float64))",  # a 0-d bound does not widen float32
    "x.clamp(L.tensor([2.0], dtype=L.float64))",
    "L.tensor([1, 5]).clamp(L.tensor(2.0), L.tensor(4.0))",
    "L.tensor([1, 5]).clamp(L.tensor(2.5, dtype=L.float64))",
    "L.tensor([True, False]).clamp(L.tensor([1]))",
    "L.tensor(3.0).clamp(min=L.tensor([1.0, 4.0]))",
    "L.zeros(0).clamp(min=L.zeros(1))",
    "L.clamp(x, L.tensor(1.0), L.tensor(2.0))",
    "L.clamp(x, min=L.tensor(1.0), max=None)",
    "L.clip(x, max=L.tensor(1.0))",
    "x.clip(L.tensor(-1.0), L.tensor([0.0, 1.0, 2.0, 3.0]))",
    "L.clamp_min(x, L.tensor(1.0))",
    "x.clamp_min(L.tensor([1.0, 2, 3, 4]))",
    "x.clamp_max(L.tensor(1.0))",
    "L.clamp_max(L.tensor([1, 5]), L.tensor(2.5))",
    "x.clone().clamp_(L.tensor([2.0], dtype=L.float64))",
    "x.clone().clip_(min=L.tensor(1.0))",
    "x.clone().clamp_min_(L.tensor([1.0, 2, 3, 4]))",
    "x.clone().clamp_max_(L.tensor(0.0))",
    "L.tensor([True, False]).clamp(min=L.tensor([True, False]))",  # one bound: bool works
    "L.tensor([True, False]).clamp_max(L.tensor([False, True]))",
    # refused by both
    "L.tensor([True, False]).clamp(L.tensor(True), L.tensor(False))",
    "L.tensor([1, 5]).clamp_(L.tensor(2.5))",
    "L.tensor([1, 5]).clamp_min_(L.tensor(2.5))",
    "L.tensor([1.0, 5]).clamp_(L.zeros(3, 1))",
    "x.clamp(min=L.tensor([1.0, 2.0]))",
    "x.clamp(L.tensor(1.0), 'a')",
]


def _run(L: Any, code: str) -> Any:
    x = L.tensor([1.0, 5.0, nan, -3.0])
    try:
        r = eval(code, {"L": L, "x": x, "nan": nan})
    except (RuntimeError, TypeError, NotImplementedError):
        return "raises"
    return str(r.dtype).rsplit(".", 1)[-1], tuple(r.shape), r.detach().numpy().copy()


@pytest.mark.parametrize("code", CALLS)
def test_against_torch(code: str) -> None:
    expected, got = _run(torch, code), _run(pyautograd, code)
    if expected == "raises" or got == "raises":
        assert got == expected, f"pyautograd: {got!r}, PyTorch: {expected!r}"
        return
    assert got[:2] == expected[:2]
    np.testing.assert_array_equal(got[2], expected[2])


SHAPES = [  # (x, min, max); None: that bound not given
    ((4,), (4,), (4,)),
    ((3, 4), (4,), ()),
    ((4,), None, (3, 1)),
    ((2, 3), (2, 1), None),
    ((), (3,), (3,)),
    ((2, 1), (1, 3), (2, 3)),
]


def _grads(L: Any, shapes: tuple[Any, ...], seed: int) -> list[Any]:
    rng = np.random.default_rng(seed)
    # small integers: ties between x and the bounds, and min > max, are common
    arrays = [None if s is None else rng.integers(-3, 4, size=s).astype(np.float64) for s in shapes]
    x, lo, hi = (None if a is None else L.tensor(a, requires_grad=True) for a in arrays)
    y = x.clamp(lo, hi)
    y.backward(L.tensor(rng.standard_normal(tuple(y.shape))))
    return [y.detach().numpy()] + [None if t is None else t.grad.numpy() for t in (x, lo, hi)]


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("shapes", SHAPES, ids=str)
def test_gradients_against_torch(shapes: tuple[Any, ...], seed: int) -> None:
    expected, got = _grads(torch, shapes, seed), _grads(pyautograd, shapes, seed)
    for e, g in zip(expected, got, strict=True):
        assert (e is None) == (g is None)
        if e is not None:
            np.testing.assert_allclose(g, e, rtol=1e-12, atol=0)


@pytest.mark.parametrize("shapes", SHAPES, ids=str)
def test_gradients_against_finite_differences(shapes: tuple[Any, ...]) -> None:
    # all values distinct and far apart: no kink (x, min or max equal) within eps
    sizes = [0 if s is None else int(np.prod(s)) for s in shapes]
    values = np.random.default_rng(7).permutation(40)[: sum(sizes)]
    bounds = np.cumsum([0, *sizes])
    arrays = [
        None if s is None else values[bounds[i] : bounds[i + 1]] for i, s in enumerate(shapes)
    ]
    ts = [
        None
        if a is None
        else pyautograd.tensor(
            (a.reshape(s) * 0.25 - 5).tolist(), dtype=pyautograd.float64, requires_grad=True
        )
        for a, s in zip(arrays, shapes, strict=True)
    ]
    given = [t for t in ts if t is not None]

    def fn(*args: Any) -> Any:
        it = iter(args)
        x = next(it)
        lo = next(it) if ts[1] is not None else None
        hi = next(it) if ts[2] is not None else None
        return x.clamp(lo, hi)

    check_grads(fn, *given)


def test_inplace_with_tracked_bounds_and_second_backward() -> None:
    def f(L: Any) -> Any:
        w = L.tensor([0.5, 3.0, -2.0], requires_grad=True)
        lo = L.tensor(0.0, requires_grad=True)
        hi = L.tensor([1.0, 2.0, 1.0], requires_grad=True)
        x = w * 1
        x.clamp_(lo, hi)
        y = (x * L.tensor([1.0, 2.0, 3.0])).sum()
        y.backward(retain_graph=True)
        grads = [t.grad.numpy().copy() for t in (w, lo, hi)]
        y.backward()
        try:
            y.backward()
            third = "ran"
        except RuntimeError:
            third = "raises"
        return x.detach().numpy(), grads, third

    (ex, eg, e3), (gx, gg, g3) = f(torch), f(pyautograd)
    np.testing.assert_array_equal(gx, ex)
    for e, g in zip(eg, gg, strict=True):
        np.testing.assert_array_equal(g, e)
    assert g3 == e3


# PyTorch's backward raises for these (its clamp_backward_min_max ands two masks in place into
# one narrower than the broadcast of all three: "output with shape [] doesn't match the
# broadcast shape [1]"); its forward works. pyautograd's gradients are those PyTorch gives
# when the bounds are expanded to the result's shape first (difftest gate
# torch-clamp-broadcast-backward; README "What differs").
TORCH_RAISES = [((), (), (1,)), ((2,), (), (2, 1)), ((), (2, 1), (2,)), ((1,), (3,), ())]


def _grads_expanded(shapes: tuple[Any, ...], seed: int) -> list[Any]:
    rng = np.random.default_rng(seed)
    arrays = [rng.integers(-3, 4, size=s).astype(np.float64) for s in shapes]
    x, lo, hi = (torch.tensor(a, requires_grad=True) for a in arrays)
    full = torch.broadcast_shapes(*shapes)
    y = x.expand(full).clamp(lo.expand(full), hi.expand(full))
    y.backward(torch.tensor(rng.standard_normal(tuple(y.shape))))
    return [y.detach().numpy()] + [t.grad.numpy() for t in (x, lo, hi)]


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("shapes", TORCH_RAISES, ids=str)
def test_gradients_where_torch_backward_raises(shapes: tuple[Any, ...], seed: int) -> None:
    with pytest.raises(RuntimeError, match="broadcast shape"):
        _grads(torch, shapes, seed)
    expected, got = _grads_expanded(shapes, seed), _grads(pyautograd, shapes, seed)
    for e, g in zip(expected, got, strict=True):
        np.testing.assert_allclose(g, e, rtol=1e-12, atol=0)
    test_gradients_against_finite_differences(shapes)
