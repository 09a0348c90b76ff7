"""The predicates of the known-divergence gates (known.py): what a draw looks like for each
class, decided from PyTorch's values and the generator's bookkeeping (gen.py)."""

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


def has(x: Any, pred: Callable[[float], bool]) -> bool:
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
def view_history(ctx: Ctx) -> bool:
    if ctx.row == "requires_grad_":
        return _aliased(ctx, ctx.target())
    return ctx.kind == "inplace" and ctx.tracked() and _aliased(ctx, ctx.target())


def clamp_int_bool(ctx: Ctx) -> bool:
    if not ctx.is_("clamp", "clip", "clamp_"):
        return False
    d = dname(ctx.args[0].value)
    return d == "bool" or (d == "int64" and any(isinstance(s, float) for s in ctx.scalars()))


def where_scalar(ctx: Ctx) -> bool:
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


def zero_dim_promotion(ctx: Ctx) -> bool:
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


def pow_negative_int(ctx: Ctx) -> bool:
    if not ctx.is_("pow"):
        return False
    base, exp = (ctx.args[1], ctx.args[0]) if ctx.row == "pow:rop" else (ctx.args[0], ctx.args[1])
    if not base.is_tensor or dname(base.value) not in ("int64", "bool"):
        return False
    if exp.kind == "scalar":
        return _cat(exp.value) <= 1 and exp.value < 0
    return exp.is_tensor and _cat(exp.value) <= 1 and has(exp.value, lambda v: v < 0)


def pow_half_edge(ctx: Ctx) -> bool:
    """PyTorch computes x ** 0.5 as sqrt(x) and x ** -0.5 as rsqrt(x): -inf and -0.0 differ."""
    if not ctx.is_("pow") or ctx.row == "pow:rop":
        return False
    e = ctx.args[1]
    if e.kind != "scalar" or e.value not in (0.5, -0.5):
        return False
    return has(ctx.args[0].value, lambda v: v == -math.inf or (v == 0 and math.copysign(1, v) < 0))


def nonfinite_grad_into(ctx: Ctx, rows: tuple[str, ...]) -> bool:
    """A backward pass would send an inf/NaN gradient into the result of one of these rows."""
    if ctx.kind != "backward":
        return False
    g = ctx.g
    outs = [n for n in g.vars if g.made_by.get(n) in rows and g.ns[n].requires_grad]
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


#: nn rows whose fused backward combines the incoming gradient's row sums with it: an inf/NaN
#: gradient gives other non-finite patterns than PyTorch's formulas
NN_FUSED_BACKWARD = ("nn:layer_norm", "nn:linear", "nn:mse_loss", "nn:l1_loss",
                     "nn:smooth_l1_loss", "nn:huber_loss", "nn:bce", "nn:bce_logits",
                     "nn:cross_entropy", "nn:nll_loss", "nn:softmax", "nn:log_softmax")  # fmt: skip


def nn_nonfinite_grad(ctx: Ctx) -> bool:
    if ctx.row == "nn:layer_norm" and ctx.tracked():  # inf/NaN in input, weight or bias
        return any(has(t, lambda v: not math.isfinite(v)) for t in ctx.tensors())
    return nonfinite_grad_into(ctx, NN_FUSED_BACKWARD)


def grad_with_retain_grad(ctx: Ctx) -> bool:
    return ctx.row == "autograd.grad" and bool(ctx.g.retaining)


def no_grad_view(ctx: Ctx) -> bool:
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


def inplace_on_view(ctx: Ctx) -> bool:
    if ctx.kind != "inplace" and ctx.row != "detach_":
        return False
    if ctx.row == "detach_":
        return (ctx.args[0].var or "") in ctx.g.matmul_results
    if not ctx.tracked():
        return False
    if ctx.row == "setitem" or ctx.row == "setitem:int_tensor":
        return True  # basic-index assignment; bool-mask assignment records a node
    return _ours_view(ctx, ctx.args[0].var)


def overlap_write(ctx: Ctx) -> bool:
    return ctx.kind == "inplace" and _overlapping(ctx.target())


