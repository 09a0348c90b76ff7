"""Section 2: per-op overhead on 1-element float32 tensors."""

from __future__ import annotations

from collections.abc import Sequence

from .backends import API_ERRORS, Backend
from .config import Budget
from .timing import ns_per_call

CASES = {
    "add": "a + b (1 element)",
    "add_requires_grad": "a + b, a.requires_grad",
    "backward": "(a * b).sum().backward()",
}


def run(
    backends: Sequence[Backend], budget: Budget, notes: list[str]
) -> dict[str, dict[str, float]]:
    """ns per call: ``{case: {backend: ns}}``; a case a backend cannot run is noted and left out."""
    results: dict[str, dict[str, float]] = {case: {} for case in CASES}
    for backend in backends:
        try:
            cases = backend.op_cases()
            for case, op in cases.items():
                results[case][backend.name] = ns_per_call(
                    op.stmt, op.namespace, budget.overhead_repeats, budget.overhead_batch_seconds
                )
        except API_ERRORS as exc:
            notes.append(f"{backend.name}: per-op overhead failed ({exc!r})")
    return results
