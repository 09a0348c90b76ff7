"""Interleaved block timing and timeit helpers."""

from __future__ import annotations

import random
import statistics
import time
import timeit
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .steps import StepFn


@dataclass(frozen=True)
class Impl:
    """One implementation of one step kind, ready to run."""

    name: str  # backend name
    kind: str  # "autograd" or "manual"
    step: StepFn

    @property
    def key(self) -> str:
        return f"{self.name}/{self.kind}"


def warm_up(impls: Sequence[Impl], steps: int) -> None:
    for impl in impls:
        for _ in range(steps):
            impl.step()


def time_block(step: StepFn, steps: int) -> float:
    """Milliseconds per step over ``steps`` consecutive steps."""
    start = time.perf_counter_ns()
    for _ in range(steps):
        step()
    return (time.perf_counter_ns() - start) / steps / 1e6


def run_blocks(impls: Sequence[Impl], blocks: int, steps: int) -> dict[str, list[float]]:
    """Runs every implementation once per block, in a fresh (seeded) random order each block.

    Returns the per-block ms/step of each implementation, keyed by ``Impl.key``; block ``i`` of
    every list was measured in the same round, so per-block ratios cancel slow drifts, and the
    shuffling spreads whatever one implementation leaves behind (warm or spinning thread pools,
    caches) over all the others instead of always over the same successor.
    """
    times: dict[str, list[float]] = {impl.key: [] for impl in impls}
    order = list(impls)
    rng = random.Random(0)
    for _ in range(blocks):
        rng.shuffle(order)
        for impl in order:
            times[impl.key].append(time_block(impl.step, steps))
    return times


def median_ratio(numerator: Sequence[float], denominator: Sequence[float]) -> float:
    """Median over blocks of the per-block ratio."""
    return statistics.median(a / b for a, b in zip(numerator, denominator, strict=True))


def ns_per_call(stmt: str, namespace: dict[str, Any], repeats: int, batch_seconds: float) -> float:
    """Median ns per call over ``repeats`` timeit batches of about ``batch_seconds`` each."""
    timer = timeit.Timer(stmt, globals=namespace)
    number = 1
    while (elapsed := timer.timeit(number)) < batch_seconds / 4:
        number *= 4
    number = max(1, round(number * batch_seconds / elapsed))
    return statistics.median(timer.repeat(repeat=repeats, number=number)) / number * 1e9
