"""KNOWN_DIVERGENCES: every divergence class the generator is told not to draw, in one place.

Each entry names what it hides and where it is catalogued: issue 10's item number, ``new`` for
classes this tester found (see /work/team/diff-findings.md, same key), or ``torch`` for
PyTorch behaviour we do not mean to copy (an internal error, an unspecified memory layout).
The generator evaluates every gate on every draw (op rows, leaves, backward passes); a gate
that applies makes it drop the draw, and the run's summary counts drops per gate.

When a fix lands, delete its entry: the differential run then draws those programs again and
checks them. Never widen a gate beyond the class it names.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from args import Arg, dname
from ops import LAYOUT_SENSITIVE, VIEW_ROWS

if TYPE_CHECKING:
    from gen import Gen


@dataclass
class Ctx:
    """A draw: the row's name (or ``leaf``, ``backward:*``, ``autograd.grad``), its kind (op,
    tuple, py, inplace, effect, leaf, backward), its arguments with their PyTorch values,
    whether it runs under no_grad, the generator, and its code."""

    row: str
    kind: str
    args: list[Arg]
    no_grad: bool
    g: Gen
    code: str = ""
    cache: dict[str, Any] = field(default_factory=dict)

    def op(self) -> str:
        return self.row.split(":")[0]

    def is_(self, *ops: str) -> bool:
        return self.op() in ops

    def tensors(self) -> list[Any]:
        return [a.value for a in self.args if a.is_tensor]

    def scalars(self) -> list[Any]:
        return [a.value for a in self.args if a.kind == "scalar"]

    def tracked(self) -> bool:
        """Autograd records this draw: grad mode on and a tensor argument requires grad."""
        return not self.no_grad and any(t.requires_grad for t in self.tensors())

    def target(self) -> Any:
        """The tensor an in-place draw writes into."""
        return self.args[0].value


def _cat(x: Any) -> int:
    """PyTorch's dtype categories: bool 0 < integer 1 < floating 2."""
    if isinstance(x, bool):
        return 0
    if isinstance(x, int):
        return 1
    if isinstance(x, float):
        return 2
    d = dname(x)
    return {"bool": 0, "int64": 1}.get(d, 2)


def _storage(t: Any) -> int:
    return int(t.untyped_storage().data_ptr())


def _root(t: Any) -> Any:
    return t._base if t._base is not None else t


def _aliased(ctx: Ctx, t: Any) -> bool:
    """Another live tensor of the program shares t's memory (a view of it, its base, ...)."""
    p = _storage(t) if t.numel() else None
    r = _root(t)
    for n in ctx.g.vars:
        u = ctx.g.ns[n]
        if u is t:
            continue
        if _root(u) is r or (p is not None and u.numel() and _storage(u) == p):
            return True
    return False


def _has(x: Any, pred: Callable[[float], bool]) -> bool:
    """Some element of tensor (or Python number) x satisfies pred."""
    if isinstance(x, (bool, int, float)):
        return pred(float(x))
    if x is None or x.numel() == 0:
        return False
    return any(pred(float(v)) for v in x.detach().reshape(-1).tolist())


def _overlapping(t: Any) -> bool:
    """Some element of t shares memory with another (a stride 0 over a dim of size != 1)."""
    return any(st == 0 and sz != 1 for sz, st in zip(t.shape, t.stride(), strict=True))


INPLACE_BINARY_OPS = ("add", "sub", "mul", "div", "pow", "and", "or", "xor")


# ---- predicates, one per class ------------------------------------------------------------
def _view_history(ctx: Ctx) -> bool:
    if ctx.row == "requires_grad_":
        return _aliased(ctx, ctx.target())
    return ctx.kind == "inplace" and ctx.tracked() and _aliased(ctx, ctx.target())


def _clamp_int_bool(ctx: Ctx) -> bool:
    if not ctx.is_("clamp", "clip", "clamp_"):
        return False
    d = dname(ctx.args[0].value)
    return d == "bool" or (d == "int64" and any(isinstance(s, float) for s in ctx.scalars()))


