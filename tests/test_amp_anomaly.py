"""torch.amp / torch.cuda.amp (autocast, GradScaler) and anomaly mode: PyTorch's behaviour on a
machine without CUDA, and GradScaler on the CPU step for step against PyTorch's."""

import warnings

import numpy as np
import pytest

import pyautograd as pa


def _torch():
    return pytest.importorskip("torch")


def test_autocast_disabled_is_a_no_op_context_and_decorator():
    x = pa.randn(3, 3)
    with pa.autocast(device_type="cpu", enabled=False):
        y = x.mm(x)
    assert y.dtype == pa.float32 and not pa.is_autocast_enabled()

    @pa.amp.autocast("cpu", enabled=False)
    def f(a):
        return a + 1

    assert pa.equal(f(x), x + 1)


def test_autocast_cuda_disables_itself_with_torch_warning():
    torch = _torch()
    with pytest.warns(UserWarning, match="CUDA is not available") as ours:
        with pa.autocast("cuda"):
            pass
    if not torch.cuda.is_available():
        with pytest.warns(UserWarning) as theirs:
            with torch.autocast("cuda"):
                pass
        assert str(ours[0].message) == str(theirs[0].message)
    with pytest.warns(UserWarning):
        with pa.cuda.amp.autocast():
            pass


def test_autocast_cpu_enabled_raises():
    with pytest.raises(RuntimeError, match="reduced precision"):
        pa.autocast("cpu")
    with pytest.raises(ValueError, match="device_type"):
        pa.autocast(0)


def test_cuda_grad_scaler_disables_itself():
    with pytest.warns(UserWarning, match="Disabling"):
        s = pa.cuda.amp.GradScaler()
    assert not s.is_enabled() and s.get_scale() == 1.0 and s.state_dict() == {}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s2 = pa.amp.GradScaler(enabled=False)
    m = pa.nn.Linear(2, 1)
    opt = pa.optim.SGD(m.parameters(), lr=0.1)
    loss = m(pa.ones(1, 2)).sum()
    assert s2.scale(loss) is loss
    s2.scale(loss).backward()
    before = m.weight.detach().clone()
    s2.step(opt)
    s2.update()
    assert not pa.equal(before, m.weight.detach())


def test_cpu_grad_scaler_matches_torch_step_for_step():
    torch = _torch()
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((3, 4)).astype(np.float32)
    xs = [rng.standard_normal((5, 4)).astype(np.float32) for _ in range(8)]
    bad = {2, 5}  # steps whose loss is made infinite: both must skip them and back off
    runs = []
    for L in (pa, torch):
        w = L.tensor(w0.copy(), requires_grad=True)
        opt = L.optim.SGD([w], lr=0.01)
        scaler = L.amp.GradScaler("cpu", init_scale=1024.0, growth_interval=3)
        trace = []
        for i, x in enumerate(xs):
            opt.zero_grad()
            loss = (L.tensor(x).mm(w.t()) ** 2).mean()
            if i in bad:
                loss = loss * float("inf")
            scaler.scale(loss).backward()
            scaler.step(opt)
            scaler.update()
            trace.append((scaler.get_scale(), w.detach().numpy().copy()))
        runs.append((trace, scaler.state_dict()))
    (ours, ours_sd), (theirs, theirs_sd) = runs
    for (s1, w1), (s2, w2) in zip(ours, theirs, strict=True):
        assert s1 == s2
        np.testing.assert_allclose(w1, w2, rtol=1e-6, atol=1e-7)
    assert ours_sd == theirs_sd


def test_cpu_grad_scaler_errors():
    s = pa.amp.GradScaler("cpu")
    w = pa.zeros(2, requires_grad=True)
    opt = pa.optim.SGD([w], lr=0.1)
    s.scale(w.sum()).backward()
    s.unscale_(opt)
    with pytest.raises(RuntimeError, match="already been called"):
        s.unscale_(opt)
    s.step(opt)
    with pytest.raises(RuntimeError, match="already been called"):
        s.step(opt)
    s.update()
    with pytest.raises(ValueError, match="growth factor"):
        pa.amp.GradScaler("cpu", growth_factor=1.0)


def test_anomaly_mode_is_recorded_and_says_what_it_does_not_do():
    with pytest.warns(UserWarning, match="records the switch only"):
        pa.autograd.set_detect_anomaly(True)
    try:
        assert pa.autograd.is_anomaly_enabled()
    finally:
        pa.autograd.set_detect_anomaly(False)
    assert not pa.autograd.is_anomaly_enabled()
    with pytest.warns(UserWarning):
        ctx = pa.autograd.detect_anomaly(check_nan=False)
    with ctx:
        assert pa.autograd.is_anomaly_enabled()
        assert not pa.autograd.is_anomaly_check_nan_enabled()
    assert not pa.autograd.is_anomaly_enabled()


def test_checkpoint_gives_the_plain_call_values_and_gradients():
    torch = _torch()
    rng = np.random.default_rng(1)
    w0 = rng.standard_normal((4, 4))
    results = []
    for L in (pa, torch):
        w = L.tensor(w0, requires_grad=True)
        seq = L.nn.Sequential(L.nn.Linear(4, 4), L.nn.Tanh()).double()
        with L.no_grad():
            seq[0].weight.copy_(L.tensor(w0))
            seq[0].bias.zero_()
        y = L.utils.checkpoint.checkpoint(lambda a, s=2.0: (a.tanh() * s).sum(), w,
                                          use_reentrant=False, s=3.0)  # fmt: skip
        z = L.utils.checkpoint.checkpoint_sequential(seq, 1, w, use_reentrant=False).sum()
        (y + z).backward()
        results.append((y.item(), z.item(), w.grad.numpy().copy()))
    (y1, z1, g1), (y2, z2, g2) = results
    assert abs(y1 - y2) < 1e-12 and abs(z1 - z2) < 1e-12
    np.testing.assert_allclose(g1, g2, rtol=1e-12)
    with pytest.warns(UserWarning, match="use_reentrant"):
        pa.utils.checkpoint.checkpoint(lambda a: a, pa.ones(1))
    with pytest.raises(ValueError, match="Unexpected keyword"):
        pa.utils.checkpoint.checkpoint(lambda a, b=1: a, pa.ones(1), use_reentrant=True, b=2)
