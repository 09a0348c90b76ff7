"""torch.poisson, drawn as PyTorch's CPU kernel draws (so after manual_seed it gives PyTorch's
samples): element by element in row-major order, Knuth's product of uniforms for a rate
below 10, Hormann's transformed rejection (PTRS) from 10 on, each uniform one double draw of
the generator."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import _core
from ._core import Tensor

__all__ = ["poisson"]


def _sample(lam: float, uniform: Any) -> float:
    if math.isinf(lam):  # PyTorch's floor(inf) cast to int64: its lowest value
        return -9.223372036854775808e18
    if lam >= 10:
        slam, loglam = math.sqrt(lam), math.log(lam)
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + 1.1328 / (b - 3.4)
        vr = 0.9277 - 3.6224 / (b - 2)
        while True:
            u = uniform() - 0.5
            v = uniform()
            us = 0.5 - abs(u)
            k = math.floor((2 * a / us + b) * u + lam + 0.43)
            if us >= 0.07 and v <= vr:
                return float(k)
            if k < 0 or (us < 0.013 and v > us):
                continue
            if math.log(v) + math.log(invalpha) - math.log(a / (us * us) + b) <= (
                -lam + k * loglam - math.lgamma(k + 1.0)
            ):
                return float(k)
    if lam == 0:
        return 0.0
    enlam = math.exp(-lam)
    x, prod = 0, 1.0
    while True:
        prod *= uniform()
        if prod > enlam:
            x += 1
        else:
            return float(x)


def poisson(input: Tensor, generator: Any = None) -> Tensor:
    """Samples of the Poisson distribution of rate input (elementwise; input's shape and
    floating dtype)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"[poisson] expected a tensor, got {type(input).__name__}")
    if not input.is_floating_point():
        raise RuntimeError(f"[poisson] \"poisson_cpu\" not implemented for '{input.dtype}'")
    rates = input.detach().reshape(-1).tolist()
    if any(not r >= 0 for r in rates):
        raise RuntimeError("[poisson] invalid Poisson rate, expected rate to be non-negative")
    cell = _core.empty((1,), dtype=_core.float64)

    def uniform() -> float:
        return float(cell.uniform_(generator=generator).item())

    vals = [_sample(float(r), uniform) for r in rates]
    arr = np.asarray(vals, dtype=np.float64).reshape(tuple(input.shape))
    return _core.from_numpy(arr).to(input.dtype)
