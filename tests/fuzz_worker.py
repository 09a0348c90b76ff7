"""Bad-input fuzzer for pyautograd's Python API (run in a subprocess by
tests/test_hardening_fuzz.py).

    python tests/fuzz_worker.py --cases 3000 --seed 0 [--trace PATH]

Makes ``--cases`` random calls (deterministic for a given seed): wrong types, None, strings,
nested lists of mixed types, negative sizes, sizes whose element count overflows int64 or cannot
be allocated, out-of-range / mismatched indices and masks, dtype mixes, read-only,
non-contiguous, byte-swapped and unaligned NumPy arrays, NaN and Inf, wrong-shape gradients to
backward, in-place ops on leaves, misbehaving custom Functions, ...  Every call must either
succeed or raise an ``Exception`` with a non-empty message; anything else (a crash, an abort, a
``BaseException`` that is not an ``Exception``) is a failure.  Before each case its description
is appended to ``--trace`` (flushed), so the case that killed the process is the trace's last
line.  The last line of stdout is a JSON summary::

    {"cases": ..., "ok": ..., "raised": ..., "bad_messages": [...], "base_exceptions": [...],
     "unexpected_types": [...], "by_type": {...}, "unprefixed": ..., "unprefixed_examples": [...],
     "slowest": [...], "seconds": ...}

Sizes are drawn so that an allocation either is tiny (<= a few thousand elements) or cannot
possibly succeed (>= 2**44 elements, or an element count that overflows int64); a "huge" tensor
is never materialised.
"""

from __future__ import annotations

import argparse
import copy
import faulthandler
import gc
import json
import operator
import pickle
import random
import sys
import time
import warnings

import numpy as np

import pyautograd as pa
from pyautograd.autograd import Function, Variable

faulthandler.enable()
warnings.simplefilter("ignore")

#: exception types pyautograd is documented to raise (OverflowError: an infinite float where an
#: integer goes, as PyTorch's manual_seed(inf))
API_ERRORS = (TypeError, ValueError, IndexError, RuntimeError, MemoryError, OverflowError)
#: plain Python protocol errors accepted for the Python-level case kinds that can raise them
PROTOCOL_ERRORS = (AttributeError, OverflowError, ZeroDivisionError, KeyError, pickle.PicklingError)

HUGE = [2**44, 2**50, 2**62, 2**63 - 1, 2**63, 2**64, 10**20, 3 * 2**61]
HUGE_NEG = [-(2**63), -(2**63) - 1, -(2**44), -(10**20)]
SPECIAL_FLOATS = [float("nan"), float("inf"), float("-inf"), -0.0, 1e308, -1e308, 5e-324, 1e-300]


_TENSOR_T = "pyautograd._core.Tensor"


def _split_params(sig: str) -> list[str]:
    out, depth, cur = [], 0, ""
    for ch in sig:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def signature(fn) -> tuple[list[tuple[str, str, bool]], bool, bool] | None:
    """(params [(name, annotation, has_default)], *args?, **kwargs?) from the first pybind11
    signature line of fn's docstring; self is dropped. None if there is none."""
    doc = getattr(fn, "__doc__", None) or ""
    for line in doc.splitlines():
        line = line.strip()
        if "(" not in line or "->" not in line:
            continue
        inner = line[line.index("(") + 1 : line.rindex(")", 0, line.index("->"))]
        params, star, kw = [], False, False
        for prm in _split_params(inner):
            if prm.startswith("**"):
                kw = True
            elif prm.startswith("*"):
                star = True
            elif prm.split(":")[0].strip() != "self":
                name = prm.split(":")[0].split("=")[0].strip()
                ann = prm.split(":", 1)[1].split("=")[0].strip() if ":" in prm else ""
                params.append((name, ann, "=" in prm))
        return params, star, kw
    return None


class UserError(Exception):
    """Raised on purpose by misbehaving custom Functions."""


