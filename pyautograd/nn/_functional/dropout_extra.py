"""dropout3d, alpha_dropout, feature_alpha_dropout, rrelu and gumbel_softmax of
nn.functional, drawing PyTorch's numbers: after manual_seed they give PyTorch's masks, slopes
and samples (its draws in its order: a bernoulli mask, one double uniform per element <= 0,
an exponential per element)."""

from __future__ import annotations

import math
import warnings

import numpy as np

from ... import _core
from ..._core import Tensor
from .activation import _check, _maybe_inplace, leaky_relu
from .conv import _channel_dropout

__all__ = [
    "alpha_dropout",
    "dropout3d",
    "feature_alpha_dropout",
    "gumbel_softmax",
    "rrelu",
    "rrelu_",
]

# SELU's negative saturation value -scale * alpha, as PyTorch's alpha_dropout
_ALPHA = 1.7580993408473766


def dropout3d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """Zeroes whole channels of (N, C, D, H, W) or (C, D, H, W) with probability p (training),
    scaling the others by 1 / (1 - p)."""
    d = input.dim()
    if d not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {d}-D input to dropout3d, which is deprecated and will "
            "result in an error in a future release. To retain the behavior and silence this "
            "warning, please use dropout instead. Note that dropout3d exists to provide "
            "channel-wise dropout on inputs with 3 spatial dimensions, a channel dimension, and "
            "an optional batch dimension (i.e. 4D or 5D inputs).",
            stacklevel=2,
        )
    if d != 5:  # unbatched (C, D, H, W); as PyTorch, any other rank is read so too
        out = _channel_dropout(input.unsqueeze(0), p, training, inplace, 2)
        return input if inplace or out.dim() == d else out.squeeze(0)
    return _channel_dropout(input, p, training, inplace, 2)


def _alpha(input: Tensor, p: float, training: bool, inplace: bool, channels: int | None) -> Tensor:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if p == 0.0 or not training or input.numel() == 0:
        return input
    if p == 1.0:
        return input.mul_(0.0) if inplace else input * 0.0
    shape = list(input.shape)
    if channels is not None:
        if input.dim() < 2:
            raise RuntimeError(
                f"Feature dropout requires at least 2 dimensions in the input, got {input.dim()}"
            )
        shape = shape[:channels] + [1] * (input.dim() - channels)
    # PyTorch's draws and arithmetic: a bernoulli(1 - p) mask of input's dtype, then
    # b = (mask - 1) * alpha * a + alpha * a * p and noise = mask * a
    if channels is None:  # PyTorch's empty_like(input): draws in input's memory order
        keep = _core._empty_like_dense(input, input.dtype).bernoulli_(1.0 - p)
    else:
        keep = _core.empty(shape, dtype=input.dtype).bernoulli_(1.0 - p)
    a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
    b = (keep - 1) * (_ALPHA * a) + _ALPHA * a * p
    noise = keep * a
    if inplace:
        return input.mul_(noise).add_(b)
    return input * noise + b


def alpha_dropout(
    input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False
) -> Tensor:
    """Dropout for SELU networks: dropped values go to SELU's saturation value and the result
    is rescaled to keep mean and variance (training only)."""
    return _alpha(_check(input, "alpha_dropout"), p, training, inplace, None)


def feature_alpha_dropout(
    input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False
) -> Tensor:
    """alpha_dropout of whole channels (dims 0 and 1 of the mask; the rest broadcast)."""
    _check(input, "feature_alpha_dropout")
    return _alpha(input, p, training, inplace, min(2, input.dim()))


def rrelu(
    input: Tensor,
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    inplace: bool = False,
) -> Tensor:
    """Randomized leaky ReLU: x where x >= 0, else a * x with a ~ U(lower, upper) per element
    in training, a = (lower + upper) / 2 in eval."""
    _check(input, "rrelu")
    if not training:
        return leaky_relu(input, (lower + upper) / 2, inplace)

    def f(t: Tensor) -> Tensor:
        # PyTorch's draws: one double uniform in [lower, upper) per element <= 0, in memory
        # (row-major) order, cast to the input's dtype (its bounds first cast to that dtype)
        neg = t.detach() <= 0
        count = int(neg.sum())
        lo, hi = float(lower), float(upper)
        if t.dtype == _core.float32:
            lo, hi = float(np.float32(lo)), float(np.float32(hi))
        # u * (hi - lo) + lo rounded twice, as PyTorch's rrelu (its uniform_ rounds once)
        draws = _core.empty((count,), dtype=_core.float64).uniform_() * (hi - lo) + lo
        slope = _core.ones(list(t.shape), dtype=t.dtype)
        slope[neg] = draws.to(t.dtype)
        return _core.where(neg, t * slope, t)

    return _maybe_inplace(input, f, inplace)


def rrelu_(
    input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False
) -> Tensor:
    """In-place rrelu."""
    return rrelu(input, lower, upper, training, True)


def gumbel_softmax(
    logits: Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10, dim: int = -1
) -> Tensor:
    """A sample of the Gumbel-softmax (concrete) distribution over dim: softmax((logits + g)
    / tau) with g ~ Gumbel(0, 1); hard=True returns the one-hot of its argmax with the soft
    sample's gradient (straight-through)."""
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    # Gumbel(0, 1) = -log(Exp(1)), drawn as PyTorch: exponential_ of an empty tensor
    gumbels = -_core.empty(list(logits.shape), dtype=logits.dtype).exponential_().log()
    y_soft = ((logits + gumbels) / tau).softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = _core.zeros(list(logits.shape), dtype=logits.dtype).scatter(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft
