"""The Optimizer base class: parameter groups, state, zero_grad, state_dict/load_state_dict,
step hooks; PyTorch's semantics and messages. Subclasses run each group's update as one fused
C++ call (``_core._optim_step``)."""

from __future__ import annotations

import copy
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeAlias

from .. import _core
from .._complex import ComplexTensor as _ComplexTensor
from .._complex import real_parameter as _real_parameter
from .._core import Tensor
from ..autograd import enable_grad
from ..nn.modules._hooks import RemovableHandle

ParamsT: TypeAlias = Iterable[Tensor] | Iterable[dict[str, Any]]

__all__ = ["Optimizer", "ParamsT", "required"]


class _Required:
    """Marks a hyper-parameter that has no default (PyTorch's ``optim.optimizer.required``)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required: Any = _Required()


def _scalar(value: Any) -> float:
    if type(value) is float:
        return value
    return float(value.item()) if isinstance(value, Tensor) else float(value)


def _scalar_dtype() -> _core.dtype:
    """PyTorch's _get_scalar_dtype, the dtype of the optimizers' scalar state (step counters,
    NAdam's mu_product, ASGD's eta and mu): float64 under a float64 default dtype, else
    float32."""
    return _core.float64 if _core._get_default_dtype() == _core.float64 else _core.float32


class Optimizer:
    """Base class of the optimizers: ``Optimizer(params, defaults)`` with params an iterable of
    tensors or of dicts (parameter groups with their own hyper-parameters)."""

    _kernel: str = ""

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        self._step_pre_hooks: OrderedDict[int, Callable[..., Any]] = OrderedDict()
        self._step_post_hooks: OrderedDict[int, Callable[..., Any]] = OrderedDict()
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                f"dicts, but got {params.type()}"
            )
        items: list[Any] = list(params)
        if not items:
            raise ValueError("optimizer got an empty parameter list")
        groups: list[dict[str, Any]] = items if isinstance(items[0], dict) else [{"params": items}]
        for g in groups:
            self.add_param_group(g)

    # ---- groups ----
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Adds a group of parameters (a dict with 'params' and optional hyper-parameters;
        the others come from the defaults)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor | _ComplexTensor):
            param_group["params"] = [_real_parameter(params)]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead."
            )
        else:
            # a complex parameter is updated through its real view, as PyTorch's optimizers do
            param_group["params"] = [_real_parameter(p) for p in params]
        for p in param_group["params"]:
            if not isinstance(p, Tensor):
                raise TypeError(
                    "optimizer can only optimize Tensors, but one of the params is "
                    + type(p).__name__
                )
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(
                    "parameter group didn't specify a value of required optimization parameter "
                    + name
                )
            param_group.setdefault(name, default)
        ids = [id(p) for p in param_group["params"]]
        if len(set(ids)) != len(ids):
            import warnings

            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, "
                "this will cause an error; see github.com/pytorch/pytorch/issues/40967 for "
                "more information",
                stacklevel=3,
            )
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if seen & set(ids):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # ---- gradients ----
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clears the gradients of all parameters: None (default) or zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if g.grad_fn is not None:
                        g.detach_()
                    else:
                        g.requires_grad_(False)
                    g.zero_()

    # ---- stepping ----
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter with a gradient; closure (re-evaluating the model and
        returning the loss) is called first, with gradients enabled, and its loss returned."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        if self._step_pre_hooks:
            for hook in list(self._step_pre_hooks.values()):
                hook(self, (), {})
        for group in self.param_groups:
            params: list[Tensor] = []
            grads: list[Tensor] = []
            for p in group["params"]:
                g = p.grad
                if g is not None:
                    params.append(p)
                    grads.append(g)
            if params:
                self._update_group(group, params, grads)
        if self._step_post_hooks:
            for hook in list(self._step_post_hooks.values()):
                hook(self, (), {})
        return loss

    def _update_group(
        self, group: dict[str, Any], params: list[Tensor], grads: list[Tensor]
    ) -> None:
        raise NotImplementedError

    def _run(
        self,
        params: list[Tensor],
        grads: list[Tensor],
        slots: Sequence[Sequence[Tensor | None]],
        steps: Sequence[Tensor | None],
        fresh: Sequence[bool],
        lr: Any,
        weight_decay: Any = 0.0,
        momentum: Any = 0.0,
        dampening: Any = 0.0,
        beta1: Any = 0.0,
        beta2: Any = 0.0,
        eps: Any = 0.0,
        lr_decay: Any = 0.0,
        nesterov: bool = False,
        maximize: bool = False,
        amsgrad: bool = False,
        decoupled_weight_decay: bool = False,
        centered: bool = False,
    ) -> None:
        """One fused C++ call updating the group's parameters and state (the hyper-parameters
        positionally: keyword matching in the binding costs more than the update of a small
        parameter)."""
        f = _scalar
        _core._optim_step(
            self._kernel, params, grads, slots[0], slots[1], slots[2], steps, fresh,
            f(lr), f(weight_decay), f(momentum), f(dampening), f(beta1), f(beta2), f(eps),
            f(lr_decay), nesterov, maximize, amsgrad, decoupled_weight_decay, centered,
        )  # fmt: skip

    @staticmethod
    def _zeros_like(p: Tensor) -> Tensor:
        return _core.zeros(p.shape, dtype=p.dtype)

    @staticmethod
    def _new_step() -> Tensor:
        return _core.zeros((), dtype=_scalar_dtype())

    def register_step_pre_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Calls ``hook(optimizer, args, kwargs)`` before each step."""
        handle = RemovableHandle(self._step_pre_hooks)
        self._step_pre_hooks[handle.id] = hook
        return handle

    def register_step_post_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Calls ``hook(optimizer, args, kwargs)`` after each step."""
        handle = RemovableHandle(self._step_post_hooks)
        self._step_post_hooks[handle.id] = hook
        return handle

    # ---- state dict ----
    def state_dict(self) -> dict[str, Any]:
        """{'state': {index: per-parameter state}, 'param_groups': [group hyper-parameters
        with 'params' as indices]}, as PyTorch lays it out (the state's tensors are
        references, not copies)."""
        index: dict[int, int] = {}
        groups = []
        for g in self.param_groups:
            packed = {k: v for k, v in g.items() if k != "params"}
            ids = []
            for p in g["params"]:
                if id(p) not in index:
                    index[id(p)] = len(index)
                ids.append(index[id(p)])
            packed["params"] = ids
            groups.append(packed)
        state = {index[id(p)]: s for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Loads a state_dict of an optimizer of the same layout: hyper-parameters and
        per-parameter state (tensors cast to each parameter's dtype, the step counters
        kept). As PyTorch's, the state's tensors are not copied: a tensor already of the
        parameter's dtype is the loaded dict's own (later steps update it in place)."""
        groups = self.param_groups
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(
            len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups, strict=True)
        ):
            raise ValueError(
                "loaded state dict contains a parameter group that doesn't match the size of "
                "optimizer's group"
            )
        id_map = {
            old: p
            for g, s in zip(groups, saved_groups, strict=True)
            for old, p in zip(s["params"], g["params"], strict=True)
        }
        self.state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k not in id_map:
                continue
            p = id_map[k]
            self.state[p] = {name: self._cast_state(p, name, value) for name, value in v.items()}
        new_groups = []
        for g, s in zip(groups, saved_groups, strict=True):
            s = dict(s)
            s["params"] = g["params"]
            new_groups.append(s)
        self.param_groups = new_groups

    @staticmethod
    def _cast_state(p: Tensor, name: str, value: Any) -> Any:
        # PyTorch's _process_value_according_to_param_policy: the step counter as it is,
        # other tensors .to(the parameter's dtype) (no copy when it already is); containers
        # rebuilt around their cast items
        if isinstance(value, Tensor):
            if name == "step" or not p.is_floating_point():
                return value
            return value.to(p.dtype)
        if isinstance(value, dict):
            return {k: Optimizer._cast_state(p, k, v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(Optimizer._cast_state(p, name, v) for v in value)
        return value

    def __getstate__(self) -> dict[str, Any]:
        return {
            "defaults": self.defaults,
            "state": self.state,
            "param_groups": self.param_groups,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__dict__.setdefault("_step_pre_hooks", OrderedDict())
        self.__dict__.setdefault("_step_post_hooks", OrderedDict())

    def __repr__(self) -> str:
        s = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            s += "\n"
            s += f"Parameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    s += f"    {key}: {group[key]}\n"
        s += ")"
        return s
