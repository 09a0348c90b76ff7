"""Loss functions of nn.functional; each runs as one fused C++ kernel forward and backward."""

from __future__ import annotations

import warnings

from ... import _core
from ..._core import Tensor

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "huber_loss",
    "l1_loss",
    "mse_loss",
    "nll_loss",
    "smooth_l1_loss",
]


def legacy_reduction(size_average: bool | None, reduce: bool | None, reduction: str) -> str:
    """The reduction named by the deprecated size_average/reduce arguments (if given)."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = "mean" if size_average and reduce else ("sum" if reduce else "none")
    warnings.warn(
        f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.",
        stacklevel=3,
    )
    return ret


def _weighted(
    kind: str,
    input: Tensor,
    target: Tensor,
    weight: Tensor,
    param: float,
    reduction: str,
    mean_over_weights: bool,
) -> Tensor:
    """PyTorch's per-element weighting of mse/l1/huber: 'mean' divides by the weights' sum
    (mse, l1) or by the number of elements (huber)."""
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(
            f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'."
        )
    if reduction != "mean" or not mean_over_weights:
        return _core._point_loss(kind, input, target, weight, None, param, reduction)
    total = _core._point_loss(kind, input, target, weight, None, param, "sum")
    return total / weight.sum()


def _check_tensors(op: str, input: object, target: object) -> None:
    if not isinstance(input, Tensor) or not isinstance(target, Tensor):
        raise TypeError(
            f"[{op}] expected tensors for input and target, got {type(input).__name__} and "
            f"{type(target).__name__}"
        )


def _warn_broadcast(input: Tensor, target: Tensor) -> None:
    if target.shape != input.shape:
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.",
            stacklevel=3,
        )


def mse_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """Mean squared error (input - target)^2, reduced by 'mean', 'sum' or 'none'."""
    _check_tensors("mse_loss", input, target)
    _warn_broadcast(input, target)
    reduction = legacy_reduction(size_average, reduce, reduction)
    if weight is not None:
        return _weighted("mse", input, target, weight, 0.0, reduction, True)
    return _core._point_loss("mse", input, target, None, None, 0.0, reduction)


def l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """Mean absolute error |input - target|."""
    _check_tensors("l1_loss", input, target)
    _warn_broadcast(input, target)
    reduction = legacy_reduction(size_average, reduce, reduction)
    if weight is not None:
        return _weighted("l1", input, target, weight, 0.0, reduction, True)
    return _core._point_loss("l1", input, target, None, None, 0.0, reduction)


def smooth_l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (d = input - target); beta = 0 is
    the L1 loss."""
    _check_tensors("smooth_l1_loss", input, target)
    _warn_broadcast(input, target)
    reduction = legacy_reduction(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError(
            "[smooth_l1_loss] smooth_l1_loss does not support negative values for beta."
        )
    kind = "l1" if beta == 0.0 else "smooth_l1"
    return _core._point_loss(kind, input, target, None, None, float(beta), reduction)


def huber_loss(
    input: Tensor,
    target: Tensor,
    reduction: str = "mean",
    delta: float = 1.0,
    weight: Tensor | None = None,
) -> Tensor:
    """0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta) (d = input - target)."""
    _check_tensors("huber_loss", input, target)
    _warn_broadcast(input, target)
    if delta <= 0:
        raise RuntimeError(
            "[huber_loss] huber_loss does not support non-positive values for delta."
        )
    if weight is not None:
        return _weighted("huber", input, target, weight, float(delta), reduction, False)
    return _core._point_loss("huber", input, target, None, None, float(delta), reduction)


def binary_cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """-w (y log x + (1 - y) log(1 - x)) for probabilities x in [0, 1], logs clamped at -100."""
    _check_tensors("binary_cross_entropy", input, target)
    reduction = legacy_reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}) is deprecated. Please ensure they have the same size."
        )
    return _core._point_loss("bce", input, target, weight, None, 0.0, reduction)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """Sigmoid and binary cross entropy fused, stable for large logits; pos_weight weighs the
    positive term (broadcast over the last dimension)."""
    _check_tensors("binary_cross_entropy_with_logits", input, target)
    reduction = legacy_reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(
            f"Target size ({target.shape}) must be the same as input size ({input.shape})"
        )
    return _core._point_loss("bce_with_logits", input, target, weight, pos_weight, 0.0, reduction)


def _rows(input: Tensor, target: Tensor, op: str) -> tuple[Tensor, Tensor, list[int] | None]:
    """(n, c) logits and (n,) / (n, c) targets from PyTorch's layouts: (c,) with a 0-d target,
    (n, c), or (n, c, d1, ...) with (n, d1, ...) targets; and the 'none' output shape."""
    if input.dim() == 0:
        raise ValueError(f"[{op}] expected an input of 1 or more dimensions, got 0")
    soft = target.is_floating_point()
    if input.dim() == 1:
        if soft:
            return input.unsqueeze(0), target.unsqueeze(0), []
        if target.dim() != 0:
            raise ValueError(
                f"[{op}] for an input of shape {tuple(input.shape)} (one sample) the target must "
                f"be 0-d, got shape {tuple(target.shape)}"
            )
        return input.unsqueeze(0), target.reshape(1), []
    if input.dim() == 2:
        return input, target, None
    n, c = input.shape[0], input.shape[1]
    spatial = list(input.shape[2:])
    perm = [0, *range(2, input.dim()), 1]
    x = input.permute(*perm).reshape(-1, c)
    if soft:
        if target.shape != input.shape:
            raise ValueError(
                f"[{op}] class-probability targets must have the input's shape "
                f"{tuple(input.shape)}, got {tuple(target.shape)}"
            )
        return x, target.permute(*perm).reshape(-1, c), [n, *spatial]
    if list(target.shape) != [n, *spatial]:
        raise ValueError(
            f"[{op}] expected target of shape {(n, *spatial)} for input of shape "
            f"{tuple(input.shape)}, got {tuple(target.shape)}"
        )
    return x, target.reshape(-1), [n, *spatial]


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Log-softmax over dim 1 and negative log likelihood, fused: class-index targets (int64,
    with ignore_index) or class probabilities (float, input's shape); per-class weight and
    label smoothing as in PyTorch."""
    _check_tensors("cross_entropy", input, target)
    reduction = legacy_reduction(size_average, reduce, reduction)
    x, t, none_shape = _rows(input, target, "cross_entropy")
    return _core._cross_entropy(
        x, t, weight, ignore_index, float(label_smoothing), reduction, none_shape
    )


def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log likelihood of log-probabilities (n, c) (or (c,), or (n, c, d1, ...)) and
    class indices."""
    _check_tensors("nll_loss", input, target)
    reduction = legacy_reduction(size_average, reduce, reduction)
    if target.is_floating_point():
        raise TypeError(f"[nll_loss] expected int64 class indices as target, got {target.dtype}")
    x, t, none_shape = _rows(input, target, "nll_loss")
    return _core._nll_loss(x, t, weight, ignore_index, reduction, none_shape)
