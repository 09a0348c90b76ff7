"""The initial arrays, drawn once with NumPy's RNG and fed to every implementation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .config import Sizes

Array = npt.NDArray[np.float32]
PARAM_NAMES = ("w1", "b1", "w2", "b2")


@dataclass(frozen=True)
class InitArrays:
    """Data and initial parameters, float32 and C-contiguous, shaped like the seed's."""

    sizes: Sizes
    x: Array  # (din, m)
    y: Array  # (dout, m)
    w1: Array  # (hidden, din)
    b1: Array  # (hidden, 1)
    w2: Array  # (dout, hidden)
    b2: Array  # (dout, 1)

    def params(self) -> dict[str, Array]:
        return {name: getattr(self, name) for name in PARAM_NAMES}


def make_init(sizes: Sizes, seed: int) -> InitArrays:
    """Standard-normal draws, like the seed's ``torch.randn`` calls."""
    rng = np.random.default_rng(seed)

    def randn(*shape: int) -> Array:
        return rng.standard_normal(shape, dtype=np.float32)

    return InitArrays(
        sizes=sizes,
        x=randn(sizes.din, sizes.m),
        y=randn(sizes.dout, sizes.m),
        w1=randn(sizes.hidden, sizes.din),
        b1=randn(sizes.hidden, 1),
        w2=randn(sizes.dout, sizes.hidden),
        b2=randn(sizes.dout, 1),
    )
