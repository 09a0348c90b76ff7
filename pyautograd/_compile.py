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
  ``param_groups``, a module's ``training``): guarded by value; except the ``lr`` of a
  pyautograd optimizer's group, patched into the fused update at each replay (a schedule does
  not re-capture) unless the program itself reads ``param_groups``;
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

import dis
import functools
import os
import types
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _complex, _core
from ._core import Tensor

__all__ = ["CompiledStep", "compile_step"]

_MAX_DEPTH = 6
_MAX_ITEMS = 4096
_NUMBERS = (bool, int, float, complex, str, bytes, type(None))


def _skip_function(f: Any) -> bool:
    mod = getattr(f, "__module__", None) or ""
    return mod == "pyautograd" or mod.startswith("pyautograd.")


_MISSING = object()
# the checks of a guard program: (op, container, key, expected), evaluated in C++
# (_core._guard_program, cpp/bindings/capture.cpp: the same op numbers)
(
    _DICT_IS,
    _DICT_EQ,
    _SEQ_IS,
    _SEQ_EQ,
    _LEN,
    _CELL_IS,
    _CELL_EQ,
    _CELL_EMPTY,
    _ATTR_IS,
    _DICT_FLOAT,
) = range(10)


def _is_value(v: Any) -> bool:
    return isinstance(v, _NUMBERS) or isinstance(v, np.generic)


class _Walk:
    """One walk over what a function reaches (globals and closure cells its code names, the
    functions it calls, containers, modules, optimizers and other objects' attributes, up to a
    depth): the tensors found (bound by storage) and a guard program, one check per edge
    followed (the same object by identity, the same number by value, the same length), which
    holds exactly when a new walk would find the same objects and values."""

    __slots__ = ("_seen", "checks", "optimizers", "reads_groups", "tensors")

    def __init__(self) -> None:
        self.checks: list[tuple[int, Any, Any, Any]] = []
        self.tensors: list[Tensor] = []
        self._seen: set[int] = set()
        self.optimizers: list[Any] = []  # pyautograd's own optimizers reached
        self.reads_groups = False  # a function of the user's names param_groups

    def tensor(self, t: Tensor) -> None:
        if id(t) not in self._seen:
            self._seen.add(id(t))
            self.tensors.append(t)

    def dict_edge(self, d: Any, k: Any, v: Any, depth: int) -> None:
        if _is_value(v):
            self.checks.append((_DICT_EQ, d, k, v))
        else:
            self.checks.append((_DICT_IS, d, k, v))
            self.value(v, depth)

    def seq_edge(self, s: Any, i: int, v: Any, depth: int) -> None:
        if _is_value(v):
            self.checks.append((_SEQ_EQ, s, i, v))
        else:
            self.checks.append((_SEQ_IS, s, i, v))
            self.value(v, depth)

    def cell(self, cell: Any, depth: int) -> None:
        try:
            v = cell.cell_contents
        except ValueError:  # an empty cell
            self.checks.append((_CELL_EMPTY, cell, None, None))
            return
        if _is_value(v):
            self.checks.append((_CELL_EQ, cell, None, v))
        else:
            self.checks.append((_CELL_IS, cell, None, v))
            self.value(v, depth)

    def mapping(self, d: dict[Any, Any], depth: int) -> None:
        self.checks.append((_LEN, d, None, len(d)))
        for i, (k, x) in enumerate(d.items()):
            if i >= _MAX_ITEMS:
                break
            self.dict_edge(d, k, x, depth + 1)

    def sequence(self, s: Any, depth: int) -> None:
        self.checks.append((_LEN, s, None, len(s)))
        for i, x in enumerate(s[:_MAX_ITEMS]):
            self.seq_edge(s, i, x, depth + 1)

    def value(self, v: Any, depth: int) -> None:
        """Descends into v (the edge that reached it is already checked)."""
        if isinstance(v, Tensor):
            self.tensor(v)
            return
        if _is_value(v) or id(v) in self._seen or depth > _MAX_DEPTH:
            return
        self._seen.add(id(v))
        if isinstance(v, (types.ModuleType, type, types.BuiltinFunctionType, CompiledStep)):
            return  # (a compiled function's own state changes at every call)
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
            self.sequence(v.args, depth + 1)
            self.mapping(v.keywords, depth + 1)
            return
        if isinstance(v, (list, tuple)):
            self.sequence(v, depth)
            return
        if isinstance(v, dict):
            self.mapping(v, depth)
            return
        if _skip_function(type(v)) and type(v).__module__.startswith("pyautograd.optim"):
            from .optim import Optimizer

            if isinstance(v, Optimizer):
                self.optimizers.append(v)
        for cls in type(v).__mro__:  # the methods of the user's classes (a forward's globals)
            if cls.__module__ == "builtins" or _skip_function(cls):
                continue
            for attr in list(vars(cls).values()):
                if isinstance(attr, types.FunctionType):
                    self.value(attr, depth + 1)
        d = getattr(v, "__dict__", None)
        if isinstance(d, dict):  # modules, optimizers and other objects: their attributes
            self.checks.append((_ATTR_IS, v, "__dict__", d))
            self.mapping(d, depth)

    def function(self, f: types.FunctionType, depth: int) -> None:
        g = f.__globals__
        if "param_groups" in _all_names(f.__code__):
            self.reads_groups = True
        for name in _global_names(f.__code__):
            if name in g:
                self.dict_edge(g, name, g[name], depth)
        self.checks.append((_ATTR_IS, f, "__code__", f.__code__))
        if f.__closure__:
            for cell in f.__closure__:
                self.cell(cell, depth)
        for attr in ("__defaults__", "__kwdefaults__"):
            x = getattr(f, attr)
            self.checks.append((_ATTR_IS, f, attr, x))
            if x:
                self.value(x, depth)


