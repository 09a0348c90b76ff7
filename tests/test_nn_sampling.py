"""F.interpolate / nn.Upsample (nearest, nearest-exact, linear, bilinear, trilinear, bicubic,
area; size or scale_factor; align_corners; recompute_scale_factor), pixel_shuffle /
pixel_unshuffle and unfold / fold against PyTorch (values and gradients, float32 and float64)
and finite differences (float64)."""

import numpy as np
import pytest
from nn_helpers import assert_close, pa_of, torch_of, torch_or_skip

import pyautograd as pa
from pyautograd import nn
from pyautograd.autograd import gradcheck
from pyautograd.nn import functional as F

rng = np.random.default_rng(0)


def _both(fn_pa, fn_torch, x, dtype="float64", tol=None):
    torch = torch_or_skip()
    tx = torch_of(x, torch, getattr(torch, dtype), requires_grad=True)
    px = pa_of(x, getattr(pa, dtype), requires_grad=True)
    to, po = fn_torch(tx), fn_pa(px)
    w = rng.standard_normal(tuple(to.shape))
    (to * torch_of(w, torch, to.dtype)).sum().backward()
    (po * pa_of(w, po.dtype)).sum().backward()
    tol = tol or ({"rtol": 1e-5, "atol": 1e-6} if dtype == "float32" else {})
    assert po.dtype == getattr(pa, dtype)
    assert_close(po, to, what="output", **tol)
    assert_close(px.grad, tx.grad, what="input gradient", **tol)


SHAPES = {3: (2, 3, 5), 4: (2, 3, 5, 4), 5: (1, 2, 3, 4, 5)}
MODES = [
    ("nearest", 3),
    ("nearest", 4),
    ("nearest", 5),
    ("nearest-exact", 3),
    ("nearest-exact", 4),
    ("linear", 3),
    ("bilinear", 4),
    ("trilinear", 5),
    ("bicubic", 4),
    ("area", 3),
    ("area", 4),
]
SIZES = [{"size": 7}, {"size": 3}, {"size": 1}, {"scale_factor": 2}, {"scale_factor": 0.5}]
SIZES += [{"scale_factor": 1.7}, {"scale_factor": 2.5, "recompute_scale_factor": True}]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("sizing", SIZES, ids=[str(s) for s in SIZES])
@pytest.mark.parametrize(("mode", "nd"), MODES, ids=[f"{m}{n}" for m, n in MODES])
def test_interpolate_matches_torch(mode, nd, sizing, dtype):
    torch = torch_or_skip()
    corners = [None] if mode in ("nearest", "nearest-exact", "area") else [False, True]
    for ac in corners:
        kw = dict(sizing, mode=mode)
        if ac is not None:
            kw["align_corners"] = ac
        x = rng.standard_normal(SHAPES[nd])
        # bicubic in float32: PyTorch sums the 16 taps in another order (cancellation)
        tol = {"rtol": 1e-5, "atol": 1e-5} if mode == "bicubic" and dtype == "float32" else None
        _both(
            lambda t, kw=kw: F.interpolate(t, **kw),
            lambda t, kw=kw: torch.nn.functional.interpolate(t, **kw),
            x,
            dtype,
            tol,
        )


def test_interpolate_per_dim_sizes_and_scales():
    torch = torch_or_skip()
    x = rng.standard_normal((2, 2, 4, 6))
    for kw in [
        {"size": (3, 9), "mode": "bilinear"},
        {"size": [8, 2], "mode": "nearest"},
        {"scale_factor": (2, 0.5), "mode": "bilinear", "align_corners": True},
        {"scale_factor": (1.5, 3.0), "mode": "bicubic"},
        {"size": (3, 9), "mode": "area"},
    ]:
        _both(
            lambda t, kw=kw: F.interpolate(t, **kw),
            lambda t, kw=kw: torch.nn.functional.interpolate(t, **kw),
            x,
        )


