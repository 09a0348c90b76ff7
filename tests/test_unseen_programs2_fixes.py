"""Regression tests against PyTorch for what the programs of tests/nn_programs/unseen2 found
missing: torch.pca_lowrank / svd_lowrank (PyTorch's randomized algorithm, so a seeded call
gives PyTorch's factors), torch.geqrf, linalg.householder_product / orgqr (values and
gradients), and nn.utils.parametrizations.orthogonal (its three maps, with and without the
trivialization: parameter names, the weight, gradients, training steps, assignment)."""

from __future__ import annotations

import numpy as np
import pytest
from nn_helpers import torch_or_skip

import pyautograd as pa
from pyautograd import nn

rng = np.random.default_rng(3)


def _close(a, b, rtol=1e-6, atol=1e-8):
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=rtol, atol=atol)


def _close_usv(ours, theirs, rtol, atol):
    """S equal; U and V equal up to one sign per singular pair (LAPACK builds differ: NumPy's
    OpenBLAS and PyTorch's MKL gesdd pick different signs for wide matrices)."""
    (U, S, V), (U2, S2, V2) = ([t.detach().numpy() for t in f] for f in (ours, theirs))
    assert U.shape == U2.shape and S.shape == S2.shape and V.shape == V2.shape
    np.testing.assert_allclose(S, S2, rtol=rtol, atol=atol)
    sign = np.sign((U * U2).sum(axis=-2, keepdims=True))
    np.testing.assert_allclose(U * sign, U2, rtol=rtol, atol=atol)
    np.testing.assert_allclose(V * sign, V2, rtol=rtol, atol=atol)


# --- pca_lowrank / svd_lowrank ---------------------------------------------------------------


@pytest.mark.parametrize("shape", [(30, 5), (6, 20), (2, 12, 7)])
@pytest.mark.parametrize("center", [True, False])
def test_pca_lowrank_matches_torch_under_the_same_seed(shape, center):
    torch = torch_or_skip()
    a = rng.standard_normal(shape)
    pa.manual_seed(5)
    torch.manual_seed(5)
    ours = pa.pca_lowrank(pa.tensor(a), q=3, center=center, niter=3)
    theirs = torch.pca_lowrank(torch.tensor(a), q=3, center=center, niter=3)
    _close_usv(ours, theirs, rtol=1e-7, atol=1e-9)
    # the generator advanced as PyTorch's did (one randn(n, q) draw)
    assert float(pa.rand(1)) == pytest.approx(float(torch.rand(1)), abs=0)


def test_pca_lowrank_default_q_and_float32():
    torch = torch_or_skip()
    a = rng.standard_normal((9, 4)).astype(np.float32)
    pa.manual_seed(1)
    torch.manual_seed(1)
    ours = pa.pca_lowrank(pa.tensor(a))
    assert ours[0].dtype == pa.float32
    assert tuple(ours[0].shape) == (9, 4) and tuple(ours[2].shape) == (4, 4)
    _close_usv(ours, torch.pca_lowrank(torch.tensor(a)), rtol=1e-4, atol=1e-5)


def test_svd_lowrank_with_M_and_its_gradient_match_torch():
    torch = torch_or_skip()
    a, m = rng.standard_normal((8, 5)), rng.standard_normal((1, 5))
    w = rng.standard_normal(3)
    pa.manual_seed(2)
    torch.manual_seed(2)
    A, At = pa.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    _, S, _ = pa.svd_lowrank(A, q=3, niter=2, M=pa.tensor(m))
    _, S2, _ = torch.svd_lowrank(At, q=3, niter=2, M=torch.tensor(m))
    _close(S, S2, rtol=1e-10)
    (S * pa.tensor(w)).sum().backward()
    (S2 * torch.tensor(w)).sum().backward()
    _close(A.grad, At.grad, rtol=1e-7, atol=1e-9)


def test_lowrank_bad_arguments_raise_like_torch():
    with pytest.raises(ValueError, match=r"q\(=4\) must be non-negative integer"):
        pa.pca_lowrank(pa.randn(3, 5), q=4)
    with pytest.raises(ValueError, match=r"niter\(=-1\)"):
        pa.svd_lowrank(pa.randn(3, 5), q=2, niter=-1)
    with pytest.raises(RuntimeError, match="pca_lowrank: expected a matrix"):
        pa.pca_lowrank(pa.randn(5))
    with pytest.raises(TypeError, match="must be Tensor, not list"):
        pa.svd_lowrank([[1.0, 2.0]])


