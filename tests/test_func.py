"""torch.func transforms (pyautograd.func): grad, grad_and_value, vjp, jvp, linearize, jacrev,
jacfwd, hessian, vmap, functional_call, stack_module_state — against PyTorch's torch.func
(when importable) and against central finite differences in float64."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import pyautograd as pa
import pyautograd.nn as pnn
import pyautograd.nn.functional as pF
from pyautograd.func import (
    functional_call,
    functionalize,
    grad,
    grad_and_value,
    hessian,
    jacfwd,
    jacrev,
    jvp,
    linearize,
    stack_module_state,
    vjp,
    vmap,
)

try:
    import torch
except ImportError:  # pragma: no cover - the comparisons skip
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")
RNG = np.random.default_rng(1234)


def arr(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape)


def P(a: np.ndarray, **kw: Any) -> pa.Tensor:
    return pa.tensor(a, **kw)


def T(a: np.ndarray, **kw: Any) -> Any:
    return torch.tensor(a, **kw)


def close(a: Any, b: Any, tol: float = 1e-10) -> None:
    a = a.detach().numpy() if hasattr(a, "detach") else np.asarray(a)
    b = b.detach().numpy() if hasattr(b, "detach") else np.asarray(b)
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def fd_grad(f: Callable[[np.ndarray], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        d = np.zeros_like(x)
        d[i] = eps
        g[i] = (f(x + d) - f(x - d)) / (2 * eps)
    return g


def scalar_f(m: Any) -> Callable[[Any], Any]:
    return lambda x: (m.sin(x) * x.pow(2) + x.exp() * 0.1).sum()


# ---- grad and friends -----------------------------------------------------------------------
def test_grad_matches_finite_differences_float64() -> None:
    x = arr(3, 2)
    g = grad(scalar_f(pa))(P(x))
    expected = fd_grad(lambda v: float(scalar_f(pa)(P(v))), x)
    np.testing.assert_allclose(g.numpy(), expected, rtol=1e-6, atol=1e-8)
    assert not g.requires_grad


@needs_torch
def test_second_and_third_derivatives_match_torch() -> None:
    def f(m: Any) -> Callable[[Any], Any]:
        return lambda x: (m.tanh(x) * x.pow(3)).sum()

    for k in (1, 2, 3):
        fp, ft = f(pa), f(torch)
        for _ in range(k):
            fp, ft = grad(fp), torch.func.grad(ft)
        x = arr()
        close(fp(P(x)), ft(T(x)))


@needs_torch
def test_grad_argnums_has_aux_and_pytree_inputs() -> None:
    def f(m: Any) -> Callable[..., Any]:
        def fn(d: dict[str, Any], y: Any, scale: float) -> Any:
            out = (d["a"] * y).sum() + (d["b"].pow(2) * scale).sum()
            return out, {"aux": out.detach() * 2}

        return fn

    a, b, y = arr(3), arr(2), arr(3)
    gp, auxp = grad(f(pa), argnums=(0, 1), has_aux=True)({"a": P(a), "b": P(b)}, P(y), 0.5)
    gt, auxt = torch.func.grad(f(torch), argnums=(0, 1), has_aux=True)(
        {"a": T(a), "b": T(b)}, T(y), 0.5
    )
    close(gp[0]["a"], gt[0]["a"])
    close(gp[0]["b"], gt[0]["b"])
    close(gp[1], gt[1])
    close(auxp["aux"], auxt["aux"])
    (gp2, (vp, _)) = grad_and_value(f(pa), has_aux=True)({"a": P(a), "b": P(b)}, P(y), 0.5)
    (gt2, (vt, _)) = torch.func.grad_and_value(f(torch), has_aux=True)(
        {"a": T(a), "b": T(b)}, T(y), 0.5
    )
    close(vp, vt)
    close(gp2["b"], gt2["b"])


def test_grad_of_unused_input_is_zero() -> None:
    g = grad(lambda x, y: (x * 2).sum(), argnums=1)(P(arr(2)), P(arr(3)))
    np.testing.assert_array_equal(g.numpy(), np.zeros(3))


def test_grad_refuses_non_scalar_and_non_tensor_outputs() -> None:
    with pytest.raises(RuntimeError, match="scalar Tensor"):
        grad(lambda x: x * 2)(P(arr(3)))
    with pytest.raises(RuntimeError, match="return a Tensor"):
        grad(lambda x: 3.0)(P(arr(3)))
    with pytest.raises(RuntimeError, match="argnums"):
        grad(lambda x: x.sum(), argnums=2)(P(arr(3)))
    with pytest.raises(RuntimeError, match="floating point"):
        grad(lambda x: x.sum())(pa.tensor([1, 2]))


@needs_torch
def test_grad_keeps_the_callers_history() -> None:
    """grad(f)(x) for an x that requires grad is itself differentiable in x (as in PyTorch)."""
    x = arr(3)
    xp, xt = P(x, requires_grad=True), T(x, requires_grad=True)
    gp = grad(lambda v: (v.sin() * v).sum())(xp)
    gt = torch.func.grad(lambda v: (v.sin() * v).sum())(xt)
    assert gp.requires_grad and gt.requires_grad
    gp.sum().backward()
    gt.sum().backward()
    close(xp.grad, xt.grad)


# ---- vjp / jvp / linearize ------------------------------------------------------------------
@needs_torch
def test_vjp_jvp_linearize_match_torch() -> None:
    x, y, v, t1, t2 = arr(2, 3), arr(3), arr(2, 3), arr(2, 3), arr(3)

    def f(m: Any) -> Callable[..., Any]:
        return lambda a, b: (m.sin(a) * b, (a * b).sum(1))

    op, fnp = vjp(f(pa), P(x), P(y))
    ot, fnt = torch.func.vjp(f(torch), T(x), T(y))
    close(op[0], ot[0])
    cp = fnp((P(v), P(arr(2) * 0 + 1)))
    ct = fnt((T(v), T(arr(2) * 0 + 1)))
    close(cp[0], ct[0])
    close(cp[1], ct[1])
    cp2 = fnp((P(v), P(v[:, 0])))  # callable again
    ct2 = fnt((T(v), T(v[:, 0])))
    close(cp2[1], ct2[1])
    jp = jvp(f(pa), (P(x), P(y)), (P(t1), P(t2)))
    jt = torch.func.jvp(f(torch), (T(x), T(y)), (T(t1), T(t2)))
    close(jp[1][0], jt[1][0])
    close(jp[1][1], jt[1][1])
    _, fn = linearize(lambda a: a.exp().sum(0), P(x))
    close(fn(P(t1)), torch.func.linearize(lambda a: a.exp().sum(0), T(x))[1](T(t1)))


def test_vjp_refuses_mismatched_cotangents() -> None:
    _, fn = vjp(lambda a: a * 2, P(arr(3)))
    with pytest.raises(RuntimeError, match="shape"):
        fn(P(arr(2)))


def test_jvp_refuses_bad_structure() -> None:
    with pytest.raises(RuntimeError, match="tuple"):
        jvp(pa.sin, P(arr(3)), (P(arr(3)),))
    with pytest.raises(RuntimeError, match="shape"):
        jvp(pa.sin, (P(arr(3)),), (P(arr(2)),))


# ---- Jacobians and Hessians -----------------------------------------------------------------
@needs_torch
@pytest.mark.parametrize("which", ["jacrev", "jacfwd"])
def test_jacobians_match_torch(which: str) -> None:
    ours, theirs = {"jacrev": (jacrev, torch.func.jacrev), "jacfwd": (jacfwd, torch.func.jacfwd)}[
        which
    ]
    x, y = arr(2, 3), arr(3)

    def f(m: Any) -> Callable[..., Any]:
        return lambda a, b: {"p": m.tanh(a) * b, "q": (a.pow(2) * b).sum()}

    jp = ours(f(pa), argnums=(0, 1))(P(x), P(y))
    jt = theirs(f(torch), argnums=(0, 1))(T(x), T(y))
    for key in ("p", "q"):
        for i in range(2):
            close(jp[key][i], jt[key][i])
    single = ours(pa.sin)(P(y))
    close(single, theirs(torch.sin)(T(y)))


def test_jacrev_matches_finite_differences() -> None:
    x = arr(4)

    def f(v: Any) -> Any:
        return pa.stack([v[0] * v[1], v[2].exp(), (v * v).sum()])

    j = jacrev(f)(P(x))
    fd = np.stack(
        [fd_grad(lambda u, k=k: float(f(P(u))[k]), x) for k in range(3)]  # type: ignore[misc]
    )
    np.testing.assert_allclose(j.numpy(), fd, rtol=1e-6, atol=1e-8)


@needs_torch
def test_hessian_matches_torch_and_finite_differences() -> None:
    x = arr(3)
    hp = hessian(scalar_f(pa))(P(x))
    ht = torch.func.hessian(scalar_f(torch))(T(x))
    close(hp, ht)
    fd = np.stack(
        [
            fd_grad(lambda u, k=k: float(grad(scalar_f(pa))(P(u))[k]), x)  # type: ignore[misc]
            for k in range(3)
        ]
    )
    np.testing.assert_allclose(hp.numpy(), fd, rtol=1e-6, atol=1e-7)


# ---- vmap -----------------------------------------------------------------------------------
@needs_torch
@pytest.mark.parametrize(
    ("in_dims", "out_dims", "shapes"),
    [
        (0, 0, [(4, 3), (4, 3)]),
        (1, 0, [(3, 4), (3, 4)]),
        ((0, None), 1, [(4, 3), (3,)]),
        ((-1, 0), -1, [(3, 4), (4, 3)]),
    ],
)
def test_vmap_dims_match_torch(in_dims: Any, out_dims: int, shapes: list[tuple[int, ...]]) -> None:
    arrays = [arr(*s) for s in shapes]

    def f(m: Any) -> Callable[..., Any]:
        return lambda a, b: m.stack([m.sin(a) * b, a + b.sum()])

    p = vmap(f(pa), in_dims=in_dims, out_dims=out_dims)(*[P(a) for a in arrays])
    t = torch.vmap(f(torch), in_dims=in_dims, out_dims=out_dims)(*[T(a) for a in arrays])
    close(p, t)


@needs_torch
def test_nested_vmap_kwargs_and_pytree_outputs_match_torch() -> None:
    x, y = arr(2, 3, 4), arr(4)

    def f(m: Any) -> Callable[..., Any]:
        return lambda a, b, scale=1.0: (m.dot(a, b) * scale, {"n": a.norm()})

    p = pa.vmap(pa.vmap(f(pa), in_dims=(0, None)), in_dims=(0, None))(P(x), P(y), scale=2.0)
    t = torch.vmap(torch.vmap(f(torch), in_dims=(0, None)), in_dims=(0, None))(
        T(x), T(y), scale=2.0
    )
    close(p[0], t[0])
    close(p[1]["n"], t[1]["n"])


@needs_torch
def test_vmap_gradients_flow_to_batched_and_shared_inputs() -> None:
    x, w = arr(5, 3), arr(3)
    xp, wp = P(x, requires_grad=True), P(w, requires_grad=True)
    xt, wt = T(x, requires_grad=True), T(w, requires_grad=True)
    pa.vmap(lambda a, b: (a * b).tanh().sum(), in_dims=(0, None))(xp, wp).pow(2).sum().backward()
    torch.vmap(lambda a, b: (a * b).tanh().sum(), in_dims=(0, None))(xt, wt).pow(2).sum().backward()
    close(xp.grad, xt.grad)
    close(wp.grad, wt.grad)


def test_vmap_errors() -> None:
    with pytest.raises(ValueError, match="same size"):
        vmap(pa.add)(P(arr(2, 3)), P(arr(3, 3)))
    with pytest.raises(ValueError, match="non-Tensor"):
        vmap(lambda a, n: a * n, in_dims=(0, 0))(P(arr(2)), 3)
    with pytest.raises(ValueError, match="in_dims"):
        vmap(pa.sin, in_dims=(0, 0))(P(arr(2)))
    with pytest.raises(ValueError, match="dimensionality"):
        vmap(pa.sin, in_dims=2)(P(arr(2, 3)))
    with pytest.raises(ValueError, match="only return Tensors"):
        vmap(lambda a: 1.0)(P(arr(2)))
    with pytest.raises(RuntimeError, match="randomness"):
        vmap(lambda a: a + pa.randn(3))(P(arr(2, 3)))
    with pytest.raises(RuntimeError, match="randomness"):
        vmap(pa.sin, randomness="sometimes")
    with pytest.raises(ValueError, match="chunk_size"):
        vmap(pa.sin, chunk_size=0)


def test_vmap_randomness_same_and_different() -> None:
    same = vmap(lambda a: a + pa.randn(3), randomness="same")(pa.zeros(4, 3))
    assert all(pa.equal(same[0], same[i]) for i in range(1, 4))
    diff = vmap(lambda a: a + pa.randn(3), randomness="different")(pa.zeros(4, 3))
    assert not pa.equal(diff[0], diff[1])


# ---- modules as functions -------------------------------------------------------------------
def _pair(seed: int = 0) -> tuple[Any, Any]:
    """The same small network in both libraries (torch's initial values copied over)."""
    torch.manual_seed(seed)
    tm = torch.nn.Sequential(
        torch.nn.Linear(5, 8), torch.nn.BatchNorm1d(8), torch.nn.Tanh(), torch.nn.Linear(8, 3)
    ).double()
    pm = pnn.Sequential(pnn.Linear(5, 8), pnn.BatchNorm1d(8), pnn.Tanh(), pnn.Linear(8, 3))
    pm = pm.double()
    pm.load_state_dict({k: P(v.numpy()) for k, v in tm.state_dict().items()})
    return pm, tm


@needs_torch
def test_per_sample_gradients_match_torch() -> None:
    pm, tm = _pair()
    pm.eval()
    tm.eval()
    x, y = arr(6, 5), RNG.integers(0, 3, 6)

    def loss(m: Any, F: Any, model: Any) -> Callable[..., Any]:
        def fn(params: Any, buffers: Any, xi: Any, yi: Any) -> Any:
            out = m.func.functional_call(model, (params, buffers), (xi.unsqueeze(0),))
            return F.cross_entropy(out, yi.unsqueeze(0))

        return fn

    pp = {k: v.detach() for k, v in pm.named_parameters()}
    pb = {k: v.detach() for k, v in pm.named_buffers()}
    tp = {k: v.detach() for k, v in tm.named_parameters()}
    tb = {k: v.detach() for k, v in tm.named_buffers()}
    gp = vmap(grad(loss(pa, pF, pm)), in_dims=(None, None, 0, 0))(pp, pb, P(x), P(y))
    gt = torch.func.vmap(
        torch.func.grad(loss(torch, torch.nn.functional, tm)), in_dims=(None, None, 0, 0)
    )(tp, tb, T(x), T(y))
    assert set(gp) == set(gt)
    for k in gt:
        close(gp[k], gt[k])
    # the mean of the per-sample gradients is the batch gradient
    out = pm(P(x))
    pF.cross_entropy(out, P(y)).backward()
    for k, p in pm.named_parameters():
        close(gp[k].mean(0), p.grad)


@needs_torch
def test_model_ensembling_with_stack_module_state_matches_torch() -> None:
    pairs = [_pair(seed) for seed in range(3)]
    for pm, tm in pairs:
        pm.eval()
        tm.eval()
    pp, pb = stack_module_state([pm for pm, _ in pairs])
    tp, tb = torch.func.stack_module_state([tm for _, tm in pairs])
    assert all(v.requires_grad and v.is_leaf for v in pp.values())
    x = arr(4, 5)
    base_p, base_t = pairs[0]

    def fp(params: Any, buffers: Any, xx: Any) -> Any:
        return functional_call(base_p, (params, buffers), (xx,))

    def ft(params: Any, buffers: Any, xx: Any) -> Any:
        return torch.func.functional_call(base_t, (params, buffers), (xx,))

    op = vmap(fp, in_dims=(0, 0, None))(pp, pb, P(x))
    ot = torch.vmap(ft, in_dims=(0, 0, None))(tp, tb, T(x))
    close(op, ot)
    op.pow(2).sum().backward()
    ot.pow(2).sum().backward()
    for k in tp:
        close(pp[k].grad, tp[k].grad)


@needs_torch
def test_functional_call_updates_given_buffers_and_restores_the_module() -> None:
    pm, tm = _pair()
    x = arr(6, 5)
    before = {k: v.clone() for k, v in pm.state_dict().items()}
    pb = {k: v.clone() for k, v in pm.named_buffers()}
    tb = {k: v.clone() for k, v in tm.named_buffers()}
    pp = {k: v * 2 for k, v in pm.named_parameters()}
    tp = {k: v * 2 for k, v in tm.named_parameters()}
    close(functional_call(pm, (pp, pb), P(x)), torch.func.functional_call(tm, (tp, tb), T(x)))
    for k in tb:  # train mode: running statistics written into the given buffers
        close(pb[k], tb[k])
    for k, v in pm.state_dict().items():  # the module's own state untouched
        assert pa.equal(v, before[k]), k
    assert all(isinstance(p, pnn.Parameter) for p in pm.parameters())


def test_functional_call_restores_after_an_exception_and_checks_keys() -> None:
    lin = pnn.Linear(3, 2)
    w = lin.weight
    with pytest.raises(RuntimeError):
        functional_call(lin, {"weight": pa.zeros(5, 5)}, (pa.ones(1, 3),))
    assert lin.weight is w
    with pytest.raises(RuntimeError, match="Missing key"):
        functional_call(lin, {"weight": pa.zeros(2, 3)}, (pa.ones(1, 3),), strict=True)
    with pytest.raises(ValueError, match="multiple dictionaries"):
        functional_call(lin, ({"weight": pa.zeros(2, 3)}, {"weight": pa.ones(2, 3)}), ())
    with pytest.raises(TypeError, match="tensor"):
        functional_call(lin, {"weight": 3.0}, (pa.ones(1, 3),))
    out = functional_call(lin, {"weight": pa.zeros(2, 3), "bias": pa.ones(2)}, pa.ones(4, 3))
    np.testing.assert_array_equal(out.numpy(), np.ones((4, 2), dtype=np.float32))


def test_functional_call_tied_weights() -> None:
    class Tied(pnn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.a = pnn.Linear(3, 3, bias=False)
            self.b = pnn.Linear(3, 3, bias=False)
            self.b.weight = self.a.weight

        def forward(self, x: Any) -> Any:
            return self.b(self.a(x))

    m = Tied()
    w = P(np.eye(3), dtype=pa.float32) * 2
    out = functional_call(m, {"a.weight": w}, (pa.ones(1, 3),))
    np.testing.assert_allclose(out.numpy(), np.full((1, 3), 4.0))
    out = functional_call(m, {"a.weight": w}, (pa.ones(1, 3),), tie_weights=False)
    expected = (np.ones((1, 3)) @ (2 * np.eye(3)).T) @ m.b.weight.detach().numpy().T
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-6)
    with pytest.raises(ValueError, match="tied"):
        functional_call(m, {"a.weight": w, "b.weight": w * 1}, (pa.ones(1, 3),))


def test_stateless_alias_and_functionalize() -> None:
    from pyautograd.nn.utils.stateless import functional_call as fc

    assert fc is functional_call
    f = functionalize(lambda x: x.add_(1))
    assert pa.equal(f(pa.zeros(2)), pa.ones(2))
    with pytest.raises(RuntimeError, match="remove"):
        functionalize(pa.sin, remove="views")
