"""Expectations from PyTorch for hand-written regression tests (issue 10, diff-findings):
run the same function on both libraries, expect what PyTorch does (or, without PyTorch, the
value the test states, which is checked against PyTorch whenever PyTorch is there)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import pyautograd

try:
    import torch
except ImportError:  # the expected values then come from the tests' statements
    torch = None

inf, nan = math.inf, math.nan
RAISES = "raises"


def normalize(x: Any) -> Any:
    """Tensors -> (dtype name, values); tuples/lists elementwise; numbers as they are."""
    if hasattr(x, "dtype") and hasattr(x, "requires_grad"):
        return (str(x.dtype).rsplit(".", 1)[-1], np.array(x.detach().numpy(), copy=True))
    if isinstance(x, (tuple, list)):
        return tuple(normalize(e) for e in x)
    return x


def outcome(f: Callable[[Any], Any], lib: Any) -> Any:
    try:
        return normalize(f(lib))
    except Exception:
        return RAISES


def same(a: Any, b: Any) -> bool:
    if isinstance(a, tuple) and isinstance(b, tuple):
        if len(a) == 2 and isinstance(a[0], str) and isinstance(a[1], np.ndarray):
            return (
                isinstance(b[1], np.ndarray)
                and a[0] == b[0]
                and a[1].shape == b[1].shape
                and bool(np.allclose(a[1], b[1], rtol=1e-6, atol=1e-7, equal_nan=True))
            )
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


class IssueTextMismatch(Exception):
    """The value a test states (the fallback without PyTorch) is not what PyTorch does."""


def check(f: Callable[[Any], Any], issue_says: Any) -> None:
    """pyautograd does what PyTorch does (or, without PyTorch, what the issue states).

    With PyTorch importable the stated value is checked against it first; a mismatch raises
    IssueTextMismatch, which the xfail marks (raises=AssertionError) do not swallow."""
    stated = normalize_expected(issue_says)
    expected = stated
    if torch is not None:
        expected = outcome(f, torch)
        if not same(expected, stated):
            raise IssueTextMismatch(f"PyTorch: {expected!r}, test states: {stated!r}")
    got = outcome(f, pyautograd)
    assert same(got, expected), f"pyautograd: {got!r}\nexpected (PyTorch): {expected!r}"


def normalize_expected(v: Any) -> Any:
    """The issue's numbers as (dtype, values) pairs: ("float32", [3, 3]) etc."""
    if isinstance(v, tuple) and len(v) == 2 and isinstance(v[0], str) and v[0] != RAISES:
        return (v[0], np.array(v[1], dtype=v[0]))
    if isinstance(v, tuple):
        return tuple(normalize_expected(e) for e in v)
    return v


def xfail(reason: str) -> pytest.MarkDecorator:
    """A strict xfail that only an AssertionError (pyautograd differs) satisfies."""
    return pytest.mark.xfail(strict=True, raises=AssertionError, reason=reason)
