"""``pyautograd.cpu``: torch.cpu's device queries (the CPU is the only device)."""

from __future__ import annotations

from typing import Any

__all__ = ["current_device", "device_count", "is_available", "set_device", "synchronize"]


def is_available() -> bool:
    """True: the CPU is always available."""
    return True


def device_count() -> int:
    """1: one CPU device."""
    return 1


def current_device() -> str:
    """``"cpu"``, as torch.cpu.current_device()."""
    return "cpu"


def set_device(device: Any) -> None:
    """Accepts the CPU (nothing to change); another device raises."""
    name = str(device)
    if name not in ("cpu", "cpu:0") and not (isinstance(device, int) and device in (0, -1)):
        raise RuntimeError(f"[cpu.set_device] expected the CPU device, got {device!r}")


def synchronize(device: Any = None) -> None:
    """Waits for the CPU's work: every op here has finished when it returns, so nothing to do."""
    if device is not None:
        set_device(device)
