"""``torch.testing``'s ``assert_close`` for tests written against pyautograd.

The rules and messages are PyTorch's (``torch.testing.assert_close``): default tolerances by
dtype, ``|actual - expected| <= atol + rtol * |expected|`` elementwise, NaNs equal only with
``equal_nan``, infinities equal only to themselves, and nested sequences and mappings compared
item by item. tests/test_testing.py checks the behaviour against PyTorch's function.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from ._core import Tensor

__all__ = ["assert_close", "default_tolerances"]

# (rtol, atol) by dtype, as PyTorch's; integer and bool dtypes compare exactly.
_TOLERANCES: dict[str, tuple[float, float]] = {
    "float16": (1e-3, 1e-5),
    "bfloat16": (1.6e-2, 1e-5),
    "float32": (1.3e-6, 1e-5),
    "float64": (1e-7, 1e-7),
    "complex64": (1.3e-6, 1e-5),
    "complex128": (1e-7, 1e-7),
}
_SCALAR_DTYPES = {bool: "bool", int: "int64", float: "float64", complex: "complex128"}


class _Mismatch(Exception):
    """A failed comparison: the exception type to raise and its message (without location)."""

    def __init__(self, kind: type[Exception], message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def default_tolerances(*dtypes: Any) -> tuple[float, float]:
    """PyTorch's default ``(rtol, atol)`` for comparing values of these dtypes (the largest).

    Accepts pyautograd or NumPy dtypes (or their names): float32 gives (1.3e-6, 1e-5),
    float64 (1e-7, 1e-7), float16 (1e-3, 1e-5), integers and bool (0, 0).
    """
    pairs = [_TOLERANCES.get(_dtype_name(d), (0.0, 0.0)) for d in dtypes]
    return max(p[0] for p in pairs), max(p[1] for p in pairs)


def _dtype_name(dtype: Any) -> str:
    if isinstance(dtype, str) or type(dtype).__module__.startswith(("pyautograd", "torch")):
        return str(dtype).removeprefix("pyautograd.").removeprefix("torch.")
    return str(np.dtype(dtype).name)


def _promote(a: np.dtype[Any], b: np.dtype[Any]) -> np.dtype[Any]:
    """PyTorch's promotion: a float dtype wins over an integer or bool one as it is (NumPy would
    widen int64 + float32 to float64)."""
    if a.kind in "fc" and b.kind in "biu":
        return a
    if b.kind in "fc" and a.kind in "biu":
        return b
    return np.result_type(a, b)


def _is_tensor_like(x: object) -> bool:
    return isinstance(x, (Tensor, np.ndarray))


def _is_number(x: object) -> bool:
    return isinstance(x, (bool, int, float, complex, np.number, np.bool_))


def _as_array(x: Tensor | npt.NDArray[Any]) -> npt.NDArray[Any]:
    return x.detach().numpy() if isinstance(x, Tensor) else np.asarray(x)


def _attribute_mismatch(name: str, actual: object, expected: object) -> _Mismatch:
    return _Mismatch(
        AssertionError,
        f"The values for attribute '{name}' do not match: {actual} != {expected}.",
    )


def _diff_line(kind: str, diff: object, index: tuple[int, ...] | None, tol: float) -> str:
    line = f"{kind.title()} difference: {diff}"
    if index is not None:
        line = f"Greatest {kind} difference: {diff} at index {index}"
    return line + (f" (up to {tol} allowed)" if tol > 0 else "") + "\n"


def _report(
    identifier: str,
    extra: str,
    abs_diff: object,
    abs_at: tuple[int, ...] | None,
    rtol: float,
    atol: float,
    rel_diff: object,
    rel_at: tuple[int, ...] | None,
) -> str:
    verdict = "equal" if rtol == 0 and atol == 0 else "close"
    text = f"{identifier} are not {verdict}!\n\n{extra}\n"
    text += _diff_line("absolute", abs_diff, abs_at, atol)
    text += _diff_line("relative", rel_diff, rel_at, rtol)
    return text.strip()


def _close(
    a: npt.NDArray[Any], b: npt.NDArray[Any], rtol: float, atol: float, equal_nan: bool
) -> npt.NDArray[np.bool_]:
    with np.errstate(invalid="ignore", over="ignore"):
        if a.dtype.kind in "biu" and b.dtype.kind in "biu" and rtol == 0 and atol == 0:
            return np.asarray(a == b)
        close = np.asarray(a == b)  # also equal infinities
        finite = np.isfinite(a) & np.isfinite(b)
        close |= finite & (np.abs(a - b) <= atol + rtol * np.abs(b))
        if equal_nan:
            close |= np.isnan(a) & np.isnan(b)
    return close


def _scalar_diffs(actual: Any, expected: Any) -> tuple[Any, float]:
    abs_diff = abs(actual - expected)
    if isinstance(abs_diff, bool):
        abs_diff = int(abs_diff)
    if math.isnan(abs_diff) or abs(expected) != 0:
        rel = abs_diff / abs(expected) if abs(expected) != 0 else math.nan
    else:
        rel = math.inf if abs_diff else math.nan
    return abs_diff, rel


def _compare_numbers(
    actual: Any, expected: Any, tol: tuple[float, float] | None, options: dict[str, Any]
) -> None:
    actual = actual.item() if isinstance(actual, (np.number, np.bool_)) else actual
    expected = expected.item() if isinstance(expected, (np.number, np.bool_)) else expected
    if options["check_dtype"] and type(actual) is not type(expected):
        raise _Mismatch(
            AssertionError,
            f"The (d)types do not match: {type(actual)} != {type(expected)}.",
        )
    rtol, atol = tol or default_tolerances(
        _SCALAR_DTYPES[type(actual)], _SCALAR_DTYPES[type(expected)]
    )
    a, b = np.asarray(actual), np.asarray(expected)
    if bool(_close(a, b, rtol, atol, options["equal_nan"])):
        return
    abs_diff, rel = _scalar_diffs(actual, expected)
    extra = f"Expected {expected} but got {actual}."
    raise _Mismatch(
        AssertionError, _report("Scalars", extra, abs_diff, None, rtol, atol, rel, None)
    )


def _compare_tensors(
    actual: Any, expected: Any, tol: tuple[float, float] | None, options: dict[str, Any]
) -> None:
    if not options["allow_subclasses"] and type(actual) is not type(expected):
        raise _unsupported(actual, expected)
    if isinstance(actual, Tensor) != isinstance(expected, Tensor):
        raise _unsupported(actual, expected)
    if tuple(actual.shape) != tuple(expected.shape):
        raise _attribute_mismatch("shape", actual.shape, expected.shape)
    if options["check_dtype"] and actual.dtype != expected.dtype:
        raise _attribute_mismatch("dtype", actual.dtype, expected.dtype)
    if options["check_stride"] and _strides(actual) != _strides(expected):
        raise _attribute_mismatch("stride()", _strides(actual), _strides(expected))
    a, b = _as_array(actual), _as_array(expected)
    rtol, atol = tol or default_tolerances(a.dtype, b.dtype)
    common = _promote(a.dtype, b.dtype)
    a, b = a.astype(common, copy=False), b.astype(common, copy=False)
    close = _close(a, b, rtol, atol, options["equal_nan"])
    if bool(close.all()):
        return
    if a.ndim == 0:
        abs_diff, rel = _scalar_diffs(a.item(), b.item())
        extra = f"Expected {b.item()} but got {a.item()}."
        raise _Mismatch(
            AssertionError, _report("Scalars", extra, abs_diff, None, rtol, atol, rel, None)
        )
    raise _Mismatch(AssertionError, _tensor_report(a, b, close, rtol, atol))


def _tensor_report(
    a: npt.NDArray[Any],
    b: npt.NDArray[Any],
    close: npt.NDArray[np.bool_],
    rtol: float,
    atol: float,
) -> str:
    if a.dtype.kind in "biu":  # differences of integers as int64, their ratios as float32
        a, b = a.astype(np.int64), b.astype(np.int64)
    mismatches = int(close.size - np.count_nonzero(close))
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        abs_diff = np.abs(a - b).ravel()
        abs_diff[close.ravel()] = 0
        scale = np.abs(b).ravel()
        if a.dtype.kind in "biu":
            rel_diff = abs_diff.astype(np.float32) / scale.astype(np.float32)
        else:
            rel_diff = abs_diff / scale
        rel_diff[close.ravel()] = 0

    def greatest(values: npt.NDArray[Any]) -> tuple[object, tuple[int, ...]]:
        nan = np.flatnonzero(np.isnan(values)) if values.dtype.kind in "fc" else None
        flat = int(nan[0]) if nan is not None and len(nan) else int(np.argmax(values))
        where = tuple(int(i) for i in np.unravel_index(flat, a.shape))
        return values[flat].item(), where

    abs_max, abs_at = greatest(abs_diff)
    rel_max, rel_at = greatest(rel_diff)
    share = mismatches / close.size
    extra = f"Mismatched elements: {mismatches} / {close.size} ({share:.1%})"
    return _report("Tensor-likes", extra, abs_max, abs_at, rtol, atol, rel_max, rel_at)


def _strides(x: Tensor | npt.NDArray[Any]) -> tuple[int, ...]:
    if isinstance(x, Tensor):
        return tuple(x.stride())
    return tuple(s // x.itemsize for s in x.strides)


def _unsupported(actual: object, expected: object) -> _Mismatch:
    return _Mismatch(
        TypeError,
        "No comparison pair was able to handle inputs of type "
        f"{type(actual)} and {type(expected)}.",
    )


def _is_sequence(x: object) -> bool:
    return isinstance(x, Sequence) and not isinstance(x, (str, bytes))


def _compare(
    actual: Any,
    expected: Any,
    tol: tuple[float, float] | None,
    options: dict[str, Any],
    path: list[str],
) -> None:
    if actual is None or expected is None:
        if actual is not expected:
            raise _Mismatch(AssertionError, f"None mismatch: {actual} is not {expected}")
        return
    if _is_sequence(actual) and _is_sequence(expected):
        if len(actual) != len(expected):
            raise _Mismatch(
                AssertionError,
                f"The length of the sequences mismatch: {len(actual)} != {len(expected)}",
            )
        for i, (x, y) in enumerate(zip(actual, expected, strict=True)):
            _compare(x, y, tol, options, [*path, f"[{i}]"])
        return
    if isinstance(actual, Mapping) and isinstance(expected, Mapping):
        if set(actual) != set(expected):
            missing = sorted(set(expected) - set(actual), key=repr)
            extra = sorted(set(actual) - set(expected), key=repr)
            raise _Mismatch(
                AssertionError,
                "The keys of the mappings do not match:\n"
                + (f"Missing keys in the actual mapping: {missing}\n" if missing else "")
                + (f"Additional keys in the actual mapping: {extra}" if extra else ""),
            )
        for key in actual:
            _compare(actual[key], expected[key], tol, options, [*path, f"[{key!r}]"])
        return
    try:
        if _is_tensor_like(actual) and _is_tensor_like(expected):
            _compare_tensors(actual, expected, tol, options)
        elif _is_number(actual) and _is_number(expected):
            _compare_numbers(actual, expected, tol, options)
        else:
            raise _unsupported(actual, expected)
    except _Mismatch as mismatch:
        if path and mismatch.kind is AssertionError:
            mismatch.message += f"\n\nThe failure occurred for item {''.join(path)}"
        raise


def assert_close(
    actual: Any,
    expected: Any,
    *,
    allow_subclasses: bool = True,
    rtol: float | None = None,
    atol: float | None = None,
    equal_nan: bool = False,
    check_device: bool = True,
    check_dtype: bool = True,
    check_layout: bool = True,
    check_stride: bool = False,
    msg: str | Callable[[str], str] | None = None,
) -> None:
    """Asserts that ``actual`` and ``expected`` are close, with PyTorch's rules and messages.

    Inputs are pyautograd tensors, NumPy arrays, Python or NumPy numbers, None, or sequences
    and mappings of them (compared item by item; both sides must be of the same kind: a tensor
    is not compared with a list or an array). Tensors must match in shape, dtype (unless
    ``check_dtype=False``: then both are promoted to a common dtype) and, with
    ``check_stride=True``, strides. Values are close when
    ``|actual - expected| <= atol + rtol * |expected|`` elementwise; without ``rtol``/``atol``
    (give both or neither) the tolerances are PyTorch's defaults for the dtypes (the larger of
    the two): float32 ``(1.3e-6, 1e-5)``, float64 ``(1e-7, 1e-7)``, integers and bool exact.
    NaNs are equal only with ``equal_nan=True``; an infinity only to the same infinity.

    Raises AssertionError with the number and share of mismatched elements and the greatest
    absolute and relative differences with their indices (``msg`` replaces that message, or
    transforms it when callable); TypeError for inputs it cannot compare; ValueError for bad
    tolerances. ``check_device`` and ``check_layout`` are accepted for compatibility (every
    tensor is a dense CPU tensor).
    """
    if (rtol is None) != (atol is None):
        missing = "atol" if atol is None else "rtol"
        raise ValueError(
            f"Both 'rtol' and 'atol' must be either specified or omitted, but got no {missing}."
        )
    tol = None
    if rtol is not None and atol is not None:
        if rtol < 0 or atol < 0 or math.isnan(rtol) or math.isnan(atol):
            raise ValueError(f"rtol and atol must be non-negative numbers, got {rtol}, {atol}")
        tol = (float(rtol), float(atol))
    options = {
        "allow_subclasses": allow_subclasses,
        "equal_nan": equal_nan,
        "check_dtype": check_dtype,
        "check_stride": check_stride,
    }
    del check_device, check_layout  # one device, one layout
    try:
        _compare(actual, expected, tol, options, [])
    except _Mismatch as mismatch:
        text = mismatch.message
        if mismatch.kind is AssertionError and msg is not None:
            text = msg(text) if callable(msg) else msg
        raise mismatch.kind(text) from None