@functools.lru_cache(maxsize=1024)
def _global_names(code: types.CodeType) -> tuple[str, ...]:
    """The names code (and the code nested in it) loads as globals."""
    names = [
        str(i.argval)
        for i in dis.get_instructions(code)
        if i.opname in ("LOAD_GLOBAL", "LOAD_NAME")
    ]
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            names.extend(_global_names(c))
    return tuple(dict.fromkeys(names))


@functools.lru_cache(maxsize=1024)
def _all_names(code: types.CodeType) -> frozenset[str]:
    """Every name code uses (globals and attributes), nested code included."""
    names = set(code.co_names)
    for c in code.co_consts:
        if isinstance(c, types.CodeType):
            names |= _all_names(c)
    return frozenset(names)


def _flatten_args(
    args: tuple[Any, ...], kwargs: dict[str, Any], walk: _Walk | None
) -> tuple[list[Tensor], list[Any]]:
    """The rebound tensor arguments (those that do not require grad) and a key of the rest:
    the structure, numbers by value, other objects by identity (tensors that require grad are
    bound like parameters). At capture (walk given) the objects are walked too."""
    rebound: list[Tensor] = []
    key: list[Any] = []

    def visit(v: Any, depth: int) -> None:
        if isinstance(v, Tensor):
            if v.requires_grad:
                if v.grad_fn is not None:
                    raise RuntimeError(
                        "[compile] a tensor argument has a grad_fn (it is part of a graph "
                        "built outside the step); detach it or build it inside the step"
                    )
                key.append(v)
                if walk is not None:
                    walk.tensor(v)
            else:
                key.append(None)
                rebound.append(v)
        elif depth < 2 and isinstance(v, (list, tuple)):
            key.append((type(v), len(v)))
            for x in v:
                visit(x, depth + 1)
        elif depth < 2 and isinstance(v, dict):
            key.append((dict, tuple(v)))
            for x in v.values():
                visit(x, depth + 1)
        elif _is_value(v):
            key.append((type(v), v))
        else:
            key.append(v)
            if walk is not None:
                walk.value(v, 1)

    for a in args:
        visit(a, 0)
    for k in sorted(kwargs):
        key.append(k)
        visit(kwargs[k], 0)
    return rebound, key


