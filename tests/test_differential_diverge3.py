"""Regression tests for the divergences from PyTorch that the random programs of tests/difftest/
found (session diverge3), each against PyTorch (skipped when it is absent)."""

from __future__ import annotations

import numpy as np
import pytest

import pyautograd as pa

torch = pytest.importorskip("torch")


def _np(t):
    return t.detach().numpy()


def _pair(lib, data, dtype):
    return lib.tensor(data, dtype=getattr(lib, dtype))


# --- std/var: PyTorch's kernels (Welford per output element; two passes about the mean when the
# result has one element), mean as sum / n ---


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("value", [0.1, 0.7, 1 / 3, -2.2, 7.0])
@pytest.mark.parametrize("n", [3, 5, 7, 10])
def test_var_std_of_equal_values_along_a_dim_are_exactly_zero(dtype, value, n):
    # var(dim) of equal values: PyTorch's Welford gives exactly 0 (the composite mean and
    # squared deviations gave ~1e-17, and std ~1e-9 with a huge gradient)
    for lib in (pa, torch):
        x = lib.full((2, n), value, dtype=getattr(lib, dtype))
        assert (_np(x.var(1)) == 0).all() and (_np(x.std(0)) == 0).all()
        assert (_np(x.var(1, correction=0)) == 0).all()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("n", [1, 2, 3, 7, 12, 100])
def test_mean_is_the_sum_divided_by_n(dtype, n):
    # mean multiplied by 1/n: 3 * 0.1f / 3 was 0.10000000894 where PyTorch's is 0.1f
    data = [0.1 * (k % 3 + 1) for k in range(n)]
    ours, theirs = _pair(pa, data, dtype).mean(), _pair(torch, data, dtype).mean()
    if n <= 3:  # sums the libraries add in the same order
        assert _np(ours) == _np(theirs)
    np.testing.assert_allclose(_np(ours), _np(theirs), rtol=1e-6)
    # integral values: the mean of equal values is exact, so is var's 0
    for lib in (pa, torch):
        x = lib.full((n,), 3.0, dtype=getattr(lib, dtype))
        assert _np(x.mean()) == 3.0
        assert n == 1 or _np(x.var()) == 0


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("dims", [None, 0, 1, 2, (0, 2), (1, 2), (0, 1, 2)])
@pytest.mark.parametrize("correction", [0, 1, 2.5])
@pytest.mark.parametrize("layout", ["contiguous", "permuted"])
def test_var_std_values_match_pytorch_bitwise_along_dims(dtype, dims, correction, layout):
    rng = np.random.default_rng(3)
    data = rng.standard_normal((4, 5, 6)) * 3 + 1

    def run(lib):
        x = lib.tensor(data, dtype=getattr(lib, dtype))
        x = x.permute(2, 0, 1) if layout == "permuted" else x
        return x.var(dims, correction=correction), x.std(dims, correction=correction, keepdim=True)

    for o, t in zip(run(pa), run(torch), strict=True):
        assert o.shape == tuple(t.shape)
        if dtype == "float32" and dims not in (None, (0, 1, 2)):  # Welford in double: exact
            np.testing.assert_array_equal(_np(o), _np(t))
        else:  # float64 in another order; two passes about means summed differently
            np.testing.assert_allclose(_np(o), _np(t), rtol=1e-6 if dtype == "float32" else 1e-14)


@pytest.mark.parametrize("fn", ["var", "std"])
@pytest.mark.parametrize("dims", [None, 1, (0, 1)])
def test_var_std_gradients_match_pytorch(fn, dims):
    rng = np.random.default_rng(5)
    data = rng.standard_normal((3, 4))

    def run(lib):
        x = lib.tensor(data, dtype=lib.float64, requires_grad=True)
        y = getattr(x, fn)(dims)
        (g,) = lib.autograd.grad((y * y.detach().exp()).sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sin().sum(), x)
        return y, g, gg, y.grad_fn.name()

    ours, theirs = run(pa), run(torch)
    assert ours[3] == theirs[3]
    for o, t in zip(ours[:3], theirs[:3], strict=True):
        np.testing.assert_allclose(_np(o), _np(t), rtol=1e-12, atol=1e-14)
    x = pa.tensor(data, requires_grad=True)
    assert pa.autograd.gradcheck(lambda t: getattr(t, fn)(dims), (x.double(),))


@pytest.mark.filterwarnings("ignore:.*degrees of freedom")
@pytest.mark.parametrize("correction", [3, 4, 5])
@pytest.mark.parametrize("dims", [None, 1])
def test_var_gradient_without_degrees_of_freedom_matches_pytorch(correction, dims):
    # n - correction <= 0: PyTorch's var_backward divides by it (inf or a negative factor), and
    # with every dim reduced gives g * (x == mean ? NaN : inf)
    data = [[1.0, 2.0, 2.0, 5.0], [3.0, 3.0, 3.0, 3.0]]

    def run(lib):
        x = lib.tensor(data, dtype=lib.float64, requires_grad=True)
        y = (
            x[:, :4].var(dims, correction=correction)
            if dims is not None
            else x[0].var(correction=correction)
        )
        y.sum().backward()
        return x.grad

    np.testing.assert_array_equal(_np(run(pa)), _np(run(torch)))


