"""Autograd semantics: accumulation, retain_graph, grad modes, detach/.data,
retain_grad, leaves, grad_fn names, requires_grad propagation."""

import threading
import warnings

import numpy as np
import pytest
from grad_helpers import grad_fn_name, make, randt, shape_of, to_np

import pyautograd as torch

# --- accumulation & retain_graph -------------------------------------------


def test_gradients_accumulate_across_backward_calls():
    x = randt(2, 3, seed=1)
    (x * 3).sum().backward()
    np.testing.assert_allclose(to_np(x.grad), np.full((2, 3), 3.0))
    (x * x).sum().backward()  # a new graph: grads add up
    np.testing.assert_allclose(to_np(x.grad), 3.0 + 2 * to_np(x))


def test_grad_settable_to_none_resets_accumulation():
    x = randt(3, seed=2)
    (x * 2).sum().backward()
    x.grad = None
    assert x.grad is None
    (x * 5).sum().backward()
    np.testing.assert_allclose(to_np(x.grad), np.full(3, 5.0))


def test_grad_zero_then_backward():
    x = randt(3, seed=2)
    (x * 2).sum().backward()
    x.grad.zero_()
    np.testing.assert_array_equal(to_np(x.grad), np.zeros(3))
    (x * 7).sum().backward()
    np.testing.assert_allclose(to_np(x.grad), np.full(3, 7.0))


def _saving_graph(x, w):
    # both mul and exp save tensors for backward
    return (x * w).exp().sum()


def test_second_backward_without_retain_graph_raises():
    x = randt(2, 3, seed=1)
    w = randt(2, 3, seed=2)
    loss = _saving_graph(x, w)
    loss.backward()
    with pytest.raises(RuntimeError) as ei:
        loss.backward()
    msg = str(ei.value).lower()
    assert "second time" in msg or "retain_graph" in msg, msg


def test_retain_graph_allows_second_backward_and_accumulates():
    x = randt(2, 3, seed=1)
    w = randt(2, 3, seed=2)
    loss = _saving_graph(x, w)
    loss.backward(retain_graph=True)
    g1 = to_np(x.grad).copy()
    expected = to_np(w) * np.exp(to_np(x) * to_np(w))
    np.testing.assert_allclose(g1, expected, rtol=1e-12)
    loss.backward(retain_graph=True)
    np.testing.assert_allclose(to_np(x.grad), 2 * expected, rtol=1e-12)
    loss.backward()  # last one frees
    np.testing.assert_allclose(to_np(x.grad), 3 * expected, rtol=1e-12)
    with pytest.raises(RuntimeError):
        loss.backward()


def test_backward_on_non_scalar_without_gradient_raises():
    x = randt(2, 3, seed=1)
    y = x * 2
    with pytest.raises(RuntimeError):
        y.backward()
    assert x.grad is None


def test_backward_on_non_scalar_with_gradient():
    x = randt(2, 3, seed=1)
    y = x * x
    g = make(np.arange(6.0).reshape(2, 3), requires_grad=False)
    y.backward(gradient=g)
    np.testing.assert_allclose(to_np(x.grad), 2 * to_np(x) * np.arange(6.0).reshape(2, 3))
    x2 = randt(2, 3, seed=1)
    (x2 * 4).backward(g)  # positional
    np.testing.assert_allclose(to_np(x2.grad), 4 * np.arange(6.0).reshape(2, 3))


def test_backward_on_0d_and_one_element_is_implicit():
    x = randt(3, seed=1)
    y = (x * 2).sum()
    assert shape_of(y) == ()
    y.backward()
    np.testing.assert_allclose(to_np(x.grad), np.full(3, 2.0))


# --- grad mode ------------------------------------------------------------------


def test_no_grad_context_manager():
    x = randt(3, seed=1)
    assert torch.is_grad_enabled()
    with torch.no_grad():
        assert not torch.is_grad_enabled()
        y = x * 2
    assert torch.is_grad_enabled()
    assert y.requires_grad is False
    assert y.grad_fn is None
    z = x * 2
    assert z.requires_grad is True


def test_no_grad_restores_state_after_exception():
    with pytest.raises(ValueError):
        with torch.no_grad():
            raise ValueError("boom")
    assert torch.is_grad_enabled()


