"""Tensor API the differential tester (tests/difftest/ops_api.py) found missing or diverging:
each case runs on pyautograd and, when importable, on PyTorch, and compares values, dtypes,
gradients and which calls raise. Without PyTorch, hand-computed values are checked."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import pyautograd as pa

try:
    import torch
except ImportError:  # pragma: no cover - the oracle is optional
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch (the oracle) is not importable")


def _np(x: Any) -> Any:
    if isinstance(x, (tuple, list)):
        return [_np(e) for e in x]
    if hasattr(x, "detach"):
        return (str(x.dtype).rsplit(".", 1)[-1], x.detach().numpy().copy())
    return x


def _run(lib: Any, fn: Callable[[Any], Any]) -> Any:
    try:
        return ("ok", _np(fn(lib)))
    except Exception as e:
        return ("raises", type(e).__name__)


def _same(a: Any, b: Any) -> None:
    if isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _same(x, y)
    elif isinstance(a, tuple) and len(a) == 2 and isinstance(a[1], np.ndarray):
        assert a[0] == b[0], (a, b)
        assert a[1].shape == b[1].shape, (a, b)
        np.testing.assert_allclose(b[1], a[1], rtol=1e-6, atol=1e-7, equal_nan=True)
    else:
        assert a == b, (a, b)


def agree(fn: Callable[[Any], Any]) -> None:
    """fn(L) gives the same result (or raises) with L = torch and L = pyautograd."""
    t = _run(torch, fn)
    p = _run(pa, fn)
    assert t[0] == p[0], (t, p)
    if t[0] == "ok":
        _same(t[1], p[1])


def _leaf(L: Any, v: Any, dt: str = "float64") -> Any:
    return L.tensor(v, dtype=getattr(L, dt), requires_grad=dt.startswith("float"))


def with_grad(op: Callable[[Any, Any], Any], v: Any, dt: str = "float64") -> Callable[[Any], Any]:
    def fn(L: Any) -> Any:
        x = _leaf(L, v, dt)
        y = op(L, x)
        y0 = y[0] if isinstance(y, tuple) else y
        (y0 * L.arange(1, y0.numel() + 1, dtype=y0.dtype).reshape(y0.shape)).sum().backward()
        return [y0, x.grad]

    return fn


# ---- C++ fixes -------------------------------------------------------------------------------
def test_std_gradient_is_zero_where_std_is_zero() -> None:
    x = pa.tensor([[[0.0]]], dtype=pa.float64, requires_grad=True)
    x.std((0, 2), correction=0).sum().backward()
    assert x.grad.tolist() == [[[0.0]]]  # PyTorch: grad / (2 std) masked to 0 where std is 0
    y = pa.tensor([1.0, 1.0, 3.0], dtype=pa.float64, requires_grad=True)
    y.std().backward()  # std = 2/sqrt(3); d/dx_i = (x_i - mean) / ((n - 1) std)
    s = 2 / math.sqrt(3)
    want = [(v - 5 / 3) / (2 * s) for v in (1.0, 1.0, 3.0)]
    np.testing.assert_allclose(y.grad.numpy(), want, rtol=1e-12)


@needs_torch
@pytest.mark.parametrize("corr", [0, 1, 2])
def test_std_matches_torch(corr: int) -> None:
    agree(with_grad(lambda L, x: x.std(1, correction=corr), [[1.0, 1.0], [2.0, 5.0]]))
    agree(with_grad(lambda L, x: x.std(correction=corr, keepdim=True), [[2.0, 2.0, 2.0]]))


def test_sort_values_take_in_place_writes() -> None:
    x = pa.tensor([2.0, 1.0], requires_grad=True)
    v = x.sort(dim=-1, stable=True).values
    v.detach_()  # (a view refuses detach_)
    v = x.sort(dim=-1, stable=True)[0]
    v.mul_(3)  # a view made under no_grad would refuse this
    v.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]
    k = pa.tensor([[3.0, 1.0, 2.0]], requires_grad=True).kthvalue(2, 1)[0]
    k.add_(1)
    assert k.tolist() == [3.0]


def test_squeeze_tuple_and_to_tensor() -> None:
    x = pa.zeros(1, 2, 1, 3)
    assert tuple(x.squeeze((0, 2)).shape) == (2, 3)
    assert tuple(x.squeeze((1, -1)).shape) == (1, 2, 1, 3)
    assert tuple(x.squeeze(()).shape) == (1, 2, 1, 3)
    with pytest.raises(RuntimeError, match="multiple times"):
        x.squeeze((0, -4))
    assert x.to(pa.zeros(1, dtype=pa.int64)).dtype == pa.int64


# ---- Python additions ------------------------------------------------------------------------
def test_shifts_by_hand() -> None:
    a = pa.tensor([5, -5, 1])
    assert (a << 1).tolist() == [10, -10, 2]
    assert (a >> 1).tolist() == [2, -3, 0]
    assert (a << 64).tolist() == [0, 0, 0]
    assert (a >> 70).tolist() == [0, -1, 0]
    assert (3 << pa.tensor([1, 2])).tolist() == [6, 12]
    b = pa.tensor([1, 2])
    b <<= 2
    assert b.tolist() == [4, 8]
    with pytest.raises(RuntimeError, match="not implemented for 'Float'"):
        pa.tensor([1.0]) << 1


@needs_torch
@pytest.mark.parametrize(
    "fn",
    [
        lambda L: L.tensor([[1, -7], [3, 4]]) >> L.tensor([1, 2]),
        lambda L: L.tensor([True]) << 1,
        lambda L: L.bitwise_right_shift(L.tensor([-9, 9]), 63),
        lambda L: L.tensor([1.5]) >> 1,
    ],
)
def test_shifts_match_torch(fn: Callable[[Any], Any]) -> None:
    agree(fn)


@needs_torch
@pytest.mark.parametrize(
    "fn",
    [
        with_grad(lambda L, x: x.aminmax()[0] + x.aminmax()[1] * 2, [[1.0, 3.0], [3.0, 0.5]]),
        with_grad(lambda L, x: L.aminmax(x, dim=1, keepdim=True).max, [[1.0, 3.0], [3.0, 0.5]]),
        lambda L: L.zeros(0).aminmax(),
        lambda L: L.tensor([[True, False]]).aminmax(dim=0),
        with_grad(lambda L, x: x.angle(), [-1.0, 0.0, 2.0, math.nan]),
        lambda L: L.tensor([-1, 0, 3]).angle(),
        with_grad(
            lambda L, x: x.mode(1), [[1.0, 2.0, 2.0, 3.0, 3.0, 1.0], [3.0, 1.0, 3.0, 1.0, 5.0, 3.0]]
        ),
        lambda L: L.tensor([[3, 1, 3, 1]]).mode(1, keepdim=True),
        lambda L: L.tensor(3.0).mode(),
        lambda L: L.zeros(2, 0).mode(1),
        with_grad(lambda L, x: x.nanmedian(), [2.0, math.nan, 1.0, 2.0, 1.0]),
        with_grad(lambda L, x: x.median(), [2.0, 1.0, 1.0, 2.0, 3.0]),
        with_grad(lambda L, x: x.median(), [2.0, math.nan, 1.0, math.nan]),
        with_grad(lambda L, x: L.median(x), [[2.0, 1.0], [4.0, 3.0]]),
        with_grad(lambda L, x: x.nanmedian(1), [[2.0, math.nan, 1.0], [math.nan, math.nan, 3.0]]),
        lambda L: L.tensor([[math.nan, math.nan]]).nanmedian(1, keepdim=True),
        lambda L: L.zeros(1, 0).nanmedian(),
        lambda L: L.tensor([[4, 1, 3]]).nanmedian(1),
    ],
)
def test_reductions_match_torch(fn: Callable[[Any], Any]) -> None:
    agree(fn)


def _put(acc: bool) -> Callable[[Any], Any]:
    def fn(L: Any) -> Any:
        x = _leaf(L, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        s = _leaf(L, [10.0, 20.0, 30.0])
        y = x * 1
        y.put_(L.tensor([0, -1, 4]), s * 2, accumulate=acc)
        (y * L.arange(1.0, 7.0, dtype=L.float64).reshape(2, 3)).sum().backward()
        return [y, x.grad, s.grad]

    return fn


@needs_torch
@pytest.mark.parametrize(
    "fn",
    [
        _put(False),
        _put(True),
        lambda L: L.zeros(2, 2).put_(L.tensor([4]), L.tensor([1.0])),
        lambda L: L.zeros(2, 2).put_(L.tensor([1]), L.tensor([1.0], dtype=L.float64)),
        lambda L: L.zeros(2, 2).put_(L.tensor([1, 2]), L.tensor([1.0])),
        lambda L: L.tensor(2.0).put(L.tensor([0, 0]), L.tensor([1.0, 2.0]), accumulate=True),
        lambda L: L.zeros(2, 2).masked_scatter_(L.tensor([True, False]), L.arange(4.0)),
        lambda L: L.zeros(2).masked_scatter_(L.tensor([True]), L.ones(2, dtype=L.float64)),
        lambda L: L.zeros(2).masked_scatter(L.tensor([True]), L.ones(2, dtype=L.float64)),
        lambda L: L.zeros(3).index_put_((L.tensor([0, 0]),), L.tensor(1.0), accumulate=True),
        lambda L: L.split_with_sizes(L.arange(5), [2, 3]),
        lambda L: L.zeros(2, 3).swapaxes_(0, 1),
        lambda L: L.tensor([7.0, -7.0]).div_(2, rounding_mode="floor"),
        lambda L: L.tensor([7, -7]).div_(2, rounding_mode="trunc"),
        lambda L: L.tensor([7, -7]).div_(2),
        lambda L: L.addmv(L.zeros(1, dtype=L.float64), L.ones(1, 3), L.ones(3)),
    ],
)
def test_indexing_and_inplace_match_torch(fn: Callable[[Any], Any]) -> None:
    agree(fn)


def _scatter_reduce(reduce: str, include_self: bool) -> Callable[[Any], Any]:
    def fn(L: Any) -> Any:
        x = _leaf(L, [[1.0, 0.0, 3.0, 2.0], [2.0, 2.0, 0.0, -1.0]])
        s = _leaf(L, [[2.0, 0.0, 3.0], [2.0, 5.0, 0.0]])
        idx = L.tensor([[0, 0, 2], [3, 3, 1]])
        y = x.scatter_reduce(1, idx, s, reduce, include_self=include_self)
        (y * L.arange(1.0, 9.0, dtype=L.float64).reshape(2, 4)).sum().backward()
        return [y, x.grad, s.grad]

    return fn


@needs_torch
@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_matches_torch(reduce: str, include_self: bool) -> None:
    agree(_scatter_reduce(reduce, include_self))
    agree(
        lambda L: L.tensor([5, 1, 2]).scatter_reduce(
            0, L.tensor([0, 0, 2]), L.tensor([4, 7, 1]), reduce, include_self=include_self
        )
    )


@needs_torch
@pytest.mark.parametrize(
    "fn",
    [
        with_grad(lambda L, x: L.special.entr(x), [0.5, 0.0, 2.0]),
        lambda L: L.special.entr(L.tensor([-1.0, math.nan])),
        with_grad(lambda L, x: L.special.ndtr(x), [-1.0, 0.0, 2.5]),
        with_grad(lambda L, x: L.special.ndtri(x), [0.1, 0.5, 0.975]),
        with_grad(lambda L, x: L.special.log_ndtr(x), [-3.0, 0.0, 2.5]),
        with_grad(lambda L, x: L.special.xlog1py(x, x * 2), [0.0, 0.5, 2.0]),
        lambda L: L.special.xlog1py(L.tensor([0.0, 0.0]), L.tensor([math.nan, -1.0])),
        with_grad(lambda L, x: L.special.expit(x) + L.special.gammaln(x), [0.5, 2.0]),
        with_grad(lambda L, x: L.special.multigammaln(x, 3), [2.5, 4.0]),
    ],
)
def test_special_matches_torch(fn: Callable[[Any], Any]) -> None:
    agree(fn)


def _grad_state(op: Callable[[Any, Any, Any], Any]) -> Callable[[Any], Any]:
    """op's result's requires_grad, and the gradients (or the error type) of a backward."""

    def fn(L: Any) -> Any:
        x = L.tensor([1.5, -2.0, 0.0], dtype=L.float64, requires_grad=True)
        y = L.tensor([2.0, 3.0, 1.0], dtype=L.float64, requires_grad=True)
        r = op(L, x, y)
        r0 = r[0] if isinstance(r, tuple) else r
        try:
            r0.sum().backward()
            grads: Any = [x.grad, y.grad]
        except RuntimeError:
            grads = "backward raises"
        return [r0.requires_grad, r0, grads]

    return fn


@needs_torch
@pytest.mark.parametrize(
    "op",
    [
        lambda L, x, y: x.floor_divide(y),
        lambda L, x, y: x // y,
        lambda L, x, y: 2.0 // y,
        lambda L, x, y: x.div(y, rounding_mode="floor"),
        lambda L, x, y: L.div(x, y, rounding_mode="trunc"),
        lambda L, x, y: x.heaviside(y),
        lambda L, x, y: x.nextafter(y),
        lambda L, x, y: L.unique(x),
        lambda L, x, y: L.unique(x, return_counts=True),
        lambda L, x, y: L.unique_consecutive(y),
        lambda L, x, y: x * 1 + x.detach().div_(y, rounding_mode="floor"),
    ],
)
def test_autograd_state_matches_torch(op: Callable[[Any, Any, Any], Any]) -> None:
    agree(_grad_state(op))


def test_reductions_with_keepdim_take_in_place_writes() -> None:
    x = pa.tensor([[1.0, 2.0]], requires_grad=True)
    for y in (x.amax((1,), True), x.prod(), x.std(1), x.norm(dim=1)):
        y.add_(1)  # a view of a no_grad result would refuse this (or lose is_leaf)
        assert y.is_leaf is False


@needs_torch
@pytest.mark.parametrize(
    "fn",
    [
        with_grad(lambda L, x: x.lerp(L.ones(4, dtype=L.float64), 0.75), [1.0, -2.0, 0.5, 3.0]),
        with_grad(
            lambda L, x: L.lerp(x, x * 2 + 1, L.tensor([0.2, 0.7, 1.0, -3.0], dtype=L.float64)),
            [1.0, -2.0, 0.5, 3.0],
        ),
        lambda L: L.lerp(
            L.tensor([-2.0, 2.0, math.inf]), L.tensor([1.0]), L.tensor([-3.0, math.inf, math.inf])
        ),
        lambda L: L.tensor([1.0]).lerp(3, L.tensor(0.5)),
        lambda L: L.zeros(2).lerp_(L.zeros(2, dtype=L.float64), 0.3),
        lambda L: L.zeros(2).lerp_(L.ones(2), 0.3),
    ],
)
def test_lerp_matches_torch(fn: Callable[[Any], Any]) -> None:
    agree(fn)


@needs_torch
@pytest.mark.parametrize(
    "fn",
    [
        lambda L: L.tensor([-3.0, 2.0], dtype=L.float64).angle(),
        lambda L: L.tensor([[3.0]]).masked_scatter(L.tensor([[True], [False]]), L.ones(2, 1)),
        lambda L: L.tensor([[0.0]]).float_power_(L.tensor(2.0, dtype=L.float64)),
        lambda L: L.tensor([True]).atan2_(L.tensor([True])),
        lambda L: L.cross(L.ones(3), L.ones(3, dtype=L.float64), dim=-1),
        lambda L: L.cross(L.ones(1), L.ones(3), dim=-1),
        lambda L: L.tensordot(L.zeros(0, 0), L.zeros(0, 1), dims=1),
        lambda L: L.inner(L.zeros(0), L.zeros(0)),
        lambda L: L.zeros(1, 0).aminmax(dim=0),
        lambda L: L.isclose(L.tensor(0.0), L.tensor(0.0)),
        lambda L: L.tensor([[0.0]]).broadcast_to(2, 3, 1),
        lambda L: L.unique(
            L.tensor([[1, 2], [0, 5], [1, 2]]), dim=0, return_inverse=True, return_counts=True
        ),
        lambda L: L.unique(L.tensor([[3, 1, 3]]), dim=1),
        lambda L: L.tensor([[1]]).logaddexp(L.tensor([[2]])),
        lambda L: L.tensor([[0.0]]).logaddexp(L.tensor(0.0, dtype=L.float64)),
        lambda L: L.tensor([True]).logaddexp2(L.tensor(-1.0, dtype=L.float64)),
        lambda L: L.tensor([False]).addcmul(L.tensor([-89]), L.tensor([-89]), value=0.5),
        lambda L: L.tensor([True]).addcmul_(L.tensor([True]), L.tensor([True])),
        lambda L: L.addmv(
            L.tensor([-3]), L.ones(1, 4, dtype=L.int64), L.ones(4, dtype=L.int64), alpha=0.5
        ),
        lambda L: L.addbmm(L.tensor([[4]]), L.ones(1, 1, 4), L.ones(1, 4, 1)),
        lambda L: L.ones(2, 2, dtype=L.bool).trace(),
        lambda L: L.tensor([[True], [False]]).topk(1, 0),
        lambda L: L.tensor([[-2]]).logcumsumexp(0),
        lambda L: L.tensor([1]).nextafter(L.tensor([2])),
    ],
)
def test_more_api_matches_torch(fn: Callable[[Any], Any]) -> None:
    agree(fn)


def test_results_are_not_aliases_of_inputs() -> None:
    t = pa.tensor([1, 1])
    r = t.repeat_interleave(1)
    r[0] = 5
    assert t.tolist() == [1, 1]
    e = pa.zeros(0, requires_grad=True).repeat_interleave(2)
    e.zero_()  # (a view of the leaf would refuse this)
    u = pa.unique(pa.tensor(1.0))
    u[:] = pa.tensor(0.0, requires_grad=True)  # (a no_grad view would refuse this)
    src = pa.tensor([[0, -2, 2, -2, -4]])
    src.masked_scatter_(pa.tensor([False, True, False, False, True]), src)
    assert src.tolist() == [[0, 0, 2, -2, -2]]  # source read before the writes


@needs_torch
@pytest.mark.parametrize(
    "op",
    [
        lambda L, x, y: x * 1 + (x * 0).floor_divide_(y),
        lambda L, x, y: 1.5 % y,
        lambda L, x, y: x.logaddexp(y * L.tensor([math.inf, 1.0, 2.0], dtype=L.float64)),
    ],
)
def test_more_autograd_state_matches_torch(op: Callable[[Any, Any, Any], Any]) -> None:
    agree(_grad_state(op))


def test_inplace_forms_keep_their_saved_inputs() -> None:
    t1 = pa.tensor([[-1.0]], requires_grad=True)
    t3 = pa.tensor([[1.0]])
    t3.atan2_(t1.sign() + t1)  # atan2 saves self: a copy, not the tensor written
    (g,) = pa.autograd.grad(t3.sum(), [t1])
    # d/dy atan2(1, y) = -1 / (1 + y**2) = -0.2 at y = -2 (sign's derivative is 0)
    np.testing.assert_allclose(g.numpy(), [[-0.2]], rtol=1e-6)
    x = pa.tensor([1.0, 1.0], requires_grad=True)
    y = x * 1
    y.lerp_(pa.tensor([0.0]), 0.3)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.7, 0.7], rtol=1e-6)


@needs_torch
@pytest.mark.parametrize(
    "fn",
    [
        lambda L: L.tensor([[[2]]]).xlogy(0.25),  # (0.25 was cast to the int tensor's dtype)
        lambda L: L.tensor([True, False]).xlogy(3),
        lambda L: L.tensor([-4]).xlogy(-0.5),
        lambda L: L.xlogy(2, L.tensor([3.0, 0.0])),
        with_grad(lambda L, x: x.xlogy(L.tensor(2.0)), [1.0, 0.0, -1.0], "float32"),
    ],
)
def test_xlogy_promotes_as_torch(fn: Callable[[Any], Any]) -> None:
    agree(fn)


@needs_torch
def test_repeat_interleave_is_a_view_of_a_contiguous_copy() -> None:
    """As PyTorch's: the result of an int count is a view of a fresh contiguous copy (no zero
    strides from an expanded input, so it can be written; made under no_grad, it does not
    require grad; detach_() of it refuses, being a view)."""
    import torch

    for L in (pa, torch):
        t = L.tensor([[[-2.0]]]).expand(3, 1, 2, 2)
        r = t.repeat_interleave(3, dim=2)
        assert tuple(r.stride()) == (12, 12, 2, 1)
        r[0, :, -6, :2] = -2.5
        assert t.tolist() == [[[[-2.0, -2.0]] * 2]] * 3
        x = L.tensor([[1.0]], requires_grad=True)
        with L.no_grad():
            assert not x.repeat_interleave(2).requires_grad
        with pytest.raises(RuntimeError, match=r"(?i)detach views in-place"):
            x.repeat_interleave(2).detach_()


@needs_torch
@pytest.mark.parametrize(
    "shape,dim", [((0, 1), -1), ((0, 1), 0), ((2, 0), 0), ((2, 0), 1), ((0,), 0)]
)
def test_unique_dim_of_an_empty_tensor(shape: tuple[int, ...], dim: int) -> None:
    """unique(dim=) raises when a dim other than dim has size 0 (PyTorch's check)."""
    agree(lambda L: L.unique(L.zeros(shape), dim=dim))


@needs_torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_log_ndtr_tails_and_gradient(dtype: str) -> None:
    """special.log_ndtr as PyTorch's: finite far in the lower tail (log(erfcx) - t**2), -0 in
    the upper; its gradient grad / sqrt(2 pi) * exp(-(result + x**2 / 2))."""
    import torch

    v = [-1e30, -172.0, -40.0, -10.0, -5.0, -1.0001, -1.0, -0.5, 0.0, 3.0, 10.0, 172.0]
    out = []
    for L in (pa, torch):
        x = L.tensor(v, dtype=getattr(L, dtype), requires_grad=True)
        y = L.special.log_ndtr(x)
        y.backward(L.ones_like(y))
        assert y.grad_fn.name() == "SpecialLogNdtrBackward0"
        out.append((np.array(y.detach().numpy()), np.array(x.grad.numpy())))
    tol = 2e-6 if dtype == "float32" else 1e-13
    for a, b in zip(out[0], out[1], strict=True):
        np.testing.assert_allclose(a, b, rtol=tol, atol=0)
        np.testing.assert_array_equal(np.signbit(a), np.signbit(b))
    for L in (pa, torch):  # -inf, inf, NaN
        r = L.special.log_ndtr(L.tensor([-float("inf"), float("inf"), float("nan")]))
        assert str(r.tolist()) == "[-inf, -0.0, nan]"


@needs_torch
def test_xlog1py_gradient_of_a_zero_gradient_at_minus_one() -> None:
    """xlog1py's input gradient is xlog1py(grad, other): 0 where grad is 0, even where
    log1p(other) is -inf (PyTorch's formula); other's grad * input / (other + 1)."""
    import torch

    out = []
    for L in (pa, torch):
        x = L.tensor([[1.0, 0.0, 2.0]], requires_grad=True)
        y = L.tensor([[-1.0], [1.0], [0.0]], dtype=L.float64, requires_grad=True)
        r = L.special.xlog1py(x, y)
        r.backward(L.tensor([[0.0, 1.0, 1.0], [2.0, 0.0, -3.0], [1.0, 1.0, 0.0]], dtype=L.float64))
        out.append((x.grad.tolist(), y.grad.tolist(), r.tolist()))
    assert str(out[0]) == str(out[1])


@needs_torch
@pytest.mark.parametrize("op", ["nextafter", "angle", "ctc_loss", "div_floor"])
def test_second_backward_through_nodes_pytorch_saves_raises(op: str) -> None:
    """Functions standing for PyTorch nodes that save tensors (nextafter, angle, ctc_loss,
    div with a rounding mode) raise on a second pass after the graph was freed, as PyTorch's;
    with retain_graph they run."""
    import torch

    def run(L: Any, retain: bool) -> None:
        x = L.tensor([[0.5, -2.0]], requires_grad=True)
        if op == "nextafter":
            y = x.nextafter(L.tensor(4.0))
        elif op == "angle":
            y = x.angle()
        elif op == "div_floor":
            y = x.div(L.tensor([3.0, 1.5]), rounding_mode="floor")
        else:
            lp = L.tensor(np.linspace(-2, -0.5, 15).reshape(5, 1, 3), requires_grad=True)
            y = L.nn.functional.ctc_loss(lp, L.tensor([[1, 2]]), [5], [2])
        y.sum().backward(retain_graph=retain)
        y.sum().backward()

    for L in (pa, torch):
        run(L, True)
        with pytest.raises(RuntimeError, match="second time"):
            run(L, False)


@needs_torch
def test_kron_is_a_tensor_of_its_own() -> None:
    """kron's result is no view (PyTorch's _unsafe_view): detach_() of it runs."""
    agree(lambda L: L.kron(L.tensor([-2.0, 1.0]), L.tensor([3.0])).detach_())
    agree(with_grad(lambda L, x: L.kron(x, x.flip(0)), [1.0, -2.0, 0.5]))
