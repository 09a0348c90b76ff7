"""``pyautograd.accelerator``: what device-agnostic scripts ask (``torch.accelerator``). There is
no accelerator: ``is_available()`` is False, ``current_accelerator()`` None, ``device_count()``
0, and asking for the current device raises, as PyTorch does without one."""

from __future__ import annotations

from typing import Any

__all__ = [
    "current_accelerator",
    "current_device_index",
    "device_count",
    "is_available",
    "synchronize",
]

_NONE = "Cannot access accelerator device when none is available."


def is_available() -> bool:
    """False: pyautograd runs on the CPU only."""
    return False


def current_accelerator(check_available: bool = False) -> Any:
    """None: there is no accelerator."""
    return None


def device_count() -> int:
    """0: there is no accelerator."""
    return 0


def current_device_index() -> int:
    """Raises RuntimeError: there is no accelerator device."""
    raise RuntimeError(_NONE)


def synchronize(device: Any = None) -> None:
    """Raises RuntimeError: there is no accelerator device."""
    raise RuntimeError(_NONE)
