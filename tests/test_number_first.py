"""torch.<op>(number, tensor): the binary functions PyTorch accepts with a Python number first
(``torch.pow(2, t)``, ``torch.sub(1, t, alpha=2)``, ``torch.add(2, 3)``) and the ones it refuses,
compared with PyTorch: values, dtypes, which calls raise and with which exception class, and
gradients (against PyTorch and central finite differences in float64)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from grad_helpers import check_grads

import pyautograd

torch = pytest.importorskip("torch")

FUNCS = ["add", "sub", "mul", "div", "pow", "remainder", "floor_divide", "bitwise_and",
         "bitwise_or", "bitwise_xor", "multiply", "subtract", "divide", "true_divide",
         "maximum", "minimum", "atan2", "fmod", "hypot", "copysign", "eq", "lt", "ge",
         "logical_and", "logical_or", "logical_xor"]  # fmt: skip
FIRSTS = [2, -1, 2.5, 0, True, False]
SECONDS = [
    "L.tensor([1.0, 2.0, -0.5])",
    "L.tensor([1, 2, 3])",
    "L.tensor([0, 3], dtype=L.int8)",
    "L.tensor([True, False])",
    "L.tensor(3.0, dtype=L.float64)",
    "L.tensor([], dtype=L.int64)",
    "3",
    "2.5",
]


def _outcome(L: Any, code: str) -> Any:
    try:
        r = eval(code, {"L": L})
    except Exception as e:  # the exception class is part of the comparison
        kind = type(e).__name__
        return "raises", "TypeError" if kind == "TypeError" else "error"
    return str(r.dtype).rsplit(".", 1)[-1], tuple(r.shape), np.array(r.tolist(), dtype=float)


@pytest.mark.parametrize("second", SECONDS)
@pytest.mark.parametrize("first", FIRSTS, ids=repr)
@pytest.mark.parametrize("name", FUNCS)
def test_against_torch(name: str, first: Any, second: str) -> None:
    code = f"L.{name}({first!r}, {second})"
    expected, got = _outcome(torch, code), _outcome(pyautograd, code)
    assert got[:2] == expected[:2], f"{code}: pyautograd {got}, PyTorch {expected}"
    if expected[0] != "raises":
        np.testing.assert_array_equal(got[2], expected[2], err_msg=code)


@pytest.mark.parametrize(
    "code",
    [
        "L.add(2, L.tensor([1.0, 2.0]), alpha=3)",
        "L.sub(2, L.tensor([1.0, 2.0]), alpha=0.5)",
        "L.sub(2, L.tensor([1, 2]), alpha=2)",
        "L.add(1, L.tensor([1, 2]), alpha=0.5)",  # float alpha, integral result: raises
        "L.add(1.5, L.tensor([1, 2]), alpha=0.5)",
        "L.add(True, L.tensor([True, False]), alpha=2)",
        "L.add(True, L.tensor([True, False]), alpha=True)",
        "L.sub(2, 3, alpha=2)",
        "L.add(2.0, 3, alpha=2)",
        "L.add(2, L.tensor([1.0]), alpha=L.tensor(2.0))",
        "L.add('a', L.tensor([1.0]))",
        "L.add(None, L.tensor([1.0]))",
        "L.pow(2, 3)",
        "L.mul(2, L.tensor([1.0]), out=L.empty(1))",
        "L.pow(2, exponent=L.tensor([1.0, 3.0]))",
        "L.pow(-8.0, L.tensor([1.0 / 3]))",
        "L.pow(0, L.tensor([0.0, 1.0, -1.0]))",
        "L.div(1, L.tensor([0.0, -0.0]))",
        "L.remainder(-7, L.tensor([3, -3]))",
        "L.floor_divide(7, L.tensor([2, -2]))",
        "L.floor_divide(7, L.tensor([0]))",
    ],
)
def test_forms_against_torch(code: str) -> None:
    expected, got = _outcome(torch, code), _outcome(pyautograd, code)
    assert got[:2] == expected[:2], f"{code}: pyautograd {got}, PyTorch {expected}"
    if expected[0] != "raises":
        np.testing.assert_array_equal(got[2], expected[2], err_msg=code)


def test_out_is_written() -> None:
    out = pyautograd.empty(2)
    r = pyautograd.pow(2, pyautograd.tensor([1.0, 3.0]), out=out)
    assert r is out and out.tolist() == [2.0, 8.0]


GRAD_CODES = [
    "L.add(2, x)",
    "L.sub(2, x, alpha=3)",
    "L.mul(2.5, x)",
    "L.div(2, x)",
    "L.pow(2, x)",
    "L.pow(0.5, x)",
    "L.true_divide(3, x)",
    "L.add(1, x, alpha=-2)",
]


@pytest.mark.parametrize("code", GRAD_CODES)
def test_gradients_against_torch(code: str) -> None:
    def run(L: Any) -> Any:
        x = L.tensor([0.5, -1.25, 2.0], dtype=L.float64, requires_grad=True)
        y = eval(code, {"L": L, "x": x})
        y.backward(L.tensor([1.0, -2.0, 0.5], dtype=L.float64))
        return y.detach().numpy().copy(), x.grad.numpy().copy()

    (ey, eg), (gy, gg) = run(torch), run(pyautograd)
    np.testing.assert_allclose(gy, ey, rtol=1e-15, atol=0)
    np.testing.assert_allclose(gg, eg, rtol=1e-15, atol=0)


@pytest.mark.parametrize("code", GRAD_CODES)
def test_gradients_against_finite_differences(code: str) -> None:
    x = pyautograd.tensor([0.5, -1.25, 2.0], dtype=pyautograd.float64, requires_grad=True)
    check_grads(lambda x: eval(code, {"L": pyautograd, "x": x}), x)
