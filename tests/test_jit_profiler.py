"""torch.jit (TorchScript's Python API, eager here), torch.compiler's helpers, torch.profiler and
torch.autograd.profiler, torch.testing reachable as an attribute, utils.data.get_worker_info."""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import pyautograd as torch
import pyautograd.nn as nn
from pyautograd.profiler import (
    ProfilerAction,
    ProfilerActivity,
    profile,
    record_function,
    schedule,
    tensorboard_trace_handler,
)

try:
    import torch as real_torch
except ImportError:  # pragma: no cover
    real_torch = None


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(3, 2)

    @torch.jit.ignore
    def debug(self) -> str:
        return "ignored"

    @torch.jit.unused
    def unused(self) -> int:
        return 1

    @torch.jit.export
    def exported(self, x: Any) -> Any:
        return self.fc(x) * 2

    def forward(self, x: Any) -> Any:
        if torch.jit.is_scripting() or torch.jit.is_tracing():
            raise AssertionError("code runs eagerly")
        y: Any = torch.jit.annotate(Any, self.fc(x))
        return y.relu()


def test_script_and_trace_give_the_eager_results() -> None:
    m = Net()
    x = torch.randn(4, 3)
    expected = m(x)
    scripted = torch.jit.script(m)
    traced = torch.jit.trace(m, (x,))
    assert torch.equal(scripted(x), expected) and torch.equal(traced(x), expected)
    assert scripted.debug() == "ignored" and scripted.exported(x).shape == (4, 2)
    assert not isinstance(scripted, torch.jit.ScriptModule)

    @torch.jit.script
    def f(a: Any) -> Any:
        return a * 2 + 1

    assert torch.equal(f(torch.ones(2)), torch.full((2,), 3.0))
    fut = torch.jit.fork(f, torch.ones(2))
    assert torch.equal(torch.jit.wait(fut), torch.full((2,), 3.0))
    assert torch.jit.Attribute(5, int) == 5
    assert torch.jit.freeze(m) is m


def test_jit_refuses_what_needs_torchscript(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="state_dict"):
        torch.jit.save(Net(), str(tmp_path / "m.pt"))
    with pytest.raises(RuntimeError, match="state_dict"):
        torch.jit.load(str(tmp_path / "m.pt"))
    with pytest.raises(RuntimeError, match="expected"):
        torch.jit.script(3)
    with pytest.raises(RuntimeError, match="Future"):
        torch.jit.wait(3)
    with pytest.raises(RuntimeError):
        torch.jit.ScriptModule()


def test_compiler_helpers() -> None:
    @torch.compiler.disable
    def g(x: Any) -> Any:
        return x + 1

    @torch.compiler.disable(recursive=False)
    def h(x: Any) -> Any:
        return x * 3

    assert torch.equal(g(torch.zeros(2)), torch.ones(2))
    assert torch.equal(h(torch.ones(2)), torch.full((2,), 3.0))
    assert torch.compiler.is_compiling() is False
    assert torch.compiler.compile is torch.compile
    torch.compiler.reset()


def test_testing_is_an_attribute_and_get_worker_info() -> None:
    torch.testing.assert_close(torch.ones(2), torch.ones(2))
    with pytest.raises(AssertionError):
        torch.testing.assert_close(torch.ones(2), torch.zeros(2))
    assert torch.utils.data.get_worker_info() is None


def _busy(us: float) -> None:
    end = time.perf_counter() + us / 1e6
    while time.perf_counter() < end:
        pass


def test_profile_records_nested_ranges_with_their_times() -> None:
    with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
        with record_function("outer"):
            _busy(3000)
            for _ in range(3):
                with record_function("inner"):
                    _busy(2000)
        with record_function("inner"):
            _busy(1000)
    avgs = {e.key: e for e in prof.key_averages()}
    assert set(avgs) == {"outer", "inner"}
    assert avgs["inner"].count == 4 and avgs["outer"].count == 1
    assert avgs["inner"].cpu_time_total >= 7000
    # outer's self time excludes its three nested inner ranges
    outer = avgs["outer"]
    assert 3000 <= outer.self_cpu_time_total < outer.cpu_time_total - 5900
    table = prof.key_averages().table(sort_by="cpu_time_total", row_limit=5)
    lines = [ln for ln in table.splitlines() if ln.startswith(("outer", "inner"))]
    assert [ln.split()[0] for ln in lines] == ["outer", "inner"]
    assert "Self CPU time total" in table
    with pytest.raises(AttributeError):
        prof.key_averages().table(sort_by="nonsense")


def test_nothing_is_recorded_outside_a_profile() -> None:
    with record_function("before"):
        pass
    with profile() as prof:
        pass
    assert len(prof.events()) == 0


def test_schedule_matches_torch_and_drives_on_trace_ready(tmp_path: Path) -> None:
    s = schedule(skip_first=1, wait=1, warmup=1, active=2, repeat=2)
    ours = [s(i).name for i in range(12)]
    if real_torch is not None:
        ts = real_torch.profiler.schedule(skip_first=1, wait=1, warmup=1, active=2, repeat=2)
        assert ours == [ts(i).name for i in range(12)]
    else:
        assert ours[:5] == ["NONE", "NONE", "WARMUP", "RECORD", "RECORD_AND_SAVE"]
    ready: list[list[str]] = []

    def on_ready(p: Any) -> None:
        ready.append(sorted({e.name for e in p.events()}))

    with profile(schedule=s, on_trace_ready=on_ready) as prof:
        for _ in range(12):
            with record_function("work"):
                pass
            prof.step()
    assert len(ready) == 2
    assert ready[0] == ["ProfilerStep#3", "ProfilerStep#4", "work"]
    handler = tensorboard_trace_handler(str(tmp_path / "tb"), worker_name="w", use_gzip=True)
    with profile(schedule=schedule(wait=0, warmup=1, active=1), on_trace_ready=handler) as prof:
        for _ in range(2):
            with record_function("step_body"):
                pass
            prof.step()
    files = list((tmp_path / "tb").glob("w.*.pt.trace.json.gz"))
    assert len(files) == 1
    trace = json.loads(gzip.open(files[0]).read())
    assert "step_body" in {e["name"] for e in trace["traceEvents"]}
    assert ProfilerAction.RECORD_AND_SAVE.name == "RECORD_AND_SAVE"


def test_chrome_trace_and_legacy_autograd_profiler(tmp_path: Path) -> None:
    from pyautograd.autograd import profiler as ap

    x = torch.randn(50, 50, requires_grad=True)
    with ap.profile(use_cuda=False) as prof:
        with ap.record_function("fwd"):
            y = (x @ x).sum()
        with ap.record_function("bwd"):
            y.backward()
    names = {e.key for e in prof.key_averages()}
    assert names == {"fwd", "bwd"}
    path = tmp_path / "trace.json"
    prof.export_chrome_trace(str(path))
    events = json.loads(path.read_text())["traceEvents"]
    assert {e["name"] for e in events} == {"fwd", "bwd"}
    assert all(e["ph"] == "X" and e["dur"] >= 0 for e in events)
    with ap.profile(enabled=False) as off:
        pass
    with pytest.raises(RuntimeError, match="didn't finish"):
        off.events()
    with ap.emit_nvtx():
        pass

    @record_function("decorated")
    def f() -> int:
        return 3

    with profile() as prof2:
        assert f() == 3
    assert [e.name for e in prof2.events()] == ["decorated"]
    assert np.isfinite(prof2.events()[0].cpu_time_total)
