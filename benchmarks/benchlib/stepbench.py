"""Section 1: the seed's training step, every implementation interleaved in one process."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from typing import Any

from .backends import API_ERRORS, NATIVE_UNFUSED, Backend
from .config import AUTOGRAD_LR, DATA_SEED, KINDS, MANUAL_LR, SEED_SIZES, Budget
from .data import InitArrays, make_init
from .timing import Impl, median_ratio, run_blocks, warm_up

SEED_LRS = {"autograd": AUTOGRAD_LR, "manual": MANUAL_LR}
LOSS_RTOL = 1e-2  # "roughly the same trajectory": float32, different summation orders


def as_float(value: Any) -> float:
    return float(value.item()) if hasattr(value, "item") else float(value)


def make_impls(
    backends: Sequence[Backend], init: InitArrays, lrs: Mapping[str, float], notes: list[str]
) -> list[Impl]:
    """One ``Impl`` per backend and step kind; a backend lacking an API is noted and skipped."""
    impls = []
    for backend in backends:
        for kind, lr in lrs.items():
            try:
                impls.append(Impl(backend.name, kind, backend.step(kind, init, lr)))
            except API_ERRORS as exc:
                notes.append(f"{backend.name}/{kind}: setup failed ({exc!r}): skipped")
    return impls


def loss_trajectories(
    impls: Sequence[Impl], steps: int, notes: list[str]
) -> dict[str, list[float]]:
    """Runs each implementation from the shared init; omits (and notes) any that raise."""
    trajectories = {}
    for impl in impls:
        try:
            trajectories[impl.key] = [as_float(impl.step()) for _ in range(steps)]
        except API_ERRORS as exc:
            notes.append(f"{impl.key}: step failed ({exc!r}): skipped")
    return trajectories


def reference_key(keys: Sequence[str], kind: str) -> str | None:
    for name in ("native", "numpy", "torch"):
        if f"{name}/{kind}" in keys:
            return f"{name}/{kind}"
    return None


def max_rel_diff(values: Sequence[float], reference: Sequence[float]) -> float:
    return max(abs(v - r) / max(abs(r), 1e-12) for v, r in zip(values, reference, strict=True))


def check_losses(trajectories: Mapping[str, list[float]], notes: list[str]) -> dict[str, Any]:
    """Compares every trajectory with the reference of its kind (native, else numpy/torch)."""
    checks: dict[str, Any] = {}
    for key, losses in trajectories.items():
        ref = reference_key(list(trajectories), key.split("/")[1])
        if ref is None or ref == key:
            continue
        diff = max_rel_diff(losses, trajectories[ref])
        checks[key] = {"reference": ref, "max_rel_diff": diff, "ok": diff <= LOSS_RTOL}
        if diff > LOSS_RTOL:
            notes.append(f"WARNING: {key} loss trajectory differs from {ref} (max rel {diff:.2e})")
    return checks


def summarize(times: Mapping[str, list[float]]) -> dict[str, dict[str, float | None]]:
    """Median ms/step and median per-block ratios to native, native-unfused and torch.

    Each ratio is to the same step kind. ``vs_native_unfused`` (informational) leaves out the
    memory passes the program's structure costs even in C++: for pyautograd, what remains is
    the library's own overhead (Python calls, allocation, dispatch).
    """

    def ratio(key: str, other: str) -> float | None:
        return median_ratio(times[key], times[other]) if other in times and other != key else None

    def ratios(key: str) -> dict[str, float | None]:
        kind = key.split("/")[1]
        return {
            f"vs_{name.replace('-', '_')}": ratio(key, f"{name}/{kind}")
            for name in ("native", NATIVE_UNFUSED, "torch")
        }

    return {
        key: {"median_ms": statistics.median(per_block), **ratios(key)}
        for key, per_block in times.items()
    }


def run(backends: Sequence[Backend], budget: Budget, notes: list[str]) -> dict[str, Any]:
    init = make_init(SEED_SIZES, DATA_SEED)
    lrs = {kind: SEED_LRS[kind] for kind in KINDS}
    trajectories = loss_trajectories(
        make_impls(backends, init, lrs, notes), budget.sanity_steps, notes
    )
    checks = check_losses(trajectories, notes)
    impls = [impl for impl in make_impls(backends, init, lrs, []) if impl.key in trajectories]
    warm_up(impls, budget.warmup_steps)
    times = run_blocks(impls, budget.blocks, budget.steps_per_block)
    return {
        "sizes": vars(SEED_SIZES),
        "blocks": budget.blocks,
        "steps_per_block": budget.steps_per_block,
        "results": summarize(times),
        "loss_checks": checks,
        "first_losses": {key: losses[0] for key, losses in trajectories.items()},
        "block_ms": times,
    }
