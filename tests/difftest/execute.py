"""Runs a program on PyTorch and on pyautograd in lockstep and reports the first divergence.

After each statement both sides observe the same expressions (see program.py) and the
observations are compared: whether the statement raised, then for every observed value its kind
(tensor, tuple, number, None), shape, dtype, ``requires_grad``, ``is_leaf`` and values (exact for
int64/bool, dtype-appropriate tolerances for floats, NaN/inf positions exact). After the program,
pyautograd's allocator must be back where it started (a leak check).
"""

from __future__ import annotations

import gc
import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import predicates as P
from gen import make_ns
from program import Program, Stmt

warnings.simplefilter("ignore")

#: (rtol, atol) per float dtype; atol scales with the largest finite magnitude compared
TOL = {"float32": (2e-4, 2e-5), "float64": (1e-9, 1e-11)}

_code_cache: dict[str, Any] = {}


def _compiled(code: str) -> Any:
    c = _code_cache.get(code)
    if c is None:
        if len(_code_cache) > 2000:  # bounded: a long run must not grow
            _code_cache.clear()
        c = _code_cache[code] = compile(code, "<difftest>", "exec")
    return c


def _dname(d: Any) -> str:
    return str(d).rsplit(".", 1)[-1]


def _is_tensor(x: Any) -> bool:
    return hasattr(x, "requires_grad") and hasattr(x, "dtype") and hasattr(x, "shape")


def summarize(x: Any) -> tuple[Any, ...]:
    """A library-neutral description of an observed value."""
    if x is None:
        return ("None",)
    if _is_tensor(x):
        vals = np.array(x.detach().numpy(), copy=True)
        return (
            "tensor",
            tuple(x.shape),
            _dname(x.dtype),
            bool(x.requires_grad),
            P.is_leaf(x),
            vals,
        )
    if isinstance(x, (tuple, list)) and any(_is_tensor(e) for e in x):
        return ("tuple", len(x), tuple(summarize(e) for e in x))
    if isinstance(x, (bool, int, float)):
        return ("number", type(x).__name__, x)
    if isinstance(x, list):
        flat = np.array(x, dtype=object).ravel().tolist() if x else []
        kinds = sorted({type(e).__name__ for e in flat})
        arr = np.array(x, dtype=np.float64) if flat else np.zeros(0)
        return ("list", np.shape(np.array(x, dtype=object)), tuple(kinds), arr)
    return ("object", type(x).__name__)


def close(a: np.ndarray, b: np.ndarray, dtype: str, loose: bool = False) -> bool:
    if a.shape != b.shape:
        return False
    if dtype not in TOL:
        return bool(np.array_equal(a, b))
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    na, nb = np.isnan(a), np.isnan(b)
    if not np.array_equal(na, nb):
        return False
    ia, ib = np.isinf(a), np.isinf(b)
    if not np.array_equal(ia, ib) or not np.array_equal(a[ia], b[ib]):
        return False
    fin = ~(na | ia)
    if not fin.any():
        return True
    rtol, atol = TOL["float32" if loose else dtype]
    scale = max(1.0, float(np.max(np.abs(a[fin]))))
    return bool(np.all(np.abs(a[fin] - b[fin]) <= atol * scale + rtol * np.abs(a[fin])))


def diff(x: tuple[Any, ...], y: tuple[Any, ...], loose: bool = False) -> str | None:
    """The first field in which observation y (pyautograd) differs from x (PyTorch).

    loose: compare float64 values with float32 tolerances (a float32 value may have flowed
    into them, carrying float32 rounding differences)."""
    if x[0] != y[0]:
        return "type"
    if x[0] == "tensor":
        for i, kind in ((1, "shape"), (2, "dtype"), (3, "requires_grad"), (4, "is_leaf")):
            if x[i] != y[i]:
                return kind
        return None if close(x[5], y[5], x[2], loose) else "value"
    if x[0] == "tuple":
        if x[1] != y[1]:
            return "type"
        for a, b in zip(x[2], y[2], strict=True):
            d = diff(a, b, loose)
            if d:
                return d
        return None
    if x[0] == "number":
        if x[1] != y[1]:
            return "type"
        a, b = float(x[2]), float(y[2])
        if math.isnan(a) and math.isnan(b):
            return None
        return None if a == b or abs(a - b) <= 2e-4 * max(1.0, abs(a)) else "value"
    if x[0] == "list":
        if x[1] != y[1] or x[2] != y[2]:
            return "type"
        return None if close(x[3], y[3], "float32") else "value"
    return None if x == y else "type"


