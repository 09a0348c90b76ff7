"""The typed public API: pyautograd/_core.pyi agrees with the _core extension module, and
typed user code passes ``mypy --strict`` against it."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import textwrap
import types
from pathlib import Path
from typing import Any

import pytest
from helpers import TORCH_STANDIN

import pyautograd

pytestmark = pytest.mark.skipif(TORCH_STANDIN, reason="stubs of pyautograd's own core")

STUB = Path(pyautograd.__file__).with_name("_core.pyi")

# Module attributes every extension module has.
MODULE_DUNDERS = {"__name__", "__doc__", "__package__", "__loader__", "__spec__", "__file__"}
# __all__: the declared ops' functions, which pyautograd star-imports (checked in test_op_table).
MODULE_DUNDERS |= {"__all__"}
# What pybind11 puts in every class: the "No constructor defined!" __init__, the instance
# __dict__ of py::dynamic_attr(), and its cross-extension hook.
PYBIND11_CLASS_ATTRS = {"__init__", "__dict__", "__doc__", "__module__", "_pybind11_conduit_v1_"}


def _core() -> Any:
    return pytest.importorskip("pyautograd._core")


class StubModule:
    """What the stub declares: module-level functions, variables and classes with members."""

    def __init__(self, path: Path) -> None:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        self.functions: dict[str, list[ast.FunctionDef]] = {}
        self.variables: set[str] = set()
        self.classes: dict[str, dict[str, list[ast.FunctionDef] | None]] = {}
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                self.functions.setdefault(node.name, []).append(node)
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                if not _is_type_alias(node):
                    self.variables.add(node.target.id)
            elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                members: dict[str, list[ast.FunctionDef] | None] = {}
                for item in node.body:
                    if isinstance(item, ast.FunctionDef):
                        defs = members.get(item.name) or []
                        members[item.name] = [*defs, item]
                    elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                        members[item.target.id] = None
                self.classes[node.name] = members

    def names(self) -> set[str]:
        return set(self.functions) | self.variables | set(self.classes)


def _is_type_alias(node: ast.AnnAssign) -> bool:
    return isinstance(node.annotation, ast.Name) and node.annotation.id == "TypeAlias"


def _is_property(defs: list[ast.FunctionDef] | None) -> bool:
    return bool(defs) and any(
        isinstance(d, ast.Name) and d.id == "property" for d in defs[0].decorator_list
    )


@pytest.fixture(scope="module")
def stub() -> StubModule:
    assert STUB.is_file(), f"{STUB} is missing (is it packaged with the wheel?)"
    assert STUB.with_name("py.typed").is_file()
    return StubModule(STUB)


# --------------------------------------------------------------------------
# (a) names: stub <-> runtime
# --------------------------------------------------------------------------
def test_stub_names_exist_at_runtime(stub: StubModule) -> None:
    core = _core()
    missing = sorted(n for n in stub.names() if not hasattr(core, n))
    assert not missing, f"declared in _core.pyi but not exported by _core: {missing}"
    for name in stub.functions:
        assert callable(getattr(core, name)), name
    for name in stub.variables:
        kind = core.Generator if name == "default_generator" else core.dtype
        assert isinstance(getattr(core, name), kind), name
    for name in stub.classes:
        assert isinstance(getattr(core, name), type), name


def test_runtime_names_are_in_stub(stub: StubModule) -> None:
    core = _core()
    runtime = {n for n in vars(core) if n not in MODULE_DUNDERS}
    missing = sorted(runtime - stub.names())
    assert not missing, f"exported by _core but missing from _core.pyi: {missing}"


@pytest.mark.parametrize("cls_name", ["Tensor", "dtype", "Node"])
def test_class_members_agree(stub: StubModule, cls_name: str) -> None:
    cls = getattr(_core(), cls_name)
    declared = {n: d for n, d in stub.classes[cls_name].items() if n not in PYBIND11_CLASS_ATTRS}
    # vars(): defined on the class itself (Tensor.device, __repr__ and __str__ are installed
    # by pyautograd/__init__.py, which importing pyautograd._core runs first).
    runtime = {
        n for n in vars(cls) if n not in PYBIND11_CLASS_ATTRS and not n.startswith("__pybind11_")
    }
    problems = [f"{n}: in the stub, not at runtime" for n in sorted(set(declared) - runtime)]
    problems += [f"{n}: at runtime, not in the stub" for n in sorted(runtime - set(declared))]
    for name in sorted(set(declared) & runtime):
        attr = vars(cls)[name]  # .data and .grad are C-level getset descriptors
        is_prop = isinstance(attr, (property, types.GetSetDescriptorType))
        if is_prop != _is_property(declared[name]):
            problems.append(f"{name}: a property in only one of stub and runtime")
    assert not problems, f"{cls_name}:\n" + "\n".join(problems)


# --------------------------------------------------------------------------
# keyword arguments: pybind11 names unnamed parameters arg0, arg1, ... and rejects them as
# keywords, so the stub must make those positional-only (/); named ones must keep their name.
# --------------------------------------------------------------------------
def _split_top(s: str) -> list[str]:
    parts, depth, cur = [], 0, ""
    for ch in s:
        depth += ch in "([{"
        depth -= ch in ")]}"
        if ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    return [p for p in [*parts, cur.strip()] if p]


def _runtime_keywords(fn: Any) -> tuple[set[str], bool]:
    """(parameter names accepted as keywords, whether **kwargs is accepted) from pybind11's
    signature line."""
    doc = (fn.__doc__ or "").lstrip()
    if "\nOverloaded function.\n" in doc:  # one numbered signature line per overload
        sigs = re.findall(r"^\d+\. \w+\((.*)\) ->", doc, flags=re.M)
    else:
        m = re.match(r"\w+\((.*)\) ->", doc)
        sigs = [m.group(1)] if m else []
    assert sigs, f"no pybind11 signature in {fn!r}.__doc__"
    names, var_kw = set(), False
    for p in (p for sig in sigs for p in _split_top(sig)):
        name = p.split(":")[0].split("=")[0].strip()
        if name.startswith("**"):
            var_kw = True
        elif not (name.startswith("*") or name == "self" or re.fullmatch(r"arg\d+", name)):
            names.add(name)
    return names, var_kw


def _stub_keywords(defs: list[ast.FunctionDef], method: bool) -> set[str]:
    names = set()
    for d in defs:
        params = d.args.args[1:] if method else d.args.args
        names |= {a.arg for a in params} | {a.arg for a in d.args.kwonlyargs}
    return names


def _callables(stub: StubModule) -> list[tuple[str, Any, list[ast.FunctionDef], bool]]:
    core = _core()
    out = [(n, getattr(core, n), defs, False) for n, defs in stub.functions.items()]
    for cls_name, members in stub.classes.items():
        cls = getattr(core, cls_name)
        for n, defs in members.items():
            attr = vars(cls).get(n)
            if defs and not _is_property(defs) and type(attr).__name__ == "instancemethod":
                out.append((f"{cls_name}.{n}", attr.__func__, defs, True))
    return out


def test_keyword_parameters_agree(stub: StubModule) -> None:
    problems = []
    for name, fn, defs, method in _callables(stub):
        if not (fn.__doc__ or "").lstrip().startswith(f"{fn.__name__}("):
            continue  # not a pybind11 function (e.g. __repr__ installed from Python)
        runtime, var_kw = _runtime_keywords(fn)
        declared = _stub_keywords(defs, method)
        if not var_kw and declared - runtime:
            problems.append(f"{name}: stub accepts keywords {sorted(declared - runtime)}")
        if runtime - declared:
            problems.append(f"{name}: runtime also accepts keywords {sorted(runtime - declared)}")
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------
# (b) mypy --strict on typed programs
# --------------------------------------------------------------------------
EXAMPLE = '''\
"""The seed's two-layer training loop (examples/two_layer_autograd.py), annotated."""

