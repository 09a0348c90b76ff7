"""Module.register_full_backward_hook / register_full_backward_pre_hook against PyTorch: the
hooks fire in the same order with the same grad_input / grad_output (None where PyTorch has
None), replacements change the gradients alike; and Module.half()/bfloat16() refuse clearly."""

import warnings

import numpy as np
import pytest
from nn_helpers import copy_params, torch_or_skip

import pyautograd as pa
from pyautograd import nn

rng = np.random.default_rng(0)


def _arr(g):
    return None if g is None else np.array(g.tolist())


def _run(lib, m, inputs, pre, replace, grads=None):
    log = []

    def hook(mod, gi, go):
        log.append(("hook", type(mod).__name__, [_arr(g) for g in gi], [_arr(g) for g in go]))
        if replace:
            return tuple(None if g is None else g * 2 for g in gi)
        return None

    def pre_hook(mod, go):
        log.append(("pre", type(mod).__name__, [_arr(g) for g in go]))
        return tuple(g * 3 for g in go) if replace else None

    handles = []
    for sub in m.modules():
        handles.append(sub.register_full_backward_hook(hook))
        if pre:
            handles.append(sub.register_full_backward_pre_hook(pre_hook))
    grads = grads or [True] * len(inputs)
    ts = [lib.tensor(x, requires_grad=g) for x, g in zip(inputs, grads, strict=True)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = m(*ts)
        (y * y).sum().backward()
    for h in handles:
        h.remove()
    return log, [_arr(t.grad) for t in ts], [_arr(p.grad) for p in m.parameters()]


def _same(a, b):
    if isinstance(a, list):
        assert len(a) == len(b)
        for u, v in zip(a, b, strict=True):
            _same(u, v)
    elif a is None or isinstance(a, str):
        assert a == b
    else:
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def _compare(make, inputs, pre, replace, grads=None):
    torch = torch_or_skip()
    tm, pm = make(torch).double(), make(pa).double()
    copy_params(pm, tm)
    lt, gt, pt = _run(torch, tm, inputs, pre, replace, grads)
    lp, gp, pp = _run(pa, pm, inputs, pre, replace, grads)
    assert [e[:2] for e in lp] == [e[:2] for e in lt]
    for a, b in zip(lp, lt, strict=True):
        _same(list(a[2:]), list(b[2:]))
    _same(gp, gt)
    _same(pp, pt)


@pytest.mark.parametrize("pre", [False, True])
@pytest.mark.parametrize("replace", [False, True])
def test_sequential_matches_torch(pre, replace):
    def make(L):
        return L.nn.Sequential(L.nn.Linear(3, 4), L.nn.Tanh(), L.nn.Linear(4, 2))

    _compare(make, [rng.standard_normal((5, 3))], pre, replace)


@pytest.mark.parametrize("replace", [False, True])
def test_two_inputs_matches_torch(replace):
    _compare(
        lambda L: L.nn.Bilinear(3, 2, 4),
        [rng.standard_normal((5, 3)), rng.standard_normal((5, 2))],
        True,
        replace,
    )


def test_input_without_grad_matches_torch():
    # the hook fires at grad_output time with grad_input all None, as PyTorch (with a warning)
    _compare(
        lambda L: L.nn.Bilinear(3, 2, 4),
        [rng.standard_normal((5, 3)), rng.standard_normal((5, 2))],
        True,
        False,
        grads=[True, False],
    )
    _compare(lambda L: L.nn.Linear(3, 2), [rng.standard_normal((5, 3))], False, False, [False])


def test_no_input_grad_warns_and_checks_the_result():
    m = nn.Linear(3, 2)
    m.register_full_backward_hook(lambda mod, gi, go: (pa.ones(3),))
    with pytest.warns(UserWarning, match="no inputs require gradients"):
        with pytest.raises(RuntimeError, match="should always return None"):
            m(pa.randn(2, 3)).sum().backward()


def test_wrong_number_of_gradients_raises():
    m = nn.Linear(3, 2)
    m.register_full_backward_hook(lambda mod, gi, go: (gi[0], gi[0]))
    with pytest.raises(RuntimeError, match="invalid number of grad_input, got 2, but expected 1"):
        m(pa.randn(2, 3, requires_grad=True)).sum().backward()


def test_handles_remove_and_no_grad():
    m = nn.Linear(3, 2)
    calls = []
    h = m.register_full_backward_hook(lambda *a: calls.append(1))
    x = pa.randn(2, 3, requires_grad=True)
    m(x).sum().backward()
    assert calls == [1]
    with pa.no_grad():
        m(x)
    h.remove()
    m(x).sum().backward()
    assert calls == [1]
    assert not m._backward_hooks


def test_half_and_bfloat16_refuse_clearly():
    m = nn.Linear(2, 2)
    with pytest.raises(RuntimeError, match="float16"):
        m.half()
    with pytest.raises(RuntimeError, match="bfloat16"):
        m.bfloat16()
    relu = nn.ReLU()
    assert relu.half() is relu  # nothing to convert, as PyTorch


def test_non_differentiable_tensor_inputs_get_zero_gradients_like_torch():
    torch = torch_or_skip()
    seen = []
    for lib in (pa, torch):

        class M(lib.nn.Module):
            def forward(self, a, b, n, k):
                seen.append((a.requires_grad, b.requires_grad))
                return a * b.sum() * k

        m = M()
        got = []
        m.register_full_backward_hook(lambda mod, gi, go, got=got: got.append(gi))
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        m(a, lib.tensor([1.0, 2.0, 3.0]), lib.tensor([1, 2]), 2.0).sum().backward()
        seen.append([None if g is None else (tuple(g.shape), g.tolist()) for g in got[0]])
    assert seen[0] == seen[2]
    assert seen[1] == seen[3]