def _same_key(a: list[Any], b: list[Any]) -> bool:
    if len(a) != len(b):
        return False
    for x, y in zip(a, b, strict=True):
        if isinstance(x, tuple) or isinstance(y, tuple):
            if x.__class__ is not y.__class__ or x != y:
                return False
        elif x is not y:
            return False
    return True


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
    __slots__ = ("checks", "key", "lrs", "program", "simple", "spec", "tape")

    def __init__(self, key: list[Any], walk: _Walk, tape: Any, spec: Any) -> None:
        self.key = key  # the arguments' key (it holds the objects whose identity it checks)
        # the number of arguments when they are all plain tensors not requiring grad, else -1
        self.simple = len(key) if all(k is None for k in key) else -1
        self.checks = walk.checks  # the guard program of what the function reaches
        self.tape = tape
        self.spec = spec
        # (call index, param group): optimizer steps whose lr is read from the group at each
        # replay, so that a learning-rate schedule does not re-capture
        self.lrs: list[tuple[int, dict[str, Any]]] = _lr_patches(walk, tape)
        patched = {id(g) for _, g in self.lrs}
        self.checks = [
            (_DICT_FLOAT, c[1], c[2], None)
            if c[0] == _DICT_EQ and c[2] == "lr" and id(c[1]) in patched
            else c
            for c in walk.checks
        ]
        self.program = _core._guard_program(self.checks)


def _lr_patches(walk: _Walk, tape: Any) -> list[tuple[int, dict[str, Any]]]:
    """Matches each fused optimizer step of the tape to the one parameter group it updated
    with that group's lr (same lr, its parameters among the group's). Only pyautograd's
    optimizers, which pass group['lr'] to the kernel untouched, and only when no function of
    the user's names param_groups (which could turn the lr into other numbers)."""
    if walk.reads_groups or not walk.optimizers:
        return []
    groups = [g for o in walk.optimizers for g in o.param_groups]
    patches = []
    for index, lr, ptrs in tape.optim_calls():
        match = [
            g
            for g in groups
            if g.get("lr").__class__ is float
            and g["lr"] == lr
            and set(ptrs) <= {p.data_ptr() for p in g["params"]}
        ]
        if len(match) != 1:
            return []  # ambiguous: every lr stays guarded by value
        patches.append((index, match[0]))
    return patches


if TYPE_CHECKING:
    _CompiledBase = _core._CompiledBase
else:
    _CompiledBase = _core._compiled_base()


