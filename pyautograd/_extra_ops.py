"""amax, amin and repeat_interleave, as in PyTorch, composed of the core's ops.

amax and amin: the largest/smallest value over one or several dims (all by default). The
forward is the core's max/min over the reduced dims (moved last and flattened); the gradient is
spread evenly over the elements equal to the result, as PyTorch's amax backward does
(``max(dim)`` instead sends it to one index)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import _core
from ._core import Tensor
from .autograd import Function, FunctionCtx


def _dims(op: str, input: Tensor, dim: int | Sequence[int]) -> tuple[int, ...]:
    n = input.dim()
    raw = (dim,) if isinstance(dim, int) else tuple(dim)
    if not raw:
        return tuple(range(n))
    out: list[int] = []
    rank = max(n, 1)
    for d in raw:
        if isinstance(d, bool) or not isinstance(d, int):
            raise TypeError(f"{op}(): argument 'dim' must be a tuple of ints, got {dim!r}")
        if not -rank <= d < rank:
            raise IndexError(
                f"[{op}] Dimension out of range (expected to be in range of [{-rank}, "
                f"{rank - 1}], but got {d})"
            )
        d %= rank
        if d in out:
            raise RuntimeError(f"[{op}] dim {d} appears multiple times in the list of dims")
        out.append(d)
    return tuple(sorted(out)) if n else ()


def _extreme(op: str, input: Tensor, dims: tuple[int, ...], keepdim: bool) -> Tensor:
    n = input.dim()
    if n == 0:
        return input.clone()
    for d in dims:
        if input.shape[d] == 0:
            raise IndexError(
                f"[{op}] Expected reduction dim {d} to have non-zero size (input shape "
                f"{tuple(input.shape)})"
            )
    keep = [d for d in range(n) if d not in dims]
    red = 1
    for d in dims:
        red *= input.shape[d]
    moved = input.permute(*keep, *dims).reshape(*[input.shape[d] for d in keep], red)
    reduce = moved.max if op == "amax" else moved.min
    out: Tensor = reduce(dim=-1)[0]
    if keepdim:  # a tensor of its own (a view made under no_grad refuses in-place writes)
        out = out.reshape([1 if d in dims else input.shape[d] for d in range(n)]).clone()
    return out


class _Extreme(Function):
    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any) -> Tensor:
        op, input, dims, keepdim = args
        out = _extreme(op, input, dims, keepdim)
        ctx.dims, ctx.keepdim = dims, keepdim  # type: ignore[attr-defined]
        ctx.save_for_backward(input, out)
        return out

    @staticmethod
    def backward(ctx: FunctionCtx, *grads: Tensor) -> Any:
        input, out = ctx.saved_tensors
        assert input is not None and out is not None
        dims: tuple[int, ...] = ctx.dims  # type: ignore[attr-defined]
        grad = grads[0]
        if not ctx.keepdim and input.dim():  # type: ignore[attr-defined]
            for d in dims:
                out, grad = out.unsqueeze(d), grad.unsqueeze(d)
        mask = input == out
        count = mask.sum(dims, keepdim=True) if input.dim() else mask.sum()
        return None, mask * (grad / count), None, None


def _reduce(op: str, input: Tensor, dim: int | Sequence[int], keepdim: bool) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(input).__name__}")
    dims = _dims(op, input, dim)
    if input.requires_grad and _core.is_grad_enabled():
        out = _Extreme.apply(op, input, dims, keepdim)
        return _core._show_grad_fn_as(out, op.capitalize() + "Backward0")  # AmaxBackward0
    return _extreme(op, input, dims, keepdim)


def amax(input: Tensor, dim: int | Sequence[int] = (), keepdim: bool = False) -> Tensor:
    """The largest value over dim (an int or a tuple; () or omitted: every dim); NaN if any
    reduced element is NaN. The gradient is shared evenly by the elements equal to the result."""
    return _reduce("amax", input, dim, keepdim)


def amin(input: Tensor, dim: int | Sequence[int] = (), keepdim: bool = False) -> Tensor:
    """The smallest value over dim (an int or a tuple; () or omitted: every dim); NaN if any
    reduced element is NaN. The gradient is shared evenly by the elements equal to the result."""
    return _reduce("amin", input, dim, keepdim)


def repeat_interleave(
    input: Tensor,
    repeats: int | Tensor | None = None,
    dim: int | None = None,
    *,
    output_size: int | None = None,
) -> Tensor:
    """Repeats each element (each slice along dim; dim None: of the flattened input) repeats
    times: an int, or a tensor of one count per element. With only a 1-d integer tensor of
    counts, returns the indices 0, 1, ... each repeated its count. Gradients sum over the
    copies."""
    if repeats is None:  # repeat_interleave(counts): the index form
        counts = input
        if counts.dim() != 1 or counts.is_floating_point() or counts.dtype == _core.bool:
            raise RuntimeError(
                "[repeat_interleave] repeats must be a 1-d integer tensor, got "
                f"{counts.dtype} of shape {tuple(counts.shape)}"
            )
        return repeat_interleave(_core.arange(counts.shape[0]), counts, 0)
    if not isinstance(input, Tensor):
        raise TypeError(
            f"repeat_interleave(): argument 'input' must be Tensor, not {type(input).__name__}"
        )
    if dim is None:
        input, dim = input.reshape(-1), 0
    n = input.dim()
    if not -max(n, 1) <= dim < max(n, 1):
        raise IndexError(
            f"[repeat_interleave] Dimension out of range (expected to be in range of "
            f"[{-max(n, 1)}, {max(n, 1) - 1}], but got {dim})"
        )
    if n == 0:
        input, n = input.reshape(1), 1
    dim %= n
    size = input.shape[dim]
    if isinstance(repeats, Tensor) and repeats.numel() == 1 and repeats.dim() <= 1:
        repeats = int(repeats.item())
    if isinstance(repeats, int) and not isinstance(repeats, bool):
        if repeats < 0:
            raise RuntimeError(f"[repeat_interleave] repeats can not be negative, got {repeats}")
        shape = list(input.shape)
        out = input.unsqueeze(dim + 1).expand(*shape[: dim + 1], repeats, *shape[dim + 1 :])
        # as PyTorch's: a view of a contiguous copy (never of input's memory, nor zero strides)
        out = out.clone().reshape(*shape[:dim], size * repeats, *shape[dim + 1 :])
    elif isinstance(repeats, Tensor):
        if repeats.dim() != 1 or repeats.is_floating_point() or repeats.dtype == _core.bool:
            raise RuntimeError(
                "[repeat_interleave] repeats must be an int or a 1-d integer tensor, got "
                f"{repeats.dtype} of shape {tuple(repeats.shape)}"
            )
        if repeats.shape[0] != size:
            raise RuntimeError(
                f"[repeat_interleave] repeats must have the same size as input along dim, "
                f"but got repeats.size(0) = {repeats.shape[0]} and input.size({dim}) = {size}"
            )
        reps = [int(c) for c in repeats.tolist()]
        if any(c < 0 for c in reps):
            raise RuntimeError("[repeat_interleave] repeats can not be negative")
        index = [i for i, c in enumerate(reps) for _ in range(c)]
        out = input.index_select(dim, _core.from_numpy(np.array(index, dtype=np.int64)))
    else:
        raise TypeError(
            "repeat_interleave(): argument 'repeats' must be int or Tensor, not "
            f"{type(repeats).__name__}"
        )
    if output_size is not None and out.shape[dim] != output_size:
        raise RuntimeError(
            f"[repeat_interleave] output_size {output_size} does not match the result's size "
            f"{out.shape[dim]} along dim {dim}"
        )
    return out


def _contains(self: Tensor, element: Any) -> bool:
    """``element in tensor``: whether any element equals it (a number or a tensor), as in
    PyTorch."""
    if isinstance(element, (Tensor, int, float, bool)):
        return bool((self == element).any().item())
    raise RuntimeError(
        f"Tensor.__contains__ only supports Tensor or scalar, but you passed in a {type(element)}."
    )


def _self(self: Tensor) -> Tensor:
    """The tensor itself: a real tensor is its own conjugate and has no lazy negation."""
    return self


def _false(self: Tensor) -> bool:
    """False: real CPU tensors are never lazily conjugated or negated, nor pinned."""
    return False


def _imag(self: Tensor) -> Tensor:
    raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")


def _pin_memory(self: Tensor, device: Any = None) -> Tensor:
    """Raises: pinned memory is for copies to a GPU, as in PyTorch without one."""
    raise RuntimeError(
        "[pin_memory] Cannot access accelerator device when none is available (pinned memory "
        "is for copies to a GPU; pyautograd has none)."
    )


def install(cls: type[Tensor]) -> None:
    """Adds amax, amin, repeat_interleave and ``in`` to Tensor, and the complex/pinned-memory
    queries of a real CPU tensor (``real``, ``conj()`` and ``resolve_conj()`` are the tensor
    itself, ``imag`` and ``pin_memory()`` raise, as in PyTorch without complex dtypes or GPUs)."""
    methods: dict[str, Any] = {
        "real": property(_self, doc="The tensor itself (it has no imaginary part)."),
        "imag": property(_imag, doc="Raises: real tensors have no imaginary part."),
        "conj": _self,
        "resolve_conj": _self,
        "resolve_neg": _self,
        "is_conj": _false,
        "is_neg": _false,
        "is_pinned": _false,
        "pin_memory": _pin_memory,
        "amax": amax,
        "amin": amin,
        "repeat_interleave": repeat_interleave,
    }
    for name, f in methods.items():
        setattr(cls, name, f)
    setattr(cls, "__contains__", _contains)  # noqa: B010 - the stub declares it
