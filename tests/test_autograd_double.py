"""Higher-order gradients (create_graph=True): each op's gradient of its gradient against
PyTorch and against central finite differences of the first-order gradient (float64), the
programs that need them (a PINN residual, a WGAN gradient penalty, MAML's inner step, Hessians),
and the errors where an op has no second derivative here."""

import numpy as np
import pytest

import pyautograd as pa
from pyautograd.autograd import functional as AF

try:
    import torch
except ImportError:  # pragma: no cover - the torch comparisons skip
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")
R = np.random.default_rng(7)


def arr(t):
    return np.array(t.detach().tolist(), dtype=np.float64)


def grad_then_grad(lib, fn, arrays, weight):
    """g = d fn / d xs (create_graph), then d (sum_i <g_i, weight_i>) / d xs."""
    xs = [lib.tensor(a, dtype=lib.float64, requires_grad=True) for a in arrays]
    gs = lib.autograd.grad(fn(lib, *xs), xs, create_graph=True)
    s = sum((g * lib.tensor(w, dtype=lib.float64)).sum() for g, w in zip(gs, weight, strict=True))
    ggs = lib.autograd.grad(s, xs, allow_unused=True)
    return [arr(g) for g in gs], [
        np.zeros(a.shape) if gg is None else arr(gg) for a, gg in zip(arrays, ggs, strict=True)
    ]


def first_grad(fn, arrays, weight):
    """sum_i <d fn / d x_i, weight_i> as a float, no graph (for finite differences)."""
    xs = [pa.tensor(a, dtype=pa.float64, requires_grad=True) for a in arrays]
    gs = pa.autograd.grad(fn(pa, *xs), xs)
    return sum(float((arr(g) * w).sum()) for g, w in zip(gs, weight, strict=True))


def finite_differences(fn, arrays, weight, eps=1e-6):
    out = []
    for i, a in enumerate(arrays):
        d = np.zeros(a.shape)
        for idx in np.ndindex(a.shape):
            hi = [b.copy() for b in arrays]
            lo = [b.copy() for b in arrays]
            hi[i][idx] += eps
            lo[i][idx] -= eps
            d[idx] = (first_grad(fn, hi, weight) - first_grad(fn, lo, weight)) / (2 * eps)
        out.append(d)
    return out


def check(fn, arrays, fd=True):
    weight = [R.standard_normal(a.shape) for a in arrays]
    g, gg = grad_then_grad(pa, fn, arrays, weight)
    if fd:
        for ours, num in zip(gg, finite_differences(fn, arrays, weight), strict=True):
            np.testing.assert_allclose(ours, num, rtol=1e-5, atol=1e-6)
    if torch is not None:
        tg, tgg = grad_then_grad(torch, fn, arrays, weight)
        for ours, ref in zip(g + gg, tg + tgg, strict=True):
            np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-12)


POS = R.uniform(0.2, 0.9, (3, 4))
ANY = R.standard_normal((3, 4))

