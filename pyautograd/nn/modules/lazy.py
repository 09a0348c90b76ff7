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

__all__ = [
    "LazyBatchNorm1d",
    "LazyBatchNorm2d",
    "LazyBatchNorm3d",
    "LazyConv1d",
    "LazyConv2d",
    "LazyConv3d",
    "LazyConvTranspose1d",
    "LazyConvTranspose2d",
    "LazyConvTranspose3d",
    "LazyInstanceNorm1d",
    "LazyInstanceNorm2d",
    "LazyInstanceNorm3d",
    "LazyLinear",
    "UninitializedBuffer",
    "UninitializedParameter",
]


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


class UninitializedBuffer(Tensor):
    """A buffer without data yet (a lazy module materializes it on its first forward)."""

    def __new__(cls, requires_grad: bool = False, device: Any = None, dtype: Any = None) -> Any:
        data = _core.empty(0, dtype=_factory(dtype, device))
        return Tensor._make_subclass(cls, data, requires_grad)

    def materialize(self, shape: Sequence[int], device: Any = None, dtype: Any = None) -> Tensor:
        """A plain tensor of `shape` (uninitialized data) to hold in this buffer's place."""
        return _core.empty(list(shape), dtype=dtype if dtype is not None else self.dtype)

    def __repr__(self) -> str:
        return "<UninitializedBuffer>"


def _lazy_params(module: Any, names: Sequence[str], device: Any, dtype: Any) -> None:
    """Replaces the module's existing parameters (and running-statistics buffers) `names` by
    uninitialized ones, and registers the hook that materializes them on the first input."""
    for name in names:
        if name in module._parameters and module._parameters[name] is not None:
            setattr(module, name, UninitializedParameter(device=device, dtype=dtype))
        elif name in module._buffers and module._buffers[name] is not None:
            module._buffers[name] = UninitializedBuffer(device=device, dtype=dtype)
    module._lazy_handle = module.register_forward_pre_hook(_materialize)


def _materialize(module: Any, args: tuple[Any, ...]) -> None:
    x = args[0]
    spatial = module._lazy_spatial  # -1: the channels are always dim 1 (norms)
    channels = int(x.shape[1] if spatial < 0 or x.dim() == spatial + 2 else x.shape[0])
    for name, shape in module._lazy_shapes(channels).items():
        p = module._parameters.get(name, module._buffers.get(name))
        if isinstance(p, UninitializedParameter):
            p.materialize(shape)
        elif isinstance(p, UninitializedBuffer):
            module._buffers[name] = p.materialize(shape)
    module.reset_parameters()
    module._lazy_handle.remove()
    del module._lazy_handle
    module.__class__ = module.cls_to_become


class _LazyConvMixin:
    """A convolution whose in_channels is inferred from its first input (PyTorch's LazyConvNd:
    built with 0 channels, its weight and bias drawn when they get their shape)."""

    _lazy_spatial: int
    cls_to_become: type

    def _lazy_shapes(self, channels: int) -> dict[str, tuple[int, ...]]:
        m: Any = self
        m.in_channels = channels
        if m.transposed:
            weight = (channels, m.out_channels // m.groups, *m.kernel_size)
        else:
            weight = (m.out_channels, channels // m.groups, *m.kernel_size)
        return {"weight": weight, "bias": (m.out_channels,)}

    def has_uninitialized_params(self) -> bool:
        """Whether the parameters still wait for the first input."""
        return any(isinstance(p, UninitializedParameter) for p in self.parameters())  # type: ignore[attr-defined]

    def reset_parameters(self) -> None:
        """Draws the parameters once they have their shape (a no-op before)."""
        if not self.has_uninitialized_params() and getattr(self, "in_channels", 0) != 0:
            super().reset_parameters()  # type: ignore[misc]


class _LazyNormMixin:
    """A batch/instance norm whose num_features is inferred from its first input."""

    _lazy_spatial = -1  # the channels are dim 1 of a batched input
    cls_to_become: type

    def _lazy_shapes(self, channels: int) -> dict[str, tuple[int, ...]]:
        m: Any = self
        m.num_features = channels
        return {name: (channels,) for name in ("weight", "bias", "running_mean", "running_var")}

    def has_uninitialized_params(self) -> bool:
        """Whether the parameters still wait for the first input."""
        return any(isinstance(p, UninitializedParameter) for p in self.parameters())  # type: ignore[attr-defined]

    def reset_parameters(self) -> None:
        """Resets once the parameters and statistics have their shape (a no-op before)."""
        if getattr(self, "num_features", 0) != 0:
            super().reset_parameters()  # type: ignore[misc]


def _make_lazy_conv(base: type, spatial: int) -> type:
    def __init__(self: Any, out_channels: int, kernel_size: Any, *args: Any, **kwargs: Any) -> None:
        device, dtype = kwargs.get("device"), kwargs.get("dtype")
        base.__init__(self, 0, 0, kernel_size, *args, **kwargs)
        self.out_channels = out_channels
        _lazy_params(self, ("weight", "bias"), device, dtype)

    name = "Lazy" + base.__name__
    doc = f"A {base.__name__} whose in_channels is inferred from its first input."
    return type(
        name,
        (_LazyConvMixin, base),
        {
            "__init__": __init__,
            "__doc__": doc,
            "cls_to_become": base,
            "_lazy_spatial": spatial,
            "__module__": __name__,
        },
    )


def _make_lazy_norm(base: type) -> type:
    def __init__(
        self: Any,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:  # PyTorch's lazy norms are affine and track statistics by default
        base.__init__(
            self,
            0,
            eps=eps,
            momentum=momentum,
            affine=affine,
            track_running_stats=track_running_stats,
            device=device,
            dtype=dtype,
        )
        _lazy_params(self, ("weight", "bias", "running_mean", "running_var"), device, dtype)

    name = "Lazy" + base.__name__
    doc = f"A {base.__name__} whose num_features is inferred from its first input."
    return type(
        name,
        (_LazyNormMixin, base),
        {"__init__": __init__, "__doc__": doc, "cls_to_become": base, "__module__": __name__},
    )


from .batchnorm import BatchNorm1d, BatchNorm2d  # noqa: E402
from .conv import Conv1d, Conv2d, Conv3d  # noqa: E402
from .conv_transpose import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d  # noqa: E402
from .misc_extra import BatchNorm3d  # noqa: E402
from .normalization_extra import InstanceNorm1d, InstanceNorm2d, InstanceNorm3d  # noqa: E402

LazyConv1d = _make_lazy_conv(Conv1d, 1)
LazyConv2d = _make_lazy_conv(Conv2d, 2)
LazyConv3d = _make_lazy_conv(Conv3d, 3)
LazyConvTranspose1d = _make_lazy_conv(ConvTranspose1d, 1)
LazyConvTranspose2d = _make_lazy_conv(ConvTranspose2d, 2)
LazyConvTranspose3d = _make_lazy_conv(ConvTranspose3d, 3)
LazyBatchNorm1d = _make_lazy_norm(BatchNorm1d)
LazyBatchNorm2d = _make_lazy_norm(BatchNorm2d)
LazyBatchNorm3d = _make_lazy_norm(BatchNorm3d)
LazyInstanceNorm1d = _make_lazy_norm(InstanceNorm1d)
LazyInstanceNorm2d = _make_lazy_norm(InstanceNorm2d)
LazyInstanceNorm3d = _make_lazy_norm(InstanceNorm3d)
