"""The layers of pyautograd.nn against PyTorch: the same weights and inputs give the same
outputs and gradients (parameters and input), in float32 and float64."""

import math

import numpy as np
import pytest
from nn_helpers import (
    assert_close,
    assert_grads_match,
    copy_params,
    np_of,
    pa_of,
    torch_of,
    torch_or_skip,
)

import pyautograd as pa
from pyautograd import nn
from pyautograd.autograd import gradcheck

rng = np.random.default_rng(0)


def _same_module(make, dtype):
    torch = torch_or_skip()
    tm = make(torch.nn).to(getattr(torch, dtype))
    pm = make(nn).to(getattr(pa, dtype))
    copy_params(pm, tm)
    return torch, pm, tm


def _forward_backward(lib, module, inputs, dtype, seed=1):
    xs = []
    for a in inputs:
        if lib is pa:
            xs.append(
                pa_of(
                    a,
                    getattr(pa, dtype) if a.dtype.kind == "f" else None,
                    requires_grad=a.dtype.kind == "f",
                )
            )
        else:
            xs.append(
                torch_of(
                    a,
                    lib,
                    getattr(lib, dtype) if a.dtype.kind == "f" else None,
                    requires_grad=a.dtype.kind == "f",
                )
            )
    out = module(*xs)
    w = np.random.default_rng(seed).standard_normal(tuple(out.shape))
    wt = pa_of(w, out.dtype) if lib is pa else torch_of(w, lib, out.dtype)
    (out * wt).sum().backward()
    return out, xs


def check_layer(make, inputs, dtype="float64", rtol=1e-6, atol=1e-7):
    if dtype == "float32":
        rtol, atol = max(rtol, 2e-5), max(atol, 2e-6)
    torch, pm, tm = _same_module(make, dtype)
    po, pxs = _forward_backward(pa, pm, inputs, dtype)
    to, txs = _forward_backward(torch, tm, inputs, dtype)
    assert po.dtype == getattr(pa, dtype)
    assert_close(po, to, rtol, atol, "output")
    for i, (a, b) in enumerate(zip(pxs, txs, strict=True)):
        if b.grad is not None:
            assert_close(a.grad, b.grad, rtol, atol, f"gradient of input {i}")
    assert_grads_match(pm, tm, rtol, atol)
    return pm, tm


DTYPES = ["float32", "float64"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("shape", [(5, 4), (4,), (2, 3, 4)])
def test_linear(shape, bias, dtype):
    check_layer(lambda m: m.Linear(4, 3, bias=bias), [rng.standard_normal(shape)], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bias", [True, False])
def test_bilinear(bias, dtype):
    check_layer(
        lambda m: m.Bilinear(3, 4, 2, bias=bias),
        [rng.standard_normal((5, 3)), rng.standard_normal((5, 4))],
        dtype,
    )


def test_bilinear_leading_dims():
    check_layer(
        lambda m: m.Bilinear(3, 2, 4),
        [rng.standard_normal((2, 5, 3)), rng.standard_normal((2, 5, 2))],
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    ("normalized", "shape", "kw"),
    [
        (4, (3, 4), {}),
        ((3, 4), (2, 3, 4), {}),
        (5, (2, 3, 5), {"elementwise_affine": False}),
        (4, (6, 4), {"bias": False}),
        (4, (6, 4), {"eps": 1e-2}),
    ],
)
def test_layer_norm(normalized, shape, kw, dtype):
    def make(m):
        mod = m.LayerNorm(normalized, **kw)
        return mod

    torch = torch_or_skip()
    pm, tm = check_layer(make, [rng.standard_normal(shape) * 3 + 1], dtype)
    # non-trivial affine parameters
    if kw.get("elementwise_affine", True):
        with torch.no_grad():
            for p in tm.parameters():
                p.copy_(torch.randn(p.shape, dtype=p.dtype))
        copy_params(pm, tm)
        pm.zero_grad(), tm.zero_grad()
        po, _ = _forward_backward(pa, pm, [np.ones(shape) * 2 + rng.standard_normal(shape)], dtype)
        assert po.shape == shape


def test_layer_norm_gradcheck():
    x = pa.tensor(rng.standard_normal((3, 4)), dtype=pa.float64, requires_grad=True)
    w = pa.tensor(rng.standard_normal(4), dtype=pa.float64, requires_grad=True)
    b = pa.tensor(rng.standard_normal(4), dtype=pa.float64, requires_grad=True)
    assert gradcheck(lambda x, w, b: nn.functional.layer_norm(x, (4,), w, b), (x, w, b))
    assert gradcheck(lambda x: nn.functional.layer_norm(x * x, [4]), (x,))


def test_layer_norm_errors():
    with pytest.raises(RuntimeError, match="normalized_shape"):
        nn.LayerNorm(4)(pa.randn(3, 5))
    with pytest.raises(RuntimeError, match="weight must have shape"):
        nn.functional.layer_norm(pa.randn(3, 4), (4,), pa.ones(3))
    with pytest.raises(TypeError, match="floating point"):
        nn.LayerNorm(2)(pa.ones(2, 2, dtype=pa.int64))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5)])
