"""In-place safety: version counters of saved tensors, in-place ops on leaves
that require grad, and ``.data`` as the legal escape hatch."""

import re

import numpy as np
import pytest
from grad_helpers import randt, skip_standin, to_np

import pyautograd as torch


def _check_version_error(msg, op_names):
    low = msg.lower()
    assert "version" in low, msg
    # the shape (2, 3) of the modified tensor, in any common notation
    assert re.search(r"2\s*[,x\u00d7]\s*3", msg), msg
    # names the op: the one that saved the tensor or the in-place op
    assert any(n in low for n in op_names), msg


def test_modified_saved_input_raises_on_backward():
    leaf = randt(2, 3, seed=1, low=0.5, high=2.0)
    a = leaf * 1
    b = a.log()  # log saves its input `a`
    a.add_(2)  # ... which is now modified in place
    with pytest.raises(RuntimeError) as ei:
        b.sum().backward()
    _check_version_error(str(ei.value), ("log", "add"))


def test_modified_saved_output_raises_on_backward():
    leaf = randt(2, 3, seed=2)
    a = leaf * 1
    b = a.exp()  # exp saves its output `b`
    b.mul_(2)
    with pytest.raises(RuntimeError) as ei:
        b.sum().backward()
    _check_version_error(str(ei.value), ("exp", "mul"))


def test_modified_saved_mm_operand_raises():
    w = randt(2, 3, seed=3)
    x = randt(3, 2, seed=4)
    h = w * 1
    out = h.mm(x)  # mm saves h (for grad of x)
    h.sub_(1)
    with pytest.raises(RuntimeError) as ei:
        out.sum().backward()
    _check_version_error(str(ei.value), ("mm", "sub"))


@skip_standin
def test_version_error_message_names_op_in_brackets_or_backward():
    leaf = randt(2, 3, seed=1, low=0.5, high=2.0)
    a = leaf * 1
    b = a.log()
    a.add_(2)
    with pytest.raises(RuntimeError) as ei:
        b.sum().backward()
    msg = str(ei.value)
    assert re.match(r"\[\w+\]", msg) or re.search(r"\w+Backward", msg), msg


def test_inplace_on_unsaved_tensor_is_fine():
    leaf = randt(2, 3, seed=5)
    a = leaf * 2
    b = a + 1  # add does not need `a` for backward
    a.mul_(10)
    b.sum().backward()
    np.testing.assert_allclose(to_np(leaf.grad), np.full((2, 3), 2.0))


def test_inplace_on_leaf_requiring_grad_raises():
    w = randt(2, 3, seed=6)
    before = to_np(w).copy()
    with pytest.raises(RuntimeError):
        w.add_(1)
    with pytest.raises(RuntimeError):
        w.mul_(2)
    with pytest.raises(RuntimeError):
        w -= 1
    with pytest.raises(RuntimeError):
        w.zero_()
    np.testing.assert_array_equal(to_np(w), before)


def test_inplace_on_leaf_allowed_under_no_grad():
    w = randt(2, 3, seed=7)
    x = randt(3, seed=8, requires_grad=False)
    (w * x).sum().backward()
    g = to_np(w.grad).copy()
    before = to_np(w).copy()
    lr = 0.1
    with torch.no_grad():
        w -= lr * w.grad
    assert w.requires_grad and w.is_leaf and w.grad_fn is None
    np.testing.assert_allclose(to_np(w), before - lr * g)
    # grad untouched by the update; a new forward/backward works
    np.testing.assert_allclose(to_np(w.grad), g)
    w.grad.zero_()
    (w * w).sum().backward()
    np.testing.assert_allclose(to_np(w.grad), 2 * to_np(w))


def test_data_write_is_legal_escape_hatch():
    leaf = randt(2, 3, seed=9, low=0.5, high=2.0)
    a = leaf * 1
    b = a.log()  # saves a
    a.data.mul_(2)  # not tracked: no version error
    b.sum().backward()
    # log's saved input shares storage with `a`, so the gradient sees the write
    np.testing.assert_allclose(to_np(leaf.grad), 1.0 / (2 * to_np(leaf)), rtol=1e-12)


def test_leaf_data_write_between_forward_and_backward():
    w = randt(2, 3, seed=10)
    x = randt(3, 2, seed=11, requires_grad=False)
    out = w.mm(x).sum()
    w.data -= 0.01 * w.data  # seed-program style update
    out.backward()
    np.testing.assert_allclose(to_np(w.grad), np.tile(to_np(x).sum(axis=1), (2, 1)))


@pytest.mark.parametrize("op", ["expm1_", "exp_", "sigmoid_", "tanh_"])
def test_inplace_op_saving_its_result_sees_a_later_write(op):
    """expm1_/exp_/sigmoid_/tanh_ save their result (self), as PyTorch's nodes: a later in-place
    write into self makes backward raise "modified by an inplace operation"."""
    real = pytest.importorskip("torch")
    for L in (torch, real):
        x = L.tensor([[0.5, 2.0]], requires_grad=True)
        y = x * 1.0
        getattr(y, op)()
        y.add_(4)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            L.autograd.grad(y.sum(), [x])
        y = x * 1.0
        getattr(y, op)()
        (g,) = L.autograd.grad(y.sum(), [x])  # unmodified: fine
        assert tuple(g.shape) == (1, 2)


def test_cumprod_saves_its_result():
    """PyTorch's CumprodBackward0 saves self and result: writing into the result, then
    backward, raises in both."""
    real = pytest.importorskip("torch")
    for L in (torch, real):
        x = L.tensor([[[5.0], [2.0]]], requires_grad=True)
        y = L.cumprod(x, dim=-2)
        y[:, ::3] = -2.5
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            (y * 2).sum().backward()
