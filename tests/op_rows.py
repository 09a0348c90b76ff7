"""One row per declared op (cpp/kernels/*_ops.h, cpp/ops/reduce_ops.h): the inputs that test it.

tests/test_op_table.py walks pyautograd._core._op_table() and, for every op, checks its binding,
stub and alias, its values against PyTorch, and its gradient against finite differences (float64)
and PyTorch, with the inputs its row describes here. An op without a row fails that test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Row:
    """How to make the inputs of an op.

    kind: "float" (uniform in [low, high]), "small" (the integers -2..2 as float64, so that
    comparisons meet ties and zeros) or "int" (int64 in [-5, 5]).
    avoid: points where the op has a kink; inputs are kept at least 0.1 away from them, so
    that finite differences are meaningful.
    kwargs: the op's parameters (a reduction's dim, keepdim, ...).
    scalar: for a binary op, a number also tried as either operand (None: not tried).
    """

    arity: int = 1
    kind: str = "float"
    low: float = -2.0
    high: float = 2.0
    avoid: tuple[float, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    scalar: float | None = None


POSITIVE = {"low": 0.3, "high": 2.5}
INTEGERS = (-2.0, -1.0, 0.0, 1.0, 2.0)  # where floor, ceil, trunc and frac jump
HALVES = (-1.5, -0.5, 0.5, 1.5)  # where round jumps

ROWS: dict[str, Row] = {
    # ---- unary ----
    "neg": Row(),
    "abs": Row(avoid=(0.0,)),
    "exp": Row(),
    "log": Row(**POSITIVE),
    "sqrt": Row(**POSITIVE),
    "tanh": Row(),
    "sigmoid": Row(),
    "relu": Row(avoid=(0.0,)),
    "sign": Row(avoid=(0.0,)),
    "square": Row(),
    "bitwise_not": Row(kind="int"),
    "logical_not": Row(kind="small"),
    "clamp": Row(kwargs={"min": -0.5, "max": 0.8}, avoid=(-0.5, 0.8)),
    "sin": Row(),
    "cos": Row(),
    "tan": Row(low=-1.2, high=1.2),
    "asin": Row(low=-0.9, high=0.9),
    "acos": Row(low=-0.9, high=0.9),
    "atan": Row(),
    "sinh": Row(),
    "cosh": Row(),
    "log1p": Row(low=-0.6, high=2.0),
    "expm1": Row(),
    "log2": Row(**POSITIVE),
    "log10": Row(**POSITIVE),
    "reciprocal": Row(avoid=(0.0,)),
    "rsqrt": Row(**POSITIVE),
    "erf": Row(),
    "floor": Row(avoid=INTEGERS),
    "ceil": Row(avoid=INTEGERS),
    "round": Row(avoid=HALVES),
    "trunc": Row(avoid=INTEGERS),
    "frac": Row(avoid=INTEGERS),
    "softplus": Row(kwargs={"beta": 2.0, "threshold": 3.0}, avoid=(1.5,)),
    "leaky_relu": Row(kwargs={"negative_slope": 0.2}, avoid=(0.0,)),
    "elu": Row(kwargs={"alpha": 0.7}, avoid=(0.0,)),
    "gelu": Row(),
    "silu": Row(),
    "hardtanh": Row(kwargs={"min_val": -0.5, "max_val": 0.8}, avoid=(-0.5, 0.8)),
    "isnan": Row(),
    "isinf": Row(),
    "isfinite": Row(),
    "isposinf": Row(),
    "isneginf": Row(),
    "nan_to_num": Row(kwargs={"nan": 0.5, "posinf": 2.0}),
    "clamp_min": Row(kwargs={"min": -0.5}, avoid=(-0.5,)),
    "clamp_max": Row(kwargs={"max": 0.8}, avoid=(0.8,)),
    "asinh": Row(),
    "acosh": Row(low=1.2, high=3.0),
    "atanh": Row(low=-0.9, high=0.9),
    "erfc": Row(),
    "erfinv": Row(low=-0.9, high=0.9),
    "exp2": Row(),
    "lgamma": Row(**POSITIVE),
    "digamma": Row(**POSITIVE),
    "sinc": Row(),
    "deg2rad": Row(),
    "rad2deg": Row(),
    "logit": Row(low=0.05, high=0.95, kwargs={"eps": 0.2}, avoid=(0.2, 0.8)),
    "signbit": Row(),
    # ---- binary ----
    "add": Row(arity=2, scalar=1.5),
    "sub": Row(arity=2, scalar=1.5),
    "mul": Row(arity=2, scalar=-2.5),
    "div": Row(arity=2, **POSITIVE, scalar=2.0),
    "pow": Row(arity=2, **POSITIVE, scalar=2.5),
    "maximum": Row(arity=2, scalar=0.25),
    "minimum": Row(arity=2, scalar=0.25),
    "bitwise_and": Row(arity=2, kind="int", scalar=3),
    "bitwise_or": Row(arity=2, kind="int", scalar=3),
    "bitwise_xor": Row(arity=2, kind="int", scalar=3),
    "logical_and": Row(arity=2, kind="small", scalar=0),
    "logical_or": Row(arity=2, kind="small", scalar=0),
    "logical_xor": Row(arity=2, kind="small", scalar=1),
    "eq": Row(arity=2, kind="small", scalar=1),
    "ne": Row(arity=2, kind="small", scalar=1),
    "lt": Row(arity=2, kind="small", scalar=1),
    "le": Row(arity=2, kind="small", scalar=1),
    "gt": Row(arity=2, kind="small", scalar=1),
    "ge": Row(arity=2, kind="small", scalar=1),
    "atan2": Row(arity=2, scalar=1.5),
    "fmod": Row(arity=2, **POSITIVE, scalar=0.7),
    "remainder": Row(arity=2, **POSITIVE, scalar=0.7),
    "hypot": Row(arity=2, scalar=1.5),
    "copysign": Row(arity=2, avoid=(0.0,), scalar=-1.5),
    "floor_divide": Row(arity=2, **POSITIVE, scalar=0.7),
    # ---- reductions and scans (cpp/ops/reduce_ops.h) ----
    "sum": Row(kwargs={"dim": 1}),
    "mean": Row(kwargs={"dim": 0, "keepdim": True}),
    "prod": Row(kwargs={"dim": 1}, avoid=(0.0,)),
    "all": Row(kind="small", kwargs={"dim": 1}),
    "any": Row(kind="small"),
    "logsumexp": Row(kwargs={"dim": 1}),
    "var": Row(kwargs={"dim": 1}),
    "std": Row(kwargs={"dim": 0, "correction": 0}),
    "norm": Row(kwargs={"p": 3.0, "dim": 1}, avoid=(0.0,)),
    "max": Row(),
    "min": Row(kwargs={"dim": 1}),
    "argmax": Row(kwargs={"dim": 1}),
    "argmin": Row(),
    "cumsum": Row(kwargs={"dim": 1}),
    "cumprod": Row(kwargs={"dim": 0}, avoid=(0.0,)),
}
