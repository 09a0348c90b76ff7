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
    # w1, w2 fold into their weight-gradient GEMMs, b1, b2 into one pass each, and three
    # elementwise chains (below); under exact, the chains only (bitwise the same), the updates
    # among them ([mul,sub] per parameter: T = lr * G; P = P - T)
    assert st["fusions"] == 7, st
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
    assert comp.stats()["fusions"] == 7


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
    # only the elementwise chains (bitwise the same) fuse: 3 of the step, 4 updates
    assert comp.stats()["fusions"] == 7
    assert "sub_scaled" not in comp.dump()


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


# ---- elementwise chains: one pass per chain, bitwise the same as the kernels it replaces ----

CHAIN_FWD = "fused:chain[add,clamp]"
CHAIN_LOSS = "fused:chain[add,sub,pow,sum,pow_grad,sum_rows]"
CHAIN_MASK = "fused:chain[clamp_grad,sum_rows]"


def _seed_step(p: dict[str, Any], lr: float = 1e-6) -> Any:
    """The seed's step, as examples/two_layer_autograd.py writes it."""

    def step(x: Any, y: Any) -> Any:
        z1 = p["w1"].mm(x) + p["b1"]
        a1 = z1.clamp(min=0)
        z2 = p["w2"].mm(a1) + p["b2"]
        loss = (z2 - y).pow(2).sum()
        loss.backward()
        for k in ("w1", "w2", "b1", "b2"):
            p[k].data -= lr * p[k].grad.data
        for k in ("w1", "w2", "b1", "b2"):
            p[k].grad.data.zero_()
        return loss

    return step


@pytest.mark.parametrize("exact", [True, False])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_seed_chains_fuse_over_300_epochs(exact: bool, dtype: str) -> None:
    """Bias add + clamp, the loss (residual, square, sum) with the start of its backward and
    the bias's row sums, and the ReLU mask with its bias's row sums: three chains. They keep
    the kernels' rounding and summation order, so exact=True stays bitwise equal to eager over
    the seed's 300 epochs; by default (with the SGD folds) each tensor within 1e-5 of its
    largest value, each loss within 1e-5 of the largest so far."""
    x, y, pe = seed_net(0)
    _, _, pc = seed_net(0)
    if dtype == "float64":
        x, y = x.double(), y.double()
        for p in (pe, pc):
            for k in p:
                p[k] = p[k].detach().double().requires_grad_(True)
                p[k].grad = torch.zeros_like(p[k])
    else:
        for p in (pe, pc):
            for k in p:
                p[k].grad = torch.zeros_like(p[k])
    eager, comp = _seed_step(pe), torch.compile(_seed_step(pc), exact=exact)
    top = 0.0
    for i in range(300):
        le, lc = eager(x, y), comp(x, y)
        if exact:
            assert_same(le, lc, True, f"epoch {i}: loss")
        else:  # the GEMM folds round differently; a small loss amplifies it (cancellation)
            top = max(top, abs(le.item()))
            assert abs(le.item() - lc.item()) <= 1e-5 * top, (i, le.item(), lc.item())
        if exact or i % 10 == 9:
            assert_same_state(pe, pc, exact, f"epoch {i}")
    st = comp.stats()
    assert st["captures"] == 1 and st["replays"] == 298, st
    # exact: the three chains and one [mul,sub] (or [add,mul,sub]) chain per update; by
    # default the updates fold into the GEMMs and sub_scaled instead
    assert st["fusions"] == 7, (st, comp.dump())
    dump = comp.dump()
    for chain in (CHAIN_FWD, CHAIN_LOSS, CHAIN_MASK):
        assert chain in dump, dump
    assert ("fused:chain[mul,sub]" in dump) == exact, dump
    assert st["records"] == (21 if exact else 14), dump


def _compare(f: Any, *args: Any, n: int = 4) -> Any:
    """f compiled against f eagerly, bitwise (chains keep the kernels' rounding), n calls."""
    comp = torch.compile(f)
    for _ in range(n):
        want, got = f(*args), comp(*args)
        if not isinstance(want, tuple):
            want, got = (want,), (got,)
        for a, b in zip(want, got, strict=True):
            np.testing.assert_array_equal(_np(a), _np(b))
    return comp


