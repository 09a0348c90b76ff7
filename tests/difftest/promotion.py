"""The promotion table: every pair of operands (a tensor or a 0-d tensor of each dtype, a Python
bool, int or float) through every op family, run on a library: the result dtype, or "raises".

Used by tests/test_differential_promotion.py (against PyTorch) and runnable by hand:

    python tests/difftest/promotion.py      # prints every pair where pyautograd differs
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

DTYPES = ("bool", "int64", "float32", "float64")
#: operand kinds: ("t", dtype) a tensor of shape (2,), ("0d", dtype), ("py", type name)
KINDS: list[tuple[str, str]] = (
    [("t", d) for d in DTYPES] + [("0d", d) for d in DTYPES] + [("py", p) for p in DTYPES[:3]]
)
_PY = {"bool": True, "int64": 2, "float32": 2.5}


def kind_id(k: tuple[str, str]) -> str:
    return {"t": "", "0d": "0d-", "py": "py-"}[k[0]] + (
        {"int64": "int", "float32": "float"}.get(k[1], k[1]) if k[0] == "py" else k[1]
    )


def operand(L: Any, k: tuple[str, str]) -> Any:
    if k[0] == "py":
        return _PY[k[1]]
    dt = getattr(L, k[1])
    vals = [True, True] if k[1] == "bool" else [1, 2]
    return L.tensor(vals if k[0] == "t" else vals[1], dtype=dt)


def _inplace(name: str) -> Callable[[Any, Any, Any], Any]:
    return lambda L, a, b: getattr(a.clone(), name)(b)


#: family -> (function of (L, a, b), which operand kinds it takes: "any" | "tensor-first" |
#: "tensors")
FAMILIES: dict[str, tuple[Callable[[Any, Any, Any], Any], str]] = {
    "add": (lambda L, a, b: a + b, "any"),
    "sub": (lambda L, a, b: a - b, "any"),
    "mul": (lambda L, a, b: a * b, "any"),
    "div": (lambda L, a, b: a / b, "any"),
    "pow": (lambda L, a, b: a**b, "any"),
    "lt": (lambda L, a, b: a < b, "any"),
    "eq": (lambda L, a, b: a == b, "any"),
    "and": (lambda L, a, b: a & b, "any"),
    "maximum": (lambda L, a, b: L.maximum(a, b), "tensors"),
    "where": (lambda L, a, b: L.where(L.tensor([True, False]), a, b), "all"),
    "clamp": (lambda L, a, b: a.clamp(min=b), "tensor-first"),
    "clamp_both": (lambda L, a, b: a.clamp(b, b), "tensor-first"),
    "add_": (_inplace("add_"), "tensor-first"),
    "sub_": (_inplace("sub_"), "tensor-first"),
    "mul_": (_inplace("mul_"), "tensor-first"),
    "div_": (_inplace("div_"), "tensor-first"),
    "pow_": (_inplace("pow_"), "tensor-first"),
    "clamp_": (lambda L, a, b: a.clone().clamp_(min=b), "tensor-first"),
}


def cases() -> list[tuple[str, tuple[str, str], tuple[str, str]]]:
    out = []
    for fam, (_, takes) in FAMILIES.items():
        for a in KINDS:
            for b in KINDS:
                if takes == "any" and a[0] == "py" and b[0] == "py":
                    continue
                if takes == "tensor-first" and a[0] == "py":
                    continue
                if takes == "tensors" and "py" in (a[0], b[0]):
                    continue
                out.append((fam, a, b))
    return out


def outcome(L: Any, fam: str, a: tuple[str, str], b: tuple[str, str]) -> str:
    """The result's dtype name, or "raises"."""
    f = FAMILIES[fam][0]
    try:
        r = f(L, operand(L, a), operand(L, b))
    except Exception:
        return "raises"
    return str(r.dtype).rsplit(".", 1)[-1]


if __name__ == "__main__":
    import torch

    import pyautograd

    n = 0
    for fam, a, b in cases():
        t, o = outcome(torch, fam, a, b), outcome(pyautograd, fam, a, b)
        if t != o:
            n += 1
            print(f"{fam:10} {kind_id(a):12} {kind_id(b):12} torch {t:8} pyautograd {o}")
    print(f"{n} of {len(cases())} differ")
