"""Python numbers that do not fit the tensor's dtype, against PyTorch (the spec).

PyTorch converts a Python int operand of an arithmetic, bitwise or comparison op to the
tensor's dtype as C++ converts an int64: wrapped, two's complement (`uint8 + 300` adds 44,
`uint8 < 300` compares with 44, `uint8 // -1` divides by 255). Where the number becomes a
bound, an exponent, alpha, an element (clamp, pow, add's alpha, where, fill_, full,
masked_fill, index_fill, x[i] = n, tensor([...], dtype=)) it checks instead and raises "value
cannot be converted to type uint8_t without overflow" (a negative int into an unsigned type
wraps there too: -1 is 255, -256 overflows). Every expression below runs on both libraries
for every integer dtype (and float32), out-of-range ints and floats, in place and out of
place, tensor first and number first: both raise, or both give the same dtype and values.

Ints beyond 2**53 are left out: pyautograd carries Python numbers as doubles (README, What
differs).
"""

from __future__ import annotations

import math
from typing import Any

import pytest

import pyautograd

torch = pytest.importorskip("torch")

DTYPES = ("uint8", "int8", "int16", "int32", "int64", "bool", "float32")
NUMBERS = (
    300, -1, -129, -255, -256, 255, 256, 70000, -70000, 2**31, 2**31 + 5, -(2**31) - 3,
    2**40 + 7, -(2**52), 2.5, -3.7, 300.5, 1e20, 1e300, math.nan, math.inf, -math.inf,
    True, False,
)  # fmt: skip
VALUES = {"bool": [True, False, True], "uint8": [1, 200, 7]}

EXPRESSIONS = (
    # arithmetic, bitwise and comparisons: the number wraps
    "x + s", "s + x", "x - s", "s - x", "x * s", "s * x", "x / s", "s / x", "x // s",
    "s // x", "x % s", "s % x", "s ** x", "x & s", "s & x", "x | s", "x ^ s", "x < s",
    "x > s", "x == s", "x != s", "x <= s", "x >= s", "s < x", "L.add(x, s)", "L.sub(x, s)",
    "L.mul(s, x)", "L.remainder(x, s)", "L.fmod(x, s)", "L.floor_divide(x, s)",
    "L.bitwise_and(x, s)", "L.bitwise_or(x, s)", "L.bitwise_xor(x, s)", "L.eq(x, s)",
    "L.lt(x, s)", "L.ge(x, s)", "x.add_(s)", "x.sub_(s)", "x.mul_(s)", "x.div_(s)",
    "x.floor_divide_(s)", "x.remainder_(s)", "x.fmod_(s)", "x.bitwise_and_(s)",
    "x.bitwise_or_(s)", "x.bitwise_xor_(s)", "L.maximum(x, L.tensor(s))",
    "L.minimum(x, L.tensor(s))", "L.ones(2, dtype=x.dtype) * s",
    # bounds, exponents, alpha, where: checked
    "x ** s", "L.pow(x, s)", "x.pow_(s)", "L.clamp(x, s)", "L.clamp(x, None, s)",
    "L.clamp(x, s, s)", "x.clamp(min=s)", "x.clamp_min(s)", "x.clamp_max(s)", "L.clip(x, s)",
    "x.clamp_(s)", "x.clamp_(None, s)", "x.clamp_min_(s)", "x.clamp_max_(s)",
    "L.add(x, 1, alpha=s)", "L.add(x, x, alpha=s)", "L.sub(x, x, alpha=s)",
    "x.add_(1, alpha=s)", "x.sub_(1, alpha=s)", "L.where(x > 3, x, s)",
    "L.where(x > 3, s, x)", "L.where(x > 3, s, 1)",
    # elements: checked
    "x.fill_(s)", "x.masked_fill_(x > 3, s)", "x.masked_fill(x > 3, s)",
    "x.index_fill_(0, L.tensor([1]), s)", "L.full((2,), s, dtype=x.dtype)",
    "L.full((), s, dtype=x.dtype)", "L.full_like(x, s)", "x.new_full((2,), s)",
    "L.zeros(2, dtype=x.dtype).fill_(s)", "L.tensor([s], dtype=x.dtype)",
    "L.tensor(s, dtype=x.dtype)", "L.tensor([[1, s]], dtype=x.dtype)", "x.new_tensor(s)",
    "x.__setitem__(0, s)", "x.__setitem__(x > 3, s)",
)  # fmt: skip


