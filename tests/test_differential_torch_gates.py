"""PyTorch behaviour the differential tester gates as `torch-*` (tests/difftest/known.py) and
pyautograd does not copy, found by the long runs: each test asserts what PyTorch does (when it
is importable) and what pyautograd does instead, computed independently.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import pyautograd


def test_gelu_backward_with_a_strided_gradient() -> None:
    """torch-gelu-strided-grad: gelu's backward with g = t[:, ::2] of a (2, 5, 2) t raises in
    PyTorch (oneDNN); pyautograd gives the gradient of the contiguous copy of g, which PyTorch
    gives too."""
    rng = np.random.default_rng(5)
    xs, gs = rng.standard_normal((2, 3, 2)), rng.standard_normal((2, 5, 2))

    def grad(L: Any, strided: bool) -> np.ndarray:
        x = L.tensor(xs, dtype=L.float32, requires_grad=True)
        g = L.tensor(gs, dtype=L.float32)[:, ::2]
        L.nn.functional.gelu(x).backward(g if strided else g.contiguous())
        return np.array(x.grad.numpy())

    ours = grad(pyautograd, True)
    np.testing.assert_array_equal(ours, grad(pyautograd, False))
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="memory descriptor"):
        grad(torch, True)
    np.testing.assert_allclose(ours, grad(torch, False), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("shape", [(0,), (3,), (2, 1, 3), (2, 0, 3)])
def test_detach_in_place_of_a_linear_result(shape: tuple[int, ...]) -> None:
    """torch-linear-view: F.linear with a bias of a 1-D or 3-D input is a view in PyTorch, and
    detach_() of it raises there; here it is a tensor of its own and detaches."""
    n = shape[-1]

    def run(L: Any) -> Any:
        x = L.ones(shape, requires_grad=True)
        y = L.nn.functional.linear(x, L.ones(2, n), L.ones(2, requires_grad=True))
        y.detach_()
        return y

    y = run(pyautograd)
    assert not y.requires_grad and y.grad_fn is None
    assert y.tolist() == (np.ones((*shape[:-1], 2)) * (n + 1)).tolist()
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="detach views in-place"):
        run(torch)


# ---- gates added with ops_nn.py's activation rows (seeds 0 and 1) ----
def test_gelu_of_inf_in_float32() -> None:
    """torch-gelu-simd-overflow: PyTorch's float32 gelu gives NaN at inf in its SIMD loop and
    inf in its scalar loop (a 1-element tensor); pyautograd gives inf, as its scalar loop and
    float64 do."""
    inf = float("inf")
    F = pyautograd.nn.functional
    assert F.gelu(pyautograd.tensor([1.0, inf] * 8))[1].item() == inf
    torch = pytest.importorskip("torch")
    assert torch.nn.functional.gelu(torch.tensor([1.0, inf] * 8))[1].isnan()
    assert torch.nn.functional.gelu(torch.tensor([inf])).item() == inf
    assert torch.nn.functional.gelu(torch.tensor([1.0, inf] * 8).double())[1].item() == inf


def test_mode_with_nan() -> None:
    """torch-mode-nan: PyTorch's mode sorts with <, so a NaN's position decides; pyautograd
    sorts NaN last and counts each NaN once: [nan, 0] gives 0."""
    nan = float("nan")
    v = pyautograd.tensor([[nan, nan], [nan, 0.0]]).mode(0).values.tolist()
    assert np.isnan(v[0]) and v[1] == 0.0
    torch = pytest.importorskip("torch")
    assert torch.tensor([[nan, nan], [nan, 0.0]]).mode(0).values.isnan().all()


def test_index_put_accumulate_out_of_range() -> None:
    """torch-index-put-accumulate-partial: PyTorch adds at index 0 before raising for -8;
    pyautograd raises before writing."""
    for lib, want in ((pyautograd, 3.0), (pytest.importorskip("torch"), 2.0)):
        t = lib.tensor([3.0])
        with pytest.raises(IndexError):
            t.index_put_((lib.tensor([0, -8]),), lib.tensor(-1.0), accumulate=True)
        assert t.tolist() == [want]


def test_median_of_an_empty_integer_tensor() -> None:
    """torch-median-empty-int: PyTorch returns an uninitialized int64 (its float median of
    nothing is NaN); pyautograd raises."""
    with pytest.raises(RuntimeError, match="empty"):
        pyautograd.zeros(0, dtype=pyautograd.int64).median()
    torch = pytest.importorskip("torch")
    assert torch.zeros(0, dtype=torch.int64).median().item() == -(2**63)


def test_no_grad_write_into_a_split_output() -> None:
    """torch-multi-output-view-no-grad-write: PyTorch allows the write under no_grad, then
    raises when the view's is_leaf is read; pyautograd's view keeps a history."""

    def run(lib: Any) -> Any:
        x = lib.tensor([[-2.0]], requires_grad=True)
        a = x.split(1, dim=-1)[0]
        with lib.no_grad():
            a.neg_()
        return a

    a = run(pyautograd)
    assert a.is_leaf is False and a.tolist() == [[2.0]]
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="multiple views"):
        _ = run(torch).is_leaf


def test_advanced_index_write_into_an_expanded_tensor() -> None:
    """torch-index-put-expanded: with autograd recording, PyTorch writes only the indexed
    elements into the expanded memory; pyautograd copies the whole result back, so the last
    copy of each shared element wins."""

    def run(lib: Any) -> Any:
        b = lib.tensor([[[-2.0, -2.0, -2.0]]], dtype=lib.float64)
        e = b.expand(4, 2, -1)
        v = lib.tensor([1.0], dtype=lib.float64, requires_grad=True)
        e[lib.tensor([0]), lib.tensor([1]), lib.tensor([0, 1])] = v
        return b.tolist()

    assert run(pyautograd) == [[[-2.0, -2.0, -2.0]]]
    torch = pytest.importorskip("torch")
    with pytest.warns(UserWarning, match="expanded"):
        assert run(torch) == [[[1.0, 1.0, -2.0]]]


def test_unique_dim_with_nan() -> None:
    """torch-unique-dim-nan: the order of slices holding NaN is PyTorch's sort's accident;
    pyautograd sorts NaN last."""
    nan = float("nan")
    r = pyautograd.unique(pyautograd.tensor([[[nan, nan, 1.0]]], dtype=pyautograd.float64), dim=-1)
    assert str(r.tolist()) == "[[[1.0, nan, nan]]]"
    torch = pytest.importorskip("torch")
    t = torch.unique(torch.tensor([[[nan, nan, 1.0]]], dtype=torch.float64), dim=-1)
    assert str(t.tolist()) == "[[[nan, nan, 1.0]]]"


def test_in_place_write_into_a_logsumexp_input() -> None:
    """torch-logsumexp-saves-input: PyTorch's node saves the input, so writing into it makes
    backward raise; pyautograd's composite saved exp(x - max) and gives the gradient of the
    values before the write (softmax of them)."""

    def run(lib: Any) -> Any:
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        y = x * 1
        r = y.logsumexp(0)
        y.mul_(2)
        r.backward()
        return x.grad.tolist()

    e = np.exp([1.0, 2.0])
    np.testing.assert_allclose(run(pyautograd), e / e.sum(), rtol=1e-14)
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        run(torch)


@pytest.mark.parametrize("case", ["gather", "addcdiv", "logcumsumexp"])
def test_in_place_writes_into_tensors_only_pytorch_saves(case: str) -> None:
    """torch-gather-saves-self, torch-addcdiv-saves-operands, torch-logcumsumexp-saves-result:
    PyTorch's node saves the tensor written into, so backward raises; pyautograd's gradient
    does not read it and is the one of the values before the write."""

    def run(lib: Any) -> Any:
        x = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
        if case == "gather":
            t = x * 1
            y = t.gather(0, lib.tensor([2, 0]))
            t.add_(1)
        elif case == "addcdiv":
            t = lib.tensor([2.0, 4.0, 8.0], dtype=lib.float64)
            y = x.addcdiv(lib.ones(3, dtype=lib.float64), t)
            t.add_(1)
        else:
            y = (x * 1).logcumsumexp(0)
            z = y * 1
            y.add_(1)
            y = z
        y.sum().backward()
        return x.grad.tolist()

    ours = run(pyautograd)
    if case == "gather":
        assert ours == [1.0, 0.0, 1.0]
    elif case == "addcdiv":
        assert ours == [1.0, 1.0, 1.0]
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        run(torch)


def test_unique_inverse_of_several_nans() -> None:
    """torch-unique-inverse-nan: every NaN is a unique value of its own in both libraries; which
    of the NaN entries each position's inverse names follows PyTorch's (unstable) sort, while
    pyautograd numbers them in order of position. Either is a valid inverse: values[inverse]
    rebuilds the input."""
    nan = float("nan")
    data = [[nan, 1.0, nan], [0.0, nan, 1.0]]

    def run(L: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        v, inv, cnt = L.unique(L.tensor(data), return_inverse=True, return_counts=True)
        return np.array(v.numpy()), np.array(inv.numpy()), np.array(cnt.numpy())

    v, inv, cnt = run(pyautograd)
    np.testing.assert_array_equal(v[inv], np.array(data, dtype=np.float32))
    nan_inv = inv[np.isnan(np.array(data))]
    assert sorted(nan_inv.tolist()) == nan_inv.tolist()  # in order of position
    torch = pytest.importorskip("torch")
    tv, tinv, tcnt = run(torch)
    np.testing.assert_array_equal(tv, v)
    np.testing.assert_array_equal(tcnt, cnt)
    np.testing.assert_array_equal(tv[tinv], np.array(data, dtype=np.float32))


@pytest.mark.parametrize("op", ["cummax", "cummin"])
def test_cummax_of_an_empty_tensor_gradient(op: str) -> None:
    """torch-cummax-empty-grad: PyTorch's cummax/cummin backward returns the input itself for
    an empty input, so autograd.grad hands back the leaf (requires_grad=True); pyautograd's is
    an empty gradient that does not require grad."""

    def run(L: Any) -> tuple[Any, Any]:
        x = L.zeros((0,), requires_grad=True)
        (g,) = L.autograd.grad(getattr(x, op)(0)[0].sum(), [x])
        return x, g

    x, g = run(pyautograd)
    assert tuple(g.shape) == (0,) and not g.requires_grad and g is not x
    torch = pytest.importorskip("torch")
    tx, tg = run(torch)
    assert tg.requires_grad and tg is tx
