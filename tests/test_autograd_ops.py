"""Gradients of every differentiable op, checked against central finite
differences in float64 (tests/grad_helpers.check_grads)."""

import numpy as np
import pytest
from grad_helpers import check_grads, make, randt, shape_of, to_np

import pyautograd as torch


def pos(*shape, seed=0):
    """Strictly positive float64 leaf (values in [0.5, 2])."""
    return randt(*shape, seed=seed, low=0.5, high=2.0)


def away(*shape, seed=0):
    """Float64 leaf whose entries are at least 0.2 away from zero."""
    r = np.random.RandomState(seed)
    a = r.uniform(0.2, 2.0, size=shape) * np.where(r.rand(*shape) < 0.5, -1.0, 1.0)
    return make(a)


def distinct(*shape, seed=0):
    """Float64 leaf with well separated entries (no ties for max/min)."""
    r = np.random.RandomState(seed)
    n = int(np.prod(shape))
    vals = (r.permutation(n) - n / 2.0) * 0.37 + r.uniform(-0.05, 0.05, size=n)
    return make(vals.reshape(shape))


# (id, function, input factory) -- factories are called fresh per test.
CASES = [
    # --- matrix products ---------------------------------------------------
    ("mm", lambda a, b: a.mm(b), lambda: (randt(3, 4, seed=1), randt(4, 2, seed=2))),
    ("torch.mm", lambda a, b: torch.mm(a, b), lambda: (randt(3, 4, seed=1), randt(4, 2, seed=2))),
    ("matmul_2d_2d", lambda a, b: a.matmul(b), lambda: (randt(3, 4, seed=1), randt(4, 2, seed=2))),
    ("matmul_op_2d", lambda a, b: a @ b, lambda: (randt(2, 3, seed=3), randt(3, 5, seed=4))),
    (
        "matmul_1d_2d",
        lambda a, b: torch.matmul(a, b),
        lambda: (randt(4, seed=1), randt(4, 3, seed=2)),
    ),
    (
        "matmul_2d_1d",
        lambda a, b: torch.matmul(a, b),
        lambda: (randt(3, 4, seed=1), randt(4, seed=2)),
    ),
    ("matmul_1d_1d", lambda a, b: a @ b, lambda: (randt(5, seed=1), randt(5, seed=2))),
    (
        "matmul_3d_3d",
        lambda a, b: torch.matmul(a, b),
        lambda: (randt(2, 3, 4, seed=1), randt(2, 4, 2, seed=2)),
    ),
    ("matmul_3d_2d", lambda a, b: a @ b, lambda: (randt(2, 3, 4, seed=1), randt(4, 2, seed=2))),
    # --- views / shape ops ---------------------------------------------------
    ("t", lambda a: a.t(), lambda: (randt(3, 4),)),
    ("t_then_mm", lambda a, b: a.t().mm(b), lambda: (randt(4, 3, seed=1), randt(4, 2, seed=2))),
    ("transpose", lambda a: a.transpose(0, 1), lambda: (randt(3, 4),)),
    ("transpose_3d", lambda a: a.transpose(0, 2) * 1.5, lambda: (randt(2, 3, 4),)),
    ("transpose_neg", lambda a: a.transpose(-1, -2), lambda: (randt(2, 3, 4),)),
    ("view", lambda a: a.view(12), lambda: (randt(3, 4),)),
    ("view_infer", lambda a: a.view(-1, 2), lambda: (randt(3, 4),)),
    ("reshape", lambda a: a.reshape(2, 6), lambda: (randt(3, 4),)),
    ("reshape_noncontig", lambda a: a.t().reshape(12), lambda: (randt(3, 4),)),
    ("expand", lambda a: a.expand(3, 4), lambda: (randt(3, 1),)),
    ("expand_new_dim", lambda a: a.expand(2, 3), lambda: (randt(3),)),
    ("expand_minus1", lambda a: a.expand(-1, 5), lambda: (randt(2, 1),)),
    ("slice_rows", lambda a: a[1:3], lambda: (randt(4, 3),)),
    ("slice_cols", lambda a: a[:, 1:], lambda: (randt(4, 3),)),
    ("slice_step", lambda a: a[:, ::2], lambda: (randt(3, 5),)),
    ("slice_both", lambda a: a[1:, :2], lambda: (randt(4, 3),)),
    ("index_int", lambda a: a[1], lambda: (randt(4, 3),)),
    ("index_neg_int", lambda a: a[-1], lambda: (randt(4, 3),)),
    ("index_int_int", lambda a: a[1, 2], lambda: (randt(4, 3),)),
    ("index_col", lambda a: a[:, 1], lambda: (randt(4, 3),)),
    # --- arithmetic with broadcasting ---------------------------------------
    ("add", lambda a, b: a + b, lambda: (randt(2, 3, seed=1), randt(2, 3, seed=2))),
    ("add_bcast", lambda a, b: a + b, lambda: (randt(3, 1, seed=1), randt(1, 4, seed=2))),
    ("sub_bcast", lambda a, b: a - b, lambda: (randt(2, 3, seed=1), randt(3, seed=2))),
    ("sub_bcast_rev", lambda a, b: b - a, lambda: (randt(2, 3, seed=1), randt(3, seed=2))),
    ("mul_bcast", lambda a, b: a * b, lambda: (randt(2, 3, seed=1), randt(1, 3, seed=2))),
    ("mul_bcast_3d", lambda a, b: a * b, lambda: (randt(2, 1, 3, seed=1), randt(4, 1, seed=2))),
    ("div", lambda a, b: a / b, lambda: (randt(2, 3, seed=1), pos(2, 3, seed=2))),
    ("div_bcast", lambda a, b: a / b, lambda: (randt(2, 3, seed=1), pos(2, 1, seed=2))),
    ("mul_0d", lambda a, s: a * s, lambda: (randt(2, 3, seed=1), make(1.7))),
    ("add_scalar", lambda a: a + 2, lambda: (randt(2, 3),)),
    ("radd_scalar", lambda a: 2.5 + a, lambda: (randt(2, 3),)),
    ("sub_scalar", lambda a: a - 2, lambda: (randt(2, 3),)),
    ("rsub_scalar", lambda a: 2.5 - a, lambda: (randt(2, 3),)),
    ("mul_scalar", lambda a: a * 3, lambda: (randt(2, 3),)),
    ("rmul_scalar", lambda a: 1.5 * a, lambda: (randt(2, 3),)),
    ("div_scalar", lambda a: a / 4, lambda: (randt(2, 3),)),
    ("rdiv_scalar", lambda a: 2.0 / a, lambda: (away(2, 3),)),
    ("neg", lambda a: -a, lambda: (randt(2, 3),)),
    ("neg_method", lambda a: a.neg(), lambda: (randt(2, 3),)),
    # --- pow -----------------------------------------------------------------
    ("pow_2", lambda a: a.pow(2), lambda: (randt(2, 3),)),
    ("pow_op_3", lambda a: a**3, lambda: (randt(2, 3),)),
    ("pow_half", lambda a: a**0.5, lambda: (pos(2, 3),)),
    ("pow_neg", lambda a: a.pow(-1.5), lambda: (pos(2, 3),)),
    ("pow_tensor", lambda a, b: a.pow(b), lambda: (pos(2, 3, seed=1), randt(2, 3, seed=2))),
    ("pow_tensor_op_bcast", lambda a, b: a**b, lambda: (pos(2, 3, seed=1), randt(3, seed=2))),
    # --- elementwise ---------------------------------------------------------
    ("abs", lambda a: a.abs(), lambda: (away(2, 3),)),
    ("torch.abs", lambda a: torch.abs(a), lambda: (away(2, 3),)),
    ("exp", lambda a: a.exp(), lambda: (randt(2, 3),)),
    ("torch.exp", lambda a: torch.exp(a), lambda: (randt(2, 3),)),
    ("log", lambda a: a.log(), lambda: (pos(2, 3),)),
    ("torch.log", lambda a: torch.log(a), lambda: (pos(2, 3),)),
    ("sqrt", lambda a: a.sqrt(), lambda: (pos(2, 3),)),
    ("torch.sqrt", lambda a: torch.sqrt(a), lambda: (pos(2, 3),)),
    ("tanh", lambda a: a.tanh(), lambda: (randt(2, 3),)),
    ("torch.tanh", lambda a: torch.tanh(a), lambda: (randt(2, 3),)),
    ("sigmoid", lambda a: a.sigmoid(), lambda: (randt(2, 3),)),
    ("torch.sigmoid", lambda a: torch.sigmoid(a), lambda: (randt(2, 3),)),
    ("relu", lambda a: a.relu(), lambda: (away(3, 4),)),
    ("torch.relu", lambda a: torch.relu(a), lambda: (away(3, 4),)),
    ("clamp_min", lambda a: a.clamp(min=0), lambda: (away(3, 4),)),
    ("clamp_max", lambda a: a.clamp(max=0.5), lambda: (away(3, 4),)),
    ("clamp_both", lambda a: a.clamp(min=-0.9, max=0.9), lambda: (away(4, 4, seed=3),)),
    ("clamp_positional", lambda a: a.clamp(-0.9, 0.9), lambda: (away(4, 4, seed=3),)),
    ("torch.clamp", lambda a: torch.clamp(a, min=-0.9, max=0.9), lambda: (away(4, 4, seed=3),)),
    # --- reductions ----------------------------------------------------------
    ("sum_all", lambda a: a.sum(), lambda: (randt(3, 4),)),
    ("torch.sum_all", lambda a: torch.sum(a), lambda: (randt(3, 4),)),
    ("sum_dim0", lambda a: a.sum(0), lambda: (randt(3, 4),)),
    ("sum_dim1_keepdim", lambda a: a.sum(1, keepdim=True), lambda: (randt(3, 4),)),
    ("sum_negdim", lambda a: a.sum(dim=-1), lambda: (randt(3, 4),)),
    ("sum_negdim_keepdim_3d", lambda a: a.sum(-2, keepdim=True), lambda: (randt(2, 3, 4),)),
    ("torch.sum_dim_keepdim", lambda a: torch.sum(a, 1, keepdim=True), lambda: (randt(3, 4),)),
    ("mean_all", lambda a: a.mean(), lambda: (randt(3, 4),)),
    ("torch.mean_all", lambda a: torch.mean(a), lambda: (randt(3, 4),)),
    ("mean_dim0", lambda a: a.mean(0), lambda: (randt(3, 4),)),
    ("mean_dim1_keepdim", lambda a: a.mean(1, keepdim=True), lambda: (randt(3, 4),)),
    ("mean_negdim_3d", lambda a: a.mean(dim=-3), lambda: (randt(2, 3, 4),)),
    ("max_all", lambda a: a.max(), lambda: (distinct(3, 4),)),
    ("max_dim", lambda a: a.max(1)[0], lambda: (distinct(3, 4),)),
    ("max_dim_keepdim", lambda a: a.max(dim=0, keepdim=True)[0], lambda: (distinct(3, 4),)),
    ("max_negdim", lambda a: a.max(-1)[0], lambda: (distinct(2, 3, 4),)),
    ("min_all", lambda a: a.min(), lambda: (distinct(3, 4),)),
    ("min_dim", lambda a: a.min(0)[0], lambda: (distinct(3, 4),)),
    ("min_dim_keepdim", lambda a: a.min(dim=1, keepdim=True)[0], lambda: (distinct(3, 4),)),
    ("min_negdim_keepdim", lambda a: a.min(-2, keepdim=True)[0], lambda: (distinct(2, 3, 4),)),
    # --- misc ------------------------------------------------------------------
    (
        "where",
        lambda a, b: torch.where(a > b, a, b),
        lambda: (distinct(3, 4, seed=1), distinct(3, 4, seed=2)),
    ),
    (
        "where_bcast",
        lambda a, b: torch.where(a > 0, a * 2, b),
        lambda: (away(2, 3, seed=1), randt(1, 3, seed=2)),
    ),
    ("clone", lambda a: a.clone() * 2, lambda: (randt(2, 3),)),
    ("contiguous", lambda a: a.t().contiguous() * 2, lambda: (randt(2, 3),)),
]


