"""torch.jit's Python-side API for programs written with TorchScript in mind.

TorchScript compiles a subset of Python into a graph for deployment without Python; its
results are those of running the same code eagerly. Here ``script`` and ``trace`` return the
function or module itself (so ``model = torch.jit.script(model)`` keeps working, with eager
results), the decorators (``ignore``, ``unused``, ``export``, ``interface``) are the identity,
``is_scripting()``/``is_tracing()`` are False and ``annotate`` returns its value, as they do in
PyTorch when the code runs eagerly. What needs a TorchScript archive (``save``, ``load``) raises:
save a ``state_dict`` with ``torch.save`` instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, TypeVar

__all__ = [
    "Attribute",
    "Final",
    "Future",
    "ScriptFunction",
    "ScriptModule",
    "annotate",
    "enable_onednn_fusion",
    "export",
    "fork",
    "freeze",
    "ignore",
    "interface",
    "is_scripting",
    "is_tracing",
    "load",
    "optimize_for_inference",
    "save",
    "script",
    "script_if_tracing",
    "trace",
    "trace_module",
    "unused",
    "wait",
]

F = TypeVar("F")


class ScriptModule:
    """The class of TorchScript modules; ``script`` here returns the eager module itself, so
    no object is ever of this class (``isinstance(m, torch.jit.ScriptModule)`` is False)."""

    def __init__(self) -> None:
        raise RuntimeError(
            "torch.jit.ScriptModule: TorchScript modules are not built here; torch.jit.script "
            "returns the eager module"
        )


class ScriptFunction:
    """The class of TorchScript functions (never instantiated: ``script`` returns the
    function itself)."""

    def __init__(self) -> None:
        raise RuntimeError(
            "torch.jit.ScriptFunction: TorchScript functions are not built here; "
            "torch.jit.script returns the Python function"
        )


def script(
    obj: F,
    optimize: Any = None,
    _frames_up: int = 0,
    _rcb: Any = None,
    example_inputs: Any = None,
) -> F:
    """Returns ``obj`` (a function, module or class) itself: scripted code computes what the
    eager code computes."""
    del optimize, _frames_up, _rcb, example_inputs
    if obj is None or not (callable(obj) or isinstance(obj, type)):
        raise RuntimeError(
            f"torch.jit.script: expected a function, a module or a class, got {type(obj).__name__}"
        )
    return obj


def trace(func: F, example_inputs: Any = None, *args: Any, **kwargs: Any) -> F:
    """Returns ``func`` itself. PyTorch's trace records the path the example inputs take (the
    eager function computes the same on that path, and stays right on others)."""
    del example_inputs, args, kwargs
    if not callable(func):
        raise RuntimeError(f"torch.jit.trace: expected a callable, got {type(func).__name__}")
    return func


def trace_module(mod: F, inputs: Any = None, *args: Any, **kwargs: Any) -> F:
    """Returns the module itself (see ``trace``)."""
    del inputs, args, kwargs
    return mod


def script_if_tracing(fn: F) -> F:
    """The identity decorator (nothing is traced here)."""
    return fn


def ignore(drop: Any = False, **kwargs: Any) -> Any:
    """``@torch.jit.ignore`` or ``@torch.jit.ignore(drop=...)``: leaves the function as is."""
    del kwargs
    if callable(drop):
        return drop
    return lambda fn: fn


def unused(fn: F) -> F:
    """The identity decorator (marks code TorchScript should not compile)."""
    return fn


def export(fn: F) -> F:
    """The identity decorator (marks a method TorchScript should compile)."""
    return fn


def interface(obj: F) -> F:
    """The identity decorator (declares a TorchScript interface)."""
    return obj


def is_scripting() -> bool:
    """False: code runs eagerly here."""
    return False


def is_tracing() -> bool:
    """False: nothing is traced here."""
    return False


def annotate(the_type: Any, the_value: Any) -> Any:
    """Returns ``the_value`` (a type hint for the TorchScript compiler)."""
    del the_type
    return the_value


def Attribute(value: Any, type: Any = None) -> Any:
    """Returns ``value`` (declares a TorchScript module attribute's type)."""
    del type
    return value


class Future:
    """The result of ``fork``: the call already ran; ``wait()`` returns its value."""

    def __init__(self, value: Any) -> None:
        self._value = value

    def wait(self) -> Any:
        """The forked call's result."""
        return self._value

    def done(self) -> bool:
        """True: the call ran at fork."""
        return True


def fork(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Future:
    """Runs ``func(*args, **kwargs)`` now and returns a Future holding its result (TorchScript
    may run it concurrently; the result is the same)."""
    return Future(func(*args, **kwargs))


def wait(future: Future) -> Any:
    """The result of a ``fork``."""
    if not isinstance(future, Future):
        raise RuntimeError(f"torch.jit.wait: expected a Future, got {type(future).__name__}")
    return future.wait()


def freeze(mod: F, preserved_attrs: Any = None, optimize_numerics: bool = True) -> F:
    """Returns the module itself (freezing inlines a scripted module's parameters)."""
    del preserved_attrs, optimize_numerics
    return mod


def optimize_for_inference(mod: F, other_methods: Any = None) -> F:
    """Returns the module itself."""
    del other_methods
    return mod


def enable_onednn_fusion(enabled: bool) -> None:
    """Accepted and ignored (a TorchScript fuser setting)."""
    del enabled


def save(m: Any, f: Any, _extra_files: Any = None) -> None:
    """Refused: TorchScript archives are not written here."""
    raise RuntimeError(
        "torch.jit.save: TorchScript archives are not supported; save the weights with "
        "torch.save(model.state_dict(), f) and rebuild the model in Python"
    )


def load(f: Any, map_location: Any = None, _extra_files: Any = None) -> Any:
    """Refused: TorchScript archives are not read here."""
    raise RuntimeError(
        "torch.jit.load: TorchScript archives are not supported; load a state_dict saved "
        "with torch.save into the model built in Python"
    )


Final = Final
