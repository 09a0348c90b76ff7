"""The declared ops (elementwise, reductions and scans), walked from the op table the core exposes
(pyautograd._core._op_table()).

For every op: a row in tests/op_rows.py; its Tensor method, module function (pyautograd.<name>,
wherever PyTorch has torch.<name>) and in-place method as declared, each with a docstring; its
entries in pyautograd/_core.pyi; its values and gradients against PyTorch (skipped without
torch); its gradient against central finite differences in float64, a zero gradient for the ops
declared so (sign), and no gradient for the non-differentiable ones.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from grad_helpers import check_grads
from helpers import TORCH_STANDIN
from op_rows import ROWS, Row

import pyautograd

pytestmark = pytest.mark.skipif(TORCH_STANDIN, reason="pyautograd's own op table")

TABLE: list[dict[str, Any]] = [] if TORCH_STANDIN else pyautograd._core._op_table()
OPS = {r["name"]: r for r in TABLE}
STUB = Path(pyautograd.__file__).with_name("_core.pyi")


def _stub() -> tuple[set[str], set[str], list[str]]:
    """(Tensor methods, module functions, __all__) declared in _core.pyi."""
    tree = ast.parse(STUB.read_text(encoding="utf-8"))
    methods: set[str] = set()
    functions: set[str] = set()
    exported: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == "Tensor":
            methods = {n.name for n in node.body if isinstance(n, ast.FunctionDef)}
        elif isinstance(node, ast.FunctionDef):
            functions.add(node.name)
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            exported = list(ast.literal_eval(node.value))
    return methods, functions, exported


def test_every_op_has_one_row_and_every_row_an_op() -> None:
    assert TABLE, "the op table is empty"
    assert len(OPS) == len(TABLE), "two ops share a name"
    missing = sorted(set(OPS) - set(ROWS))
    unknown = sorted(set(ROWS) - set(OPS))
    assert not missing, f"ops without a row in tests/op_rows.py: {missing}"
    assert not unknown, f"rows in tests/op_rows.py for ops that are not declared: {unknown}"


def test_module_exports_are_the_declared_functions() -> None:
    core = pyautograd._core
    declared = {r["name"] for r in TABLE if r["function"]}
    assert declared <= set(core.__all__)
    _, _, exported = _stub()
    assert sorted(exported) == sorted(core.__all__), "_core.pyi's __all__ differs from _core's"


@pytest.mark.parametrize("name", sorted(OPS))
def test_bindings_stub_and_alias(name: str) -> None:
    op = OPS[name]
    row = ROWS.get(name)
    assert row is not None, f"no row for {name} in tests/op_rows.py"
    assert op["doc"].strip(), f"{name} has no docstring in its declaration"
    assert op["differentiable"] in ("yes", "zero", "no")
    assert len(op["params"]) >= len(row.kwargs)
    methods, functions, exported = _stub()
    if op["method"]:
        assert callable(getattr(pyautograd.Tensor, name, None)), f"Tensor.{name} is not bound"
        assert name in methods, f"Tensor.{name} is missing from _core.pyi"
        assert op["doc"] in (getattr(pyautograd.Tensor, name).__doc__ or "")
    if op["function"]:
        fn = getattr(pyautograd, name, None)
        assert callable(fn), f"pyautograd.{name} is missing"
        assert name in functions, f"def {name}(input, ...) is missing from _core.pyi"
        assert name in exported, f"{name} is missing from __all__ in _core.pyi"
        assert op["doc"] in (fn.__doc__ or "")
    if op["functional"]:  # torch.nn.functional.<name> only: _core.<name>, not pyautograd.<name>
        assert callable(getattr(pyautograd._core, name, None)), f"_core.{name} is missing"
        assert name in functions, f"def {name}(input, ...) is missing from _core.pyi"
        assert name not in exported, f"{name} is not a torch function: not in __all__"
    if op["inplace"]:
        assert callable(getattr(pyautograd.Tensor, name + "_", None)), f"Tensor.{name}_ missing"
        assert name + "_" in methods, f"Tensor.{name}_ is missing from _core.pyi"


@pytest.mark.parametrize("name", sorted(OPS))
def test_alias_where_pytorch_has_one(name: str) -> None:
    torch = pytest.importorskip("torch")
    if hasattr(torch, name):
        assert OPS[name]["function"], f"torch.{name} exists: declare {name} with kPyFunction"
    if OPS[name]["functional"]:
        assert hasattr(torch.nn.functional, name), f"torch.nn.functional.{name} does not exist"
        fn = getattr(pyautograd.nn.functional, name, None)
        assert callable(fn), f"pyautograd.nn.functional.{name} is missing"
    if OPS[name]["method"]:
        assert hasattr(torch.Tensor, name), f"Tensor.{name} is not a PyTorch method"


# --------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------
SHAPES = [(3, 4), (4,)]  # the second operand of a binary op broadcasts


def _array(row: Row, shape: tuple[int, ...], seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if row.kind == "int":
        return rng.integers(-5, 6, size=shape).astype(np.int64)
    if row.kind == "small":
        return rng.integers(-2, 3, size=shape).astype(np.float64)
    a = rng.uniform(row.low, row.high, size=shape)
    for p in row.avoid:
        close = np.abs(a - p) < 0.1
        a[close] = p + np.where(a[close] >= p, 0.2, -0.2)
    return a


def _inputs(row: Row, seed: int = 0) -> list[np.ndarray]:
    return [_array(row, SHAPES[i], seed + i) for i in range(row.arity)]


def _pa(a: np.ndarray, requires_grad: bool = False) -> Any:
    return pyautograd.tensor(a, requires_grad=requires_grad and a.dtype == np.float64)


def _values(r: Any) -> Any:
    """The values of a (values, indices) result (max/min along a dim), else the result."""
    return r[0] if isinstance(r, tuple) else r


def _call(mod: Any, name: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """mod.<name>(*args, **kwargs); for an nn.functional-only op, the functional version."""
    if mod is pyautograd and OPS[name]["functional"]:
        mod = pyautograd._core
    elif mod is not pyautograd and not hasattr(mod, name):
        mod = mod.nn.functional
    return _values(getattr(mod, name)(*args, **kwargs))


def _np(t: Any) -> np.ndarray:
    return np.asarray(t.detach().numpy())


# --------------------------------------------------------------------------
# gradients: finite differences (float64)
# --------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(OPS))
def test_gradient(name: str) -> None:
    op, row = OPS[name], ROWS[name]
    arrays = _inputs(row)
    if op["differentiable"] == "no" or row.kind == "int":
        xs = [_pa(a.astype(np.float64), True) for a in arrays] if row.kind != "int" else []
        if xs:
            out = _call(pyautograd, name, xs, row.kwargs)
            if name in NO_DERIVATIVE_BUT_TRACKED:  # as PyTorch: tracked, backward raises
                assert out.requires_grad
                with pytest.raises(RuntimeError, match="not implemented"):
                    out.sum().backward()
            else:
                assert not out.requires_grad, f"{name} is declared non-differentiable"
        return
    xs = [_pa(a, True) for a in arrays]
    if op["differentiable"] == "zero":
        out = _call(pyautograd, name, xs, row.kwargs)
        assert out.requires_grad and out.grad_fn is not None
        out.sum().backward()
        for x in xs:
            np.testing.assert_array_equal(_np(x.grad), 0.0)
        return
    check_grads(lambda *t: _call(pyautograd, name, list(t), row.kwargs), *xs)
    if row.arity == 2 and row.scalar is not None:  # a number on either side
        check_grads(lambda t: _call(pyautograd, name, [t, row.scalar], {}), xs[0])
        reflected = REFLECTED.get(name)
        if reflected:
            check_grads(lambda t: getattr(t, reflected)(row.scalar), xs[0])


# Non-differentiable ops whose result PyTorch still tracks: requires_grad, and a backward
# through it raises "derivative for aten::floor_divide is not implemented".
NO_DERIVATIVE_BUT_TRACKED = {"floor_divide"}

REFLECTED = {
    "add": "__radd__",
    "sub": "__rsub__",
    "mul": "__rmul__",
    "div": "__rtruediv__",
    "pow": "__rpow__",
}


# --------------------------------------------------------------------------
# against PyTorch: values, dtypes and gradients
# --------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(OPS))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_against_torch(name: str, dtype: str) -> None:
    torch = pytest.importorskip("torch")
    op, row = OPS[name], ROWS[name]
    arrays = _inputs(row, seed=7)
    if row.kind != "int":
        arrays = [a.astype(dtype) for a in arrays]
    grad = op["differentiable"] != "no" and row.kind != "int"
    xs = [pyautograd.tensor(a, requires_grad=grad) for a in arrays]
    ts = [torch.tensor(a, requires_grad=grad) for a in arrays]
    calls: list[tuple[list[Any], list[Any]]] = [(xs, ts)]
    if row.arity == 2 and row.scalar is not None:
        calls.append(([xs[0], row.scalar], [ts[0], row.scalar]))
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == "float32" else {"rtol": 1e-10, "atol": 1e-12}
    for pa_args, torch_args in calls:
        out = _call(pyautograd, name, pa_args, row.kwargs)
        try:
            ref = _call(torch, name, torch_args, row.kwargs)
        except TypeError:  # torch.maximum(t, 2.0) wants a tensor: a 0-d one promotes alike
            ref = _call(torch, name, [torch_args[0], torch.tensor(torch_args[1])], row.kwargs)
        assert str(out.dtype).split(".")[-1] == str(ref.dtype).split(".")[-1]
        np.testing.assert_allclose(_np(out), ref.detach().numpy(), **tol)
        if op["method"]:
            method = _values(getattr(pa_args[0], name)(*pa_args[1:], **row.kwargs))
            np.testing.assert_allclose(_np(method), ref.detach().numpy(), **tol)
        if grad:
            w = np.random.default_rng(3).standard_normal(tuple(ref.shape)).astype(dtype)
            for x in xs:
                x.grad = None
            for t in ts:
                t.grad = None
            out.backward(pyautograd.tensor(w))
            ref.backward(torch.tensor(w))
            for x, t in zip(xs, ts, strict=True):
                if x.grad is None or t.grad is None:
                    assert x.grad is None and t.grad is None
                    continue
                np.testing.assert_allclose(_np(x.grad), t.grad.numpy(), **tol)


@pytest.mark.parametrize("name", sorted(n for n in OPS if OPS[n]["inplace"]))
def test_inplace_matches_out_of_place(name: str) -> None:
    row = ROWS[name]
    arrays = _inputs(row, seed=11)
    a = _pa(arrays[0])
    expected = _np(_call(pyautograd, name, [_pa(x) for x in arrays], row.kwargs))
    r = getattr(a, name + "_")(*[_pa(x) for x in arrays[1:]], **row.kwargs)
    assert r is a
    np.testing.assert_array_equal(_np(a), expected)
