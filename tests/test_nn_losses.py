"""The losses of pyautograd.nn against PyTorch (values and gradients for input and target,
every reduction and option) and against finite differences (float64)."""

import itertools

import numpy as np
import pytest
from nn_helpers import assert_close, np_of, pa_of, torch_of, torch_or_skip

import pyautograd as pa
from pyautograd import nn
from pyautograd.autograd import gradcheck

REDUCTIONS = ["mean", "sum", "none"]
rng = np.random.default_rng(0)


def _run(lib, loss_fn, arrays, dtype, grad_mask):
    ts = []
    for a, g in zip(arrays, grad_mask, strict=True):
        if a is None:
            ts.append(None)
            continue
        if lib is pa:
            t = pa_of(a, dtype=dtype if a.dtype.kind == "f" else None, requires_grad=g)
        else:
            t = torch_of(a, lib, dtype=dtype if a.dtype.kind == "f" else None, requires_grad=g)
        ts.append(t)
    out = loss_fn(*ts)
    # the same output weighting for both libraries
    w = np.random.default_rng(1).standard_normal(tuple(out.shape)) if out.dim() else np.array(1.3)
    wt = pa_of(w, dtype=out.dtype) if lib is pa else torch_of(w, lib, dtype=out.dtype)
    (out * wt).sum().backward()
    return out, [
        t.grad if t is not None and g else None for t, g in zip(ts, grad_mask, strict=True)
    ]


def _compare(make, arrays, grad_mask, dtype="float64", rtol=1e-6, atol=1e-8):
    torch = torch_or_skip()
    po, pg = _run(pa, make(pa), arrays, getattr(pa, dtype), grad_mask)
    to, tg = _run(torch, make(torch), arrays, getattr(torch, dtype), grad_mask)
    assert po.dtype == getattr(pa, dtype)
    assert_close(po, to, rtol, atol, "loss")
    for i, (a, b) in enumerate(zip(pg, tg, strict=True)):
        if b is None:
            continue
        assert a is not None, f"input {i} has no gradient"
        assert_close(a, b, rtol, atol, f"gradient of input {i}")


POINT = [
    ("MSELoss", {}),
    ("L1Loss", {}),
    ("SmoothL1Loss", {}),
    ("SmoothL1Loss", {"beta": 0.5}),
    ("SmoothL1Loss", {"beta": 0.0}),
    ("HuberLoss", {}),
    ("HuberLoss", {"delta": 0.3}),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("cls", "kw"), POINT, ids=[f"{c}{k}" for c, k in POINT])
def test_pointwise_losses_match_torch(cls, kw, reduction, dtype):
    x = rng.standard_normal((4, 5)) * 2
    y = rng.standard_normal((4, 5)) * 2
    x[0, 0] = y[0, 0]  # a zero difference (sign and kink conventions)

    def make(lib):
        return getattr(lib.nn, cls)(reduction=reduction, **kw)

    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == "float32" else {}
    _compare(make, [x, y], [True, True], dtype, **tol)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_broadcasts_with_a_warning(reduction):
    x = rng.standard_normal((4, 1))
    y = rng.standard_normal((4,))
    with pytest.warns(UserWarning, match="different to the input size"):
        _compare(lambda lib: lib.nn.MSELoss(reduction=reduction), [x, y], [True, True])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("fn", ["mse_loss", "l1_loss", "huber_loss"])
def test_weighted_pointwise_losses(fn, reduction):
    x, y = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    w = rng.random((3, 4))

    def make(lib):
        return lambda a, b, c: getattr(lib.nn.functional, fn)(a, b, reduction=reduction, weight=c)

    _compare(make, [x, y, w], [True, True, False])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_bce_matches_torch(reduction, weighted):
    x = rng.random((6, 3)) * 0.98 + 0.01
    x[0, 0], x[0, 1] = 0.0, 1.0  # log clamped at -100, gradient through the 1e-12 floor
    y = rng.random((6, 3))
    w = rng.random((6, 3)) if weighted else None

    def make(lib):
        return lambda a, b, c: lib.nn.BCELoss(weight=c, reduction=reduction)(a, b)

    _compare(make, [x, y, w], [True, True, False])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("weighted", "pos"), list(itertools.product([False, True], repeat=2)))
def test_bce_with_logits_matches_torch(reduction, weighted, pos):
    x = rng.standard_normal((5, 3)) * 4
    x[0, 0], x[0, 1] = 80.0, -80.0  # stable for large logits
    y = rng.random((5, 3))
    w = rng.random((5, 3)) if weighted else None
    pw = rng.random(3) * 3 if pos else None

    def make(lib):
        return lambda a, b, c, d: lib.nn.BCEWithLogitsLoss(
            weight=c, reduction=reduction, pos_weight=d
        )(a, b)

    _compare(make, [x, y, w, pw], [True, True, False, False])


def test_bce_with_logits_is_finite_for_huge_logits():
    x = pa.tensor([1e4, -1e4, 0.0], requires_grad=True)
    y = pa.tensor([0.0, 1.0, 1.0])
    loss = nn.functional.binary_cross_entropy_with_logits(x, y, reduction="sum")
    loss.backward()
    assert np.isfinite(loss.item()) and abs(loss.item() - (2e4 + np.log(2))) < 1e-2
    assert np.all(np.isfinite(np_of(x.grad)))


