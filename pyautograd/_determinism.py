"""``use_deterministic_algorithms`` and its queries, as in PyTorch.

Every pyautograd kernel is deterministic already: elementwise kernels split work into fixed
ranges, reductions combine fixed partial sums in a fixed order (for a given thread count), and no
kernel uses atomics to accumulate. So the switch is stored and reported, and no op raises or
warns under it (PyTorch raises only for kernels it has no deterministic version of).
"""

from __future__ import annotations

__all__ = [
    "are_deterministic_algorithms_enabled",
    "is_deterministic_algorithms_warn_only_enabled",
    "use_deterministic_algorithms",
]

_state = {"enabled": False, "warn_only": False}


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Stores the switch (``mode``, ``warn_only``). pyautograd's kernels are all deterministic,
    so nothing else changes."""
    if not isinstance(mode, bool):
        raise TypeError(
            f"use_deterministic_algorithms(): argument 'mode' must be bool, not "
            f"{type(mode).__name__}"
        )
    if not isinstance(warn_only, bool):
        raise TypeError(
            f"use_deterministic_algorithms(): argument 'warn_only' must be bool, not "
            f"{type(warn_only).__name__}"
        )
    _state["enabled"] = mode
    _state["warn_only"] = warn_only


def are_deterministic_algorithms_enabled() -> bool:
    """The ``mode`` last given to ``use_deterministic_algorithms`` (False at start)."""
    return _state["enabled"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    """The ``warn_only`` last given to ``use_deterministic_algorithms`` (False at start)."""
    return _state["warn_only"]
