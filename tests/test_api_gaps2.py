"""The second list of PyTorch API gaps (pyautograd/_api_gaps2.py): memory formats and layouts,
small top-level functions, the scatter/copy/strided family, legacy linalg names, polygamma and
mvlgamma. Each case runs on pyautograd and PyTorch (skipped without it) and compares values,
strides where PyTorch's contract states them, gradients (float64) and which calls raise;
gradients are also checked against central finite differences (autograd.gradcheck)."""

from __future__ import annotations

import copy
import pickle
import warnings
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


def _mk(lib: Any, arrays: list[np.ndarray], grad: bool) -> list[Any]:
    out = []
    for a in arrays:
        t = lib.tensor(a.copy()) if isinstance(a, np.ndarray) else a
        if grad and isinstance(a, np.ndarray) and a.dtype == np.float64:
            t.requires_grad_(True)
        out.append(t)
    return out


def _flat(r: Any) -> list[Any]:
    if isinstance(r, (tuple, list)):
        return [x for e in r for x in _flat(e)]
    return [r]


def compare(fn: Callable[..., Any], *arrays: Any, grad: bool = True, rtol: float = 1e-10,
            atol: float = 1e-12, fd: bool = True) -> None:  # fmt: skip
    """fn(lib, *tensors) on both libraries: same values, dtypes and shapes; for float64 inputs,
    the same gradients of a random weighting of the outputs, and pyautograd's gradients against
    finite differences."""
    ti = _mk(torch, list(arrays), grad)
    pi = _mk(pa, list(arrays), grad)
    tr, pr = _flat(fn(torch, *ti)), _flat(fn(pa, *pi))
    assert len(tr) == len(pr)
    rng = np.random.default_rng(0)
    tl, pl = 0, 0
    for t, p in zip(tr, pr, strict=True):
        if not hasattr(t, "detach"):
            assert t == p, (t, p)
            continue
        assert tuple(t.shape) == tuple(p.shape), (t.shape, p.shape)
        assert str(t.dtype) == str(p.dtype), (t.dtype, p.dtype)
        np.testing.assert_allclose(
            p.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=atol, equal_nan=True
        )
        if grad and t.requires_grad:
            assert p.requires_grad
            w = rng.standard_normal(tuple(t.shape))
            tl = tl + (t * torch.tensor(w)).sum()
            pl = pl + (p * pa.tensor(w)).sum()
    leaves = [(a, b) for a, b in zip(ti, pi, strict=True) if getattr(a, "requires_grad", False)]
    if not grad or not leaves or isinstance(tl, int):
        return
    tg = torch.autograd.grad(tl, [a for a, _ in leaves], allow_unused=True)
    pg = pa.autograd.grad(pl, [b for _, b in leaves], allow_unused=True)
    for a, b in zip(tg, pg, strict=True):
        if a is None:
            assert b is None or not b.abs().sum().item()
            continue
        np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-8, atol=1e-10)
    if fd:
        diff = [
            i for i, a in enumerate(arrays) if isinstance(a, np.ndarray) and a.dtype == np.float64
        ]

        def f(*xs: Any) -> Any:
            args = list(pi)
            for i, x in zip(diff, xs, strict=True):
                args[i] = x
            outs = [
                o for o in _flat(fn(pa, *args)) if hasattr(o, "dtype") and o.dtype.is_floating_point
            ]
            return tuple(outs)

        ins = [pa.tensor(arrays[i].copy()).requires_grad_(True) for i in diff]
        assert pa.autograd.gradcheck(f, ins, eps=1e-6, atol=1e-6, rtol=1e-5)


def raises_like(fn: Callable[[Any], Any]) -> None:
    """Both libraries raise (pyautograd: one of the error types the project allows)."""
    with pytest.raises(Exception) as te:
        fn(torch)
    with pytest.raises((RuntimeError, TypeError, ValueError, IndexError)) as pe:
        fn(pa)
    assert te.value is not None and pe.value is not None


R = np.random.default_rng(1)


def rnd(*shape: int) -> np.ndarray:
    return R.standard_normal(shape)


# ---- memory formats and layouts ---------------------------------------------------------
@needs_torch
def test_format_objects() -> None:
    for name in ("contiguous_format", "preserve_format", "channels_last", "channels_last_3d"):
        assert repr(getattr(pa, name)) == repr(getattr(torch, name))
        assert isinstance(getattr(pa, name), pa.memory_format)
        assert copy.deepcopy(getattr(pa, name)) is getattr(pa, name)
        assert pickle.loads(pickle.dumps(getattr(pa, name))) is getattr(pa, name)
    assert repr(pa.strided) == repr(torch.strided) == "torch.strided"
    assert isinstance(pa.strided, pa.layout)
    assert pa.zeros(2).layout is pa.strided
    with pytest.raises(TypeError):
        pa.memory_format()
    with pytest.raises(TypeError):
        pa.layout()


# (an empty tensor's row-major strides differ: pyautograd's are 0, a core convention)
SHAPES_4D = [(2, 3, 4, 5), (1, 3, 1, 1), (2, 1, 4, 5), (2, 3, 1, 5)]


