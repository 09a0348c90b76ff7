"""``pyautograd.backends.cudnn``: no cuDNN here; its flags are stored so that scripts that set
them run (``deterministic``, ``benchmark``, ``enabled``, ``allow_tf32``), as in PyTorch on a
machine without CUDA."""

from __future__ import annotations

__all__ = ["allow_tf32", "benchmark", "deterministic", "enabled", "is_available", "version"]

enabled: bool = True
benchmark: bool = False
deterministic: bool = False
allow_tf32: bool = True


def is_available() -> bool:
    """False: pyautograd has no cuDNN."""
    return False


def version() -> int | None:
    """None: no cuDNN library is loaded (as PyTorch answers without one)."""
    return None
