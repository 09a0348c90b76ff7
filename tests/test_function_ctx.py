"""A Function's ctx.saved_tensors: the core's saved tensors (version check, freeing), and the
device rule shared by every device= argument; both as PyTorch's."""

from __future__ import annotations

import pytest

import pyautograd as pa
from pyautograd.autograd import Function


class Square(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x, None)
        return x * x

    @staticmethod
    def backward(ctx, g):
        x, none = ctx.saved_tensors
        assert none is None
        return 2 * g * x


def test_saved_tensors_give_the_gradient():
    x = pa.tensor([1.0, -2.0, 3.0], dtype=pa.float64, requires_grad=True)
    Square.apply(x).sum().backward()
    assert x.grad.tolist() == [2.0, -4.0, 6.0]


def test_a_saved_tensor_modified_in_place_is_refused_naming_the_node():
    x = pa.tensor([1.0, -2.0, 3.0], dtype=pa.float64, requires_grad=True)
    y = x * 1.0
    out = Square.apply(y).sum()
    y.add_(1.0)
    with pytest.raises(RuntimeError, match=r"\[SquareBackward\].*modified by an inplace operation"):
        out.backward()


def test_saved_tensors_are_freed_after_backward():
    x = pa.tensor([1.0, 2.0], dtype=pa.float64, requires_grad=True)
    out = Square.apply(x).sum()
    out.backward()
    with pytest.raises(RuntimeError, match="second time"):
        out.backward()
    out = Square.apply(x).sum()
    out.backward(retain_graph=True)
    out.backward()  # retained: usable again
    assert x.grad.tolist() == [2.0 + 2.0 + 2.0, 4.0 + 4.0 + 4.0]


def test_against_torch_inplace_on_saved_tensor():
    torch = pytest.importorskip("torch")

    class TSquare(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * g * x

    for lib, fn in ((torch, TSquare), (pa, Square)):
        x = lib.tensor([1.0, -2.0], dtype=lib.float64, requires_grad=True)
        y = x * 1.0
        out = fn.apply(y).sum()
        y.mul_(2.0)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            out.backward()


@pytest.mark.parametrize("dev", ["cpu", "cpu:0", "cpu:1", pa.device("cpu"), None])
def test_the_cpu_is_accepted_everywhere(dev):
    assert pa.zeros(2, device=dev).shape == (2,)
    assert pa.tensor([1.0], device=dev).shape == (1,)
    if dev is not None:
        assert pa.ones(1).to(dev).shape == (1,)
    pa.set_default_device(dev)


def test_cpu_indices_as_torch():
    torch = pytest.importorskip("torch")
    for dev in ("cpu", "cpu:0", "cpu:3"):
        assert torch.zeros(1, device=dev).device.type == "cpu"
        assert pa.zeros(1, device=dev).shape == (1,)


@pytest.mark.parametrize("dev", ["cuda", "cuda:0", "meta", "cpu:", "cpux", pa.device("cuda")])
def test_any_other_device_is_refused_by_the_one_rule(dev):
    for make, op in (
        (lambda: pa.zeros(2, device=dev), "zeros"),
        (lambda: pa.tensor([1.0], device=dev), "tensor"),
        (lambda: pa.set_default_device(dev), "set_default_device"),
    ):
        with pytest.raises(RuntimeError, match=rf"\[{op}\] device '{dev}' is not available"):
            make()


def test_a_function_saving_nothing_runs_a_second_backward_as_in_torch():
    """The graph freed, a Function whose backward reads no saved tensor runs again (PyTorch
    raises only when ctx.saved_tensors is read); one that reads them raises in both."""
    torch = pytest.importorskip("torch")

    def make(base, saves):
        class Twice(base):
            @staticmethod
            def forward(ctx, x):
                ctx.k = 2.0
                if saves:
                    ctx.save_for_backward(x)
                return x * 2

            @staticmethod
            def backward(ctx, g):
                if saves:
                    ctx.saved_tensors  # noqa: B018
                return g * ctx.k

        return Twice

    for lib, base in ((pa, Function), (torch, torch.autograd.Function)):
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        y = make(base, False).apply(x)
        y.sum().backward()
        y.sum().backward()
        assert x.grad.tolist() == [4.0, 4.0]
        y = make(base, True).apply(x)
        y.sum().backward()
        with pytest.raises(RuntimeError, match=r"second time|freed"):
            y.sum().backward()
