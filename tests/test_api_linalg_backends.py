"""torch.linalg norms, amax/amin, repeat_interleave, torch.backends and the determinism
switches, against PyTorch (values and gradients) where it is importable."""

import math

import numpy as np
import pytest

import pyautograd as pa
from pyautograd.autograd import gradcheck

RNG = np.random.default_rng(3)


def _torch():
    return pytest.importorskip("torch")


def _compare(fn, a, rtol=1e-7, atol=1e-10):
    """fn(lib, x) in both libraries on the same float64 input: the same result or both raise;
    equal gradients of a random weighting of the result."""
    torch = _torch()
    t, p = torch.tensor(a, requires_grad=True), pa.tensor(a, requires_grad=True)
    try:
        rt = fn(torch, t)
    except Exception as e:
        with pytest.raises(type(e) if not isinstance(e, IndexError) else (IndexError,)):
            fn(pa, p)
        return
    rp = fn(pa, p)
    assert tuple(rp.shape) == tuple(rt.shape)
    np.testing.assert_allclose(rp.detach().numpy(), rt.detach().numpy(), rtol=rtol, atol=atol)
    if not rt.requires_grad:
        return
    w = RNG.standard_normal(tuple(rt.shape))
    (rt * torch.tensor(w)).sum().backward()
    (rp * pa.tensor(w)).sum().backward()
    if t.grad is None:
        assert p.grad is None or not bool(p.grad.any())
    else:
        np.testing.assert_allclose(p.grad.numpy(), t.grad.numpy(), rtol=rtol, atol=atol)


A = RNG.standard_normal((3, 4, 5))
TIES = np.array([[1.0, 3, 3, 0], [2, 2, 2, 2], [-1, 5, 0, 5]])