@pytest.mark.parametrize("fn,factory", [(c[1], c[2]) for c in CASES], ids=[c[0] for c in CASES])
def test_op_gradient_matches_finite_differences(fn, factory):
    inputs = factory()
    check_grads(fn, *inputs)


def test_mask_indexing_read_gradient():
    a = randt(4, 5, seed=7)
    mask = to_np(a) > 0.1
    mask_t = torch.tensor(mask.tolist())
    out = a[mask_t]
    assert shape_of(out) == (int(mask.sum()),)
    check_grads(lambda a: a[mask_t], a)
    # gradient is exactly the scattered weights: 1 where selected, 0 elsewhere
    a.grad = None
    a[mask_t].sum().backward()
    np.testing.assert_array_equal(to_np(a.grad), mask.astype(np.float64))


def test_mask_from_comparison_of_same_tensor():
    a = randt(3, 4, seed=8)
    a.grad = None
    (a[a > 0] * 3).sum().backward()
    np.testing.assert_allclose(to_np(a.grad), 3.0 * (to_np(a) > 0))


# --- composite cases ---------------------------------------------------------


def test_broadcast_gradient_shapes_reduce_to_input_shapes():
    a = randt(3, 1, seed=1)
    b = randt(1, 4, seed=2)
    c = randt(4, seed=3)
    s = make(0.3)
    out = ((a + b) * c - s).sum()
    out.backward()
    assert shape_of(a.grad) == (3, 1)
    assert shape_of(b.grad) == (1, 4)
    assert shape_of(c.grad) == (4,)
    assert shape_of(s.grad) == ()
    # d/ds of -(sum of 12 copies of s) = -12
    assert s.grad.item() == pytest.approx(-12.0)
    np.testing.assert_allclose(to_np(c.grad), (to_np(a) + to_np(b)).sum(axis=0))
    check_grads(lambda a, b, c, s: (a + b) * c - s, a, b, c, s)


