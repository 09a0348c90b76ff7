"""pyautograd.compile's fusions (issue 14): the seed's update `p.data -= lr * p.grad.data;
p.grad.data.zero_()` of a gradient that the step zeroes becomes one GEMM (alpha = -lr, beta = 1
on the weight) or one pass, guarded by the gradient being zero when the step starts.

exact=True keeps replay bitwise equal to eager (no fusion); by default every tensor stays within
float32 rounding of eager's (1e-5 of its largest value) after every step, and anything that
breaks a fusion's assumption between calls re-captures.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from compile_helpers import assert_same, assert_same_state, np_copy, seed_net

import pyautograd as torch

LR = 1e-6


_np = np_copy


def _close(a: Any, b: Any, what: str) -> None:
    assert_same(a, b, exact=False, what=what)


def _net(seed: int = 0) -> tuple[Any, Any, dict[str, Any]]:
    return seed_net(seed, n_in=200, hidden=50, m=32)


def _step(p: dict[str, Any]) -> Any:
    def step(x: Any, y: Any) -> Any:
        a1 = (p["w1"].mm(x) + p["b1"]).clamp(min=0)
        loss = (p["w2"].mm(a1) + p["b2"] - y).pow(2).sum()
        loss.backward()
        for k in p:
            p[k].data -= LR * p[k].grad.data
        for k in p:
            p[k].grad.data.zero_()
        return loss

    return step


def _check(pe: dict[str, Any], pc: dict[str, Any], what: str) -> None:
    assert_same_state(pe, pc, exact=False, what=what)


@pytest.mark.parametrize("exact", [True, False])
def test_the_seed_update_fuses_unless_exact(exact: bool) -> None:
    x, y, pe = _net()
    _, _, pc = _net()
    eager, comp = _step(pe), torch.compile(_step(pc), exact=exact)
    for i in range(40):
        le, lc = eager(x, y), comp(x, y)
        if exact:
            assert le.item() == lc.item()
            for k in pe:
                np.testing.assert_array_equal(_np(pe[k]), _np(pc[k]))
        else:
            _close(le, lc, f"step {i}: loss")
            _check(pe, pc, f"step {i}")
    st = comp.stats()
    assert st["captures"] == 1 and st["replays"] == 38, st
    # w1, w2 fold into their weight-gradient GEMMs, b1, b2 into one pass each
    assert st["fusions"] == (0 if exact else 4), st
    dump = comp.dump()
    assert ("fused:sub_scaled" in dump) != exact, dump


@pytest.mark.parametrize(
    "change",
    [
        lambda p: p["w1"].grad.add_(1.0),
        lambda p: p["b2"].grad.data.fill_(0.5),  # .data: its own version counter
        lambda p: p["w2"].grad.numpy().__setitem__((0, 0), 3.0),  # outside the library
    ],
    ids=["grad_add_", "grad_data_fill_", "grad_numpy_write"],
)
def test_a_gradient_written_between_calls_recaptures(change: Any) -> None:
    """The fusion assumes the gradients the step zeroes are zero when it starts: a write to
    one between calls, through any path, fails the guard (a re-capture), never a stale step."""
    x, y, pe = _net()
    _, _, pc = _net()
    eager, comp = _step(pe), torch.compile(_step(pc))
    for i in range(8):
        if i == 5:
            change(pe)
            change(pc)
        _close(eager(x, y), comp(x, y), f"step {i}: loss")
        _check(pe, pc, f"step {i}")
    st = comp.stats()
    assert st["captures"] == 2, st
    assert "zeroed" in st["guard_failures"][0], st


def test_a_gradient_the_user_reads_is_still_zero() -> None:
    """With the fold the step never writes the .grad; it is observably zero after each call,
    as in eager."""
    x, y, p = _net()
    comp = torch.compile(_step(p))
    for _ in range(5):
        comp(x, y)
        for k in p:
            assert not _np(p[k].grad).any()
    assert comp.stats()["fusions"] == 4


def test_no_fusion_when_the_gradient_is_observable_after_the_update() -> None:
    """A step that does not zero the gradient (accumulation across calls) keeps it."""
    x, y, pe = _net()
    _, _, pc = _net()

    def make(p: dict[str, Any]) -> Any:
        def step(x: Any, y: Any) -> Any:
            a1 = (p["w1"].mm(x) + p["b1"]).clamp(min=0)
            loss = (p["w2"].mm(a1) + p["b2"] - y).pow(2).sum()
            loss.backward()
            for k in p:
                p[k].data -= LR * p[k].grad.data
            return loss

        return step

    eager, comp = make(pe), torch.compile(make(pc))
    for i in range(5):
        le, lc = eager(x, y), comp(x, y)
        assert le.item() == lc.item(), i
        _check(pe, pc, f"step {i}")
    assert comp.stats()["fusions"] == 0


def test_the_memory_plan_shares_buffers_whose_lives_do_not_overlap() -> None:
    """A chain of elementwise ops needs two buffers in turn, plus the returned one."""

    def f(x: Any) -> Any:
        return ((((x.exp() + 1).sin() * 2).cos() - 3).tanh() * 0.5).sum(dim=0)

    comp = torch.compile(f)
    xs = [torch.randn(64, 16) for _ in range(4)]
    for x in xs:
        np.testing.assert_array_equal(_np(comp(x)), _np(f(x)))
    st = comp.stats()
    assert st["replays"] == 2, st
    assert st["planned_buffers"] <= 3, (st, comp.dump())
    assert st["planned_bytes"] <= 2 * 64 * 16 * 4 + 16 * 4, st
