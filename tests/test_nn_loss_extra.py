"""The losses composed of core ops (KLDivLoss, CosineEmbeddingLoss, MarginRankingLoss,
HingeEmbeddingLoss, SoftMarginLoss, MultiLabelSoftMarginLoss, MultiMarginLoss,
TripletMarginLoss, TripletMarginWithDistanceLoss, PoissonNLLLoss, GaussianNLLLoss) against
PyTorch (values and gradients of every differentiable input, every reduction, modules and
functional forms, float32 and float64) and against finite differences (float64)."""

import warnings

import numpy as np
import pytest
from nn_helpers import assert_close, pa_of, torch_of, torch_or_skip

import pyautograd as pa
from pyautograd import nn
from pyautograd.autograd import gradcheck
from pyautograd.nn import functional as F

REDUCTIONS = ["mean", "sum", "none"]
rng = np.random.default_rng(0)


def _tensor(lib, a, dtype, grad):
    kw = {"dtype": dtype if a.dtype.kind == "f" else None, "requires_grad": grad}
    return pa_of(a, **kw) if lib is pa else torch_of(a, lib, **kw)


def _run(lib, fn, arrays, dtype, grads):
    ts = [_tensor(lib, a, dtype, g) for a, g in zip(arrays, grads, strict=True)]
    out = fn(*ts)
    w = np.random.default_rng(1).standard_normal(tuple(out.shape)) if out.dim() else np.array(1.3)
    (out * _tensor(lib, w, out.dtype, False)).sum().backward()
    return out, [t.grad if g else None for t, g in zip(ts, grads, strict=True)]


def _compare(make, arrays, grads, dtype="float64", rtol=1e-10, atol=1e-12):
    torch = torch_or_skip()
    if dtype == "float32":
        rtol, atol = max(rtol, 2e-5), max(atol, 1e-6)
    po, pg = _run(pa, make(pa), arrays, getattr(pa, dtype), grads)
    to, tg = _run(torch, make(torch), arrays, getattr(torch, dtype), grads)
    assert po.dtype == getattr(pa, dtype)
    assert_close(po, to, rtol, atol, "loss")
    for i, (a, b) in enumerate(zip(pg, tg, strict=True)):
        if b is None:
            continue
        assert a is not None, f"input {i} has no gradient"
        assert_close(a, b, rtol, atol, f"gradient of input {i}")


def _pm1(shape):
    return np.where(rng.standard_normal(shape) > 0, 1.0, -1.0)


