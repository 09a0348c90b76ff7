"""``functional_call``: a module's forward run with other tensors in place of its parameters
and buffers (``torch.func.functional_call``; ``torch.nn.utils.stateless``). The module is left
as it was afterwards, whatever the forward raised."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..._core import Tensor
from ..modules.module import Module

__all__ = ["functional_call"]


def _owner(module: Module, name: str) -> tuple[Module, str]:
    *path, leaf = name.split(".")
    mod = module
    for part in path:
        sub = mod._modules.get(part)
        if sub is None:
            raise AttributeError(f"{type(mod).__name__} has no submodule '{part}' (in '{name}')")
        mod = sub
    return mod, leaf


def functional_call(
    module: Module,
    parameter_and_buffer_dicts: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    args: Any = None,
    kwargs: dict[str, Any] | None = None,
    *,
    tie_weights: bool = True,
    strict: bool = False,
) -> Any:
    """module(*args, **kwargs) with the tensors of parameter_and_buffer_dicts (keys as in
    named_parameters/named_buffers; a dict or a sequence of dicts) in place of the module's
    own. Unnamed ones stay the module's (strict=True: every one must be given, no other);
    with tie_weights, a tensor given for one name of a tied (shared) parameter stands for all.
    Gradients flow to the given tensors."""
    if not isinstance(module, Module):
        raise TypeError(f"functional_call: expected an nn.Module, got {type(module).__name__}")
    dicts = (
        [parameter_and_buffer_dicts]
        if isinstance(parameter_and_buffer_dicts, Mapping)
        else list(parameter_and_buffer_dicts)
    )
    given: dict[str, Any] = {}
    for d in dicts:
        for k, v in d.items():
            if k in given:
                raise ValueError(
                    f"{k} appeared in multiple dictionaries; behavior of functional call is "
                    "ambiguous"
                )
            given[k] = v
    all_names: dict[str, Tensor | None] = {}
    for n, p in module.named_parameters(remove_duplicate=False):
        all_names[n] = p
    for n, b in module.named_buffers(remove_duplicate=False):
        all_names[n] = b
    if tie_weights:  # a tensor given under one name of a shared parameter stands for all
        by_id: dict[int, list[str]] = {}
        for n, t in all_names.items():
            if t is not None:
                by_id.setdefault(id(t), []).append(n)
        for names in by_id.values():
            chosen = [n for n in names if n in given]
            if len(chosen) > 1 and any(given[n] is not given[chosen[0]] for n in chosen):
                raise ValueError(
                    f"functional_call got multiple values for keys {chosen}, which are tied. "
                    "Consider using tie_weights=False"
                )
            if chosen:
                for n in names:
                    given.setdefault(n, given[chosen[0]])
    if strict:
        missing = sorted(set(all_names) - set(given))
        unexpected = sorted(set(given) - set(all_names))
        if missing or unexpected:
            raise RuntimeError(
                "Error(s) in reparametrizing for " + type(module).__name__ + ":\n\t"
                f"Unexpected key(s): {', '.join(map(repr, unexpected))}.\n\t"
                f"Missing key(s): {', '.join(map(repr, missing))}."
            )
    saved: list[tuple[dict[str, Any], str, Any, bool]] = []
    try:
        for name, value in given.items():
            mod, leaf = _owner(module, name)
            if leaf in mod._parameters:
                table: dict[str, Any] = mod._parameters
            elif leaf in mod._buffers:
                table = mod._buffers
            else:
                table = mod.__dict__
            saved.append((table, leaf, table.get(leaf), leaf in table))
            table[leaf] = value
        if args is None:
            args = ()
        elif not isinstance(args, tuple):
            args = (args,)
        return module(*args, **(kwargs or {}))
    finally:
        for table, leaf, old, had in reversed(saved):
            if had:
                table[leaf] = old
            else:
                table.pop(leaf, None)
