"""Every layer and loss trained for 10 optimizer steps in pyautograd and in PyTorch from the same
weights and data: the losses and the parameters (and buffers) agree at every step."""

import numpy as np
import pytest
from nn_helpers import assert_close, copy_params, np_of, pa_of, torch_of, torch_or_skip

import pyautograd as pa

rng = np.random.default_rng(0)


def _data(kind, n=12):
    if kind == "regress":
        return rng.standard_normal((n, 6)), rng.standard_normal((n, 3))
    if kind == "classes":
        return rng.standard_normal((n, 6)), rng.integers(0, 3, n)
    if kind == "binary":
        return rng.standard_normal((n, 6)), rng.integers(0, 2, (n, 3)).astype(np.float64)
    if kind == "probs":
        return rng.standard_normal((n, 6)), rng.random((n, 3)) * 0.98 + 0.01
    raise AssertionError(kind)


CASES = {
    "linear_mse": (lambda m: m.Sequential(m.Linear(6, 3)), lambda m: m.MSELoss(), "regress"),
    "mlp_l1": (
        lambda m: m.Sequential(m.Linear(6, 8), m.Tanh(), m.Linear(8, 3)),
        lambda m: m.L1Loss(),
        "regress",
    ),
    "layernorm_smoothl1": (
        lambda m: m.Sequential(m.Linear(6, 8), m.LayerNorm(8), m.ReLU(), m.Linear(8, 3)),
        lambda m: m.SmoothL1Loss(beta=0.5),
        "regress",
    ),
    "batchnorm_huber": (
        lambda m: m.Sequential(m.Linear(6, 8), m.BatchNorm1d(8), m.Sigmoid(), m.Linear(8, 3)),
        lambda m: m.HuberLoss(delta=0.7),
        "regress",
    ),
    "crossentropy": (
        lambda m: m.Sequential(m.Linear(6, 8), m.ReLU(), m.Linear(8, 3)),
        lambda m: m.CrossEntropyLoss(label_smoothing=0.1),
        "classes",
    ),
    "bce_with_logits": (
        lambda m: m.Sequential(m.Linear(6, 4), m.Tanh(), m.Linear(4, 3)),
        lambda m: m.BCEWithLogitsLoss(pos_weight=None),
        "binary",
    ),
    "bce": (
        lambda m: m.Sequential(m.Linear(6, 3), m.Sigmoid()),
        lambda m: m.BCELoss(),
        "binary",
    ),
    "unflatten_flatten": (
        lambda m: m.Sequential(m.Unflatten(1, (2, 3)), m.Flatten(), m.Linear(6, 3)),
        lambda m: m.MSELoss(reduction="sum"),
        "regress",
    ),
}

OPTIMIZERS = {
    "sgd": lambda o, p: o.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
    "adam": lambda o, p: o.Adam(p, lr=0.01, amsgrad=True),
    "rmsprop": lambda o, p: o.RMSprop(p, lr=0.005, centered=True),
}


@pytest.mark.parametrize("opt", list(OPTIMIZERS))
@pytest.mark.parametrize("case", list(CASES))
def test_ten_steps_match_torch(case, opt):
    torch = torch_or_skip()
    make_model, make_loss, kind = CASES[case]
    x, y = _data(kind)
    torch.manual_seed(0)
    tm = make_model(torch.nn).double()
    pm = make_model(pa.nn).double()
    copy_params(pm, tm)
    runs = []
    for lib, model in ((pa, pm), (torch, tm)):
        conv = (
            (lambda a, d=None: pa_of(a, d))
            if lib is pa
            else (lambda a, d=None: torch_of(a, torch, d))
        )
        xt = conv(x, lib.float64)
        yt = conv(y, lib.float64 if y.dtype.kind == "f" else None)
        optimizer = OPTIMIZERS[opt](lib.optim, model.parameters())
        loss_fn = make_loss(lib.nn)
        losses, params = [], []
        for _ in range(10):
            optimizer.zero_grad()
            loss = loss_fn(model(xt), yt)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            params.append([np_of(t) for t in model.state_dict().values()])
        runs.append((losses, params))
    (pl, pp), (tl, tp) = runs
    np.testing.assert_allclose(pl, tl, rtol=1e-9, atol=1e-12)
    for step, (a, b) in enumerate(zip(pp, tp, strict=True)):
        for i, (u, v) in enumerate(zip(a, b, strict=True)):
            assert_close(u, v, 1e-8, 1e-10, f"step {step} tensor {i}")
