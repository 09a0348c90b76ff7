"""pyautograd/_api_gaps2_more.py: the LU family, igamma/igammac, in-place random fills,
poisson/binomial, unsafe_chunk/split, fill, share_memory_ and the settings programs set and read
back. Values and gradients against PyTorch (float64) and finite differences; random draws by
their distribution (pyautograd's streams are its own)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from test_api_gaps2 import compare, needs_torch, raises_like

import pyautograd as pa

try:
    import torch
except ImportError:  # pragma: no cover - the oracle is optional
    torch = None

R = np.random.default_rng(11)


@needs_torch
@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 3), (4, 3), (3, 5)])
def test_lu_factor_unpack(shape: tuple[int, ...]) -> None:
    a = R.standard_normal(shape)
    square = shape[-1] == shape[-2]
    compare(lambda L, x: L.linalg.lu_factor(x), a, rtol=1e-10, atol=1e-12, grad=square)
    compare(lambda L, x: L.linalg.lu_factor_ex(x), a, rtol=1e-10, atol=1e-12, grad=square)
    compare(lambda L, x: L.linalg.lu(x), a, rtol=1e-10, atol=1e-12, grad=square)
    compare(lambda L, x: L.lu_unpack(*L.linalg.lu_factor(x)), a, rtol=1e-10, atol=1e-12,
            grad=square)  # fmt: skip
    compare(lambda L, x: L.lu(x, get_infos=True), a, rtol=1e-10, atol=1e-12, grad=False)
    compare(lambda L, x: x.lu(), a, rtol=1e-10, atol=1e-12, grad=False)
    t = torch.lu_unpack(*torch.linalg.lu_factor(torch.tensor(a)), unpack_data=False)
    p = pa.lu_unpack(*pa.linalg.lu_factor(pa.tensor(a)), unpack_data=False)
    for x, y in zip(t, p, strict=True):
        assert tuple(x.shape) == tuple(y.shape)


@needs_torch
def test_lu_singular_and_errors() -> None:
    s = np.array([[1.0, 2.0], [2.0, 4.0]])
    t = torch.linalg.lu_factor_ex(torch.tensor(s))
    p = pa.linalg.lu_factor_ex(pa.tensor(s))
    assert int(t.info) == int(p.info) == 2
    np.testing.assert_allclose(p.LU.numpy(), t.LU.numpy())
    raises_like(lambda L: L.linalg.lu_factor(L.tensor(s)))
    raises_like(lambda L: L.linalg.lu_factor(L.zeros(3)))
    raises_like(lambda L: L.linalg.lu_factor(L.zeros(2, 2, dtype=L.int64)))
    raises_like(lambda L: L.lu_unpack(L.zeros(3, 3), L.zeros(3)))


@needs_torch
@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("adjoint", [True, False])
def test_lu_solve(left: bool, adjoint: bool) -> None:
    a = R.standard_normal((2, 3, 3)) + 2 * np.eye(3)
    b = R.standard_normal((2, 3, 4) if left else (2, 4, 3))

    def fn(L, x, y):  # type: ignore[no-untyped-def]
        LU, piv = L.linalg.lu_factor(x)
        return L.linalg.lu_solve(LU, piv, y, left=left, adjoint=adjoint)

    compare(fn, a, b, rtol=1e-9, atol=1e-11)
    if left and not adjoint:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compare(lambda L, x, y: L.lu_solve(y, *L.linalg.lu_factor(x)), a, b, rtol=1e-9)
            compare(lambda L, x, y: y.lu_solve(*L.linalg.lu_factor(x)), a, b, rtol=1e-9)


@needs_torch
@pytest.mark.parametrize("name", ["igamma", "igammac"])
def test_igamma(name: str) -> None:
    a = np.array([0.3, 0.5, 1.0, 2.5, 3.0, 10.0, 7.5, 0.9])
    x = np.array([0.1, 2.0, 1.0, 0.4, 12.0, 9.0, 30.0, 0.0])

    def fn(L, x):  # type: ignore[no-untyped-def]
        return getattr(L, name)(L.tensor(a[: x.shape[0]]), x)

    compare(fn, x[:-1], rtol=1e-10, atol=1e-14)  # (x > 0: the derivative is finite)
    compare(lambda L, x: fn(L, x), x, rtol=1e-10, atol=1e-14, grad=False)
    special = {"igamma": "gammainc", "igammac": "gammaincc"}[name]
    compare(lambda L, x: getattr(L.special, special)(L.tensor(a), x), x, rtol=1e-10, grad=False)
    compare(lambda L, x: getattr(L.tensor(a), name)(x), x, rtol=1e-10, grad=False)
    edge_a = np.array([0.0, 1.0, 2.0, np.inf, -1.0, 1.0])
    edge_x = np.array([1.0, np.inf, 0.0, 1.0, 1.0, -1.0])
    compare(lambda L: getattr(L, name)(L.tensor(edge_a), L.tensor(edge_x)), grad=False)
    t, p = torch.tensor(a), pa.tensor(a)
    getattr(t, name + "_")(torch.tensor(x))
    getattr(p, name + "_")(pa.tensor(x))
    np.testing.assert_allclose(p.numpy(), t.numpy(), rtol=1e-10)
    with pytest.raises(RuntimeError, match="not implemented"):
        getattr(pa, name)(pa.tensor(a, requires_grad=True), pa.tensor(x)).sum().backward()
    raises_like(lambda L: getattr(L, name)(L.tensor([1, 2]), L.tensor([1, 2])))


def test_random_fills() -> None:
    pa.manual_seed(0)
    n = 200_000
    c = pa.empty(n, dtype=pa.float64).cauchy_(1.0, 2.0)
    assert abs(np.median(c.numpy()) - 1.0) < 0.05
    q = np.quantile(c.numpy(), 0.75) - np.quantile(c.numpy(), 0.25)
    assert abs(q - 4.0) < 0.1  # the interquartile range of Cauchy(1, 2) is 2 * sigma
    ln = pa.empty(n).log_normal_(0.5, 0.25)
    assert abs(np.log(ln.numpy()).mean() - 0.5) < 0.01
    assert abs(np.log(ln.numpy()).std() - 0.25) < 0.01
    g = pa.empty(n).geometric_(0.3)
    assert g.min().item() >= 1 and abs(g.mean().item() - 1 / 0.3) < 0.05
    pa.manual_seed(3)
    a = pa.empty(5).cauchy_()
    pa.manual_seed(3)
    assert (pa.empty(5).cauchy_() == a).all()
    with pytest.raises(RuntimeError):
        pa.empty(3).cauchy_(0.0, -1.0)
    with pytest.raises(RuntimeError):
        pa.empty(3).geometric_(1.5)
    with pytest.raises(RuntimeError):
        pa.empty(3, dtype=pa.int64).log_normal_()


def test_poisson_binomial() -> None:
    pa.manual_seed(0)
    lam = pa.full((100_000,), 3.5)
    s = pa.poisson(lam)
    assert s.dtype == pa.float32 and abs(s.mean().item() - 3.5) < 0.05
    assert abs(s.var().item() - 3.5) < 0.1
    b = pa.binomial(pa.full((100_000,), 10.0), pa.full((100_000,), 0.3))
    assert abs(b.mean().item() - 3.0) < 0.05 and b.max().item() <= 10
    pa.manual_seed(5)
    x = pa.poisson(pa.ones(10))
    pa.manual_seed(5)
    assert (pa.poisson(pa.ones(10)) == x).all()
    with pytest.raises(RuntimeError):
        pa.poisson(pa.tensor([-1.0]))
    with pytest.raises(RuntimeError):
        pa.binomial(pa.tensor([3.0]), pa.tensor([1.5]))


@needs_torch
def test_unsafe_fill_inference_shared() -> None:
    a = R.standard_normal((5, 4))
    compare(lambda L, x: L.unsafe_chunk(x, 2, 1), a)
    compare(lambda L, x: x.unsafe_split(2), a)
    compare(lambda L, x: L.unsafe_split_with_sizes(x, [1, 4]), a)
    compare(lambda L, x: L.fill(x, 2.5), a, grad=False)
    compare(lambda L, x, v: L.fill(x.detach(), v), a, np.array(1.5))
    raises_like(lambda L: L.fill(L.zeros(2), L.zeros(2)))
    p = pa.zeros(3)
    assert pa.is_inference(p) is False and not p.is_shared()
    assert p.share_memory_() is p and p.is_shared()


@needs_torch
def test_settings_round_trip() -> None:
    assert pa.get_num_interop_threads() >= 1
    pa.set_num_interop_threads(3)
    assert pa.get_num_interop_threads() == 3
    with pytest.raises(RuntimeError):
        pa.set_num_interop_threads(0)
    pa.init_num_threads()
    assert pa.is_warn_always_enabled() is torch.is_warn_always_enabled() is False
    pa.set_warn_always(True)
    assert pa.is_warn_always_enabled()
    pa.set_warn_always(False)
    try:
        for mode, want in (("warn", 1), ("error", 2), (0, 0), (1, 1), ("default", 0)):
            pa.set_deterministic_debug_mode(mode)
            torch.set_deterministic_debug_mode(mode)
            assert pa.get_deterministic_debug_mode() == torch.get_deterministic_debug_mode() == want
        raises_like(lambda L: L.set_deterministic_debug_mode("bogus"))
        raises_like(lambda L: L.set_deterministic_debug_mode(7))
    finally:
        pa.set_deterministic_debug_mode(0)
        torch.set_deterministic_debug_mode(0)


POLYS = [
    "chebyshev_polynomial_t",
    "chebyshev_polynomial_u",
    "chebyshev_polynomial_v",
    "chebyshev_polynomial_w",
    "shifted_chebyshev_polynomial_t",
    "shifted_chebyshev_polynomial_u",
    "shifted_chebyshev_polynomial_v",
    "shifted_chebyshev_polynomial_w",
    "hermite_polynomial_h",
    "hermite_polynomial_he",
    "laguerre_polynomial_l",
    "legendre_polynomial_p",
]


@needs_torch
@pytest.mark.parametrize("name", POLYS)
def test_special_polynomials(name: str) -> None:
    x = np.concatenate([R.uniform(-1.5, 1.5, 40), [1.0, -1.0, 0.0, 0.5, 2.0]])
    for n in range(-1, 14):
        t = getattr(torch.special, name)(torch.tensor(x), n)
        p = getattr(pa.special, name)(pa.tensor(x), n)
        assert str(t.dtype) == str(p.dtype)
        np.testing.assert_allclose(p.numpy(), t.numpy(), rtol=1e-12, atol=1e-12)
    nt = np.arange(45) % 11
    t = getattr(torch.special, name)(torch.tensor(x, dtype=torch.float32), torch.tensor(nt))
    p = getattr(pa.special, name)(pa.tensor(x, dtype=pa.float32), pa.tensor(nt))
    assert str(t.dtype) == str(p.dtype)
    np.testing.assert_allclose(p.numpy(), t.numpy(), rtol=1e-5, atol=1e-5)
    t = getattr(torch.special, name)(0.3, torch.tensor([2.0, 3.0]))
    p = getattr(pa.special, name)(0.3, pa.tensor([2.0, 3.0]))
    # (float32: PyTorch computes in float32, pyautograd in float64 and rounds)
    np.testing.assert_allclose(p.numpy(), t.numpy(), rtol=1e-5, atol=1e-6)
    q = getattr(pa.special, name)(pa.tensor(x, requires_grad=True), 3)
    assert q.requires_grad
    with pytest.raises(RuntimeError, match="not implemented"):
        q.sum().backward()
    raises_like(lambda L: getattr(L.special, name)("x", 2))