@pytest.mark.parametrize("shape", [(13, 29), (3, 1000), (1, 7), (640,), (4, 5, 67)])
def test_a_chain_with_broadcasts_and_sums_is_bitwise_eager(shape: tuple[int, ...]) -> None:
    """Rows not a multiple of 8, rows longer than a block, a bias, a column and a scalar
    broadcast, a sum over everything and over the last dim: the same bits as eager."""
    torch.manual_seed(1)
    x = torch.randn(*shape, dtype=torch.float64 if len(shape) == 1 else torch.float32)
    row = torch.randn(*shape[:-1], 1, dtype=x.dtype) if len(shape) > 1 else torch.randn(1)
    col = torch.randn(shape[-1], dtype=x.dtype)

    def f(x: Any) -> Any:
        h = ((x + row) * col - 0.5).clamp(min=-0.2, max=1.5)
        return h.pow(2).sum(), (h * 3).sum(dim=-1, keepdim=True)

    comp = _compare(f, x)
    assert comp.stats()["fusions"] >= 1, comp.dump()
    assert "fused:chain[" in comp.dump()


def test_an_intermediate_read_after_the_chain_is_stored() -> None:
    """A value the chain makes that a later call reads (here: returned, and used by a matrix
    product) is written out; only values all of whose uses are inside the chain vanish."""
    torch.manual_seed(2)
    x, w = torch.randn(16, 8), torch.randn(8, 4)

    def f(x: Any) -> Any:
        r = x * 2 + 1  # returned
        s = r.exp()  # read by the mm
        return r, s.mm(w), (s - 1).sum()

    comp = _compare(f, x)
    dump = comp.dump()
    line = next(ln for ln in dump.splitlines() if "fused:chain[" in ln)
    assert line.count("w:") >= 2 or line.count("rw:") >= 1, dump  # r and s written
    r1, _, _ = comp(x)
    r2, _, _ = comp(x)  # a fresh copy: r1 keeps its values
    for r in (r1, r2):
        np.testing.assert_array_equal(_np(r), _np(x) * 2 + 1)


def test_a_value_used_later_outside_the_chain_keeps_its_buffer() -> None:
    """z1 (the clamp's input) is read by the clamp's backward, far later: the forward chain
    stores both z1 and a1, and the step is still bitwise eager's under exact."""
    x, y, pe = seed_net(3, n_in=20, hidden=12, m=9)
    _, _, pc = seed_net(3, n_in=20, hidden=12, m=9)
    eager, comp = _seed_step(pe), torch.compile(_seed_step(pc), exact=True)
    for i in range(6):
        assert eager(x, y).item() == comp(x, y).item(), i
        assert_same_state(pe, pc, True, f"step {i}")
    fwd = next(ln for ln in comp.dump().splitlines() if CHAIN_FWD in ln)
    assert fwd.count("w:") == 2, fwd


def test_in_place_chains_and_non_contiguous_inputs() -> None:
    """In-place steps (mul_, clamp_) chain on the same buffer; a transposed argument either
    joins through its layout or stays outside: either way the bits are eager's."""
    torch.manual_seed(4)
    x = torch.randn(24, 10)

    def chain(h: Any) -> Any:
        h.mul_(2)
        h.clamp_(min=0)
        return (h * h).sum()

    comp = _compare(lambda x: chain(x + 1), x)
    assert comp.stats()["fusions"] >= 1, comp.dump()
    # x.t() + 1 keeps x.t()'s layout (PyTorch's TensorIterator): the chain's buffers are
    # transposed, which the chain matcher does not take (contiguous outputs only)
    _compare(lambda x: chain(x.t() + 1), x)

    def g(x: Any) -> Any:
        return ((x[:, ::2] * 3).exp() - x[:, 1::2]).sum()

    _compare(g, x)


def test_a_chain_is_not_fused_across_a_write_it_depends_on() -> None:
    """A call between two steps that writes what the chain read ends the chain there: the
    values stay eager's."""
    torch.manual_seed(5)
    a = torch.randn(32, 6)

    def f(x: Any) -> Any:
        u = x + 1
        v = u * 2
        x.mul_(0.5)  # writes what u read (x is an argument: in place on it)
        w = v - x
        return w.sum()

    comp = torch.compile(f)
    for _ in range(4):
        xe, xc = a.clone(), a.clone()
        want, got = f(xe), comp(xc)
        np.testing.assert_array_equal(_np(want), _np(got))
        np.testing.assert_array_equal(_np(xe), _np(xc))
