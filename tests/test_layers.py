"""The C++ core's layers include only the layers below them (cpp/ops/README.md, "Layers").

tensor/ (shapes, storage, the tensor handle) is the bottom: it includes nothing of kernels/,
ops/, autograd/ or capture/. What it needs from above is declared in tensor/ and provided by
the layer above (TensorImpl::grad_fn is defined in autograd/views.cpp; the capture recorder
watches new storages through tensor/storage.h's observer, set by capture::begin). kernels/
may include tensor/ and the capture recorder's hooks at the waist, nothing else. Nothing
outside bindings/ includes bindings/. A new upward include fails here.

This test reads the sources; it skips when they are not beside the tests (an installed wheel's
tests).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CPP = Path(__file__).resolve().parent.parent / "cpp"
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)

# layer directory -> the project headers its files may include (a directory prefix or a file)
ALLOWED = {
    "tensor": ("tensor/",),
    "kernels": ("tensor/", "kernels/", "capture/hooks.h"),
}


def _includes(path: Path) -> list[str]:
    return INCLUDE.findall(path.read_text())


def _sources(layer: str) -> list[Path]:
    return sorted(p for p in (CPP / layer).glob("*") if p.suffix in (".h", ".cpp"))


@pytest.fixture(autouse=True)
def _need_sources() -> None:
    if not (CPP / "tensor" / "tensor.h").is_file():
        pytest.skip("the C++ sources are not beside the tests")


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_includes_only_layers_below(layer: str) -> None:
    files = _sources(layer)
    assert files, f"no sources found in cpp/{layer}"
    bad = [
        f'cpp/{layer}/{f.name}: #include "{inc}"'
        for f in files
        for inc in _includes(f)
        if not inc.startswith(ALLOWED[layer])
    ]
    assert not bad, (
        f"cpp/{layer}/ may include only {', '.join(ALLOWED[layer])} (cpp/ops/README.md, Layers):\n"
        + "\n".join(bad)
    )


def test_only_bindings_include_bindings() -> None:
    bad = [
        f'{p.relative_to(CPP.parent)}: #include "{inc}"'
        for p in sorted(CPP.rglob("*"))
        if p.suffix in (".h", ".cpp") and p.relative_to(CPP).parts[0] != "bindings"
        for inc in _includes(p)
        if inc.startswith("bindings/")
    ]
    assert not bad, "the core includes the Python bindings:\n" + "\n".join(bad)


def test_the_check_sees_an_upward_include(tmp_path: Path) -> None:
    # the pattern finds includes as the compiler does (spaces after '#' and before "include")
    f = tmp_path / "x.h"
    f.write_text('#include "tensor/dtype.h"\n#  include "autograd/node.h"\n#include <vector>\n')
    assert _includes(f) == ["tensor/dtype.h", "autograd/node.h"]
