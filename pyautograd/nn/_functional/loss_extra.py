"""More losses of nn.functional, as compositions of core ops (gradients from the ops'):
kl_div, cosine_embedding_loss, margin_ranking_loss, hinge_embedding_loss, soft_margin_loss,
multilabel_soft_margin_loss, multi_margin_loss, triplet_margin_loss,
triplet_margin_with_distance_loss, poisson_nll_loss, gaussian_nll_loss.

Each follows PyTorch's formula term by term (ATen's composite definitions), so values, the side
a kink takes (clamp_min's gradient is 1 at the boundary, a hinge's `z > 0` is 0) and the
reductions agree.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable

import numpy as np

from ... import _core
from ..._core import Tensor
from ...autograd import no_grad
from .activation_extra import logsigmoid
from .distance import pairwise_distance
from .loss import legacy_reduction

__all__ = [
    "cosine_embedding_loss",
    "gaussian_nll_loss",
    "hinge_embedding_loss",
    "kl_div",
    "margin_ranking_loss",
    "multi_margin_loss",
    "multilabel_soft_margin_loss",
    "poisson_nll_loss",
    "soft_margin_loss",
    "triplet_margin_loss",
    "triplet_margin_with_distance_loss",
]

# ATen's `constexpr float EPSILON = 1e-12` (a float, so its double value is not 1e-12)
_EPSILON = float(np.float32(1e-12))


def _reduction(size_average: bool | None, reduce: bool | None, reduction: str) -> str:
    reduction = legacy_reduction(size_average, reduce, reduction)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _apply(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _tensors(op: str, *ts: object) -> None:
    for t in ts:
        if not isinstance(t, Tensor):
            raise TypeError(f"[{op}] expected tensors, got {type(t).__name__}")


def kl_div(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    log_target: bool = False,
) -> Tensor:
    """Kullback-Leibler divergence of log-probabilities `input` from `target` (probabilities,
    or log-probabilities with log_target=True): target * (log(target) - input), summed
    pointwise; 'batchmean' divides the sum by the batch size."""
    _tensors("kl_div", input, target)
    if size_average is not None or reduce is not None:
        red = legacy_reduction(size_average, reduce, reduction)
    else:
        if reduction == "mean":
            warnings.warn(
                "reduction: 'mean' divides the total loss by both the batch size and the support "
                "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
                "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
                "major release.",
                stacklevel=2,
            )
        red = "sum" if reduction == "batchmean" else reduction
        if red not in ("none", "mean", "sum"):
            raise ValueError(f"{reduction} is not a valid value for reduction")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        # xlogy(target, target) - target * input: 0 where target == 0, NaN where it is < 0
        tlogt = _core.where(target == 0, 0.0, target * target.log())
        loss = tlogt - target * input
    out = _apply(loss, red)
    if reduction == "batchmean" and input.dim() != 0:
        out = out / input.shape[0]
    return out


def cosine_embedding_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """1 - cos(x1, x2) where target == 1, max(0, cos(x1, x2) - margin) where target == -1."""
    _tensors("cosine_embedding_loss", input1, input2, target)
    red = _reduction(size_average, reduce, reduction)
    d = target.dim()
    if d not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if input1.dim() != d + 1:
        raise RuntimeError(
            f"{d}D target tensor expects {d + 1}D input tensors, but found inputs with sizes "
            f"{list(input1.shape)} and {list(input2.shape)}."
        )
    prod = (input1 * input2).sum(d)
    mag1 = (input1 * input1).sum(d) + _EPSILON
    mag2 = (input2 * input2).sum(d) + _EPSILON
    cos = prod / (mag1 * mag2).sqrt()
    pos = _core.where(target == 1, 1 - cos, 0.0)
    neg = _core.where(target == -1, (cos - margin).clamp_min(0), 0.0)
    return _apply(pos + neg, red)


def margin_ranking_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """max(0, -target * (x1 - x2) + margin)."""
    _tensors("margin_ranking_loss", input1, input2, target)
    red = _reduction(size_average, reduce, reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(
            "margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} "
        )
    return _apply((-target * (input1 - input2) + margin).clamp_min(0), red)


def hinge_embedding_loss(
    input: Tensor,
    target: Tensor,
    margin: float = 1.0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """x where target == 1, max(0, margin - x) where target == -1 (both terms for any other
    target value, as PyTorch)."""
    _tensors("hinge_embedding_loss", input, target)
    red = _reduction(size_average, reduce, reduction)
    margin_clamp = (margin - input).clamp_min(0)
    out_margin = _core.where(target != 1, margin_clamp, 0.0)
    out_self = _core.where(target != -1, input, 0.0)
    return _apply(out_margin + out_self, red)


def soft_margin_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """log(1 + exp(-target * x)), for targets +-1."""
    _tensors("soft_margin_loss", input, target)
    red = _reduction(size_average, reduce, reduction)
    return _apply(((-input) * target).exp().add(1).log(), red)


def multilabel_soft_margin_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """The mean over classes (the last dim) of the binary cross entropies of sigmoid(x) and
    the 0/1 targets (optionally weighted per class)."""
    _tensors("multilabel_soft_margin_loss", input, target)
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    c = input.shape[class_dim]
    loss = loss.sum(class_dim) / c
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(reduction + " is not valid")


def multi_margin_loss(
    input: Tensor,
    target: Tensor,
    p: int = 1,
    margin: float = 1.0,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """The multi-class hinge loss: for each sample the mean over classes j != y of
    max(0, w[y] (margin - x[y] + x[j]))^p (p = 1 or 2), for inputs (C,) or (N, C)."""
    _tensors("multi_margin_loss", input, target)
    red = _reduction(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    nd = input.dim()
    if not (nd in (1, 2) and input.numel() > 0) and not (nd == 2 and input.shape[0] == 0):
        raise RuntimeError(
            "Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
            f"{list(input.shape)}"
        )
    x = input.unsqueeze(0) if nd <= 1 else input
    n, c = x.shape[0], x.shape[1]
    if target.dim() > 1 or target.numel() != n:
        raise RuntimeError(
            "multi_margin_loss: target tensor should be 1-D with size equal to the number of "
            f"input samples (batch size). Expected target size [{n}], but got "
            f"{list(target.shape)}. Input has shape {list(input.shape)}."
        )
    if target.is_floating_point():
        raise RuntimeError(f"[multi_margin_loss] expected int64 class indices, got {target.dtype}")
    y = target.reshape(n, 1).long()
    if n and (bool((y < 0).any()) or bool((y >= c).any())):
        raise RuntimeError("target out of range")
    if weight is not None and weight.numel() != c:
        raise RuntimeError(f"inconsistent weight size, expected {c} but got {list(weight.shape)}")
    xy = x.gather(1, y)
    z = (margin - xy) + x
    h = z.relu()  # PyTorch adds a term where z > 0
    if p == 2:
        h = h * h
    if weight is not None:
        h = h * weight.index_select(0, y.reshape(-1)).reshape(n, 1)
    own = _core.arange(c).reshape(1, c) == y
    per_sample = _core.where(own, 0.0, h).sum(1) / c
    if nd <= 1:
        per_sample = per_sample.reshape([])
    return _apply(per_sample, red)


def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """max(0, margin + d(a, p) - d(a, n)) with the pairwise p-norm distance d (swap: d(a, n) is
    the smaller of d(a, n) and d(p, n))."""
    _tensors("triplet_margin_loss", anchor, positive, negative)
    red = _reduction(size_average, reduce, reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    a, pd, nd = anchor.dim(), positive.dim(), negative.dim()
    if not (a == pd == nd):
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number of "
            f"dimensions, but got: anchor {a}D, positive {pd}D, and negative {nd}D inputs"
        )
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = _core.minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return _apply((margin + d_pos - d_neg).clamp_min(0), red)


def triplet_margin_with_distance_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    *,
    distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
    margin: float = 1.0,
    swap: bool = False,
    reduction: str = "mean",
) -> Tensor:
    """max(0, margin + d(a, p) - d(a, n)) for any distance function d (default: the pairwise
    Euclidean distance)."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    a, pd, nd = anchor.dim(), positive.dim(), negative.dim()
    if not (a == pd == nd):
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number of "
            f"dimensions, but got: anchor {a}D, positive {pd}D, and negative {nd}D inputs"
        )
    dist = distance_function if distance_function is not None else pairwise_distance
    d_pos = dist(anchor, positive)
    d_neg = dist(anchor, negative)
    if swap:
        d_neg = _core.minimum(d_neg, dist(positive, negative))
    return _apply((margin + d_pos - d_neg).clamp_min(0), reduction)


