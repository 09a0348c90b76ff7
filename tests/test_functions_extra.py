"""pyautograd/_functions_extra.py and the aliases of _api.ALIASES against PyTorch: values,
dtypes, gradients (float64 inputs require grad) and error classes, through test_functions_more's
compare; finite differences for a few compositions."""

import numpy as np
import pytest
from test_functions_more import compare

import pyautograd as pa
from pyautograd.autograd import gradcheck

RNG = np.random.default_rng(23)
A = RNG.standard_normal((4, 6))
B = RNG.standard_normal((4, 6))
SQ = RNG.standard_normal((3, 3))
V = RNG.standard_normal(6)
W = RNG.standard_normal(4)


@pytest.mark.parametrize("spec", [3, 4, [1, 4], [2, -1], [5, 2], [0]])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_tensor_split(spec, dim):
    compare(lambda L, x: L.tensor_split(x, spec, dim), A)
    compare(lambda L, x: x.tensor_split(spec, dim=dim), A)


def test_hsplit_vsplit_dsplit():
    compare(lambda L, x: L.hsplit(x, 3), A)
    compare(lambda L, x: x.vsplit([1, 3]), A)
    compare(lambda L, x: L.hsplit(x, 4), A)  # 6 is not divisible by 4: both raise
    compare(lambda L, x: L.dsplit(x.reshape(2, 2, 6), 2), A)
    compare(lambda L, x: L.vsplit(x, 2), V)  # a 1-d tensor: both raise
    compare(lambda L, x: L.hsplit(x, 2), V)


def test_atleast_and_stacks():
    for n in (1, 2, 3):
        compare(lambda L, x, n=n: getattr(L, f"atleast_{n}d")(x.sum()), A)
        compare(lambda L, x, n=n: getattr(L, f"atleast_{n}d")(x[0]), A)
        compare(lambda L, x, y, n=n: getattr(L, f"atleast_{n}d")(x, y[0]), A, B)
        compare(lambda L, x, y, n=n: getattr(L, f"atleast_{n}d")([x, y]), A, B)
    compare(lambda L, x, y: L.column_stack([x[0], y[:, :1].reshape(4)[:4].repeat(2)[:6]]), A, B)
    compare(lambda L, x, y: L.column_stack([x, y]), A, B)
    compare(lambda L, x, y: L.dstack([x, y]), A, B)
    compare(lambda L, x, y: L.row_stack([x, y]), A, B)
    compare(lambda L, x: L.fliplr(x), A)
    compare(lambda L, x: x.flipud(), A)
    compare(lambda L, x: L.fliplr(x), V)  # 1-d: both raise


@pytest.mark.parametrize("args", [(1, 2, 1), (1, 3, 2), (0, 2, 1), (-1, 6, 1), (1, 7, 1)])
def test_unfold(args):
    compare(lambda L, x: x.unfold(*args), A)
    compare(lambda L, x: x.reshape(2, 2, 6).unfold(*args), A)


def test_unfold_gradient_finite_differences():
    x = pa.tensor(A, requires_grad=True)
    assert gradcheck(lambda t: t.unfold(1, 3, 2) * 2, (x,))


def test_products():
    compare(lambda L, x, y: L.inner(x, y), A, B)
    compare(lambda L, x, y: x.inner(y[0]), A, B)
    compare(lambda L, x, y: L.inner(x, y.sum()), A, B)
    compare(lambda L, x, y: L.inner(x, y.t()), A, B)  # last dims differ: both raise
    compare(lambda L, x, y: L.vdot(x, y), V, V[::-1].copy())
    compare(lambda L, x, y: L.ger(x, y), V, W)
    compare(lambda L, x, y: x.ger(y), W, V)
    compare(lambda L, i, m, v: L.addmv(i, m, v), W, A, V)
    compare(lambda L, i, m, v: i.addmv(m, v, beta=0.5, alpha=2), W, A, V)
    compare(lambda L, i, a, b: L.addr(i, a, b, beta=2, alpha=-1), A, W, V)
    b1, b2 = RNG.standard_normal((2, 3, 2)), RNG.standard_normal((2, 2, 3))
    compare(lambda L, i, a, b: L.addbmm(i, a, b, alpha=0.5), SQ, b1, b2)
    compare(lambda L, i, a, b: i.addbmm(a, b, beta=0), SQ, b1, b2)
    nan = np.full(4, np.nan)
    compare(lambda L, i, m, v: L.addmv(i, m, v, beta=0), nan, A, V)  # beta 0 ignores NaN
    compare(lambda L, x, y, z: L.chain_matmul(x, y, z), SQ, SQ.T.copy(), SQ * 2)
    for n in (0, 1, 2, 3, 5):
        compare(lambda L, x, n=n: L.matrix_power(x, n), SQ)
    compare(lambda L, x: x.matrix_power(2), A)  # not square: both raise
    compare(lambda L, x, y: L.dist(x, y), A, B)
    compare(lambda L, x, y: x.dist(y, 1), A, B)
    compare(lambda L, x, y: L.dist(x, y, float("inf")), A, B)


