"""nn.utils get_total_norm, clip_grads_with_norm_, clip_grad_norm (deprecated alias),
fuse_conv_bn_eval/weights, fuse_linear_bn_eval/weights and skip_init against PyTorch."""

import numpy as np
import pytest
from nn_helpers import assert_close, copy_params, torch_or_skip

import pyautograd as pa
from pyautograd import nn

rng = np.random.default_rng(0)


@pytest.mark.parametrize("norm_type", [1.0, 2.0, 3.0, float("inf")])
def test_total_norm_and_clipping_match_torch(norm_type):
    torch = torch_or_skip()
    arrays = [rng.standard_normal((3, 2)), rng.standard_normal(4)]
    ps = [pa.tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    for p, t, a in zip(ps, ts, arrays, strict=True):
        p.grad = pa.tensor(a * 3)
        t.grad = torch.tensor(a * 3)
    pn = nn.utils.get_total_norm([p.grad for p in ps], norm_type)
    tn = torch.nn.utils.get_total_norm([t.grad for t in ts], norm_type)
    assert_close(pn, tn, rtol=1e-10)
    nn.utils.clip_grads_with_norm_(ps, 1.0, pn)
    torch.nn.utils.clip_grads_with_norm_(ts, 1.0, tn)
    for p, t in zip(ps, ts, strict=True):
        assert_close(p.grad, t.grad, rtol=1e-10)
    with pytest.warns(FutureWarning, match="clip_grad_norm_"):
        total = nn.utils.clip_grad_norm(ps, 0.5)
    assert_close(total, torch.nn.utils.clip_grad_norm_(ts, 0.5), rtol=1e-10)


@pytest.mark.parametrize("transpose", [False, True])
def test_fuse_conv_bn_eval_matches_unfused(transpose):
    torch = torch_or_skip()

    def make(L):
        conv = L.nn.ConvTranspose2d(2, 3, 3) if transpose else L.nn.Conv2d(2, 3, 3)
        return conv.double().eval(), L.nn.BatchNorm2d(3).double().eval()

    (pc, pb), (tc, tb) = make(pa), make(torch)
    copy_params(pc, tc)
    with torch.no_grad():
        tb.running_mean.copy_(torch.tensor(rng.standard_normal(3)))
        tb.running_var.copy_(torch.tensor(rng.uniform(0.5, 2, 3)))
        tb.weight.copy_(torch.tensor(rng.standard_normal(3)))
        tb.bias.copy_(torch.tensor(rng.standard_normal(3)))
    copy_params(pb, tb)
    pf = nn.utils.fuse_conv_bn_eval(pc, pb, transpose)
    tf = torch.nn.utils.fuse_conv_bn_eval(tc, tb, transpose)
    assert_close(pf.weight, tf.weight, rtol=1e-10)
    assert_close(pf.bias, tf.bias, rtol=1e-10)
    x = rng.standard_normal((1, 2, 5, 5))
    assert_close(pf(pa.tensor(x)), pb(pc(pa.tensor(x))), rtol=1e-9, atol=1e-10)
    with pytest.raises(AssertionError, match="Fusion only for eval"):
        nn.utils.fuse_conv_bn_eval(pc.train(), pb)


def test_fuse_linear_bn_eval_matches_torch():
    torch = torch_or_skip()
    pl, tl = nn.Linear(3, 4).double().eval(), torch.nn.Linear(3, 4).double().eval()
    pb, tb = nn.BatchNorm1d(4).double().eval(), torch.nn.BatchNorm1d(4).double().eval()
    copy_params(pl, tl)
    with torch.no_grad():
        tb.running_mean.copy_(torch.tensor(rng.standard_normal(4)))
        tb.running_var.copy_(torch.tensor(rng.uniform(0.5, 2, 4)))
    copy_params(pb, tb)
    pf, tf = nn.utils.fuse_linear_bn_eval(pl, pb), torch.nn.utils.fuse_linear_bn_eval(tl, tb)
    assert_close(pf.weight, tf.weight, rtol=1e-10)
    assert_close(pf.bias, tf.bias, rtol=1e-10)
    assert isinstance(pf.weight, nn.Parameter)


def test_skip_init_builds_the_module():
    m = nn.utils.skip_init(nn.Linear, 3, 2)
    assert isinstance(m, nn.Linear) and m.weight.shape == (2, 3)
