"""Layer functions of nn.functional: linear, bilinear, dropout, embedding, layer_norm,
batch_norm."""

from __future__ import annotations

from collections.abc import Sequence

from ... import _core
from ..._core import Tensor
from .activation import core_op

__all__ = ["batch_norm", "bilinear", "dropout", "embedding", "layer_norm", "linear"]


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """input @ weight.T + bias (weight: (out_features, in_features))."""
    if weight.dim() not in (1, 2):
        raise RuntimeError(f"[linear] weight must be 1-d or 2-d, got shape {tuple(weight.shape)}")
    if weight.dim() == 2:
        return _core._linear(input, weight, bias)  # one fused GEMM (and backward)
    out = input.matmul(weight.t())
    return out if bias is None else out + bias


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y_k = input1 @ weight[k] @ input2 + bias_k, for inputs (..., in1) and (..., in2) and
    weight (out, in1, in2)."""
    if weight.dim() != 3:
        raise RuntimeError(f"[bilinear] weight must be 3-d, got shape {tuple(weight.shape)}")
    out_f, in1, in2 = weight.shape
    if input1.shape[-1] != in1 or input2.shape[-1] != in2:
        raise RuntimeError(
            f"[bilinear] input sizes {tuple(input1.shape)} and {tuple(input2.shape)} do not match "
            f"weight of shape {tuple(weight.shape)}"
        )
    if tuple(input1.shape[:-1]) != tuple(input2.shape[:-1]):
        raise RuntimeError(
            "[bilinear] input1 and input2 must have the same leading dimensions, got "
            f"{tuple(input1.shape)} and {tuple(input2.shape)}"
        )
    lead = list(input1.shape[:-1])
    x1 = input1.reshape(-1, in1)
    x2 = input2.reshape(-1, in2)
    t = x1.mm(weight.permute(1, 0, 2).reshape(in1, out_f * in2)).reshape(-1, out_f, in2)
    y = (t * x2.unsqueeze(1)).sum(-1)
    if bias is not None:
        y = y + bias
    return y.reshape(*lead, out_f)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zeroes each element with probability p and scales the others by 1 / (1 - p) when
    training; the identity otherwise."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        mask = _core.zeros(input.shape, dtype=input.dtype)
    else:
        # PyTorch's draws: a bernoulli(1 - p) mask of input's dtype, divided by 1 - p; the
        # mask is empty_like(input), so the draws follow input's memory order (a transposed
        # input, as batch_first attention's output, gets the mask PyTorch's gets)
        mask = _core._empty_like_dense(input, input.dtype).bernoulli_(1.0 - p)
        mask.div_(1.0 - p)
    if inplace:
        return input.mul_(mask)
    return input * mask


def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """The rows of weight selected by the integer tensor input (output: input's shape + the
    embedding dim); rows at padding_idx get no gradient. max_norm first rescales (in place, as
    PyTorch) each referenced row whose norm_type-norm exceeds it to max_norm / (norm + 1e-7);
    scale_grad_by_freq divides each row's gradient by how often its index occurs in input."""
    if input.is_floating_point() or input.dtype == _core.bool:
        raise RuntimeError(f"[embedding] expected an integer tensor of indices, got {input.dtype}")
    if sparse:
        raise NotImplementedError("[embedding] sparse gradients are not supported")
    num, dim = weight.shape
    if padding_idx is not None:
        if not -num <= padding_idx < num:
            raise AssertionError("Padding_idx must be within num_embeddings")
        if padding_idx < 0:
            padding_idx += num
    flat = input.reshape(-1)
    if max_norm is not None:
        from ...autograd import no_grad

        with no_grad():
            for i in sorted(set(flat.tolist())):
                row = weight[i]
                norm = float(row.norm(p=norm_type).item())
                if norm > max_norm:
                    row.mul_(max_norm / (norm + 1e-7))
    rows = core_op("index_select")(weight, 0, flat)
    if scale_grad_by_freq and rows.requires_grad:
        from collections import Counter

        from ..._creation import tensor as _tensor

        ids = flat.tolist()
        counts = Counter(ids)
        freq = _tensor([float(counts[i]) for i in ids], dtype=weight.dtype).unsqueeze(-1)
        rows.register_hook(lambda g: g / freq)
    out = rows.reshape(*input.shape, dim)
    if padding_idx is not None and weight.requires_grad:
        keep = (input != padding_idx).unsqueeze(-1)
        out = _core.where(keep, out, out.detach())
    return _core._show_grad_fn_as(out, "EmbeddingBackward0")


def layer_norm(
    input: Tensor,
    normalized_shape: int | Sequence[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalizes over the trailing normalized_shape dims (biased variance), then scales by
    weight and shifts by bias; one fused C++ pass forward and one backward."""
    return _core._layer_norm(input, normalized_shape, weight, bias, eps)


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalizes (n, c, ...) per channel: with the batch's statistics when training (and
    updates the running statistics in place), else with the running statistics."""
    return _core._batch_norm(
        input, running_mean, running_var, weight, bias, training, momentum, eps
    )
