"""Joining, splitting and rearranging: cat (concat, concatenate), stack, hstack, vstack, split,
chunk, unbind, narrow, flip, roll, repeat, tile, movedim (moveaxis).

Table-driven: every case runs the same function on pyautograd and on PyTorch (skipped without
it) from the same NumPy inputs, contiguous and step-sliced, and compares values, dtypes, shapes
and the inputs' gradients; float64 gradients are checked against central finite differences.
The pieces of split/chunk/unbind/narrow and movedim's result are views sharing the input's
storage; flip, roll, repeat, tile, cat and stack copy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from grad_helpers import check_grads
from helpers import TORCH_STANDIN

import pyautograd as pa

pyautograd_only = pytest.mark.skipif(TORCH_STANDIN, reason="pyautograd's own messages")


@dataclass
class Case:
    name: str
    shapes: list[tuple[int, ...]]
    fn: Callable[..., Any]  # fn(mod, *inputs) -> tensor or tuple of tensors
    view: bool = False  # the result(s) share the first input's storage
    dtypes: tuple[str, ...] = ()  # per-input dtypes (default: the test's dtype for all)


def _m(mod: Any, name: str) -> Any:
    return getattr(mod, name)


CASES = [
    Case("cat0", [(2, 3), (1, 3), (4, 3)], lambda m, a, b, c: m.cat([a, b, c])),
    Case("cat1", [(2, 3), (2, 1)], lambda m, a, b: m.cat((a, b), dim=1)),
    Case("cat_neg", [(2, 2, 3), (2, 2, 2)], lambda m, a, b: m.cat([a, b], -1)),
    Case("cat_one", [(3, 2)], lambda m, a: m.cat([a])),
    Case("cat_empty_part", [(2, 3), (0, 3)], lambda m, a, b: m.cat([a, b])),
    Case("cat_legacy_empty", [(2, 3), (0,)], lambda m, a, b: m.cat([b, a, b], dim=1)),
    Case("concat", [(2, 3), (2, 3)], lambda m, a, b: m.concat([a, b], dim=1)),
    Case("concatenate", [(2, 3), (2, 3)], lambda m, a, b: m.concatenate([a, b], axis=1)),
    Case("cat_promote_if", [(2, 3), (2, 3)], lambda m, a, b: m.cat([a, b]), dtypes=("int64", "")),
    Case("cat_promote_bi", [(2,), (3,)], lambda m, a, b: m.cat([a, b]), dtypes=("bool", "int64")),
    Case(
        "cat_promote_ff", [(2,), (3,)], lambda m, a, b: m.cat([a, b]), dtypes=("float32", "float64")
    ),
    Case("stack0", [(2, 3), (2, 3), (2, 3)], lambda m, a, b, c: m.stack([a, b, c])),
    Case("stack_last", [(2, 3), (2, 3)], lambda m, a, b: m.stack([a, b], dim=-1)),
    Case("stack_mid", [(2, 3), (2, 3)], lambda m, a, b: m.stack((a, b), 1)),
    Case("stack_0d", [(), ()], lambda m, a, b: m.stack([a, b])),
    Case("stack_promote", [(2,), (2,)], lambda m, a, b: m.stack([a, b]), dtypes=("int64", "")),
    Case("hstack_1d", [(2,), (3,)], lambda m, a, b: m.hstack([a, b])),
    Case("hstack_2d", [(2, 1), (2, 3)], lambda m, a, b: m.hstack([a, b])),
    Case("hstack_0d", [(), (2,)], lambda m, a, b: m.hstack([a, b])),
    Case("vstack_1d", [(3,), (3,)], lambda m, a, b: m.vstack([a, b])),
    Case("vstack_2d", [(1, 3), (2, 3), (3,)], lambda m, a, b, c: m.vstack([a, b, c])),
    Case("split_int", [(5, 3)], lambda m, a: m.split(a, 2), view=True),
    Case("split_list", [(5, 3)], lambda m, a: m.split(a, [1, 0, 4]), view=True),
    Case("split_dim", [(2, 7)], lambda m, a: a.split(3, dim=-1), view=True),
    Case("split_big", [(2, 3)], lambda m, a: a.split(10), view=True),
    Case("split_kw", [(4, 2)], lambda m, a: m.split(a, split_size_or_sections=3, dim=0), view=True),
    Case("split_empty", [(0, 2)], lambda m, a: a.split(2), view=True),
    Case("chunk3", [(5, 2)], lambda m, a: m.chunk(a, 3), view=True),
    Case("chunk4of6", [(6,)], lambda m, a: a.chunk(4), view=True),
    Case("chunk_dim", [(2, 5)], lambda m, a: a.chunk(2, dim=1), view=True),
    Case("chunk_more", [(2, 3)], lambda m, a: a.chunk(5, -1), view=True),
    Case("chunk_empty", [(0,)], lambda m, a: a.chunk(2), view=True),
    Case("unbind0", [(3, 2)], lambda m, a: m.unbind(a), view=True),
    Case("unbind_last", [(2, 3, 2)], lambda m, a: a.unbind(-1), view=True),
    Case("unbind_1d", [(4,)], lambda m, a: a.unbind(dim=0), view=True),
    Case("narrow", [(4, 5)], lambda m, a: m.narrow(a, 1, 1, 3), view=True),
    Case("narrow_neg", [(4, 5)], lambda m, a: a.narrow(0, -3, 2), view=True),
    Case("narrow_empty", [(4, 5)], lambda m, a: a.narrow(-1, 5, 0), view=True),
    Case("narrow_kw", [(4, 5)], lambda m, a: m.narrow(a, dim=0, start=1, length=2), view=True),
    Case("flip0", [(3, 4)], lambda m, a: m.flip(a, [0])),
    Case("flip01", [(3, 4, 2)], lambda m, a: a.flip(0, -1)),
    Case("flip_tuple", [(3, 4)], lambda m, a: a.flip((1,))),
    Case("flip_all", [(2, 3, 4)], lambda m, a: m.flip(a, (0, 1, 2))),
    Case("flip_none", [(2, 3)], lambda m, a: m.flip(a, [])),
    Case("flip_0d", [()], lambda m, a: m.flip(a, [0])),
    Case("flip_empty", [(0, 3)], lambda m, a: a.flip(0)),
    Case("roll_flat", [(3, 4)], lambda m, a: m.roll(a, 5)),
    Case("roll_dim", [(3, 4)], lambda m, a: a.roll(1, 1)),
    Case("roll_neg", [(3, 4)], lambda m, a: a.roll(-2, 0)),
    Case("roll_multi", [(3, 4, 2)], lambda m, a: m.roll(a, (1, -5), (0, -2))),
    Case("roll_kw", [(3, 4)], lambda m, a: m.roll(a, shifts=[7], dims=[1])),
    Case("roll_zero", [(3, 4)], lambda m, a: a.roll(0, 0)),
    Case("roll_0d", [()], lambda m, a: m.roll(a, 3)),
    Case("roll_empty", [(0, 2)], lambda m, a: a.roll(1, 0)),
    Case("repeat", [(2, 3)], lambda m, a: a.repeat(2, 3)),
    Case("repeat_lead", [(2, 3)], lambda m, a: a.repeat(2, 1, 2)),
    Case("repeat_seq", [(3,)], lambda m, a: a.repeat((2, 2))),
    Case("repeat_zero", [(2, 3)], lambda m, a: a.repeat(0, 2)),
    Case("repeat_ones", [(2, 3)], lambda m, a: a.repeat(1, 1)),
    Case("repeat_0d", [()], lambda m, a: a.repeat(3, 2)),
    Case("tile", [(2, 3)], lambda m, a: m.tile(a, (2,))),
    Case("tile_lead", [(2, 3)], lambda m, a: a.tile(2, 1, 2)),
    Case("tile_empty", [(2, 3)], lambda m, a: m.tile(a, ())),
    Case("movedim", [(2, 3, 4)], lambda m, a: m.movedim(a, 0, -1), view=True),
    Case("movedim_seq", [(2, 3, 4)], lambda m, a: a.movedim((0, 1), (2, 0)), view=True),
    Case("moveaxis", [(2, 3, 4)], lambda m, a: m.moveaxis(a, -1, 0), view=True),
    Case("moveaxis_m", [(2, 3, 4)], lambda m, a: a.moveaxis([2], [1]), view=True),
]
IDS = [c.name for c in CASES]


def _arrays(case: Case, dtype: str, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    out = []
    for i, shape in enumerate(case.shapes):
        d = (case.dtypes[i] if case.dtypes else "") or dtype
        if d == "bool":
            out.append(rng.integers(0, 2, size=shape).astype(bool))
        elif d == "int64":
            out.append(rng.integers(-9, 10, size=shape).astype(np.int64))
        else:
            out.append(rng.standard_normal(shape).astype(d))
    return out


def _leaves(mod: Any, arrays: list[np.ndarray], strided: bool, grad: bool) -> tuple[list, list]:
    """(leaves, op inputs): with strided=True each input is leaf[..., ::2] of a wider leaf."""
    leaves, xs = [], []
    for a in arrays:
        rg = grad and a.dtype.kind == "f"
        if strided and a.ndim:
            wide = np.repeat(a, 2, axis=-1)
            leaf = mod.tensor(wide, requires_grad=rg)
            xs.append(leaf[..., ::2])
        else:
            leaf = mod.tensor(a, requires_grad=rg)
            xs.append(leaf)
        leaves.append(leaf)
    return leaves, xs


def _outs(r: Any) -> list[Any]:
    return list(r) if isinstance(r, (tuple, list)) else [r]


def _np(t: Any) -> np.ndarray:
    return np.asarray(t.detach().numpy())


def _dname(d: Any) -> str:
    return str(d).split(".")[-1]


@pytest.mark.parametrize("strided", [False, True], ids=["contiguous", "strided"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_against_torch(case: Case, dtype: str, strided: bool) -> None:
    torch = pytest.importorskip("torch")
    arrays = _arrays(case, dtype)
    grad = dtype != "int64"
    pl, px = _leaves(pa, arrays, strided, grad)
    tl, tx = _leaves(torch, arrays, strided, grad)
    po, to = _outs(case.fn(pa, *px)), _outs(case.fn(torch, *tx))
    assert len(po) == len(to)
    for p, t in zip(po, to, strict=True):
        assert tuple(p.shape) == tuple(t.shape)
        assert _dname(p.dtype) == _dname(t.dtype)
        np.testing.assert_array_equal(_np(p), t.detach().numpy())
    if not grad or not any(t.requires_grad for t in to):
        assert not any(p.requires_grad for p in po)
        return
    rng = np.random.default_rng(5)
    ws = [rng.standard_normal(tuple(t.shape)).astype(_dname(t.dtype)) for t in to]
    sum(((p * pa.tensor(w)).sum() for p, w in zip(po, ws, strict=True)), pa.tensor(0.0)).backward()
    sum(
        ((t * torch.tensor(w)).sum() for t, w in zip(to, ws, strict=True)), torch.tensor(0.0)
    ).backward()
    tol = {"rtol": 1e-5, "atol": 1e-6}
    for p, t in zip(pl, tl, strict=True):
        if t.grad is None:
            assert p.grad is None
            continue
        np.testing.assert_allclose(_np(p.grad), t.grad.numpy(), **tol)


@pytest.mark.parametrize("strided", [False, True], ids=["contiguous", "strided"])
@pytest.mark.parametrize("case", [c for c in CASES if not c.dtypes], ids=lambda c: c.name)
def test_gradcheck(case: Case, strided: bool) -> None:
    arrays = _arrays(case, "float64", seed=1)
    leaves, _ = _leaves(pa, arrays, strided, True)

    def f(*ls: Any) -> Any:
        xs = [leaf[..., ::2] if strided and leaf.dim() else leaf for leaf in ls]
        outs = _outs(case.fn(pa, *xs))
        return pa.cat([o.reshape(-1) for o in outs]) if len(outs) != 1 else outs[0]

    if sum(a.size for a in arrays) == 0 or f(*leaves).numel() == 0:
        return  # nothing to differentiate (the helper cannot build an empty weight)
    check_grads(f, *leaves)


def _shares(piece: Any, base: Any) -> bool:
    lo = base.data_ptr()
    hi = lo + base.numel() * base.element_size()
    return piece.numel() == 0 or lo <= piece.data_ptr() < hi


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_views_share_storage_and_copies_do_not(case: Case) -> None:
    arrays = _arrays(case, "float64", seed=2)
    xs = [pa.tensor(a) for a in arrays]
    outs = _outs(case.fn(pa, *xs))
    before = [_np(o).copy() for o in outs]
    for x in xs:
        x.add_(100) if x.dtype != pa.bool else x.copy_(x.logical_not())
    for o, b in zip(outs, before, strict=True):
        if case.view:
            assert _shares(o, xs[0])
            if o.numel():
                assert not np.array_equal(_np(o), b), "a view must see writes to its base"
        else:
            np.testing.assert_array_equal(_np(o), b)


def test_view_writes_reach_the_base() -> None:
    x = pa.zeros(4, 6)
    _, b = x.split(3, dim=1)
    b[1, 2] = 5.0
    x.narrow(0, 2, 1).fill_(1.0)
    x.unbind(0)[3][0] = 7.0
    ref = np.zeros((4, 6))
    ref[1, 5] = 5.0
    ref[2, :] = 1.0
    ref[3, 0] = 7.0
    np.testing.assert_array_equal(_np(x), ref)


def test_out_argument() -> None:
    torch = pytest.importorskip("torch")
    a = np.arange(6.0).reshape(2, 3)
    for mod in (pa, torch):
        out = mod.empty(4, 3)
        r = mod.cat([mod.tensor(a), mod.tensor(a)], out=out)
        assert r is out
        np.testing.assert_array_equal(_np(out), np.concatenate([a, a]))
        out2 = mod.zeros(0, dtype=mod.float64)
        mod.stack([mod.tensor(a), mod.tensor(a)], dim=1, out=out2)
        assert tuple(out2.shape) == (2, 2, 3) and out2.dtype == mod.float64
        np.testing.assert_array_equal(_np(out2), np.stack([a, a], 1))
        lo = mod.zeros(4, 3, dtype=mod.int64)
        with pytest.raises(TypeError):
            mod.cat([mod.tensor(a), mod.tensor(a)], out=lo)  # float can't be cast to int64
        x = mod.tensor(a, requires_grad=True)
        with pytest.raises(RuntimeError):
            mod.cat([x, x], out=mod.empty(4, 3))
        out3 = mod.empty(3)
        with pytest.warns(UserWarning):
            mod.hstack([mod.tensor([1.0]), mod.tensor([2.0, 3.0, 4.0])], out=out3)
        np.testing.assert_array_equal(_np(out3), [1.0, 2.0, 3.0, 4.0])


def test_double_backward_through_join() -> None:
    x = pa.tensor([1.0, 2.0, 3.0], dtype=pa.float64, requires_grad=True)
    y = pa.cat([x * x, x.flip(0)]).sum()
    (g,) = pa.autograd.grad(y, x)
    np.testing.assert_allclose(_np(g), [3.0, 5.0, 7.0])


def test_repeated_pieces_accumulate_gradients() -> None:
    x = pa.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    a, b = x.unbind(0)
    c, d = x.chunk(2, dim=1)
    (a * 2 + b * 3 + c.squeeze(1) * 5 + d.squeeze(1) * 7 + x.roll(1, 0)[0] * 11).sum().backward()
    np.testing.assert_allclose(_np(x.grad), [[2 + 5, 2 + 7], [3 + 5 + 11, 3 + 7 + 11]])


# --------------------------------------------------------------------------
# errors: the exception type PyTorch raises; the message names the op and the shapes
# --------------------------------------------------------------------------
def _t(*shape: int) -> Callable[[Any], Any]:
    return lambda m: m.ones(*shape)


ERRORS: list[tuple[str, type[Exception], Callable[[Any], Any], str]] = [
    ("cat_empty_list", ValueError, lambda m: m.cat([]), "[cat]"),
    ("cat_0d", RuntimeError, lambda m: m.cat([m.tensor(1.0)]), "zero-dimensional"),
    ("cat_sizes", RuntimeError, lambda m: m.cat([m.ones(2, 3), m.ones(2, 4)]), "(2, 4)"),
    ("cat_ndim", RuntimeError, lambda m: m.cat([m.ones(2, 3), m.ones(3)]), "(3,)"),
    ("cat_dim", IndexError, lambda m: m.cat([m.ones(2, 3)], dim=2), "[cat]"),
    ("cat_not_seq", TypeError, lambda m: m.cat(m.ones(2)), "[cat]"),
    ("cat_not_tensors", TypeError, lambda m: m.cat([m.ones(2), 3]), "[cat]"),
    ("stack_sizes", RuntimeError, lambda m: m.stack([m.ones(2), m.ones(3)]), "(3,)"),
    ("stack_dim", IndexError, lambda m: m.stack([m.ones(2)], dim=3), "[stack]"),
    ("narrow_start", IndexError, lambda m: m.narrow(m.ones(3), 0, 5, 1), "(3,)"),
    ("narrow_length", RuntimeError, lambda m: m.narrow(m.ones(3), 0, 1, 5), "(3,)"),
    ("narrow_0d", RuntimeError, lambda m: m.narrow(m.tensor(1.0), 0, 0, 1), "0-dim"),
    ("split_zero", RuntimeError, lambda m: m.ones(3).split(0), "(3,)"),
    ("split_negative", RuntimeError, lambda m: m.ones(3).split(-1), "[split]"),
    ("split_sizes", RuntimeError, lambda m: m.ones(3).split([1, 1]), "(3,)"),
    ("chunk_zero", RuntimeError, lambda m: m.ones(3).chunk(0), "[chunk]"),
    ("unbind_0d", IndexError, lambda m: m.tensor(1.0).unbind(0), "[unbind]"),
    ("unbind_dim", IndexError, lambda m: m.ones(2).unbind(1), "[unbind]"),
    ("flip_dup", RuntimeError, lambda m: m.ones(3).flip(0, 0), "[flip]"),
    ("flip_dim", IndexError, lambda m: m.ones(3).flip(1), "[flip]"),
    ("roll_align", RuntimeError, lambda m: m.roll(m.ones(3), (1, 2), (0,)), "[roll]"),
    ("roll_dims_none", RuntimeError, lambda m: m.roll(m.ones(3), (1, 2)), "[roll]"),
    ("roll_dim", IndexError, lambda m: m.roll(m.ones(3), 1, 5), "[roll]"),
    ("repeat_fewer", RuntimeError, lambda m: m.ones(2, 3).repeat(2), "(2, 3)"),
    ("repeat_negative", RuntimeError, lambda m: m.ones(2, 3).repeat(-1, 1), "[repeat]"),
    ("movedim_len", RuntimeError, lambda m: m.movedim(m.ones(2, 3), (0,), (1, 0)), "[movedim]"),
    ("movedim_dup", RuntimeError, lambda m: m.movedim(m.ones(2, 3), (0, 0), (1, 0)), "[movedim]"),
    ("movedim_dim", IndexError, lambda m: m.movedim(m.ones(2, 3), 2, 0), "[movedim]"),
]


@pytest.mark.parametrize(("name", "exc", "fn", "fragment"), ERRORS, ids=[e[0] for e in ERRORS])
def test_errors(name: str, exc: type[Exception], fn: Callable[[Any], Any], fragment: str) -> None:
    with pytest.raises(exc) as info:
        fn(pa)
    if not TORCH_STANDIN:
        assert fragment in str(info.value)
    try:
        import torch
    except ImportError:
        return
    with pytest.raises(exc):
        fn(torch)


# --------------------------------------------------------------------------
# properties against NumPy: random shapes (0-d, empty, size-1 dims), dims and layouts
# --------------------------------------------------------------------------
hyp = pytest.importorskip("hypothesis")
st = hyp.strategies
hnp = pytest.importorskip("hypothesis.extra.numpy")


@hyp.settings(derandomize=True, deadline=None, database=None, max_examples=150)
@hyp.given(data=st.data())
def test_properties_against_numpy(data: Any) -> None:
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=4))
    a = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    t = pa.tensor(a)
    if data.draw(st.booleans()) and len(shape) >= 2:  # a transposed (non-contiguous) input
        a = a.swapaxes(0, 1)
        t = t.transpose(0, 1)
    nd = a.ndim
    dim = data.draw(st.integers(-nd, nd - 1))
    op = data.draw(st.sampled_from(["cat", "stack", "split", "chunk", "flip", "roll", "repeat"]))
    if op == "cat":
        k = data.draw(st.integers(1, 3))
        got, want = pa.cat([t] * k, dim), np.concatenate([a] * k, dim)
    elif op == "stack":
        got, want = pa.stack([t, t * 2], dim), np.stack([a, a * 2], dim)
    elif op == "split":
        size = data.draw(st.integers(1, 5))
        pieces = t.split(size, dim)
        n = a.shape[dim]
        cuts = list(range(size, n, size))
        ref = np.split(a, cuts, dim) if n else [a]
        assert len(pieces) == len(ref)
        for p, r in zip(pieces, ref, strict=True):
            np.testing.assert_array_equal(_np(p), r)
        return
    elif op == "chunk":
        k = data.draw(st.integers(1, 5))
        pieces = t.chunk(k, dim)
        np.testing.assert_array_equal(
            np.concatenate([_np(p) for p in pieces], dim) if pieces else a, a
        )
        assert len(pieces) <= k
        return
    elif op == "flip":
        got, want = t.flip(dim), np.flip(a, dim)
    elif op == "roll":
        k = data.draw(st.integers(-6, 6))
        got, want = t.roll(k, dim), np.roll(a, k, dim)
    else:
        reps = tuple(data.draw(st.integers(0, 2)) for _ in range(nd + data.draw(st.integers(0, 1))))
        got, want = t.repeat(*reps), np.tile(a, reps)
    assert tuple(got.shape) == want.shape
    np.testing.assert_array_equal(_np(got), want)
