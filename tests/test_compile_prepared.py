"""Prepared replay (issue 14): a tape resolves each elementwise call once (its kernel for the
dtype, its loop over the operands' shapes and strides) and replays it as one call on the
operands' current memory (cpp/kernels/kernel_plan.h, cpp/capture/tape.cpp).

Each program runs eagerly and compiled (exact=True) on identical state with new data at each
call, and everything observable must be bitwise equal after every call. What a prepared call
relies on (its operands' dtype, shape and strides) must re-capture when it changes; what it
reads again at each replay (an argument's memory and offset) must be followed.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np
import pytest
from compile_helpers import assert_same, np_copy

import pyautograd as torch


def _run(make: Any, data: list[tuple[Any, ...]], between: Any = None, **kw: Any) -> Any:
    """Runs make()'s step eagerly and compiled over data, comparing results and state after
    each call (between(i, state) runs on both states before call i); returns the compiled
    step."""
    se, sc = make(), make()
    kw.setdefault("exact", True)
    eager, comp = se["step"], torch.compile(sc["step"], **kw)
    for i, args in enumerate(data):
        if between is not None:
            between(i, se)
            between(i, sc)
        re, rc = eager(*args), comp(*args)
        assert_same(re, rc, exact=True, what=f"call {i}: result")
        for k, v in se.items():
            if isinstance(v, torch.Tensor):
                assert_same(v, sc[k], exact=True, what=f"call {i}: {k}")
                assert_same(v.grad, sc[k].grad, exact=True, what=f"call {i}: {k}.grad")
    return comp


def _elementwise(dtype: Any) -> Any:
    """A step through every prepared kind: unary and its derivative, binary with a tensor, a
    scalar on either side and a broadcast operand, their derivatives, fill (zero and not),
    copy with a dtype conversion, where, and sums over all and over one dim."""

    def make() -> dict[str, Any]:
        torch.manual_seed(0)
        w = torch.randn(3, 4, dtype=dtype, requires_grad=True)
        b = torch.randn(3, 1, dtype=dtype, requires_grad=True)
        acc = torch.zeros(3, dtype=torch.float64)

        def step(x: Any) -> Any:
            h = (w * x + b).clamp(min=-0.5)  # broadcast add; clamp and its derivative
            r = 2.0 - h.exp() / 3.0  # scalars on either side
            r = torch.where(r > 0, r, r * 0.1)
            loss = r.pow(2).sum() + (h * h).sum(1).sum()
            loss.backward()
            with torch.no_grad():
                w.sub_(0.01 * w.grad)
                b.sub_(0.01 * b.grad)
                w.grad.zero_()
                b.grad.fill_(0.0)
                acc.add_(h.sum(1).to(torch.float64))  # a copy converting the dtype
            t = torch.empty(2, dtype=dtype)
            t.fill_(1.5)  # a fill of a non-zero value
            return loss.detach() + t.sum()

        return {"w": w, "b": b, "acc": acc, "step": step}

    return make


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_every_prepared_kind_replays_bitwise(dtype: str) -> None:
    dt = getattr(torch, dtype)
    data = []
    for i in range(8):
        torch.manual_seed(10 + i)
        data.append((torch.randn(3, 4, dtype=dt),))
    comp = _run(_elementwise(dt), data)
    st = comp.stats()
    assert st["captures"] == 1 and st["replays"] == 6, st
    # every elementwise call of the tape runs through its plan
    kinds = [line.split()[1].split(":")[0] for line in comp.dump().splitlines()[1:]]
    elementwise = {"unary", "unary_grad", "binary", "binary_grad", "fill", "copy", "where", "sum"}
    assert st["prepared_calls"] == sum(k in elementwise for k in kinds) > 0, comp.dump()


def test_integer_and_bool_kernels_replay_through_plans() -> None:
    def make() -> dict[str, Any]:
        count = torch.zeros(4, dtype=torch.int64)

        def step(x: Any) -> Any:
            y = x * 3 + 1
            count.add_((y > 4).to(torch.int64))
            return torch.where(y > 4, y, -y).sum()

        return {"count": count, "step": step}

    data = [(torch.tensor([i, -i, 2 * i, 1 - i], dtype=torch.int64),) for i in range(6)]
    comp = _run(make, data)
    st = comp.stats()
    assert st["replays"] == 4 and st["prepared_calls"] > 0, st


def test_an_argument_at_another_offset_replays_on_its_memory() -> None:
    """Rows of one buffer: the same shape and strides at another offset each call. A prepared
    call reads its operands' addresses at each replay, so it follows them (no re-capture)."""
    torch.manual_seed(1)
    big = torch.randn(8, 5, 6)
    comp = _run(_elementwise(torch.float32), [(big[i, 1:4, 1:5],) for i in range(8)])
    st = comp.stats()
    assert st["captures"] == 1 and st["replays"] == 6, st


