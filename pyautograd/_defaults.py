"""The default dtype and device: set_default_dtype, get_default_dtype, set_default_device,
get_default_device and the legacy set_default_tensor_type."""

from __future__ import annotations

from typing import Any

from . import _core
from ._creation import device


def set_default_dtype(d: _core.dtype) -> None:
    """Sets the dtype of Python floats and of float tensors made without ``dtype=``.

    As in PyTorch it affects ``tensor([1.5])``, ``zeros``/``ones``/``randn``/..., float
    ``arange``/``linspace``/``full``, ``Tensor(2, 3)`` and float results of integer inputs
    (``int_tensor / 2``). Only float32 and float64 are accepted (TypeError otherwise).
    """
    _core._set_default_dtype(d)


def get_default_dtype() -> _core.dtype:
    """The dtype set by set_default_dtype (float32 unless changed)."""
    return _core._get_default_dtype()


def set_default_device(dev: str | device | None) -> None:
    """Accepts the CPU (``'cpu'``, ``device('cpu')`` or None); any other device raises
    RuntimeError, since pyautograd runs on the CPU only."""
    if dev is None:
        return
    if not isinstance(dev, (str, device)):
        raise TypeError(
            f"[set_default_device] expected a device or a string, got {type(dev).__name__}"
        )
    _core._check_device(dev, "set_default_device")


def get_default_device() -> device:
    """Always ``device('cpu')``."""
    return device("cpu")


def set_default_tensor_type(t: Any) -> None:
    """The legacy form of set_default_dtype: ``set_default_tensor_type(torch.DoubleTensor)`` or
    ``set_default_tensor_type('torch.DoubleTensor')``; float types only, CUDA types raise."""
    from ._legacy import parse_tensor_type

    d = parse_tensor_type(t, "set_default_tensor_type")
    if not d.is_floating_point:
        raise TypeError(
            "[set_default_tensor_type] only floating-point types are supported as the default "
            f"type, got {t!r}"
        )
    set_default_dtype(d)
