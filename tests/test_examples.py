"""The examples run as shipped: the seed's two programs (changed only in their imports) and the
modern-style variant train, their printed loss falling from thousands by at least three decades
(the programs draw unseeded data and weights: pyautograd's default seed is fixed, PyTorch's is
not, so the depth of the fall is that seed's)."""

from __future__ import annotations

import ast
import itertools
import os
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
        if m and not line.startswith("torch.Size"):
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
    assert seen[-1] < seen[0] * 1e-3, seen
    assert all(b < a for a, b in itertools.pairwise(seen)), seen


def seed_text() -> str | None:
    """The tutorial's text: $PYAG_SEED_DIR, else shared/seed beside the checkout."""
    for candidate in (os.environ.get("PYAG_SEED_DIR"), EXAMPLES.parent.parent / "shared" / "seed"):
        seeds = sorted(Path(candidate).glob("*.txt")) if candidate else []
        if seeds:
            return seeds[0].read_text(encoding="utf-8")
    return None


def after_docstring(path: Path) -> tuple[str | None, list[str]]:
    """A program's module docstring and its lines after it."""
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    docstring = ast.get_docstring(tree)
    lines = text.splitlines()
    if docstring is None:
        return None, lines
    end = tree.body[0].end_lineno
    assert end is not None
    return docstring, lines[end:]


@pytest.mark.parametrize("script", ["two_layer_manual.py", "two_layer_autograd.py"])
def test_seed_programs_differ_from_the_seed_only_in_imports(script: str) -> None:
    docstring, lines = after_docstring(EXAMPLES / script)
    assert docstring and "tutorial" in docstring, f"{script}: a docstring credits the tutorial"
    text = seed_text()
    if text is None:
        pytest.skip("the seed (../shared/seed or $PYAG_SEED_DIR) is not beside this checkout")
    body = [ln for ln in lines if not ln.startswith(("import pyautograd", "from pyautograd"))]
    while body and not body[0].strip():
        body.pop(0)  # the blank line after the docstring
    assert "\n".join(body) in text, f"{script} differs from the seed beyond its imports"
