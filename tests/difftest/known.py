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
from dataclasses import dataclass

import predicates as P
from predicates import Ctx, reachable_leaves

__all__ = ["KNOWN_DIVERGENCES", "Ctx", "Gate", "reachable_leaves"]


@dataclass(frozen=True)
class Gate:
    item: str  # "issue 10 #N", "new", or "torch"
    hides: str  # what the generator stops drawing
    applies: Callable[[Ctx], bool]


G = Gate
KNOWN_DIVERGENCES: dict[str, Gate] = {
    # ---- found by this tester (diff-findings.md) ----
    "cast-saved-input": G(
        "new",
        "in-place writes into a tensor an op autograd recorded took in another dtype "
        "(int/bool, or float32 mixed with float64), or non-contiguous into matmul or an nn op",
        P.cast_saved_input,
    ),
    "inplace-partial-overlap": G(
        "new",
        "in-place ops whose operand shares memory with the target but is laid out differently",
        P.partial_overlap,
    ),
    "op-on-no-grad-view": G(
        "new",
        "ops recorded by autograd that take a view made under no_grad of a tensor requiring "
        "grad (PyTorch saves the other operands for backward, pyautograd does not)",
        P.op_on_no_grad_view,
    ),
    # ---- pyautograd.nn.functional (issue 11), found by this tester ----
    "nn-layer-norm-near-constant": G(
        "new",
        "layer_norm of rows whose spread is tiny next to their mean (float32 gradients lose "
        "accuracy)",
        P.layer_norm_near_constant,
    ),
    "nn-nonfinite-grad": G(
        "new",
        "backward passes sending an inf/NaN gradient into a fused nn op (layer_norm, linear, "
        "losses); layer_norm of inf/NaN inputs, weights or biases, with a gradient",
        P.nn_nonfinite_grad,
    ),
    # ---- PyTorch behaviour not to copy ----
    "torch-pow-saves-result": G(
        "torch",
        "in-place writes into the result of tensor ** tensor "
        "(PyTorch saves it even when no derivative needs it)",
        lambda ctx: P.written_output_of(ctx, ctx.g.pow_outputs),
    ),
    "torch-pow-bool-scalar-base": G(
        "torch", "True ** t / False ** t with a gradient", P.pow_bool_scalar_base
    ),
    "torch-data-write-saved": G(
        "torch",
        "writes through .data into a tensor an op recorded "
        "by autograd used (its gradient then depends on whether each "
        "library saved that tensor or a copy)",
        lambda ctx: (
            ctx.row == "data:inplace" and P.aliases_any(ctx, ctx.target(), ctx.g.tracked_vars)
        ),
    ),
    "torch-matmul-saves-copy": G(
        "torch",
        "in-place writes into an operand of a matmul with a 3-D or wider operand (PyTorch "
        "may save a folded copy and not notice the write)",
        lambda ctx: P.written_output_of(ctx, ctx.g.matmul_operands),
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
    "torch-layer-norm-saves-bias": G(
        "torch",
        "in-place writes into the bias of a layer_norm autograd recorded (PyTorch saves it, "
        "no derivative needs it)",
        lambda ctx: P.written_output_of(ctx, ctx.g.ln_bias),
    ),
    "torch-rpow-saves-exponent": G(
        "torch",
        "in-place writes into the exponent of scalar ** tensor autograd recorded (PyTorch "
        "saves it; the derivative needs only the result)",
        lambda ctx: P.written_output_of(ctx, ctx.g.rpow_exponents),
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
        P.layout,
    ),
    "torch-empty-matmul-dtypes": G(
        "torch",
        "matmul/mm/bmm of operands of different dtypes when one is empty",
        P.empty_matmul_dtypes,
    ),
    "torch-nonfloat-requires-grad": G(
        "torch", "in-place writes autograd records into int/bool tensors", P.nonfloat_requires_grad
    ),
    "torch-hardtanh-nan-grad": G(
        "torch",
        "hardtanh/relu6 of an input holding NaN, with a gradient (PyTorch's backward passes the "
        "gradient at NaN in its scalar loop and drops it in its SIMD loop, so the answer "
        "depends on the tensor's size; elu's too: pyautograd passes g at NaN as PyTorch's scalar "
        "loop does; celu, selu, hardswish, softshrink likewise)",
        lambda ctx: (
            ctx.row
            in (
                "nn:hardtanh",
                "nn:relu6",
                "nn:elu",
                "nn:elu_alpha",
                "nn:celu",
                "nn:selu",
                "nn:hardswish",
                "nn:softshrink",
            )
            and ctx.tracked()
            and any(P.has(t, math.isnan) for t in ctx.tensors())
        ),
    ),
    "torch-clamp-broadcast-backward": G(
        "torch",
        "clamp with two tensor bounds, with a gradient, whose broadcast shape is wider than "
        "what PyTorch's backward ands its masks into in place (its backward raises there; "
        "pyautograd's gradients are right)",
        P.clamp_broadcast_backward,
    ),
    "torch-pow-bool-exponent-grad": G(
        "torch", "pow by a bool exponent tensor with a gradient", P.pow_bool_exponent_grad
    ),
    "torch-linear-view": G(
        "torch",
        "detach_() of an F.linear result with a bias of a 1-D or 3-D+ input (PyTorch returns a "
        "view of its addmm result and refuses to detach a view in place; pyautograd's result "
        "is a tensor of its own)",
        P.linear_view_detach_,
    ),
    "torch-scatter-src-grad": G(
        "torch",
        "scatter/scatter_add/scatter_reduce with a gradient into a src larger than the index "
        "(PyTorch's backward returns a gradient of the index's shape and raises 'invalid "
        "gradient'; pyautograd's is src's shape, zero outside the index)",
        lambda ctx: (
            ctx.op() in ("scatter", "scatter_", "scatter_add", "scatter_add_", "scatter_reduce")
            and len(ctx.args) > 3
            and ctx.args[3].is_tensor
            and ctx.tracked()
            and tuple(ctx.args[3].value.shape) != tuple(ctx.args[2].value.shape)
        ),
    ),
    "torch-tie-order": G(
        "torch",
        "indices of sort (unstable), topk, kthvalue, median(dim), mode over a dim holding equal "
        "values (PyTorch's choice among ties is unspecified; pyautograd's sort is stable)",
        P.tie_order,
    ),
    "torch-select-zero-stride": G(
        "torch",
        "median(dim)/kthvalue/mode/nanmedian(dim) of a tensor with a zero stride (an expand): "
        "PyTorch reads past the elements and returns garbage",
        P.select_zero_stride,
    ),
    "torch-ldexp-int-grad": G(
        "torch",
        "ldexp by an integer exponent tensor, with a gradient (PyTorch computes 2**e in "
        "integers for the derivative: 2**-2 is 0)",
        lambda ctx: (
            ctx.op() == "ldexp"
            and ctx.tracked()
            and any(not t.is_floating_point() for t in ctx.tensors()[1:])
        ),
    ),
    "torch-addcdiv-int-self": G(
        "torch",
        "addcdiv with an integer operand, with a gradient (PyTorch computes a float result and "
        "then refuses to cast a gradient to the integer dtype in backward)",
        lambda ctx: (
            ctx.op() in ("addcdiv", "addcdiv_")
            and ctx.tracked()
            and not all(t.is_floating_point() for t in ctx.tensors())
        ),
    ),
    "new-multi-output-views": G(
        "new",
        "in-place writes with grad mode on into outputs of split/chunk/unbind or into the "
        "tensor they split (PyTorch refuses them: multi-output views; pyautograd allows them)",
        P.multi_output_view_write,
    ),
    "new-unfold-copy": G(
        "new",
        "in-place writes into an unfold result (PyTorch's unfold is a view of its input, "
        "pyautograd's a copy)",
        P.unfold_write,
    ),
    "new-backward-again-saved": G(
        "new",
        "a second backward pass without retain_graph through tril/triu (PyTorch's nodes save "
        "nothing there; pyautograd's composites save a mask and raise)",
        lambda ctx: P.backward_again_through(ctx, ("tril", "triu", "tril:func", "triu:func")),
    ),
    "new-int-addmm-float-scale": G(
        "new",
        "addmm/baddbmm/addbmm of integer tensors with a float alpha or beta (PyTorch casts "
        "them; pyautograd refuses)",
        lambda ctx: (
            ctx.op() in ("addmm", "baddbmm", "addbmm")
            and not ctx.args[0].value.is_floating_point()
            and ("alpha=" in ctx.code or "beta=" in ctx.code)
        ),
    ),
    "new-index-add-bool-alpha": G(
        "new",
        "index_add of bool tensors with alpha (pyautograd's scatter refuses the int64 "
        "product: an internal error message)",
        lambda ctx: (
            ctx.row == "index_add:alpha"
            and ctx.args[0].value.dtype.is_floating_point is False
            and str(ctx.args[0].value.dtype).endswith("bool")
        ),
    ),
    "torch-masked-scatter-aliased": G(
        "torch",
        "masked_scatter_ whose source shares memory with the target (PyTorch reads source as "
        "it writes: the result depends on its loop)",
        lambda ctx: (
            ctx.row == "masked_scatter_"
            and P._storage(ctx.args[2].value) == P._storage(ctx.args[0].value)
        ),
    ),
    "torch-int-div-by-zero-partial": G(
        "torch",
        "div_(rounding_mode=...) of integer tensors by a divisor holding 0 (PyTorch writes "
        "part of the result before raising ZeroDivisionError)",
        lambda ctx: (
            ctx.row == "div_:mode"
            and not ctx.args[0].value.is_floating_point()
            and any(not t.is_floating_point() and bool((t == 0).any()) for t in ctx.tensors()[1:])
        ),
    ),
    "torch-mixed-dtype-backward": G(
        "torch",
        "addr/addmv/addmm of integer and float tensors with a gradient (PyTorch's forward "
        "accepts them, its backward raises on the dtypes)",
        lambda ctx: (
            ctx.op() in ("addr", "addmv", "addmm")
            and ctx.tracked()
            and len({t.dtype for t in ctx.tensors()}) > 1
        ),
    ),
    "torch-norm0-grad": G(
        "torch",
        "norm(0) with a gradient (PyTorch's backward leaves the input's grad undefined; "
        "pyautograd's is zeros)",
        lambda ctx: (
            (ctx.row == "norm:p" or ctx.row == "vector_norm")
            and ctx.args[1].value == 0
            and ctx.tracked()
        ),
    ),
    "torch-empty-bool-cumulative": G(
        "torch",
        "cumsum_/cumprod_ of an empty or 0-d bool tensor (PyTorch accepts it there only; "
        "pyautograd refuses the int64 result for bool as for any other size)",
        lambda ctx: (
            ctx.row in ("cumsum_", "cumprod_")
            and str(ctx.args[0].value.dtype).endswith("bool")
            and (ctx.args[0].value.numel() == 0 or ctx.args[0].value.dim() == 0)
        ),
    ),
    "torch-sgn-grad": G(
        "torch",
        "backward passes through sgn (PyTorch's sgn backward for real tensors raises when its "
        "gradient is read; pyautograd's is 0 as sign's)",
        lambda ctx: ctx.kind == "backward" and "sgn" in ctx.g.made_by.values(),
    ),
    "new-hypot-int": G(
        "new",
        "hypot of integer or bool tensors (PyTorch: not implemented for Long/Bool; pyautograd "
        "computes in float32)",
        lambda ctx: (
            ctx.op() in ("hypot", "hypot_")
            and not any(t.is_floating_point() for t in ctx.tensors())
        ),
    ),
    "torch-lerp-int": G(
        "torch",
        "lerp of integer tensors with a 0-d float weight (PyTorch accepts it, pyautograd "
        "refuses integer lerp as PyTorch does otherwise)",
        lambda ctx: ctx.op() in ("lerp", "lerp_") and not ctx.args[0].value.is_floating_point(),
    ),
    "torch-logaddexp-bool-grad": G(
        "torch",
        "logaddexp/logaddexp2 of a bool tensor with a gradient (PyTorch's backward subtracts "
        "the bool tensor and raises)",
        lambda ctx: (
            ctx.op() in ("logaddexp", "logaddexp2")
            and ctx.tracked()
            and any(str(t.dtype).endswith("bool") for t in ctx.tensors())
        ),
    ),
    "new-select-bool": G(
        "new",
        "kthvalue/median/mode/nanmedian of bool tensors (pyautograd refuses bool; PyTorch "
        "accepts it for some of them)",
        lambda ctx: (
            ctx.op() in ("kthvalue", "median", "nanmedian", "mode")
            and str(ctx.args[0].value.dtype).endswith("bool")
        ),
    ),
    "new-nonfinite-reduction-grad": G(
        "new",
        "std_mean/var_mean/cumprod of inputs holding inf or NaN, with a gradient or "
        "a mean (PyTorch's formulas keep some infinities where pyautograd's composites give "
        "NaN, and its Welford mean of -inf is NaN)",
        lambda ctx: (
            ctx.op() in ("std_mean", "var_mean", "cumprod", "cumprod_")
            and any(P.has(t, lambda v: not math.isfinite(v)) for t in ctx.tensors())
            and (ctx.tracked() or ctx.op() in ("std_mean", "var_mean"))
        ),
    ),
    "new-reduction-view": G(
        "new",
        "detach_() of an all()/any() result, and in-place writes into results of "
        "logsumexp/std_mean/var_mean (pyautograd's are views of an internal result: "
        "detach_ refuses views, and one made under no_grad refuses in-place writes with grad "
        "mode on; PyTorch's are tensors of their own)",
        lambda ctx: (
            ctx.kind == "inplace"
            and ctx.g.made_by.get(ctx.args[0].var or "", "").startswith(
                ("all", "any", "logsumexp", "std_mean", "var_mean")
            )
        ),
    ),
    "torch-addmv-0d-input": G(
        "torch",
        "addmv with a 0-d input, or an empty matrix (PyTorch returns the input's shape there, "
        "not the broadcast one)",
        lambda ctx: (
            ctx.op() == "addmv" and (ctx.args[2].value.dim() == 0 or ctx.args[0].value.numel() == 0)
        ),
    ),
    "torch-nan-signbit": G(
        "torch",
        "signbit of a NaN: its sign bit is the math library's choice (log(-1) is -nan from "
        "glibc, +nan from PyTorch's SLEEF); no op defines it",
        lambda ctx: ctx.op() == "signbit" and any(P.has(t, math.isnan) for t in ctx.tensors()),
    ),
    "new-nansum-nan-grad": G(
        "new",
        "nansum/nanmean of inputs holding NaN, with a gradient (PyTorch multiplies the "
        "incoming gradient by the not-NaN mask, so a NaN gradient stays NaN there; "
        "pyautograd's where() gives 0)",
        lambda ctx: (
            ctx.op() in ("nansum", "nanmean")
            and ctx.tracked()
            and any(P.has(t, math.isnan) for t in ctx.tensors())
        ),
    ),
    "torch-adv-setitem-dtype": G(
        "torch",
        "x[advanced index] = v for a tensor v of another dtype (PyTorch's index_put raises "
        "for some index forms and casts for others; pyautograd casts or raises by its own rule)",
        lambda ctx: (
            ctx.row == "setitem:adv"
            and ctx.args[2].is_tensor
            and ctx.args[2].value.dtype != ctx.args[0].value.dtype
        ),
    ),
    "torch-ldexp-saves-other": G(
        "torch",
        "in-place writes into the exponent of an ldexp autograd recorded (PyTorch saves it)",
        lambda ctx: P.written_output_of(ctx, ctx.g.special_inputs),
    ),
    "torch-roll-empty": G(
        "torch",
        "roll of an empty tensor with an out-of-range dim (PyTorch returns early, without "
        "checking the dim)",
        lambda ctx: ctx.op() == "roll" and ctx.args[0].value.numel() == 0,
    ),
    "torch-special-saves-input": G(
        "torch",
        "in-place writes into the input or output of special.log_ndtr/ndtr/ndtri/entr/xlog1py "
        "autograd recorded (PyTorch saves them; pyautograd's composites save intermediates)",
        lambda ctx: P.written_output_of(ctx, ctx.g.special_inputs),
    ),
    "torch-atan2-origin-grad": G(
        "torch",
        "atan2 at (0, 0) with a gradient (PyTorch's backward gives 0 there in some graphs; "
        "its formula, and pyautograd's, give NaN)",
        lambda ctx: (
            ctx.op() in ("atan2", "arctan2", "atan2_")
            and ctx.tracked()
            and any(P.has(t, lambda v: v == 0) for t in ctx.tensors())
        ),
    ),
    "torch-scatter-empty-index": G(
        "torch",
        "scatter/scatter_add with an empty index larger than self off the dim (PyTorch skips "
        "the shape check for an empty index)",
        lambda ctx: (
            ctx.op() in ("scatter", "scatter_", "scatter_add", "scatter_add_", "scatter_reduce")
            and len(ctx.args) > 2
            and ctx.args[2].value is not None
            and ctx.args[2].value.numel() == 0
        ),
    ),
    "torch-aminmax-saves-outputs": G(
        "torch",
        "in-place writes into an output of aminmax autograd recorded (PyTorch's one node "
        "saves both outputs; pyautograd's min and max are separate)",
        lambda ctx: P.written_output_of(
            ctx, {v for v, r in ctx.g.made_by.items() if r.startswith("aminmax")}
        ),
    ),
    "torch-div-mode-self-other": G(
        "torch",
        "t.div_(u, rounding_mode=...) with u sharing t's memory, with a gradient (PyTorch's "
        "node saves u, which the same write then changes: its backward raises)",
        lambda ctx: (
            ctx.row == "div_:mode"
            and ctx.tracked()
            and ctx.args[1].is_tensor
            and P._storage(ctx.args[1].value) == P._storage(ctx.args[0].value)
        ),
    ),
    "new-0d-index-select": G(
        "new",
        "index_select/index_copy/index_copy_ of a 0-d tensor with an index of other than one "
        "element (PyTorch: 'Index to scalar can have only 1 value'; pyautograd is lenient)",
        lambda ctx: (
            ctx.op() in ("index_select", "index_copy", "index_copy_")
            and ctx.args[0].value.dim() == 0
            and ctx.args[2].value.numel() != 1
        ),
    ),
    "new-size-of-0d": G(
        "new",
        "t.size(d) of a 0-d tensor (PyTorch raises IndexError; pyautograd returns 1)",
        lambda ctx: ctx.row == "size" and ctx.args[0].value.dim() == 0,
    ),
    "torch-gelu-simd-overflow": G(
        "torch",
        "gelu (erf form) of a float32 tensor holding inf or a value beyond 1e37 (PyTorch's "
        "SIMD loop gives NaN at inf and inf near float32's maximum; its scalar loop, which a "
        "1-element or strided tensor takes, and float64 give x, as pyautograd)",
        lambda ctx: (
            ctx.row == "nn:gelu"
            and any(
                str(t.dtype).endswith("float32") and P.has(t, lambda v: abs(v) > 1e37)
                for t in ctx.tensors()
            )
        ),
    ),
    "torch-mode-nan": G(
        "torch",
        "mode of a tensor holding NaN (PyTorch sorts each slice with <, which NaN breaks: which "
        "value wins depends on where the NaN stands)",
        lambda ctx: ctx.op() == "mode" and any(P.has(t, math.isnan) for t in ctx.tensors()),
    ),
    "torch-index-put-accumulate-partial": G(
        "torch",
        "index_put_(..., accumulate=True) with an index out of range (PyTorch adds the values "
        "at the indices before it, then raises; pyautograd checks first and writes nothing)",
        P.index_put_accumulate_out_of_range,
    ),
    "new-unfold-no-grad": G(
        "new",
        "unfold under no_grad of a tensor requiring grad (PyTorch's unfold is a view, which "
        "requires grad then; pyautograd's is a copy, which does not)",
        lambda ctx: ctx.row == "unfold" and ctx.no_grad and ctx.args[0].value.requires_grad,
    ),
    "torch-gather-saves-self": G(
        "torch",
        "in-place writes into the input of a gather autograd recorded (PyTorch's node saves "
        "it, its derivative reads only its shape)",
        lambda ctx: P.written_output_of(ctx, ctx.g.torch_saved["gather"]),
    ),
    "torch-addcdiv-saves-operands": G(
        "torch",
        "in-place writes into tensor1/tensor2 of an addcdiv autograd recorded (PyTorch's node "
        "saves tensor2 even when only self requires grad)",
        lambda ctx: P.written_output_of(ctx, ctx.g.torch_saved["addcdiv"]),
    ),
    "torch-logcumsumexp-saves-result": G(
        "torch",
        "in-place writes into the result of a logcumsumexp autograd recorded (PyTorch's node "
        "saves it; pyautograd's composite saves intermediates of its own)",
        lambda ctx: P.written_output_of(ctx, ctx.g.torch_saved["logcumsumexp"]),
    ),
    "torch-logsumexp-saves-input": G(
        "torch",
        "in-place writes into the input of a logsumexp autograd recorded (PyTorch's node saves "
        "it; pyautograd's composite saves exp(x - max), a tensor of its own)",
        lambda ctx: P.written_output_of(ctx, ctx.g.lse_inputs),
    ),
    "torch-median-empty-int": G(
        "torch",
        "median() of an empty integer tensor (PyTorch returns an uninitialized value, "
        "-9223372036854775808; its float median is NaN; pyautograd raises)",
        lambda ctx: (
            ctx.row == "median:all"
            and ctx.args[0].value.numel() == 0
            and not ctx.args[0].value.is_floating_point()
        ),
    ),
    "torch-multi-output-view-no-grad-write": G(
        "torch",
        "in-place writes under no_grad into outputs of split/chunk/unbind, or the tensor they "
        "split, that require grad (PyTorch allows the write, then raises when the view's "
        "grad_fn or is_leaf is read; pyautograd gives them a history)",
        P.multi_output_view_no_grad_write,
    ),
    "torch-index-put-expanded": G(
        "torch",
        "x[advanced index] = v, recorded by autograd, into a tensor with a zero stride (an "
        "expand: deprecated in PyTorch, which writes only the indexed elements into the "
        "shared memory; pyautograd's recorded write copies the whole result back, so a "
        "shared element ends with another value)",
        lambda ctx: (
            ctx.row in ("setitem:adv", "index_put_")
            and ctx.tracked()
            and ctx.target().numel() > 0
            and 0 in ctx.target().stride()
        ),
    ),
    "torch-unique-dim-nan": G(
        "torch",
        "unique(dim=) of a tensor holding NaN (PyTorch sorts the slices with comparisons NaN "
        "breaks: the order of slices with NaN depends on the input's)",
        lambda ctx: ctx.row == "unique:dim" and any(P.has(t, math.isnan) for t in ctx.tensors()),
    ),
    "torch-gelu-strided-grad": G(
        "torch",
        "backward(g) with a non-contiguous g of 3+ dims through gelu (PyTorch's oneDNN gelu "
        "backward raises 'could not construct a memory descriptor using strides')",
        P.gelu_strided_grad,
    ),
    "torch-unique-inverse-nan": G(
        "torch",
        "unique(return_inverse=True) of a tensor holding several NaNs (each NaN is a value of "
        "its own; which one each position's inverse names follows PyTorch's unstable sort)",
        lambda ctx: (
            ctx.row == "unique:all"
            and sum(math.isnan(v) for v in ctx.args[0].value.reshape(-1).tolist()) > 1
        ),
    ),
    "torch-cummax-empty-grad": G(
        "torch",
        "cummax/cummin of an empty tensor with a gradient (PyTorch's backward returns the input "
        "itself as the gradient, so autograd.grad hands back a tensor requiring grad)",
        lambda ctx: (
            ctx.op() in ("cummax", "cummin") and ctx.tracked() and ctx.args[0].value.numel() == 0
        ),
    ),
}


def active() -> dict[str, Gate]:
    return KNOWN_DIVERGENCES
