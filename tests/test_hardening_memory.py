"""Memory soak: the seed's autograd loop (64 x 1000 -> 100 -> 10, float32) run for a long time
keeps RSS flat, and pa.memory_stats() shows a steady state (no system allocation per step, the
same allocated_bytes after every step)."""

import gc
import math
import os
import time

import pytest
from grad_helpers import rss_bytes, seed_step

import pyautograd as pa
from pyautograd.autograd import Variable

MB = 2**20
#: allowed RSS growth between the end of the warm-up and the end of the run
RSS_SLACK = 4 * MB


def seed_problem(M=64, D_in=1000, H=100, D_out=10, seed=0):
    pa.manual_seed(seed)
    x = Variable(pa.randn(D_in, M), requires_grad=False)
    y = Variable(pa.randn(D_out, M), requires_grad=False)
    params = {
        "w1": Variable(pa.randn(H, D_in), requires_grad=True),
        "w2": Variable(pa.randn(D_out, H), requires_grad=True),
        "b1": Variable(pa.randn(H, 1), requires_grad=True),
        "b2": Variable(pa.randn(D_out, 1), requires_grad=True),
    }
    return x, y, params


class _GcDisabled:
    def __enter__(self):
        gc.collect()
        self.was = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc):
        if self.was:
            gc.enable()


def soak(max_steps, max_seconds, warmup_steps):
    x, y, p = seed_problem()
    t0 = time.perf_counter()
    rss_warm = loss0 = loss = None
    steps = 0
    while steps < max_steps and time.perf_counter() - t0 < max_seconds:
        loss = seed_step(x, y, p).item()
        if steps == 0:
            loss0 = loss
        steps += 1
        if steps == warmup_steps:
            gc.collect()
            rss_warm = rss_bytes()
    assert steps > warmup_steps, f"only {steps} steps ran"
    gc.collect()
    rss_end = rss_bytes()
    return steps, time.perf_counter() - t0, rss_warm, rss_end, loss0, loss


def _report(capsys, label, steps, secs, rss_warm, rss_end, loss0, loss):
    with capsys.disabled():
        print(
            f"\n[{label}] {steps} steps in {secs:.1f} s: RSS after warm-up "
            f"{rss_warm / MB:.1f} MB, at end {rss_end / MB:.1f} MB (growth "
            f"{(rss_end - rss_warm) / MB:+.2f} MB); loss {loss0:.4g} -> {loss:.4g}"
        )


def test_rss_flat_seed_loop_2000_steps(capsys):
    # A memory test, not a speed test: it runs all 2000 steps however busy the machine is.
    res = soak(max_steps=2000, max_seconds=math.inf, warmup_steps=300)
    _report(capsys, "memory 2000 steps", *res)
    steps, _, rss_warm, rss_end, loss0, loss = res
    assert steps == 2000
    assert math.isfinite(loss) and loss < loss0
    assert rss_end - rss_warm < RSS_SLACK, f"RSS grew by {(rss_end - rss_warm) / MB:.2f} MB"


@pytest.mark.slow
def test_rss_flat_seed_loop_soak(capsys):
    seconds = float(os.environ.get("PYAG_SOAK_SECONDS", "60"))
    res = soak(max_steps=100_000, max_seconds=seconds, warmup_steps=500)
    _report(capsys, "memory soak", *res)
    _, _, rss_warm, rss_end, loss0, loss = res
    assert math.isfinite(loss) and loss < loss0
    assert rss_end - rss_warm < RSS_SLACK, f"RSS grew by {(rss_end - rss_warm) / MB:.2f} MB"


def test_memory_stats_steady_state(capsys):
    x, y, p = seed_problem()
    with _GcDisabled():
        for _ in range(10):  # warm-up: fills the caching allocator's free lists
            seed_step(x, y, p)
        s0 = pa.memory_stats()
        assert set(s0) >= {
            "allocated_bytes",
            "peak_bytes",
            "cached_bytes",
            "alloc_count",
            "system_alloc_count",
        }
        prev = s0
        for i in range(50):
            seed_step(x, y, p)
            s = pa.memory_stats()
            assert s["system_alloc_count"] == s0["system_alloc_count"], (
                f"step {i}: {s['system_alloc_count'] - s0['system_alloc_count']} system "
                "allocation(s) in a steady-state step"
            )
            assert s["allocated_bytes"] == s0["allocated_bytes"], (
                f"step {i}: allocated_bytes {s0['allocated_bytes']} -> {s['allocated_bytes']}"
            )
            assert s["alloc_count"] > prev["alloc_count"]  # the step does allocate (from cache)
            assert s["cached_bytes"] == s0["cached_bytes"]
            assert s["peak_bytes"] >= s["allocated_bytes"]
            prev = s
    per_step = (prev["alloc_count"] - s0["alloc_count"]) / 50
    with capsys.disabled():
        print(
            f"\n[memory_stats] steady state: allocated {s0['allocated_bytes'] / MB:.2f} MB, "
            f"cached {s0['cached_bytes'] / MB:.2f} MB, {per_step:.0f} allocations/step, "
            "0 system allocations/step"
        )


def test_memory_stats_account_for_tensor_lifetimes():
    with _GcDisabled():
        s0 = pa.memory_stats()
        t = pa.empty(1000, 1000)  # 4 MB
        s1 = pa.memory_stats()
        assert s1["allocated_bytes"] - s0["allocated_bytes"] >= 4_000_000
        assert s1["peak_bytes"] >= s1["allocated_bytes"]
        del t
        s2 = pa.memory_stats()
        assert s2["allocated_bytes"] == s0["allocated_bytes"]
        assert s2["cached_bytes"] - s1["cached_bytes"] >= 4_000_000
        t = pa.empty(1000, 1000)  # same size: served from the cache
        s3 = pa.memory_stats()
        assert s3["system_alloc_count"] == s2["system_alloc_count"]
        assert s3["alloc_count"] == s2["alloc_count"] + 1
        del t