# --------------------------------------------------------------------------
# pools
# --------------------------------------------------------------------------
def _np_arrays(rng: np.random.Generator) -> list[np.ndarray]:
    out: list[np.ndarray] = []
    base = rng.standard_normal((3, 4))
    out.append(base)  # float64 contiguous
    out.append(base.astype(np.float32))
    out.append(base.T)  # non-contiguous (transposed)
    out.append(base[:, ::2])  # step-sliced
    out.append(base[::-1])  # negative stride
    ro = base.copy()
    ro.flags.writeable = False
    out.append(ro)  # read-only
    out.append(np.broadcast_to(np.arange(3.0), (4, 3)))  # read-only, zero stride
    out.append(np.lib.stride_tricks.as_strided(np.arange(4.0), (3, 4), (0, 8), writeable=True))
    out.append(base.astype(">f8"))  # byte-swapped
    out.append(
        np.frombuffer(bytearray(8 * 6 + 1), dtype=np.float64, offset=1, count=6)
    )  # unaligned
    out.append(np.asfortranarray(base))
    out.append(np.array(3.5))  # 0-d
    out.append(np.zeros((0, 3)))  # empty
    out.append(np.zeros((2, 0, 2), dtype=np.int64))
    out.append(np.array([[np.nan, np.inf], [-np.inf, 0.0]]))
    out.append(np.array([1, 0, 1], dtype=bool))
    for dt in (np.float16, np.int8, np.int32, np.uint8, np.uint64, np.complex64, np.int64):
        out.append((base * 3).astype(dt))
    out.append(np.array([2**64 - 1], dtype=np.uint64))
    out.append(np.array(["a", "b"]))
    out.append(np.array([1, "a", None], dtype=object))
    out.append(np.array(["2020-01-01"], dtype="datetime64[D]"))
    out.append(np.zeros(2, dtype=[("a", "f4"), ("b", "i4")]))
    out.append(np.zeros((1,) * 13))  # more dims than pyautograd supports
    out.append(np.zeros((1,) * 12))
    return out


def _tensors(rng: np.random.Generator) -> list:
    ts = []
    a = rng.standard_normal((3, 4)).astype(np.float32)
    t = pa.tensor(a)
    ts += [t, t.t(), t[:, ::2], t[1], t[1, 2], t[0:0]]
    ts.append(pa.tensor(a, dtype=pa.float64))
    ts.append(pa.tensor([[1, -2, 3], [4, 0, -6]]))
    ts.append(pa.tensor([True, False, True]))
    ts.append(pa.tensor(2.5))
    ts.append(pa.tensor(7))
    ts.append(pa.tensor(True))
    ts.append(pa.zeros(0))
    ts.append(pa.zeros(2, 0, 3, dtype=pa.int64))
    ts.append(pa.tensor([float("nan"), float("inf"), -float("inf"), 0.0, -0.0]))
    ts.append(pa.ones(1, 3).expand(4, 3))  # stride-0 view
    ts.append(pa.arange(24).view(2, 3, 4).permute(2, 0, 1))
    ts.append(pa.from_numpy(rng.standard_normal((2, 3))))  # shares NumPy memory
    leaf = pa.randn(3, 4, requires_grad=True)
    ts.append(leaf)
    ts.append(pa.randn(4, dtype=pa.float64, requires_grad=True))
    ts.append(pa.tensor(1.5, requires_grad=True))
    ts.append(leaf * 2)  # non-leaf with a grad_fn
    ts.append((leaf.exp() + 1).sum(1))
    ts.append(leaf[1:])  # a view of a leaf that requires grad
    ts.append(leaf.detach())
    return ts


