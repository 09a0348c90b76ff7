"""pyautograd.optim against torch.optim: the same model, weights, data and hyper-parameters
give the same parameters (to float32 rounding) and state after 10 steps, for every option
combination; plus param groups, zero_grad, state_dict/load_state_dict, the fused entry point
and errors."""

import copy
import itertools
import pickle

import numpy as np
import pytest
from nn_helpers import assert_close, copy_params, np_of, pa_of, torch_or_skip

import pyautograd as pa
from pyautograd import nn, optim


def _model(lib, dtype):
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Linear(5, 4), lib.nn.Tanh(), lib.nn.Linear(4, 3)).to(
        getattr(lib, dtype)
    )


def _data(lib, dtype):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((8, 5)), rng.standard_normal((8, 3))
    if lib is pa:
        return pa_of(x, getattr(pa, dtype)), pa_of(y, getattr(pa, dtype))
    return lib.tensor(x, dtype=getattr(lib, dtype)), lib.tensor(y, dtype=getattr(lib, dtype))


def _train(lib, model, make_opt, dtype, steps=10, closure=False):
    opt = make_opt(lib.optim, model.parameters())
    x, y = _data(lib, dtype)
    losses = []
    for _ in range(steps):
        opt.zero_grad()

        def step_closure():
            opt.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            return loss

        if closure:
            losses.append(opt.step(step_closure).item())
            continue
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return opt, losses


def compare_optim(make_opt, dtype="float32", steps=10, closure=False):
    torch = torch_or_skip()
    tm = _model(torch, dtype)
    pm = _model(pa, dtype)
    copy_params(pm, tm)
    t_opt, t_losses = _train(torch, tm, make_opt, dtype, steps, closure)
    p_opt, p_losses = _train(pa, pm, make_opt, dtype, steps, closure)
    tol = {"rtol": 2e-5, "atol": 2e-6} if dtype == "float32" else {"rtol": 1e-10, "atol": 1e-12}
    np.testing.assert_allclose(p_losses, t_losses, **tol)
    for (name, p), (_, t) in zip(pm.named_parameters(), tm.named_parameters(), strict=True):
        assert_close(p, t, what=f"{name} after {steps} steps", **tol)
    # the state, key by key
    t_state = t_opt.state_dict()["state"]
    p_state = p_opt.state_dict()["state"]
    assert sorted(p_state) == sorted(t_state)
    for k in t_state:
        assert sorted(p_state[k]) == sorted(t_state[k]), k
        for name, v in t_state[k].items():
            assert_close(p_state[k][name], v, what=f"state {k}.{name}", **tol)
    t_groups = t_opt.state_dict()["param_groups"]
    p_groups = p_opt.state_dict()["param_groups"]
    assert [sorted(g) for g in p_groups] == [sorted(g) for g in t_groups]
    return p_opt, t_opt