def _where_scalar(ctx: Ctx) -> bool:
    if not ctx.is_("where"):
        return False
    vals = ctx.args[:2] if ctx.row == "where:cmp" else ctx.args[1:3]
    sc = [a.value for a in vals if a.kind == "scalar"]
    ts = [a.value for a in vals if a.is_tensor]
    if not sc:
        return False
    return not ts or max(_cat(s) for s in sc) > min(_cat(t) for t in ts)


PROMOTING_ROWS = (
    "add",
    "sub",
    "mul",
    "div",
    "pow",
    "maximum",
    "minimum",
    "max",
    "min",
    "where",
    "and",
    "or",
    "xor",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "logical_and",
    "logical_or",
    "masked_fill",
)


def _zero_dim_promotion(ctx: Ctx) -> bool:
    if not ctx.is_(*PROMOTING_ROWS):
        return False
    ts = ctx.tensors()
    if ctx.is_("where") and ctx.row != "where:cmp":
        ts = [a.value for a in ctx.args[1:3] if a.is_tensor]
    torch = ctx.g.torch
    for i, a in enumerate(ts):
        for b in ts[i + 1 :]:
            if (a.dim() == 0) != (b.dim() == 0) and torch.result_type(a, b) != torch.promote_types(
                a.dtype, b.dtype
            ):
                return True
    return False


def _masked_fill_dtype(ctx: Ctx) -> bool:
    """masked_fill with a 0-d tensor value of another dtype: PyTorch keeps self's dtype."""
    return (
        ctx.is_("masked_fill")
        and ctx.args[2].is_tensor
        and ctx.args[2].value.dtype != ctx.args[0].value.dtype
    )


def _pow_negative_int(ctx: Ctx) -> bool:
    if not ctx.is_("pow"):
        return False
    base, exp = (ctx.args[1], ctx.args[0]) if ctx.row == "pow:rop" else (ctx.args[0], ctx.args[1])
    if not base.is_tensor or dname(base.value) not in ("int64", "bool"):
        return False
    if exp.kind == "scalar":
        return _cat(exp.value) <= 1 and exp.value < 0
    return exp.is_tensor and _cat(exp.value) <= 1 and _has(exp.value, lambda v: v < 0)


def _pow_zero_base(ctx: Ctx) -> bool:
    if not ctx.is_("pow"):
        return False
    base = ctx.args[1] if ctx.row == "pow:rop" else ctx.args[0]
    bad = (
        _has(base.value, lambda v: v == 0 or math.isnan(v))
        if base.kind in ("scalar", "var")
        else False
    )
    return bad and any(t.requires_grad for t in ctx.tensors())


def _pow_half_edge(ctx: Ctx) -> bool:
    """PyTorch computes x ** 0.5 as sqrt(x) and x ** -0.5 as rsqrt(x): -inf and -0.0 differ."""
    if not ctx.is_("pow") or ctx.row == "pow:rop":
        return False
    e = ctx.args[1]
    if e.kind != "scalar" or e.value not in (0.5, -0.5):
        return False
    return _has(ctx.args[0].value, lambda v: v == -math.inf or (v == 0 and math.copysign(1, v) < 0))


NAN_SENSITIVE = (
    "relu",
    "max:all",
    "min:all",
    "maximum",
    "minimum",
    "max:elementwise",
    "min:elementwise",
)


def _nan_input(ctx: Ctx) -> bool:
    if not any(ctx.row == r or ctx.row.startswith(r + ":") for r in NAN_SENSITIVE):
        return False
    ts = ctx.tensors()
    return any(t.requires_grad for t in ts) and any(_has(t, math.isnan) for t in ts)


#: rows whose backward multiplies the incoming gradient by a 0/1 mask (pyautograd) where
#: PyTorch selects: a non-finite incoming gradient gives NaN here, 0 there (and abs at 0 the
#: other way round)
MASK_BACKWARD = (
    "max:all",
    "min:all",
    "maximum:func",
    "maximum:method",
    "minimum:func",
    "minimum:method",
    "max:elementwise",
    "min:elementwise",
    "abs:method",
    "abs:func",
    "abs:op",
    "pow:op",
    "pow:rop",
    "pow:method",
    "pow:func",
    "pow:alias",
)