@pytest.mark.parametrize("fn", ["var", "std"])
def test_var_saves_its_input_as_pytorch_does(fn):
    # VarBackward0 saves self (an in-place write into the input is caught at backward; one into
    # the result is not): the composite saved an intermediate and missed the write
    for lib in (pa, torch):
        x = lib.tensor([1.0, 2.0, 4.0], requires_grad=True)
        a = x * 1
        y = getattr(a, fn)()
        a.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.backward()
        b = x * 1
        y = b.var(0)
        y.add_(1)  # the result: var's node did not save it
        y.backward()


# --- pointwise results laid out as PyTorch's TensorIterator lays them out ---


def _layout(lib, kind, shape, dtype):
    t = lib.arange(int(np.prod(shape)), dtype=getattr(lib, dtype)).reshape(shape)
    return {
        "contiguous": lambda: t,
        "transposed": lambda: t.transpose(0, -1),
        "permuted": lambda: t.permute(2, 0, 1) if t.dim() == 3 else t.t(),
        "sliced": lambda: t[..., ::2],
        "transposed-sliced": lambda: t.transpose(0, -1)[::2],
        "unsqueezed": lambda: t.unsqueeze(1),
        "expanded": lambda: t[:1].expand(shape),
    }[kind]()


LAYOUT_KINDS = [
    "contiguous",
    "transposed",
    "permuted",
    "sliced",
    "transposed-sliced",
    "unsqueezed",
    "expanded",
]
LAYOUT_SHAPES = [(3, 4, 6), (4, 6), (1, 4, 6), (3, 1, 6), (6,)]


@pytest.mark.parametrize("kind", LAYOUT_KINDS)
@pytest.mark.parametrize("dtype", ["float32", "int64"])
def test_unary_and_number_ops_keep_the_input_layout(kind, dtype):
    # -x, x.sin(), x * 2, x == 0 of a permuted input were contiguous: a later .view diverged
    for shape in LAYOUT_SHAPES:
        for f in (lambda x: -x, lambda x: x.sin(), lambda x: x * 2, lambda x: 2 - x):
            t, o = f(_layout(torch, kind, shape, dtype)), f(_layout(pa, kind, shape, dtype))
            assert o.stride() == t.stride(), (kind, shape)
            np.testing.assert_allclose(_np(o), _np(t), rtol=1e-6, atol=1e-7)
        o, t = _layout(pa, kind, shape, dtype) == 0, _layout(torch, kind, shape, dtype) == 0
        assert o.stride() == t.stride()


@pytest.mark.parametrize("kind1", LAYOUT_KINDS)
@pytest.mark.parametrize("kind2", LAYOUT_KINDS)
def test_binary_ops_lay_out_their_result_as_tensor_iterator(kind1, kind2):
    # the first input that orders two dims decides; broadcast dims are ambiguous; an input of
    # another dtype is seen after PyTorch's cast (dense in its own stride order)
    for s1 in LAYOUT_SHAPES:
        for s2 in LAYOUT_SHAPES:
            for dt2 in ("float32", "int64"):
                a, b = _layout(torch, kind1, s1, "float32"), _layout(torch, kind2, s2, dt2)
                try:
                    t = a + b
                except RuntimeError:
                    continue
                o = _layout(pa, kind1, s1, "float32") + _layout(pa, kind2, s2, dt2)
                assert o.stride() == t.stride(), (kind1, s1, kind2, s2, dt2)


def test_view_after_a_pointwise_op_on_a_permuted_tensor_fails_as_in_pytorch():
    for lib in (pa, torch):
        y = lib.ones(3, 4, 5).permute(2, 0, 1).relu()
        assert not y.is_contiguous()
        with pytest.raises(RuntimeError):
            y.view(-1)
        z = (lib.ones(3, 4, 5).permute(2, 0, 1) * lib.ones(5, 3, 4)).view(5, 12)
        assert z.shape == (5, 12)  # the contiguous operand decides: a view works


def test_gradients_through_permuted_pointwise_results_keep_the_leaf_layout():
    for lib in (pa, torch):
        x = lib.ones(3, 4, requires_grad=True)
        w = lib.ones(4, 3, requires_grad=True)
        (x.t() * w).exp().sum().backward()
        assert x.grad.stride() == (4, 1) and w.grad.stride() == (3, 1)