def test_no_grad_decorator():
    x = randt(3, seed=1)

    @torch.no_grad()
    def f(t):
        assert not torch.is_grad_enabled()
        return t * 2

    y = f(x)
    assert y.requires_grad is False
    assert torch.is_grad_enabled()
    assert (x * 2).requires_grad


def test_enable_grad_inside_no_grad():
    x = randt(3, seed=1)
    with torch.no_grad():
        with torch.enable_grad():
            assert torch.is_grad_enabled()
            y = x * 2
        assert not torch.is_grad_enabled()
        z = x * 2
    assert y.requires_grad and y.grad_fn is not None
    assert not z.requires_grad
    y.sum().backward()
    np.testing.assert_allclose(to_np(x.grad), np.full(3, 2.0))


def test_set_grad_enabled_as_function():
    x = randt(3, seed=1)
    try:
        torch.set_grad_enabled(False)
        assert not torch.is_grad_enabled()
        assert not (x * 2).requires_grad
        torch.set_grad_enabled(True)
        assert torch.is_grad_enabled()
        assert (x * 2).requires_grad
    finally:
        torch.set_grad_enabled(True)


def test_set_grad_enabled_as_context_manager():
    x = randt(3, seed=1)
    with torch.set_grad_enabled(False):
        assert not torch.is_grad_enabled()
        a = x * 2
        with torch.set_grad_enabled(True):
            assert torch.is_grad_enabled()
            b = x * 2
        assert not torch.is_grad_enabled()
    assert torch.is_grad_enabled()
    assert not a.requires_grad
    assert b.requires_grad


def test_grad_mode_is_per_thread():
    x = randt(3, seed=1)
    seen = {}

    def worker():
        seen["enabled"] = torch.is_grad_enabled()
        seen["requires_grad"] = (x * 2).requires_grad

    with torch.no_grad():
        t = threading.Thread(target=worker)
        t.start()
        t.join()
        assert not torch.is_grad_enabled()
    assert seen == {"enabled": True, "requires_grad": True}


def test_no_grad_in_other_thread_does_not_leak():
    started = threading.Event()
    release = threading.Event()

    def worker():
        with torch.no_grad():
            started.set()
            release.wait(10)

    t = threading.Thread(target=worker)
    t.start()
    try:
        assert started.wait(10)
        assert torch.is_grad_enabled()
        x = randt(3, seed=1)
        assert (x * 2).requires_grad
    finally:
        release.set()
        t.join()


# --- detach / .data / requires_grad_ --------------------------------------------


def test_detach_shares_storage_and_does_not_require_grad():
    x = randt(2, 3, seed=1)
    y = x * 2
    d = y.detach()
    assert d.requires_grad is False
    assert d.grad_fn is None
    assert d.is_leaf
    d[0, 0] = 42.0
    assert y[0, 0].item() == 42.0
    dx = x.detach()
    dx[1, 2] = -7.0
    assert x[1, 2].item() == -7.0


def test_detach_cuts_the_graph():
    x = randt(3, seed=1)
    y = x * 3
    z = y.detach() * x  # gradient only through the second factor
    z.sum().backward()
    np.testing.assert_allclose(to_np(x.grad), 3 * to_np(x))


def test_data_shares_storage_and_is_not_tracked():
    x = randt(2, 3, seed=1)
    d = x.data
    assert d.requires_grad is False
    assert d.grad_fn is None
    d[0, 1] = 5.0
    assert x[0, 1].item() == 5.0
    x.data[1, 1] = 6.0
    assert x[1, 1].item() == 6.0
    assert x.requires_grad and x.is_leaf
    e = x.data * 2
    assert not e.requires_grad


def test_data_inplace_update_on_leaf_is_allowed_and_backward_works():
    x = randt(2, 3, seed=1)
    x.data -= 0.5 * x.data  # legal in-place write through .data
    x.data.mul_(2)
    assert x.requires_grad and x.is_leaf
    (x * x).sum().backward()
    np.testing.assert_allclose(to_np(x.grad), 2 * to_np(x))


def test_requires_grad_underscore():
    x = make(np.ones((2, 2)), requires_grad=False)
    assert not x.requires_grad
    r = x.requires_grad_()
    assert r is x
    assert x.requires_grad and x.is_leaf
    (x * 3).sum().backward()
    np.testing.assert_allclose(to_np(x.grad), np.full((2, 2), 3.0))
    x.requires_grad_(False)
    assert not x.requires_grad
    assert not (x * 3).requires_grad


