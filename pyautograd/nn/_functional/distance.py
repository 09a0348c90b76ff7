"""normalize, cosine_similarity and pairwise_distance, composed of core ops (their gradients
come with them)."""

from __future__ import annotations

from ... import _core
from ..._api import broadcast_shapes
from ..._core import Tensor


def _check_tensor(fn: str, name: str, value: object) -> None:
    if not isinstance(value, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' must be Tensor, not {type(value).__name__}")


def _check_number(fn: str, name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{fn}(): argument '{name}' must be a number, not {type(value).__name__}")


def normalize(
    input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: Tensor | None = None
) -> Tensor:
    """input divided by its p-norm over dim, the norm kept at least eps (PyTorch's
    ``F.normalize``: ``input / input.norm(p, dim, keepdim=True).clamp_min(eps)``)."""
    _check_tensor("normalize", "input", input)
    _check_number("normalize", "p", p)
    _check_number("normalize", "eps", eps)
    if isinstance(dim, bool) or not isinstance(dim, int):
        raise TypeError(f"normalize(): argument 'dim' must be int, not {type(dim).__name__}")
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    if out is None:
        return input / denom
    return _core.div(input, denom, out=out)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """The cosine of the angle between x1 and x2 (broadcast together) along dim, that dim
    removed: the sum over dim of ``(x1 / max(||x1||, eps)) * (x2 / max(||x2||, eps))``, as
    PyTorch computes it (the clamp passes the norm's gradient through, as PyTorch's does).
    Two integer inputs are refused, as PyTorch does."""
    _check_tensor("cosine_similarity", "x1", x1)
    _check_tensor("cosine_similarity", "x2", x2)
    _check_number("cosine_similarity", "eps", eps)
    if isinstance(dim, bool) or not isinstance(dim, int):
        raise TypeError(
            f"cosine_similarity(): argument 'dim' must be int, not {type(dim).__name__}"
        )
    shape = broadcast_shapes(x1.shape, x2.shape)
    a, b = x1.expand(shape), x2.expand(shape)
    common = (x1.detach().reshape(-1)[:0] + x2.detach().reshape(-1)[:0]).dtype
    if not common.is_floating_point:
        raise RuntimeError(
            "[cosine_similarity] expected common dtype to be floating point, yet common dtype "
            f"is {str(common).rsplit('.', 1)[-1]}"
        )
    a = a if a.is_floating_point() else a.to(common)  # as PyTorch: integers are cast
    b = b if b.is_floating_point() else b.to(common)
    na, nb = _clamped_norm(a, dim, eps), _clamped_norm(b, dim, eps)
    return ((a / na) * (b / nb)).sum(dim)


def _clamped_norm(x: Tensor, dim: int, eps: float) -> Tensor:
    """The 2-norm over dim (kept) with the value clamped to at least eps, but the gradient of
    the unclamped norm: PyTorch clamps a clone of the norm in place under no_grad."""
    n = x.norm(2, dim, keepdim=True)
    return n + (n.clamp_min(eps) - n).detach()


def pairwise_distance(
    x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False
) -> Tensor:
    """The p-norm of ``x1 - x2 + eps`` over the last dim of the broadcast inputs (PyTorch's
    ``F.pairwise_distance``)."""
    _check_tensor("pairwise_distance", "x1", x1)
    _check_tensor("pairwise_distance", "x2", x2)
    _check_number("pairwise_distance", "p", p)
    _check_number("pairwise_distance", "eps", eps)
    last = max(x1.dim(), x2.dim()) - 1
    return _core._show_grad_fn_as((x1 - x2 + eps).norm(p, last, keepdim), "NormBackward1")
