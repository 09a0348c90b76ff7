"""Entry point: builds the native baseline, runs each part in a fresh process, reports."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from . import native, report, targets, worker
from .backends import STANDIN_ENV
from .load import BUSY_WARNING, LoadMonitor
from .plot import write_scale_plot

BENCH_DIR = Path(__file__).resolve().parent.parent
RUN_PY = BENCH_DIR / "run.py"
NATIVE_SOURCE = BENCH_DIR / "native"
NATIVE_BUILD = BENCH_DIR.parent / "build" / "bench-native"
SECTIONS = ("step", "overhead", "sweep", "memory", "compile")
MEMORY_BACKENDS = ("pyautograd", "torch", "numpy", "native")
THREAD_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
# OpenBLAS workers spin ~2**28 cycles (~0.1 s) after each call before sleeping; in interleaved
# blocks an idle pool of one library would then steal the cores of the next. 2**20 cycles
# (~0.4 ms) still covers the gaps between the GEMMs of one step.
SPIN_ENV = {"OPENBLAS_THREAD_TIMEOUT": "20"}

EPILOG = f"""\
Each thread count runs in a fresh process with {", ".join(THREAD_ENV)} set, and every
implementation's own setter is called too; OPENBLAS_THREAD_TIMEOUT defaults to 20 so idle
OpenBLAS pools stop spinning quickly. The native baseline is built with CMake into
{NATIVE_BUILD.relative_to(BENCH_DIR.parent)}.

dev only: {STANDIN_ENV}=torch imports torch in pyautograd's slot, to exercise the suite
before pyautograd is importable (its figures are then PyTorch's, marked as a stand-in).
"""


class WorkerError(Exception):
    pass


def csv_threads(text: str) -> list[int]:
    counts = [int(part) for part in text.split(",") if part]
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError("thread counts must be positive integers, e.g. 1,2")
    return counts


def csv_sections(text: str) -> list[str]:
    chosen = [part for part in text.split(",") if part]
    unknown = set(chosen) - set(SECTIONS)
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown section(s) {sorted(unknown)}; use {SECTIONS}")
    return chosen


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python benchmarks/run.py",
        description="pyautograd benchmarks: the seed's training step against a native C++ "
        "baseline, NumPy and PyTorch; per-op overhead; a scale sweep; memory.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="smaller budget (under a minute)")
    parser.add_argument("--threads", type=csv_threads, default=[1, 2], help="e.g. 1,2 (default)")
    parser.add_argument(
        "--json", type=Path, default=BENCH_DIR / "results.json", help="results file (%(default)s)"
    )
    parser.add_argument(
        "--plot", type=Path, default=BENCH_DIR / "scale.png", help="sweep plot (needs matplotlib)"
    )
    parser.add_argument(
        "--sections", type=csv_sections, default=list(SECTIONS), help=",".join(SECTIONS)
    )
    parser.add_argument("--worker-task", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def build_native(notes: list[str]) -> Path | None:
    print(f"building native baseline in {NATIVE_BUILD} ...", file=sys.stderr, flush=True)
    try:
        return native.build(NATIVE_SOURCE, NATIVE_BUILD)
    except native.NativeUnavailableError as exc:
        notes.append(f"native baseline unavailable: {exc}")
        return None


def spawn(spec: dict[str, Any], threads: int) -> dict[str, Any]:
    """Runs one worker task in a fresh interpreter with the thread count in its environment."""
    env = {**SPIN_ENV, **os.environ, **dict.fromkeys(THREAD_ENV, str(threads))}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        command = [
            sys.executable,
            str(RUN_PY),
            "--worker-task",
            json.dumps({**spec, "out": str(out)}),
        ]
        code = subprocess.run(command, env=env, check=False).returncode
        if code != 0 or not out.exists():
            raise WorkerError(f"worker {spec} failed (exit code {code})")
        result: dict[str, Any] = json.loads(out.read_text())
        return result


def run_thread_counts(
    args: argparse.Namespace, lib: str | None, notes: list[str]
) -> dict[str, Any]:
    runs: dict[str, Any] = {}
    for index, threads in enumerate(args.threads):
        sections = [s for s in ("step", "sweep", "compile") if s in args.sections]
        if index == 0 and "overhead" in args.sections:
            sections.append("overhead")  # thread-independent: measured once
        if not sections:
            break
        spec = {"kind": "threads", "quick": args.quick, "native_lib": lib}
        print(f"threads={threads}: {', '.join(sections)}", file=sys.stderr, flush=True)
        try:
            runs[str(threads)] = spawn({**spec, "threads": threads, "sections": sections}, threads)
        except WorkerError as exc:
            notes.append(str(exc))
    return runs


def run_memory(args: argparse.Namespace, lib: str | None, notes: list[str]) -> dict[str, Any]:
    if "memory" not in args.sections:
        return {}
    memory: dict[str, Any] = {}
    for name in MEMORY_BACKENDS:
        spec = {"kind": "memory", "quick": args.quick, "native_lib": lib}
        try:
            memory[name] = spawn({**spec, "backend": name}, threads=1)
        except WorkerError as exc:
            notes.append(str(exc))
    return memory


def version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "n/a"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def meta() -> dict[str, Any]:
    return {
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "platform": platform.platform(),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": version("numpy"),
        "torch": version("torch"),
        "pyautograd": version("pyautograd"),
        "standin": os.environ.get(STANDIN_ENV),
        "openblas_thread_timeout": os.environ.get(
            "OPENBLAS_THREAD_TIMEOUT", SPIN_ENV["OPENBLAS_THREAD_TIMEOUT"]
        ),
    }


def dedupe(notes: list[str]) -> list[str]:
    return list(dict.fromkeys(notes))


def collect(args: argparse.Namespace) -> dict[str, Any]:
    """Builds the baseline, runs every worker, gathers their results and notes."""
    notes: list[str] = []
    built = build_native(notes)
    lib = str(built) if built else None
    runs = run_thread_counts(args, lib, notes)
    memory = run_memory(args, lib, notes)
    notes += [note for run in runs.values() for note in run["notes"]]
    notes += [m["skipped"] for m in memory.values() if "skipped" in m]
    return {"meta": meta(), "quick": args.quick, "runs": runs, "memory": memory, "notes": notes}


def load_warning(load: float | None) -> list[str]:
    if load is None or load <= BUSY_WARNING:
        return []
    share = f"{load:.0%} of the cores"
    return [f"WARNING: other processes used {share} during the run; timings are unreliable"]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker_task:
        return worker.main(args.worker_task)
    monitor = LoadMonitor.start()
    results = collect(args)
    results["meta"]["foreign_load"] = load = monitor.foreign_fraction()
    results["notes"] = dedupe(results["notes"] + load_warning(load))
    if "sweep" in args.sections:
        results["notes"].append(write_scale_plot(results, args.plot))
    results["targets"] = targets.checks_json(targets.evaluate(results))
    print(report.render(results))
    args.json.write_text(json.dumps(results, indent=1))
    print(f"\nresults written to {args.json} ({time.perf_counter() - monitor.wall:.0f} s)")
    return 0
