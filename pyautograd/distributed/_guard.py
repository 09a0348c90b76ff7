"""Failure guards: the stall watchdog and the debug-mode agreement check of collectives.

Every collective is described by a `Call` (kind, dtype, shape, reduce op, root). The watchdog
thread knows which call the main thread is blocked in and, past the timeout, names it on stderr
and aborts the job. In debug mode (``PYAG_DIST_DEBUG=1``) every rank exchanges a fingerprint of
its call before making it, and all ranks raise the same error when they disagree.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import pyautograd as _pa

KINDS = (
    "?",
    "all_reduce",
    "broadcast",
    "all_gather",
    "reduce_scatter",
    "barrier",
    "reduce",
    "object collective",
    "DDP gradient bucket allreduce",
    "DDP parameter broadcast",
    "exit/destroy_process_group",
)
#: The reduce ops by name (collectives.ReduceOp's values, in order).
OPS = ("SUM", "AVG", "PRODUCT", "MIN", "MAX", "BAND", "BOR", "BXOR")
_DTYPES: tuple[Any, ...] = (None, _pa.float32, _pa.float64, _pa.int64, _pa.bool)
_MAX_DIMS = 9
_WIDTH = 7 + _MAX_DIMS  # seq, kind, dtype, op, root, numel2, ndim, dims...


class Call:
    """What a rank is about to do: enough to describe it and to compare it with other ranks."""

    __slots__ = ("dtype", "extra", "kind", "op", "root", "seq", "shape")

    def __init__(
        self,
        kind: str,
        t: _pa.Tensor | None = None,
        op: str = "",
        root: int = -1,
        extra: int = -1,
    ) -> None:
        self.kind = kind
        self.dtype = t.dtype if t is not None else None
        self.shape: tuple[int, ...] = tuple(t.shape) if t is not None else ()
        self.op = op
        self.root = root
        self.extra = extra  # a second element count (e.g. all_gather's output), -1 if none
        self.seq = 0

    def describe(self) -> str:
        """E.g. ``all_reduce #12 (float32, shape (4, 3), op SUM)``."""
        parts = []
        if self.dtype is not None:
            parts.append(f"{self.dtype}, shape {self.shape}".replace("torch.", ""))
        if self.op:
            parts.append(f"op {self.op}")
        if self.root >= 0:
            parts.append(f"root {self.root}")
        if self.extra >= 0:
            parts.append(f"{self.extra} elements in all")
        inner = f" ({', '.join(parts)})" if parts else ""
        return f"{self.kind} #{self.seq}{inner}"

    def fingerprint(self) -> np.ndarray[Any, np.dtype[np.int64]]:
        """A fixed-size int64 record of this call, equal on two ranks iff the calls agree."""
        f = np.zeros(_WIDTH, dtype=np.int64)
        dims = list(self.shape)
        if len(dims) > _MAX_DIMS:
            dims[_MAX_DIMS - 1] = hash(tuple(dims[_MAX_DIMS - 1 :])) & (2**62 - 1)
            dims = dims[:_MAX_DIMS]
        f[:7] = (
            self.seq,
            KINDS.index(self.kind),
            _DTYPES.index(self.dtype),
            OPS.index(self.op) if self.op else -1,
            self.root,
            self.extra,
            len(self.shape),
        )
        f[7 : 7 + len(dims)] = dims
        return f

    @staticmethod
    def decode(f: np.ndarray[Any, np.dtype[np.int64]]) -> str:
        """Describes the call a fingerprint came from."""
        seq, kind, dtype, op, root, extra, ndim = (int(x) for x in f[:7])
        c = Call(KINDS[kind], op=OPS[op] if op >= 0 else "", root=root, extra=extra)
        c.seq = seq
        c.dtype = _DTYPES[dtype]
        c.shape = tuple(int(x) for x in f[7 : 7 + min(ndim, _MAX_DIMS)])
        if ndim > _MAX_DIMS:
            c.shape = (*c.shape[:-1], -1)  # folded: the last dims are hashed
        return c.describe()


def agree(comm: Any, call: Call) -> None:
    """Debug mode: all ranks exchange ``call``'s fingerprint; all raise if any differs."""
    mine = call.fingerprint()
    every = np.empty((comm.Get_size(), _WIDTH), dtype=np.int64)
    comm.Allgather(mine, every)
    if (every == every[0]).all():
        return
    lines = [f"  rank {r}: {Call.decode(every[r])}" for r in range(every.shape[0])]
    raise RuntimeError(
        f"[{call.kind}] ranks disagree on collective call #{call.seq} (PYAG_DIST_DEBUG=1 caught "
        "it before it ran; without the check it would hang or compute a wrong result):\n"
        + "\n".join(lines)
    )


class Watchdog:
    """A daemon thread that aborts the job when one collective blocks for longer than timeout.

    The main thread marks the call it is blocked in with `enter` and `leave` (two attribute
    stores); the thread polls a few times per timeout.
    """

    def __init__(self, timeout: float, rank: int, size: int, abort: Callable[[], None]) -> None:
        self.timeout = timeout
        self.rank = rank
        self.size = size
        self._abort = abort
        self._call: Call | None = None
        self._since = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pyag-dist-watchdog", daemon=True)
        self._thread.start()

    def enter(self, call: Call) -> None:
        """The calling thread is about to block in ``call``."""
        self._since = time.monotonic()
        self._call = call

    def leave(self) -> None:
        """The blocking call returned."""
        self._call = None

    def stop(self) -> None:
        """Stops the thread (returns at once; the thread ends within one poll)."""
        self._stop.set()

    def _run(self) -> None:
        poll = min(1.0, max(0.01, self.timeout / 10))
        while not self._stop.wait(poll):
            call, since = self._call, self._since
            if call is None:
                continue
            waited = time.monotonic() - since
            if waited > self.timeout and self._call is call:
                sys.stderr.write(
                    f"[pyautograd.distributed] rank {self.rank} of {self.size}: "
                    f"{call.describe()} has not completed after {waited:.1f} s (timeout "
                    f"{self.timeout:g} s): another rank never joined it, or called a different "
                    "collective (PYAG_DIST_DEBUG=1 checks that). Aborting the job.\n"
                )
                sys.stderr.flush()
                self._abort()
                return
