"""Convolutions (F.conv1d/conv2d, nn.Conv1d/Conv2d) and F.pad against PyTorch: outputs and
gradients over the parameter grid, float64 gradchecks of the C++ backward kernels, PyTorch's
initialisation, reprs and errors."""

import itertools
import math

import numpy as np
import pytest
from conv_helpers import run_both
from nn_helpers import assert_close, copy_params, pa_of, torch_of, torch_or_skip

import pyautograd as pa
from pyautograd import nn
from pyautograd.autograd import gradcheck

F = nn.functional
rng = np.random.default_rng(0)

CONV2D_GRID = [
    # (n, c, h, w, out, kernel, stride, padding, dilation, groups, bias)
    (2, 3, 7, 9, 4, 3, 1, 0, 1, 1, True),
    (2, 4, 8, 8, 6, 3, 1, 1, 1, 2, True),
    (1, 3, 11, 6, 5, (2, 3), (2, 1), (1, 0), (1, 2), 1, False),
    (3, 6, 5, 5, 6, 1, 1, 0, 1, 3, True),  # pointwise, depthwise-like groups
    (2, 2, 10, 7, 4, 3, 3, 2, 2, 1, True),
    (1, 4, 6, 6, 4, 3, 2, 1, 1, 4, True),  # depthwise
    (2, 3, 5, 5, 2, 5, 1, 2, 1, 1, True),  # kernel as large as the input
    (2, 3, 9, 9, 2, 1, 2, 0, 1, 1, True),  # 1x1 with stride
    (1, 1, 1, 1, 1, 1, 1, 0, 1, 1, True),
]