# --- geqrf / householder_product -------------------------------------------------------------


@pytest.mark.parametrize("shape", [(5, 3), (4, 4), (3, 5), (2, 6, 4)])
def test_geqrf_matches_torch(shape):
    torch = torch_or_skip()
    a = rng.standard_normal(shape)
    ours, theirs = pa.geqrf(pa.tensor(a)), torch.geqrf(torch.tensor(a))
    _close(ours.a, theirs.a, rtol=1e-10, atol=1e-12)
    _close(ours.tau, theirs.tau, rtol=1e-10, atol=1e-12)
    if a.ndim == 2:
        assert repr(pa.geqrf(pa.eye(3))) == repr(torch.geqrf(torch.eye(3)))
    ours32 = pa.tensor(a.astype(np.float32)).geqrf()
    assert ours32[0].dtype == pa.float32 and ours32[1].dtype == pa.float32


def test_geqrf_has_no_derivative_as_in_torch():
    a = pa.randn(4, 3, dtype=pa.float64, requires_grad=True)
    r, tau = pa.geqrf(a)
    with pytest.raises(RuntimeError, match="derivative for 'geqrf' is not implemented"):
        (r.sum() + tau.sum()).backward()


@pytest.mark.parametrize(("shape", "k"), [((5, 3), 3), ((5, 3), 2), ((4, 4), 4), ((2, 6, 4), 3)])
def test_householder_product_values_and_gradients_match_torch(shape, k):
    torch = torch_or_skip()
    a = rng.standard_normal(shape)
    tau = rng.uniform(0.2, 1.8, (*shape[:-2], k))
    w = rng.standard_normal(shape)
    A, T = pa.tensor(a, requires_grad=True), pa.tensor(tau, requires_grad=True)
    At, Tt = torch.tensor(a, requires_grad=True), torch.tensor(tau, requires_grad=True)
    Q, Qt = pa.linalg.householder_product(A, T), torch.linalg.householder_product(At, Tt)
    _close(Q, Qt, rtol=1e-10, atol=1e-12)
    _close(pa.orgqr(A, T), Qt, rtol=1e-10, atol=1e-12)
    (Q * pa.tensor(w)).sum().backward()
    (Qt * torch.tensor(w)).sum().backward()
    _close(A.grad, At.grad, rtol=1e-9, atol=1e-11)
    _close(T.grad, Tt.grad, rtol=1e-9, atol=1e-11)


def test_householder_product_of_geqrf_is_qr_q():
    a = pa.randn(6, 4, dtype=pa.float64)
    Q = pa.linalg.householder_product(*pa.geqrf(a))
    _close(Q, pa.linalg.qr(a).Q, rtol=1e-10, atol=1e-12)


def test_householder_product_bad_shapes_raise():
    with pytest.raises(RuntimeError, match=r"householder_product: input\.shape\[-2\] must be"):
        pa.linalg.householder_product(pa.randn(3, 5), pa.randn(3))
    with pytest.raises(RuntimeError, match=r"must be greater than or equal to tau\.shape"):
        pa.linalg.householder_product(pa.randn(5, 3), pa.randn(4))
    with pytest.raises(RuntimeError, match="batch dimensions of tau"):
        pa.linalg.householder_product(pa.randn(2, 5, 3), pa.randn(3, 2))


# --- parametrizations.orthogonal --------------------------------------------------------------

CASES = [
    ("square_default", (4, 4), None, True),
    ("square_cayley", (4, 4), "cayley", True),
    ("square_householder", (4, 4), "householder", True),
    ("tall_default", (3, 5), None, True),  # Linear(5, 3): weight (3, 5), n < k: transposed
    ("wide_matrix_exp", (6, 3), "matrix_exp", True),
    ("wide_householder_no_trivialization", (6, 3), "householder", False),
]


