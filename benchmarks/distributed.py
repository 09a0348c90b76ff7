"""Distributed benchmark: ``python benchmarks/distributed.py [-n 2] [--quick] [--json F]``.

Started alone, it relaunches itself on N ranks of this machine through
``python -m pyautograd.distributed.run``. Three measurements, printed by rank 0:

1. **Gradient synchronisation vs a raw Allreduce of the same bytes.** The parameters of an MLP
   (total 1 to 64 MB of float32 gradients) in DistributedDataParallel's buckets; "sync" is what
   DDP does once every gradient is final (per bucket: divide by the world size, start the
   persistent allreduce; then wait for all), driven without a backward pass. "raw" is one
   blocking ``MPI_Allreduce`` of one buffer of the same total size. Interleaved blocks, medians
   of the per-block ratios (target <= 1.1x).
2. **Allocations per step**: pyautograd's allocator counters around the synchronisation and
   around whole DDP training steps (forward, backward, sync, optimizer update) in steady state
   (target 0 for the synchronisation; a step allocates only what the same step without DDP does).
3. **Overlap**: one training step with DDP against the same step inside ``no_sync()`` (no
   communication) and against the raw allreduce of its gradient bytes: the share of the
   allreduce time hidden behind backward = 1 - (step - step_no_sync) / raw.

On a 2-core machine with 2 ranks every rank has one core and shared-memory MPI moves bytes with
that same core: communication cannot run beside computation, so expect little hiding and no
speed-up here (see docs/distributed.md for the cluster cost model).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import pyautograd as pa
import pyautograd.distributed as dist
from pyautograd.distributed import _reducer, _world


def _args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("-n", type=int, default=2, help="ranks (default 2)")
    p.add_argument("--quick", action="store_true", help="fewer sizes and repetitions")
    p.add_argument("--json", default=None, help="write the results there (rank 0)")
    return p.parse_args()


def _inside_job() -> bool:
    return any(v in os.environ for v in ("OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK"))


def _max_over_ranks(seconds: float) -> float:
    t = pa.tensor([seconds], dtype=pa.float64)
    dist.all_reduce(t, dist.ReduceOp.MAX)
    return float(t.item())


def _timed(fn: Callable[[], object]) -> float:
    dist.barrier()
    t0 = time.perf_counter()
    fn()
    return _max_over_ranks(time.perf_counter() - t0)


def _mlp_shapes(total_mb: float) -> list[tuple[int, ...]]:
    """Weight and bias shapes of an MLP of width x width layers holding about total_mb MB."""
    width = 1024 if total_mb >= 8 else 512
    per_layer = width * width + width
    layers = max(1, round(total_mb * 1024 * 1024 / 4 / per_layer))
    shapes: list[tuple[int, ...]] = []
    for _ in range(layers):
        shapes += [(width, width), (width,)]
    return shapes


def _blocks(fns: dict[str, Callable[[], object]], reps: int) -> dict[str, list[float]]:
    """Each fn once per block, order rotated per block; all ranks time the same thing."""
    names = list(fns)
    out: dict[str, list[float]] = {k: [] for k in names}
    for fn in fns.values():
        fn()  # warm up
    for rep in range(reps):
        order = names[rep % len(names) :] + names[: rep % len(names)]
        for k in order:
            out[k].append(_timed(fns[k]))
    return out


def _ratio(a: list[float], b: list[float]) -> float:
    return statistics.median(x / y for x, y in zip(a, b, strict=True))


def bench_sync(sizes: list[float], reps: int) -> list[dict[str, Any]]:
    w = _world.current()
    MPI = w.MPI
    rows = []
    for mb in sizes:
        params = [pa.randn(*s, requires_grad=True) for s in _mlp_shapes(mb)]
        red = _reducer.Reducer(
            params, [f"p{i}" for i in range(len(params))], 25 << 20, 1 << 20, hooks=False
        )
        total = sum(p.numel() for p in params)
        flat = pa.randn(total)
        order = list(reversed(range(len(params))))

        def sync(red: _reducer.Reducer = red, order: list[int] = order) -> None:
            for i in order:
                red.grad_ready(i)

        def raw(flat: pa.Tensor = flat) -> None:
            w.comm.Allreduce(MPI.IN_PLACE, [flat, MPI.FLOAT], MPI.SUM)

        def raw_nb(flat: pa.Tensor = flat) -> None:
            w.comm.Iallreduce(MPI.IN_PLACE, [flat, MPI.FLOAT], MPI.SUM).Wait()

        t = _blocks({"sync": sync, "raw": raw, "raw_nonblocking": raw_nb}, reps)
        before = pa.memory_stats()
        for _ in range(5):
            sync()
        after = pa.memory_stats()
        rows.append(
            {
                "MB": round(total * 4 / 2**20, 1),
                "buckets": len(red.buckets),
                "raw_ms": statistics.median(t["raw"]) * 1e3,
                "raw_nonblocking_ms": statistics.median(t["raw_nonblocking"]) * 1e3,
                "sync_ms": statistics.median(t["sync"]) * 1e3,
                "sync_over_raw": _ratio(t["sync"], t["raw"]),
                "allocs_per_sync": (after["alloc_count"] - before["alloc_count"]) / 5,
                "system_allocs_per_sync": (
                    after["system_alloc_count"] - before["system_alloc_count"]
                )
                / 5,
            }
        )
        red.remove()
    return rows


def bench_overlap(layers: int, batch: int, reps: int) -> dict[str, Any]:
    """A DDP training step against the same step without communication (no_sync)."""
    if not hasattr(pa.Tensor, "register_post_accumulate_grad_hook"):
        return {"skipped": "Tensor.register_post_accumulate_grad_hook is not available"}
    from pyautograd import nn

    w = _world.current()
    MPI = w.MPI
    width = 1024
    pa.manual_seed(0)
    net = nn.Sequential(*[nn.Linear(width, width) for _ in range(layers)])
    plain = nn.Sequential(*[nn.Linear(width, width) for _ in range(layers)])
    ddp = dist.DistributedDataParallel(net)
    x = pa.randn(batch, width)
    flat = pa.randn(sum(p.numel() for p in net.parameters()))

    def step(m: Any) -> None:
        m.zero_grad(set_to_none=False)
        m(x).pow(2).mean().backward()

    def sync() -> None:
        step(ddp)

    def local() -> None:
        with ddp.no_sync():
            step(ddp)

    def raw() -> None:
        w.comm.Allreduce(MPI.IN_PLACE, [flat, MPI.FLOAT], MPI.SUM)

    t = _blocks({"step": sync, "step_no_sync": local, "raw": raw}, reps)
    step_ms = statistics.median(t["step"]) * 1e3
    local_ms = statistics.median(t["step_no_sync"]) * 1e3
    raw_ms = statistics.median(t["raw"]) * 1e3

    def allocs(fn: Callable[[], None]) -> float:
        for _ in range(2):
            fn()
        before = pa.memory_stats()
        for _ in range(5):
            fn()
        after = pa.memory_stats()
        return (after["alloc_count"] - before["alloc_count"]) / 5

    return {
        "MB": round(flat.numel() * 4 / 2**20, 1),
        "layers": layers,
        "batch": batch,
        "buckets": len(ddp.bucket_sizes()),
        "step_ms": step_ms,
        "step_no_sync_ms": local_ms,
        "raw_ms": raw_ms,
        "exposed_ms": step_ms - local_ms,
        "hidden_share": 1 - (step_ms - local_ms) / raw_ms,
        "allocs_per_step_ddp": allocs(sync),
        "allocs_per_step_plain": allocs(lambda: step(plain)),
    }


def main() -> int:
    args = _args()
    if not _inside_job():
        here = os.path.dirname(os.path.abspath(__file__))
        cmd = [sys.executable, "-m", "pyautograd.distributed.run", "-n", str(args.n)]
        cmd += [os.path.join(here, "distributed.py"), *sys.argv[1:]]
        # From benchmarks/, so that -m imports the installed pyautograd, not the source tree.
        return subprocess.call(cmd, cwd=here)
    dist.init()
    quick = args.quick
    sizes = [1.0, 8.0, 25.0] if quick else [1.0, 8.0, 25.0, 64.0]
    reps = 5 if quick else 15
    results: dict[str, Any] = {"world_size": dist.get_world_size()}
    results["sync"] = bench_sync(sizes, reps)
    results["overlap"] = [
        bench_overlap(layers, batch, reps)
        for layers, batch in ([(6, 64)] if quick else [(6, 64), (6, 256), (16, 128)])
    ]
    if dist.get_rank() == 0:
        _report(results)
        if args.json:
            with open(args.json, "w", encoding="utf-8") as f:
                json.dump(results, f, indent=2)
    return 0


def _report(results: dict[str, Any]) -> None:
    n = results["world_size"]
    print(f"== gradient synchronisation vs one raw MPI_Allreduce of the same bytes ({n} ranks)")
    print(
        f"{'MB':>6} {'buckets':>7} {'raw ms':>8} {'raw nb ms':>9} {'sync ms':>8} "
        f"{'sync/raw':>8} {'allocs/sync':>11}"
    )
    for r in results["sync"]:
        flag = "PASS" if r["sync_over_raw"] <= 1.1 else "MISS"
        print(
            f"{r['MB']:>6} {r['buckets']:>7} {r['raw_ms']:>8.2f} {r['raw_nonblocking_ms']:>9.2f} "
            f"{r['sync_ms']:>8.2f} {r['sync_over_raw']:>7.2f}x {r['allocs_per_sync']:>11g}"
            f"  {flag} (<= 1.1x)"
        )
    print(f"== overlap: a DDP step vs the same step in no_sync() ({n} ranks)")
    for r in results["overlap"]:
        if "skipped" in r:
            print(f"skipped: {r['skipped']}")
            continue
        print(
            f"{r['MB']} MB in {r['buckets']} buckets, batch {r['batch']}/rank: step "
            f"{r['step_ms']:.1f} ms, no_sync {r['step_no_sync_ms']:.1f} ms, raw allreduce "
            f"{r['raw_ms']:.1f} ms -> exposed {r['exposed_ms']:.1f} ms, hidden "
            f"{100 * r['hidden_share']:.0f}% of the allreduce; allocations per step "
            f"{r['allocs_per_step_ddp']:g} (without DDP {r['allocs_per_step_plain']:g})"
        )


if __name__ == "__main__":
    sys.exit(main())