def test_reused_input_x_times_x_plus_x():
    x = randt(2, 3, seed=5)
    check_grads(lambda x: x * x + x, x)
    x.grad = None
    (x * x + x).sum().backward()
    np.testing.assert_allclose(to_np(x.grad), 2 * to_np(x) + 1, rtol=1e-12)


def test_reused_input_square_matmul_and_branches():
    x = randt(3, 3, seed=6)
    check_grads(lambda x: x.mm(x), x)
    check_grads(lambda x: x.exp() * x + x.t() - x.sum(0), x)
    check_grads(lambda x: (x.tanh() * x.sigmoid()).mm(x.t()) / (x * x + 1), x)


def _noncontig_transposed():
    base = randt(4, 3, seed=11, requires_grad=False)
    x = base.t()
    x.requires_grad_()
    return x  # (3, 4), non-contiguous leaf


def _noncontig_sliced():
    base = randt(3, 8, seed=12, requires_grad=False)
    x = base[:, ::2]
    x.requires_grad_()
    return x  # (3, 4), non-contiguous leaf


NONCONTIG_FNS = [
    ("mm", lambda x, w: x.mm(w)),
    ("matmul_t", lambda x, w: x.t() @ x.mm(w)),
    ("exp", lambda x, w: x.exp()),
    ("add_bcast", lambda x, w: x + w[:, 0]),
    ("mul_self", lambda x, w: x * x),
    ("sum0", lambda x, w: x.sum(0)),
    ("mean1k", lambda x, w: x.mean(1, keepdim=True)),
    ("max1", lambda x, w: x.max(1)[0]),
    ("clamp", lambda x, w: x.clamp(min=-0.3, max=0.8)),
    ("pow", lambda x, w: x.pow(3)),
    ("reshape", lambda x, w: x.reshape(6, 2) * 2),
    ("contiguous_view", lambda x, w: x.contiguous().view(12)),
    ("slice", lambda x, w: x[1:, ::2]),
]


