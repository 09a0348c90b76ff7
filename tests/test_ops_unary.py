"""The unary declared ops (cpp/kernels/unary_*ops.h) against PyTorch, beyond the op table's
float (3, 4) inputs: every dtype (int64 and bool inputs lift to float or are kept or refused as
PyTorch does), 0-d, empty and non-contiguous inputs, the in-place forms (and the dtypes they
refuse), float64 gradients at non-contiguous inputs, round(decimals=), and a hypothesis property
over random shapes and layouts. Every op of the unary family is walked from the op table, so a
new row is covered as soon as it is declared.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from grad_helpers import check_grads
from helpers import TORCH_STANDIN, make_tensor
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from op_rows import ROWS, Row

import pyautograd

pytestmark = pytest.mark.skipif(TORCH_STANDIN, reason="pyautograd's own op table")
torch = pytest.importorskip("torch")

TABLE: list[dict[str, Any]] = [] if TORCH_STANDIN else pyautograd._core._op_table()
UNARY = {r["name"]: r for r in TABLE if r["family"] == "unary"}
OPS_BY_NAME = {r["name"]: r for r in TABLE}
DTYPES = ["float32", "float64", "int64", "bool"]
LAYOUTS = ["contiguous", "transposed", "strided"]
# Known differences from PyTorch, (op, dtype) -> reason.
KNOWN: dict[tuple[str, str], str] = {}


def _known(name: str, dtype: str) -> None:
    reason = KNOWN.get((name, dtype))
    if reason:
        pytest.xfail(reason)


def _values(row: Row, shape: tuple[int, ...], dtype: str, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return rng.integers(0, 2, size=shape).astype(bool)
    if dtype == "int64" or row.kind == "int":
        lo, hi = (1, 4) if row.low > 0 else (-3, 4)
        return rng.integers(lo, hi, size=shape).astype(np.int64)
    a = rng.uniform(row.low, row.high, size=shape)
    for p in row.avoid:
        close = np.abs(a - p) < 0.1
        a[close] = p + np.where(a[close] >= p, 0.2, -0.2)
    return a.astype(dtype)


def _fn(mod: Any, name: str) -> Any:
    if mod is pyautograd:
        return getattr(pyautograd._core, name)
    return getattr(torch, name, None) or getattr(torch.nn.functional, name)


def _run(f: Any, *args: Any, **kw: Any) -> tuple[Any, BaseException | None]:
    try:
        return f(*args, **kw), None
    except (RuntimeError, TypeError, ValueError) as e:
        return None, e


def _compare(out: Any, ref: Any, what: str) -> None:
    assert str(out.dtype).split(".")[-1] == str(ref.dtype).split(".")[-1], what
    assert tuple(out.shape) == tuple(ref.shape), what
    got = np.asarray(out.detach().numpy())
    exp = ref.detach().numpy()
    if exp.dtype.kind == "f":
        tol = {"rtol": 2e-5, "atol": 1e-6} if exp.dtype == np.float32 else {"rtol": 1e-10}
        np.testing.assert_allclose(got, exp, equal_nan=True, err_msg=what, **tol)
    else:
        np.testing.assert_array_equal(got, exp, err_msg=what)


def _check_against_torch(name: str, arr: np.ndarray, layout: str) -> None:
    _known(name, str(arr.dtype))
    row = ROWS[name]
    x = make_tensor(arr, layout)
    out, err = _run(_fn(pyautograd, name), x, **row.kwargs)
    ref, terr = _run(_fn(torch, name), torch.from_numpy(arr.copy()), **row.kwargs)
    what = f"{name}({arr.dtype}, shape {arr.shape}, {layout})"
    if terr is not None:
        assert err is not None, f"{what}: torch raises ({terr}), pyautograd does not"
        return
    assert err is None, f"{what}: pyautograd raises {err!r}, torch does not"
    _compare(out, ref, what)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(UNARY))
def test_dtypes_and_layouts(name: str, dtype: str, layout: str) -> None:
    _check_against_torch(name, _values(ROWS[name], (3, 4), dtype, seed=1), layout)


@pytest.mark.parametrize("shape", [(), (0,), (2, 0, 3), (1,)], ids=str)
@pytest.mark.parametrize("name", sorted(UNARY))
def test_0d_and_empty(name: str, shape: tuple[int, ...]) -> None:
    for dtype in ("float32", "int64"):
        _check_against_torch(name, _values(ROWS[name], shape, dtype, seed=2), "contiguous")


INPLACE = sorted(n for n, r in UNARY.items() if r["inplace"])


def test_inplace_forms_where_pytorch_has_them() -> None:
    for name, r in UNARY.items():
        has = hasattr(torch.Tensor, name + "_") and r["method"]
        assert r["inplace"] == has or name == "logical_not", (
            f"Tensor.{name}_: declared {r['inplace']}, PyTorch has it: {has}"
        )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", INPLACE)
def test_inplace_against_torch(name: str, dtype: str) -> None:
    _known(name, dtype)
    row = ROWS[name]
    arr = _values(row, (3, 4), dtype, seed=3)
    x = pyautograd.tensor(arr)
    t = torch.from_numpy(arr.copy())
    r, err = _run(getattr(x, name + "_"), **row.kwargs)
    _, terr = _run(getattr(t, name + "_"), **row.kwargs)
    if terr is not None:
        assert err is not None, f"{name}_({dtype}): torch raises ({terr}), pyautograd does not"
        np.testing.assert_array_equal(x.numpy(), arr)  # left unchanged
        return
    assert err is None, f"{name}_({dtype}): {err!r}"
    assert r is x
    _compare(x, t, f"{name}_({dtype})")


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_gradient(name: str) -> None:
    row = ROWS[name]
    if UNARY[name]["differentiable"] != "yes" or row.kind != "float":
        return
    arr = _values(row, (3, 4), "float64", seed=4)

    def f(leaf: Any) -> Any:
        y = leaf * 1.0
        getattr(y, name + "_")(**row.kwargs)
        return y

    check_grads(f, pyautograd.tensor(arr, requires_grad=True))


@pytest.mark.parametrize(
    "name", sorted(n for n, r in UNARY.items() if r["differentiable"] == "yes")
)
def test_gradient_non_contiguous(name: str) -> None:
    row = ROWS[name]
    if row.kind != "float":
        return
    arr = _values(row, (4, 3), "float64", seed=5)
    x = pyautograd.tensor(arr.T.copy(), requires_grad=True)  # a transposed view below
    check_grads(lambda a: _fn(pyautograd, name)(a.t(), **row.kwargs), x)
    x = pyautograd.tensor(arr[0, 0], requires_grad=True)  # 0-d
    check_grads(lambda a: _fn(pyautograd, name)(a, **row.kwargs), x)


@pytest.mark.parametrize(
    "name", sorted(n for n, r in UNARY.items() if r["differentiable"] == "zero")
)
def test_zero_gradient_as_pytorch(name: str) -> None:
    arr = _values(ROWS[name], (5,), "float64", seed=6)
    x = pyautograd.tensor(arr, requires_grad=True)
    t = torch.tensor(arr, requires_grad=True)
    _fn(pyautograd, name)(x).sum().backward()
    _fn(torch, name)(t).sum().backward()
    assert t.grad is not None and x.grad is not None
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())


@pytest.mark.parametrize("decimals", [0, 1, 2, 3, -1, -2])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_round_decimals(decimals: int, dtype: str) -> None:
    arr = np.array([1.2345, -2.5, 0.5, 1.5, 2.5, 125.0, -1250.0, 0.125, 1e-3, 3.14159], dtype=dtype)
    out = pyautograd.round(pyautograd.tensor(arr), decimals=decimals)
    ref = torch.round(torch.from_numpy(arr), decimals=decimals)
    _compare(out, ref, f"round(decimals={decimals})")
    np.testing.assert_array_equal(pyautograd.tensor(arr).round(decimals=decimals).numpy(), ref)


def test_round_errors() -> None:
    with pytest.raises(RuntimeError, match=r"\[round\]"):
        pyautograd.round(pyautograd.tensor([1, 2]), decimals=1)
    with pytest.raises(TypeError, match="decimals"):
        pyautograd.round(pyautograd.tensor([1.5]), decimals=1.5)
    with pytest.raises(TypeError, match="decimals"):
        pyautograd.round(pyautograd.tensor([1.5]), decimals="1")
    np.testing.assert_array_equal(pyautograd.round(pyautograd.tensor([2, 3])).numpy(), [2, 3])


def test_errors_name_the_op() -> None:
    with pytest.raises(RuntimeError, match=r"\[frac\].*int64"):
        pyautograd.frac(pyautograd.tensor([1, 2]))
    with pytest.raises(RuntimeError, match=r"\[floor\].*bool"):
        pyautograd.floor(pyautograd.tensor([True]))
    with pytest.raises(RuntimeError, match=r"\[sin_\].*float32.*int64"):
        pyautograd.tensor([1, 2]).sin_()
    with pytest.raises(TypeError):
        pyautograd.sin([1.0, 2.0])  # type: ignore[arg-type]


# --------------------------------------------------------------------------
# property: random shapes (0-d, empty, up to 3-d), layouts and dtypes, every unary op
# --------------------------------------------------------------------------
_settings = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@_settings
@given(
    name=st.sampled_from(sorted(UNARY) or ["neg"]),
    shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4),
    dtype=st.sampled_from(DTYPES),
    layout=st.sampled_from(LAYOUTS),
    seed=st.integers(0, 2**16),
)
def test_property_unary_against_torch(
    name: str, shape: tuple[int, ...], dtype: str, layout: str, seed: int
) -> None:
    assume((name, dtype) not in KNOWN)
    _check_against_torch(name, _values(ROWS[name], shape, dtype, seed), layout)


# --------------------------------------------------------------------------
# out= on the functions of declared ops (unary and binary), as PyTorch
# --------------------------------------------------------------------------
ELEMENTWISE = [r for r in TABLE if r["family"] in ("unary", "binary")]
FUNCTIONS = sorted(r["name"] for r in ELEMENTWISE if r["out"])


@pytest.mark.parametrize("name", sorted(r["name"] for r in ELEMENTWISE if r["function"]))
def test_out_argument_where_pytorch_has_one(name: str) -> None:
    arrays, kw = _args(name, "float64" if ROWS[name].kind != "int" else "int64")
    _, terr = _run(getattr(torch, name), *[torch.from_numpy(a) for a in arrays], **kw, out=None)
    has = not isinstance(terr, TypeError)
    assert OPS_BY_NAME[name]["out"] == has, f"{name}: out= declared {not has}, PyTorch: {has}"
    if not has:
        with pytest.raises(TypeError):
            getattr(pyautograd, name)(*[pyautograd.tensor(a) for a in arrays], **kw, out=None)


def _args(name: str, dtype: str) -> tuple[list[np.ndarray], dict[str, Any]]:
    row = ROWS[name]
    arrays = [_values(row, (3, 4) if i == 0 else (4,), dtype, seed=8 + i) for i in range(row.arity)]
    return arrays, row.kwargs


@pytest.mark.parametrize("out_shape", [(3, 4), (0,)], ids=["same", "resized"])
@pytest.mark.parametrize("name", FUNCTIONS)
def test_out_against_torch(name: str, out_shape: tuple[int, ...]) -> None:
    arrays, kw = _args(name, "float64" if ROWS[name].kind != "int" else "int64")
    ref = getattr(torch, name)(*[torch.from_numpy(a) for a in arrays], **kw)
    out = pyautograd.empty(out_shape, dtype=getattr(pyautograd, str(ref.dtype).split(".")[-1]))
    r = getattr(pyautograd, name)(*[pyautograd.tensor(a) for a in arrays], **kw, out=out)
    assert r is out
    _compare(out, ref, f"{name}(..., out=)")


@pytest.mark.parametrize("name", FUNCTIONS)
def test_out_errors_as_torch(name: str) -> None:
    arrays, kw = _args(name, "float64" if ROWS[name].kind != "int" else "int64")
    for out_dtype in ("int64", "bool"):
        tout = torch.empty(3, 4, dtype=getattr(torch, out_dtype))
        _, terr = _run(getattr(torch, name), *[torch.from_numpy(a) for a in arrays], **kw, out=tout)
        out = pyautograd.empty((3, 4), dtype=getattr(pyautograd, out_dtype))
        _, err = _run(
            getattr(pyautograd, name), *[pyautograd.tensor(a) for a in arrays], **kw, out=out
        )
        assert (err is None) == (terr is None), f"{name}(out={out_dtype}): {err!r} vs {terr!r}"
        if err is not None:
            assert f"[{name}]" in str(err)


def test_out_refuses_autograd() -> None:
    x = pyautograd.tensor([0.5, 1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"\[sin\].*automatic differentiation"):
        pyautograd.sin(x, out=pyautograd.empty(2))
    with pytest.raises(RuntimeError, match=r"\[add\].*automatic differentiation"):
        pyautograd.add(x, x, out=pyautograd.empty(2))
    with pyautograd.no_grad():
        y = pyautograd.empty(2)
        pyautograd.exp(x, out=y)
    np.testing.assert_allclose(y.numpy(), np.exp([0.5, 1.0]), rtol=1e-6)


def test_out_aliasing_input_and_version() -> None:
    x = pyautograd.tensor([0.25, 0.5])
    v = x._version if hasattr(x, "_version") else None
    pyautograd.sqrt(x, out=x)
    np.testing.assert_allclose(x.numpy(), np.sqrt([0.25, 0.5]), rtol=1e-6)
    if v is not None:
        assert x._version > v
