"""nn/optim benchmark: ``python benchmarks/nn_optim.py [--quick] [--threads N] [--json F]``.

Two sections, every implementation interleaved in blocks in one process (the order shuffled
each block), from the same initial arrays (benchlib.data, the seed's sizes: 64 samples,
1000 -> 100 -> 10, float32):

1. **Training step.** The seed's network as ``nn.Sequential(Linear, ReLU, Linear)`` with
   ``MSELoss(reduction='sum')`` and ``optim.SGD`` (or ``optim.Adam``): forward, backward,
   ``zero_grad()``, ``step()``; against the same code on PyTorch and against the raw-tensor
   seed step (program 2: ``w.mm(x) + b``, ``.backward()``, ``p.data -= lr * p.grad.data``,
   ``p.grad.data.zero_()``) in pyautograd and PyTorch. Target: the nn + SGD step within 1.1x
   of pyautograd's raw-tensor step.
2. **optimizer.step() alone** over the seed's four parameters (fixed gradients): SGD, SGD with
   momentum, Adam, AdamW, RMSprop, Adagrad against torch.optim (its default, the per-tensor
   implementation on the CPU). Target: SGD and Adam at most 0.5x PyTorch's time.

Reported: median ms per step, the median over blocks of the per-block ratio, and the spread of
that ratio (25th-75th percentile) as the noise measure; plus how busy the machine was.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib.config import SEED_SIZES
from benchlib.data import InitArrays, make_init
from benchlib.load import LoadMonitor
from benchlib.timing import Impl, median_ratio, warm_up

LR = 1e-6


def _nn_model(lib: Any, init: InitArrays) -> Any:
    model = lib.nn.Sequential(
        lib.nn.Linear(SEED_SIZES.din, SEED_SIZES.hidden),
        lib.nn.ReLU(),
        lib.nn.Linear(SEED_SIZES.hidden, SEED_SIZES.dout),
    )
    with lib.no_grad():
        for layer, w, b in ((model[0], init.w1, init.b1), (model[2], init.w2, init.b2)):
            layer.weight.copy_(lib.from_numpy(w.copy()))
            layer.bias.copy_(lib.from_numpy(b.reshape(-1).copy()))
    return model


def nn_step(lib: Any, init: InitArrays, optimizer: str) -> Callable[[], Any]:
    """One nn training step (the PyTorch program users write), for lib = pyautograd or torch."""
    model = _nn_model(lib, init)
    x = lib.from_numpy(np.ascontiguousarray(init.x.T))
    y = lib.from_numpy(np.ascontiguousarray(init.y.T))
    loss_fn = lib.nn.MSELoss(reduction="sum")
    if optimizer == "sgd":
        opt = lib.optim.SGD(model.parameters(), lr=LR)
    else:
        opt = lib.optim.Adam(model.parameters(), lr=1e-4)

    def step() -> Any:
        loss = loss_fn(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    return step


def raw_step(lib: Any, init: InitArrays) -> Callable[[], Any]:
    """The seed's program 2 step on plain tensors (benchlib.steps.tensor_autograd_step)."""
    x = lib.from_numpy(init.x.copy())
    y = lib.from_numpy(init.y.copy())
    params = {k: lib.from_numpy(v.copy()).requires_grad_() for k, v in init.params().items()}

    def step() -> Any:
        z1 = params["w1"].mm(x) + params["b1"]
        z2 = params["w2"].mm(z1.clamp(min=0)) + params["b2"]
        loss = (z2 - y).pow(2).sum()
        loss.backward()
        for p in params.values():
            p.data -= LR * p.grad.data
        for p in params.values():
            p.grad.data.zero_()
        return loss

    return step


OPTIMIZERS: dict[str, Callable[[Any, list[Any]], Any]] = {
    "SGD": lambda o, p: o.SGD(p, lr=1e-3),
    "SGD momentum": lambda o, p: o.SGD(p, lr=1e-3, momentum=0.9),
    "Adam": lambda o, p: o.Adam(p, lr=1e-3),
    "AdamW amsgrad": lambda o, p: o.AdamW(p, lr=1e-3, amsgrad=True),
    "RMSprop": lambda o, p: o.RMSprop(p, lr=1e-3),
    "Adagrad": lambda o, p: o.Adagrad(p, lr=1e-3),
}


def optimizer_step(lib: Any, init: InitArrays, name: str) -> Callable[[], Any]:
    """opt.step() alone over the seed's parameters, with fixed gradients."""
    rng = np.random.default_rng(1)
    params = []
    for value in init.params().values():
        p = lib.nn.Parameter(lib.from_numpy(value.copy()))
        p.grad = lib.from_numpy(rng.standard_normal(value.shape, dtype=np.float32) * 1e-3)
        params.append(p)
    opt = OPTIMIZERS[name](lib.optim, params)
    return opt.step  # type: ignore[no-any-return]


def _spread(num: list[float], den: list[float]) -> tuple[float, float]:
    ratios = sorted(a / b for a, b in zip(num, den, strict=True))
    q = statistics.quantiles(ratios, n=4)
    return q[0], q[2]


CLOCKS: dict[str, Callable[[], float]] = {"wall": time.perf_counter, "cpu": time.thread_time}