class Fuzzer:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.nprng = np.random.default_rng(seed)
        pa.manual_seed(seed)
        self.rebuild()

    def rebuild(self) -> None:
        self.tensors = _tensors(self.nprng)
        self.arrays = _np_arrays(self.nprng)

    # ---- values ----------------------------------------------------------
    def tensor(self):
        return self.r.choice(self.tensors)

    def small_int(self) -> int:
        return self.r.choice([0, 1, 2, 3, -1, -2, 4, 5, -5])

    def int_any(self) -> int:
        k = self.r.random()
        if k < 0.6:
            return self.small_int()
        if k < 0.85:
            return self.r.choice(HUGE)
        return self.r.choice(HUGE_NEG)

    def dtype_like(self):
        return self.r.choice(
            [
                pa.float32,
                pa.float64,
                pa.int64,
                pa.bool,
                None,
                np.float32,
                np.int32,
                float,
                int,
                bool,
                "float32",
                "int64",
                "half",
                3,
                object,
            ]
        )

    def nested(self, depth: int = 0):
        k = self.r.randrange(9)
        if depth >= 3 or k < 4:
            return self.r.choice(
                [
                    1,
                    -2.5,
                    True,
                    None,
                    "x",
                    float("nan"),
                    2**70,
                    [],
                    (),
                    1 + 2j,
                    b"b",
                    self.small_int(),
                ]
            )
        n = self.r.randrange(4)
        items = [self.nested(depth + 1) for _ in range(n)]
        if k == 4:  # ragged
            items.append([items[:1]])
        return items if k % 2 else tuple(items)

    def size(self):
        k = self.r.randrange(12)
        if k == 0:
            return self.int_any()
        if k <= 5:
            n = self.r.randrange(0, 5)
            return tuple(
                self.small_int() if self.r.random() < 0.8 else self.int_any() for _ in range(n)
            )
        if k == 6:  # many dims, tiny sizes: <= 2**14 elements
            return tuple(self.r.choice([0, 1, 2]) for _ in range(self.r.randrange(10, 15)))
        if k == 7:
            return [self.small_int() for _ in range(self.r.randrange(0, 4))]
        if k == 8:  # element count overflowing int64 / unallocatable
            return (self.r.choice(HUGE[:4]), self.r.choice(HUGE[:4]), self.r.randrange(1, 4))
        if k == 9:
            return pa.Size((2, 3)) if self.r.random() < 0.5 else (2, self.r.choice(HUGE))
        return self.value()

    def index(self):
        k = self.r.randrange(10)
        if k < 3:
            return self.int_any()
        if k < 5:
            return slice(
                self.r.choice([None, self.int_any(), 1.5, "a"]),
                self.r.choice([None, self.int_any()]),
                self.r.choice([None, 1, 2, -1, 0, 2**63 - 1, 2**62, 2**64, 0.5]),
            )
        if k == 5:
            return self.r.choice([None, Ellipsis, (Ellipsis, Ellipsis), (None, 0, Ellipsis)])
        if k == 6:  # masks and tensor indices of various shapes and dtypes
            t = self.tensor()
            return self.r.choice(
                [
                    t > 0,
                    (t > 0)[..., None] if t.dim() else t > 0,
                    pa.tensor([True, False]),
                    pa.tensor([[True]]),
                    pa.tensor([1, 0]),
                    pa.tensor(1),
                    pa.tensor([]),
                    pa.tensor(True),
                    t,
                ]
            )
        if k == 7:
            return tuple(self.index() for _ in range(self.r.randrange(0, 5)))
        if k == 8:
            return self.r.choice(
                [[0, 1], [True, False], np.array([0]), np.array([True]), "a", 1.5, {}, np.int64(1)]
            )
        return self.value()

    def value(self):
        k = self.r.randrange(16)
        if k < 4:
            return self.tensor()
        if k == 4:
            return self.small_int()
        if k == 5:
            return self.int_any()
        if k == 6:
            return self.r.choice([*SPECIAL_FLOATS, 0.5, -1.5, 2.0])
        if k == 7:
            return self.r.choice([True, False, None])
        if k == 8:
            return self.r.choice(["", "a", "float32", "cpu", "cuda", "cpu:0", "meta", b"x"])
        if k == 9:
            return self.r.choice(self.arrays)
        if k == 10:
            return self.r.choice(
                [
                    np.float16(1.5),
                    np.int32(-2),
                    np.uint64(2**64 - 1),
                    np.bool_(True),
                    np.float64("nan"),
                    np.complex64(1j),
                    np.datetime64("2020"),
                    np.int64(3),
                    np.float32(0.25),
                ]
            )
        if k == 11:
            return self.dtype_like()
        if k == 12:
            return self.nested()
        if k == 13:
            return self.r.choice(
                [
                    {},
                    {"a": 1},
                    {1, 2},
                    object(),
                    1 + 2j,
                    slice(1),
                    Ellipsis,
                    range(3),
                    memoryview(b"ab"),
                    lambda: 1,
                    pa.device("cpu"),
                    pa.Tensor,
                    pa,
                ]
            )
        if k == 14:
            return self.size()
        return self.index()

    def plausible(self, name: str, ann: str):
        """A value of roughly the right type for a parameter (named `name`, annotated `ann`)."""
        r = self.r
        if ann == _TENSOR_T or ann.startswith(_TENSOR_T):
            return r.choice(
                [
                    self.tensor(),
                    self.tensor(),
                    self.tensor() > 0,
                    pa.ones(self.r.choice([(), (3,), (3, 4), (4, 3), (2, 3, 4)])),
                ]
            )
        if "SupportsInt" in ann or (name in ("dim", "d", "arg1") and r.random() < 0.5):
            return self.int_any() if r.random() < 0.5 else self.small_int()
        if ann == "bool" or name in ("keepdim", "requires_grad", "retain_graph"):
            return r.choice([True, False])
        if "SupportsFloat" in ann or name in ("min", "max"):
            return r.choice([0.5, -1, 2, float("nan"), float("inf"), None, 10**30, True])
        if name == "dim":
            return r.choice([None, self.small_int(), (0, 1), (-1,), (0, 0), (), 2**63 - 1])
        return r.choice([self.tensor(), self.small_int(), 0.5, self.size(), self.dtype_like()])

    def call_args(self, fn, star_kind: str = "size") -> tuple[list, dict]:
        """Arguments for fn: usually its declared arity with mostly plausible values (one or two
        of them weird), sometimes anything at all."""
        sig = signature(fn)
        if sig is None or self.r.random() < 0.15:
            return self.args(), (self.kwargs() if self.r.random() < 0.2 else {})
        params, star, _ = sig
        args: list = []
        for name, ann, has_default in params:
            if has_default and self.r.random() < 0.4:
                break
            args.append(self.plausible(name, ann) if self.r.random() < 0.8 else self.value())
        if star:
            if star_kind == "size":
                n = self.r.randrange(0, 5)
                if self.r.random() < 0.3:
                    args.append(self.size())
                else:
                    args += [
                        self.small_int() if self.r.random() < 0.8 else self.int_any()
                        for _ in range(n)
                    ]
            else:
                args += self.args(0, 2)
        kwargs = {}
        if self.r.random() < 0.15:
            kwargs = self.kwargs()
        return args, kwargs

    def args(self, lo: int = 0, hi: int = 3) -> list:
        return [self.value() for _ in range(self.r.randint(lo, hi))]

    def kwargs(self) -> dict:
        kw = {}
        for name in (
            "dim",
            "keepdim",
            "dtype",
            "device",
            "requires_grad",
            "min",
            "max",
            "gradient",
            "retain_graph",
            "out",
            "bogus",
        ):
            if self.r.random() < 0.08:
                kw[name] = self.value() if name != "dtype" else self.dtype_like()
        return kw