def show(s: tuple[Any, ...] | None) -> str:
    """A short human-readable form of an observation."""
    if s is None:
        return "-"
    if s[0] == "tensor":
        v = np.array2string(s[5], precision=5, threshold=24, separator=",", max_line_width=10**6)
        v = " ".join(v.split())
        return f"{s[2]}{list(s[1])} requires_grad={s[3]} is_leaf={s[4]} {v}"
    if s[0] == "tuple":
        return "(" + ", ".join(show(e) for e in s[2]) + ")"
    if s[0] == "list":
        return f"list {s[2]} {s[3].tolist()}"
    return " ".join(map(str, s))


@dataclass
class Obs:
    raised: tuple[str, str] | None
    values: list[tuple[str, tuple[Any, ...]]]


def observe(expr: str, ns: dict[str, Any]) -> tuple[Any, ...]:
    name, _, attr = expr.partition(".")
    x = ns[name]
    if attr:
        with warnings.catch_warnings():  # PyTorch warns about .grad of non-leaves
            warnings.simplefilter("ignore")
            x = getattr(x, attr)
    return summarize(x)


def run_stmt(st: Stmt, ns: dict[str, Any], lib: Any) -> Obs:
    try:
        if st.no_grad:
            with lib.no_grad():
                exec(_compiled(st.code), ns)
        else:
            exec(_compiled(st.code), ns)
    except Exception as e:
        return Obs((type(e).__name__, str(e)[:400]), [])
    vals = []
    for expr in st.observe:
        try:
            vals.append((expr, observe(expr, ns)))
        except Exception as e:
            vals.append((expr, ("observe-error", type(e).__name__)))
    return Obs(None, vals)


@dataclass
class Divergence:
    index: int  # statement index (len(stmts) for the leak check)
    kind: str  # raises-torch-only | raises-ours-only | type | shape | dtype | ... | leak
    label: str  # the observed expression
    row: str
    torch: str
    ours: str

    def signature(self) -> tuple[str, str, str]:
        where = "grad" if self.label.endswith(".grad") else "value"
        return (self.row, self.kind, where)

    def describe(self) -> str:
        return (
            f"statement {self.index} [{self.row}] {self.kind} of {self.label}\n"
            f"  torch:      {self.torch}\n  pyautograd: {self.ours}"
        )


def _has_f32(s: tuple[Any, ...]) -> bool:
    if s[0] == "tensor":
        return bool(s[2] == "float32")
    if s[0] == "tuple":
        return any(_has_f32(e) for e in s[2])
    return s[0] in ("number", "list")


def compare(st: Stmt, i: int, a: Obs, b: Obs, loose: bool = False) -> Divergence | None:
    if a.raised or b.raised:
        if a.raised and b.raised:
            return None
        kind = "raises-torch-only" if a.raised else "raises-ours-only"
        ta = f"raises {a.raised[0]}: {a.raised[1]}" if a.raised else "no error"
        tb = f"raises {b.raised[0]}: {b.raised[1]}" if b.raised else "no error"
        return Divergence(i, kind, st.code, st.row, ta, tb)
    for (label, x), (_, y) in zip(a.values, b.values, strict=True):
        d = diff(x, y, loose)
        if d:
            return Divergence(i, d, label, st.row, show(x), show(y))
    return None


#: rows whose value jumps where their input crosses a point (0 for sign, the other operand for
#: comparisons, ...): inputs equal within tolerance may give different results
DISCONTINUOUS = (
    "sign",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "where",
    "index:cmp",
    "cast:long",
    "cast:bool",
    "argmax",
    "argmin",
    "max:dim",
    "min:dim",
    "max:dim_keep",
    "min:dim_keep",
    "logical_not",
    "logical_and",
    "logical_or",
    "item",
    "len",
    "float()",
    "tolist",
    # the wider API (ops_api.py)
    "floor", "ceil", "round", "trunc", "fix", "frac", "signbit", "heaviside", "isclose",
    "floor_divide", "floordiv", "fmod", "remainder", "mod", "div:floor", "nextafter", "ldexp",
    "cast:to_dtype", "cast:type", "cast:int", "cast:type_as", "cast:to_tensor", "sort",
    "argsort", "msort", "topk", "kthvalue", "median", "nanmedian", "mode",
    "unique", "unique_consecutive", "cummax", "cummin", "nonzero", "argwhere", "count_nonzero",
    "all", "any", "equal", "allclose", "aminmax", "angle", "sgn", "isnan", "isinf",
    "isfinite", "isposinf", "isneginf", "masked_select", "logical_and", "logical_or",
)  # fmt: skip