CE_OPTIONS = [
    {},
    {"ignore_index": 1},
    {"label_smoothing": 0.2},
    {"weight": True},
    {"weight": True, "label_smoothing": 0.1, "ignore_index": 2},
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("opts", CE_OPTIONS, ids=[str(o) for o in CE_OPTIONS])
def test_cross_entropy_indices_matches_torch(opts, reduction, dtype):
    n, c = 7, 4
    x = rng.standard_normal((n, c)) * 3
    t = rng.integers(0, c, n)
    t[0] = 1
    w = rng.random(c) + 0.5 if opts.get("weight") else None
    kw = {k: v for k, v in opts.items() if k != "weight"}

    def make(lib):
        return lambda a, b, wt: lib.nn.CrossEntropyLoss(weight=wt, reduction=reduction, **kw)(a, b)

    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == "float32" else {}
    _compare(make, [x, t, w], [True, False, False], dtype, **tol)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("opts", [{}, {"label_smoothing": 0.3}, {"weight": True}])
def test_cross_entropy_probabilities_matches_torch(opts, reduction):
    n, c = 5, 3
    x = rng.standard_normal((n, c))
    p = rng.random((n, c))
    p /= p.sum(1, keepdims=True)
    w = rng.random(c) + 0.5 if opts.get("weight") else None
    kw = {k: v for k, v in opts.items() if k != "weight"}

    def make(lib):
        return lambda a, b, wt: lib.nn.functional.cross_entropy(
            a, b, weight=wt, reduction=reduction, **kw
        )

    _compare(make, [x, p, w], [True, True, False])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_nd_and_single_sample(reduction):
    x = rng.standard_normal((2, 3, 4, 5))
    t = rng.integers(0, 3, (2, 4, 5))
    _compare(
        lambda lib: lib.nn.CrossEntropyLoss(reduction=reduction, ignore_index=0),
        [x, t],
        [True, False],
    )
    x1, t1 = rng.standard_normal(4), np.array(2)
    _compare(lambda lib: lib.nn.CrossEntropyLoss(reduction=reduction), [x1, t1], [True, False])


def test_cross_entropy_is_stable_for_large_logits():
    x = pa.tensor([[1e4, 0.0, -1e4], [0.0, 0.0, 0.0]], requires_grad=True)
    t = pa.tensor([2, 0])
    loss = nn.functional.cross_entropy(x, t)
    loss.backward()
    assert abs(loss.item() - (2e4 + np.log(3)) / 2) < 1e-2
    assert np.all(np.isfinite(np_of(x.grad)))


def test_cross_entropy_all_ignored_is_nan_as_torch():
    x = pa.randn(3, 4, requires_grad=True)
    loss = nn.functional.cross_entropy(x, pa.tensor([-100, -100, -100]))
    assert np.isnan(loss.item())


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("opts", [{}, {"ignore_index": 0}, {"weight": True}])
def test_nll_loss_matches_torch(opts, reduction):
    x = rng.standard_normal((6, 4))
    t = rng.integers(0, 4, 6)
    w = rng.random(4) if opts.get("weight") else None
    kw = {k: v for k, v in opts.items() if k != "weight"}
    _compare(
        lambda lib: lambda a, b, c: lib.nn.NLLLoss(weight=c, reduction=reduction, **kw)(a, b),
        [x, t, w],
        [True, False, False],
    )


def test_loss_errors():
    x = pa.randn(3, 4)
    with pytest.raises(IndexError, match="out of bounds"):
        nn.functional.cross_entropy(x, pa.tensor([0, 4, 1]))
    with pytest.raises(IndexError, match="out of bounds"):
        nn.functional.nll_loss(x, pa.tensor([0, -1, 1]))
    with pytest.raises(ValueError, match="label_smoothing"):
        nn.functional.cross_entropy(x, pa.tensor([0, 1, 1]), label_smoothing=1.5)
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        nn.functional.binary_cross_entropy(pa.tensor([1.5]), pa.tensor([1.0]))
    with pytest.raises(ValueError, match="same size"):
        nn.functional.binary_cross_entropy(pa.rand(3), pa.rand(3, 1))
    with pytest.raises(ValueError, match="must be the same as input size"):
        nn.functional.binary_cross_entropy_with_logits(pa.rand(3), pa.rand(3, 1))
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        nn.MSELoss(reduction="avg")
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        nn.functional.mse_loss(x, x, reduction="avg")
    with pytest.raises(RuntimeError, match="broadcast"), pytest.warns(UserWarning):
        nn.functional.mse_loss(pa.rand(3), pa.rand(4))
    with pytest.raises(TypeError, match="int64"):
        nn.functional.cross_entropy(x, pa.tensor([True, False, True]))
    with pytest.raises(ValueError, match="input's shape"):
        nn.functional.cross_entropy(x, pa.tensor([0.0, 1.0, 1.0]))
    with pytest.raises(RuntimeError, match="derivative for 'weight'"):
        nn.functional.binary_cross_entropy(
            pa.rand(2), pa.rand(2), weight=pa.rand(2).requires_grad_()
        )


def test_legacy_size_average_and_reduce():
    x, y = pa.randn(4), pa.randn(4)
    with pytest.warns(UserWarning, match="reduction='sum'"):
        s = nn.functional.mse_loss(x, y, size_average=False)
    assert abs(s.item() - ((x - y) ** 2).sum().item()) < 1e-5
    with pytest.warns(UserWarning, match="reduction='none'"):
        assert nn.MSELoss(reduce=False)(x, y).shape == (4,)


def _f64(*shape):
    return pa.tensor(rng.standard_normal(shape), dtype=pa.float64, requires_grad=True)


GRADCHECKS = {
    "mse": lambda x, y: nn.functional.mse_loss(x, y),
    "l1": lambda x, y: nn.functional.l1_loss(x, y, reduction="sum"),
    "smooth_l1": lambda x, y: nn.functional.smooth_l1_loss(x, y, beta=0.7, reduction="none"),
    "huber": lambda x, y: nn.functional.huber_loss(x, y, delta=0.4),
    "bce_logits": lambda x, y: nn.functional.binary_cross_entropy_with_logits(
        x, y.sigmoid(), pos_weight=pa.tensor([0.5, 2.0, 1.0], dtype=pa.float64)
    ),
    "bce": lambda x, y: nn.functional.binary_cross_entropy(x.sigmoid(), y.sigmoid()),
    "ce_soft": lambda x, y: nn.functional.cross_entropy(
        x,
        y.softmax(1) if hasattr(y, "softmax") else (y.exp() / y.exp().sum(1, keepdim=True)),
        label_smoothing=0.1,
    ),
}


@pytest.mark.parametrize("name", list(GRADCHECKS))
def test_loss_gradcheck(name):
    x, y = _f64(4, 3), _f64(4, 3)
    with pa.no_grad():
        x.data += 0.05  # keep |x - y| away from the kinks
    assert gradcheck(GRADCHECKS[name], (x, y))


@pytest.mark.parametrize("smoothing", [0.0, 0.25])
def test_cross_entropy_gradcheck(smoothing):
    x = _f64(5, 4)
    t = pa.tensor([0, 3, 1, -100, 2])
    w = pa.tensor([0.5, 1.0, 2.0, 1.5], dtype=pa.float64)
    assert gradcheck(
        lambda a: nn.functional.cross_entropy(a, t, weight=w, label_smoothing=smoothing), (x,)
    )
    assert gradcheck(lambda a: nn.functional.nll_loss(a, t, weight=w, reduction="sum"), (x,))


def _written_after(lib, loss, broadcast):
    w = lib.tensor([[0.5, -1.0], [1.5, 0.2]], requires_grad=True)
    x = w * 1
    t = lib.tensor([[0.1, 0.2]]) if broadcast else lib.tensor([[0.1, 0.2], [0.3, 0.4]])
    if loss == "cross_entropy":
        y = lib.nn.functional.cross_entropy(x, lib.tensor([0, 1]))
    else:
        y = getattr(lib.nn.functional, loss)(x, t.expand(2, 2) if broadcast else t)
    with lib.no_grad():
        x.mul_(2)
    try:
        y.backward()
        return ("grad", np.round(np.array(w.grad.tolist()), 5).tolist())
    except RuntimeError as e:
        return ("raises", "modified by an inplace operation" in str(e))


@pytest.mark.parametrize("broadcast", [False, True])
@pytest.mark.parametrize(
    "loss", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "cross_entropy"]
)
def test_in_place_change_of_an_input_after_the_loss(loss, broadcast):
    """What the backward keeps, as PyTorch: the inputs of mse/smooth_l1/huber (an in-place
    change is an error), input - target for l1 and log_softmax for cross_entropy (no error)."""
    torch = torch_or_skip()
    assert _written_after(pa, loss, broadcast) == _written_after(torch, loss, broadcast)


def test_int_inputs_follow_pytorch():
    torch = torch_or_skip()
    for name in ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
                 "binary_cross_entropy_with_logits"):  # fmt: skip
        for a, b in (("i", "f"), ("f", "i"), ("i", "i")):

            def run(lib, a=a, b=b, name=name):
                mk = {"i": lambda: lib.tensor([1]), "f": lambda: lib.tensor([0.5])}
                try:
                    r = getattr(lib.nn.functional, name)(mk[a](), mk[b]())
                    return (str(r.dtype).split(".")[-1], round(r.item(), 6))
                except (RuntimeError, TypeError, ValueError):
                    return "raises"

            assert run(pa) == run(torch), (name, a, b)


def test_cross_entropy_none_result_is_not_a_view():
    x = pa.tensor([-1.0, 1.0], requires_grad=True)
    y = nn.functional.cross_entropy(x, pa.tensor(0), reduction="none")
    assert y.dim() == 0
    y.mul_(2)
    y.backward()
    np.testing.assert_allclose(np_of(x.grad), [-1.7615942, 1.7615942], rtol=1e-6)
