"""Rules the core owns (issue 8: the bindings only convert), checked against PyTorch: flatten's
dims, masked_fill/masked_select broadcasting, argmax/argmin with keepdim and no dim, the
one-element rule of item()/float()/int()/bool(), set_num_threads' range, out= of the joins
(dtype, resize warning), add/sub's alpha, prod/norm's dtype. The C++ side of the same rules is
cpp/tests/test_ops_rules.cpp."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from helpers import TORCH_STANDIN

import pyautograd as pa

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.skipif(TORCH_STANDIN, reason="compares pyautograd with PyTorch")


def _run(mod: Any, f: Callable[[Any], Any]) -> tuple[Any, type[BaseException] | None]:
    try:
        return f(mod), None
    except Exception as e:
        return None, type(e)


def _value(r: Any) -> Any:
    if isinstance(r, (tuple, list)):
        return [_value(x) for x in r]
    if hasattr(r, "detach"):
        return (
            tuple(r.shape),
            str(r.dtype).split(".")[-1],
            np.asarray(r.detach().numpy()).tolist(),
        )
    return r


def _same(f: Callable[[Any], Any]) -> None:
    """f gives the same values, shapes and dtypes in both libraries, or the same exception."""
    r, e = _run(pa, f)
    tr, te = _run(torch, f)
    assert e == te or (e is not None and te is not None and issubclass(e, te)), (e, te)
    if e is None:
        assert _value(r) == _value(tr)


def _x(m: Any) -> Any:
    return m.arange(24.0).reshape(2, 3, 4)


FLATTEN = [
    lambda m: _x(m).flatten(),
    lambda m: _x(m).flatten(1),
    lambda m: _x(m).flatten(0, 1),
    lambda m: _x(m).flatten(-2, -1),
    lambda m: _x(m).flatten(start_dim=1),
    lambda m: _x(m).flatten(end_dim=1),
    lambda m: _x(m).flatten(start_dim=0, end_dim=-2),
    lambda m: m.flatten(_x(m), 1),
    lambda m: _x(m).transpose(0, 2).flatten(1),  # not viewable: a copy
    lambda m: m.tensor(3.0).flatten(),
    lambda m: m.tensor(3.0).flatten(0, -1),
    lambda m: _x(m).flatten(2, 1),
    lambda m: _x(m).flatten(0, 3),
    lambda m: _x(m).flatten(-4),
]


@pytest.mark.parametrize("i", range(len(FLATTEN)))
def test_flatten_as_torch(i: int) -> None:
    _same(FLATTEN[i])


def test_flatten_identity_and_gradient() -> None:
    x = pa.arange(6.0).reshape(2, 3)
    assert x.flatten(1) is x and x.flatten(0, 0) is x
    v = pa.arange(3.0)
    assert v.flatten() is v
    w = pa.tensor(np.arange(24.0).reshape(2, 3, 4), requires_grad=True)
    (w.flatten(1) * pa.arange(12.0)).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), np.tile(np.arange(12.0), 2).reshape(2, 3, 4))


def _mask(m: Any, bits: list[Any], dtype: str = "bool") -> Any:
    return m.tensor(bits, dtype=getattr(m, dtype))


MASKED = [
    lambda m: _x(m)[0].masked_fill(_mask(m, [True, False, True, False]), 7.0),
    lambda m: m.arange(4).masked_fill(_mask(m, [[True, False, False, True]] * 2), 2.7),
    lambda m: m.arange(4).masked_fill(_mask(m, [True, False, False, True]), m.tensor(2.7)),
    lambda m: m.ones(2, 3).masked_fill(_mask(m, [1, 0, 1], "uint8"), 0.0),
    lambda m: m.ones(2, 3).masked_fill(_mask(m, [True, False, True]), m.tensor([1.0])),
    lambda m: m.ones(2, 3).masked_fill_(_mask(m, [[True], [False]]), -1.0),
    lambda m: m.ones(2, 3).masked_fill_(_mask(m, [True, False]), 0.0),
    lambda m: m.ones(2, 3).masked_fill_(_mask(m, [[[True, False, True]]] * 2), 0.0),
    lambda m: m.ones(2, 3).masked_fill_(_mask(m, [1, 0, 1], "uint8"), 0.0),
    lambda m: m.masked_select(_x(m)[0], _mask(m, [True, False, True, False])),
    lambda m: m.masked_select(m.arange(3.0), _mask(m, [[True, False, True], [False] * 3])),
    lambda m: m.arange(3.0).masked_select(_mask(m, [True, False])),
    lambda m: m.masked_select(m.arange(3.0), _mask(m, [1, 0, 1], "uint8")),
]


@pytest.mark.parametrize("i", range(len(MASKED)))
def test_masked_as_torch(i: int) -> None:
    _same(MASKED[i])


ARG = [
    lambda m: m.tensor([[1.0, 7.0, 3.0], [7.0, 0.0, 2.0]]).argmax(),
    lambda m: m.tensor([[1.0, 7.0, 3.0], [7.0, 0.0, 2.0]]).argmax(keepdim=True),
    lambda m: m.tensor([[1.0, 7.0, 3.0], [7.0, 0.0, 2.0]]).argmin(keepdim=True),
    lambda m: m.argmax(m.tensor([[1.0, 7.0, 3.0], [7.0, 0.0, 2.0]]), 1, True),
    lambda m: m.tensor(4.0).argmax(keepdim=True),
    lambda m: m.zeros(0).argmax(),
]


@pytest.mark.parametrize("i", range(len(ARG)))
def test_argmax_as_torch(i: int) -> None:
    _same(ARG[i])


@pytest.mark.parametrize("conv", [float, int, bool, "item", "index"])
@pytest.mark.parametrize("shape", [(2,), (1, 1), ()])
def test_one_element_to_a_number(conv: Any, shape: tuple[int, ...]) -> None:
    def f(m: Any) -> Any:
        t = m.ones(shape)
        if conv == "item":
            return t.item()
        if conv == "index":
            return [1, 2, 3][t.long()]  # operator.index
        return conv(t)

    _same(f)


def test_set_num_threads_range() -> None:
    n = pa.get_num_threads()
    with pytest.raises(RuntimeError, match=r"\[set_num_threads\]"):
        pa.set_num_threads(0)
    with pytest.raises(RuntimeError, match=r"\[set_num_threads\]"):
        pa.set_num_threads(100_000)
    with pytest.raises(RuntimeError):
        torch.set_num_threads(0)
    assert pa.get_num_threads() == n


@pytest.mark.parametrize("op", ["sin", "cat"])
def test_out_resize_warns_as_torch(op: str) -> None:
    for m in (pa, torch):
        x = m.ones(2, 3)
        out = m.zeros(5)
        with pytest.warns(UserWarning, match="resized"):
            if op == "sin":
                m.sin(x, out=out)
            else:
                m.cat([x, x], out=out)
        assert tuple(out.shape) == ((2, 3) if op == "sin" else (4, 3))
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            (m.sin(x, out=m.zeros(0)) if op == "sin" else m.cat([x, x], out=m.zeros(0)))


def test_out_dtype_errors_as_torch() -> None:
    _same(lambda m: m.sin(m.ones(2), out=m.zeros(2, dtype=m.int64)))
    _same(lambda m: m.cat([m.ones(2)], out=m.zeros(2, dtype=m.int64)))
    _same(lambda m: m.stack([m.ones(2)], out=m.zeros(1, 2, dtype=m.float64)))


ALPHA = [
    lambda m: m.add(m.tensor([1.0, 2.0]), m.tensor([10.0, 20.0]), alpha=0.5),
    lambda m: m.sub(m.tensor([1, 2]), 3, alpha=2),
    lambda m: m.tensor([1, 2]).add(m.tensor([1, 2]), alpha=0.5),
    lambda m: m.tensor([1, 2]).add(2.5, alpha=2),
    lambda m: m.tensor([True, False]).add(m.tensor([True, True]), alpha=2),
    lambda m: m.tensor([True, False]).add(m.tensor([True, True]), alpha=True),
    lambda m: m.tensor([1, 2]).add(m.tensor([1, 1]), alpha=True),
    lambda m: m.tensor([True, False]).add(True, alpha=0),
    lambda m: m.tensor([1.0, 2.0]).sub_(m.tensor([1.0, 1.0]), alpha=3),
    lambda m: m.tensor([1, 2]).add_(m.tensor([1, 1]), alpha=1.5),
]


@pytest.mark.parametrize("i", range(len(ALPHA)))
def test_alpha_as_torch(i: int) -> None:
    _same(ALPHA[i])


DTYPES = [
    lambda m: m.tensor([[1, 2], [3, 4]]).prod(dtype=m.float64),
    lambda m: m.tensor([[1, 2], [3, 4]]).prod(1, keepdim=True, dtype=m.float32),
    lambda m: m.tensor([[1.0, 2.0], [3.0, 4.0]]).norm(dtype=m.float64),
]


@pytest.mark.parametrize("i", range(len(DTYPES)))
def test_reduction_dtype_as_torch(i: int) -> None:
    _same(DTYPES[i])


def test_clamp_with_tensor_bounds_writes_out_as_torch() -> None:
    for m in (pa, torch):
        x = m.tensor([[-2.0, 0.5, 3.0], [1.0, -1.0, 2.0]])
        out = m.zeros(2, 3)
        r = m.clamp(x, min=m.tensor([0.0, 0.0, 1.0]), max=m.tensor(2.5), out=out)
        assert r is out
        np.testing.assert_array_equal(out.numpy(), [[0.0, 0.5, 2.5], [1.0, 0.0, 2.0]])
    _same(lambda m: m.clamp(m.ones(2), min=m.zeros(2), out=m.zeros(2, dtype=m.int64)))


def test_max_along_a_dim_backward_replays_under_compile() -> None:
    """The gradient of max/min along a dim is a scatter kernel (it was a loop reading every
    element into Python's reach, which a capture refuses): a compiled step replays it."""
    pa.manual_seed(0)
    xs = [pa.randn(4, 5) for _ in range(4)]

    def make() -> Any:
        pa.manual_seed(1)
        w = pa.randn(4, 5, requires_grad=True)

        def step(x: Any) -> Any:
            loss = (w * x).max(1).values.sum() + (w * x).min(0)[0].sum()
            loss.backward()
            with pa.no_grad():
                w.sub_(0.1 * w.grad)
                w.grad.zero_()
            return loss

        return w, step

    we, eager = make()
    wc, step = make()
    comp = pa.compile(step)
    for x in xs:
        assert float(eager(x)) == float(comp(x))
        np.testing.assert_array_equal(we.detach().numpy(), wc.detach().numpy())
    st = comp.stats()
    assert st["captures"] == 1 and st["replays"] == len(xs) - 2, st


def test_uint8_mask_reads_as_bool_with_torchs_warning() -> None:
    for m in (pa, torch):
        x = m.tensor([1.0, 2.0, 3.0])
        with pytest.warns(UserWarning, match="uint8"):
            r = x[m.tensor([1, 0, 1], dtype=m.uint8)]
        assert r.tolist() == [1.0, 3.0]


def test_legacy_item_of_a_0d_tensor_and_its_limits() -> None:
    loss = pa.tensor(2.5)
    assert loss.data[0] == 2.5 and loss[-1] == 2.5  # the Variable-era loss.data[0]
    with pytest.raises(IndexError):
        loss[1]


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.zeros(3).scatter(0, m.tensor([0, 2]), value=m.tensor([1.0])),
        lambda m: m.zeros(3).scatter(0, m.tensor([0, 2]), m.tensor([1.0, 2.0]), reduce="multiply"),
        lambda m: m.zeros(3).index_fill(0, m.tensor([0]), m.tensor([1.0, 2.0])),
    ],
)
def test_scatter_and_index_fill_value_errors(call: Callable[[Any], Any]) -> None:
    with pytest.raises(RuntimeError):
        call(pa)


def test_scatter_value_and_reduce_add() -> None:
    _same(lambda m: m.zeros(3).scatter(0, m.tensor([0, 0, 2]), 2.0, reduce="add"))
    with pytest.raises(RuntimeError, match="requires grad"):
        pa.zeros(3).scatter(0, pa.tensor([0]), value=pa.tensor(1.0, requires_grad=True))


def test_backward_options_refused_in_the_core() -> None:
    x = pa.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"\[backward\].*inputs="):
        (x * x).sum().backward(inputs=[x])
    with pytest.raises(RuntimeError, match="CPU only"):
        x.cuda()


def test_a_layout_from_a_file_must_fit_its_storage() -> None:
    base = pa.arange(6.0)
    v = pa._core._as_strided_raw(base, (2, 2), (1, 2), 1)
    assert v.tolist() == [[1.0, 3.0], [2.0, 4.0]]
    for shape, strides, offset in [((2, 3), (3, 1), 1), ((2,), (-1,), 2), ((7,), (1,), 0)]:
        with pytest.raises(ValueError, match=r"\[load\]"):
            pa._core._as_strided_raw(base, shape, strides, offset)
