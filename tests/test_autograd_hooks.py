"""Tensor.register_hook and Tensor.register_post_accumulate_grad_hook: PyTorch's order (hooks
before accumulation, in registration order, retain_grad last), their handles, backward,
autograd.grad, retain_graph, errors and exceptions, and no reference cycle that the garbage
collector cannot free. Each scenario runs on pyautograd and, when it is importable, on PyTorch,
and the logs must agree; the expected values are also written out by hand."""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import pyautograd as pa

try:
    import torch
except ImportError:  # pragma: no cover - the comparison is skipped
    torch = None


def _np(v: Any) -> Any:
    if isinstance(v, (list, tuple)):
        return [_np(x) for x in v]
    if hasattr(v, "detach"):
        return np.array(v.detach().tolist(), dtype=np.float64)
    return v


def _same(a: Any, b: Any) -> None:
    a, b = _np(a), _np(b)
    if isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), (a, b)
        for x, y in zip(a, b, strict=True):
            _same(x, y)
    elif isinstance(a, np.ndarray):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    else:
        assert a == b


def both(scenario: Callable[[Any], Any]) -> Any:
    """Runs scenario(lib) on pyautograd and on PyTorch when installed; the results must agree."""
    mine = scenario(pa)
    if torch is not None:
        _same(mine, scenario(torch))
    return _np(mine)


def _order(lib: Any) -> Any:
    log: list[Any] = []
    x = lib.ones(3, requires_grad=True)
    x.register_hook(lambda g: log.append(("h1", g.clone())) or g * 2)
    x.register_hook(lambda g: log.append(("h2", g.clone())))
    x.register_post_accumulate_grad_hook(lambda t: log.append(("post", t.grad.clone())))
    y = x * 3
    y.register_hook(lambda g: log.append(("yh", g.clone())) or g + 1)
    y.retain_grad()  # runs after every hook of y, whatever the registration order
    y.register_hook(lambda g: log.append(("yh2", g.clone())))
    (y.sum() + x.sum()).backward(retain_graph=True)
    first = [log[:], x.grad.clone(), y.grad.clone()]
    log.clear()
    (gx,) = lib.autograd.grad(y.sum() + x.sum(), [x], retain_graph=True)
    second = [log[:], gx]
    log.clear()
    (gy,) = lib.autograd.grad(y.sum(), [y])
    return [first, second, [log[:], gy]]


def test_order_of_hooks_retain_grad_and_post_accumulate() -> None:
    (log, xg, yg), (log2, gx), (log3, gy) = both(_order)
    # y's hooks see 1, then 1 + 1; y.grad = 2 (after the hooks); x gets 3 * 2 + 1 = 7, h1
    # doubles it, h2 sees 14, accumulation, then the post hook sees .grad = 14.
    assert [e[0] for e in log] == ["yh", "yh2", "h1", "h2", "post"]
    assert [e[1][0] for e in log] == [1, 2, 7, 14, 14]
    assert xg.tolist() == [14] * 3 and yg.tolist() == [2] * 3
    # autograd.grad: the same tensor hooks; no post-accumulate hook (nothing accumulates)
    assert [e[0] for e in log2] == ["yh", "yh2", "h1", "h2"] and gx.tolist() == [14] * 3
    # autograd.grad with respect to y runs nothing below y: x's hooks stay silent
    assert [e[0] for e in log3] == ["yh", "yh2"] and gy.tolist() == [2] * 3


def _summed(lib: Any) -> Any:
    a = lib.ones(2, requires_grad=True)
    calls: list[Any] = []
    a.register_hook(lambda g: calls.append(("hook", g.clone())))
    a.register_post_accumulate_grad_hook(lambda t: calls.append(("post", t.grad.clone())))
    loss = (a * 2 + a * 3).sum()
    loss.backward(retain_graph=True)
    loss.backward()  # .grad accumulates; the hook sees this pass's gradient only
    return calls


def test_a_leaf_hook_sees_the_sum_of_the_pass_once_and_post_sees_the_accumulated_grad() -> None:
    calls = both(_summed)
    assert [c[0] for c in calls] == ["hook", "post", "hook", "post"]
    assert [c[1].tolist() for c in calls] == [[5, 5], [5, 5], [5, 5], [10, 10]]


def _mm(lib: Any) -> Any:
    # matmul's backward may accumulate straight into an existing .grad: not past a hook
    w = lib.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], requires_grad=True)
    x = lib.tensor([[1.0, -1.0, 0.5], [2.0, 0.0, 1.0]])
    seen: list[Any] = []
    (x.mm(w)).sum().backward()
    w.register_hook(lambda gr: seen.append(gr.clone()) or gr * 10)
    (x.mm(w)).sum().backward()
    return [seen, w.grad]


