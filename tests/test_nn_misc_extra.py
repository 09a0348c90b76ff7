"""F.relu_/elu_/leaky_relu_/hardtanh_, F.pdist, the *_with_indices pooling names,
BatchNorm3d, the 3-d padding layers and NLLLoss2d against PyTorch."""

import warnings

import numpy as np
import pytest
from nn_helpers import assert_close, copy_params, pa_of, torch_or_skip

import pyautograd as pa
from pyautograd.autograd import gradcheck
from pyautograd.nn import functional as F

rng = np.random.default_rng(0)


def test_inplace_activations_match_torch():
    torch = torch_or_skip()
    x = rng.standard_normal((3, 4)) * 2
    for name, args in [
        ("relu_", ()),
        ("elu_", (0.5,)),
        ("leaky_relu_", (0.2,)),
        ("hardtanh_", (-0.5, 0.5)),
    ]:
        p, t = pa.tensor(x), torch.tensor(x)
        assert getattr(F, name)(p, *args) is p
        getattr(torch.nn.functional, name)(t, *args)
        assert_close(p, t)


@pytest.mark.parametrize("p", [1.0, 2.0, 3.0])
def test_pdist_matches_torch(p):
    torch = torch_or_skip()
    x = rng.standard_normal((5, 3))
    a, b = pa.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    pa_out, t_out = F.pdist(a, p), torch.nn.functional.pdist(b, p)
    assert_close(pa_out, t_out, rtol=1e-10)
    w = rng.standard_normal(tuple(t_out.shape))
    (pa_out * pa.tensor(w)).sum().backward()
    (t_out * torch.tensor(w)).sum().backward()
    assert_close(a.grad, b.grad, rtol=1e-9)
    assert gradcheck(lambda t: F.pdist(t, p), (pa_of(x, pa.float64, requires_grad=True),))


def test_with_indices_names():
    torch = torch_or_skip()
    x = rng.standard_normal((2, 3, 6, 6))
    for name, args in [
        ("max_pool2d_with_indices", (2,)),
        ("adaptive_max_pool2d_with_indices", ((3, 2),)),
    ]:
        (pv, pi), (tv, ti) = (
            getattr(F, name)(pa.tensor(x), *args),
            getattr(torch.nn.functional, name)(torch.tensor(x), *args),
        )
        assert_close(pv, tv)
        assert pi.tolist() == ti.tolist()
    x1 = rng.standard_normal((2, 3, 8))
    for name, args in [
        ("max_pool1d_with_indices", (2,)),
        ("adaptive_max_pool1d_with_indices", (3,)),
    ]:
        (pv, pi), (tv, ti) = (
            getattr(F, name)(pa.tensor(x1), *args),
            getattr(torch.nn.functional, name)(torch.tensor(x1), *args),
        )
        assert_close(pv, tv)
        assert pi.tolist() == ti.tolist()


def test_batchnorm3d_matches_torch():
    torch = torch_or_skip()
    pm, tm = pa.nn.BatchNorm3d(3).double(), torch.nn.BatchNorm3d(3).double()
    assert repr(pm) == repr(tm)
    copy_params(pm, tm)
    for mode in (True, False):
        pm.train(mode)
        tm.train(mode)
        x = rng.standard_normal((2, 3, 2, 3, 2))
        pa_x, t_x = pa.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        po, to = pm(pa_x), tm(t_x)
        (po * po).sum().backward()
        (to * to).sum().backward()
        assert_close(po, to, rtol=1e-9, atol=1e-10)
        assert_close(pa_x.grad, t_x.grad, rtol=1e-8, atol=1e-10)
        assert_close(pm.running_var, tm.running_var, rtol=1e-10)
    with pytest.raises(ValueError, match="expected 5D input"):
        pm(pa.randn(2, 3, 4))


def test_padding_3d_and_nllloss2d_match_torch():
    torch = torch_or_skip()
    x = rng.standard_normal((1, 2, 3, 4, 4))
    for make in [
        lambda L: L.nn.ZeroPad3d(1),
        lambda L: L.nn.ConstantPad3d((1, 0, 2, 1, 0, 1), 3.5),
        lambda L: L.nn.ReflectionPad3d(1),
        lambda L: L.nn.ReplicationPad3d((2, 1, 0, 1, 1, 0)),
        lambda L: L.nn.CircularPad3d(1),
    ]:
        pm, tm = make(pa), make(torch)
        assert repr(pm) == repr(tm)
        assert_close(pm(pa.tensor(x)), tm(torch.tensor(x)))
    with pytest.warns(FutureWarning, match="NLLLoss2d"):
        loss = pa.nn.NLLLoss2d()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tloss = torch.nn.NLLLoss2d()
    logp = rng.standard_normal((2, 3, 2, 2))
    y = rng.integers(0, 3, (2, 2, 2))
    assert_close(loss(pa.tensor(logp), pa.tensor(y)), tloss(torch.tensor(logp), torch.tensor(y)))
