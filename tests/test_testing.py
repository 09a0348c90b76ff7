"""pyautograd.testing.assert_close against torch.testing.assert_close: the same verdict, the same
exception type and (with "torch" read as "pyautograd") the same message for each case; plus the
behaviour pinned without PyTorch and the deliberate differences."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import pyautograd as pa
from pyautograd.testing import assert_close, default_tolerances

NAN, INF = math.nan, math.inf

# Each case builds (actual, expected, keyword arguments) from a tensor module: pyautograd or torch.
Case = Callable[[Any], tuple[Any, Any, dict[str, Any]]]
CASES: dict[str, Case] = {
    "equal": lambda m: (m.tensor([1.0, 2.0]), m.tensor([1.0, 2.0]), {}),
    "within f32 tol": lambda m: (m.tensor([100.0, 1.0]), m.tensor([100.0001, 1.0]), {}),
    "beyond f32 tol": lambda m: (m.tensor([100.0, 1.0]), m.tensor([100.001, 1.0]), {}),
    "f64 tol": lambda m: (
        m.tensor([1.0, 2.0], dtype=m.float64),
        m.tensor([1.0, 2.0 + 1e-6], dtype=m.float64),
        {},
    ),
    "several": lambda m: (m.tensor([1.0, 2.0, 3.0]), m.tensor([1.0, 2.5, 0.0]), {}),
    "2-d index": lambda m: (
        m.tensor([[1.0, 2.0], [3.0, 4.0]]),
        m.tensor([[1.0, 2.0], [3, 4.5]]),
        {},
    ),
    "ints": lambda m: (m.tensor([[1, 2], [3, 4]]), m.tensor([[1, 2], [3, 5]]), {}),
    "bools": lambda m: (m.tensor([True, False]), m.tensor([True, True]), {}),
    "dtype": lambda m: (m.tensor([1.0]), m.tensor([1.0], dtype=m.float64), {}),
    "no dtype check": lambda m: (
        m.tensor([1.0, 2.0]),
        m.tensor([1.0, 2.5], dtype=m.float64),
        {"check_dtype": False},
    ),
    "int vs float": lambda m: (m.tensor([1, 2]), m.tensor([1.0, 2.5]), {"check_dtype": False}),
    "shape": lambda m: (m.tensor([1.0, 2.0]), m.tensor([1.0, 2.0, 3.0]), {}),
    "nan": lambda m: (m.tensor([1.0, NAN]), m.tensor([1.0, NAN]), {}),
    "equal_nan": lambda m: (m.tensor([1.0, NAN]), m.tensor([1.0, NAN]), {"equal_nan": True}),
    "inf": lambda m: (m.tensor([1.0, INF]), m.tensor([1.0, INF]), {}),
    "-inf": lambda m: (m.tensor([1.0, INF]), m.tensor([1.0, -INF]), {}),
    "tolerances": lambda m: (
        m.tensor([1.0, 2.0]),
        m.tensor([2.0, 2.0]),
        {"atol": 0.5, "rtol": 0.1},
    ),
    "rtol only": lambda m: (m.tensor([1.0]), m.tensor([1.1]), {"rtol": 0.2}),
    "atol only": lambda m: (m.tensor([1.0]), m.tensor([1.1]), {"atol": 0.2}),
    "loose": lambda m: (m.tensor([1.0]), m.tensor([1.1]), {"rtol": 0.2, "atol": 0.0}),
    "exact": lambda m: (m.tensor([1.0]), m.tensor([1.1]), {"rtol": 0, "atol": 0}),
    "msg": lambda m: (m.tensor([1.0]), m.tensor([1.1]), {"msg": "custom"}),
    "msg callable": lambda m: (m.tensor([1.0]), m.tensor([1.1]), {"msg": lambda s: "X" + s}),
    "0-d": lambda m: (m.tensor(2.0), m.tensor(0.0), {}),
    "0-d nan": lambda m: (m.tensor(NAN), m.tensor(1.0), {}),
    "0-d int": lambda m: (m.tensor(3), m.tensor(5), {}),
    "0-d bool": lambda m: (m.tensor(True), m.tensor(False), {}),
    "empty": lambda m: (m.tensor([]), m.tensor([]), {}),
    "zero expected": lambda m: (m.tensor([0.0, 1.0]), m.tensor([1e-6, 1.0]), {}),
    "stride": lambda m: (m.ones(2, 2).t(), m.ones(2, 2), {"check_stride": True}),
    "stride unchecked": lambda m: (m.ones(2, 2).t(), m.ones(2, 2), {}),
    "requires_grad ignored": lambda m: (m.ones(2, requires_grad=True), m.ones(2), {}),
    "tensor vs list": lambda m: (m.tensor([1.0, 2.0]), [1.0, 2.0], {}),
    "tensor vs float": lambda m: (m.tensor(1.0), 1.0, {}),
    "tensor vs array": lambda m: (m.tensor([1.0]), np.array([1.0], dtype=np.float32), {}),
    "arrays": lambda m: (np.array([1.0, 2.0]), np.array([1.0, 2.5]), {}),
    "float16 arrays": lambda m: (
        np.array([1.0, 2.0], dtype=np.float16),
        np.array([1.0, 2.001], dtype=np.float16),
        {},
    ),
    "scalars": lambda m: (1.0, 1.5, {}),
    "int scalars": lambda m: (1, 2, {}),
    "int vs float scalar": lambda m: (1, 1.0, {}),
    "scalars no dtype": lambda m: (1.0, 2, {"check_dtype": False}),
    "numpy scalars": lambda m: (np.float32(1), np.float32(1.5), {}),
    "nan scalars": lambda m: (NAN, NAN, {}),
    "nan scalars equal": lambda m: (NAN, NAN, {"equal_nan": True}),
    "complex scalars": lambda m: (1 + 2j, 1 + 2j, {}),
    "list": lambda m: ([1.0, 2.0], [1.0, 2.5], {}),
    "tuple vs list": lambda m: ((1.0, 2.0), [1.0, 2.0], {}),
    "list of tensors": lambda m: (
        [m.tensor([1.0, 2.0]), m.tensor([1.0, 3.0])],
        [m.tensor([1.0, 2.0]), m.tensor([1.0, 4.0])],
        {},
    ),
    "lengths": lambda m: ([1.0], [1.0, 2.0], {}),
    "keys": lambda m: ({"a": 1.0}, {"b": 1.0}, {}),
    "nested": lambda m: ({"a": [1.0, 2.0]}, {"a": [1.0, 3.0]}, {}),
    "nested shape": lambda m: ([m.ones(2)], [m.ones(3)], {}),
    "none": lambda m: (None, None, {}),
    "none vs 1": lambda m: (None, 1, {}),
    "strings": lambda m: ("a", "a", {}),
}


def outcome(fn: Callable[..., None], actual: Any, expected: Any, kwargs: dict[str, Any]) -> Any:
    try:
        fn(actual, expected, **kwargs)
    except (AssertionError, TypeError, ValueError) as exc:
        return type(exc), str(exc)
    return None


@pytest.mark.parametrize("name", list(CASES))
def test_same_verdict_and_message_as_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    ours = outcome(assert_close, *CASES[name](pa))
    theirs = outcome(torch.testing.assert_close, *CASES[name](torch))
    if ours is not None and theirs is not None and ours[0] is TypeError:
        assert theirs[0] is TypeError, (ours, theirs)  # type names differ by library
        return
    assert ours == theirs


def test_messages_without_torch() -> None:
    with pytest.raises(AssertionError) as info:
        assert_close(pa.tensor([1.0, 2.0, 3.0]), pa.tensor([1.0, 2.5, 0.0]))
    assert str(info.value) == (
        "Tensor-likes are not close!\n\n"
        "Mismatched elements: 2 / 3 (66.7%)\n"
        "Greatest absolute difference: 3.0 at index (2,) (up to 1e-05 allowed)\n"
        "Greatest relative difference: inf at index (2,) (up to 1.3e-06 allowed)"
    )
    with pytest.raises(AssertionError, match=r"^Scalars are not equal!\n\nExpected 2 but got 1\."):
        assert_close(1, 2)
    with pytest.raises(AssertionError, match=r"The failure occurred for item \['a'\]\[1\]$"):
        assert_close({"a": [1.0, 2.0]}, {"a": [1.0, 3.0]})
    with pytest.raises(AssertionError, match=r"attribute 'dtype' do not match: torch.float32"):
        assert_close(pa.ones(1), pa.ones(1, dtype=pa.float64))
    with pytest.raises(ValueError, match="got no atol"):
        assert_close(pa.ones(1), pa.ones(1), rtol=0.1)


def test_default_tolerances_by_dtype() -> None:
    assert default_tolerances(pa.float32) == (1.3e-6, 1e-5)
    assert default_tolerances(pa.float64) == (1e-7, 1e-7)
    assert default_tolerances(pa.int64) == (0.0, 0.0)
    assert default_tolerances(pa.bool) == (0.0, 0.0)
    assert default_tolerances(pa.float32, pa.float64) == (1.3e-6, 1e-5)
    assert default_tolerances(np.float16) == (1e-3, 1e-5)
    # The boundary: float32's atol + rtol * |expected| at expected = 1.
    assert_close(pa.tensor([1.0 + 1.1e-5]), pa.tensor([1.0]))
    with pytest.raises(AssertionError):
        assert_close(pa.tensor([1.0 + 1.2e-5]), pa.tensor([1.0]))


def test_differences_from_torch_are_clearer_errors() -> None:
    # PyTorch fails with an internal RuntimeError on these; pyautograd says what is wrong.
    with pytest.raises(ValueError, match="non-negative"):
        assert_close(pa.ones(2), pa.ones(2), rtol=-1.0, atol=0.0)
    with pytest.raises(AssertionError, match=r"\(d\)types do not match"):
        assert_close(True, 1)


def test_large_int64_compared_exactly() -> None:
    big = 2**62
    assert_close(pa.tensor([big + 1]), pa.tensor([big + 1]))
    with pytest.raises(AssertionError, match="Mismatched elements: 1 / 1"):
        assert_close(pa.tensor([big + 1]), pa.tensor([big]))


def test_subclasses() -> None:
    nn = pytest.importorskip("pyautograd.nn")
    p = nn.Parameter(pa.ones(2))
    assert_close(p, pa.ones(2))
    with pytest.raises(TypeError, match="No comparison pair"):
        assert_close(p, pa.ones(2), allow_subclasses=False)
