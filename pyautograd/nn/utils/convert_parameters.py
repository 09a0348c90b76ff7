"""parameters_to_vector and vector_to_parameters."""

from __future__ import annotations

from collections.abc import Iterable

from ... import _core
from ..._core import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """The parameters flattened and concatenated into one 1-d tensor (differentiable)."""
    params = list(parameters)
    if not params:
        raise RuntimeError("[parameters_to_vector] expected a non-empty iterable of tensors")
    flat = [p.reshape(-1) for p in params]
    import pyautograd

    cat = getattr(pyautograd, "cat", None)
    if cat is not None:
        return cat(flat)  # type: ignore[no-any-return]
    if _core.is_grad_enabled() and any(p.requires_grad for p in params):
        raise NotImplementedError(
            "[parameters_to_vector] a differentiable result needs the cat op, which this build "
            "does not have yet (issue 9); call it under no_grad() for the values"
        )
    vec = _core.empty(sum(f.numel() for f in flat), dtype=params[0].dtype)
    offset = 0
    for f in flat:
        n = f.numel()
        vec[offset : offset + n] = f
        offset += n
    return vec


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copies consecutive slices of the 1-d vec into the parameters' data (which then share
    vec's memory, as in PyTorch)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    offset = 0
    for p in parameters:
        n = p.numel()
        p.data = vec[offset : offset + n].view_as(p).data
        offset += n
