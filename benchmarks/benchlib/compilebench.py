"""Section 5: ``pyautograd.compile`` (capture and replay, issue 14) against eager and native.

The seed's autograd step three ways, interleaved in one process: pyautograd eager, the same
step compiled (captured once, then replayed from C++), and the hand-written C++ step; PyTorch
eager beside them, and ``torch.compile`` when ``PYAG_BENCH_TORCH_COMPILE=1`` (its first call
takes tens of seconds here): of the seed's ``.data`` form (which it fails to compile: the failure
is printed) and of the closest form it accepts (``no_grad`` updates), labelled as such. Then the
fixed costs at 2x2 sizes: a replayed step, the capture, the C++ guards; and the system
allocations over 1,000 replays.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Sequence
from typing import Any

from .backends import API_ERRORS, Backend
from .config import AUTOGRAD_LR, DATA_SEED, SEED_SIZES, Budget, Sizes
from .data import make_init
from .stepbench import as_float, summarize
from .steps import tensor_autograd_step_no_grad
from .timing import Impl, median_ratio, ns_per_call, run_blocks, warm_up

TORCH_COMPILE_ENV = "PYAG_BENCH_TORCH_COMPILE"
TINY = Sizes(m=2, din=2, hidden=2, dout=2)
REPLAYS_FOR_ALLOCS = 1000


def _compiled(backend: Backend, sizes: Sizes, exact: bool = False) -> Any:
    module = backend.module  # type: ignore[attr-defined]
    step = backend.step("autograd", make_init(sizes, DATA_SEED), AUTOGRAD_LR)
    return module.compile(step, exact=exact)


def _capture_ms(backend: Backend, repeats: int) -> float:
    """Median time of the capturing call (the second) of a fresh compiled seed step."""
    times = []
    for _ in range(repeats):
        step = _compiled(backend, SEED_SIZES)
        step()
        start = time.perf_counter_ns()
        step()
        times.append((time.perf_counter_ns() - start) / 1e6)
    return statistics.median(times)


def _tiny(backends: dict[str, Backend], budget: Budget) -> dict[str, Any]:
    """Microseconds per step at 2x2 sizes, and the C++ guard check alone."""
    init = make_init(TINY, DATA_SEED)
    cases = {"pyautograd": backends["pyautograd"].step("autograd", init, AUTOGRAD_LR)}
    compiled = _compiled(backends["pyautograd"], TINY)
    for _ in range(3):
        compiled()
    cases["pyautograd-compiled"] = compiled
    if "torch" in backends:
        cases["torch"] = backends["torch"].step("autograd", init, AUTOGRAD_LR)
    us = {
        name: ns_per_call("step()", {"step": fn}, budget.overhead_repeats, 0.05) / 1e3
        for name, fn in cases.items()
    }
    entry = compiled._entries[0]
    guard_ns = ns_per_call("tape.check([])", {"tape": entry.tape}, budget.overhead_repeats, 0.05)
    return {"us_per_step": us, "guard_check_ns": guard_ns}


def _allocations(backend: Backend) -> dict[str, int]:
    module = backend.module  # type: ignore[attr-defined]
    step = _compiled(backend, SEED_SIZES)
    for _ in range(5):
        step()
    before = module.memory_stats()
    for _ in range(REPLAYS_FOR_ALLOCS):
        step()
    after = module.memory_stats()
    return {
        "replays": REPLAYS_FOR_ALLOCS,
        "system_allocs": after["system_alloc_count"] - before["system_alloc_count"],
        "planned_bytes": step.stats().get("planned_bytes", 0),
    }


def _first_line(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " ".join(lines[:2])[:300]


def _torch_compiled(backends: dict[str, Backend], info: dict[str, Any]) -> list[Impl]:
    """torch.compile of the seed step as written (its ``.data`` form), then of the closest form
    it accepts (``no_grad`` updates); each that compiles joins the interleaved blocks."""
    if "torch" not in backends or os.environ.get(TORCH_COMPILE_ENV) != "1":
        return []
    backend = backends["torch"]
    torch = backend.module  # type: ignore[attr-defined]
    init = make_init(SEED_SIZES, DATA_SEED)
    forms = {
        "torch-compiled": ("seed's .data form", backend.step("autograd", init, AUTOGRAD_LR)),
        "torch-compiled-nograd": (
            "no_grad form: p -= lr * p.grad; p.grad.zero_()",
            tensor_autograd_step_no_grad(backend, init, AUTOGRAD_LR),  # type: ignore[arg-type]
        ),
    }
    impls = []
    for name, (form, fn) in forms.items():
        torch._dynamo.reset()
        step = torch.compile(fn)
        start = time.perf_counter()
        try:
            step()
        except Exception as exc:  # torch.compile's failures are many and varied
            info[name] = {"form": form, "failed": _first_line(exc)}
            continue
        first = time.perf_counter() - start
        start = time.perf_counter()
        step()  # the second call may compile again (the grads now exist)
        second = time.perf_counter() - start
        info[name] = {"form": form, "first_call_s": first, "second_call_s": second}
        impls.append(Impl(name, "autograd", step))
    return impls


def run(backends: Sequence[Backend], budget: Budget, notes: list[str]) -> dict[str, Any]:
    by = {b.name: b for b in backends}
    if "pyautograd" not in by:
        return {"skipped": "pyautograd is not importable"}
    init = make_init(SEED_SIZES, DATA_SEED)
    eager = Impl("pyautograd", "autograd", by["pyautograd"].step("autograd", init, AUTOGRAD_LR))
    compiled = Impl("pyautograd-compiled", "autograd", _compiled(by["pyautograd"], SEED_SIZES))
    exact = Impl("pyautograd-exact", "autograd", _compiled(by["pyautograd"], SEED_SIZES, True))
    # exact=True replays the eager kernels: the losses agree bitwise; the fused default agrees
    # to float32 rounding
    losses = [
        (as_float(eager.step()), as_float(exact.step()), as_float(compiled.step()))
        for _ in range(10)
    ]
    bitwise = all(a == b for a, b, _ in losses)
    close = all(abs(a - c) <= 1e-5 * abs(a) for a, _, c in losses)
    if not bitwise:
        notes.append("WARNING: compile(exact=True)'s seed step losses differ from eager's")
    if not close:
        notes.append("WARNING: the fused compiled seed step's losses differ from eager's")
    impls = [eager, compiled, exact]
    for name in ("native", "torch"):
        if name in by:
            try:
                impls.append(Impl(name, "autograd", by[name].step("autograd", init, AUTOGRAD_LR)))
            except API_ERRORS as exc:
                notes.append(f"{name}/autograd: setup failed ({exc!r}): skipped")
    torch_compile: dict[str, Any] = {}
    impls += _torch_compiled(by, torch_compile)
    warm_up(impls, budget.warmup_steps)
    times = run_blocks(impls, budget.blocks, budget.steps_per_block)
    results = summarize(times)
    for key, row in results.items():
        row["vs_eager"] = median_ratio(times[key], times[eager.key]) if key != eager.key else None
    stats = compiled.step.stats()  # type: ignore[attr-defined]
    return {
        "results": results,
        "bitwise_equal_losses": bitwise,
        "fused_losses_within_1e-5": close,
        "fusions": stats.get("fusions"),
        "captures": stats["captures"],
        "guard_failures": stats["guard_failures"],
        "records": stats.get("records"),
        "capture_ms": _capture_ms(by["pyautograd"], 5),
        "tiny": _tiny(by, budget),
        "allocations": _allocations(by["pyautograd"]),
        "torch_compile": torch_compile,
    }
