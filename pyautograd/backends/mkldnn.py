"""``pyautograd.backends.mkldnn``: pyautograd does not use oneDNN (MKL-DNN)."""

from __future__ import annotations

__all__ = ["enabled", "is_available"]

enabled: bool = True


def is_available() -> bool:
    """False: pyautograd's CPU kernels do not use oneDNN."""
    return False
