"""Autograd API: Variable, grad-mode context managers, Function, backward, grad, gradcheck.

The engine lives in the C++ core; this module is its thin Python face.
"""

from __future__ import annotations

import functools
import sys
import types
import warnings
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np

from . import _core
from ._core import Tensor

F = TypeVar("F", bound=Callable[..., Any])

__all__ = [
    "Function",
    "Variable",
    "backward",
    "detect_anomaly",
    "enable_grad",
    "grad",
    "gradcheck",
    "inference_mode",
    "is_anomaly_check_nan_enabled",
    "is_anomaly_enabled",
    "no_grad",
    "set_detect_anomaly",
    "set_grad_enabled",
]


class _VariableMeta(type):
    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, Tensor)


class Variable(metaclass=_VariableMeta):
    """The legacy wrapper: ``Variable(t, requires_grad=True)`` is a leaf tensor sharing t's data.

    Every tensor is a Variable (``isinstance(t, Variable)`` holds), as in PyTorch >= 0.4.
    """

    def __new__(cls, data: Tensor, requires_grad: bool = False, volatile: bool = False) -> Tensor:  # type: ignore[misc]
        if not isinstance(data, Tensor):
            raise TypeError(f"[Variable] data must be a tensor, got {type(data).__name__}")
        t = data.detach()
        if requires_grad:
            t.requires_grad_(True)
        return t


class _GradModeContext:
    """Base of the grad-mode context managers; also usable as decorators."""

    _mode: bool

    def __enter__(self) -> None:
        self._prev = _core.is_grad_enabled()
        _core._set_grad_enabled(self._mode)

    def __exit__(self, *exc: object) -> None:
        _core._set_grad_enabled(self._prev)

    def __call__(self, fn: F) -> F:
        mode = self._mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with type(self)() if type(self) is not set_grad_enabled else set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class no_grad(_GradModeContext):
    """Disables gradient recording in this thread (context manager or decorator)."""

    _mode = False


class enable_grad(_GradModeContext):
    """Enables gradient recording in this thread (context manager or decorator)."""

    _mode = True


inference_mode = no_grad

_anomaly = {"enabled": False, "check_nan": True}


def _warn_anomaly() -> None:
    warnings.warn(
        "Anomaly Detection has been enabled. pyautograd records the switch only: it does not "
        "check backward outputs for NaN or keep forward tracebacks.",
        stacklevel=3,
    )


def set_detect_anomaly(mode: bool, check_nan: bool = True) -> None:
    """Records anomaly mode (is_anomaly_enabled reports it). pyautograd does not check backward
    outputs for NaN in this mode, and says so with a warning when the mode is switched on."""
    if mode:
        _warn_anomaly()
    _anomaly["enabled"], _anomaly["check_nan"] = bool(mode), bool(check_nan)


def is_anomaly_enabled() -> bool:
    """Whether anomaly mode is on (set_detect_anomaly / detect_anomaly)."""
    return _anomaly["enabled"]


def is_anomaly_check_nan_enabled() -> bool:
    """The check_nan given with anomaly mode."""
    return _anomaly["check_nan"]


