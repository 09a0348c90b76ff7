"""``torch.utils.dlpack``'s functions: DLPack capsules to and from other libraries.

``to_dlpack(tensor)`` returns a (legacy, unversioned) DLPack capsule sharing the tensor's memory;
``from_dlpack(obj)`` takes a capsule or any object with ``__dlpack__``. Both never copy.
"""

from __future__ import annotations

from typing import Any

from .._core import Tensor
from .._dlpack import from_dlpack as from_dlpack

__all__ = ["from_dlpack", "to_dlpack"]


def to_dlpack(tensor: Tensor) -> Any:
    """A DLPack capsule ("dltensor") sharing ``tensor``'s memory, as ``torch.utils.dlpack``.

    The capsule can be imported once (by ``from_dlpack`` of pyautograd, NumPy's older releases,
    PyTorch, ...); it keeps the tensor's memory alive until the importer lets it go. Prefer
    passing the tensor itself to the consumer's ``from_dlpack``, which negotiates the versioned
    protocol.
    """
    return tensor.__dlpack__()