def _nonfinite_grad_into_mask(ctx: Ctx) -> bool:
    if ctx.kind != "backward":
        return False
    g = ctx.g
    outs = [n for n in g.vars if g.made_by.get(n) in MASK_BACKWARD and g.ns[n].requires_grad]
    if not outs:
        return False
    if any(g.ns[n]._version != g.versions.get(n) for n in outs):
        return True  # written in place since: the gradient into its old value is out of reach
    torch = g.torch
    try:
        y = ctx.args[0].value
        if ctx.row == "backward:gradient":
            loss, go = y, ctx.args[1].value
        elif ctx.row == "backward:weighted":
            loss, go = (y * ctx.args[1].value).sum(), None
        else:
            loss, go = y.sum(), None
        grads = torch.autograd.grad(
            loss, [g.ns[n] for n in outs], go, retain_graph=True, allow_unused=True
        )
    except Exception:
        return False
    return any(gr is not None and not bool(torch.isfinite(gr).all()) for gr in grads)


def _grad_with_retain_grad(ctx: Ctx) -> bool:
    return ctx.row == "autograd.grad" and bool(ctx.g.retaining)


def _no_grad_view(ctx: Ctx) -> bool:
    return (
        ctx.no_grad
        and ctx.row in VIEW_ROWS
        and ctx.row not in ("detach", "data")
        and bool(ctx.args[0].value.requires_grad)
    )


def _ours_view(ctx: Ctx, name: str | None) -> bool:
    """A tensor pyautograd holds as a view: a view in PyTorch too, or a matmul (or linear)
    result (some of which pyautograd returns as a view of an internal product)."""
    if name is None:
        return False
    return ctx.g.ns[name]._base is not None or name in ctx.g.matmul_results


def _inplace_on_view(ctx: Ctx) -> bool:
    if ctx.kind != "inplace" and ctx.row != "detach_":
        return False
    if ctx.row == "detach_":
        return (ctx.args[0].var or "") in ctx.g.matmul_results
    if not ctx.tracked():
        return False
    if ctx.row == "setitem" or ctx.row == "setitem:int_tensor":
        return True  # basic-index assignment; bool-mask assignment records a node
    return _ours_view(ctx, ctx.args[0].var)


def _overlap_write(ctx: Ctx) -> bool:
    return ctx.kind == "inplace" and _overlapping(ctx.target())


def _bool_sub_abs(ctx: Ctx) -> bool:
    if ctx.is_("sub"):
        return any(_cat(a.value) == 0 for a in ctx.args if a.kind in ("scalar", "var"))
    return ctx.is_("abs") and dname(ctx.args[0].value) == "bool"


def _rdiv_output_written(ctx: Ctx) -> bool:
    return _written_output_of(ctx, ctx.g.rdiv_saved)


def _second_backward(ctx: Ctx) -> bool:
    return ctx.kind == "backward" and ctx.g.graph_freed


def _bool_refused(ctx: Ctx) -> bool:
    if ctx.is_("sign"):
        return dname(ctx.args[0].value) == "bool"
    if ctx.is_("pow"):
        return all(_cat(a.value) == 0 for a in ctx.args if a.kind in ("scalar", "var"))
    return False


def _bool_argmax(ctx: Ctx) -> bool:
    return ctx.is_("argmax", "argmin") and dname(ctx.args[0].value) == "bool"


def _clamp_nan_bound(ctx: Ctx) -> bool:
    return ctx.is_("clamp", "clip", "clamp_") and any(
        isinstance(s, float) and math.isnan(s) for s in ctx.scalars()
    )


def _layout(ctx: Ctx) -> bool:
    return ctx.row in LAYOUT_SENSITIVE and ctx.args[0].var in ctx.g.layout_differs


def _grad_duplicate_inputs(ctx: Ctx) -> bool:
    if ctx.row != "autograd.grad":
        return False
    ids = [id(a.value) for a in ctx.args[1:]]
    return len(set(ids)) < len(ids)


def _flatten_1d(ctx: Ctx) -> bool:
    return ctx.row == "flatten" and ctx.args[0].value.dim() == 1


def _detach_view_torch(ctx: Ctx) -> bool:
    return ctx.row == "detach_" and ctx.args[0].value._base is not None


