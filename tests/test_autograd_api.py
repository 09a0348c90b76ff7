"""Python API: Variable (legacy), item()/data[0], custom autograd.Function,
autograd.grad and autograd.gradcheck."""

import numpy as np
import pytest
from grad_helpers import check_grads, make, randt, shape_of, skip_standin, to_np

import pyautograd as torch
import pyautograd.autograd as autograd
from pyautograd.autograd import Function, Variable

# --- Variable -------------------------------------------------------------------


def test_variable_wraps_tensor():
    t = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    v = Variable(t, requires_grad=False)
    assert v.requires_grad is False
    assert v.data.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert v.grad is None
    assert Variable(torch.tensor([1.0])).requires_grad is False


def test_variable_requires_grad_backward_and_zero():
    w = Variable(torch.tensor([[1.0, 2.0], [3.0, 4.0]]), requires_grad=True)
    x = Variable(torch.tensor([[1.0], [-1.0]]), requires_grad=False)
    assert w.requires_grad and w.is_leaf
    loss = w.mm(x).pow(2).sum()
    loss.backward()
    # d/dw sum((w x)^2) = 2 (w x) x^T ; w x = [[-1], [-1]]
    assert w.grad.data.tolist() == [[-2.0, 2.0], [-2.0, 2.0]]
    assert x.grad is None
    w.data -= 0.5 * w.grad.data
    assert w.data.tolist() == [[2.0, 1.0], [4.0, 3.0]]
    w.grad.data.zero_()
    assert w.grad.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    w.mm(x).sum().backward()
    assert w.grad.tolist() == [[1.0, -1.0], [1.0, -1.0]]


def test_loss_item():
    x = make([1.0, 2.0, 3.0])
    loss = (x * x).sum()
    assert shape_of(loss) == ()
    v = loss.item()
    assert isinstance(v, float)
    assert v == 14.0


@skip_standin
def test_legacy_loss_data_index_zero_returns_python_number():
    x = make([1.0, 2.0, 3.0])
    loss = (x * x).sum()
    v = loss.data[0]
    assert isinstance(v, float)
    assert v == loss.item() == 14.0
    f = torch.tensor([1.5, -2.0]).sum()
    assert f.data[0] == -0.5


# --- custom Function --------------------------------------------------------------


