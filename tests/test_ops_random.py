"""The random ops (randint, randperm, normal_, uniform_, bernoulli, bernoulli_, randint_like) and
arange. test_random_torch.py compares the streams with PyTorch's bit for bit; here, without
PyTorch: reproducible under manual_seed, the dtypes and shapes PyTorch gives, the right
distribution (loose statistical bounds at fixed seeds: each bound
is several standard errors wide, so a correct generator fails it with negligible probability and
a wrong distribution fails it surely), and PyTorch's errors. arange is compared with PyTorch
exactly (length and values), negative and float steps included.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from helpers import TORCH_STANDIN

import pyautograd

pytestmark = pytest.mark.skipif(TORCH_STANDIN, reason="pyautograd's own random streams")


def _twice(make: Callable[[], Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    pyautograd.manual_seed(123)
    a = make().numpy().copy()
    b = make().numpy().copy()
    pyautograd.manual_seed(123)
    c = make().numpy().copy()
    return a, b, c


MAKERS: dict[str, Callable[[], Any]] = {
    "randint": lambda: pyautograd.randint(0, 1000, (50,)),
    "randperm": lambda: pyautograd.randperm(50),
    "normal_": lambda: pyautograd.empty(50).normal_(),
    "uniform_": lambda: pyautograd.empty(50).uniform_(-1, 1),
    "bernoulli": lambda: pyautograd.bernoulli(pyautograd.full((50,), 0.5)),
    "bernoulli_": lambda: pyautograd.empty(50).bernoulli_(0.5),
    "randint_like": lambda: pyautograd.randint_like(pyautograd.zeros(50), 10),
}


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_reproducible_under_manual_seed(name: str) -> None:
    a, b, c = _twice(MAKERS[name])
    np.testing.assert_array_equal(a, c)
    assert not np.array_equal(a, b), "two draws in a row gave the same numbers"


def test_dtypes_and_shapes() -> None:
    torch = pytest.importorskip("torch")
    cases: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
        ("randint", (5, (2, 3)), {}),
        ("randint", (-5, 5, (4,)), {}),
        ("randint", (0, 10, (2, 2)), {"dtype": "float32"}),
        ("randint", (0, 10, (2, 2)), {"dtype": "float64"}),
        ("randint", (0, 2, (3,)), {"dtype": "bool"}),
        ("randint", (3, ()), {}),
        ("randint", (3, (0, 2)), {}),
        ("randperm", (7,), {}),
        ("randperm", (0,), {}),
        ("randperm", (5,), {"dtype": "float32"}),
    ]
    for name, args, kw in cases:
        pkw = {k: getattr(pyautograd, v) for k, v in kw.items()}
        tkw = {k: getattr(torch, v) for k, v in kw.items()}
        out = getattr(pyautograd, name)(*args, **pkw)
        ref = getattr(torch, name)(*args, **tkw)
        assert str(out.dtype).split(".")[-1] == str(ref.dtype).split(".")[-1], (name, args, kw)
        assert tuple(out.shape) == tuple(ref.shape), (name, args, kw)
    x = pyautograd.zeros(2, 3, dtype=pyautograd.float64)
    assert x.normal_() is x and x.uniform_() is x and x.bernoulli_() is x
    assert pyautograd.bernoulli(x).dtype == pyautograd.float64
    assert x.bernoulli().shape == (2, 3)
    assert pyautograd.randint_like(x, 3).dtype == pyautograd.float64
    assert pyautograd.randint_like(x, 3, dtype=pyautograd.int64).dtype == pyautograd.int64
    b = pyautograd.zeros(4, dtype=pyautograd.int64).bernoulli_(0.5)
    assert b.dtype == pyautograd.int64 and set(b.tolist()) <= {0, 1}
    r = pyautograd.randint(0, 10, (3,), dtype=pyautograd.float32, requires_grad=True)
    assert r.requires_grad


def test_non_contiguous_targets() -> None:
    pyautograd.manual_seed(0)
    base = pyautograd.zeros(4, 6)
    view = base.t()
    view.normal_(5.0, 0.1)
    assert (np.abs(base.numpy() - 5) < 1).all()
    base = pyautograd.zeros(4, 6)
    base[:, ::2].uniform_(2, 3)
    arr = base.numpy()
    assert ((arr[:, ::2] >= 2) & (arr[:, ::2] < 3)).all() and (arr[:, 1::2] == 0).all()


def test_randint_distribution() -> None:
    pyautograd.manual_seed(7)
    n, k = 60000, 6
    v = pyautograd.randint(-2, 4, (n,)).numpy()
    assert v.min() == -2 and v.max() == 3
    counts = np.bincount(v + 2, minlength=k)
    chi2 = ((counts - n / k) ** 2 / (n / k)).sum()
    assert chi2 < 30, counts  # 5 degrees of freedom: P(chi2 > 30) ~ 1.5e-5
    big = pyautograd.randint(0, 2**62, (1000,)).numpy()
    assert big.min() >= 0 and big.max() > 2**61  # the whole range is reached


def test_randperm_distribution() -> None:
    pyautograd.manual_seed(8)
    n, trials = 5, 6000
    first = np.zeros(n)
    for _ in range(trials):
        p = pyautograd.randperm(n).numpy()
        assert sorted(p.tolist()) == list(range(n))
        first[p[0]] += 1
    chi2 = ((first - trials / n) ** 2 / (trials / n)).sum()
    assert chi2 < 25, first  # 4 degrees of freedom
    big = pyautograd.randperm(10000).numpy()
    np.testing.assert_array_equal(np.sort(big), np.arange(10000))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_normal_and_uniform_moments(dtype: str) -> None:
    pyautograd.manual_seed(9)
    n = 200000
    x = pyautograd.empty(n, dtype=getattr(pyautograd, dtype)).normal_(2.0, 3.0).numpy()
    se = 3.0 / math.sqrt(n)
    assert abs(x.mean() - 2.0) < 6 * se
    assert abs(x.std() - 3.0) < 0.03
    assert abs(((x - 2) / 3 > 1.0).mean() - 0.158655) < 0.005  # the normal's tail, not just moments
    u = pyautograd.empty(n, dtype=getattr(pyautograd, dtype)).uniform_(-1.0, 3.0).numpy()
    assert u.min() >= -1.0 and u.max() < 3.0
    assert abs(u.mean() - 1.0) < 6 * (4 / math.sqrt(12)) / math.sqrt(n)
    hist = np.histogram(u, bins=8, range=(-1, 3))[0]
    chi2 = ((hist - n / 8) ** 2 / (n / 8)).sum()
    assert chi2 < 35, hist  # 7 degrees of freedom


def test_bernoulli_frequencies() -> None:
    pyautograd.manual_seed(10)
    n = 100000
    p = np.array([0.0, 0.1, 0.5, 0.9, 1.0])
    draws = pyautograd.bernoulli(pyautograd.tensor(np.tile(p, (n, 1)))).numpy()
    freq = draws.mean(0)
    assert freq[0] == 0 and freq[-1] == 1
    np.testing.assert_allclose(freq[1:4], p[1:4], atol=6 * math.sqrt(0.25 / n))
    f = pyautograd.empty(n).bernoulli_(0.3).numpy().mean()
    assert abs(f - 0.3) < 6 * math.sqrt(0.21 / n)
    t = pyautograd.empty(n, 2).bernoulli_(pyautograd.tensor([0.2, 0.8])).numpy().mean(0)
    np.testing.assert_allclose(t, [0.2, 0.8], atol=6 * math.sqrt(0.25 / n))
    s = pyautograd.bernoulli(pyautograd.full((n,), 0.5), p=0.25).numpy().mean()
    assert abs(s - 0.25) < 6 * math.sqrt(0.25 / n)


def test_errors() -> None:
    pa = pyautograd
    cases: list[tuple[Callable[[], Any], type[Exception], str]] = [
        (lambda: pa.randint(5, 5, (2,)), RuntimeError, r"\[randint\].*'from' to be less"),
        (lambda: pa.randint(5, (2,), dtype=pa.bool), RuntimeError, r"\[randint\]"),
        (lambda: pa.randint(5), TypeError, r"\[randint\]"),
        (lambda: pa.randperm(-1), RuntimeError, r"\[randperm\]"),
        (lambda: pa.zeros(2, dtype=pa.int64).normal_(), RuntimeError, r"\[normal_\].*int64"),
        (lambda: pa.zeros(2).normal_(0, -1), RuntimeError, r"\[normal_\].*std"),
        (lambda: pa.zeros(2).uniform_(2, 1), RuntimeError, r"\[uniform_\]"),
        (lambda: pa.zeros(2, dtype=pa.int64).uniform_(), RuntimeError, r"\[uniform_\]"),
        (lambda: pa.bernoulli(pa.tensor([0.5, 1.5])), RuntimeError, r"\[bernoulli\].*\[0, 1\]"),
        (lambda: pa.bernoulli(pa.tensor([1, 0])), RuntimeError, r"\[bernoulli\].*int64"),
        (lambda: pa.zeros(2).bernoulli_(-0.1), RuntimeError, r"\[bernoulli_\]"),
        (lambda: pa.zeros(2).bernoulli_(pa.zeros(3)), RuntimeError, r"\[bernoulli_\]"),
        (lambda: pa.zeros(2, requires_grad=True).normal_(), RuntimeError, "leaf"),
        (lambda: pa.randint(0, 3, (2,), requires_grad=True), RuntimeError, r"\[randint\]"),
        (lambda: pa.randperm(3, generator=3), TypeError, "generator"),
    ]
    for call, exc, pattern in cases:
        with pytest.raises(exc, match=pattern):
            call()


def test_in_place_random_under_no_grad_and_version() -> None:
    w = pyautograd.zeros(3, requires_grad=True)
    with pyautograd.no_grad():
        w.normal_()
        w.uniform_()
    assert w.requires_grad and w.is_leaf
    y = pyautograd.zeros(3)
    v = y._version if hasattr(y, "_version") else None
    y.uniform_()
    if v is not None:
        assert y._version > v


# --------------------------------------------------------------------------
# arange: PyTorch's length rule and values
# --------------------------------------------------------------------------
ARANGE: list[tuple[tuple[Any, ...], dict[str, str]]] = [
    ((5,), {}),
    ((0,), {}),
    ((2.5,), {}),
    ((1, 4), {}),
    ((10, 0, -3), {}),
    ((10, 0, -1), {}),
    ((0, 10, 3), {}),
    ((-5, 5, 2), {}),
    ((0, 1, 0.1), {}),
    ((1, -1, -0.3), {}),
    ((0, 1, 0.3), {}),
    ((-1.5, 2.2, 0.7), {}),
    ((1, 2.5, 0.5), {}),
    ((0, 0.9, 0.3), {}),
    ((0, 1, 0.1), {"dtype": "float64"}),
    ((1, -1, -0.3), {"dtype": "float64"}),
    ((0.5, 5.7, 1.2), {"dtype": "int64"}),
    ((-3.7, 3), {"dtype": "int64"}),
    ((10, -10, -3), {"dtype": "float32"}),
    ((3, 3), {}),
    ((3.0, 3.0, -1.0), {}),
    ((0, 5), {"dtype": "float64"}),
    ((100000000, 100000010, 3), {"dtype": "float32"}),
]


@pytest.mark.parametrize(("args", "kw"), ARANGE, ids=[f"{a}{k}" for a, k in ARANGE])
def test_arange_against_torch(args: tuple[Any, ...], kw: dict[str, str]) -> None:
    torch = pytest.importorskip("torch")
    out = pyautograd.arange(*args, **{k: getattr(pyautograd, v) for k, v in kw.items()})
    ref = torch.arange(*args, **{k: getattr(torch, v) for k, v in kw.items()})
    assert str(out.dtype).split(".")[-1] == str(ref.dtype).split(".")[-1]
    assert tuple(out.shape) == tuple(ref.shape)  # the length exactly as PyTorch computes it
    if ref.dtype.is_floating_point:  # values start + i * step, to the last bit or two
        eps = float(np.finfo(ref.numpy().dtype).eps)
        np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=4 * eps, atol=4 * eps)
    else:
        np.testing.assert_array_equal(out.numpy(), ref.numpy())


@pytest.mark.parametrize(
    "args",
    [(0, 10, 0), (0, 10, -1), (10, 0, 1), (0, 2.5, 0.5, "int64"), (0, float("inf"))],
    ids=str,
)
def test_arange_errors_as_torch(args: tuple[Any, ...]) -> None:
    torch = pytest.importorskip("torch")
    dt = args[3] if len(args) == 4 else None
    nums = args[:3]
    with pytest.raises((RuntimeError, ValueError)):
        torch.arange(*nums, **({"dtype": getattr(torch, dt)} if dt else {}))
    with pytest.raises((RuntimeError, ValueError), match=r"\[arange\]"):
        pyautograd.arange(*nums, **({"dtype": getattr(pyautograd, dt)} if dt else {}))