@pytest.mark.parametrize(
    "kw", [{}, {"affine": False}, {"momentum": None}, {"track_running_stats": False}]
)
def test_batch_norm_train_then_eval(shape, kw, dtype):
    torch = torch_or_skip()
    _torch, pm, tm = _same_module(lambda m: m.BatchNorm1d(3, **kw), dtype)
    for step in range(3):
        x = rng.standard_normal(shape) * 2 + step
        po, pxs = _forward_backward(pa, pm, [x], dtype, seed=step)
        to, txs = _forward_backward(torch, tm, [x], dtype, seed=step)
        tol = {"rtol": 2e-5, "atol": 2e-6} if dtype == "float32" else {"rtol": 1e-6, "atol": 1e-8}
        assert_close(po, to, **tol, what="train output")
        assert_close(pxs[0].grad, txs[0].grad, **tol, what="input gradient")
        assert_grads_match(pm, tm, **tol)
        for name, b in tm.named_buffers():
            assert_close(dict(pm.named_buffers())[name], b, **tol, what=name)
    pm.eval(), tm.eval()
    x = rng.standard_normal(shape)
    pm.zero_grad(), tm.zero_grad()
    po, pxs = _forward_backward(pa, pm, [x], dtype)
    to, txs = _forward_backward(torch, tm, [x], dtype)
    assert_close(po, to, 2e-5, 2e-6, "eval output")
    assert_close(pxs[0].grad, txs[0].grad, 2e-5, 2e-6, "eval input gradient")
    assert_grads_match(pm, tm, 2e-5, 2e-6)


def test_batch_norm_gradcheck():
    x = pa.tensor(rng.standard_normal((5, 3)), dtype=pa.float64, requires_grad=True)
    w = pa.tensor(rng.standard_normal(3), dtype=pa.float64, requires_grad=True)
    b = pa.tensor(rng.standard_normal(3), dtype=pa.float64, requires_grad=True)
    assert gradcheck(
        lambda x, w, b: nn.functional.batch_norm(x, None, None, w, b, training=True), (x, w, b)
    )
    rm, rv = pa.zeros(3, dtype=pa.float64), pa.ones(3, dtype=pa.float64) * 2
    assert gradcheck(lambda x, w, b: nn.functional.batch_norm(x, rm, rv, w, b), (x, w, b))


def test_batch_norm_errors_and_counter():
    bn = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        bn(pa.randn(1, 3))
    with pytest.raises(ValueError, match="expected 2D or 3D input"):
        bn(pa.randn(2, 3, 4, 5))
    bn(pa.randn(4, 3))
    bn(pa.randn(4, 3))
    assert bn.num_batches_tracked.item() == 2 and bn.num_batches_tracked.dtype == pa.int64
    bn.eval()
    bn(pa.randn(1, 3))  # one sample is fine in eval mode
    assert bn.num_batches_tracked.item() == 2


def test_identity_flatten_unflatten():
    torch = torch_or_skip()
    x = rng.standard_normal((2, 3, 4, 5))
    for make in (
        lambda m: m.Identity(54, unused=True),
        lambda m: m.Flatten(),
        lambda m: m.Flatten(0, 1),
        lambda m: m.Flatten(-3, -2),
        lambda m: m.Flatten(0, -1),
        lambda m: m.Unflatten(1, (3, 1)),
        lambda m: m.Unflatten(-1, (5, 1)),
        lambda m: m.Sequential(m.Flatten(1), m.Unflatten(1, (3, -1))),
    ):
        check_layer(make, [x])
    assert tuple(nn.Flatten(0, 1)(pa.randn(3, 1)).shape) == (3,)
    with pytest.raises(RuntimeError, match="start_dim cannot come after end_dim"):
        nn.Flatten(2, 1)(pa.randn(2, 3, 4))
    with pytest.raises(IndexError):
        nn.Flatten(5)(pa.randn(2, 3))
    _ = torch