def run_blocks(
    impls: list[Impl], blocks: int, steps: int, clock: Callable[[], float]
) -> dict[str, list[float]]:
    """benchlib.timing.run_blocks with a choice of clock: 'cpu' (this thread's CPU time) is
    what single-threaded steps cost even when other processes share the cores."""
    times: dict[str, list[float]] = {impl.key: [] for impl in impls}
    order = list(impls)
    rng = random.Random(0)
    for _ in range(blocks):
        rng.shuffle(order)
        for impl in order:
            start = clock()
            for _ in range(steps):
                impl.step()
            times[impl.key].append((clock() - start) / steps * 1e3)
    return times


def _section(
    impls: list[Impl], blocks: int, steps: int, warmup: int, clock: str
) -> dict[str, list[float]]:
    warm_up(impls, warmup)
    return run_blocks(impls, blocks, steps, CLOCKS[clock])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer blocks (about 30 s)")
    ap.add_argument("--threads", type=int, default=1, help="BLAS/intra-op threads (default 1)")
    ap.add_argument("--json", type=Path, default=None, help="also write the results there")
    ap.add_argument(
        "--clock",
        choices=sorted(CLOCKS),
        default="wall",
        help="wall time (default) or this thread's CPU time (steadier on a shared machine, "
        "meaningful with --threads 1)",
    )
    args = ap.parse_args()
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, str(args.threads))
    import pyautograd as pa

    try:
        import torch
    except ImportError:
        torch = None
    pa.set_num_threads(args.threads)
    if torch is not None:
        torch.set_num_threads(args.threads)
    libs = {"pyautograd": pa, **({"torch": torch} if torch is not None else {})}
    blocks, steps, warmup = (8, 10, 5) if args.quick else (30, 25, 20)
    init = make_init(SEED_SIZES, 0)
    monitor = LoadMonitor.start()
    results: dict[str, Any] = {
        "threads": args.threads,
        "blocks": blocks,
        "steps": steps,
        "clock": args.clock,
    }

    # ---- section 1: training steps ----
    impls = []
    for name, lib in libs.items():
        impls.append(Impl(name, "raw", raw_step(lib, init)))
        impls.append(Impl(name, "nn+sgd", nn_step(lib, init, "sgd")))
        impls.append(Impl(name, "nn+adam", nn_step(lib, init, "adam")))
    losses = {i.key: [float(i.step().item()) for _ in range(3)] for i in impls}
    times = _section(impls, blocks, steps, warmup, args.clock)
    print(f"== training step (ms/step, {args.clock} clock; median of {blocks} interleaved blocks "
          f"of {steps} steps, {args.threads} thread(s))")  # fmt: skip
    rows = {}
    for key, per_block in times.items():
        rows[key] = {"median_ms": statistics.median(per_block), "first_losses": losses[key]}
        print(f"  {key:24s} {statistics.median(per_block):8.3f}")
    comparisons = [("pyautograd/nn+sgd", "pyautograd/raw", 1.1),
                   ("pyautograd/nn+adam", "pyautograd/raw", None),
                   ("pyautograd/nn+sgd", "torch/nn+sgd", None),
                   ("pyautograd/nn+adam", "torch/nn+adam", None),
                   ("pyautograd/raw", "torch/raw", None)]  # fmt: skip
    ratios = {}
    print("  ratios (median of per-block ratios [25th-75th percentile]):")
    for num, den, target in comparisons:
        if num not in times or den not in times:
            continue
        r = median_ratio(times[num], times[den])
        lo, hi = _spread(times[num], times[den])
        mark = (
            "" if target is None else ("  PASS" if r <= target else "  MISS") + f" (<= {target}x)"
        )
        print(f"    {num} / {den}: {r:.3f}x [{lo:.3f}-{hi:.3f}]{mark}")
        ratios[f"{num} / {den}"] = {"ratio": r, "p25": lo, "p75": hi, "target": target}
    results["step"] = {"ms": rows, "ratios": ratios}

    # ---- section 2: optimizer.step() alone ----
    impls = [Impl(lib_name, opt, optimizer_step(lib, init, opt))
             for lib_name, lib in libs.items() for opt in OPTIMIZERS]  # fmt: skip
    times = _section(impls, blocks, steps * 4, warmup, args.clock)
    print("== optimizer.step() over the seed's 4 parameters (101,110 floats), microseconds")
    opt_rows = {}
    for opt in OPTIMIZERS:
        ours = times[f"pyautograd/{opt}"]
        row: dict[str, Any] = {"pyautograd_us": statistics.median(ours) * 1e3}
        line = f"  {opt:14s} pyautograd {row['pyautograd_us']:8.1f}"
        if torch is not None:
            theirs = times[f"torch/{opt}"]
            r = median_ratio(ours, theirs)
            lo, hi = _spread(ours, theirs)
            row.update(torch_us=statistics.median(theirs) * 1e3, ratio=r, p25=lo, p75=hi)
            target = 0.5 if opt in ("SGD", "Adam") else None
            mark = "" if target is None else ("  PASS" if r <= target else "  MISS") + " (<= 0.5x)"
            line += f"   torch {row['torch_us']:8.1f}   ratio {r:.3f}x [{lo:.3f}-{hi:.3f}]{mark}"
        opt_rows[opt] = row
        print(line)
    results["optimizer_step"] = opt_rows
    busy = monitor.foreign_fraction()
    results["foreign_cpu_fraction"] = busy
    if busy is not None:
        note = "  (busy: absolute times are unreliable; the ratios less so)" if busy > 0.1 else ""
        print(f"== other processes used {busy:.0%} of the machine's cores meanwhile{note}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
