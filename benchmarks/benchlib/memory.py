"""Section 4: peak RSS of the seed's autograd loop and allocations per steady-state step."""

from __future__ import annotations

import resource
import sys
from typing import Any

from .backends import Backend
from .config import AUTOGRAD_LR, DATA_SEED, SEED_SIZES, Budget
from .data import make_init

COUNTED_STEPS = 100
COUNT_KEYS = ("alloc_count", "system_alloc_count")


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10  # bytes on macOS, else KiB


def per_step(before: dict[str, int], after: dict[str, int]) -> dict[str, float]:
    return {
        key: (after[key] - before[key]) / COUNTED_STEPS
        for key in COUNT_KEYS
        if key in before and key in after
    }


def run(backend: Backend, budget: Budget) -> dict[str, Any]:
    """Meant for a fresh process holding only this backend."""
    step = backend.step("autograd", make_init(SEED_SIZES, DATA_SEED), AUTOGRAD_LR)
    setup_mb = peak_rss_mb()
    for _ in range(budget.memory_steps - COUNTED_STEPS):
        step()
    before = backend.memory_stats()
    for _ in range(COUNTED_STEPS):
        step()
    after = backend.memory_stats()
    result: dict[str, Any] = {
        "steps": budget.memory_steps,
        "setup_rss_mb": setup_mb,
        "peak_rss_mb": peak_rss_mb(),
        "memory_stats": after,
        "per_step": None,
    }
    if before is not None and after is not None:
        result["per_step"] = per_step(before, after)
    return result