#: rows whose derivative jumps where an input crosses a point (a tie, 0)
GRAD_JUMPS = ("maximum", "minimum", "max:elementwise", "min:elementwise", "max:all", "min:all",
              "relu", "abs", "amax", "amin", "aminmax", "norm", "vector_norm", "fmax", "fmin",
              "clamp", "clamp_min", "clamp_max", "clip", "scatter_reduce", "hypot", "lerp",
              "sort", "topk", "kthvalue", "median", "nanmedian", "mode", "cummax", "cummin",
              "msort", "logsumexp", "std", "var", "dot", "mv", "addmv", "remainder",
              "fmod")  # fmt: skip


def _near_jump(st: Stmt, ns: dict[str, Any], inexact: set[str], torch: Any) -> bool:
    """A derivative with a jump (maximum's tie, relu's 0) read a tensor the libraries agree on
    only within tolerance, within tolerance of the jump: the gradients may legitimately differ."""
    if not any(st.row == r or st.row.startswith(r + ":") for r in GRAD_JUMPS):
        return False
    if not set(st.uses) & inexact:
        return False
    try:
        ts = [ns[u].detach().double() for u in st.uses if isinstance(ns.get(u), torch.Tensor)]
        if not ts or ts[0].numel() == 0:
            return False
        scale = max(1.0, float(max(t.abs().nan_to_num(0, 0, 0).max() for t in ts if t.numel())))
        tol = 1e-4 * scale
        op = st.row.split(":")[0]
        if op in ("relu", "abs"):
            return bool((ts[0].abs() <= tol).any())
        if op in ("max", "min") and st.row.endswith(":all"):
            v = ts[0].reshape(-1)
            ext = v.max() if op == "max" else v.min()
            return int(((v - ext).abs() <= tol).sum()) > 1
        if len(ts) >= 2:
            return bool(((ts[0] - ts[1]).abs() <= tol).any())
    except Exception:
        return False
    return False


def _amplifies(st: Stmt, inexact: set[str]) -> bool:
    """A discontinuous op read a tensor the libraries computed within tolerance, not bitwise:
    the divergence says nothing (the run counts it as inconclusive)."""
    discontinuous = any(st.row == r or st.row.startswith(r + ":") for r in DISCONTINUOUS)
    return discontinuous and any(u in inexact for u in st.uses)


#: rows with a pole at 0 (value or derivative): +0.0 and -0.0 give +inf and -inf there
POLES = ("log", "div", "pow", "sqrt")


def _zero_signs_differ(x: tuple[Any, ...], y: tuple[Any, ...]) -> bool:
    if x[0] != "tensor" or y[0] != "tensor" or x[2] not in TOL or x[5].shape != y[5].shape:
        return False
    a, b = x[5], y[5]
    return bool(np.any((a == 0) & (b == 0) & (np.signbit(a) != np.signbit(b))))


def _pole_of_signed_zero(stmts: list[Stmt], st: Stmt, zeros: set[str]) -> bool:
    """A value or gradient diverged after an op with a pole at 0 read a tensor whose zeros
    have different signs in the two libraries (a sum of products, say): +-inf follow from an
    equally right -0.0 or +0.0, so the divergence says nothing (counted as inconclusive)."""
    if not zeros:
        return False
    cands = [st] if st.kind not in ("backward", "final") else stmts
    return any(
        any(s.row == r or s.row.startswith(r + ":") for r in POLES) and set(s.uses) & zeros
        for s in cands
    )


def _identical(x: tuple[Any, ...], y: tuple[Any, ...]) -> bool:
    if x[0] == "tensor" and y[0] == "tensor":
        return x[5].shape == y[5].shape and bool(
            np.array_equal(x[5], y[5], equal_nan=x[2] not in ("bool", "int64"))
        )
    if x[0] == "tuple" and y[0] == "tuple":
        return all(_identical(a, b) for a, b in zip(x[2], y[2], strict=False))
    return True


def _float64_program(stmts: list[Stmt]) -> list[Stmt]:
    from dataclasses import replace

    return [
        replace(st, code=st.code.replace("L.float32", "L.float64").replace(".float()", ".double()"))
        for st in stmts
    ]


def _run_float64(stmts: list[Stmt], label: str, lib: Any) -> tuple[Any, ...] | None:
    """The observation `label` of the last statement, with the program in float64 (default
    dtype float64 too) on lib; None if a statement raises."""
    ns = make_ns(lib)
    prev = lib.get_default_dtype()
    lib.set_default_dtype(lib.float64)
    try:
        obs = None
        for st in _float64_program(stmts):  # statements that raised in float32 raise again
            obs = run_stmt(st, ns, lib)
        return dict(obs.values).get(label) if obs and not obs.raised else None
    finally:
        lib.set_default_dtype(prev)
        ns.clear()


