"""Random shapes, values and leaf layouts (pure Python: a ``random.Random`` in, data out)."""

from __future__ import annotations

import math
import random
from typing import Any

from program import Leaf, numel

INF = math.inf
NAN = math.nan
SPECIALS = (0.0, -0.0, INF, -INF, NAN)

#: the largest tensor a program makes (keeps every program fast)
MAX_NUMEL = 240

_RANKS = (0, 1, 2, 3, 4)
_RANK_W = (12, 25, 33, 20, 10)
_DIMS = (0, 1, 2, 3, 4, 5)
_DIM_W = (5, 20, 26, 25, 15, 9)


def dim_size(rng: random.Random, allow_zero: bool = True) -> int:
    d = rng.choices(_DIMS, _DIM_W)[0]
    return d if (d or allow_zero) else 1


def shape(rng: random.Random, rank: int | None = None, cap: int = 60) -> tuple[int, ...]:
    """A random shape (0- and 1-sized dims included) with at most ``cap`` elements."""
    if rank is None:
        rank = rng.choices(_RANKS, _RANK_W)[0]
    while True:
        s = tuple(dim_size(rng) for _ in range(rank))
        if numel(s) <= cap:
            return s


def values(rng: random.Random, n: int, dtype: str, style: str) -> tuple[Any, ...]:
    if dtype == "bool":
        return tuple(rng.random() < 0.5 for _ in range(n))
    if dtype == "int64":
        hi = 4 if style != "wide" else 100
        return tuple(rng.randint(-hi, hi) for _ in range(n))
    if style == "int":
        return tuple(float(rng.randint(-3, 3)) for _ in range(n))
    out = [round(rng.gauss(0.0, 1.5), 3) for _ in range(n)]
    if style == "special":
        out = [rng.choice(SPECIALS) if rng.random() < 0.3 else v for v in out]
    elif style == "positive":
        out = [abs(v) + 0.25 for v in out]
    return tuple(out)


def value_style(rng: random.Random, dtype: str, special_p: float) -> str:
    if dtype in ("float32", "float64"):
        r = rng.random()
        if r < special_p:
            return "special"
        return rng.choices(("normal", "int", "positive"), (70, 20, 10))[0]
    return "wide" if rng.random() < 0.1 else "small"


def leaf(
    rng: random.Random,
    shp: tuple[int, ...],
    dtype: str,
    requires_grad: bool,
    special_p: float = 0.05,
    layout: str | None = None,
) -> Leaf:
    """A leaf of shape ``shp``; non-contiguous layouts (transpose, step slice, expand) at times."""
    if layout is None:
        opts = ["contig"] * 7
        if len(shp) >= 2:
            opts.append("t")
        if len(shp) >= 1:
            opts += ["step", "expand"]
        layout = rng.choice(opts)
    data_shape = list(shp)
    code = "contig"
    if layout == "t" and len(shp) >= 2:
        i, j = sorted(rng.sample(range(len(shp)), 2))
        data_shape[i], data_shape[j] = shp[j], shp[i]
        code = f"t:{i}:{j}"
    elif layout == "step" and shp:
        d = rng.randrange(len(shp))
        data_shape[d] = max(0, 2 * shp[d] - rng.randint(0, 1)) if shp[d] else 0
        code = f"step:{d}"
    elif layout == "expand" and shp:
        data_shape = [1 if rng.random() < 0.5 else s for s in shp]
        while data_shape and rng.random() < 0.3:
            data_shape.pop(0)
        code = "expand"
    ds = tuple(data_shape)
    vals = values(rng, numel(ds), dtype, value_style(rng, dtype, special_p))
    return Leaf(tuple(shp), dtype, vals, requires_grad, code, ds)


def broadcast_partner(rng: random.Random, s: tuple[int, ...]) -> tuple[int, ...]:
    """A shape that broadcasts with ``s`` (leading dims dropped or added, dims set to 1)."""
    out = list(s)
    if out and rng.random() < 0.3:
        out = out[rng.randint(0, len(out)) :]
    out = [1 if rng.random() < 0.25 else d for d in out]
    if len(out) < 4 and rng.random() < 0.15:
        out.insert(0, rng.choice((1, 2, 3)))
    if rng.random() < 0.1 and s:
        out = [d for d in s]  # same shape
    return tuple(out)


def broadcast(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...] | None:
    out = []
    for i in range(1, max(len(a), len(b)) + 1):
        x = a[-i] if i <= len(a) else 1
        y = b[-i] if i <= len(b) else 1
        if x != y and x != 1 and y != 1:
            return None
        out.append(y if x == 1 else x)
    return tuple(reversed(out))


def _factors(n: int) -> list[int]:
    return [f for f in range(2, n + 1) if n % f == 0]


def reshape_target(rng: random.Random, s: tuple[int, ...]) -> tuple[int, ...]:
    """A shape with as many elements as ``s``: dims merged, split, 1s added or removed."""
    out = list(s)
    for _ in range(rng.randint(1, 3)):
        r = rng.random()
        if r < 0.3 and len(out) >= 2:
            i = rng.randrange(len(out) - 1)
            out[i : i + 2] = [out[i] * out[i + 1]]
        elif r < 0.6 and out:
            i = rng.randrange(len(out))
            fs = _factors(out[i])
            if fs:
                f = rng.choice(fs)
                out[i : i + 1] = [f, out[i] // f]
        elif r < 0.8 and len(out) < 5:
            out.insert(rng.randint(0, len(out)), 1)
        elif 1 in out:
            out.remove(1)
    if out and numel(out) and rng.random() < 0.25:
        out[rng.randrange(len(out))] = -1
    return tuple(out)


def expand_target(rng: random.Random, s: tuple[int, ...]) -> tuple[int, ...]:
    """A shape ``s`` expands to: size-1 dims grown, leading dims added, -1 kept at times."""
    out = [rng.choice((0, 2, 3, 4)) if d == 1 and rng.random() < 0.6 else d for d in s]
    if len(out) < 4 and rng.random() < 0.3:
        out.insert(0, rng.choice((1, 2, 3)))
    k = len(out) - len(s)
    out = [-1 if i >= k and rng.random() < 0.15 else d for i, d in enumerate(out)]
    if numel([abs(d) for d in out]) > MAX_NUMEL:
        return tuple(s)
    return tuple(out)
