"""``pyautograd.cuda``: what scripts that pick a device ask. There is no CUDA device:
``is_available()`` is False and ``device_count()`` 0; moving a tensor to CUDA raises."""

from __future__ import annotations

__all__ = [
    "current_device",
    "device_count",
    "empty_cache",
    "is_available",
    "is_initialized",
    "manual_seed",
    "manual_seed_all",
    "synchronize",
]

_NO_CUDA = "CUDA is not available: pyautograd runs on the CPU only"


def __getattr__(name: str) -> object:
    if name == "amp":  # torch.cuda.amp.autocast / GradScaler (imported late: it needs Tensor)
        from . import _cuda_amp

        return _cuda_amp
    raise AttributeError(f"module 'pyautograd.cuda' has no attribute '{name}'")


def is_available() -> bool:
    """False: pyautograd has no CUDA device."""
    return False


def device_count() -> int:
    """0: pyautograd has no CUDA device."""
    return 0


def is_initialized() -> bool:
    """False: CUDA is never initialized."""
    return False


def manual_seed(seed: int) -> None:
    """Does nothing: as PyTorch does without a CUDA device, the call is accepted and ignored."""


def manual_seed_all(seed: int) -> None:
    """Does nothing: as PyTorch does without a CUDA device, the call is accepted and ignored."""


def empty_cache() -> None:
    """Does nothing (no CUDA memory is ever held), as in PyTorch without CUDA."""


def current_device() -> int:
    """Raises RuntimeError: there is no CUDA device."""
    raise RuntimeError(f"[cuda.current_device] {_NO_CUDA}")


def synchronize(device: object = None) -> None:
    """Raises RuntimeError: there is no CUDA device."""
    raise RuntimeError(f"[cuda.synchronize] {_NO_CUDA}")