@pytest.mark.parametrize("cfg", CONV2D_GRID)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_conv2d_matches_torch(cfg, dtype):
    torch = torch_or_skip()
    n, c, h, w, o, k, s, p, d, g, bias = cfg
    kk = (k, k) if isinstance(k, int) else k
    x = rng.standard_normal((n, c, h, w))
    wt = rng.standard_normal((o, c // g, *kk))
    arrays = [x, wt] + ([rng.standard_normal(o)] if bias else [])

    def call(lib_f):
        return lambda *t: lib_f(*t[:2], t[2] if bias else None, s, p, d, g)

    run_both(call(F.conv2d), call(torch.nn.functional.conv2d), arrays, dtype)


@pytest.mark.parametrize(
    "cfg",
    [
        (2, 3, 9, 4, 3, 1, 0, 1, 1),
        (1, 4, 10, 6, 3, 2, 1, 2, 2),
        (3, 2, 7, 2, 1, 1, 0, 1, 2),
        (2, 3, 6, 3, 6, 1, 3, 1, 1),
        (2, 4, 13, 8, 4, 3, 2, 1, 4),
    ],
)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_conv1d_matches_torch(cfg, dtype):
    torch = torch_or_skip()
    n, c, length, o, k, s, p, d, g = cfg
    arrays = [
        rng.standard_normal((n, c, length)),
        rng.standard_normal((o, c // g, k)),
        rng.standard_normal(o),
    ]
    run_both(
        lambda x, w, b: F.conv1d(x, w, b, s, p, d, g),
        lambda x, w, b: torch.nn.functional.conv1d(x, w, b, s, p, d, g),
        arrays,
        dtype,
    )


@pytest.mark.parametrize("padding", ["same", "valid"])
@pytest.mark.parametrize("kernel,dilation", [(3, 1), (4, 1), ((2, 5), (3, 1)), (1, 1)])
def test_conv2d_string_padding(padding, kernel, dilation):
    torch = torch_or_skip()
    kk = (kernel, kernel) if isinstance(kernel, int) else kernel
    arrays = [rng.standard_normal((2, 3, 9, 10)), rng.standard_normal((4, 3, *kk))]
    run_both(
        lambda x, w: F.conv2d(x, w, padding=padding, dilation=dilation),
        lambda x, w: torch.nn.functional.conv2d(x, w, padding=padding, dilation=dilation),
        arrays,
    )


@pytest.mark.parametrize("kernel", [2, 3])
def test_conv1d_same_padding_even_kernel(kernel):
    torch = torch_or_skip()
    arrays = [rng.standard_normal((2, 3, 8)), rng.standard_normal((2, 3, kernel))]
    run_both(
        lambda x, w: F.conv1d(x, w, padding="same"),
        lambda x, w: torch.nn.functional.conv1d(x, w, padding="same"),
        arrays,
    )


def test_unbatched_inputs():
    torch = torch_or_skip()
    arrays = [rng.standard_normal((3, 6, 7)), rng.standard_normal((5, 3, 3, 2))]
    run_both(
        lambda x, w: F.conv2d(x, w, stride=2, padding=1),
        lambda x, w: torch.nn.functional.conv2d(x, w, stride=2, padding=1),
        arrays,
    )
    arrays = [rng.standard_normal((4, 9)), rng.standard_normal((2, 4, 3))]
    run_both(
        lambda x, w: F.conv1d(x, w, padding=1),
        lambda x, w: torch.nn.functional.conv1d(x, w, padding=1),
        arrays,
    )


def test_non_contiguous_input_and_weight():
    torch = torch_or_skip()
    arrays = [rng.standard_normal((2, 3, 8, 6)), rng.standard_normal((4, 3, 3, 3))]
    run_both(
        lambda x, w: F.conv2d(x.transpose(2, 3), w.transpose(2, 3), padding=1),
        lambda x, w: torch.nn.functional.conv2d(x.transpose(2, 3), w.transpose(2, 3), padding=1),
        arrays,
    )


def test_gradient_only_for_weight_and_accumulates():
    x = pa.randn(2, 3, 5, 5, dtype=pa.float64)
    w = pa.randn(4, 3, 3, 3, dtype=pa.float64, requires_grad=True)
    F.conv2d(x, w).sum().backward()
    g1 = np.array(w.grad.tolist())
    F.conv2d(x, w).sum().backward()
    np.testing.assert_allclose(np.array(w.grad.tolist()), 2 * g1, rtol=1e-12)
    assert x.grad is None


def test_conv_gradcheck():
    x = pa.randn(2, 4, 5, 6, dtype=pa.float64, requires_grad=True)
    w = pa.randn(6, 2, 3, 2, dtype=pa.float64, requires_grad=True)
    b = pa.randn(6, dtype=pa.float64, requires_grad=True)
    assert gradcheck(lambda x, w, b: F.conv2d(x, w, b, (2, 1), (1, 2), (1, 2), 2), (x, w, b))
    x1 = pa.randn(2, 3, 7, dtype=pa.float64, requires_grad=True)
    w1 = pa.randn(2, 3, 3, dtype=pa.float64, requires_grad=True)
    assert gradcheck(lambda x, w: F.conv1d(x, w, None, 2, 1, 2), (x1, w1))
    # Through two convolutions (the second reads the first's non-contiguous output).
    w2 = pa.randn(3, 6, 1, 2, dtype=pa.float64)
    assert gradcheck(
        lambda x: F.conv2d(F.conv2d(x, w, b, padding=1, groups=2).transpose(2, 3), w2), (x,)
    )


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize(
    "shape,pads",
    [
        ((2, 3, 5, 6), (1, 2, 2, 1)),
        ((2, 3, 5), (2, 3)),
        ((3, 4, 5), (1, 0, 0, 2)),
        ((1, 2, 3, 4, 5), (1, 1, 1, 2, 2, 0)),
        ((2, 3, 5, 6), (0, 0, 0, 0)),
    ],
)
def test_pad_matches_torch(mode, shape, pads):
    torch = torch_or_skip()
    value = 1.5 if mode == "constant" else None
    run_both(
        lambda x: F.pad(x, pads, mode, value),
        lambda x: torch.nn.functional.pad(x, pads, mode, value),
        [rng.standard_normal(shape)],
    )


@pytest.mark.parametrize("pads", [(-1, 2), (1, -2, 0, 1), (2, 2, 1, 1, 1, 1, 0, 1), (-1, -1)])
def test_constant_pad_negative_and_many_dims(pads):
    torch = torch_or_skip()
    if len(pads) > 6:
        with pytest.raises(RuntimeError, match=r"\[pad\]"):
            F.pad(pa.randn(2, 3, 4, 5), pads)
        return
    run_both(
        lambda x: F.pad(x, pads),
        lambda x: torch.nn.functional.pad(x, pads),
        [rng.standard_normal((2, 3, 4, 5))],
    )


def test_pad_integer_tensor():
    torch = torch_or_skip()
    x = pa.tensor([[1, 2, 3], [4, 5, 6]])
    got = F.pad(x, (1, 2), value=7)
    want = torch.nn.functional.pad(torch.tensor([[1, 2, 3], [4, 5, 6]]), (1, 2), value=7)
    assert got.dtype == pa.int64
    assert got.tolist() == want.tolist()


def test_pad_gradcheck():
    x = pa.randn(2, 3, 4, 5, dtype=pa.float64, requires_grad=True)
    for mode in ["constant", "reflect", "replicate", "circular"]:
        assert gradcheck(lambda x, m=mode: F.pad(x, (1, 2, 3, 0), m), (x,))


def test_pad_errors():
    x = pa.randn(1, 2, 3)
    with pytest.raises(RuntimeError, match="Padding size should be less than"):
        F.pad(x, (3, 0), "reflect")
    with pytest.raises(RuntimeError, match="divisible by 2"):
        F.pad(x, (1, 2, 3))
    with pytest.raises(ValueError, match="padding mode"):
        F.pad(x, (1, 1), "wrap")
    with pytest.raises(RuntimeError, match="less than or equal to two times"):
        F.pad(pa.randn(3), (1, 1, 1, 1))


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"stride": 2, "padding": 1},
        {"padding": "same", "dilation": 2},
        {"padding": (1, 2), "groups": 2, "bias": False},
        {"padding": 1, "padding_mode": "reflect"},
        {"padding": (2, 1), "padding_mode": "replicate", "stride": (1, 2)},
        {"padding": 1, "padding_mode": "circular"},
        {"padding": "same", "padding_mode": "reflect"},
        {"padding": "valid"},
    ],
)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_conv2d_module_matches_torch(kwargs, dtype):
    torch = torch_or_skip()
    tm = torch.nn.Conv2d(4, 6, 3, **kwargs).to(getattr(torch, dtype))
    pm = nn.Conv2d(4, 6, 3, **kwargs).to(getattr(pa, dtype))
    copy_params(pm, tm)
    assert repr(pm) == repr(tm)
    x = rng.standard_normal((2, 4, 7, 8))
    px, tx = pa_of(x, getattr(pa, dtype), True), torch_of(x, torch, getattr(torch, dtype), True)
    po, to = pm(px), tm(tx)
    rtol, atol = (1e-7, 1e-9) if dtype == "float64" else (2e-5, 2e-5)
    assert_close(po, to, rtol, atol, "output")
    gw = rng.standard_normal(tuple(to.shape))
    (po * pa_of(gw, po.dtype)).sum().backward()
    (to * torch_of(gw, torch, to.dtype)).sum().backward()
    assert_close(px.grad, tx.grad, rtol, atol, "input grad")
    for (name, p), (_, t) in zip(pm.named_parameters(), tm.named_parameters(), strict=True):
        assert_close(p.grad, t.grad, rtol, atol, name)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"stride": 2, "padding": 2, "dilation": 2},
        {"groups": 3, "bias": False},
        {"padding": "same"},
        {"padding": 1, "padding_mode": "circular"},
    ],
)
def test_conv1d_module_matches_torch(kwargs):
    torch = torch_or_skip()
    tm = torch.nn.Conv1d(3, 6, 3, **kwargs).double()
    pm = nn.Conv1d(3, 6, 3, **kwargs).double()
    copy_params(pm, tm)
    assert repr(pm) == repr(tm)
    for shape in [(2, 3, 11), (3, 10), (1, 3, 5)]:
        x = rng.standard_normal(shape)
        px, tx = pa_of(x, pa.float64, True), torch_of(x, torch, torch.float64, True)
        assert_close(pm(px), tm(tx), 1e-9, 1e-10, f"output {shape}")
        pm(px).sum().backward()
        tm(tx).sum().backward()
        assert_close(px.grad, tx.grad, 1e-9, 1e-10, "input grad")


