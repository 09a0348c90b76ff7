"""Workload sizes, learning rates, run budgets."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sizes:
    """Layer sizes of the seed's network (feature-major: x is (din, m))."""

    m: int  # samples per batch
    din: int
    hidden: int
    dout: int


SEED_SIZES = Sizes(m=64, din=1000, hidden=100, dout=10)
AUTOGRAD_LR = 1e-6  # program 2 (Variable / autograd)
MANUAL_LR = 1e-2  # program 1 (hand-written backprop)
SWEEP_LR = 0.0  # keeps large sweep points stationary (no divergence); the update still runs
DATA_SEED = 0
KINDS = ("autograd", "manual")


@dataclass(frozen=True)
class Budget:
    """How much work each section does; ``FULL`` takes ~3 min, ``QUICK`` under 1 min."""

    blocks: int  # interleaved blocks for the seed step
    steps_per_block: int
    warmup_steps: int
    sanity_steps: int  # loss-trajectory check from a fresh init
    sweep_points: tuple[tuple[int, int], ...]  # (batch, hidden)
    sweep_blocks: int
    sweep_block_seconds: float  # target time of one implementation's block
    overhead_repeats: int  # timeit batches per per-op case
    overhead_batch_seconds: float
    memory_steps: int  # steps of the peak-RSS loop (100 of them are counted for allocations)


FULL = Budget(
    blocks=30,
    steps_per_block=25,
    warmup_steps=20,
    sanity_steps=30,
    sweep_points=((64, 100), (256, 256), (1024, 512), (4096, 1024), (4096, 2048)),
    sweep_blocks=5,
    sweep_block_seconds=0.25,
    overhead_repeats=9,
    overhead_batch_seconds=0.05,
    memory_steps=300,
)

QUICK = Budget(
    blocks=10,
    steps_per_block=10,
    warmup_steps=5,
    sanity_steps=10,
    sweep_points=((64, 100), (256, 256), (1024, 512)),
    sweep_blocks=3,
    sweep_block_seconds=0.1,
    overhead_repeats=3,
    overhead_batch_seconds=0.02,
    memory_steps=150,
)