class detect_anomaly:
    """Anomaly mode for a block or a function (see set_detect_anomaly: recorded only)."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan
        self._prev = (False, True)
        _warn_anomaly()

    def __enter__(self) -> None:
        self._prev = (_anomaly["enabled"], _anomaly["check_nan"])
        _anomaly["enabled"], _anomaly["check_nan"] = True, self.check_nan

    def __exit__(self, *exc: object) -> None:
        _anomaly["enabled"], _anomaly["check_nan"] = self._prev

    def __call__(self, fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class set_grad_enabled(_GradModeContext):
    """Sets grad mode now; as a context manager, restores the previous mode on exit."""

    def __init__(self, mode: bool) -> None:
        self._prev = _core.is_grad_enabled()
        self._mode = bool(mode)
        _core._set_grad_enabled(self._mode)

    def __enter__(self) -> None:
        pass


def backward(
    tensors: Tensor | Sequence[Tensor],
    grad_tensors: Tensor | Sequence[Tensor | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    grad_variables: Tensor | Sequence[Tensor | None] | None = None,
    inputs: Tensor | Sequence[Tensor] | None = None,
) -> None:
    """Accumulates into leaves' .grad the gradients of `tensors`. With create_graph=True the
    gradients are recorded (their own grad_fn), so that they can be differentiated again."""
    if grad_variables is not None:
        if grad_tensors is not None:
            raise RuntimeError(
                "[backward] grad_tensors and grad_variables (deprecated) were both given"
            )
        grad_tensors = grad_variables
    if inputs is not None:
        raise RuntimeError("[backward] the inputs= argument is not supported; use autograd.grad")
    retain = create_graph if retain_graph is None else bool(retain_graph)
    _core._backward(tensors, grad_tensors, retain, bool(create_graph))


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Tensor | Sequence[Tensor | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    only_inputs: bool = True,
    allow_unused: bool | None = None,
    is_grads_batched: bool = False,
    materialize_grads: bool = False,
) -> tuple[Tensor | None, ...]:
    """The gradients of `outputs` with respect to `inputs`, leaving every .grad untouched. With
    create_graph=True they are recorded (their own grad_fn), so that they can be differentiated
    again (Hessian-vector products, gradient penalties); retain_graph defaults to it."""
    if is_grads_batched:
        raise RuntimeError("[grad] is_grads_batched=True (vmap over grad_outputs) is not supported")
    if materialize_grads and allow_unused is False:
        raise ValueError(
            "Expected allow_unused to be True or not passed when materialize_grads=True, but "
            "got: allow_unused=False."
        )
    unused_ok = bool(allow_unused) or materialize_grads
    retain = create_graph if retain_graph is None else bool(retain_graph)
    got = _core._grad(outputs, inputs, grad_outputs, retain, unused_ok, bool(create_graph))
    if not materialize_grads:
        return got
    xs = inputs if isinstance(inputs, (tuple, list)) else (inputs,)
    return tuple(
        _core.zeros(x.shape, dtype=x.dtype) if g is None else g
        for g, x in zip(got, xs, strict=True)
    )


class FunctionCtx:
    """The `ctx` of a Function: saves tensors in forward for use in backward."""

    def __init__(self, needs_input_grad: tuple[bool, ...], name: str = "Function") -> None:
        self.needs_input_grad = needs_input_grad
        self._name = name  # the node's name, for errors
        self._saved: list[_core._SavedTensor | None] = []
        self._saved_objs: tuple[Tensor | None, ...] = ()
        # what each saved tensor is (a tensor input's index, -1 the output, None other), and
        # while a create_graph=True backward runs, the core's function that gives it its history
        self._roles: list[int | None] = []
        self._unpack_history: Callable[[int, Tensor], Tensor] | None = None
        self._freed = False

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        # The core's saved tensors: detached (no reference cycle through the graph), their
        # version checked on use, as the built-in nodes' are.
        self._saved = [None if t is None else _core._save_tensor(t) for t in tensors]
        self._saved_objs = tensors  # held until apply() has read their identities

    @property
    def saved_tensors(self) -> tuple[Tensor | None, ...]:
        if self._freed and all(s is None for s in self._saved):
            raise RuntimeError(
                f"[{self._name}] trying to backward through the graph a second time (saved "
                "tensors were freed); specify retain_graph=True if you need to"
            )
        got = tuple(None if s is None else s.unpack(self._name) for s in self._saved)
        if self._unpack_history is None or not self._roles:
            return got
        return tuple(
            t if t is None or role is None else self._unpack_history(role, t)
            for t, role in zip(got, self._roles, strict=True)
        )

    def mark_non_differentiable(self, *tensors: Tensor) -> None:
        pass

    def _freed_check(self) -> None:
        """For a Function standing for a PyTorch node that saves tensors (which this one does
        not need): after the graph was freed, backward raises as PyTorch's does."""
        if self._freed:
            raise RuntimeError(
                f"[{self._name}] trying to backward through the graph a second time (or to "
                "directly access saved tensors after they have already been freed); specify "
                "retain_graph=True if you need to backward through the graph a second time"
            )

    def _free(self) -> None:
        for s in self._saved:
            if s is not None:
                s.free()
        self._freed = True


