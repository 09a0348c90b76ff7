"""Regression tests for the library gaps the programs of tests/nn_programs/unseen/ found
(tests/test_unseen_programs.py), each against PyTorch (skipped when it is absent)."""

from __future__ import annotations

import numpy as np
import pytest

import pyautograd as pa

torch = pytest.importorskip("torch")


def _both(fn, seed=0):
    """fn(lib) under each library after manual_seed(seed): (pyautograd's, PyTorch's)."""
    pa.manual_seed(seed)
    ours = fn(pa)
    torch.manual_seed(seed)
    theirs = fn(torch)
    return ours, theirs


def _same(ours, theirs, rtol=0.0, atol=0.0):
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=rtol, atol=atol)


# --- random draws follow the memory order of a non-contiguous input (PyTorch's empty_like) ---

LAYOUTS = {
    "transposed": lambda lib: lib.ones(3, 4, 5).transpose(0, 1),
    "permuted": lambda lib: lib.ones(3, 4, 5).permute(2, 0, 1),
    "sliced": lambda lib: lib.ones(3, 4, 6)[:, :, ::2],
    "contiguous": lambda lib: lib.ones(4, 3, 5),
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_dropout_mask_follows_the_input_memory_order(layout):
    # batch_first attention's output is a transposed view: its dropout mask (and so every
    # batch_first TransformerEncoderLayer in training) differed from PyTorch's
    ours, theirs = _both(lambda lib: lib.nn.functional.dropout(LAYOUTS[layout](lib), 0.3))
    _same(ours, theirs)
    ours, theirs = _both(
        lambda lib: lib.nn.functional.alpha_dropout(LAYOUTS[layout](lib), 0.3, True)
    )
    _same(ours, theirs, rtol=1e-6)


def test_batch_first_transformer_layer_trains_with_pytorch_dropout_masks():
    def layer_out(lib):
        layer = lib.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.2, batch_first=True)
        x = lib.randn(3, 5, 8)
        mask = lib.tensor([[False] * 5, [False] * 3 + [True] * 2, [False] * 4 + [True]])
        return layer(x, src_key_padding_mask=mask)

    ours, theirs = _both(layer_out)
    _same(ours, theirs, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_exponential_and_randint_like_follow_the_memory_order(layout):
    ours, theirs = _both(lambda lib: LAYOUTS[layout](lib).exponential_(2.0))
    _same(ours, theirs, rtol=1e-6)
    ours, theirs = _both(lambda lib: lib.randint_like(LAYOUTS[layout](lib), 3, 9))
    _same(ours, theirs)
    assert ours.dtype == pa.float32
    if layout != "sliced":  # a dense input's layout is kept
        assert ours.stride() == theirs.stride()


def test_randint_like_arguments():
    ours, theirs = _both(lambda lib: lib.randint_like(lib.ones(2, 3), 7, dtype=lib.int64))
    _same(ours, theirs)
    assert ours.dtype == pa.int64
    with pytest.raises(RuntimeError):
        pa.randint_like(pa.ones(2), 5, 2)
    with pytest.raises(TypeError):
        pa.randint_like(pa.ones(2), 5, bogus=1)


# --- optimizers: scalar state in PyTorch's dtype; load_state_dict aliases as PyTorch's ---

OPTIMIZERS = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adamax", "NAdam", "RAdam", "ASGD"]


def _train(lib, name, steps=2):
    p = lib.nn.Parameter(lib.randn(4))
    kw = {"momentum": 0.9} if name == "SGD" else {}
    opt = getattr(lib.optim, name)([p], lr=0.1, **kw)
    for _ in range(steps):
        opt.zero_grad()
        (p**2).sum().backward()
        opt.step()
    return p, opt, kw


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_optimizer_scalar_state_dtype_follows_the_default_dtype(name):
    # ASGD's eta/mu and NAdam's mu_product were float32 under a float64 default dtype, so
    # float64 training moved by float32 rounding; Adam's step printed dtype=torch.float32
    for dt in ("float64", "float32"):
        pa.set_default_dtype(getattr(pa, dt))
        torch.set_default_dtype(getattr(torch, dt))
        try:
            (p_o, opt_o, _), (p_t, opt_t, _) = _both(lambda lib: _train(lib, name, 3))
        finally:
            pa.set_default_dtype(pa.float32)
            torch.set_default_dtype(torch.float32)
        # the parameters start near 1 and end near 0 (Adam's steps cancel them): compared to
        # the rounding of their start (PyTorch's vectorised float32 kernels differ from one CPU
        # to another in the last bits, which that cancellation turns into relative noise)
        _same(
            p_o, p_t, rtol=1e-12 if dt == "float64" else 1e-6, atol=0.0 if dt == "float64" else 1e-7
        )
        for k, v in opt_t.state[p_t].items():
            assert str(opt_o.state[p_o][k].dtype) == str(v.dtype), (k, dt)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_optimizer_load_state_dict_keeps_the_loaded_tensors(name):
    # PyTorch's load_state_dict does not copy the state: the loaded dict's tensors are updated
    # by later steps (a checkpoint loaded into two optimizers in turn resumes differently)
    for lib in (pa, torch):
        lib.manual_seed(0)
        p, opt, kw = _train(lib, name)
        sd = opt.state_dict()
        before = {k: v.clone() for k, v in sd["state"][0].items() if isinstance(v, lib.Tensor)}
        opt2 = getattr(lib.optim, name)([p], lr=0.1, **kw)
        opt2.load_state_dict(sd)
        assert all(opt2.state[p][k] is v for k, v in sd["state"][0].items()), lib.__name__
        opt2.zero_grad()
        (p**2).sum().backward()
        opt2.step()
        changed = {k for k, v in before.items() if not lib.equal(v, sd["state"][0][k])}
        if lib is pa:
            ours = changed
        else:
            assert ours == changed, (ours, changed)
    # the hyper-parameters are copies (a scheduler changing the new lr leaves the dict's)
    opt2.param_groups[0]["lr"] = 0.5
    assert sd["param_groups"][0]["lr"] == 0.1


def test_optimizer_load_state_dict_casts_to_the_parameter_dtype():
    p = pa.nn.Parameter(pa.randn(3, dtype=pa.float64))
    opt = pa.optim.Adam([p])
    p32 = pa.nn.Parameter(pa.randn(3))
    src = pa.optim.Adam([p32])
    p32.grad = pa.ones(3)
    src.step()
    opt.load_state_dict(src.state_dict())
    assert opt.state[p]["exp_avg"].dtype == pa.float64
    assert opt.state[p]["step"].dtype == pa.float32  # the counter as it was
    p.grad = pa.ones(3, dtype=pa.float64)
    opt.step()
    assert float(opt.state[p]["step"]) == 2.0


def test_print_of_a_parameter_says_parameter_containing():
    # print(param) (str) printed the bare tensor; PyTorch's str is the class's repr
    for lib in (pa, torch):
        p = lib.nn.Parameter(lib.tensor([1.5, -2.0]))
        assert str(p) == repr(p)
        assert str(p).startswith("Parameter containing:\ntensor([ 1.5000, -2.0000]")
    assert str(pa.nn.Parameter(pa.tensor(0.25))) == str(torch.nn.Parameter(torch.tensor(0.25)))
    assert str(pa.ones(2)) == str(torch.ones(2))


# --- distributions: MultivariateNormal and MixtureSameFamily (MDNs, flows' priors) ---


def _mvn_params(lib, batch=(3,)):
    a = lib.randn(*batch, 2, 2, dtype=lib.float64)
    cov = a @ a.transpose(-2, -1) + lib.eye(2, dtype=lib.float64)
    loc = lib.randn(*batch, 2, dtype=lib.float64)
    return loc, cov


@pytest.mark.parametrize("param", ["covariance_matrix", "precision_matrix", "scale_tril"])
def test_multivariate_normal_matches_pytorch(param):
    def run(lib):
        loc, cov = _mvn_params(lib)
        loc.requires_grad_(True)
        m = {"covariance_matrix": cov, "precision_matrix": lib.linalg.inv(cov)}.get(
            param, lib.linalg.cholesky(cov)
        )
        m.requires_grad_(True)
        d = lib.distributions.MultivariateNormal(loc, **{param: m})
        x = lib.randn(4, 3, 2, dtype=lib.float64)
        lp = d.log_prob(x)
        lp.sum().backward()
        s = d.rsample((5,))
        return [lp, d.entropy(), d.mean, d.variance, d.covariance_matrix, d.precision_matrix,
                d.scale_tril, s, loc.grad, m.grad, d.sample()]  # fmt: skip

    ours, theirs = _both(run)
    for o, t in zip(ours, theirs, strict=True):
        _same(o, t, rtol=1e-10, atol=1e-12)
    pa.manual_seed(0)
    loc, cov = _mvn_params(pa)
    d = pa.distributions.MultivariateNormal(loc, cov)
    assert d.batch_shape == (3,) and d.event_shape == (2,)
    assert d.sample((7,)).shape == (7, 3, 2)


def test_multivariate_normal_kl_and_errors():
    def run(lib):
        lp, cp = _mvn_params(lib)
        lq, cq = _mvn_params(lib)
        p = lib.distributions.MultivariateNormal(lp, cp)
        q = lib.distributions.MultivariateNormal(lq, scale_tril=lib.linalg.cholesky(cq))
        return lib.distributions.kl_divergence(p, q)

    ours, theirs = _both(run)
    _same(ours, theirs, rtol=1e-10)
    with pytest.raises(ValueError):
        pa.distributions.MultivariateNormal(pa.zeros(2))
    with pytest.raises(ValueError):
        pa.distributions.MultivariateNormal(pa.zeros(2), pa.eye(2), scale_tril=pa.eye(2))
    with pytest.raises(ValueError):
        pa.distributions.MultivariateNormal(pa.zeros(2), -pa.eye(2))


@pytest.mark.parametrize("event", [False, True])
def test_mixture_same_family_matches_pytorch(event):
    def run(lib):
        logits = lib.randn(4, 3, dtype=lib.float64, requires_grad=True)
        mu = lib.randn(4, 3, 2, dtype=lib.float64, requires_grad=True)
        sigma = lib.rand(4, 3, 2, dtype=lib.float64) + 0.5
        D = lib.distributions
        comp = D.Normal(mu, sigma)
        comp = D.Independent(comp, 1) if event else D.Normal(mu[..., 0], sigma[..., 0])
        gmm = D.MixtureSameFamily(D.Categorical(logits=logits), comp)
        x = lib.randn(5, 4, *((2,) if event else ()), dtype=lib.float64)
        lp = gmm.log_prob(x)
        lp.sum().backward()
        return [lp, gmm.mean, gmm.variance, gmm.sample((6,)), logits.grad, mu.grad,
                lib.tensor([*gmm.batch_shape, -1, *gmm.event_shape])]  # fmt: skip

    ours, theirs = _both(run)
    for o, t in zip(ours, theirs, strict=True):
        _same(o, t, rtol=1e-10, atol=1e-12)


def test_mixture_same_family_errors_and_cdf():
    D = pa.distributions
    with pytest.raises(ValueError):
        D.MixtureSameFamily(D.Normal(0.0, 1.0), D.Normal(pa.zeros(3), pa.ones(3)))
    with pytest.raises(ValueError):  # 2 mixture weights for 3 components
        D.MixtureSameFamily(D.Categorical(logits=pa.zeros(2)), D.Normal(pa.zeros(3), pa.ones(3)))
    x = pa.tensor([-0.5, 0.0, 1.0], dtype=pa.float64)

    def cdf(lib):
        d = lib.distributions
        mix = d.Categorical(probs=lib.tensor([0.2, 0.8], dtype=lib.float64))
        comp = d.Normal(lib.tensor([0.0, 1.0], dtype=lib.float64), lib.tensor([1.0, 2.0]))
        return d.MixtureSameFamily(mix, comp).cdf(lib.tensor(x.numpy()))

    ours, theirs = _both(cdf)
    _same(ours, theirs, rtol=1e-12)


# --- LBFGS(line_search_fn="strong_wolfe") (PINN programs use it) ---


def _rosenbrock_run(lib, dtype, history=10, max_iter=20, steps=3):
    x = lib.nn.Parameter(lib.tensor([-1.5, 2.0, 0.5], dtype=getattr(lib, dtype)))
    opt = lib.optim.LBFGS(
        [x], lr=1.0, max_iter=max_iter, history_size=history, line_search_fn="strong_wolfe"
    )

    def closure():
        opt.zero_grad()
        loss = (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()
        loss.backward()
        return loss

    losses = [float(opt.step(closure).detach()) for _ in range(steps)]
    st = opt.state[x]
    return losses, x.detach().clone(), st["func_evals"], st["n_iter"]


@pytest.mark.parametrize("max_iter", [1, 5, 20])
def test_lbfgs_strong_wolfe_matches_pytorch_float64(max_iter):
    lo, xo, eo, no = _rosenbrock_run(pa, "float64", max_iter=max_iter)
    lt, xt, et, nt = _rosenbrock_run(torch, "float64", max_iter=max_iter)
    assert (eo, no) == (et, nt)  # the same evaluations: the same bracketing and zoom steps
    # L-BFGS amplifies the last bits of the gradient sums (1e-13 in the second step's loss
    # grows to 1e-8 near the minimum over ~60 evaluations), PyTorch against PyTorch too
    np.testing.assert_allclose(lo, lt, rtol=1e-6)
    _same(xo, xt, rtol=1e-6, atol=1e-9)


def test_lbfgs_strong_wolfe_float32_model():
    def run(lib):
        lib.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Linear(3, 8), lib.nn.Tanh(), lib.nn.Linear(8, 1))
        x = lib.randn(32, 3)
        y = x.sum(1, keepdim=True).sin()
        opt = lib.optim.LBFGS(model.parameters(), max_iter=10, line_search_fn="strong_wolfe")

        def closure():
            opt.zero_grad()
            loss = lib.nn.functional.mse_loss(model(x), y)
            loss.backward()
            return loss

        losses = [float(opt.step(closure).detach()) for _ in range(2)]
        return losses, opt.state[next(iter(opt.state))]["func_evals"]

    (lo, eo), (lt, et) = run(pa), run(torch)
    assert eo == et
    np.testing.assert_allclose(lo, lt, rtol=1e-4)


def test_more_distributions_match_pytorch():
    # Exponential, Laplace, LogNormal, HalfNormal, OneHotCategorical (AttributeError before),
    # Normal.icdf, distributions.kl and distributions.utils: samples (PyTorch's draws), log
    # densities, moments, cdfs and the gradients of rsample
    def run(lib):
        D = lib.distributions
        out = []
        rate = lib.tensor([0.5, 2.0], requires_grad=True)
        loc = lib.tensor([0.0, 1.0])
        for d in [D.Exponential(rate), D.Laplace(loc, rate), D.LogNormal(loc, rate),
                  D.HalfNormal(rate), D.Exponential(2.0), D.Laplace(0.0, 1.0)]:  # fmt: skip
            s = d.rsample((3,))
            out += [s, d.log_prob(s.detach()), d.mean, d.variance, d.entropy()]
            out += [d.cdf(s.detach()), d.sample()]
        oh = D.OneHotCategorical(logits=lib.tensor([[0.1, 0.5, -1.0], [2.0, 0.0, 0.0]]))
        s = oh.sample((4,))
        out += [s, oh.log_prob(s), oh.entropy(), oh.mean, oh.mode, oh.enumerate_support()]
        q = lib.tensor([0.3, 0.9])
        out.append(D.Normal(loc, lib.tensor([1.0, 3.0])).icdf(q))
        out.append(D.Exponential(rate).icdf(q))
        out.append(D.Laplace(0.0, 2.0).icdf(q))
        out.append(D.kl.kl_divergence(D.Normal(0.0, 1.0), D.Normal(1.0, 2.0)))
        out.append(D.utils.probs_to_logits(lib.tensor([0.2, 0.8])))
        sum(o.sum() for o in out if o.requires_grad).backward()
        return [*out, rate.grad]

    ours, theirs = _both(run)
    assert len(ours) == len(theirs) == 54
    for o, t in zip(ours, theirs, strict=True):
        assert tuple(o.shape) == tuple(t.shape)
        _same(o, t, rtol=1e-5, atol=1e-6)
    D = pa.distributions
    assert D.OneHotCategorical(probs=pa.ones(2, 3)).event_shape == (3,)
    with pytest.raises(ValueError):
        D.Exponential(pa.tensor([-1.0]))
    with pytest.raises(ValueError):
        D.Laplace(0.0, 1.0).log_prob(pa.tensor(float("nan")))


def test_get_worker_info_in_an_iterable_dataset():
    # the IterableDataset recipe of PyTorch's docs: split the range per worker, or take it all
    # in the main process (get_worker_info() is None there)
    def make(lib):
        data = lib.utils.data

        class Range(data.IterableDataset):
            def __iter__(self):
                info = data.get_worker_info()
                assert info is None
                return iter(range(5))

        return [b.tolist() for b in data.DataLoader(Range(), batch_size=2)]

    assert make(pa) == make(torch) == [[0, 1], [2, 3], [4]]


# --- torch.func.functional_call / grad (MAML-style programs), nn.utils.stateless ---


def test_functional_call_and_func_grad_match_pytorch():
    def run(lib):
        net = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Tanh(), lib.nn.Linear(4, 1))
        x, y = lib.randn(5, 3), lib.randn(5, 1)
        params = {k: v.detach().clone().requires_grad_() for k, v in net.named_parameters()}
        mse = lib.nn.functional.mse_loss
        # MAML: an inner SGD step through functional_call, then the outer gradient
        loss = mse(lib.func.functional_call(net, params, (x,)), y)
        grads = lib.autograd.grad(loss, list(params.values()), create_graph=True)
        fast = {k: v - 0.1 * g for (k, v), g in zip(params.items(), grads, strict=True)}
        outer = mse(lib.func.functional_call(net, fast, x), y)
        outer.backward()
        out = [loss, outer, *[p.grad for p in params.values()]]

        def compute_loss(p, xb, yb):
            return mse(lib.func.functional_call(net, p, (xb,)), yb)

        out += list(lib.func.grad(compute_loss)(params, x, y).values())
        out += list(lib.func.grad_and_value(lambda a: (a**3).sum())(lib.tensor([1.0, 2.0])))
        out.append(lib.func.grad(lib.func.grad(lambda a: (a**3).sum()))(lib.tensor(2.0)))
        two = lib.func.grad(lambda a, b: (a * b).sum(), argnums=(0, 1))
        out.append(two(lib.ones(2), lib.full((2,), 3.0))[1])
        aux = lib.func.grad(lambda a: ((a**2).sum(), a.mean()), has_aux=True)
        out.append(aux(lib.ones(2))[1])
        out.append(net[0].weight)  # the module's own parameters are back
        out.append(lib.func.functional_call(net, {"0.bias": lib.zeros(4)}, x))
        return out

    ours, theirs = _both(run)
    assert len(ours) == len(theirs) == 17
    for o, t in zip(ours, theirs, strict=True):
        assert o.requires_grad == t.requires_grad
        _same(o, t, rtol=1e-5, atol=1e-6)


