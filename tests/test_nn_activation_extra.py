"""The activations composed of core ops (PReLU, SELU, CELU, Mish, Hardswish, Hardsigmoid,
Threshold, GLU, LogSigmoid, Softsign, Softmin, Tanhshrink, Softshrink, Hardshrink) against
PyTorch: values and gradients (including at the kinks and at +-inf) in float32 and float64,
modules and functional forms, reprs, errors; and against finite differences (float64)."""

import warnings

import numpy as np
import pytest
from nn_helpers import assert_close, copy_params, pa_of, torch_of, torch_or_skip

import pyautograd as pa
from pyautograd import nn
from pyautograd.autograd import gradcheck
from pyautograd.nn import functional as F

rng = np.random.default_rng(0)

# the kinks of every function here, and the infinities
SPECIAL = [-3.0, 3.0, -0.5, 0.5, 0.0, -1.0, 1.0, 20.0, -20.0, 25.0, -25.0, np.inf, -np.inf]

# (name, functional call, module constructor)
CASES = [
    ("selu", lambda F, x: F.selu(x), lambda nn: nn.SELU()),
    ("celu", lambda F, x: F.celu(x), lambda nn: nn.CELU()),
    ("celu_a", lambda F, x: F.celu(x, 0.7), lambda nn: nn.CELU(alpha=0.7)),
    ("mish", lambda F, x: F.mish(x), lambda nn: nn.Mish()),
    ("hardswish", lambda F, x: F.hardswish(x), lambda nn: nn.Hardswish()),
    ("hardsigmoid", lambda F, x: F.hardsigmoid(x), lambda nn: nn.Hardsigmoid()),
    ("threshold", lambda F, x: F.threshold(x, 0.5, -2.0), lambda nn: nn.Threshold(0.5, -2.0)),
    ("logsigmoid", lambda F, x: F.logsigmoid(x), lambda nn: nn.LogSigmoid()),
    ("softsign", lambda F, x: F.softsign(x), lambda nn: nn.Softsign()),
    ("tanhshrink", lambda F, x: F.tanhshrink(x), lambda nn: nn.Tanhshrink()),
    ("softshrink", lambda F, x: F.softshrink(x), lambda nn: nn.Softshrink()),
    ("softshrink1", lambda F, x: F.softshrink(x, 1.0), lambda nn: nn.Softshrink(1.0)),
    ("hardshrink", lambda F, x: F.hardshrink(x), lambda nn: nn.Hardshrink()),
    ("hardshrink1", lambda F, x: F.hardshrink(x, 1.0), lambda nn: nn.Hardshrink(lambd=1.0)),
    ("prelu", lambda F, x: F.prelu(x, x.new_tensor([0.3])), lambda nn: nn.PReLU()),
]
IDS = [c[0] for c in CASES]


def _input(special):
    x = rng.standard_normal((4, 6)) * 3
    if special:
        x = np.concatenate([x.ravel(), SPECIAL]).reshape(-1)
    return x


def _run(lib, f, x, dtype, finite_grads):
    t = (pa_of if lib is pa else lambda a, **k: torch_of(a, lib, **k))(
        x, dtype=getattr(lib, dtype), requires_grad=True
    )
    out = f(t)
    w = np.random.default_rng(1).standard_normal(tuple(out.shape))
    wt = (pa_of if lib is pa else lambda a, **k: torch_of(a, lib, **k))(w, dtype=out.dtype)
    if finite_grads:
        (out * wt).sum().backward()
    else:
        out.backward(wt)
    return out, t.grad


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("form", ["functional", "module"])
@pytest.mark.parametrize(("name", "func", "mod"), CASES, ids=IDS)
def test_matches_torch(name, func, mod, form, dtype):
    torch = torch_or_skip()
    x = _input(special=True)
    if form == "functional":
        pf, tf = (lambda t: func(F, t)), (lambda t: func(torch.nn.functional, t))
    else:
        pm, tm = mod(nn).to(getattr(pa, dtype)), mod(torch.nn).to(getattr(torch, dtype))
        copy_params(pm, tm)
        pf, tf = pm, tm
    po, pg = _run(pa, pf, x, dtype, finite_grads=False)
    to, tg = _run(torch, tf, x, dtype, finite_grads=False)
    # float64: PyTorch's own kernels round a few constants to float32 (hardsigmoid's backward
    # multiplies by 1.0f / 6; celu's backward scales by 1 / float32(alpha))
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == "float32" else {"rtol": 2e-7, "atol": 1e-12}
    assert po.dtype == getattr(pa, dtype)
    assert_close(po, to, what=f"{name} value", **tol)
    assert_close(pg, tg, what=f"{name} gradient", **tol)
    if form == "module":
        for (n, p), (_, q) in zip(pm.named_parameters(), tm.named_parameters(), strict=True):
            assert_close(p.grad, q.grad, what=f"gradient of {n}", **tol)


