"""Differential test runner: random programs on PyTorch and pyautograd, compared.

    python tests/difftest/run.py --programs 100000 --seed 7 --jobs 2 [--repro-dir DIR]
    python tests/difftest/run.py --replay 7/1234        # one program, shrunk, as Python
    python tests/difftest/run.py --ungate clamp-int-bool --programs 20000   # check a fix

Programs ``start .. start+programs-1`` of a seed are split over ``--jobs`` worker processes
(each single-threaded). A worker that dies (a crash) or stops making progress for ``--timeout``
seconds (a hang) is reported with the program it was running, and restarted after it. Every
divergence is counted by signature (row, kind, value/grad); the first program of each signature
is shrunk and printed as a runnable reproducer. Draws the generator skipped because of a known
divergence (known.py) are counted per gate. Exit status 1 if anything diverged.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))


def _libs() -> tuple[Any, Any]:
    import torch

    import pyautograd

    torch.set_num_threads(1)
    pyautograd.set_num_threads(1)
    return torch, pyautograd


# ---- worker ------------------------------------------------------------------------------
def ungate(keys: str) -> None:
    """Draw the named known divergences again ("all": every one): to check a fix."""
    import known

    names = list(known.KNOWN_DIVERGENCES) if keys == "all" else keys.split(",")
    for k in names:
        if k not in known.KNOWN_DIVERGENCES:
            raise SystemExit(f"--ungate: no known divergence named {k!r}")
        del known.KNOWN_DIVERGENCES[k]


def worker(seed: int, start: int, count: int, trace: str, max_repros: int) -> None:
    """Runs programs start..start+count-1; one JSON object per line on stdout."""
    import faulthandler

    faulthandler.enable()
    torch, pa = _libs()
    from execute import execute
    from gen import generate
    from shrink import reproducer, shrink

    fd = os.open(trace, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    counts: Counter[str] = Counter()
    gated: Counter[str] = Counter()
    gated_rows: Counter[str] = Counter()
    rows: Counter[str] = Counter()
    shrunk = 0
    inconclusive = 0
    t0 = time.time()
    rss0 = 0
    for i in range(start, start + count):
        if i == start + min(200, count // 2):
            rss0 = _rss_kb()  # after warm-up: caches, compiled code, allocator pools
        os.write(fd, f"{i}\n".encode())
        prog, g = generate(seed, i, torch)
        gated.update(g.gated)
        gated_rows.update(g.gated_rows)
        rows.update(st.row for st in prog.stmts)
        d = execute(prog, torch, pa)
        if d is None:
            continue
        if d.kind == "inconclusive":
            inconclusive += 1
            continue
        key = json.dumps(d.signature())
        counts[key] += 1
        msg: dict[str, Any] = {"type": "finding", "sig": d.signature(), "index": i}
        if counts[key] == 1 and shrunk < max_repros:
            shrunk += 1
            small = shrink(prog, d, lambda p: execute(p, torch, pa), torch)
            d2 = execute(small, torch, pa) or d
            msg["describe"] = d2.describe()
            msg["repro"] = reproducer(small, d2)
        print(json.dumps(msg), flush=True)
    summary = {
        "type": "summary",
        "programs": count,
        "counts": dict(counts),
        "gated": dict(gated),
        "gated_rows": dict(gated_rows),
        "rows": dict(rows),
        "inconclusive": inconclusive,
        "seconds": time.time() - t0,
        "maxrss_kb": _maxrss(),
        "rss_growth_kb": _rss_kb() - rss0 if rss0 else 0,
    }
    print(json.dumps(summary), flush=True)


def _rss_kb() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
    except OSError:
        return 0


def _maxrss() -> int:
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


# ---- parent ------------------------------------------------------------------------------
def _drain(p: subprocess.Popen[str], into: list[str]) -> None:
    assert p.stderr is not None
    into.append(p.stderr.read())


class Job:
    def __init__(self, args: argparse.Namespace, start: int, count: int, tmp: str, k: int):
        self.args, self.start, self.end = args, start, start + count
        self.trace = os.path.join(tmp, f"trace{k}")
        self.lines: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []  # crashes and hangs

    def last_index(self) -> int | None:
        try:
            with open(self.trace, "rb") as f:
                data = f.read().split()
            return int(data[-1]) if data else None
        except OSError:
            return None

    def run(self) -> None:
        pos = self.start
        while pos < self.end:
            cmd = [
                sys.executable,
                __file__,
                "--worker",
                "--seed",
                str(self.args.seed),
                "--start",
                str(pos),
                "--programs",
                str(self.end - pos),
                "--trace",
                self.trace,
                "--max-repros",
                str(self.args.max_repros),
                *(["--ungate", self.args.ungate] if self.args.ungate else []),
            ]
            p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            reader = threading.Thread(target=self._read, args=(p,), daemon=True)
            reader.start()
            err: list[str] = []
            et = threading.Thread(target=_drain, args=(p, err), daemon=True)
            et.start()
            hung = False
            while p.poll() is None:
                time.sleep(0.5)
                try:
                    idle = time.time() - os.path.getmtime(self.trace)
                except OSError:
                    idle = 0
                if idle > self.args.timeout:
                    p.kill()
                    hung = True
            reader.join()
            et.join()
            if any(x["type"] == "summary" and x.get("_start") == pos for x in self.lines):
                return
            last = self.last_index()
            if last is None:
                last = pos
            kind = "hang" if hung else "crash"
            self.events.append(
                {
                    "type": kind,
                    "index": last,
                    "returncode": p.returncode,
                    "stderr": "".join(err)[-3000:],
                }
            )
            pos = last + 1

    def _read(self, p: subprocess.Popen[str]) -> None:
        assert p.stdout is not None
        start = int(p.args[p.args.index("--start") + 1])  # type: ignore[index, union-attr]
        for line in p.stdout:
            try:
                msg = json.loads(line)
            except json.JSONDecodeError:
                continue
            msg["_start"] = start
            self.lines.append(msg)
            if msg["type"] == "finding" and self.args.progress:
                sig = " / ".join(msg["sig"])
                print(f"[difftest] {self.args.seed}/{msg['index']}: {sig}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--programs", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds without progress")
    ap.add_argument("--max-repros", type=int, default=40, help="shrunk reproducers per worker")
    ap.add_argument(
        "--ungate",
        help="KEY[,KEY...] or all: draw these known divergences again (to check a fix)",
    )
    ap.add_argument("--json", help="write the summary (and reproducers) to this file")
    ap.add_argument("--repro-dir", help="write each signature's reproducer to a .py file here")
    ap.add_argument("--progress", action="store_true", help="print findings as they come")
    ap.add_argument("--replay", help="SEED/INDEX: shrink and print one program")
    ap.add_argument("--full", action="store_true", help="with --replay: do not shrink")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--trace", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.ungate:
        ungate(a.ungate)
    if a.worker:
        worker(a.seed, a.start, a.programs, a.trace, a.max_repros)
        return 0
    if a.replay:
        return replay(a.replay, a.full)
    return parent(a)


def replay(spec: str, full: bool) -> int:
    torch, pa = _libs()
    from execute import execute
    from gen import generate
    from program import render
    from shrink import reproducer, shrink

    seed, index = (int(x) for x in spec.split("/"))
    prog, _ = generate(seed, index, torch)
    d = execute(prog, torch, pa)
    if d is None:
        print(render(prog.stmts, None, f"difftest {spec}: no divergence"))
        return 0
    if not full:
        prog = shrink(prog, d, lambda p: execute(p, torch, pa), torch)
        d = execute(prog, torch, pa) or d
    print(reproducer(prog, d))
    return 1


def parent(a: argparse.Namespace) -> int:
    t0 = time.time()
    per = -(-a.programs // a.jobs)
    with tempfile.TemporaryDirectory(prefix="difftest") as tmp:
        jobs = [
            Job(a, a.start + k * per, min(per, a.programs - k * per), tmp, k)
            for k in range(a.jobs)
            if a.programs - k * per > 0
        ]
        threads = [threading.Thread(target=j.run) for j in jobs]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    counts: Counter[str] = Counter()
    gated: Counter[str] = Counter()
    gated_rows: Counter[str] = Counter()
    rows: Counter[str] = Counter()
    repros: dict[str, dict[str, Any]] = {}
    events = []
    inconclusive = 0
    rss_growth: list[int] = []
    for j in jobs:
        events += j.events
        for m in j.lines:
            if m["type"] == "summary":
                counts.update(m["counts"])
                gated.update(m["gated"])
                gated_rows.update(m["gated_rows"])
                rows.update(m["rows"])
                inconclusive += m["inconclusive"]
                rss_growth.append(m.get("rss_growth_kb", 0))
            elif m["type"] == "finding":
                key = json.dumps(m["sig"])
                if "repro" in m and key not in repros:
                    repros[key] = m
    # a restarted worker's earlier findings have no summary: count them from finding lines
    for j in jobs:
        starts = {m["_start"] for m in j.lines if m["type"] == "summary"}
        for m in j.lines:
            if m["type"] == "finding" and m["_start"] not in starts:
                counts[json.dumps(m["sig"])] += 1
    seconds = time.time() - t0
    out = {
        "seed": a.seed,
        "start": a.start,
        "programs": a.programs,
        "seconds": round(seconds, 1),
        "divergences": dict(counts.most_common()),
        "crashes_and_hangs": events,
        "gated": dict(gated.most_common()),
        "inconclusive": inconclusive,
        "rss_growth_kb_per_worker": rss_growth,
        "reproducers": {
            k: {"index": m["index"], "describe": m["describe"], "repro": m["repro"]}
            for k, m in repros.items()
        },
        "rows": dict(rows.most_common()),
        "gated_rows": dict(gated_rows.most_common()),
    }
    report(out)
    if a.json:
        Path(a.json).write_text(json.dumps(out, indent=1))
    if a.repro_dir:
        d = Path(a.repro_dir)
        d.mkdir(parents=True, exist_ok=True)
        for k, m in repros.items():
            name = "_".join(json.loads(k)).replace(":", "-").replace("/", "-")
            (d / f"{name}.py").write_text(m["repro"])
    return 1 if counts or events else 0


def report(out: dict[str, Any]) -> None:
    n = out["programs"]
    print(
        f"difftest: seed {out['seed']}, programs {out['start']}..{out['start'] + n - 1}, "
        f"{out['seconds']} s"
    )
    for ev in out["crashes_and_hangs"]:
        print(
            f"\n{ev['type'].upper()} in program {out['seed']}/{ev['index']} "
            f"(exit {ev['returncode']}); replay: run.py --replay {out['seed']}/{ev['index']}"
        )
        print(ev["stderr"])
    for key, c in out["divergences"].items():
        print(f"\n{c} program(s) diverge: {' / '.join(json.loads(key))}")
        r = out["reproducers"].get(key)
        if r:
            print(f"-- reproducer (from program {out['seed']}/{r['index']}, shrunk) --")
            print(r["repro"])
    if out["gated"]:
        print("\nknown divergences not drawn (known.py), draws skipped per gate:")
        for k, c in out["gated"].items():
            print(f"  {k}: {c}")
    if out["inconclusive"]:
        print(
            f"\n{out['inconclusive']} program(s) inconclusive: a discontinuous op (sign, a "
            "comparison, argmax, ...) read values the libraries agree on within tolerance only"
        )
    if out["rss_growth_kb_per_worker"]:
        print(
            f"\nresident memory growth per worker after warm-up (kB): "
            f"{out['rss_growth_kb_per_worker']}"
        )
    total = sum(out["divergences"].values())
    print(
        f"\n{total} diverging program(s) of {n}; {len(out['crashes_and_hangs'])} crash(es)/hang(s)"
    )


if __name__ == "__main__":
    sys.exit(main())
