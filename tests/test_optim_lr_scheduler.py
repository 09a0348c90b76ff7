"""optim.lr_scheduler against torch.optim.lr_scheduler: the same sequences of learning rates
(two parameter groups), state_dict round trips and errors."""

import math
import pickle

import numpy as np
import pytest
from nn_helpers import torch_or_skip

import pyautograd as pa
from pyautograd import nn, optim


def _opt(lib, lr=0.1):
    p1 = lib.nn.Parameter(lib.ones(2))
    p2 = lib.nn.Parameter(lib.ones(2))
    return lib.optim.SGD([{"params": [p1]}, {"params": [p2], "lr": lr * 3}], lr=lr, momentum=0.9)


def _sequence(lib, make, epochs=25, metrics=None):
    opt = _opt(lib)
    sched = make(lib.optim.lr_scheduler, opt)
    seq = [sched.get_last_lr()]
    for e in range(epochs):
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[e])
        seq.append(sched.get_last_lr())
        assert [g["lr"] for g in opt.param_groups] == seq[-1]
    return seq, sched


SCHEDULERS = {
    "StepLR": lambda s, o: s.StepLR(o, step_size=3, gamma=0.5),
    "StepLR1": lambda s, o: s.StepLR(o, 1),
    "MultiStepLR": lambda s, o: s.MultiStepLR(o, milestones=[2, 5, 5, 11], gamma=0.3),
    "ExponentialLR": lambda s, o: s.ExponentialLR(o, gamma=0.9),
    "CosineAnnealingLR": lambda s, o: s.CosineAnnealingLR(o, T_max=7),
    "CosineAnnealingLR_eta": lambda s, o: s.CosineAnnealingLR(o, T_max=4, eta_min=0.01),
    "LambdaLR": lambda s, o: s.LambdaLR(o, lambda e: 1 / (1 + e)),
    "LambdaLR_list": lambda s, o: s.LambdaLR(o, [lambda e: 0.95**e, lambda e: 1 + e % 3]),
}


@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_lr_sequences_match_torch(name):
    torch = torch_or_skip()
    got, _ = _sequence(pa, SCHEDULERS[name])
    want, _ = _sequence(torch, SCHEDULERS[name])
    np.testing.assert_allclose(np.array(got), np.array(want), rtol=1e-12, atol=1e-15)


PLATEAU = {
    "min_rel": {},
    "max_abs": {"mode": "max", "threshold_mode": "abs", "threshold": 0.05},
    "patience_cooldown": {"patience": 1, "cooldown": 2, "factor": 0.5},
    "min_lr": {"patience": 0, "factor": 0.2, "min_lr": [0.01, 0.05]},
    "eps": {"patience": 0, "factor": 0.9, "eps": 0.05},
}


@pytest.mark.parametrize("name", list(PLATEAU))
def test_reduce_lr_on_plateau_matches_torch(name):
    torch = torch_or_skip()
    rng = np.random.default_rng(3)
    metrics = list(np.round(np.cumsum(rng.standard_normal(30)) * 0.1 + 1, 3))
    make = lambda s, o: s.ReduceLROnPlateau(o, **PLATEAU[name])  # noqa: E731
    got, ps = _sequence(pa, make, 30, metrics)
    want, ts = _sequence(torch, make, 30, metrics)
    np.testing.assert_allclose(np.array(got), np.array(want), rtol=1e-12)
    assert (ps.best, ps.num_bad_epochs, ps.cooldown_counter, ps.last_epoch) == (
        ts.best,
        ts.num_bad_epochs,
        ts.cooldown_counter,
        ts.last_epoch,
    )


def test_plateau_accepts_tensor_metrics():
    opt = _opt(pa)
    s = optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0)
    s.step(pa.tensor(1.0))
    s.step(pa.tensor(2.0))
    assert s.get_last_lr() == pytest.approx([0.01, 0.03])


@pytest.mark.parametrize("name", ["StepLR", "CosineAnnealingLR", "LambdaLR"])
def test_state_dict_round_trip(name):
    seq, sched = _sequence(pa, SCHEDULERS[name], epochs=5)
    sd = sched.state_dict()
    assert "optimizer" not in sd
    opt2 = _opt(pa)
    s2 = SCHEDULERS[name](optim.lr_scheduler, opt2)
    s2.load_state_dict(pickle.loads(pickle.dumps(sd)) if name != "LambdaLR" else sd)
    assert s2.last_epoch == 5 and s2.get_last_lr() == seq[-1]
    for g, lr in zip(opt2.param_groups, seq[-1], strict=True):
        g["lr"] = lr
    for _ in range(3):
        sched.step()
        s2.step()
    assert s2.get_last_lr() == sched.get_last_lr()


def test_closed_form_with_epoch_argument():
    torch = torch_or_skip()

    def run(lib):
        opt = _opt(lib)
        s = lib.optim.lr_scheduler.StepLR(opt, 2, 0.5)
        with pytest.warns(UserWarning):
            s.step(7)
        return s.get_last_lr()

    assert run(pa) == run(torch)


def test_errors_and_warnings():
    opt = _opt(pa)
    with pytest.raises(TypeError, match="is not an Optimizer"):
        optim.lr_scheduler.StepLR(object(), 1)
    with pytest.raises(KeyError, match="initial_lr"):
        optim.lr_scheduler.StepLR(opt, 1, last_epoch=3)
    with pytest.raises(ValueError, match=r"Factor should be < 1\.0"):
        optim.lr_scheduler.ReduceLROnPlateau(opt, factor=1.0)
    with pytest.raises(ValueError, match="mode x is unknown"):
        optim.lr_scheduler.ReduceLROnPlateau(opt, mode="x")
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas"):
        optim.lr_scheduler.LambdaLR(opt, [lambda e: 1.0])
    s = optim.lr_scheduler.ExponentialLR(opt, 0.5)
    with pytest.warns(UserWarning, match="get_last_lr"):
        s.get_lr()


def test_base_lrs_and_initial_lr():
    opt = _opt(pa)
    s = optim.lr_scheduler.CosineAnnealingLR(opt, 10)
    assert s.base_lrs == [0.1, pytest.approx(0.3)]
    assert all("initial_lr" in g for g in opt.param_groups)
    for _ in range(10):
        s.step()
    assert s.get_last_lr()[0] == pytest.approx(0.0, abs=1e-15)
    assert math.isclose(opt.param_groups[1]["lr"], 0.0, abs_tol=1e-15)
    _ = nn
