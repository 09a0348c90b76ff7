"""Pooling (max, avg, adaptive), BatchNorm2d, Dropout1d/2d and the padding layers against
PyTorch: outputs, indices and gradients over the parameter grid, float64 gradchecks of the
C++ backward kernels, reprs and errors."""

import itertools

import numpy as np
import pytest
from conv_helpers import run_both
from nn_helpers import assert_close, copy_params, pa_of, torch_of, torch_or_skip

import pyautograd as pa
from pyautograd import nn
from pyautograd.autograd import gradcheck

F = nn.functional
rng = np.random.default_rng(0)


def _max_pool_cases():
    for k, s, p, d, ceil in itertools.product(
        [2, 3, (2, 3)], [None, 1, 2], [0, 1], [1, 2], [False, True]
    ):
        kk = (k, k) if isinstance(k, int) else k
        if p * 2 > min((e - 1) * d + 1 for e in kk):
            continue
        yield k, s, p, d, ceil


@pytest.mark.parametrize("k,s,p,d,ceil", list(_max_pool_cases()))
def test_max_pool2d_matches_torch(k, s, p, d, ceil):
    torch = torch_or_skip()
    x = rng.standard_normal((2, 3, 9, 8))
    run_both(
        lambda x: F.max_pool2d(x, k, s, p, d, ceil, True),
        lambda x: torch.nn.functional.max_pool2d(x, k, s, p, d, ceil, True),
        [x],
    )


@pytest.mark.parametrize(
    "k,s,p,d,ceil",
    [
        (2, None, 0, 1, False),
        (3, 2, 1, 1, True),
        (3, 1, 1, 2, False),
        (4, 3, 2, 1, True),
        (1, 1, 0, 1, False),
    ],
)
@pytest.mark.parametrize("shape", [(2, 3, 11), (3, 10), (1, 1, 7)])
def test_max_pool1d_matches_torch(k, s, p, d, ceil, shape):
    torch = torch_or_skip()
    run_both(
        lambda x: F.max_pool1d(x, k, s, p, d, ceil, True),
        lambda x: torch.nn.functional.max_pool1d(x, k, s, p, d, ceil, True),
        [rng.standard_normal(shape)],
    )


def test_max_pool_float32_unbatched_and_ties():
    torch = torch_or_skip()
    run_both(
        lambda x: F.max_pool2d(x, 2, return_indices=True),
        lambda x: torch.nn.functional.max_pool2d(x, 2, return_indices=True),
        [rng.standard_normal((3, 6, 7))],
        "float32",
    )
    ties = np.round(rng.standard_normal((1, 2, 6, 6)))  # many equal values in each window
    run_both(
        lambda x: F.max_pool2d(x, 3, 1, 1, return_indices=True),
        lambda x: torch.nn.functional.max_pool2d(x, 3, 1, 1, return_indices=True),
        [ties],
    )


@pytest.mark.parametrize(
    "k,s,p,ceil,cip,div",
    [
        (2, None, 0, False, True, None),
        (3, 2, 1, False, True, None),
        (3, 2, 1, False, False, None),
        (3, 2, 1, True, True, None),
        (3, 2, 1, True, False, None),
        ((2, 3), (1, 2), (1, 1), True, False, None),
        (3, 3, 1, True, True, 5),
        (4, 3, 2, True, False, None),
    ],
)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_avg_pool2d_matches_torch(k, s, p, ceil, cip, div, dtype):
    torch = torch_or_skip()
    run_both(
        lambda x: F.avg_pool2d(x, k, s, p, ceil, cip, div),
        lambda x: torch.nn.functional.avg_pool2d(x, k, s, p, ceil, cip, div),
        [rng.standard_normal((2, 3, 9, 10))],
        dtype,
    )


