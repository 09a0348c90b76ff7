"""Type promotion against PyTorch: every pair of operands (a tensor or a 0-d tensor of each
dtype, a Python bool/int/float) through every op family (arithmetic, division, comparison, pow,
bitwise, maximum, where, clamp, in-place): the result's dtype, or whether the call raises.
The table is tests/difftest/promotion.py. Then PyTorch's rule functions themselves:
result_type, promote_types and can_cast (issue 10 asks for them in pyautograd).

Pairs that differ on main today are strict xfails naming their issue 10 item: a fix makes them
pass, and the fixer deletes the rule below that marked them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

sys.path.insert(0, str(Path(__file__).resolve().parent / "difftest"))
import promotion as P  # noqa: E402

import pyautograd  # noqa: E402

Kind = tuple[str, str]


def known_failure(fam: str, a: Kind, b: Kind) -> str | None:
    """Why pyautograd differs from PyTorch on this pair today (None: it must agree). Each rule
    states its class in PyTorch's terms (what PyTorch does, computed by PyTorch)."""
    return None


@pytest.mark.parametrize("fam", list(P.FAMILIES))
def test_result_dtype_or_error_matches_torch(fam: str) -> None:
    """Every operand pair of one op family: pyautograd's outcome (dtype or raises) is
    PyTorch's, except the pairs known_failure() names; a named pair that now agrees means its
    fix landed: delete its rule."""
    unexpected, fixed = [], []
    for f, a, b in P.cases():
        if f != fam:
            continue
        want, got = P.outcome(torch, fam, a, b), P.outcome(pyautograd, fam, a, b)
        why = known_failure(fam, a, b)
        pair = f"{fam}({P.kind_id(a)}, {P.kind_id(b)})"
        if want != got and not why:
            unexpected.append(f"{pair}: torch {want}, pyautograd {got}")
        elif want == got and why:
            fixed.append(f"{pair} agrees now ({why}): delete its rule")
    assert not unexpected and not fixed, "\n".join(unexpected + fixed)


# ---- the rule functions ---------------------------------------------------------------------
def _name(d: object) -> str:
    return str(d).rsplit(".", 1)[-1]


def test_promote_types() -> None:
    for x in P.DTYPES:
        for y in P.DTYPES:
            got = pyautograd.promote_types(getattr(pyautograd, x), getattr(pyautograd, y))
            want = torch.promote_types(getattr(torch, x), getattr(torch, y))
            assert _name(got) == _name(want), (x, y)


def test_can_cast() -> None:
    for x in P.DTYPES:
        for y in P.DTYPES:
            got = pyautograd.can_cast(getattr(pyautograd, x), getattr(pyautograd, y))
            assert got == torch.can_cast(getattr(torch, x), getattr(torch, y)), (x, y)


def test_result_type() -> None:
    for a0 in P.KINDS:
        for b0 in P.KINDS:
            if a0[0] == b0[0] == "py":
                continue
            a, b = (b0, a0) if a0[0] == "py" else (a0, b0)  # PyTorch wants a tensor first
            got = pyautograd.result_type(P.operand(pyautograd, a), P.operand(pyautograd, b))
            want = torch.result_type(P.operand(torch, a), P.operand(torch, b))
            assert _name(got) == _name(want), (P.kind_id(a), P.kind_id(b))