@pytest.mark.parametrize(("name", "func", "mod"), CASES, ids=IDS)
def test_gradcheck(name, func, mod):
    x = _input(special=False)
    # keep away from the kinks, where finite differences straddle two pieces
    for k in (-3.0, 3.0, -1.0, 1.0, -0.5, 0.5, 0.0):
        x[np.abs(x - k) < 1e-3] += 0.01
    t = pa_of(x, dtype=pa.float64, requires_grad=True)
    assert gradcheck(lambda a: func(F, a), (t,))


@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("shape", [(2, 3), (2, 3, 5), (2, 3, 4, 4), (3,)])
def test_prelu_per_channel(channels, shape):
    torch = torch_or_skip()
    if channels == 3 and len(shape) == 1:
        shape = (3, 3)
    x = rng.standard_normal(shape)
    tm = torch.nn.PReLU(channels).double()
    pm = nn.PReLU(channels).double()
    assert [n for n, _ in pm.named_parameters()] == ["weight"]
    assert_close(pm.weight, tm.weight)
    with torch.no_grad():
        tm.weight.copy_(torch.linspace(-0.5, 0.7, channels, dtype=torch.float64))
    copy_params(pm, tm)
    po, pg = _run(pa, pm, x, "float64", True)
    to, tg = _run(torch, tm, x, "float64", True)
    assert_close(po, to)
    assert_close(pg, tg)
    assert_close(pm.weight.grad, tm.weight.grad)
    xt = pa_of(x, dtype=pa.float64, requires_grad=True)
    w = pa_of(np.linspace(-0.5, 0.7, channels), dtype=pa.float64, requires_grad=True)
    assert gradcheck(F.prelu, (xt, w))


def test_prelu_init_and_repr():
    torch = torch_or_skip()
    for args in [(), (4,), (2, 0.1)]:
        p, t = nn.PReLU(*args), torch.nn.PReLU(*args)
        assert repr(p) == repr(t)
        assert p.weight.shape == t.weight.shape
        assert_close(p.weight, t.weight)
        assert p.weight.dtype == pa.float32
    assert nn.PReLU(dtype=pa.float64).weight.dtype == pa.float64


def test_reprs_match_torch():
    torch = torch_or_skip()
    for make in [
        lambda nn: nn.SELU(),
        lambda nn: nn.SELU(inplace=True),
        lambda nn: nn.CELU(0.5, inplace=True),
        lambda nn: nn.Mish(),
        lambda nn: nn.Hardswish(),
        lambda nn: nn.Hardsigmoid(inplace=True),
        lambda nn: nn.Threshold(0.1, 20),
        lambda nn: nn.Threshold(0.1, 20, inplace=True),
        lambda nn: nn.GLU(),
        lambda nn: nn.GLU(1),
        lambda nn: nn.LogSigmoid(),
        lambda nn: nn.Softsign(),
        lambda nn: nn.Softmin(dim=1),
        lambda nn: nn.Tanhshrink(),
        lambda nn: nn.Softshrink(0.3),
        lambda nn: nn.Hardshrink(),
    ]:
        assert repr(make(nn)) == repr(make(torch.nn))


