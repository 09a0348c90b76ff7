"""Bad-input fuzzing: thousands of random calls on the Python API run in a subprocess
(tests/fuzz_worker.py); each must succeed or raise an Exception with a message, never crash.

PYAG_FUZZ_CASES (default 3000) and PYAG_FUZZ_SEEDS (default "0,1") change the budget.
Crashes the fuzzer once found have their own regression tests below (each in a subprocess).
"""

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import pyautograd

HERE = Path(__file__).resolve().parent
PKG_PARENT = str(Path(pyautograd.__file__).resolve().parent.parent)
WORKER = HERE / "fuzz_worker.py"
CASES = int(os.environ.get("PYAG_FUZZ_CASES", "3000"))
SEEDS = [int(s) for s in os.environ.get("PYAG_FUZZ_SEEDS", "0,1").split(",") if s.strip()]


def _env():
    # The subprocess imports the pyautograd this test imported (installed, or the source tree).
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([PKG_PARENT, *filter(None, [env.get("PYTHONPATH")])])
    env["PYTHONFAULTHANDLER"] = "1"
    return env


def died(rc):
    if rc < 0:
        try:
            return f"killed by {signal.Signals(-rc).name}"
        except ValueError:
            return f"killed by signal {-rc}"
    return f"exit code {rc}"


def run_worker(tmp_path, cases, seed, timeout=180):
    trace = tmp_path / f"fuzz-trace-{seed}.txt"
    proc = subprocess.run(
        [
            sys.executable,
            str(WORKER),
            "--cases",
            str(cases),
            "--seed",
            str(seed),
            "--trace",
            str(trace),
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=_env(),
        cwd=HERE,
    )
    lines = trace.read_text().splitlines() if trace.exists() else []
    return proc, (lines[-1] if lines else "<no case started>")


@pytest.mark.parametrize("seed", SEEDS)
def test_fuzz_bad_inputs_never_crash(seed, tmp_path, capsys):
    proc, last = run_worker(tmp_path, CASES, seed)
    assert proc.returncode == 0, (
        f"fuzz worker (seed {seed}) {died(proc.returncode)} during case: {last}\n"
        f"stderr tail:\n{proc.stderr[-3000:]}"
    )
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    with capsys.disabled():
        print(
            f"\n[fuzz seed {seed}] {summary['cases']} cases tried, crashes: 0, "
            f"{summary['ok']} ok, {summary['raised']} raised {summary['by_type']}, "
            f"{summary['unprefixed']} messages without an [op] prefix, "
            f"{summary['seconds']} s"
        )
    assert summary["cases"] == CASES
    assert summary["ok"] + summary["raised"] + len(summary["base_exceptions"]) == CASES
    assert summary["ok"] > CASES // 10 and summary["raised"] > CASES // 10  # not degenerate
    assert summary["base_exceptions"] == [], summary["base_exceptions"][:5]
    assert summary["bad_messages"] == [], summary["bad_messages"][:5]
    assert summary["unexpected_types"] == [], summary["unexpected_types"][:5]


# --------------------------------------------------------------------------
# crashes the fuzzer found (each repro runs in its own interpreter)
# --------------------------------------------------------------------------
#: name -> (code, expected): "raised <ExceptionType>", or the lines the code prints then "ok"
CRASH_REPROS = {
    # None for a `const Tensor&` (shared_ptr holder) parameter was a null dereference
    "mm_None": ("pa.ones(2, 2).mm(None)", ["raised TypeError"]),
    "function_alias_None": ("pa.exp(None)", ["raised TypeError"]),
    "rmatmul_None": ("None @ pa.ones(2, 2)", ["raised TypeError"]),
    "where_cond_None": ("pa.where(None, pa.ones(2), pa.ones(2))", ["raised TypeError"]),
    "copy_None": ("pa.ones(2).copy_(None)", ["raised TypeError"]),
    "data_setter_None": ("t = pa.ones(2); t.data = None", ["raised TypeError"]),
    # None items in the tensor lists of autograd.backward / autograd.grad
    "backward_list_None": ("pa.autograd.backward([None])", ["raised TypeError"]),
    "grad_inputs_None": (
        "x = pa.ones(3, requires_grad=True); pa.autograd.grad(x.sum(), [None])",
        ["raised TypeError"],
    ),
    # size sequences whose items are new objects (was a use-after-free of the items)
    "full_size_tensor": (
        "print(list(pa.full(pa.tensor([2, 3]), 1.0).shape))",
        ["[2, 3]", "ok"],
    ),
    "full_size_range": (
        "print(list(pa.full(range(1000, 1002), 1.0).shape))",
        ["[1000, 1001]", "ok"],
    ),
}

_SNIPPET = """
import pyautograd as pa
try:
{body}
except Exception as e:
    print("raised", type(e).__name__)
else:
    print("ok")
"""


@pytest.mark.parametrize("name", sorted(CRASH_REPROS))
def test_crash_repro(name):
    code, expected = CRASH_REPROS[name]
    body = textwrap.indent(code.replace("; ", "\n"), "    ")
    proc = subprocess.run(
        [sys.executable, "-c", _SNIPPET.format(body=body)],
        capture_output=True,
        text=True,
        timeout=60,
        env=_env(),
        cwd=HERE,
    )
    assert proc.returncode == 0, f"{code!r}: {died(proc.returncode)}\n{proc.stderr[-2000:]}"
    assert proc.stdout.splitlines() == expected, (code, proc.stdout, proc.stderr[-2000:])
