"""The nn/optim/data examples run as shipped: the seed's network with nn.Sequential +
optim.SGD trains to a tiny loss, and the spirals classifier (DataLoader, CrossEntropyLoss, Adam,
a cosine schedule, a checkpoint) reaches high accuracy and reloads."""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _run(script: str) -> str:
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    out = subprocess.run(
        [sys.executable, str(EXAMPLES / script)],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_two_layer_nn_example_trains() -> None:
    out = _run("two_layer_nn.py")
    losses = [float(m.group(1)) for m in re.finditer(r"^\d+ (\S+)$", out, re.M)]
    assert len(losses) == 6, out
    assert losses[0] > 1 and losses[-1] < 0.01, losses
    assert all(b < a for a, b in itertools.pairwise(losses)), losses
    assert "Sequential(" in out and "Linear(in_features=1000, out_features=100" in out


def test_spirals_example_classifies() -> None:
    out = _run("spirals.py")
    test_acc = [float(v) for v in re.findall(r"  test acc (\S+)", out)]
    losses = [float(v) for v in re.findall(r"loss (\S+)", out)]
    lrs = [float(v) for v in re.findall(r"lr (\S+)", out)]
    assert len(test_acc) == 6 and len(losses) == 6, out
    assert test_acc[-1] >= 0.95 and losses[-1] < losses[0], out
    assert lrs == sorted(lrs, reverse=True) and lrs[-1] < 1e-4, lrs
    m = re.search(r"restored model test acc (\S+)", out)
    assert m, out
    restored = float(m.group(1))
    assert restored == test_acc[-1]
