"""Module full backward hooks (register_full_backward_hook / register_full_backward_pre_hook),
as PyTorch's BackwardHook: the module's tensor inputs and outputs pass through identity nodes
that see all their gradients at once. Here each identity packs its tensors into one flat
tensor (an autograd.Function with a single output) whose pieces the module then uses, so its
backward receives the gradients of every input (or output) together; it calls the hooks and
may replace those gradients."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ... import _core
from ..._core import Tensor
from ...autograd import Function, FunctionCtx

if TYPE_CHECKING:
    from .module import Module


class _State:
    def __init__(self, module: Module, hooks: list[Callable[..., Any]], pre: list[Any]) -> None:
        self.module = module
        self.hooks = hooks
        self.pre_hooks = pre
        self.grad_outputs: tuple[Tensor | None, ...] | None = None
        self.n_inputs = 0
        self.input_index: list[int] | None = None
        self.n_outputs = 0
        self.output_index: list[int] | None = None


def _pack(tensors: list[Tensor], op: str) -> Tensor:
    dtypes = {t.dtype for t in tensors}
    if len(dtypes) != 1:
        raise NotImplementedError(
            f"[{op}] module backward hooks need the module's differentiable tensors to share one "
            f"dtype, got {sorted(str(d) for d in dtypes)}"
        )
    return _core.cat([t.reshape(-1) for t in tensors], 0)


def _split(flat: Tensor, shapes: list[tuple[int, ...]]) -> list[Tensor]:
    out, start = [], 0
    for shape in shapes:
        n = 1
        for s in shape:
            n *= s
        out.append(flat[start : start + n].reshape(shape))
        start += n
    return out


def _wrap(
    args: tuple[Any, ...], fn: type[Function], state: _State
) -> tuple[tuple[Any, ...], list[int] | None]:
    """Routes the tensors of args that require grad through fn (one packed node); returns the
    new args and the positions of all tensors (None when none requires grad). The tensors that
    need no grad pass unchanged; their gradients reach the hooks as zeros (PyTorch's
    materialized gradients of non-differentiable outputs)."""
    tensors_at = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
    packed = [i for i in tensors_at if args[i].requires_grad]
    if not packed or not _core.is_grad_enabled():
        return args, None
    shapes = [tuple(args[i].shape) for i in packed]
    zeros = {i: (list(args[i].shape), args[i].dtype) for i in tensors_at if i not in packed}
    flat = fn.apply(state, (packed, shapes, zeros), *(args[i] for i in packed))
    new = list(args)
    for i, piece in zip(packed, _split(flat, shapes), strict=True):
        new[i] = piece
    return tuple(new), tensors_at


def _all_grads(meta: Any, grad: Tensor, size: int) -> tuple[Any, ...]:
    packed, shapes, zeros = meta
    res: list[Any] = [None] * size
    for i, g in zip(packed, _split(grad, shapes), strict=True):
        res[i] = g
    for i, (shape, dtype) in zeros.items():
        res[i] = _core.zeros(shape, dtype=dtype)
    return tuple(res)


class _InputHook(Function):
    @staticmethod
    def forward(ctx: FunctionCtx, state: _State, meta: Any, *tensors: Tensor) -> Tensor:
        ctx.state = state  # type: ignore[attr-defined]
        ctx.meta = meta  # type: ignore[attr-defined]
        return _pack(list(tensors), "register_full_backward_hook")

    @staticmethod
    def backward(ctx: FunctionCtx, grad: Tensor) -> Any:  # type: ignore[override]
        state: _State = ctx.state  # type: ignore[attr-defined]
        meta = ctx.meta  # type: ignore[attr-defined]
        packed = meta[0]
        if state.grad_outputs is None:
            return (None, None, *_split(grad, meta[1]))
        res = _all_grads(meta, grad, state.n_inputs)
        for hook in state.hooks:
            out = hook(state.module, res, state.grad_outputs)
            if out is None:
                continue
            if len(out) != len(res):
                raise RuntimeError(
                    "Backward hook returned an invalid number of grad_input, got "
                    f"{len(out)}, but expected {len(res)}"
                )
            res = tuple(out)
        state.grad_outputs = None
        return (None, None, *(res[i] for i in packed))


class _OutputHook(Function):
    @staticmethod
    def forward(ctx: FunctionCtx, state: _State, meta: Any, *tensors: Tensor) -> Tensor:
        ctx.state = state  # type: ignore[attr-defined]
        ctx.meta = meta  # type: ignore[attr-defined]
        return _pack(list(tensors), "register_full_backward_hook")

    @staticmethod
    def backward(ctx: FunctionCtx, grad: Tensor) -> Any:  # type: ignore[override]
        state: _State = ctx.state  # type: ignore[attr-defined]
        meta = ctx.meta  # type: ignore[attr-defined]
        state.grad_outputs = _all_grads(meta, grad, state.n_outputs)
        for pre in state.pre_hooks:
            new = pre(state.module, state.grad_outputs)
            if new is None:
                continue
            if len(new) != len(state.grad_outputs):
                raise RuntimeError(
                    "Backward pre hook returned an invalid number of grad_output, got "
                    f"{len(new)}, but expected {len(state.grad_outputs)}"
                )
            state.grad_outputs = tuple(new)
        local = state.grad_outputs
        if state.input_index is None:
            warnings.warn(
                "Full backward hook is firing when gradients are computed with respect to module "
                "outputs since no inputs require gradients. See "
                "https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html"
                "#torch.nn.Module.register_full_backward_hook for more details.",
                stacklevel=2,
            )
            none = (None,) * state.n_inputs
            for hook in state.hooks:
                r = hook(state.module, none, state.grad_outputs)
                if r is not None and not (isinstance(r, tuple) and all(e is None for e in r)):
                    raise RuntimeError(
                        "Backward hook for Modules where no input requires gradient should "
                        "always return None or None for all gradients."
                    )
            state.grad_outputs = None
        return (None, None, *(local[i] for i in meta[0]))


def setup(module: Module, args: tuple[Any, ...]) -> tuple[tuple[Any, ...], _State | None]:
    """Wraps the positional tensor inputs (before forward); None when no hook is set."""
    hooks = list(module._backward_hooks.values())
    pre = list(module._backward_pre_hooks.values())
    if not hooks and not pre:
        return args, None
    state = _State(module, hooks, pre)
    state.n_inputs = len(args)
    if hooks:
        args, state.input_index = _wrap(args, _InputHook, state)
    return args, state


def finish(result: Any, state: _State | None) -> Any:
    """Wraps the output tensors (after the forward hooks)."""
    if state is None:
        return result
    single = not isinstance(result, tuple)
    outs = (result,) if single else result
    state.n_outputs = len(outs)
    new, state.output_index = _wrap(outs, _OutputHook, state)
    return new[0] if single else new
