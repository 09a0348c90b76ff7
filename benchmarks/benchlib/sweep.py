"""Section 3: the autograd step at larger batch and hidden sizes, pyautograd against native."""

from __future__ import annotations

import gc
import statistics
from collections.abc import Sequence
from typing import Any

from .backends import Backend
from .config import DATA_SEED, SEED_SIZES, SWEEP_LR, Budget, Sizes
from .data import make_init
from .stepbench import LOSS_RTOL, loss_trajectories, make_impls, max_rel_diff
from .timing import Impl, median_ratio, run_blocks, time_block

SWEEP_BACKENDS = ("native", "pyautograd")


def steps_per_block(impls: Sequence[Impl], block_seconds: float) -> int:
    """Sized so the slowest implementation's block takes about ``block_seconds``."""
    slowest_ms = max(min(time_block(impl.step, 1) for _ in range(3)) for impl in impls)
    return max(1, round(block_seconds * 1e3 / slowest_ms))


def run_point(
    backends: Sequence[Backend], sizes: Sizes, budget: Budget, notes: list[str]
) -> dict[str, Any]:
    init = make_init(sizes, DATA_SEED)
    impls = make_impls(backends, init, {"autograd": SWEEP_LR}, notes)
    first = loss_trajectories(impls, 1, notes)  # also the warm-up; drops any that raise
    impls = [impl for impl in impls if impl.key in first]
    point: dict[str, Any] = {"m": sizes.m, "hidden": sizes.hidden, "vs_native": None}
    if not impls:
        return {**point, "steps_per_block": 0, "median_ms": {}}
    steps = steps_per_block(impls, budget.sweep_block_seconds)
    times = run_blocks(impls, budget.sweep_blocks, steps)
    point["steps_per_block"] = steps
    point["median_ms"] = {impl.name: statistics.median(times[impl.key]) for impl in impls}
    ours, native = first.get("pyautograd/autograd"), first.get("native/autograd")
    if ours and native:
        point["vs_native"] = median_ratio(times["pyautograd/autograd"], times["native/autograd"])
        if max_rel_diff(ours, native) > LOSS_RTOL:
            notes.append(f"WARNING: sweep {sizes.m}x{sizes.hidden}: losses differ {first}")
    return point


def run(backends: Sequence[Backend], budget: Budget, notes: list[str]) -> list[dict[str, Any]]:
    chosen = [b for b in backends if b.name in SWEEP_BACKENDS]
    points = []
    for m, hidden in budget.sweep_points:
        sizes = Sizes(m=m, din=SEED_SIZES.din, hidden=hidden, dout=SEED_SIZES.dout)
        points.append(run_point(chosen, sizes, budget, notes))
        gc.collect()  # release this point's buffers before the next, larger one
    return points