@needs_torch
@pytest.mark.parametrize("shape", SHAPES_4D)
def test_channels_last_strides_and_flags(shape: tuple[int, ...]) -> None:
    a = rnd(*shape)
    t, p = torch.tensor(a), pa.empty(shape, dtype=pa.float64).copy_(pa.tensor(a))
    for fmt in ("channels_last", "contiguous_format"):
        tc = t.contiguous(memory_format=getattr(torch, fmt))
        pc = p.contiguous(memory_format=getattr(pa, fmt))
        assert tc.stride() == pc.stride(), (fmt, tc.stride(), pc.stride())
        np.testing.assert_array_equal(pc.numpy(), a)
        for q in ("channels_last", "contiguous_format"):
            assert tc.is_contiguous(memory_format=getattr(torch, q)) == pc.is_contiguous(
                memory_format=getattr(pa, q)
            )
        assert tc.is_contiguous() == pc.is_contiguous()
        # preserve_format keeps a channels-last layout through clone, *_like and to(dtype)
        assert tc.clone().stride() == pc.clone().stride()
        for like in ("zeros_like", "ones_like", "empty_like", "rand_like"):
            assert getattr(torch, like)(tc).stride() == getattr(pa, like)(pc).stride(), like
        assert tc.to(torch.float32).stride() == pc.to(pa.float32).stride()
        assert (
            tc.clone(memory_format=torch.contiguous_format).stride()
            == pc.clone(memory_format=pa.contiguous_format).stride()
        )


@needs_torch
def test_channels_last_3d_and_errors() -> None:
    a = rnd(2, 3, 2, 4, 5)
    t, p = torch.tensor(a), pa.tensor(a)
    tc, pc = (
        t.contiguous(memory_format=torch.channels_last_3d),
        p.contiguous(memory_format=pa.channels_last_3d),
    )
    assert tc.stride() == pc.stride()
    assert pc.is_contiguous(memory_format=pa.channels_last_3d)
    assert not pc.is_contiguous(memory_format=pa.channels_last)
    np.testing.assert_array_equal(pc.numpy(), a)
    raises_like(lambda L: L.zeros(3).contiguous(memory_format=L.channels_last))
    raises_like(lambda L: L.zeros(2, 3, 4, 5).contiguous(memory_format=L.channels_last_3d))
    assert pa.zeros(3).is_contiguous(memory_format=pa.channels_last) is False
    with pytest.raises(RuntimeError, match="preserve"):
        pa.zeros(3).contiguous(memory_format=pa.preserve_format)
    with pytest.raises(TypeError):
        pa.zeros(3).contiguous(memory_format="channels_last")
    with pytest.raises(TypeError):
        pa.zeros(3).clone(memory_format=1)


@needs_torch
def test_channels_last_values_and_gradients_through_conv() -> None:
    x, w = rnd(2, 3, 6, 5), rnd(4, 3, 3, 3)

    def fn(L: Any, x: Any, w: Any) -> Any:
        xc = x.contiguous(memory_format=L.channels_last)
        y = L.nn.functional.conv2d(xc, w, padding=1)
        z = y.to(memory_format=L.channels_last) * 2
        return z.clone(), xc.clone(memory_format=L.contiguous_format)

    compare(fn, x, w, rtol=1e-9, atol=1e-10)


@needs_torch
def test_to_memory_format_and_copy() -> None:
    a = rnd(2, 3, 4, 5)
    t, p = torch.tensor(a), pa.tensor(a)
    for kw in ({}, {"copy": True}):
        tr = t.to(torch.float64, memory_format=torch.channels_last, **kw)
        pr = p.to(pa.float64, memory_format=pa.channels_last, **kw)
        assert tr.stride() == pr.stride()
    assert p.to(pa.float64) is p
    assert p.to(pa.float64, copy=True) is not p
    assert (p.to(pa.float64, copy=True) == p).all()
    pc = p.contiguous(memory_format=pa.channels_last)
    assert pc.to(memory_format=pa.contiguous_format).stride() == (60, 20, 5, 1)


@needs_torch
def test_like_with_memory_format_and_requires_grad() -> None:
    t, p = torch.zeros(2, 3, 4, 5), pa.zeros(2, 3, 4, 5)
    for like in ("zeros_like", "ones_like", "empty_like", "randn_like"):
        tr = getattr(torch, like)(t, memory_format=torch.channels_last, requires_grad=True)
        pr = getattr(pa, like)(p, memory_format=pa.channels_last, requires_grad=True)
        assert tr.stride() == pr.stride()
        assert pr.is_leaf and pr.requires_grad
    for fmt in ("channels_last", "contiguous_format"):
        te = torch.empty(2, 3, 4, 5, memory_format=getattr(torch, fmt), dtype=torch.float64)
        pe = pa.empty(2, 3, 4, 5, memory_format=getattr(pa, fmt), dtype=pa.float64)
        assert te.stride() == pe.stride() and str(te.dtype) == str(pe.dtype)
    te = torch.empty((1, 2, 3, 4, 5), memory_format=torch.channels_last_3d, requires_grad=True)
    pe = pa.empty((1, 2, 3, 4, 5), memory_format=pa.channels_last_3d, requires_grad=True)
    assert te.stride() == pe.stride() and pe.is_leaf and pe.requires_grad
    raises_like(lambda L: L.empty(2, 3, memory_format=L.channels_last))
    pf = pa.full_like(p, 7.0, memory_format=pa.channels_last)
    assert pf.stride() == (60, 1, 15, 3) and (pf == 7).all()


