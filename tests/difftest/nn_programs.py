# ruff: noqa: E501
# (the generators write program text: long f-strings of code, clearer unbroken)
"""Random whole-module, optimizer and scheduler programs, run in lockstep on PyTorch and
pyautograd and compared (PyTorch is the spec).

A program is a list of Python statements over ``L`` (the library) that report what they see
through ``obs(label, value)``: module outputs, input and parameter gradients, parameters and
optimizer state after every step, learning rates over epochs, reprs and state_dict keys.
Both libraries run each statement in turn; they must agree on whether it raised and on every
observation (kind, dtype, shape, requires_grad, values within a tolerance of the dtype).

    python tests/difftest/nn_programs.py --seed 1 --programs 500            # all families
    python tests/difftest/nn_programs.py --seed 1 --programs 500 --family optim
    python tests/difftest/nn_programs.py --replay optim/1/17                # one, shrunk

A program is a function of (family, seed, index) alone.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import traceback
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

warnings.simplefilter("ignore")

FAMILIES: dict[str, Callable[[random.Random], list[str]]] = {}
TOL = {"float64": (1e-7, 1e-9), "float32": (2e-4, 2e-5), "float16": (1e-2, 1e-3)}


def family(name: str) -> Callable[[Callable[[random.Random], list[str]]], Any]:
    def deco(f: Callable[[random.Random], list[str]]) -> Any:
        FAMILIES[name] = f
        return f

    return deco


# ---- literals ----------------------------------------------------------------------------
def vals(rng: random.Random, n: int, lo: float = -2.0, hi: float = 2.0) -> list[float]:
    return [round(rng.uniform(lo, hi), 3) for _ in range(n)]


def tensor(
    rng: random.Random,
    shape: tuple[int, ...],
    dtype: str = "float64",
    rg: bool = False,
    lo: float = -2.0,
    hi: float = 2.0,
) -> str:
    n = math.prod(shape)
    code = f"L.tensor({vals(rng, n, lo, hi)!r}, dtype=L.{dtype}).reshape({tuple(shape)!r})"
    return code + (".requires_grad_()" if rg else "")


def ints(rng: random.Random, shape: tuple[int, ...], hi: int) -> str:
    n = math.prod(shape)
    return f"L.tensor({[rng.randrange(hi) for _ in range(n)]!r}).reshape({tuple(shape)!r})"


def pick(rng: random.Random, *xs: Any) -> Any:
    return rng.choice(xs)


# ---- observation -------------------------------------------------------------------------
def norm(v: Any, lib: Any, depth: int = 0) -> Any:
    """A library-independent view of an observed value."""
    if depth > 6:
        return ("deep",)
    if isinstance(v, lib.Tensor):
        t = v.detach()
        dt = str(t.dtype).rsplit(".", 1)[-1]
        arr = t.to(lib.float64).numpy() if t.dtype.is_floating_point else t.numpy()
        return ("tensor", dt, tuple(t.shape), bool(v.requires_grad), np.array(arr, copy=True))
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, (int, float)):
        return ("num", float(v))
    if hasattr(v, "dtype") and isinstance(v, type(lib.float32)):
        return ("dtype", str(v).rsplit(".", 1)[-1])
    if isinstance(v, dict):
        items = [("seq", [norm(k, lib, depth + 1), norm(x, lib, depth + 1)]) for k, x in v.items()]
        return ("dict", items)
    if isinstance(v, (list, tuple)) or type(v).__name__ == "Size":
        return ("seq", [norm(x, lib, depth + 1) for x in v])
    return ("obj", type(v).__name__)


def close(a: Any, b: Any, tol: tuple[float, float] | None = None) -> str | None:
    """None if a and b agree, else why not."""
    if isinstance(a, tuple) and a and a[0] == "tensor":
        if not (isinstance(b, tuple) and b and b[0] == "tensor"):
            return f"tensor vs {_short(b)}"
        if a[1:4] != b[1:4]:
            return f"dtype/shape/requires_grad {a[1:4]} vs {b[1:4]}"
        x, y = a[4], b[4]
        if a[1] in TOL:
            rtol, atol = tol or TOL[a[1]]
            if not np.array_equal(np.isnan(x), np.isnan(y)):
                return f"NaN positions\n{x}\nvs\n{y}"
            if not np.allclose(x, y, rtol=rtol, atol=atol, equal_nan=True):
                d = np.nanmax(np.abs(x - y)) if x.size else 0
                return f"values (max abs diff {d:.3g})\n{x}\nvs\n{y}"
            return None
        return None if np.array_equal(x, y) else f"values\n{x}\nvs\n{y}"
    if isinstance(a, tuple) and a and a[0] == "num":
        if not (isinstance(b, tuple) and b and b[0] == "num"):
            return f"number {a[1]} vs {_short(b)}"
        x, y = a[1], b[1]
        if math.isnan(x) and math.isnan(y):
            return None
        rtol, atol = tol or (2e-6, 1e-9)
        return None if abs(x - y) <= atol + rtol * abs(x) else f"{x!r} vs {y!r}"
    if isinstance(a, tuple) and a and a[0] in ("seq", "dict"):
        if not (isinstance(b, tuple) and b and b[0] == a[0]):
            return f"{a[0]} vs {_short(b)}"
        if len(a[1]) != len(b[1]):
            return f"lengths {len(a[1])} vs {len(b[1])}: {_short(a)} vs {_short(b)}"
        for i, (x, y) in enumerate(zip(a[1], b[1], strict=True)):
            why = close(x, y, tol)
            if why:
                return f"[{i}] {why}"
        return None
    return None if a == b else f"{_short(a)} vs {_short(b)}"


def _short(v: Any) -> str:
    s = repr(v)
    return s if len(s) < 300 else s[:300] + "..."


class Obs:
    def __init__(self, lib: Any) -> None:
        self.lib = lib
        self.items: list[tuple[str, Any]] = []

    def __call__(self, label: str, value: Any, tol: tuple[float, float] | None = None) -> None:
        self.items.append((label, (norm(value, self.lib), tol)))


def raises(f: Callable[[], Any]) -> str | None:
    """The name of the exception f() raises (None if it returns): for programs that compare
    refusals and go on."""
    try:
        f()
    except Exception as e:
        return type(e).__name__
    return None


def run(stmts: list[str], lib: Any) -> list[tuple[int, str, Any]]:
    """Observations (statement index, label, value), and ("raise", type) for a statement that
    raised (the program stops there)."""
    ob = Obs(lib)
    ns: dict[str, Any] = {"L": lib, "obs": ob, "math": math, "raises": raises}
    out: list[tuple[int, str, Any]] = []
    for i, st in enumerate(stmts):
        n = len(ob.items)
        try:
            exec(st, ns)
        except Exception as e:
            out += [(i, lab, v) for lab, v in ob.items[n:]]
            out.append((i, "raise", type(e).__name__ + ": " + str(e).split("\n")[0][:200]))
            return out
        out += [(i, lab, v) for lab, v in ob.items[n:]]
    return out


def compare(stmts: list[str], torch: Any, pa: Any) -> str | None:
    a, b = run(stmts, torch), run(stmts, pa)
    for x, y in zip(a, b, strict=False):
        if x[1] == "raise" or y[1] == "raise":
            if x[1] == y[1] == "raise" and x[0] == y[0]:
                return None
            at = x[0] if x[1] == "raise" else y[0]
            return f"statement {at}: raised: torch {x[1:]!r} / pyautograd {y[1:]!r}"
        if x[0] != y[0] or x[1] != y[1]:
            return f"observations out of step: {x[:2]} vs {y[:2]}"
        (va, tol), (vb, _) = x[2], y[2]
        why = close(va, vb, tol)
        if why:
            return f"statement {x[0]} obs {x[1]!r}: {why}"
    if len(a) != len(b):
        extra = (a if len(a) > len(b) else b)[min(len(a), len(b))]
        who = "torch" if len(a) > len(b) else "pyautograd"
        return f"only {who} went on: {extra[:2]} {extra[2] if extra[1] == 'raise' else ''}"
    return None


def shrink(stmts: list[str], torch: Any, pa: Any) -> list[str]:
    """Drops statements while the program still diverges."""
    i = len(stmts) - 1
    while i >= 0:
        cand = stmts[:i] + stmts[i + 1 :]
        try:
            bad = compare(cand, torch, pa)
        except Exception:
            bad = None
        if bad:
            stmts = cand
        i -= 1
    return stmts


def program(fam: str, seed: int, index: int) -> list[str]:
    rng = random.Random(f"nn_programs/{fam}/{seed}/{index}")
    return FAMILIES[fam](rng)


# ---- optimizers --------------------------------------------------------------------------
def _betas(rng: random.Random) -> str:
    return repr((pick(rng, 0.9, 0.8, 0.5, 0.0), pick(rng, 0.999, 0.99, 0.9)))


OPTIMS: dict[str, Callable[[random.Random], dict[str, str]]] = {
    "SGD": lambda r: {
        "lr": pick(r, "0.1", "0.01", "0.5"),
        "momentum": pick(r, "0", "0.9", "0.5"),
        "dampening": pick(r, "0", "0", "0.1"),
        "weight_decay": pick(r, "0", "0.01", "0.1"),
        "nesterov": pick(r, "False", "True"),
        "maximize": pick(r, "False", "False", "True"),
    },
    "Adam": lambda r: {
        "lr": pick(r, "0.1", "0.01", "0.001"),
        "betas": _betas(r),
        "eps": pick(r, "1e-8", "1e-3"),
        "weight_decay": pick(r, "0", "0.01", "0.1"),
        "amsgrad": pick(r, "False", "True"),
        "maximize": pick(r, "False", "False", "True"),
    },
    "AdamW": lambda r: {
        "lr": pick(r, "0.1", "0.01", "0.001"),
        "betas": _betas(r),
        "eps": pick(r, "1e-8", "1e-3"),
        "weight_decay": pick(r, "0", "0.01", "0.1"),
        "amsgrad": pick(r, "False", "True"),
        "maximize": pick(r, "False", "False", "True"),
    },
    "RMSprop": lambda r: {
        "lr": pick(r, "0.1", "0.01"),
        "alpha": pick(r, "0.99", "0.9"),
        "eps": pick(r, "1e-8", "1e-3"),
        "weight_decay": pick(r, "0", "0.1"),
        "momentum": pick(r, "0", "0.9"),
        "centered": pick(r, "False", "True"),
        "maximize": pick(r, "False", "True"),
    },
    "Adagrad": lambda r: {
        "lr": pick(r, "0.1", "0.01"),
        "lr_decay": pick(r, "0", "0.1"),
        "weight_decay": pick(r, "0", "0.1"),
        "initial_accumulator_value": pick(r, "0", "0.5"),
        "eps": pick(r, "1e-10", "1e-3"),
        "maximize": pick(r, "False", "True"),
    },
    "Adadelta": lambda r: {
        "lr": pick(r, "1.0", "0.5"),
        "rho": pick(r, "0.9", "0.5"),
        "eps": pick(r, "1e-6", "1e-3"),
        "weight_decay": pick(r, "0", "0.1"),
        "maximize": pick(r, "False", "True"),
    },
    "Adamax": lambda r: {
        "lr": pick(r, "0.1", "0.002"),
        "betas": _betas(r),
        "eps": pick(r, "1e-8", "1e-3"),
        "weight_decay": pick(r, "0", "0.1"),
        "maximize": pick(r, "False", "True"),
    },
    "NAdam": lambda r: {
        "lr": pick(r, "0.1", "0.002"),
        "betas": _betas(r),
        "eps": pick(r, "1e-8", "1e-3"),
        "weight_decay": pick(r, "0", "0.1"),
        "momentum_decay": pick(r, "0.004", "0.01"),
        "decoupled_weight_decay": pick(r, "False", "True"),
        "maximize": pick(r, "False", "True"),
    },
    "RAdam": lambda r: {
        "lr": pick(r, "0.1", "0.001"),
        "betas": _betas(r),
        "eps": pick(r, "1e-8", "1e-3"),
        "weight_decay": pick(r, "0", "0.1"),
        "decoupled_weight_decay": pick(r, "False", "True"),
        "maximize": pick(r, "False", "True"),
    },
    "ASGD": lambda r: {
        "lr": pick(r, "0.1", "0.01"),
        "lambd": pick(r, "1e-4", "0.01"),
        "alpha": pick(r, "0.75", "0.5"),
        "t0": pick(r, "1e6", "2", "0"),
        "weight_decay": pick(r, "0", "0.1"),
        "maximize": pick(r, "False", "True"),
    },
    "Rprop": lambda r: {
        "lr": pick(r, "0.01", "0.1"),
        "etas": pick(r, "(0.5, 1.2)", "(0.3, 1.5)"),
        "step_sizes": pick(r, "(1e-6, 50)", "(0.001, 0.2)"),
        "maximize": pick(r, "False", "True"),
    },
}


def _loss(rng: random.Random, names: list[str], shapes: dict[str, tuple[int, ...]]) -> str:
    terms = []
    for n in names:
        c = tensor(rng, shapes[n])
        terms.append(
            pick(
                rng,
                f"(({n} - {c}) ** 2).sum()",
                f"({n} * {c}).sum()",
                f"({n}.sin() * {c}).sum()",
                f"({n} - {c}).abs().sum()",
            )
        )
    return " + ".join(terms)


@family("optim")
def optim_program(rng: random.Random) -> list[str]:
    name = rng.choice(list(OPTIMS))
    dt = pick(rng, "float64", "float64", "float32")
    n = rng.randint(1, 3)
    shapes = {f"p{i}": tuple(rng.randint(1, 3) for _ in range(rng.randint(0, 2))) for i in range(n)}
    s = [f"p{i} = L.nn.Parameter({tensor(rng, shapes[f'p{i}'], dt)})" for i in range(n)]
    hp = OPTIMS[name](rng)
    keep = {k: v for k, v in hp.items() if rng.random() < 0.7 or k == "lr"}
    if name != "Rprop" and rng.random() < 0.7:
        keep["foreach"] = "False"
    kw = ", ".join(f"{k}={v}" for k, v in keep.items())
    params = [f"p{i}" for i in range(n)]
    if n > 1 and rng.random() < 0.4:
        g2 = OPTIMS[name](rng)
        k2 = rng.choice(list(g2))
        rest = ", ".join(params[1:])
        groups = f"[{{'params': [{params[0]}]}}, {{'params': [{rest}], '{k2}': {g2[k2]}}}]"
        s.append(f"opt = L.optim.{name}({groups}, {kw})")
    elif n > 1 and rng.random() < 0.3:
        s.append(f"opt = L.optim.{name}([{params[0]}], {kw})")
        s.append(f"opt.add_param_group({{'params': [{', '.join(params[1:])}]}})")
    else:
        s.append(f"opt = L.optim.{name}([{', '.join(params)}], {kw})")
    if rng.random() < 0.3:
        s.append("obs('repr', repr(opt))")
    s.append("obs('groups', [{k: v for k, v in g.items() if k != 'params'} "
             "for g in opt.param_groups])")  # fmt: skip
    tol = "(1e-4, 1e-5)" if dt == "float32" else "(1e-7, 1e-9)"
    steps = rng.randint(1, 5)
    for _ in range(steps):
        used = [p for p in params if rng.random() < 0.85] or params[:1]
        s.append(f"opt.zero_grad(set_to_none={pick(rng, 'True', 'False')})")
        s.append(f"loss = {_loss(rng, used, shapes)}")
        s.append("loss.backward()")
        s.append("opt.step()")
        for p in params:
            s.append(f"obs('{p}', {p}, {tol})")
            s.append(f"obs('{p}.grad', {p}.grad)")
        ps = ", ".join(params)
        s.append(f"obs('state', [opt.state[p] for p in ({ps},) if p in opt.state], {tol})")
        if rng.random() < 0.15:
            s.append("sd = opt.state_dict()")
            s.append(f"obs('sd', sd, {tol})")
            s.append(f"opt = L.optim.{name}([{', '.join(params)}], lr=0.5)")
            s.append("opt.load_state_dict(sd)")
            s.append(f"obs('loaded', opt.state_dict(), {tol})")
    return s


# ---- lr schedulers -----------------------------------------------------------------------
def _sched(rng: random.Random, opt: str, epochs: int) -> str:
    S = "L.optim.lr_scheduler"
    k = rng.choice(
        (
            "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
            "CosineAnnealingWarmRestarts", "LinearLR", "ConstantLR", "PolynomialLR",
            "OneCycleLR", "CyclicLR", "LambdaLR", "MultiplicativeLR",
        )
    )  # fmt: skip
    if k == "StepLR":
        return f"{S}.StepLR({opt}, step_size={rng.randint(1, 7)}, gamma={pick(rng, 0.1, 0.5, 0.9)})"
    if k == "MultiStepLR":
        ms = sorted(rng.sample(range(1, epochs), rng.randint(1, 4)))
        if rng.random() < 0.2:
            ms.append(ms[-1])
        return f"{S}.MultiStepLR({opt}, milestones={ms}, gamma={pick(rng, 0.1, 0.5)})"
    if k == "ExponentialLR":
        return f"{S}.ExponentialLR({opt}, gamma={pick(rng, 0.9, 0.5, 0.99)})"
    if k == "CosineAnnealingLR":
        return (f"{S}.CosineAnnealingLR({opt}, T_max={rng.randint(1, 15)}, "
                f"eta_min={pick(rng, 0, 0.001, 0.01)})")  # fmt: skip
    if k == "CosineAnnealingWarmRestarts":
        return (f"{S}.CosineAnnealingWarmRestarts({opt}, T_0={rng.randint(1, 8)}, "
                f"T_mult={rng.randint(1, 3)}, eta_min={pick(rng, 0, 0.001)})")  # fmt: skip
    if k == "LinearLR":
        return (f"{S}.LinearLR({opt}, start_factor={pick(rng, 0.1, 1 / 3, 0.5)}, "
                f"end_factor={pick(rng, 1.0, 0.5)}, total_iters={rng.randint(1, 10)})")  # fmt: skip
    if k == "ConstantLR":
        return (f"{S}.ConstantLR({opt}, factor={pick(rng, 0.1, 1 / 3, 0.5)}, "
                f"total_iters={rng.randint(1, 10)})")  # fmt: skip
    if k == "PolynomialLR":
        return (f"{S}.PolynomialLR({opt}, total_iters={rng.randint(1, 12)}, "
                f"power={pick(rng, 1.0, 2.0, 0.5)})")  # fmt: skip
    if k == "OneCycleLR":
        extra = ""
        if rng.random() < 0.5:
            extra += f", anneal_strategy={pick(rng, 'cos', 'linear')!r}"
        if rng.random() < 0.5:
            extra += f", three_phase={pick(rng, True, False)}"
        if rng.random() < 0.5:
            extra += f", pct_start={pick(rng, 0.1, 0.3, 0.5)}"
        if rng.random() < 0.3:
            extra += ", cycle_momentum=False"
        return (f"{S}.OneCycleLR({opt}, max_lr={pick(rng, 0.1, 1.0)}, "
                f"total_steps={epochs + rng.randint(0, 5)}{extra})")  # fmt: skip
    if k == "CyclicLR":
        mode = pick(rng, "triangular", "triangular2", "exp_range")
        return (f"{S}.CyclicLR({opt}, base_lr=0.01, max_lr={pick(rng, 0.1, 1.0)}, "
                f"step_size_up={rng.randint(1, 6)}, step_size_down={pick(rng, None, 3)}, "
                f"mode={mode!r}, "
                f"gamma={pick(rng, 0.9, 0.99)})")  # fmt: skip
    if k == "LambdaLR":
        f = pick(rng, "lambda e: 0.95 ** e", "lambda e: 1 / (e + 1)", "lambda e: (e % 3) + 1")
        return f"{S}.LambdaLR({opt}, lr_lambda={f})"
    f = pick(rng, "lambda e: 0.95", "lambda e: 0.5 if e % 2 else 1.0")
    return f"{S}.MultiplicativeLR({opt}, lr_lambda={f})"


@family("sched")
def sched_program(rng: random.Random) -> list[str]:
    epochs = 30
    s = ["p = L.nn.Parameter(L.ones(2))"]
    opt = pick(rng, "SGD", "SGD", "Adam")
    mom = ", momentum=0.9" if opt == "SGD" and rng.random() < 0.7 else ""
    if rng.random() < 0.3:
        s.append("q = L.nn.Parameter(L.ones(1))")
        groups = "[{'params': [p]}, {'params': [q], 'lr': 0.3}]"
        s.append(f"opt = L.optim.{opt}({groups}, lr={pick(rng, 0.1, 1.0)}{mom})")
    else:
        s.append(f"opt = L.optim.{opt}([p], lr={pick(rng, 0.1, 1.0, 0.05)}{mom})")
    r = rng.random()
    S = "L.optim.lr_scheduler"
    plateau = False
    if r < 0.15:
        plateau = True
        s.append(
            f"sch = {S}.ReduceLROnPlateau(opt, mode={pick(rng, 'min', 'max')!r}, "
            f"factor={pick(rng, 0.1, 0.5)}, patience={rng.randint(0, 4)}, "
            f"threshold={pick(rng, 1e-4, 0.1)}, threshold_mode={pick(rng, 'rel', 'abs')!r}, "
            f"cooldown={rng.randint(0, 3)}, min_lr={pick(rng, 0, 0.01)}, "
            f"eps={pick(rng, 1e-8, 0.01)})"
        )
    elif r < 0.3:
        a, b = _sched(rng, "opt", epochs), _sched(rng, "opt", epochs)
        if "OneCycle" in a + b or "Cyclic" in a + b:
            a, b = f"{S}.ExponentialLR(opt, gamma=0.9)", f"{S}.StepLR(opt, 3)"
        s.append(f"s1 = {a}")
        s.append(f"s2 = {b}")
        s.append(f"sch = {S}.SequentialLR(opt, [s1, s2], milestones=[{rng.randint(1, 20)}])")
    elif r < 0.4:
        a, b = _sched(rng, "opt", epochs), _sched(rng, "opt", epochs)
        if "OneCycle" in a + b or "Cyclic" in a + b:
            a, b = f"{S}.ExponentialLR(opt, gamma=0.9)", f"{S}.StepLR(opt, 3)"
        s.append(f"sch = {S}.ChainedScheduler([{a}, {b}])")
    else:
        s.append(f"sch = {_sched(rng, 'opt', epochs)}")
    s.append("obs('lr0', [g['lr'] for g in opt.param_groups])")
    if not plateau:
        s.append("obs('last0', sch.get_last_lr())")
    metric = [round(rng.uniform(0, 1), 2) if rng.random() < 0.5 else 0.5 for _ in range(epochs)]
    for e in range(epochs):
        s.append("opt.step()")
        s.append(f"sch.step({metric[e]})" if plateau else "sch.step()")
        s.append(f"obs('lr{e + 1}', [g['lr'] for g in opt.param_groups])")
        if not plateau and rng.random() < 0.2:
            s.append(f"obs('last{e + 1}', sch.get_last_lr())")
        if "momentum" in s[1] and rng.random() < 0.1:
            moms = "[g.get('momentum', g.get('betas')) for g in opt.param_groups]"
            s.append(f"obs('mom{e + 1}', {moms})")
    if rng.random() < 0.3:
        s.append("obs('sd', sorted(k for k in sch.state_dict() if k not in ('_schedulers',)))")
    return s


# ---- modules -----------------------------------------------------------------------------
def _act(rng: random.Random) -> str:
    return pick(
        rng,
        "L.nn.ReLU()", "L.nn.Tanh()", "L.nn.Sigmoid()", "L.nn.GELU()",
        "L.nn.GELU(approximate='tanh')", "L.nn.ELU(alpha=0.5)", "L.nn.SELU()", "L.nn.CELU(1.5)",
        "L.nn.LeakyReLU(0.2)", "L.nn.PReLU()", "L.nn.Softplus(beta=2.0, threshold=1.0)",
        "L.nn.Hardtanh(-0.5, 0.7)", "L.nn.ReLU6()", "L.nn.SiLU()", "L.nn.Mish()",
        "L.nn.Hardswish()", "L.nn.Hardsigmoid()", "L.nn.Softsign()", "L.nn.Tanhshrink()",
        "L.nn.Softshrink(0.3)", "L.nn.Hardshrink(0.3)", "L.nn.LogSigmoid()",
        "L.nn.Threshold(0.1, -1.0)", "L.nn.Softmax(dim=-1)", "L.nn.LogSoftmax(dim=1)",
        "L.nn.Softmin(dim=-1)", "L.nn.GLU(dim=-1)", "L.nn.RReLU(0.1, 0.3)",
    )  # fmt: skip


def _module(rng: random.Random) -> tuple[str, tuple[int, ...], str]:
    """A module constructor, an input shape for it, and what its forward returns
    ("t": a tensor, "rnn": (out, h), "lstm": (out, (h, c)), "mha": (out, weights))."""
    n = rng.randint(1, 3)
    k = rng.choice(
        ("Linear", "Bilinear", "Conv1d", "Conv2d", "Conv3d", "ConvT1d", "ConvT2d", "ConvT3d", "Pool", "BN", "LN",
         "GN", "IN", "Emb", "RNN", "MHA", "TEL", "Seq", "Act")
    )  # fmt: skip
    if k == "Linear":
        i, o = rng.randint(1, 5), rng.randint(1, 5)
        bias = pick(rng, "True", "False")
        return (
            f"L.nn.Linear({i}, {o}, bias={bias})",
            (n, rng.randint(1, 3), i)[-rng.randint(1, 3) :],
            "t",
        )
    if k == "Bilinear":
        a, b, o = rng.randint(1, 3), rng.randint(1, 3), rng.randint(1, 3)
        return f"L.nn.Bilinear({a}, {b}, {o}, bias={pick(rng, True, False)})", (n, a, b), "bil"
    if k in ("Conv1d", "Conv2d", "Conv3d", "ConvT1d", "ConvT2d", "ConvT3d"):
        d = int(k[-2])
        g = pick(rng, 1, 1, 2)
        ci, co = g * rng.randint(1, 2), g * rng.randint(1, 2)
        ks = rng.randint(1, 3)
        stride = rng.randint(1, 2)
        dil = pick(rng, 1, 1, 2)
        size = tuple(rng.randint(ks * dil, 6) for _ in range(d))
        if k.startswith("ConvT"):
            pad = rng.randint(0, (ks - 1) * dil)
            op = rng.randint(0, max(stride, dil) - 1)
            ctor = (f"L.nn.ConvTranspose{d}d({ci}, {co}, {ks}, stride={stride}, padding={pad}, "
                    f"output_padding={op}, groups={g}, dilation={dil}, bias={pick(rng, True, False)})")  # fmt: skip
        else:
            pad = pick(rng, 0, 1, "'same'", "'valid'")
            if pad == "'same'":
                stride = 1
            mode = pick(rng, "'zeros'", "'zeros'", "'reflect'", "'replicate'", "'circular'")
            if mode == "'reflect'" and isinstance(pad, int) and pad >= min(size):
                mode = "'zeros'"
            ctor = (f"L.nn.Conv{d}d({ci}, {co}, {ks}, stride={stride}, padding={pad}, "
                    f"dilation={dil}, groups={g}, bias={pick(rng, True, False)}, "
                    f"padding_mode={mode})")  # fmt: skip
        shape = (n, ci, *size) if rng.random() < 0.8 else (ci, *size)
        return ctor, shape, "t"
    if k == "Pool":
        d = rng.randint(1, 3)
        c = rng.randint(1, 2)
        size = tuple(rng.randint(2, 6) for _ in range(d))
        ks = rng.randint(1, 3)
        st = pick(rng, None, 1, 2)
        pad = rng.randint(0, ks // 2)
        kind = pick(rng, "Max", "Avg", "AdaptiveMax", "AdaptiveAvg", "LP")
        if kind == "Max":
            ctor = (f"L.nn.MaxPool{d}d({ks}, stride={st}, padding={pad}, "
                    f"dilation={pick(rng, 1, 2) if ks * 2 <= min(size) and not (d == 3 and pad) else 1}, "
                    f"ceil_mode={pick(rng, True, False)})")  # fmt: skip
        elif kind == "Avg":
            ctor = (f"L.nn.AvgPool{d}d({ks}, stride={st}, padding={pad}, "
                    f"ceil_mode={pick(rng, True, False)}, "
                    f"count_include_pad={pick(rng, True, False)})")  # fmt: skip
        elif kind == "LP":
            ctor = f"L.nn.LPPool{d}d({pick(rng, 1, 2, 3)}, {ks}, stride={st}, ceil_mode={pick(rng, True, False)})"
        else:
            out = tuple(rng.randint(1, 4) for _ in range(d))
            ctor = f"L.nn.{kind}Pool{d}d({out if d > 1 else out[0]})"
        return ctor, (n, c, *size), "t"
    if k == "BN":
        d = rng.randint(1, 2)
        c = rng.randint(1, 3)
        ctor = (f"L.nn.BatchNorm{d}d({c}, eps={pick(rng, 1e-5, 0.1)}, "
                f"momentum={pick(rng, 0.1, 0.5, None)}, affine={pick(rng, True, False)}, "
                f"track_running_stats={pick(rng, True, True, False)})")  # fmt: skip
        shape = (
            (rng.randint(2, 3), c)
            if d == 1 and rng.random() < 0.5
            else (rng.randint(2, 3), c, *[rng.randint(1, 3) for _ in range(d)])
        )
        return ctor, shape, "bn"
    if k == "LN":
        shape = tuple(rng.randint(1, 4) for _ in range(rng.randint(1, 3)))
        ns = shape[-rng.randint(1, len(shape)) :]
        return (f"L.nn.LayerNorm({ns}, eps={pick(rng, 1e-5, 0.1)}, "
                f"elementwise_affine={pick(rng, True, False)}, bias={pick(rng, True, False)})"), (n, *shape), "t"  # fmt: skip
    if k == "GN":
        g = rng.randint(1, 3)
        c = g * rng.randint(1, 2)
        return (
            f"L.nn.GroupNorm({g}, {c}, affine={pick(rng, True, False)})",
            (n, c, rng.randint(1, 4)),
            "t",
        )
    if k == "IN":
        c = rng.randint(1, 3)
        return (f"L.nn.InstanceNorm1d({c}, affine={pick(rng, True, False)}, "
                f"track_running_stats={pick(rng, True, False)})"), (n, c, rng.randint(2, 5)), "bn"  # fmt: skip
    if k == "Emb":
        num, dim = rng.randint(2, 6), rng.randint(1, 4)
        pi = pick(rng, None, 0, 1)
        mn = pick(rng, None, None, 1.0)
        return (f"L.nn.Embedding({num}, {dim}, padding_idx={pi}, max_norm={mn})",
                (num, n, rng.randint(1, 3)), "emb")  # fmt: skip
    if k == "RNN":
        kind = pick(rng, "RNN", "LSTM", "GRU")
        i, h = rng.randint(1, 3), rng.randint(1, 3)
        bf = pick(rng, True, False)
        extra = f", nonlinearity={pick(rng, 'tanh', 'relu')!r}" if kind == "RNN" else ""
        if kind == "LSTM" and rng.random() < 0.2:
            extra += f", proj_size={rng.randint(1, h - 1)}" if h > 1 else ""
        ctor = (f"L.nn.{kind}({i}, {h}, num_layers={rng.randint(1, 2)}, "
                f"bias={pick(rng, True, False)}, batch_first={bf}, "
                f"bidirectional={pick(rng, True, False)}{extra})")  # fmt: skip
        t = rng.randint(1, 3)
        shape = ((n, t, i) if bf else (t, n, i)) if rng.random() < 0.8 else (t, i)
        return ctor, shape, "lstm" if kind == "LSTM" else "rnn"
    if k == "MHA":
        h = rng.randint(1, 2)
        e = h * rng.randint(1, 2)
        bf = pick(rng, True, False)
        ctor = (f"L.nn.MultiheadAttention({e}, {h}, bias={pick(rng, True, False)}, "
                f"add_bias_kv={pick(rng, False, False, True)}, "
                f"add_zero_attn={pick(rng, False, True)}, batch_first={bf})")  # fmt: skip
        t = rng.randint(1, 3)
        return ctor, ((n, t, e) if bf else (t, n, e)), "mha"
    if k == "TEL":
        h = rng.randint(1, 2)
        e = h * rng.randint(1, 2)
        bf = pick(rng, True, False)
        ctor = (f"L.nn.TransformerEncoderLayer({e}, {h}, dim_feedforward={rng.randint(1, 6)}, "
                f"dropout=0.0, activation={pick(rng, 'relu', 'gelu')!r}, "
                f"batch_first={bf}, norm_first={pick(rng, True, False)})")  # fmt: skip
        t = rng.randint(1, 3)
        return ctor, ((n, t, e) if bf else (t, n, e)), "t"
    if k == "Seq":
        i = rng.randint(1, 4)
        hdim = rng.randint(1, 4)
        layers = [f"L.nn.Linear({i}, {hdim})", _act(rng)]
        if rng.random() < 0.5:
            layers += [f"L.nn.LayerNorm({hdim})" if rng.random() < 0.5 else "L.nn.Identity()"]
        layers += [f"L.nn.Linear({hdim}, {hdim * 2})", "L.nn.Flatten(0)"]
        return f"L.nn.Sequential({', '.join(layers)})", (n, i), "t"
    shape = (n, 2 * rng.randint(1, 2), rng.randint(1, 3))
    return _act(rng), shape, "t"


@family("module")
def module_program(rng: random.Random) -> list[str]:
    seed = rng.randint(0, 1000)
    ctor, shape, kind = _module(rng)
    dt = pick(rng, "float32", "float32", "float64")
    s = [f"L.manual_seed({seed})", f"m = {ctor}"]
    if dt == "float64":
        s.append("m = m.double()")
    s.append("obs('repr', repr(m))")
    s.append("obs('names', [n for n, _ in m.named_parameters()])")
    s.append("obs('sd', list(m.state_dict()))")
    s.append("obs('params', list(m.parameters()))")
    tol = "(2e-4, 2e-5)" if dt == "float32" else "(1e-7, 1e-9)"
    train = rng.random() < 0.7
    s.append("m.train()" if train else "m.eval()")
    if kind == "emb":
        num = shape[0]
        s.append(f"x = {ints(rng, shape[1:], num)}")
        args = "x"
    elif kind == "bil":
        nb, a, b = shape
        s.append(f"x = {tensor(rng, (nb, a), dt, True)}")
        s.append(f"x2 = {tensor(rng, (nb, b), dt, True)}")
        args = "x, x2"
    else:
        s.append(f"x = {tensor(rng, shape, dt, True)}")
        args = "x"
        if kind == "mha":
            if rng.random() < 0.3:
                t = shape[1] if "batch_first=True" in ctor else shape[0]
                mask = [[rng.random() < 0.3 and j != i for j in range(t)] for i in range(t)]
                s.append(f"am = L.tensor({mask!r})")
                args = "x, x, x, attn_mask=am"
            else:
                args = f"x, x, x, need_weights={pick(rng, True, False)}, average_attn_weights={pick(rng, True, False)}"
        if kind in ("rnn", "lstm") and rng.random() < 0.2:
            pass
    s.append(f"out = m({args})")
    if kind in ("rnn", "mha"):
        s.append("y = out[0]")
        s.append(f"obs('out', out, {tol})")
    elif kind == "lstm":
        s.append("y = out[0] + out[1][0].sum() + out[1][1].sum()")
        s.append(f"obs('out', out, {tol})")
    else:
        s.append("y = out")
        s.append(f"obs('out', out, {tol})")
    s.append("c = L.linspace(-1, 1, y.numel(), dtype=y.dtype).reshape(y.shape)")
    s.append("(y * c).sum().backward()")
    if kind != "emb":
        s.append(f"obs('x.grad', x.grad, {tol})")
    s.append(f"obs('grads', [p.grad for p in m.parameters()], {tol})")
    if kind == "bn":
        s.append(f"obs('buffers', list(m.buffers()), {tol})")
        s.append("m.eval()")
        s.append(f"obs('eval', m(x), {tol})")
    if kind == "emb":
        s.append(f"obs('w', m.weight, {tol})")
    return s


# ---- nn.init -----------------------------------------------------------------------------
@family("init")
def init_program(rng: random.Random) -> list[str]:
    shape = tuple(rng.randint(1, 5) for _ in range(rng.randint(1, 4)))
    f = pick(
        rng,
        "uniform_(w, -0.5, 2.0)", "normal_(w, 0.5, 2.0)", "constant_(w, 0.3)", "ones_(w)",
        "zeros_(w)", "eye_(w)", "dirac_(w)", "xavier_uniform_(w, gain=1.5)",
        "xavier_normal_(w)", "kaiming_uniform_(w, a=0.1, mode='fan_out')",
        "kaiming_normal_(w, nonlinearity='relu')", "kaiming_uniform_(w)",
        "trunc_normal_(w, std=0.5, a=-1.0, b=1.0)", "orthogonal_(w, gain=2.0)",
        "sparse_(w, 0.5)", "kaiming_normal_(w, mode='fan_in', nonlinearity='leaky_relu')",
        "xavier_uniform(w)", "normal(w)", "sparse_(w, 0.2, std=2.0)",
    )  # fmt: skip
    return [
        f"L.manual_seed({rng.randint(0, 999)})",
        f"w = L.empty({shape})",
        f"r = L.nn.init.{f}",
        "obs('w', w)",
        "obs('same', r is w)",
        f"obs('gain', L.nn.init.calculate_gain({pick(rng, 'relu', 'tanh', 'leaky_relu', 'selu', 'sigmoid', 'linear')!r}))",
    ]


# ---- clip_grad / parameters_to_vector -------------------------------------------------------
@family("clip")
def clip_program(rng: random.Random) -> list[str]:
    n = rng.randint(1, 3)
    s = []
    for i in range(n):
        shape = tuple(rng.randint(1, 3) for _ in range(rng.randint(0, 2)))
        s.append(f"p{i} = L.nn.Parameter({tensor(rng, shape)})")
        if i == 0 or rng.random() < 0.85:  # PyTorch's clip_grad_value_ fails on no grads
            s.append(f"p{i}.grad = {tensor(rng, shape, lo=-5, hi=5)}")
    ps = ", ".join(f"p{i}" for i in range(n))
    r = rng.random()
    if r < 0.5:
        nt = pick(rng, "2.0", "1", "'inf'", "float('inf')", "0.5", "3")
        mx = pick(rng, 0.5, 1.0, 100.0)
        s.append(f"tn = L.nn.utils.clip_grad_norm_([{ps}], max_norm={mx}, norm_type={nt})")
        s.append("obs('total', tn)")
    elif r < 0.75:
        s.append(f"L.nn.utils.clip_grad_value_([{ps}], clip_value={pick(rng, 0.5, 1.0, 3)})")
    else:
        s.append(f"v = L.nn.utils.parameters_to_vector([{ps}])")
        s.append("obs('v', v)")
        s.append("L.nn.utils.vector_to_parameters(v * 2, [" + ps + "])")
    s.append(f"obs('grads', [p.grad for p in ({ps},)])")
    s.append(f"obs('params', [{ps}])")
    return s


# ---- nn.functional -------------------------------------------------------------------------
def _shape(rng: random.Random, rmin: int = 1, rmax: int = 4, hi: int = 4) -> tuple[int, ...]:
    return tuple(rng.randint(1, hi) for _ in range(rng.randint(rmin, rmax)))


def _fn_case(rng: random.Random, dt: str) -> tuple[list[str], str]:
    """Statements defining the inputs (x, and others), and an nn.functional expression."""
    F = "L.nn.functional"
    k = rng.choice(
        ("act", "act", "softmax", "pool", "pool", "conv", "convt", "pad", "interp", "norm",
         "dist", "loss", "loss", "loss", "cls_loss", "cls_loss", "misc", "sdpa", "dropout", "3d")
    )  # fmt: skip
    x = lambda s, lo=-2.0, hi=2.0: tensor(rng, s, dt, True, lo, hi)  # noqa: E731
    if k == "act":
        s = _shape(rng, 1, 3)
        f = pick(
            rng,
            "elu(x, alpha=0.7)", "selu(x)", "celu(x, alpha=1.3)", "leaky_relu(x, 0.3)",
            "gelu(x, approximate='tanh')", "gelu(x)", "softplus(x, beta=2.0, threshold=1.5)",
            "hardtanh(x, -0.4, 0.9)", "relu6(x)", "hardswish(x)", "hardsigmoid(x)", "mish(x)",
            "silu(x)", "softsign(x)", "tanhshrink(x)", "softshrink(x, 0.4)",
            "hardshrink(x, 0.4)", "logsigmoid(x)", "threshold(x, 0.2, -3.0)",
            "rrelu(x, 0.1, 0.3, training=False)", "glu(x, -1)", "prelu(x, w)",
            "normalize(x, p=2.0, dim=-1)", "normalize(x, p=1.0, dim=0, eps=0.5)",
        )  # fmt: skip
        if f.startswith("glu") and s[-1] % 2:
            s = (*s[:-1], s[-1] + 1)
        pre = [f"x = {x(s)}"]
        if f.startswith("prelu"):
            c = s[1] if len(s) > 1 and rng.random() < 0.5 else 1
            pre.append(f"w = {tensor(rng, (c,), dt, True, 0, 0.5)}")
        return pre, f"{F}.{f}"
    if k == "softmax":
        s = _shape(rng, 1, 3)
        d = rng.randint(-len(s), len(s) - 1)
        f = pick(rng, "softmax", "log_softmax", "softmin")
        extra = ", dtype=L.float64" if rng.random() < 0.2 else ""
        return [f"x = {x(s)}"], f"{F}.{f}(x, dim={d}{extra})"
    if k == "pool":
        d = rng.randint(1, 2)
        size = tuple(rng.randint(2, 6) for _ in range(d))
        shape = (rng.randint(1, 2), rng.randint(1, 2), *size)
        ks = rng.randint(1, 3)
        kind = pick(rng, "max", "avg", "amax", "aavg", "lp", "frac")
        st = pick(rng, None, 1, 2)
        pad = rng.randint(0, ks // 2)
        cm = pick(rng, True, False)
        if kind == "max":
            dil = pick(rng, 1, 2) if (ks - 1) * 2 < min(size) else 1
            ri = pick(rng, True, False)
            e = f"{F}.max_pool{d}d(x, {ks}, stride={st}, padding={pad}, dilation={dil}, ceil_mode={cm}, return_indices={ri})"
        elif kind == "avg":
            cip = pick(rng, True, False)
            div = f", divisor_override={rng.randint(1, 3)}" if d == 2 and rng.random() < 0.2 else ""
            e = f"{F}.avg_pool{d}d(x, {ks}, stride={st}, padding={pad}, ceil_mode={cm}, count_include_pad={cip}{div})"
        elif kind == "amax":
            out = tuple(rng.randint(1, 5) for _ in range(d))
            e = f"{F}.adaptive_max_pool{d}d(x, {out if d > 1 else out[0]}, return_indices={pick(rng, True, False)})"
        elif kind == "aavg":
            out = tuple(rng.randint(1, 5) for _ in range(d))
            e = f"{F}.adaptive_avg_pool{d}d(x, {out if d > 1 else out[0]})"
        elif kind == "lp":
            e = f"{F}.lp_pool{d}d(x, {pick(rng, 1.0, 2.0, 3)}, {ks}, stride={st}, ceil_mode={cm})"
        else:
            e = f"{F}.avg_pool{d}d(x, {ks}, stride={st}, padding={pad}, ceil_mode={cm})"
        return [f"x = {x(shape)}"], e
    if k in ("conv", "convt"):
        d = rng.randint(1, 2)
        g = pick(rng, 1, 1, 2)
        ci, co = g * rng.randint(1, 2), g * rng.randint(1, 2)
        ks = tuple(rng.randint(1, 3) for _ in range(d))
        st = rng.randint(1, 2)
        dil = pick(rng, 1, 1, 2)
        size = tuple(rng.randint(max(ks) * dil, 6) for _ in range(d))
        n = rng.randint(1, 2)
        pre = [f"x = {x((n, ci, *size))}"]
        b = rng.random() < 0.6
        if k == "conv":
            pre.append(f"w = {x((co, ci // g, *ks))}")
            pad = pick(rng, 0, 1, "'same'", "'valid'", (1,) * d)
            if pad == "'same'":
                st = 1
            if b:
                pre.append(f"b = {x((co,))}")
            return (
                pre,
                f"{F}.conv{d}d(x, w, {'b' if b else 'None'}, stride={st}, padding={pad}, dilation={dil}, groups={g})",
            )
        pre.append(f"w = {x((ci, co // g, *ks))}")
        pad = rng.randint(0, (min(ks) - 1) * dil)
        op = rng.randint(0, max(st, dil) - 1)
        if b:
            pre.append(f"b = {x((co,))}")
        return (
            pre,
            f"{F}.conv_transpose{d}d(x, w, {'b' if b else 'None'}, stride={st}, padding={pad}, output_padding={op}, groups={g}, dilation={dil})",
        )
    if k == "pad":
        r = rng.randint(1, 4)
        s = tuple(rng.randint(1, 4) for _ in range(r))
        mode = pick(rng, "constant", "reflect", "replicate", "circular")
        np_ = rng.randint(1, min(3, r))
        if mode != "constant":
            np_ = min(np_, max(1, r - 2)) if r >= 2 else 1
        pads = []
        for i in range(np_):
            size = s[-1 - i]
            lim = size - 1 if mode == "reflect" else size if mode == "circular" else 3
            pads += [rng.randint(-1 if mode == "constant" else 0, max(lim, 0)) for _ in range(2)]
        val = f", value={pick(rng, 0.5, -1.0)}" if mode == "constant" and rng.random() < 0.5 else ""
        return [f"x = {x(s)}"], f"{F}.pad(x, {tuple(pads)}, mode={mode!r}{val})"
    if k == "interp":
        d = rng.randint(1, 3)
        size = tuple(rng.randint(1, 4) for _ in range(d))
        shape = (rng.randint(1, 2), rng.randint(1, 2), *size)
        mode = pick(rng, "nearest", "nearest-exact", "area",
                    *(["linear"] if d == 1 else ["bilinear", "bicubic"] if d == 2 else ["trilinear"]))  # fmt: skip
        if rng.random() < 0.5:
            out = tuple(rng.randint(1, 6) for _ in range(d))
            how = f"size={out if d > 1 else out[0]}"
        else:
            sf = pick(rng, 2, 0.5, 1.5, 3, 2.5)
            if mode == "area" and sf < 1 and min(size) < 2:
                sf = 2  # an empty output: PyTorch's backward refuses it (not copied)
            how = f"scale_factor={sf}"
            if rng.random() < 0.3 and mode not in ("area",):
                how += f", recompute_scale_factor={pick(rng, True, False)}"
        ac = ""
        if mode in ("linear", "bilinear", "bicubic", "trilinear"):
            ac = f", align_corners={pick(rng, True, False, None)}"
        return [f"x = {x(shape)}"], f"{F}.interpolate(x, {how}, mode={mode!r}{ac})"
    if k == "3d":
        sh = (rng.randint(1, 2), rng.randint(1, 2), *(rng.randint(1, 5) for _ in range(3)))
        ks = tuple(rng.randint(1, 3) for _ in range(3))
        st = pick(rng, None, 1, 2, (1, 2, 1))
        pd = pick(rng, 0, 1, (0, 1, 0))
        cm = pick(rng, True, False)
        f = pick(rng, "max", "avg", "amax", "aavg", "lp", "conv", "conv")
        if f == "max":  # PyTorch's max_pool3d corrupts its heap with padding and dilation
            dl = 1 if pd else pick(rng, 1, 2)
            return (
                [f"x = {x(sh)}"],
                f"{F}.max_pool3d(x, {ks}, {st}, {pd}, dilation={dl}, ceil_mode={cm}, return_indices={pick(rng, True, False)})",
            )
        if f == "avg":
            return (
                [f"x = {x(sh)}"],
                f"{F}.avg_pool3d(x, {ks}, {st}, {pd}, ceil_mode={cm}, count_include_pad={pick(rng, True, False)}, divisor_override={pick(rng, None, None, 3)})",
            )
        if f in ("amax", "aavg"):
            out = pick(rng, 2, (1, None, 3), (3, 2, 1))
            ri = f", return_indices={pick(rng, True, False)}" if f == "amax" else ""
            return [f"x = {x(sh)}"], f"{F}.adaptive_{f[1:]}_pool3d(x, {out}{ri})"
        if f == "lp":
            return [
                f"x = {x(sh)}"
            ], f"{F}.lp_pool3d(x, {pick(rng, 1.0, 2.0)}, {ks}, {st}, ceil_mode={cm})"
        g = pick(rng, 1, 2)
        ci = sh[1] * g
        pre = [f"x = {x((sh[0], ci, *sh[2:]))}", f"w = {x((2 * g, sh[1], *ks))}"]
        b = rng.random() < 0.5
        if b:
            pre.append(f"b = {x((2 * g,))}")
        pad = pick(rng, 0, 1, (1, 0, 2), "'same'", "'valid'")
        stride = 1 if pad == "'same'" else pick(rng, 1, 2, (1, 2, 1))
        return (
            pre,
            f"{F}.conv3d(x, w, {'b' if b else 'None'}, stride={stride}, padding={pad}, dilation={pick(rng, 1, 2)}, groups={g})",
        )
    if k == "norm":
        kind = pick(rng, "ln", "gn", "bn", "rms", "lrn", "in")
        n, c = rng.randint(1, 3), rng.randint(1, 4)
        rest = tuple(rng.randint(1, 3) for _ in range(rng.randint(0, 2)))
        shape = (n, c, *rest)
        pre = [f"x = {x(shape)}"]
        if kind == "ln":
            ns = shape[-rng.randint(1, len(shape)) :]
            wb = rng.random() < 0.5
            if wb:
                pre += [f"w = {x(ns)}", f"b = {x(ns)}"]
            return (
                pre,
                f"{F}.layer_norm(x, {ns}, {'w, b' if wb else 'None, None'}, eps={pick(rng, 1e-5, 0.1)})",
            )
        if kind == "rms":
            ns = shape[-rng.randint(1, len(shape)) :]
            w = "w" if rng.random() < 0.5 else "None"
            if w == "w":
                pre.append(f"w = {x(ns)}")
            return pre, f"{F}.rms_norm(x, {ns}, {w}, eps={pick(rng, None, 1e-5, 0.1)})"
        if kind == "gn":
            g = pick(rng, *[i for i in range(1, c + 1) if c % i == 0])
            pre += [f"w = {x((c,))}", f"b = {x((c,))}"]
            return pre, f"{F}.group_norm(x, {g}, w, b, eps={pick(rng, 1e-5, 0.1)})"
        if kind == "lrn":
            if len(shape) < 3:
                pre = [f"x = {x((*shape, 2))}"]
            return (
                pre,
                f"{F}.local_response_norm(x, {rng.randint(1, 4)}, alpha={pick(rng, 1e-4, 0.1)}, beta={pick(rng, 0.75, 0.5)}, k={pick(rng, 1.0, 2.0)})",
            )
        if kind == "in":
            if not rest:
                pre = [f"x = {x((*shape, 3))}"]
            pre += [f"rm = {tensor(rng, (c,), dt)}", f"rv = {tensor(rng, (c,), dt, lo=0.5, hi=2)}"]
            return (
                pre,
                f"{F}.instance_norm(x, rm, rv, use_input_stats={pick(rng, True, False)}, momentum={pick(rng, 0.1, 0.5)}) + 0 * rm.sum()",
            )
        pre += [f"rm = {tensor(rng, (c,), dt)}", f"rv = {tensor(rng, (c,), dt, lo=0.5, hi=2)}"]
        wb = rng.random() < 0.5
        if wb:
            pre += [f"w = {x((c,))}", f"b = {x((c,))}"]
        tr = pick(rng, True, False)
        return (
            pre,
            f"({F}.batch_norm(x, rm, rv, {'w, b' if wb else 'None, None'}, training={tr}, momentum={pick(rng, 0.1, 0.5)}, eps={pick(rng, 1e-5, 0.1)}), rm, rv)",
        )
    if k == "dist":
        s = _shape(rng, 1, 3)
        pre = [f"x = {x(s)}", f"y = {x(s)}"]
        f = pick(
            rng,
            f"cosine_similarity(x, y, dim={rng.randint(-len(s), len(s) - 1)}, eps={pick(rng, 1e-8, 0.5)})",
            f"pairwise_distance(x, y, p={pick(rng, 1.0, 2.0, 3.0)}, eps={pick(rng, 1e-6, 0.1)}, keepdim={pick(rng, True, False)})",
            f"pdist(x.reshape(x.shape[0], -1), p={pick(rng, 1.0, 2.0, 0.5)})",
            "pairwise_distance(x, y)",
        )
        return pre, f"{F}.{f}"
    if k == "loss":
        s = _shape(rng, 0, 3)
        red = pick(rng, "mean", "sum", "none")
        f = pick(rng, "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "bce", "bcel",
                 "kl_div", "poisson_nll_loss", "gaussian_nll_loss", "soft_margin_loss",
                 "hinge_embedding_loss", "margin_ranking_loss", "cosine_embedding_loss")  # fmt: skip
        pre = [f"x = {x(s)}", f"y = {tensor(rng, s, dt, rng.random() < 0.3)}"]
        if f == "smooth_l1_loss":
            return (
                pre,
                f"{F}.smooth_l1_loss(x, y, reduction={red!r}, beta={pick(rng, 1.0, 0.5, 0.0)})",
            )
        if f == "huber_loss":
            return pre, f"{F}.huber_loss(x, y, reduction={red!r}, delta={pick(rng, 1.0, 0.5, 2.0)})"
        if f == "bce":
            pre[1] = f"y = {tensor(rng, s, dt, False, 0, 1)}"
            w = (
                f", weight={tensor(rng, s[-1:], dt, False, 0, 2)}"
                if s and rng.random() < 0.4
                else ""
            )
            return pre, f"{F}.binary_cross_entropy(x.sigmoid(), y, reduction={red!r}{w})"
        if f == "bcel":
            pre[1] = f"y = {tensor(rng, s, dt, False, 0, 1)}"
            w = (
                f", weight={tensor(rng, s[-1:], dt, False, 0, 2)}"
                if s and rng.random() < 0.4
                else ""
            )
            pw = (
                f", pos_weight={tensor(rng, s[-1:], dt, False, 0, 3)}"
                if s and rng.random() < 0.4
                else ""
            )
            return pre, f"{F}.binary_cross_entropy_with_logits(x, y, reduction={red!r}{w}{pw})"
        if f == "kl_div":
            lt = pick(rng, True, False)
            red = pick(rng, "mean", "sum", "none", "batchmean")
            tgt = "y" if lt else "y.exp()"
            return (
                pre,
                f"{F}.kl_div(x.log_softmax(-1) if x.dim() else x, {tgt}, reduction={red!r}, log_target={lt})",
            )
        if f == "poisson_nll_loss":
            li = pick(rng, True, False)
            pre[1] = f"y = {tensor(rng, s, dt, False, 0, 3)}"
            inp = "x" if li else "x.exp()"
            return (
                pre,
                f"{F}.poisson_nll_loss({inp}, y, log_input={li}, full={pick(rng, True, False)}, reduction={red!r})",
            )
        if f == "gaussian_nll_loss":
            pre.append(f"v = {tensor(rng, s, dt, rng.random() < 0.5, 0.1, 2)}")
            return (
                pre,
                f"{F}.gaussian_nll_loss(x, y, v, full={pick(rng, True, False)}, eps={pick(rng, 1e-6, 0.5)}, reduction={red!r})",
            )
        if f == "soft_margin_loss":
            pre[1] = f"y = {tensor(rng, s, dt, False, -1, 1)}.sign()"
            return pre, f"{F}.soft_margin_loss(x, y, reduction={red!r})"
        if f == "hinge_embedding_loss":
            pre[1] = f"y = {tensor(rng, s, dt, False, -1, 1)}.sign()"
            return (
                pre,
                f"{F}.hinge_embedding_loss(x, y, margin={pick(rng, 1.0, 0.5)}, reduction={red!r})",
            )
        if f == "margin_ranking_loss":
            pre.append(f"t = {tensor(rng, s, dt, False, -1, 1)}.sign()")
            return (
                pre,
                f"{F}.margin_ranking_loss(x, y, t, margin={pick(rng, 0.0, 0.5)}, reduction={red!r})",
            )
        if f == "cosine_embedding_loss":
            n, dd = rng.randint(1, 3), rng.randint(1, 3)
            pre = [
                f"x = {x((n, dd))}",
                f"y = {x((n, dd))}",
                f"t = {tensor(rng, (n,), dt, False, -1, 1)}.sign()",
            ]
            return (
                pre,
                f"{F}.cosine_embedding_loss(x, y, t, margin={pick(rng, 0.0, 0.3)}, reduction={red!r})",
            )
        return pre, f"{F}.{f}(x, y, reduction={red!r})"
    if k == "cls_loss":
        n, c = rng.randint(1, 3), rng.randint(2, 4)
        extra = tuple(rng.randint(1, 2) for _ in range(pick(rng, 0, 0, 1, 2)))
        red = pick(rng, "mean", "sum", "none")
        no_batch = not extra and rng.random() < 0.15
        shape = (c,) if no_batch else (n, c, *extra)
        tshape = () if no_batch else (n, *extra)
        f = pick(
            rng,
            "cross_entropy",
            "cross_entropy",
            "nll_loss",
            "ce_prob",
            "multi_margin_loss",
            "multilabel_margin_loss",
            "multilabel_soft_margin_loss",
        )
        pre = [f"x = {x(shape)}"]
        if f == "ce_prob":
            pre.append(
                f"y = {tensor(rng, shape, dt, False, 0, 1)}.softmax(0 if x.dim() == 1 else 1)"
            )
            ls = f", label_smoothing={pick(rng, 0.1, 0.3)}" if rng.random() < 0.4 else ""
            w = f", weight={tensor(rng, (c,), dt, False, 0.1, 2)}" if rng.random() < 0.4 else ""
            return pre, f"{F}.cross_entropy(x, y, reduction={red!r}{ls}{w})"
        ii = rng.randint(0, c - 1) if rng.random() < 0.3 else None
        pre.append(f"y = {ints(rng, tshape, c)}" if tshape else f"y = L.tensor({rng.randrange(c)})")
        w = f", weight={tensor(rng, (c,), dt, False, 0.1, 2)}" if rng.random() < 0.4 else ""
        ign = f", ignore_index={ii}" if ii is not None else ""
        if f == "cross_entropy":
            ls = f", label_smoothing={pick(rng, 0.1, 0.3)}" if rng.random() < 0.4 else ""
            return pre, f"{F}.cross_entropy(x, y, reduction={red!r}{w}{ign}{ls})"
        if f == "nll_loss":
            return (
                pre,
                f"{F}.nll_loss(x.log_softmax(0 if x.dim() == 1 else 1), y, reduction={red!r}{w}{ign})",
            )
        if f == "multi_margin_loss":
            if extra:
                pre = [f"x = {x((n, c))}", f"y = {ints(rng, (n,), c)}"]
            return (
                pre,
                f"{F}.multi_margin_loss(x, y, p={pick(rng, 1, 2)}, margin={pick(rng, 1.0, 0.5)}, reduction={red!r}{w})",
            )
        if f == "multilabel_margin_loss":
            rows = [[rng.randrange(c) for _ in range(rng.randint(0, c))] for _ in range(n)]
            rows = [r + [-1] * (c - len(r)) for r in rows]
            pre = [f"x = {x((n, c))}", f"y = L.tensor({rows})"]
            return pre, f"{F}.multilabel_margin_loss(x, y, reduction={red!r})"
        pre = [f"x = {x((n, c))}", f"y = {ints(rng, (n, c), 2)}.to(x.dtype)"]
        return pre, f"{F}.multilabel_soft_margin_loss(x, y, reduction={red!r}{w})"
    if k == "misc":
        f = pick(rng, "one_hot", "unfold", "fold", "pixel_shuffle", "pixel_unshuffle",
                 "bilinear", "linear", "embedding", "triplet", "ctc", "channel_shuffle")  # fmt: skip
        if f == "one_hot":
            s = _shape(rng, 0, 2)
            return [f"i = {ints(rng, s, 4)}"], f"{F}.one_hot(i, {pick(rng, -1, 4, 5)})"
        if f == "unfold":
            n, c = rng.randint(1, 2), rng.randint(1, 2)
            h, w = rng.randint(2, 5), rng.randint(2, 5)
            ks = (rng.randint(1, 2), rng.randint(1, 2))
            return (
                [f"x = {x((n, c, h, w))}"],
                f"{F}.unfold(x, {ks}, dilation={pick(rng, 1, 2)}, padding={pick(rng, 0, 1)}, stride={pick(rng, 1, 2)})",
            )
        if f == "fold":
            ks, out = (2, 2), (rng.randint(2, 4), rng.randint(2, 4))
            blocks = (out[0] - 1) * (out[1] - 1)
            c = rng.randint(1, 2)
            return [f"x = {x((1, c * 4, blocks))}"], f"{F}.fold(x, {out}, {ks})"
        if f in ("pixel_shuffle", "pixel_unshuffle", "channel_shuffle"):
            r = rng.randint(1, 2)
            if f == "pixel_shuffle":
                return [f"x = {x((1, 2 * r * r, 2, 3))}"], f"{F}.pixel_shuffle(x, {r})"
            if f == "channel_shuffle":
                return [f"x = {x((1, 2 * r, 2))}"], f"{F}.channel_shuffle(x, {r})"
            return [f"x = {x((1, 2, 2 * r, 2 * r))}"], f"{F}.pixel_unshuffle(x, {r})"
        if f == "bilinear":
            n, a, b, o = (rng.randint(1, 3) for _ in range(4))
            return [
                f"x = {x((n, a))}",
                f"y = {x((n, b))}",
                f"w = {x((o, a, b))}",
                f"b = {x((o,))}",
            ], f"{F}.bilinear(x, y, w, b)"
        if f == "linear":
            s = _shape(rng, 1, 3)
            o = rng.randint(1, 3)
            return [f"x = {x(s)}", f"w = {x((o, s[-1]))}"], f"{F}.linear(x, w)"
        if f == "embedding":
            return (
                [f"w = {x((5, 3))}", f"i = {ints(rng, _shape(rng, 1, 2), 5)}"],
                f"{F}.embedding(i, w, padding_idx={pick(rng, None, 0, -1)}, max_norm={pick(rng, None, 1.0)})",
            )
        if f == "triplet":
            n, d = rng.randint(1, 3), rng.randint(1, 3)
            return (
                [f"x = {x((n, d))}", f"y = {x((n, d))}", f"z = {x((n, d))}"],
                f"{F}.triplet_margin_loss(x, y, z, margin={pick(rng, 1.0, 0.5)}, p={pick(rng, 2.0, 1.0)}, swap={pick(rng, True, False)}, reduction={pick(rng, 'mean', 'none')!r})",
            )
        if f == "ctc":
            t, n, c, sl = rng.randint(3, 6), rng.randint(1, 2), rng.randint(2, 4), rng.randint(1, 2)
            tg = [rng.randint(1, c - 1) for _ in range(n * sl)]
            return (
                [f"x = {x((t, n, c))}", f"tg = L.tensor({tg}).reshape({n}, {sl})"],
                f"{F}.ctc_loss(x.log_softmax(2), tg, [{t}] * {n}, [{sl}] * {n}, reduction={pick(rng, 'mean', 'sum', 'none')!r}, zero_infinity={pick(rng, True, False)})",
            )
    if k == "sdpa":
        n, h, lq, lk, e = (
            rng.randint(1, 2),
            rng.randint(1, 2),
            rng.randint(1, 3),
            rng.randint(1, 3),
            rng.randint(1, 3),
        )
        pre = [
            f"q = {x((n, h, lq, e))}",
            f"kk = {x((n, h, lk, e))}",
            f"v = {x((n, h, lk, rng.randint(1, 3)))}",
        ]
        r = rng.random()
        if r < 0.3:
            m = [[rng.random() < 0.7 for _ in range(lk)] for _ in range(lq)]
            pre.append(f"am = L.tensor({m})")
            extra = ", attn_mask=am"
        elif r < 0.5:
            pre.append(f"am = {tensor(rng, (lq, lk), dt)}")
            extra = ", attn_mask=am"
        elif r < 0.7:
            extra = ", is_causal=True"
        else:
            extra = ""
        sc = f", scale={pick(rng, 0.5, 2.0)}" if rng.random() < 0.3 else ""
        return pre, f"{F}.scaled_dot_product_attention(q, kk, v{extra}{sc})"
    # dropout under manual_seed
    s = _shape(rng, 1, 3)
    f = pick(rng, f"dropout(x, {pick(rng, 0.0, 0.3, 0.5, 1.0)}, training=True)",
             f"dropout(x, {pick(rng, 0.3, 0.5)}, training=False)",
             f"alpha_dropout(x, {pick(rng, 0.3, 0.5)}, training=True)",
             "feature_alpha_dropout(x, 0.5, training=True)",
             "dropout1d(x, 0.5, training=True)" if len(s) in (2, 3) else "dropout(x, 0.2)",
             "dropout2d(x, 0.5, training=True)" if len(s) == 3 else "dropout(x, 0.1)")  # fmt: skip
    return [f"x = {x(s)}", f"L.manual_seed({rng.randint(0, 99)})"], f"{F}.{f}"


@family("functional")
def functional_program(rng: random.Random) -> list[str]:
    dt = pick(rng, "float32", "float64", "float64")
    pre, expr = _fn_case(rng, dt)
    tol = "(2e-4, 2e-5)" if dt == "float32" else "(1e-7, 1e-9)"
    s = [*pre, f"out = {expr}", f"obs('out', out, {tol})"]
    s.append("y = out[0] if isinstance(out, tuple) else out")
    s.append(
        "ins = [v for k, v in list(globals().items()) if len(k) <= 2 and isinstance(v, L.Tensor) and v.requires_grad and v.is_leaf]"
    )
    s.append(
        "c = L.linspace(-1, 1, y.numel(), dtype=y.dtype).reshape(y.shape) if y.is_floating_point() else None"
    )
    s.append(
        "gs = L.autograd.grad((y * c).sum(), ins, allow_unused=True) if y.requires_grad else None"
    )
    s.append(f"obs('grads', gs, {tol})")
    return s


# ---- training loops ------------------------------------------------------------------------
@family("train")
def train_program(rng: random.Random) -> list[str]:
    """A small model, loss, optimizer and scheduler, trained a few steps in float64."""
    i, h, o = rng.randint(1, 4), rng.randint(2, 5), rng.randint(1, 3)
    n = rng.randint(2, 5)
    kind = pick(rng, "mlp", "mlp", "cnn", "rnn", "tel", "emb")
    s = [f"L.manual_seed({rng.randint(0, 999)})"]
    if kind == "mlp":
        act = _act(rng)
        if "Softmax" in act or "GLU" in act or "Softmin" in act or "RReLU" in act:
            act = "L.nn.Tanh()"
        norm = pick(
            rng, "", f"L.nn.BatchNorm1d({h}), ", f"L.nn.LayerNorm({h}), ", "L.nn.Dropout(0.0), "
        )
        s.append(f"m = L.nn.Sequential(L.nn.Linear({i}, {h}), {norm}{act}, L.nn.Linear({h}, {o}))")
        s.append(f"x = {tensor(rng, (n, i))}")
    elif kind == "cnn":
        c = rng.randint(1, 2)
        s.append(
            f"m = L.nn.Sequential(L.nn.Conv2d({c}, 2, 2, padding={pick(rng, 0, 1)}), "
            f"L.nn.BatchNorm2d(2), L.nn.ReLU(), L.nn.{pick(rng, 'MaxPool2d(2)', 'AvgPool2d(2)', 'AdaptiveAvgPool2d(1)')}, "
            f"L.nn.Flatten(), L.nn.LazyLinear({o}))"
        )
        s.append(f"x = {tensor(rng, (n, c, 4, 4))}")
        s.append("m(x)")  # materialize the lazy layer
    elif kind == "rnn":
        cell = pick(rng, "RNN", "GRU", "LSTM")
        s.append(f"rnn = L.nn.{cell}({i}, {h}, batch_first=True)")
        s.append(f"head = L.nn.Linear({h}, {o})")
        s.append("m = L.nn.ModuleDict({'rnn': rnn, 'head': head})")
        s.append(f"x = {tensor(rng, (n, rng.randint(1, 3), i))}")
    elif kind == "tel":
        e = 2 * rng.randint(1, 2)
        s.append(
            f"m = L.nn.TransformerEncoder(L.nn.TransformerEncoderLayer({e}, 2, {rng.randint(2, 6)}, "
            f"dropout=0.0, batch_first=True), {rng.randint(1, 2)}, enable_nested_tensor=False)"
        )
        s.append(f"x = {tensor(rng, (n, rng.randint(1, 3), e))}")
        o = e
    else:
        s.append(
            f"m = L.nn.Sequential(L.nn.Embedding(6, {h}), L.nn.Flatten(), L.nn.Linear({h * 2}, {o}))"
        )
        s.append(f"x = {ints(rng, (n, 2), 6)}")
    s.append("m = m.double()")
    s.append("obs('repr', repr(m))")
    s.append("obs('sd', list(m.state_dict()))")
    if kind == "rnn":
        fwd = "m['head'](m['rnn'](x)[0][:, -1])"
    elif kind == "tel":
        fwd = "m(x).mean(1)"
    else:
        fwd = "m(x)"
    loss_kind = pick(rng, "mse", "ce", "l1", "huber", "bce")
    if loss_kind == "ce" and o > 1:
        s.append(f"y = {ints(rng, (n,), o)}")
        crit = f"L.nn.CrossEntropyLoss(label_smoothing={pick(rng, 0.0, 0.1)})"
    elif loss_kind == "bce":
        s.append(f"y = {tensor(rng, (n, o), 'float64', False, 0, 1)}")
        crit = "L.nn.BCEWithLogitsLoss()"
    else:
        s.append(f"y = {tensor(rng, (n, o))}")
        crit = pick(
            rng,
            "L.nn.MSELoss()",
            "L.nn.L1Loss()",
            "L.nn.HuberLoss(delta=0.5)",
            "L.nn.SmoothL1Loss()",
        )
    s.append(f"crit = {crit}")
    # not Rprop: it steps by the sign of each gradient, and the gradients of a bias before a
    # batch norm are 0 up to rounding (either sign, in either library)
    # (and an attention's key bias has a gradient of 0 up to rounding, which the adaptive
    # optimizers scale up to a full step: SGD there)
    name = rng.choice([k for k in OPTIMS if k != "Rprop"]) if kind != "tel" else "SGD"
    hp = OPTIMS[name](rng)
    kw = ", ".join(f"{k}={v}" for k, v in hp.items() if rng.random() < 0.6 or k == "lr")
    s.append(f"opt = L.optim.{name}(m.parameters(), {kw})")
    sch = rng.random() < 0.5
    if sch:
        s.append(f"sch = {_sched(rng, 'opt', 10)}")
    clip = pick(
        rng,
        "",
        "",
        "L.nn.utils.clip_grad_norm_(m.parameters(), 1.0)",
        "L.nn.utils.clip_grad_value_(m.parameters(), 0.5)",
    )
    for step in range(rng.randint(1, 4)):
        s.append("opt.zero_grad()")
        s.append(f"loss = crit({fwd}, y)")
        s.append(f"obs('loss{step}', loss)")
        s.append("loss.backward()")
        if clip:
            s.append(f"obs('clip', {clip})")
        s.append("opt.step()")
        if sch:
            s.append("sch.step()")
            s.append("obs('lr', [g['lr'] for g in opt.param_groups])")
    tol = "(1e-6, 1e-8)"  # a few steps of float64 rounding, amplified by 1 / (sqrt(v) + eps)
    s.append(f"obs('params', list(m.parameters()), {tol})")
    s.append(f"obs('buffers', list(m.buffers()), {tol})")
    s.append("m.eval()")
    s.append(f"obs('eval', {fwd}, {tol})")
    s.append(f"obs('osd', opt.state_dict(), {tol})")
    return s


# ---- CLI ---------------------------------------------------------------------------------
def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--programs", type=int, default=100)
    ap.add_argument("--family", action="append")
    ap.add_argument("--replay")
    ap.add_argument("--max-report", type=int, default=20)
    ap.add_argument("--no-shrink", action="store_true")
    a = ap.parse_args()
    import torch

    import pyautograd as pa

    if a.replay:
        fam, seed, idx = a.replay.split("/")
        stmts = program(fam, int(seed), int(idx))
        why = compare(stmts, torch, pa)
        if why and not a.no_shrink:
            stmts = shrink(stmts, torch, pa)
            why = compare(stmts, torch, pa)
        print("\n".join(stmts))
        print("#", why)
        return 1 if why else 0
    fams = a.family or list(FAMILIES)
    bad = 0
    seen: set[str] = set()
    for fam in fams:
        for i in range(a.programs):
            stmts = program(fam, a.seed, i)
            try:
                why = compare(stmts, torch, pa)
            except Exception:
                why = "harness error: " + traceback.format_exc()[-500:]
            if why:
                bad += 1
                key = why.split("\n")[0][:120]
                first = key not in seen
                seen.add(key)
                if first and len(seen) <= a.max_report:
                    print(f"=== {fam}/{a.seed}/{i}: {why[:1500]}")
        print(f"{fam}: {a.programs} programs")
    print(f"{bad} diverged, {len(seen)} classes")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