def _cast_saved_input(ctx: Ctx) -> bool:
    """An in-place write into a tensor an op autograd recorded took in another dtype than the
    op computes in (an int/bool tensor, float32 with float64): PyTorch saved the tensor (a
    version error at backward), pyautograd a converted copy (no error, the right gradient)."""
    return ctx.kind == "inplace" and _aliases_any(ctx, ctx.target(), ctx.g.cast_inputs)


def _empty_matmul_dtypes(ctx: Ctx) -> bool:
    if not ctx.is_("matmul", "mm", "bmm") or len(ctx.tensors()) < 2:
        return False
    a, b = ctx.tensors()[:2]
    return a.dtype != b.dtype and (a.numel() == 0 or b.numel() == 0)


def _nonfloat_requires_grad(ctx: Ctx) -> bool:
    """PyTorch marks an int/bool tensor requires_grad when a value that requires grad is
    written into it in place (fill_, copy_, ...)."""
    return (
        ctx.kind == "inplace"
        and ctx.tracked()
        and dname(ctx.target()) not in ("float32", "float64")
    )


def _pow_bool_exponent_grad(ctx: Ctx) -> bool:
    """PyTorch's pow backward computes ``exponent - 1`` and fails for a bool exponent tensor."""
    if not ctx.is_("pow") or ctx.row == "pow:rop":
        return False
    e = ctx.args[1]
    return e.is_tensor and dname(e.value) == "bool" and ctx.tracked()


def _aliases_any(ctx: Ctx, t: Any, names: set[str]) -> bool:
    """t shares memory with (or is) one of the named variables."""
    p = _storage(t) if t.numel() else None
    r = _root(t)
    for n in names:
        u = ctx.g.ns.get(n)
        if not hasattr(u, "_base"):
            continue
        if u is t or _root(u) is r or (p is not None and u.numel() and _storage(u) == p):
            return True
    return False


def _written_output_of(ctx: Ctx, names: set[str]) -> bool:
    return ctx.kind == "inplace" and _aliases_any(ctx, ctx.target(), names)


def reachable_leaves(t: Any) -> set[int]:
    """ids of the leaves that require grad whose gradient flows from t (PyTorch's graph)."""
    out: set[int] = set()
    seen: set[int] = set()
    stack = [t.grad_fn] if t.grad_fn is not None else []
    if t.grad_fn is None and t.requires_grad:
        out.add(id(t))
    while stack:
        fn = stack.pop()
        if fn is None or id(fn) in seen:
            continue
        seen.add(id(fn))
        var = getattr(fn, "variable", None)
        if var is not None:
            out.add(id(var))
        stack.extend(f for f, _ in fn.next_functions)
    return out


def _grad_partial(ctx: Ctx) -> bool:
    """autograd.grad asked for less than every leaf below the output, or for a non-leaf:
    PyTorch runs only the nodes leading to the inputs, pyautograd the whole graph."""
    if ctx.row != "autograd.grad":
        return False
    ins = [a.value for a in ctx.args[1:]]
    if any(not t.is_leaf for t in ins):
        return True
    return not reachable_leaves(ctx.args[0].value) <= {id(t) for t in ins}


def _partial_overlap(ctx: Ctx) -> bool:
    """An in-place op whose operand shares memory with the target, laid out differently."""
    if ctx.kind != "inplace":
        return False
    t = ctx.target()
    for a in ctx.args[1:]:
        u = a.value if a.is_tensor else None
        if u is None or u is t or u.numel() == 0 or t.numel() == 0:
            continue
        if _storage(u) == _storage(t) and (
            (tuple(u.shape), u.stride(), u.storage_offset())
            != (tuple(t.shape), t.stride(), t.storage_offset())
        ):
            return True
    return False


def _int_overflow_write(ctx: Ctx) -> bool:
    """A Python float no int64 can hold (inf, nan, 1e30) written into an int64 tensor."""
    if not ctx.is_("setitem", "fill_", "masked_fill_", "masked_fill", "full_like"):
        return False
    if dname(ctx.args[0].value) != "int64":
        return False
    return any(
        isinstance(v, float) and not (math.isfinite(v) and abs(v) < 2.0**63) for v in ctx.scalars()
    )


