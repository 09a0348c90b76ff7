"""torch.profiler: ``profile``, ``record_function``, ``schedule``, ``ProfilerActivity``,
``tensorboard_trace_handler`` (``torch.autograd.profiler`` has the legacy ``profile``).

What is recorded: the wall time of every ``record_function`` range and of each profiler step
(``ProfilerStep#N``, when a schedule is given), per thread, nested. Individual tensor
operations are not recorded (they run in C++ without a per-op hook), so
``key_averages().table()`` lists the ranges the program marks; ``export_chrome_trace``
writes them in the Chrome trace format PyTorch writes.
"""

from __future__ import annotations

import enum
import functools
import gzip
import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

__all__ = [
    "EventList",
    "FunctionEvent",
    "FunctionEventAvg",
    "ProfilerAction",
    "ProfilerActivity",
    "profile",
    "record_function",
    "schedule",
    "tensorboard_trace_handler",
]


class ProfilerActivity(enum.Enum):
    """The devices a profile covers (only CPU has events here)."""

    CPU = 0
    CUDA = 1
    XPU = 2
    MTIA = 3
    HPU = 4
    PrivateUse1 = 5


class ProfilerAction(enum.Enum):
    """What a schedule asks of a step."""

    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3


def schedule(
    *,
    wait: int,
    warmup: int,
    active: int,
    repeat: int = 0,
    skip_first: int = 0,
    skip_first_wait: int = 0,
) -> Callable[[int], ProfilerAction]:
    """PyTorch's schedule: skip ``skip_first`` steps, then cycles of ``wait`` idle,
    ``warmup`` and ``active`` recorded steps (the last one saves), ``repeat`` cycles (0: no
    limit)."""
    if wait < 0 or warmup < 0 or active <= 0 or repeat < 0 or skip_first < 0:
        raise ValueError(
            "schedule: expected wait >= 0, warmup >= 0, active > 0, repeat >= 0 and "
            f"skip_first >= 0, got wait={wait}, warmup={warmup}, active={active}, "
            f"repeat={repeat}, skip_first={skip_first}"
        )
    if warmup == 0:
        import warnings

        warnings.warn(
            "Profiler won't be using warmup, this can skew profiler results", stacklevel=2
        )

    def schedule_fn(step: int) -> ProfilerAction:
        if step < skip_first:
            return ProfilerAction.NONE
        step -= skip_first
        if skip_first_wait and wait:
            step += wait
        cycle = wait + warmup + active
        if repeat > 0 and step // cycle >= repeat:
            return ProfilerAction.NONE
        mod = step % cycle
        if mod < wait:
            return ProfilerAction.NONE
        if mod < wait + warmup:
            return ProfilerAction.WARMUP
        return ProfilerAction.RECORD if mod < cycle - 1 else ProfilerAction.RECORD_AND_SAVE

    return schedule_fn


def _always_record(step: int) -> ProfilerAction:
    del step
    return ProfilerAction.RECORD


class FunctionEvent:
    """One recorded range: name, thread, start and end (microseconds), nesting."""

    def __init__(self, name: str, thread: int, start_us: float, end_us: float) -> None:
        self.name = self.key = name
        self.thread = thread
        self.start_us = start_us
        self.end_us = end_us
        self.cpu_children: list[FunctionEvent] = []
        self.cpu_parent: FunctionEvent | None = None
        self.count = 1

    @property
    def cpu_time_total(self) -> float:
        """Microseconds between the range's start and end."""
        return self.end_us - self.start_us

    @property
    def self_cpu_time_total(self) -> float:
        """The range's time minus that of the ranges nested in it."""
        return self.cpu_time_total - sum(c.cpu_time_total for c in self.cpu_children)

    cpu_time = cpu_time_total
    device_time_total = self_device_time_total = 0.0

    def __repr__(self) -> str:
        return (
            f"<FunctionEvent name={self.name} thread={self.thread} "
            f"cpu_time_total={self.cpu_time_total:.3f}us>"
        )


