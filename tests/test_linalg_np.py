"""linalg.inv/det/slogdet/solve/cholesky/matrix_rank and torch.inverse/det/logdet/slogdet/
cholesky (pyautograd/_linalg_np.py) against PyTorch: values, gradients (float64), batches, errors;
finite differences for each gradient."""

import numpy as np
import pytest
from test_functions_more import compare

import pyautograd as pa
from pyautograd.autograd import gradcheck

RNG = np.random.default_rng(31)
M = RNG.standard_normal((4, 4)) + 4 * np.eye(4)
BATCH = RNG.standard_normal((2, 3, 3)) + 3 * np.eye(3)
SING = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])
_G = RNG.standard_normal((4, 4))
SPD = _G @ _G.T + 4 * np.eye(4)


@pytest.mark.parametrize("a", [M, BATCH], ids=["matrix", "batch"])
def test_inv_det_slogdet_logdet(a):
    compare(lambda L, x: L.linalg.inv(x), a, rtol=1e-6, atol=1e-9)
    compare(lambda L, x: x.inverse(), a, rtol=1e-6, atol=1e-9)
    compare(lambda L, x: L.linalg.det(x), a, rtol=1e-6, atol=1e-9)
    compare(lambda L, x: x.det(), -a, rtol=1e-6, atol=1e-9)
    compare(lambda L, x: L.logdet(x), a, rtol=1e-6, atol=1e-9)
    compare(lambda L, x: L.linalg.slogdet(x), -a, rtol=1e-6, atol=1e-9)
    compare(lambda L, x: tuple(x.slogdet()), a, rtol=1e-6, atol=1e-9)


def test_singular_and_negative():
    compare(lambda L, x: L.linalg.det(x), SING, grad=False, rtol=1e-6, atol=1e-9)
    # the gradient at a singular matrix is its adjugate (PyTorch 2.13 gives zeros here)
    assert gradcheck(pa.linalg.det, (pa.tensor(SING, requires_grad=True),))
    # sign * exp(logabsdet) ~ 0: the sign itself is LAPACK's rounding at an exactly singular
    # matrix (0 from NumPy 2.4's LU, -1 from PyTorch's), not a property to compare
    compare(
        lambda L, x: (lambda r: r[0] * r[1].exp())(L.linalg.slogdet(x)),
        SING,
        grad=False,
        rtol=1e-6,
        atol=1e-9,
    )
    compare(lambda L, x: L.logdet(x), -M[:3, :3], grad=False)  # negative det: NaN
    with pytest.raises(RuntimeError, match="singular"):
        pa.linalg.inv(pa.tensor(SING))
    with pytest.raises(pa.linalg.LinAlgError):
        pa.linalg.solve(pa.tensor(SING), pa.tensor([1.0, 2.0, 3.0], dtype=pa.float64))


def test_float32():
    compare(lambda L, x: L.linalg.inv(x.float()), M, rtol=1e-5, atol=1e-6)
    compare(lambda L, x: L.linalg.det(x.float()), M, rtol=1e-5, atol=1e-5)


def test_solve():
    b = RNG.standard_normal(4)
    bm = RNG.standard_normal((4, 2))
    bb = RNG.standard_normal((2, 3, 2))
    compare(lambda L, a, y: L.linalg.solve(a, y), M, b, rtol=1e-6, atol=1e-9)
    compare(lambda L, a, y: L.linalg.solve(a, y), M, bm, rtol=1e-6, atol=1e-9)
    compare(lambda L, a, y: L.linalg.solve(a, y), BATCH, bb, rtol=1e-6, atol=1e-9)
    compare(lambda L, a, y: L.linalg.solve(a, y), BATCH[0], bb, rtol=1e-6, atol=1e-9)
    compare(lambda L, a, y: L.linalg.solve(a, y, left=False), M, bm.T.copy(), rtol=1e-6,
            atol=1e-9)  # fmt: skip
    compare(lambda L, a, y: L.linalg.solve(a, y), M, RNG.standard_normal(3))  # both raise


def test_cholesky():
    compare(lambda L, a: L.linalg.cholesky(a), SPD, rtol=1e-6, atol=1e-9)
    compare(lambda L, a: L.linalg.cholesky(a, upper=True), SPD, rtol=1e-6, atol=1e-9)
    compare(lambda L, a: a.cholesky(), SPD, rtol=1e-6, atol=1e-9)
    with pytest.raises(pa.linalg.LinAlgError, match="positive-definite"):
        pa.linalg.cholesky(pa.tensor(-SPD))


def test_matrix_rank_and_power():
    compare(lambda L: L.linalg.matrix_rank(L.tensor(SING)))
    compare(lambda L: L.linalg.matrix_rank(L.tensor(BATCH)))
    compare(lambda L, a: L.matrix_power(a, -2), M, rtol=1e-6, atol=1e-9)


def test_errors():
    compare(lambda L, a: L.linalg.inv(a), RNG.standard_normal((2, 3)))
    compare(lambda L, a: L.linalg.det(a), RNG.standard_normal(3))
    with pytest.raises(RuntimeError, match="floating"):
        pa.linalg.inv(pa.tensor([[1, 2], [3, 4]]))


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: pa.linalg.inv(x),
        lambda x: pa.linalg.det(x),
        lambda x: pa.linalg.slogdet(x).logabsdet,
        lambda x: pa.linalg.solve(x, x[:, :2] * 3),
        lambda x: pa.linalg.cholesky(x @ x.t() + pa.eye(4, dtype=pa.float64)),
    ],
    ids=["inv", "det", "slogdet", "solve", "cholesky"],
)
def test_gradients_finite_differences(fn):
    assert gradcheck(fn, (pa.tensor(M, requires_grad=True),))
