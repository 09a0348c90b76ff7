"""Adamax, NAdam, RAdam, Adadelta, Rprop, ASGD, Adafactor and LBFGS against torch.optim: same
model, data and hyper-parameters; 10 steps; losses, parameters and every state tensor compared."""

import numpy as np
import pytest
from nn_helpers import assert_close, copy_params, torch_or_skip
from test_optim import _model, _train, compare_optim

import pyautograd as pa

CASES = [
    ("Adamax", dict(lr=0.01)),
    ("Adamax", dict(lr=0.02, betas=(0.8, 0.99), weight_decay=0.1, maximize=True)),
    ("NAdam", dict(lr=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("RAdam", dict(lr=0.01)),
    ("RAdam", dict(lr=0.01, betas=(0.9, 0.5))),  # rho_t > 5 early: the rectified branch
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, weight_decay=0.1)),
    ("Rprop", dict(lr=0.01)),
    ("Rprop", dict(lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.1), maximize=True)),
    ("ASGD", dict(lr=0.05)),
    ("ASGD", dict(lr=0.05, t0=3, lambd=0.01, weight_decay=0.1)),
    ("Adafactor", dict()),
    ("Adafactor", dict(lr=0.05, beta2_decay=-0.5, eps=(1e-20, 1e-2), d=1.5, weight_decay=0.1)),
    ("Adafactor", dict(lr=0.5, eps=(1e-3, 1e-3), maximize=True)),  # the clipping (d) binds
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(("name", "kw"), CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_matches_torch(name, kw, dtype):
    compare_optim(lambda mod, params: getattr(mod, name)(params, **kw), dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kw", [dict(lr=1), dict(lr=0.5, history_size=3, max_iter=5)])
def test_lbfgs_matches_torch(kw, dtype):
    torch = torch_or_skip()
    tm, pm = _model(torch, dtype), _model(pa, dtype)
    copy_params(pm, tm)

    def make(mod, params):
        return mod.LBFGS(params, **kw)

    _, t_losses = _train(torch, tm, make, dtype, steps=4, closure=True)
    _, p_losses = _train(pa, pm, make, dtype, steps=4, closure=True)
    # float64 agrees to 1e-9 over up to 80 L-BFGS iterations; in float32 the iterations amplify
    # the rounding of differently ordered sums (BLAS dot vs the library's reductions) to ~1 %.
    tol = {"rtol": 3e-2, "atol": 1e-2} if dtype == "float32" else {"rtol": 1e-9, "atol": 1e-11}
    np.testing.assert_allclose(p_losses, t_losses, **tol)
    for (name, p), (_, t) in zip(pm.named_parameters(), tm.named_parameters(), strict=True):
        assert_close(p, t, what=name, **tol)
    assert p_losses[-1] < p_losses[0]


def test_errors():
    p = [pa.nn.Parameter(pa.zeros(2))]
    with pytest.raises(ValueError, match="beta"):
        pa.optim.Adamax(p, betas=(1.0, 0.9))
    with pytest.raises(ValueError, match="rho"):
        pa.optim.Adadelta(p, rho=1.5)
    with pytest.raises(ValueError, match="eta"):
        pa.optim.Rprop(p, etas=(1.5, 1.2))
    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        q = pa.nn.Parameter(pa.ones(2))  # as PyTorch's: refused at the step, not the call
        opt = pa.optim.LBFGS([q], line_search_fn="bogus")

        def closure():
            opt.zero_grad()
            loss = (q**2).sum()
            loss.backward()
            return loss

        opt.step(closure)
    with pytest.raises(RuntimeError, match="closure"):
        pa.optim.LBFGS(p).step()


def test_adafactor_batched_and_scalar_params_match_torch():
    """A 3-d parameter (factored over its last two dims per leading index), a 0-d one and a
    vector; eps1=None takes the first parameter's dtype's eps for the whole group; a tensor lr
    with weight decay; 10 steps, then a state_dict round trip continues identically."""
    torch = torch_or_skip()
    rng = np.random.default_rng(3)
    arrays = [rng.standard_normal((2, 3, 4)), rng.standard_normal(()), rng.standard_normal(5)]
    targets = [rng.standard_normal(a.shape) for a in arrays]
    for dtype in ("float32", "float64"):
        runs = []
        for lib in (pa, torch):
            ps = [lib.tensor(a, dtype=getattr(lib, dtype), requires_grad=True) for a in arrays]
            ts = [lib.tensor(t, dtype=getattr(lib, dtype)) for t in targets]
            lr = lib.tensor(0.03)  # float32: PyTorch's step size is then a float32 tensor
            opt = lib.optim.Adafactor(
                [{"params": ps[:2]}, {"params": ps[2:], "lr": lr, "weight_decay": 0.1}], lr=0.02
            )
            for i in range(12):
                if i == 10:  # reload the state into a fresh optimizer
                    sd = opt.state_dict()
                    opt = lib.optim.Adafactor(
                        [{"params": ps[:2]}, {"params": ps[2:], "lr": lr, "weight_decay": 0.1}],
                        lr=0.02,
                    )
                    opt.load_state_dict(sd)
                opt.zero_grad()
                loss = sum(((p * p * p - t) ** 2).sum() for p, t in zip(ps, ts, strict=True))
                loss.backward()
                opt.step()
            runs.append((ps, opt.state_dict()))
        tol = {"rtol": 2e-5, "atol": 2e-6} if dtype == "float32" else {"rtol": 1e-10}
        (pp, psd), (tp, tsd) = runs
        for a, b in zip(pp, tp, strict=True):
            assert_close(a, b, **tol)
        for k, st in tsd["state"].items():
            assert sorted(psd["state"][k]) == sorted(st)
            for name, v in st.items():
                assert_close(psd["state"][k][name], v, what=f"{k}.{name}", **tol)


def test_adafactor_and_sparse_adam_errors_as_torch():
    torch = torch_or_skip()
    bad = [
        dict(lr=-1.0), dict(beta2_decay=0.5), dict(eps=(-1.0, 1e-3)), dict(eps=(None, -1.0)),
        dict(d=0.5), dict(weight_decay=-0.1),
    ]  # fmt: skip
    for kw in bad:
        for lib in (pa, torch):
            with pytest.raises(ValueError) as e:
                lib.optim.Adafactor([lib.zeros(2, requires_grad=True)], **kw)
            if lib is pa:
                msg = str(e.value)
            else:
                assert msg == str(e.value)
    for kw in [dict(lr=0.0), dict(eps=0.0), dict(betas=(1.0, 0.9)), dict(betas=(0.9, -0.1))]:
        for lib in (pa, torch):
            with pytest.raises(ValueError) as e:
                lib.optim.SparseAdam([lib.zeros(2, requires_grad=True)], **kw)
            if lib is pa:
                msg = str(e.value)
            else:
                assert msg == str(e.value)


def test_sparse_adam_dense_gradient_raises_as_torch():
    """pyautograd has no sparse gradients: SparseAdam's step raises the RuntimeError PyTorch
    raises for a dense gradient, leaving the parameter and the state untouched."""
    torch = torch_or_skip()
    for lib in (pa, torch):
        p = lib.ones(3, requires_grad=True)
        q = lib.ones(2, requires_grad=True)
        opt = lib.optim.SparseAdam([p, q], lr=0.1)
        opt.step()  # no gradients yet: nothing to do
        (p * 2).sum().backward()
        with pytest.raises(RuntimeError, match="SparseAdam does not support dense gradients"):
            opt.step()
        assert p.tolist() == [1.0, 1.0, 1.0]
        assert len(opt.state_dict()["state"]) == 0
        assert opt.state_dict()["param_groups"][0]["betas"] == (0.9, 0.999)
        assert sorted(opt.defaults) == ["betas", "eps", "lr", "maximize"]