def _run(L: Any, expr: str, dtype: str, s: Any) -> Any:
    x = L.tensor(VALUES.get(dtype, [1, -100, 7]), dtype=getattr(L, dtype))
    try:
        r = eval(expr, {"L": L, "x": x, "s": s})
    except Exception:
        return "raises"
    r = x if r is None else r
    return (str(r.dtype).rsplit(".", 1)[-1], r.tolist(), x.tolist())


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, (list, tuple)):
        return (
            isinstance(b, (list, tuple))
            and len(a) == len(b)
            and all(_same(p, q) for p, q in zip(a, b, strict=True))
        )
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b or abs(a - b) <= 1e-6 * abs(a)
    return a == b and type(a) is type(b)


@pytest.mark.parametrize("expr", EXPRESSIONS)
def test_out_of_range_numbers_as_pytorch(expr: str) -> None:
    wrong = []
    for dtype in DTYPES:
        for s in NUMBERS:
            with_torch, ours = _run(torch, expr, dtype, s), _run(pyautograd, expr, dtype, s)
            if not _same(with_torch, ours):
                wrong.append(f"{dtype} s={s!r}: PyTorch {with_torch}, pyautograd {ours}")
    assert not wrong, f"{expr}: {len(wrong)} differ\n" + "\n".join(wrong[:12])


def test_uint8_plus_300_wraps() -> None:
    """The issue's example: the number is wrapped into uint8 (300 -> 44), then added."""
    x = pyautograd.tensor([1], dtype=pyautograd.uint8)
    assert (x + 300).tolist() == (torch.tensor([1], dtype=torch.uint8) + 300).tolist() == [45]


def test_int64_limits_are_exact() -> None:
    """int64's limits reach the tensor exactly (its max is no double: the fill saturates)."""
    big, small = 2**63 - 1, -(2**63)
    for v in (big, small):
        got = pyautograd.full((2,), v).tolist()
        assert got == torch.full((2,), v).tolist() == [v, v]
    x = pyautograd.zeros(2, dtype=pyautograd.int64)
    assert x.fill_(big).tolist() == [big, big]


FLOATS = (math.inf, -math.inf, math.nan, 1e20, -1e20, 3000000001.0, -3000000001.0, 2**31 + 5.0,
          -2.7, 255.9, 300.0, 70000.5, -129.5)  # fmt: skip


@pytest.mark.parametrize("src", ["float32", "float64"])
@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16", "int32", "int64", "bool"])
def test_float_tensors_into_integers_as_pytorch(src: str, dtype: str) -> None:
    """A float tensor converted to an integer dtype (to(), copy_, fill_ with a 0-d tensor,
    which PyTorch does not check): truncated, then wrapped as PyTorch does on x86-64 (uint8
    through int64, int8 and int16 through int32; out of range or NaN, int32 and int64 give
    their lowest value)."""

    def run(L: Any) -> Any:
        x = L.tensor(FLOATS, dtype=getattr(L, src))
        d = getattr(L, dtype)
        fills = [L.zeros(2, dtype=d).fill_(L.tensor(v, dtype=getattr(L, src))) for v in FLOATS]
        return (
            x.to(d).tolist(),
            L.zeros(len(FLOATS), dtype=d).copy_(x).tolist(),
            [f.tolist() for f in fills],
        )

    assert run(pyautograd) == run(torch)


ALL_DTYPES = ("float32", "float64", "int64", "int32", "uint8", "bool")


@pytest.mark.parametrize("value_dtype", ALL_DTYPES)
@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_masked_fill_with_a_0d_tensor_of_another_dtype(dtype: str, value_dtype: str) -> None:
    """masked_fill(_) reads a 0-d tensor value as a number (checked against self's dtype as a
    number is: -1.0 into uint8 raises) and keeps self's dtype; out of place, an integer self
    with a value that requires grad raises (PyTorch: "Autograd not support dtype")."""

    def run(L: Any, inplace: bool, value: float | int, tracked: bool) -> Any:
        x = L.tensor([1.0, 2.0, 3.0], dtype=getattr(L, dtype))
        v = L.tensor(value, dtype=getattr(L, value_dtype))
        if tracked:
            v.requires_grad_()
        m = L.tensor([True, False, True])
        try:
            r = x.masked_fill_(m, v) if inplace else x.masked_fill(m, v)
        except RuntimeError:
            return "raises"
        return str(r.dtype).rsplit(".", 1)[-1], r.tolist()

    for inplace in (False, True):
        floating = value_dtype.startswith("float")
        for value in (2.5, -1.0, math.nan, 0.0) if floating else (2, -1, 0):
            # in place with a tracked value into an integer self: gate torch-nonfloat-requires-grad
            for tracked in (False, True) if floating else (False,):
                if tracked and inplace and not dtype.startswith("float"):
                    continue
                want = run(torch, inplace, value, tracked)
                got = run(pyautograd, inplace, value, tracked)
                assert _same(got, want), (inplace, value, tracked, got, want)
