"""Validation of hyper-parameters, with PyTorch's messages."""

from __future__ import annotations

from typing import Any

from .._core import Tensor


def check_lr(lr: Any) -> None:
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if lr < 0.0:
        raise ValueError(f"Invalid learning rate: {lr}")


def check_nonneg(value: float, what: str) -> None:
    if value < 0.0:
        raise ValueError(f"Invalid {what} value: {value}")


def check_unsupported(name: str, optimizer: str, **flags: Any) -> None:
    """differentiable=True and capturable=True have no meaning here: the update is one fused
    C++ kernel; fused and foreach are accepted (every step is fused)."""
    for flag, value in flags.items():
        if value:
            raise ValueError(
                f"[{optimizer}] {flag}=True is not supported: pyautograd's {name} update is one "
                "fused C++ kernel (no autograd through the step, no device graphs)"
            )