from __future__ import annotations

import numpy as np
from typing_extensions import assert_type

import pyautograd as torch
from pyautograd.autograd import Function, FunctionCtx, Variable, grad

M, input_size, hidden_size, output_size = 8, 20, 10, 3
x = Variable(torch.randn(input_size, M), requires_grad=False)
y = Variable(torch.randn(output_size, M), requires_grad=False)
Parameters = dict[str, torch.Tensor]


def init_parameters() -> Parameters:
    w1 = Variable(torch.randn(hidden_size, input_size), requires_grad=True)
    w2 = Variable(torch.randn(output_size, hidden_size), requires_grad=True)
    b1 = Variable(torch.randn(hidden_size, 1), requires_grad=True)
    b2 = Variable(torch.randn(output_size, 1), requires_grad=True)
    return {"w1": w1, "w2": w2, "b1": b1, "b2": b2}


def model(x: torch.Tensor, parameters: Parameters) -> torch.Tensor:
    z1 = parameters["w1"].mm(x) + parameters["b1"]
    a1 = z1.clamp(min=0)
    return parameters["w2"].mm(a1) + parameters["b2"]


def loss_fn(y: torch.Tensor, y_pred: torch.Tensor) -> torch.Tensor:
    m: int = y.size()[1]
    assert m == M
    return (y_pred - y).pow(2).sum()