class FunctionEventAvg:
    """The ranges of one name summed: count, total and self time."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.count = 0
        self.cpu_time_total = 0.0
        self.self_cpu_time_total = 0.0
        self.device_time_total = self.self_device_time_total = 0.0

    def add(self, e: FunctionEvent) -> None:
        """Adds one range."""
        self.count += 1
        self.cpu_time_total += e.cpu_time_total
        self.self_cpu_time_total += e.self_cpu_time_total

    @property
    def cpu_time(self) -> float:
        """Average microseconds per range."""
        return self.cpu_time_total / self.count if self.count else 0.0

    def __repr__(self) -> str:
        return (
            f"<FunctionEventAvg key={self.key} count={self.count} "
            f"cpu_time_total={self.cpu_time_total:.3f}us>"
        )


_SORT_KEYS = {
    "cpu_time",
    "cpu_time_total",
    "self_cpu_time_total",
    "count",
    "device_time_total",
    "self_device_time_total",
    "cuda_time_total",
    "self_cuda_time_total",
}


def _fmt_us(us: float) -> str:
    if us >= 1e6:
        return f"{us / 1e6:.3f}s"
    if us >= 1e3:
        return f"{us / 1e3:.3f}ms"
    return f"{us:.3f}us"


class EventList(list):  # type: ignore[type-arg]
    """A list of events (FunctionEvent or FunctionEventAvg) that can print a table."""

    def table(
        self,
        sort_by: str | None = None,
        row_limit: int = 100,
        max_src_column_width: int = 75,
        max_name_column_width: int = 55,
        max_shapes_column_width: int = 80,
        header: str | None = None,
        top_level_events_only: bool = False,
        **kwargs: Any,
    ) -> str:
        """PyTorch's table of names, self and total time, averages and counts."""
        del max_src_column_width, max_shapes_column_width, kwargs
        rows = list(self)
        if top_level_events_only:
            rows = [e for e in rows if getattr(e, "cpu_parent", None) is None]
        if sort_by is not None:
            key = sort_by.replace("cuda", "device")
            if sort_by not in _SORT_KEYS:
                raise AttributeError(f"table: cannot sort by {sort_by!r}")
            rows.sort(key=lambda e: getattr(e, key), reverse=True)
        if row_limit is not None and row_limit > 0:
            rows = rows[:row_limit]
        total_self = sum(e.self_cpu_time_total for e in self) or 1.0
        w = min(max([len("Name"), *(len(e.key) for e in rows)]), max_name_column_width)
        cols = ["Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg", "# of Calls"]
        line = "-" * w + "  " + "  ".join("-" * 12 for _ in cols)
        out = []
        if header:
            out.append(header)
        out += [line, f"{'Name':<{w}}  " + "  ".join(f"{c:>12}" for c in cols), line]
        for e in rows:
            name = e.key if len(e.key) <= w else e.key[: w - 3] + "..."
            cells = [
                f"{100 * e.self_cpu_time_total / total_self:.2f}%",
                _fmt_us(e.self_cpu_time_total),
                f"{100 * e.cpu_time_total / total_self:.2f}%",
                _fmt_us(e.cpu_time_total),
                _fmt_us(e.cpu_time),
                str(e.count),
            ]
            out.append(f"{name:<{w}}  " + "  ".join(f"{c:>12}" for c in cells))
        out.append(line)
        out.append(f"Self CPU time total: {_fmt_us(sum(e.self_cpu_time_total for e in self))}")
        return "\n".join(out) + "\n"

    def key_averages(
        self, group_by_input_shape: bool = False, group_by_stack_n: int = 0
    ) -> EventList:
        """The events summed by name."""
        del group_by_input_shape, group_by_stack_n
        avgs: dict[str, FunctionEventAvg] = {}
        for e in self:
            avgs.setdefault(e.key, FunctionEventAvg(e.key)).add(e)
        return EventList(avgs.values())

    def total_average(self) -> FunctionEventAvg:
        """All events summed."""
        total = FunctionEventAvg("Total")
        for e in self:
            total.add(e)
        return total

    def export_chrome_trace(self, path: str) -> None:
        """Writes the events as a Chrome trace (chrome://tracing, Perfetto)."""
        _write_trace(path, [e for e in self if isinstance(e, FunctionEvent)])

    def __str__(self) -> str:
        return self.table()


