"""pyautograd.compile's fast path (a call goes from CPython straight to the C++ guards and the
replay of the latest tape) and the small-matrix GEMM path it relies on at tiny sizes.

Every test compares against the same program run eagerly (bitwise under exact=True) or against
PyTorch; none checks a number the code under test produced by itself.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import pyautograd as torch


def _np(t: Any) -> np.ndarray:
    return np.array(t.detach().numpy(), copy=True)


def _tiny_state(m: int = 2) -> dict[str, Any]:
    torch.manual_seed(3)
    p = {
        "w1": torch.randn(2, 2, requires_grad=True),
        "b1": torch.randn(2, 1, requires_grad=True),
        "w2": torch.randn(2, 2, requires_grad=True),
        "b2": torch.randn(2, 1, requires_grad=True),
    }
    return p


def _make_step(p: dict[str, Any], out: str) -> Any:
    def step(x: Any, y: Any) -> Any:
        h = (p["w1"].mm(x) + p["b1"]).clamp(min=0)
        z = p["w2"].mm(h) + p["b2"]
        loss = (z - y).pow(2).sum()
        loss.backward()
        for q in p.values():
            q.data -= 0.01 * q.grad.data
            q.grad.data.zero_()
        if out == "single":
            return loss
        if out == "tuple":
            return loss, (z, None)
        if out == "dict":
            return {"loss": loss, "z": [z, h]}
        return None

    return step


def _flat(r: Any) -> list[Any]:
    if r is None:
        return []
    if isinstance(r, torch.Tensor):
        return [r]
    if isinstance(r, dict):
        return [x for v in r.values() for x in _flat(v)]
    return [x for v in r for x in _flat(v)]


@pytest.mark.parametrize("out", ["single", "tuple", "dict", "none"])
@pytest.mark.parametrize("exact", [True, False])
def test_fast_path_returns_the_eager_structure_and_values(out: str, exact: bool) -> None:
    pe, pc = _tiny_state(), _tiny_state()
    eager, comp = _make_step(pe, out), torch.compile(_make_step(pc, out), exact=exact)
    torch.manual_seed(7)
    for _ in range(8):
        x, y = torch.randn(2, 2), torch.randn(2, 2)
        re, rc = eager(x, y), comp(x.clone(), y.clone())
        assert type(re) is type(rc)
        fe, fc = _flat(re), _flat(rc)
        assert len(fe) == len(fc)
        for a, b in zip(fe, fc, strict=True):
            if exact:
                np.testing.assert_array_equal(_np(a), _np(b))
            else:
                np.testing.assert_allclose(_np(a), _np(b), rtol=1e-5, atol=1e-6)
        for k in pe:
            if exact:
                np.testing.assert_array_equal(_np(pe[k]), _np(pc[k]))
            else:
                np.testing.assert_allclose(_np(pe[k]), _np(pc[k]), rtol=1e-5, atol=1e-6)
    st = comp.stats()
    assert st["calls"] == 8 and st["captures"] == 1 and st["replays"] == 6, st


def test_fast_path_follows_the_tape_that_matches() -> None:
    """Alternating batch sizes: two tapes; each call replays the one its shapes match (the fast
    path serves the latest, the Python path the other and then switches); counts add up."""
    pe, pc = _tiny_state(), _tiny_state()
    eager, comp = _make_step(pe, "single"), torch.compile(_make_step(pc, "single"), exact=True)
    torch.manual_seed(11)
    sizes = [2, 2, 2, 3, 3, 2, 3, 2, 2, 3, 3, 3]
    for m in sizes:
        x, y = torch.randn(2, m), torch.randn(2, m)
        np.testing.assert_array_equal(_np(eager(x, y)), _np(comp(x.clone(), y.clone())))
    for k in pe:
        np.testing.assert_array_equal(_np(pe[k]), _np(pc[k]))
    st = comp.stats()
    assert st["calls"] == len(sizes) and st["captures"] == 2, st
    assert st["replays"] == len(sizes) - 1 - st["captures"], st


def test_keyword_arguments_and_non_tensor_arguments_take_the_checked_path() -> None:
    pe, pc = _tiny_state(), _tiny_state()

    def make(p: dict[str, Any]) -> Any:
        inner = _make_step(p, "single")

        def step(x: Any, y: Any, scale: float = 1.0) -> Any:
            return inner(x * scale, y)

        return step

    eager, comp = make(pe), torch.compile(make(pc), exact=True)
    torch.manual_seed(5)
    for i in range(9):
        x, y = torch.randn(2, 2), torch.randn(2, 2)
        kw = {"scale": 0.5} if i % 3 == 0 else {}
        re, rc = eager(x, y, **kw), comp(x.clone(), y.clone(), **kw)
        np.testing.assert_array_equal(_np(re), _np(rc))
    for k in pe:
        np.testing.assert_array_equal(_np(pe[k]), _np(pc[k]))


def test_fast_path_sees_a_changed_global_and_an_lr_schedule() -> None:
    """A Python number the step reads re-captures; an optimizer's lr is patched (no capture)."""
    results = []
    for compiled in (False, True):
        torch.manual_seed(0)
        model = torch.nn.Linear(2, 2)
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        box = {"shift": 0.0}

        def step(x: Any, model: Any = model, opt: Any = opt, box: Any = box) -> Any:
            opt.zero_grad()
            loss = (model(x) + box["shift"]).pow(2).sum()
            loss.backward()
            opt.step()
            return loss

        f = torch.compile(step, exact=True) if compiled else step
        torch.manual_seed(1)
        losses = []
        for i in range(12):
            if i == 6:
                box["shift"] = 0.25
            opt.param_groups[0]["lr"] = 0.1 / (1 + i)
            losses.append(_np(f(torch.randn(3, 2))))
        results.append((losses, [_np(q) for q in model.parameters()]))
        if compiled:
            st = f.stats()
            assert st["captures"] == 2, st
    for a, b in zip(results[0][0], results[1][0], strict=True):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(results[0][1], results[1][1], strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_compiled_step_called_inside_another_capture_runs_eagerly() -> None:
    pe, pc = _tiny_state(), _tiny_state()
    inner_e = _make_step(pe, "single")
    inner_c = torch.compile(_make_step(pc, "single"), exact=True)
    # (the outer step reaches the parameters through its default: a compiled function's own
    # state is not walked)
    outer = torch.compile(lambda x, y, pc=pc: inner_c(x, y) * 2, exact=True)
    torch.manual_seed(9)
    for _ in range(6):
        x, y = torch.randn(2, 2), torch.randn(2, 2)
        if _ == 0:  # the inner one has a tape (and a fast path) before the outer captures
            for _k in range(3):
                np.testing.assert_array_equal(_np(inner_e(x, y)), _np(inner_c(x, y)))
        re = inner_e(x, y) * 2
        np.testing.assert_array_equal(_np(re), _np(outer(x.clone(), y.clone())))
    for k in pe:
        np.testing.assert_array_equal(_np(pe[k]), _np(pc[k]))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    "m,k,n", [(1, 1, 1), (2, 2, 2), (3, 5, 2), (6, 6, 7), (4, 16, 4), (7, 7, 7)]
)
def test_small_matrix_products_match_torch(dtype: str, m: int, k: int, n: int) -> None:
    """mm, its transposed operands and its gradients (GEMMs with beta=1 into .grad) at sizes
    below and across the small-GEMM threshold, against PyTorch."""
    pt = pytest.importorskip("torch")
    rng = np.random.default_rng(m * 100 + k * 10 + n)
    a = rng.standard_normal((m, k)).astype(dtype)
    bt = rng.standard_normal((n, k)).astype(dtype)  # b = bt.T: a transposed operand
    g = rng.standard_normal((m, n)).astype(dtype)
    ours_a = torch.tensor(a, requires_grad=True)
    ours_bt = torch.tensor(bt, requires_grad=True)
    theirs_a = pt.tensor(a, requires_grad=True)
    theirs_bt = pt.tensor(bt, requires_grad=True)
    for _ in range(2):  # the second backward accumulates into the existing .grad
        ours = ours_a.mm(ours_bt.t())
        theirs = theirs_a.mm(theirs_bt.t())
        ours.backward(torch.tensor(g))
        theirs.backward(pt.tensor(g))
    tol = {"rtol": 1e-5, "atol": 1e-5} if dtype == "float32" else {"rtol": 1e-12, "atol": 1e-12}
    np.testing.assert_allclose(_np(ours), theirs.detach().numpy(), **tol)
    np.testing.assert_allclose(_np(ours_a.grad), theirs_a.grad.numpy(), **tol)
    np.testing.assert_allclose(_np(ours_bt.grad), theirs_bt.grad.numpy(), **tol)
    # a non-contiguous output view: a column slice written through out=-like in-place matmul
    big = torch.zeros(m, 2 * n, dtype=getattr(torch, dtype))
    big[:, ::2] = torch.tensor(a).mm(torch.tensor(bt).t())
    np.testing.assert_allclose(_np(big)[:, ::2], a @ bt.T, **tol)
    assert not _np(big)[:, 1::2].any()