@pytest.mark.parametrize(("name", "shape", "omap", "triv"), CASES, ids=[c[0] for c in CASES])
def test_orthogonal_matches_torch(name, shape, omap, triv):
    torch = torch_or_skip()
    out_f, in_f = shape
    pm, tm = nn.Linear(in_f, out_f).double(), torch.nn.Linear(in_f, out_f).double()
    w, b = rng.standard_normal(shape), rng.standard_normal(out_f)
    with pa.no_grad():
        pm.weight.copy_(pa.tensor(w))
        pm.bias.copy_(pa.tensor(b))
    with torch.no_grad():
        tm.weight.copy_(torch.tensor(w))
        tm.bias.copy_(torch.tensor(b))
    pa.manual_seed(0)
    torch.manual_seed(0)
    nn.utils.parametrizations.orthogonal(pm, orthogonal_map=omap, use_trivialization=triv)
    torch.nn.utils.parametrizations.orthogonal(tm, orthogonal_map=omap, use_trivialization=triv)
    assert [n for n, _ in pm.named_parameters()] == [n for n, _ in tm.named_parameters()]
    assert list(pm.state_dict()) == list(tm.state_dict())
    _close(pm.weight, tm.weight, rtol=1e-9, atol=1e-11)
    W = pm.weight
    small = W if W.shape[0] <= W.shape[1] else W.T
    _close(small @ small.T, pa.eye(min(shape), dtype=pa.float64), atol=1e-10)
    popt = pa.optim.SGD(pm.parameters(), lr=0.1)
    topt = torch.optim.SGD(tm.parameters(), lr=0.1)
    x = rng.standard_normal((7, in_f))
    for _ in range(3):
        loss = (pm(pa.tensor(x)) ** 2).mean()
        tloss = (tm(torch.tensor(x)) ** 2).mean()
        popt.zero_grad()
        topt.zero_grad()
        loss.backward()
        tloss.backward()
        orig = pm.parametrizations.weight.original
        _close(orig.grad, tm.parametrizations.weight.original.grad, rtol=1e-8, atol=1e-10)
        popt.step()
        topt.step()
    _close(pm.weight, tm.weight, rtol=1e-8, atol=1e-10)


def test_orthogonal_assignment_and_errors():
    torch = torch_or_skip()
    pm, tm = nn.Linear(3, 3).double(), torch.nn.Linear(3, 3).double()
    nn.utils.parametrizations.orthogonal(pm)
    torch.nn.utils.parametrizations.orthogonal(tm)
    q = np.linalg.qr(rng.standard_normal((3, 3)))[0]
    pm.weight = pa.tensor(q)
    tm.weight = torch.tensor(q)
    _close(pm.weight, tm.weight, rtol=1e-10, atol=1e-12)
    with pytest.raises(ValueError, match="Expected a matrix or batch of matrices"):
        nn.utils.parametrizations.orthogonal(nn.Linear(3, 3), "bias")
    with pytest.raises(ValueError, match="orthogonal_map has to be one of"):
        nn.utils.parametrizations.orthogonal(nn.Linear(3, 3), orthogonal_map="qr")
    with pytest.raises(ValueError, match="has no parameter or buffer with name 'w'"):
        nn.utils.parametrizations.orthogonal(nn.Linear(3, 3), "w")
    m = nn.utils.parametrizations.orthogonal(nn.Linear(3, 3), use_trivialization=False)
    with pytest.raises(NotImplementedError, match="use_trivialization=False"):
        m.weight = pa.eye(3)


# --- losses twice differentiable (hessian_influence.py: BCE with logits under create_graph) ----

_LOSSES = {
    "mse": lambda F: F.mse_loss,
    "smooth_l1": lambda F: lambda a, b, **k: F.smooth_l1_loss(a, b, beta=0.7, **k),
    "huber": lambda F: lambda a, b, **k: F.huber_loss(a, b, delta=0.6, **k),
    "bce": lambda F: F.binary_cross_entropy,
    "bce_logits": lambda F: F.binary_cross_entropy_with_logits,
}
_LOSS_CASES = [
    (name, extra, red)
    for name in _LOSSES
    for extra in ("", "weight", "pos_weight")
    for red in ("mean", "sum", "none")
    if not (extra == "pos_weight" and name != "bce_logits")
    and not (extra == "weight" and name in ("mse", "smooth_l1", "huber"))
]