@pytest.mark.parametrize("dim", [0, 1, -1, 2])
def test_glu_matches_torch(dim):
    torch = torch_or_skip()
    x = rng.standard_normal((4, 6, 2))
    po, pg = _run(pa, nn.GLU(dim), x, "float64", True)
    to, tg = _run(torch, torch.nn.GLU(dim), x, "float64", True)
    assert_close(po, to)
    assert_close(pg, tg)
    assert gradcheck(lambda a: F.glu(a, dim), (pa_of(x, pa.float64, requires_grad=True),))


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("dtype", [None, "float64"])
def test_softmin_matches_torch(dim, dtype):
    torch = torch_or_skip()
    x = rng.standard_normal((3, 5))
    po, pg = _run(pa, lambda t: F.softmin(t, dim, dtype=dtype and pa.float64), x, "float32", True)
    to, tg = _run(
        torch,
        lambda t: torch.nn.functional.softmin(t, dim, dtype=dtype and torch.float64),
        x,
        "float32",
        True,
    )
    assert po.dtype == (pa.float64 if dtype else pa.float32)
    assert_close(po, to, rtol=1e-6)
    assert_close(pg, tg, rtol=1e-5)


def test_softmin_implicit_dim_warns():
    x = pa.randn(2, 3)
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmin"):
        y = nn.Softmin()(x)
    assert_close(y, F.softmin(x, 1))


@pytest.mark.parametrize(
    "f",
    [
        lambda F, t: F.selu(t, inplace=True),
        lambda F, t: F.celu(t, 0.5, inplace=True),
        lambda F, t: F.mish(t, inplace=True),
        lambda F, t: F.hardswish(t, inplace=True),
        lambda F, t: F.hardsigmoid(t, inplace=True),
        lambda F, t: F.threshold(t, 0.2, 7.0, inplace=True),
        lambda F, t: F.threshold_(t, 0.2, 7.0),
        lambda F, t: F.selu_(t),
        lambda F, t: F.celu_(t),
    ],
)
def test_inplace_writes_the_input_and_backpropagates(f):
    torch = torch_or_skip()
    x = rng.standard_normal((3, 4))
    outs = []
    for lib, mk in ((pa, pa_of), (torch, lambda a, **k: torch_of(a, torch, **k))):
        leaf = mk(x, dtype=lib.float64, requires_grad=True)
        t = leaf * 1.0
        out = f(lib.nn.functional, t)
        assert out is t
        (out * out).sum().backward()
        outs.append((out, leaf.grad))
    assert_close(outs[0][0], outs[1][0])
    assert_close(outs[0][1], outs[1][1])


def test_threshold_keeps_integer_dtype():
    torch = torch_or_skip()
    x = [1, 2, 3, -4]
    p = F.threshold(pa.tensor(x), 1.5, 0.5)
    t = torch.nn.functional.threshold(torch.tensor(x), 1.5, 0.5)
    assert p.dtype == pa.int64
    assert p.tolist() == t.tolist()


def test_nan_propagates_like_torch():
    torch = torch_or_skip()
    x = [float("nan"), 1.0, -4.0]
    for name in ["hardswish", "hardsigmoid", "mish", "selu", "celu", "logsigmoid", "softsign"]:
        p = getattr(F, name)(pa.tensor(x))
        t = getattr(torch.nn.functional, name)(torch.tensor(x))
        np.testing.assert_array_equal(np.isnan(p.tolist()), np.isnan(t.tolist()), err_msg=name)
    for name in ["softshrink", "hardshrink", "tanhshrink"]:
        p = getattr(F, name)(pa.tensor(x))
        t = getattr(torch.nn.functional, name)(torch.tensor(x))
        np.testing.assert_array_equal(np.isnan(p.tolist()), np.isnan(t.tolist()), err_msg=name)


def _raises_like(call, torch):
    with pytest.raises(Exception) as ours:
        call(pa)
    with pytest.raises(Exception) as theirs:
        call(torch)
    assert type(ours.value) is type(theirs.value)
    return str(ours.value), str(theirs.value)