UNARY = {
    "exp": ANY,
    "log": POS,
    "sqrt": POS,
    "rsqrt": POS,
    "tanh": ANY,
    "sigmoid": ANY,
    "sin": ANY,
    "cos": ANY,
    "tan": POS,
    "asin": POS,
    "acos": POS,
    "atan": ANY,
    "sinh": ANY,
    "cosh": ANY,
    "square": ANY,
    "reciprocal": POS,
    "log1p": POS,
    "expm1": ANY,
    "log2": POS,
    "log10": POS,
    "exp2": ANY,
    "erf": ANY,
    "erfc": ANY,
    "asinh": ANY,
    "acosh": POS + 1.5,
    "atanh": POS - 0.5,
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary(name):
    # multiplied by x so that the second derivative has a cross term through x as well
    check(lambda L, x: (getattr(L, name)(x) * x).sum(), [UNARY[name]])


ACTIVATIONS = {
    "relu": lambda F, x: F.relu(x),
    "leaky_relu": lambda F, x: F.leaky_relu(x, 0.2),
    "elu": lambda F, x: F.elu(x, 0.7),
    "silu": lambda F, x: F.silu(x),
    "gelu": lambda F, x: F.gelu(x),
    "gelu_tanh": lambda F, x: F.gelu(x, approximate="tanh"),
    "softplus": lambda F, x: F.softplus(x, beta=2.0, threshold=1.0),
    "hardtanh": lambda F, x: F.hardtanh(x, -0.5, 0.5),
    "abs": lambda F, x: x.abs(),
    "clamp": lambda F, x: x.clamp(-0.5, 0.5),
    "neg": lambda F, x: -x,
}


def functional(L):
    return L.nn.functional


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation(name):
    # kinks avoided: x away from 0 and the clamp bounds
    x = ANY + np.where(np.abs(ANY) < 0.1, 0.3, 0.0)
    x = np.where(np.abs(np.abs(x) - 0.5) < 0.05, x + 0.12, x)
    check(lambda L, v: (ACTIVATIONS[name](functional(L), v) * v.tanh()).sum(), [x])


BINARY = {
    "add": lambda a, b: a + b * 2,
    "sub": lambda a, b: a - b,
    "rsub": lambda a, b: 2 - a * b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "rdiv": lambda a, b: 3 / b + a,
    "pow": lambda a, b: a**b,
    "pow_scalar": lambda a, b: a**3 + b**2.5 + a**0.5,
    "rpow": lambda a, b: 2**a * b,
    "maximum": lambda a, b: a.maximum(b),
    "minimum": lambda a, b: a.minimum(b),
    "atan2": lambda a, b: a.atan2(b),
    "hypot": lambda a, b: a.hypot(b),
    "broadcast": lambda a, b: a * b[:, :1] + b[:1],
}


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary(name):
    a, b = POS + 0.1, R.uniform(0.3, 1.2, (3, 4))
    check(lambda L, x, y: (BINARY[name](x, y) * x * y).sum(), [a, b])


STRUCTURAL = {
    "sum_dim": lambda L, x: (x.sum(1, keepdim=True) * x).sum(),
    "mean": lambda L, x: x.mean() * x.sin().sum(),
    "view_t": lambda L, x: (x.t().reshape(2, 6) ** 2).sum() * x.sum(),
    "permute_expand": lambda L, x: (x.unsqueeze(0).expand(2, 3, 4).permute(2, 0, 1).exp()).sum(),
    "slice": lambda L, x: (x[:, 1:3] ** 3).sum() + (x[0] * x[2]).sum(),
    "cat_stack": lambda L, x: (
        (L.cat([x, x * x], 1) ** 2).sum() + L.stack([x, x.exp()]).prod(0).sum()
    ),
    "index_select": lambda L, x: (x.index_select(1, L.tensor([0, 2, 2])) ** 3).sum(),
    "gather": lambda L, x: (x.gather(1, L.tensor([[0, 1], [2, 2], [3, 0]])) ** 3).sum(),
    "where": lambda L, x: L.where(x > 0.5, x**2, x.sin()).sum(),
    "max_dim": lambda L, x: (x.max(1).values ** 3).sum(),
    "sort_topk": lambda L, x: (
        (x.sort(1).values[:, 1:] ** 3).sum() + (x.topk(2, 0).values ** 2).sum()
    ),
    "median_kthvalue": lambda L, x: (
        (x.median(1).values ** 3).sum() + (x.kthvalue(2, 0).values).exp().sum()
    ),
    "max_all": lambda L, x: x.max() ** 3,
    "norm": lambda L, x: x.norm() ** 3 + x.norm(dim=1).sum() ** 2,
    "std_var": lambda L, x: x.std(1).sum() ** 2 + x.var() * x.sum(),
    "logsumexp": lambda L, x: x.logsumexp(1).sum() ** 2,
    "softmax": lambda L, x: (L.softmax(x, 1) * x).sum() + (L.log_softmax(x, 0) ** 2).sum(),
    "cumsum": lambda L, x: (x.cumsum(1) ** 2).sum(),
    "prod": lambda L, x: x.prod(1).sum() * x.sum(),
    "diagonal": lambda L, x: (x[:, :3].diagonal() ** 3).sum(),
    "masked_select": lambda L, x: (x[x > 0.5] ** 3).sum(),
    "matmul": lambda L, x: ((x @ x.t()).tanh() @ x).sum(),
    "bmm": lambda L, x: L.bmm(x.reshape(1, 3, 4), x.t().reshape(1, 4, 3)).exp().sum(),
    "linear": lambda L, x: L.nn.functional.linear(x, x[:2] * 2, x[0, :2]).tanh().sum(),
    "linear_3d": lambda L, x: (
        L.nn.functional.linear(x.reshape(3, 2, 2), x[:2, :2], None).sin().sum()
    ),
    "mse": lambda L, x: L.nn.functional.mse_loss(x.sin(), x.t().t() ** 2),
    "to_dtype": lambda L, x: (x.float().double() ** 3).sum(),
    "advanced_index": lambda L, x: (
        (x[L.tensor([0, 2, 2]), 1:] ** 3).sum() + (x[:, [3, 0]].exp()).sum()
    ),
}


def _write_into_view(L, x):
    y = x * 1.5
    y[:, 1] = y[:, 1].clone().sin() * 2  # CopySlices
    y[0] = y[0].clone() * y[2].clone()  # CopySlices again, over the first
    return (y**3).sum()


def _read_stale_view(L, x):
    y = x * 2
    v = y[:, :2]
    y.mul_(x)  # the base changes in place: v's history is remade (AsStridedBackward)
    return (v**3).sum() + (y * y).sum()


STRUCTURAL["write_into_view"] = _write_into_view
STRUCTURAL["read_stale_view"] = _read_stale_view


@pytest.mark.parametrize("name", sorted(STRUCTURAL))
def test_structural(name):
    # a float32 round trip is below what float64 finite differences resolve: PyTorch only
    check(STRUCTURAL[name], [POS], fd=name != "to_dtype")


LOSSES = {
    "ce_mean": lambda F, L, x, t: F.cross_entropy(x, t),
    "ce_sum_weight": lambda F, L, x, t: F.cross_entropy(
        x, t, weight=L.tensor([0.5, 2.0, 1.0, 0.3], dtype=L.float64), reduction="sum"
    ),
    "ce_none_ignore": lambda F, L, x, t: (
        F.cross_entropy(x, t, ignore_index=2, reduction="none") * x[:, 0]
    ).sum(),
    "ce_probabilities": lambda F, L, x, t: F.cross_entropy(x, (x * 2).softmax(1)),
    "ce_label_smoothing": lambda F, L, x, t: F.cross_entropy(x, t, label_smoothing=0.2),
    "ce_smoothing_weight_ignore": lambda F, L, x, t: F.cross_entropy(
        x,
        t,
        weight=L.tensor([0.5, 2.0, 1.0, 0.3], dtype=L.float64),
        ignore_index=1,
        label_smoothing=0.1,
    ),
    "ce_smoothing_sum": lambda F, L, x, t: F.cross_entropy(
        x, t, label_smoothing=0.3, reduction="sum"
    ),
    "nll": lambda F, L, x, t: F.nll_loss(F.log_softmax(x * x, 1), t),
    "nll_weight_none": lambda F, L, x, t: (
        F.nll_loss(
            x.tanh(), t, weight=L.tensor([1.0, 2.0, 3.0, 4.0], dtype=L.float64), reduction="none"
        )
        ** 2
    ).sum(),
}


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_loss(name):
    def fn(L, x):
        t = L.tensor([1, 2, 3])
        return LOSSES[name](L.nn.functional, L, x * x.sum(), t)

    check(fn, [ANY])


CONV = {
    "conv2d": dict(stride=1, padding=1),
    "conv2d_strided_dilated": dict(stride=2, padding=2, dilation=2),
    "conv2d_groups": dict(groups=2, padding=0),
    "conv1d": dict(stride=2, padding=1),
}


@pytest.mark.parametrize("name", sorted(CONV))
def test_convolution(name):
    kw = CONV[name]
    one_d = name == "conv1d"
    g = kw.get("groups", 1)
    x = R.standard_normal((2, 4, 6) if one_d else (2, 4, 5, 5))
    w = R.standard_normal((6, 4 // g, 3) if one_d else (6, 4 // g, 3, 3)) * 0.3
    b = R.standard_normal(6)

    def fn(L, xv, wv, bv):
        conv = L.nn.functional.conv1d if one_d else L.nn.functional.conv2d
        return (conv(xv, wv, bv, **kw).tanh() * xv.sum()).sum()

    check(fn, [x, w, b], fd=one_d)


NORMS = {
    "layer_norm": lambda F, L, x, w, b: F.layer_norm(x, (4,), w, b, eps=1e-3),
    "layer_norm_2d": lambda F, L, x, w, b: F.layer_norm(x.reshape(3, 2, 2), (2, 2), None, None),
    "batch_norm_train": lambda F, L, x, w, b: F.batch_norm(
        x.reshape(3, 2, 2), None, None, w[:2], b[:2], training=True, eps=1e-3
    ),
    "batch_norm_eval": lambda F, L, x, w, b: F.batch_norm(
        x,
        L.tensor([0.1, -0.2, 0.3, 0.0], dtype=L.float64),
        L.tensor([1.5, 0.5, 2.0, 1.0], dtype=L.float64),
        w,
        b,
        training=False,
    ),
}


@pytest.mark.parametrize("name", sorted(NORMS))
def test_normalization(name):
    def fn(L, x, w, b):
        y = NORMS[name](L.nn.functional, L, x, w, b)
        return (y.tanh() * x.reshape(-1)[:1]).sum() + (w * b).sum()  # w, b used when not given

    check(fn, [ANY, R.standard_normal(4), R.standard_normal(4)])


def test_custom_function():
    def make(L):
        class Cube(L.autograd.Function):
            @staticmethod
            def forward(ctx, x, w):
                y = x**3 * w
                ctx.save_for_backward(x, w, y)
                return y

            @staticmethod
            def backward(ctx, g):
                x, w, y = ctx.saved_tensors
                return g * 3 * x**2 * w, g * y / w

        return Cube

    check(lambda L, x, w: make(L).apply(x.sin(), w).sum(), [ANY, POS])


def test_once_differentiable_and_numpy_linalg_raise_when_reached():
    class Square(pa.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @pa.autograd.function.once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            assert not pa.is_grad_enabled()
            return 2 * x * g

    x = pa.tensor([[2.0, 1.0], [0.5, 3.0]], dtype=pa.float64, requires_grad=True)
    for y in (Square.apply(x).sum(), pa.linalg.det(x)):
        (g,) = pa.autograd.grad(y, x, create_graph=True)
        np.testing.assert_allclose(arr(g), arr(pa.autograd.grad(y, x)[0]))
        with pytest.raises(RuntimeError, match="not implemented for create_graph"):
            g.sum().backward()


def test_gradgradcheck():
    x = pa.tensor(R.standard_normal((2, 3)), dtype=pa.float64, requires_grad=True)
    w = pa.tensor(R.standard_normal((3, 2)), dtype=pa.float64, requires_grad=True)
    assert pa.autograd.gradgradcheck(lambda a, b: (a @ b).tanh(), (x, w))

    class BadSquare(pa.autograd.Function):  # right first derivative, its own derivative lost
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * a

        @staticmethod
        def backward(ctx, g):
            (a,) = ctx.saved_tensors
            return 2 * a.detach() * g

    assert pa.autograd.gradcheck(BadSquare.apply, (x,))
    assert not pa.autograd.gradgradcheck(BadSquare.apply, (x,), raise_exception=False)


POOLS = {
    "max_pool2d": lambda F, x: F.max_pool2d(x, 2, stride=1),
    "max_pool1d": lambda F, x: F.max_pool1d(x.reshape(2, 3, 9), 3, stride=2, padding=1),
    "avg_pool2d": lambda F, x: F.avg_pool2d(x, 2, stride=1, padding=1, count_include_pad=False),
    "adaptive_avg_pool2d": lambda F, x: F.adaptive_avg_pool2d(x, (2, 2)),
    "adaptive_max_pool2d": lambda F, x: F.adaptive_max_pool2d(x, 2),
    "pad_constant": lambda F, x: F.pad(x, (1, 2, 0, 1)),
    "pad_reflect": lambda F, x: F.pad(x, (1, 1, 1, 0), mode="reflect"),
    "pad_replicate": lambda F, x: F.pad(x, (2, 0, 1, 1), mode="replicate"),
}


@pytest.mark.parametrize("name", sorted(POOLS))
def test_pooling_and_padding(name):
    x = R.standard_normal((2, 3, 3, 3))

    def fn(L, v):
        return (POOLS[name](L.nn.functional, v * v.sum()) ** 2).sum()

    check(fn, [x], fd=name.startswith(("avg", "pad")))


@needs_torch
def test_third_order():
    for lib in (pa, torch):
        x = lib.tensor([0.3, -1.2, 2.0], dtype=lib.float64, requires_grad=True)
        y = (x**4 + x.sin()).sum()
        (g1,) = lib.autograd.grad(y, x, create_graph=True)
        (g2,) = lib.autograd.grad(g1.sum(), x, create_graph=True)
        (g3,) = lib.autograd.grad(g2.sum(), x)
        v = x.detach().numpy()
        np.testing.assert_allclose(arr(g3), 24 * v - np.cos(v), rtol=1e-12)


THIRD_ORDER_SCATTER = {
    # their first backward is a scatter_add / scatter, whose own derivative a third order needs
    "gather": lambda L, x: (x.gather(1, L.tensor([[0, 2, 2], [1, 1, 0]])) ** 3).sum(),
    "max_dim": lambda L, x: (x.max(1).values ** 3).sum() + (x.amin(0) ** 4).sum(),
    # src larger than the index (only its corner is read; PyTorch's own second backward of
    # that shape raises, so it runs with the corner sliced, the same function)
    "scatter_add_src_corner": lambda L, x: (
        L.zeros(2, 4, dtype=L.float64).scatter_add(
            1, L.tensor([[0, 3], [2, 2]]), x**3 if L is pa else (x**3)[:, :2]
        )
        ** 2
    ).sum(),
    "scatter_src": lambda L, x: (
        (x * 2).scatter(1, L.tensor([[2], [0]]), x[:, 1:2].exp()) ** 3
    ).sum(),
}


@needs_torch
@pytest.mark.parametrize("name", sorted(THIRD_ORDER_SCATTER))
def test_third_order_through_scatter(name):
    x0 = np.array([[0.3, -1.2, 2.0], [0.5, 0.1, -0.7]])
    u = R.standard_normal(x0.shape)
    out = []
    for lib in (pa, torch):
        x = lib.tensor(x0, dtype=lib.float64, requires_grad=True)
        (g1,) = lib.autograd.grad(THIRD_ORDER_SCATTER[name](lib, x), x, create_graph=True)
        (g2,) = lib.autograd.grad((g1 * g1).sum(), x, create_graph=True)
        (g3,) = lib.autograd.grad((g2 * lib.tensor(u)).sum(), x)
        out.append([arr(g) for g in (g1, g2, g3)])
    for ours, ref in zip(*out, strict=True):
        np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-12)


NORM_COMPOSED = {
    "layer_norm": lambda L, x: (
        (x - x.mean(1, keepdim=True))
        * ((x - x.mean(1, keepdim=True)) ** 2).mean(1, keepdim=True).add(1e-5).rsqrt()
    ),
    "batch_norm": lambda L, x: (
        (x - x.mean(0, keepdim=True))
        * ((x - x.mean(0, keepdim=True)) ** 2).mean(0, keepdim=True).add(1e-5).rsqrt()
    ),
}


@needs_torch
@pytest.mark.parametrize("name", sorted(NORM_COMPOSED))
def test_third_order_norms(name):
    """PyTorch 2.13's fused layer_norm/batch_norm give a wrong third derivative (their double
    backward's own derivative; off by ~50 and ~1.7e6 here, against finite differences of their
    second derivative and against the same function composed of ops). Ours is checked against
    the composed function in PyTorch and finite differences; the second order against the
    fused op (found by test_autograd_double_random.py)."""
    x0, c, v, u = (R.standard_normal((2, 3)) for _ in range(4))

    def fused(L, x):
        F = L.nn.functional
        if name == "layer_norm":
            return F.layer_norm(x, (3,))
        return F.batch_norm(x, None, None, training=True)

    def orders(lib, fn, xv):
        x = lib.tensor(xv, dtype=lib.float64, requires_grad=True)
        (g1,) = lib.autograd.grad((fn(lib, x) * lib.tensor(c)).sum(), x, create_graph=True)
        (g2,) = lib.autograd.grad((g1 * lib.tensor(v)).sum(), x, create_graph=True)
        (g3,) = lib.autograd.grad((g2 * lib.tensor(u)).sum(), x)
        return [arr(g) for g in (g1, g2, g3)]

    ours = orders(pa, fused, x0)
    fused_ref, composed_ref = orders(torch, fused, x0), orders(torch, NORM_COMPOSED[name], x0)
    for a, b in zip(ours[:2], fused_ref[:2], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours[2], composed_ref[2], rtol=1e-8, atol=1e-9)
    eps, num = 1e-6, np.zeros(x0.shape)
    for idx in np.ndindex(x0.shape):
        hi, lo = x0.copy(), x0.copy()
        hi[idx] += eps
        lo[idx] -= eps
        num[idx] = ((orders(pa, fused, hi)[1] - orders(pa, fused, lo)[1]) * u).sum() / (2 * eps)
    np.testing.assert_allclose(ours[2], num, rtol=1e-5, atol=1e-5 * np.abs(num).max())


def _copy_params(dst, src):
    with pa.no_grad():
        for p, q in zip(dst.parameters(), src.parameters(), strict=True):
            p.copy_(pa.tensor(q.detach().numpy()))


@needs_torch
def test_pinn_residual_matches_torch():
    """Burgers' residual u_t + u u_x - nu u_xx of a tanh MLP: second derivatives in x."""

    def net(L):
        return L.nn.Sequential(
            L.nn.Linear(2, 16), L.nn.Tanh(), L.nn.Linear(16, 16), L.nn.Tanh(), L.nn.Linear(16, 1)
        )

    tnet, pnet = net(torch), net(pa)
    _copy_params(pnet, tnet)
    pts = R.uniform(-1, 1, (20, 2)).astype(np.float32)

    def run(L, model):
        xt = L.tensor(pts, requires_grad=True)
        u = model(xt)
        (du,) = L.autograd.grad(u, xt, grad_outputs=L.ones_like(u), create_graph=True)
        u_x, u_t = du[:, 0:1], du[:, 1:2]
        (d2,) = L.autograd.grad(u_x, xt, grad_outputs=L.ones_like(u_x), create_graph=True)
        loss = ((u_t + u * u_x - 0.01 * d2[:, 0:1]) ** 2).mean()
        loss.backward()
        return loss.item(), [p.grad.numpy() for p in model.parameters()]

    (lt, gt), (lp, gp) = run(torch, tnet), run(pa, pnet)
    assert abs(lt - lp) <= 1e-6 * abs(lt)
    for a, b in zip(gp, gt, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-7)


@needs_torch
def test_wgan_gradient_penalty_matches_torch():
    def critic(L):
        return L.nn.Sequential(L.nn.Linear(5, 8), L.nn.LeakyReLU(0.2), L.nn.Linear(8, 1))

    tc, pc = critic(torch), critic(pa)
    _copy_params(pc, tc)
    real, fake = R.standard_normal((6, 5)), R.standard_normal((6, 5))
    alpha = R.uniform(size=(6, 1))

    def run(L, model):
        a = L.tensor(alpha, dtype=L.float32)
        xh = a * L.tensor(real, dtype=L.float32) + (1 - a) * L.tensor(fake, dtype=L.float32)
        xh.requires_grad_(True)
        out = model(xh)
        (g,) = L.autograd.grad(out, xh, grad_outputs=L.ones_like(out), create_graph=True)
        gp = ((g.norm(2, dim=1) - 1) ** 2).mean() * 10
        (gp + out.mean()).backward()
        return gp.item(), [p.grad.numpy() for p in model.parameters()]

    (lt, gt), (lp, gp) = run(torch, tc), run(pa, pc)
    assert abs(lt - lp) <= 1e-5 * abs(lt)
    for a, b in zip(gp, gt, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


@needs_torch
def test_maml_inner_step_matches_torch():
    """One MAML meta-gradient: the outer loss differentiates through the inner SGD step."""
    w0, b0 = R.standard_normal((4, 3)), R.standard_normal(4)
    xs, ys = R.standard_normal((5, 3)), R.standard_normal((5, 4))
    xq, yq = R.standard_normal((5, 3)), R.standard_normal((5, 4))

    def run(L):
        F = L.nn.functional
        w = L.tensor(w0, requires_grad=True)
        b = L.tensor(b0, requires_grad=True)
        t = lambda a: L.tensor(a, dtype=L.float64)  # noqa: E731
        inner = F.mse_loss(F.linear(t(xs), w, b).relu(), t(ys))
        gw, gb = L.autograd.grad(inner, (w, b), create_graph=True)
        w1, b1 = w - 0.1 * gw, b - 0.1 * gb
        outer = F.mse_loss(F.linear(t(xq), w1, b1).tanh(), t(yq))
        outer.backward()
        return [arr(w.grad), arr(b.grad)]

    for a, b in zip(run(pa), run(torch), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@needs_torch
def test_backward_create_graph_fills_differentiable_grads():
    for lib in (pa, torch):
        x = lib.tensor([0.5, -0.3, 1.1], dtype=lib.float64, requires_grad=True)
        (x.exp() * x).sum().backward(create_graph=True)
        assert x.grad.requires_grad and x.grad.grad_fn is not None
        g1 = arr(x.grad)
        x.grad.sum().backward()  # accumulates d(sum grad)/dx into the same .grad
        v = x.detach().numpy()
        np.testing.assert_allclose(g1, np.exp(v) * (1 + v), rtol=1e-12)
        np.testing.assert_allclose(arr(x.grad), g1 + np.exp(v) * (2 + v), rtol=1e-12)


@needs_torch
def test_wgan_gp_conv_critic_training_matches_torch():
    """Three Adam steps of a DCGAN-shaped critic with the gradient penalty (WGAN-GP), written
    as such programs are (only_inputs=True, retain_graph=True)."""

    def critic(L):
        return L.nn.Sequential(
            L.nn.Conv2d(1, 4, 3, stride=2, padding=1),
            L.nn.LeakyReLU(0.2),
            L.nn.Conv2d(4, 8, 3, stride=2, padding=1),
            L.nn.LeakyReLU(0.2),
            L.nn.Flatten(),
            L.nn.Linear(8 * 2 * 2, 1),
        )

    tc, pc = critic(torch), critic(pa)
    _copy_params(pc, tc)
    real = R.standard_normal((3, 4, 1, 8, 8)).astype(np.float32)
    fake = R.standard_normal((3, 4, 1, 8, 8)).astype(np.float32)
    alpha = R.uniform(size=(3, 4, 1, 1, 1)).astype(np.float32)

    def train(L, model):
        opt = L.optim.Adam(model.parameters(), lr=1e-3, betas=(0.5, 0.9))
        losses = []
        for step in range(3):
            r, f = L.tensor(real[step]), L.tensor(fake[step])
            a = L.tensor(alpha[step])
            xh = (a * r + (1 - a) * f).requires_grad_(True)
            d = model(xh)
            (g,) = L.autograd.grad(
                outputs=d,
                inputs=xh,
                grad_outputs=L.ones(d.size()),
                create_graph=True,
                retain_graph=True,
                only_inputs=True,
            )
            gp = ((g.view(g.size(0), -1).norm(2, dim=1) - 1) ** 2).mean() * 10
            loss = model(f).mean() - model(r).mean() + gp
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return losses, [p.detach().numpy() for p in model.parameters()]

    (lt, pt), (lp, pp) = train(torch, tc), train(pa, pc)
    np.testing.assert_allclose(lp, lt, rtol=1e-4, atol=1e-5)
    for a, b in zip(pp, pt, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


@needs_torch
def test_recurrent_layers_double_backward_match_torch():
    def layers(L):
        L.manual_seed(0)
        return L.nn.LSTM(3, 4, batch_first=True), L.nn.GRU(3, 4)

    (tl, tg), (pl, pg) = layers(torch), layers(pa)
    _copy_params(pl, tl)
    _copy_params(pg, tg)
    x0 = R.standard_normal((2, 5, 3)).astype(np.float32)

    def run(L, lstm, gru):
        x = L.tensor(x0, requires_grad=True)
        y, _ = lstm(x)
        z, _ = gru(x)
        (g,) = L.autograd.grad((y**2).sum() + (z**3).sum(), x, create_graph=True)
        (g.norm() ** 2).backward()
        params = list(lstm.parameters()) + list(gru.parameters())
        return [p.grad.numpy() for p in params] + [x.grad.numpy()]

    for a, b in zip(run(pa, pl, pg), run(torch, tl, tg), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5 * np.abs(b).max())


def test_grad_keywords():
    x = pa.tensor([1.0, 2.0], requires_grad=True)
    y = pa.tensor([3.0], requires_grad=True)
    gx, gy = pa.autograd.grad((x * x).sum(), [x, y], materialize_grads=True)
    np.testing.assert_allclose(arr(gx), [2.0, 4.0])
    assert gy is not None and arr(gy).tolist() == [0.0]
    with pytest.raises(ValueError, match="allow_unused"):
        pa.autograd.grad((x * x).sum(), [x, y], materialize_grads=True, allow_unused=False)
    with pytest.raises(RuntimeError, match="is_grads_batched"):
        pa.autograd.grad((x * x).sum(), x, is_grads_batched=True)


def test_retain_graph_defaults_to_create_graph():
    x = pa.tensor([0.5, 2.0], dtype=pa.float64, requires_grad=True)
    y = (x.sin() * x).sum()
    (g,) = pa.autograd.grad(y, x, create_graph=True)
    (again,) = pa.autograd.grad(y, x, retain_graph=True)  # the graph was retained
    np.testing.assert_allclose(arr(again), arr(g))
    pa.autograd.grad(y, x, create_graph=True, retain_graph=False)
    with pytest.raises(RuntimeError, match="second time"):
        pa.autograd.grad(y, x)


def test_first_order_grad_of_linear_op_does_not_require_grad():
    # as PyTorch: d(sum(3 x))/dx = 3 is a constant
    x = pa.tensor([1.0, 2.0], requires_grad=True)
    (g,) = pa.autograd.grad((x * 3).sum(), x, create_graph=True)
    assert not g.requires_grad
    np.testing.assert_allclose(arr(g), [3, 3])


def test_op_without_second_derivative_raises_when_reached():
    x = pa.tensor(R.standard_normal((2, 3)), dtype=pa.float64, requires_grad=True)
    y = pa.nn.functional.cross_entropy(x, x.softmax(1).detach(), label_smoothing=0.1)
    (g,) = pa.autograd.grad(y, x, create_graph=True)
    ref = pa.autograd.grad(y, x)[0]  # the first-order values are unchanged
    np.testing.assert_allclose(arr(g), arr(ref))
    with pytest.raises(RuntimeError, match="not implemented for create_graph"):
        g.sum().backward()


def test_no_growth_over_repeated_double_backward():
    x = pa.tensor(R.standard_normal((16, 16)), requires_grad=True)

    def step():
        (g,) = pa.autograd.grad((x.tanh() @ x).sum(), x, create_graph=True)
        (h,) = pa.autograd.grad((g * g).sum(), x)
        return h

    for _ in range(5):
        step()
    before = pa.memory_stats()["allocated_bytes"]
    for _ in range(50):
        step()
    assert pa.memory_stats()["allocated_bytes"] <= before


@needs_torch
@pytest.mark.parametrize("name", ["hessian", "hvp", "vhp", "jvp", "vjp_graph", "jacobian_graph"])
def test_functional_matches_torch(name):
    x0, v0 = R.standard_normal((3, 2)), R.standard_normal((3, 2))

    def f(x):
        return (x.tanh() ** 2).sum() * x[0, 0].exp() + (x @ x.t()).sin().sum()

    def g(x):
        return (x.tanh() * x[0:1]).exp()

    def run(L, F):
        x, v = L.tensor(x0), L.tensor(v0)
        if name == "hessian":
            return [F.hessian(f, x)]
        if name in ("hvp", "vhp"):
            return list(getattr(F, name)(f, x, v))
        if name == "jvp":
            return list(F.jvp(g, x, v))
        xr = L.tensor(x0, requires_grad=True)
        if name == "vjp_graph":
            _, r = F.vjp(g, xr, L.ones_like(xr).detach(), create_graph=True)
        else:
            r = F.jacobian(g, xr, create_graph=True)
        (d,) = L.autograd.grad((r**2).sum(), xr)
        return [r, d]

    for a, b in zip(run(pa, AF), run(torch, torch.autograd.functional), strict=True):
        np.testing.assert_allclose(arr(a), arr(b), rtol=1e-10, atol=1e-12)