def _cases():
    n, c = 5, 4
    x = rng.standard_normal((n, c))
    logp = np.log(rng.dirichlet(np.ones(c), size=n))
    prob = rng.dirichlet(np.ones(c), size=n)
    prob[0, 0] = 0.0  # xlogy(0, 0) = 0
    counts = rng.poisson(3.0, size=(n, c)).astype(float)
    counts[0, :2] = [0.0, 1.0]  # the Stirling term drops for targets <= 1
    y = rng.integers(0, c, size=n)
    cos_t = _pm1(n)
    hinge_x = x.copy()
    hinge_x[0, 0] = 1.0  # margin - x == 0: clamp_min's boundary
    mr1, mr2 = rng.standard_normal(n), rng.standard_normal(n)
    mr2[0] = mr1[0]  # the hinge's boundary at margin 0
    var = rng.uniform(0.1, 2.0, size=(n, c))
    var[0, 0] = 1e-9  # clamped at eps; the gradient passes the clamp
    wc = rng.uniform(0.5, 2.0, size=c)
    return [
        # name, make(lib, reduction) -> callable, arrays, grad mask
        (
            "kl_div",
            lambda L, r: L.nn.KLDivLoss(reduction=r),
            [logp, prob],
            [True, False],
        ),
        (
            "kl_div_log_target",
            lambda L, r: L.nn.KLDivLoss(reduction=r, log_target=True),
            [logp, np.log(rng.dirichlet(np.ones(c), size=n))],
            [True, True],
        ),
        (
            "kl_div_target_grad",
            lambda L, r: lambda a, b: L.nn.functional.kl_div(a, b, reduction=r),
            [logp, rng.dirichlet(np.ones(c), size=n)],
            [True, True],
        ),
        (
            "cosine_embedding",
            lambda L, r: L.nn.CosineEmbeddingLoss(reduction=r),
            [x, rng.standard_normal((n, c)), cos_t],
            [True, True, False],
        ),
        (
            "cosine_embedding_margin",
            lambda L, r: L.nn.CosineEmbeddingLoss(margin=-0.3, reduction=r),
            [x, rng.standard_normal((n, c)), cos_t],
            [True, True, False],
        ),
        (
            "margin_ranking",
            lambda L, r: L.nn.MarginRankingLoss(reduction=r),
            [mr1, mr2, _pm1(n)],
            [True, True, True],
        ),
        (
            "margin_ranking_margin",
            lambda L, r: L.nn.MarginRankingLoss(margin=0.5, reduction=r),
            [mr1, mr2, _pm1(n)],
            [True, True, False],
        ),
        (
            "hinge_embedding",
            lambda L, r: L.nn.HingeEmbeddingLoss(reduction=r),
            [hinge_x, _pm1((n, c))],
            [True, False],
        ),
        (
            "hinge_embedding_margin",
            lambda L, r: L.nn.HingeEmbeddingLoss(margin=2.0, reduction=r),
            [x, _pm1((n, c))],
            [True, False],
        ),
        (
            "soft_margin",
            lambda L, r: L.nn.SoftMarginLoss(reduction=r),
            [x, _pm1((n, c))],
            [True, False],
        ),
        (
            "multilabel_soft_margin",
            lambda L, r: L.nn.MultiLabelSoftMarginLoss(reduction=r),
            [x, (rng.standard_normal((n, c)) > 0).astype(float)],
            [True, True],
        ),
        (
            "multilabel_soft_margin_weight",
            lambda L, r: (
                lambda a, b: L.nn.MultiLabelSoftMarginLoss(
                    weight=L.tensor(wc, dtype=a.dtype), reduction=r
                )(a, b)
            ),
            [x, (rng.standard_normal((n, c)) > 0).astype(float)],
            [True, False],
        ),
        (
            "multi_margin",
            lambda L, r: L.nn.MultiMarginLoss(reduction=r),
            [x, y],
            [True, False],
        ),
        (
            "multi_margin_p2_margin",
            lambda L, r: L.nn.MultiMarginLoss(p=2, margin=0.7, reduction=r),
            [x, y],
            [True, False],
        ),
        (
            "multi_margin_weight",
            lambda L, r: (
                lambda a, b: L.nn.functional.multi_margin_loss(
                    a, b, weight=L.tensor(wc, dtype=a.dtype), reduction=r
                )
            ),
            [x, y],
            [True, False],
        ),
        (
            "triplet",
            lambda L, r: L.nn.TripletMarginLoss(reduction=r),
            [x, x + 0.3 * rng.standard_normal((n, c)), rng.standard_normal((n, c))],
            [True, True, True],
        ),
        (
            "triplet_p1_swap",
            lambda L, r: L.nn.TripletMarginLoss(margin=2.0, p=1.0, swap=True, reduction=r),
            [x, x + 0.3 * rng.standard_normal((n, c)), rng.standard_normal((n, c))],
            [True, True, True],
        ),
        (
            "triplet_with_distance",
            lambda L, r: L.nn.TripletMarginWithDistanceLoss(
                distance_function=lambda a, b: 1.0 - L.nn.functional.cosine_similarity(a, b),
                margin=0.5,
                swap=True,
                reduction=r,
            ),
            [x, x + 0.3 * rng.standard_normal((n, c)), rng.standard_normal((n, c))],
            [True, True, True],
        ),
        (
            "triplet_with_default_distance",
            lambda L, r: L.nn.TripletMarginWithDistanceLoss(reduction=r),
            [x, x + 0.3 * rng.standard_normal((n, c)), rng.standard_normal((n, c))],
            [True, True, True],
        ),
        (
            "poisson_nll",
            lambda L, r: L.nn.PoissonNLLLoss(reduction=r),
            [x, counts],
            [True, False],
        ),
        (
            "poisson_nll_full_rate",
            lambda L, r: L.nn.PoissonNLLLoss(log_input=False, full=True, reduction=r),
            [np.abs(x) + 0.1, counts],
            [True, False],  # PyTorch's target gradient is NaN at target 0 (log 0 in the mask)
        ),
        (
            "poisson_nll_full_target_grad",
            lambda L, r: L.nn.PoissonNLLLoss(full=True, reduction=r),
            [x, counts + 0.5],
            [True, True],
        ),
        (
            "gaussian_nll",
            lambda L, r: L.nn.GaussianNLLLoss(reduction=r),
            [x, rng.standard_normal((n, c)), var],
            [True, True, True],
        ),
        (
            "gaussian_nll_full_vec_var",
            lambda L, r: L.nn.GaussianNLLLoss(full=True, eps=1e-3, reduction=r),
            [x, rng.standard_normal((n, c)), var[:, 0]],
            [True, True, True],
        ),
        (
            "gaussian_nll_col_var",
            lambda L, r: L.nn.GaussianNLLLoss(reduction=r),
            [x, rng.standard_normal((n, c)), var[:, :1]],
            [True, False, True],
        ),
        (
            "gaussian_nll_float_var",
            lambda L, r: lambda a, b: L.nn.functional.gaussian_nll_loss(a, b, 0.5, reduction=r),
            [x, rng.standard_normal((n, c))],
            [True, True],
        ),
    ]


