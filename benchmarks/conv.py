"""Convolution benchmark: ``python benchmarks/conv.py [--quick] [--threads N]``.

conv2d forward + backward (gradients of input, weight and bias) in pyautograd and PyTorch at a
few sizes (float32), interleaved in blocks in one process (the order alternating each block),
from the same arrays. Also one small CNN training step (conv, max-pool, conv, adaptive avg-pool,
linear, cross entropy, SGD). Printed: median ms per call for each library and the median over
blocks of the per-block ratio pyautograd / PyTorch, with its 25th-75th percentile spread.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

# (name, batch, in channels, out channels, height/width, kernel, stride, padding, groups)
SIZES = [
    ("mnist-like 1->16 28x28 k3", 64, 1, 16, 28, 3, 1, 1, 1),
    ("16->32 14x14 k3", 64, 16, 32, 14, 3, 1, 1, 1),
    ("64->64 32x32 k3", 16, 64, 64, 32, 3, 1, 1, 1),
    ("3->64 64x64 k7 s2", 8, 3, 64, 64, 7, 2, 3, 1),
    ("depthwise 32 32x32 k3", 16, 32, 32, 32, 3, 1, 1, 32),
    ("pointwise 64->128 16x16", 16, 64, 128, 16, 1, 1, 0, 1),
]


def conv_step(lib: Any, arrays: list[np.ndarray], s: int, p: int, g: int) -> Callable[[], Any]:
    x, w, b = (lib.tensor(a) for a in arrays)
    for t in (x, w, b):
        t.requires_grad_(True)
    conv2d = lib.nn.functional.conv2d

    def step() -> None:
        x.grad = w.grad = b.grad = None
        conv2d(x, w, b, s, p, 1, g).sum().backward()

    return step


def cnn_step(lib: Any, x_arr: np.ndarray, y_arr: np.ndarray) -> Callable[[], Any]:
    nn = lib.nn
    lib.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(32, 10),
    )
    opt = lib.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    x, y = lib.tensor(x_arr), lib.tensor(y_arr)

    def step() -> None:
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    return step


def measure(fns: dict[str, Callable[[], Any]], blocks: int, reps: int) -> dict[str, Any]:
    for f in fns.values():  # warm up
        f(), f()
    times: dict[str, list[float]] = {k: [] for k in fns}
    ratios: list[float] = []
    names = list(fns)
    for blk in range(blocks):
        order = names if blk % 2 == 0 else names[::-1]
        this: dict[str, float] = {}
        for k in order:
            t0 = time.perf_counter()
            for _ in range(reps):
                fns[k]()
            this[k] = (time.perf_counter() - t0) / reps
            times[k].append(this[k])
        ratios.append(this["pyautograd"] / this["torch"])
    q = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else [ratios[0]] * 3
    return {
        "ms": {k: 1e3 * statistics.median(v) for k, v in times.items()},
        "ratio": statistics.median(ratios),
        "spread": (q[0], q[2]),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer blocks")
    ap.add_argument("--threads", type=int, default=1, help="BLAS/intra-op threads for both")
    args = ap.parse_args()
    import torch

    import pyautograd

    torch.set_num_threads(args.threads)
    pyautograd.set_num_threads(args.threads)
    blocks = 5 if args.quick else 11
    rng = np.random.default_rng(0)
    print(f"conv2d forward+backward, float32, {args.threads} thread(s), {blocks} blocks")
    print(f"{'case':<28}{'pyautograd ms':>15}{'torch ms':>10}{'ratio':>8}  spread")
    for name, n, c, o, hw, k, s, p, g in SIZES:
        arrays = [
            rng.standard_normal((n, c, hw, hw)).astype(np.float32),
            (rng.standard_normal((o, c // g, k, k)) * 0.1).astype(np.float32),
            rng.standard_normal(o).astype(np.float32),
        ]
        flops = 2 * n * o * (c // g) * k * k * ((hw + 2 * p - k) // s + 1) ** 2 * 3
        reps = max(1, int(2e8 / flops))
        r = measure(
            {lib.__name__: conv_step(lib, arrays, s, p, g) for lib in (pyautograd, torch)},
            blocks,
            reps,
        )
        print(
            f"{name:<28}{r['ms']['pyautograd']:>15.3f}{r['ms']['torch']:>10.3f}"
            f"{r['ratio']:>8.2f}  {r['spread'][0]:.2f}-{r['spread'][1]:.2f}"
        )
    x = rng.standard_normal((64, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, 64)
    r = measure({lib.__name__: cnn_step(lib, x, y) for lib in (pyautograd, torch)}, blocks, 3)
    print(
        f"{'CNN train step (64x1x28x28)':<28}{r['ms']['pyautograd']:>15.3f}"
        f"{r['ms']['torch']:>10.3f}{r['ratio']:>8.2f}  {r['spread'][0]:.2f}-{r['spread'][1]:.2f}"
    )


if __name__ == "__main__":
    os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "20")
    sys.exit(main())
