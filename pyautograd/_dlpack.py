"""DLPack import: ``pyautograd.from_dlpack`` speaks the array API's ``__dlpack__`` protocol.

Export is ``Tensor.__dlpack__`` / ``Tensor.__dlpack_device__`` (C++, cpp/bindings/dlpack.cpp).
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from . import _core
from ._core import Tensor

_CPU = 1  # DLPack's device type code of the CPU (kDLCPU)
_MAX_VERSION = (1, 0)  # the newest DLPack ABI version this build reads


@runtime_checkable
class SupportsDLPack(Protocol):
    """An object that exports itself through DLPack (a NumPy array, a torch or JAX tensor...)."""

    def __dlpack__(self, *args: Any, **kwargs: Any) -> Any: ...
    def __dlpack_device__(self) -> tuple[int, int]: ...


def _check_device(device: object) -> None:
    if device is None or str(device) == "cpu":
        return
    raise BufferError(f"[from_dlpack] pyautograd tensors live on the CPU, not on {device!r}")


def from_dlpack(ext_tensor: Any, *, device: object = None, copy: bool | None = None) -> Tensor:
    """A tensor sharing the memory of ``ext_tensor`` through DLPack, without a copy.

    ``ext_tensor`` is an object with ``__dlpack__``/``__dlpack_device__`` (a NumPy array, a
    PyTorch or JAX tensor, another pyautograd tensor...) or a DLPack capsule (what
    ``torch.utils.dlpack.to_dlpack`` returns), which is consumed. Writes through either side are
    seen by the other; the producer's memory stays alive as long as the tensor (or a view of it)
    does. Shape, strides (in elements; zero strides of broadcast views too) and the offset of a
    view are preserved.

    ``copy=True`` returns a copy instead (it also accepts read-only memory); ``copy=False`` or
    ``None`` never copies. ``device`` may be None or ``"cpu"``.

    Raises BufferError for memory pyautograd cannot share: another device, a dtype other than
    float32, float64, int64 or bool, negative strides, read-only memory (unless ``copy=True``);
    TypeError for an object that is neither.
    """
    _check_device(device)
    if copy is not None and not isinstance(copy, bool):
        raise TypeError("[from_dlpack] copy must be True, False or None")
    if hasattr(ext_tensor, "__dlpack__"):
        dev = tuple(ext_tensor.__dlpack_device__())
        if int(dev[0]) != _CPU:
            raise BufferError(
                f"[from_dlpack] the tensor is on DLPack device {dev} (type code, id); "
                "pyautograd tensors live on the CPU (1, 0): move it to the CPU first"
            )
        try:
            capsule = ext_tensor.__dlpack__(max_version=_MAX_VERSION)
        except TypeError:  # a producer older than DLPack 1.0 takes no max_version
            capsule = ext_tensor.__dlpack__()
    else:
        capsule = ext_tensor
    return _core._from_dlpack_capsule(capsule, bool(copy))