def test_a_hook_on_a_matmul_weight_sees_the_pass_gradient_not_the_accumulated_one() -> None:
    seen, wg = both(_mm)
    col = [3.0, -1.0, 1.5]  # x.sum(0): each column of dw
    assert seen[0].tolist() == [[c, c] for c in col]
    assert wg.tolist() == [[11 * c, 11 * c] for c in col]


def _chain_and_handles(lib: Any) -> Any:
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    h1 = x.register_hook(lambda g: g * 2)
    h2 = x.register_hook(lambda g: g + 1)
    (x * 1).sum().backward()
    out = [x.grad.clone()]  # (1 * 2) + 1
    h1.remove()
    h1.remove()  # twice: no effect
    x.grad = None
    (x * 1).sum().backward()
    out.append(x.grad.clone())
    with h2:
        pass  # leaving the block removes it
    x.grad = None
    (x * 1).sum().backward()
    out.append(x.grad.clone())
    return out


def test_hooks_chain_and_handles_remove_them() -> None:
    out = both(_chain_and_handles)
    assert [o.tolist() for o in out] == [[3, 3], [2, 2], [1, 1]]


def _self_removing(lib: Any) -> Any:
    x = lib.tensor([1.0], requires_grad=True)
    calls = []
    handles: list[Any] = []

    def once(g: Any) -> None:
        calls.append(1)
        handles[0].remove()

    handles.append(x.register_hook(once))
    post = x.register_post_accumulate_grad_hook(lambda t: calls.append(2))
    (x * 2).sum().backward()
    post.remove()
    (x * 2).sum().backward()
    return [calls, x.grad]


def test_a_hook_can_remove_itself_while_running() -> None:
    calls, xg = both(_self_removing)
    assert calls == [1, 2] and xg.tolist() == [4]


def _root_leaf_and_unreached(lib: Any) -> Any:
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    u = lib.tensor([1.0, 2.0], requires_grad=True)
    calls = []
    x.register_hook(lambda g: calls.append("x") or g * 3)
    x.register_post_accumulate_grad_hook(lambda t: calls.append("xpost"))
    u.register_hook(lambda g: calls.append("u"))
    u.register_post_accumulate_grad_hook(lambda t: calls.append("upost"))
    x.backward(lib.tensor([1.0, 1.0]))  # a leaf as the root
    z = u * 0  # u is in the graph, but backward only through x
    del z
    return [calls, x.grad, u.grad is None]


def test_hooks_on_a_leaf_root_fire_and_a_leaf_out_of_the_pass_stays_silent() -> None:
    calls, xg, unone = both(_root_leaf_and_unreached)
    assert calls == ["x", "xpost"] and xg.tolist() == [3, 3] and unone


def _survive(lib: Any) -> Any:
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    seen = []
    y = x * 2
    y.register_hook(lambda g: seen.append(g.clone()) or g * 5)
    loss = (y * y).sum()
    del y  # the graph keeps y's hooks (as PyTorch's does)
    loss.backward()
    return [seen, x.grad]


def test_hooks_of_a_deleted_non_leaf_still_fire() -> None:
    seen, xg = both(_survive)
    assert seen[0].tolist() == [4, 8] and xg.tolist() == [40, 80]


def _function_node(lib: Any) -> Any:
    class Twice(lib.autograd.Function):
        @staticmethod
        def forward(ctx: Any, a: Any) -> Any:
            return a * 2

        @staticmethod
        def backward(ctx: Any, g: Any) -> Any:
            return g * 2

    w = lib.tensor([1.0, 2.0], requires_grad=True)
    log = []
    w.register_hook(lambda g: log.append(("h", g.clone())) or g + 1)
    w.register_post_accumulate_grad_hook(lambda t: log.append(("post", t.grad.clone())))
    Twice.apply(w).sum().backward()
    return [log, w.grad]


def test_hooks_with_a_python_function_in_the_graph() -> None:
    log, wg = both(_function_node)
    assert [e[0] for e in log] == ["h", "post"]
    assert log[0][1].tolist() == [2, 2] and log[1][1].tolist() == [3, 3] and wg.tolist() == [3, 3]


def test_post_accumulate_hook_receives_the_parameter_itself() -> None:
    nn = pytest.importorskip("pyautograd.nn")
    p = nn.Parameter(pa.ones(2))
    got: list[Any] = []
    p.register_post_accumulate_grad_hook(got.append)
    (p * 2).sum().backward()
    assert len(got) == 1 and got[0] is p and p.grad.tolist() == [2, 2]


# ---- errors ----


def _error(lib: Any, make: Callable[[Any], Any]) -> tuple[type, str]:
    with pytest.raises(Exception) as info:
        make(lib)
    return info.type, str(info.value)


