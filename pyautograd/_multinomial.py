"""multinomial and Tensor.exponential_, drawn as PyTorch's CPU kernels draw them (so after
manual_seed(s) they give PyTorch's samples): exponential_ turns one 53-bit uniform u per
element into -log1p(-u) / lambd; multinomial with replacement searches each uniform in the
row's normalised running sum, and without replacement (or for one sample) takes the largest
p / q for q ~ Exp(1) (PyTorch's Gumbel trick)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import _core
from ._core import Tensor
from .autograd import no_grad

__all__ = ["cauchy_", "exponential_", "geometric_", "multinomial"]


def exponential_(self: Tensor, lambd: float = 1.0, *, generator: Any = None) -> Tensor:
    """Fills self with numbers drawn from the exponential distribution of rate lambd."""
    if not self.is_floating_point():
        raise RuntimeError(f"[exponential_] is only defined for floating tensors, got {self.dtype}")
    if not lambd > 0:
        raise RuntimeError(f"[exponential_] expects lambda > 0.0, but found lambda={lambd}")
    # one uniform per element in self's memory order, as PyTorch's kernel iterates
    u = _core._empty_like_dense(self, _core.float64).uniform_(generator=generator)
    scale = -1.0 / lambd
    vals = [scale * math.log1p(-x) for x in u.reshape(-1).tolist()]  # glibc log1p, as torch
    arr = np.asarray(vals, dtype=np.float64).reshape(tuple(self.shape))
    with no_grad():
        self.copy_(_core.from_numpy(arr))
    return self


def _fill_from_uniforms(self: Tensor, f: Any, generator: Any) -> Tensor:
    # one 53-bit uniform per element, in self's memory order, as PyTorch's serial CPU kernels
    # draw them; f maps it to the element (in double, with glibc's libm, as PyTorch's)
    u = _core._empty_like_dense(self, _core.float64).uniform_(generator=generator)
    vals = [f(x) for x in u.reshape(-1).tolist()]
    arr = np.asarray(vals, dtype=np.float64).reshape(tuple(self.shape))
    with no_grad():
        self.copy_(_core.from_numpy(arr))
    return self


def cauchy_(
    self: Tensor, median: float = 0.0, sigma: float = 1.0, *, generator: Any = None
) -> Tensor:
    """Fills self with numbers drawn from the Cauchy distribution (median, sigma)."""
    if not self.is_floating_point():
        raise RuntimeError(
            "Cauchy distribution is a continuous probability distribution. dtype must be a "
            f"floating point but you specified {self.dtype}"
        )
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma}")
    m, sg = float(median), float(sigma)
    return _fill_from_uniforms(self, lambda u: m + sg * math.tan(math.pi * (u - 0.5)), generator)


def geometric_(self: Tensor, p: float, *, generator: Any = None) -> Tensor:
    """Fills self with the number of Bernoulli(p) trials up to the first success."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p}")
    if self.dtype == _core.bool:
        raise RuntimeError("[geometric_] \"geometric_cpu\" not implemented for 'Bool'")
    denom = math.log1p(-float(p))
    return _fill_from_uniforms(self, lambda u: math.ceil(math.log(u) / denom), generator)


def multinomial(
    input: Tensor,
    num_samples: int,
    replacement: bool = False,
    *,
    generator: Any = None,
) -> Tensor:
    """num_samples category indices per row of input (1-D or 2-D, non-negative weights), drawn
    with or without replacement; an int64 tensor."""
    if input.dim() not in (1, 2):
        raise RuntimeError("[multinomial] prob_dist must be 1 or 2 dim")
    if not input.is_floating_point():
        raise RuntimeError(
            f"[multinomial] only supports floating-point dtypes for input, got {input.dtype}"
        )
    if num_samples <= 0:
        raise RuntimeError("[multinomial] cannot sample n_sample <= 0 samples")
    n_cat = int(input.shape[-1])
    if not replacement and num_samples > n_cat:
        raise RuntimeError(
            "[multinomial] cannot sample n_sample > prob_dist.size(-1) samples without replacement"
        )
    p = input.detach()
    rows = p.reshape(1, n_cat) if p.dim() == 1 else p
    vals = rows.numpy()
    if not np.isfinite(vals).all() or (vals < 0).any():
        raise RuntimeError(
            "[multinomial] probability tensor contains either `inf`, `nan` or element < 0"
        )
    if (vals.sum(axis=1) <= 0).any():
        raise RuntimeError(
            "[multinomial] invalid multinomial distribution (sum of probabilities <= 0)"
        )
    if not replacement or num_samples == 1:
        if not replacement and ((vals > 0).sum(axis=1) < num_samples).any():
            raise RuntimeError(
                "[multinomial] invalid multinomial distribution (with replacement=False, not "
                "enough non-negative category to sample)"
            )
        q = exponential_(_core.empty(tuple(rows.shape), dtype=rows.dtype), generator=generator)
        ratio = rows / q
        if num_samples == 1:
            out = ratio.argmax(dim=-1, keepdim=True)
        else:
            out = ratio.topk(num_samples, dim=-1).indices
    else:
        out_np = np.empty((vals.shape[0], num_samples), dtype=np.int64)
        for i, row in enumerate(vals):
            cum = np.cumsum(row, dtype=row.dtype)  # a running sum in the row's dtype
            cum = (cum / cum[-1]).astype(row.dtype)
            cum[-1] = 1
            u = _core.empty((num_samples,), dtype=_core.float64).uniform_(generator=generator)
            out_np[i] = np.searchsorted(cum, u.numpy(), side="left")
        out = _core.from_numpy(out_np)
    return out.reshape(num_samples) if input.dim() == 1 else out


def install(cls: type[Tensor]) -> None:
    """Adds multinomial, exponential_, cauchy_ and geometric_ to Tensor."""
    setattr(cls, "multinomial", multinomial)  # noqa: B010
    setattr(cls, "exponential_", exponential_)  # noqa: B010
    setattr(cls, "cauchy_", cauchy_)  # noqa: B010
    setattr(cls, "geometric_", geometric_)  # noqa: B010