def test_gathers_and_reshapes():
    idx = np.argsort(A, axis=1)
    compare(lambda L, x: L.take_along_dim(x, L.tensor(idx), dim=1), A)
    compare(lambda L, x: x.take_along_dim(L.tensor(idx[:, :2]), 1), A)
    compare(lambda L, x: L.take_along_dim(x, L.tensor(idx[:1]), 1), A)  # broadcasts
    compare(lambda L, x: L.take_along_dim(x, L.tensor([[5, 0]])), A)  # flattened
    compare(lambda L, x: L.diagflat(x), W)
    compare(lambda L, x: x.diagflat(1), SQ)
    compare(lambda L, x: L.diagflat(x, -2), W)
    compare(lambda L, x: x.sum_to_size(1, 6), A)
    compare(lambda L, x: x.sum_to_size(4, 1), A)
    compare(lambda L, x: x.sum_to_size((6,)), A)
    compare(lambda L, x: x.sum_to_size(2, 6), A)  # not expandable: both raise


def test_elementwise_compositions():
    pos = np.abs(B) + 0.1
    zx = A.copy()
    zx[0, :3] = 0
    compare(lambda L, x, y: L.xlogy(x, y), zx, pos)
    compare(lambda L, x, y: x.xlogy(y), A, pos)
    compare(lambda L, x, y: L.xlogy(x, y), zx, B)  # other <= 0 where input is 0
    compare(lambda L, y: L.xlogy(2.0, y), pos)
    compare(lambda L, x, y: L.float_power(x, y), pos, A)
    compare(lambda L, x: L.float_power(x, 2), A)
    compare(lambda L, x: L.ldexp(x, L.tensor([1, 2, 3, 5, 0, 4])), A)
    # PyTorch's gradient for a negative integer exponent is 0 (its 2 ** -1 in integers): values
    compare(lambda L, x: L.ldexp(x, L.tensor([1, 2, 3, -1, 0, -4])), A, grad=False)
    x = pa.tensor(A, requires_grad=True)
    assert gradcheck(lambda t: pa.ldexp(t, pa.tensor([1, 2, 3, -1, 0, -4])), (x,))
    compare(lambda L, x, y: L.rsub(x, y), A, B)
    compare(lambda L, x: L.rsub(x, 2.5), A)
    compare(lambda L, x, y: L.rsub(x, y, alpha=2), A, B)
    for dim in (0, 1, -1):
        compare(lambda L, x, dim=dim: L.logcumsumexp(x * 40, dim), A)
    compare(lambda L, x: x.logcumsumexp(0), np.array([-np.inf, -np.inf, 1.0, np.inf]), grad=False)
    compare(lambda L, x: L.renorm(x, 2, 0, 1.5), A)
    compare(lambda L, x: x.renorm(1, 1, 0.5), A)


def test_trapezoid():
    xs = np.cumsum(np.abs(V)) + 1
    compare(lambda L, y: L.trapezoid(y), A)
    compare(lambda L, y: L.trapz(y, dx=0.5, dim=0), A)
    compare(lambda L, y, x: L.trapezoid(y, x), A, xs)
    compare(lambda L, y, x: L.trapezoid(y, x, dim=1), A, B)
    compare(lambda L, y: L.cumulative_trapezoid(y), A)
    compare(lambda L, y, x: L.cumulative_trapezoid(y, x), A, xs)
    compare(lambda L, y: L.cumulative_trapezoid(y, dx=2, dim=0), A)


def test_vander():
    # PyTorch's own vander backward raises (an in-place cumprod on its output): values only
    compare(lambda L, x: L.vander(x), W, grad=False)
    compare(lambda L, x: L.vander(x, 3, increasing=True), W, grad=False)
    compare(lambda L, x: L.vander(x, N=0), W, grad=False)
    x = pa.tensor(W, requires_grad=True)
    assert gradcheck(lambda t: pa.vander(t, 4), (x,))
    compare(lambda L: L.vander(L.tensor([1, 2, 3])))


@pytest.mark.parametrize("name", ["hann", "hamming", "blackman", "bartlett", "kaiser"])
def test_windows(name):
    for n in (0, 1, 2, 7, 16):
        for periodic in (True, False):
            compare(lambda L, n=n, p=periodic: getattr(L, f"{name}_window")(n, p), rtol=1e-6,
                    atol=1e-6)  # fmt: skip
            compare(lambda L, n=n, p=periodic: getattr(L, f"{name}_window")(n, p,
                    dtype=L.float64), rtol=1e-12, atol=1e-12)  # fmt: skip


def test_numpy_computed():
    compare(lambda L, x: L.histc(x, bins=5), A, grad=False)
    compare(lambda L, x: x.histc(4, min=-1, max=1), A, grad=False)
    compare(lambda L: L.histc(L.tensor([1.0, 2, 1]), bins=4, min=0, max=3))
    compare(lambda L: L.histc(L.tensor([1, 2, 1]), bins=4))  # ints: both raise
    edges = np.array([-1.0, 0.0, 0.5, 2.0])
    vals = np.array([[-2.0, 0.0, 0.25, 2.0], [3.0, 0.5, -1.0, 1.0]])
    for right in (False, True):
        compare(lambda L, r=right: L.bucketize(L.tensor(vals), L.tensor(edges), right=r))
        compare(lambda L, r=right: L.searchsorted(L.tensor(edges), L.tensor(vals), right=r))
        compare(lambda L, r=right: L.searchsorted(L.tensor(np.sort(vals, 1)), L.tensor(vals),
                                                  right=r, out_int32=True))  # fmt: skip
    compare(lambda L: L.searchsorted(L.tensor(edges), L.tensor(vals), side="right"))
    runs = [1, 1, 2, 2, 2, 3, 1, 1]
    for inv in (False, True):
        for cnt in (False, True):
            compare(lambda L, i=inv, c=cnt: L.unique_consecutive(L.tensor(runs),
                    return_inverse=i, return_counts=c))  # fmt: skip
    m = [[1, 2], [1, 2], [3, 4], [1, 2]]
    compare(lambda L: L.unique_consecutive(L.tensor(m), return_counts=True, dim=0))
    compare(lambda L: L.tensor([12, -18, 0]).gcd(L.tensor([8, 12, 5])))
    compare(lambda L: L.lcm(L.tensor([4, 6, 0]), L.tensor([6, 4, 3])))
    compare(lambda L, x: L.frexp(x), A * 100, grad=False)
    compare(lambda L, x, y: L.nextafter(x, y), A, B, grad=False)


def test_inplace_forms():
    def inplace(L, x, y, name):
        z = x.detach().clone()
        return getattr(z, name + "_")(y.detach())

    for name in ("eq", "ne", "lt", "le", "gt", "ge", "logical_and", "copysign", "hypot",
                 "atan2", "greater", "less_equal", "not_equal", "xlogy"):  # fmt: skip
        compare(lambda L, x, y, n=name: inplace(L, x, y, n), A, np.abs(B))
    compare(lambda L, x: x.detach().clone().cumsum_(1), A)
    compare(lambda L, x: x.detach().clone().cumprod_(0), A)
    compare(lambda L, x: x.detach().clone().logical_not_(), A)


@pytest.mark.parametrize("shape", [(3, 3), (5, 2), (2, 5), (7, 2), (3, 3, 3)])
@pytest.mark.parametrize("wrap", [False, True])
def test_fill_diagonal(shape, wrap):
    compare(lambda L: L.zeros(*shape).fill_diagonal_(2.5, wrap=wrap))


