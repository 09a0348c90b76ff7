"""Regression tests for the divergence classes the differential tester found beyond issue 10's
list (catalogued in the team's diff-findings.md under the same keys as the gates in
tests/difftest/known.py). Each runs the same code on both libraries and expects what PyTorch
does; while a class is open its test is a strict xfail. The engineer who fixes one removes the
mark here and the gate of the same name in known.py.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "difftest"))
from expect import RAISES, check, inf, nan, xfail


def gate(key: str, what: str) -> pytest.MarkDecorator:
    return xfail(f"diff-findings {key}: {what}")


# ---- wrong or missing gradients, no error ---------------------------------------------------
@pytest.mark.parametrize(
    "write",
    [
        "b.fill_(w)",
        "b.masked_fill_(b > 2, w)",
        "b.__setitem__(b > 2, w)",
    ],
)
def test_value_grad_dropped(write: str) -> None:
    def f(L: Any) -> Any:
        a = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
        w = L.tensor(4.0, requires_grad=True)
        ns = {"b": a * 2, "w": w}
        exec(write, ns)
        (ns["b"] * ns["b"]).sum().backward()
        return a.grad, w.grad

    expected = {
        "b.fill_(w)": ([0.0, 0.0, 0.0], 24.0),
        "b.masked_fill_(b > 2, w)": ([8.0, 0.0, 0.0], 16.0),
        "b.__setitem__(b > 2, w)": ([8.0, 0.0, 0.0], 16.0),
    }[write]
    check(f, (("float32", expected[0]), ("float32", expected[1])))


def test_requires_grad_false_stops_accumulation() -> None:
    def f(L: Any) -> Any:
        a = L.ones(2, requires_grad=True)
        b = a * 3
        a.requires_grad_(False)
        b.sum().backward()
        return a.grad

    check(f, None)


def test_requires_grad_false_stops_matmul_accumulation() -> None:
    def f(L: Any) -> Any:  # the matmul node would accumulate straight into an existing .grad
        a = L.ones(2, 2, requires_grad=True)
        (a @ L.ones(2, 2)).sum().backward()
        b = a @ L.ones(2, 2)
        a.requires_grad_(False)
        b.sum().backward()
        return a.grad

    check(f, ("float32", [[2.0, 2.0], [2.0, 2.0]]))


def test_detach_of_retaining_nonleaf_keeps_retained_grad() -> None:
    def f(L: Any) -> Any:
        x = L.ones(2, requires_grad=True)
        y = x * 2
        y.retain_grad()
        z = y * 3
        y.detach_()
        z.sum().backward()
        return y.grad, x.grad, y.retains_grad, y.is_leaf, y.requires_grad

    check(f, (("float32", [3.0, 3.0]), ("float32", [6.0, 6.0]), True, True, False))


def test_detach_keeps_grad() -> None:
    def f(L: Any) -> Any:
        a = L.ones(2, requires_grad=True)
        (a * 2).sum().backward()
        a.detach_()
        return a.grad, a.requires_grad

    check(f, (("float32", [2.0, 2.0]), False))


def test_retain_grad_then_inplace() -> None:
    def f(L: Any) -> Any:
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y.retain_grad()
        z = y * 3
        y.add_(1)
        z.sum().backward()
        return y.grad, x.grad

    check(f, (None, ("float32", [6.0, 6.0])))


# ---- autograd.grad and repeated backward passes -------------------------------------------
def test_autograd_grad_runs_only_needed_nodes() -> None:
    def f(L: Any) -> Any:
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = x.exp()
        (gy,) = L.autograd.grad(y.sum(), [y])
        y.sum().backward()  # ExpBackward never ran: nothing was freed
        return gy, x.grad

    check(f, (("float32", [1.0, 1.0]), ("float32", [2.7182817, 7.389056])))


def test_autograd_grad_ignores_unneeded_saved_tensors() -> None:
    def f(L: Any) -> Any:
        t1 = L.tensor([3.0])
        t2 = L.tensor([0.0], requires_grad=True)
        t3 = L.minimum(t1, t2)
        t1 += -3
        return L.autograd.grad(t3.sum(), [t3])

    check(f, (("float32", [1.0]),))


def test_autograd_grad_duplicate_inputs() -> None:
    def f(L: Any) -> Any:
        a = L.tensor([1.0, 2.0], requires_grad=True)
        return L.autograd.grad((a * a).sum(), [a, a])

    check(f, (("float32", [2.0, 4.0]), ("float32", [2.0, 4.0])))


def test_second_backward_raises() -> None:
    def f(L: Any) -> Any:
        x = L.tensor([2.0, 3.0], requires_grad=True)
        y = (x * 2).sum()
        y.backward()
        y.backward()
        return x.grad

    check(f, RAISES)


@pytest.mark.parametrize(
    ("code", "stated"),
    [
        ("(x * 2).sum()", RAISES),  # PyTorch saves the number as a tensor
        ("(x / 2).sum()", RAISES),
        ("x.sum() * 2", RAISES),
        ("(x + 2).sum()", ("float32", [2.0, 2.0])),  # nothing saved: runs again
        ("(2 - x).sum()", ("float32", [-2.0, -2.0])),
        ("(x - x).sum()", ("float32", [0.0, 0.0])),
        ("x.mean()", ("float32", [1.0, 1.0])),
        ("x[0]", ("float32", [2.0, 0.0])),
    ],
)
def test_second_backward_as_pytorch(code: str, stated: Any) -> None:
    def f(L: Any) -> Any:
        x = L.tensor([2.0, 3.0], requires_grad=True)
        y = eval(code, {"x": x})
        y.backward()
        y.backward()
        return x.grad

    check(f, stated)


@pytest.mark.parametrize(
    ("write", "value"),
    [
        ("t1.fill_(-2)", [-2.0, -2.0]),  # FillBackward saves nothing: runs again
        ("t1.copy_(L.tensor([1.0, 2.0], dtype=L.float64))", [1.0, 2.0]),
        ("t1.copy_(L.tensor(1.0, dtype=L.float64))", [1.0, 1.0]),  # broadcast source
    ],
)
def test_second_backward_through_fill_and_copy(write: str, value: list[float]) -> None:
    def f(L: Any) -> Any:
        t0 = L.tensor([0.5, -1.0], dtype=L.float64, requires_grad=True)
        t1 = t0 + 0  # AddBackward saves nothing either
        t2 = t1.view(-1)
        exec(write, {"L": L, "t1": t1})
        t2.sum().backward()
        t1.sum().backward()
        return t0.grad, t1

    check(f, (("float64", [0.0, 0.0]), ("float64", value)))


@pytest.mark.parametrize(
    "code", ["t0[L.tensor([0, 0])]", "t0.index_put((L.tensor([0]),), L.tensor(2.0))"]
)
def test_second_backward_through_advanced_index_raises(code: str) -> None:
    def f(L: Any) -> Any:  # PyTorch saves the indices
        t0 = L.tensor([[-1.0], [2.0]], requires_grad=True) + 0
        t3 = eval(code, {"L": L, "t0": t0})
        t3.sum().backward()
        t3.sum().backward()

    check(f, RAISES)


def test_second_backward_through_linear_with_only_bias_tracked() -> None:
    def f(L: Any) -> Any:  # nothing saved when only the bias needs a gradient
        x = L.tensor([-2.0, 1.0, 0.5], dtype=L.float64)
        w = L.ones(2, 3, dtype=L.float64)
        b = L.tensor([1.0, 2.0], dtype=L.float64, requires_grad=True)
        y = L.nn.functional.linear(x, w, b)
        y.sum().backward()
        y.backward(L.tensor([1.0, 3.0], dtype=L.float64))
        return b.grad

    check(f, ("float64", [2.0, 4.0]))


def test_second_backward_through_max_of_0d() -> None:
    def f(L: Any) -> Any:  # max(0) of a 0-d tensor saves its indices, as PyTorch
        t = L.tensor(0.0, dtype=L.float64, requires_grad=True)
        v = L.max(t, 0).values
        L.autograd.grad(v, [t])
        return L.autograd.grad(v, [t])

    check(f, RAISES)


@pytest.mark.parametrize(
    ("code", "stated"),
    [
        ("L.zeros(2, 3)[0].detach_()", RAISES),
        ("L.zeros(2, 3).reshape(6).detach_()", RAISES),
        ("L.zeros(2, 3).detach().detach_()", ("float32", [[0.0] * 3] * 2)),
        ("L.zeros(2, 3).contiguous().detach_()", ("float32", [[0.0] * 3] * 2)),
    ],
)
def test_detach_of_views(code: str, stated: Any) -> None:
    check(lambda L: eval(code, {"L": L}), stated)


# ---- version counters and saved tensors -----------------------------------------------------
# README "What differs": pyautograd saves a converted (or contiguous) copy of an input an op
# takes in another dtype, so a later in-place write into the input leaves the gradient that of
# the values the op read; PyTorch saves the input itself and raises at backward.
@pytest.mark.parametrize(
    ("make", "op", "write"),
    [
        ("L.tensor([True, True, False])", "L.minimum(t0, t2)", "t2.copy_(L.tensor([0, 0, 1]))"),
        ("L.tensor([1, 2, 3])", "t0 * t2", "t2.add_(1)"),
        ("L.tensor([1, 2, 3])", "t0 / t2", "t2.mul_(2)"),
    ],
)
def test_inplace_into_cast_input_keeps_the_gradient(make: str, op: str, write: str) -> None:
    torch = pytest.importorskip("torch")
    import pyautograd

    def f(L: Any, written: bool) -> Any:
        t0 = L.tensor([1.0, 5.0, -1.0], requires_grad=True)
        t2 = eval(make, {"L": L})
        t3 = eval(op, {"L": L, "t0": t0, "t2": t2})
        if written:
            exec(write, {"L": L, "t2": t2})
        t3.sum().backward()
        return t0.grad.detach().numpy().copy()

    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        f(torch, True)
    np.testing.assert_allclose(f(pyautograd, True), f(torch, False), rtol=1e-6)


def test_detach_of_saved_tensor_raises_at_backward() -> None:
    def f(L: Any) -> Any:
        t0 = L.tensor([1.0, 2.0], requires_grad=True)
        t1 = t0.sum()
        t2 = t0 * t1
        t1.detach_()
        t2.sum().backward()
        return t0.grad

    check(f, RAISES)


def test_zero_dim_max_indices_written() -> None:
    def f(L: Any) -> Any:
        t = L.tensor(3.0, requires_grad=True)
        v, i = t.max(0)
        i.fill_(1)
        v.backward()
        return t.grad

    check(f, RAISES)


# ---- refused where PyTorch works, accepted where it refuses -------------------------------
def test_int_tensor_index() -> None:
    def f(L: Any) -> Any:
        a = L.tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = a[L.tensor([2, 0, 2])]
        (b * L.tensor([1.0, 2.0, 3.0])).sum().backward()
        c = L.zeros(3)
        c[L.tensor([0, 2])] = 1.0
        return b, a.grad, c

    check(f, (("float32", [3.0, 1.0, 3.0]), ("float32", [2.0, 0.0, 4.0]), ("float32", [1, 0, 1])))


def test_clamp_tensor_bounds() -> None:
    check(
        lambda L: L.tensor([1.0, 5.0]).clamp(min=L.tensor([2.0, 2.0]), max=L.tensor(4.0)),
        ("float32", [2.0, 4.0]),
    )


@pytest.mark.parametrize(
    ("code", "stated"),
    [
        ("L.tensor([-2, 0, 3]).clamp_min(-0.5)", ("float32", [-0.5, 0.0, 3.0])),
        ("L.tensor([-2, 0, 3]).clamp_max(0.5)", ("float32", [-2.0, 0.0, 0.5])),
        ("L.clamp_min(L.tensor([-2, 0, 3]), 1)", ("int64", [1, 1, 3])),
        ("L.tensor([True, False]).clamp_min(0.5)", ("float32", [1.0, 0.5])),
        ("L.tensor([True, False]).clamp_max(0)", ("int64", [0, 0])),
        ("L.tensor([True, False]).clamp_min(True)", RAISES),
        ("L.tensor([-2, 0, 3]).clamp_min_(-0.5)", RAISES),  # float result into int64
    ],
)
def test_clamp_min_max_promote(code: str, stated: Any) -> None:
    check(lambda L: eval(code, {"L": L}), stated)


@pytest.mark.parametrize(
    "code",
    ["clamp(nan, 2.0)", "clamp(max=nan)", "clamp_(nan, 2.0)", "clamp(0.0, nan)", "clamp_min(nan)",
     "clamp_max(nan)", "clip(min=nan)", "double().clamp(nan)"],
)  # fmt: skip
def test_clamp_nan_bound(code: str) -> None:
    stated = ("float64" if "double" in code else "float32", [nan, nan])
    check(lambda L: eval(f"L.tensor([1.0, 3.0]).{code}", {"L": L, "nan": nan}), stated)


@pytest.mark.parametrize(
    ("code", "stated"),
    [
        ("L.tensor([1, 3]).clamp(nan, 2.0)", ("float32", [nan, nan])),
        ("L.tensor([1, 3]).clamp(min=None, max=2)", ("int64", [1, 2])),
        ("L.tensor([1.0, 3.0]).clamp(None, None)", RAISES),
        ("L.tensor([nan, 3.0]).clamp(None, 2.0)", ("float32", [nan, 2.0])),
    ],
)
def test_clamp_none_is_not_nan(code: str, stated: Any) -> None:
    check(lambda L: eval(code, {"L": L, "nan": nan}), stated)


@pytest.mark.parametrize("code", ["clamp(nan, 2.0)", "clamp(max=nan)", "clamp_min(nan)"])
def test_clamp_nan_bound_gradient(code: str) -> None:
    def f(L: Any) -> Any:
        x = L.tensor([1.0, 3.0], dtype=L.float64, requires_grad=True)
        eval(f"x.{code}", {"x": x, "nan": nan}).sum().backward()
        return x.grad

    check(f, ("float64", [0.0, 0.0]))


def test_square_function() -> None:
    check(lambda L: L.square(L.tensor([3.0])), ("float32", [9.0]))


@pytest.mark.parametrize(
    ("code", "stated"),
    [
        ("L.tensor([True, False]).sign()", ("bool", [True, False])),
        ("L.tensor([True, False]) ** False", ("bool", [True, True])),
    ],
)
def test_bool_sign_pow(code: str, stated: Any) -> None:
    check(lambda L: eval(code, {"L": L}), stated)


@pytest.mark.parametrize("code", ["argmax()", "argmin()", "argmax(0)", "argmin(0, keepdim=True)"])
def test_bool_argmax_raises(code: str) -> None:
    check(lambda L: eval(f"L.tensor([False, True]).{code}", {"L": L}), RAISES)


def test_detach_of_view_raises() -> None:
    check(lambda L: L.zeros(2, 3).t().detach_(), RAISES)


def test_detach_of_saved_output_is_fine() -> None:
    def f(L: Any) -> Any:  # an op's own saved output may be detached (PyTorch saves it apart)
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = x.exp()
        w = y.sum()
        y.detach_()
        w.backward()
        return x.grad

    check(f, ("float32", [2.7182817, 7.389056]))


# README "What differs": an in-place op whose operand shares memory with the target laid out
# differently (PyTorch's partial overlap) computes here as the out-of-place op would (the
# operand is copied first); PyTorch refuses it.
@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("t.add_(t.view(-1)[:2])", lambda a: a + a.reshape(-1)[:2]),
        ("t.mul_(t.t())", lambda a: a * a.T),
        ("t.view(-1)[1:3].add_(t.view(-1)[:2])", lambda a: np.array([[1.0, 3.0], [5.0, 4.0]])),
    ],
)
def test_partial_overlap_computes_as_out_of_place(code: str, expected: Any) -> None:
    torch = pytest.importorskip("torch")
    import pyautograd

    a = np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32)
    with pytest.raises(RuntimeError, match="single memory location"):
        eval(code, {"t": torch.tensor(a)})
    t = pyautograd.tensor(a.tolist())
    eval(code, {"t": t})
    np.testing.assert_array_equal(t.numpy(), expected(a))


@pytest.mark.parametrize(
    "code",
    [
        "L.tensor([1, 2]).fill_(inf)",
        "L.tensor([1, 2]).masked_fill(L.tensor([True, False]), nan)",
        "L.tensor([1, 2]).masked_fill(L.tensor([False, False]), 1e30)",
        "L.tensor([1, 2]).masked_fill_(L.tensor([True, False]), L.tensor(1e30))",
        "L.full_like(L.tensor([1, 2]), 1e30)",
        "L.full((2,), inf, dtype=L.int64)",
        "L.tensor([1, 2]).__setitem__(0, -inf)",
        "L.tensor([1, 2]).__setitem__(L.tensor([True, False]), nan)",
        "L.zeros(2, dtype=L.uint8).fill_(300)",
        "L.zeros(2, dtype=L.uint8).fill_(-1.0)",
        "L.zeros(2, dtype=L.uint8).fill_(-256)",
        "L.zeros(2, dtype=L.int8).fill_(128)",
        "L.zeros(2, dtype=L.int32).fill_(2.5e9)",
        "L.zeros(2, dtype=L.int64).fill_(9.3e18)",
        "L.zeros(2).fill_(1e300)",
        "L.zeros(2).masked_fill(L.tensor([True, False]), -1e39)",
        "L.zeros(0, dtype=L.int64).fill_(1e30)",
        "L.zeros(2, dtype=L.int64).index_fill_(0, L.tensor([0]), inf)",
    ],
)
def test_int_overflow_write_raises(code: str) -> None:
    check(lambda L: eval(code, {"L": L, "inf": inf, "nan": nan}), RAISES)


@pytest.mark.parametrize(
    ("code", "stated"),
    [
        ("L.zeros(2, dtype=L.uint8).fill_(-1)", ("uint8", [255, 255])),
        ("L.zeros(2, dtype=L.int64).fill_(9.2e18)", ("int64", [9200000000000000000] * 2)),
        ("L.zeros(2, dtype=L.int32).fill_(3.5)", ("int32", [3, 3])),
        ("L.zeros(2, dtype=L.bool).fill_(nan)", ("bool", [True, True])),
        ("L.zeros(2).fill_(inf)", ("float32", [inf, inf])),
        ("L.zeros(2, dtype=L.float64).fill_(1e300)", ("float64", [1e300, 1e300])),
        ("L.zeros(2) + 1e300", ("float32", [inf, inf])),
        ("L.zeros(2, dtype=L.int64).fill_(L.tensor(1.5))", ("int64", [1, 1])),
    ],
)
def test_writes_that_fit_or_wrap(code: str, stated: Any) -> None:
    check(lambda L: eval(code, {"L": L, "inf": inf, "nan": nan}), stated)


@pytest.mark.parametrize(
    ("code", "stated"),
    [
        ("L.tensor(2.0).sum(dim=(0, 0))", RAISES),
        ("L.tensor(2.0).sum(dim=(0, -1))", RAISES),
        ("L.tensor(2.0).mean(dim=(-1, -1))", RAISES),
        ("L.tensor(2.0).amax(dim=(0, 0))", RAISES),
        ("L.tensor(2.0).sum(dim=(0,))", ("float32", 2.0)),
        ("L.tensor(2.0).sum(dim=(-1,), keepdim=True)", ("float32", 2.0)),
        ("L.ones(2).sum(dim=(0, -1))", RAISES),
    ],
)
def test_duplicate_dims_of_0d_raise(code: str, stated: Any) -> None:
    check(lambda L: eval(code, {"L": L}), stated)


def test_masked_fill_keeps_dtype() -> None:
    check(
        lambda L: L.ones(2).masked_fill(L.tensor([True, False]), L.tensor(0.0, dtype=L.float64)),
        ("float32", [0.0, 1.0]),
    )


# ---- what a tensor is -----------------------------------------------------------------------
def test_flatten_1d_returns_self() -> None:
    def f(L: Any) -> Any:
        a = L.tensor([1.0], requires_grad=True)
        b = a.flatten()
        return b.is_leaf, b is a

    check(f, (True, True))


@pytest.mark.parametrize(
    ("code", "stated"),
    [
        ("x.flatten(1).shape", (2, 12)),
        ("x.flatten(0, 1).shape", (6, 4)),
        ("x.flatten(start_dim=-2).shape", (2, 12)),
        ("L.flatten(x, 1, 2).shape", (2, 12)),
        ("x.flatten(1, 1) is x", True),
        ("x.flatten(-1, 2) is x", True),
        ("x.flatten(2, 1)", RAISES),
        ("x.flatten(3)", RAISES),
        ("L.tensor(1.0).flatten(0, -1).shape", (1,)),
        ("L.tensor(1.0).flatten(1)", RAISES),
        ("x.transpose(0, 2).flatten(1).shape", (4, 6)),
    ],
)
def test_flatten_dims(code: str, stated: Any) -> None:
    check(lambda L: eval(code, {"L": L, "x": L.ones(2, 3, 4)}), stated)


@pytest.mark.parametrize(
    "code",
    ["L.zeros(0, 1, 1).expand(0, 2, 1)", "L.zeros(2, 0).t()", "L.zeros(3, 0, 2)[::2]",
     "L.zeros(3, 0, 2).permute(2, 0, 1)"],
)  # fmt: skip
def test_empty_tensors_are_contiguous(code: str) -> None:
    def f(L: Any) -> Any:
        z = eval(code, {"L": L})
        return z.is_contiguous(), z.contiguous() is z, tuple(z.view(-1).shape)

    check(f, (True, True, (0,)))


# ---- pyautograd.nn.functional (issue 11) ----------------------------------------------------
@pytest.mark.parametrize(
    ("code", "stated"),
    [
        ("F.softmax(x, -1)", ("float32", [[0.5, 0.5]])),
        ("F.log_softmax(x, -1)", ("float32", [[-0.6931472, -0.6931472]])),
        ("F.relu6(x)", ("float32", [[1.0, 1.0]])),
        ("F.leaky_relu(-x, 0.1)", ("float32", [[-0.1, -0.1]])),
    ],
)
def test_nn_functional_ops(code: str, stated: Any) -> None:
    check(lambda L: eval(code, {"F": L.nn.functional, "x": L.ones(1, 2)}), stated)


@pytest.mark.parametrize("loss", ["mse_loss", "l1_loss", "smooth_l1_loss"])
def test_nn_loss_of_int_input(loss: str) -> None:
    stated = {"mse_loss": 4.0, "l1_loss": 2.0, "smooth_l1_loss": 1.5}[loss]
    check(
        lambda L: getattr(L.nn.functional, loss)(L.tensor([2]), L.tensor([0.0])),
        ("float32", stated),
    )


@pytest.mark.parametrize("loss", ["l1_loss", "cross_entropy"])
def test_nn_loss_input_written_after(loss: str) -> None:
    def f(L: Any) -> Any:
        w = L.tensor([[0.5, -1.0], [1.5, 0.2]], requires_grad=True)
        x = w * 1
        if loss == "l1_loss":
            y = L.nn.functional.l1_loss(x, L.tensor([[0.1, 0.2], [0.3, 0.4]]))
        else:
            y = L.nn.functional.cross_entropy(x, L.tensor([0, 1]))
        with L.no_grad():
            x.mul_(2)
        y.backward()
        return w.grad

    stated = {
        "l1_loss": [[0.25, -0.25], [0.25, -0.25]],
        "cross_entropy": [[-0.09121278, 0.09121275], [0.39291751, -0.39291748]],
    }[loss]
    check(f, ("float32", stated))


def test_nn_cross_entropy_result_written() -> None:
    def f(L: Any) -> Any:
        x = L.tensor([-1.0, 1.0], requires_grad=True)
        y = L.nn.functional.cross_entropy(x, L.tensor(0), reduction="none")
        y.mul_(2)
        y.backward()
        return x.grad

    check(f, ("float32", [-1.7615942, 1.7615942]))


def test_nn_cross_entropy_inf_logit() -> None:
    def f(L: Any) -> Any:
        x = L.tensor([[2.0, inf, 0.0]], requires_grad=True)
        y = L.nn.functional.cross_entropy(x, L.tensor([2]))
        y.backward()
        return y, x.grad

    check(f, (("float32", nan), ("float32", [[nan, nan, nan]])))


# ---- found by the long runs of 2026-12-02 (seeds 1001-1002) ---------------------------------
@pytest.mark.parametrize(
    "write",
    ["a[0] = 5.0", "a[0] = w", "a[0].mul_(2)", "a[1:1] = 3.0", "a[:, None].add_(1)",
     "a.view(2).zero_()", "a[0].fill_(w)", "a.unsqueeze(0).copy_(w)", "a.add_(1)", "a.t_()"],
)  # fmt: skip
def test_second_backward_through_a_view_write(write: str) -> None:
    def f(L: Any) -> Any:  # PyTorch's CopySlices drops what it wraps on release: raises
        x = L.tensor([1.0, 2.0], requires_grad=True)
        w = L.tensor(3.0, requires_grad=True)
        a = x + 0  # AddBackward saves nothing
        exec(write, {"a": a, "w": w})
        a.sum().backward()
        a.sum().backward()
        return x.grad

    stated = ("float32", [2.0, 2.0]) if write in ("a.add_(1)", "a.t_()") else RAISES
    check(f, stated)


def test_second_backward_through_a_view_write_with_retain_graph() -> None:
    def f(L: Any) -> Any:
        x = L.tensor([1.0, 2.0], requires_grad=True)
        a = x + 0
        a[0] = 5.0
        a.sum().backward(retain_graph=True)
        a.sum().backward()
        return x.grad

    check(f, ("float32", [0.0, 2.0]))


def test_elu_gradient_at_nan() -> None:
    def f(L: Any) -> Any:
        x = L.tensor([nan, -1.0, 2.0], dtype=L.float64, requires_grad=True)
        L.nn.functional.elu(x, 0.5).sum().backward()
        return x.grad

    check(f, ("float64", [1.0, 0.5 * math.exp(-1.0), 1.0]))


def test_masked_write_into_expanded_tensor_with_tracked_value() -> None:
    def f(L: Any) -> Any:
        t1 = L.tensor(0.0).expand(2)
        t3 = L.tensor(1.0, dtype=L.float64, requires_grad=True)
        t1[L.tensor([True, False])] = t3
        return t1

    check(f, ("float32", [1.0, 1.0]))


def test_retain_grad_of_no_grad_view_after_no_grad_write() -> None:
    def f(L: Any) -> Any:  # PyTorch takes the view for a leaf here; its grad_fn would raise
        t0 = L.zeros(3, requires_grad=True)
        with L.no_grad():
            t1 = t0[None]
            t1[0, 0::2] = 2.0
        t1.retain_grad()
        return t1.requires_grad

    check(f, True)


def test_grad_with_an_unused_input_still_frees_the_graph() -> None:
    def f(L: Any) -> Any:  # PyTorch's engine ran (and freed the graph) before it raised
        t1 = L.tensor([[2.0]], requires_grad=True)
        t5 = L.tensor([3.0], requires_grad=True)
        t6 = (t1 * 2.5).sigmoid()
        try:
            L.autograd.grad(t6.sum(), [t1, t5])
        except RuntimeError:
            pass
        t6.sum().backward()
        return t1.grad

    check(f, RAISES)


@pytest.mark.parametrize(
    ("index", "stated"),
    [
        (":", ("float32", [2.0])),  # a full slice writes into the tensor itself: no CopySlices
        ("...", ("float32", [2.0])),
        ("0:5", ("float32", [2.0])),
        ("-9:", RAISES),  # PyTorch compares start as given: a view
        ("0", RAISES),  # a view: CopySlices, which PyTorch releases
        ("None", RAISES),
        ("::1", ("float32", [2.0])),
    ],
)
def test_second_backward_after_a_full_slice_write(index: str, stated: Any) -> None:
    def f(L: Any) -> Any:
        t4 = L.tensor([-1.0])
        t5 = L.tensor([1.0], requires_grad=True)
        exec(f"t4[{index}] = t5", {"t4": t4, "t5": t5})
        t4.sum().backward()
        t4.sum().backward()
        return t5.grad

    check(f, stated)


@pytest.mark.parametrize(
    "code",
    ["t.copy_(t.t())", "t.copy_(t.expand(2))", "t.copy_(t[:])", "t.expand(3, 2).copy_(t)"],
)
def test_copy_of_the_same_elements_into_an_expanded_tensor(code: str) -> None:
    def f(L: Any) -> Any:  # PyTorch returns early when source and target are the same elements
        t = L.tensor([True]).expand(2)
        eval(code, {"t": t})
        return t

    check(f, RAISES if code.startswith("t.expand(3") else ("bool", [True, True]))


# ---- seed 0 with the create_graph and activation rows (session of stop 22) ------------------
def test_add_alpha_promotes_without_alpha() -> None:
    # a 0-d float64 tensor plus int64 indices times 3.0: float64 (alpha takes no part)
    def f(L: Any) -> Any:
        idx = L.tensor([[[0.0]]], dtype=L.float64).max(2).indices
        return L.tensor(0.0, dtype=L.float64).add(idx, alpha=3.0)

    check(f, ("float64", [[0.0]]))


def test_cummin_indices_detach_in_place() -> None:
    def f(L: Any) -> Any:
        _, idx = L.tensor([True, False]).cummin(-1)
        idx.detach_()
        return idx

    check(f, ("int64", [0, 1]))


# ---- seeds 3-8 (helper diverge2) ------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "stated"),
    [
        # a zero anywhere: every slice's gradient is the product of the others (PyTorch's
        # prod_safe_zeros_backward), not prod / x (inf / inf = NaN in the second row)
        ("x.prod(1)", [[0.0, -inf, nan], [6.0, inf, inf]]),
        ("x.prod(0)", [[inf, 2.0, 3.0], [-inf, 0.0, 2.0]]),
        ("x.prod()", [[nan, -inf, nan], [nan, nan, nan]]),
        ("(x * 0).prod()", [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]),  # several zeros: zeros
        ("x[1].prod()", [[0.0, 0.0, 0.0], [nan, inf, inf]]),  # no zero: g * prod / x
        ("x[0, 1].prod()", [[0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]),  # 0-d: g
    ],
)
def test_prod_gradient_with_zeros_and_infinities(code: str, stated: Any) -> None:
    def f(L: Any) -> Any:
        x = L.tensor([[-inf, 0.0, 2.0], [inf, 2.0, 3.0]], requires_grad=True)
        eval(code, {"x": x}).sum().backward()
        return x.grad

    check(f, ("float32", stated))


@pytest.mark.parametrize(
    ("p", "stated"),
    [
        # the second derivative at x = 0 of a nonzero norm is 1 / norm, not 0; NaN norms give
        # NaN gradients at zeros too (PyTorch masks norm == 0 only)
        (2, ([[1.0, 0.0], [nan, nan]], [[0.0, 1.0], [nan, nan]])),
        (3, ([[1.0, 0.0], [nan, nan]], [[0.0, 0.0], [nan, nan]])),
        (1.5, ([[1.0, 0.0], [nan, nan]], [[0.0, nan], [nan, nan]])),
        (0.5, ([[1.0, 0.0], [nan, nan]], [[0.0, nan], [nan, nan]])),
        (inf, ([[1.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 0.0]])),
    ],
)
def test_norm_double_backward_at_zero_and_nan(p: float, stated: Any) -> None:
    def f(L: Any) -> Any:
        x = L.tensor([[1.0, 0.0], [nan, 0.0]], dtype=L.float64, requires_grad=True)
        g = L.autograd.grad(x[0].norm(p) + x[1].norm(p), x, create_graph=True)[0]
        g.sum().backward()
        return g, x.grad

    check(f, (("float64", stated[0]), ("float64", stated[1])))


@pytest.mark.parametrize("op", ["addcmul", "addcdiv", "addcmul_", "addcdiv_"])
@pytest.mark.parametrize("dtypes", ["bool", "int64", "float32"])
def test_addcmul_addcdiv_promote_over_all_three_operands(op: str, dtypes: str) -> None:
    # float32 input, a tensor1 with dims, a 0-d float64 tensor2: float32 (PyTorch's result
    # type over the three operands; tensor1 * tensor2 alone would be float64)
    def f(L: Any) -> Any:
        x = L.tensor([[0.5, 1.0]])
        t1 = L.tensor([[1, 0]], dtype=getattr(L, dtypes))
        t2 = L.tensor(3.0, dtype=L.float64)
        if op.endswith("_"):
            return getattr(x, op)(t1, t2, value=0.5)
        return getattr(L, op)(x, t1, t2, value=0.5)

    stated = [[2.0, 1.0]] if op.startswith("addcmul") else [[0.5 + 1 / 6, 1.0]]
    check(f, ("float32", stated))


def test_addcmul_in_place_of_integers_truncates_a_float_value() -> None:
    def f(L: Any) -> Any:
        return L.tensor([1, 2]).addcmul_(L.tensor([3, 3]), L.tensor(2), value=1.5)

    check(f, ("int64", [7, 8]))


@pytest.mark.parametrize(
    ("code", "stated"),
    [
        # a weight with dims must have the input's dtype (PyTorch refuses, as for `end`)
        ("L.lerp(x, e, w.double())", RAISES),
        ("x.double().lerp_(e.double(), w)", RAISES),
        # a 0-d weight is a number: any dtype, in place too
        ("L.lerp(x, e, w[0].double())", ("float32", [1.5, 2.5])),
        ("x.lerp_(e, L.tensor(1))", ("float32", [3.0, 4.0])),
        ("x.lerp_(e, L.tensor(False))", ("float32", [1.0, 2.0])),
    ],
)
def test_lerp_weight_dtype(code: str, stated: Any) -> None:
    def f(L: Any) -> Any:
        ns = {"L": L, "x": L.tensor([1.0, 2.0]), "e": L.tensor([3.0, 4.0])}
        ns["w"] = L.tensor([0.25, 0.75])
        return eval(code, ns)

    check(f, stated)


@pytest.mark.parametrize(
    "code",
    [
        "L.sub(f, b, alpha=-1.19)",
        "L.sub(f, b, alpha=2)",
        "f.sub_(b, alpha=2)",
        "L.sub(f, True, alpha=2)",
        "L.rsub(i, 2, alpha=0.5)",  # a float alpha with integers
        "L.rsub(f, 2, alpha=True)",  # a bool alpha, not a bool result
    ],
)
def test_sub_with_alpha_refuses_as_pytorch(code: str) -> None:
    # alpha * a bool operand is not bool: sub must refuse the bool before scaling it
    def f(L: Any) -> Any:
        ns = {"L": L, "f": L.tensor([1.0]), "b": L.tensor([[False]]), "i": L.tensor([1])}
        return eval(code, ns)

    check(f, RAISES)


def test_nextafter_gradient_and_saved_inputs() -> None:
    # the gradient passes to input where input != other (NaN counts as different), 0 where
    # equal; other gets zeros; input and other are saved only when input requires grad
    def f(L: Any) -> Any:
        x = L.tensor([1.0, nan, 1.0, inf, 0.0, -0.0], requires_grad=True)
        y = L.tensor([nan, 1.0, inf, inf, -0.0, 0.0], requires_grad=True)
        (x.nextafter(y) * L.arange(1.0, 7.0)).sum().backward()
        a = L.tensor([1.0, 2.0])
        b = L.tensor([1.0, 3.0], requires_grad=True)
        z = a.nextafter(b)
        z.sum().backward()
        z.sum().backward()  # nothing saved: a second pass is fine
        return x.grad, y.grad, b.grad

    check(f, (("float32", [1, 2, 3, 0, 0, 0]), ("float32", [0] * 6), ("float32", [0, 0])))


@pytest.mark.parametrize("write", ["y.add_(1)", "z.sum().backward()"])
def test_nextafter_saves_its_inputs_when_input_requires_grad(write: str) -> None:
    def f(L: Any) -> Any:
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = L.tensor([1.0, 3.0])
        z = x.nextafter(y)
        exec(write, {"y": y, "z": z})
        z.sum().backward()
        return x.grad

    check(f, RAISES)


@pytest.mark.parametrize(
    ("code", "stated"),
    [
        ("L.ldexp(L.tensor([1.0]), L.tensor(True))", RAISES),  # float input, bool exponent
        ("L.tensor([1.0]).ldexp_(L.tensor([True]))", RAISES),
        ("L.ldexp(L.tensor([True]), L.tensor(True))", ("float32", [2.0])),
        ("L.ldexp(L.tensor([3]), L.tensor(False))", ("float32", [3.0])),
    ],
)
def test_ldexp_of_a_bool_exponent(code: str, stated: Any) -> None:
    check(lambda L: eval(code, {"L": L}), stated)


@pytest.mark.parametrize(
    ("write", "stated"),
    [
        ("y.fill_(0)", ("float64", [1.1125848189719496, 0.9545203588405493])),  # result: fine
        ("x.mul_(2)", RAISES),  # PyTorch saves the input
    ],
)
def test_erfinv_saves_its_input(write: str, stated: Any) -> None:
    def f(L: Any) -> Any:
        x = L.tensor([0.5, -0.3], dtype=L.float64, requires_grad=True)
        y = x.erfinv()
        with L.no_grad():
            exec(write, {"x": x, "y": y})
        y.backward(L.ones(2, dtype=L.float64))
        return x.grad

    check(f, stated)


@pytest.mark.parametrize("x", ["L.tensor(2.0)", "L.tensor([[2.0, 3.0]])"])
def test_take_returns_a_tensor_of_its_own(x: str) -> None:
    def f(L: Any) -> Any:
        t = eval(x, {"L": L}).take(L.tensor([0, 0]))
        t.detach_()  # PyTorch's take is no view: detach_ in place is allowed
        return t

    check(f, ("float32", [2.0, 2.0]))


@pytest.mark.parametrize("form", ["t.ravel()", "L.ravel(t)"])
def test_ravel_of_a_strided_1d_leaf_under_no_grad_is_a_copy(form: str) -> None:
    # PyTorch's ravel is contiguous().view(-1): a strided 1-D input is copied, and a copy made
    # under no_grad does not require grad (a view of the leaf would)
    def f(L: Any) -> Any:
        t = L.tensor([1.0, 2.0, 3.0])[::2].detach().requires_grad_()
        with L.no_grad():
            r = eval(form, {"L": L, "t": t})
        return r.requires_grad, r

    check(f, (False, ("float32", [1.0, 3.0])))


@pytest.mark.parametrize(
    "code",
    [
        "L.tensor([[3]]).expand(1, 2).masked_scatter_(L.tensor([True]), L.tensor([[1], [1]]))",
        "L.tensor([True]).expand(2, 1).masked_scatter_(L.tensor([[False]]), L.tensor([[True]]))",
        "L.tensor([[-4]]).expand(2, 1, 1).put_(L.zeros((0,), dtype=L.int64), "
        "L.zeros((0,), dtype=L.int64))",
    ],
)
def test_put_and_masked_scatter_refuse_an_expanded_target(code: str) -> None:
    # PyTorch's assert_no_internal_overlap, whatever (and however little) is written
    check(lambda L: eval(code, {"L": L}), RAISES)
