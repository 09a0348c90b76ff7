"""Gamma, Chi2, Beta, Dirichlet, StudentT, TransformedDistribution, transforms, constraints and
biject_to/transform_to (pyautograd/distributions/_gamma_family.py, transforms.py,
constraints.py) against PyTorch (float64): log_prob/entropy/moments/cdf and their gradients,
the implicit reparameterisation gradient of gamma samples (PyTorch's _standard_gamma_grad),
Jacobians by finite differences, and moment checks of the samplers."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import pyautograd as pa

torch = pytest.importorskip("torch")
R = np.random.default_rng(7)
D = pa.distributions
TD = torch.distributions


def _close(a: Any, b: Any, rtol: float = 1e-10, atol: float = 1e-12) -> None:
    np.testing.assert_allclose(
        np.asarray(a.detach().numpy(), np.float64),
        np.asarray(b.detach().numpy(), np.float64),
        rtol=rtol,
        atol=atol,
    )


def _params(*arrays: np.ndarray) -> tuple[list[Any], list[Any]]:
    ours = [pa.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    return ours, theirs


POS = R.uniform(0.3, 4.0, (3, 2))
POS2 = R.uniform(0.3, 4.0, (3, 2))
CASES: list[tuple[str, Any, list[np.ndarray], Any]] = [
    ("Gamma", lambda lib, p: lib.distributions.Gamma(p[0], p[1]), [POS, POS2],
     lambda: R.uniform(0.05, 6.0, (3, 2))),
    ("Chi2", lambda lib, p: lib.distributions.Chi2(p[0]), [POS],
     lambda: R.uniform(0.05, 6.0, (3, 2))),
    ("Beta", lambda lib, p: lib.distributions.Beta(p[0], p[1]), [POS, POS2],
     lambda: R.uniform(0.02, 0.98, (3, 2))),
    ("Dirichlet", lambda lib, p: lib.distributions.Dirichlet(p[0]), [R.uniform(0.3, 4, (2, 4))],
     lambda: R.dirichlet(np.ones(4), 2)),
    ("StudentT", lambda lib, p: lib.distributions.StudentT(p[0], p[1], p[2]),
     [R.uniform(0.5, 6.0, (4,)), R.standard_normal(4), R.uniform(0.5, 2.0, 4)],
     lambda: R.standard_normal(4) * 3),
]  # fmt: skip


@pytest.mark.parametrize("name,make,arrays,values", CASES, ids=[c[0] for c in CASES])
def test_against_pytorch(name: str, make: Any, arrays: list[np.ndarray], values: Any) -> None:
    (po, pt) = _params(*arrays)
    d, t = make(pa, po), make(torch, pt)
    assert tuple(d.batch_shape) == tuple(t.batch_shape)
    assert tuple(d.event_shape) == tuple(t.event_shape)
    v = values()
    lp, tlp = d.log_prob(pa.tensor(v)), t.log_prob(torch.tensor(v))
    _close(lp, tlp)
    ent, tent = d.entropy(), t.entropy()
    _close(ent, tent)
    for prop in ("mean", "variance", "mode", "stddev"):
        _close(getattr(d, prop), getattr(t, prop))
    if name in ("Gamma", "Chi2"):
        _close(d.cdf(pa.tensor(v)), t.cdf(torch.tensor(v)), rtol=1e-9)
    # gradients of log_prob and entropy in the parameters
    (lp.sum() + ent.sum()).backward()
    (tlp.sum() + tent.sum()).backward()
    for a, b in zip(po, pt, strict=True):
        _close(a.grad, b.grad, rtol=1e-8, atol=1e-10)
    # samples: shape, support
    s = d.rsample((5,))
    assert tuple(s.shape) == (5, *t.batch_shape, *t.event_shape)
    assert bool(t.support.check(torch.tensor(s.detach().numpy())).all())
    assert d.sample().requires_grad is False


def test_standard_gamma_grad_matches_pytorch() -> None:
    from pyautograd.distributions._gamma_family import _standard_gamma_grad

    a = np.array([0.05, 0.3, 0.5, 1.0, 1.5, 3.0, 7.9, 8.5, 20.0, 50.0, 200.0])
    for x in (0.01, 0.1, 0.5, 0.79, 0.81, 1.5, 4.0, 9.0, 19.0, 21.0, 45.0, 55.0, 180.0):
        xs = np.full_like(a, x)
        ours = _standard_gamma_grad(pa.tensor(a), pa.tensor(xs))
        theirs = torch._standard_gamma_grad(torch.tensor(a), torch.tensor(xs))
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, atol=1e-12)


def test_gamma_rsample_gradient_is_implicit_reparameterisation() -> None:
    a = pa.tensor([0.4, 2.5, 30.0], dtype=pa.float64, requires_grad=True)
    b = pa.tensor([2.0, 0.5, 1.5], dtype=pa.float64, requires_grad=True)
    s = D.Gamma(a, b).rsample((4,))
    s.sum().backward()
    x = (s * b).detach()  # the standard gamma samples
    dx = torch._standard_gamma_grad(
        torch.tensor(a.detach().numpy()).expand(4, 3), torch.tensor(x.numpy())
    ).numpy()
    np.testing.assert_allclose(a.grad.numpy(), (dx / b.detach().numpy()).sum(0), rtol=1e-6)
    np.testing.assert_allclose(
        b.grad.numpy(), -(s.detach().numpy() / b.detach().numpy()).sum(0), rtol=1e-12
    )


@pytest.mark.parametrize(
    "name,make,mean_grad",
    [
        # d E[x] / d params, analytically
        ("Gamma", lambda p: D.Gamma(p[0], p[1]), lambda a, b: (1 / b, -a / b**2)),
        ("Beta", lambda p: D.Beta(p[0], p[1]), lambda a, b: (b / (a + b) ** 2, -a / (a + b) ** 2)),
        ("Dirichlet0", lambda p: D.Dirichlet(pa.stack([p[0], p[1]]).unsqueeze(0)),
         lambda a, b: (b / (a + b) ** 2, -a / (a + b) ** 2)),
    ],
)  # fmt: skip
def test_rsample_mean_gradient(name: str, make: Any, mean_grad: Any) -> None:
    pa.manual_seed(1)
    a0, b0 = 1.7, 2.6
    p = [pa.tensor(a0, dtype=pa.float64, requires_grad=True),
         pa.tensor(b0, dtype=pa.float64, requires_grad=True)]  # fmt: skip
    s = make(p).rsample((40000,))
    if name.startswith("Dirichlet"):
        s = s[..., 0]
    s.mean().backward()
    ga, gb = mean_grad(a0, b0)
    np.testing.assert_allclose(float(p[0].grad), ga, rtol=0.05)
    np.testing.assert_allclose(float(p[1].grad), gb, rtol=0.05)


def test_sample_moments() -> None:
    pa.manual_seed(2)
    n = 40000
    for d, t in [
        (D.Gamma(3.0, 2.0), TD.Gamma(3.0, 2.0)),
        (D.Chi2(4.0), TD.Chi2(4.0)),
        (D.Beta(2.0, 5.0), TD.Beta(2.0, 5.0)),
        (D.StudentT(8.0, 1.0, 2.0), TD.StudentT(8.0, 1.0, 2.0)),
    ]:
        s = d.sample((n,)).numpy()
        m, v = float(t.mean), float(t.variance)
        assert abs(s.mean() - m) < 5 * np.sqrt(v / n), type(d).__name__
        assert abs(s.var() / v - 1) < 0.1, type(d).__name__
    s = D.Dirichlet(pa.tensor([1.0, 2.0, 3.0])).sample((n,)).numpy()
    np.testing.assert_allclose(s.sum(-1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(s.mean(0), [1 / 6, 2 / 6, 3 / 6], atol=0.01)


def test_validation_errors() -> None:
    with pytest.raises(ValueError, match="concentration"):
        D.Gamma(-1.0, 1.0)
    with pytest.raises(ValueError, match="at least one-dimensional"):
        D.Dirichlet(pa.tensor(1.0))
    with pytest.raises(ValueError, match="support"):
        D.Beta(2.0, 2.0).log_prob(pa.tensor(1.5))
    with pytest.raises(ValueError, match="support"):
        D.Gamma(2.0, 2.0).log_prob(pa.tensor(-1.0))


# ---- transforms ------------------------------------------------------------------------------
def _transforms(lib: Any) -> list[tuple[str, Any, Any]]:
    T = lib.distributions.transforms
    return [
        ("exp", T.ExpTransform(), R.standard_normal((3, 2))),
        ("affine", T.AffineTransform(1.5, -2.0), R.standard_normal((3, 2))),
        ("affine_t", T.AffineTransform(lib.tensor([0.5, 1.0], dtype=lib.float64),
                                       lib.tensor([2.0, -3.0], dtype=lib.float64)),
         R.standard_normal((3, 2))),
        ("affine_ev", T.AffineTransform(0.0, lib.tensor([2.0, 3.0], dtype=lib.float64),
                                        event_dim=1), R.standard_normal((3, 2))),
        ("sigmoid", T.SigmoidTransform(), R.standard_normal((3, 2))),
        ("tanh", T.TanhTransform(), R.standard_normal((3, 2))),
        ("power", T.PowerTransform(2.5), R.uniform(0.2, 3.0, (3, 2))),
        ("stick", T.StickBreakingTransform(), R.standard_normal((3, 4))),
        ("compose", T.ComposeTransform([T.AffineTransform(0.3, 0.5), T.SigmoidTransform(),
                                        T.AffineTransform(-1.0, 4.0)]), R.standard_normal(5)),
        ("compose_ev", T.ComposeTransform([T.ExpTransform(), T.StickBreakingTransform()]),
         R.standard_normal((2, 3))),
    ]  # fmt: skip


@pytest.mark.parametrize("i", range(10))
def test_transform_against_pytorch(i: int) -> None:
    _name, t, xv = _transforms(pa)[i]
    _, tt, _ = _transforms(torch)[i]
    x, tx = pa.tensor(xv, requires_grad=True), torch.tensor(xv, requires_grad=True)
    y, ty = t(x), tt(tx)
    _close(y, ty)
    _close(t.inv(y.detach()), tt.inv(ty.detach()), rtol=1e-7, atol=1e-9)
    ladj, tladj = t.log_abs_det_jacobian(x, y), tt.log_abs_det_jacobian(tx, ty)
    _close(ladj, tladj, rtol=1e-9, atol=1e-12)
    (y.sum() + ladj.sum()).backward()
    (ty.sum() + tladj.sum()).backward()
    _close(x.grad, tx.grad, rtol=1e-9, atol=1e-12)
    assert t.domain.event_dim == tt.domain.event_dim
    assert t.codomain.event_dim == tt.codomain.event_dim
    assert t.forward_shape(xv.shape) == tuple(tt.forward_shape(xv.shape))
    assert t.bijective == tt.bijective


@pytest.mark.parametrize("i", [0, 1, 4, 5, 6])
def test_scalar_transform_jacobian_finite_differences(i: int) -> None:
    _, t, xv = _transforms(pa)[i]
    eps = 1e-6
    x = pa.tensor(xv)
    num = (t(pa.tensor(xv + eps)) - t(pa.tensor(xv - eps))).numpy() / (2 * eps)
    np.testing.assert_allclose(t.log_abs_det_jacobian(x, t(x)).numpy(), np.log(np.abs(num)),
                               rtol=1e-6, atol=1e-7)  # fmt: skip


def test_softmax_transform() -> None:
    xv = R.standard_normal((3, 4))
    y = D.transforms.SoftmaxTransform()(pa.tensor(xv))
    _close(y, TD.transforms.SoftmaxTransform()(torch.tensor(xv)))
    assert not D.transforms.SoftmaxTransform().bijective


def _transformed(lib: Any) -> list[tuple[Any, np.ndarray]]:
    R = np.random.default_rng(8)  # the same parameters and values for both libraries
    Dl, T = lib.distributions, lib.distributions.transforms
    f64 = lib.float64
    loc = lib.tensor(R.standard_normal(3), dtype=f64)
    sc = lib.tensor(R.uniform(0.5, 2.0, 3), dtype=f64)
    return [
        (Dl.TransformedDistribution(Dl.Normal(loc, sc), [T.ExpTransform()]),
         R.uniform(0.1, 4.0, (2, 3))),
        (Dl.TransformedDistribution(Dl.Normal(loc, sc),
                                    [T.AffineTransform(0.5, 2.0), T.SigmoidTransform()]),
         R.uniform(0.05, 0.95, (2, 3))),
        (Dl.TransformedDistribution(Dl.Normal(loc, sc), T.TanhTransform()),
         R.uniform(-0.9, 0.9, 3)),
        (Dl.TransformedDistribution(Dl.Normal(loc, sc), [T.StickBreakingTransform()]),
         R.dirichlet(np.ones(4), 2)),
        (Dl.TransformedDistribution(Dl.Gamma(sc, sc), [T.PowerTransform(0.5)]),
         R.uniform(0.1, 3.0, 3)),
    ]  # fmt: skip


@pytest.mark.parametrize("i", range(5))
def test_transformed_distribution_against_pytorch(i: int) -> None:
    d, v = _transformed(pa)[i]
    t, _ = _transformed(torch)[i]
    assert tuple(d.batch_shape) == tuple(t.batch_shape)
    assert tuple(d.event_shape) == tuple(t.event_shape)
    _close(d.log_prob(pa.tensor(v)), t.log_prob(torch.tensor(v)), rtol=1e-9, atol=1e-10)
    s = d.rsample((6,))
    assert tuple(s.shape) == (6, *t.batch_shape, *t.event_shape)
    assert bool(t.support.check(torch.tensor(s.detach().numpy())).all())
    if i in (0, 1, 2):  # monotone: cdf and icdf
        _close(d.cdf(pa.tensor(v)), t.cdf(torch.tensor(v)), rtol=1e-9)
        q = R.uniform(0.05, 0.95, 3)
        _close(d.icdf(pa.tensor(q)), t.icdf(torch.tensor(q)), rtol=1e-9)


def test_log_prob_of_own_sample_uses_cache() -> None:
    base = D.Normal(pa.zeros(3, dtype=pa.float64), pa.ones(3, dtype=pa.float64))
    d = D.TransformedDistribution(base, [D.transforms.SigmoidTransform(cache_size=1)])
    x = d.rsample()
    assert np.isfinite(d.log_prob(x).detach().numpy()).all()


@pytest.mark.parametrize(
    "cons",
    [
        lambda C: C.real, lambda C: C.positive, lambda C: C.nonnegative,
        lambda C: C.greater_than(1.5), lambda C: C.less_than(-2.0), lambda C: C.unit_interval,
        lambda C: C.interval(-1.0, 3.0), lambda C: C.simplex,
        lambda C: C.independent(C.positive, 1),
    ],
)  # fmt: skip
@pytest.mark.parametrize("which", ["biject_to", "transform_to"])
def test_biject_to_transform_to(cons: Any, which: str) -> None:
    c, tc = cons(D.constraints), cons(TD.constraints)
    t = getattr(D, which)(c)
    tt = getattr(TD, which)(tc)
    xv = R.standard_normal((2, 3))
    y, ty = t(pa.tensor(xv)), tt(torch.tensor(xv))
    _close(y, ty)
    assert bool(c.check(y).all()) and bool(tc.check(ty).all())
    if t.bijective:
        _close(t.log_abs_det_jacobian(pa.tensor(xv), y),
               tt.log_abs_det_jacobian(torch.tensor(xv), ty), rtol=1e-9)  # fmt: skip


@pytest.mark.parametrize(
    "make,arrays",
    [
        (lambda lib, p: (lib.distributions.Gamma(p[0], p[1]), lib.distributions.Gamma(p[2], p[3])),
         [R.uniform(0.3, 4, 3) for _ in range(4)]),
        (lambda lib, p: (lib.distributions.Chi2(p[0]), lib.distributions.Gamma(p[1], p[2])),
         [R.uniform(0.3, 4, 3) for _ in range(3)]),
        (lambda lib, p: (lib.distributions.Beta(p[0], p[1]), lib.distributions.Beta(p[2], p[3])),
         [R.uniform(0.3, 4, 3) for _ in range(4)]),
        (lambda lib, p: (lib.distributions.Dirichlet(p[0]), lib.distributions.Dirichlet(p[1])),
         [R.uniform(0.3, 4, (2, 3)) for _ in range(2)]),
    ],
)  # fmt: skip
def test_kl_divergence_against_pytorch(make: Any, arrays: list[np.ndarray]) -> None:
    po, pt = _params(*arrays)
    kl = D.kl_divergence(*make(pa, po))
    tkl = TD.kl_divergence(*make(torch, pt))
    _close(kl, tkl)
    kl.sum().backward()
    tkl.sum().backward()
    for a, b in zip(po, pt, strict=True):
        _close(a.grad, b.grad, rtol=1e-9)


@pytest.mark.parametrize(
    "make",
    [
        lambda lib, p: lib.distributions.Gamma(p[0], p[1]),
        lambda lib, p: lib.distributions.Chi2(p[0]),
        lambda lib, p: lib.distributions.Beta(p[0], p[1]),
        lambda lib, p: lib.distributions.Dirichlet(lib.stack([p[0], p[1]], -1)),
        lambda lib, p: lib.distributions.StudentT(p[0], p[1], p[1]),
        lambda lib, p: lib.distributions.TransformedDistribution(
            lib.distributions.Gamma(p[0], p[1]), [lib.distributions.transforms.ExpTransform()]
        ),
    ],
)
def test_expand_against_pytorch(make: Any) -> None:
    arrays = [R.uniform(0.5, 3.0, 3), R.uniform(0.5, 3.0, 3)]
    d = make(pa, [pa.tensor(a) for a in arrays]).expand((2, 3))
    t = make(torch, [torch.tensor(a) for a in arrays]).expand((2, 3))
    assert tuple(d.batch_shape) == tuple(t.batch_shape) == (2, 3)
    assert tuple(d.event_shape) == tuple(t.event_shape)
    v = t.sample((4,))
    _close(d.log_prob(pa.tensor(v.numpy())), t.log_prob(v), rtol=1e-9)
    assert tuple(d.sample((4,)).shape) == tuple(v.shape)