@pytest.mark.parametrize(
    "make_x", [_noncontig_transposed, _noncontig_sliced], ids=["transposed", "sliced"]
)
@pytest.mark.parametrize("fn", [f for _, f in NONCONTIG_FNS], ids=[n for n, _ in NONCONTIG_FNS])
def test_noncontiguous_inputs(make_x, fn):
    x = make_x()
    assert x.is_leaf and x.requires_grad
    assert not x.is_contiguous()
    w = randt(4, 2, seed=13, requires_grad=False)
    check_grads(fn, x, w)


# --- clamp boundaries: gradient passes where min <= x <= max (inclusive) -----


def test_clamp_min_boundary_included():
    x = torch.tensor([-1.0, 0.0, 1.0], requires_grad=True)
    x.clamp(min=0).sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 1.0]


def test_clamp_max_boundary_included():
    x = torch.tensor([-1.0, 0.0, 1.0], requires_grad=True)
    x.clamp(max=0).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 0.0]


def test_clamp_both_boundaries_included():
    x = torch.tensor([-1.0, -0.5, 0.0, 0.5, 1.0, 2.0], requires_grad=True)
    torch.clamp(x, min=-0.5, max=1.0).sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 1.0, 1.0, 1.0, 0.0]
    x2 = torch.tensor([-1.0, -0.5, 0.0, 0.5, 1.0, 2.0], dtype=torch.float64, requires_grad=True)
    (x2.clamp(-0.5, 1.0) * 3).sum().backward()
    assert x2.grad.tolist() == [0.0, 3.0, 3.0, 3.0, 3.0, 0.0]


# --- non-differentiable ops --------------------------------------------------


@pytest.mark.parametrize(
    "op",
    [
        lambda a, b: a > b,
        lambda a, b: a < b,
        lambda a, b: a >= b,
        lambda a, b: a <= b,
        lambda a, b: a == b,
        lambda a, b: a != b,
        lambda a, b: a > 0,
        lambda a, b: a < 0.5,
        lambda a, b: a == 1,
    ],
    ids=["gt", "lt", "ge", "le", "eq", "ne", "gt_scalar", "lt_scalar", "eq_scalar"],
)
def test_comparisons_do_not_require_grad(op):
    a = randt(2, 3, seed=1)
    b = randt(2, 3, seed=2)
    m = op(a, b)
    assert m.requires_grad is False
    assert m.grad_fn is None


def test_mask_selection_result_requires_grad_but_mask_does_not():
    a = randt(2, 3, seed=1)
    mask = a > 0
    assert not mask.requires_grad
    sel = torch.where(mask, a, a * 0)
    assert sel.requires_grad
    assert a[mask].requires_grad