@pytest.mark.parametrize("op", ["amax", "amin"])
@pytest.mark.parametrize("dim", [(), 0, -1, (0, 2), [1], (0, 1, 2)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_amax_amin_match_torch(op, dim, keepdim):
    _compare(lambda L, x: getattr(L, op)(x, dim, keepdim), A)
    _compare(lambda L, x: getattr(x, op)(dim=dim, keepdim=keepdim), A)


@pytest.mark.parametrize("op", ["amax", "amin"])
def test_amax_ties_share_the_gradient_as_in_torch(op):
    _compare(lambda L, x: getattr(x, op)(1), TIES)
    _compare(lambda L, x: getattr(x, op)(), TIES)
    _compare(lambda L, x: getattr(x, op)(), np.array(2.5))


def test_amax_errors_and_integers():
    _compare(lambda L, x: x.amax((0, 0)), A)
    _compare(lambda L, x: x.amax(3), A)
    _compare(lambda L, x: x.amax(1), np.zeros((2, 0)))
    x = pa.tensor([[3, 7], [9, 1]])
    assert pa.amax(x, 0).tolist() == [9, 7] and x.amin().item() == 1
    assert pa.tensor([True, False]).amax().item() is True


def test_amax_gradcheck():
    x = pa.tensor(A, requires_grad=True)
    assert gradcheck(lambda x: x.amax((0, 2)), (x,))
    assert gradcheck(lambda x: pa.amin(x, -1, True), (x,))


@pytest.mark.parametrize("ord", [2, 1, 3, 0.5, math.inf, -math.inf])
@pytest.mark.parametrize("dim", [None, 1, (0, 2)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_vector_norm_matches_torch(ord, dim, keepdim):
    _compare(lambda L, x: L.linalg.vector_norm(x, ord, dim, keepdim), A)


def test_vector_norm_zero_order_dtype_and_errors():
    _compare(lambda L, x: L.linalg.vector_norm(x, 0), A)
    _compare(lambda L, x: L.linalg.vector_norm(x.float(), dtype=L.float64), A, rtol=1e-6)
    _compare(lambda L, x: L.linalg.vector_norm(x.detach().long()), A)


@pytest.mark.parametrize("ord", ["fro", math.inf, -math.inf, 1, -1])
@pytest.mark.parametrize("dim", [(-2, -1), (0, 2), (2, 0)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_matrix_norm_matches_torch(ord, dim, keepdim):
    _compare(lambda L, x: L.linalg.matrix_norm(x, ord, dim, keepdim), A)


@pytest.mark.parametrize("ord", ["nuc", 2, -2])
def test_matrix_norm_without_svd_raises(ord):
    with pytest.raises(NotImplementedError, match="singular values"):
        pa.linalg.matrix_norm(pa.randn(3, 3), ord)


@pytest.mark.parametrize("ord", [None, 2, "fro", 1, math.inf])
@pytest.mark.parametrize("dim", [None, 0, (0, 1)])
@pytest.mark.parametrize("shape", [(4,), (3, 4), (2, 3, 4)])
def test_linalg_norm_matches_torch(ord, dim, shape):
    matrix = (dim is None and len(shape) == 2) or dim == (0, 1)
    if ord == 2 and matrix and len(shape) >= 2:
        with pytest.raises(NotImplementedError, match="singular values"):
            pa.linalg.norm(pa.tensor(RNG.standard_normal(shape)), ord, dim)
        return
    _compare(lambda L, x: L.linalg.norm(x, ord, dim), RNG.standard_normal(shape))


def test_matrix_norm_errors_match_torch():
    _compare(lambda L, x: L.linalg.matrix_norm(x), RNG.standard_normal(3))
    _compare(lambda L, x: L.linalg.matrix_norm(x, dim=(1, 1)), A)
    _compare(lambda L, x: L.linalg.matrix_norm(x, dim=(0, 3)), A)
    _compare(lambda L, x: L.linalg.norm(x, dim=(0, 1)), RNG.standard_normal(3))


@pytest.mark.parametrize(
    "repeats,dim", [(2, None), (3, 0), (2, 1), (1, -1), (0, 1), ("t", 1), ("t0", 2), ("t1", 0)]
)
def test_repeat_interleave_matches_torch(repeats, dim):
    def fn(L, x):
        r = {"t": L.tensor([1, 0, 2]), "t0": L.tensor(2), "t1": L.tensor([3])}.get(repeats, repeats)
        return x.repeat_interleave(r, dim)

    _compare(fn, A[:2, :3])


def test_repeat_interleave_index_form_and_errors():
    torch = _torch()
    counts = [1, 2, 0, 3]
    assert pa.repeat_interleave(pa.tensor(counts)).tolist() == (
        torch.repeat_interleave(torch.tensor(counts)).tolist()
    )
    assert pa.tensor(5.0).repeat_interleave(3).tolist() == [5.0, 5.0, 5.0]
    with pytest.raises(RuntimeError, match="same size"):
        pa.randn(2, 3).repeat_interleave(pa.tensor([1, 2]), 1)
    with pytest.raises(RuntimeError, match="negative"):
        pa.randn(2).repeat_interleave(-1)
    with pytest.raises(TypeError, match="repeats"):
        pa.randn(2).repeat_interleave(1.5)


def test_backends_flags_are_stored_and_report_no_devices():
    torch = _torch()
    assert pa.backends.mps.is_available() is False and pa.backends.cudnn.is_available() is False
    assert pa.backends.cudnn.version() is None
    for flag in ("enabled", "benchmark", "deterministic", "allow_tf32"):
        assert getattr(pa.backends.cudnn, flag) == getattr(torch.backends.cudnn, flag), flag
    assert pa.backends.cuda.matmul.allow_tf32 == torch.backends.cuda.matmul.allow_tf32
    old = pa.backends.cudnn.deterministic
    try:
        pa.backends.cudnn.deterministic = True
        pa.backends.cudnn.benchmark = False
        assert pa.backends.cudnn.deterministic is True
    finally:
        pa.backends.cudnn.deterministic = old


def test_use_deterministic_algorithms():
    try:
        pa.use_deterministic_algorithms(True, warn_only=True)
        assert pa.are_deterministic_algorithms_enabled()
        assert pa.is_deterministic_algorithms_warn_only_enabled()
        x = pa.randn(64, 64)
        assert pa.equal(x.mm(x).sum(0), x.mm(x).sum(0))
    finally:
        pa.use_deterministic_algorithms(False)
    assert not pa.are_deterministic_algorithms_enabled()
    with pytest.raises(TypeError, match="must be bool"):
        pa.use_deterministic_algorithms(1)


def test_numpy_arrays_as_operands_and_indices_and_in():
    torch = _torch()
    x = np.arange(12.0).reshape(3, 4)
    idx = [np.array([0, 2]), np.array([2, 0], dtype=np.int32), np.array([True, False, True])]
    for L in (pa, torch):
        t = L.tensor(x)
        for i in idx:
            assert t[i].tolist() == x[i].tolist()
        assert t[np.array([0, 1]), np.array([1, 2])].tolist() == x[[0, 1], [1, 2]].tolist()
        assert (t * np.full((3, 4), 2.0)).tolist() == (x * 2).tolist()
        assert (L.ones(2) * np.ones(2)).dtype == L.float64  # the array is a float64 tensor
        assert 5.0 in t and 12 not in t and L.tensor(3.0) in t
    with pytest.raises(RuntimeError, match="__contains__"):
        _ = "a" in pa.ones(2)


def test_real_tensor_complex_and_pinned_queries_match_torch():
    torch = _torch()
    for L in (pa, torch):
        t = L.tensor([1.0, -2.0])
        assert t.real.tolist() == [1.0, -2.0] and t.conj().tolist() == [1.0, -2.0]
        assert not t.is_conj() and not t.is_neg() and not t.is_pinned()
        assert t.resolve_conj().tolist() == [1.0, -2.0]
        with pytest.raises(RuntimeError, match="imag is not implemented"):
            _ = t.imag
    with pytest.raises(RuntimeError, match="accelerator"):
        pa.ones(2).pin_memory()
