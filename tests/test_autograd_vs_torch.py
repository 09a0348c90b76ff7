"""Run the same programs in pyautograd and real PyTorch (if importable) on the
same float64 input values and compare outputs and gradients."""

import numpy as np
import pytest
from grad_helpers import to_np

import pyautograd

real_torch = pytest.importorskip("torch")


def _leaves(lib, arrays, dtype_name="float64"):
    dtype = getattr(lib, dtype_name)
    return [lib.tensor(a.tolist(), dtype=dtype, requires_grad=True) for a in arrays]


def _run(lib, program, arrays, dtype_name="float64"):
    xs = _leaves(lib, arrays, dtype_name)
    out = program(lib, *xs)
    out.backward()
    return to_np(out), [to_np(x.grad) if x.grad is not None else None for x in xs]


def prog_seed_model(T, w1, x, b1, w2, b2, y):
    Z1 = w1.mm(x) + b1
    A1 = Z1.clamp(min=0)
    Z2 = w2.mm(A1) + b2
    return (Z2 - y).pow(2).sum()


def prog_elementwise(T, a, b, c):
    u = (a * b + c).tanh() - (a / (b * b + 1)).sigmoid() * 2
    v = a.abs().sqrt() + T.exp(-a * a) - (1 - b) + 3 / (c * c + 2)
    return (u * v).mean() + T.relu(a - 0.1).sum() - (-c).sum() * 0.5


def prog_reductions_indexing(T, a):
    s = a.max(-1)[0].sum() + a.min(1, keepdim=True)[0].mean()
    s = s + a[:, 1:, ::2].sum() + a[a > 0].pow(2).sum()
    s = s + a.transpose(0, 2).reshape(4, 6).t()[1].sum()
    s = s + T.where(a > 0.5, a, -a * 3).sum() + a.max() * a.min()
    s = s + a.sum(dim=-2, keepdim=True).exp().mean() + T.sum(a, 1).pow(2).sum()
    return s + a[1, 2, 3] * a[0].view(-1).mean() + a.clone().contiguous()[0, 0].sum()


def prog_matmul(T, a, b, v, m):
    r = (a @ b @ v).sum() + (a.transpose(1, 2) @ a).mean()
    r = r + T.matmul(v, m).pow(2).sum() + (m[:4].t() @ v[:4]).sum() + (v @ v)
    return r + T.mm(m.t(), m).tanh().sum()


def prog_pow_clamp_expand(T, p, q):
    r = (p**q).sum() + p.clamp(0.7, 1.5).log().sum() + q.expand(3, 4).relu().sum() * p.mean()
    r = r - (2 / p).sum() + (1 - q).sum() + p.pow(2.5).mean() + T.clamp(q, max=0.1).sum()
    return r + (p * p + p).sum() + q.clamp(min=-0.2).pow(3).sum()


def _rs(seed):
    return np.random.RandomState(seed)


PROGRAMS = [
    (
        "seed_model",
        prog_seed_model,
        lambda r: [
            r.randn(8, 10),
            r.randn(10, 5),
            r.randn(8, 1),
            r.randn(3, 8),
            r.randn(3, 1),
            r.randn(3, 5),
        ],
    ),
    ("elementwise", prog_elementwise, lambda r: [r.randn(3, 4), r.randn(4), r.randn(3, 1)]),
    ("reductions_indexing", prog_reductions_indexing, lambda r: [r.randn(2, 3, 4)]),
    ("matmul", prog_matmul, lambda r: [r.randn(2, 3, 4), r.randn(4, 5), r.randn(5), r.randn(5, 3)]),
    ("pow_clamp_expand", prog_pow_clamp_expand, lambda r: [r.uniform(0.5, 2, (3, 4)), r.randn(4)]),
]


@pytest.mark.parametrize(
    "program,make_inputs", [(p[1], p[2]) for p in PROGRAMS], ids=[p[0] for p in PROGRAMS]
)
def test_same_program_same_gradients_as_torch(program, make_inputs):
    arrays = make_inputs(_rs(0))
    out_p, grads_p = _run(pyautograd, program, arrays)
    out_t, grads_t = _run(real_torch, program, arrays)
    np.testing.assert_allclose(out_p, out_t, rtol=1e-10, atol=1e-12)
    assert len(grads_p) == len(grads_t)
    for i, (gp, gt) in enumerate(zip(grads_p, grads_t, strict=True)):
        assert (gp is None) == (gt is None), i
        if gt is not None:
            np.testing.assert_allclose(gp, gt, rtol=1e-9, atol=1e-12, err_msg=f"input {i}")


def test_seed_model_float32_matches_torch():
    arrays = PROGRAMS[0][2](_rs(1))
    out_p, grads_p = _run(pyautograd, prog_seed_model, arrays, "float32")
    out_t, grads_t = _run(real_torch, prog_seed_model, arrays, "float32")
    np.testing.assert_allclose(out_p, out_t, rtol=1e-4)
    for gp, gt in zip(grads_p, grads_t, strict=True):
        np.testing.assert_allclose(gp, gt, rtol=1e-3, atol=1e-3)


def test_clamp_and_relu_kinks_match_torch():
    vals = np.array([-1.0, -0.5, 0.0, 0.5, 1.0, 2.0])

    def prog(T, x):
        return (
            (x.clamp(min=-0.5, max=1.0) * 3).sum()
            + x.clamp(min=0).sum()
            + x.clamp(max=0.5).sum()
            + x.abs().sum()
            + x.relu().sum() * 0.25
        )

    out_p, (gp,) = _run(pyautograd, prog, [vals])
    out_t, (gt,) = _run(real_torch, prog, [vals])
    np.testing.assert_array_equal(gp, gt)
    np.testing.assert_allclose(out_p, out_t)
