"""nn.utils.prune (pyautograd/nn/utils/prune.py): masks, the weight_orig / weight_mask
reparametrisation, iterative composition, global pruning and remove, against PyTorch on the
same weights (float64), and the gradient through a pruned weight by finite differences."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import pyautograd as pa

torch = pytest.importorskip("torch")
pytest.importorskip("torch.nn.utils.prune")  # (PyTorch imports it on request only)

R = np.random.default_rng(11)


def _pair(w: np.ndarray, b: np.ndarray) -> tuple[Any, Any]:
    """A Linear of pyautograd and one of PyTorch with the same float64 weight and bias."""
    out_f, in_f = w.shape
    m = pa.nn.Linear(in_f, out_f, dtype=pa.float64)
    t = torch.nn.Linear(in_f, out_f, dtype=torch.float64)
    with pa.no_grad():
        m.weight.copy_(pa.tensor(w))
        m.bias.copy_(pa.tensor(b))
    with torch.no_grad():
        t.weight.copy_(torch.tensor(w))
        t.bias.copy_(torch.tensor(b))
    return m, t


def _same(a: Any, b: Any) -> None:
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-12, atol=1e-12)


def _check_state(m: Any, t: Any) -> None:
    assert list(m.state_dict()) == list(t.state_dict())
    assert [n for n, _ in m.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in m.named_buffers()] == [n for n, _ in t.named_buffers()]
    for k, v in t.state_dict().items():
        _same(m.state_dict()[k], v)


def _forward_backward(m: Any, t: Any, x: np.ndarray) -> None:
    ym, yt = m(pa.tensor(x)), t(torch.tensor(x))
    _same(ym, yt)
    (ym**2).sum().backward()
    (yt**2).sum().backward()
    for (n, p), (_, q) in zip(m.named_parameters(), t.named_parameters(), strict=True):
        assert p.grad is not None, n
        _same(p.grad, q.grad)


WEIGHTS = {
    "distinct": R.standard_normal((6, 5)),
    "ties": R.integers(-3, 4, (6, 5)).astype(np.float64),  # many equal magnitudes
    "zeros": np.zeros((4, 7)),
}


@pytest.mark.parametrize("kind", list(WEIGHTS))
@pytest.mark.parametrize("amount", [0.0, 0.3, 0.5, 7, 1.0])
def test_l1_unstructured_matches_pytorch(kind: str, amount: Any) -> None:
    w = WEIGHTS[kind]
    if isinstance(amount, int) and amount > w.size:
        pytest.skip("amount larger than the tensor")
    m, t = _pair(w, R.standard_normal(w.shape[0]))
    assert pa.nn.utils.prune.l1_unstructured(m, "weight", amount) is m
    torch.nn.utils.prune.l1_unstructured(t, "weight", amount)
    _check_state(m, t)
    _same(m.weight, t.weight)
    assert pa.nn.utils.prune.is_pruned(m)
    _forward_backward(m, t, R.standard_normal((3, w.shape[1])))


@pytest.mark.parametrize("kind", list(WEIGHTS))
@pytest.mark.parametrize("n,dim,amount", [(2, 0, 0.5), (1, 1, 2), (float("inf"), -1, 0.4)])
def test_ln_structured_matches_pytorch(kind: str, n: Any, dim: int, amount: Any) -> None:
    w = WEIGHTS[kind]
    m, t = _pair(w, R.standard_normal(w.shape[0]))
    pa.nn.utils.prune.ln_structured(m, "weight", amount, n, dim)
    torch.nn.utils.prune.ln_structured(t, "weight", amount, n, dim)
    _check_state(m, t)
    _forward_backward(m, t, R.standard_normal((2, w.shape[1])))


@pytest.mark.parametrize("kind", ["distinct", "ties"])
def test_iterative_pruning_composes_as_pytorch(kind: str) -> None:
    w = WEIGHTS[kind]
    m, t = _pair(w, R.standard_normal(w.shape[0]))
    for lib, mod in ((pa, m), (torch, t)):
        P = lib.nn.utils.prune
        P.l1_unstructured(mod, "weight", 0.2)
        P.ln_structured(mod, "weight", 0.34, 2, 0)
        P.l1_unstructured(mod, "weight", 3)
        P.l1_unstructured(mod, "bias", 0.5)
        P.identity(mod, "bias")
    hooks = [h for h in m._forward_pre_hooks.values()]
    assert len(hooks) == 2
    assert isinstance(hooks[0], pa.nn.utils.prune.PruningContainer)
    assert len(hooks[0]) == 3
    assert [type(h).__name__ for h in hooks[0]] == ["L1Unstructured", "LnStructured",
                                                   "L1Unstructured"]  # fmt: skip
    _check_state(m, t)
    _forward_backward(m, t, R.standard_normal((4, w.shape[1])))
    # the hook recomputes weight from weight_orig before each forward
    with pa.no_grad():
        m.weight_orig.mul_(2.0)
    with torch.no_grad():
        t.weight_orig.mul_(2.0)
    _same(m(pa.ones(1, w.shape[1], dtype=pa.float64)), t(torch.ones(1, w.shape[1],
          dtype=torch.float64)))  # fmt: skip


def test_global_unstructured_and_custom_mask() -> None:
    ws = [R.standard_normal((4, 3)), R.standard_normal((2, 4))]
    ws[1][0, :2] = ws[0][0, :2]  # ties across the two tensors
    pairs = [_pair(w, R.standard_normal(w.shape[0])) for w in ws]
    for lib, mods in ((pa, [p[0] for p in pairs]), (torch, [p[1] for p in pairs])):
        P = lib.nn.utils.prune
        P.l1_unstructured(mods[1], "weight", 2)  # an earlier mask is respected
        P.global_unstructured(
            [(mods[0], "weight"), (mods[1], "weight"), (mods[0], "bias")],
            pruning_method=P.L1Unstructured,
            amount=0.4,
        )
        mask = lib.zeros(2, dtype=lib.float64)
        mask[1] = 1
        P.custom_from_mask(mods[1], "bias", mask)
    for m, t in pairs:
        _check_state(m, t)
        _forward_backward(m, t, R.standard_normal((2, m.in_features)))


def test_importance_scores_and_prune_method() -> None:
    w = R.standard_normal((5, 4))
    s = R.standard_normal((5, 4))
    m, t = _pair(w, R.standard_normal(5))
    pa.nn.utils.prune.l1_unstructured(m, "weight", 0.5, importance_scores=pa.tensor(s))
    torch.nn.utils.prune.l1_unstructured(t, "weight", 0.5, importance_scores=torch.tensor(s))
    _check_state(m, t)
    pa.nn.utils.prune.ln_structured(m, "weight", 1, 2, 1, importance_scores=pa.tensor(s))
    torch.nn.utils.prune.ln_structured(t, "weight", 1, 2, 1, importance_scores=torch.tensor(s))
    _check_state(m, t)
    # BasePruningMethod.prune: without a module
    r = pa.nn.utils.prune.L1Unstructured(0.25).prune(pa.tensor(w))
    e = torch.nn.utils.prune.L1Unstructured(0.25).prune(torch.tensor(w))
    _same(r, e)


def test_remove_makes_pruning_permanent() -> None:
    w = R.standard_normal((4, 6))
    m, t = _pair(w, R.standard_normal(4))
    for lib, mod in ((pa, m), (torch, t)):
        lib.nn.utils.prune.l1_unstructured(mod, "weight", 0.5)
        assert lib.nn.utils.prune.remove(mod, "weight") is mod
        assert not lib.nn.utils.prune.is_pruned(mod)
    _check_state(m, t)
    assert isinstance(m.weight, pa.nn.Parameter)
    _forward_backward(m, t, R.standard_normal((2, 6)))
    with pytest.raises(ValueError, match="has to be pruned before pruning can be removed"):
        pa.nn.utils.prune.remove(m, "weight")


def test_random_pruning_properties() -> None:
    pa.manual_seed(0)
    m = pa.nn.Linear(10, 8)
    pa.nn.utils.prune.random_unstructured(m, "weight", 0.3)
    assert int((m.weight_mask == 0).sum()) == round(0.3 * 80)
    assert pa.equal(m.weight, m.weight_orig * m.weight_mask)
    pa.nn.utils.prune.random_structured(m, "weight", 3, 0)
    rows = (m.weight_mask.sum(1) == 0).sum()
    assert int(rows) >= 3  # three whole rows, on top of what was pruned before
    kept = m.weight_mask.sum(1) != 0
    assert pa.equal(m.weight_mask[kept].sum(), (m.weight_mask[kept] != 0).sum().double())
    m2 = pa.nn.Conv2d(3, 6, 3)
    pa.nn.utils.prune.random_structured(m2, "weight", 0.5, dim=0)
    per_channel = m2.weight_mask.sum((1, 2, 3))
    assert int((per_channel == 0).sum()) == 3 and int((per_channel == 27).sum()) == 3


def test_gradient_through_pruned_weight_finite_differences() -> None:
    w = R.standard_normal((3, 4))
    m, _ = _pair(w, R.standard_normal(3))
    pa.nn.utils.prune.ln_structured(m, "weight", 1, 2, 0)
    pa.nn.utils.prune.l1_unstructured(m, "weight", 2)
    x = pa.tensor(R.standard_normal((5, 4)))

    def loss() -> float:
        return float((pa.tanh(m(x)) ** 2).sum())

    m.zero_grad()
    (pa.tanh(m(x)) ** 2).sum().backward()
    g = m.weight_orig.grad.numpy().copy()
    num = np.zeros_like(g)
    eps = 1e-6
    for idx in np.ndindex(*g.shape):
        with pa.no_grad():
            m.weight_orig[idx] += eps
            hi = loss()
            m.weight_orig[idx] -= 2 * eps
            lo = loss()
            m.weight_orig[idx] += eps
        num[idx] = (hi - lo) / (2 * eps)
    np.testing.assert_allclose(g, num, rtol=1e-6, atol=1e-8)
    assert np.all(g[m.weight_mask.numpy() == 0] == 0)


@pytest.mark.parametrize(
    "call,exc,msg",
    [
        (lambda P, m: P.l1_unstructured(m, "weight", -1), ValueError, "non-negative integer"),
        (lambda P, m: P.l1_unstructured(m, "weight", 1.5), ValueError, "in the range"),
        (lambda P, m: P.l1_unstructured(m, "weight", "a"), TypeError, "Invalid type"),
        (lambda P, m: P.l1_unstructured(m, "weight", 100), ValueError, "should be smaller"),
        (lambda P, m: P.ln_structured(m, "bias", 1, 2, 0), ValueError, "multidimensional"),
        (lambda P, m: P.ln_structured(m, "weight", 1, 2, 2), IndexError, "Invalid index"),
        (lambda P, m: P.remove(m, "bias"), ValueError, "has to be pruned"),
    ],
)
def test_errors_as_pytorch(call: Any, exc: type, msg: str) -> None:
    for lib in (pa, torch):
        m = lib.nn.Linear(3, 2)
        with pytest.raises(exc, match=msg):
            call(lib.nn.utils.prune, m)
        # a failed pruning leaves the module as it was
        assert sorted(n for n, _ in m.named_parameters()) == ["bias", "weight"]
        assert not list(m.named_buffers())


@pytest.mark.parametrize("n,k", [(30, 7), (30, 30), (200, 3), (640, 10), (1, 1), (5, 0)])
@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("dtype", ["float64", "float32", "int64"])
def test_topk_ties_match_pytorch(n: int, k: int, largest: bool, dtype: str) -> None:
    """The masks depend on which of equal values topk picks: PyTorch's CPU order (its
    (value, index) queue through partial_sort or nth_element + sort), NaN largest."""
    v = R.integers(-3, 4, (3, n)).astype(dtype)
    if dtype != "int64" and n > 1:
        v[0, ::7] = np.nan
    a = pa.topk(pa.tensor(v), k, largest=largest)
    b = torch.topk(torch.tensor(v), k, largest=largest)
    np.testing.assert_array_equal(a.indices.numpy(), b.indices.numpy())
    np.testing.assert_array_equal(a.values.numpy(), b.values.numpy())