def test_conv_init_matches_pytorch_distribution():
    torch = torch_or_skip()
    pm = nn.Conv2d(8, 64, (3, 5), groups=2)
    tm = torch.nn.Conv2d(8, 64, (3, 5), groups=2)
    fan_in = 4 * 3 * 5
    bound = 1 / math.sqrt(fan_in)
    for p, t in ((pm.weight, tm.weight), (pm.bias, tm.bias)):
        a = np.array(p.tolist())
        assert a.shape == tuple(t.shape)
        assert np.abs(a).max() <= bound + 1e-7
        assert np.abs(a).max() > 0.8 * bound  # uses the whole range
    w = np.array(pm.weight.tolist()).ravel()
    assert abs(w.std() - bound / math.sqrt(3)) < 0.1 * bound  # uniform(-b, b): std b / sqrt 3
    assert list(pm.state_dict()) == list(tm.state_dict())
    assert pm.weight.dtype == pa.float32


def test_conv_module_attributes():
    torch = torch_or_skip()
    for args, kwargs in [((3, 4, 3), {}), ((2, 4, (1, 3)), {"padding": "same", "stride": 1})]:
        pm, tm = nn.Conv2d(*args, **kwargs), torch.nn.Conv2d(*args, **kwargs)
        for a in [
            "in_channels",
            "out_channels",
            "kernel_size",
            "stride",
            "padding",
            "dilation",
            "groups",
            "padding_mode",
            "transposed",
            "output_padding",
        ]:
            assert getattr(pm, a) == getattr(tm, a), a