learning_rate = 1e-6
parameters = init_parameters()
losses: list[float] = []
for t in range(5):
    y_pred = model(x, parameters)
    loss = loss_fn(y, y_pred)
    losses.append(loss.item())
    print(loss.data[0])
    loss.backward()
    for p in parameters.values():
        g = p.grad
        assert g is not None
        p.data -= learning_rate * g.data
        g.data.zero_()
assert losses[-1] < losses[0]


class Square(Function):
    @staticmethod
    def forward(ctx: FunctionCtx, *args: torch.Tensor) -> torch.Tensor:
        (a,) = args
        ctx.save_for_backward(a)
        return a * a

    @staticmethod
    def backward(ctx: FunctionCtx, *grads: torch.Tensor) -> torch.Tensor:
        (a,) = ctx.saved_tensors
        assert a is not None
        return 2 * a * grads[0]


# The stub's promises, checked statically (assert_type) and when run (isinstance).
a = torch.tensor([[1.0, -2.0], [3.0, 4.0]], requires_grad=True)
d = a.detach()
assert isinstance(assert_type(a.shape, torch.Size), torch.Size)
assert isinstance(assert_type(a.size(0), int), int)
assert isinstance(assert_type(a.stride(), tuple[int, ...]), tuple)
assert isinstance(assert_type(a.dtype, torch.dtype), torch.dtype)
assert isinstance(assert_type(a.device, torch.device), torch.device)
assert isinstance(assert_type(a.max(), torch.Tensor), torch.Tensor)
assert isinstance(assert_type(a.max(1), torch.MinMax), torch.MinMax)
assert isinstance(assert_type(a.min(1, keepdim=True).indices, torch.Tensor), torch.Tensor)
assert isinstance(assert_type(a.max(d), torch.Tensor), torch.Tensor)
assert isinstance(assert_type(a == 1.0, torch.Tensor), torch.Tensor)
assert isinstance(assert_type(2.0 - a, torch.Tensor), torch.Tensor)
assert isinstance(assert_type(a @ a, torch.Tensor), torch.Tensor)
assert isinstance(assert_type(a[0, 1:], torch.Tensor), torch.Tensor)
assert isinstance(assert_type(a[d > 0], torch.Tensor), torch.Tensor)
assert isinstance(assert_type(a.view(4), torch.Tensor), torch.Tensor)
assert isinstance(assert_type(a.reshape((1, 4)), torch.Tensor), torch.Tensor)
assert isinstance(assert_type(a.sum(dim=(0, 1), keepdim=True), torch.Tensor), torch.Tensor)
assert isinstance(assert_type(a.to("cpu", dtype=torch.float64), torch.Tensor), torch.Tensor)
assert assert_type(a.grad_fn, torch._core.Node | None) is None
assert isinstance(assert_type(d.numpy(), np.ndarray), np.ndarray)
assert isinstance(assert_type(a.sum().item(), bool | int | float), float)
assert isinstance(assert_type(torch.where(d > 0, a, 0.0), torch.Tensor), torch.Tensor)
assert isinstance(assert_type(torch.arange(0, 9, 2, dtype=torch.int64), torch.Tensor), torch.Tensor)
assert isinstance(assert_type(torch.zeros((2, 3), requires_grad=True), torch.Tensor), torch.Tensor)
assert isinstance(assert_type(torch.memory_stats(), dict[str, int]), dict)
assert isinstance(assert_type(torch.is_grad_enabled(), bool), bool)
(ga,) = grad(Square.apply(a).sum(), a)
assert isinstance(assert_type(ga, torch.Tensor | None), torch.Tensor)
with torch.no_grad():
    assert not torch.is_grad_enabled()