def _role(t: Tensor | None, inputs: list[Tensor], out: Tensor) -> int | None:
    """A saved tensor's place in a Function's graph: the index of the tensor input it is, -1
    for the output, None for anything else (made inside forward: no history)."""
    for i, a in enumerate(inputs):
        if t is a:
            return i
    return -1 if t is out else None


class Function:
    """A user-defined differentiable operation::

    class MyReLU(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.clamp(min=0)

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * (x > 0).float()

    y = MyReLU.apply(x)
    """

    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any) -> Tensor:
        """Computes the output from the inputs (gradients are not recorded inside)."""
        raise NotImplementedError("[Function] subclasses must implement a static forward(ctx, ...)")

    @staticmethod
    def backward(ctx: FunctionCtx, *grads: Tensor) -> Any:
        """Returns the gradient of each forward input (None where there is none)."""
        raise NotImplementedError(
            "[Function] subclasses must implement a static backward(ctx, grad)"
        )

    @classmethod
    def apply(cls, *args: Any) -> Tensor:
        """Runs forward and records a node whose backward is this class's ``backward``."""
        if _core._capture_active():
            raise RuntimeError(
                f"[compile] the autograd.Function {cls.__name__} cannot be captured: its "
                "backward is Python, which replay does not run; call the step uncompiled"
            )
        needs = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        ctx = FunctionCtx(needs, cls.__name__ + "Backward")
        with no_grad():
            out: object = cls.forward(ctx, *args)
            if not isinstance(out, Tensor):
                got = type(out).__name__
                raise TypeError(f"[{cls.__name__}] forward must return a single tensor, got {got}")
            if any(out is a for a in args):
                out = out.view_as(out)  # a new tensor: never rewrite an input's history
        tensor_args = [a for a in args if isinstance(a, Tensor)]
        ctx._roles = [_role(t, tensor_args, out) for t in ctx._saved_objs]
        ctx._saved_objs = ()
        _core._record_function(cls.__name__ + "Backward", ctx, cls.backward, args, out)
        return out


class GradcheckError(RuntimeError):
    """Raised by gradcheck when analytical and numerical gradients differ."""


