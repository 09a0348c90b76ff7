"""nn.Parameter (a Tensor subclass that Module registers as a parameter) and nn.Buffer."""

from __future__ import annotations

from typing import Any

from .. import _core
from .._complex import ComplexParameter as _ComplexParameter
from .._complex import ComplexTensor as _ComplexTensor
from .._core import Tensor


class Parameter(Tensor):
    """A tensor that is a module parameter: assigning one as a Module attribute registers it.

    ``Parameter(data, requires_grad=True)`` shares data's storage (no copy) and is a leaf. Ops on
    a Parameter return plain tensors; in-place ops return the Parameter itself.
    """

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True) -> Parameter:
        if data is None:
            data = _core.empty(0)
        if isinstance(data, _ComplexTensor):  # its real view becomes the Parameter
            return _ComplexParameter(Parameter(data._r, requires_grad))  # type: ignore[return-value]
        if not isinstance(data, Tensor):
            raise TypeError(f"[Parameter] data must be a tensor, got {type(data).__name__}")
        return Tensor._make_subclass(cls, data, requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo: dict[int, Any]) -> Parameter:
        if id(self) in memo:
            return memo[id(self)]  # type: ignore[no-any-return]
        result = type(self)(self.data.clone(), self.requires_grad)
        memo[id(self)] = result
        return result


class Buffer(Tensor):
    """A tensor that is a module buffer: ``self.stats = nn.Buffer(t)`` registers it (as
    ``register_buffer``; ``persistent=False`` keeps it out of the state dict). The module stores
    a plain tensor sharing t's storage."""

    persistent: bool

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True) -> Buffer:
        if data is None:
            data = _core.empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"[Buffer] data must be a tensor, got {type(data).__name__}")
        t = Tensor._make_subclass(cls, data, data.requires_grad)
        t.persistent = persistent
        return t
