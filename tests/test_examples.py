"""The examples run as shipped: the seed's two programs (changed only in their imports) and the
modern-style variant train, their printed loss falling from thousands to below 0.1."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NUMBER = re.compile(r"(?:tensor\()?(-?\d+\.\d+(?:e[-+]?\d+)?)\)?$")


def losses(script: str) -> list[float]:
    out = subprocess.run(
        [sys.executable, str(EXAMPLES / script)], capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr
    values = []
    for line in out.stdout.splitlines():
        m = NUMBER.search(line.strip())
        if m and not line.startswith("pyautograd.Size"):
            values.append(float(m.group(1)))
    return values


@pytest.mark.parametrize(
    ("script", "prints"),
    [("two_layer_manual.py", 8), ("two_layer_autograd.py", 6), ("two_layer_modern.py", 6)],
)
def test_example_trains(script: str, prints: int) -> None:
    seen = losses(script)[:prints]
    assert len(seen) == prints, seen
    assert seen[0] > 100, seen
    assert seen[-1] < 0.1, seen
    assert all(b < a for a, b in itertools.pairwise(seen)), seen


def test_seed_programs_differ_from_the_seed_only_in_imports() -> None:
    seed_dir = EXAMPLES.parent.parent / "shared" / "seed"
    seeds = sorted(seed_dir.glob("*.txt")) if seed_dir.is_dir() else []
    if not seeds:
        pytest.skip("../shared/seed is not beside this checkout")
    text = seeds[0].read_text(encoding="utf-8")
    for script in ("two_layer_manual.py", "two_layer_autograd.py"):
        lines = (EXAMPLES / script).read_text(encoding="utf-8").splitlines()
        body = [ln for ln in lines if not ln.startswith(("import pyautograd", "from pyautograd"))]
        assert "\n".join(body) in text, f"{script} differs from the seed beyond its imports"
