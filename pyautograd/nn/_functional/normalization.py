"""group_norm, instance_norm, local_response_norm and rms_norm of nn.functional.

group_norm and instance_norm reuse the fused batch_norm kernel (one pass forward, one
backward) on a (1, N * groups, -1) view of the input, as PyTorch's instance_norm does; the
affine map and the running statistics are then applied per channel. local_response_norm and
rms_norm are compositions of core ops.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ... import _core
from ..._api import finfo
from ..._core import Tensor
from ...autograd import no_grad
from .conv import pad
from .layers import batch_norm

__all__ = ["group_norm", "instance_norm", "local_response_norm", "rms_norm"]


def _per_channel(t: Tensor, dim: int) -> Tensor:
    """A (C,) tensor shaped (1, C, 1, ...) to broadcast over an input of `dim` dims."""
    return t.reshape([1, t.numel()] + [1] * (dim - 2))


def _affine(y: Tensor, weight: Tensor | None, bias: Tensor | None) -> Tensor:
    if weight is not None:
        y = y * _per_channel(weight, y.dim())
    if bias is not None:
        y = y + _per_channel(bias, y.dim())
    return y


def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalizes each group of num_groups channels of each sample over its channels and
    positions (mean 0, biased variance 1), then applies the per-channel affine map."""
    if input.dim() < 2:
        raise RuntimeError(
            f"Expected at least 2 dimensions for input tensor but received {input.dim()}"
        )
    shape = list(input.shape)
    n, c = shape[0], shape[1]
    if num_groups <= 0 or c % num_groups:
        raise RuntimeError(
            "Expected number of channels in input to be divisible by num_groups, but got input "
            f"of shape {shape} and num_groups={num_groups}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.dim() != 1 or t.numel() != c):
            raise RuntimeError(
                f"Expected {name} to be a vector of size equal to the number of channels in "
                f"input, but got {name} of shape {list(t.shape)} and input of shape {shape}"
            )
    per_group = c // num_groups * int(np.prod(shape[2:], dtype=np.int64))
    if n * per_group == 1:
        raise ValueError(
            "Expected more than 1 value per channel when training, got input size "
            f"{[n * c // num_groups, num_groups, *shape[2:]]}"
        )
    if input.numel() == 0:
        return _affine(input * 1, weight, bias)
    rows = input.reshape(1, n * num_groups, -1)
    if per_group > 1:
        y = batch_norm(rows, None, None, None, None, True, 0.0, eps)
    else:  # one value per group (the fused kernel refuses): it normalizes to 0
        mean = rows.mean(-1, keepdim=True)
        y = (rows - mean) * (((rows - mean) ** 2).mean(-1, keepdim=True) + eps).rsqrt()
    out = _affine(y.reshape(shape), weight, bias)
    return _core._show_grad_fn_as(out, "NativeGroupNormBackward0")


def _repeat(t: Tensor | None, n: int, dtype: _core.dtype | None = None) -> Tensor | None:
    """t repeated n times, as one contiguous (n * numel,) tensor (of dtype: PyTorch's
    instance_norm takes running statistics of another float dtype than the input)."""
    if t is None:
        return None
    out = t.unsqueeze(0).expand(n, t.numel()).contiguous().reshape(-1)
    return out if dtype is None or out.dtype == dtype else out.to(dtype)


def instance_norm(
    input: Tensor,
    running_mean: Tensor | None = None,
    running_var: Tensor | None = None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalizes each channel of each sample over its positions (use_input_stats), updating
    the running statistics (if given) with the mean over the batch of the per-sample ones; else
    normalizes with the running statistics. Then the per-channel affine map."""
    shape = list(input.shape)
    if input.dim() < 2:
        raise ValueError(f"[instance_norm] expected an input of 2 or more dims, got {shape}")
    if use_input_stats and int(np.prod(shape[2:], dtype=np.int64)) == 1:
        raise ValueError(
            f"Expected more than 1 spatial element when training, got input size {shape}"
        )
    if not use_input_stats and (running_mean is None or running_var is None):
        raise RuntimeError(
            "Expected running_mean and running_var to be defined when use_input_stats is false"
        )
    n, c = shape[0], shape[1]
    rm, rv = _repeat(running_mean, n, input.dtype), _repeat(running_var, n, input.dtype)
    x = input.reshape(1, n * c, -1)
    y = batch_norm(x, rm, rv, _repeat(weight, n), _repeat(bias, n), use_input_stats, momentum, eps)
    if use_input_stats:
        with no_grad():
            if running_mean is not None and rm is not None:
                running_mean.copy_(rm.reshape(n, c).mean(0))
            if running_var is not None and rv is not None:
                running_var.copy_(rv.reshape(n, c).mean(0))
    return y.reshape(shape)


def local_response_norm(
    input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0
) -> Tensor:
    """x / (k + alpha * mean of x^2 over `size` neighbouring channels)^beta (the window
    zero-padded at the ends and always divided by size, as PyTorch's avg_pool)."""
    dim = input.dim()
    if dim < 3:
        raise ValueError(
            f"Expected 3D or higher dimensionality                          input (got {dim} "
            "dimensions)"
        )
    if input.numel() == 0:
        return input
    shape = list(input.shape)
    n, c = shape[0], shape[1]
    sq = (input * input).reshape(n, 1, c, -1)
    sq = pad(sq, (0, 0, size // 2, (size - 1) // 2))
    total = sq.narrow(2, 0, c)
    for i in range(1, size):
        total = total + sq.narrow(2, i, c)
    div = (total / size).reshape(shape)
    return input / (div * alpha + k) ** beta


def rms_norm(
    input: Tensor,
    normalized_shape: Sequence[int] | int,
    weight: Tensor | None = None,
    eps: float | None = None,
) -> Tensor:
    """x / sqrt(mean of x^2 over the trailing normalized_shape dims + eps) * weight (eps None:
    the input dtype's machine epsilon)."""
    ns = [normalized_shape] if isinstance(normalized_shape, int) else list(normalized_shape)
    k = len(ns)
    if k == 0 or list(input.shape[input.dim() - k :]) != ns or input.dim() < k:
        raise RuntimeError(
            f"Given normalized_shape={ns}, expected input with shape "
            f"[*{', '.join(str(s) for s in ns)}], but got input of size{list(input.shape)}"
        )
    if weight is not None and list(weight.shape) != ns:
        raise RuntimeError(
            f"Expected weight to be of same shape as normalized_shape, but got weight of shape "
            f"{list(weight.shape)} and normalized_shape = {ns}"
        )
    if eps is None:
        eps = float(finfo(input.dtype).eps)
    dims = list(range(input.dim() - k, input.dim()))
    y = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    return y * weight if weight is not None else y
