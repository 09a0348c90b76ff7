"""A call that raises leaves everything as it was: the values and the version counter
(pyautograd._core._version) of its inputs and of every view of them, their .grad, and the graph
(which can then be used again, e.g. a failed backward retried with retain_graph=True)."""

import numpy as np
import pytest
from grad_helpers import to_np as grad_to_np
from helpers import LAYOUTS, assert_tensor, make_tensor, rand_np, to_np

import pyautograd as pa
from pyautograd.autograd import Function

version = pa._core._version


def snapshot(*ts):
    """(values, version, shape, stride, dtype) of each tensor, for before/after comparison."""
    return [(to_np(t).copy(), version(t), tuple(t.shape), t.stride(), t.dtype) for t in ts]


def assert_unchanged(before, *ts):
    after = snapshot(*ts)
    for i, ((v0, ver0, s0, st0, d0), (v1, ver1, s1, st1, d1)) in enumerate(
        zip(before, after, strict=True)
    ):
        assert (s1, st1, d1) == (s0, st0, d0), f"tensor {i}: metadata changed"
        np.testing.assert_array_equal(v1, v0, err_msg=f"tensor {i}: values changed")
        assert ver1 == ver0, f"tensor {i}: version {ver0} -> {ver1}"


# --------------------------------------------------------------------------
# failed in-place ops
# --------------------------------------------------------------------------
# (id, dtype of the target, failing write) -- target t has shape (3, 4)
FAILING_WRITES = [
    ("add_bad_broadcast", pa.float32, lambda t: t.add_(pa.ones(4, 3))),
    ("sub_bad_broadcast", pa.float64, lambda t: t.sub_(pa.ones(2, 1, 4))),
    ("mul_grows_target", pa.float32, lambda t: t.mul_(pa.ones(2, 3, 4))),
    ("div_bad_broadcast", pa.float32, lambda t: t.div_(pa.ones(3))),
    ("iadd_bad_broadcast", pa.float32, lambda t: t.__iadd__(pa.ones(5))),
    ("add_float_into_int", pa.int64, lambda t: t.add_(pa.ones(3, 4))),
    ("add_float_scalar_into_int", pa.int64, lambda t: t.add_(0.5)),
    ("div_int", pa.int64, lambda t: t.div_(2)),
    ("itruediv_int", pa.int64, lambda t: t.__itruediv__(pa.ones(4, dtype=pa.int64))),
    ("mul_int_into_bool", pa.bool, lambda t: t.mul_(pa.ones(4, dtype=pa.int64))),
    ("sub_bool", pa.bool, lambda t: t.sub_(pa.ones(4, dtype=pa.bool))),
    ("pow_float_into_int", pa.int64, lambda t: t.pow_(0.5)),
    ("clamp_no_bounds", pa.float32, lambda t: t.clamp_()),
    ("clamp_bool", pa.bool, lambda t: t.clamp_(min=0)),
    ("copy_bad_shape", pa.float32, lambda t: t.copy_(pa.ones(4, 3))),
    ("copy_grows_target", pa.float64, lambda t: t.copy_(pa.ones(2, 3, 4))),
    ("fill_tensor_value", pa.float32, lambda t: t.fill_(pa.ones(2))),
    ("fill_str", pa.float32, lambda t: t.fill_("x")),
    ("setitem_oob", pa.float32, lambda t: t.__setitem__((1, 9), 1.0)),
    ("setitem_bad_value_shape", pa.float32, lambda t: t.__setitem__(slice(0, 2), pa.ones(3, 3))),
    ("setitem_bad_mask", pa.float32, lambda t: t.__setitem__(pa.tensor([True, False]), 1.0)),
    ("setitem_str_value", pa.int64, lambda t: t.__setitem__(0, "x")),
    ("masked_fill_bad_mask", pa.float32, lambda t: t.masked_fill_(pa.tensor([[True, False]]), 0.0)),
    (
        "masked_fill_int_mask",
        pa.float32,
        lambda t: t.masked_fill_(pa.ones(3, 4, dtype=pa.int64), 0.0),
    ),
    ("masked_fill_bad_value", pa.float32, lambda t: t.masked_fill_(t > 0, "x")),
]


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("case", FAILING_WRITES, ids=[c[0] for c in FAILING_WRITES])
def test_failed_inplace_changes_nothing(case, layout):
    _, d, write = case
    a = rand_np((3, 4), d, np.random.default_rng(0))
    t = make_tensor(a, layout)
    views = [t[1], t[:, 1:3], t.t()]
    before = snapshot(t, *views)
    with pytest.raises((RuntimeError, TypeError, ValueError, IndexError)) as info:
        write(t)
    assert str(info.value).startswith("["), str(info.value)
    assert_unchanged(before, t, *views)
    assert_tensor(t, a)


@pytest.mark.parametrize(
    "op",
    ["add_", "mul_", "zero_", "fill_", "clamp_", "copy_", "setitem", "view_add_", "masked_fill_"],
)
def test_inplace_on_leaf_requiring_grad_changes_nothing(op):
    x = pa.tensor(np.arange(6.0).reshape(2, 3), dtype=pa.float64, requires_grad=True)
    (x * x).sum().backward()
    g = x.grad
    grad_before = grad_to_np(g).copy()
    before = snapshot(x.detach())
    writes = {
        "add_": lambda: x.add_(1.0),
        "mul_": lambda: x.mul_(x),
        "zero_": lambda: x.zero_(),
        "fill_": lambda: x.fill_(2.0),
        "clamp_": lambda: x.clamp_(min=1.0),
        "copy_": lambda: x.copy_(pa.ones(2, 3)),
        "setitem": lambda: x.__setitem__(0, 5.0),
        "view_add_": lambda: x.view(-1).add_(1.0),
        "masked_fill_": lambda: x.masked_fill_(x > 2, 0.0),
    }
    with pytest.raises(RuntimeError, match=r"^\["):
        writes[op]()
    assert_unchanged(before, x.detach())
    assert x.grad is g
    np.testing.assert_array_equal(grad_to_np(x.grad), grad_before)
    assert x.is_leaf and x.requires_grad and x.grad_fn is None


def test_failed_out_of_place_op_leaves_graph_usable():
    x = pa.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=pa.float64, requires_grad=True)
    y = x * 3
    for bad in (
        lambda: y @ pa.ones(3, 3, dtype=pa.float64),
        lambda: y + pa.ones(3),
        lambda: y.view(3),
        lambda: y.sum(5),
        lambda: y[pa.tensor([True])],
    ):
        with pytest.raises((RuntimeError, IndexError)):
            bad()
    assert x.grad is None
    y.sum().backward()
    np.testing.assert_array_equal(grad_to_np(x.grad), np.full((2, 2), 3.0))


# --------------------------------------------------------------------------
# failed backward
# --------------------------------------------------------------------------
def _leaves():
    rng = np.random.default_rng(3)
    w = pa.tensor(rng.standard_normal((3, 4)), dtype=pa.float64, requires_grad=True)
    b = pa.tensor(rng.standard_normal((3, 1)), dtype=pa.float64, requires_grad=True)
    x = pa.tensor(rng.standard_normal((4, 5)), dtype=pa.float64)
    return w, b, x


def _forward(w, b, x):
    return (w.mm(x) + b).tanh()  # (3, 5)


def _expected_grads(gradient):
    w, b, x = _leaves()
    _forward(w, b, x).backward(gradient)
    return grad_to_np(w.grad), grad_to_np(b.grad)


@pytest.mark.parametrize("preexisting_grad", [False, True])
@pytest.mark.parametrize("bad", ["wrong_shape", "too_many_dims", "scalar", "not_a_tensor"])
def test_failed_backward_wrong_gradient_then_retry(bad, preexisting_grad):
    w, b, x = _leaves()
    if preexisting_grad:
        w.grad = pa.ones(3, 4, dtype=pa.float64)
        b.grad = pa.ones(3, 1, dtype=pa.float64) * 2
    g_before = [None if t.grad is None else grad_to_np(t.grad).copy() for t in (w, b)]
    ver_before = [version(w), version(b)]
    out = _forward(w, b, x)
    gradient = pa.tensor(np.linspace(-1, 1, 15).reshape(3, 5), dtype=pa.float64)
    wrong = {
        "wrong_shape": pa.ones(5, 3, dtype=pa.float64),
        "too_many_dims": pa.ones(1, 3, 5, dtype=pa.float64),
        "scalar": pa.tensor(1.0, dtype=pa.float64),
        "not_a_tensor": [[1.0] * 5] * 3,
    }[bad]
    with pytest.raises((RuntimeError, TypeError)):
        out.backward(wrong)
    for t, g0 in zip((w, b), g_before, strict=True):
        if g0 is None:
            assert t.grad is None
        else:
            np.testing.assert_array_equal(grad_to_np(t.grad), g0)
    assert [version(w), version(b)] == ver_before
    # the graph is intact: retrying (twice, keeping the graph the first time) succeeds
    out.backward(gradient, retain_graph=True)
    out.backward(gradient)
    ew, eb = _expected_grads(gradient)
    base_w = g_before[0] if preexisting_grad else 0.0
    base_b = g_before[1] if preexisting_grad else 0.0
    np.testing.assert_allclose(grad_to_np(w.grad), base_w + 2 * ew, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad_to_np(b.grad), base_b + 2 * eb, rtol=1e-12, atol=1e-12)


