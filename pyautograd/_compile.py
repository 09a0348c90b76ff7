"""``pyautograd.compile``: capture a whole training step once, replay it from C++ (issue 14).

The first call runs the function eagerly. The second records the C++ kernel calls it makes (the
kernel waist, cpp/capture/) into a tape: forward, ``backward()``, the parameter updates. Later
calls check the guards and replay the tape in one C++ call without the GIL, running no Python.

What replay relies on, and how each is guarded (a failed guard re-captures; nothing is replayed
stale):

- tensor arguments that do not require grad: rebound by pointer at each call; their dtype,
  shape, strides and aliasing are guarded (in C++);
- tensors the function reaches otherwise (globals and closure cells its code names, functions it
  calls, modules, optimizers, containers, arguments that require grad): bound by storage;
  guarded on storage, shape, strides, dtype, ``requires_grad`` and ``.grad`` presence (in C++),
  and on identity (rebinding a name re-captures);
- Python numbers, strings and flags found the same way (a global ``lr``, an optimizer's
  ``param_groups``, a module's ``training``): guarded by value;
- grad mode.

What cannot be replayed raises at capture, naming the op: reading a tensor's value into Python
(``.item()``, ``bool()``, ``.numpy()``, ``.tolist()``, printing), data-dependent shapes
(``masked_select``, ``nonzero``), random ops, Python ``autograd.Function``s and hooks, and ops
whose loops are not behind the waist yet. ``PYAUTOGRAD_COMPILE=0`` runs everything eagerly.

Returned tensors are fresh copies made by each replay (so an earlier call's result keeps its
values); they carry no autograd graph. Python side effects of the function (prints, counters,
appends) happen at its eager and capture calls only.
"""

from __future__ import annotations

import functools
import os
import types
from collections.abc import Callable
from typing import Any

import numpy as np

from . import _core
from ._core import Tensor

__all__ = ["CompiledStep", "compile_step"]

_MAX_DEPTH = 6
_MAX_ITEMS = 4096
_NUMBERS = (bool, int, float, complex, str, bytes, type(None))


def _skip_function(f: Any) -> bool:
    mod = getattr(f, "__module__", None) or ""
    return mod == "pyautograd" or mod.startswith("pyautograd.")


class _Walk:
    """One walk over what a function reaches: a key (identities of objects, values of numbers)
    and the tensors found (the candidates bound by storage)."""

    __slots__ = ("_nn", "_optim", "_seen", "key", "refs", "tensors")

    def __init__(self) -> None:
        self.key: list[Any] = []
        self.tensors: list[Tensor] = []
        # every object whose id is in the key, kept alive so that no id is reused while an
        # entry holds this key
        self.refs: list[Any] = []
        self._seen: set[int] = set()
        from . import nn, optim

        self._nn = nn.Module
        self._optim = optim.Optimizer

    def tensor(self, t: Tensor) -> None:
        self.key.append(id(t))
        if id(t) not in self._seen:
            self._seen.add(id(t))
            self.tensors.append(t)
            self.refs.append(t)

    def value(self, v: Any, depth: int) -> None:
        if isinstance(v, _NUMBERS):
            self.key.append((type(v), v))
            return
        if isinstance(v, Tensor):
            self.tensor(v)
            return
        if isinstance(v, np.generic):
            self.key.append((type(v), v.item()))
            return
        key = id(v)
        self.key.append(key)
        if key in self._seen or depth > _MAX_DEPTH:
            return
        self._seen.add(key)
        self.refs.append(v)
        if isinstance(v, (types.ModuleType, type, types.BuiltinFunctionType)):
            return
        if isinstance(v, types.FunctionType):
            if not _skip_function(v):
                self.function(v, depth + 1)
            return
        if isinstance(v, types.MethodType):
            self.value(v.__self__, depth + 1)
            self.value(v.__func__, depth + 1)
            return
        if isinstance(v, functools.partial):
            self.value(v.func, depth + 1)
            self.value(v.args, depth + 1)
            self.value(v.keywords, depth + 1)
            return
        if isinstance(v, (list, tuple)):
            self.key.append(len(v))
            for x in v[:_MAX_ITEMS]:
                self.value(x, depth + 1)
            return
        if isinstance(v, dict):
            self.key.append(len(v))
            for i, (k, x) in enumerate(v.items()):
                if i >= _MAX_ITEMS:
                    break
                self.value(k, depth + 1)
                self.value(x, depth + 1)
            return
        if isinstance(v, self._optim):
            self.optimizer(v, depth)
            return
        if isinstance(v, self._nn):
            self.module(v, depth)
            return
        d = getattr(v, "__dict__", None)
        if isinstance(d, dict) and not _skip_function(type(v)):
            self.value(d, depth + 1)

    def module(self, m: Any, depth: int) -> None:
        for sub in m.modules():
            self.key.append(id(sub))
            self.refs.append(sub)
            for name, x in vars(sub).items():
                if name in ("_parameters", "_buffers"):
                    for p in x.values():
                        if p is None:
                            self.key.append(None)
                        else:
                            self.tensor(p)
                elif name == "_modules" or name.endswith("hooks") or name.startswith("__"):
                    continue
                elif isinstance(x, _NUMBERS):
                    self.key.append((name, type(x), x))
                elif isinstance(x, Tensor):
                    self.tensor(x)
            if sub is not m:
                self._seen.add(id(sub))

    def optimizer(self, o: Any, depth: int) -> None:
        for g in o.param_groups:
            for k, x in g.items():
                if k == "params":
                    for p in x:
                        self.tensor(p)
                else:
                    self.key.append(k)
                    self.value(x, depth + 1)
        for p, s in o.state.items():
            self.key.append(id(p))
            self.value(s, depth + 1)
        self.key.append(len(o._step_pre_hooks) + len(o._step_post_hooks))

    def function(self, f: types.FunctionType, depth: int) -> None:
        code = f.__code__
        g = f.__globals__
        for name in _global_names(code):
            if name in g:
                self.key.append(name)
                self.value(g[name], depth)
        if f.__closure__:
            for cell in f.__closure__:
                try:
                    x = cell.cell_contents
                except ValueError:  # an empty cell
                    self.key.append(None)
                    continue
                self.value(x, depth)
        if f.__defaults__:
            self.value(f.__defaults__, depth)
        if f.__kwdefaults__:
            self.value(f.__kwdefaults__, depth)


