"""Shared helpers for the tensor-core test-suite (tests/test_tensor_*.py).

NumPy is the oracle everywhere.  The suite can also be run against real
PyTorch through a stand-in package named ``pyautograd`` that re-exports
``torch``; pyautograd-specific behaviour (``[op]`` error-message prefixes,
the legacy ``t0d[0]`` compat, the buffer protocol, ...) is skipped there via
``pyautograd_only`` / ``raises``.
"""

import contextlib
import re

import numpy as np
import pytest

import pyautograd as pa


def is_torch_standin():
    """True when ``pyautograd`` is really PyTorch (validation shim)."""
    if getattr(pa, "__torch_shim__", False):
        return True
    mod = type(pa.zeros(1)).__module__ or ""
    return mod.split(".")[0] == "torch"


TORCH_STANDIN = is_torch_standin()

pyautograd_only = pytest.mark.skipif(
    TORCH_STANDIN, reason="pyautograd-specific behaviour (differs from PyTorch)"
)


# --------------------------------------------------------------------------
# dtypes
# --------------------------------------------------------------------------
DTYPES = [pa.float32, pa.float64, pa.int64, pa.bool]
FLOAT_DTYPES = [pa.float32, pa.float64]
NUMERIC_DTYPES = [pa.float32, pa.float64, pa.int64]

_NP = [
    (pa.float32, np.float32),
    (pa.float64, np.float64),
    (pa.int64, np.int64),
    (pa.bool, np.bool_),
]

_RANK = [pa.bool, pa.int64, pa.float32, pa.float64]


def dname(d):
    """Short id for a dtype, usable as pytest id."""
    return str(d).split(".")[-1]


def np_dtype(d):
    for p, n in _NP:
        if d == p:
            return np.dtype(n)
    raise KeyError(d)


def pa_dtype(npd):
    npd = np.dtype(npd)
    for p, n in _NP:
        if npd == np.dtype(n):
            return p
    raise KeyError(npd)


def is_float(d):
    return d == pa.float32 or d == pa.float64


def rank(d):
    for i, x in enumerate(_RANK):
        if d == x:
            return i
    raise KeyError(d)


def promote(a, b):
    """Tensor-tensor promotion (same-dimensionality operands)."""
    return a if rank(a) >= rank(b) else b


def _kind(d):
    return 0 if d == pa.bool else (1 if d == pa.int64 else 2)


def promote_scalar(d, s):
    """Tensor (dtype d) op Python scalar s."""
    sk = 0 if isinstance(s, bool) else (1 if isinstance(s, int) else 2)
    if sk <= _kind(d):
        return d
    return pa.int64 if sk == 1 else pa.float32


def div_dtype(d):
    return d if is_float(d) else pa.float32


def compute_np_dtype(d):
    """dtype in which the NumPy oracle computes a result of pa dtype d."""
    if is_float(d):
        return np.float64
    return np_dtype(d)


# --------------------------------------------------------------------------
# data / tensors
# --------------------------------------------------------------------------
def rand_np(shape, d, rng, kind="any"):
    """Random NumPy array of pa dtype ``d``.

    kind: "any" (signed values), "pos" (>0, away from 0), "nonzero"
    (|x| in [0.5, 2]), "small" (small integers, good for ties/equality).
    """
    shape = tuple(shape)
    nd = np_dtype(d)
    if d == pa.bool:
        return rng.random(shape) < 0.5
    if d == pa.int64:
        if kind == "pos":
            return rng.integers(1, 6, size=shape).astype(nd)
        if kind == "nonzero":
            v = rng.integers(1, 6, size=shape)
            return (v * rng.choice([-1, 1], size=shape)).astype(nd)
        if kind == "small":
            return rng.integers(-2, 3, size=shape).astype(nd)
        return rng.integers(-9, 10, size=shape).astype(nd)
    if kind == "pos":
        return rng.uniform(0.1, 3.0, size=shape).astype(nd)
    if kind == "nonzero":
        return (rng.uniform(0.5, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)).astype(nd)
    if kind == "small":
        return rng.integers(-2, 3, size=shape).astype(nd)
    return rng.uniform(-2.0, 2.0, size=shape).astype(nd)


LAYOUTS = ["contiguous", "transposed", "strided"]


def make_tensor(arr, layout="contiguous"):
    """pyautograd tensor with the values of ``arr`` and the requested memory
    layout: "contiguous", "transposed" (last two dims swapped via
    transpose(), falls back to "strided" for < 2 dims), "strided" (last dim
    taken with step 2 from a bigger buffer whose gaps hold junk)."""
    arr = np.asarray(arr)
    if layout == "contiguous" or arr.ndim == 0:
        return pa.tensor(arr)
    nd = arr.ndim
    if layout == "transposed" and nd >= 2:
        base = pa.tensor(np.ascontiguousarray(np.swapaxes(arr, nd - 2, nd - 1)))
        return base.transpose(nd - 2, nd - 1)
    big = np.empty((*arr.shape[:-1], 2 * arr.shape[-1]), dtype=arr.dtype)
    big[...] = True if arr.dtype == np.bool_ else 77
    big[..., ::2] = arr
    base = pa.tensor(big)
    if nd == 1:
        return base[::2]
    return base[(slice(None),) * (nd - 1) + (slice(None, None, 2),)]


def to_np(t):
    """NumPy copy of a tensor via tolist() (independent of numpy()/strides)."""
    return np.array(t.tolist(), dtype=np_dtype(t.dtype)).reshape(tuple(t.shape))


TOL = {"float32": dict(rtol=1e-5, atol=1e-6), "float64": dict(rtol=1e-10, atol=1e-12)}


def assert_tensor(t, expected, dtype=None, rtol=None, atol=None):
    """Check dtype (if given), shape and values of tensor ``t`` against the
    NumPy array ``expected``."""
    expected = np.asarray(expected)
    if dtype is not None:
        assert t.dtype == dtype, f"dtype {t.dtype} != expected {dtype}"
    assert tuple(t.shape) == expected.shape, f"shape {tuple(t.shape)} != expected {expected.shape}"
    got = to_np(t)
    if is_float(t.dtype):
        tol = dict(TOL[dname(t.dtype)])
        if rtol is not None:
            tol["rtol"] = rtol
        if atol is not None:
            tol["atol"] = atol
        np.testing.assert_allclose(
            got.astype(np.float64), expected.astype(np.float64), equal_nan=True, **tol
        )
    else:
        np.testing.assert_array_equal(got, expected.astype(got.dtype))


# --------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------
@contextlib.contextmanager
def raises(exc, op=None, *fragments):
    """Like pytest.raises(exc); additionally, for pyautograd (not under the
    torch stand-in) the message must start with ``[op]`` (``op`` is a regex
    such as ``"add_?"``) and contain every string in ``fragments`` (e.g. a
    shape ``"(3, 4)"``)."""
    with pytest.raises(exc) as info:
        yield info
    if TORCH_STANDIN:
        return
    msg = str(info.value)
    if op is not None:
        assert re.match(rf"\[(?:{op})\]", msg), f"message should start with [{op}]: {msg!r}"
    for f in fragments:
        assert f in msg, f"message should mention {f!r}: {msg!r}"


def shape_str(shape):
    """Python tuple formatting: (3, 4), (4,), ()."""
    return str(tuple(shape))
