"""Differential test: random programs run on PyTorch and on pyautograd, compared (the tool is
tests/difftest/, see its run.py). CI runs a fixed seed; long runs are by hand:

    python tests/difftest/run.py --programs 100000 --seed 7 --jobs 2

Known divergence classes are not drawn (tests/difftest/known.py, catalogued in the team's
diff-findings.md); everything else must agree: values, dtypes, shapes, requires_grad, is_leaf,
which calls raise, every leaf's gradient, and no memory left allocated.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

HERE = Path(__file__).resolve().parent
RUN = HERE / "difftest" / "run.py"
sys.path.insert(0, str(HERE / "difftest"))

import execute  # noqa: E402
import gen  # noqa: E402
import known  # noqa: E402
import ops  # noqa: E402
import shrink  # noqa: E402
from program import Program  # noqa: E402

import pyautograd  # noqa: E402

#: the CI run: PYAG_DIFFTEST_PROGRAMS / PYAG_DIFFTEST_SEED override it
CI_SEED = int(os.environ.get("PYAG_DIFFTEST_SEED", "0"))
CI_PROGRAMS = int(os.environ.get("PYAG_DIFFTEST_PROGRAMS", "2500"))


def test_random_programs_agree_with_torch(tmp_path: Path) -> None:
    out = tmp_path / "summary.json"
    cmd = [sys.executable, str(RUN), "--programs", str(CI_PROGRAMS), "--seed", str(CI_SEED),
           "--jobs", "2", "--json", str(out)]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1200, check=False)
    report = proc.stdout[-30000:] + proc.stderr[-5000:]
    assert out.exists(), report
    summary = json.loads(out.read_text())
    assert proc.returncode == 0 and not summary["divergences"], report
    assert not summary["crashes_and_hangs"], report
    # the run exercises the whole table: a row never drawn must be one a gate stops
    assert sum(summary["rows"].values()) > 5 * CI_PROGRAMS
    never = [r.name for r in ops.ROWS if r.name not in summary["rows"]]
    assert all(summary["gated_rows"].get(r) for r in never), never


# ---- the tool itself ------------------------------------------------------------------------
def test_programs_are_a_function_of_seed_and_index() -> None:
    a, _ = gen.generate(3, 17, torch)
    b, _ = gen.generate(3, 17, torch)
    assert a.to_json() == b.to_json()
    assert Program.from_json(a.to_json()).to_json() == a.to_json()


def _diverging_program() -> Program:
    """A program with a known divergence (issue 10 #4) buried among unrelated statements."""
    p, _ = gen.generate(0, 1, torch)
    extra = Program.from_json(
        json.dumps(
            {
                "tag": "test",
                "stmts": [
                    {"code": "z0 = L.ones(2)", "defines": ["z0"], "uses": [], "row": "leaf",
                     "kind": "leaf", "no_grad": False, "observe": ["z0"], "leaf": None},
                    {"code": "z1 = L.tensor(2., dtype=L.float64)", "defines": ["z1"],
                     "uses": [], "row": "leaf", "kind": "leaf", "no_grad": False,
                     "observe": ["z1"], "leaf": None},
                    {"code": "z2 = z0 * z1", "defines": ["z2"], "uses": ["z0", "z1"],
                     "row": "mul:op", "kind": "op", "no_grad": False, "observe": ["z2"],
                     "leaf": None},
                ],
            }
        )
    )  # fmt: skip
    return Program(p.stmts[:-1] + extra.stmts + p.stmts[-1:], "test")


def test_shrinker_keeps_the_divergence_and_prints_runnable_python(tmp_path: Path) -> None:
    prog = _diverging_program()
    d = execute.execute(prog, torch, pyautograd)
    if d is None:
        pytest.skip("0-d promotion agrees with PyTorch now (issue 10 #4 fixed)")
    small = shrink.shrink(prog, d, lambda p: execute.execute(p, torch, pyautograd), torch)
    d2 = execute.execute(small, torch, pyautograd)
    assert d2 is not None and d2.signature() == d.signature()
    assert len(small.stmts) <= 3 < len(prog.stmts)
    script = tmp_path / "repro.py"
    script.write_text(shrink.reproducer(small, d2))
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          cwd=tmp_path, timeout=120, check=True)  # fmt: skip
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("torch (torch.float32") and "pyautograd" in lines[1]


def test_every_gate_names_its_class() -> None:
    for key, gate in known.KNOWN_DIVERGENCES.items():
        assert gate.item.startswith(("issue 10 #", "new", "torch")), key
        assert len(gate.hides) > 10, key
