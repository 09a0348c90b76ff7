"""``pyautograd.backends.mps``: no Apple MPS device here."""

from __future__ import annotations

__all__ = ["is_available", "is_built"]


def is_available() -> bool:
    """False: pyautograd has no MPS device."""
    return False


def is_built() -> bool:
    """False: pyautograd is not built with MPS."""
    return False