class MyReLU(Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        grad_input = grad_output.clone()
        grad_input[input < 0] = 0
        return grad_input


class MyMulAdd(Function):
    """out = a * b + c (elementwise, same shapes)"""

    @staticmethod
    def forward(ctx, a, b, c):
        ctx.save_for_backward(a, b)
        return a * b + c

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        return g * b, g * a, g


class WrongSquare(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x  # deliberately wrong: should be 2 * g * x


def test_custom_function_forward_backward():
    x = make([[-1.5, 2.0], [0.5, -0.25]])
    y = MyReLU.apply(x)
    assert y.requires_grad
    assert y.grad_fn is not None
    assert y.tolist() == [[0.0, 2.0], [0.5, 0.0]]
    (y * make([[1.0, 2.0], [3.0, 4.0]], requires_grad=False)).sum().backward()
    assert x.grad.tolist() == [[0.0, 2.0], [3.0, 0.0]]


def test_custom_function_matches_finite_differences():
    a = randt(2, 3, seed=1)
    b = randt(2, 3, seed=2)
    c = randt(2, 3, seed=3)
    check_grads(lambda a, b, c: MyMulAdd.apply(a, b, c), a, b, c)
    x = randt(3, 4, seed=4)
    check_grads(lambda x: MyReLU.apply(x * 2) * x, x)


def test_custom_function_under_no_grad_and_without_grad_inputs():
    x = make([1.0, -1.0], requires_grad=False)
    assert MyReLU.apply(x).requires_grad is False
    xg = make([1.0, -1.0])
    with torch.no_grad():
        assert MyReLU.apply(xg).requires_grad is False


def test_custom_relu_trains_seed_network():
    torch.manual_seed(0)
    M, input_size, hidden_size, output_size = 64, 1000, 100, 10
    x = Variable(torch.randn(input_size, M), requires_grad=False)
    y = Variable(torch.randn(output_size, M), requires_grad=False)
    w1 = Variable(torch.randn(hidden_size, input_size), requires_grad=True)
    w2 = Variable(torch.randn(output_size, hidden_size), requires_grad=True)
    b1 = Variable(torch.randn(hidden_size, 1), requires_grad=True)
    b2 = Variable(torch.randn(output_size, 1), requires_grad=True)
    params = [w1, w2, b1, b2]
    lr = 1e-6
    losses = []
    for _ in range(100):
        y_pred = w2.mm(MyReLU.apply(w1.mm(x) + b1)) + b2
        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        for p in params:
            p.data -= lr * p.grad.data
            p.grad.data.zero_()
    assert losses[0] > 1000
    assert all(np.isfinite(losses))
    assert losses[-1] < losses[0] / 1000
    assert losses[-1] < losses[50] < losses[10]


# --- autograd.grad ------------------------------------------------------------------


def test_autograd_grad_returns_tuple_and_does_not_touch_grad():
    x = randt(2, 3, seed=1)
    w = randt(2, 3, seed=2)
    out = (x * w).sum()
    gs = autograd.grad(out, [x, w])
    assert isinstance(gs, tuple) and len(gs) == 2
    np.testing.assert_allclose(to_np(gs[0]), to_np(w))
    np.testing.assert_allclose(to_np(gs[1]), to_np(x))
    assert x.grad is None and w.grad is None


def test_autograd_grad_single_tensor_input():
    x = randt(3, seed=1)
    gs = autograd.grad((x * x).sum(), x)
    assert isinstance(gs, tuple) and len(gs) == 1
    np.testing.assert_allclose(to_np(gs[0]), 2 * to_np(x))
    assert x.grad is None


def test_autograd_grad_with_grad_outputs():
    x = randt(2, 2, seed=1)
    y = x * 3
    g = make([[1.0, 2.0], [3.0, 4.0]], requires_grad=False)
    (gx,) = autograd.grad(y, (x,), grad_outputs=g)
    np.testing.assert_allclose(to_np(gx), 3 * to_np(g))
    with pytest.raises(RuntimeError):
        autograd.grad(x * 3, (x,))  # non-scalar without grad_outputs


def test_autograd_grad_retain_graph():
    x = randt(3, seed=1)
    out = x.exp().sum()
    (g1,) = autograd.grad(out, (x,), retain_graph=True)
    (g2,) = autograd.grad(out, (x,))
    np.testing.assert_allclose(to_np(g1), to_np(g2))
    np.testing.assert_allclose(to_np(g1), np.exp(to_np(x)))
    with pytest.raises(RuntimeError):
        autograd.grad(out, (x,))


def test_autograd_grad_allow_unused():
    x = randt(3, seed=1)
    z = randt(3, seed=2)
    with pytest.raises(RuntimeError):
        autograd.grad((x * 2).sum(), (x, z))
    gx, gz = autograd.grad((x * 2).sum(), (x, z), allow_unused=True)
    np.testing.assert_allclose(to_np(gx), np.full(3, 2.0))
    assert gz is None


def test_autograd_grad_wrt_intermediate():
    x = randt(3, seed=1)
    h = x * 2
    out = (h * h).sum()
    (gh,) = autograd.grad(out, (h,))
    np.testing.assert_allclose(to_np(gh), 2 * to_np(h))
    assert x.grad is None


# --- autograd.gradcheck -----------------------------------------------------------------


def test_gradcheck_true_for_correct_functions():
    a = randt(3, 4, seed=1)
    b = randt(4, 2, seed=2)
    assert autograd.gradcheck(lambda a, b: (a.mm(b)).tanh(), (a, b)) is True
    x = randt(2, 3, seed=3)
    assert autograd.gradcheck(lambda x: x * x + x.exp(), (x,)) is True
    assert autograd.gradcheck(lambda x: MyReLU.apply(x), (randt(3, 3, seed=5),)) is True


def test_gradcheck_detects_wrong_backward():
    x = randt(3, seed=4)
    try:
        ok = autograd.gradcheck(lambda x: WrongSquare.apply(x), (x,))
    except (RuntimeError, AssertionError):
        ok = False
    assert ok is False


def test_own_numeric_checker_rejects_wrong_backward():
    # sanity check of tests/grad_helpers.check_grads itself
    x = randt(3, seed=4)
    with pytest.raises(AssertionError):
        check_grads(lambda x: WrongSquare.apply(x), x)
    check_grads(lambda x: x * x, x)