@pytest.mark.parametrize(
    "f",
    [
        lambda lib, x: lib.zeros(()).add(x, alpha=-2.5),
        lambda lib, x: lib.zeros(()).sub(x, alpha=3),
        lambda lib, x: x.add(x.detach(), alpha=2),
        lambda lib, x: lib.zeros(()).add_(x, alpha=70000),
        lambda lib, x: lib.rsub(x, 1, alpha=2),
    ],
)
def test_add_with_alpha_backward_twice_as_pytorch(f):
    # AddBackward0 keeps alpha as a plain number: a second backward pass through it works (the
    # hidden product with alpha raised "backward through the graph a second time")
    grads = []
    for lib in (pa, torch):
        x = lib.tensor(1.5, requires_grad=True)
        y = f(lib, x)
        y.backward(retain_graph=False)
        y.backward()
        grads.append(_np(x.grad))
    np.testing.assert_array_equal(*grads)
    for lib in (pa, torch):  # x * 2 itself saves the wrapped number in PyTorch
        y = lib.tensor(1.5, requires_grad=True) * 2
        y.backward()
        with pytest.raises(RuntimeError, match="second time"):
            y.backward()


@pytest.mark.parametrize("d1", ["float32", "float64", "int64", "uint8"])
@pytest.mark.parametrize("d2", ["float32", "float64", "int64", "int32"])
@pytest.mark.parametrize("shapes", [((), (1, 1)), ((1, 1), ()), ((2,), (2,)), ((), ())])
@pytest.mark.parametrize("vals", [(1e-30, 130), (3.0, -2), (1.0, 200), (1.5, 2.5)])
def test_ldexp_dtype_and_values_as_pytorch(d1, d2, shapes, vals):
    # an integer exponent: PyTorch's exact ldexp kernel in input's dtype (a 0-d float64 input
    # with an int64 (1, 1) exponent was float32); a float one: 2 ** other as PyTorch's _pow2
    out = []
    for lib in (pa, torch):
        a = lib.full(shapes[0], vals[0]).to(getattr(lib, d1))
        b = lib.full(shapes[1], vals[1]).to(getattr(lib, d2))
        y = lib.ldexp(a, b)
        out.append((str(y.dtype).rsplit(".", 1)[-1], tuple(y.shape), _np(y)))
    assert out[0][:2] == out[1][:2]
    np.testing.assert_array_equal(out[0][2], out[1][2])


@pytest.mark.parametrize("fn", ["median", "nanmedian"])
@pytest.mark.parametrize("write", ["zero_", "cumsum_", "round_"])
def test_median_of_everything_saves_its_result(fn, write):
    # MedianBackward0/NanmedianBackward0 save the result: a write into it is caught at backward
    grads = []
    for lib in (pa, torch):
        x = lib.tensor([[1.0, float("nan"), 3.0, 1.0]], dtype=lib.float64, requires_grad=True)
        y = getattr(x, fn)()
        getattr(y, write)(*([0] if write == "cumsum_" else []))
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            (y * 2).sum().backward()
        getattr(x, fn)().backward()
        grads.append(_np(x.grad))
    np.testing.assert_array_equal(*grads)


@pytest.mark.parametrize("beta", [0, 0.0, -0.0])
@pytest.mark.parametrize("op", ["addmm", "baddbmm", "addmm-empty"])
def test_addmm_baddbmm_with_beta_0_give_input_a_zero_gradient(beta, op):
    # beta = 0: input's values are ignored (NaN too) but its gradient is g * beta, not None
    out = []
    for lib in (pa, torch):
        nan = float("nan")
        if op == "addmm":
            i = lib.tensor([[nan, 1.0], [2.0, 3.0]], requires_grad=True)
            y = lib.addmm(i, lib.ones(2, 3, requires_grad=True), lib.ones(3, 2), beta=beta)
        elif op == "baddbmm":
            i = lib.tensor([nan, 1.0], requires_grad=True)
            y = lib.baddbmm(i, lib.ones(2, 2, 3), lib.ones(2, 3, 2), beta=beta)
        else:
            i = lib.zeros((0, 1), requires_grad=True)
            y = i.addmm(lib.zeros((0, 5)), lib.ones(5, 1), beta=beta)
        (y * lib.tensor(float("inf") if op == "baddbmm" else 2.0)).sum().backward()
        assert i.grad is not None
        out.append((_np(y), _np(i.grad)))
    for o, t in zip(*out, strict=True):
        np.testing.assert_array_equal(o, t)
        np.testing.assert_array_equal(np.signbit(o), np.signbit(t))


@pytest.mark.parametrize("shape", [(), (3,)])
@pytest.mark.parametrize("dtype", [None, "float64"])
def test_cumprod_of_a_0d_tensor_is_recorded_as_pytorch(shape, dtype):
    # a 0-d cumprod was a clone: CumprodBackward0 saves its result (a write is caught)
    out = []
    for lib in (pa, torch):
        kw = {"dtype": getattr(lib, dtype)} if dtype else {}
        x = lib.full(shape, -2.0, requires_grad=True)
        y = x.cumprod(0, **kw)
        s = y.sum()
        name = y.grad_fn.name()
        y.cumprod_(-1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            s.backward()
        x.cumprod(-1, **kw).sum().backward()
        out.append((name, _np(x.grad)))
    assert out[0][0] == out[1][0]
    np.testing.assert_array_equal(out[0][1], out[1][1])
