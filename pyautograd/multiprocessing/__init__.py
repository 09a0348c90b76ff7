"""torch.multiprocessing: Python's multiprocessing (Process, Queue, Pool, get_context,
set_start_method, ...) with PyTorch's additions: spawn(fn, args, nprocs) and the sharing
strategy settings. Tensors sent through a Queue or to a Process are pickled (copied):
``share_memory_()`` marks a tensor but its memory is not shared between processes here."""

from __future__ import annotations

import multiprocessing as _mp
import traceback
from multiprocessing import *  # noqa: F403
from typing import Any

# (no __all__: a star import gives multiprocessing's names and the ones below)

_STRATEGIES = {"file_descriptor", "file_system"}
_strategy = ["file_descriptor"]


def get_all_sharing_strategies() -> set[str]:
    """The sharing strategies PyTorch knows on Linux."""
    return set(_STRATEGIES)


def get_sharing_strategy() -> str:
    """The current sharing strategy (recorded; tensors are pickled here whatever it is)."""
    return _strategy[0]


def set_sharing_strategy(new_strategy: str) -> None:
    """Sets the sharing strategy (one of get_all_sharing_strategies())."""
    if new_strategy not in _STRATEGIES:
        raise AssertionError(f"invalid sharing strategy {new_strategy!r}")
    _strategy[0] = new_strategy


class ProcessException(Exception):
    """A process of spawn() failed."""

    def __init__(self, msg: str, error_index: int, pid: int) -> None:
        super().__init__(msg)
        self.msg = msg
        self.error_index = error_index
        self.pid = pid

    def __reduce__(self) -> Any:
        return type(self), (self.msg, self.error_index, self.pid)


class ProcessRaisedException(ProcessException):
    """A process of spawn() raised (its traceback is in the message)."""


class ProcessExitedException(ProcessException):
    """A process of spawn() exited with a nonzero code or a signal."""

    def __init__(
        self,
        msg: str,
        error_index: int,
        error_pid: int,
        exit_code: int,
        signal_name: str | None = None,
    ) -> None:
        super().__init__(msg, error_index, error_pid)
        self.exit_code = exit_code
        self.signal_name = signal_name

    def __reduce__(self) -> Any:
        return (
            type(self),
            (self.msg, self.error_index, self.pid, self.exit_code, self.signal_name),
        )


def _wrap(fn: Any, i: int, args: tuple[Any, ...], error_queue: Any) -> None:
    try:
        fn(i, *args)
    except KeyboardInterrupt:
        pass
    except Exception:
        error_queue.put(traceback.format_exc())
        raise SystemExit(1) from None


class ProcessContext:
    """The processes of spawn(join=False): join() waits for them, raising if one failed."""

    def __init__(self, processes: list[Any], error_queues: list[Any]) -> None:
        self.processes = processes
        self.error_queues = error_queues

    def pids(self) -> list[int]:
        """The processes' ids."""
        return [int(p.pid) for p in self.processes]

    def join(self, timeout: float | None = None) -> bool:
        """Waits for the processes; True when all ended well, False if some still run after
        timeout. A failed process terminates the others and raises ProcessRaisedException
        (with its traceback) or ProcessExitedException."""
        for p in self.processes:
            p.join(timeout)
        failed = [i for i, p in enumerate(self.processes) if p.exitcode not in (None, 0)]
        if not failed:
            return all(p.exitcode == 0 for p in self.processes)
        for p in self.processes:
            if p.is_alive():
                p.terminate()
            p.join()
        i = failed[0]
        p = self.processes[i]
        if not self.error_queues[i].empty():
            tb = self.error_queues[i].get()
            msg = f"\n\n-- Process {i} terminated with the following error:\n{tb}"
            raise ProcessRaisedException(msg, i, p.pid)
        code = p.exitcode
        if code < 0:
            import signal

            name = signal.Signals(-code).name
            raise ProcessExitedException(
                f"process {i} terminated with signal {name}", i, p.pid, code, name
            )
        raise ProcessExitedException(
            f"process {i} terminated with exit code {code}", i, p.pid, code
        )


def spawn(
    fn: Any,
    args: tuple[Any, ...] = (),
    nprocs: int = 1,
    join: bool = True,
    daemon: bool = False,
    start_method: str = "spawn",
) -> ProcessContext | None:
    """torch.multiprocessing.spawn (and start_processes): fn(i, *args) for i in range(nprocs),
    each in a new process of start_method ("spawn" by default); with join, waits and re-raises
    a failure of one of them, else returns the ProcessContext."""
    ctx: Any = _mp.get_context(start_method)
    processes, queues = [], []
    for i in range(nprocs):
        q = ctx.SimpleQueue()
        p = ctx.Process(target=_wrap, args=(fn, i, tuple(args), q), daemon=daemon)
        p.start()
        processes.append(p)
        queues.append(q)
    context = ProcessContext(processes, queues)
    if not join:
        return context
    while not context.join():
        pass
    return None


start_processes = spawn