def _as_tuple(x: Any) -> tuple[Any, ...]:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def gradcheck(
    fn: Callable[..., Any],
    inputs: Tensor | Sequence[Any],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Compares the gradients autograd computes for `fn` at `inputs` with central differences.

    Inputs that require grad must be float64. Returns True, or raises GradcheckError (returns
    False when raise_exception=False) naming the output, the input and both Jacobians.
    """
    args = _as_tuple(inputs)
    diff = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad]
    for i in diff:
        if args[i].dtype != _core.float64:
            raise ValueError(f"[gradcheck] input {i} must be float64, got {args[i].dtype}")

    def outputs() -> list[Tensor]:
        return [o for o in _as_tuple(fn(*args)) if isinstance(o, Tensor)]

    outs = outputs()
    for oi, out in enumerate(outs):
        n_out = out.numel()
        for i in diff:
            x = args[i]
            analytical = np.zeros((x.numel(), n_out))
            for j in range(n_out):
                seed = _core.zeros(out.shape, dtype=out.dtype)
                seed.view(-1)[j] = 1.0
                g = (
                    grad(out, x, seed, retain_graph=True, allow_unused=True)[0]
                    if out.requires_grad
                    else None  # a constant output: a zero Jacobian
                )
                if g is not None:
                    analytical[:, j] = g.detach().numpy().reshape(-1)
            numerical = np.zeros_like(analytical)
            xv = x.detach().numpy()  # shares memory with x
            for k, idx in enumerate(np.ndindex(*xv.shape)):
                orig = xv[idx]
                with no_grad():
                    xv[idx] = orig + eps
                    plus = outputs()[oi].detach().numpy().reshape(-1).astype(np.float64)
                    xv[idx] = orig - eps
                    minus = outputs()[oi].detach().numpy().reshape(-1).astype(np.float64)
                    xv[idx] = orig
                numerical[k, :] = (plus - minus) / (2 * eps)
            if not np.allclose(analytical, numerical, rtol=rtol, atol=atol):
                msg = (
                    f"[gradcheck] Jacobian mismatch for output {oi} with respect to input {i}:\n"
                    f"numerical: {numerical}\nanalytical: {analytical}"
                )
                if raise_exception:
                    raise GradcheckError(msg)
                return False
    return True


def gradgradcheck(
    func: Callable[..., Any],
    inputs: Tensor | Sequence[Any],
    grad_outputs: Tensor | Sequence[Tensor] | None = None,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Checks second derivatives: gradcheck of the gradients of `func` along grad_outputs
    (random when not given), which autograd computes with create_graph=True."""
    args = _as_tuple(inputs)

    def differentiable(xs: Sequence[Any]) -> list[Tensor]:
        return [o for o in xs if isinstance(o, Tensor) and o.requires_grad]

    if grad_outputs is None:
        rng = np.random.default_rng(0)
        outs = differentiable(_as_tuple(func(*args)))
        gos = tuple(_core.from_numpy(rng.standard_normal(tuple(o.shape))).to(o.dtype) for o in outs)
    else:
        gos = _as_tuple(grad_outputs)

    def gradients(*a: Any) -> tuple[Tensor, ...]:
        with enable_grad():  # gradcheck evaluates its finite differences under no_grad
            outs = differentiable(_as_tuple(func(*a)))
            gs = grad(outs, differentiable(a), list(gos), create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(gradients, args, eps, atol, rtol, raise_exception)


def once_differentiable(fn: F) -> F:
    """Marks a Function's backward as not differentiable itself (it may use NumPy): it runs
    without recording, and a create_graph=True pass through it raises when a second backward
    reaches its result, as PyTorch's."""

    @functools.wraps(fn)
    def wrapper(ctx: Any, *args: Any) -> Any:
        with no_grad():
            return fn(ctx, *args)

    wrapper._once_differentiable = True  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


# torch.autograd.function: Function, FunctionCtx and once_differentiable.
function = types.ModuleType(__name__ + ".function")
function.Function = Function  # type: ignore[attr-defined]
function.FunctionCtx = FunctionCtx  # type: ignore[attr-defined]
function.once_differentiable = once_differentiable  # type: ignore[attr-defined]
sys.modules[function.__name__] = function

# torch.autograd.functional (vjp, jacobian), also importable as pyautograd.autograd.functional.
from . import _autograd_functional as functional  # noqa: E402

sys.modules[__name__ + ".functional"] = functional

# torch.autograd.profiler: the legacy profile (records record_function ranges; profiler.py).
from . import profiler as _profiler  # noqa: E402

profiler = types.ModuleType(__name__ + ".profiler")
profiler.profile = _profiler._AutogradProfile  # type: ignore[attr-defined]
profiler.record_function = _profiler.record_function  # type: ignore[attr-defined]
profiler.emit_nvtx = _profiler._Nothing  # type: ignore[attr-defined]
profiler.emit_itt = _profiler._Nothing  # type: ignore[attr-defined]
profiler.EventList = _profiler.EventList  # type: ignore[attr-defined]
profiler.FunctionEvent = _profiler.FunctionEvent  # type: ignore[attr-defined]
profiler.FunctionEventAvg = _profiler.FunctionEventAvg  # type: ignore[attr-defined]
sys.modules[profiler.__name__] = profiler

# torch.autograd.graph: saved-tensor hooks, register_multi_grad_hook, Node.
from . import _autograd_graph as graph  # noqa: E402

sys.modules[__name__ + ".graph"] = graph
