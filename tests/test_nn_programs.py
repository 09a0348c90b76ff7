"""The issue's "done when" programs: PyTorch programs in the style of "Learning PyTorch with
Examples" (tests/nn_programs/, kept as PyTorch code) run under pyautograd with only their
import lines changed, and their loss falls as it does under PyTorch."""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

PROGRAMS = Path(__file__).resolve().parent / "nn_programs"
LINE = re.compile(r"^(\d+) (\S+)$")


def _run(source: str, lib: str) -> tuple[list[float], str]:
    if lib == "pyautograd":
        source = re.sub(r"^import torch$", "import pyautograd as torch", source, flags=re.M)
        source = re.sub(
            r"^from torch(\.\S+)? import", r"from pyautograd\1 import", source, flags=re.M
        )
        assert "import pyautograd as torch" in source
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    out = subprocess.run(
        [sys.executable, "-c", source], capture_output=True, text=True, timeout=900, env=env
    )
    assert out.returncode == 0, f"{lib}:\n{out.stderr[-3000:]}"
    losses = [float(m.group(2)) for ln in out.stdout.splitlines() if (m := LINE.match(ln.strip()))]
    return losses, out.stdout


# name -> (ops of issue 9 it needs, the loss of an untrained model for programs whose printed
# loss is noisy (a random depth each step; RMSprop's lr=1e-3 plateau near 3, under PyTorch
# too), else None)
CASES: dict[str, tuple[list[str], float | None]] = {
    "nn_sequential_mse_sum.py": ([], None),
    "optim_adam.py": ([], None),
    "optim_rmsprop.py": ([], 64 * 10),
    "custom_module.py": ([], None),
    "dynamic_net.py": ([], 64 * 10),  # sum of squares of 64 x 10 standard normal targets
    "polynomial_nn.py": (["sin"], None),
    "polynomial_rmsprop.py": (["sin"], None),
    "polynomial_custom_module.py": (["sin"], None),
    "polynomial_dynamic.py": (["sin"], None),
    "cnn_classifier.py": ([], None),
    "lstm_sequence.py": ([], None),
    "transformer_lm.py": ([], None),
}


@pytest.mark.parametrize("name", list(CASES))
def test_program_runs_with_only_its_imports_changed(name: str) -> None:
    _, untrained = CASES[name]
    source = (PROGRAMS / name).read_text(encoding="utf-8")
    ours, stdout = _run(source, "pyautograd")
    assert len(ours) >= 5, stdout
    assert all(math.isfinite(v) for v in ours), ours
    if untrained is not None:  # noisy: compare the best printed loss with the untrained loss
        assert min(ours) < 0.05 * untrained, ours
    else:
        assert ours[-1] < ours[0], ours
    if "Result:" in source:
        assert "Result: y = " in stdout
    try:
        import torch  # noqa: F401
    except ImportError:
        return
    theirs, _ = _run(source, "torch")
    # a noisy program's last printed loss depends on the depth drawn for that one step (CI saw
    # 26.4 after four prints near 1): compare the best printed loss of each library instead
    last_ours = min(ours) if untrained is not None else ours[-1]
    last_theirs = min(theirs) if untrained is not None else theirs[-1]
    first_ours = untrained or ours[0]
    first_theirs = untrained or theirs[0]
    decades_ours = math.log10(first_ours / max(last_ours, 1e-30))
    decades_theirs = math.log10(first_theirs / max(last_theirs, 1e-30))
    if re.search(r"^torch\.manual_seed\(", source, flags=re.M):
        # seeded: the random streams are PyTorch's, so the same weights, data and dropout masks;
        # the first printed loss agrees to float rounding (later ones drift with the rounding of
        # the matrix products, as between two BLAS libraries)
        assert len(ours) == len(theirs), (ours, theirs)
        assert math.isclose(ours[0], theirs[0], rel_tol=1e-4), (ours, theirs)
    # unseeded, the initial weights differ between runs: the loss must fall at least half as
    # many decades as under PyTorch, or end near where PyTorch's ends (a lucky first print: a run
    # saw 125 -> 8.89 here against 2300 -> 8.86 under PyTorch)
    assert decades_ours >= 0.5 * decades_theirs or last_ours <= 2 * last_theirs, (ours, theirs)