@functools.lru_cache(maxsize=1024)
def _global_names(code: types.CodeType) -> tuple[str, ...]:
    names: list[str] = list(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            names.extend(_global_names(c))
    return tuple(dict.fromkeys(names))


def _flatten_args(args: tuple[Any, ...], kwargs: dict[str, Any], walk: _Walk) -> list[Tensor]:
    """The rebound tensor arguments (those that do not require grad); everything else goes to
    the walk (tensors that require grad are bound like parameters)."""
    rebound: list[Tensor] = []

    def visit(v: Any, depth: int) -> None:
        if isinstance(v, Tensor):
            if v.requires_grad:
                if v.grad_fn is not None:
                    raise RuntimeError(
                        "[compile] a tensor argument has a grad_fn (it is part of a graph "
                        "built outside the step); detach it or build it inside the step"
                    )
                walk.tensor(v)
            else:
                walk.key.append("arg")
                rebound.append(v)
        elif depth < 2 and isinstance(v, (list, tuple)):
            walk.key.append((type(v), len(v)))
            for x in v:
                visit(x, depth + 1)
        elif depth < 2 and isinstance(v, dict):
            walk.key.append((dict, tuple(v)))
            for x in v.values():
                visit(x, depth + 1)
        else:
            walk.value(v, 1)

    for a in args:
        visit(a, 0)
    for k in sorted(kwargs):
        walk.key.append(k)
        visit(kwargs[k], 0)
    return rebound


def _flatten_out(out: Any, tensors: list[Tensor]) -> Any:
    """The structure of the function's result, with its tensors appended to `tensors`."""
    if isinstance(out, Tensor):
        tensors.append(out)
        return len(tensors) - 1
    if out is None:
        return None
    if isinstance(out, (tuple, list)):
        return (type(out), [_flatten_out(x, tensors) for x in out])
    if isinstance(out, dict):
        return (dict, {k: _flatten_out(x, tensors) for k, x in out.items()})
    raise RuntimeError(
        f"[compile] the step returns a {type(out).__name__}: a replayed step can return only "
        "tensors, None, and tuples, lists or dicts of them (a number computed in Python would "
        "be stale; return the tensor and call .item() outside)"
    )


def _unflatten(spec: Any, tensors: list[Tensor]) -> Any:
    if spec is None:
        return None
    if isinstance(spec, int):
        return tensors[spec]
    kind, items = spec
    if kind is dict:
        return {k: _unflatten(x, tensors) for k, x in items.items()}
    return kind(_unflatten(x, tensors) for x in items)


class _Entry:
    __slots__ = ("key", "refs", "spec", "tape")

    def __init__(self, walk: _Walk, tape: Any, spec: Any) -> None:
        self.key = walk.key
        self.refs = walk.refs
        self.tape = tape
        self.spec = spec


class CompiledStep:
    """A function compiled by :func:`pyautograd.compile`: call it as the function.

    ``stats()`` reports captures, replays, guard failures (with their reasons) and the tape's
    size; ``dump()`` prints the tape of the latest capture."""

    max_captures = 8  # then the function runs eagerly (stats() says why)

    def __init__(self, fn: Callable[..., Any], *, exact: bool = False) -> None:
        self._fn = fn
        self.exact = exact
        self._entries: list[_Entry] = []
        self._calls = 0
        self._captures = 0
        self._replays = 0
        self._eager_calls = 0
        self._failures: list[str] = []
        self._eager_reason: str | None = None
        self._enabled = os.environ.get("PYAUTOGRAD_COMPILE", "1") != "0"
        if isinstance(fn, types.FunctionType):
            functools.update_wrapper(self, fn)

    def __getattr__(self, name: str) -> Any:  # a compiled module still looks like the module
        fn = self.__dict__.get("_fn")
        if fn is None:
            raise AttributeError(name)
        return getattr(fn, name)

    def _walk(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[_Walk, list[Tensor]]:
        w = _Walk()
        fn = self._fn
        rebound = _flatten_args(args, kwargs, w)
        w.key.append("|")
        if isinstance(fn, types.FunctionType):
            w.function(fn, 1)
        else:
            w.value(fn, 0)
            cls = type(fn)
            call = getattr(cls, "forward", None) or vars(cls).get("__call__")
            if isinstance(call, types.FunctionType) and not _skip_function(call):
                w.function(call, 1)
        return w, rebound

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not self._enabled or self._eager_reason is not None or _core._capture_active():
            self._eager_calls += 1
            return self._fn(*args, **kwargs)
        self._calls += 1
        if self._calls == 1:
            self._eager_calls += 1
            return self._fn(*args, **kwargs)
        walk, rebound = self._walk(args, kwargs)
        key = walk.key
        for i, e in enumerate(self._entries):
            if e.key != key:
                continue
            res = e.tape.run(rebound)
            if isinstance(res, str):
                self._failures.append(res)
                continue
            if i:
                self._entries.insert(0, self._entries.pop(i))
            self._replays += 1
            return _unflatten(e.spec, res)
        if self._entries:
            if not any(e.key == key for e in self._entries):
                self._failures.append(
                    "a Python value, a bound object or the arguments' structure changed"
                )
        if self._captures >= self.max_captures:
            self._eager_reason = (
                f"{self._captures} captures: the guards keep failing (last: "
                f"{self._failures[-1] if self._failures else '?'}); running eagerly"
            )
            self._eager_calls += 1
            return self._fn(*args, **kwargs)
        return self._capture(walk, rebound, args, kwargs)

    def _capture(
        self, walk: _Walk, rebound: list[Tensor], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        _core._capture_begin(rebound, walk.tensors)
        try:
            out = self._fn(*args, **kwargs)
            outs: list[Tensor] = []
            spec = _flatten_out(out, outs)
        except BaseException:
            _core._capture_abort()
            raise
        tape = _core._capture_end(outs)
        self._captures += 1
        if any(t.requires_grad for t in outs) and tape.stats()["backward_passes"] == 0:
            # a forward whose graph the caller differentiates (torch.compile(model)): the graph
            # cannot be replayed, so this function runs eagerly
            self._eager_reason = (
                "the step returns tensors that require grad and runs no backward: its autograd "
                "graph cannot be replayed; running eagerly"
            )
            return out
        self._entries.insert(0, _Entry(walk, tape, spec))
        del self._entries[self.max_captures :]
        return _unflatten(spec, tape.outputs_of_capture(outs))

    def stats(self) -> dict[str, Any]:
        """Counts: calls, eager calls, captures, replays, guard failures (the reasons, oldest
        first), the latest tape's records / planned buffers and bytes / bound tensors, and why
        the function runs eagerly (None when it does not)."""
        d: dict[str, Any] = {
            "calls": self._calls + (self._eager_calls if not self._enabled else 0),
            "eager_calls": self._eager_calls,
            "captures": self._captures,
            "replays": self._replays,
            "guard_failures": list(self._failures),
            "eager_reason": self._eager_reason
            if self._enabled
            else "PYAUTOGRAD_COMPILE=0: running eagerly",
            "exact": self.exact,
        }
        if self._entries:
            d.update(self._entries[0].tape.stats())
        return d

    def dump(self) -> str:
        """The tape of the latest capture, one kernel call a line ('' before any capture)."""
        return self._entries[0].tape.dump() if self._entries else ""


def compile_step(fn: Callable[..., Any], *, exact: bool = False) -> CompiledStep:
    """Wraps fn in a :class:`CompiledStep` (``exact=True``: no fusion that changes rounding)."""
    return CompiledStep(fn, exact=exact)