def _within_noise(prog: Program, i: int, label: str, a: Obs, b: Obs, torch: Any, pa: Any) -> bool:
    """Is the difference no larger than float32 rounding explains? The program is run again in
    float64 on both libraries. The float64 results must agree (1e-6), and where PyTorch's
    float32 and float64 results differ by d, pyautograd's float32 result may differ from
    PyTorch's by a few d: cancellation in a sum, 1/x of a small difference. (pyautograd's own
    float32 error is not taken as an excuse: a float32-only kernel bug would excuse itself.)"""
    x = dict(a.values).get(label)
    y = dict(b.values).get(label)
    if x is None or y is None or x[0] != "tensor" or y[0] != "tensor" or x[2] not in TOL:
        return False
    if not hasattr(pa, "set_default_dtype"):
        return False
    zt = _run_float64(prog.stmts[: i + 1], label, torch)
    zo = _run_float64(prog.stmts[: i + 1], label, pa)
    arrays = [x, y, zt, zo]
    if any(z is None or z[0] != "tensor" or z[5].shape != x[5].shape for z in arrays):
        return False
    t32, o32, t64, o64 = (z[5].astype(np.float64) for z in arrays)  # type: ignore[index]
    stable = (np.isfinite(t32) == np.isfinite(t64)) & (np.isfinite(o32) == np.isfinite(o64))
    fin = stable & np.isfinite(t32)
    if not np.array_equal(np.isnan(t32[stable]), np.isnan(o32[stable])):
        return False
    inf = stable & ~fin & ~np.isnan(t32)
    if not np.array_equal(t32[inf], o32[inf]):
        return False
    if not fin.any():
        return True
    scale = max(1.0, float(np.max(np.abs(t64[fin]))))
    if not np.all(np.abs(o64[fin] - t64[fin]) <= 1e-6 * (scale + np.abs(t64[fin]))):
        return False
    rtol, atol = TOL["float32"]
    noise = np.abs(t32[fin] - t64[fin])
    bound = 8 * noise + atol * scale + rtol * np.abs(t32[fin])
    return bool(np.all(np.abs(o32[fin] - t32[fin]) <= bound))


def allocated(pa: Any) -> int:
    return int(pa.memory_stats()["allocated_bytes"])


def execute(prog: Program, torch: Any, pa: Any, leak_check: bool = True) -> Divergence | None:
    """Runs prog on both libraries; the first divergence, or None."""
    before = allocated(pa) if leak_check else 0
    nt, np_ = make_ns(torch), make_ns(pa)
    found = None
    a = b = None
    loose = False  # a float32 value (or a Python number) has been seen: float32 tolerances
    inexact: set[str] = set()  # variables whose values agree within tolerance, not bitwise
    zeros: set[str] = set()  # variables holding 0.0 on one side where the other has -0.0
    jumps = False  # a derivative with a jump read an inexact tensor near the jump
    for i, st in enumerate(prog.stmts):
        jumps = jumps or _near_jump(st, nt, inexact, torch)
        a = run_stmt(st, nt, torch)
        b = run_stmt(st, np_, pa)
        loose = loose or any(_has_f32(x) for _, x in a.values)
        found = compare(st, i, a, b, loose)
        if found:
            if found.kind in ("value", "shape") and _amplifies(st, inexact):
                found.kind = "inconclusive"
            elif found.kind == "value" and _pole_of_signed_zero(prog.stmts[: i + 1], st, zeros):
                found.kind = "inconclusive"
            elif (
                found.kind == "value"
                and jumps
                and (found.label.endswith(".grad") or st.kind == "backward")
            ):
                found.kind = "inconclusive"
            elif (
                found.kind == "value"
                and loose
                and _within_noise(prog, i, found.label, a, b, torch, pa)
            ):
                found.kind = "inconclusive"
            break
        if not a.raised and not b.raised:
            for (label, x), (_, y) in zip(a.values, b.values, strict=True):
                if "." not in label:
                    (inexact.add if not _identical(x, y) else inexact.discard)(label)
                    (zeros.add if _zero_signs_differ(x, y) else zeros.discard)(label)
    nt.clear()
    np_.clear()
    del a, b
    if found is None and leak_check:
        after = allocated(pa)
        if after != before:
            gc.collect()
            after = allocated(pa)
        if after != before:  # a leak, or a one-time allocation (a cache, a static): run again
            execute(prog, torch, pa, leak_check=False)
            gc.collect()
            before, after = after, allocated(pa)
            if after != before:
                n = len(prog.stmts)
                return Divergence(
                    n,
                    "leak",
                    "memory_stats()['allocated_bytes']",
                    "leak",
                    f"{before} bytes before and after",
                    f"{before} -> {after}",
                )
    return found
