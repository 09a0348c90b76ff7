"""Rows for the wider tensor API: shape/join ops, indexing ops, linear algebra, scans and sorts,
reductions, pointwise math, in-place forms, creation and casts. Appended to ops.ROWS.

Index arguments (gather, scatter, index_select, take, ...) are literal int64 tensors drawn from
the shapes drawn so far, so most draws are legal; a few are out of range on purpose (PyTorch
decides which calls raise). Indices of ops whose result depends on which duplicate wins
(scatter, index_copy, put_ without accumulate) are distinct.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import args as A
import shapes
from args import ALL, NUM, Arg, ArgGen, Skip, dname, var_arg
from ops import FLOAT_ONLY
from ops import row as _row
from program import nested, numel

if TYPE_CHECKING:
    from gen import Gen

FLOATISH = (*FLOAT_ONLY, *FLOAT_ONLY, "int64")  # mostly floats; int64 to compare refusals

#: this file's rows together weigh about half the seed table's (whose rows keep most of their
#: share of the draws); no row so light that CI's 2500 programs may never draw it
SCALE, MIN_WEIGHT = 0.6, 0.08


def row(name: str, template: str, *args: ArgGen, weight: float = 1.0, **kw: Any) -> None:
    _row(name, template, *args, weight=max(MIN_WEIGHT, weight * SCALE), **kw)


# ---- argument generators -------------------------------------------------------------------
def code(fn: Callable[[Gen, list[Arg]], Any]) -> ArgGen:
    """A literal whose Python value fn computes (its code is repr(value))."""

    def gen(g: Gen, args: list[Arg]) -> Arg:
        v = fn(g, args)
        return Arg(repr(v), "lit", value=v)

    return gen


def ival(lo: int, hi: int) -> ArgGen:
    return code(lambda g, args: g.rng.randint(lo, hi))


def one_of(*vals: Any) -> ArgGen:
    return code(lambda g, args: g.rng.choice(vals))


def _shape(args: list[Arg], of: int) -> tuple[int, ...]:
    return tuple(args[of].value.shape)


def _dimv(args: list[Arg], i: int) -> int:
    return int(args[i].value)


def _norm_dim(d: int, r: int) -> int:
    n = max(r, 1)
    if not -n <= d < n:
        raise Skip
    return d % n


def rank(lo: int, hi: int = 9, dtypes: Sequence[str] = ALL) -> ArgGen:
    return A.tensor(dtypes, pred=lambda t: lo <= t.dim() <= hi)


def new_dim(of: int = 0) -> ArgGen:
    """A dimension for stack/unsqueeze: in [-(r+1), r]."""

    def gen(g: Gen, args: list[Arg]) -> Arg:
        r = args[of].value.dim()
        d = g.rng.randint(-r - 1, r)
        return Arg(str(d), "dims", value=d)

    return gen


def fresh_shaped(
    fn: Callable[[Gen, list[Arg]], tuple[int, ...]],
    like: int | None = 0,
    dtypes: Sequence[str] = ALL,
    same_p: float = 0.85,
    rg: bool | None = None,
) -> ArgGen:
    """A fresh leaf of the shape fn computes, mostly of args[like]'s dtype."""

    def gen(g: Gen, args: list[Arg]) -> Arg:
        s = fn(g, args)
        if numel(s) > shapes.MAX_NUMEL:
            raise Skip
        own = dname(args[like].value) if like is not None and args[like].is_tensor else None
        dt = own if own in dtypes and g.rng.random() < same_p else g.rng.choice(dtypes)
        return var_arg(g, g.fresh(tuple(s), dt, rg))

    return gen


def same_shape(of: int = 0, dtypes: Sequence[str] = ALL, fresh_p: float = 0.6) -> ArgGen:
    """An existing tensor of args[of]'s shape, or a fresh one."""

    def gen(g: Gen, args: list[Arg]) -> Arg:
        s = _shape(args, of)
        if g.rng.random() >= fresh_p:
            name = g.pick(lambda t: tuple(t.shape) == s and dname(t) in dtypes)
            if name is not None:
                return var_arg(g, name)
        return fresh_shaped(lambda g, a: s, of, dtypes)(g, args)

    return gen


def cat_partner(of: int, dim_i: int) -> ArgGen:
    """A tensor whose shape is args[of]'s except along the dim args[dim_i]."""

    def shp(g: Gen, args: list[Arg]) -> tuple[int, ...]:
        s = list(_shape(args, of))
        if not s:
            return ()
        d = _norm_dim(_dimv(args, dim_i), len(s))
        s[d] = shapes.dim_size(g.rng)
        if g.rng.random() < 0.03:
            s[(d + 1) % len(s)] += 1  # a mismatch: an error
        return tuple(s)

    return fresh_shaped(shp)


def _lit_tensor(values: list[int], shape: tuple[int, ...]) -> str:
    if numel(shape) == 0:
        return f"L.zeros({shape!r}, dtype=L.int64)"
    return f"L.tensor({nested(values, shape)}, dtype=L.int64)"


def _index_arg(g: Gen, values: list[int], shape: tuple[int, ...]) -> Arg:
    import torch

    c = _lit_tensor(values, shape)
    v = torch.tensor(values, dtype=torch.int64).reshape(shape)
    return Arg(c, "index", value=v)