def test_functional_call_ties_strict_and_errors():
    lin = pa.nn.Linear(2, 2)
    net = pa.nn.Sequential(lin, lin)  # one Linear twice: its weight is tied
    w = pa.zeros(2, 2)
    out = pa.func.functional_call(net, {"0.weight": w}, (pa.ones(1, 2),))
    assert pa.equal(out, lin.bias.detach().unsqueeze(0))  # both uses took the zeros
    assert net[1].weight is lin.weight
    with pytest.raises(RuntimeError, match="Missing key"):
        pa.func.functional_call(pa.nn.Linear(2, 2), {"weight": w}, pa.ones(1, 2), strict=True)
    with pytest.raises(ValueError, match="multiple dictionaries"):
        pa.func.functional_call(lin, ({"weight": w}, {"weight": w}), pa.ones(1, 2))
    with pytest.raises(RuntimeError, match="scalar"):
        pa.func.grad(lambda a: a * 2)(pa.ones(2))


def test_dropout_after_a_pointwise_op_on_a_transposed_tensor():
    ours, theirs = _both(
        lambda lib: lib.nn.functional.dropout(lib.ones(3, 4, 5).transpose(0, 1).relu(), 0.3)
    )
    _same(ours, theirs)


def test_distribution_expand_matches_pytorch():
    # Normal(0, 1).expand([B, D]) priors (AttributeError before): parameters expanded without
    # copies, samples drawn as PyTorch's, log_prob over the new batch shape
    def run(lib):
        D = lib.distributions
        out = []
        for d, shape in [
            (D.Normal(lib.zeros(2), lib.ones(2)), (3, 2)),
            (D.Normal(0.0, 1.0), (3,)),
            (D.Bernoulli(probs=lib.tensor([0.3, 0.6])), (3, 2)),
            (D.Categorical(logits=lib.tensor([[0.1, 0.5, -1.0]])), (4, 1)),
            (D.Categorical(probs=lib.tensor([0.2, 0.8])), (3,)),
            (D.Uniform(lib.zeros(2), lib.ones(2)), (3, 2)),
            (D.Exponential(lib.tensor([1.0, 2.0])), (3, 2)),
            (D.LogNormal(lib.zeros(2), lib.ones(2)), (3, 2)),
            (D.OneHotCategorical(probs=lib.tensor([0.2, 0.8])), (3,)),
        ]:
            e = d.expand(shape)
            s = e.sample((2,))
            out += [s, e.log_prob(s), lib.tensor([*e.batch_shape, -1, *e.event_shape])]
        return out

    ours, theirs = _both(run)
    for o, t in zip(ours, theirs, strict=True):
        assert tuple(o.shape) == tuple(t.shape)
        _same(o, t, rtol=1e-5, atol=1e-6)
    with pytest.raises(NotImplementedError, match="Independent"):
        pa.distributions.Independent(pa.distributions.Normal(pa.zeros(2), 1.0), 1).expand((3,))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