def bool_sub_abs(ctx: Ctx) -> bool:
    if ctx.is_("sub"):
        return any(_cat(a.value) == 0 for a in ctx.args if a.kind in ("scalar", "var"))
    return ctx.is_("abs") and dname(ctx.args[0].value) == "bool"


def layout(ctx: Ctx) -> bool:
    return ctx.row in LAYOUT_SENSITIVE and ctx.args[0].var in ctx.g.layout_differs


def cast_saved_input(ctx: Ctx) -> bool:
    """An in-place write into a tensor an op autograd recorded took in another dtype than the
    op computes in (an int/bool tensor, float32 with float64), or took non-contiguous into a
    fused op: PyTorch saved the tensor (a version error at backward), pyautograd a converted or
    contiguous copy (no error, the right gradient)."""
    return ctx.kind == "inplace" and aliases_any(ctx, ctx.target(), ctx.g.cast_inputs)


def empty_matmul_dtypes(ctx: Ctx) -> bool:
    if not ctx.is_("matmul", "mm", "bmm", "baddbmm", "addbmm", "addmm") or len(ctx.tensors()) < 2:
        return False
    ts = ctx.tensors()
    return len({t.dtype for t in ts}) > 1 and any(t.numel() == 0 for t in ts)


def nonfloat_requires_grad(ctx: Ctx) -> bool:
    """PyTorch marks an int/bool tensor requires_grad when a value that requires grad is
    written into it in place (fill_, copy_, ...)."""
    return (
        ctx.kind == "inplace"
        and ctx.tracked()
        and dname(ctx.target()) not in ("float32", "float64")
    )


def pow_bool_exponent_grad(ctx: Ctx) -> bool:
    """PyTorch's pow backward computes ``exponent - 1`` and fails for a bool exponent tensor."""
    if not ctx.is_("pow") or ctx.row == "pow:rop":
        return False
    e = ctx.args[1]
    return e.is_tensor and dname(e.value) == "bool" and ctx.tracked()


def aliases_any(ctx: Ctx, t: Any, names: set[str]) -> bool:
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


def written_output_of(ctx: Ctx, names: set[str]) -> bool:
    return ctx.kind == "inplace" and aliases_any(ctx, ctx.target(), names)


def is_leaf(t: Any) -> bool | None:
    """t.is_leaf, or None where reading it raises (both libraries raise for a view made under
    no_grad whose base changed in place since)."""
    try:
        return bool(t.is_leaf)
    except RuntimeError:
        return None


def reachable_leaves(t: Any) -> set[int]:
    """ids of the leaves that require grad whose gradient flows from t (PyTorch's graph)."""
    out: set[int] = set()
    seen: set[int] = set()
    try:
        fn0 = t.grad_fn
    except RuntimeError:  # a view made under no_grad whose base changed in place: no graph
        return out
    stack = [fn0] if fn0 is not None else []
    if fn0 is None and t.requires_grad:
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


def partial_overlap(ctx: Ctx) -> bool:
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


def pow_bool_scalar_base(ctx: Ctx) -> bool:
    """PyTorch's backward of ``True ** t`` fails an internal assert."""
    return ctx.row == "pow:rop" and isinstance(ctx.args[1].value, bool) and ctx.tracked()


def value_grad_dropped(ctx: Ctx) -> bool:
    """fill_, masked_fill_ and bool-mask assignment of a tensor value that requires grad."""
    if not ctx.is_("fill_", "masked_fill_") and ctx.row != "setitem:mask":
        return False
    v = ctx.args[-1]
    return v.is_tensor and bool(v.value.requires_grad) and not ctx.no_grad


NN_ELEMENTWISE_LOSSES = ("nn:mse_loss", "nn:l1_loss", "nn:smooth_l1_loss")


def rows(*names: str) -> Callable[[Ctx], bool]:
    return lambda ctx: ctx.row in names


