"""torch.autograd.graph: hooks on the tensors saved for backward (saved_tensors_hooks,
save_on_cpu, disable_saved_tensors_hooks), register_multi_grad_hook, and Node (the base of
grad_fn objects).

A pair of saved-tensor hooks is set per thread in the core (cpp/autograd/node.h
SavedTensorHooks): while one is active every tensor a backward node saves is given to
pack_hook at once and only what pack_hook returned is kept; backward gives that to
unpack_hook, which must return the tensor (or one equal to it). Tensors kept by a node as plain
numbers or masks of its own are not packed (fewer pack calls than PyTorch, same gradients).
"""

from __future__ import annotations

import abc
import threading
from collections.abc import Callable, Sequence
from typing import Any

from . import _core
from ._core import Tensor

__all__ = [
    "Node",
    "disable_saved_tensors_hooks",
    "register_multi_grad_hook",
    "save_on_cpu",
    "saved_tensors_hooks",
]


class Node(abc.ABC):
    """The base of backward nodes (``tensor.grad_fn``): ``name()`` and ``next_functions``."""

    @abc.abstractmethod
    def name(self) -> str:
        """PyTorch's name of the node (``MulBackward0``)."""

    @property
    @abc.abstractmethod
    def next_functions(self) -> tuple[tuple[Any, int], ...]:
        """((node, 0), ...) for each input of the op."""


Node.register(_core.Node)


class _State(threading.local):
    def __init__(self) -> None:
        self.stack: list[tuple[Callable[..., Any], Callable[..., Any]]] = []
        self.disabled: list[str] = []


_state = _State()


def _apply_top() -> None:
    top = _state.stack[-1] if _state.stack else (None, None)
    _core._set_saved_tensors_hooks(*top)


class saved_tensors_hooks:
    """Context manager: inside it, pack_hook(tensor) is called on each tensor saved for backward
    (its result is kept instead of the tensor) and unpack_hook(packed) when backward needs the
    tensor back (it must return a tensor). Nested contexts: the innermost pair is used. The
    hooks are not active while one of them runs."""

    def __init__(
        self, pack_hook: Callable[[Tensor], Any], unpack_hook: Callable[[Any], Tensor]
    ) -> None:
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self) -> saved_tensors_hooks:
        if _state.disabled:
            raise RuntimeError(_state.disabled[-1])
        if not callable(self.pack_hook) or not callable(self.unpack_hook):
            raise TypeError("saved_tensors_hooks: pack_hook and unpack_hook must be callable")
        _state.stack.append((self.pack_hook, self.unpack_hook))
        _apply_top()
        return self

    def __exit__(self, *exc: object) -> None:
        _state.stack.pop()
        _apply_top()


class save_on_cpu(saved_tensors_hooks):
    """Saved tensors are kept on the CPU (moved there at save, back to their device at
    backward). Every tensor here is on the CPU: the tensors are kept as they are."""

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda") -> None:
        def pack_to_cpu(tensor: Tensor) -> tuple[Any, Tensor]:
            return (tensor.device, tensor.cpu())

        def unpack_from_cpu(packed: tuple[Any, Tensor]) -> Tensor:
            device, tensor = packed
            return tensor.to(device)

        super().__init__(pack_to_cpu, unpack_from_cpu)


class disable_saved_tensors_hooks:
    """Context manager: inside it, entering saved_tensors_hooks raises RuntimeError with
    error_message (hooks already active stay active, as PyTorch's)."""

    def __init__(self, error_message: str) -> None:
        self.error_message = error_message

    def __enter__(self) -> None:
        _state.disabled.append(self.error_message)

    def __exit__(self, *exc: object) -> None:
        _state.disabled.pop()

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        import functools

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with disable_saved_tensors_hooks(self.error_message):
                return fn(*args, **kwargs)

        return wrapper


def queue_callback(callback: Callable[[], Any]) -> None:
    """Variable._execution_engine.queue_callback: calls callback when the backward pass running
    on this thread ends (RuntimeError outside a pass)."""
    _core._queue_callback(callback)


class _ExecutionEngine:
    """torch.autograd.Variable._execution_engine (queue_callback)."""

    @staticmethod
    def queue_callback(callback: Callable[[], Any]) -> None:
        """Calls callback when the running backward pass ends."""
        queue_callback(callback)


def _install() -> None:
    from .autograd import Variable

    Variable._execution_engine = _ExecutionEngine()  # type: ignore[attr-defined]


_install()


class _MultiHandle:
    def __init__(self, handles: list[Any]) -> None:
        self.handles = handles

    def remove(self) -> None:
        for h in self.handles:
            h.remove()
        self.handles = []

    def __enter__(self) -> _MultiHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


def register_multi_grad_hook(
    tensors: Sequence[Tensor], fn: Callable[..., Any], *, mode: str = "all"
) -> _MultiHandle:
    """Calls fn when the gradients of tensors are computed in a backward pass. mode "all":
    fn(grads) once per pass that reaches any of them, with the gradient of each tensor (None
    for one the pass does not reach), after the last of them; mode "any": fn(grad) with the
    first gradient computed in the pass. (A pass reaching only some of the tensors calls fn
    at its end.)"""
    if mode not in ("all", "any"):
        raise ValueError(f"Expects mode to be one of ('all', 'any') but got {mode}")
    tensors = list(tensors)
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"register_multi_grad_hook(): expected tensors, got {type(t).__name__}")
    n = len(tensors)
    grads: list[Tensor | None] = [None] * n
    state = {"seen": 0, "fired": False}

    def end_of_pass() -> None:
        if mode == "all" and not state["fired"]:
            fn(list(grads))
        grads[:] = [None] * n
        state["seen"], state["fired"] = 0, False

    def hook_for(i: int) -> Callable[[Tensor], None]:
        def hook(grad: Tensor) -> None:
            if state["seen"] == 0:
                _core._queue_callback(end_of_pass)
            state["seen"] += 1
            grads[i] = grad
            if mode == "any":
                if not state["fired"]:
                    state["fired"] = True
                    fn(grad)
            elif state["seen"] == n and not state["fired"]:
                state["fired"] = True
                fn(list(grads))

        return hook

    return _MultiHandle([t.register_hook(hook_for(i)) for i, t in enumerate(tensors)])
