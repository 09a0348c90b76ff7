"""ConvTranspose1d/2d and F.conv_transpose1d/2d against PyTorch (stride, padding,
output_padding, groups, dilation, bias, batched and unbatched, output_size=; values and the
gradients of input, weight and bias in float32 and float64) and finite differences."""

import itertools

import numpy as np
import pytest
from nn_helpers import assert_close, copy_params, pa_of, torch_of, torch_or_skip

import pyautograd as pa
from pyautograd import nn
from pyautograd.autograd import gradcheck
from pyautograd.nn import functional as F

rng = np.random.default_rng(0)

GRID = [
    (s, p, op, d, g)
    for s, p, op, d, g in itertools.product((1, 2, 3), (0, 1, 2), (0, 1), (1, 2), (1, 2))
    if op < max(s, d)
]


def _functional(n, s, p, op, d, g, dtype, batched=True, bias=True):
    torch = torch_or_skip()
    cin, cout, k = 4, 6, 3
    shape = ((2, cin) if batched else (cin,)) + ((5,) if n == 1 else (5, 4))
    arrays = [
        rng.standard_normal(shape),
        rng.standard_normal((cin, cout // g) + (k,) * n),
        rng.standard_normal(cout) if bias else None,
    ]
    res = []
    for lib, mk in ((pa, pa_of), (torch, lambda a, *x, **k: torch_of(a, torch, *x, **k))):
        ts = [None if a is None else mk(a, getattr(lib, dtype), requires_grad=True) for a in arrays]
        f = getattr(lib.nn.functional, f"conv_transpose{n}d")
        out = f(ts[0], ts[1], ts[2], s, p, op, g, d)
        w = np.random.default_rng(1).standard_normal(tuple(out.shape))
        (out * mk(w, out.dtype)).sum().backward()
        res.append([out] + [t.grad if t is not None else None for t in ts])
    tol = {"rtol": 1e-4, "atol": 1e-4} if dtype == "float32" else {"rtol": 1e-10, "atol": 1e-10}
    for what, a, b in zip(["output", "input grad", "weight grad", "bias grad"], *res, strict=True):
        if b is None:
            assert a is None
            continue
        assert_close(a, b, what=what, **tol)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(("s", "p", "op", "d", "g"), GRID, ids=[str(c) for c in GRID])
@pytest.mark.parametrize("n", [1, 2])
def test_functional_matches_torch(n, s, p, op, d, g, dtype):
    _functional(n, s, p, op, d, g, dtype)


@pytest.mark.parametrize("n", [1, 2])
def test_unbatched_and_no_bias(n):
    _functional(n, 2, 1, 1, 1, 1, "float64", batched=False)
    _functional(n, 2, 1, 0, 2, 2, "float64", bias=False)


def test_rectangular_parameters_2d():
    torch = torch_or_skip()
    x = rng.standard_normal((2, 3, 4, 5))
    w = rng.standard_normal((3, 2, 2, 3))
    kw = {"stride": (2, 1), "padding": (1, 0), "output_padding": (1, 0), "dilation": (1, 2)}
    p = F.conv_transpose2d(pa_of(x), pa_of(w), **kw)
    t = torch.nn.functional.conv_transpose2d(torch_of(x, torch), torch_of(w, torch), **kw)
    assert_close(p, t, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("n", [1, 2])
def test_gradcheck(n):
    x = pa_of(rng.standard_normal((1, 2) + (3,) * n), pa.float64, requires_grad=True)
    w = pa_of(rng.standard_normal((2, 3) + (2,) * n), pa.float64, requires_grad=True)
    b = pa_of(rng.standard_normal(3), pa.float64, requires_grad=True)
    f = getattr(F, f"conv_transpose{n}d")
    assert gradcheck(lambda a, c, e: f(a, c, e, 2, 1, 1), (x, w, b))


MODULES = [
    ("ConvTranspose1d", (3, 4, 3), {}),
    ("ConvTranspose1d", (4, 6, 2), {"stride": 2, "padding": 1, "groups": 2, "bias": False}),
    ("ConvTranspose1d", (2, 2, 3), {"stride": 3, "output_padding": 2, "dilation": 2}),
    ("ConvTranspose2d", (3, 4, 3), {}),
    ("ConvTranspose2d", (4, 2, (2, 3)), {"stride": (2, 1), "padding": 1, "groups": 2}),
    ("ConvTranspose2d", (2, 3, 3), {"stride": 2, "output_padding": 1, "dilation": (2, 1)}),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("cls", "args", "kw"), MODULES, ids=[f"{c}{a}{k}" for c, a, k in MODULES])
def test_modules_match_torch(cls, args, kw, dtype):
    torch = torch_or_skip()
    pm = getattr(nn, cls)(*args, **kw).to(getattr(pa, dtype))
    tm = getattr(torch.nn, cls)(*args, **kw).to(getattr(torch, dtype))
    assert repr(pm) == repr(tm)
    assert [(n, tuple(p.shape)) for n, p in pm.named_parameters()] == [
        (n, tuple(p.shape)) for n, p in tm.named_parameters()
    ]
    # PyTorch's initialisation bounds: kaiming_uniform(a=sqrt(5)) and +-1/sqrt(fan_in)
    fan_in = args[1] // kw.get("groups", 1) * int(np.prod(pm.kernel_size))
    assert float(pm.weight.abs().max()) <= 1 / np.sqrt(fan_in) + 1e-6
    if pm.bias is not None:
        assert float(pm.bias.abs().max()) <= 1 / np.sqrt(fan_in) + 1e-6
    copy_params(pm, tm)
    n = 1 if cls.endswith("1d") else 2
    x = rng.standard_normal((2, args[0]) + (5,) * n)
    outs = []
    for lib, m in ((pa, pm), (torch, tm)):
        mk = pa_of if lib is pa else (lambda a, *r, **k: torch_of(a, torch, *r, **k))
        t = mk(x, getattr(lib, dtype), requires_grad=True)
        out = m(t)
        (out * out).sum().backward()
        outs.append((out, t.grad, [p.grad for p in m.parameters()]))
    tol = {"rtol": 1e-4, "atol": 1e-4} if dtype == "float32" else {"rtol": 1e-10, "atol": 1e-10}
    assert_close(outs[0][0], outs[1][0], what="output", **tol)
    assert_close(outs[0][1], outs[1][1], what="input grad", **tol)
    for a, b in zip(outs[0][2], outs[1][2], strict=True):
        assert_close(a, b, what="parameter grad", **tol)


def test_output_size_argument():
    torch = torch_or_skip()
    pm, tm = (
        nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1),
        torch.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1),
    )
    copy_params(pm, tm)
    x = rng.standard_normal((1, 2, 4, 4))
    for size in [(7, 7), (8, 8), (7, 8), [1, 3, 8, 7]]:
        p = pm(pa_of(x, pa.float32), output_size=size)
        t = tm(torch_of(x, torch, torch.float32), output_size=size)
        assert_close(p, t, rtol=1e-5, atol=1e-5)
    for bad in [(6, 6), (9, 9), (8,)]:
        with pytest.raises(ValueError) as ours:
            pm(pa_of(x, pa.float32), output_size=bad)
        with pytest.raises(ValueError) as theirs:
            tm(torch_of(x, torch, torch.float32), output_size=bad)
        assert str(ours.value).split("(for")[0] == str(theirs.value).split("(for")[0]


def test_errors():
    torch = torch_or_skip()
    with pytest.raises(ValueError, match='Only "zeros" padding mode'):
        nn.ConvTranspose2d(2, 2, 3, padding_mode="reflect")
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.ConvTranspose1d(3, 2, 3, groups=2)
    with pytest.raises(RuntimeError, match="output padding must be smaller"):
        F.conv_transpose2d(pa.randn(1, 2, 3, 3), pa.randn(2, 2, 3, 3), output_padding=1)
    with pytest.raises(RuntimeError, match="to have 2 channels, but got 3 channels instead"):
        F.conv_transpose2d(pa.randn(1, 3, 3, 3), pa.randn(2, 2, 3, 3))
    with pytest.raises(RuntimeError):
        torch.nn.functional.conv_transpose2d(torch.randn(1, 3, 3, 3), torch.randn(2, 2, 3, 3))


def test_autoencoder_training_matches_torch():
    """A small conv / transposed-conv autoencoder trained a few SGD steps in both libraries."""
    torch = torch_or_skip()

    def make(L):
        return L.nn.Sequential(
            L.nn.Conv2d(1, 4, 3, stride=2, padding=1),
            L.nn.ReLU(),
            L.nn.ConvTranspose2d(4, 1, 3, stride=2, padding=1, output_padding=1),
            L.nn.Sigmoid(),
        )

    tm, pm = make(torch).double(), make(pa).double()
    copy_params(pm, tm)
    popt = pa.optim.SGD(pm.parameters(), lr=0.5)
    topt = torch.optim.SGD(tm.parameters(), lr=0.5)
    x = rng.uniform(0, 1, (3, 1, 8, 8))
    for _ in range(3):
        for lib, m, opt, mk in (
            (pa, pm, popt, pa_of),
            (torch, tm, topt, lambda a, *r: torch_of(a, torch, *r)),
        ):
            opt.zero_grad()
            xt = mk(x, lib.float64)
            lib.nn.functional.mse_loss(m(xt), xt).backward()
            opt.step()
    for (n, p), (_, q) in zip(pm.named_parameters(), tm.named_parameters(), strict=True):
        assert_close(p, q, rtol=1e-9, atol=1e-11, what=n)