@pytest.mark.parametrize(
    "k,s,p,ceil,cip",
    [
        (2, None, 0, False, True),
        (3, 2, 1, True, False),
        (3, 2, 1, True, True),
        (5, 1, 2, False, False),
    ],
)
@pytest.mark.parametrize("shape", [(2, 3, 11), (4, 9)])
def test_avg_pool1d_matches_torch(k, s, p, ceil, cip, shape):
    torch = torch_or_skip()
    run_both(
        lambda x: F.avg_pool1d(x, k, s, p, ceil, cip),
        lambda x: torch.nn.functional.avg_pool1d(x, k, s, p, ceil, cip),
        [rng.standard_normal(shape)],
    )


@pytest.mark.parametrize("out", [1, 3, (2, 5), (None, 4), (7, 9), (10, 3)])
@pytest.mark.parametrize("shape", [(2, 3, 7, 9), (3, 8, 5)])
def test_adaptive_pool2d_matches_torch(out, shape):
    torch = torch_or_skip()
    x = rng.standard_normal(shape)
    run_both(
        lambda x: F.adaptive_avg_pool2d(x, out),
        lambda x: torch.nn.functional.adaptive_avg_pool2d(x, out),
        [x],
    )
    run_both(
        lambda x: F.adaptive_max_pool2d(x, out, True),
        lambda x: torch.nn.functional.adaptive_max_pool2d(x, out, True),
        [x],
    )


@pytest.mark.parametrize("out", [1, 3, 5, 12])
def test_adaptive_pool1d_matches_torch(out):
    torch = torch_or_skip()
    x = rng.standard_normal((2, 3, 10))
    run_both(
        lambda x: F.adaptive_avg_pool1d(x, out),
        lambda x: torch.nn.functional.adaptive_avg_pool1d(x, out),
        [x],
    )
    run_both(
        lambda x: F.adaptive_max_pool1d(x, out, True),
        lambda x: torch.nn.functional.adaptive_max_pool1d(x, out, True),
        [x],
    )


def test_max_pool_nan_propagates_like_torch():
    torch = torch_or_skip()
    x = rng.standard_normal((1, 1, 4, 4))
    x[0, 0, 1, 1] = np.nan
    x[0, 0, 3, 2] = -np.inf
    run_both(
        lambda x: F.max_pool2d(x, 2, return_indices=True),
        lambda x: torch.nn.functional.max_pool2d(x, 2, return_indices=True),
        [x],
        grad_mask=[False],
    )


def test_pool_gradchecks():
    x = pa.randn(2, 3, 6, 7, dtype=pa.float64, requires_grad=True)
    assert gradcheck(lambda x: F.max_pool2d(x, 3, 2, 1, 1, True), (x,))
    assert gradcheck(lambda x: F.max_pool2d(x, 2, 1, 0, 2), (x,))
    assert gradcheck(lambda x: F.avg_pool2d(x, 3, 2, 1, True, False), (x,))
    assert gradcheck(lambda x: F.avg_pool2d(x, 3, 2, 1, True, True, 4), (x,))
    assert gradcheck(lambda x: F.adaptive_avg_pool2d(x, (4, 3)), (x,))
    assert gradcheck(lambda x: F.adaptive_max_pool2d(x, (4, 5)), (x,))
    x1 = pa.randn(2, 3, 9, dtype=pa.float64, requires_grad=True)
    assert gradcheck(lambda x: F.max_pool1d(x, 3, 2, 1), (x1,))
    assert gradcheck(lambda x: F.avg_pool1d(x, 3, 2, 1, True, False), (x1,))
    assert gradcheck(lambda x: F.adaptive_avg_pool1d(x, 4), (x1,))


def test_pool_non_contiguous_input():
    torch = torch_or_skip()
    run_both(
        lambda x: F.max_pool2d(x.transpose(2, 3), 2),
        lambda x: torch.nn.functional.max_pool2d(x.transpose(2, 3), 2),
        [rng.standard_normal((2, 3, 6, 8))],
    )