@pytest.mark.parametrize("layout", ["contiguous", "transposed"])
def test_cauchy_and_geometric_draw_pytorch_numbers(dtype, layout):
    # Tensor.cauchy_/geometric_ were AttributeErrors; PyTorch's serial kernels: one double
    # uniform per element in memory order, mapped in double
    def fill(lib, op, *args):
        t = lib.empty(4, 6, dtype=getattr(lib, dtype))
        t = t.t() if layout == "transposed" else t
        return getattr(t, op)(*args)

    ours, theirs = _both(lambda lib: fill(lib, "geometric_", 0.3))
    _same(ours, theirs)
    if dtype != "int64":
        ours, theirs = _both(lambda lib: fill(lib, "cauchy_", 1.0, 2.0))
        _same(ours, theirs, rtol=1e-6)
    else:
        with pytest.raises(RuntimeError, match="floating point"):
            pa.ones(2, dtype=pa.int64).cauchy_()
    with pytest.raises(RuntimeError, match="p to be in"):
        pa.ones(2).geometric_(1.0)
    with pytest.raises(RuntimeError, match="sigma"):
        pa.ones(2).cauchy_(0.0, -1.0)


def test_poisson_draws_pytorch_numbers():
    # torch.poisson and distributions.Poisson (AttributeErrors before): Knuth's products below
    # rate 10, Hormann's transformed rejection from 10 on, PyTorch's uniforms in its order
    for rates in ([0.5, 2.0, 3.0, 0.0, 9.9], [10.0, 25.0, 100.0, 12.5], [[1.0, 50.0], [7.0, 3e2]]):
        for dt in ("float32", "float64"):
            ours, theirs = _both(
                lambda lib, r=rates, d=dt: lib.poisson(lib.tensor(r, dtype=getattr(lib, d)))
            )
            _same(ours, theirs)
            assert ours.dtype == getattr(pa, dt)
            after = _both(lambda lib: lib.rand(1))  # the generators are left in one state
            _same(*after)

    def dist(lib):
        d = lib.distributions.Poisson(lib.tensor([0.5, 4.0, 30.0]))
        s = d.sample((3,))
        return [s, d.log_prob(s), d.mean, d.mode, d.expand((2, 3)).sample()]

    for o, t in zip(*_both(dist), strict=True):
        _same(o, t, rtol=1e-6)
    assert float(pa.poisson(pa.tensor([float("inf")]))) == float(
        torch.poisson(torch.tensor([float("inf")]))
    )
    with pytest.raises(RuntimeError, match="non-negative"):
        pa.poisson(pa.tensor([-1.0]))
    with pytest.raises(RuntimeError, match="non-negative"):
        pa.poisson(pa.tensor([float("nan")]))
    with pytest.raises(RuntimeError):
        pa.poisson(pa.tensor([1, 2]))


def test_testing_is_an_attribute_after_a_bare_import():
    import subprocess
    import sys

    code = "import pyautograd as torch; torch.testing.assert_close(torch.ones(2), torch.ones(2))"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_float32_matmul_precision_setting():
    # torch.set_float32_matmul_precision("high") opens many modern scripts (AttributeError)
    try:
        for lib in (pa, torch):
            assert lib.get_float32_matmul_precision() == "highest"
            lib.set_float32_matmul_precision("high")
            assert lib.get_float32_matmul_precision() == "high"
            with pytest.warns(UserWarning, match="no effect"):
                lib.set_float32_matmul_precision("bogus")
            assert lib.get_float32_matmul_precision() == "high"
            with pytest.raises(RuntimeError, match="expects a str"):
                lib.set_float32_matmul_precision(3)
    finally:
        pa.set_float32_matmul_precision("highest")
        torch.set_float32_matmul_precision("highest")