def _pow_bool_scalar_base(ctx: Ctx) -> bool:
    """PyTorch's backward of ``True ** t`` fails an internal assert."""
    return ctx.row == "pow:rop" and isinstance(ctx.args[1].value, bool) and ctx.tracked()


def _detach_clears_grad(ctx: Ctx) -> bool:
    return ctx.row == "detach_" and ctx.args[0].value.grad is not None


def _requires_grad_false(ctx: Ctx) -> bool:
    return ctx.row == "requires_grad_false" and bool(ctx.args[0].value.requires_grad)


def _value_grad_dropped(ctx: Ctx) -> bool:
    """fill_, masked_fill_ and bool-mask assignment of a tensor value that requires grad."""
    if not ctx.is_("fill_", "masked_fill_") and ctx.row != "setitem:mask":
        return False
    v = ctx.args[-1]
    return v.is_tensor and bool(v.value.requires_grad) and not ctx.no_grad


def _dup_dims_0d(ctx: Ctx) -> bool:
    return (
        any(
            a.kind == "dims" and isinstance(a.value, tuple) and len(set(a.value)) < len(a.value)
            for a in ctx.args
        )
        and ctx.args[0].is_tensor
        and ctx.args[0].value.dim() == 0
    )


NN_MISSING = ("gelu", "silu", "elu", "softplus", "leaky_relu", "hardtanh", "relu6", "softmax",
              "log_softmax", "nll_loss")  # fmt: skip
NN_ELEMENTWISE_LOSSES = ("nn:mse_loss", "nn:l1_loss", "nn:smooth_l1_loss")


def _rows(*names: str) -> Callable[[Ctx], bool]:
    return lambda ctx: ctx.row in names


@dataclass(frozen=True)
class Gate:
    item: str  # "issue 10 #N", "new", or "torch"
    hides: str  # what the generator stops drawing
    applies: Callable[[Ctx], bool]


