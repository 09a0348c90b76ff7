"""The implementations under test (pyautograd, torch, numpy, native) behind one interface."""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

import numpy as np

from . import steps
from .data import InitArrays
from .native import NativeLib, NativeUnavailableError

STANDIN_ENV = "PYAG_BENCH_STANDIN"  # dev only: import this module in pyautograd's slot
NATIVE_UNFUSED = "native-unfused"  # the C++ step with the Python program's memory passes
BACKEND_NAMES = ("native", NATIVE_UNFUSED, "pyautograd", "torch", "numpy")
# What a backend missing (or mis-implementing) part of the API raises; pybind11 maps C++
# exceptions to RuntimeError, ValueError and IndexError. Caught so the suite degrades gracefully.
API_ERRORS = (AttributeError, TypeError, ValueError, IndexError, RuntimeError, NotImplementedError)


class UnavailableError(Exception):
    """A backend cannot be used; the message says why."""


@dataclass(frozen=True)
class OpCase:
    """A statement for ``timeit`` and the names it uses."""

    stmt: str
    namespace: dict[str, Any]


class Backend(Protocol):
    name: str
    label: str
    origin: str  # where the code under test comes from

    def step(self, kind: str, init: InitArrays, lr: float) -> steps.StepFn: ...

    def set_threads(self, n: int) -> str | None:
        """Applies the thread count; returns a note when it cannot."""
        ...

    def get_threads(self) -> int | None: ...

    def op_cases(self) -> dict[str, OpCase]: ...

    def memory_stats(self) -> dict[str, int] | None: ...


@dataclass
class TensorBackend:
    """pyautograd or torch: the same step code runs on either module."""

    name: str
    module: ModuleType
    variable_type: Any
    standin: str | None = None

    @property
    def label(self) -> str:
        return f"{self.name} [{self.standin} stand-in]" if self.standin else self.name

    @property
    def origin(self) -> str:
        return str(getattr(self.module, "__file__", self.module.__name__))

    def tensor(self, array: np.ndarray) -> Any:
        own = np.array(array, dtype=np.float32, copy=True)  # never share memory between backends
        if hasattr(self.module, "from_numpy"):
            return self.module.from_numpy(own)
        return self.module.tensor(own)

    def variable(self, array: np.ndarray, requires_grad: bool) -> Any:
        return self.variable_type(self.tensor(array), requires_grad=requires_grad)

    def step(self, kind: str, init: InitArrays, lr: float) -> steps.StepFn:
        factory = steps.tensor_autograd_step if kind == "autograd" else steps.tensor_manual_step
        return factory(self, init, lr)

    def set_threads(self, n: int) -> str | None:
        if not hasattr(self.module, "set_num_threads"):
            return f"{self.name}.set_num_threads missing: threads follow the environment"
        self.module.set_num_threads(n)
        return None

    def get_threads(self) -> int | None:
        getter = getattr(self.module, "get_num_threads", None)
        return int(getter()) if getter else None

    def op_cases(self) -> dict[str, OpCase]:
        one = np.ones(1, dtype=np.float32)
        a, b = self.tensor(one), self.tensor(one)
        a_grad = self.variable(one, requires_grad=True)
        return {
            "add": OpCase("a + b", {"a": a, "b": b}),
            "add_requires_grad": OpCase("a + b", {"a": a_grad, "b": b}),
            "backward": OpCase("(a * b).sum().backward()", {"a": a_grad, "b": b}),
        }

    def memory_stats(self) -> dict[str, int] | None:
        stats = getattr(self.module, "memory_stats", None)
        return dict(stats()) if stats else None


@dataclass
class NumpyBackend:
    """NumPy by hand; BLAS threads via threadpoolctl when importable, else the environment."""

    name: str = "numpy"
    label: str = "numpy"
    origin: str = np.__file__
    _limiter: Any = field(default=None, repr=False)

    def step(self, kind: str, init: InitArrays, lr: float) -> steps.StepFn:
        factory = steps.numpy_autograd_step if kind == "autograd" else steps.numpy_manual_step
        return factory(init, lr)

    def set_threads(self, n: int) -> str | None:
        try:
            from threadpoolctl import threadpool_limits
        except ImportError:
            return "numpy: threadpoolctl not importable; BLAS threads set by OPENBLAS_NUM_THREADS"
        self._limiter = threadpool_limits(limits=n, user_api="blas")
        return None

    def get_threads(self) -> int | None:
        return None

    def op_cases(self) -> dict[str, OpCase]:
        one = np.ones(1, dtype=np.float32)
        return {"add": OpCase("a + b", {"a": one, "b": one.copy()})}

    def memory_stats(self) -> dict[str, int] | None:
        return None


@dataclass
class NativeBackend:
    """The hand-written C++ step (``benchmarks/native``) on the same OpenBLAS.

    ``native`` fuses what a hand-written loop fuses; ``native-unfused`` makes the same memory
    passes as the Python program (one per tensor operation), so pyautograd's time over it is
    the library's own overhead.
    """

    lib: NativeLib
    name: str = "native"

    @property
    def label(self) -> str:
        return self.name

    @property
    def origin(self) -> str:
        return str(self.lib.path)

    def step(self, kind: str, init: InitArrays, lr: float) -> steps.StepFn:
        run = self.lib.create(init).stepper(kind, unfused=self.name == NATIVE_UNFUSED)
        return lambda: run(lr)

    def set_threads(self, n: int) -> str | None:
        self.lib.set_threads(n)
        return None

    def get_threads(self) -> int | None:
        return self.lib.get_threads()

    def op_cases(self) -> dict[str, OpCase]:
        return {}

    def memory_stats(self) -> dict[str, int] | None:
        return None


def load_tensor_backend(name: str) -> TensorBackend:
    standin = os.environ.get(STANDIN_ENV) if name == "pyautograd" else None
    module_name = standin or name
    try:
        module = importlib.import_module(module_name)
        variable = importlib.import_module(f"{module_name}.autograd").Variable
    except Exception as exc:  # any import-time failure means "skip", never a crash
        raise UnavailableError(f"{name} not importable ({type(exc).__name__}: {exc})") from exc
    return TensorBackend(name, module, variable, standin)


def load_backend(name: str, native_lib: Path | None) -> Backend:
    if name == "numpy":
        return NumpyBackend()
    if name in ("native", NATIVE_UNFUSED):
        if native_lib is None:
            raise UnavailableError(f"{name}: native baseline not built")
        try:
            return NativeBackend(NativeLib(native_lib), name)
        except NativeUnavailableError as exc:
            raise UnavailableError(str(exc)) from exc
    return load_tensor_backend(name)


def load_backends(
    names: tuple[str, ...], native_lib: Path | None
) -> tuple[list[Backend], list[str]]:
    """Loads what it can; returns the backends and a note for each one skipped."""
    loaded: list[Backend] = []
    notes: list[str] = []
    for name in names:
        try:
            loaded.append(load_backend(name, native_lib))
        except UnavailableError as exc:
            notes.append(f"{exc}: skipped")
    return loaded, notes
