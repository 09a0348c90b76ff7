"""``pyautograd.backends.cpu``: what the CPU backend reports."""

from __future__ import annotations

__all__ = ["get_cpu_capability"]


def get_cpu_capability() -> str:
    """``"DEFAULT"``: the shipped kernels are built for the baseline x86-64/arm64 instruction set
    (no ``-march=native``); the compiler vectorises them for that baseline."""
    return "DEFAULT"
