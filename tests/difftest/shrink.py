"""Shrinks a diverging program to a minimal one that still diverges the same way, and renders it
as runnable Python for both libraries.

"The same way" is the divergence's signature: (row of the statement where it shows, kind,
value or gradient). Steps, repeated until none helps: cut everything after the divergence,
delete each statement with everything that depends on it, simplify each leaf (contiguous
layout, no requires_grad, simpler values, smaller dims), run statements outside no_grad.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
from execute import Divergence
from gen import make_ns
from program import Leaf, Program, Stmt, numel, render

Check = Callable[[Program], "Divergence | None"]


def _base(expr: str) -> str:
    return expr.split(".", 1)[0]


def without(stmts: list[Stmt], drop: set[int]) -> list[Stmt]:
    """stmts minus the indices in drop and every statement using what they define."""
    gone: set[str] = set()
    out = []
    for i, st in enumerate(stmts):
        if i in drop or any(u in gone for u in st.uses if st.kind != "final"):
            gone.update(st.defines)
            continue
        out.append(st)
    alive = {d for st in out for d in st.defines}
    res = []
    for st in out:
        obs = tuple(e for e in st.observe if _base(e) in alive)
        uses = tuple(u for u in st.uses if u in alive)
        res.append(replace(st, observe=obs, uses=uses))
    return res


def _data_shape(lf: Leaf, shp: tuple[int, ...]) -> tuple[int, ...]:
    """The data shape giving ``shp`` through lf's layout."""
    if lf.layout.startswith("t:"):
        _, i, j = (int(x) if x.isdigit() else x for x in lf.layout.split(":"))
        ds = list(shp)
        ds[i], ds[j] = shp[j], shp[i]  # type: ignore[index]
        return tuple(ds)
    if lf.layout.startswith("step:"):
        d = int(lf.layout.split(":")[1])
        return (*shp[:d], max(0, 2 * shp[d] - 1), *shp[d + 1 :])
    if lf.layout == "expand":
        k = len(shp) - len(lf.data_shape)
        return tuple(1 if old == 1 else shp[k + i] for i, old in enumerate(lf.data_shape))
    return shp


def _resized(lf: Leaf, shp: tuple[int, ...], layout: str | None = None) -> Leaf:
    lf2 = replace(lf, shape=shp, layout=layout or lf.layout)
    ds = _data_shape(lf2, shp)
    n = numel(ds)
    vals = lf.values or (0,)
    vals = tuple((vals * (n // len(vals) + 1))[:n])
    return replace(lf2, data_shape=ds, values=vals)


def _leaf_variants(lf: Leaf) -> list[Leaf]:
    out = []
    if lf.layout != "contig":
        out.append(_resized(lf, lf.shape, "contig"))
    if lf.requires_grad:
        out.append(replace(lf, requires_grad=False))
    if lf.dtype in ("float32", "float64"):
        simple = tuple(
            v if v != v or v in (float("inf"), float("-inf")) else float(round(v))
            for v in lf.values
        )
        if simple != lf.values:
            out.append(replace(lf, values=simple))
    one = {"bool": True, "int64": 1}.get(lf.dtype, 1.0)
    if len(set(lf.values)) > 1:
        out.append(replace(lf, values=(one,) * len(lf.values)))
    for d, n in enumerate(lf.shape):
        for m in (1, n - 1) if n > 1 else ():
            out.append(_resized(lf, (*lf.shape[:d], m, *lf.shape[d + 1 :])))
    return out


def leafified(stmts: list[Stmt], i: int, torch: Any) -> list[Stmt] | None:
    """stmts with statement i (defining one tensor) replaced by a leaf holding PyTorch's value."""
    st = stmts[i]
    if st.kind != "op" or len(st.defines) != 1:
        return None
    ns = make_ns(torch)
    try:
        for s in stmts[: i + 1]:
            if s.no_grad:
                with torch.no_grad():
                    exec(s.code, ns)
            else:
                exec(s.code, ns)
        t = ns[st.defines[0]]
        if not isinstance(t, torch.Tensor):
            return None
        dt = str(t.dtype).rsplit(".", 1)[-1]
        vals = tuple(t.detach().reshape(-1).tolist())
        if dt == "float32":  # the shortest literal that gives the same float32
            vals = tuple(float(str(np.float32(v))) for v in vals)
        rg = bool(t.requires_grad) and dt in ("float32", "float64")
    except Exception:
        return None
    shp = tuple(t.shape)
    lf = Leaf(shp, dt, vals, rg, "contig", shp)
    new = Stmt("", st.defines, (), "leaf", "leaf", False, st.defines).with_leaf(lf)
    return [*stmts[:i], new, *stmts[i + 1 :]]


def shrink(
    prog: Program, div: Divergence, check: Check, torch: Any = None, budget: int = 400
) -> Program:
    sig = div.signature()
    tries = 0

    def same(stmts: list[Stmt]) -> Divergence | None:
        nonlocal tries
        tries += 1
        d = check(Program(stmts, prog.tag))
        return d if d is not None and d.signature() == sig else None

    stmts = list(prog.stmts)
    d0 = same(stmts)
    if d0 is None:
        return prog  # flaky: keep it whole
    stmts = stmts[: d0.index + 1]
    progress = True
    while progress and tries < budget:
        progress = False
        i = len(stmts) - 1
        while i >= 0 and tries < budget:
            if stmts[i].kind != "final" or i != len(stmts) - 1:
                cand = without(stmts, {i})
                d = same(cand) if len(cand) < len(stmts) else None
                if d is not None:
                    stmts = cand[: d.index + 1]
                    progress = True
                    i = min(i, len(stmts))
            i -= 1
        for i in range(len(stmts) - 1, -1, -1):
            if tries >= budget or torch is None or i >= len(stmts):
                break
            cand2 = leafified(stmts, i, torch)
            if cand2 is not None and same(cand2):
                stmts, progress = cand2, True
        for i, st in enumerate(stmts):
            if tries >= budget:
                break
            if st.no_grad:
                cand = [*stmts[:i], replace(st, no_grad=False), *stmts[i + 1 :]]
                if same(cand):
                    stmts, progress = cand, True
                    continue
            if st.leaf is None:
                continue
            for lf in _leaf_variants(st.leaf):
                cand = [*stmts[:i], st.with_leaf(lf), *stmts[i + 1 :]]
                if same(cand):
                    stmts, st, progress = cand, cand[i], True
    return Program(stmts, prog.tag)


def reproducer(prog: Program, div: Divergence) -> str:
    """Runnable Python printing what each library does at the divergence."""
    stmts = prog.stmts[: div.index + 1]
    ret = None
    if div.kind not in ("raises-torch-only", "raises-ours-only", "leak"):
        lab = div.label
        extra = {"dtype": ".dtype", "requires_grad": ".requires_grad", "is_leaf": ".is_leaf"}
        ret = f"{lab}{extra[div.kind]}, {lab}" if div.kind in extra else lab
    elif stmts and stmts[-1].defines:
        ret = ", ".join(stmts[-1].defines)
    comment = f"difftest {prog.tag}: {div.describe()}"
    return render(stmts, ret, comment)
