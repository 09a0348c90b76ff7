"""The process group: MPI's world, set up once by `init`, with its failure guards.

A process started by a launcher (``python -m pyautograd.distributed.run``, a cluster's
``mpirun`` or ``srun``) learns its rank and the world's size from MPI; a process started on its
own is a world of one.
"""

from __future__ import annotations

import atexit
import os
import sys
from types import TracebackType
from typing import Any

import pyautograd as _pa

from . import _guard, _mpi

# Variables a launcher sets to the number of processes it started: if one of them says more
# than one but MPI sees a world of one, mpi4py's MPI is not the launcher's.
_LAUNCHER_SIZE_VARS = ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_STEP_NUM_TASKS", "PMIX_SIZE")
_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
DEFAULT_TIMEOUT = 600.0


class World:
    """The initialised process group (one per process)."""

    def __init__(self, mpi: Any, timeout: float | None, debug: bool) -> None:
        self.MPI = mpi
        self.comm: Any = mpi.COMM_WORLD.Dup()
        self.rank: int = self.comm.Get_rank()
        self.size: int = self.comm.Get_size()
        self.debug = debug
        self.timeout = timeout
        self.check_comm: Any = self.comm.Dup() if debug else None
        self.seq = 0
        self._ddp_comm: Any = None
        self.watchdog = (
            _guard.Watchdog(timeout, self.rank, self.size, self.abort)
            if timeout is not None and self.size > 1
            else None
        )

    def ddp_comm(self) -> Any:
        """The communicator of data-parallel gradient buckets (made on first use: collective)."""
        if self._ddp_comm is None:
            self._ddp_comm = self.comm.Dup()
        return self._ddp_comm

    def abort(self) -> None:
        """Ends every process of the job (MPI_Abort on the world)."""
        sys.stderr.flush()
        sys.stdout.flush()
        self.MPI.COMM_WORLD.Abort(1)

    def begin(self, call: _guard.Call) -> None:
        """Numbers ``call``, runs the debug check, and tells the watchdog (call `end` after)."""
        self.seq += 1
        call.seq = self.seq
        self.watch(call)
        if self.check_comm is not None:
            try:
                _guard.agree(self.check_comm, call)
            except BaseException:
                self.end()
                raise

    def watch(self, call: _guard.Call) -> None:
        """Tells the watchdog that this thread blocks in ``call`` (until `end`)."""
        if self.watchdog is not None:
            self.watchdog.enter(call)

    def end(self) -> None:
        """The call begun last has returned."""
        if self.watchdog is not None:
            self.watchdog.leave()

    def free(self) -> None:
        """Stops the watchdog and frees the communicators."""
        if self.watchdog is not None:
            self.watchdog.stop()
        for c in (self.comm, self.check_comm, self._ddp_comm):
            if c is not None:
                c.Free()


_world: World | None = None
_prev_excepthook: Any = None
_atexit_registered = False


def current() -> World:
    """The initialised world; raises if `init` has not been called."""
    if _world is None:
        raise RuntimeError(
            "pyautograd.distributed is not initialized: call pyautograd.distributed.init() first"
        )
    return _world


def is_initialized() -> bool:
    """True between `init` and `destroy`."""
    return _world is not None


def init(timeout: float | None = None, debug: bool | None = None) -> None:
    """Joins the job's process group (see `pyautograd.distributed.init`)."""
    global _world, _prev_excepthook, _atexit_registered
    if _world is not None:
        return
    mpi = _mpi.load()
    if debug is None:
        debug = os.environ.get("PYAG_DIST_DEBUG", "0") not in ("", "0")
    if timeout is None:
        env = os.environ.get("PYAG_DIST_TIMEOUT", "")
        timeout = float(env) if env else DEFAULT_TIMEOUT
    w = World(mpi, timeout if timeout > 0 else None, debug)
    if w.size == 1:
        _check_not_a_stray_singleton(w)
    _set_threads(w)
    _world = w
    if sys.excepthook is not _excepthook:
        _prev_excepthook = sys.excepthook
        sys.excepthook = _excepthook
    if not _atexit_registered:
        atexit.register(_at_exit)
        _atexit_registered = True


def destroy() -> None:
    """Leaves the process group (see `pyautograd.distributed.destroy_process_group`)."""
    global _world
    w = _world
    if w is None:
        return
    if w.check_comm is not None:
        _agree_on_exit(w, "destroy_process_group")
    _world = None
    if sys.excepthook is _excepthook:
        sys.excepthook = _prev_excepthook
    w.free()


def _check_not_a_stray_singleton(w: World) -> None:
    for var in _LAUNCHER_SIZE_VARS:
        value = os.environ.get(var, "")
        if value.isdigit() and int(value) > 1:
            w.free()
            raise RuntimeError(
                f"[init] this process was launched as one of {value} ({var}={value}) but MPI "
                "sees a world of one: mpi4py's MPI library is not the one the launcher speaks to "
                "(e.g. the pip Open MPI wheel under srun without --mpi=pmix, or another MPI's "
                "mpirun). Use that MPI's own mpirun, or python -m pyautograd.distributed.run"
            )


def _set_threads(w: World) -> None:
    """BLAS threads = this process's cores / ranks on this node, unless the user chose."""
    if any(os.environ.get(v) for v in _THREAD_VARS):
        return
    local = w.comm.Split_type(w.MPI.COMM_TYPE_SHARED)
    per_node = local.Get_size()
    local.Free()
    if per_node <= 1:
        return
    mine = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    total = os.cpu_count() or 1
    mine = mine or total
    # Bound to a subset of the cores by the launcher: that subset is this rank's share.
    share = mine if mine < total else total // per_node
    _pa.set_num_threads(max(1, share))


def _excepthook(tp: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    """Prints the traceback, then ends the whole job: the other ranks would wait forever."""
    (_prev_excepthook or sys.__excepthook__)(tp, value, tb)
    w = _world
    if w is not None and w.size > 1:
        sys.stderr.write(
            f"[pyautograd.distributed] rank {w.rank}: uncaught {tp.__name__}; "
            f"aborting all {w.size} processes\n"
        )
        w.abort()


def _agree_on_exit(w: World, what: str) -> None:
    try:
        w.begin(_guard.Call("exit/destroy_process_group"))
        w.end()
    except RuntimeError as e:
        sys.stderr.write(f"[pyautograd.distributed] rank {w.rank} at {what}: {e}\n")
        w.abort()


def _at_exit() -> None:
    w = _world
    if w is None:
        return
    if w.check_comm is not None:
        _agree_on_exit(w, "exit")
    if w.watchdog is not None:
        w.watchdog.stop()
