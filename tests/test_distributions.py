"""torch.distributions' Normal, Bernoulli, Categorical, Uniform, Independent and kl_divergence
against PyTorch: shapes, log_prob/entropy/mean/variance values and gradients, validation errors,
sample shapes and moments, rsample gradients."""

import math

import numpy as np
import pytest

import pyautograd as pa

RNG = np.random.default_rng(5)


def _torch():
    return pytest.importorskip("torch")


def _same(a, b, rtol=1e-6, atol=1e-9):
    assert tuple(a.shape) == tuple(b.shape)
    np.testing.assert_allclose(
        np.asarray(a.detach().tolist(), dtype=float), np.asarray(b.detach().tolist(), dtype=float),
        rtol=rtol, atol=atol,
    )  # fmt: skip


def _params(L, *arrays):
    return [L.tensor(a, requires_grad=True) for a in arrays]


def _check(make, value, arrays, extra=()):
    """make(L, *params) in both libraries: equal shapes, log_prob(value), entropy, mean and
    variance, and equal gradients of log_prob + entropy in the parameters."""
    torch = _torch()
    results = []
    for L in (pa, torch):
        ps = _params(L, *arrays)
        d = make(L, *ps)
        v = L.tensor(value)
        lp, ent = d.log_prob(v), d.entropy()
        (lp.sum() + ent.sum()).backward()
        stats = [getattr(d, s) for s in ("mean", "variance", *extra)]
        results.append((d, lp, ent, stats, [p.grad for p in ps]))
    (dp, lp1, e1, s1, g1), (dt, lp2, e2, s2, g2) = results
    assert tuple(dp.batch_shape) == tuple(dt.batch_shape)
    assert tuple(dp.event_shape) == tuple(dt.event_shape)
    _same(lp1, lp2)
    _same(e1, e2)
    for a, b in zip(s1, s2, strict=True):
        _same(a, b)
    for a, b in zip(g1, g2, strict=True):
        _same(a, b)


def test_normal_matches_torch():
    loc, scale = RNG.standard_normal(3), RNG.random(3) + 0.5
    _check(lambda L, m, s: L.distributions.Normal(m, s),
           RNG.standard_normal((2, 3)), [loc, scale], ("stddev",))  # fmt: skip


def test_bernoulli_probs_and_logits_match_torch():
    p = RNG.random((2, 3)) * 0.8 + 0.1
    v = (RNG.random((2, 3)) > 0.5).astype(float)
    _check(lambda L, q: L.distributions.Bernoulli(probs=q), v, [p])
    _check(lambda L, q: L.distributions.Bernoulli(logits=q), v,
           [RNG.standard_normal((2, 3))])  # fmt: skip


def test_categorical_matches_torch():
    p = RNG.random((4, 5)) + 0.1
    v = RNG.integers(0, 5, (3, 4))
    _check(lambda L, q: L.distributions.Categorical(probs=q), v, [p])
    _check(lambda L, q: L.distributions.Categorical(logits=q), v,
           [RNG.standard_normal((4, 5))])  # fmt: skip


def test_uniform_and_independent_match_torch():
    lo, hi = RNG.random(4), RNG.random(4) + 1.5
    _check(lambda L, a, b: L.distributions.Uniform(a, b),
           np.full(4, 1.2), [lo, hi], ("stddev",))  # fmt: skip
    _check(lambda L, m, s: L.distributions.Independent(L.distributions.Normal(m, s), 1),
           RNG.standard_normal((2, 4)),
           [RNG.standard_normal(4), RNG.random(4) + 0.5])  # fmt: skip


def test_kl_divergence_matches_torch():
    torch = _torch()
    a, b = RNG.random((2, 3)) * 0.8 + 0.1, RNG.random((2, 3)) * 0.8 + 0.1
    cases = [
        lambda L: (L.distributions.Normal(L.tensor(a), L.tensor(b + 0.5)),
                   L.distributions.Normal(L.tensor(b), L.tensor(a + 0.5))),
        lambda L: (L.distributions.Categorical(probs=L.tensor(a)),
                   L.distributions.Categorical(probs=L.tensor(b))),
        lambda L: (L.distributions.Bernoulli(probs=L.tensor(a)),
                   L.distributions.Bernoulli(probs=L.tensor(b))),
        lambda L: (L.distributions.Uniform(L.tensor(a), L.tensor(a + 2)),
                   L.distributions.Uniform(L.tensor(b), L.tensor(b + 3))),
    ]  # fmt: skip
    for make in cases:
        _same(pa.distributions.kl_divergence(*make(pa)),
              torch.distributions.kl_divergence(*make(torch)))  # fmt: skip
    with pytest.raises(NotImplementedError, match="No KL"):
        pa.distributions.kl_divergence(*cases[0](pa)[:1], cases[1](pa)[0])


def test_validation_errors_as_in_torch():
    torch = _torch()
    bad = [
        lambda L: L.distributions.Normal(0.0, -1.0),
        lambda L: L.distributions.Bernoulli(probs=L.tensor([1.5])),
        lambda L: L.distributions.Bernoulli(),
        lambda L: L.distributions.Categorical(probs=L.tensor(1.0)),
        lambda L: L.distributions.Uniform(2.0, 1.0),
        lambda L: L.distributions.Normal(0.0, 1.0).log_prob(L.tensor(float("nan"))),
        lambda L: L.distributions.Bernoulli(probs=0.5).log_prob(L.tensor(0.5)),
        lambda L: L.distributions.Categorical(logits=L.zeros(3)).log_prob(L.tensor(3)),
        lambda L: L.distributions.Uniform(0.0, 1.0).log_prob(L.tensor(1.5)),
    ]
    for make in bad:
        with pytest.raises(ValueError) as theirs:
            make(torch)
        with pytest.raises(ValueError) as ours:
            make(pa)
        assert str(ours.value).split(" ")[:2] == str(theirs.value).split(" ")[:2]
    assert pa.distributions.Normal(0.0, -1.0, validate_args=False).scale.item() == -1.0


def test_samples_shapes_moments_and_rsample_gradients():
    pa.manual_seed(0)
    n = pa.distributions.Normal(pa.tensor([1.0, -2.0]), pa.tensor([0.5, 2.0]))
    s = n.sample((20000,))
    assert tuple(s.shape) == (20000, 2) and not s.requires_grad
    assert np.allclose(s.mean(0).tolist(), [1.0, -2.0], atol=0.05)
    assert np.allclose(s.std(0).tolist(), [0.5, 2.0], rtol=0.03)
    loc = pa.tensor([0.0, 1.0], requires_grad=True)
    scale = pa.tensor([1.0, 3.0], requires_grad=True)
    r = pa.distributions.Normal(loc, scale).rsample((5,))
    r.sum().backward()
    assert loc.grad.tolist() == [5.0, 5.0]
    eps = (r.detach() - loc.detach()) / scale.detach()
    np.testing.assert_allclose(scale.grad.numpy(), eps.sum(0).numpy(), rtol=1e-5)
    b = pa.distributions.Bernoulli(probs=pa.tensor([0.2, 0.9])).sample((20000,))
    assert set(np.unique(b.numpy()).tolist()) <= {0.0, 1.0}
    assert np.allclose(b.mean(0).tolist(), [0.2, 0.9], atol=0.02)
    u = pa.distributions.Uniform(pa.tensor(-1.0), pa.tensor(3.0)).sample((20000,))
    assert float(u.min()) >= -1.0 and float(u.max()) < 3.0
    assert math.isclose(float(u.mean()), 1.0, abs_tol=0.05)