print("ok")
'''

# Each line with "# E: code" must be reported with that error code, and nothing else.
BAD = """\
import pyautograd as torch

t = torch.randn(2, 3)
t.grad.zero_()  # E: union-attr
t + "1"  # E: operator
t.unsqueeze(axis=0)  # E: call-arg
t.no_such_method()  # E: attr-defined
torch.full(3, 1.0)  # E: arg-type
torch.zeros(2, dtype="float32")  # E: call-overload
t.backward(inputs=[t])  # E: arg-type
n: int = t.item()  # E: assignment
s: str = t.shape  # E: assignment
"""


def _env() -> dict[str, str]:
    """The environment for subprocesses: they see the pyautograd this test imported."""
    env = dict(os.environ)
    root = Path(pyautograd.__file__).resolve().parent.parent
    if root.name not in ("site-packages", "dist-packages"):  # a source tree, not installed
        for var in ("MYPYPATH", "PYTHONPATH"):
            env[var] = os.pathsep.join(p for p in (str(root), env.get(var)) if p)
    return env


def _run_mypy(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    pytest.importorskip("mypy")
    prog = tmp_path / "prog.py"
    prog.write_text(source, encoding="utf-8")
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\n", encoding="utf-8")  # no project config: only --strict
    cmd = [sys.executable, "-m", "mypy", "--strict", "--config-file", str(config)]
    cmd += ["--cache-dir", str(tmp_path / ".mypy_cache"), "--no-error-summary", str(prog)]
    return subprocess.run(cmd, cwd=tmp_path, env=_env(), capture_output=True, text=True)


def test_typed_program_passes_mypy_strict_and_runs(tmp_path: Path) -> None:
    r = _run_mypy(tmp_path, EXAMPLE)
    assert r.returncode == 0, r.stdout + r.stderr
    run = subprocess.run(
        [sys.executable, "prog.py"], cwd=tmp_path, env=_env(), capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.rstrip().endswith("ok")


def test_mypy_strict_rejects_misuse(tmp_path: Path) -> None:
    r = _run_mypy(tmp_path, BAD)
    expected = {
        (i, m.group(1))
        for i, line in enumerate(BAD.splitlines(), 1)
        if (m := re.search(r"# E: ([\w-]+)", line))
    }
    got = {
        (int(m.group(1)), m.group(2))
        for m in re.finditer(r"^prog\.py:(\d+): error: .*\[([\w-]+)\]$", r.stdout, re.M)
    }
    assert got == expected, textwrap.indent(r.stdout + r.stderr, "  ")
