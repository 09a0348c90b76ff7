"""F.normalize, F.cosine_similarity / nn.CosineSimilarity and floor_divide (//) against PyTorch:
values, dtypes, shapes (broadcast, 0-d, empty, non-contiguous), float64 gradients against finite
differences and PyTorch, errors for bad arguments."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import pyautograd as pa
import pyautograd.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional

from grad_helpers import check_grads, make  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402


def _np(t: Any) -> np.ndarray:
    return np.asarray(t.detach().numpy())


def _same(got: Any, want: Any, rtol: float = 1e-10, atol: float = 1e-12) -> None:
    assert str(got.dtype).rsplit(".", 1)[-1] == str(want.dtype).rsplit(".", 1)[-1]
    assert tuple(got.shape) == tuple(want.shape)
    np.testing.assert_allclose(_np(got), want.detach().numpy(), rtol=rtol, atol=atol)


def _rand(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


# --------------------------------------------------------------------------
# normalize
# --------------------------------------------------------------------------
NORMALIZE = [
    ((3, 4), {}),
    ((3, 4), {"dim": 0}),
    ((2, 3, 4), {"p": 1.0, "dim": -1}),
    ((2, 3, 4), {"p": 3, "dim": 1, "eps": 1e-6}),
    ((5,), {"dim": 0}),
    ((0, 3), {}),
]


@pytest.mark.parametrize(("shape", "kw"), NORMALIZE, ids=[str(c) for c in NORMALIZE])
def test_normalize_matches_torch(shape: tuple[int, ...], kw: dict[str, Any]) -> None:
    a = _rand(shape)
    w = _rand(shape, 1)
    x, t = pa.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y, ty = F.normalize(x, **kw), TF.normalize(t, **kw)
    _same(y, ty)
    (y * pa.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    _same(x.grad, t.grad, rtol=1e-9)
    if a.size:
        check_grads(lambda v: F.normalize(v, **kw), make(a))


def test_normalize_zero_rows_float32_and_transposed() -> None:
    a = np.zeros((2, 3), dtype=np.float32)
    _same(F.normalize(pa.tensor(a)), TF.normalize(torch.tensor(a)))
    b = _rand((4, 3)).astype(np.float32)
    _same(F.normalize(pa.tensor(b).t()), TF.normalize(torch.tensor(b).t()), rtol=1e-6, atol=1e-7)


def test_normalize_out_and_errors() -> None:
    a = _rand((2, 3))
    out = pa.empty((2, 3), dtype=pa.float64)
    r = F.normalize(pa.tensor(a), out=out)
    assert r is out
    _same(out, TF.normalize(torch.tensor(a)))
    with pytest.raises(TypeError, match="input"):
        F.normalize(a)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="dim"):
        F.normalize(pa.tensor(a), dim=1.5)  # type: ignore[arg-type]
    with pytest.raises(IndexError):
        F.normalize(pa.tensor(a), dim=3)


# --------------------------------------------------------------------------
# cosine_similarity
# --------------------------------------------------------------------------
COSINE = [
    ((3, 4), (3, 4), {}),
    ((3, 4), (3, 4), {"dim": 0}),
    ((2, 1, 4), (5, 4), {"dim": -1}),
    ((4,), (4,), {"dim": 0}),
    ((2, 3, 4), (1, 3, 4), {"dim": 1, "eps": 1e-3}),
    ((0, 4), (0, 4), {}),
]


@pytest.mark.parametrize(("s1", "s2", "kw"), COSINE, ids=[str(c) for c in COSINE])
def test_cosine_similarity_matches_torch(
    s1: tuple[int, ...], s2: tuple[int, ...], kw: dict[str, Any]
) -> None:
    a, b = _rand(s1), _rand(s2, 1)
    xa, xb = pa.tensor(a, requires_grad=True), pa.tensor(b, requires_grad=True)
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    y, ty = F.cosine_similarity(xa, xb, **kw), TF.cosine_similarity(ta, tb, **kw)
    _same(y, ty)
    if ty.numel():
        w = _rand(tuple(ty.shape), 2)
        (y * pa.tensor(w)).sum().backward()
        (ty * torch.tensor(w)).sum().backward()
        _same(xa.grad, ta.grad, rtol=1e-9)
        _same(xb.grad, tb.grad, rtol=1e-9)
        check_grads(lambda u, v: F.cosine_similarity(u, v, **kw), make(a), make(b))
    m = pa.nn.CosineSimilarity(**kw)
    _same(m(pa.tensor(a), pa.tensor(b)), torch.nn.CosineSimilarity(**kw)(ta, tb))


def test_cosine_similarity_dtypes_and_tiny_norms() -> None:
    a = _rand((3, 4))
    b = _rand((3, 4), 1).astype(np.float32)
    _same(
        F.cosine_similarity(pa.tensor(a), pa.tensor(b)),
        TF.cosine_similarity(torch.tensor(a), torch.tensor(b)),
        rtol=1e-6,
    )
    ints = np.array([[1, 2, 3], [0, 0, 0]])
    _same(
        F.cosine_similarity(pa.tensor(ints), pa.tensor(a[:2, :3])),
        TF.cosine_similarity(torch.tensor(ints), torch.tensor(a[:2, :3])),
    )
    with pytest.raises(RuntimeError, match="floating point"):
        TF.cosine_similarity(torch.tensor(ints), torch.tensor(ints))
    with pytest.raises(RuntimeError, match=r"\[cosine_similarity\].*floating point"):
        F.cosine_similarity(pa.tensor(ints), pa.tensor(ints))
    tiny = a.copy()
    tiny[0] *= 1e-12  # below eps: the norm is clamped; PyTorch's gradient passes through it
    other = _rand((3, 4), 3)
    other[1] *= 1e-11
    w = _rand((3,), 4)
    xa, xb = pa.tensor(tiny, requires_grad=True), pa.tensor(other, requires_grad=True)
    ta, tb = torch.tensor(tiny, requires_grad=True), torch.tensor(other, requires_grad=True)
    y, ty = F.cosine_similarity(xa, xb), TF.cosine_similarity(ta, tb)
    _same(y, ty)
    (y * pa.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    _same(xa.grad, ta.grad, rtol=1e-9, atol=1e-6)
    _same(xb.grad, tb.grad, rtol=1e-9, atol=1e-6)


def test_cosine_similarity_errors() -> None:
    with pytest.raises(TypeError, match="x2"):
        F.cosine_similarity(pa.ones(3), [1.0, 2.0, 3.0])  # type: ignore[arg-type]
    with pytest.raises(RuntimeError):
        F.cosine_similarity(pa.ones(3, 4), pa.ones(3, 5))
    with pytest.raises(TypeError, match="eps"):
        F.cosine_similarity(pa.ones(3), pa.ones(3), 0, "x")  # type: ignore[arg-type]


# --------------------------------------------------------------------------
# floor_divide
# --------------------------------------------------------------------------
INT_PAIRS = [(7, 2), (-7, 2), (7, -2), (-7, -2), (0, 3), (6, 3), (-6, 3), (1, -5)]


@pytest.mark.parametrize("dt", ["int64", "int32", "int16", "int8", "uint8", "float32", "float64"])
def test_floor_divide_matches_torch(dt: str) -> None:
    pairs = [p for p in INT_PAIRS if dt != "uint8" or (p[0] >= 0 and p[1] > 0)]
    a = np.array([p[0] for p in pairs], dtype=dt)
    b = np.array([p[1] for p in pairs], dtype=dt)
    x, y = pa.tensor(a), pa.tensor(b)
    t, u = torch.tensor(a), torch.tensor(b)
    _same(pa.floor_divide(x, y), torch.floor_divide(t, u))
    _same(x // y, t // u)
    _same(x // 3, t // 3)
    _same(x.floor_divide(2.5), t.floor_divide(2.5))
    _same(17 // y, 17 // u)
    _same(x[::2] // y[1::2], t[::2] // u[1::2])
    _same(x[:, None] // y[None, :], t[:, None] // u[None, :])
    c, v = x.clone(), t.clone()
    c //= 2
    v //= 2
    _same(c, v)
    c.floor_divide_(y)
    v.floor_divide_(u)
    _same(c, v)


def test_floor_divide_special_values_and_zero() -> None:
    vals = [5.0, -5.0, 0.0, -0.0, float("inf"), float("nan"), 7.5, -7.5]
    div = [0.0, 0.0, 2.0, -2.0, 3.0, 1.0, float("inf"), -float("inf")]
    for dt in ("float32", "float64"):
        a, b = np.array(vals, dtype=dt), np.array(div, dtype=dt)
        got = pa.floor_divide(pa.tensor(a), pa.tensor(b))
        ref = torch.floor_divide(torch.tensor(a), torch.tensor(b))
        np.testing.assert_array_equal(_np(got), ref.numpy())
        np.testing.assert_array_equal(np.signbit(_np(got)), np.signbit(ref.numpy()))
    with pytest.raises(RuntimeError):
        torch.floor_divide(torch.tensor([3]), torch.tensor([0]))
    with pytest.raises(RuntimeError, match=r"\[floor_divide\].*ZeroDivisionError"):
        pa.floor_divide(pa.tensor([3]), pa.tensor([0]))
    with pytest.raises(RuntimeError, match=r"\[floor_divide\].*ZeroDivisionError"):
        pa.tensor([3]) // 0


def test_floor_divide_is_not_differentiable() -> None:
    # as PyTorch's: the result requires grad, and a backward through it raises
    x = pa.tensor([1.5, 2.5], requires_grad=True)
    assert (x // 2).requires_grad
    with pytest.raises(RuntimeError, match="not implemented"):
        (x // 2).sum().backward()
    t = torch.tensor([1.5, 2.5], requires_grad=True)
    assert (t // 2).requires_grad
    with pytest.raises(RuntimeError, match="not implemented"):
        (t // 2).sum().backward()  # PyTorch has no derivative either


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(
    shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=1, max_dims=3, max_side=3),
    dt=st.sampled_from(["int64", "int32", "float32", "float64"]),
    seed=st.integers(0, 2**16),
)
def test_property_floor_divide_against_torch(shapes: Any, dt: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    if dt.startswith("int"):
        a = rng.integers(-20, 21, size=shapes.input_shapes[0]).astype(dt)
        b = rng.integers(1, 6, size=shapes.input_shapes[1]) * rng.choice([-1, 1])
        b = b.astype(dt)
    else:
        a = rng.uniform(-20, 20, size=shapes.input_shapes[0]).astype(dt)
        b = rng.uniform(-4, 4, size=shapes.input_shapes[1]).astype(dt)
    got = pa.floor_divide(pa.tensor(a), pa.tensor(b))
    ref = torch.floor_divide(torch.tensor(a), torch.tensor(b))
    _same(got, ref, rtol=0, atol=0)


# --------------------------------------------------------------------------
# pairwise_distance / nn.PairwiseDistance, var_mean / std_mean
# --------------------------------------------------------------------------
PAIRWISE = [
    ((3, 4), (3, 4), {}),
    ((3, 4), (4,), {"p": 1.0, "keepdim": True}),
    ((4,), (4,), {"p": 3.0, "eps": 1e-3}),
    ((2, 3, 4), (3, 4), {"p": float("inf")}),
]


@pytest.mark.parametrize(("s1", "s2", "kw"), PAIRWISE, ids=[str(c) for c in PAIRWISE])
def test_pairwise_distance_matches_torch(
    s1: tuple[int, ...], s2: tuple[int, ...], kw: dict[str, Any]
) -> None:
    a, b = _rand(s1), _rand(s2, 1)
    xa, xb = pa.tensor(a, requires_grad=True), pa.tensor(b, requires_grad=True)
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    y, ty = F.pairwise_distance(xa, xb, **kw), TF.pairwise_distance(ta, tb, **kw)
    _same(y, ty)
    w = _rand(tuple(ty.shape), 2)
    (y * pa.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    _same(xa.grad, ta.grad, rtol=1e-9)
    _same(xb.grad, tb.grad, rtol=1e-9)
    _same(pa.nn.PairwiseDistance(**kw)(xa, xb), torch.nn.PairwiseDistance(**kw)(ta, tb))
    if kw.get("p") != float("inf"):
        check_grads(lambda u, v: F.pairwise_distance(u, v, **kw), make(a), make(b))


STATS = [
    ((), {}),
    ((1,), {}),
    ((0, False, True), {}),
    ((False,), {}),
    (((0, 1),), {"correction": 0}),
    ((1,), {"keepdim": True, "correction": 2}),
]


@pytest.mark.parametrize("name", ["var_mean", "std_mean"])
@pytest.mark.parametrize(("args", "kw"), STATS, ids=[str(c) for c in STATS])
def test_var_mean_std_mean_match_torch(
    name: str, args: tuple[Any, ...], kw: dict[str, Any]
) -> None:
    a = _rand((3, 4))
    x, t = pa.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    got, ref = getattr(pa, name)(x, *args, **kw), getattr(torch, name)(t, *args, **kw)
    assert isinstance(got, tuple) and len(got) == 2
    for g, r in zip(got, ref, strict=True):
        _same(g, r)
    (got[0].sum() + 2 * got[1].sum()).backward()
    (ref[0].sum() + 2 * ref[1].sum()).backward()
    _same(x.grad, t.grad, rtol=1e-9)
    with pytest.raises(TypeError, match="input"):
        getattr(pa, name)(a)


CDIST = [
    ((3, 4), (5, 4), 2.0),
    ((2, 3, 4), (5, 4), 1.0),
    ((2, 3, 4), (2, 5, 4), 3.0),
    ((1, 3, 2), (4, 2, 2), 2.0),
    ((3, 4), (5, 4), 0.5),
    ((0, 4), (5, 4), 2.0),
]


@pytest.mark.parametrize(("s1", "s2", "p"), CDIST, ids=[str(c) for c in CDIST])
def test_cdist_matches_torch(s1: tuple[int, ...], s2: tuple[int, ...], p: float) -> None:
    a, b = _rand(s1), _rand(s2, 1)
    xa, xb = pa.tensor(a, requires_grad=True), pa.tensor(b, requires_grad=True)
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    y, ty = pa.cdist(xa, xb, p), torch.cdist(ta, tb, p)
    _same(y, ty, rtol=1e-9)
    if ty.numel():
        w = _rand(tuple(ty.shape), 2)
        (y * pa.tensor(w)).sum().backward()
        (ty * torch.tensor(w)).sum().backward()
        _same(xa.grad, ta.grad, rtol=1e-8)
        _same(xb.grad, tb.grad, rtol=1e-8)
        check_grads(lambda u, v: pa.cdist(u, v, p), make(a), make(b))


def test_cdist_zero_distance_gradient_and_errors() -> None:
    pts = [[0.0, 0.0], [1.0, 1.0]]
    x, t = pa.tensor(pts, requires_grad=True), torch.tensor(pts, requires_grad=True)
    pa.cdist(x, x).sum().backward()
    torch.cdist(t, t).sum().backward()
    _same(x.grad, t.grad, rtol=1e-6)
    with pytest.raises(RuntimeError, match=r"\[cdist\].*2D"):
        pa.cdist(pa.ones(3), pa.ones(3))
    with pytest.raises(RuntimeError, match=r"\[cdist\].*columns"):
        pa.cdist(pa.ones(2, 3), pa.ones(2, 4))
    with pytest.raises(TypeError, match="x2"):
        pa.cdist(pa.ones(2, 3), [[1.0, 2.0, 3.0]])  # type: ignore[arg-type]