def _second_order(lib, name, x, y, kw, red):
    X, Y = lib.tensor(x, requires_grad=True), lib.tensor(y, requires_grad=True)
    loss = _LOSSES[name](lib.nn.functional)(
        X, Y, reduction=red, **{k: lib.tensor(v) for k, v in kw.items()}
    )
    if red == "none":
        loss = (loss * lib.tensor(np.linspace(0.5, 1.5, x.size).reshape(x.shape))).sum()
    gx, gy = lib.autograd.grad(loss, (X, Y), create_graph=True)
    s = (gx * gx).sum() + (gy * gy * 0.3).sum() + (gx * gy).sum()
    return [t.detach().numpy() for t in (gx, gy, *lib.autograd.grad(s, (X, Y)))]


@pytest.mark.parametrize(("name", "extra", "red"), _LOSS_CASES)
def test_point_losses_second_derivatives_match_torch(name, extra, red):
    torch = torch_or_skip()
    x, y = rng.standard_normal((3, 4)), rng.uniform(0, 1, (3, 4))
    if name == "bce":
        x = rng.uniform(0.05, 0.95, (3, 4))
    elif name != "bce_logits":
        y = rng.standard_normal((3, 4))
    kw = {extra: rng.uniform(0.5, 2.5, (4,))} if extra else {}
    ours, theirs = _second_order(pa, name, x, y, kw, red), _second_order(torch, name, x, y, kw, red)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_hardswish_second_derivative_matches_torch():
    """hardswish's gradient g * (x / 3 + 1/2) is differentiable again (1/3 inside (-3, 3)):
    it was built from a detached x, so a gradient penalty through it lost that term."""
    torch = torch_or_skip()
    x = np.array([-4.0, -2.5, -1.0, 0.0, 0.5, 2.0, 2.9, 3.5])
    v = np.cos(np.arange(x.size))
    out = []
    for L in (pa, torch):
        t = L.tensor(x, requires_grad=True)
        (g,) = L.autograd.grad(L.nn.functional.hardswish(t).pow(2).sum(), t, create_graph=True)
        (h,) = L.autograd.grad((g * L.tensor(v)).sum(), t)
        out.append((g.detach().numpy(), h.numpy()))
    for a, b in zip(out[0], out[1], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


# --- utils.data: ChainDataset, StackDataset, IterableDataset + IterableDataset -----------------


def _streams(lib):
    data = lib.utils.data

    class Count(data.IterableDataset):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            yield from (lib.tensor([i, 10 * self.n]) for i in range(self.n))

        def __len__(self):
            return self.n

    return data, Count


def test_chain_and_stack_datasets_match_torch():
    torch = torch_or_skip()
    results = []
    for lib in (pa, torch):
        data, Count = _streams(lib)
        chain = data.ChainDataset([Count(2), Count(3)])
        summed = Count(1) + Count(2)
        ds = data.TensorDataset(lib.arange(4), lib.arange(4) * 2)
        tup, dct = data.StackDataset(ds, lib.arange(4.0)), data.StackDataset(a=ds, b=range(4))
        loader = data.DataLoader(dct, batch_size=3)
        results.append(
            [
                repr(list(chain)),
                len(chain),
                type(summed).__name__,
                repr(list(summed)),
                repr(tup[1]),
                repr(dct[2]),
                len(tup),
                repr(list(loader)),
                repr(list(data.DataLoader(chain, batch_size=2))),
            ]
        )
    assert results[0] == results[1]


def test_stack_dataset_errors_and_chain_of_map_dataset():
    data = pa.utils.data
    with pytest.raises(ValueError, match="Size mismatch between datasets"):
        data.StackDataset(range(2), range(3))
    with pytest.raises(ValueError, match="At least one dataset should be passed"):
        data.StackDataset()
    with pytest.raises(ValueError, match="but both types are given"):
        data.StackDataset(range(2), b=range(2))
    with pytest.raises(AssertionError, match="ChainDataset only supports IterableDataset"):
        list(data.ChainDataset([data.TensorDataset(pa.arange(2))]))


# --- lazy convolutions and normalizations -------------------------------------------------------

_LAZY = [
    ("conv2d", lambda nn: nn.LazyConv2d(4, 3, stride=2, padding=1), (2, 6, 5, 5)),
    ("conv1d_positional", lambda nn: nn.LazyConv1d(3, 2, 1, 0, 2, 1, False), (2, 4, 7)),
    ("conv1d_unbatched", lambda nn: nn.LazyConv1d(3, 2), (4, 7)),
    ("conv3d", lambda nn: nn.LazyConv3d(2, 1), (1, 2, 2, 2, 2)),
    ("convT2d", lambda nn: nn.LazyConvTranspose2d(2, 3, stride=2), (2, 6, 3, 3)),
    ("convT1d_groups", lambda nn: nn.LazyConvTranspose1d(4, 2, 1, 0, 0, 2), (2, 4, 5)),
    ("bn2d", lambda nn: nn.LazyBatchNorm2d(), (2, 6, 5, 5)),
    ("bn1d_no_affine", lambda nn: nn.LazyBatchNorm1d(momentum=0.2, affine=False), (4, 3)),
    ("bn3d_no_stats", lambda nn: nn.LazyBatchNorm3d(track_running_stats=False), (2, 2, 2, 2, 2)),
    ("in2d_defaults", lambda nn: nn.LazyInstanceNorm2d(), (2, 3, 4, 4)),
    ("in1d_no_bias", lambda nn: nn.LazyInstanceNorm1d(bias=False), (2, 3, 6)),
]


@pytest.mark.parametrize(("name", "make", "shape"), _LAZY, ids=[c[0] for c in _LAZY])
def test_lazy_modules_match_torch(name, make, shape):
    torch = torch_or_skip()
    seen = []
    for lib in (pa, torch):
        lib.manual_seed(0)
        m = make(lib.nn)
        before = (repr(m), list(m.state_dict()), [type(p).__name__ for p in m.parameters()])
        x = lib.randn(*shape)
        y = m(x)
        after = (repr(m), type(m).__name__, [(n, tuple(p.shape)) for n, p in m.named_parameters()])
        buffers = [(n, tuple(b.shape)) for n, b in m.named_buffers()]
        tensors = [y.detach().numpy()] + [p.detach().numpy() for p in m.parameters()]
        seen.append((before, after, buffers, float(lib.rand(1)), tensors))
    (b0, a0, f0, r0, t0), (b1, a1, f1, r1, t1) = seen
    assert (b0, a0, f0, r0) == (b1, a1, f1, r1)  # same draws: nothing drawn before the input
    for u, v in zip(t0, t1, strict=True):
        np.testing.assert_allclose(u, v, rtol=1e-5, atol=1e-6)


def test_lazy_module_errors_and_training():
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.LazyConv2d(4, 3, groups=4)(pa.randn(1, 6, 5, 5))
    with pytest.raises(RuntimeError, match=r"Expected 3D \(unbatched\) or 4D \(batched\) input"):
        nn.LazyConv2d(4, 3)(pa.randn(5, 5))
    model = nn.Sequential(nn.LazyConv2d(4, 3), nn.LazyBatchNorm2d(), nn.Flatten(), nn.LazyLinear(2))
    model(pa.randn(3, 2, 6, 6))
    assert [type(m).__name__ for m in model] == ["Conv2d", "BatchNorm2d", "Flatten", "Linear"]
    opt = pa.optim.SGD(model.parameters(), lr=0.1)
    loss = model(pa.randn(3, 2, 6, 6)).pow(2).mean()
    loss.backward()
    opt.step()
    assert all(p.grad is not None for p in model.parameters())
    assert repr(nn.UninitializedBuffer()) == "<UninitializedBuffer>"


def test_state_dict_loads_into_uninitialized_lazy_modules_as_in_torch():
    torch = torch_or_skip()
    seen = []
    for lib in (pa, torch):
        lib.manual_seed(1)
        nn_ = lib.nn
        full = nn_.Sequential(
            nn_.Conv1d(2, 3, 3), nn_.BatchNorm1d(3), nn_.Flatten(), nn_.Linear(12, 2)
        )
        lazy = nn_.Sequential(
            nn_.LazyConv1d(3, 3), nn_.LazyBatchNorm1d(), nn_.Flatten(), nn_.LazyLinear(2)
        )
        result = repr(lazy.load_state_dict(full.state_dict()))
        loaded = repr(lazy)
        full.eval()
        lazy.eval()
        x = lib.randn(2, 2, 6)
        same = bool(lib.equal(lazy(x), full(x)))
        seen.append((result, loaded, repr(lazy), same, float(lib.rand(1))))
    assert seen[0] == seen[1]
    assert seen[0][3]