def poisson_nll_loss(
    input: Tensor,
    target: Tensor,
    log_input: bool = True,
    full: bool = False,
    size_average: bool | None = None,
    eps: float = 1e-8,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """exp(x) - target * x (log_input), or x - target * log(x + eps); full adds Stirling's
    approximation of log(target!) where target > 1."""
    _tensors("poisson_nll_loss", input, target)
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce, reduction)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not a valid value for reduction")
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        big = target > 1
        t = _core.where(big, target, 2.0)  # no log of 0 or of negatives in the dropped part
        stirling = t * t.log() - t + 0.5 * (2 * math.pi * t).log()
        loss = loss + _core.where(big, stirling, 0.0)
    return _apply(loss, reduction)


def gaussian_nll_loss(
    input: Tensor,
    target: Tensor,
    var: Tensor | float,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> Tensor:
    """0.5 (log(var) + (input - target)^2 / var) (+ 0.5 log(2 pi) with full), var clamped at
    eps (the clamp passes the gradient through, as PyTorch's); var may have one fewer dim than
    input, or a size-1 dim."""
    _tensors("gaussian_nll_loss", input, target)
    if isinstance(var, (int, float)):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = _core.full(list(input.shape), float(var), dtype=input.dtype)
    elif bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:
            var = var.unsqueeze(-1)
        elif input.dim() == var.dim() and (
            sum(y for x, y in zip(input.shape, var.shape, strict=True) if x != y) == 1
        ):
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    # as PyTorch: a clone clamped in place under no_grad (the gradient passes the clamp)
    v = var.clone()
    with no_grad():
        v.clamp_(min=eps)
    loss = 0.5 * (v.log() + (input - target) ** 2 / v)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _apply(loss, reduction)
