"""The integer dtypes uint8, int8, int16 and int32 (and the names float16/bfloat16, which hold no
tensors here) through creation, casts, arithmetic with PyTorch's promotion, comparisons,
reductions, indexing by byte masks, printing and NumPy/DLPack/pickle interop; PyTorch 2.13 is
the oracle (tests skip without it)."""

from __future__ import annotations

import io
import pickle
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import pyautograd as pa

torch = pytest.importorskip("torch")

sys.path.insert(0, str(Path(__file__).resolve().parent / "difftest"))
import promotion as P  # noqa: E402

NEW = ("uint8", "int8", "int16", "int32")
ALL = ("bool", "uint8", "int8", "int16", "int32", "int64", "float32", "float64")


def _name(d: Any) -> str:
    return str(d).rsplit(".", 1)[-1]


def _np(t: Any) -> np.ndarray:
    return np.asarray(t.detach().numpy() if hasattr(t, "detach") else t)


def _same(got: Any, want: Any) -> None:
    assert _name(got.dtype) == _name(want.dtype)
    assert tuple(got.shape) == tuple(want.shape)
    np.testing.assert_array_equal(_np(got), want.numpy())


def _pair(dt: str, vals: Any) -> tuple[Any, Any]:
    return pa.tensor(vals, dtype=getattr(pa, dt)), torch.tensor(vals, dtype=getattr(torch, dt))


def _vals(dt: str) -> list[int]:
    if dt == "bool":
        return [1, 0, 1, 1]
    if dt == "uint8":
        return [0, 7, 200, 255]
    return [-128, -3, 5, 127]


# ---- dtype objects ----------------------------------------------------------------------------
@pytest.mark.parametrize("dt", (*NEW, "float16", "bfloat16"))
def test_dtype_objects_match_torch(dt: str) -> None:
    d, t = getattr(pa, dt), getattr(torch, dt)
    assert str(d) == str(t) == "torch." + dt  # PyTorch's repr, as programs print it
    assert d.itemsize == t.itemsize
    assert d.is_floating_point == t.is_floating_point
    assert d.is_signed == t.is_signed
    assert d == getattr(pa, dt) and d != pa.float32
    assert pickle.loads(pickle.dumps(d)) == d


def test_dtype_aliases() -> None:
    assert pa.int is pa.int32 and pa.short is pa.int16 and pa.half is pa.float16
    for name in ("ByteTensor", "CharTensor", "ShortTensor", "IntTensor"):
        t = getattr(pa, name)([1, 2])
        assert _name(t.dtype) == _name(getattr(torch, name)([1, 2]).dtype)
        assert t.type() == "torch." + name
        assert isinstance(t, getattr(pa, name))
        assert pa.zeros(2).type(getattr(pa, name)).type() == "torch." + name


# ---- creation and casts -----------------------------------------------------------------------
@pytest.mark.parametrize("dt", NEW)
def test_creation(dt: str) -> None:
    d, td = getattr(pa, dt), getattr(torch, dt)
    _same(pa.zeros(2, 3, dtype=d), torch.zeros(2, 3, dtype=td))
    _same(pa.ones(4, dtype=d), torch.ones(4, dtype=td))
    _same(pa.full((2,), 7, dtype=d), torch.full((2,), 7, dtype=td))
    _same(pa.arange(5, dtype=d), torch.arange(5, dtype=td))
    _same(pa.tensor(3, dtype=d), torch.tensor(3, dtype=td))
    _same(pa.tensor([], dtype=d), torch.tensor([], dtype=td))
    _same(pa.zeros_like(pa.ones(3), dtype=d), torch.zeros_like(torch.ones(3), dtype=td))


CAST_SOURCES = {
    "float32": [-2.7, -1.0, 0.0, 2.7, 100.5, 127.0],
    "float64": [-2.7, 0.5, 126.9, 255.0],
    "int64": [-300, -1, 0, 1, 127, 300],
    "bool": [True, False],
}


@pytest.mark.parametrize("to", NEW)
@pytest.mark.parametrize("src", list(CAST_SOURCES) + list(NEW))
def test_casts_match_torch(src: str, to: str) -> None:
    vals = CAST_SOURCES.get(src) or _vals(src)
    a, t = _pair(src, vals)
    _same(a.to(getattr(pa, to)), t.to(getattr(torch, to)))
    _same(
        a.to(getattr(pa, to)).to(getattr(pa, src)), t.to(getattr(torch, to)).to(getattr(torch, src))
    )


def test_cast_methods() -> None:
    a, t = _pair("float32", [-2.5, 0.0, 3.7, 200.0])
    for m in ("int", "short", "char", "byte", "long", "bool", "double"):
        _same(getattr(a, m)(), getattr(t, m)())


def test_casts_of_non_contiguous() -> None:
    a, t = _pair("float64", [[1.5, -2.5, 3.5], [4.5, 5.5, -6.5]])
    _same(a.t().int(), t.t().int())
    _same(a.int().t().float(), t.int().t().float())


