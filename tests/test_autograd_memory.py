"""Memory: nothing of a step's graph survives the step (no reference cycles,
checked with weakrefs while the cyclic GC is disabled) and RSS stays flat
over many training steps."""

import gc
import weakref
from typing import ClassVar

import pytest
from grad_helpers import randt, rss_bytes, seed_step

import pyautograd as torch
from pyautograd.autograd import Function


class gc_disabled:
    def __enter__(self):
        self.was = gc.isenabled()
        gc.collect()
        gc.disable()

    def __exit__(self, *exc):
        if self.was:
            gc.enable()


def _make_problem(M=16, D_in=50, H=20, D_out=5, seed=0):
    torch.manual_seed(seed)
    x = torch.randn(D_in, M)
    y = torch.randn(D_out, M)
    params = {
        "w1": torch.randn(H, D_in, requires_grad=True),
        "w2": torch.randn(D_out, H, requires_grad=True),
        "b1": torch.randn(H, 1, requires_grad=True),
        "b2": torch.randn(D_out, 1, requires_grad=True),
    }
    return x, y, params


def _seed_step(x, y, params, refs, lr=1e-6, relu=None):
    Z1 = params["w1"].mm(x) + params["b1"]
    refs.append(weakref.ref(Z1))
    A1 = Z1.clamp(min=0) if relu is None else relu(Z1)
    refs.append(weakref.ref(A1))
    Z2 = params["w2"].mm(A1) + params["b2"]
    refs.append(weakref.ref(Z2))
    loss = (Z2 - y).pow(2).sum()
    refs.append(weakref.ref(loss))
    loss.backward()
    for p in params.values():
        p.data -= lr * p.grad.data
        p.grad.data.zero_()
    return loss.item()


def test_step_graph_is_freed_without_gc():
    x, y, params = _make_problem()
    with gc_disabled():
        for _ in range(3):
            refs = []
            _seed_step(x, y, params, refs)
            assert len(refs) == 4
            assert all(r() is None for r in refs), [r() is None for r in refs]


def test_graph_freed_when_loss_deleted_in_caller_scope():
    x, y, params = _make_problem()
    with gc_disabled():
        Z1 = params["w1"].mm(x) + params["b1"]
        A1 = Z1.clamp(min=0)
        loss = (params["w2"].mm(A1) + params["b2"] - y).pow(2).sum()
        r_z1, r_a1, r_loss = weakref.ref(Z1), weakref.ref(A1), weakref.ref(loss)
        loss.backward()
        del Z1, A1
        assert r_z1() is None and r_a1() is None
        del loss
        assert r_loss() is None


@pytest.mark.parametrize("backward", ["none", "backward", "retain_graph"])
def test_ops_saving_their_output_make_no_cycles(backward):
    x = randt(3, 4, seed=1)
    with gc_disabled():
        a = (x * 1).exp()  # exp saves its result
        b = a.tanh()  # tanh saves its result
        c = b.sigmoid()  # sigmoid saves its result
        d = (c + 1).sqrt()  # sqrt saves its result
        e = d.pow(2) * d  # d used twice
        loss = e.sum()
        refs = [weakref.ref(t) for t in (a, b, c, d, e, loss)]
        if backward == "backward":
            loss.backward()
        elif backward == "retain_graph":
            loss.backward(retain_graph=True)
        del a, b, c, d, e, loss
        assert [r() is None for r in refs] == [True] * len(refs)
    assert x.grad is None or x.grad.shape == x.shape


class SaveInputReLU(Function):
    refs: ClassVar[list] = []

    @staticmethod
    def forward(ctx, inp):
        SaveInputReLU.refs.append(weakref.ref(ctx))
        ctx.save_for_backward(inp)
        return inp.clamp(min=0)

    @staticmethod
    def backward(ctx, g):
        (inp,) = ctx.saved_tensors
        gi = g.clone()
        gi[inp < 0] = 0
        return gi


class SaveOutputExp(Function):
    refs: ClassVar[list] = []

    @staticmethod
    def forward(ctx, inp):
        out = inp.exp()
        SaveOutputExp.refs.append(weakref.ref(ctx))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out


def test_custom_function_graph_is_freed_without_gc():
    x, y, params = _make_problem()
    SaveInputReLU.refs.clear()
    with gc_disabled():
        for _ in range(3):
            refs = []
            _seed_step(x, y, params, refs, relu=SaveInputReLU.apply)
            assert all(r() is None for r in refs)
        assert len(SaveInputReLU.refs) == 3
        assert all(r() is None for r in SaveInputReLU.refs)


@pytest.mark.parametrize("do_backward", [False, True])
def test_custom_function_saving_its_output_makes_no_cycle(do_backward):
    x = randt(5, seed=2)
    SaveOutputExp.refs.clear()
    with gc_disabled():
        out = SaveOutputExp.apply(x * 1)
        r_out = weakref.ref(out)
        loss = (out * 2).sum()
        if do_backward:
            loss.backward()
        del out, loss
        assert r_out() is None
        assert SaveOutputExp.refs[0]() is None


def _rss_training(M, D_in, H, D_out, steps, warmup):
    x, y, params = _make_problem(M, D_in, H, D_out)
    rss0 = None
    for t in range(steps):
        if t == warmup:
            rss0 = rss_bytes()
        seed_step(x, y, params)
    return rss_bytes() - rss0


def test_rss_flat_over_2000_small_steps():
    # leaking one step's graph here costs > 50 KB/step -> > 80 MB in total
    growth = _rss_training(M=64, D_in=200, H=100, D_out=10, steps=2000, warmup=200)
    assert growth < 16 * 2**20, "RSS grew by %.1f MB" % (growth / 2**20)


@pytest.mark.slow
def test_rss_flat_over_2000_seed_sized_steps():
    growth = _rss_training(M=64, D_in=1000, H=100, D_out=10, steps=2000, warmup=200)
    assert growth < 24 * 2**20, "RSS grew by %.1f MB" % (growth / 2**20)