def test_interpolate_gradcheck():
    x = pa_of(rng.standard_normal((1, 2, 3, 4)), pa.float64, requires_grad=True)
    for mode, ac in [
        ("bilinear", False),
        ("bilinear", True),
        ("bicubic", False),
        ("nearest", None),
    ]:
        assert gradcheck(
            lambda t, m=mode, a=ac: F.interpolate(t, (5, 7), mode=m, align_corners=a), (x,)
        )
    x3 = pa_of(rng.standard_normal((2, 2, 4)), pa.float64, requires_grad=True)
    assert gradcheck(lambda t: F.interpolate(t, scale_factor=1.5, mode="linear"), (x3,))


def test_upsample_modules_match_torch():
    torch = torch_or_skip()
    x = rng.standard_normal((2, 3, 4, 5))
    for make in [
        lambda nn: nn.Upsample(scale_factor=2),
        lambda nn: nn.Upsample(size=(7, 3), mode="bilinear"),
        lambda nn: nn.Upsample(scale_factor=(2.0, 1.5), mode="bilinear", align_corners=True),
        lambda nn: nn.Upsample(scale_factor=3, mode="bicubic"),
        lambda nn: nn.UpsamplingNearest2d(scale_factor=2),
        lambda nn: nn.UpsamplingBilinear2d(size=(6, 8)),
    ]:
        pm, tm = make(nn), make(torch.nn)
        assert repr(pm) == repr(tm)
        assert pm.scale_factor == tm.scale_factor
        _both(pm, tm, x, "float32")


def test_interpolate_errors_match_torch():
    torch = torch_or_skip()
    checks = [
        lambda L: L.nn.functional.interpolate(
            L.randn(1, 2, 4), 8, mode="nearest", align_corners=True
        ),
        lambda L: L.nn.functional.interpolate(L.randn(1, 2, 4), size=8, scale_factor=2),
        lambda L: L.nn.functional.interpolate(L.randn(1, 2, 4)),
        lambda L: L.nn.functional.interpolate(L.randn(1, 2, 4, 4), size=(8,)),
        lambda L: L.nn.functional.interpolate(L.randn(1, 2, 4, 4), scale_factor=(2.0,)),
        lambda L: L.nn.functional.interpolate(L.randn(1, 2, 4, 4), 8, mode="linear"),
        lambda L: L.nn.functional.interpolate(L.randn(1, 2, 4), 8, mode="bilinear"),
        lambda L: L.nn.functional.interpolate(L.randn(1, 2, 4), 8, recompute_scale_factor=True),
        lambda L: L.nn.functional.interpolate(
            L.randn(1, 2, 4, 4), 8, mode="nearest", antialias=True
        ),
        lambda L: L.nn.functional.interpolate(L.randn(2, 4), 8),
        lambda L: L.nn.functional.interpolate(L.randn(1, 2, 4), 8, mode="bogus"),
    ]
    for call in checks:
        with pytest.raises(Exception) as ours:
            call(pa)
        with pytest.raises(Exception) as theirs:
            call(torch)
        assert type(ours.value) is type(theirs.value), (ours.value, theirs.value)
        assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize(("shape", "r"), [((2, 8, 3, 4), 2), ((1, 2, 9, 2, 2), 3), ((18, 3, 2), 3)])
def test_pixel_shuffle_roundtrip_and_torch(shape, r):
    torch = torch_or_skip()
    x = rng.standard_normal(shape)
    _both(lambda t: F.pixel_shuffle(t, r), lambda t: torch.nn.functional.pixel_shuffle(t, r), x)
    y = rng.standard_normal(tuple(torch.nn.functional.pixel_shuffle(torch.tensor(x), r).shape))
    _both(nn.PixelUnshuffle(r), torch.nn.PixelUnshuffle(r), y)
    assert_close(F.pixel_unshuffle(F.pixel_shuffle(pa_of(x), r), r), x)
    assert repr(nn.PixelShuffle(r)) == repr(torch.nn.PixelShuffle(r))
    assert repr(nn.PixelUnshuffle(r)) == repr(torch.nn.PixelUnshuffle(r))