SGD_CASES = [
    dict(lr=0.1),
    dict(lr=0.1, momentum=0.9),
    dict(lr=0.1, momentum=0.9, dampening=0.3),
    dict(lr=0.1, momentum=0.9, nesterov=True),
    dict(lr=0.1, weight_decay=0.01),
    dict(lr=0.1, momentum=0.5, weight_decay=0.1, nesterov=True),
    dict(lr=0.05, momentum=0.9, dampening=0.5, weight_decay=0.01, maximize=True),
    dict(lr=0.05, maximize=True),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kw", SGD_CASES, ids=[str(k) for k in SGD_CASES])
def test_sgd_matches_torch(kw, dtype):
    compare_optim(lambda o, p: o.SGD(p, **kw), dtype)


ADAM_CASES = [
    dict(zip(("weight_decay", "amsgrad", "maximize"), combo, strict=True))
    for combo in itertools.product([0, 0.1], [False, True], [False, True])
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("cls", ["Adam", "AdamW"])
@pytest.mark.parametrize("kw", ADAM_CASES, ids=[str(k) for k in ADAM_CASES])
def test_adam_and_adamw_match_torch(cls, kw, dtype):
    compare_optim(
        lambda o, p: getattr(o, cls)(p, lr=0.01, betas=(0.8, 0.95), eps=1e-6, **kw), dtype
    )


def test_adam_decoupled_flag_and_defaults():
    compare_optim(lambda o, p: o.Adam(p, weight_decay=0.05, decoupled_weight_decay=True))
    compare_optim(lambda o, p: o.AdamW(p))
    compare_optim(lambda o, p: o.Adam(p), steps=30)


RMS_CASES = [
    dict(zip(("centered", "momentum", "weight_decay", "maximize"), combo, strict=True))
    for combo in itertools.product([False, True], [0, 0.9], [0, 0.1], [False, True])
]


@pytest.mark.parametrize("kw", RMS_CASES, ids=[str(k) for k in RMS_CASES])
def test_rmsprop_matches_torch(kw):
    compare_optim(lambda o, p: o.RMSprop(p, lr=0.01, alpha=0.9, **kw))


def test_rmsprop_float64_and_defaults():
    compare_optim(lambda o, p: o.RMSprop(p, centered=True, momentum=0.5), "float64")
    compare_optim(lambda o, p: o.RMSprop(p))


ADAGRAD_CASES = [
    dict(),
    dict(lr_decay=0.1),
    dict(weight_decay=0.1),
    dict(initial_accumulator_value=0.5),
    dict(lr_decay=0.05, weight_decay=0.05, initial_accumulator_value=0.1, maximize=True),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kw", ADAGRAD_CASES, ids=[str(k) for k in ADAGRAD_CASES])
def test_adagrad_matches_torch(kw, dtype):
    compare_optim(lambda o, p: o.Adagrad(p, lr=0.1, eps=1e-6, **kw), dtype)


def test_closure_returns_loss():
    compare_optim(lambda o, p: o.SGD(p, lr=0.1, momentum=0.9), closure=True)


def test_param_groups_with_their_own_hyperparameters():
    def make(o, params):
        params = list(params)
        return o.SGD(
            [{"params": params[:2]}, {"params": params[2:], "lr": 0.01, "momentum": 0.5}],
            lr=0.1,
            momentum=0.9,
        )

    p_opt, _ = compare_optim(make)
    assert [g["lr"] for g in p_opt.param_groups] == [0.1, 0.01]
    assert [g["momentum"] for g in p_opt.param_groups] == [0.9, 0.5]


def test_add_param_group_and_lr_changes():
    torch = torch_or_skip()

    def run(lib):
        model = _model(lib, "float32")
        if lib is pa:
            copy_params(model, _model(torch, "float32"))
        params = list(model.parameters())
        opt = lib.optim.Adam(params[:2], lr=0.01)
        opt.add_param_group({"params": params[2:], "lr": 0.05, "betas": (0.5, 0.9)})
        x, y = _data(lib, "float32")
        for i in range(6):
            opt.zero_grad()
            ((model(x) - y) ** 2).sum().backward()
            opt.step()
            for g in opt.param_groups:
                g["lr"] *= 0.9 if i % 2 else 1.0
        return [np_of(p) for p in model.parameters()]

    for a, b in zip(run(pa), run(torch), strict=True):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-6)


def test_parameters_without_gradient_are_skipped():
    w = nn.Parameter(pa.ones(2))
    v = nn.Parameter(pa.ones(2))
    opt = optim.Adam([w, v], lr=0.1)
    (w * 2).sum().backward()
    opt.step()
    assert v.tolist() == [1.0, 1.0] and v not in opt.state and w in opt.state
    assert opt.state[w]["step"].item() == 1.0


def test_step_bumps_versions_and_is_in_place():
    w = nn.Parameter(pa.ones(3))
    opt = optim.SGD([w], lr=0.5, momentum=0.9)
    (w * 2).sum().backward()
    ptr, version = w.data_ptr(), w._version
    opt.step()
    assert w.data_ptr() == ptr and w._version == version + 1
    buf = opt.state[w]["momentum_buffer"]
    v = buf._version
    opt.step()
    assert buf._version == v + 1 and w._version == version + 2


def test_step_keeps_saved_tensor_checks():
    w = nn.Parameter(pa.ones(3))
    y = (w * w).sum()  # saves w
    y.backward(retain_graph=True)
    optim.SGD([w], lr=0.1).step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_zero_grad():
    w = nn.Parameter(pa.ones(2))
    opt = optim.SGD([w], lr=0.1)
    (w * 3).sum().backward()
    g = w.grad
    opt.zero_grad(set_to_none=False)
    assert w.grad is g and g.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert w.grad is None


def test_state_dict_round_trip_continues_identically():
    torch = torch_or_skip()

    def fresh():
        m = _model(pa, "float32")
        copy_params(m, _model(torch, "float32"))
        return m

    x, y = _data(pa, "float32")

    def train(model, opt, n):
        for _ in range(n):
            opt.zero_grad()
            ((model(x) - y) ** 2).mean().backward()
            opt.step()

    for make in (
        lambda p: optim.SGD(p, lr=0.1, momentum=0.9),
        lambda p: optim.Adam(p, lr=0.01, amsgrad=True),
        lambda p: optim.RMSprop(p, centered=True, momentum=0.3),
        lambda p: optim.Adagrad(p, lr_decay=0.1),
    ):
        a = fresh()
        oa = make(a.parameters())
        train(a, oa, 10)
        b = fresh()
        ob = make(b.parameters())
        train(b, ob, 5)
        sd = pickle.loads(pickle.dumps(ob.state_dict()))
        c = copy.deepcopy(b)
        oc = make(c.parameters())
        oc.load_state_dict(sd)
        train(c, oc, 5)
        for p, q in zip(a.parameters(), c.parameters(), strict=True):
            np.testing.assert_array_equal(np_of(p), np_of(q))


def test_state_dict_layout_matches_torch():
    torch = torch_or_skip()

    def layout(lib):
        m = _model(lib, "float32")
        opt = lib.optim.Adam(
            [{"params": list(m.parameters())[:2]}, {"params": list(m.parameters())[2:], "lr": 0.1}]
        )
        x, y = _data(lib, "float32")
        ((m(x) - y) ** 2).sum().backward()
        opt.step()
        sd = opt.state_dict()
        return (
            sorted(sd),
            {k: sorted(v) for k, v in sd["state"].items()},
            [dict(g) for g in sd["param_groups"]],
            str(sd["state"][0]["step"].dtype).split(".")[-1],
            tuple(sd["state"][0]["step"].shape),
        )

    assert layout(pa) == layout(torch)


def test_load_state_dict_errors():
    w = nn.Parameter(pa.ones(2))
    v = nn.Parameter(pa.ones(2))
    opt = optim.SGD([w, v], lr=0.1)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        opt.load_state_dict({"state": {}, "param_groups": []})
    with pytest.raises(ValueError, match="doesn't match the size"):
        opt.load_state_dict({"state": {}, "param_groups": [{"lr": 0.1, "params": [0]}]})


def test_reprs_match_torch():
    torch = torch_or_skip()
    for make in (
        lambda o, p: o.SGD(p, lr=0.1, momentum=0.9),
        lambda o, p: o.Adam(p),
        lambda o, p: o.AdamW(p, amsgrad=True),
        lambda o, p: o.RMSprop(p),
        lambda o, p: o.Adagrad(p),
    ):
        assert repr(make(optim, [nn.Parameter(pa.ones(1))])) == repr(
            make(torch.optim, [torch.nn.Parameter(torch.ones(1))])
        )


def test_constructor_errors_match_torch():
    torch = torch_or_skip()
    cases = [
        lambda T, p: T.optim.SGD(p, lr=-1),
        lambda T, p: T.optim.SGD(p, lr=0.1, momentum=-1),
        lambda T, p: T.optim.SGD(p, lr=0.1, nesterov=True),
        lambda T, p: T.optim.Adam(p, betas=(1.0, 0.9)),
        lambda T, p: T.optim.Adam(p, eps=-1),
        lambda T, p: T.optim.SGD([], lr=0.1),
        lambda T, p: T.optim.SGD(p[0], lr=0.1),
        lambda T, p: T.optim.SGD([{"params": p}, {"params": p}], lr=0.1),
        lambda T, p: T.optim.SGD([p[0] * 2], lr=0.1),
        lambda T, p: T.optim.SGD({p[0]}, lr=0.1),
        lambda T, p: T.optim.RMSprop(p, alpha=-1),
        lambda T, p: T.optim.Adagrad(p, lr_decay=-1),
    ]

    def outcome(T, f):
        p = [T.nn.Parameter(T.ones(2))]
        try:
            f(T, p)
            return "ok"
        except Exception as e:
            return type(e).__name__, str(e).split(":")[0].split(",")[0]

    for f in cases:
        assert outcome(pa, f) == outcome(torch, f)


def test_fused_entry_point_validates_before_writing():
    w = pa.ones(3)
    g = pa.ones(3)
    bad = pa.ones(2)
    with pytest.raises(RuntimeError, match="gradient"):
        pa._core._optim_step(
            "sgd",
            [w, w],
            [g, bad],
            [None] * 2,
            [None] * 2,
            [None] * 2,
            [None] * 2,
            [False] * 2,
            lr=0.1,
        )
    assert w.tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(RuntimeError, match="state slot 0 is missing"):
        pa._core._optim_step(
            "adam", [w], [g], [None], [None], [None], [pa.zeros(())], [False], lr=0.1
        )
    with pytest.raises(ValueError, match="unknown optimizer kernel"):
        pa._core._optim_step("lion", [w], [g], [None], [None], [None], [None], [False])


def test_non_contiguous_parameter_is_updated():
    base = pa.zeros(4, 3)
    w = base.t().requires_grad_()
    assert not w.is_contiguous()
    opt = optim.SGD([w], lr=1.0)
    (w * pa.arange(12).reshape(3, 4).float()).sum().backward()
    opt.step()
    np.testing.assert_array_equal(np_of(w), -np.arange(12.0).reshape(3, 4))


def test_unsupported_flags_raise():
    p = [nn.Parameter(pa.ones(1))]
    with pytest.raises(ValueError, match="differentiable=True is not supported"):
        optim.SGD(p, lr=0.1, differentiable=True)
    with pytest.raises(ValueError, match="capturable=True is not supported"):
        optim.Adam(p, capturable=True)
    optim.Adam(p, fused=True, foreach=True)  # every step is fused anyway


def test_step_hooks():
    w = nn.Parameter(pa.ones(1))
    opt = optim.SGD([w], lr=0.1)
    calls = []
    h = opt.register_step_pre_hook(lambda o, a, k: calls.append("pre"))
    opt.register_step_post_hook(lambda o, a, k: calls.append("post"))
    w.sum().backward()
    opt.step()
    h.remove()
    opt.step()
    assert calls == ["pre", "post", "post"]