def test_pool_errors():
    with pytest.raises(RuntimeError, match="pad should be at most half"):
        F.max_pool2d(pa.randn(1, 1, 5, 5), 2, padding=2)
    with pytest.raises(RuntimeError, match="Output size is too small"):
        F.max_pool2d(pa.randn(1, 1, 2, 2), 3)
    with pytest.raises(RuntimeError, match=r"\[max_pool2d\].*3D or 4D"):
        F.max_pool2d(pa.randn(4, 4), 2)
    with pytest.raises(RuntimeError, match=r"\[avg_pool1d\].*2D or 3D"):
        F.avg_pool1d(pa.randn(1, 2, 3, 4), 2)
    with pytest.raises(RuntimeError, match="stride should be greater than zero"):
        F.max_pool2d(pa.randn(1, 1, 5, 5), 2, stride=0)
    with pytest.raises(RuntimeError, match="divisor must be not zero"):
        F.avg_pool2d(pa.randn(1, 1, 5, 5), 2, divisor_override=0)
    with pytest.raises(RuntimeError, match="output_size"):
        F.adaptive_avg_pool2d(pa.randn(1, 1, 5, 5), 0)
    with pytest.raises(TypeError, match="floating point"):
        F.max_pool2d(pa.tensor([[[1, 2], [3, 4]]]), 1)
    with pytest.raises(RuntimeError, match="non-zero size"):
        F.max_pool2d(pa.randn(1, 0, 4, 4), 2)


@pytest.mark.parametrize(
    "make,shape",
    [
        (lambda nn: nn.MaxPool2d(3, 2, 1), (2, 3, 9, 8)),
        (lambda nn: nn.MaxPool2d((2, 3), ceil_mode=True, dilation=(1, 2)), (2, 3, 9, 8)),
        (lambda nn: nn.MaxPool1d(3, 2, 1), (2, 3, 9)),
        (lambda nn: nn.AvgPool2d(3, 2, 1, count_include_pad=False), (2, 3, 9, 8)),
        (lambda nn: nn.AvgPool2d(2, divisor_override=3), (3, 9, 8)),
        (lambda nn: nn.AvgPool1d(3, 2, 1, ceil_mode=True), (2, 3, 9)),
        (lambda nn: nn.AdaptiveAvgPool2d((3, None)), (2, 3, 9, 8)),
        (lambda nn: nn.AdaptiveAvgPool2d(1), (2, 3, 9, 8)),
        (lambda nn: nn.AdaptiveAvgPool1d(4), (2, 3, 9)),
        (lambda nn: nn.AdaptiveMaxPool2d((2, 3)), (2, 3, 9, 8)),
        (lambda nn: nn.AdaptiveMaxPool1d(4), (2, 3, 9)),
        (lambda nn: nn.ZeroPad2d((1, 2, 0, 3)), (2, 3, 4, 5)),
        (lambda nn: nn.ZeroPad1d(2), (2, 3, 4)),
        (lambda nn: nn.ConstantPad2d(1, 3.5), (2, 3, 4, 5)),
        (lambda nn: nn.ConstantPad1d((2, 1), -1.0), (3, 4)),
        (lambda nn: nn.ReflectionPad2d((1, 2, 2, 1)), (2, 3, 4, 5)),
        (lambda nn: nn.ReflectionPad1d(2), (2, 3, 4)),
        (lambda nn: nn.ReplicationPad2d(2), (3, 4, 5)),
        (lambda nn: nn.ReplicationPad1d((0, 3)), (2, 3, 4)),
        (lambda nn: nn.CircularPad2d(1), (2, 3, 4, 5)),
        (lambda nn: nn.CircularPad1d((2, 1)), (2, 3, 4)),
    ],
)
def test_pool_and_pad_modules(make, shape):
    torch = torch_or_skip()
    pm, tm = make(nn), make(torch.nn)
    assert repr(pm) == repr(tm)
    run_both(pm, tm, [rng.standard_normal(shape)])


def test_max_pool_module_return_indices():
    torch = torch_or_skip()
    pm, tm = nn.MaxPool2d(2, return_indices=True), torch.nn.MaxPool2d(2, return_indices=True)
    run_both(pm, tm, [rng.standard_normal((2, 3, 6, 6))])
    pm, tm = nn.AdaptiveMaxPool2d(3, True), torch.nn.AdaptiveMaxPool2d(3, True)
    run_both(pm, tm, [rng.standard_normal((2, 3, 6, 6))])


