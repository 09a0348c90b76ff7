"""Work done in a fresh subprocess: one thread count, or one backend's memory loop."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import compilebench, memory, overhead, stepbench, sweep
from .backends import BACKEND_NAMES, load_backends
from .config import FULL, QUICK, Budget
from .load import LoadMonitor

REPO_DIR = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Task:
    """A worker's instructions, passed as JSON on the command line."""

    kind: str  # "threads" (sections at one thread count) or "memory" (one backend)
    out: str  # where the worker writes its JSON result
    quick: bool
    native_lib: str | None
    threads: int = 1
    sections: tuple[str, ...] = ()  # for "threads": "step", "sweep", "overhead", "compile"
    backend: str = ""  # for "memory"

    @property
    def budget(self) -> Budget:
        return QUICK if self.quick else FULL

    @property
    def native_path(self) -> Path | None:
        return Path(self.native_lib) if self.native_lib else None


def progress(message: str) -> None:
    print(f"  .. {message}", file=sys.stderr, flush=True)


def run_threads(task: Task) -> dict[str, Any]:
    monitor = LoadMonitor.start()
    backends, notes = load_backends(BACKEND_NAMES, task.native_path)
    notes += [note for b in backends if (note := b.set_threads(task.threads))]
    result: dict[str, Any] = {
        "threads": task.threads,
        "labels": {b.name: b.label for b in backends},
        "origins": {b.name: b.origin for b in backends},
        "reported_threads": {b.name: b.get_threads() for b in backends},
        "notes": notes,
    }
    sections = {
        "step": stepbench.run,
        "overhead": overhead.run,
        "sweep": sweep.run,
        "compile": compilebench.run,
    }
    for name, section in sections.items():
        if name in task.sections:
            progress(f"threads={task.threads}: {name}")
            result[name] = section(backends, task.budget, notes)
    result["foreign_load"] = monitor.foreign_fraction()
    return result


def run_memory(task: Task) -> dict[str, Any]:
    backends, notes = load_backends((task.backend,), task.native_path)
    if not backends:
        return {"skipped": notes[0]}
    backend = backends[0]
    backend.set_threads(1)
    progress(f"memory: {backend.label}")
    return {"label": backend.label, **memory.run(backend, task.budget)}


def main(spec: str) -> int:
    sys.path.append(str(REPO_DIR))  # an installed pyautograd wins, else the in-tree build
    raw = json.loads(spec)
    task = Task(**{**raw, "sections": tuple(raw.get("sections", ()))})
    result = run_memory(task) if task.kind == "memory" else run_threads(task)
    Path(task.out).write_text(json.dumps(result))
    return 0
