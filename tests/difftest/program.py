"""A differential-test program: Python statements over named tensors, run unchanged on any
torch-like library bound to the name ``L`` (``torch`` or ``pyautograd``).

A statement is one line of code plus what the tools need to know about it: the names it
defines and uses (so the shrinker can delete it with its dependents), whether it runs under
``L.no_grad()``, and the expressions to observe after it (a defined tensor, every tensor after
an in-place write, every ``.grad`` after a backward pass). Leaves keep their structured spec
(shape, dtype, values, layout) so the shrinker can simplify them and re-render their code.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, replace
from typing import Any

DTYPES = ("float32", "float64", "int64", "bool")
FLOATS = ("float32", "float64")


def numel(shape: tuple[int, ...] | list[int]) -> int:
    return math.prod(shape)


def fmt_value(v: Any) -> str:
    """A Python literal for one element (``inf``/``nan`` are names in every namespace)."""
    if isinstance(v, bool):
        return repr(v)
    if isinstance(v, int):
        return repr(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return repr(float(v))


def nested(values: list[Any], shape: tuple[int, ...]) -> str:
    """The nested-list literal of a flat row-major value list."""
    if not shape:
        return fmt_value(values[0])
    if len(shape) == 1:
        return "[" + ", ".join(fmt_value(v) for v in values) + "]"
    step = numel(shape[1:])
    parts = [nested(values[i * step : (i + 1) * step], shape[1:]) for i in range(shape[0])]
    return "[" + ", ".join(parts) + "]"


@dataclass(frozen=True)
class Leaf:
    """A fresh input tensor: data of ``data_shape`` turned into ``shape`` by ``layout``.

    layout: ``contig`` (data_shape == shape), ``t:i:j`` (a transpose of dims i and j),
    ``step:d`` (every other element of dim d), ``expand`` (size-1 dims expanded).
    """

    shape: tuple[int, ...]
    dtype: str
    values: tuple[Any, ...]
    requires_grad: bool = False
    layout: str = "contig"
    data_shape: tuple[int, ...] = ()

    def code(self) -> str:
        dt = f"dtype=L.{self.dtype}"
        if numel(self.data_shape) == 0:
            base = f"L.zeros({tuple(self.data_shape)!r}, {dt}"
        else:
            base = f"L.tensor({nested(list(self.values), self.data_shape)}, {dt}"
        if self.layout == "contig":
            return base + (", requires_grad=True)" if self.requires_grad else ")")
        base += ")"
        if self.layout.startswith("t:"):
            _, i, j = self.layout.split(":")
            base += f".transpose({i}, {j})"
        elif self.layout.startswith("step:"):
            d = int(self.layout.split(":")[1])
            idx = ", ".join([":"] * d + ["::2"])
            base += f"[{idx}]"
        elif self.layout == "expand":
            base += f".expand({', '.join(map(str, self.shape)) or '()'})"
        else:
            raise ValueError(self.layout)
        # A non-contiguous leaf that requires grad is detached first: PyTorch treats
        # ``view.requires_grad_()`` (a leaf that is also a view) in ways no program relies on.
        return base + (".detach().requires_grad_()" if self.requires_grad else "")


@dataclass(frozen=True)
class Stmt:
    """One line of a program (see the module docstring)."""

    code: str
    defines: tuple[str, ...] = ()
    uses: tuple[str, ...] = ()
    row: str = ""
    kind: str = "op"  # leaf | op | inplace | backward | final
    no_grad: bool = False
    observe: tuple[str, ...] = ()
    leaf: Leaf | None = None

    def with_leaf(self, leaf: Leaf) -> Stmt:
        name = self.defines[0]
        return replace(self, leaf=leaf, code=f"{name} = {leaf.code()}")


@dataclass
class Program:
    stmts: list[Stmt] = field(default_factory=list)
    tag: str = ""  # "seed/index" it was generated from

    def to_json(self) -> str:
        return json.dumps({"tag": self.tag, "stmts": [asdict(s) for s in self.stmts]})

    @staticmethod
    def from_json(text: str) -> Program:
        d = json.loads(text)
        stmts = []
        for s in d["stmts"]:
            leaf = s.pop("leaf")
            for k in ("defines", "uses", "observe"):
                s[k] = tuple(s[k])
            if leaf is not None:
                for k in ("shape", "values", "data_shape"):
                    leaf[k] = tuple(leaf[k])
                leaf = Leaf(**leaf)
            stmts.append(Stmt(**s, leaf=leaf))
        return Program(stmts, d["tag"])


HEADER = """import torch
import pyautograd

inf, nan = float("inf"), float("nan")
"""

FOOTER = """

for L in (torch, pyautograd):
    try:
        print(L.__name__, program(L))
    except Exception as e:
        print(L.__name__, "raises", type(e).__name__, e)
"""


def render(stmts: list[Stmt], returns: str | None = None, comment: str = "") -> str:
    """Runnable Python for both libraries: ``def program(L)``, called with torch and pyautograd."""
    out = [HEADER]
    if comment:
        out += ["# " + line for line in comment.splitlines()]
    out.append("def program(L):")
    in_ng = False
    for s in stmts:
        if s.kind == "final":
            continue
        if s.no_grad and not in_ng:
            out.append("    with L.no_grad():")
            in_ng = True
        elif not s.no_grad:
            in_ng = False
        out.append(("        " if in_ng else "    ") + s.code)
    out.append(f"    return {returns}" if returns else "    return None")
    return "\n".join(out) + FOOTER