def gather_index(of: int, dim_i: int, unique: bool = False, bad_p: float = 0.02) -> ArgGen:
    """An int64 index for gather/scatter along args[dim_i] of args[of]: same rank, sizes at
    most args[of]'s off the dim, values in range (distinct along the dim with unique=True)."""

    def gen(g: Gen, args: list[Arg]) -> Arg:
        rng = g.rng
        s = _shape(args, of)
        r = len(s)
        d = _norm_dim(_dimv(args, dim_i), r)
        n = s[d] if s else 1
        ishape = [rng.randint(max(0, k - 1), k) if rng.random() < 0.7 else k for k in s]
        if r:
            ishape[d] = rng.randint(0, min(n, 3) if unique else 3) if n else 0
        ishape_t = tuple(ishape)
        lines = numel(ishape_t) // max(1, ishape[d] if r else 1)
        k = ishape[d] if r else 1
        cols: list[list[int]] = []
        for _ in range(lines if k else 0):
            cols.append(rng.sample(range(n), k) if unique else [rng.randrange(n) for _ in range(k)])
        # cols[line][j] is the index at position j along d of line `line` (row-major over the
        # other dims): lay them out in row-major order of ishape
        vals = [0] * numel(ishape_t)
        if r:
            inner = numel(ishape_t[d + 1 :])
            for flat in range(len(vals)):
                j = (flat // inner) % k
                line = (flat // (inner * k)) * inner + flat % inner
                vals[flat] = cols[line][j]
        elif vals:
            vals[0] = cols[0][0]
        if vals and rng.random() < bad_p:
            vals[rng.randrange(len(vals))] = rng.choice((n, -n - 1, -1))
        return _index_arg(g, vals, ishape_t)

    return gen


def index_1d(
    of: int, dim_i: int | None, unique: bool = False, neg_p: float = 0.0, bad_p: float = 0.02
) -> ArgGen:
    """A 1-D int64 index into dim args[dim_i] of args[of] (or into its elements)."""

    def gen(g: Gen, args: list[Arg]) -> Arg:
        rng = g.rng
        s = _shape(args, of)
        if dim_i is None:
            n = numel(s)
        else:
            n = s[_norm_dim(_dimv(args, dim_i), len(s))] if s else 1
        k = rng.randint(0, min(n, 4) if unique else 4) if n else 0
        vals = rng.sample(range(n), k) if unique else [rng.randrange(n) for _ in range(k)]
        vals = [v - n if rng.random() < neg_p else v for v in vals]
        if vals and rng.random() < bad_p:
            vals[rng.randrange(len(vals))] = rng.choice((n, -n - 1))
        return _index_arg(g, vals, (len(vals),))

    return gen


def src_for_index(of: int, idx_i: int, bigger_p: float = 0.3) -> ArgGen:
    """A source for scatter: at least as large as the index args[idx_i] on every dim."""

    def shp(g: Gen, args: list[Arg]) -> tuple[int, ...]:
        s = tuple(args[idx_i].value.shape)
        return tuple(k + (1 if g.rng.random() < bigger_p else 0) for k in s)

    return fresh_shaped(shp, of)


def src_for_index_1d(of: int, dim_i: int, idx_i: int) -> ArgGen:
    """A source for index_add/index_copy: args[of]'s shape with len(index) along the dim."""

    def shp(g: Gen, args: list[Arg]) -> tuple[int, ...]:
        s = list(_shape(args, of))
        k = args[idx_i].value.shape[0]
        if not s:
            return (k,) if k != 1 else ()
        s[_norm_dim(_dimv(args, dim_i), len(s))] = k
        return tuple(s)

    return fresh_shaped(shp, of)


def adv_index(of: int = 0) -> ArgGen:
    """An advanced index: int tensors / lists on several dims mixed with slices, ints, None,
    ... and bool masks."""

    def gen(g: Gen, args: list[Arg]) -> Arg:
        rng = g.rng
        s = _shape(args, of)
        r = len(s)
        if r == 0:
            raise Skip
        ishape = rng.choice(((), (1,), (2,), (3,), (2, 2), (1, 3)))
        items: list[str] = []
        dim = 0
        n_adv = 0
        while dim < r and len(items) < r:
            x = rng.random()
            n = s[dim]
            if x < 0.45 and n:
                cnt = numel(ishape)
                vals = [rng.randint(-n, n - 1) for _ in range(cnt)]
                if rng.random() < 0.3 and len(ishape) == 1:
                    items.append(repr(vals))
                else:
                    items.append(_lit_tensor(vals, ishape) if ishape else str(vals[0]))
                n_adv += 1
                dim += 1
            elif x < 0.55 and dim + 1 <= r:
                k = rng.randint(1, min(2, r - dim))
                ms = s[dim : dim + k]
                mv = [rng.random() < 0.5 for _ in range(numel(ms))]
                items.append(f"L.tensor({nested(mv, ms)}, dtype=L.bool)" if ms else "True")
                n_adv += 1
                dim += k
            elif x < 0.75:
                items.append(rng.choice((":", "1:", "::2", ":-1")))
                dim += 1
            elif x < 0.85:
                items.append("None")
            elif x < 0.9 and "..." not in items:
                items.append("...")
                dim = r - rng.randint(0, r - dim)
            else:
                items.append(str(rng.randint(-n, n - 1)) if n else ":")
                dim += 1
        if n_adv == 0:
            raise Skip
        return Arg(", ".join(items), "index", value=tuple(items))

    return gen


def sizes_summing(of: int, dim_i: int) -> ArgGen:
    """split sections: a list of sizes summing to the dim's size (rarely not)."""

    def gen(g: Gen, args: list[Arg]) -> Arg:
        s = _shape(args, of)
        n = s[_norm_dim(_dimv(args, dim_i), len(s))] if s else 0
        out = []
        left = n
        while left > 0:
            k = g.rng.randint(0, left)
            out.append(k)
            left -= k
        if not out or g.rng.random() < 0.2:
            out.append(0)
        if g.rng.random() < 0.03:
            out.append(1)
        return Arg(repr(out), "lit", value=out)

    return gen


def einsum_case() -> ArgGen:
    """An einsum equation with fresh operands that fit it; code is 'eq', a, b."""

    cases = (
        ("ij,jk->ik", "ij", "jk"),
        ("ij->ji", "ij", None),
        ("ii->i", "ii", None),
        ("ii", "ii", None),
        ("bij,bjk->bik", "bij", "bjk"),
        ("i,i->", "i", "i"),
        ("i,j->ij", "i", "j"),
        ("ij->", "ij", None),
        ("ij,ij->i", "ij", "ij"),
        ("...ij->...ji", "bij", None),
        ("bij,jk", "bij", "jk"),
        ("ijk->kji", "ijk", None),
        ("ij,kj->ik", "ij", "kj"),
        ("i,ij,j->", "i", "ij"),
    )

    def gen(g: Gen, args: list[Arg]) -> Arg:
        rng = g.rng
        eq, a, b = rng.choice(cases)
        sz = {c: rng.randint(0, 4) if rng.random() < 0.1 else rng.randint(1, 4) for c in "bijk"}
        dt = rng.choice(FLOATISH)
        ops = []
        for spec in (a, b) if b else (a,):
            ops.append(g.fresh(tuple(sz[c] for c in spec), dt))
        if eq == "i,ij,j->":
            ops.append(g.fresh((sz["j"],), dt))
        uses = tuple(ops)
        return Arg(f"{eq!r}, " + ", ".join(ops), "lit", value=None, uses=uses)

    return gen


def tensordot_partner(of: int, k_i: int) -> ArgGen:
    def shp(g: Gen, args: list[Arg]) -> tuple[int, ...]:
        s = _shape(args, of)
        k = int(args[k_i].value)
        if k > len(s):
            raise Skip
        lead = s[len(s) - k :] if k else ()
        return (*lead, *shapes.shape(g.rng, g.rng.randint(0, 2), cap=8))

    return fresh_shaped(shp)


def cross_pair() -> ArgGen:
    def gen(g: Gen, args: list[Arg]) -> Arg:
        rng = g.rng
        r = rng.randint(1, 3)
        s = [rng.randint(1, 3) for _ in range(r)]
        d = rng.randrange(r)
        s[d] = 3
        dt = rng.choice(FLOATISH)
        a = g.fresh(tuple(s), dt)
        bs = list(s)
        if rng.random() < 0.3:
            bs = [1 if (i != d and rng.random() < 0.5) else v for i, v in enumerate(bs)]
        b = g.fresh(tuple(bs), dt if rng.random() < 0.9 else rng.choice(FLOATISH))
        dd = d - r if rng.random() < 0.5 else d
        return Arg(f"{a}, {b}, dim={dd}", "lit", value=None, uses=(a, b))

    return gen


def vec_of(of: int, dim_of: int, dtypes: Sequence[str] = FLOATISH) -> ArgGen:
    """A fresh 1-D tensor of length args[of].shape[dim_of] (off by one rarely)."""

    def shp(g: Gen, args: list[Arg]) -> tuple[int, ...]:
        s = _shape(args, of)
        n = s[dim_of] if s else 1
        return (n + (1 if g.rng.random() < 0.03 else 0),)

    return fresh_shaped(shp, of, dtypes)


def mat_for(of: int, rows_of: int | None, cols: int | None, batch: bool = False) -> ArgGen:
    """A fresh matrix (k, n) with k = args[of].shape[rows_of] (n fresh or args' shape)."""

    def shp(g: Gen, args: list[Arg]) -> tuple[int, ...]:
        s = _shape(args, of)
        k = s[rows_of] if rows_of is not None else shapes.dim_size(g.rng)
        n = shapes.dim_size(g.rng) if cols is None else cols
        if batch:
            return (s[0], k, n)
        return (k, n)

    return fresh_shaped(shp, of, FLOATISH)


def bias_for(shape_fn: Callable[[list[Arg]], tuple[int, ...]]) -> ArgGen:
    def shp(g: Gen, args: list[Arg]) -> tuple[int, ...]:
        return shapes.broadcast_partner(g.rng, shape_fn(args))

    return fresh_shaped(shp, 0, FLOATISH)


def narrow_args(of: int, dim_i: int) -> ArgGen:
    def gen(g: Gen, args: list[Arg]) -> Arg:
        s = _shape(args, of)
        n = s[_norm_dim(_dimv(args, dim_i), len(s))] if s else 0
        start = g.rng.randint(-n, n) if n else 0
        st = start % n if n and start < 0 else start
        length = g.rng.randint(0, max(0, n - st))
        if g.rng.random() < 0.03:
            length += 1
        return Arg(f"{start}, {length}", "lit", value=(start, length))

    return gen


def pos_in_dim(of: int, dim_i: int) -> ArgGen:
    def gen(g: Gen, args: list[Arg]) -> Arg:
        s = _shape(args, of)
        n = s[_norm_dim(_dimv(args, dim_i), len(s))] if s else 1
        v = g.rng.randint(-n, n - 1) if n and g.rng.random() > 0.03 else n
        return Arg(str(v), "lit", value=v)

    return gen


def k_in_dim(of: int, dim_i: int | None, lo: int = 0) -> ArgGen:
    """k for topk (lo=0) / kthvalue (lo=1): in [lo, size of the dim] (one more rarely)."""

    def gen(g: Gen, args: list[Arg]) -> Arg:
        s = _shape(args, of)
        if dim_i is None:
            n = s[-1] if s else 1
        else:
            n = s[_norm_dim(_dimv(args, dim_i), len(s))] if s else 1
        v = g.rng.randint(lo, max(lo, n))
        if g.rng.random() < 0.03:
            v = n + 1
        return Arg(str(v), "lit", value=v)

    return gen


def reps(of: int, tile: bool = False) -> ArgGen:
    def gen(g: Gen, args: list[Arg]) -> Arg:
        r = args[of].value.dim()
        k = g.rng.randint(0 if tile else r, r + 1)
        out = [g.rng.choice((1, 1, 2, 3, 0)) if g.rng.random() < 0.95 else 0 for _ in range(k)]
        if numel([*out, *_shape(args, of)]) > shapes.MAX_NUMEL:
            raise Skip
        return Arg(repr(tuple(out)), "lit", value=tuple(out))

    return gen


def scalar_or_0d(kinds: Sequence[str] = ("int", "float")) -> ArgGen:
    return A.choice(A.scalar(kinds), lambda g, a: var_arg(g, g.fresh((), g.rng.choice(NUM))))


def _mask(of: int) -> ArgGen:
    return A.mask(of)


# ---- shape and join ops ---------------------------------------------------------------------
_T = A.tensor
_D = A.dim
W = 0.25  # the default weight of a row of this file (the seed's rows keep theirs)

row(
    "cat", "L.cat([{0}, {2}], {1})", _T(), _D(0, 0.01), cat_partner(0, 1), weight=0.8, family="join"
)
row(
    "cat:three",
    "L.cat(({0}, {2}, {0}), dim={1})",
    _T(),
    _D(0, 0.01),
    cat_partner(0, 1),
    weight=0.3,
    family="join",
)
row("concat", "L.concat([{0}, {2}], {1})", _T(), _D(0, 0.01), cat_partner(0, 1), weight=W)
row("cat:empty1d", "L.cat([{0}, L.zeros(0)])", _T(), weight=0.1, family="join")
row("stack", "L.stack([{0}, {2}], {1})", _T(), new_dim(0), same_shape(0), weight=0.6, family="join")
row("stack:one", "L.stack(({0},))", _T(), weight=0.1, family="join")
row("hstack", "L.hstack([{0}, {1}])", _T(), same_shape(0), weight=W, family="join")
row("vstack", "L.vstack([{0}, {1}])", _T(), same_shape(0), weight=W, family="join")
row("dstack", "L.dstack([{0}, {1}])", _T(), same_shape(0), weight=0.1, family="join")
row("column_stack", "L.column_stack([{0}, {1}])", rank(0, 2), same_shape(0), weight=0.1)
row("split", "{0}.split({2}, {1})", _T(), _D(0), ival(1, 3), weight=0.4, family="join")
row("split:first", "{0}.split({2}, dim={1})[0]", rank(1), _D(0), ival(1, 3), weight=0.3)
row("split:sizes", "L.split({0}, {2}, {1})", rank(1), _D(0), sizes_summing(0, 1), weight=W)
row("chunk", "{0}.chunk({2}, {1})", _T(), _D(0), ival(1, 4), weight=0.4, family="join")
row("chunk:last", "{0}.chunk({2}, {1})[-1]", rank(1), _D(0), ival(1, 4), weight=0.3)
row("tensor_split", "L.tensor_split({0}, {2}, {1})", rank(1), _D(0), ival(1, 4), weight=0.2)
row("unbind", "{0}.unbind({1})", _T(), _D(0), weight=0.3, family="join")
row("unbind:first", "L.unbind({0}, {1})[0]", rank(1), _D(0), weight=0.3, family="join")
row("narrow", "{0}.narrow({1}, {2})", rank(1), _D(0), narrow_args(0, 1), weight=0.4)
row("select", "{0}.select({1}, {2})", rank(1), _D(0), pos_in_dim(0, 1), weight=0.4)
row("movedim", "{0}.movedim({1}, {2})", _T(), _D(0), _D(0), weight=0.3, family="view")
row("moveaxis", "L.moveaxis({0}, {1}, {2})", _T(), _D(0), _D(0), weight=0.1, family="view")
row("movedim:tuple", "{0}.movedim({1}, {2})", _T(), A.dims(0), A.dims(0), weight=0.1)
row("swapaxes", "{0}.swapaxes({1}, {2})", _T(), _D(0), _D(0), weight=0.2, family="view")
row("swapdims", "L.swapdims({0}, {1}, {2})", _T(), _D(0), _D(0), weight=0.1, family="view")
row("flip", "{0}.flip({1})", _T(), A.dims(0), weight=0.4, family="shape")
row("flip:func", "L.flip({0}, {1})", _T(), A.dims(0), weight=0.1, family="shape")
row("fliplr", "L.fliplr({0})", _T(), weight=0.1, family="shape")
row("flipud", "{0}.flipud()", _T(), weight=0.1, family="shape")
row("rot90", "{0}.rot90({1}, [0, 1])", rank(2), ival(-2, 3), weight=0.1, family="shape")
row("roll", "{0}.roll({2}, {1})", _T(), _D(0), ival(-4, 5), weight=0.3, family="shape")
row("roll:flat", "L.roll({0}, {1})", _T(), ival(-7, 7), weight=0.2, family="shape")
row(
    "roll:tuple",
    "{0}.roll(({1}, {2}), ({3}, {4}))",
    rank(1),
    ival(-3, 3),
    ival(-3, 3),
    _D(0),
    _D(0),
    weight=0.1,
)
row("repeat", "{0}.repeat({1})", _T(), reps(0), weight=0.4, family="shape")
row("tile", "{0}.tile({1})", _T(), reps(0, tile=True), weight=0.2, family="shape")
row("repeat_interleave", "{0}.repeat_interleave({1})", _T(), ival(0, 3), weight=0.2)
row(
    "repeat_interleave:dim",
    "{0}.repeat_interleave({2}, dim={1})",
    rank(1),
    _D(0),
    ival(0, 3),
    weight=0.2,
    family="shape",
)
for _tri in ("tril", "triu"):
    row(f"{_tri}", f"{{0}}.{_tri}({{1}})", rank(2), ival(-3, 3), weight=0.3, family="shape")
    row(f"{_tri}:func", f"L.{_tri}({{0}})", rank(2), weight=0.1, family="shape")
    row(f"{_tri}_", f"{{0}}.{_tri}_({{1}})", rank(2), ival(-2, 2), kind="inplace", weight=0.15)
row("diag", "L.diag({0}, {1})", rank(1, 2), ival(-2, 2), weight=0.3, family="shape")
row("diag:method", "{0}.diag()", rank(1, 2), weight=0.1, family="shape")
row(
    "diagonal",
    "{0}.diagonal({1}, {2}, {3})",
    rank(2),
    ival(-2, 2),
    _D(0, 0),
    _D(0, 0),
    weight=0.3,
    family="view",
)
row("diagonal:func", "L.diagonal({0})", rank(2), weight=0.1, family="view")
row("diag_embed", "L.diag_embed({0}, {1})", rank(1, 3), ival(-1, 1), weight=0.2, family="shape")
row("trace", "{0}.trace()", rank(2, 2), weight=0.1, family="reduce")
row(
    "meshgrid",
    "L.meshgrid({0}, {1}, indexing={2})",
    rank(1, 1),
    rank(1, 1),
    one_of("'ij'", "'xy'"),
    weight=0.2,
    family="shape",
)
row("unflatten", "{0}.unflatten({1}, (1, -1))", rank(1), _D(0), weight=0.1, family="view")
row("flatten:range", "{0}.flatten({1})", _T(), _D(0), weight=0.2, family="view")
row("ravel", "{0}.ravel()", _T(), weight=0.1, family="view")
row("squeeze:dims", "{0}.squeeze({1})", _T(), A.dims(0), weight=0.1, family="view")
row("atleast_2d", "L.atleast_2d({0})", _T(), weight=0.05, family="view")
row("broadcast_to", "{0}.broadcast_to({1})", _T(), A.new_shape(0, "expand"), weight=0.1)
row("unfold", "{0}.unfold({1}, {2}, {3})", rank(1), _D(0), ival(1, 3), ival(1, 2), weight=0.1)
# in-place shape ops
row("t_", "{0}.t_()", rank(0, 2), kind="inplace", weight=0.1, family="inplace")
row("transpose_", "{0}.transpose_({1}, {2})", _T(), _D(0), _D(0), kind="inplace", weight=0.1)
row("squeeze_", "{0}.squeeze_()", _T(), kind="inplace", weight=0.1, family="inplace")
row("unsqueeze_", "{0}.unsqueeze_({1})", _T(), new_dim(0), kind="inplace", weight=0.1)

# ---- indexing ops ---------------------------------------------------------------------------
row("gather", "{0}.gather({1}, {2})", _T(), _D(0, 0.01), gather_index(0, 1), weight=0.5)
row("gather:func", "L.gather({0}, {1}, {2})", _T(), _D(0, 0.01), gather_index(0, 1), weight=0.15)
# (in range only: PyTorch does not check take_along_dim's indices)
row(
    "take_along_dim",
    "L.take_along_dim({0}, {2}, {1})",
    _T(),
    _D(0, 0),
    gather_index(0, 1, bad_p=0.0),
)
for _sc, _u in (("scatter", True), ("scatter_add", False)):
    row(
        f"{_sc}",
        f"{{0}}.{_sc}({{1}}, {{2}}, {{3}})",
        _T(),
        _D(0, 0.01),
        gather_index(0, 1, unique=_u),
        src_for_index(0, 2),
        weight=0.4,
        family="index",
    )
    row(
        f"{_sc}_",
        f"{{0}}.{_sc}_({{1}}, {{2}}, {{3}})",
        _T(),
        _D(0, 0.01),
        gather_index(0, 1, unique=_u),
        src_for_index(0, 2),
        kind="inplace",
        weight=0.3,
        family="index",
    )
row(
    "scatter:value",
    "{0}.scatter({1}, {2}, {3})",
    _T(),
    _D(0, 0.01),
    gather_index(0, 1),
    A.scalar(),
    weight=0.2,
    family="index",
)
row(
    "scatter_reduce",
    "{0}.scatter_reduce({1}, {2}, {3}, {4}, include_self={5})",
    _T(),
    _D(0, 0.01),
    gather_index(0, 1),
    src_for_index(0, 2),
    one_of("'sum'", "'prod'", "'mean'", "'amax'", "'amin'"),
    A.flag(),
    weight=0.4,
    family="index",
)
row(
    "scatter:reduce",
    "{0}.scatter({1}, {2}, {3}, reduce={4})",
    _T(),
    _D(0, 0.01),
    gather_index(0, 1),
    src_for_index(0, 2),
    one_of("'add'", "'multiply'"),
    weight=0.1,
    family="index",
)
row(
    "index_select",
    "{0}.index_select({1}, {2})",
    _T(),
    _D(0, 0.01),
    index_1d(0, 1),
    weight=0.4,
    family="index",
)
row(
    "index_select:func",
    "L.index_select({0}, {1}, {2})",
    _T(),
    _D(0, 0.01),
    index_1d(0, 1),
    weight=0.1,
    family="index",
)
for _ia, _u in (("index_add", False), ("index_copy", True)):
    row(
        _ia,
        f"{{0}}.{_ia}({{1}}, {{2}}, {{3}})",
        _T(),
        _D(0, 0.01),
        index_1d(0, 1, unique=_u),
        src_for_index_1d(0, 1, 2),
        weight=0.3,
        family="index",
    )
    row(
        f"{_ia}_",
        f"{{0}}.{_ia}_({{1}}, {{2}}, {{3}})",
        _T(),
        _D(0, 0.01),
        index_1d(0, 1, unique=_u),
        src_for_index_1d(0, 1, 2),
        kind="inplace",
        weight=0.3,
        family="index",
    )
row(
    "index_add:alpha",
    "{0}.index_add({1}, {2}, {3}, alpha={4})",
    _T(),
    _D(0, 0.01),
    index_1d(0, 1),
    src_for_index_1d(0, 1, 2),
    A.scalar(("int", "float")),
    weight=0.1,
    family="index",
)
row(
    "index_fill",
    "{0}.index_fill({1}, {2}, {3})",
    _T(),
    _D(0, 0.01),
    index_1d(0, 1),
    A.scalar(),
    weight=0.2,
    family="index",
)
row(
    "index_fill_",
    "{0}.index_fill_({1}, {2}, {3})",
    _T(),
    _D(0, 0.01),
    index_1d(0, 1),
    A.scalar(),
    kind="inplace",
    weight=0.2,
    family="index",
)
row(
    "masked_scatter",
    "{0}.masked_scatter({1}, {2})",
    _T(),
    _mask(0),
    same_shape(0),
    weight=0.2,
    family="index",
)
row(
    "masked_scatter_",
    "{0}.masked_scatter_({1}, {2})",
    _T(),
    _mask(0),
    same_shape(0),
    kind="inplace",
    weight=0.2,
    family="index",
)
row("masked_select", "{0}.masked_select({1})", _T(), _mask(0), weight=0.3, family="index")
row("masked_select:func", "L.masked_select({0}, {1})", _T(), _mask(0), weight=0.1)
row("take", "{0}.take({1})", _T(), index_1d(0, None, neg_p=0.2), weight=0.3, family="index")
row(
    "put_",
    "{0}.put_({1}, {2}, accumulate={3})",
    _T(),
    index_1d(0, None, unique=True, neg_p=0.2),
    src_for_index(0, 1, 0.0),
    A.flag(),
    kind="inplace",
    weight=0.2,
    family="index",
)
row(
    "put",
    "{0}.put({1}, {2}, accumulate=True)",
    _T(),
    index_1d(0, None),
    src_for_index(0, 1, 0.0),
    weight=0.2,
    family="index",
)
row("nonzero", "{0}.nonzero()", _T(), weight=0.2, family="index")
row("nonzero:tuple", "L.nonzero({0}, as_tuple=True)", _T(), weight=0.1, family="index")
row("argwhere", "L.argwhere({0})", _T(), weight=0.05, family="index")
row("index:adv", "{0}[{1}]", _T(), adv_index(0), weight=0.8, family="index")
row(
    "setitem:adv",
    "{0}[{1}] = {2}",
    _T(),
    adv_index(0),
    A.set_value(0, 1),
    kind="inplace",
    weight=0.6,
    family="inplace",
)
row(
    "index_put_",
    "{0}.index_put_(({1},), {2}, accumulate={3})",
    rank(1),
    index_1d(0, None, neg_p=0.2),
    lambda g, a: var_arg(g, g.fresh((), g.rng.choice(NUM))),  # (values: a tensor, as PyTorch)
    A.flag(),
    kind="inplace",
    weight=0.3,
    family="index",
)

# ---- linear algebra -------------------------------------------------------------------------
_M2 = rank(2, 2, FLOATISH)
_V1 = rank(1, 1, FLOATISH)
row("mv", "{0}.mv({1})", _M2, vec_of(0, 1), weight=0.3, family="linalg")
row("dot", "{0}.dot({1})", _V1, vec_of(0, 0), weight=0.3, family="linalg")
row("inner", "L.inner({0}, {1})", _V1, vec_of(0, 0), weight=0.1, family="linalg")
row("vdot", "L.vdot({0}, {1})", _V1, vec_of(0, 0), weight=0.05, family="linalg")
row("outer", "{0}.outer({1})", _V1, _V1, weight=0.3, family="linalg")
row("ger", "L.ger({0}, {1})", _V1, _V1, weight=0.05, family="linalg")
row(
    "addmm",
    "L.addmm({2}, {0}, {1})",
    _M2,
    mat_for(0, 1, None),
    bias_for(lambda a: (a[0].value.shape[0], a[1].value.shape[1])),
    weight=0.3,
    family="linalg",
)
row(
    "addmm:scaled",
    "{2}.addmm({0}, {1}, beta={3}, alpha={4})",
    _M2,
    mat_for(0, 1, None),
    bias_for(lambda a: (a[0].value.shape[0], a[1].value.shape[1])),
    A.scalar(("int", "float")),
    A.scalar(("int", "float")),
    weight=0.2,
    family="linalg",
)
row(
    "addmv",
    "L.addmv({2}, {0}, {1}, alpha={3})",
    _M2,
    vec_of(0, 1),
    bias_for(lambda a: (a[0].value.shape[0],)),
    one_of(1, 2, 0.5),
    weight=0.2,
    family="linalg",
)
row(
    "addr",
    "L.addr({2}, {0}, {1})",
    _V1,
    _V1,
    bias_for(lambda a: (a[0].value.shape[0], a[1].value.shape[0])),
    weight=0.1,
    family="linalg",
)
row(
    "baddbmm",
    "L.baddbmm({2}, {0}, {1}, beta={3})",
    rank(3, 3, FLOATISH),
    mat_for(0, 2, None, batch=True),
    bias_for(lambda a: (a[0].value.shape[0], a[0].value.shape[1], a[1].value.shape[2])),
    one_of(1, 0.5, 0),
    weight=0.2,
    family="linalg",
)
row(
    "addbmm",
    "L.addbmm({2}, {0}, {1})",
    rank(3, 3, FLOATISH),
    mat_for(0, 2, None, batch=True),
    bias_for(lambda a: (a[0].value.shape[1], a[1].value.shape[2])),
    weight=0.1,
    family="linalg",
)
row("einsum", "L.einsum({0})", einsum_case(), weight=0.5, family="linalg")
row(
    "tensordot",
    "L.tensordot({0}, {2}, dims={1})",
    rank(0, 3, FLOATISH),
    one_of(0, 1, 2),
    tensordot_partner(0, 1),
    weight=0.3,
    family="linalg",
)
row("kron", "L.kron({0}, {1})", rank(0, 2, FLOATISH), rank(0, 2, FLOATISH), weight=0.15)
row("cross", "L.cross({0})", cross_pair(), weight=0.2, family="linalg")
row("linalg.cross", "L.linalg.cross({0})", cross_pair(), weight=0.1, family="linalg")

# ---- scans and sorts ------------------------------------------------------------------------
for _s in ("cumsum", "cumprod"):
    row(f"{_s}", f"{{0}}.{_s}({{1}})", _T(), _D(0), weight=0.4, family="scan")
    row(f"{_s}:func", f"L.{_s}({{0}}, dim={{1}})", _T(), _D(0), weight=0.1, family="scan")
    row(f"{_s}_", f"{{0}}.{_s}_({{1}})", _T(), _D(0), kind="inplace", weight=0.1)
    row(
        f"{_s}:dtype",
        f"{{0}}.{_s}({{1}}, dtype=L.float64)",
        _T(),
        _D(0),
        weight=0.1,
        family="scan",
    )
for _s in ("cummax", "cummin"):
    row(f"{_s}", f"{{0}}.{_s}({{1}})", _T(), _D(0), kind="tuple", weight=0.3, family="scan")
row("logcumsumexp", "{0}.logcumsumexp({1})", _T(), _D(0), weight=0.2, family="scan")
row("sort", "{0}.sort({1})", _T(), _D(0), kind="tuple", weight=0.3, family="sort")
row(
    "sort:desc",
    "{0}.sort(dim={1}, descending={2}, stable=True)",
    _T(),
    _D(0),
    A.flag(),
    kind="tuple",
    weight=0.3,
    family="sort",
)
row("sort:values", "L.sort({0}, {1}).values", _T(), _D(0), weight=0.3, family="sort")
row("argsort", "{0}.argsort(dim={1}, stable=True)", _T(), _D(0), weight=0.3, family="sort")
row("msort", "L.msort({0})", _T(), weight=0.05, family="sort")
row(
    "topk",
    "{0}.topk({2}, {1})",
    _T(),
    _D(0),
    k_in_dim(0, 1),
    kind="tuple",
    weight=0.3,
    family="sort",
)
row(
    "topk:values",
    "{0}.topk({2}, dim={1}, largest={3}).values",
    _T(),
    _D(0),
    k_in_dim(0, 1),
    A.flag(),
    weight=0.3,
    family="sort",
)
row(
    "kthvalue",
    "{0}.kthvalue({2}, {1})",
    _T(),
    _D(0),
    k_in_dim(0, 1, 1),
    kind="tuple",
    weight=0.2,
    family="sort",
)
row("median:all", "{0}.median()", _T(), weight=0.2, family="sort")
row("median:dim", "{0}.median({1})", _T(), _D(0), kind="tuple", weight=0.2, family="sort")
row("nanmedian:all", "{0}.nanmedian()", _T(), weight=0.1, family="sort")
row("mode", "{0}.mode({1})", _T(), _D(0), kind="tuple", weight=0.15, family="sort")
row("unique", "L.unique({0})", _T(), weight=0.2, family="sort")
row(
    "unique:all",
    "L.unique({0}, return_inverse=True, return_counts=True)",
    _T(),
    weight=0.2,
    family="sort",
)
row("unique:dim", "L.unique({0}, dim={1})", rank(1), _D(0), weight=0.1, family="sort")
row("unique_consecutive", "L.unique_consecutive({0})", _T(), weight=0.1, family="sort")

# ---- reductions -----------------------------------------------------------------------------
_K = A.flag()
row("prod:all", "{0}.prod()", _T(), weight=0.3, family="reduce")
row("prod:dim", "{0}.prod({1}, keepdim={2})", _T(), _D(0), _K, weight=0.3, family="reduce")
for _r in ("std", "var"):
    row(f"{_r}:all", f"{{0}}.{_r}()", _T(), weight=0.2, family="reduce")
    row(
        f"{_r}:dim",
        f"{{0}}.{_r}({{1}}, correction={{2}}, keepdim={{3}})",
        _T(),
        A.dims(0),
        one_of(0, 1, 2),
        _K,
        weight=0.3,
        family="reduce",
    )
    row(f"{_r}:unbiased", f"{{0}}.{_r}({{1}}, False)", _T(), _D(0), weight=0.1)
    row(f"{_r}_mean", f"L.{_r}_mean({{0}}, {{1}})", _T(), _D(0), weight=0.1, family="reduce")
row("norm", "{0}.norm()", _T(), weight=0.2, family="reduce")
row("norm:p", "{0}.norm({1}, {2})", _T(), one_of(1, 2, 3, 0.5, "inf", 0), _D(0), weight=0.2)
row(
    "vector_norm",
    "L.linalg.vector_norm({0}, {1}, dim={2}, keepdim={3})",
    _T(),
    one_of(1, 2, 3, "inf", "-inf", 0),
    A.dims(0),
    _K,
    weight=0.2,
    family="reduce",
)
row("logsumexp", "{0}.logsumexp({1}, keepdim={2})", _T(), A.dims(0), _K, weight=0.3)
for _r in ("amax", "amin"):
    row(f"{_r}", f"{{0}}.{_r}({{1}}, {{2}})", _T(), A.dims(0), _K, weight=0.3, family="reduce")
    row(f"{_r}:all", f"L.{_r}({{0}})", _T(), weight=0.1, family="reduce")
for _r in ("all", "any"):
    row(f"{_r}:all", f"{{0}}.{_r}()", _T(), weight=0.2, family="reduce")
    row(f"{_r}:dim", f"{{0}}.{_r}({{1}}, keepdim={{2}})", _T(), _D(0), _K, weight=0.2)
    row(f"{_r}:func", f"L.{_r}({{0}}, {{1}})", _T(), A.dims(0), weight=0.1, family="reduce")
row("count_nonzero", "{0}.count_nonzero()", _T(), weight=0.1, family="reduce")
row("count_nonzero:dims", "L.count_nonzero({0}, {1})", _T(), A.dims(0), weight=0.1)
row("aminmax", "{0}.aminmax()", _T(), kind="tuple", weight=0.1, family="reduce")
row("aminmax:dim", "L.aminmax({0}, dim={1})", _T(), _D(0), kind="tuple", weight=0.1)
row("nansum", "{0}.nansum({1})", _T(), A.dims(0), weight=0.2, family="reduce")
row("nanmean", "{0}.nanmean()", _T(), weight=0.2, family="reduce")
row("sum:dtype", "{0}.sum(dtype=L.float64)", _T(), weight=0.1, family="reduce")
row("mean:dtype", "{0}.mean({1}, dtype=L.float64)", _T(), _D(0), weight=0.1, family="reduce")

# ---- pointwise math -------------------------------------------------------------------------
_UNARY = (
    "sin cos tan asin acos atan sinh cosh asinh acosh atanh exp2 expm1 log1p log2 log10 "
    "rsqrt reciprocal erf erfc erfinv lgamma digamma sinc frac trunc floor ceil round sgn "
    "signbit isnan isinf isfinite isposinf isneginf nan_to_num deg2rad rad2deg logit "
    "positive fix angle"
).split()
for _u in _UNARY:
    row(f"{_u}", f"{{0}}.{_u}()", _T(), weight=0.15, family="unary")
for _u in ("sin", "exp2", "floor", "erf", "reciprocal", "rsqrt", "trunc", "log1p", "atan"):
    row(f"{_u}:func", f"L.{_u}({{0}})", _T(), weight=0.05, family="unary")
for _u in ("sin", "cos", "floor", "round", "reciprocal", "expm1", "erf", "frac", "sqrt", "log"):
    row(f"{_u}_", f"{{0}}.{_u}_()", _T(), kind="inplace", weight=0.08, family="inplace")
row("round:decimals", "{0}.round(decimals={1})", _T(), ival(-1, 3), weight=0.15, family="unary")
row("nan_to_num:args", "{0}.nan_to_num(0.5, 9.0, -9.0)", _T(), weight=0.05, family="unary")
row("logit:eps", "{0}.logit(0.1)", _T(), weight=0.05, family="unary")
for _s in ("expit", "entr", "log_ndtr", "ndtr", "ndtri", "xlog1py", "gammaln", "sinc"):
    if _s == "xlog1py":
        row(f"special.{_s}", f"L.special.{_s}({{0}}, {{1}})", _T(), A.other(0), weight=0.05)
    else:
        row(f"special.{_s}", f"L.special.{_s}({{0}})", _T(), weight=0.05, family="unary")

_BIN = (
    "atan2 arctan2 fmod remainder float_power hypot copysign xlogy logaddexp logaddexp2 "
    "floor_divide fmax fmin nextafter heaviside ldexp true_divide"
).split()
#: ops whose other operand PyTorch takes as a tensor only (a Python number is a TypeError)
TENSOR_OTHER = set(
    "atan2 arctan2 hypot fmax fmin logaddexp logaddexp2 nextafter heaviside ldexp".split()
)


def _other(op: str, scalar_p: float = 0.25) -> ArgGen:
    return A.other(0, tensor_only=op in TENSOR_OTHER, scalar_p=scalar_p)


for _b in _BIN:
    row(f"{_b}", f"{{0}}.{_b}({{1}})", _T(), _other(_b), weight=0.15, family="binary")
for _b in ("atan2", "fmod", "remainder", "float_power", "hypot", "xlogy", "floor_divide"):
    row(f"{_b}:func", f"L.{_b}({{0}}, {{1}})", _T(), _other(_b, 0.4), weight=0.08)
    row(f"{_b}_", f"{{0}}.{_b}_({{1}})", _T(), _other(_b), kind="inplace", weight=0.08)
row("floordiv:op", "{0} // {1}", _T(), A.other(0), weight=0.2, family="binary")
row("floordiv:rop", "{1} // {0}", _T(), A.scalar(), weight=0.1, family="binary")
row("mod:op", "{0} % {1}", _T(), A.other(0), weight=0.2, family="binary")
row("mod:rop", "{1} % {0}", _T(), A.scalar(), weight=0.1, family="binary")
row("lshift:op", "{0} << {1}", _T(("int64",)), ival(0, 3), weight=0.05, family="binary")
row("rshift:op", "{0} >> {1}", _T(("int64",)), ival(0, 3), weight=0.05, family="binary")
row("div:floor", "{0}.div({1}, rounding_mode={2})", _T(), A.other(0), one_of("'floor'", "'trunc'"))
row("add:alpha", "{0}.add({1}, alpha={2})", _T(), A.other(0), A.scalar(), weight=0.2)
row("sub:alpha", "L.sub({0}, {1}, alpha={2})", _T(), A.other(0), A.scalar(), weight=0.1)
row("add_:alpha", "{0}.add_({1}, alpha={2})", _T(), A.other(0), A.scalar(), kind="inplace")
row("rsub", "L.rsub({0}, {1})", _T(), A.other(0), weight=0.05, family="binary")
row("lerp", "{0}.lerp({1}, {2})", _T(FLOATISH), A.other(0), A.other(0), weight=0.2)
row("lerp:scalar", "L.lerp({0}, {1}, {2})", _T(FLOATISH), A.other(0, tensor_only=True),
    A.scalar(("float",)), weight=0.2)  # fmt: skip
row("lerp_", "{0}.lerp_({1}, 0.3)", _T(FLOATISH), A.other(0, tensor_only=True), kind="inplace")
for _ac in ("addcmul", "addcdiv"):
    row(
        _ac,
        f"{{0}}.{_ac}({{1}}, {{2}}, value={{3}})",
        _T(),
        A.other(0, tensor_only=True),
        A.other(0, tensor_only=True),
        A.scalar(("int", "float")),
        weight=0.2,
        family="binary",
    )
    row(
        f"{_ac}_",
        f"{{0}}.{_ac}_({{1}}, {{2}})",
        _T(),
        A.other(0, tensor_only=True),
        A.other(0, tensor_only=True),
        kind="inplace",
        weight=0.15,
        family="inplace",
    )
row("clamp_min", "{0}.clamp_min({1})", _T(), A.bound(), weight=0.1, family="clamp")
row("clamp_max_", "{0}.clamp_max_({1})", _T(), A.bound(), kind="inplace", weight=0.1)
row(
    "clamp:tensor_bounds_",
    "{0}.clamp_({1}, {2})",
    _T(),
    A.other(0, tensor_only=True),
    A.other(0, tensor_only=True),
    kind="inplace",
    weight=0.1,
)
row("where:scalars", "L.where({0}, {1}, {2})", _T(("bool",)), A.scalar(), A.scalar(), weight=0.2)
row("where:scalar_t", "L.where({0} > 0, {0}, {1})", _T(NUM), A.scalar(), weight=0.2)
row("where:cond_only", "L.where({0})", _T(), weight=0.05, family="index")
for _u in ("exp", "neg", "abs", "sigmoid", "tanh", "relu", "square", "sign"):
    row(f"{_u}_", f"{{0}}.{_u}_()", _T(), kind="inplace", weight=0.06, family="inplace")
row("mul_:scalar", "{0}.mul_({1})", _T(), A.scalar(), kind="inplace", weight=0.2)
row("div_:mode", "{0}.div_({1}, rounding_mode='floor')", _T(), A.other(0), kind="inplace")
row("pow:scalar", "{0}.pow({1})", _T(), one_of(2, 3, 0.5, -1, 0, -2, 1.5, True), weight=0.3)
row("pow:rscalar", "L.pow({1}, {0})", _T(), one_of(2, 0.5, -1.5, 0, 1), weight=0.1)

# ---- creation and casts ---------------------------------------------------------------------
row(
    "arange",
    "L.arange({0}, {1}, {2})",
    one_of(0, 1, -2, 0.5, 2),
    one_of(5, 3, 4.5, -1, 7),
    one_of(1, 2, 0.5, -1, 3),
    weight=0.1,
    family="creation",
)
row("arange:one", "L.arange({0})", one_of(0, 1, 5, 3.5, 4.0), weight=0.05, family="creation")
row(
    "arange:dtype",
    "L.arange({0}, dtype=L.{1})",
    one_of(4, 6),
    one_of("float32", "float64", "int64"),
    weight=0.05,
    family="creation",
)
row(
    "linspace",
    "L.linspace({0}, {1}, {2})",
    one_of(0, -1, 0.5, 2),
    one_of(1, 3, -2.5, 10),
    one_of(0, 1, 2, 5, 7),
    weight=0.1,
    family="creation",
)
row(
    "logspace",
    "L.logspace({0}, {1}, {2}, base={3})",
    one_of(0, -1, 0.5),
    one_of(1, 2),
    one_of(0, 1, 4),
    one_of(10, 2, 2.5),
    weight=0.05,
    family="creation",
)
row("eye", "L.eye({0}, {1})", ival(0, 4), ival(0, 4), weight=0.05, family="creation")
row("eye:dtype", "L.eye({0}, dtype=L.int64)", ival(0, 3), weight=0.05, family="creation")
row("full", "L.full({0}, {1})", one_of((2, 3), (3,), (), (0, 2)), A.scalar(), weight=0.1)
row("full:dtype", "L.full((2,), {0}, dtype=L.float64)", A.scalar(), weight=0.05)
row("zeros", "L.zeros({0}, dtype=L.{1})", one_of((2, 3), (3,), (), (0,)), one_of(*ALL))
row("ones:varargs", "L.ones(2, 3)", weight=0.02, family="creation")
row("empty:fill_", "L.empty({0}).fill_({1})", one_of((2, 3), (3,), ()), A.scalar(), weight=0.1)
row(
    "tensor:mixed",
    "L.tensor({0})",
    one_of(
        [1, 2.5, True],
        [[1, 2], [3, 4]],
        [True, False],
        [1, True],
        [[1.5], [2]],
        3,
        2.5,
        True,
        [],
        [[]],
        [2**40, 1],
        [-0.0, float("inf")],
    ),
    weight=0.15,
    family="creation",
)
row("tensor:dtype", "L.tensor({0}, dtype=L.{1})", one_of([1, 2], [0.5, -1.5], [True]),
    one_of(*ALL), weight=0.1)  # fmt: skip
row("as_tensor", "L.as_tensor({0})", one_of([1, 2], 3.5, [[True]]), weight=0.05)
for _lk in ("zeros_like", "ones_like", "empty_like"):
    row(f"{_lk}:dtype", f"L.{_lk}({{0}}, dtype=L.int64).fill_(1)", _T(), weight=0.03)
row("full_like:dtype", "L.full_like({0}, {1}, dtype=L.float32)", _T(), A.scalar(), weight=0.05)
row("new_zeros", "{0}.new_zeros({1})", _T(), one_of((2,), (1, 3), ()), weight=0.05)
row("new_full", "{0}.new_full((2, 2), {1})", _T(), A.scalar(), weight=0.05)
row("new_tensor", "{0}.new_tensor({1})", _T(), one_of([1, 2], [0.5], 3), weight=0.05)
row("cast:to_dtype", "{0}.to(L.{1})", _T(), one_of(*ALL), weight=0.2, family="unary")
row("cast:to_tensor", "{0}.to({1})", _T(), _T(), weight=0.1, family="unary")
row("cast:type", "{0}.type(L.{1})", _T(), one_of(*ALL), weight=0.1, family="unary")
row("cast:type_str", "{0}.type()", _T(), kind="py", weight=0.05)
row("cast:int", "{0}.int().long()", _T(), weight=0.1, family="unary")
row("cast:type_as", "{0}.type_as({1})", _T(), _T(), weight=0.05, family="unary")
row("numel", "{0}.numel()", _T(), kind="py", weight=0.03)
row("size", "{0}.size({1})", _T(), _D(0), kind="py", weight=0.03)
row("stride", "{0}.contiguous().stride()", _T(), kind="py", weight=0.03)
row("is_contiguous", "{0}.is_contiguous()", _T(), kind="py", weight=0.03)
row("dim", "{0}.dim()", _T(), kind="py", weight=0.02)
row("equal", "L.equal({0}, {1})", _T(), same_shape(0, fresh_p=0.3), kind="py", weight=0.05)
row("allclose", "L.allclose({0}, {1})", _T(FLOATISH), same_shape(0), kind="py", weight=0.05)
row("isclose", "L.isclose({0}, {1})", _T(), A.other(0), weight=0.05)

# ---- autograd.grad with create_graph: the result is a function of the input, which later
# statements use and later backward passes differentiate (double backward) -------------------
_RG = A.tensor(FLOAT_ONLY, pred=lambda t: t.requires_grad, fresh_p=0.0)
for _i, _f in enumerate(
    (
        "({0}.exp() * {0}.tanh()).sum()",
        "({0} ** 3 - {0}.sin()).sum()",
        "({0}.sigmoid() * {0}).square().mean()",
        "({0}.logsumexp(-1) if {0}.dim() else {0}.exp()).sum()",
        "({0}.std() if {0}.numel() > 1 else {0}.sum())",
        "({0}.cumsum(-1) * {0}).sum() if {0}.dim() else {0}.sum()",
        "({0}.softmax(-1) * {0}).sum() if {0}.dim() else {0}.sum()",
        "({0} / ({0}.abs() + 1)).pow(2).sum() + {0}.norm()",
        "L.where({0} > 0, {0} ** 2, {0}.exp()).sum() + {0}.max()",
        "(L.cat([{0}.reshape(-1), {0}.reshape(-1).flip(0)]) ** 3).sum()",
        "({0}.reshape(-1)[:3] * {0}.reshape(-1)[-3:]).sum() if {0}.numel() else {0}.sum()",
        "(L.nn.functional.relu({0}) * {0}.sigmoid() + {0}.clamp(-0.5, 0.5) ** 2).sum()",
        "({0}.reshape(-1, 1) @ {0}.reshape(1, -1)).tanh().sum()",
        "L.nn.functional.log_softmax({0}.reshape(1, -1), 1).exp().pow(2).sum()",
    )
):
    row(
        f"grad:create_graph{_i}",
        f"L.autograd.grad({_f}, {{0}}, create_graph=True)[0]",
        _RG,
        weight=0.2,
        family="autograd",
    )
