"""LazyLinear and UninitializedParameter: a Linear whose in_features is taken from the first
input; the parameters are materialized (and initialised as Linear's) then, and the module
becomes a Linear, as in PyTorch."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ... import _core
from ..._core import Tensor
from ...autograd import no_grad
from ..parameter import Parameter
from .linear import Linear, _factory

__all__ = ["LazyLinear", "UninitializedParameter"]


class UninitializedParameter(Parameter):
    """A parameter without data yet (a lazy module materializes it on its first forward);
    it then becomes a plain Parameter."""

    cls_to_become = Parameter

    def __new__(
        cls, requires_grad: bool = True, device: Any = None, dtype: Any = None
    ) -> UninitializedParameter:
        data = _core.empty(0, dtype=_factory(dtype, device))
        return Tensor._make_subclass(cls, data, requires_grad)

    def materialize(self, shape: Sequence[int], device: Any = None, dtype: Any = None) -> None:
        """Gives the parameter uninitialized data of `shape`; it becomes a Parameter."""
        with no_grad():
            self.data = _core.empty(list(shape), dtype=dtype if dtype is not None else self.dtype)
        self.__class__ = self.cls_to_become  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "<UninitializedParameter>"


class LazyLinear(Linear):
    """A Linear layer whose in_features is inferred from its first input."""

    cls_to_become = Linear

    def __init__(
        self, out_features: int, bias: bool = True, device: Any = None, dtype: Any = None
    ) -> None:
        super().__init__(0, 0, False, device, dtype)
        self.weight = UninitializedParameter(dtype=dtype, device=device)
        self.out_features = out_features
        if bias:
            self.bias = UninitializedParameter(dtype=dtype, device=device)
        self._lazy_handle = self.register_forward_pre_hook(LazyLinear._infer_parameters)

    def reset_parameters(self) -> None:
        """Initialises as Linear once the parameters have data (a no-op before)."""
        if self.in_features != 0 and not isinstance(self.weight, UninitializedParameter):
            super().reset_parameters()

    def has_uninitialized_params(self) -> bool:
        """Whether the parameters still wait for the first input."""
        return any(isinstance(p, UninitializedParameter) for p in self.parameters())

    @staticmethod
    def _infer_parameters(module: Any, args: tuple[Any, ...]) -> None:
        assert isinstance(module, LazyLinear)
        x = args[0]
        module.in_features = int(x.shape[-1])
        for p, shape in (
            (module.weight, (module.out_features, module.in_features)),
            (module.bias, (module.out_features,)),
        ):
            if isinstance(p, UninitializedParameter):
                p.materialize(shape)
        module.reset_parameters()
        module._lazy_handle.remove()
        del module._lazy_handle
        module.__class__ = LazyLinear.cls_to_become  # type: ignore[assignment]