def _write_trace(path: str, events: Iterable[FunctionEvent]) -> None:
    trace = {
        "traceEvents": [
            {
                "ph": "X",
                "cat": "user_annotation",
                "name": e.name,
                "pid": os.getpid(),
                "tid": e.thread,
                "ts": e.start_us,
                "dur": e.cpu_time_total,
            }
            for e in events
        ],
        "displayTimeUnit": "ms",
    }
    data = json.dumps(trace).encode()
    if path.endswith(".gz"):
        with gzip.open(path, "wb") as f:
            f.write(data)
    else:
        with open(path, "wb") as f:
            f.write(data)


# ---- recording ------------------------------------------------------------------------------
_lock = threading.Lock()
_active: list[_Profile] = []  # profilers currently recording
_tls = threading.local()


def _now_us() -> float:
    return time.perf_counter_ns() / 1e3


class _Range:
    __slots__ = ("children", "end", "name", "parent", "start", "thread")

    def __init__(self, name: str) -> None:
        self.name = name
        self.thread = threading.get_ident()
        self.start = _now_us()
        self.end = 0.0
        self.children: list[_Range] = []
        self.parent: _Range | None = None


def _open(name: str) -> _Range | None:
    if not _active:
        return None
    r = _Range(name)
    stack = getattr(_tls, "stack", None)
    if stack is None:
        stack = _tls.stack = []
    if stack:
        r.parent = stack[-1]
    stack.append(r)
    return r


def _close(r: _Range | None) -> None:
    if r is None:
        return
    r.end = _now_us()
    stack = getattr(_tls, "stack", [])
    if stack and stack[-1] is r:
        stack.pop()
    with _lock:
        for p in _active:
            p._add(r)


class record_function:
    """Marks a range of the program (context manager or decorator) that an active profiler
    records under ``name``."""

    def __init__(self, name: str, args: str | None = None) -> None:
        if not isinstance(name, str):
            raise TypeError(f"record_function: name must be a str, got {type(name).__name__}")
        self.name = name
        self.args = args
        self._range: _Range | None = None

    def __enter__(self) -> record_function:
        self._range = _open(self.name)
        return self

    def __exit__(self, *exc: object) -> None:
        _close(self._range)
        self._range = None

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with record_function(self.name, self.args):
                return fn(*args, **kwargs)

        return wrapper


class _Profile:
    """What profile and the legacy autograd profiler share: a recording of ranges."""

    def __init__(self) -> None:
        self._ranges: list[_Range] = []
        self._recording = False
        self._events: EventList | None = None

    def _add(self, r: _Range) -> None:
        self._ranges.append(r)

    def _start_recording(self) -> None:
        if not self._recording:
            self._recording = True
            self._ranges = []
            self._events = None
            with _lock:
                _active.append(self)

    def _stop_recording(self) -> None:
        if self._recording:
            self._recording = False
            with _lock:
                if self in _active:
                    _active.remove(self)
            self._events = self._build()

    def _build(self) -> EventList:
        made: dict[int, FunctionEvent] = {}
        for r in self._ranges:
            made[id(r)] = FunctionEvent(r.name, r.thread, r.start, r.end)
        for r in self._ranges:
            if r.parent is not None and id(r.parent) in made:
                child, parent = made[id(r)], made[id(r.parent)]
                child.cpu_parent = parent
                parent.cpu_children.append(child)
        return EventList(sorted(made.values(), key=lambda e: e.start_us))

    def events(self) -> EventList:
        """The recorded ranges (after recording stopped)."""
        if self._events is None:
            raise RuntimeError("Profiler didn't finish running")
        return self._events

    def key_averages(
        self, group_by_input_shape: bool = False, group_by_stack_n: int = 0
    ) -> EventList:
        """The recorded ranges summed by name."""
        return self.events().key_averages(group_by_input_shape, group_by_stack_n)

    def export_chrome_trace(self, path: str) -> None:
        """Writes the recorded ranges as a Chrome trace."""
        self.events().export_chrome_trace(path)

    def table(self, *args: Any, **kwargs: Any) -> str:
        """``key_averages().table(...)``."""
        return self.key_averages().table(*args, **kwargs)


