"""How busy the machine was with other processes while the benchmark ran (Linux only)."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

BUSY_WARNING = 0.10  # fraction of all cores used by other processes


def _busy_seconds() -> float | None:
    """CPU seconds spent busy by all processes since boot (steal counts as busy)."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle, iowait = fields[3], fields[4]
    guest = sum(fields[8:10])  # already included in user/nice
    return (sum(fields) - idle - iowait - guest) / os.sysconf("SC_CLK_TCK")


def _own_seconds() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


@dataclass
class LoadMonitor:
    """Started before the run; ``foreign_fraction`` is other processes' share of all cores."""

    wall: float
    busy: float | None
    own: float

    @classmethod
    def start(cls) -> LoadMonitor:
        return cls(time.perf_counter(), _busy_seconds(), _own_seconds())

    def foreign_fraction(self) -> float | None:
        busy = _busy_seconds()
        if busy is None or self.busy is None:
            return None
        foreign = (busy - self.busy) - (_own_seconds() - self.own)
        capacity = (time.perf_counter() - self.wall) * (os.cpu_count() or 1)
        return max(0.0, foreign / capacity)
