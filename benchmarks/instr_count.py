"""Instruction counts per call of the hot paths, for before/after comparisons on a noisy machine.

    python3 benchmarks/instr_count.py            # runs itself under callgrind, prints a table

Each workload runs twice, with n and 2n iterations, in fresh processes under
``valgrind --tool=callgrind``; the difference of the two totals divided by n is the count per
iteration (start-up and import costs cancel). Needs valgrind.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile

WORKLOADS = {
    # name: (iterations n, description)
    "seed_step_2x2": (200, "the seed's autograd step, all sizes 2"),
    "compiled_step_2x2": (2000, "the same step, pyautograd.compile'd: a replay, guards included"),
    "add_1elem": (10000, "a + b, 1-element float32 tensors"),
    "add_1elem_rg": (10000, "a + b, 1-element float32 tensors, a.requires_grad"),
    "mul_1elem": (10000, "a * b, 1-element float32 tensors"),
    "mul_sum_backward": (2000, "(a * b).sum().backward(), 1-element, both require grad"),
    "compiled_seed_step": (20, "the seed's step at its sizes (64, 1000, 100, 10), compiled"),
    "compiled_seed_exact": (20, "the same, compile(exact=True)"),
}


def run_workload(name: str, n: int) -> None:
    import pyautograd as torch
    from pyautograd.autograd import Variable

    if name in ("seed_step_2x2", "compiled_step_2x2"):
        torch.manual_seed(0)
        x = Variable(torch.randn(2, 2), requires_grad=False)
        y = Variable(torch.randn(2, 2), requires_grad=False)
        p = {
            k: Variable(torch.randn(2, 2 if k[0] == "w" else 1), requires_grad=True)
            for k in ("w1", "b1", "w2", "b2")
        }

        def step() -> object:
            z1 = p["w1"].mm(x) + p["b1"]
            a1 = z1.clamp(min=0)
            z2 = p["w2"].mm(a1) + p["b2"]
            loss = (z2 - y).pow(2).sum()
            loss.backward()
            for q in p.values():
                q.data -= 1e-6 * q.grad.data
            for q in p.values():
                q.grad.data.zero_()
            return loss

        if name == "compiled_step_2x2":
            step = torch.compile(step)
            for _ in range(3):  # eager, capture, first replay
                step()
            assert step.stats()["replays"] >= 1, step.stats()
        for _ in range(n):
            step()
        return
    if name.startswith("compiled_seed"):
        torch.manual_seed(0)
        x, y = torch.randn(1000, 64), torch.randn(10, 64)
        p = {
            "w1": torch.randn(100, 1000).requires_grad_(),
            "w2": torch.randn(10, 100).requires_grad_(),
            "b1": torch.randn(100, 1).requires_grad_(),
            "b2": torch.randn(10, 1).requires_grad_(),
        }

        def step(x: object, y: object) -> object:
            z1 = p["w1"].mm(x) + p["b1"]
            z2 = p["w2"].mm(z1.clamp(min=0)) + p["b2"]
            loss = (z2 - y).pow(2).sum()
            loss.backward()
            for q in p.values():
                q.data -= 1e-6 * q.grad.data
            for q in p.values():
                q.grad.data.zero_()
            return loss

        comp = torch.compile(step, exact=name.endswith("exact"))
        for _ in range(n):
            comp(x, y)
        return
    a, b = torch.ones(1), torch.ones(1)
    if name == "add_1elem":
        for _ in range(n):
            a + b
    elif name == "add_1elem_rg":
        a.requires_grad_(True)
        for _ in range(n):
            a + b
    elif name == "mul_1elem":
        for _ in range(n):
            a * b
    elif name == "mul_sum_backward":
        a.requires_grad_(True)
        b.requires_grad_(True)
        for _ in range(n):
            (a * b).sum().backward()


def count(name: str, n: int) -> int:
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "cg.out")
        cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"]
        cmd += [sys.executable, __file__, "--run", name, str(n)]
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
        subprocess.run(cmd, check=True, capture_output=True, env=env)
        with open(out) as f:
            m = re.search(r"^summary:\s+(\d+)", f.read(), re.M)
        assert m, "no summary in callgrind output"
        return int(m.group(1))


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--run":
        run_workload(sys.argv[2], int(sys.argv[3]))
        return
    only = sys.argv[1:] or list(WORKLOADS)
    print(f"{'workload':<20} {'instructions/iter':>18}  what")
    for name in only:
        n, what = WORKLOADS[name]
        per = (count(name, 2 * n) - count(name, n)) / n
        print(f"{name:<20} {per:>18,.0f}  {what}", flush=True)


if __name__ == "__main__":
    main()