# --- retain_grad / is_leaf / grad_fn ---------------------------------------------


def test_non_leaf_grad_is_none_without_retain_grad():
    x = randt(3, seed=1)
    y = x * 2
    z = (y * y).sum()
    z.backward()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert y.grad is None
    assert x.grad is not None


def test_retain_grad_on_non_leaf():
    x = randt(3, seed=1)
    y = x * 2
    y.retain_grad()
    z = (y * y).sum()
    z.backward()
    np.testing.assert_allclose(to_np(y.grad), 2 * to_np(y))
    np.testing.assert_allclose(to_np(x.grad), 4 * to_np(y))


def test_is_leaf():
    x = randt(3, seed=1)
    c = make([1.0, 2.0, 3.0], requires_grad=False)
    assert x.is_leaf
    assert c.is_leaf
    y = x * 2
    assert not y.is_leaf
    assert (c * 2).is_leaf  # no grad history -> leaf
    assert y.detach().is_leaf
    with torch.no_grad():
        assert (x * 2).is_leaf


def test_grad_fn_none_for_leaves():
    x = randt(3, seed=1)
    assert x.grad_fn is None
    assert make([1.0], requires_grad=False).grad_fn is None


GRAD_FN_CASES = [
    ("mm", lambda a, b: a.mm(b)),
    ("add", lambda a, b: a + b),
    ("sub", lambda a, b: a - b),
    ("mul", lambda a, b: a * b),
    ("div", lambda a, b: a / b),
    ("neg", lambda a, b: -a),
    ("exp", lambda a, b: a.exp()),
    ("log", lambda a, b: (a * a + 1).log()),
    ("tanh", lambda a, b: a.tanh()),
    ("sigmoid", lambda a, b: a.sigmoid()),
    ("relu", lambda a, b: a.relu()),
    ("clamp", lambda a, b: a.clamp(min=0)),
    ("pow", lambda a, b: a.pow(2)),
    ("sum", lambda a, b: a.sum()),
    ("mean", lambda a, b: a.mean()),
    ("abs", lambda a, b: a.abs()),
    ("sqrt", lambda a, b: (a * a + 1).sqrt()),
    ("clone", lambda a, b: a.clone()),
    ("where", lambda a, b: torch.where(a > 0, a, b)),
]


@pytest.mark.parametrize("opname,fn", GRAD_FN_CASES, ids=[c[0] for c in GRAD_FN_CASES])
def test_grad_fn_name(opname, fn):
    a = randt(3, 3, seed=1)
    b = randt(3, 3, seed=2)
    out = fn(a, b)
    assert out.grad_fn is not None
    name = grad_fn_name(out.grad_fn)
    assert name.endswith("Backward"), name
    assert opname in name.lower(), name


# --- requires_grad propagation -------------------------------------------------


def test_requires_grad_propagation():
    a = randt(2, 2, seed=1)
    c = make(np.ones((2, 2)), requires_grad=False)
    assert (a + c).requires_grad
    assert (c + a).requires_grad
    assert (c * 2).requires_grad is False
    assert (c.mm(c)).requires_grad is False
    assert (c.mm(a)).requires_grad
    assert ((c + 1) * (c * a)).sum().requires_grad
    assert a.t().requires_grad and a[0].requires_grad and a.view(4).requires_grad
    out = (c * a).sum()
    out.backward()
    assert c.grad is None
    np.testing.assert_allclose(to_np(a.grad), to_np(c))


def test_default_tensor_does_not_require_grad():
    t = torch.tensor([1.0, 2.0])
    assert t.requires_grad is False
    r = torch.randn(2, 3)
    assert r.requires_grad is False
    z = torch.zeros(2, 3, requires_grad=True)
    assert z.requires_grad and z.is_leaf


def test_inplace_op_on_non_leaf_is_differentiated():
    x = randt(2, 3, seed=1)
    a = x * 1
    a.mul_(3)
    a.add_(1)
    a.sum().backward()
    np.testing.assert_allclose(to_np(x.grad), np.full((2, 3), 3.0))
