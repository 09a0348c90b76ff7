"""The printed report: one table per section, targets beside the figures."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .backends import BACKEND_NAMES
from .config import KINDS
from .overhead import CASES
from .targets import Check, evaluate, lookup


def fmt(value: float | None, spec: str = ".3f") -> str:
    return "-" if value is None else format(value, spec)


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1) -> str:
    """Plain-text table; the first ``left`` columns are left-aligned, the rest right-aligned."""
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            str(c).ljust(w) if i < left else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


UNFUSED_NOTE = (
    "  native-unfused: the C++ step with the Python program's memory passes (one per tensor op)\n"
    "  x unfused (informational): time over native-unfused; pyautograd's is the library's own"
    " overhead"
)


def step_rows(threads: str, run: dict[str, Any], checks: dict[str, Check]) -> list[list[str]]:
    results = lookup(run, "step", "results") or {}
    labels = run.get("labels", {})
    rows = []
    for kind in KINDS:
        for name in BACKEND_NAMES:
            r = results.get(f"{name}/{kind}")
            if r is None:
                continue
            ours = name == "pyautograd"
            native_check = checks.get(f"step/{threads}/{kind}/vs_native") if ours else None
            torch_check = checks.get(f"step/{threads}/{kind}/vs_torch") if ours else None
            rows.append(
                [
                    threads,
                    labels.get(name, name),
                    kind,
                    fmt(r["median_ms"]),
                    fmt(r["vs_native"], ".2f"),
                    native_check.cell() if native_check else "",
                    fmt(r.get("vs_native_unfused"), ".2f"),
                    fmt(r["vs_torch"], ".2f"),
                    torch_check.cell() if torch_check else "",
                ]
            )
    return rows


def run_line(threads: str, run: dict[str, Any]) -> str:
    """Loss-trajectory verdict and how busy other processes kept the machine meanwhile."""
    checks = lookup(run, "step", "loss_checks") or {}
    load = run.get("foreign_load")
    busy = "n/a" if load is None else f"{load:.0%}"
    if not checks:
        return f"  {threads} thread(s): no loss trajectories to compare; other processes {busy}"
    worst = max(c["max_rel_diff"] for c in checks.values())
    status = "OK" if all(c["ok"] for c in checks.values()) else "MISMATCH"
    refs = "/".join(sorted({c["reference"].split("/")[0] for c in checks.values()}))
    return (
        f"  {threads} thread(s): loss check {status} ({len(checks)} trajectories vs {refs},"
        f" max rel diff {worst:.1e}); other processes used {busy} of the cores"
    )


def render_step(results: dict[str, Any], checks: dict[str, Check]) -> str:
    runs = results["runs"]
    first = next((r["step"] for r in runs.values() if "step" in r), None)
    if first is None:
        return ""
    size = first["sizes"]
    title = (
        f"== 1. Seed training step, float32, M={size['m']}, {size['din']} -> {size['hidden']}"
        f" -> {size['dout']} (median ms/step; ratios = median per-block ratio;"
        f" {first['blocks']} blocks x {first['steps_per_block']} steps) =="
    )
    rows = [row for threads, run in runs.items() for row in step_rows(threads, run, checks)]
    headers = [
        "thr",
        "impl",
        "step",
        "ms/step",
        "x native",
        "target",
        "x unfused",
        "x torch",
        "target",
    ]
    lines = [title, table(headers, rows, left=3), UNFUSED_NOTE]
    lines += [run_line(threads, run) for threads, run in runs.items() if "step" in run]
    return "\n".join(lines)


def render_overhead(results: dict[str, Any], checks: dict[str, Check]) -> str:
    overhead = next((r["overhead"] for r in results["runs"].values() if "overhead" in r), None)
    if overhead is None:
        return ""
    names = ("pyautograd", "torch", "numpy")
    rows = []
    for case, label in CASES.items():
        check = checks.get(f"overhead/{case}")
        values = [fmt(overhead[case].get(name), ".0f") for name in names]
        rows.append([label, *values, check.cell() if check else ""])
    headers = ["op (ns per call, median)", *names, "target"]
    return "== 2. Per-op overhead ==\n" + table(headers, rows)


def render_sweep(results: dict[str, Any], checks: dict[str, Check]) -> str:
    rows = []
    for threads, run in results["runs"].items():
        for p in run.get("sweep", []):
            check = checks[f"sweep/{threads}/{p['m']}x{p['hidden']}"]
            ms = p["median_ms"]
            rows.append(
                [
                    threads,
                    str(p["m"]),
                    str(p["hidden"]),
                    str(p["steps_per_block"]),
                    fmt(ms.get("native")),
                    fmt(ms.get("pyautograd")),
                    fmt(p["vs_native"], ".2f"),
                    check.cell(),
                ]
            )
    if not rows:
        return ""
    headers = [
        "thr",
        "batch",
        "hidden",
        "steps",
        "native ms",
        "pyautograd ms",
        "x native",
        "target",
    ]
    return "== 3. Scale sweep (autograd step, lr=0) ==\n" + table(headers, rows)


def render_memory(results: dict[str, Any], checks: dict[str, Check]) -> str:
    memory = results["memory"]
    torch_mb = lookup(memory, "torch", "peak_rss_mb")
    rows = []
    for name, m in memory.items():
        if "skipped" in m:  # already among the notes
            continue
        per_step = m["per_step"]
        ours = name == "pyautograd"
        rows.append(
            [
                m["label"],
                fmt(m["setup_rss_mb"], ".1f"),
                fmt(m["peak_rss_mb"], ".1f"),
                fmt(m["peak_rss_mb"] / torch_mb if torch_mb else None, ".2f"),
                checks["memory/peak_rss_vs_torch"].cell() if ours else "",
                fmt(per_step.get("alloc_count"), ".1f") if per_step else "n/a",
                fmt(per_step.get("system_alloc_count"), ".1f") if per_step else "n/a",
                checks["memory/system_allocs"].cell() if ours else "",
            ]
        )
    headers = [
        "impl",
        "RSS setup MB",
        "peak RSS MB",
        "x torch",
        "target",
        "allocs/step",
        "sys allocs/step",
        "target",
    ]
    if not rows:
        return ""
    steps = next(m["steps"] for m in memory.values() if "steps" in m)
    title = f"== 4. Memory (seed autograd loop, {steps} steps, fresh process each) =="
    return title + "\n" + table(headers, rows)


def render_compile(results: dict[str, Any]) -> str:
    runs = {t: r["compile"] for t, r in results["runs"].items() if "compile" in r}
    if not runs:
        return ""
    title = (
        "== 5. pyautograd.compile: the seed step captured and replayed (median ms/step; "
        "ratios = median per-block ratio) =="
    )
    rows, lines = [], []
    for threads, c in runs.items():
        if "skipped" in c:
            lines.append(f"threads={threads}: skipped ({c['skipped']})")
            continue
        for key, r in c["results"].items():
            rows.append(
                [
                    threads,
                    key.split("/")[0],
                    fmt(r["median_ms"]),
                    fmt(r.get("vs_native")),
                    fmt(r.get("vs_eager")),
                    fmt(r.get("vs_torch")),
                ]
            )
        tiny = c["tiny"]["us_per_step"]
        alloc = c["allocations"]
        lines.append(
            f"threads={threads}: exact=True losses bitwise equal {c['bitwise_equal_losses']}, "
            f"fused within 1e-5 {c.get('fused_losses_within_1e-5')}, "
            f"{c.get('fusions')} fusions, {c['records']} kernel calls, "
            f"capture {c['capture_ms']:.2f} ms, C++ guards "
            f"{c['tiny']['guard_check_ns']:.0f} ns; 2x2 step (us): "
            + ", ".join(f"{k} {v:.1f}" for k, v in tiny.items())
            + f"; {alloc['system_allocs']} system allocations over {alloc['replays']} replays"
            f" ({alloc['planned_bytes']} planned bytes)"
        )
        for name, tc in (c.get("torch_compile") or {}).items():
            outcome = (
                f"failed: {tc['failed']}"
                if "failed" in tc
                else f"first call {tc['first_call_s']:.1f} s, second {tc['second_call_s']:.1f} s"
            )
            form = f"torch.compile of the {tc['form']}"
            lines.append(f"threads={threads}: {name} = {form}: {outcome}")
    headers = ["thr", "impl", "ms/step", "x native", "x eager", "x torch"]
    return "\n".join([title, table(headers, rows, left=2), *lines])


def render(results: dict[str, Any]) -> str:
    checks = {c.id: c for c in evaluate(results)}
    meta = results["meta"]
    head = [
        f"pyautograd benchmarks ({meta['cpu']}, {meta['cores']} cores, Python {meta['python']},"
        + f" numpy {meta['numpy']}, torch {meta['torch']})"
    ]
    origin = next((r["origins"].get("pyautograd") for r in results["runs"].values()), None)
    if origin:
        head.append(f"pyautograd under test: {origin}")
    if meta.get("standin"):
        head.append(f"!! DEV MODE: pyautograd slot is {meta['standin']} (PYAG_BENCH_STANDIN)")
    sections = [
        render_step(results, checks),
        render_overhead(results, checks),
        render_sweep(results, checks),
        render_memory(results, checks),
        render_compile(results),
    ]
    verdicts = [c.verdict for c in checks.values()]
    summary = ", ".join(f"{verdicts.count(v)} {v}" for v in ("PASS", "MISS", "n/a"))
    tail = [f"targets (informational): {summary}"]
    tail += [f"note: {note}" for note in results["notes"]]
    return "\n\n".join(["\n".join(head), *(s for s in sections if s), "\n".join(tail)])