@needs_torch
def test_module_to_channels_last() -> None:
    tm = torch.nn.Conv2d(3, 4, 3)
    pm = pa.nn.Conv2d(3, 4, 3)
    tm.to(memory_format=torch.channels_last)
    w_before = pm.weight.detach().numpy().copy()
    pm.to(memory_format=pa.channels_last)
    assert pm.weight.stride() == tm.weight.stride()
    np.testing.assert_array_equal(pm.weight.detach().numpy(), w_before)
    assert isinstance(pm.weight, pa.nn.Parameter)
    y = pm(pa.randn(1, 3, 5, 5).contiguous(memory_format=pa.channels_last))
    y.sum().backward()
    assert pm.weight.grad is not None


# ---- small top-level functions -------------------------------------------------------------
@needs_torch
def test_detach_masked_fill_get_device() -> None:
    a, m = rnd(3, 4), R.random((3, 4)) > 0.5
    compare(lambda L, x, m: L.masked_fill(x, m, 2.5), a, m)
    compare(lambda L, x, m: L.masked_fill(x, m, L.tensor(-1.0, dtype=L.float64)), a, m)
    p = pa.tensor(a, requires_grad=True)
    d = pa.detach(p)
    assert not d.requires_grad and d.data_ptr() == p.data_ptr()
    assert pa.get_device(p) == torch.get_device(torch.tensor(a)) == -1
    raises_like(lambda L: L.detach(3))


@needs_torch
@pytest.mark.parametrize(
    "idx,shape",
    [
        ([5, 0, 3], (2, 3)),
        ([[1, 7], [23, 0]], (2, 3, 4)),
        (4, (5,)),
        ([-1, -6], (2, 3)),
        ([], (2, 2)),
    ],
)
def test_unravel_index(idx: Any, shape: Any) -> None:
    t = torch.unravel_index(torch.tensor(idx, dtype=torch.int64), shape)
    p = pa.unravel_index(pa.tensor(idx, dtype=pa.int64), shape)
    assert len(t) == len(p)
    for a, b in zip(t, p, strict=True):
        assert str(a.dtype) == str(b.dtype)
        np.testing.assert_array_equal(b.numpy(), a.numpy())


@needs_torch
def test_unravel_index_errors() -> None:
    raises_like(lambda L: L.unravel_index(L.tensor([1.0]), (2,)))
    with pytest.raises(RuntimeError):
        pa.unravel_index(pa.tensor([6]), (2, 3))


def test_matmul_precision_flush_denormal_modes() -> None:
    assert pa.get_float32_matmul_precision() == "highest"
    pa.set_float32_matmul_precision("high")
    assert pa.get_float32_matmul_precision() == "high"
    with pytest.warns(UserWarning):
        pa.set_float32_matmul_precision("bogus")
    assert pa.get_float32_matmul_precision() == "high"
    pa.set_float32_matmul_precision("highest")
    assert pa.set_flush_denormal(False) in (True, False)
    assert not pa.is_inference_mode_enabled()
    with pa.inference_mode():
        assert pa.is_inference_mode_enabled() and not pa.is_grad_enabled()
        with pa.inference_mode(False):
            assert not pa.is_inference_mode_enabled()
    assert not pa.is_inference_mode_enabled() and pa.is_grad_enabled()

    @pa.inference_mode()
    def f() -> bool:
        return pa.is_inference_mode_enabled()

    assert f() and not pa.is_inference_mode_enabled()
    assert not pa.is_anomaly_enabled()
    pa.set_anomaly_enabled(True)
    assert pa.is_anomaly_enabled() and pa.autograd.is_anomaly_enabled()
    pa.set_anomaly_enabled(False)
    assert not pa.is_anomaly_enabled()


def test_cpu_module() -> None:
    assert pa.cpu.is_available() and pa.cpu.device_count() == 1
    assert pa.cpu.current_device() == "cpu"
    pa.cpu.synchronize()
    with pytest.raises(RuntimeError):
        pa.cpu.set_device("cuda:0")
    if torch is not None:
        assert pa.cpu.current_device() == torch.cpu.current_device()
        assert pa.cpu.device_count() == torch.cpu.device_count()


@needs_torch
def test_real_imag_conj_family() -> None:
    a = rnd(3, 4)
    compare(lambda L, x: L.real(x) * 2, a)
    for name in ("conj", "resolve_conj", "resolve_neg", "conj_physical"):
        compare(lambda L, x, name=name: getattr(L, name)(x) * 1, a)
    compare(lambda L, x: L.adjoint(x) * 1, a)
    compare(lambda L, x: x.adjoint() * 1, rnd(2, 3, 4))
    compare(lambda L, x: L.isreal(x), a, grad=False)
    raises_like(lambda L: L.imag(L.zeros(2)))
    raises_like(lambda L: L.adjoint(L.zeros(2)))
    p = pa.tensor(a)
    assert pa.is_conj(p) is False and pa.is_neg(p) is False and not p.is_conj()