class CompiledStep(_CompiledBase):
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
        # the fast path (C++) of the latest tape when its arguments are positional tensors:
        # (replayer, single output, output structure), or None
        self._fast: tuple[Any, bool, Any] | None = None
        if isinstance(fn, types.FunctionType):
            functools.update_wrapper(self, fn)

    def __getattr__(self, name: str) -> Any:  # a compiled module still looks like the module
        fn = self.__dict__.get("_fn")
        if fn is None:
            raise AttributeError(name)
        return getattr(fn, name)

    def _walk(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> _Walk:
        w = _Walk()
        _flatten_args(args, kwargs, w)
        fn = self._fn
        if isinstance(fn, types.FunctionType):
            w.function(fn, 1)
        else:
            w.value(fn, 0)
            cls = type(fn)
            call = getattr(cls, "forward", None) or vars(cls).get("__call__")
            if isinstance(call, types.FunctionType) and not _skip_function(call):
                w.function(call, 1)
        return w

    # A call runs _CompiledBase's call slot (C++): the fast path of the latest tape when the
    # arguments are positional tensors and every guard holds, else _call.

    def _set_fast(self, e: _Entry | None) -> None:
        """Points the fast path at entry e (None: no fast path); counts the old one's calls."""
        if self._fast is not None:
            hits = self._fast[0].hits
            self._calls += hits
            self._replays += hits
        self._fast = None
        self._fast_replay = None
        if e is not None and e.simple >= 0 and self._eager_reason is None:
            single = e.spec == 0
            fast = _core._fast_replay(e.tape, e.program, e.lrs, e.simple, single)
            self._fast = (fast, single, e.spec)
            self._fast_replay = fast

    def _unflatten_fast(self, res: list[Tensor]) -> Any:
        """The fast path's outputs in the structure the function returned."""
        assert self._fast is not None
        return _unflatten(self._fast[2], res)

    def _call(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if not self._enabled or self._eager_reason is not None or _core._capture_active():
            self._eager_calls += 1
            return self._fn(*args, **kwargs)
        self._calls += 1
        if self._calls == 1:
            self._eager_calls += 1
            return self._fn(*args, **kwargs)
        simple = not kwargs  # the fast path: positional plain tensors not requiring grad
        if simple:
            for a in args:
                if a.__class__ is not Tensor or a.requires_grad:
                    simple = False
                    break
        if simple:
            rebound, key, nargs = list(args), None, len(args)
        else:
            rebound, key = _flatten_args(args, kwargs, None)
        why = "the arguments' structure, numbers or objects changed"
        for i, e in enumerate(self._entries):
            if simple:
                if e.simple != nargs:
                    continue
            elif key is None or not _same_key(e.key, key):
                continue
            if not e.program.holds():
                why = "a Python value or object the function reaches changed"
                continue
            res = (
                e.tape.run(rebound, [(c, g["lr"]) for c, g in e.lrs])
                if e.lrs
                else e.tape.run(rebound)
            )
            if isinstance(res, str):
                why = res
                continue
            if i:
                self._entries.insert(0, self._entries.pop(i))
            self._replays += 1
            if self._fast is None or i:
                self._set_fast(e)
            return _unflatten(e.spec, res)
        if self._entries:
            self._failures.append(why)
        if self._captures >= self.max_captures:
            self._set_fast(None)
            self._eager_reason = (
                f"{self._captures} captures: the guards keep failing (last: "
                f"{self._failures[-1] if self._failures else '?'}); running eagerly"
            )
            self._eager_calls += 1
            return self._fn(*args, **kwargs)
        return self._capture([None] * len(args) if key is None else key, rebound, args, kwargs)

    def _capture(
        self, key: list[Any], rebound: list[Tensor], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        walk = self._walk(args, kwargs)
        # the library's own constants (torch.fft's DFT matrices) are bound like globals
        _core._capture_begin(rebound, walk.tensors + _complex.constant_tensors())
        try:
            out = self._fn(*args, **kwargs)
            outs: list[Tensor] = []
            spec = _flatten_out(out, outs)
        except BaseException:
            _core._capture_abort()
            raise
        tape = _core._capture_end(outs, self.exact)
        self._captures += 1
        if any(t.requires_grad for t in outs) and tape.stats()["backward_passes"] == 0:
            # a forward whose graph the caller differentiates (torch.compile(model)): the graph
            # cannot be replayed, so this function runs eagerly
            self._set_fast(None)
            self._eager_reason = (
                "the step returns tensors that require grad and runs no backward: its autograd "
                "graph cannot be replayed; running eagerly"
            )
            return out
        self._entries.insert(0, _Entry(key, walk, tape, spec))
        del self._entries[self.max_captures :]
        self._set_fast(self._entries[0])
        return _unflatten(spec, tape.outputs_of_capture(outs))

    def stats(self) -> dict[str, Any]:
        """Counts: calls, eager calls, captures, replays, guard failures (the reasons, oldest
        first), the latest tape's records / planned buffers and bytes / bound tensors, and why
        the function runs eagerly (None when it does not)."""
        hits = self._fast[0].hits if self._fast is not None else 0
        d: dict[str, Any] = {
            "calls": self._calls + hits + (self._eager_calls if not self._enabled else 0),
            "eager_calls": self._eager_calls,
            "captures": self._captures,
            "replays": self._replays + hits,
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
