"""Argument generators: the vocabulary op rows are written in.

An argument generator is called as ``gen(g, args)`` with the program generator ``g`` (see
gen.py: ``g.rng``, ``g.pick``, ``g.fresh``, ``g.t``) and the arguments drawn so far, and returns
an :class:`Arg` (its code, the variable it names and the PyTorch value behind it, used for
later arguments' shapes and for the known-divergence gates). It raises :class:`Skip` when it
cannot fit the arguments drawn so far; the generator then draws another row.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import shapes
from program import DTYPES, FLOATS, numel

if TYPE_CHECKING:
    from gen import Gen

ALL = DTYPES
NUM = ("float32", "float64", "int64")
INTS = ("int64", "bool")


class Skip(Exception):
    """The arguments drawn so far admit no value for this argument."""


@dataclass
class Arg:
    code: str
    kind: str = "lit"  # var | scalar | none | lit | index | dims
    var: str | None = None
    value: Any = None  # the torch tensor behind a var, the Python value of a scalar
    uses: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_tensor(self) -> bool:
        return self.var is not None


ArgGen = Callable[["Gen", list[Arg]], Arg]


def dname(t: Any) -> str:
    """'float32', 'float64', 'int64' or 'bool' for a tensor of either library."""
    return str(t.dtype).rsplit(".", 1)[-1]


def var_arg(g: Gen, name: str) -> Arg:
    return Arg(name, "var", name, g.t(name), (name,))


def tensor(
    dtypes: Sequence[str] = ALL,
    pred: Callable[[Any], bool] | None = None,
    rank: Callable[[random.Random], int] | None = None,
    fresh_p: float = 0.1,
) -> ArgGen:
    """An existing tensor (most recent ones preferred) or a fresh leaf."""

    def gen(g: Gen, args: list[Arg]) -> Arg:
        name = None
        if g.rng.random() >= fresh_p:
            name = g.pick(lambda t: dname(t) in dtypes and (pred is None or pred(t)))
        if name is None:
            for _ in range(10):
                s = shapes.shape(g.rng, rank(g.rng) if rank else None)
                dt = g.rng.choice(dtypes)
                name = g.fresh(s, dt)
                if pred is None or pred(g.t(name)):
                    break
            else:
                raise Skip
        return var_arg(g, name)

    return gen


#: Python ints that overflow some integer dtype (but not a double's 53-bit mantissa)
BIG_INTS = (255, 256, 300, -129, -255, -256, 40000, 70000, 2**31, -(2**31) - 1, 2**40 + 3)


def scalar_value(rng: random.Random, kinds: Sequence[str], special_p: float = 0.04) -> Any:
    k = rng.choice(kinds)
    if k == "bool":
        return rng.random() < 0.5
    if k == "int":
        if rng.random() < special_p:  # beyond the narrow dtypes: wrapped or refused, as PyTorch
            return rng.choice(BIG_INTS)
        return rng.choice((-3, -2, -1, 0, 1, 2, 3, 4))
    if rng.random() < special_p:
        return rng.choice(shapes.SPECIALS)
    return rng.choice((0.5, -0.5, 1.5, 2.0, -2.5, 0.25, 3.0, round(rng.gauss(0, 2), 2)))


def scalar_code(v: Any) -> str:
    from program import fmt_value

    return fmt_value(v)


def scalar(kinds: Sequence[str] = ("bool", "int", "float"), special_p: float = 0.04) -> ArgGen:
    """A Python bool, int or float."""

    def gen(g: Gen, args: list[Arg]) -> Arg:
        v = scalar_value(g.rng, kinds, special_p)
        return Arg(scalar_code(v), "scalar", value=v)

    return gen


def lit(code: str) -> ArgGen:
    return lambda g, args: Arg(code)


def choice(*gens: ArgGen, weights: Sequence[float] | None = None) -> ArgGen:
    """One of several generators."""
    return lambda g, args: g.rng.choices(gens, weights)[0](g, args)


def _kinds_for(dtypes: Sequence[str]) -> tuple[str, ...]:
    k = ["bool"] if "bool" in dtypes else []
    if "int64" in dtypes:
        k.append("int")
    if set(dtypes) & set(FLOATS):
        k.append("float")
    return tuple(k)


def other(
    of: int = 0,
    dtypes: Sequence[str] = ALL,
    scalar_p: float = 0.25,
    zero_d_p: float = 0.15,
    var_p: float = 0.3,
    tensor_only: bool = False,
) -> ArgGen:
    """The second operand of a broadcasting binary op: a Python scalar, a 0-d tensor, an
    existing tensor that broadcasts with ``args[of]``, or a fresh one."""

    def gen(g: Gen, args: list[Arg]) -> Arg:
        base = args[of].value
        s = tuple(base.shape) if args[of].is_tensor else ()
        r = g.rng.random()
        if not tensor_only and r < scalar_p:
            return scalar(_kinds_for(dtypes))(g, args)
        r -= 0 if tensor_only else scalar_p
        if r < zero_d_p:
            return var_arg(g, g.fresh((), g.rng.choice(dtypes)))
        if r < zero_d_p + var_p:

            def fits(t: Any) -> bool:
                b = shapes.broadcast(s, tuple(t.shape))
                return b is not None and numel(b) <= shapes.MAX_NUMEL and dname(t) in dtypes

            name = g.pick(fits)
            if name is not None:
                return var_arg(g, name)
        own = dname(base) if args[of].is_tensor else "float32"
        dt = own if own in dtypes and g.rng.random() < 0.6 else g.rng.choice(dtypes)
        return var_arg(g, g.fresh(shapes.broadcast_partner(g.rng, s), dt))

    return gen


def fresh_like(of: int = 0, dtype: str | None = None, rg: bool | None = None) -> ArgGen:
    """A fresh leaf of the shape (and by default the dtype) of ``args[of]``."""

    def gen(g: Gen, args: list[Arg]) -> Arg:
        t = args[of].value
        return var_arg(g, g.fresh(tuple(t.shape), dtype or dname(t), rg))

    return gen


def mask(of: int = 0, prefix: bool = False) -> ArgGen:
    """A bool tensor broadcasting to ``args[of]`` (prefix=True: of a leading part of its
    shape, as indexing wants), fresh or an existing one."""

    def gen(g: Gen, args: list[Arg]) -> Arg:
        s = tuple(args[of].value.shape)
        if prefix:
            if not s:
                want: tuple[int, ...] = ()
            else:
                want = s[: g.rng.randint(1, len(s))]
            name = g.pick(lambda t: dname(t) == "bool" and tuple(t.shape) == want)
            return var_arg(g, name or g.fresh(want, "bool"))
        want = shapes.broadcast_partner(g.rng, s)
        want = want if len(want) <= len(s) else want[len(want) - len(s) :]
        return var_arg(g, g.fresh(want, "bool"))

    return gen


def dim(of: int = 0, bad_p: float = 0.03) -> ArgGen:
    """A dimension of ``args[of]`` (negative at times; out of range rarely)."""

    def gen(g: Gen, args: list[Arg]) -> Arg:
        r = args[of].value.dim()
        n = max(r, 1)
        d = g.rng.choice((n, -n - 1)) if g.rng.random() < bad_p else g.rng.randint(-n, n - 1)
        return Arg(str(d), "dims", value=d)

    return gen


def dims(of: int = 0) -> ArgGen:
    """A tuple (or list) of distinct dimensions of ``args[of]``."""

    def gen(g: Gen, args: list[Arg]) -> Arg:
        r = args[of].value.dim()
        if r == 0:
            ds = [g.rng.choice((0, -1))]
        else:
            ds = g.rng.sample(range(r), g.rng.randint(1, r))
            ds = [d - r if g.rng.random() < 0.3 else d for d in ds]
        if g.rng.random() < 0.02:
            ds.append(ds[0])  # a repeated dim: an error in PyTorch
        code = repr(tuple(ds)) if g.rng.random() < 0.7 else repr(list(ds))
        return Arg(code, "dims", value=tuple(ds))

    return gen


def flag() -> ArgGen:
    return lambda g, args: Arg(repr(g.rng.random() < 0.5), "lit", value=None)


def perm(of: int = 0) -> ArgGen:
    def gen(g: Gen, args: list[Arg]) -> Arg:
        r = args[of].value.dim()
        p = list(range(r))
        g.rng.shuffle(p)
        p = [d - r if g.rng.random() < 0.2 else d for d in p]
        if g.rng.random() < 0.5 or not p:
            return Arg(repr(tuple(p)), "dims", value=tuple(p))
        return Arg(", ".join(map(str, p)), "dims", value=tuple(p))

    return gen


def _shape_code(rng: random.Random, s: Sequence[int]) -> str:
    if not s or rng.random() < 0.4:
        return repr(tuple(s))
    return ", ".join(map(str, s))


def new_shape(of: int = 0, mode: str = "reshape") -> ArgGen:
    """A target shape for view/reshape (same numel) or expand."""

    def gen(g: Gen, args: list[Arg]) -> Arg:
        s = tuple(args[of].value.shape)
        t = shapes.expand_target(g.rng, s) if mode == "expand" else shapes.reshape_target(g.rng, s)
        return Arg(_shape_code(g.rng, t), "dims", value=t)

    return gen


def _slice_code(rng: random.Random, n: int) -> str:
    def bound() -> str:
        return "" if rng.random() < 0.4 else str(rng.randint(-n - 1, n + 1))

    step = rng.choice(("", "", "2", "3"))
    return f"{bound()}:{bound()}" + (f":{step}" if step else "")


def basic_index(of: int = 0) -> ArgGen:
    """ints, slices (with steps), None and ... over ``args[of]``."""

    def gen(g: Gen, args: list[Arg]) -> Arg:
        rng = g.rng
        s = tuple(args[of].value.shape)
        r = len(s)

        def item(n: int) -> str:
            x = rng.random()
            if x < 0.35:
                if n == 0 or rng.random() < 0.03:
                    return str(rng.choice((n, -n - 1)))
                return str(rng.randint(-n, n - 1))
            if x < 0.75:
                return _slice_code(rng, n)
            return ":"

        k1 = rng.randint(0, r)
        items = [item(n) for n in s[:k1]]
        if rng.random() < 0.2:
            k2 = rng.randint(0, r - k1)
            items += ["..."] + [item(n) for n in s[r - k2 :]]
        for _ in range(rng.choice((0, 0, 0, 1, 2))):
            items.insert(rng.randint(0, len(items)), "None")
        if not items:
            items = [rng.choice(("...", ":", "None"))]
        return Arg(", ".join(items), "index", value=tuple(items))

    return gen


def int_index(of: int = 0) -> ArgGen:
    """An integer tensor (literal) indexing the first dim of ``args[of]``."""

    def gen(g: Gen, args: list[Arg]) -> Arg:
        s = tuple(args[of].value.shape)
        if not s or s[0] == 0:
            raise Skip
        n = s[0]
        idx = [g.rng.randint(-n, n - 1) for _ in range(g.rng.randint(0, 4))]
        return Arg(f"L.tensor({idx!r}, dtype=L.int64)", "index", value=("int-tensor", idx))

    return gen


def set_value(of: int = 0, index: int = 1) -> ArgGen:
    """A value to assign to ``args[of][args[index]]``: scalar, 0-d or broadcasting tensor."""

    def gen(g: Gen, args: list[Arg]) -> Arg:
        try:
            target = g.eval(f"{args[of].code}[{args[index].code}]")
        except Exception as e:
            raise Skip from e
        s = tuple(target.shape)
        own = dname(target)
        r = g.rng.random()
        if r < 0.35:
            return scalar(_kinds_for((own,)) if g.rng.random() < 0.7 else ("bool", "int", "float"))(
                g, args
            )
        if r < 0.5:
            return var_arg(g, g.fresh((), own if g.rng.random() < 0.6 else g.rng.choice(ALL)))
        want = shapes.broadcast_partner(g.rng, s)
        want = want if len(want) <= len(s) else want[len(want) - len(s) :]
        dt = own if g.rng.random() < 0.7 else g.rng.choice(ALL)
        return var_arg(g, g.fresh(want, dt))

    return gen


def mat_partner(of: int = 0, mode: str = "matmul") -> ArgGen:
    """A right operand for matmul (any rank combination, broadcast batches), mm or bmm."""

    def gen(g: Gen, args: list[Arg]) -> Arg:
        rng = g.rng
        a = tuple(args[of].value.shape)
        dt = dname(args[of].value)
        if rng.random() < 0.1:
            dt = rng.choice(ALL)
        k = a[-1] if a else rng.randint(1, 3)
        if rng.random() < 0.04:
            k += 1  # mismatched inner dims: an error
        n = shapes.dim_size(rng)
        if mode == "mm":
            b: tuple[int, ...] = (k, n)
        elif mode == "bmm":
            b = (a[0] if a else 1, k, n)
        else:
            rb = rng.choice((1, 2, 2, 3, 4))
            if rb == 1:
                b = (k,)
            else:
                batch_a = a[:-2] if len(a) >= 2 else ()
                bb = list(shapes.broadcast_partner(rng, batch_a))[-(rb - 2) :] if rb > 2 else []
                while len(bb) < rb - 2:
                    bb.insert(0, rng.choice((1, 2, 3)))
                b = (*bb, k, n)
        if numel(b) > shapes.MAX_NUMEL:
            raise Skip
        return var_arg(g, g.fresh(b, dt))

    return gen


def bound(special_p: float = 0.03) -> ArgGen:
    """A clamp bound: a Python int or float (bool rarely)."""
    return scalar(("int", "float", "float"), special_p)
