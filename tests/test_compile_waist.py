"""Every kernel entry point is seen by the capture recorder (issue 14).

pyautograd.compile replays the kernel calls recorded at the kernel waist; a kernel reached
without passing the recorder would be skipped by replay, silently. So each function a
cpp/kernels/*.h header declares must, at the top of its definition, either record the call
(``capture::Waist``) or refuse to be captured (``capture::refuse``). This test reads the
sources (it skips when they are not beside the tests, e.g. an installed wheel's tests).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

KERNELS = Path(__file__).resolve().parent.parent / "cpp" / "kernels"

# Not kernels, or reached only through a hooked entry point.
EXEMPT = {
    "op_name": "a name",
    "blas_name": "a name",
    "set_blas_threads": "configuration",
    "get_blas_threads": "configuration",
    "set_num_threads": "configuration",
    "parallel_for_impl": "the pool that a recorded kernel's own loop runs on (replay reruns it)",
    "optim_update": "reached only through ops/optim.cpp's optim_step, which records",
    "chain_unary": "builds a step of a fused chain at capture's end (runs no kernel)",
    "chain_binary": "builds a step of a fused chain at capture's end (runs no kernel)",
}

DECL = re.compile(r"^(?:void|bool|int64_t|double|Tensor|const char\*) (\w+)\(", re.M)


def _entry_points() -> list[str]:
    names: set[str] = set()
    for h in KERNELS.glob("*.h"):
        names.update(DECL.findall(h.read_text()))
    return sorted(n for n in names if n not in EXEMPT and not n.startswith("map"))


def _definition_head(name: str) -> str | None:
    """The first lines of the body of the out-of-line definition of `name`."""
    pattern = re.compile(rf"^(?:void|bool|int64_t|double|Tensor) {name}\([^{{;]*\)\s*{{", re.M)
    for cpp in KERNELS.glob("*.cpp"):
        text = cpp.read_text()
        m = pattern.search(text)
        if m:
            return text[m.end() : m.end() + 600]
    return None


@pytest.mark.skipif(not KERNELS.is_dir(), reason="the C++ sources are not beside the tests")
def test_every_kernel_entry_point_records_or_refuses() -> None:
    names = _entry_points()
    assert len(names) > 40, names  # the scan found the waist
    missing = []
    for name in names:
        head = _definition_head(name)
        if head is None:
            continue  # defined inline in its header over other entry points
        if "capture::Waist" not in head and "capture::refuse" not in head:
            missing.append(name)
    assert not missing, (
        f"kernel entry points that neither record nor refuse under capture: {missing}; add "
        "`capture::Waist rec; if (rec) rec->...` (and its replay in cpp/capture/tape.cpp) or "
        "`capture::refuse(op, why)` at the top of each (cpp/capture/hooks.h)"
    )
