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
        "loop does)",
        lambda ctx: (
            ctx.row in ("nn:hardtanh", "nn:relu6", "nn:elu")
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
    "torch-gelu-strided-grad": G(
        "torch",
        "backward(g) with a non-contiguous g of 3+ dims through gelu (PyTorch's oneDNN gelu "
        "backward raises 'could not construct a memory descriptor using strides')",
        P.gelu_strided_grad,
    ),
}


def active() -> dict[str, Gate]:
    return KNOWN_DIVERGENCES