# --------------------------------------------------------------------------
# case kinds: each returns (description, thunk, kind)
# --------------------------------------------------------------------------
def desc(v) -> str:
    try:
        if isinstance(v, pa.Tensor):
            return (
                f"<T {str(v.dtype).split('.')[-1]} {tuple(v.shape)} "
                f"st={v.stride()} rg={v.requires_grad} leaf={v.is_leaf}>"
            )
        if isinstance(v, np.ndarray):
            return (
                f"<np {v.dtype.str} {v.shape} st={v.strides} "
                f"w={v.flags.writeable} c={v.flags.c_contiguous}>"
            )
        s = repr(v)
    except Exception as e:
        s = f"<unreprable {type(v).__name__}: {e}>"
    return s if len(s) <= 80 else s[:77] + "..."


def call_desc(name: str, args, kwargs) -> str:
    parts = [desc(a) for a in args] + [f"{k}={desc(v)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


CREATORS = [
    "tensor",
    "zeros",
    "ones",
    "empty",
    "randn",
    "rand",
    "full",
    "arange",
    "linspace",
    "from_numpy",
    "zeros_like",
    "ones_like",
    "empty_like",
    "full_like",
    "rand_like",
    "randn_like",
    "where",
    "manual_seed",
    "set_num_threads",
    "Tensor",
]

METHODS = sorted(
    m for m in dir(pa.Tensor) if not m.startswith("_") and callable(getattr(pa.Tensor, m, None))
)

BINOPS = [
    operator.add,
    operator.sub,
    operator.mul,
    operator.truediv,
    operator.floordiv,
    operator.mod,
    operator.pow,
    operator.matmul,
    operator.lt,
    operator.le,
    operator.eq,
    operator.ne,
    operator.gt,
    operator.ge,
    operator.and_,
    operator.or_,
    operator.xor,
    operator.lshift,
    operator.iadd,
    operator.isub,
    operator.imul,
    operator.itruediv,
    operator.ipow,
    operator.imatmul,
]

UNOPS = [
    operator.neg,
    operator.pos,
    operator.abs,
    operator.invert,
    bool,
    int,
    float,
    operator.index,
    len,
    list,
    repr,
    str,
    hash,
    lambda t: f"{t:.3f}",
    copy.copy,
    copy.deepcopy,
    pickle.dumps,
    np.asarray,
    lambda t: np.asarray(t, dtype="float16"),
    memoryview,
    lambda t: t.__array__(np.int8),
    lambda t: t.numpy().sum(),
    lambda t: t.tolist(),
    lambda t: t.item(),
    lambda t: t.size(),
    lambda t: t.stride(),
]


def case_create(f: Fuzzer):
    name = f.r.choice(CREATORS)
    fn = getattr(pa, name)
    if name in ("zeros", "ones", "empty", "randn", "rand"):
        args = [f.size()] if f.r.random() < 0.5 else [f.int_any() for _ in range(f.r.randrange(4))]
    elif name == "full":
        args = [f.size(), f.value()]
    elif name == "arange":
        pool = [
            0,
            1,
            -5,
            10,
            2.5,
            float("nan"),
            float("inf"),
            1e30,
            -1e30,
            2**63,
            2**63 - 1,
            "a",
            None,
            0.5,
            1e-300,
            -1,
            0.0,
            pa.tensor(3),
        ]
        args = [f.r.choice(pool) for _ in range(f.r.randint(0, 4))]
    elif name == "linspace":
        args = [
            f.r.choice([0, 1.0, float("nan"), float("inf"), "a", None]),
            f.r.choice([1, -1.0, float("inf"), 2**70]),
            f.r.choice([0, 1, 5, -1, 2**44, 2**63 - 1, 2**64, 2.5, None, "3"]),
        ]
    elif name in ("tensor", "from_numpy"):
        args = [
            f.r.choice(
                [
                    f.nested(),
                    f.r.choice(f.arrays),
                    f.value(),
                    f.tensor(),
                    [f.tensor(), f.tensor()],
                    [[1, 2], [3, 4]],
                    [np.float32(1)],
                ]
            )
        ]
    elif name == "where":
        args = [f.r.choice([f.tensor() > 0, f.tensor(), f.value()]), f.value(), f.value()]
    else:
        args = f.args(0, 2)
        if name.endswith("_like") and f.r.random() < 0.7:
            args = [f.tensor(), *args[:1]]
    kwargs = f.kwargs() if f.r.random() < 0.4 else {}
    if name == "set_num_threads" and not args:
        args = [f.r.choice([0, -1, 1025, 2**70, 1, 2, 1.5, "2", None])]
    kwargs.pop("out", None)

    def run():
        try:
            return fn(*args, **kwargs)
        finally:
            if name == "set_num_threads":
                pa.set_num_threads(2)

    return call_desc("pa." + name, args, kwargs), run, "api"


def case_method(f: Fuzzer):
    t = f.tensor()
    name = f.r.choice(METHODS)
    fn = getattr(t, name)
    args, kwargs = f.call_args(
        fn, "size" if name in ("view", "reshape", "expand", "permute") else "any"
    )
    return call_desc(f"{desc(t)}.{name}", args, kwargs), lambda: fn(*args, **kwargs), "api"


def case_binop(f: Fuzzer):
    op = f.r.choice(BINOPS)
    a = f.tensor()  # at least one tensor operand (2 ** 2**70 on Python ints would never end)
    b = f.value() if f.r.random() < 0.6 else f.tensor()
    if f.r.random() < 0.3:
        a, b = b, a
    return f"{op.__name__}({desc(a)}, {desc(b)})", lambda: op(a, b), "python"


def case_unop(f: Fuzzer):
    op = f.r.choice(UNOPS)
    t = f.tensor()
    name = getattr(op, "__name__", "op")
    return f"{name}({desc(t)})", lambda: op(t), "python"


def case_getitem(f: Fuzzer):
    t, idx = f.tensor(), f.index()
    return f"{desc(t)}[{desc(idx)}]", lambda: t[idx], "api"


def case_setitem(f: Fuzzer):
    t, idx = f.tensor(), f.index()
    v = f.value() if f.r.random() < 0.6 else f.r.choice([0.0, 1, float("nan"), True])

    def run():
        t[idx] = v

    return f"{desc(t)}[{desc(idx)}] = {desc(v)}", run, "api"


def case_setattr(f: Fuzzer):
    t = f.tensor()
    name = f.r.choice(
        ["grad", "data", "requires_grad", "shape", "dtype", "grad_fn", "is_leaf", "T", "device"]
    )
    v = f.value()

    def run():
        setattr(t, name, v)

    return f"{desc(t)}.{name} = {desc(v)}", run, "python"


def _leaf(f: Fuzzer, shape=(3,)):
    return pa.tensor(f.nprng.standard_normal(shape), dtype=pa.float64, requires_grad=True)


def _graph(f: Fuzzer, x):
    k = f.r.randrange(6)
    if k == 0:
        return (x * 2).exp()
    if k == 1:
        return x.tanh().sum()
    if k == 2:
        return x @ x if x.dim() == 1 else x.sum()
    if k == 3:
        return x.unsqueeze(0).expand(2, *x.shape).clamp(min=0)
    if k == 4:
        return x[1:] * x[:-1]
    return x.sigmoid().pow(2).mean()


class BadFunction(Function):
    mode = "ok"

    @staticmethod
    def forward(ctx, x, *rest):
        ctx.save_for_backward(x)
        m = BadFunction.mode
        if m == "fwd_none":
            return None
        if m == "fwd_tuple":
            return (x, x)
        if m == "fwd_input":
            return x
        if m == "fwd_int":
            return x.long()
        if m == "fwd_raise":
            raise UserError("forward failed on purpose")
        return x * 2

    @staticmethod
    def backward(ctx, g):
        m = BadFunction.mode
        (x,) = ctx.saved_tensors
        if m == "bwd_shape":
            return pa.ones(7, dtype=g.dtype)
        if m == "bwd_bcast":  # broadcastable, larger than the input
            return g.unsqueeze(0).expand(2, *g.shape)
        if m == "bwd_type":
            return "not a tensor"
        if m == "bwd_many":
            return (g, g, g, g)
        if m == "bwd_none":
            return None
        if m == "bwd_int":
            return g.long()
        if m == "bwd_bool":
            return g > 0
        if m == "bwd_raise":
            raise UserError("backward failed on purpose")
        if m == "bwd_nan":
            return g * float("nan")
        if m == "bwd_scalar":
            return 3.0
        if m == "bwd_rg":
            return g * x.detach().requires_grad_(True)
        if m == "bwd_list":
            return [g]
        if m == "bwd_reentrant":  # a nested, independent backward from inside backward
            z = x.detach().requires_grad_(True)
            (z * 3).sum().backward()
            return g * z.grad
        if m == "bwd_reentrant_same":  # backward through the graph being differentiated
            BadFunction.outer.backward(retain_graph=True)
            return g
        if m == "bwd_free":
            ctx._free()
            return g * ctx.saved_tensors[0]
        return g * 2


BAD_MODES = [
    "ok",
    "fwd_none",
    "fwd_tuple",
    "fwd_input",
    "fwd_int",
    "fwd_raise",
    "bwd_shape",
    "bwd_bcast",
    "bwd_type",
    "bwd_many",
    "bwd_none",
    "bwd_int",
    "bwd_bool",
    "bwd_raise",
    "bwd_nan",
    "bwd_scalar",
    "bwd_rg",
    "bwd_list",
    "bwd_reentrant",
    "bwd_reentrant_same",
    "bwd_free",
]


def case_autograd(f: Fuzzer):
    k = f.r.randrange(13)
    shape = f.r.choice([(3,), (2, 3), ()])
    x = _leaf(f, shape)
    if k == 0:  # wrong gradient argument
        g = f.r.choice(
            [
                pa.ones(7),
                pa.ones(2, 2, dtype=pa.float64),
                f.value(),
                None,
                pa.ones(1),
                pa.ones(3, dtype=pa.int64),
                pa.tensor(float("nan")),
            ]
        )
        rg = f.r.choice([None, True, False, "yes", 2])

        def run():
            _graph(f, x).backward(g, rg)

        return f"backward(gradient={desc(g)}, retain_graph={rg!r}) on {shape}", run, "api"
    if k == 1:  # backward twice without retain_graph

        def run():
            y = _graph(f, x)
            y.backward(pa.ones_like(y))
            y.backward(pa.ones_like(y))

        return f"double backward on {shape}", run, "api"
    if k == 2:  # saved tensor modified in place

        def run():
            y = x.exp()
            with pa.no_grad():
                x.mul_(2)
            y.sum().backward()

        return f"modified saved tensor, {shape}", run, "api"
    if k == 3:  # in-place op on a leaf / a view of a leaf
        op = f.r.choice(
            [
                "add_",
                "mul_",
                "zero_",
                "fill_",
                "clamp_",
                "copy_",
                "setitem",
                "view_add_",
                "masked_fill_",
            ]
        )

        def run():
            if op == "add_":
                x.add_(1)
            elif op == "mul_":
                x.mul_(x)
            elif op == "zero_":
                x.zero_()
            elif op == "fill_":
                x.fill_(float("nan"))
            elif op == "clamp_":
                x.clamp_(min=0)
            elif op == "copy_":
                x.copy_(pa.ones(x.shape, dtype=pa.float64))
            elif op == "setitem":
                x[...] = 0.0
            elif op == "view_add_":
                x.view(-1)[0:1].add_(1.0)
            else:
                x.masked_fill_(x > 0, 0.0)

        return f"in-place {op} on a leaf that requires grad {shape}", run, "api"
    if k == 4:  # misbehaving custom Function
        mode = f.r.choice(BAD_MODES)
        extra = f.args(0, 2)

        def run():
            BadFunction.mode = mode
            y = BadFunction.apply(x, *extra)
            BadFunction.outer = y.sum()
            try:
                BadFunction.outer.backward()
            finally:
                BadFunction.outer = None

        return f"BadFunction[{mode}].apply(x{shape}, {[desc(e) for e in extra]})", run, "user"
    if k == 5:  # autograd.grad with bad arguments
        outs = f.r.choice([None, "y", f.value(), [None], ["y", "y"]])
        ins = f.r.choice([None, "x", f.value(), ["x", None], ["x", "x"], [f.tensor()]])
        gos = f.r.choice([None, f.value(), [None], pa.ones(9)])
        kw = {}
        if f.r.random() < 0.5:
            kw["allow_unused"] = f.r.choice([True, False, "x"])
        if f.r.random() < 0.3:
            kw["retain_graph"] = f.r.choice([True, None, "x"])
        if f.r.random() < 0.2:
            kw["create_graph"] = True

        def sub(v, y):
            if isinstance(v, str) and v == "y":
                return y
            if isinstance(v, str) and v == "x":
                return x
            if isinstance(v, list):
                return [sub(e, y) for e in v]
            return v

        def run():
            y = _graph(f, x)
            return pa.autograd.grad(sub(outs, y), sub(ins, y), sub(gos, y), **kw)

        return (f"autograd.grad({desc(outs)}, {desc(ins)}, {desc(gos)}, {kw})", run, "api")
    if k == 6:  # autograd.backward with bad arguments
        ts = f.r.choice([None, [], "y", ["y", "y"], [None], f.value()])
        gs = f.r.choice([None, [], [None], [pa.ones(5)], f.value(), ["y"]])

        def run():
            y = _graph(f, x)

            def s(v):
                if isinstance(v, list):
                    return [y if isinstance(e, str) and e == "y" else e for e in v]
                return y if isinstance(v, str) and v == "y" else v

            pa.autograd.backward(s(ts), s(gs))

        return f"autograd.backward({desc(ts)}, {desc(gs)})", run, "api"
    if k == 7:  # requires_grad on non-float tensors, detach_ on views / non-leaves
        t = f.r.choice(
            [pa.tensor([1, 2]), pa.tensor([True]), x * 2, x[0:1] if x.dim() else x, f.tensor()]
        )
        op = f.r.choice(["requires_grad_", "detach_", "retain_grad", "backward"])
        arg = f.r.choice([[], [True], [False], [f.value()]]) if op == "requires_grad_" else []

        def run():
            return getattr(t, op)(*arg)

        return f"{desc(t)}.{op}({[desc(a) for a in arg]})", run, "api"
    if k == 8:  # .grad of the wrong shape / dtype, then backward accumulates into it
        g = f.r.choice(
            [
                pa.ones(7, dtype=pa.float64),
                pa.ones(shape, dtype=pa.float32),
                pa.ones(shape, dtype=pa.int64),
                pa.zeros(shape, dtype=pa.float64).t()
                if len(shape) == 2
                else pa.zeros(shape, dtype=pa.float64),
                f.value(),
            ]
        )

        def run():
            x.grad = g
            _graph(f, x).sum().backward()

        return f"x{shape}.grad = {desc(g)}; backward", run, "python"
    if k == 9:  # gradcheck with bad inputs
        inputs = f.r.choice(
            [x, (x,), f.value(), [x, f.value()], x.detach().float().requires_grad_(True)]
        )

        def run():
            return pa.autograd.gradcheck(lambda *a: _graph(f, a[0]), inputs)

        return f"gradcheck({desc(inputs)})", run, "user"
    if k == 10:  # Variable / grad-mode helpers with weird values
        v = f.value()
        which = f.r.randrange(4)

        def run():
            try:
                if which == 0:
                    return Variable(v, requires_grad=True)
                if which == 1:
                    with pa.set_grad_enabled(v):
                        return _graph(f, x)
                if which == 2:
                    return pa.no_grad()(v)
                return pa.enable_grad()(lambda: v)()
            finally:
                pa._core._set_grad_enabled(True)

        return f"grad-mode helper {which} with {desc(v)}", run, "python"
    if k == 11:  # odd but legal state changes around a graph, then backward
        which = f.r.randrange(6)

        def run():
            y = _graph(f, x)
            if which == 0:
                x.data = pa.zeros(
                    f.r.choice([(5,), (2, 3), ()]),
                    dtype=f.r.choice([pa.float64, pa.float32, pa.int64]),
                )
            elif which == 1:
                x.grad = pa.zeros(1, dtype=pa.float64).expand(*x.shape) if x.dim() else None
            elif which == 2:
                y.retain_grad()
                y.detach_()
            elif which == 3:
                x.requires_grad_(False)
            elif which == 4:
                y.backward(pa.ones(y.shape, dtype=y.dtype), inputs=f.r.choice([[x], x, None]))
                return x.grad
            else:
                del x.grad
            y.backward(pa.ones(y.shape, dtype=y.dtype))
            return x.grad

        return f"state change {which} then backward, x{shape}", run, "python"

    # NaN / Inf flowing through backward (must not crash)
    def run():
        z = x * float("nan") if f.r.random() < 0.5 else x / pa.zeros_like(x)
        z.sum().backward()
        return x.grad

    return f"nan/inf backward {shape}", run, "api"


def case_numpy(f: Fuzzer):
    arr = f.r.choice(f.arrays)
    k = f.r.randrange(6)
    if k == 0:
        d = f.dtype_like()
        return f"pa.tensor({desc(arr)}, dtype={desc(d)})", lambda: pa.tensor(arr, dtype=d), "api"
    if k == 1:
        return f"pa.from_numpy({desc(arr)})", lambda: pa.from_numpy(arr), "api"
    if k == 2:
        t = f.tensor()
        return f"{desc(t)} + {desc(arr)}", lambda: t + arr, "python"
    if k == 3:
        t = f.tensor()
        return f"{desc(arr)} * {desc(t)}", lambda: arr * t, "python"
    if k == 4:
        t = f.tensor()
        return f"{desc(t)}.copy_({desc(arr)})", lambda: t.copy_(arr), "api"

    def run():
        t = pa.from_numpy(arr)
        v = t.t() if t.dim() == 2 else t
        return (v * 2).sum().item() if v.numel() else None

    return f"ops on from_numpy({desc(arr)})", run, "api"


KINDS = [
    (case_create, 18),
    (case_method, 30),
    (case_binop, 12),
    (case_unop, 6),
    (case_getitem, 10),
    (case_setitem, 8),
    (case_setattr, 3),
    (case_autograd, 14),
    (case_numpy, 7),
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--trace", default=None, help="append each case's description here first")
    args = ap.parse_args()

    f = Fuzzer(args.seed)
    gens, weights = zip(*KINDS, strict=True)
    trace = open(args.trace, "a", buffering=1) if args.trace else None
    ok = raised = 0
    bad_messages: list[dict] = []
    base_exceptions: list[dict] = []
    unexpected: list[dict] = []
    by_type: dict[str, int] = {}
    unprefixed = 0
    unprefixed_examples: dict[str, str] = {}
    slowest: list[tuple[float, str]] = []
    t_start = time.perf_counter()
    for i in range(args.cases):
        if i and i % 250 == 0:
            f.rebuild()
            gc.collect()
        gen = f.r.choices(gens, weights)[0]
        try:
            d, thunk, kind = gen(f)
        except Exception as e:
            d, kind = f"<building {gen.__name__}>: {e!r}"[:200], "api"

            def thunk(e=e):
                raise e

        if trace:
            trace.write(f"{i}\t{d}\n")
        t0 = time.perf_counter()
        err = None
        try:
            res = thunk()
            ok += 1
            if (
                isinstance(res, pa.Tensor)
                and res.numel() <= 256
                and all(s <= 16 for s in res.shape)
            ):
                f.tensors[f.r.randrange(len(f.tensors))] = res
        except Exception as e:
            raised += 1
            err = e
        except BaseException as e:
            base_exceptions.append(
                {"case": i, "call": d, "type": type(e).__name__, "msg": str(e)[:300]}
            )
        finally:
            pa._core._set_grad_enabled(True)
        dt = time.perf_counter() - t0
        slowest = sorted([*slowest, (dt, d)], reverse=True)[:5]
        if err is not None:
            tname = type(err).__name__
            by_type[tname] = by_type.get(tname, 0) + 1
            try:
                msg = str(err)
            except Exception as e:
                msg = ""
                bad_messages.append(
                    {"case": i, "call": d, "type": tname, "msg": f"str() raised {e!r}"}
                )
            if not msg.strip():
                bad_messages.append({"case": i, "call": d, "type": tname, "msg": msg})
            allowed = API_ERRORS + (PROTOCOL_ERRORS if kind == "python" else ())
            if kind != "user" and not isinstance(err, allowed):
                unexpected.append({"case": i, "call": d, "type": tname, "msg": msg[:300]})
            if not isinstance(err, UserError) and not msg.startswith("["):
                unprefixed += 1
                key = tname + ": " + msg.split("(")[0].split(":")[0][:60]
                unprefixed_examples.setdefault(key, f"{d}  ->  {msg[:160]!r}")
    if trace:
        trace.write("done\n")
        trace.close()
    summary = {
        "cases": args.cases,
        "ok": ok,
        "raised": raised,
        "bad_messages": bad_messages,
        "base_exceptions": base_exceptions,
        "unexpected_types": unexpected,
        "by_type": by_type,
        "unprefixed": unprefixed,
        "unprefixed_examples": unprefixed_examples,
        "slowest": [[round(t, 4), d] for t, d in slowest],
        "seconds": round(time.perf_counter() - t_start, 2),
        "seed": args.seed,
    }
    sys.stdout.write(json.dumps(summary) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