def test_dropout_statistics_and_eval():
    pa.manual_seed(0)
    d = nn.Dropout(0.25)
    x = pa.ones(200, 200, requires_grad=True)
    y = d(x)
    vals = np_of(y)
    kept = vals != 0
    assert abs(kept.mean() - 0.75) < 0.01
    np.testing.assert_allclose(vals[kept], 1 / 0.75, rtol=1e-6)
    y.sum().backward()
    np.testing.assert_allclose(np_of(x.grad), vals, rtol=1e-6)  # the same mask and scale
    d.eval()
    assert d(x) is x
    assert nn.Dropout(0.0)(x) is x
    assert np_of(nn.Dropout(1.0)(x)).sum() == 0
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(1.5)
    z = pa.ones(10)
    out = nn.functional.dropout(z, 0.5, training=True, inplace=True)
    assert out is z


@pytest.mark.parametrize("padding_idx", [None, 0, -1])
def test_embedding(padding_idx):
    idx = rng.integers(0, 10, (3, 4))
    idx[0, 0] = 0
    idx[1, 1] = 9
    check_layer(lambda m: m.Embedding(10, 5, padding_idx=padding_idx), [idx])


def test_embedding_init_and_repr():
    e = nn.Embedding(10, 3, padding_idx=2)
    assert np_of(e.weight[2]).tolist() == [0.0, 0.0, 0.0]
    assert repr(e) == "Embedding(10, 3, padding_idx=2)"
    f = nn.Embedding.from_pretrained(pa.ones(4, 2))
    assert not f.weight.requires_grad and f.weight.shape == (4, 2)


ACTIVATIONS = [
    ("ReLU", {}, None),
    ("Tanh", {}, None),
    ("Sigmoid", {}, None),
    ("LeakyReLU", {"negative_slope": 0.2}, "leaky_relu"),
    ("ELU", {"alpha": 0.7}, "elu"),
    ("GELU", {}, "gelu"),
    ("GELU", {"approximate": "tanh"}, "gelu"),
    ("SiLU", {}, "silu"),
    ("Softplus", {"beta": 2.0, "threshold": 3.0}, "softplus"),
    ("Hardtanh", {"min_val": -0.5, "max_val": 0.7}, "hardtanh"),
    ("ReLU6", {}, "hardtanh"),
    ("Softmax", {"dim": 1}, "softmax"),
    ("LogSoftmax", {"dim": -1}, "log_softmax"),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    ("cls", "kw", "op"), ACTIVATIONS, ids=[f"{a}{b}" for a, b, _ in ACTIVATIONS]
)
def test_activations(cls, kw, op, dtype):
    x = rng.standard_normal((4, 6)) * 3
    check_layer(lambda m: getattr(m, cls)(**kw), [x], dtype)


def test_inplace_relu_returns_input():
    x = pa.tensor([-1.0, 2.0])
    y = nn.ReLU(inplace=True)(x)
    assert y is x and x.tolist() == [0.0, 2.0]


def test_linear_default_init_bounds():
    pa.manual_seed(1)
    lin = nn.Linear(400, 300)
    w, b = np_of(lin.weight), np_of(lin.bias)
    bound = 1 / math.sqrt(400)  # kaiming_uniform_(a=sqrt(5)) gives the same bound as the bias
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.98 * bound
    assert np.abs(b).max() <= bound and abs(w.mean()) < 0.01 * bound * 10
    assert abs(w.std() - bound / math.sqrt(3)) < 0.02 * bound
    assert lin.weight.dtype == pa.float32 and lin.weight.requires_grad


def test_layers_follow_default_dtype_and_dtype_argument():
    pa.set_default_dtype(pa.float64)
    try:
        assert nn.Linear(2, 3).weight.dtype == pa.float64
    finally:
        pa.set_default_dtype(pa.float32)
    assert nn.Linear(2, 3, dtype=pa.float64).bias.dtype == pa.float64
    assert nn.LayerNorm(3, dtype=pa.float64).weight.dtype == pa.float64
    with pytest.raises(RuntimeError, match="CPU only"):
        nn.Linear(2, 3, device="cuda")


