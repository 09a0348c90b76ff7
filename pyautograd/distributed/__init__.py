"""Data-parallel training across processes and machines on MPI (through mpi4py).

Start N processes with ``python -m pyautograd.distributed.run -n N script.py`` (or a cluster's
own ``mpirun``/``srun``); in the script::

    import pyautograd.distributed as dist
    dist.init()                        # a world of one when not started by a launcher
    dist.all_reduce(t, dist.ReduceOp.SUM)

Needs the ``mpi`` extra (``pip install 'pyautograd[mpi]'``): importing this package works
without it, and using it raises an error naming the extra. See docs/distributed.md.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from . import _mpi, _world
from .collectives import ReduceOp as ReduceOp
from .collectives import Work as Work
from .collectives import all_gather as all_gather
from .collectives import all_gather_into_tensor as all_gather_into_tensor
from .collectives import all_gather_object as all_gather_object
from .collectives import all_reduce as all_reduce
from .collectives import barrier as barrier
from .collectives import broadcast as broadcast
from .collectives import broadcast_object_list as broadcast_object_list
from .collectives import group as group
from .collectives import reduce as reduce
from .collectives import reduce_scatter as reduce_scatter
from .collectives import reduce_scatter_tensor as reduce_scatter_tensor
from .sampler import DistributedSampler as DistributedSampler

if TYPE_CHECKING:
    from .ddp import DistributedDataParallel as DistributedDataParallel

__all__ = [
    "DistributedDataParallel",
    "DistributedSampler",
    "ReduceOp",
    "Work",
    "all_gather",
    "all_gather_into_tensor",
    "all_gather_object",
    "all_reduce",
    "barrier",
    "broadcast",
    "broadcast_object_list",
    "destroy_process_group",
    "get_rank",
    "get_world_size",
    "group",
    "init",
    "init_process_group",
    "is_available",
    "is_initialized",
    "is_mpi_available",
    "reduce",
    "reduce_scatter",
    "reduce_scatter_tensor",
]


def is_available() -> bool:
    """True when MPI can be used (mpi4py is installed); does not start MPI."""
    return _mpi.available()


def is_mpi_available() -> bool:
    """Same as `is_available`: MPI is this package's only backend."""
    return _mpi.available()


def init(timeout: float | None = None, debug: bool | None = None) -> None:
    """Joins the job's process group; a no-op when already joined.

    Rank and world size come from MPI: a process started by a launcher (``python -m
    pyautograd.distributed.run``, ``mpirun``, ``srun``) is one of its processes; one started on
    its own is a world of one. Also:

    - an uncaught exception on any rank prints its traceback and ends the whole job
      (MPI_Abort) instead of leaving the other ranks waiting;
    - ``timeout`` (seconds; default ``PYAG_DIST_TIMEOUT`` or 600, 0 disables): a watchdog
      thread names a collective that has blocked this long, then ends the job;
    - ``debug`` (default: ``PYAG_DIST_DEBUG=1``): before each collective the ranks compare
      what they are about to call (kind, dtype, shape, op, root) and all raise a RuntimeError
      naming every rank's call when they differ;
    - when no ``OPENBLAS_NUM_THREADS``/``OMP_NUM_THREADS`` is set, the BLAS threads are this
      process's cores divided by the ranks on this machine.

    Raises RuntimeError naming the ``pyautograd[mpi]`` extra when mpi4py is missing.
    """
    _world.init(timeout, debug)


def init_process_group(
    backend: str | None = None,
    init_method: str | None = None,
    timeout: timedelta | None = None,
    world_size: int = -1,
    rank: int = -1,
    **kwargs: object,
) -> None:
    """PyTorch's entry point, for programs written for ``torch.distributed``: calls `init`.

    ``backend`` may be None, "mpi" or "gloo" (both CPU; MPI carries the traffic); ``rank`` and
    ``world_size``, when given, must match what MPI reports. ``init_method`` and rendezvous
    environment variables are not used: the launcher decides who is in the job.
    """
    if backend not in (None, "mpi", "gloo", "cpu:gloo", "cpu:mpi"):
        raise ValueError(
            f"[init_process_group] backend {backend!r} is not available: this CPU library "
            "speaks MPI ('mpi'; 'gloo' is accepted as its CPU equivalent)"
        )
    init(timeout.total_seconds() if timeout is not None else None)
    w = _world.current()
    for what, given, actual in (("world_size", world_size, w.size), ("rank", rank, w.rank)):
        if given not in (-1, None) and given != actual:
            raise ValueError(
                f"[init_process_group] {what}={given} but MPI launched this process as "
                f"{what} {actual}; start the job with the launcher that decides both"
            )


def destroy_process_group(group: object = None) -> None:
    """Leaves the process group (`is_initialized` is then False; `init` may be called again).

    In debug mode, first checks that every rank got here (a rank still inside a collective is
    reported)."""
    if group is not None:
        raise ValueError("[destroy_process_group] only the default group is supported")
    _world.destroy()


def is_initialized() -> bool:
    """True after `init` (and before `destroy_process_group`)."""
    return _world.is_initialized()


def get_rank(group: object = None) -> int:
    """This process's rank: 0 .. world size - 1."""
    return _world.current().rank


def get_world_size(group: object = None) -> int:
    """The number of processes in the job."""
    return _world.current().size


def __getattr__(name: str) -> Any:
    # DistributedDataParallel is imported on first use: it brings in pyautograd.nn.
    if name == "DistributedDataParallel":
        from .ddp import DistributedDataParallel

        return DistributedDataParallel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
