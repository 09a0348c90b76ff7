"""torch.compiler: the helpers programs call around compilation. ``compile`` is
``pyautograd.compile`` (capture and replay, docs/compile.md); ``disable`` and the marking
decorators leave functions as they are; ``is_compiling()`` is False (a captured step runs its
Python eagerly once, then replays kernels without running the Python again)."""

from __future__ import annotations

from typing import Any, TypeVar

from ._api import compile as compile

__all__ = [
    "allow_in_graph",
    "assume_constant_result",
    "compile",
    "cudagraph_mark_step_begin",
    "disable",
    "is_compiling",
    "is_dynamo_compiling",
    "reset",
]

F = TypeVar("F")


def disable(fn: Any = None, recursive: bool = True, *, reason: str | None = None) -> Any:
    """``@torch.compiler.disable`` (with or without arguments): the function itself."""
    del recursive, reason
    if fn is None:
        return lambda f: f
    return fn


def allow_in_graph(fn: F) -> F:
    """The identity."""
    return fn


def assume_constant_result(fn: F) -> F:
    """The identity."""
    return fn


def is_compiling() -> bool:
    """False: Python code always runs eagerly here (see the module's docstring)."""
    return False


def is_dynamo_compiling() -> bool:
    """False (see ``is_compiling``)."""
    return False


def reset() -> None:
    """Nothing to reset: each ``compile``d function keeps its own capture."""


def cudagraph_mark_step_begin() -> None:
    """Nothing to mark on the CPU."""