CASES = _cases()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("name", "make", "arrays", "grads"), CASES, ids=[c[0] for c in CASES])
def test_matches_torch(name, make, arrays, grads, reduction, dtype):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # kl_div's 'mean' warning (tested below)
        _compare(lambda L: make(L, reduction), arrays, grads, dtype)


@pytest.mark.parametrize(("name", "make", "arrays", "grads"), CASES, ids=[c[0] for c in CASES])
def test_gradcheck(name, make, arrays, grads):
    fn = make(pa, "sum")
    # move off the kinks the cases put on purpose (finite differences straddle them)
    jitter = np.random.default_rng(2)
    arrays = [
        a + jitter.uniform(0.01, 0.02, a.shape) if g and a.dtype.kind == "f" else a
        for a, g in zip(arrays, grads, strict=True)
    ]
    ts = [_tensor(pa, a, pa.float64, g) for a, g in zip(arrays, grads, strict=True)]
    if name.startswith("gaussian"):
        ts = [
            t if i != 2 else _tensor(pa, np.abs(arrays[2]) + 0.5, pa.float64, True)
            for i, t in enumerate(ts)
        ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert gradcheck(fn, tuple(ts))


@pytest.mark.parametrize("reduction", ["batchmean", "sum", "none"])
def test_kl_div_batchmean_and_shapes(reduction):
    torch = torch_or_skip()
    for shape in [(3, 4), (2, 3, 4), (5,)]:
        a = np.log(rng.dirichlet(np.ones(shape[-1]), size=shape[:-1]))
        b = rng.dirichlet(np.ones(shape[-1]), size=shape[:-1])
        _compare(
            lambda L, r=reduction: lambda x, t: L.nn.functional.kl_div(x, t, reduction=r),
            [a, b],
            [True, True],
        )
        assert torch is not None


def test_kl_div_mean_warns_and_batchmean_does_not():
    x, t = pa.randn(3, 4).log_softmax(1), pa.randn(3, 4).softmax(1)
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        F.kl_div(x, t)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.kl_div(x, t, reduction="batchmean")
        nn.KLDivLoss(reduction="batchmean")(x, t)


def test_kl_div_nonpositive_targets_like_torch():
    torch = torch_or_skip()
    x = [-1.0, -2.0, -3.0]
    t = [0.0, -0.5, 0.5]
    p = F.kl_div(pa.tensor(x), pa.tensor(t), reduction="none")
    q = torch.nn.functional.kl_div(torch.tensor(x), torch.tensor(t), reduction="none")
    np.testing.assert_allclose(p.tolist(), q.tolist(), rtol=1e-6)  # nan where target < 0


def test_one_sample_shapes():
    torch = torch_or_skip()
    x = rng.standard_normal(5)
    _compare(
        lambda L: lambda a, b: L.nn.functional.multi_margin_loss(a, b, reduction="none"),
        [x, np.array(2)],
        [True, False],
    )
    _compare(
        lambda L: lambda a, b, t: L.nn.functional.cosine_embedding_loss(a, b, t),
        [x, rng.standard_normal(5), np.array(-1.0)],
        [True, True, False],
    )
    _compare(
        lambda L: lambda a, b, c: L.nn.functional.triplet_margin_loss(a, b, c),
        [x, rng.standard_normal(5), rng.standard_normal(5)],
        [True, True, True],
    )
    _compare(
        lambda L: lambda a, b: L.nn.functional.multilabel_soft_margin_loss(a, b),
        [x, (x > 0).astype(float)],
        [True, False],
    )
    assert torch is not None


def test_legacy_size_average_and_reduce():
    torch = torch_or_skip()
    x, t = rng.standard_normal((3, 4)), _pm1((3, 4))
    for kw in [{"size_average": False}, {"reduce": False}, {"size_average": True}]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pm, tm = nn.SoftMarginLoss(**kw), torch.nn.SoftMarginLoss(**kw)
            ph, th = nn.HingeEmbeddingLoss(**kw), torch.nn.HingeEmbeddingLoss(**kw)
            pk, tk = nn.KLDivLoss(**kw), torch.nn.KLDivLoss(**kw)
        assert pm.reduction == tm.reduction
        assert ph.reduction == th.reduction
        assert pk.reduction == tk.reduction
        _compare(lambda L, m=(pm, tm): m[0] if L is pa else m[1], [x, t], [True, False])


def test_reprs_and_attributes():
    torch = torch_or_skip()
    makes = [
        lambda nn: nn.KLDivLoss(reduction="batchmean", log_target=True),
        lambda nn: nn.CosineEmbeddingLoss(0.2),
        lambda nn: nn.MarginRankingLoss(margin=1.0),
        lambda nn: nn.HingeEmbeddingLoss(),
        lambda nn: nn.SoftMarginLoss(),
        lambda nn: nn.MultiLabelSoftMarginLoss(),
        lambda nn: nn.MultiMarginLoss(p=2),
        lambda nn: nn.TripletMarginLoss(swap=True),
        lambda nn: nn.TripletMarginWithDistanceLoss(),
        lambda nn: nn.PoissonNLLLoss(full=True),
        lambda nn: nn.GaussianNLLLoss(full=True),
    ]
    for make in makes:
        p, t = make(nn), make(torch.nn)
        assert repr(p) == repr(t)
        for attr in ("reduction", "margin", "p", "eps", "swap", "full", "log_input", "log_target"):
            if hasattr(t, attr):
                assert getattr(p, attr) == getattr(t, attr), (type(p).__name__, attr)
    assert nn.MultiLabelSoftMarginLoss(weight=pa.ones(3)).state_dict().keys() == {"weight"}


def _raises_like(call, torch):
    with pytest.raises(Exception) as ours:
        call(pa)
    with pytest.raises(Exception) as theirs:
        call(torch)
    assert type(ours.value) is type(theirs.value), (ours.value, theirs.value)
    mine = str(ours.value)
    assert str(theirs.value) in mine, (mine, str(theirs.value))


def test_errors_match_torch():
    torch = torch_or_skip()
    checks = [
        lambda L: L.nn.functional.multi_margin_loss(L.randn(2, 3), L.tensor([1, 3])),
        lambda L: L.nn.functional.multi_margin_loss(L.randn(2, 3), L.tensor([1, 2, 1])),
        lambda L: L.nn.functional.multi_margin_loss(L.randn(2, 3, 4), L.tensor([1, 2])),
        lambda L: L.nn.functional.multi_margin_loss(L.randn(2, 3), L.tensor([1, 2]), p=3),
        lambda L: L.nn.MultiMarginLoss(p=3),
        lambda L: L.nn.MultiMarginLoss(weight=L.ones(2, 2)),
        lambda L: L.nn.functional.cosine_embedding_loss(
            L.randn(3, 2), L.randn(3, 2), L.randn(3, 1)
        ),
        lambda L: L.nn.functional.cosine_embedding_loss(L.randn(3), L.randn(3), L.randn(3)),
        lambda L: L.nn.functional.triplet_margin_loss(L.randn(3), L.randn(3, 2), L.randn(3)),
        lambda L: L.nn.functional.triplet_margin_loss(
            L.randn(3), L.randn(3), L.randn(3), margin=0.0
        ),
        lambda L: L.nn.TripletMarginLoss(margin=-1.0),
        lambda L: L.nn.TripletMarginWithDistanceLoss(margin=0.0),
        lambda L: L.nn.functional.margin_ranking_loss(L.randn(3), L.randn(3, 1), L.randn(3)),
        lambda L: L.nn.functional.gaussian_nll_loss(L.randn(3, 2), L.randn(3, 2), -1.0),
        lambda L: L.nn.functional.gaussian_nll_loss(L.randn(3, 2), L.randn(3, 2), -L.ones(3)),
        lambda L: L.nn.functional.gaussian_nll_loss(L.randn(3, 2), L.randn(3, 2), L.ones(2, 3)),
        lambda L: L.nn.functional.gaussian_nll_loss(
            L.randn(3, 2), L.randn(3, 2), L.ones(3, 2), reduction="bad"
        ),
        lambda L: L.nn.functional.soft_margin_loss(L.randn(3), L.randn(3), reduction="bad"),
        lambda L: L.nn.functional.kl_div(L.randn(3), L.randn(3), reduction="bad"),
        lambda L: L.nn.functional.poisson_nll_loss(L.randn(3), L.randn(3), reduction="bad"),
        lambda L: L.nn.functional.multilabel_soft_margin_loss(
            L.randn(3), L.randn(3), reduction="bad"
        ),
    ]
    for call in checks:
        _raises_like(call, torch)
