"""GroupNorm, InstanceNorm1d/2d/3d, LocalResponseNorm and RMSNorm against PyTorch: the same
weights and inputs give the same outputs, gradients (input and parameters) and running
statistics, in training and eval, float32 and float64; gradcheck in float64."""

import warnings

import numpy as np
import pytest
from nn_helpers import assert_close, copy_params, pa_of, torch_of, torch_or_skip

import pyautograd as pa
from pyautograd import nn
from pyautograd.autograd import gradcheck
from pyautograd.nn import functional as F

rng = np.random.default_rng(0)


def _pair(make, dtype):
    torch = torch_or_skip()
    tm = make(torch.nn).to(getattr(torch, dtype))
    pm = make(nn).to(getattr(pa, dtype))
    with torch.no_grad():  # non-trivial affine parameters
        for p in tm.parameters():
            p.copy_(torch.tensor(rng.uniform(0.5, 1.5, tuple(p.shape))))
    copy_params(pm, tm)
    return torch, pm, tm


def _step(lib, module, x, dtype):
    t = (pa_of if lib is pa else lambda a, **k: torch_of(a, lib, **k))(
        x, dtype=getattr(lib, dtype), requires_grad=True
    )
    out = module(t)
    w = np.random.default_rng(1).standard_normal(tuple(out.shape))
    wt = (pa_of if lib is pa else lambda a, **k: torch_of(a, lib, **k))(w, dtype=out.dtype)
    (out * wt).sum().backward()
    return out, t.grad


def _check(make, shape, dtype, steps=2, train=True):
    torch, pm, tm = _pair(make, dtype)
    tol = {"rtol": 1e-4, "atol": 1e-5} if dtype == "float32" else {"rtol": 1e-9, "atol": 1e-11}
    for mode in [True, False] if train else [False]:
        pm.train(mode)
        tm.train(mode)
        for _ in range(steps):
            x = rng.standard_normal(shape) * 2 + 0.5
            po, pg = _step(pa, pm, x, dtype)
            to, tg = _step(torch, tm, x, dtype)
            assert po.dtype == getattr(pa, dtype)
            assert_close(po, to, what="output", **tol)
            assert_close(pg, tg, what="input gradient", **tol)
            tp = dict(tm.named_parameters())
            for name, p in pm.named_parameters():
                assert_close(p.grad, tp[name].grad, what=f"gradient of {name}", **tol)
            tb = dict(tm.named_buffers())
            for name, b in pm.named_buffers():
                assert_close(b, tb[name], what=f"buffer {name}", **tol)
    return pm, tm


