"""prod all any logsumexp var std norm cumsum cumprod, sum/mean(dtype=): values, dtypes and
gradients against PyTorch (when importable) over 0-d, empty, non-contiguous and multi-dim
inputs, float64 gradients against central finite differences, and a hypothesis property over
random shapes, dims and keepdim."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest
from grad_helpers import check_grads, make
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import pyautograd as pa

try:
    import torch
except ImportError:  # pragma: no cover - the comparisons are skipped
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="needs PyTorch")

# (name, call): call(lib, x) -> result; x is float64 unless the case says otherwise
CASES: list[tuple[str, Any]] = [
    ("prod", lambda L, x: x.prod()),
    ("prod-dim", lambda L, x: x.prod(1)),
    ("prod-dim-keep", lambda L, x: L.prod(x, -1, keepdim=True)),
    ("logsumexp", lambda L, x: x.logsumexp(1)),
    ("logsumexp-dims", lambda L, x: L.logsumexp(x, (0, 1), keepdim=True)),
    ("var", lambda L, x: x.var()),
    ("var-dim", lambda L, x: x.var(1)),
    ("var-unbiased-false", lambda L, x: x.var(0, False, True)),
    ("var-correction", lambda L, x: L.var(x, dim=(0, 1), correction=0)),
    ("std", lambda L, x: x.std()),
    ("std-dim", lambda L, x: x.std(1, keepdim=True)),
    ("std-bool", lambda L, x: x.std(False)),
    ("norm", lambda L, x: x.norm()),
    ("norm-1", lambda L, x: x.norm(1)),
    ("norm-3-dim", lambda L, x: x.norm(3, 1)),
    ("norm-0.5-dim", lambda L, x: x.norm(0.5, 0)),
    ("norm-inf", lambda L, x: x.norm(float("inf"))),
    ("norm--inf-dim", lambda L, x: x.norm(-float("inf"), 1, True)),
    ("norm-0", lambda L, x: x.norm(0)),
    ("norm-fro-dim", lambda L, x: L.norm(x, "fro", (0, 1))),
    ("cumsum", lambda L, x: x.cumsum(1)),
    ("cumsum-neg", lambda L, x: L.cumsum(x, -2)),
    ("cumprod", lambda L, x: x.cumprod(1)),
    ("cumprod-neg", lambda L, x: L.cumprod(x, -2)),
    ("sum-dtype", lambda L, x: x.sum(1, dtype=L.float32)),
    ("mean-dtype", lambda L, x: L.mean(x, (0, 1), keepdim=True, dtype=L.float32)),
]
NONDIFF: list[tuple[str, Any]] = [
    ("all", lambda L, x: x.all()),
    ("all-dim", lambda L, x: (x > 0).all(1)),
    ("any", lambda L, x: L.any(x > 0.5)),
    ("any-dims-keep", lambda L, x: x.any((0, 1), keepdim=True)),
    ("cumsum-int", lambda L, x: (x * 10).long().cumsum(0)),
    ("cumsum-bool", lambda L, x: (x > 0).cumsum(1)),
    ("cumsum-dtype", lambda L, x: (x > 0).cumsum(1, dtype=L.float64)),
    ("prod-int", lambda L, x: (x * 3).long().prod(0)),
    ("prod-bool", lambda L, x: (x > 0).prod()),
    ("logsumexp-int", lambda L, x: (x * 3).long().logsumexp(0)),
    ("cumprod-int", lambda L, x: (x * 2).long().cumprod(1)),
    ("cumprod-bool", lambda L, x: (x > 0).cumprod(0)),
    ("cumprod-dtype", lambda L, x: (x * 2).long().cumprod(1, dtype=L.float64)),
    ("all-uint8", lambda L, x: (x > 0).to(L.uint8).all(1)),
    ("any-uint8", lambda L, x: L.any((x > 0).to(L.uint8))),
    ("sum-int32-dtype", lambda L, x: (x * 3).to(L.int32).sum(0, dtype=L.int32)),
    ("sum-int-float", lambda L, x: (x * 3).long().sum(dtype=L.float64)),
    ("mean-int-float", lambda L, x: (x * 3).long().mean(1, dtype=L.float64)),
    ("sum-bool-dtype", lambda L, x: (x > 0).sum(1, dtype=L.int32)),
]


def _inputs(lib: Any, kind: str) -> Any:
    rng = np.random.default_rng(5)
    if kind == "3x4":
        a = rng.uniform(0.3, 2.0, (3, 4)) * rng.choice([-1, 1], (3, 4))
        return lib.tensor(a.tolist(), dtype=lib.float64)
    if kind == "transposed":  # non-contiguous
        a = rng.uniform(0.3, 2.0, (4, 3)) * rng.choice([-1, 1], (4, 3))
        return lib.tensor(a.tolist(), dtype=lib.float64).t()
    if kind == "2x1x3":
        a = rng.uniform(0.3, 2.0, (2, 1, 3))
        return lib.tensor(a.tolist(), dtype=lib.float64)
    raise AssertionError(kind)


def _np(t: Any) -> np.ndarray:
    return np.array(t.detach().tolist(), dtype=np.float64)


def _dname(t: Any) -> str:
    return str(t.dtype).split(".")[-1]


@needs_torch
@pytest.mark.parametrize("kind", ["3x4", "transposed", "2x1x3"])
@pytest.mark.parametrize(("name", "call"), CASES, ids=[c[0] for c in CASES])
def test_values_dtypes_and_gradients_match_torch(name: str, call: Any, kind: str) -> None:
    x = _inputs(pa, kind).requires_grad_()
    tx = _inputs(torch, kind).requires_grad_()
    y, ty = call(pa, x), call(torch, tx)
    assert tuple(y.shape) == tuple(ty.shape) and _dname(y) == _dname(ty), name
    tol = {"rtol": 1e-10, "atol": 1e-12} if _dname(ty) == "float64" else {"rtol": 1e-6}
    np.testing.assert_allclose(_np(y), _np(ty), **tol)
    w = np.random.default_rng(1).standard_normal(tuple(ty.shape))
    y.backward(pa.tensor(w.tolist(), dtype=y.dtype).reshape(tuple(y.shape)))
    ty.backward(torch.tensor(w, dtype=ty.dtype).reshape(ty.shape))
    if tx.grad is None:  # norm(p=0): PyTorch gives no gradient, pyautograd a zero one
        np.testing.assert_array_equal(_np(x.grad), 0.0)
        return
    np.testing.assert_allclose(_np(x.grad), _np(tx.grad), rtol=1e-9, atol=1e-12)


@needs_torch
@pytest.mark.parametrize("kind", ["3x4", "transposed"])
@pytest.mark.parametrize(("name", "call"), NONDIFF, ids=[c[0] for c in NONDIFF])
def test_non_differentiable_values_and_dtypes_match_torch(name: str, call: Any, kind: str) -> None:
    y, ty = call(pa, _inputs(pa, kind)), call(torch, _inputs(torch, kind))
    assert tuple(y.shape) == tuple(ty.shape) and _dname(y) == _dname(ty), name
    np.testing.assert_allclose(_np(y), _np(ty), rtol=1e-6)


GRAD_CASES = [c for c in CASES if c[0] not in ("norm-0", "sum-dtype", "mean-dtype")]


@pytest.mark.parametrize(("name", "call"), GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_gradients_against_finite_differences(name: str, call: Any) -> None:
    rng = np.random.default_rng(11)
    a = rng.uniform(0.3, 2.0, (3, 4)) * rng.choice([-1, 1], (3, 4))
    if name.startswith("norm-inf") or name.startswith("norm--inf"):
        a = a + np.arange(12).reshape(3, 4) * 0.05  # no ties within the step
    check_grads(lambda x: call(pa, x), make(a))


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda t: t.prod(), 24.0),
        (lambda t: t.norm(), math.sqrt(30.0)),
        (lambda t: t.norm(1), 10.0),
        (lambda t: t.norm(float("inf")), 4.0),
        (lambda t: t.norm(0), 4.0),
        (lambda t: t.var(), 5.0 / 3.0),
        (lambda t: t.var(unbiased=False), 1.25),
        (lambda t: t.std(correction=0), math.sqrt(1.25)),
        (lambda t: t.logsumexp(0), math.log(sum(math.exp(v) for v in [1, 2, 3, 4]))),
        (lambda t: t.cumsum(0)[-1], 10.0),
    ],
)
def test_values_by_hand(call: Any, expected: float) -> None:
    t = pa.tensor([1.0, 2.0, 3.0, 4.0], dtype=pa.float64)
    assert call(t).item() == pytest.approx(expected, rel=1e-12)


def test_logsumexp_is_stable_at_1e4_and_with_infinities() -> None:
    t = pa.tensor([1e4, 1e4, -1e4], dtype=pa.float64, requires_grad=True)
    y = t.logsumexp(0)
    assert y.item() == pytest.approx(1e4 + math.log(2.0), rel=1e-15)
    y.backward()
    np.testing.assert_allclose(t.grad.tolist(), [0.5, 0.5, 0.0], atol=1e-15)
    f32 = pa.tensor([1e4, 1e4]).logsumexp(0)
    assert math.isfinite(f32.item())
    ninf = pa.tensor([-math.inf, -math.inf]).logsumexp(0)
    assert ninf.item() == -math.inf
    pinf = pa.tensor([math.inf, 1.0]).logsumexp(0)
    assert pinf.item() == math.inf


def test_prod_gradient_with_zeros_as_pytorch_rule() -> None:
    # one zero: its gradient is the product of the others, every other gradient is 0
    x = pa.tensor([2.0, 0.0, 3.0], dtype=pa.float64, requires_grad=True)
    x.prod().backward()
    assert x.grad.tolist() == [0.0, 6.0, 0.0]
    # two zeros: every gradient is 0
    z = pa.tensor([0.0, 0.0, 3.0], dtype=pa.float64, requires_grad=True)
    z.prod().backward()
    assert z.grad.tolist() == [0.0, 0.0, 0.0]


@needs_torch
@pytest.mark.parametrize(
    "vals",
    [[2.0, 0.0, 3.0, 4.0], [0.0, 0.0, 3.0, 5.0], [1.5, -2.0, 0.0, 0.0], [0.0, 1.0, 2.0, 3.0]],
)
def test_cumprod_gradient_with_zeros_matches_torch(vals: list[float]) -> None:
    w = [0.5, -1.0, 2.0, 1.5]
    x = pa.tensor(vals, dtype=pa.float64, requires_grad=True)
    t = torch.tensor(vals, dtype=torch.float64, requires_grad=True)
    (x.cumprod(0) * pa.tensor(w, dtype=pa.float64)).sum().backward()
    (t.cumprod(0) * torch.tensor(w, dtype=torch.float64)).sum().backward()
    np.testing.assert_allclose(_np(x.grad), _np(t.grad), rtol=1e-12)
    check_grads(lambda a: a.cumprod(0), make(np.array(vals)))


@needs_torch
def test_logsumexp_float32_at_1e4_matches_torch() -> None:
    a = np.array([[1e4, 1e4 - 1.0, -1e4], [-3e4, 2.0, 1e4]], dtype=np.float32)
    x, t = pa.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y, ty = x.logsumexp(1), t.logsumexp(1)
    np.testing.assert_allclose(_np(y), _np(ty), rtol=1e-6)
    y.sum().backward()
    ty.sum().backward()
    # the gradient is softmax(x): ours to float32 precision; PyTorch's exp(x - logsumexp) loses
    # ~3 digits at 1e4 (its float32 result is rounded to 1e-3 there)
    a64 = a.astype(np.float64)
    soft = np.exp(a64 - a64.max(1, keepdims=True))
    soft /= soft.sum(1, keepdims=True)
    np.testing.assert_allclose(_np(x.grad), soft, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(_np(x.grad), _np(t.grad), rtol=1e-3, atol=1e-7)


@needs_torch
def test_mean_dtype_refuses_integers_as_torch() -> None:
    with pytest.raises(RuntimeError):
        torch.ones(3).mean(dtype=torch.int64)
    with pytest.raises(RuntimeError, match=r"\[mean\]"):
        pa.ones(3).mean(dtype=pa.int64)
    with pytest.raises(TypeError, match="dtype"):
        pa.ones(3).sum(dtype="float32")


def test_norm_gradient_at_zero_is_zero() -> None:
    x = pa.zeros(3, dtype=pa.float64, requires_grad=True)
    x.norm().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.prod(),
        lambda t: t.all(),
        lambda t: t.any(),
        lambda t: t.var(),
        lambda t: t.norm(),
        lambda t: t.logsumexp(0),
        lambda t: t.cumsum(0),
        lambda t: t.cumprod(0),
        lambda t: t.std(),
        lambda t: t.norm(1),
        lambda t: t.sum(dtype=t.dtype),
        lambda t: t.sum(),
    ],
)
@pytest.mark.parametrize("shape", [(), (0,), (2, 0)], ids=["0-d", "empty", "2x0"])
def test_0d_and_empty_inputs_agree_with_torch(call: Any, shape: tuple[int, ...]) -> None:
    if torch is None:
        pytest.skip("needs PyTorch")
    x = pa.full(shape, 1.5, dtype=pa.float64)
    tx = torch.full(shape, 1.5, dtype=torch.float64)
    y, ty = call(x), call(tx)
    assert tuple(y.shape) == tuple(ty.shape) and _dname(y) == _dname(ty)
    np.testing.assert_allclose(_np(y), _np(ty), equal_nan=True)


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: pa.tensor([1, 2]).var(), "var"),
        (lambda: pa.tensor([1, 2]).std(), "std"),
        (lambda: pa.tensor([1, 2]).norm(), "norm"),
        (lambda: pa.ones(2, 3).prod(2), "prod"),
        (lambda: pa.ones(2, 3).cumsum(2), "cumsum"),
        (lambda: pa.ones(2, 3).cumprod(-3), "cumprod"),
        (lambda: pa.ones(2, 3).norm("nuc"), "norm"),
        (lambda: pa.ones(2, 0).norm(float("inf")), "norm"),
    ],
)
def test_bad_arguments_name_the_op(call: Any, words: str) -> None:
    with pytest.raises((RuntimeError, IndexError), match=words):
        call()


# --------------------------------------------------------------------------
# a property: random shapes (0-d and empty sides included), dims, keepdim and layouts
# --------------------------------------------------------------------------
PROP_OPS = ["prod", "logsumexp", "var", "std", "norm", "cumsum", "cumprod", "all", "any", "sum"]


def _prop_call(lib: Any, name: str, x: Any, dim: int | None, keepdim: bool) -> Any:
    if name in ("cumsum", "cumprod"):
        return getattr(x, name)(0 if dim is None else dim)
    if name == "logsumexp":
        every = tuple(range(x.dim())) if x.dim() else 0
        return x.logsumexp(every if dim is None else dim, keepdim=keepdim)
    if name == "norm":
        return x.norm(3, dim, keepdim)
    if name == "sum":
        return x.sum(dim, keepdim=keepdim, dtype=lib.float64)
    if dim is None:
        return getattr(x, name)()
    return getattr(x, name)(dim, keepdim=keepdim)


@needs_torch
@settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(
    name=st.sampled_from(PROP_OPS),
    shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4),
    data=st.data(),
    keepdim=st.booleans(),
    transposed=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_property_reductions_against_torch(
    name: str, shape: tuple[int, ...], data: Any, keepdim: bool, transposed: bool, seed: int
) -> None:
    nd = len(shape)
    dim = data.draw(st.one_of(st.none(), st.integers(-nd, nd - 1)) if nd else st.none())
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.5, 1.5, size=shape) * rng.choice([-1.0, 1.0], size=shape)
    if name in ("all", "any"):
        a = np.where(rng.random(size=shape) < 0.3, 0.0, a)
    if transposed and nd >= 2:
        x = pa.tensor(np.ascontiguousarray(np.swapaxes(a, 0, 1))).transpose(0, 1)
    else:
        x = pa.tensor(a)
    t = torch.tensor(a)
    try:
        ref = _prop_call(torch, name, t, dim, keepdim)
    except (RuntimeError, IndexError) as e:
        with pytest.raises((RuntimeError, IndexError)):
            _prop_call(pa, name, x, dim, keepdim)
        assert str(e)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = _prop_call(pa, name, x, dim, keepdim)
    assert tuple(got.shape) == tuple(ref.shape), (name, shape, dim, keepdim)
    assert _dname(got) == _dname(ref)
    np.testing.assert_allclose(_np(got), _np(ref), rtol=1e-9, atol=1e-12, equal_nan=True)