G = Gate
KNOWN_DIVERGENCES: dict[str, Gate] = {
    # ---- issue 10, wrong gradients or values ----
    "view-stale-history": G(
        "issue 10 #1",
        "in-place writes autograd records (and "
        "requires_grad_()) on a tensor sharing memory with another live "
        "tensor",
        _view_history,
    ),
    "clamp-int-bool": G(
        "issue 10 #2",
        "clamp/clip/clamp_ of int64 with a float bound, of bool with any bound",
        _clamp_int_bool,
    ),
    "where-scalar": G(
        "issue 10 #3",
        "where() with a Python scalar of a higher category than "
        "the tensor operands (or two scalars)",
        _where_scalar,
    ),
    "zero-dim-promotion": G(
        "issue 10 #4",
        "ops mixing a 0-d tensor and a dimensioned tensor whose promotion depends on the 0-d rule",
        _zero_dim_promotion,
    ),
    "pow-int-negative": G(
        "issue 10 #5", "pow of int64/bool tensors by negative integers", _pow_negative_int
    ),
    "pow-zero-base-grad": G(
        "issue 10 #6", "pow with 0 or NaN in the base, with a gradient", _pow_zero_base
    ),
    "pow-half-edge": G(
        "issue 10 #6", "x ** 0.5 and x ** -0.5 with x holding -inf or -0.0", _pow_half_edge
    ),
    "nan-input-grad": G(
        "issue 10 #6",
        "relu, max()/min(), maximum/minimum of an input holding NaN, with a gradient",
        _nan_input,
    ),
    "nonfinite-grad-into-mask": G(
        "issue 10 #6",
        "backward passes sending an inf/NaN gradient into max()/min()/maximum/minimum/abs",
        _nonfinite_grad_into_mask,
    ),
    "grad-retain-grad": G(
        "issue 10 #7",
        "autograd.grad in a program that called retain_grad()",
        _grad_with_retain_grad,
    ),
    "no-grad-view": G(
        "issue 10 #8", "views taken under no_grad of a tensor that requires grad", _no_grad_view
    ),
    "inplace-view-refused": G(
        "issue 10 #9",
        "in-place writes autograd records into a view (or a matmul result), "
        "basic-index assignment on tracked tensors; detach_ of a matmul result",
        _inplace_on_view,
    ),
    "overlap-write": G(
        "issue 10 #10",
        "in-place writes into a tensor with a 0 stride over a "
        "dim of size != 1 (expanded, or empty)",
        _overlap_write,
    ),
    "bool-sub-abs": G("issue 10 #11", "sub with a bool operand, abs of bool", _bool_sub_abs),
    "rdiv-output-written": G(
        "issue 10 #12",
        "in-place writes into the input or the result of scalar / tensor (or views of them)",
        _rdiv_output_written,
    ),
    # ---- found by this tester (diff-findings.md) ----
    "second-backward": G(
        "new", "backward passes after one that did not retain the graph", _second_backward
    ),
    "int-tensor-index": G(
        "new",
        "indexing and index assignment with int64 tensors",
        _rows("index:int_tensor", "setitem:int_tensor"),
    ),
    "clamp-tensor-bounds": G("new", "clamp with tensor bounds", _rows("clamp:tensor")),
    "clamp-nan-bound": G("new", "clamp with a NaN bound", _clamp_nan_bound),
    "missing-function": G("new", "pyautograd.square (no function alias)", _rows("square:func")),
    "bool-sign-pow": G("new", "sign of bool, pow of bool by bool", _bool_refused),
    "bool-argmax": G("new", "argmax/argmin of bool", _bool_argmax),
    "grad-duplicate-inputs": G(
        "new", "autograd.grad with one tensor twice in inputs", _grad_duplicate_inputs
    ),
    "flatten-1d-self": G("new", "flatten() of a 1-D tensor", _flatten_1d),
    "detach_-view": G("new", "detach_() of a view", _detach_view_torch),
    "cast-saved-input": G(
        "new",
        "in-place writes into a tensor an op autograd recorded "
        "took in another dtype (int/bool, or float32 mixed with float64)",
        _cast_saved_input,
    ),
    "masked-fill-dtype": G(
        "new", "masked_fill with a 0-d tensor value of another dtype", _masked_fill_dtype
    ),
    "grad-partial-graph": G(
        "new",
        "autograd.grad with non-leaf inputs or not every leaf below the output among its inputs",
        _grad_partial,
    ),
    "inplace-partial-overlap": G(
        "new",
        "in-place ops whose operand shares memory with the target but is laid out differently",
        _partial_overlap,
    ),
    "int-overflow-write": G(
        "new", "writing inf/nan/huge Python floats into int64 tensors", _int_overflow_write
    ),
    "detach_-clears-grad": G("new", "detach_() of a leaf that has a .grad", _detach_clears_grad),
    "requires-grad-false-used": G(
        "new", "requires_grad_(False) on a tensor that requires grad", _requires_grad_false
    ),
    "value-grad-dropped": G(
        "new",
        "fill_, masked_fill_ and x[mask] = v with a tensor value v that requires grad",
        _value_grad_dropped,
    ),
    "dup-dims-0d": G(
        "new", "a repeated dim in the dims of a reduction of a 0-d tensor", _dup_dims_0d
    ),
    "retain-grad-inplace": G(
        "new",
        "in-place writes autograd records into a tensor that retains grad",
        lambda ctx: (
            ctx.kind == "inplace"
            and ctx.tracked()
            and _aliases_any(ctx, ctx.target(), ctx.g.retaining)
        ),
    ),
    "empty-contiguous": G(
        "new",
        "contiguous() of an empty tensor with other than contiguous strides",
        lambda ctx: (
            ctx.row == "contiguous"
            and ctx.args[0].value.numel() == 0
            and ctx.args[0].value.stride() != ctx.args[0].value.contiguous().stride()
        ),
    ),
    "detach_-saved": G(
        "new",
        "detach_() of a tensor an op recorded by autograd used",
        lambda ctx: ctx.row == "detach_" and _aliases_any(ctx, ctx.target(), ctx.g.tracked_vars),
    ),
    "zero-dim-max-indices": G(
        "new",
        "in-place writes into the indices max/min(dim) returned "
        "for a 0-d tensor that requires grad",
        lambda ctx: _written_output_of(ctx, ctx.g.indices_0d),
    ),
    # ---- pyautograd.nn.functional (issue 11), found by this tester ----
    "nn-ops-missing": G(
        "new",
        "nn.functional ops waiting for issue 9's ops: gelu, silu, elu, softplus, leaky_relu, "
        "hardtanh, relu6, softmax, log_softmax (and nll_loss over log_softmax)",
        _rows(*(f"nn:{o}" for o in NN_MISSING)),
    ),
    "nn-loss-int-input": G(
        "new",
        "mse/l1/smooth_l1 losses of an int64 input",
        lambda ctx: ctx.row in NN_ELEMENTWISE_LOSSES and dname(ctx.args[0].value) == "int64",
    ),
    "nn-loss-saves-inputs": G(
        "new",
        "in-place writes into the inputs of l1_loss / cross_entropy autograd recorded "
        "(PyTorch saves input - target / log_softmax's output instead)",
        lambda ctx: _written_output_of(ctx, ctx.g.nn_saved),
    ),
    "nn-cross-entropy-inf-logit": G(
        "new",
        "cross_entropy of logits holding +inf",
        lambda ctx: (
            ctx.row in ("nn:cross_entropy", "nn:nll_loss")
            and _has(ctx.args[0].value, lambda v: v == math.inf)
        ),
    ),
    "nn-loss-result-view": G(
        "new",
        "in-place writes autograd records into the result of cross_entropy/nll_loss",
        lambda ctx: (
            ctx.kind == "inplace"
            and ctx.tracked()
            and ctx.g.made_by.get(ctx.args[0].var or "", "") in ("nn:cross_entropy", "nn:nll_loss")
        ),
    ),
    # ---- PyTorch behaviour not to copy ----
    "torch-pow-saves-result": G(
        "torch",
        "in-place writes into the result of tensor ** tensor "
        "(PyTorch saves it even when no derivative needs it)",
        lambda ctx: _written_output_of(ctx, ctx.g.pow_outputs),
    ),
    "torch-pow-bool-scalar-base": G(
        "torch", "True ** t / False ** t with a gradient", _pow_bool_scalar_base
    ),
    "torch-data-write-saved": G(
        "torch",
        "writes through .data into a tensor an op recorded "
        "by autograd used (its gradient then depends on whether each "
        "library saved that tensor or a copy)",
        lambda ctx: (
            ctx.row == "data:inplace" and _aliases_any(ctx, ctx.target(), ctx.g.tracked_vars)
        ),
    ),
    "torch-matmul-saves-copy": G(
        "torch",
        "in-place writes into an operand of a matmul with a 3-D or wider operand (PyTorch "
        "may save a folded copy and not notice the write)",
        lambda ctx: _written_output_of(ctx, ctx.g.matmul_operands),
    ),
    "torch-0d-mask-assign-dtype": G(
        "torch",
        "x[mask] = v for a 0-d x and a tensor v of another dtype (PyTorch's index_put path "
        "raises there only; for any other x it casts v)",
        lambda ctx: (
            ctx.row == "setitem:mask"
            and ctx.args[0].value.dim() == 0
            and ctx.args[2].is_tensor
            and ctx.args[2].value.dtype != ctx.args[0].value.dtype
        ),
    ),
    "torch-partial-backward": G(
        "torch",
        "comparing .grad after a backward pass PyTorch "
        "aborted (it has accumulated into some leaves already)",
        lambda ctx: False,
    ),
    "torch-layout": G(
        "torch",
        "view/reshape/flatten/contiguous of a tensor whose strides "
        "PyTorch took from an op's inputs (view or copy is unspecified)",
        _layout,
    ),
    "torch-empty-matmul-dtypes": G(
        "torch",
        "matmul/mm/bmm of operands of different dtypes when one is empty",
        _empty_matmul_dtypes,
    ),
    "torch-nonfloat-requires-grad": G(
        "torch", "in-place writes autograd records into int/bool tensors", _nonfloat_requires_grad
    ),
    "torch-pow-bool-exponent-grad": G(
        "torch", "pow by a bool exponent tensor with a gradient", _pow_bool_exponent_grad
    ),
}


def active() -> dict[str, Gate]:
    return KNOWN_DIVERGENCES