def test_failed_backward_modified_saved_tensor_changes_no_grad():
    w, b, _ = _leaves()
    w.grad = pa.ones(3, 4, dtype=pa.float64)
    g0 = grad_to_np(w.grad).copy()
    e = (w * 1.0).exp()
    out = (e * b).sum()  # exp saves its result e, mul saves both of its operands
    with pa.no_grad():
        e.add_(1.0)  # invalidates both
    with pytest.raises(RuntimeError, match=r"^\[.*(modified|version)"):
        out.backward()
    np.testing.assert_array_equal(grad_to_np(w.grad), g0)
    assert b.grad is None


class FailingOnce(Function):
    """Multiplies by 2; backward raises while `armed` is set."""

    armed = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * 2

    @staticmethod
    def backward(ctx, g):
        ctx.saved_tensors  # noqa: B018 - saved tensors are usable (not freed) at this point
        if FailingOnce.armed:
            raise ValueError("backward failed on purpose")
        return g * 2


def _failing_graph(first_reaches_leaf):
    """loss over leaves a (through FailingOnce) and b (not). With first_reaches_leaf, b's part
    of the graph is recorded after the failing node, so the engine reaches b first."""
    a = pa.tensor([1.0, -2.0, 3.0], dtype=pa.float64, requires_grad=True)
    b = pa.tensor([0.5, 0.25, 4.0], dtype=pa.float64, requires_grad=True)
    if first_reaches_leaf:
        y = FailingOnce.apply(a)
        z = b * 3
        loss = y.sum() + z.sum()
    else:
        z = b * 3
        y = FailingOnce.apply(a * 1.0)
        loss = (y * z).sum()
    return a, b, loss


def _check_failed_then_retry(first_reaches_leaf):
    a, b, loss = _failing_graph(first_reaches_leaf)
    b.grad = pa.tensor([10.0, 20.0, 30.0], dtype=pa.float64)
    FailingOnce.armed = True
    try:
        with pytest.raises(ValueError, match="on purpose"):
            loss.backward()
        assert a.grad is None, "a failed backward wrote a.grad"
        np.testing.assert_array_equal(
            grad_to_np(b.grad), [10.0, 20.0, 30.0], err_msg="a failed backward changed b.grad"
        )
        FailingOnce.armed = False
        loss.backward(retain_graph=True)
    finally:
        FailingOnce.armed = True
    # reference: the same graph, never failing
    a2, b2, loss2 = _failing_graph(first_reaches_leaf)
    FailingOnce.armed = False
    try:
        loss2.backward()
    finally:
        FailingOnce.armed = True
    np.testing.assert_allclose(grad_to_np(a.grad), grad_to_np(a2.grad), rtol=1e-12)
    np.testing.assert_allclose(
        grad_to_np(b.grad), grad_to_np(b2.grad) + np.array([10.0, 20.0, 30.0]), rtol=1e-12
    )


def test_custom_function_backward_raising_first_then_retry():
    """The failing node runs before any gradient reaches a leaf."""
    _check_failed_then_retry(first_reaches_leaf=False)


def test_custom_function_backward_raising_after_a_leaf_got_its_grad():
    _check_failed_then_retry(first_reaches_leaf=True)


def test_failed_grad_call_leaves_grads_and_graph():
    w, b, x = _leaves()
    w.grad = pa.ones(3, 4, dtype=pa.float64)
    out = _forward(w, b, x)
    with pytest.raises(RuntimeError):
        pa.autograd.grad(out, [w], pa.ones(2, 2, dtype=pa.float64))
    with pytest.raises(RuntimeError):
        pa.autograd.grad(out.sum(), [w, x])  # x does not require grad
    np.testing.assert_array_equal(grad_to_np(w.grad), np.ones((3, 4)))
    assert b.grad is None
    (gw,) = pa.autograd.grad(out.sum(), [w])
    ew, _ = _expected_grads(pa.ones(3, 5, dtype=pa.float64))
    np.testing.assert_allclose(grad_to_np(gw), ew, rtol=1e-12, atol=1e-12)
