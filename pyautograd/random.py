"""pyautograd.random: the global random generator, as ``torch.random`` has it.

The generator is PyTorch's CPU generator (a Mersenne Twister seeded, drawn and serialized as
PyTorch's is), so after ``manual_seed(s)`` the random ops give PyTorch's numbers for ``s``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any

from . import _core
from ._core import Generator, Tensor

__all__ = [
    "default_generator",
    "fork_rng",
    "get_rng_state",
    "initial_seed",
    "manual_seed",
    "seed",
    "set_rng_state",
]

default_generator: Generator = _core.default_generator


def manual_seed(seed: Any) -> Generator:
    """Seeds the global generator (any int in [-2^63, 2^64); a float is truncated, as PyTorch's
    ``int(seed)``); returns it."""
    return _core._manual_seed(int(seed))


def seed() -> int:
    """Seeds the global generator from the system's entropy; returns the seed."""
    s = _core._seed_nondeterministic()
    _core._manual_seed(s)
    return s


def initial_seed() -> int:
    """The seed the global generator was last seeded with."""
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    """The global generator's state: a uint8 tensor in PyTorch's layout (5056 bytes)."""
    return _core.get_rng_state()


def set_rng_state(new_state: Tensor) -> None:
    """Restores the global generator's state from ``get_rng_state()`` (or PyTorch's)."""
    _core.set_rng_state(new_state)


@contextlib.contextmanager
def fork_rng(
    devices: Iterable[Any] | None = None,
    enabled: bool = True,
    _caller: str = "fork_rng",
    _devices_kw: str = "devices",
    device_type: str = "cpu",
) -> Iterator[None]:
    """Restores the global generator's state on exit: random draws inside the block leave the
    stream outside it unchanged."""
    if device_type not in ("cpu", "cuda"):
        raise RuntimeError(f"[fork_rng] unsupported device_type {device_type!r}")
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)