REPRS = [
    "Linear(3, 4)",
    "Linear(3, 4, bias=False)",
    "Bilinear(2, 3, 4)",
    "Identity()",
    "Flatten()",
    "Flatten(0, 1)",
    "Unflatten(1, (2, 5))",
    "Dropout()",
    "Dropout(0.2, inplace=True)",
    "Embedding(10, 3)",
    "Embedding(10, 3, padding_idx=0)",
    "LayerNorm(5)",
    "LayerNorm([2, 3], elementwise_affine=False)",
    "LayerNorm(4, bias=False)",
    "BatchNorm1d(3)",
    "BatchNorm1d(3, momentum=None, affine=False)",
    "ReLU()",
    "ReLU(True)",
    "LeakyReLU()",
    "LeakyReLU(0.2, True)",
    "ELU()",
    "ELU(inplace=True)",
    "GELU()",
    "GELU('tanh')",
    "SiLU()",
    "Tanh()",
    "Sigmoid()",
    "Softplus()",
    "Softmax(dim=1)",
    "Softmax()",
    "LogSoftmax(1)",
    "Hardtanh()",
    "Hardtanh(inplace=True)",
    "ReLU6()",
    "MSELoss()",
    "CrossEntropyLoss()",
    "SmoothL1Loss(beta=2)",
    "HuberLoss()",
    "BCEWithLogitsLoss(pos_weight=T.ones(2))",
    "Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Sequential(nn.Linear(2, 2)))",
    "ModuleList([nn.Linear(2, 2) for _ in range(3)] + [nn.ReLU(), nn.ReLU(), nn.Tanh()])",
    "ModuleList()",
    "ModuleDict({'a': nn.ReLU(), 'b': nn.Linear(1, 1)})",
    "Sequential()",
]


@pytest.mark.parametrize("expr", REPRS)
def test_reprs_match_torch(expr):
    torch = torch_or_skip()
    got = repr(eval("nn." + expr, {"nn": nn, "T": pa}))
    want = repr(eval("nn." + expr, {"nn": torch.nn, "T": torch}))
    assert got == want


def test_fused_linear_gradcheck_accumulation_and_edge_cases():
    x = pa.tensor(rng.standard_normal((2, 3, 4)), dtype=pa.float64, requires_grad=True)
    w = pa.tensor(rng.standard_normal((5, 4)), dtype=pa.float64, requires_grad=True)
    b = pa.tensor(rng.standard_normal(5), dtype=pa.float64, requires_grad=True)
    assert gradcheck(lambda x, w, b: nn.functional.linear(x, w, b), (x, w, b))
    assert gradcheck(lambda x, w: nn.functional.linear(x.t(), w), (x[0].t().contiguous(), w))
    # two backward passes accumulate (straight into the existing .grad)
    lin = nn.Linear(4, 3)
    inp = pa.randn(6, 4)
    lin(inp).sum().backward()
    g1 = np_of(lin.weight.grad)
    lin(inp).sum().backward()
    np.testing.assert_allclose(np_of(lin.weight.grad), 2 * g1, rtol=1e-6)
    # a 1-d input, an integer layer, a dtype mismatch
    assert nn.functional.linear(pa.ones(4), pa.ones(3, 4)).tolist() == [4.0, 4.0, 4.0]
    ints = nn.functional.linear(pa.ones(2, 2, dtype=pa.int64), pa.ones(3, 2, dtype=pa.int64),
                                pa.ones(3, dtype=pa.int64))  # fmt: skip
    assert ints.dtype == pa.int64 and ints.tolist() == [[3, 3, 3], [3, 3, 3]]
    with pytest.raises(RuntimeError, match="same dtype"):
        nn.functional.linear(pa.ones(2, 2), pa.ones(3, 2, dtype=pa.float64))
    with pytest.raises(RuntimeError, match="cannot be multiplied"):
        nn.functional.linear(pa.ones(2, 3), pa.ones(3, 2))
    assert nn.functional.linear(pa.ones(2, 3), pa.ones(3)).tolist() == [3.0, 3.0]  # 1-d weight
