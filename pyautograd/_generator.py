"""pyautograd.Generator: PyTorch's CPU random generator (``torch.Generator``), implemented in
the C++ core (cpp/ops/generator.h). ``Generator().manual_seed(s)`` draws the numbers
``torch.Generator().manual_seed(s)`` does; pass it as ``generator=`` to the random ops and the
data utilities (DataLoader, samplers, random_split)."""

from __future__ import annotations

from ._core import Generator as Generator

__all__ = ["Generator"]


def _check(generator: object, op: str) -> Generator | None:
    """generator itself when it is None or a Generator; TypeError naming op otherwise."""
    if generator is not None and not isinstance(generator, Generator):
        raise TypeError(
            f"[{op}] generator must be a pyautograd.Generator, got {type(generator).__name__}"
        )
    return generator