def layer_norm_near_constant(ctx: Ctx) -> bool:
    """layer_norm over rows whose spread is tiny next to their mean (or of one element)."""
    if ctx.row != "nn:layer_norm":
        return False
    x = ctx.args[0].value
    k = len(ctx.args[1].value)
    if x.numel() == 0 or x.dim() < k:
        return False
    rows = x.detach().double().reshape(-1, *x.shape[x.dim() - k :]).flatten(1)
    if rows.shape[1] <= 1:
        return True
    var = rows.var(dim=1, unbiased=False)
    mean = rows.mean(dim=1)
    return bool((var < 1e-2 * (mean * mean + 1e-2)).any())


def _bshape(*shapes: tuple[int, ...]) -> tuple[int, ...]:
    """The broadcast shape of shapes that broadcast (the draws PyTorch accepted)."""
    r = max(len(s) for s in shapes)
    out = [1] * r
    for s in shapes:
        for i, n in enumerate(s, r - len(s)):
            out[i] = n if out[i] == 1 else out[i]
    return tuple(out)


def clamp_broadcast_backward(ctx: Ctx) -> bool:
    """clamp with two tensor bounds where PyTorch's backward raises: its clamp_backward_min_max
    ands two masks in place (``self_ge_min.logical_and_(self_le_max)`` for the input,
    ``self_lt_min.logical_and_(min_lt_max)`` for min, ``self_gt_max.logical_or_(max_lt_min)``
    for max) into one narrower than the broadcast of all three."""
    if not ctx.is_("clamp", "clip") or not ctx.tracked() or len(ctx.args) < 3:
        return False
    x, lo, hi = (a.value for a in ctx.args[:3])
    if not (ctx.args[1].is_tensor and ctx.args[2].is_tensor):
        return False
    sx, slo, shi = tuple(x.shape), tuple(lo.shape), tuple(hi.shape)
    full = _bshape(sx, slo, shi)
    narrower = (
        (x.requires_grad and _bshape(sx, slo) != full)
        or (lo.requires_grad and _bshape(sx, slo) != full)
        or (hi.requires_grad and _bshape(sx, shi) != full)
    )
    return bool(narrower)


def _no_grad_view(t: Any) -> bool:
    """A view made under no_grad of a tensor that requires grad (no history of its own)."""
    try:
        return bool(t._base is not None and t.requires_grad and t.grad_fn is None)
    except RuntimeError:  # its remade history is refused (PyTorch's no_grad view rule)
        return False


def op_on_no_grad_view(ctx: Ctx) -> bool:
    """A recorded op taking a no_grad view: PyTorch's node saves its inputs as for any input
    that requires grad (an in-place write into the other operand then fails its backward);
    pyautograd's node has no edge to the view and saves only what a needed gradient reads."""
    return ctx.kind == "op" and not ctx.no_grad and any(_no_grad_view(t) for t in ctx.tensors())


def gelu_strided_grad(ctx: Ctx) -> bool:
    """backward(g) with a non-contiguous g of 3+ dims in a program with a tracked gelu output:
    PyTorch's oneDNN gelu backward raises "could not construct a memory descriptor using
    strides" for some such layouts (g = t[:, ::2] of a (2, 5, 2) t)."""
    if ctx.row != "backward:gradient" or len(ctx.args) < 2:
        return False
    go = ctx.args[1].value
    if not hasattr(go, "is_contiguous") or go.dim() < 3 or go.is_contiguous():
        return False
    g = ctx.g
    return any(g.made_by.get(n) == "nn:gelu" and g.ns[n].requires_grad for n in g.vars)


def linear_view_detach_(ctx: Ctx) -> bool:
    """detach_() of an F.linear result that PyTorch returns as a view (with a bias, of a 1-D or
    3-D+ input: a view of its addmm result; pyautograd's is a tensor of its own)."""
    if ctx.row != "detach_":
        return False
    name = ctx.args[0].var
    return bool(name and ctx.g.made_by.get(name) == "nn:linear" and ctx.target()._base is not None)