def test_int_tensors_cannot_require_grad() -> None:
    with pytest.raises(RuntimeError):
        pa.tensor([1, 2], dtype=pa.int32, requires_grad=True)
    x = pa.tensor([1.5, 2.5], requires_grad=True)
    assert not x.int().requires_grad


# ---- arithmetic and promotion -----------------------------------------------------------------
def _kinds() -> list[tuple[str, str]]:
    return [("t", d) for d in ALL] + [("py", p) for p in ("bool", "int64", "float32")]


def _promotion_cases() -> list[tuple[str, tuple[str, str], tuple[str, str]]]:
    out = []
    for fam, (_, takes) in P.FAMILIES.items():
        for a in _kinds():
            for b in _kinds():
                if fam.startswith("clamp") and b[0] == "t":
                    continue  # tensor bounds: the clamp-tensor-bounds finding
                if a[1] not in NEW and b[1] not in NEW:
                    continue  # the four old dtypes are tests/test_differential_promotion.py's
                if a[0] == "py" and (b[0] == "py" or takes != "any"):
                    continue
                if takes == "tensors" and b[0] == "py":
                    continue
                out.append((fam, a, b))
    return out


@pytest.mark.parametrize("fam", list(P.FAMILIES))
def test_promotion_matches_torch(fam: str) -> None:
    """Every pair with a new integer dtype (tensor or Python number) through every op family:
    the result dtype, or whether the call raises, is PyTorch's."""
    bad = []
    for f, a, b in _promotion_cases():
        if f != fam:
            continue
        want, got = P.outcome(torch, fam, a, b), P.outcome(pa, fam, a, b)
        if want != got:
            bad.append(f"{fam}({P.kind_id(a)}, {P.kind_id(b)}): torch {want}, pyautograd {got}")
    assert not bad, "\n".join(bad)


BINARY = {
    "add": lambda L, a, b: a + b,
    "sub": lambda L, a, b: a - b,
    "mul": lambda L, a, b: a * b,
    "div": lambda L, a, b: a / b,
    "maximum": lambda L, a, b: L.maximum(a, b),
    "lt": lambda L, a, b: a < b,
    "eq": lambda L, a, b: a == b,
    "and": lambda L, a, b: a & b,
    "xor": lambda L, a, b: a ^ b,
}


@pytest.mark.parametrize("op", list(BINARY))
@pytest.mark.parametrize("db", ["uint8", "int8", "int32", "int64", "float32"])
@pytest.mark.parametrize("da", NEW)
def test_binary_values_match_torch(da: str, db: str, op: str) -> None:
    """Values, including wrap-around on overflow (uint8 200 + 100), broadcast and non-contiguous."""
    if op in ("and", "xor") and db == "float32":
        return
    a, ta = _pair(da, [_vals(da), _vals(da)[::-1]])
    b, tb = _pair(db, [[1, 2, 100, 3]] if db != "float32" else [[1.5, 2.0, 100.0, -3.0]])
    f = BINARY[op]
    want = f(torch, ta, tb)
    _same(f(pa, a, b), want)
    _same(f(pa, a.t().contiguous().t(), b), want)
    _same(f(pa, a[:, ::2], b[:, ::2]), f(torch, ta[:, ::2], tb[:, ::2]))


@pytest.mark.parametrize("dt", NEW)
def test_scalar_operands_match_torch(dt: str) -> None:
    a, t = _pair(dt, _vals(dt))
    for f in (
        lambda x: x + 3,
        lambda x: 3 - x,
        lambda x: x * 2,
        lambda x: x * 2.5,
        lambda x: x / 2,
        lambda x: x**2,
        lambda x: -x,
        lambda x: x > 4,
        lambda x: x == 5,
        lambda x: abs(x),
        lambda x: x.sign(),
        lambda x: x.exp(),
        lambda x: x & 6,
    ):
        try:
            want = f(t)
        except Exception:
            continue
        _same(f(a), want)


@pytest.mark.parametrize("dt", NEW)
def test_in_place_keeps_dtype(dt: str) -> None:
    a, t = _pair(dt, _vals(dt))
    a += 3
    t += 3
    _same(a, t)
    a.mul_(2)
    t.mul_(2)
    _same(a, t)
    with pytest.raises(RuntimeError):
        a.add_(1.5 * pa.ones(4))  # float result into an integer tensor
    with pytest.raises(RuntimeError):
        t.add_(1.5 * torch.ones(4))


@pytest.mark.parametrize("dt", NEW)
def test_matmul(dt: str) -> None:
    a, t = _pair(dt, [[1, 2, 3], [4, 5, 6]])
    _same(a @ a.t(), t @ t.t())
    _same(a.t().mm(a), t.t().mm(t))


# ---- reductions -------------------------------------------------------------------------------
@pytest.mark.parametrize("dt", NEW)
def test_reductions_match_torch(dt: str) -> None:
    a, t = _pair(dt, [_vals(dt), _vals(dt)[::-1], [1, 2, 3, 4]])
    _same(a.sum(), t.sum())  # integers sum to int64
    _same(a.sum(0), t.sum(0))
    _same(a.sum(-1, keepdim=True), t.sum(-1, keepdim=True))
    _same(a.max(), t.max())
    _same(a.min(1).values, t.min(1).values)
    _same(a.max(-1).indices, t.max(-1).indices)
    _same(a.argmax(), t.argmax())
    _same(a[:0].sum(), t[:0].sum())
    with pytest.raises(RuntimeError):
        t.mean()
    with pytest.raises(RuntimeError):
        a.mean()