@pytest.mark.parametrize(
    ("make", "etype", "words"),
    [
        (lambda lib: lib.ones(2).register_hook(lambda g: None), RuntimeError, "doesn't require"),
        (
            lambda lib: lib.ones(2).register_post_accumulate_grad_hook(lambda t: None),
            RuntimeError,
            "doesn't require",
        ),
        (
            lambda lib: (lib.ones(2, requires_grad=True) * 2).register_post_accumulate_grad_hook(
                lambda t: None
            ),
            RuntimeError,
            "non-leaf",
        ),
    ],
    ids=["hook-no-grad", "post-no-grad", "post-non-leaf"],
)
def test_registration_errors(make: Any, etype: type, words: str) -> None:
    t, msg = _error(pa, make)
    assert t is etype and words in msg and "hook" in msg
    if torch is not None:
        t2, msg2 = _error(torch, make)
        assert t2 is etype and words in msg2


def _changing(lib: Any, ret: Callable[[Any, Any], Any], leaf: bool) -> Any:
    z = lib.ones(3, requires_grad=True)

    def bad(g: Any) -> Any:
        return ret(lib, g)

    target = z if leaf else z * 1
    target.register_hook(bad)
    (target * 2).sum().backward()


@pytest.mark.parametrize("leaf", [True, False], ids=["leaf", "non-leaf"])
@pytest.mark.parametrize(
    ("ret", "etype", "words"),
    [
        (lambda lib, g: lib.ones(4), RuntimeError, "hook 'bad' has changed the size of value"),
        (lambda lib, g: g.double(), RuntimeError, "hook 'bad' has changed the type of value"),
        (lambda lib, g: 5, TypeError, "int"),
    ],
    ids=["shape", "dtype", "not-a-tensor"],
)
def test_a_hook_returning_another_shape_dtype_or_type_is_refused(
    ret: Any, etype: type, words: str, leaf: bool
) -> None:
    with pytest.raises(etype, match="bad" if etype is TypeError else None) as info:
        _changing(pa, ret, leaf)
    assert words in str(info.value)
    if torch is not None:
        with pytest.raises(etype):
            _changing(torch, ret, leaf)


def _raising(lib: Any) -> Any:
    z = lib.tensor([1.0, 2.0], requires_grad=True)
    w = lib.tensor([1.0, 2.0], requires_grad=True)

    def boom(g: Any) -> None:
        raise ValueError("boom from the hook")

    h = z.register_hook(boom)
    loss = (z * 2 + w).sum()
    with pytest.raises(ValueError, match="boom from the hook"):
        loss.backward(retain_graph=True)
    h.remove()
    loss.backward()  # the graph still works once the hook is gone
    return [z.grad]


def test_an_exception_in_a_hook_propagates_and_the_graph_survives() -> None:
    (zg,) = both(_raising)
    assert zg.tolist() == [2, 2]


def test_an_exception_in_a_post_hook_propagates() -> None:
    z = pa.tensor([1.0, 2.0], requires_grad=True)
    z.register_post_accumulate_grad_hook(lambda t: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        (z * 2).sum().backward()


# ---- memory: the collector frees a tensor whose hook captures it ----


def _collected(make: Callable[[], Any]) -> bool:
    ref = make()
    gc.collect()
    return ref() is None


def test_a_hook_capturing_its_own_leaf_does_not_keep_it_alive() -> None:
    def make() -> Any:
        x = pa.ones(3, requires_grad=True)
        x.register_hook(lambda g: g * x)
        x.register_post_accumulate_grad_hook(lambda t: x.grad)
        (x * 2).sum().backward()
        return weakref.ref(x)

    assert _collected(make)


def test_a_hook_capturing_its_own_non_leaf_does_not_keep_it_alive() -> None:
    def make() -> Any:
        x = pa.ones(3, requires_grad=True)
        y = x * 2
        y.register_hook(lambda g: g + y)
        (y * 1).sum().backward()
        return weakref.ref(y)

    assert _collected(make)


def test_a_hooked_tensor_lives_while_a_graph_needs_its_hook_then_is_freed() -> None:
    x = pa.ones(3, requires_grad=True)
    seen: list[Any] = []

    def make() -> tuple[Any, Any]:
        y = x * 2
        y.register_hook(lambda g: seen.append(y) or None)  # the closure holds y
        return weakref.ref(y), (y * 3).sum()

    ref, loss = make()
    gc.collect()
    assert ref() is not None  # loss's graph still holds y's hook, hence y
    loss.backward()
    assert len(seen) == 1 and seen[0] is ref() and x.grad.tolist() == [6, 6, 6]
    seen.clear()
    del loss
    gc.collect()
    assert ref() is None


def test_hooks_fire_in_concurrent_backward_passes() -> None:
    x = pa.ones(64, requires_grad=True)
    counts = [0, 0]
    lock = threading.Lock()

    def hook(g: Any) -> None:
        with lock:
            counts[0] += 1

    def post(t: Any) -> None:
        with lock:
            counts[1] += 1

    x.register_hook(hook)
    x.register_post_accumulate_grad_hook(post)

    def work() -> None:
        for _ in range(50):
            (x * 2).sum().backward()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert counts == [100, 100]
    assert x.grad.tolist() == [200.0] * 64
