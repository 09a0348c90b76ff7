"""The targets: informational PASS/MISS verdicts on the collected figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from .config import KINDS
from .overhead import CASES


@dataclass(frozen=True)
class Check:
    """One target: ``value <= limit`` passes; a missing value is "n/a"."""

    id: str
    label: str
    value: float | None
    limit: float

    @property
    def verdict(self) -> str:
        if self.value is None:
            return "n/a"
        return "PASS" if self.value <= self.limit else "MISS"

    def cell(self) -> str:
        return f"{self.verdict} <={self.limit:g}"


STEP_VS_NATIVE = 1.05
STEP_VS_TORCH = 0.6
OVERHEAD_NS = {"add": 500.0, "add_requires_grad": 1000.0}
SWEEP_VS_NATIVE = 1.05


def lookup(data: dict[str, Any] | None, *keys: str) -> Any:
    """``data[k1][k2]...``, or None where a level is missing."""
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def step_checks(threads: str, run: dict[str, Any]) -> list[Check]:
    results = lookup(run, "step", "results") or {}
    checks = [
        Check(
            f"step/{threads}/{kind}/vs_native",
            f"{kind} step vs native, {threads} thread(s)",
            lookup(results, f"pyautograd/{kind}", "vs_native"),
            STEP_VS_NATIVE,
        )
        for kind in KINDS
    ]
    checks.append(
        Check(
            f"step/{threads}/autograd/vs_torch",
            f"autograd step vs PyTorch, {threads} thread(s)",
            lookup(results, "pyautograd/autograd", "vs_torch"),
            STEP_VS_TORCH,
        )
    )
    return checks


def overhead_checks(overhead: dict[str, Any] | None) -> list[Check]:
    return [
        Check(
            f"overhead/{case}", f"{CASES[case]} (ns)", lookup(overhead, case, "pyautograd"), limit
        )
        for case, limit in OVERHEAD_NS.items()
    ]


def sweep_checks(threads: str, points: Sequence[dict[str, Any]]) -> list[Check]:
    return [
        Check(
            f"sweep/{threads}/{p['m']}x{p['hidden']}",
            f"sweep batch {p['m']} hidden {p['hidden']} vs native, {threads} thread(s)",
            p["vs_native"],
            SWEEP_VS_NATIVE,
        )
        for p in points
    ]


def memory_checks(memory: dict[str, Any]) -> list[Check]:
    ours = lookup(memory, "pyautograd", "peak_rss_mb")
    torch = lookup(memory, "torch", "peak_rss_mb")
    return [
        Check(
            "memory/system_allocs",
            "system allocations per steady-state step",
            lookup(memory, "pyautograd", "per_step", "system_alloc_count"),
            0.0,
        ),
        Check(
            "memory/peak_rss_vs_torch",
            "peak RSS vs PyTorch",
            ours / torch if ours is not None and torch else None,
            1.0,
        ),
    ]


def evaluate(results: dict[str, Any]) -> list[Check]:
    checks: list[Check] = []
    for threads, run in results["runs"].items():
        checks += step_checks(threads, run)
        checks += sweep_checks(threads, run.get("sweep", []))
        if "overhead" in run:
            checks += overhead_checks(run["overhead"])
    return checks + memory_checks(results["memory"])


def checks_json(checks: Sequence[Check]) -> list[dict[str, Any]]:
    return [{**asdict(c), "verdict": c.verdict} for c in checks]