def test_conv_errors():
    x = pa.randn(2, 3, 5, 5)
    w = pa.randn(4, 3, 3, 3)
    with pytest.raises(RuntimeError, match=r"Expected 3D \(unbatched\) or 4D \(batched\) input"):
        F.conv2d(pa.randn(3, 5), w)
    with pytest.raises(RuntimeError, match=r"expected input.*to have 3 channels, but got 2"):
        F.conv2d(pa.randn(2, 2, 5, 5), w)
    with pytest.raises(RuntimeError, match="Kernel size can't be greater"):
        F.conv2d(pa.randn(1, 3, 2, 2), w)
    with pytest.raises(RuntimeError, match="expected bias to be 1-dimensional with 4"):
        F.conv2d(x, w, pa.randn(3))
    with pytest.raises(RuntimeError, match="divisible by 2"):
        F.conv2d(pa.randn(1, 6, 5, 5), pa.randn(3, 3, 3, 3), groups=2)
    with pytest.raises(TypeError, match=r"\[conv2d\].*float64"):
        F.conv2d(x.double(), w)
    with pytest.raises(RuntimeError, match="non-positive stride"):
        F.conv2d(x, w, stride=0)
    with pytest.raises(RuntimeError, match="negative padding"):
        F.conv2d(x, w, padding=-1)
    with pytest.raises(RuntimeError, match="strided"):
        F.conv2d(x, w, stride=2, padding="same")
    with pytest.raises(ValueError, match="Invalid padding string"):
        F.conv2d(x, w, padding="full")
    with pytest.raises(RuntimeError, match=r"\[conv1d\]"):
        F.conv1d(pa.randn(2, 3, 5), pa.randn(4, 2, 3))
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        nn.Conv2d(3, 4, 3, padding_mode="wrap")
    with pytest.raises(ValueError, match="strided convolutions"):
        nn.Conv2d(3, 4, 3, stride=2, padding="same")
    with pytest.raises(TypeError):
        F.conv2d(pa.tensor([[[[1, 2], [3, 4]]]]), pa.tensor([[[[1]]]]))


def test_conv_empty_batch():
    torch = torch_or_skip()
    arrays = [np.zeros((0, 3, 5, 5)), rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4)]
    run_both(
        lambda x, w, b: F.conv2d(x, w, b, padding=1),
        lambda x, w, b: torch.nn.functional.conv2d(x, w, b, padding=1),
        arrays,
    )


def test_conv2d_grid_exhaustive_small():
    """Every combination of stride, padding, dilation and groups on one small input."""
    torch = torch_or_skip()
    x = rng.standard_normal((2, 4, 6, 5))
    for s, p, d, g in itertools.product([1, 2, 3], [0, 1, 2], [1, 2], [1, 2, 4]):
        if 6 + 2 * p < d * 2 + 1 or 5 + 2 * p < d * 2 + 1:
            continue
        wt = rng.standard_normal((4, 4 // g, 3, 3))
        b = rng.standard_normal(4)
        args = (s, p, d, g)
        run_both(
            lambda x, w, b, a=args: F.conv2d(x, w, b, *a),
            lambda x, w, b, a=args: torch.nn.functional.conv2d(x, w, b, *a),
            [x, wt, b],
        )
