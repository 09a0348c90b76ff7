"""pyautograd.Generator: PyTorch's CPU random generator (``torch.Generator``), implemented in
the C++ core (cpp/ops/generator.h). ``Generator().manual_seed(s)`` draws the numbers
``torch.Generator().manual_seed(s)`` does; pass it as ``generator=`` to the random ops and the
data utilities (DataLoader, samplers, random_split)."""

from __future__ import annotations

from typing import Any

from ._core import Generator as Generator

__all__ = ["Generator"]


def _check(generator: object, op: str) -> Generator | None:
    """generator itself when it is None or a Generator; TypeError naming op otherwise."""
    if generator is not None and not isinstance(generator, Generator):
        raise TypeError(
            f"[{op}] generator must be a pyautograd.Generator, got {type(generator).__name__}"
        )
    return generator


def _numpy_rng(generator: Generator | None) -> Any:
    """A NumPy generator seeded by one 63-bit draw from generator (the global one when None),
    for the samplers PyTorch draws with an op pyautograd lacks (multinomial)."""
    import numpy as np

    from . import _core

    g = _check(generator, "sampler")
    seed = _core.empty((), dtype=_core.int64).random_(generator=g).item()
    return np.random.default_rng(int(seed))
