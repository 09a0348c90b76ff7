"""F.affine_grid and F.grid_sample (bilinear, nearest; zeros, border, reflection padding;
align_corners) against PyTorch: values and the gradients of input, grid and theta, float32
and float64; gradcheck; a spatial-transformer step trained alike."""

import warnings

import numpy as np
import pytest
from nn_helpers import assert_close, copy_params, pa_of, torch_or_skip

import pyautograd as pa
from pyautograd.autograd import gradcheck
from pyautograd.nn import functional as F

rng = np.random.default_rng(0)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_grid_sample_and_affine_grid_match_torch(align_corners, padding_mode, mode, dtype):
    torch = torch_or_skip()
    x = rng.standard_normal((2, 3, 5, 4))
    g = rng.uniform(-1.4, 1.4, (2, 6, 7, 2))
    theta = rng.standard_normal((2, 2, 3)) * 0.5
    kw = {"mode": mode, "padding_mode": padding_mode, "align_corners": align_corners}
    res = []
    for lib in (pa, torch):
        dt = getattr(lib, dtype)
        xt = lib.tensor(x, dtype=dt, requires_grad=True)
        gt = lib.tensor(g, dtype=dt, requires_grad=True)
        th = lib.tensor(theta, dtype=dt, requires_grad=True)
        out = lib.nn.functional.grid_sample(xt, gt, **kw)
        ag = lib.nn.functional.affine_grid(th, [2, 3, 6, 5], align_corners=align_corners)
        out2 = lib.nn.functional.grid_sample(xt, ag, **kw)
        w1 = np.random.default_rng(1).standard_normal(tuple(out.shape))
        w2 = np.random.default_rng(2).standard_normal(tuple(out2.shape))
        (
            (out * lib.tensor(w1, dtype=dt)).sum() + (out2 * lib.tensor(w2, dtype=dt)).sum()
        ).backward()
        res.append([out, out2, ag, xt.grad, gt.grad, th.grad])
    tol = {"rtol": 1e-4, "atol": 1e-4} if dtype == "float32" else {"rtol": 1e-9, "atol": 1e-9}
    names = ["output", "affine output", "affine grid", "input grad", "grid grad", "theta grad"]
    for name, a, b in zip(names, *res, strict=True):
        assert_close(a, b, what=name, **tol)


def test_gradcheck():
    x = pa_of(rng.standard_normal((1, 2, 4, 3)), pa.float64, requires_grad=True)
    g = pa_of(rng.uniform(-0.9, 0.9, (1, 3, 2, 2)), pa.float64, requires_grad=True)
    th = pa_of(rng.standard_normal((1, 2, 3)) * 0.3, pa.float64, requires_grad=True)
    for pm in ["zeros", "border", "reflection"]:
        assert gradcheck(
            lambda a, b, pm=pm: F.grid_sample(a, b, padding_mode=pm, align_corners=False), (x, g)
        )
    assert gradcheck(lambda t: F.affine_grid(t, [1, 2, 3, 4], align_corners=True), (th,))


def test_default_align_corners_warns_and_errors():
    torch = torch_or_skip()
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        F.affine_grid(pa.randn(1, 2, 3), [1, 1, 2, 2])
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        F.grid_sample(pa.randn(1, 1, 2, 2), pa.zeros(1, 1, 1, 2))
    checks = [
        lambda L: L.nn.functional.grid_sample(
            L.randn(1, 1, 2, 2), L.zeros(1, 1, 1, 2), mode="cubic", align_corners=False
        ),
        lambda L: L.nn.functional.grid_sample(
            L.randn(1, 1, 2, 2), L.zeros(1, 1, 1, 2), padding_mode="wrap", align_corners=False
        ),
        lambda L: L.nn.functional.affine_grid(L.randn(1, 3, 3), [1, 1, 2, 2], align_corners=False),
        lambda L: L.nn.functional.affine_grid(L.randn(1, 2, 3), [1, 2, 2], align_corners=False),
    ]
    for call in checks:
        with pytest.raises(Exception) as ours:
            call(pa)
        with pytest.raises(Exception) as theirs:
            call(torch)
        assert type(ours.value) is type(theirs.value)
        assert str(ours.value).replace("pyautograd", "torch") == str(theirs.value)


def test_spatial_transformer_step_matches_torch():
    """The localization net of PyTorch's spatial transformer tutorial learns through
    affine_grid and grid_sample."""
    torch = torch_or_skip()

    def make(L):
        return L.nn.Sequential(L.nn.Flatten(), L.nn.Linear(16, 6))

    tm, pm = make(torch).double(), make(pa).double()
    copy_params(pm, tm)
    x = rng.standard_normal((3, 1, 4, 4))
    outs = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for lib, m in ((pa, pm), (torch, tm)):
            xt = lib.tensor(x)
            theta = m(xt).reshape(-1, 2, 3)
            grid = lib.nn.functional.affine_grid(theta, list(xt.shape), align_corners=False)
            y = lib.nn.functional.grid_sample(xt, grid, align_corners=False)
            (y * y).mean().backward()
            outs.append([y] + [p.grad for p in m.parameters()])
    for a, b in zip(*outs, strict=True):
        assert_close(a, b, rtol=1e-9, atol=1e-11)
