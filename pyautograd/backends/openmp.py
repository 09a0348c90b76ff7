"""``pyautograd.backends.openmp``: pyautograd's kernels use their own thread pool, not OpenMP."""

from __future__ import annotations

__all__ = ["is_available"]


def is_available() -> bool:
    """False: the kernels' threads are pyautograd's own pool (see ``set_num_threads``)."""
    return False