# ---- byte masks -------------------------------------------------------------------------------
def test_byte_mask_indexing_reads_like_torch() -> None:
    x, tx = _pair("float32", [[0.5, 1.5], [2.5, 3.5]])
    m, tm = _pair("uint8", [[1, 0], [1, 1]])
    with pytest.warns(UserWarning, match="uint8"):
        got = x[m]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _same(got, tx[tm])
        _same(x[m[:, 0]], tx[tm[:, 0]])


def test_byte_mask_writes_raise_like_torch() -> None:
    x, tx = _pair("float32", [0.5, 1.5])
    m, tm = _pair("uint8", [1, 0])
    with pytest.raises(RuntimeError):
        tx[tm] = 5.0
    with pytest.raises((RuntimeError, IndexError)):
        x[m] = 5.0
    with pytest.raises(RuntimeError):
        tx.masked_fill(tm, 0.0)
    with pytest.raises(RuntimeError):
        x.masked_fill(m, 0.0)


def test_where_with_byte_condition() -> None:
    x, tx = _pair("float32", [0.5, 1.5, 2.5])
    m, tm = _pair("uint8", [1, 0, 3])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _same(pa.where(m, x, -x), torch.where(tm, tx, -tx))


# ---- printing ---------------------------------------------------------------------------------
@pytest.mark.parametrize("dt", NEW)
def test_repr_matches_torch(dt: str) -> None:
    for vals in (_vals(dt), [[1, 2], [3, 4]], 7, []):
        a, t = _pair(dt, vals)
        assert repr(a) == repr(t)
        assert a.tolist() == t.tolist()
    a, t = _pair(dt, 5)
    assert a.item() == t.item() and type(a.item()) is int
    assert int(a) == 5 and f"{a:03d}" == f"{t:03d}"


def test_repr_of_float_dtypes_follows_the_default() -> None:
    pa.set_default_dtype(pa.float64)
    try:
        assert "dtype=torch.float32" in repr(pa.tensor([1.0], dtype=pa.float32))
        assert "dtype" not in repr(pa.tensor([1.0]))
    finally:
        pa.set_default_dtype(pa.float32)


# ---- interop ----------------------------------------------------------------------------------
@pytest.mark.parametrize("dt", NEW)
def test_numpy_round_trip(dt: str) -> None:
    arr = np.array(_vals(dt), dtype=dt)
    t = pa.from_numpy(arr)
    assert _name(t.dtype) == dt
    arr[0] = 9
    assert t[0].item() == 9  # shares memory
    assert t.numpy().dtype == np.dtype(dt)
    assert _name(pa.tensor(arr).dtype) == dt
    assert np.asarray(memoryview(t)).dtype == np.dtype(dt)


@pytest.mark.parametrize("dt", NEW)
def test_dlpack_both_ways(dt: str) -> None:
    a, t = _pair(dt, _vals(dt))
    _same(pa.from_dlpack(t), t)
    np.testing.assert_array_equal(torch.from_dlpack(a).numpy(), t.numpy())
    assert torch.from_dlpack(a).dtype == t.dtype


@pytest.mark.parametrize("dt", NEW)
def test_pickle_and_save(dt: str) -> None:
    a, t = _pair(dt, [_vals(dt), _vals(dt)])
    b = pickle.loads(pickle.dumps(a))
    _same(b, t)
    buf = io.BytesIO()
    pa.save({"x": a[:, 1:]}, buf)
    buf.seek(0)
    _same(pa.load(buf)["x"], t[:, 1:])
    buf = io.BytesIO()
    torch.save(t, buf)
    buf.seek(0)
    _same(pa.load(buf), t)


# ---- float16 and bfloat16: names only ---------------------------------------------------------
@pytest.mark.parametrize("dt", ["float16", "bfloat16"])
def test_half_dtypes_raise_naming_the_dtype(dt: str) -> None:
    d = getattr(pa, dt)
    calls = [
        lambda: pa.zeros(2, dtype=d),
        lambda: pa.tensor([1.0], dtype=d),
        lambda: pa.ones(2).to(d),
        lambda: pa.ones(2).to(dtype=d),
        lambda: pa.arange(3, dtype=d),
        lambda: pa.ones(2).half() if dt == "float16" else pa.ones(2).bfloat16(),
        lambda: pa.empty(0, dtype=d),
    ]
    for c in calls:
        with pytest.raises(RuntimeError, match=dt):
            c()
    with pytest.raises((TypeError, RuntimeError), match="float16"):
        pa.from_numpy(np.zeros(2, dtype=np.float16))
    with pytest.raises(RuntimeError, match="float16"):
        pa.HalfTensor(2)  # type: ignore[attr-defined]