def test_pixel_shuffle_errors_match_torch():
    torch = torch_or_skip()
    for call in [
        lambda L: L.nn.functional.pixel_shuffle(L.randn(1, 5, 2, 2), 2),
        lambda L: L.nn.functional.pixel_shuffle(L.randn(4, 2), 2),
        lambda L: L.nn.functional.pixel_unshuffle(L.randn(1, 1, 5, 4), 2),
        lambda L: L.nn.functional.pixel_unshuffle(L.randn(1, 1, 4, 5), 2),
    ]:
        with pytest.raises(RuntimeError) as ours:
            call(pa)
        with pytest.raises(RuntimeError) as theirs:
            call(torch)
        assert str(theirs.value) in str(ours.value)


FOLDS = [
    ((2, 3, 6, 7), {"kernel_size": 2}),
    (
        (2, 3, 6, 7),
        {"kernel_size": (2, 3), "dilation": (1, 2), "padding": (1, 0), "stride": (2, 1)},
    ),
    ((3, 5, 5), {"kernel_size": 3, "padding": 1, "stride": 2}),
    ((1, 2, 4, 4), {"kernel_size": 4}),
    ((2, 1, 7, 5), {"kernel_size": (3, 1), "dilation": 2, "padding": (2, 1), "stride": (1, 3)}),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("shape", "kw"), FOLDS, ids=[str(k) for _, k in FOLDS])
def test_unfold_fold_match_torch(shape, kw, dtype):
    torch = torch_or_skip()
    x = rng.standard_normal(shape)
    _both(nn.Unfold(**kw), torch.nn.Unfold(**kw), x, dtype)
    cols = torch.nn.functional.unfold(torch.tensor(x), **kw).numpy()
    _both(nn.Fold(shape[-2:], **kw), torch.nn.Fold(shape[-2:], **kw), cols, dtype)
    assert repr(nn.Fold(shape[-2:], **kw)) == repr(torch.nn.Fold(shape[-2:], **kw))
    assert repr(nn.Unfold(**kw)) == repr(torch.nn.Unfold(**kw))


def test_unfold_fold_gradcheck():
    x = pa_of(rng.standard_normal((1, 2, 5, 4)), pa.float64, requires_grad=True)
    kw = {"kernel_size": (2, 3), "padding": 1, "stride": (2, 1)}
    assert gradcheck(lambda t: F.unfold(t, **kw), (x,))
    cols = pa_of(rng.standard_normal((1, 12, 12)), pa.float64, requires_grad=True)
    assert gradcheck(lambda t: F.fold(t, (5, 4), **kw), (cols,))


def test_unfold_fold_errors():
    torch = torch_or_skip()
    for call in [
        lambda L: L.nn.functional.unfold(L.randn(1, 1, 2, 2), 3),
        lambda L: L.nn.functional.fold(L.randn(1, 4, 5), (4, 4), 2),
        lambda L: L.nn.functional.fold(L.randn(1, 5, 9), (4, 4), 2),
    ]:
        with pytest.raises(RuntimeError):
            call(pa)
        with pytest.raises(RuntimeError):
            call(torch)


def test_conv_as_unfold_matmul():
    """The classic use: a convolution written as unfold + matmul + fold-free reshape."""
    torch = torch_or_skip()
    x = rng.standard_normal((2, 3, 6, 6))
    w = rng.standard_normal((4, 3, 3, 3))
    for lib, mk in ((pa, pa_of), (torch, lambda a: torch_of(a, torch))):
        cols = lib.nn.functional.unfold(mk(x), 3, padding=1)
        y = (mk(w).reshape(4, -1) @ cols).reshape(2, 4, 6, 6)
        ref = lib.nn.functional.conv2d(mk(x), mk(w), padding=1)
        assert_close(y, ref, rtol=1e-10, atol=1e-10)
