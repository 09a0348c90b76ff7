"""Dropout3d, AlphaDropout, FeatureAlphaDropout and RReLU: eval behaviour and the p = 0 / p = 1
cases against PyTorch, and the structure of the random training outputs (their draws are
compared with PyTorch's bit for bit in test_random_torch.py)."""

import math

import numpy as np
import pytest
from nn_helpers import assert_close, torch_or_skip

import pyautograd as pa
from pyautograd import nn
from pyautograd.nn import functional as F

rng = np.random.default_rng(0)
ALPHA = 1.7580993408473766


def test_eval_and_edge_probabilities_match_torch():
    torch = torch_or_skip()
    x = rng.standard_normal((2, 3, 2, 2, 2))
    for make in [
        lambda L: L.nn.Dropout3d(0.3),
        lambda L: L.nn.AlphaDropout(0.3),
        lambda L: L.nn.FeatureAlphaDropout(0.3),
        lambda L: L.nn.RReLU(0.1, 0.3),
    ]:
        pm, tm = make(pa).eval(), make(torch).eval()
        assert repr(pm) == repr(tm)
        assert_close(pm(pa.tensor(x)), tm(torch.tensor(x)))
    for p in (0.0, 1.0):
        for name in ("dropout3d", "alpha_dropout", "feature_alpha_dropout"):
            a = getattr(F, name)(pa.tensor(x), p, True)
            b = getattr(torch.nn.functional, name)(torch.tensor(x), p, True)
            assert_close(a, b)
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.alpha_dropout(pa.tensor(x), 1.5, True)


def test_alpha_dropout_training_values_and_moments():
    p = 0.2
    x = pa.randn(200000, dtype=pa.float64)
    y = F.alpha_dropout(x, p, True)
    a = 1.0 / math.sqrt((ALPHA * ALPHA * p + 1) * (1 - p))
    xs, ys = np.array(x.tolist()), np.array(y.tolist())
    kept = np.isclose(ys, xs * a + ALPHA * a * p)
    dropped = np.isclose(ys, -ALPHA * a + ALPHA * a * p)
    assert np.all(kept | dropped)
    assert abs(dropped.mean() - p) < 0.01
    assert abs(ys.mean()) < 0.02 and abs(ys.std() - 1) < 0.02  # self-normalizing


def test_feature_alpha_dropout_and_dropout3d_drop_whole_channels():
    x = pa.ones(4, 6, 2, 3, 2, dtype=pa.float64)
    for out in (F.feature_alpha_dropout(x, 0.5, True), F.dropout3d(x, 0.5, True)):
        v = np.array(out.tolist()).reshape(4, 6, -1)
        assert np.all(v == v[:, :, :1])  # constant over each channel
    v = np.array(F.dropout3d(x, 0.5, True).tolist())
    assert set(np.unique(v)) <= {0.0, 2.0}
    unbatched = F.dropout3d(pa.ones(3, 2, 2, 2), 0.5, True)
    assert unbatched.shape == (3, 2, 2, 2)


def test_rrelu_training_slopes_and_gradient():
    x = pa.tensor(rng.standard_normal(2000), requires_grad=True)
    y = F.rrelu(x, 0.1, 0.3, training=True)
    y.sum().backward()
    xs, ys, gs = np.array(x.tolist()), np.array(y.tolist()), np.array(x.grad.tolist())
    neg = xs < 0
    slopes = ys[neg] / xs[neg]
    assert np.all((slopes >= 0.1) & (slopes <= 0.3))
    assert slopes.std() > 0.03  # random per element
    np.testing.assert_allclose(gs[neg], slopes)
    np.testing.assert_array_equal(ys[~neg], xs[~neg])
    np.testing.assert_array_equal(gs[~neg], 1.0)
    m = nn.RReLU(inplace=True).eval()
    t = pa.tensor([-1.0, 2.0])
    assert m(t) is t
    assert_close(t, np.array([-(1 / 8 + 1 / 3) / 2, 2.0]))


def test_gumbel_softmax_samples_the_softmax_and_passes_the_soft_gradient():
    logits = np.array([1.0, 2.0, 0.5])
    x = pa.tensor(np.tile(logits, (20000, 1)), requires_grad=True)
    hard = F.gumbel_softmax(x, tau=0.5, hard=True)
    h = np.array(hard.tolist())
    assert set(np.unique(h)) == {0.0, 1.0}
    np.testing.assert_array_equal(h.sum(1), 1.0)
    probs = np.exp(logits) / np.exp(logits).sum()
    np.testing.assert_allclose(h.mean(0), probs, atol=0.015)  # the Gumbel-max trick
    soft = F.gumbel_softmax(pa.tensor(np.tile(logits, (5, 1))), tau=2.0)
    np.testing.assert_allclose(np.array(soft.tolist()).sum(1), 1.0)
    (hard * pa.tensor([1.0, 2.0, 3.0])).sum().backward()
    g = np.array(x.grad.tolist())
    np.testing.assert_allclose(g.sum(1), 0.0, atol=1e-6)  # softmax's gradient sums to 0
    assert np.abs(g).max() > 0