@needs_torch
@pytest.mark.parametrize(
    "args,kw",
    [((1, 4), {}), ((1, 2, 0.3), {}), ((0, 1, 0.1), {}), ((1, 4), {"dtype": "int64"}),
     ((3, -1, -0.5), {}), ((2, 2), {})],
)  # fmt: skip
def test_range(args: tuple[Any, ...], kw: dict[str, Any]) -> None:
    tk = {k: getattr(torch, v) for k, v in kw.items()}
    pk = {k: getattr(pa, v) for k, v in kw.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = torch.range(*args, **tk)
    with pytest.warns(UserWarning, match="deprecated"):
        p = pa.range(*args, **pk)
    assert str(t.dtype) == str(p.dtype)
    np.testing.assert_allclose(p.numpy(), t.numpy(), rtol=1e-6)


@needs_torch
def test_range_errors() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raises_like(lambda L: L.range(0, 3, 0))
        raises_like(lambda L: L.range(3, 0, 1))
        raises_like(lambda L: L.range(5))


@needs_torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_histogram(dtype: str) -> None:
    a = R.standard_normal(200)
    w = R.random(200)
    t, p = torch.tensor(a, dtype=getattr(torch, dtype)), pa.tensor(a, dtype=getattr(pa, dtype))
    tw, pw = torch.tensor(w, dtype=t.dtype), pa.tensor(w, dtype=p.dtype)
    cases = [
        ((7,), {}),
        ((5,), {"range": (-1.0, 1.0)}),
        ((6,), {"weight": "w", "density": True}),
        ((4,), {"density": True}),
    ]
    for args, kw in cases:
        tk = {k: (tw if v == "w" else v) for k, v in kw.items()}
        pk = {k: (pw if v == "w" else v) for k, v in kw.items()}
        tr, pr = torch.histogram(t, *args, **tk), pa.histogram(p, *args, **pk)
        for x, y in zip(tr, pr, strict=True):
            assert str(x.dtype) == str(y.dtype)
            np.testing.assert_allclose(y.numpy(), x.numpy(), rtol=1e-5, atol=1e-6)
    te, pe = torch.tensor([-1.0, 0.0, 0.5, 2.0]), pa.tensor([-1.0, 0.0, 0.5, 2.0])
    tr, pr = torch.histogram(t.float(), te), p.float().histogram(pe)
    np.testing.assert_allclose(pr.hist.numpy(), tr.hist.numpy())
    tr, pr = torch.histogram(torch.tensor([1.0, 1.0]), 3), pa.histogram(pa.tensor([1.0, 1.0]), 3)
    np.testing.assert_allclose(pr.bin_edges.numpy(), tr.bin_edges.numpy())
    np.testing.assert_allclose(pr.hist.numpy(), tr.hist.numpy())
    raises_like(lambda L: L.histogram(L.tensor([1, 2]), 3))
    raises_like(lambda L: L.histogram(L.tensor([1.0, 2.0]), -1))


@needs_torch
def test_histogramdd() -> None:
    a = R.standard_normal((50, 2))
    t, p = torch.tensor(a), pa.tensor(a)
    for args, kw in [((4,), {}), (([3, 5],), {}), (([2, 3],), {"range": [-1.0, 1.0, -2.0, 2.0]}),
                     ((3,), {"density": True})]:  # fmt: skip
        tr, pr = torch.histogramdd(t, *args, **kw), pa.histogramdd(p, *args, **kw)
        np.testing.assert_allclose(pr.hist.numpy(), tr.hist.numpy(), rtol=1e-10)
        for x, y in zip(tr.bin_edges, pr.bin_edges, strict=True):
            np.testing.assert_allclose(y.numpy(), x.numpy(), rtol=1e-12)


@needs_torch
@pytest.mark.parametrize("edge_order", [1, 2])
def test_gradient(edge_order: int) -> None:
    a = rnd(5, 6)
    compare(lambda L, x: L.gradient(x, edge_order=edge_order), a)
    compare(lambda L, x: L.gradient(x, spacing=0.5, dim=1, edge_order=edge_order), a)
    compare(lambda L, x: L.gradient(x, spacing=[2.0, 0.5], edge_order=edge_order), a)
    coords = np.cumsum(R.random(5) + 0.2)
    compare(
        lambda L, x: L.gradient(x, spacing=(L.tensor(coords),), dim=0, edge_order=edge_order),
        a,
    )
    compare(lambda L, x: L.gradient(x, edge_order=edge_order), rnd(4))
    raises_like(lambda L: L.gradient(L.ones(1)))
    raises_like(lambda L: L.gradient(L.ones(3, 3), edge_order=3))


@needs_torch
def test_gradient_integer_input() -> None:
    t = torch.gradient(torch.arange(5) ** 2)
    p = pa.gradient(pa.arange(5) ** 2)
    assert str(t[0].dtype) == str(p[0].dtype)
    np.testing.assert_allclose(p[0].numpy(), t[0].numpy())


@needs_torch
def test_inplace_activations_top_level() -> None:
    a = rnd(3, 4)
    for name, args in [("selu_", ()), ("celu_", (0.7,)), ("threshold_", (0.1, -2.0)),
                       ("rrelu_", (0.1, 0.3, False))]:  # fmt: skip
        t, p = torch.tensor(a), pa.tensor(a)
        rt, rp = getattr(torch, name)(t, *args), getattr(pa, name)(p, *args)
        assert rp is p
        np.testing.assert_allclose(p.numpy(), t.numpy(), rtol=1e-12)
        assert rt is t
    for name in ("dropout_", "alpha_dropout_", "feature_alpha_dropout_"):
        p = pa.tensor(a)
        assert getattr(pa, name)(p, 0.5, False) is p
        np.testing.assert_array_equal(p.numpy(), a)
    p = pa.ones(1000)
    pa.dropout_(p, 0.5, True)
    vals = set(np.unique(p.numpy()).tolist())
    assert vals <= {0.0, 2.0} and len(vals) == 2


@needs_torch
def test_top_level_losses() -> None:
    x, y, z = rnd(4, 5), rnd(4, 5), rnd(4, 5)
    tgt01 = R.random((4, 5))
    sign = np.where(R.random(4) > 0.5, 1.0, -1.0)
    for red in (0, 1, 2):
        compare(
            lambda L, a, t, red=red: L.binary_cross_entropy_with_logits(a, t, None, None, red),
            x,
            tgt01,
        )
        compare(
            lambda L, a, b, red=red: L.cosine_embedding_loss(a, b, L.tensor(sign), 0.1, red), x, y
        )
        compare(
            lambda L, a, red=red: L.hinge_embedding_loss(
                a, L.tensor(np.where(tgt01 > 0.5, 1.0, -1.0)), 0.5, red
            ),
            x,
        )
        compare(lambda L, a, t, red=red: L.kl_div(a, t, red), x, tgt01)
        compare(lambda L, a, t, red=red: L.kl_div(a, t, red, log_target=True), x, y)
        compare(
            lambda L, a, b, red=red: L.margin_ranking_loss(
                a[:, 0], b[:, 0], L.tensor(sign), 0.2, red
            ),
            x,
            y,
        )
        compare(lambda L, a, t, red=red: L.poisson_nll_loss(a, t, True, True, 1e-8, red), x, tgt01)
        compare(
            lambda L, a, b, c, red=red: L.triplet_margin_loss(a, b, c, 1.0, 2.0, 1e-6, True, red),
            x,
            y,
            z,
        )
    w, pw = R.random(5), R.random(5)
    compare(
        lambda L, a, t: L.binary_cross_entropy_with_logits(a, t, L.tensor(w), L.tensor(pw)),
        x, tgt01,
    )  # fmt: skip
    with pytest.raises(ValueError, match="reduction"):
        pa.kl_div(pa.zeros(2), pa.zeros(2), 5)  # (PyTorch reads 5 as some reduction)
    # reduction not given: PyTorch's top-level losses reduce nothing
    s4 = np.where(R.random(4) > 0.5, 1.0, -1.0)
    compare(lambda L, a, b: L.cosine_embedding_loss(a, b, L.tensor(s4)), x, y)
    compare(lambda L, a: L.hinge_embedding_loss(a, L.tensor(np.sign(y))), x)
    compare(lambda L, a, t: L.kl_div(a, t), x, tgt01)
    compare(lambda L, a, b: L.margin_ranking_loss(a[:, 0], b[:, 0], L.tensor(s4)), x, y)
    compare(lambda L, a, b, c: L.triplet_margin_loss(a, b, c), x, y, z)
    compare(lambda L, a, t: L.binary_cross_entropy_with_logits(a, t), x, tgt01)


@needs_torch
def test_top_level_ctc_loss() -> None:
    T, N, C, S = 6, 2, 4, 3
    lp = np.log(R.dirichlet(np.ones(C), size=(T, N)))
    targets = R.integers(1, C, size=(N, S))
    for red in (0, 1, 2):
        compare(
            lambda L, x, red=red: L.ctc_loss(
                x, L.tensor(targets), [T, T - 1], [S, S - 1], 0, red, False
            ),
            lp, rtol=1e-8, fd=False,
        )  # fmt: skip


@needs_torch
@pytest.mark.parametrize("mode", [0, 1, 2])
def test_top_level_embedding_bag(mode: int) -> None:
    w = rnd(6, 3)
    idx, offs = np.array([0, 2, 2, 5, 1, 3]), np.array([0, 2, 5])

    def fn(L: Any, w: Any) -> Any:
        r = L.embedding_bag(w, L.tensor(idx), L.tensor(offs), False, mode)
        return r

    compare(fn, w, fd=False)
    compare(fn, w.astype(np.float32), grad=False, rtol=1e-6, atol=1e-6)
    with torch.no_grad(), pa.no_grad():
        compare(fn, w, grad=False)


@needs_torch
def test_top_level_conv_pool_pad() -> None:
    x3, w3 = rnd(1, 2, 4, 4, 4), rnd(3, 2, 2, 2, 2)
    compare(lambda L, x, w: L.conv3d(x, w, None, 1, 1), x3, w3, fd=False)
    compare(lambda L, x, w: L.conv_transpose3d(x, w.transpose(0, 1), None, 2), x3, w3, fd=False)
    compare(lambda L, x: L.max_pool3d(x, 2), x3, fd=False)
    compare(lambda L, x: L.max_pool3d(x, 2, 1, 1), x3, fd=False)
    compare(lambda L, x: L.max_pool1d_with_indices(x, 3, 2), rnd(2, 3, 9), fd=False)
    compare(lambda L, x: L.constant_pad_nd(x, [1, 2, -1, 1], 0.5), rnd(2, 3, 4))


# ---- scatter / copy / strided family -------------------------------------------------------
@needs_torch
def test_scatters() -> None:
    a = rnd(3, 4, 5)
    compare(lambda L, x, s: L.select_scatter(x, s, 1, 2), a, rnd(3, 5))
    compare(lambda L, x, s: x.select_scatter(s, -1, -1), a, rnd(3, 4))
    compare(lambda L, x, s: L.slice_scatter(x, s, 2, 1, 5, 2), a, rnd(3, 4, 2))
    compare(lambda L, x, s: L.slice_scatter(x, s), a, rnd(3, 4, 5))
    compare(lambda L, x, s: L.diagonal_scatter(x, s, 1, 1, 2), a, rnd(3, 4))
    compare(lambda L, x, s: x.diagonal_scatter(s), rnd(4, 4), rnd(4))
    raises_like(lambda L: L.select_scatter(L.zeros(2, 3), L.ones(2), 0, 0))
    raises_like(lambda L: L.slice_scatter(L.zeros(2, 3), L.ones(2, 2), 1, 0, 3))
    raises_like(lambda L: L.select_scatter(L.zeros(2, 3), L.ones(3), 5, 0))


@needs_torch
def test_as_strided() -> None:
    a = rnd(4, 5)
    compare(lambda L, x: L.as_strided(x, (3, 3), (5, 1), 1), a)
    compare(lambda L, x: x.as_strided((2, 2), (1, 2)) * 3, a)
    compare(lambda L, x: L.as_strided(x * 2, (3, 4), (1, 1)), a)  # overlapping view
    compare(lambda L, x: L.as_strided(x.t(), (2, 3), (1, 5), 2), a)
    compare(lambda L, x: L.as_strided(x, (4,), (0,)), a)
    compare(lambda L, x: L.as_strided_copy(x, (2, 2), (2, 1)), a)
    # values and src's gradient as PyTorch; input's gradient against finite differences
    # (PyTorch 2.13's is 1 inside the overwritten place and 0 outside, the reverse of the
    # derivative)
    src = rnd(2, 2)
    compare(
        lambda L, x, s: L.as_strided_scatter(x.detach(), s, (2, 2), (5, 1), 3), a, src, fd=False
    )
    xi = pa.tensor(a, requires_grad=True)
    assert pa.autograd.gradcheck(
        lambda x: pa.as_strided_scatter(x, pa.tensor(src), (2, 2), (5, 1), 3), [xi]
    )
    t, p = torch.tensor(a), pa.tensor(a)
    tv, pv = torch.as_strided(t, (2, 2), (1, 2)), pa.as_strided(p, (2, 2), (1, 2))
    assert tv.stride() == pv.stride() and tv.storage_offset() == pv.storage_offset()
    pv.fill_(7.0)  # a view: the write reaches the base
    tv.fill_(7.0)
    np.testing.assert_array_equal(p.numpy(), t.numpy())
    raises_like(lambda L: L.as_strided(L.zeros(3), (10,), (1,)))
    raises_like(lambda L: L.as_strided(L.zeros(3), (2,), (1, 1)))
    raises_like(lambda L: L.as_strided(L.zeros(3), (2,), (1,), -1))
    # no_grad: no history
    with pa.no_grad():
        v = pa.as_strided(pa.zeros(4, requires_grad=True), (2,), (2,))
    assert v.grad_fn is None


@needs_torch
def test_as_strided_inplace_and_empty_strided() -> None:
    t, p = torch.arange(12.0), pa.arange(12.0)
    t.as_strided_((3, 2), (2, 3), 1)
    p.as_strided_((3, 2), (2, 3), 1)
    assert t.stride() == p.stride() and t.shape == p.shape
    np.testing.assert_array_equal(p.numpy(), t.numpy())
    for size, stride in [((2, 3), (1, 2)), ((2, 3, 4), (12, 1, 3)), ((0, 3), (3, 1)), ((), ())]:
        te = torch.empty_strided(size, stride)
        pe = pa.empty_strided(size, stride)
        assert (
            te.stride() == pe.stride() and te.shape == pe.shape and str(te.dtype) == str(pe.dtype)
        )
        ne = pa.zeros(1, dtype=pa.float64).new_empty_strided(size, stride)
        assert ne.stride() == te.stride() and ne.dtype == pa.float64
    assert pa.empty_strided((2,), (1,), requires_grad=True).requires_grad
    raises_like(lambda L: L.empty_strided((2, 3), (1,)))


COPY_CASES: list[tuple[str, tuple[Any, ...], tuple[int, ...]]] = [
    ("view_copy", ((4, 6),), (2, 3, 4)),
    ("permute_copy", ((2, 0, 1),), (2, 3, 4)),
    ("transpose_copy", (0, 2), (2, 3, 4)),
    ("t_copy", (), (3, 4)),
    ("expand_copy", ((2, 3, 4),), (3, 1)),
    ("squeeze_copy", (), (2, 1, 3)),
    ("squeeze_copy", (1,), (2, 1, 3)),
    ("unsqueeze_copy", (1,), (2, 3)),
    ("select_copy", (1, 2), (2, 3, 4)),
    ("slice_copy", (1, 0, 3, 2), (2, 4, 3)),
    ("diagonal_copy", (1, 0, 1), (4, 5)),
    ("unbind_copy", (1,), (2, 3)),
    ("split_copy", (2, 1), (2, 5)),
    ("split_with_sizes_copy", ([1, 3], 1), (2, 4)),
    ("detach_copy", (), (2, 3)),
    ("alias_copy", (), (2, 3)),
    ("narrow_copy", (1, 1, 2), (2, 4)),
    ("unfold_copy", (1, 2, 1), (2, 4)),
]


@needs_torch
@pytest.mark.parametrize("name,args,shape", COPY_CASES)
def test_copy_functions(name: str, args: tuple[Any, ...], shape: tuple[int, ...]) -> None:
    a = rnd(*shape)
    if name == "detach_copy":  # PyTorch's requires grad and has no derivative
        t, p = torch.tensor(a, requires_grad=True), pa.tensor(a, requires_grad=True)
        tr, pr = torch.detach_copy(t), pa.detach_copy(p)
        assert tr.requires_grad == pr.requires_grad
        with pytest.raises(RuntimeError, match="detach_copy"):
            pr.sum().backward()

    def fn(L: Any, x: Any) -> Any:
        return getattr(L, name)(x, *args)

    compare(fn, a, grad=name != "detach_copy")
    t, p = fn(torch, torch.tensor(a)), fn(pa, pa.tensor(a))
    for x, y in zip(_flat(t), _flat(p), strict=True):
        assert y.is_contiguous() and x.is_contiguous()


@needs_torch
def test_resize() -> None:
    t, p = torch.arange(12.0), pa.arange(12.0)
    for size in [(3, 4), (2, 3), (5,), (4, 5), (2, 2, 2)]:
        t.resize_(*size)
        p.resize_(*size)
        assert t.shape == p.shape and t.stride() == p.stride()
        # the first 12 elements kept their values (shrinking keeps the data in memory, so
        # growing back shows it again); later ones are new
        n = min(12, t.numel())
        assert p.reshape(-1)[:n].tolist() == t.reshape(-1)[:n].tolist()
    tt, pt = torch.zeros(2, 3), pa.zeros(2, 3)
    tt.resize_as_(torch.zeros(3, 2))
    pa.resize_as_(pt, pa.zeros(3, 2))
    assert tt.shape == pt.shape
    pt.resize_as_(pa.zeros(6))
    assert pt.shape == (6,)
    raises_like(lambda L: L.zeros(2, 3, requires_grad=True).resize_(2, 2))
    raises_like(lambda L: L.zeros(2, 3).resize_(-1, 2))
    p = pa.zeros(2, 3, 4, 5).resize_(2, 3, 4, 5, memory_format=pa.channels_last)
    assert (
        p.stride()
        == torch.zeros(2, 3, 4, 5).resize_(2, 3, 4, 5, memory_format=torch.channels_last).stride()
    )
    # a resized tensor takes part in autograd afterwards
    q = pa.arange(6.0).resize_(2, 2).requires_grad_()
    (q * q).sum().backward()
    np.testing.assert_array_equal(q.grad.numpy(), 2 * q.detach().numpy())


@needs_torch
def test_tensor_new() -> None:
    for dt in ("float64", "int64", "float32"):
        t, p = torch.zeros(2, dtype=getattr(torch, dt)), pa.zeros(2, dtype=getattr(pa, dt))
        for args in [(), ((2, 3),), (2, 3), ([1, 2, 3],)]:
            a, b = t.new(*args), p.new(*args)
            assert a.shape == b.shape and str(a.dtype) == str(b.dtype)
            if args and isinstance(args[0], list):
                np.testing.assert_array_equal(b.numpy(), a.numpy())
        src = pa.ones(3, dtype=getattr(pa, dt))
        al = p.new(src)
        assert al.data_ptr() == src.data_ptr()
    raises_like(lambda L: L.zeros(2).new(L.zeros(2, dtype=L.int64)))
    raises_like(lambda L: L.zeros(2).new(1, 2, foo=3))


@needs_torch
@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_index_reduce(reduce: str, include_self: bool) -> None:
    x, s = rnd(4, 3), rnd(5, 3)
    idx = np.array([0, 2, 0, 3, 2])
    compare(
        lambda L, x, s: L.index_reduce(x, 0, L.tensor(idx), s, reduce, include_self=include_self),
        x, s, fd=reduce not in ("amax", "amin"),
    )  # fmt: skip
    compare(
        lambda L, x, s: x.t().index_reduce(
            1, L.tensor(idx), s.t(), reduce, include_self=include_self
        ),
        x, s, fd=reduce not in ("amax", "amin"),
    )  # fmt: skip
    t, p = torch.tensor(x), pa.tensor(x)
    t.index_reduce_(0, torch.tensor(idx), torch.tensor(s), reduce, include_self=include_self)
    p.index_reduce_(0, pa.tensor(idx), pa.tensor(s), reduce, include_self=include_self)
    np.testing.assert_allclose(p.numpy(), t.numpy(), rtol=1e-12)


@needs_torch
def test_index_reduce_errors() -> None:
    raises_like(lambda L: L.zeros(3).index_reduce(0, L.tensor([0]), L.ones(1), "sum"))
    raises_like(lambda L: L.zeros(3).index_reduce(0, L.tensor([0, 1]), L.ones(1), "prod"))
    raises_like(lambda L: L.zeros(3).index_reduce(0, L.tensor([5]), L.ones(1), "prod"))


# ---- legacy linalg, polygamma, mvlgamma ---------------------------------------------------
def _spd(n: int, batch: tuple[int, ...] = ()) -> np.ndarray:
    a = R.standard_normal((*batch, n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


@needs_torch
@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_solve_inverse(upper: bool) -> None:
    a = _spd(3, (2,))
    lo = np.linalg.cholesky(a)
    f = np.swapaxes(lo, -1, -2) if upper else lo
    b = rnd(2, 3, 2)
    # (PyTorch's gradient treats the factor as full: compared with PyTorch's, not with finite
    # differences of the whole factor, whose other triangle is never read)
    kw = {"rtol": 1e-9, "atol": 1e-10, "fd": False}
    compare(lambda L, b, f: L.cholesky_solve(b, f, upper), b, f, **kw)
    compare(lambda L, b, f: b.cholesky_solve(f, upper=upper), b, f, **kw)
    compare(lambda L, f: L.cholesky_inverse(f, upper), f[0], **kw)
    raises_like(lambda L: L.cholesky_solve(L.zeros(3), L.eye(3)))
    # finite differences through the triangle the factor is read from
    tri = (lambda m: m.triu()) if upper else (lambda m: m.tril())
    fi, bi = pa.tensor(f, requires_grad=True), pa.tensor(b, requires_grad=True)
    assert pa.autograd.gradcheck(lambda f, b: pa.cholesky_solve(b, tri(f), upper), [fi, bi])
    assert pa.autograd.gradcheck(lambda f: pa.cholesky_inverse(tri(f[0]), upper), [fi])


@needs_torch
@pytest.mark.parametrize("upper,transpose,unitriangular",
                         [(True, False, False), (False, False, False), (True, True, False),
                          (False, True, True)])  # fmt: skip
def test_triangular_solve(upper: bool, transpose: bool, unitriangular: bool) -> None:
    a = rnd(2, 3, 3) + 4 * np.eye(3)
    b = rnd(2, 3, 2)
    compare(
        lambda L, b, a: L.triangular_solve(b, a, upper, transpose, unitriangular),
        b, a, rtol=1e-9, atol=1e-10,
    )  # fmt: skip
    r = pa.tensor(b).triangular_solve(pa.tensor(a), upper=upper)
    assert r.solution.shape == (2, 3, 2) and r.cloned_coefficient.shape == (2, 3, 3)


@needs_torch
@pytest.mark.parametrize("scale", [0.1, 1.0, 5.0])
def test_matrix_exp(scale: float) -> None:
    # (finite differences lose digits on the large entries of exp(5 A))
    kw = {"rtol": 1e-11, "atol": 1e-11, "fd": scale <= 1}
    compare(lambda L, x: L.matrix_exp(x), scale * rnd(3, 3), **kw)
    compare(lambda L, x: x.matrix_exp(), scale * rnd(2, 4, 4), **kw)
    compare(lambda L, x: L.matrix_exp(x), np.zeros((2, 2)))
    raises_like(lambda L: L.matrix_exp(L.zeros(2, 3)))


@needs_torch
@pytest.mark.parametrize("p", [1, 2, 3])
def test_mvlgamma(p: int) -> None:
    x = R.random((3, 4)) * 3 + (p - 1) / 2 + 0.1
    compare(lambda L, x: L.mvlgamma(x, p), x)
    compare(lambda L, x: x.mvlgamma(p), x)
    compare(lambda L, x: L.special.multigammaln(x, p), x)
    compare(lambda L, x: L.mvlgamma(x, 3), np.array([0.0, 0.7, 1.2]), grad=False)
    t, q = torch.tensor(x), pa.tensor(x)
    t.mvlgamma_(p)
    q.mvlgamma_(p)
    np.testing.assert_allclose(q.numpy(), t.numpy(), rtol=1e-12)


@needs_torch
@pytest.mark.parametrize("n", [0, 1, 2, 3, 5])
def test_polygamma(n: int) -> None:
    x = np.concatenate([R.random(6) * 10 + 0.05, -R.random(3) - 0.3, [1.0, 2.5, 30.0]])
    compare(lambda L, x: L.polygamma(n, x), x, rtol=1e-9, atol=1e-12, fd=n < 3)
    compare(lambda L, x: x.polygamma(n), x, rtol=1e-9, atol=1e-12, fd=False)
    compare(lambda L, x: L.special.polygamma(n, x), x.astype(np.float32), rtol=1e-5, grad=False)
    t, p = torch.tensor(x), pa.tensor(x)
    t.polygamma_(n)
    p.polygamma_(n)
    np.testing.assert_allclose(p.numpy(), t.numpy(), rtol=1e-9)
    raises_like(lambda L: L.polygamma(-1, L.ones(2)))


@needs_torch
def test_zeta() -> None:
    x = np.array([2.0, 3.0, 4.5, 1.0, 0.5])
    q = np.array([1.0, 2.5, 0.3, 2.0, 1.0])
    t = torch.special.zeta(torch.tensor(x), torch.tensor(q))
    p = pa.special.zeta(pa.tensor(x), pa.tensor(q))
    np.testing.assert_allclose(p.numpy(), t.numpy(), rtol=1e-12)