def test_errors_match_torch():
    torch = torch_or_skip()
    checks = [
        lambda L: L.nn.functional.glu(L.ones(2, 3)),
        lambda L: L.nn.functional.glu(L.ones(())),
        lambda L: L.nn.functional.prelu(L.ones(2, 3), L.ones(2)),
        lambda L: L.nn.functional.prelu(L.ones(3), L.ones(3)),
        lambda L: L.nn.functional.prelu(L.ones(()), L.ones(3)),
        lambda L: L.nn.functional.prelu(L.ones(2, 3), L.ones(3, 1)),
        lambda L: L.nn.functional.celu(L.ones(2), alpha=0.0),
        lambda L: L.nn.functional.softshrink(L.ones(2), -1.0),
        lambda L: L.nn.functional.softshrink(L.ones(2, dtype=L.float64), -1.0),
        lambda L: L.nn.functional.hardswish(L.tensor([1, 2])),
        lambda L: L.nn.functional.mish(L.tensor([1, 2])),
    ]
    for call in checks:
        ours, theirs = _raises_like(call, torch)
        assert theirs in ours, (ours, theirs)


def test_no_warnings_from_the_modules():
    x = pa.randn(2, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for m in [nn.SELU(), nn.Mish(), nn.GLU(), nn.PReLU(), nn.Softmin(1), nn.Hardswish()]:
            m(x)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_hardswish_gradient_with_infinite_incoming_gradients(dtype):
    """PyTorch's hardswish gradient is g * (x / 3 + 1/2) inside (-3, 3), one product (an
    infinite g at x = 0 gives inf, not NaN), 0 up to -3 even for an infinite g, g from 3."""
    torch = torch_or_skip()
    inf = float("inf")
    xs = [-3.0, 3.0, -3.5, 0.0, -0.0, 1.0, -inf, inf, 2.9, -2.9]
    gs = [-inf, -inf, inf, -inf, inf, 2.0, inf, inf, 1.0, 1.0]
    out = []
    for L in (pa, torch):
        dt = getattr(L, dtype)
        x = L.tensor(xs * 2, dtype=dt, requires_grad=True)
        y = L.nn.functional.hardswish(x)
        y.backward(L.tensor(gs * 2, dtype=dt))
        out.append((np.array(y.detach().numpy()), np.array(x.grad.numpy())))
    for a, b in zip(out[0], out[1], strict=True):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(np.signbit(a), np.signbit(b))


@pytest.mark.parametrize("name", ["mish", "logsigmoid"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_mish_logsigmoid_gradients_as_one_product(name, dtype):
    """mish's and logsigmoid's gradients are PyTorch's single product of the incoming gradient
    and the derivative: an infinite gradient where the derivative is finite gives inf, and
    0 * anything finite is 0 (the composites gave NaN); both save their input as PyTorch's
    nodes, so a later in-place write into it makes backward raise."""
    torch = torch_or_skip()
    inf, nan = float("inf"), float("nan")
    xs = [-1.0, 0.0, 1.0, 2.0, -3.0, 3.0, -3.0, -inf, inf, nan, 30.0, -30.0, 1e-8]
    gs = [0.0, -3.0, 0.0, -1.0, 2.0, -inf, inf, 1.0, 1.0, 1.0, 2.0, -inf, inf]
    out = []
    for L in (pa, torch):
        dt = getattr(L, dtype)
        x = L.tensor(xs, dtype=dt, requires_grad=True)
        y = getattr(L.nn.functional, name)(x)
        y.backward(L.tensor(gs, dtype=dt))
        out.append((np.array(y.detach().numpy()), np.array(x.grad.numpy())))
        z = x * 1.0
        w = getattr(L.nn.functional, name)(z)
        z.add_(1.0)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            w.sum().backward()
    rtol = 1e-5 if dtype == "float32" else 1e-12
    for a, b in zip(out[0], out[1], strict=True):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-30)
