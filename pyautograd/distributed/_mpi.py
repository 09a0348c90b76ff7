"""The one place that imports mpi4py: a clear error without it, and tensor <-> MPI buffers.

Importing ``mpi4py.MPI`` initialises MPI, so it happens on first use (``init()``), never when
``pyautograd.distributed`` is imported.
"""

from __future__ import annotations

import os
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pyautograd as _pa

if TYPE_CHECKING:
    from pyautograd import Tensor

INSTALL_HINT = (
    "pyautograd.distributed needs mpi4py and an MPI library: install the extra with "
    "`pip install 'pyautograd[mpi]'` (mpi4py and the Open MPI wheel), or mpi4py built "
    "against your cluster's MPI"
)

_MPI: ModuleType | None = None


def available() -> bool:
    """True when mpi4py can be imported (does not initialise MPI)."""
    import importlib.util

    try:
        return importlib.util.find_spec("mpi4py") is not None
    except (ImportError, ValueError):  # e.g. sys.modules["mpi4py"] = None
        return False


def load() -> Any:
    """Imports (and so initialises) ``mpi4py.MPI``; raises a RuntimeError naming the extra."""
    global _MPI
    if _MPI is not None:
        return _MPI
    # Nonblocking allreduce of large gradient buckets: Open MPI's libnbc picks a tree algorithm
    # by default, 1.5-2x slower than its blocking ring; the ring is bandwidth-optimal. A value
    # the user set wins; other MPI libraries ignore the variable.
    os.environ.setdefault("OMPI_MCA_coll_libnbc_iallreduce_algorithm", "ring")
    try:
        from mpi4py import MPI
    except ImportError as e:
        raise RuntimeError(INSTALL_HINT) from e
    _MPI = MPI
    return MPI


def datatype(t: Tensor, op: str) -> Any:
    """The MPI datatype of t's dtype."""
    MPI = load()
    dt = t.dtype
    if dt == _pa.float32:
        return MPI.FLOAT
    if dt == _pa.float64:
        return MPI.DOUBLE
    if dt == _pa.int64:
        return MPI.INT64_T
    if dt == _pa.bool:
        return MPI.C_BOOL
    raise TypeError(f"[{op}] unsupported dtype {dt}")


def check_tensor(t: object, op: str, what: str = "tensor") -> None:
    """Raises unless t is a contiguous pyautograd tensor (MPI reads and writes it in place)."""
    if not isinstance(t, _pa.Tensor):
        raise TypeError(f"[{op}] {what} must be a pyautograd.Tensor, got {type(t).__name__}")
    if not t.is_contiguous():
        raise ValueError(
            f"[{op}] {what} of shape {tuple(t.shape)} and strides {t.stride()} is not "
            "contiguous: collectives work in place on the tensor's memory; pass t.contiguous() "
            "(a copy) and use the result"
        )


def buf(t: Tensor, op: str) -> list[Any]:
    """An mpi4py buffer spec for t's memory (no copy): [tensor, datatype]."""
    return [t, datatype(t, op)]


def buf_at(ptr: int, count: int, like: Tensor, op: str) -> list[Any]:
    """An mpi4py buffer spec for ``count`` elements of like's dtype at address ``ptr`` (the
    caller keeps the tensors that own that memory alive)."""
    MPI = load()
    return [MPI.buffer.fromaddress(ptr, count * like.element_size()), datatype(like, op)]