class profile(_Profile):
    """``with torch.profiler.profile(...) as prof: ... prof.step()``: records
    ``record_function`` ranges and steps, following ``schedule`` and calling
    ``on_trace_ready(prof)`` at the end of each active cycle (and at exit)."""

    def __init__(
        self,
        *,
        activities: Iterable[ProfilerActivity] | None = None,
        schedule: Callable[[int], ProfilerAction] | None = None,
        on_trace_ready: Callable[[Any], Any] | None = None,
        record_shapes: bool = False,
        profile_memory: bool = False,
        with_stack: bool = False,
        with_flops: bool = False,
        with_modules: bool = False,
        experimental_config: Any = None,
        execution_trace_observer: Any = None,
        acc_events: bool = False,
        use_cuda: bool | None = None,
        custom_trace_id_callback: Any = None,
    ) -> None:
        super().__init__()
        del record_shapes, profile_memory, with_stack, with_flops, with_modules
        del experimental_config, execution_trace_observer, acc_events, use_cuda
        del custom_trace_id_callback
        self.activities = set(activities or [ProfilerActivity.CPU])
        for a in self.activities:
            if not isinstance(a, ProfilerActivity):
                raise TypeError(f"profile: activities must be ProfilerActivity, got {a!r}")
        self.schedule = schedule or _always_record
        self.record_steps = schedule is not None  # ProfilerStep#N ranges, as in PyTorch
        self.on_trace_ready = on_trace_ready
        self.step_num = 0
        self._action = ProfilerAction.NONE
        self._step_range: _Range | None = None

    def start(self) -> None:
        """Starts profiling (as entering the ``with`` block)."""
        self._enter_action(self.schedule(self.step_num))

    def stop(self) -> None:
        """Stops profiling; a recording in progress is finished and handed over."""
        self._close_step()
        if self._recording:
            self._stop_recording()
            if self.on_trace_ready is not None:
                self.on_trace_ready(self)
        self._action = ProfilerAction.NONE

    def _enter_action(self, action: ProfilerAction) -> None:
        self._action = action
        if action in (ProfilerAction.RECORD, ProfilerAction.RECORD_AND_SAVE):
            self._start_recording()
            if self.record_steps:
                self._step_range = _open(f"ProfilerStep#{self.step_num}")

    def _close_step(self) -> None:
        if self._step_range is not None:
            _close(self._step_range)
            self._step_range = None

    def step(self) -> None:
        """Ends the current step (call once per training iteration)."""
        prev = self._action
        self._close_step()
        self.step_num += 1
        nxt = self.schedule(self.step_num)
        if prev == ProfilerAction.RECORD_AND_SAVE or (
            self._recording and nxt not in (ProfilerAction.RECORD, ProfilerAction.RECORD_AND_SAVE)
        ):
            self._stop_recording()
            if self.on_trace_ready is not None:
                self.on_trace_ready(self)
        self._enter_action(nxt)

    def __enter__(self) -> profile:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def tensorboard_trace_handler(
    dir_name: str, worker_name: str | None = None, use_gzip: bool = False
) -> Callable[[Any], None]:
    """An ``on_trace_ready`` that writes each trace to ``dir_name`` as
    ``{worker}.{time}.pt.trace.json`` (``.gz`` with ``use_gzip``)."""

    def handler(prof: Any) -> None:
        os.makedirs(dir_name, exist_ok=True)
        worker = worker_name or f"{socket.gethostname()}_{os.getpid()}"
        name = f"{worker}.{time.time_ns() // 1_000_000}.pt.trace.json" + (".gz" if use_gzip else "")
        prof.export_chrome_trace(os.path.join(dir_name, name))

    return handler


class _AutogradProfile(_Profile):
    """``torch.autograd.profiler.profile(enabled=True, ...)``: records the ``record_function``
    ranges run inside the ``with`` block."""

    def __init__(self, enabled: bool = True, **kwargs: Any) -> None:
        super().__init__()
        del kwargs
        self.enabled = enabled

    def __enter__(self) -> _AutogradProfile:
        if self.enabled:
            self._start_recording()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self._stop_recording()


class _Nothing:
    """A context manager that does nothing (NVTX/ITT ranges are for other vendors' tools)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        del args, kwargs

    def __enter__(self) -> _Nothing:
        return self

    def __exit__(self, *exc: object) -> None:
        return None