def test_apply_map_and_flags():
    compare(lambda L: L.tensor([1.0, -2.0, 3.0]).apply_(lambda v: v * 2 + 1))
    compare(lambda L: L.tensor([1.0, 2.0]).map_(L.tensor([3.0, 4.0]), lambda a, b: a * b))
    for cls_attr in ("is_sparse", "is_quantized", "is_meta"):
        assert getattr(pa.zeros(2), cls_attr) is False
    a, b = pa.tensor(A), pa.tensor(B)
    assert a.allclose(a + 1e-12) and not a.allclose(b)
    assert a.equal(a.clone()) and not a.equal(b)
    compare(lambda L, x, y: x.isclose(y), A, np.where(A > 0, A, B), grad=False)


def test_aliases():
    small = np.clip(A, -0.9, 0.9)
    for alias in ("arcsin", "arccos", "arctan", "arcsinh", "arctanh", "fix", "negative"):
        compare(lambda L, x, a=alias: getattr(L, a)(x), small)
        compare(lambda L, x, a=alias: getattr(x.detach().clone(), a + "_")(), small)
    compare(lambda L, x: L.arccosh(x), np.abs(A) + 1.1)
    compare(lambda L, x, y: L.arctan2(x, y), A, B)
    compare(lambda L, x: L.sqrt_(x.detach().abs()), A)  # a torch.<op>_ function


def test_functional_forms():
    x = RNG.standard_normal((2, 3, 8))
    w = RNG.standard_normal((4, 3, 3))
    compare(lambda L, a, b: L.conv1d(a, b, None, 1, 1), x, w)
    compare(lambda L, a, b: L.conv2d(a.reshape(2, 3, 2, 4), b.reshape(4, 3, 3, 1)), x, w)
    compare(lambda L, a: L.layer_norm(a, [8]), x)
    compare(lambda L, a: L.group_norm(a, 3), x)
    compare(lambda L, a: L.dropout(a, 0.5, False), x)
    compare(lambda L, a: L.pixel_shuffle(a.reshape(1, 4, 2, 6), 2), x[:, :, :8])
    compare(lambda L, a, b: L.cosine_similarity(a, b), A, B)
    compare(lambda L, a, b: L.pairwise_distance(a, b), A, B)
    compare(lambda L, a: L.pdist(a), A)
    compare(lambda L, a: L.selu(a), A)
    compare(lambda L, a: L.threshold(a, 0.1, 20.0), A)
    compare(lambda L, a: L.max_pool1d(a, 2), x)
    compare(lambda L, a: L.avg_pool1d(a, 2), x)
    compare(lambda L, a: L.adaptive_avg_pool1d(a, 3), x)
    emb = RNG.standard_normal((10, 3))
    compare(lambda L, e: L.embedding(e, L.tensor([[1, 2], [9, 0]])), emb)
    rm, rv = np.zeros(3), np.ones(3)
    compare(lambda L, a: L.batch_norm(a, None, None, L.tensor(rm), L.tensor(rv), False, 0.1,
                                      1e-5, False), x)  # fmt: skip
    compare(lambda L, a: L.instance_norm(a, None, None, None, None, True, 0.1, 1e-5, False), x)


def test_unfold_second_backward_and_no_grad_as_torch():
    """unfold's node saves no tensor (PyTorch's UnfoldBackward0): a second pass after the graph
    was freed runs and accumulates the same gradient, also for an empty input."""
    torch = pytest.importorskip("torch")
    grads = []
    for L in (pa, torch):
        x = L.tensor(A, requires_grad=True)
        y = x.unfold(1, 3, 2)
        w = L.tensor(np.arange(y.numel()).reshape(tuple(y.shape)) * 1.0)
        (y * w).sum().backward()
        (y * w).sum().backward()
        grads.append(np.array(x.grad.numpy()))
        e = L.zeros((0, 1), requires_grad=True)
        z = e.unfold(1, 1, 2)
        z.sum().backward()
        z.sum().backward()
        assert tuple(e.grad.shape) == (0, 1)
    np.testing.assert_array_equal(grads[0], grads[1])


@pytest.mark.parametrize("other", [True, False, 2, 1.5])
def test_rsub_refuses_a_bool_operand_as_torch(other):
    """rsub raises for a Python bool (and a bool tensor), as PyTorch's sub does."""
    compare(lambda L, x: L.rsub(x, other), A)
    compare(lambda L, x: L.rsub(x.detach() > 0, 1), A)
