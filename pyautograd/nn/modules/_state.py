"""state_dict / load_state_dict of nn.Module (PyTorch's semantics and error messages)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..._core import Tensor
from ...autograd import no_grad
from ..parameter import Parameter

if TYPE_CHECKING:
    from .module import Module


def save_to_state_dict(
    module: Module, destination: dict[str, Any], prefix: str, keep_vars: bool
) -> None:
    for name, p in module._parameters.items():
        if p is not None:
            destination[prefix + name] = p if keep_vars else p.detach()
    for name, b in module._buffers.items():
        if b is not None and name not in module._non_persistent_buffers_set:
            destination[prefix + name] = b if keep_vars else b.detach()


def state_dict(
    module: Module,
    args: tuple[Any, ...],
    destination: dict[str, Any] | None,
    prefix: str,
    keep_vars: bool,
) -> dict[str, Any]:
    if args:  # the deprecated positional form state_dict(destination, prefix, keep_vars)
        if len(args) > 3:
            raise TypeError(f"state_dict() takes at most 3 positional arguments, got {len(args)}")
        destination = args[0]
        if len(args) > 1:
            prefix = args[1]
        if len(args) > 2:
            keep_vars = args[2]
    if destination is None:
        # a plain OrderedDict (so that checkpoints load in PyTorch too); _metadata holds each
        # module's version, as in PyTorch
        destination = OrderedDict()
        setattr(destination, "_metadata", OrderedDict())  # noqa: B010
    metadata = getattr(destination, "_metadata", None)
    if metadata is not None:
        metadata[prefix[:-1]] = {"version": module._version}
    module._save_to_state_dict(destination, prefix, keep_vars)
    for name, child in module._modules.items():
        if child is not None:
            child.state_dict(
                destination=destination, prefix=prefix + name + ".", keep_vars=keep_vars
            )
    return destination


def load_from_state_dict(
    module: Module,
    state: Mapping[str, Any],
    prefix: str,
    local_metadata: dict[str, Any],
    strict: bool,
    missing_keys: list[str],
    unexpected_keys: list[str],
    error_msgs: list[str],
) -> None:
    persistent = {
        k: v for k, v in module._buffers.items() if k not in module._non_persistent_buffers_set
    }
    local: dict[str, Tensor] = {
        k: v for k, v in [*module._parameters.items(), *persistent.items()] if v is not None
    }
    assign = local_metadata.get("assign_to_params_buffers", False)
    for name, param in local.items():
        key = prefix + name
        if key not in state:
            if strict:
                missing_keys.append(key)
            continue
        value = state[key]
        if not isinstance(value, Tensor):
            error_msgs.append(
                f'While copying the parameter named "{key}", expected torch.Tensor or '
                f"Tensor-like object from checkpoint but received {type(value)}"
            )
            continue
        if param.dim() == 0 and value.dim() == 1 and value.shape[0] == 1:
            value = value[0]  # a 1-element tensor saved by an old version, for a 0-d parameter
        if value.shape != param.shape:
            error_msgs.append(
                f"size mismatch for {key}: copying a param with shape {value.shape} from "
                f"checkpoint, the shape in current model is {param.shape}."
            )
            continue
        try:
            if assign:
                _assign(module, name, param, value)
            else:
                with no_grad():
                    param.copy_(value)
        except Exception as ex:
            error_msgs.append(
                f'While copying the parameter named "{key}", whose dimensions in the model are '
                f"{param.shape} and whose dimensions in the checkpoint are {value.shape}, an "
                f"exception occurred : {ex.args}."
            )
    if strict:
        for key in state:
            if not key.startswith(prefix):
                continue
            head, dot, _ = key[len(prefix) :].partition(".")
            if dot:
                if head not in module._modules:
                    unexpected_keys.append(key)
            elif head not in local:
                unexpected_keys.append(key)


def _assign(module: Module, name: str, old: Tensor, value: Tensor) -> None:
    if name in module._parameters:
        if not isinstance(value, Parameter):
            value = Parameter(value, requires_grad=old.requires_grad)
        module._parameters[name] = value
    else:
        module._buffers[name] = value


def load_state_dict(
    module: Module, state: Mapping[str, Any], strict: bool, assign: bool
) -> tuple[list[str], list[str]]:
    if not isinstance(state, Mapping):
        raise TypeError(f"Expected state_dict to be dict-like, got {type(state)}.")
    missing: list[str] = []
    unexpected: list[str] = []
    errors: list[str] = []
    metadata = getattr(state, "_metadata", None)
    state = OrderedDict(state)

    def load(mod: Module, local_state: Mapping[str, Any], prefix: str) -> None:
        local_metadata = dict(metadata.get(prefix[:-1], {})) if metadata is not None else {}
        if assign:
            local_metadata["assign_to_params_buffers"] = True
        mod._load_from_state_dict(
            local_state, prefix, local_metadata, True, missing, unexpected, errors
        )
        for name, child in mod._modules.items():
            if child is not None:
                child_prefix = prefix + name + "."
                sub = {k: v for k, v in local_state.items() if k.startswith(child_prefix)}
                load(child, sub, child_prefix)
        from .module import _IncompatibleKeys

        keys = _IncompatibleKeys(missing, unexpected)
        for hook in list(mod._load_state_dict_post_hooks.values()):
            if hook(mod, keys) is not None:
                raise AssertionError(
                    "Hooks registered with ``register_load_state_dict_post_hook`` are not "
                    "expected to return new values, if incompatible_keys need to be modified, "
                    "it should be done inplace."
                )

    load(module, state, "")
    if strict:
        if unexpected:
            keys = ", ".join(f'"{k}"' for k in unexpected)
            errors.insert(0, f"Unexpected key(s) in state_dict: {keys}. ")
        if missing:
            keys = ", ".join(f'"{k}"' for k in missing)
            errors.insert(0, f"Missing key(s) in state_dict: {keys}. ")
    if errors:
        raise RuntimeError(
            f"Error(s) in loading state_dict for {type(module).__name__}:\n\t" + "\n\t".join(errors)
        )
    return missing, unexpected
