"""LPPool1d/2d, MaxUnpool1d/2d/3d, ChannelShuffle, Softmax2d and MultiLabelMarginLoss against
PyTorch (values and gradients, reprs) and finite differences (float64)."""

import numpy as np
import pytest
from nn_helpers import assert_close, pa_of, torch_or_skip

import pyautograd as pa
from pyautograd.autograd import gradcheck
from pyautograd.nn import functional as F

rng = np.random.default_rng(0)


def _compare(f, arrays, grads):
    torch = torch_or_skip()
    res = []
    for lib in (pa, torch):
        ts = [lib.tensor(a, requires_grad=g) for a, g in zip(arrays, grads, strict=True)]
        out = f(lib, *ts)
        w = np.random.default_rng(1).standard_normal(tuple(out.shape))
        (out * lib.tensor(w, dtype=out.dtype)).sum().backward()
        res.append([out] + [t.grad for t, g in zip(ts, grads, strict=True) if g])
    for a, b in zip(*res, strict=True):
        assert_close(a, b, rtol=1e-9, atol=1e-10)


POS = np.abs(rng.standard_normal((2, 3, 7))) + 0.1
POS2 = np.abs(rng.standard_normal((2, 3, 6, 5))) + 0.1


def _unpool2d(L, t):
    o, i = L.nn.functional.max_pool2d(t, 2, 2, return_indices=True)
    return L.nn.MaxUnpool2d(2, 2)(o, i)


def _unpool2d_size(L, t):
    o, i = L.nn.functional.max_pool2d(t, 3, 2, padding=1, return_indices=True)
    return L.nn.functional.max_unpool2d(o, i, 3, 2, 1, output_size=[2, 3, 6, 5])


def _unpool1d(L, t):
    o, i = L.nn.functional.max_pool1d(t, 2, return_indices=True)
    return L.nn.MaxUnpool1d(2)(o, i)


def _unpool3d(L, t):
    o, i = L.nn.functional.max_pool3d(t, 2, 2, return_indices=True)
    return L.nn.MaxUnpool3d(2, 2)(o, i)


def _unpool3d_size(L, t):
    o, i = L.nn.functional.max_pool3d(t, (3, 2, 3), 2, padding=(1, 0, 1), return_indices=True)
    return L.nn.functional.max_unpool3d(o, i, (3, 2, 3), 2, (1, 0, 1), output_size=[2, 2, 5, 6, 5])


def _unpool3d_unbatched(L, t):
    o, i = L.nn.functional.max_pool3d(t, 2, 1, return_indices=True)
    return L.nn.functional.max_unpool3d(o, i, 2, 1, output_size=[5, 4, 3])


CASES = [
    ("lppool1d_p1", lambda L, t: L.nn.LPPool1d(1.0, 3, 2)(t), [POS]),
    ("lppool1d_p2", lambda L, t: L.nn.LPPool1d(2, 3)(t), [POS]),
    ("lppool1d_p3", lambda L, t: L.nn.LPPool1d(3.0, 2, 1)(t), [POS]),
    ("lppool2d", lambda L, t: L.nn.LPPool2d(2, (2, 3))(t), [POS2]),
    ("lppool2d_ceil", lambda L, t: L.nn.LPPool2d(1.5, 2, 1, True)(t), [POS2]),
    ("maxunpool2d", _unpool2d, [rng.standard_normal((2, 3, 6, 4))]),
    ("maxunpool2d_size", _unpool2d_size, [rng.standard_normal((2, 3, 6, 5))]),
    ("maxunpool1d", _unpool1d, [rng.standard_normal((2, 3, 8))]),
    ("maxunpool3d", _unpool3d, [rng.standard_normal((2, 3, 4, 6, 4))]),
    ("maxunpool3d_size", _unpool3d_size, [rng.standard_normal((2, 2, 5, 6, 5))]),
    ("maxunpool3d_unbatched", _unpool3d_unbatched, [rng.standard_normal((3, 5, 4, 3))]),
    (
        "channel_shuffle",
        lambda L, t: L.nn.ChannelShuffle(3)(t),
        [rng.standard_normal((2, 6, 2, 2))],
    ),
    ("softmax2d", lambda L, t: L.nn.Softmax2d()(t), [rng.standard_normal((2, 6, 2, 2))]),
    ("softmax2d_3d", lambda L, t: L.nn.Softmax2d()(t), [rng.standard_normal((6, 2, 2))]),
]


@pytest.mark.parametrize(("name", "f", "arrays"), CASES, ids=[c[0] for c in CASES])
def test_matches_torch(name, f, arrays):
    _compare(f, arrays, [True] * len(arrays))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_multilabel_margin_loss_matches_torch(reduction):
    target = np.array([[3, 0, -1, 1], [0, 1, 2, 3], [1, -1, 0, 0]])
    _compare(
        lambda L, x, y: L.nn.MultiLabelMarginLoss(reduction=reduction)(x, y),
        [rng.standard_normal((3, 4)), target],
        [True, False],
    )
    _compare(
        lambda L, x, y: L.nn.functional.multilabel_margin_loss(x, y, reduction=reduction),
        [rng.standard_normal(4), np.array([2, 1, -1, 0])],
        [True, False],
    )


def test_reprs_and_gradcheck():
    torch = torch_or_skip()
    for make in [
        lambda nn: nn.LPPool2d(2, (2, 3)),
        lambda nn: nn.LPPool1d(3, 2, stride=1, ceil_mode=True),
        lambda nn: nn.MaxUnpool2d(2),
        lambda nn: nn.MaxUnpool1d(3, stride=2, padding=1),
        lambda nn: nn.MaxUnpool3d(2),
        lambda nn: nn.MaxUnpool3d((1, 2, 3), stride=(2, 1, 1), padding=(0, 1, 1)),
        lambda nn: nn.ChannelShuffle(2),
        lambda nn: nn.Softmax2d(),
        lambda nn: nn.MultiLabelMarginLoss(),
    ]:
        assert repr(make(pa.nn)) == repr(make(torch.nn))
    x = pa_of(np.abs(rng.standard_normal((1, 2, 6))) + 0.2, pa.float64, requires_grad=True)
    assert gradcheck(lambda t: F.lp_pool1d(t, 2.0, 2), (x,))
    y = pa_of(rng.standard_normal((2, 4)), pa.float64, requires_grad=True)
    tgt = pa.tensor([[1, 3, -1, 0], [2, -1, 0, 0]])
    assert gradcheck(lambda t: F.multilabel_margin_loss(t, tgt), (y,))
    z = pa_of(rng.standard_normal((1, 2, 2, 2, 2)), pa.float64, requires_grad=True)
    idx = pa.tensor([[[[[0, 9], [20, 63]], [[1, 2], [3, 4]]]] * 2]).reshape(1, 2, 2, 2, 2)
    assert gradcheck(lambda t: F.max_unpool3d(t, idx, 2, 4), (z,))


def test_errors():
    torch = torch_or_skip()
    for call in [
        lambda L: L.nn.ChannelShuffle(4)(L.randn(1, 6, 2)),
        lambda L: L.nn.Softmax2d()(L.randn(2, 3)),
        lambda L: L.nn.functional.max_unpool3d(
            L.randn(1, 1, 2, 2, 2), L.zeros(1, 1, 2, 2, 2, dtype=L.int64), 2, output_size=[9, 9]
        ),
    ]:
        with pytest.raises(Exception) as ours:
            call(pa)
        with pytest.raises(Exception) as theirs:
            call(torch)
        assert type(ours.value) is type(theirs.value)
        assert str(ours.value) == str(theirs.value)