@pytest.mark.parametrize("momentum", [0.1, None])
@pytest.mark.parametrize("affine,track", [(True, True), (False, True), (True, False)])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_batch_norm2d_matches_torch(momentum, affine, track, dtype):
    torch = torch_or_skip()
    tm = torch.nn.BatchNorm2d(3, momentum=momentum, affine=affine, track_running_stats=track)
    pm = nn.BatchNorm2d(3, momentum=momentum, affine=affine, track_running_stats=track)
    tm, pm = tm.to(getattr(torch, dtype)), pm.to(getattr(pa, dtype))
    if affine:
        with torch.no_grad():
            tm.weight.uniform_(0.5, 1.5)
            tm.bias.uniform_(-0.5, 0.5)
    copy_params(pm, tm)
    assert repr(pm) == repr(tm)
    rtol, atol = (1e-7, 1e-9) if dtype == "float64" else (5e-5, 5e-5)
    for step in range(3):
        x = rng.standard_normal((4, 3, 5, 6)) * 2 + step
        run_both(pm, tm, [x], dtype)
        for (name, p), (_, t) in zip(pm.named_parameters(), tm.named_parameters(), strict=True):
            assert_close(p.grad, t.grad, rtol, atol, name)
        pm.zero_grad(), tm.zero_grad()
    for (name, b), (_, t) in zip(pm.named_buffers(), tm.named_buffers(), strict=True):
        assert_close(b, t, rtol, atol, name)
    pm.eval(), tm.eval()
    run_both(pm, tm, [rng.standard_normal((2, 3, 4, 4))], dtype)


def test_batch_norm2d_errors():
    with pytest.raises(ValueError, match="expected 4D input"):
        nn.BatchNorm2d(3)(pa.randn(2, 3, 4))
    assert not isinstance(nn.BatchNorm2d(3), nn.BatchNorm1d)


def test_dropout2d_drops_whole_channels():
    pa.manual_seed(0)
    x = pa.ones(8, 16, 5, 6)
    y = np.array(nn.Dropout2d(0.5)(x).tolist())
    per_channel = y.reshape(8, 16, -1)
    assert np.all(per_channel.min(-1) == per_channel.max(-1))  # constant per channel
    vals = set(np.unique(per_channel))
    assert vals <= {0.0, 2.0} and vals == {0.0, 2.0}
    frac = (per_channel[..., 0] == 0).mean()
    assert 0.3 < frac < 0.7
    m = nn.Dropout2d(0.5)
    m.eval()
    assert m(x) is x
    y1 = np.array(nn.Dropout1d(0.5)(pa.ones(16, 7)).tolist())  # unbatched (C, L)
    assert np.all(y1.min(-1) == y1.max(-1))
    with pytest.raises(RuntimeError, match="dropout1d: Expected 2D or 3D input"):
        nn.Dropout1d()(pa.ones(2, 3, 4, 5))
    with pytest.warns(UserWarning, match="3D input to dropout2d"):
        nn.Dropout2d()(pa.ones(2, 3, 4))


def test_dropout2d_gradient():
    pa.manual_seed(1)
    x = pa.randn(4, 6, 3, 3, requires_grad=True)
    y = F.dropout2d(x, 0.4)
    y.sum().backward()
    g = np.array(x.grad.tolist())
    yv = np.array(y.tolist())
    xv = np.array(x.tolist())
    mask = np.where(np.abs(xv) > 0, yv / np.where(xv == 0, 1, xv), 0)
    np.testing.assert_allclose(g, mask, rtol=1e-5, atol=1e-6)


def test_reprs_of_dropout_and_batchnorm():
    torch = torch_or_skip()
    for make in [
        lambda nn: nn.Dropout2d(0.3),
        lambda nn: nn.Dropout1d(),
        lambda nn: nn.BatchNorm2d(4, eps=1e-3),
    ]:
        assert repr(make(nn)) == repr(make(torch.nn))
    assert_close(pa_of([1.0]), torch_of([1.0], torch), 0, 0)