GROUP = [
    ((3, 6), (2, 6, 5)),
    ((1, 4), (3, 4, 2, 3)),
    ((4, 4), (2, 4, 3)),
    ((2, 8), (3, 8)),
    ((2, 6, 1e-3, False), (2, 6, 4, 4)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("args", "shape"), GROUP, ids=[str(g[0]) for g in GROUP])
def test_group_norm(args, shape, dtype):
    _check(lambda nn: nn.GroupNorm(*args), shape, dtype)


def test_group_norm_no_bias_and_repr():
    torch = torch_or_skip()
    for kw in [{}, {"affine": False}, {"bias": False}, {"eps": 0.1}]:
        p, t = nn.GroupNorm(2, 4, **kw), torch.nn.GroupNorm(2, 4, **kw)
        assert repr(p) == repr(t)
        assert list(p.state_dict()) == list(t.state_dict())
    _check(lambda nn: nn.GroupNorm(2, 4, bias=False), (3, 4, 5), "float64")


INST = [
    ("InstanceNorm1d", {}, (3, 4, 6)),
    ("InstanceNorm1d", {"affine": True}, (3, 4, 6)),
    ("InstanceNorm1d", {"affine": True}, (4, 6)),  # unbatched
    ("InstanceNorm1d", {"track_running_stats": True}, (3, 4, 6)),
    ("InstanceNorm1d", {"track_running_stats": True, "affine": True, "momentum": 0.3}, (4, 6)),
    ("InstanceNorm1d", {"track_running_stats": True, "momentum": None}, (3, 4, 6)),
    ("InstanceNorm2d", {}, (2, 3, 4, 5)),
    ("InstanceNorm2d", {"affine": True, "track_running_stats": True}, (2, 3, 4, 5)),
    ("InstanceNorm2d", {"affine": True, "bias": False}, (3, 4, 5)),
    ("InstanceNorm3d", {"affine": True, "track_running_stats": True}, (2, 3, 2, 3, 2)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("cls", "kw", "shape"), INST, ids=[f"{c}{k}{len(s)}" for c, k, s in INST])
def test_instance_norm(cls, kw, shape, dtype):
    _check(lambda nn: getattr(nn, cls)(_channels(cls, shape), **kw), shape, dtype)


def _channels(cls, shape):
    spatial = int(cls[-2])
    return shape[len(shape) - spatial - 1]


def test_instance_norm_reprs_state_and_errors():
    torch = torch_or_skip()
    for cls in ["InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d"]:
        for kw in [{}, {"affine": True}, {"track_running_stats": True}, {"bias": False}]:
            p, t = getattr(nn, cls)(3, **kw), getattr(torch.nn, cls)(3, **kw)
            assert repr(p) == repr(t)
            assert list(p.state_dict()) == list(t.state_dict())
    with pytest.raises(ValueError, match="expected 2D or 3D input"):
        nn.InstanceNorm1d(3)(pa.randn(2, 3, 4, 5))
    with pytest.raises(ValueError, match="to match num_features"):
        nn.InstanceNorm1d(3, affine=True)(pa.randn(2, 4, 5))
    with pytest.warns(UserWarning, match="does not match num_features"):
        nn.InstanceNorm1d(3)(pa.randn(2, 4, 5))
    with pytest.raises(ValueError, match="more than 1 spatial element"):
        nn.InstanceNorm1d(3)(pa.randn(2, 3, 1))


def test_instance_norm_functional_matches_torch():
    torch = torch_or_skip()
    x = rng.standard_normal((3, 2, 5))
    rm, rv = rng.standard_normal(2), rng.uniform(0.5, 2, 2)
    w, b = rng.standard_normal(2), rng.standard_normal(2)
    for use_input_stats in (True, False):
        outs = []
        for lib in (pa, torch):
            mk = pa_of if lib is pa else lambda a, **k: torch_of(a, torch, **k)
            t_rm, t_rv = mk(rm, dtype=lib.float64), mk(rv, dtype=lib.float64)
            y = lib.nn.functional.instance_norm(
                mk(x, dtype=lib.float64),
                t_rm,
                t_rv,
                mk(w, dtype=lib.float64),
                mk(b, dtype=lib.float64),
                use_input_stats=use_input_stats,
                momentum=0.2,
            )
            outs.append((y, t_rm, t_rv))
        for a, c in zip(outs[0], outs[1], strict=True):
            assert_close(a, c, rtol=1e-10, atol=1e-12)


LRN = [
    ((3,), (2, 6, 4)),
    ((2,), (2, 5, 3, 3)),
    ((5, 1e-2, 0.5, 2.0), (2, 7, 2, 2, 2)),
    ((4,), (1, 3, 5)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("args", "shape"), LRN, ids=[str(a) for a, _ in LRN])
def test_local_response_norm(args, shape, dtype):
    pm, tm = _check(lambda nn: nn.LocalResponseNorm(*args), shape, dtype, train=False)
    assert repr(pm) == repr(tm)


RMS = [
    ((5,), {}, (3, 5)),
    ((5,), {"eps": 1e-3}, (2, 3, 5)),
    ((3, 5), {}, (2, 3, 5)),
    ([5], {"elementwise_affine": False}, (4, 5)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("shape_arg", "kw", "shape"), RMS, ids=[str(r) for r in RMS])
def test_rms_norm(shape_arg, kw, shape, dtype):
    pm, tm = _check(lambda nn: nn.RMSNorm(shape_arg, **kw), shape, dtype)
    assert repr(pm) == repr(tm)


def test_gradchecks():
    x = pa_of(rng.standard_normal((2, 4, 3)), dtype=pa.float64, requires_grad=True)
    w = pa_of(rng.uniform(0.5, 1.5, 4), dtype=pa.float64, requires_grad=True)
    b = pa_of(rng.standard_normal(4), dtype=pa.float64, requires_grad=True)
    assert gradcheck(lambda a, c, d: F.group_norm(a, 2, c, d), (x, w, b))
    assert gradcheck(lambda a, c, d: F.instance_norm(a, weight=c, bias=d), (x, w, b))
    assert gradcheck(lambda a: F.local_response_norm(a, 3, alpha=0.1), (x,))
    w3 = pa_of(rng.uniform(0.5, 1.5, 3), dtype=pa.float64, requires_grad=True)
    assert gradcheck(lambda a, c: F.rms_norm(a, [3], c), (x, w3))


def test_errors_match_torch():
    torch = torch_or_skip()
    checks = [
        lambda L: L.nn.GroupNorm(4, 6),
        lambda L: L.nn.functional.group_norm(L.randn(2, 5, 3), 2),
        lambda L: L.nn.functional.group_norm(L.randn(3), 1),
        lambda L: L.nn.functional.group_norm(L.randn(1, 4), 4),
        lambda L: L.nn.functional.local_response_norm(L.randn(2, 3), 2),
        lambda L: L.nn.functional.rms_norm(L.randn(2, 3), [4]),
    ]
    for call in checks:
        with pytest.raises(Exception) as ours:
            call(pa)
        with pytest.raises(Exception) as theirs:
            call(torch)
        assert type(ours.value) is type(theirs.value), (ours.value, theirs.value)
        assert str(theirs.value) in str(ours.value), (str(ours.value), str(theirs.value))


def test_group_norm_in_a_training_loop():
    torch = torch_or_skip()
    with warnings.catch_warnings():
        warnings.simplefilter("error")

        def make(L):
            return L.nn.Sequential(
                L.nn.Conv1d(3, 8, 3), L.nn.GroupNorm(4, 8), L.nn.SiLU(), L.nn.Flatten()
            )

        tm = make(torch).double()
        pm = make(pa).double()
        copy_params(pm, tm)
        popt = pa.optim.SGD(pm.parameters(), lr=0.1)
        topt = torch.optim.SGD(tm.parameters(), lr=0.1)
        x = rng.standard_normal((4, 3, 7))
        for _ in range(3):
            for lib, m, opt in ((pa, pm, popt), (torch, tm, topt)):
                opt.zero_grad()
                mk = pa_of if lib is pa else lambda a, **k: torch_of(a, torch, **k)
                (m(mk(x, dtype=lib.float64)) ** 2).mean().backward()
                opt.step()
        for (n, p), (_, q) in zip(pm.named_parameters(), tm.named_parameters(), strict=True):
            assert_close(p, q, rtol=1e-9, atol=1e-11, what=n)


def test_group_norm_one_value_per_group_and_empty_batch():
    torch = torch_or_skip()
    x = rng.standard_normal((2, 4))
    # (float64: PyTorch's float32 kernel leaves rounding noise of 1e-5 in the zeros)
    p = F.group_norm(pa_of(x, pa.float64), 4, pa.ones(4, dtype=pa.float64) * 2)
    t = torch.nn.functional.group_norm(
        torch_of(x, torch, torch.float64), 4, torch.ones(4, dtype=torch.float64) * 2
    )
    assert_close(p, t)
    assert F.group_norm(pa.randn(0, 4, 3), 2).shape == (0, 4, 3)
