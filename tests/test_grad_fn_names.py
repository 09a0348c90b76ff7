"""The backward nodes as a program prints them, against PyTorch's: `t.grad_fn.name()`,
`type(t.grad_fn).__name__`, the `grad_fn=<...>` of a tensor's repr and `next_functions`
(AccumulateGrad for a leaf) must be PyTorch's for the ops programs use, including the ops
made here of several others (F.linear's AddmmBackward0, var's VarBackward0)."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

import pyautograd as pa

torch = pytest.importorskip("torch")

# name -> the expression, over `lib`, `F` (lib.nn.functional), `nn` and the inputs: a, b (3, 4),
# m (4, 5), v (4,), x3 (2, 3, 4), img (2, 3, 8, 8), tgt (3,) int64, idx (2,) int64
CASES = {
    "add": "a + b",
    "add_scalar": "a + 1",
    "sub": "a - b",
    "rsub": "1 - a",
    "mul": "a * b",
    "mul_scalar": "a * 2",
    "div": "a / b",
    "neg": "-a",
    "mm": "a @ m",
    "addmm": "torch.addmm(m[0], a, m)",
    "mv": "a.matmul(v)",
    "dot": "v.matmul(v)",
    "vm": "v.matmul(m)",
    "matmul_3d": "x3.matmul(m)",
    "bmm": "torch.bmm(x3, x3.transpose(1, 2))",
    "sum": "a.sum()",
    "sum_dim": "a.sum(0)",
    "sum_dims": "a.sum((0, 1))",
    "mean": "a.mean()",
    "mean_dim": "a.mean(1, keepdim=True)",
    "pow_scalar": "a ** 2",
    "pow_tensor": "a ** b",
    "pow_scalar_base": "2 ** a",
    "square": "a.square()",
    "relu": "F.relu(a)",
    "clamp": "a.clamp(0, 1)",
    "clamp_min_kw": "a.clamp(min=0)",
    "view": "a.view(12)",
    "reshape": "a.reshape(4, 3)",
    "reshape_copy": "a.t().reshape(12)",
    "flatten": "x3.flatten(1)",
    "t": "a.t()",
    "transpose": "a.transpose(0, 1)",
    "permute": "x3.permute(2, 0, 1)",
    "select": "a[0]",
    "select_col": "a[:, 1]",
    "select_two": "a[0, 1]",
    "slice": "a[1:]",
    "slice_then_select": "a[1:, 0]",
    "select_then_slice": "a[0, 1:]",
    "newaxis": "a[None]",
    "index_tensor": "a[idx]",
    "index_mask": "a[a > 0]",
    "select_fn": "a.select(0, 1)",
    "narrow": "a.narrow(1, 0, 2)",
    "chunk": "a.chunk(2, 1)[0]",
    "split": "a.split(2, 1)[0]",
    "split_sizes": "a.split([1, 3], 1)[0]",
    "unbind": "a.unbind(0)[0]",
    "cat": "torch.cat([a, b])",
    "stack": "torch.stack([a, b], 1)",
    "unsqueeze": "a.unsqueeze(0)",
    "squeeze": "a.unsqueeze(0).squeeze()",
    "squeeze_dim": "a.unsqueeze(0).squeeze(0)",
    "expand": "a.expand(2, 3, 4)",
    "clone": "a.clone()",
    "contiguous": "a.t().contiguous()",
    "exp": "a.exp()",
    "log": "a.abs().log()",
    "log1p": "a.abs().log1p()",
    "tanh": "a.tanh()",
    "sigmoid": "torch.sigmoid(a)",
    "sqrt": "a.abs().sqrt()",
    "softmax": "F.softmax(a, dim=1)",
    "log_softmax": "F.log_softmax(a, dim=1)",
    "nll_loss": "F.nll_loss(F.log_softmax(a, 1), tgt)",
    "nll_loss_2d": "F.nll_loss(x3.transpose(1, 2), torch.zeros(2, 3, dtype=torch.int64))",
    "cross_entropy": "F.cross_entropy(a, tgt)",
    "cross_entropy_sum": "F.cross_entropy(a, tgt, reduction='sum')",
    "cross_entropy_smoothing": "F.cross_entropy(a, tgt, label_smoothing=0.1)",
    "cross_entropy_probs": "F.cross_entropy(a, F.softmax(b, 1).detach())",
    "cross_entropy_4d": "F.cross_entropy(img, torch.zeros(2, 8, 8, dtype=torch.int64))",
    "mse_loss": "F.mse_loss(a, b)",
    "l1_loss": "F.l1_loss(a, b)",
    "smooth_l1_loss": "F.smooth_l1_loss(a, b)",
    "bce": "F.binary_cross_entropy(a.sigmoid(), b.sigmoid().detach())",
    "bce_logits": "F.binary_cross_entropy_with_logits(a, b.detach())",
    "linear": "nn.Linear(4, 5)(a)",
    "linear_no_bias": "nn.Linear(4, 5, bias=False)(a)",
    "linear_3d": "nn.Linear(4, 5)(x3)",
    "linear_3d_no_bias": "nn.Linear(4, 5, bias=False)(x3)",
    "linear_1d": "nn.Linear(4, 5)(v)",
    "linear_1d_no_bias": "nn.Linear(4, 5, bias=False)(v)",
    "conv2d": "nn.Conv2d(3, 4, 3)(img)",
    "conv1d": "nn.Conv1d(3, 4, 3)(x3.transpose(1, 2).reshape(2, 4, 3).transpose(1, 2))",
    "conv_transpose2d": "nn.ConvTranspose2d(3, 2, 2)(img)",
    "batch_norm2d": "nn.BatchNorm2d(3)(img)",
    "batch_norm1d": "nn.BatchNorm1d(4)(a)",
    "layer_norm": "nn.LayerNorm(4)(a)",
    "group_norm": "nn.GroupNorm(1, 3)(img)",
    "embedding": "nn.Embedding(5, 3)(tgt)",
    "embedding_padding": "nn.Embedding(5, 3, padding_idx=0)(tgt)",
    "max_pool2d": "F.max_pool2d(img, 2)",
    "max_pool1d": "F.max_pool1d(x3, 2)",
    "avg_pool2d": "F.avg_pool2d(img, 2)",
    "avg_pool1d": "F.avg_pool1d(x3, 2)",
    "adaptive_avg_pool2d": "F.adaptive_avg_pool2d(img, 2)",
    "adaptive_avg_pool2d_1": "F.adaptive_avg_pool2d(img, 1)",
    "adaptive_max_pool2d": "F.adaptive_max_pool2d(img, 2)[0]",
    "dropout": "F.dropout(a, 0.5)",
    "max": "a.max()",
    "max_dim": "a.max(1)[0]",
    "min": "a.min()",
    "amax": "a.amax(1)",
    "norm": "a.norm()",
    "norm_dim": "a.norm(2, 1)",
    "pairwise_distance": "F.pairwise_distance(a, b)",
    "cdist": "torch.cdist(a, b)",
    "dist": "a.dist(b)",
    "cosine_similarity": "F.cosine_similarity(a, b)",
    "normalize": "F.normalize(a)",
    "exp2": "a.exp2()",
    "logit": "a.sigmoid().logit()",
    "xlogy": "torch.xlogy(a, b.abs())",
    "prod": "a.prod()",
    "cumsum": "a.cumsum(0)",
    "var": "a.var()",
    "std": "a.std(1)",
    "logsumexp": "a.logsumexp(1)",
    "to_double": "a.double()",
    "where": "torch.where(a > 0, a, b)",
    "masked_fill": "a.masked_fill(a > 0, 0.0)",
    "tril": "a.tril()",
    "triu": "a.triu()",
    "gather": "a.gather(1, tgt.unsqueeze(1))",
    "index_select": "a.index_select(0, idx)",
    "repeat": "a.repeat(2, 1)",
    "flip": "a.flip(0)",
    "pad": "F.pad(a, (1, 1))",
    "gelu": "F.gelu(a)",
    "leaky_relu": "F.leaky_relu(a)",
    "elu": "F.elu(a)",
    "silu": "F.silu(a)",
    "softplus": "F.softplus(a)",
    "hardtanh": "F.hardtanh(a)",
    "relu6": "F.relu6(a)",
    "prelu": "nn.PReLU()(a)",
    "lerp": "a.lerp(b, 0.5)",
    "addcmul": "a.addcmul(a, b)",
    "addcdiv": "a.addcdiv(a, b.abs() + 1)",
    "baddbmm": "torch.baddbmm(x3, x3, x3.transpose(1, 2) @ x3)",
    "interpolate_nearest": "F.interpolate(img, scale_factor=2)",
    "interpolate_bilinear": "F.interpolate(img, scale_factor=2, mode='bilinear')",
    "rnn": "nn.RNN(4, 5)(x3)[0]",
    "gru": "nn.GRU(4, 5)(x3)[0]",
    "gru_batch_first": "nn.GRU(4, 5, batch_first=True)(x3)[0]",
    "lstm": "nn.LSTM(4, 5, num_layers=2)(x3)[0]",
    "lstm_state": "nn.LSTM(4, 5)(x3)[1][1]",
    "lstm_double": "nn.LSTM(4, 5).double()(x3.double())[0]",
    "lstm_batch_first": "nn.LSTM(4, 5, batch_first=True)(x3)[0]",
    "lstm_bidirectional": "nn.LSTM(4, 5, bidirectional=True)(x3)[0]",
    "lstm_unbatched": "nn.LSTM(4, 5)(x3[0])[0]",
}


def _inputs(lib: Any) -> dict[str, Any]:
    rng = np.random.default_rng(0)

    def t(*shape: int) -> Any:
        return lib.tensor(rng.standard_normal(shape).astype(np.float32), requires_grad=True)

    return {
        "torch": lib,
        "F": lib.nn.functional,
        "nn": lib.nn,
        "a": t(3, 4),
        "b": t(3, 4),
        "m": t(4, 5),
        "v": t(4),
        "x3": t(2, 3, 4),
        "img": t(2, 3, 8, 8),
        "tgt": lib.tensor([0, 1, 2]),
        "idx": lib.tensor([0, 2]),
    }


def _node(lib: Any, expr: str) -> Any:
    lib.manual_seed(0)
    out = eval(expr, _inputs(lib))  # the expressions of CASES
    assert out.grad_fn is not None, expr
    return out.grad_fn


@pytest.mark.parametrize("name", list(CASES))
def test_grad_fn_names_are_pytorchs(name: str) -> None:
    ours, theirs = _node(pa, CASES[name]), _node(torch, CASES[name])
    assert ours.name() == theirs.name()
    assert type(ours).__name__ == type(theirs).__name__ == theirs.name()


@pytest.mark.parametrize("expr", ["a + b", "a @ m", "F.relu(a)", "a.sum()", "a[0]"])
def test_next_functions_show_accumulate_grad(expr: str) -> None:
    def kinds(node: Any) -> list[str | None]:
        return [None if f is None else type(f).__name__ for f, _ in node.next_functions]

    ours, theirs = _node(pa, expr), _node(torch, expr)
    assert kinds(ours) == kinds(theirs)
    for f, _ in ours.next_functions:
        if f is not None:
            assert f.name() == "AccumulateGrad" and f.next_functions == ()


def test_node_repr_type_and_identity() -> None:
    x = pa.ones(2, requires_grad=True)
    y = (x * 2).relu()
    node = y.grad_fn
    assert re.fullmatch(r"<ReluBackward0 object at 0x[0-9a-f]+>", repr(node))
    assert type(node).__module__ == "builtins" and isinstance(node, pa._core.Node)
    assert y.grad_fn is node and type(y.grad_fn) is type(node)
    inner = node.next_functions[0][0]
    assert type(inner).__name__ == "MulBackward0" and inner.next_functions[0][0].name() == (
        "AccumulateGrad"
    )
    with pytest.raises(TypeError):
        type(node)()  # as PyTorch's node classes: not made from Python
    y.sum().backward()  # the retyped nodes still run
    assert x.grad is not None and x.grad.tolist() == [2.0, 2.0]


def test_user_function_node_is_named_after_the_class() -> None:
    for lib in (pa, torch):

        class Double(lib.autograd.Function):
            @staticmethod
            def forward(ctx: Any, x: Any) -> Any:
                return x * 2

            @staticmethod
            def backward(ctx: Any, g: Any) -> Any:
                return g * 2

        out = Double.apply(lib.ones(2, requires_grad=True))
        assert type(out.grad_fn).__name__ == "DoubleBackward" == out.grad_fn.name()


def test_repr_suffix_is_pytorchs() -> None:
    for lib in (pa, torch):
        lib.manual_seed(0)
        out = lib.nn.Linear(2, 2)(lib.ones(1, 2))
        assert re.search(r"grad_fn=<AddmmBackward0>\)$", repr(out)), repr(out)