def _reduced_dim(ctx: Ctx) -> tuple[Any, int] | None:
    t = ctx.args[0].value
    if len(ctx.args) < 2 or not isinstance(ctx.args[1].value, int):
        return None
    n = max(t.dim(), 1)
    d = ctx.args[1].value
    if not -n <= d < n:
        return None
    return t, d % n


def tie_order(ctx: Ctx) -> bool:
    """A selection op with indices over a dim that holds equal values (or NaNs)."""
    if ctx.op() not in ("sort", "topk", "kthvalue", "median", "mode", "nanmedian"):
        return False
    if ctx.row in ("median:all", "nanmedian:all"):  # the gradient is shared among ties
        return False
    # values alone are the same whichever tie is chosen; their gradient is routed by it
    if ctx.row in ("sort:desc", "sort:values", "topk:values") and not ctx.tracked():
        return False
    rd = _reduced_dim(ctx)
    if rd is None:
        return False
    t, d = rd
    if t.numel() == 0 or t.dim() == 0:
        return False
    x = t.detach().double().movedim(d, -1)
    s = x.sort(-1).values
    same = (s[..., 1:] == s[..., :-1]) | (s[..., 1:].isnan() & s[..., :-1].isnan())
    return bool(same.any())


def select_zero_stride(ctx: Ctx) -> bool:
    if ctx.row not in ("median:dim", "kthvalue", "mode", "nanmedian:dim"):
        return False
    t = ctx.args[0].value
    return any(st == 0 and n > 1 for st, n in zip(t.stride(), t.shape, strict=True))


MULTI_OUTPUT_VIEW_ROWS = ("split", "split:first", "split:sizes", "chunk", "chunk:last",
                          "tensor_split", "unbind", "unbind:first")  # fmt: skip


def multi_output_view_write(ctx: Ctx) -> bool:
    """An in-place write, with grad mode on, into an output of split/chunk/unbind or into the
    tensor they split (PyTorch forbids in-place changes of such views, and regenerating
    their grad_fn after their base changed)."""
    if ctx.kind != "inplace" or ctx.no_grad:
        return False
    outs = {v for v, r in ctx.g.made_by.items() if r in MULTI_OUTPUT_VIEW_ROWS}
    srcs = set(ctx.g.split_bases)
    return aliases_any(ctx, ctx.target(), outs | srcs)


def multi_output_view_no_grad_write(ctx: Ctx) -> bool:
    """An in-place write under no_grad into an output of split/chunk/unbind, or the tensor
    they split, that requires grad."""
    if ctx.kind != "inplace" or not ctx.no_grad or not ctx.target().requires_grad:
        return False
    outs = {v for v, r in ctx.g.made_by.items() if r in MULTI_OUTPUT_VIEW_ROWS}
    return aliases_any(ctx, ctx.target(), outs | set(ctx.g.split_bases))


def unfold_write(ctx: Ctx) -> bool:
    """An in-place write into an unfold result (PyTorch's is a view, pyautograd's a copy)."""
    if ctx.kind != "inplace":
        return False
    outs = {v for v, r in ctx.g.made_by.items() if r == "unfold"}
    return bool(outs) and aliases_any(ctx, ctx.target(), outs)


def backward_again_through(ctx: Ctx, rows: tuple[str, ...]) -> bool:
    """A backward pass after the graph was freed, with an output of one of rows in the
    program (PyTorch's node for it saves nothing, so a second pass does not raise)."""
    return (
        ctx.kind == "backward"
        and ctx.g.graph_freed
        and any(r in rows for r in ctx.g.made_by.values())
    )


def index_put_accumulate_out_of_range(ctx: Ctx) -> bool:
    """index_put_((index,), v, accumulate=True) whose index holds a value outside
    [-n, n) for the target's first dimension n."""
    if ctx.row != "index_put_" or len(ctx.args) < 4 or ctx.args[3].code != "True":
        return False
    t, idx = ctx.args[0].value, ctx.args[1].value
    if t.dim() == 0 or not hasattr(idx, "tolist"):
        return False
    n = t.shape[0]
    vals = idx.reshape(-1).tolist()
    return any(isinstance(i, int) and not -n <= i < n for i in vals)