def test_an_argument_with_other_strides_recaptures() -> None:
    """A transposed view of a (4, 3) buffer has the shape (3, 4) of the contiguous argument
    but other strides: the plans' loops were made for the strides, so this re-captures."""
    torch.manual_seed(2)
    xs = [torch.randn(3, 4) for _ in range(3)] + [torch.randn(4, 3).t() for _ in range(4)]
    comp = _run(_elementwise(torch.float32), [(x,) for x in xs])
    st = comp.stats()
    assert st["captures"] == 2, st
    assert any("strides" in r for r in st["guard_failures"]), st


def test_a_bound_tensor_whose_strides_change_in_place_recaptures() -> None:
    """t_() keeps a square parameter's storage and shape and swaps its strides: the tape's
    plans read it with the old strides, so the guard must re-capture (and the values must
    follow the transposed parameter)."""

    def make() -> dict[str, Any]:
        torch.manual_seed(3)
        w = torch.randn(4, 4, requires_grad=True)
        v = torch.randn(4, 4)

        def step(x: Any) -> Any:
            loss = (w * x + v).clamp(min=0).pow(2).sum()
            loss.backward()
            with torch.no_grad():
                w.sub_(0.1 * w.grad)
                w.grad.zero_()
            return loss

        return {"w": w, "v": v, "step": step}

    def between(i: int, s: dict[str, Any]) -> None:
        if i == 4:
            s["v"].t_()  # a bound tensor read by the step, transposed in place
        if i == 6:
            with torch.no_grad():
                s["w"].t_()

    torch.manual_seed(4)
    data = [(torch.randn(4, 4),) for _ in range(9)]
    comp = _run(make, data, between)
    st = comp.stats()
    assert st["captures"] >= 3, st
    assert sum("strides" in r for r in st["guard_failures"]) >= 2, st


def test_prepared_replay_matches_eager_with_fusions() -> None:
    """The default (fused) tape prepares the calls the fusions leave, and stays within float32
    rounding of eager."""
    make = _elementwise(torch.float32)
    se, sc = make(), make()
    eager, comp = se["step"], torch.compile(sc["step"])
    for i in range(6):
        torch.manual_seed(20 + i)
        x = torch.randn(3, 4)
        re, rc = eager(x), comp(x)
        assert_same(re, rc, exact=False, what=f"call {i}")
        for k in ("w", "b", "acc"):
            assert_same(se[k], sc[k], exact=False, what=f"call {i}: {k}")
    assert comp.stats()["prepared_calls"] > 0
    assert np.isfinite(np_copy(rc)).all()


def test_a_result_still_referenced_is_never_refilled() -> None:
    """The fast path writes a replay's result into the previous result's tensor when the caller
    has dropped it; anything that still sees that tensor (a weak reference, a view, a NumPy
    array, the result itself) must keep its values."""
    make = _elementwise(torch.float32)
    se, sc = make(), make()
    eager, comp = se["step"], torch.compile(sc["step"])
    torch.manual_seed(5)
    xs = [torch.randn(3, 4) for _ in range(12)]
    kept: list[tuple[Any, Any]] = []  # (what sees an old result, its values then)
    for i, x in enumerate(xs):
        re, rc = eager(x), comp(x)
        assert_same(re, rc, exact=False, what=f"call {i}")
        if i % 4 == 0:
            w = weakref.ref(rc)
            kept.append((w, np_copy(rc)))
        elif i % 4 == 1:
            v = rc.reshape(1)
            kept.append((v, np_copy(v)))
        elif i % 4 == 2:
            a = rc.numpy()
            kept.append((a, a.copy()))
        else:
            kept.append((rc, np_copy(rc)))  # the result itself
        del rc  # only what `kept` holds sees it now
        for seen, values in kept:
            if isinstance(seen, weakref.ref):
                t = seen()
                if t is not None:
                    np.testing.assert_array_equal(np_copy(t), values)
            elif values is not None:
                np.testing.assert_array_equal(
                    np.asarray(seen if isinstance(seen, np.ndarray) else np_copy(seen)), values
                )
    st = comp.stats()
    assert st["replays"] == len(xs) - 2, st


def test_a_dropped_result_is_refilled_with_the_new_values() -> None:
    make = _elementwise(torch.float64)
    se, sc = make(), make()
    eager, comp = se["step"], torch.compile(sc["step"], exact=True)
    torch.manual_seed(6)
    for i in range(10):
        x = torch.randn(3, 4, dtype=torch.float64)
        re = eager(x)
        assert_same(re, comp(x), exact=True, what=f"call {i}")  # the result is dropped at once
    assert comp.stats()["replays"] == 8
