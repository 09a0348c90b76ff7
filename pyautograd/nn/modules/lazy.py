"""LazyLinear, the lazy convolutions (LazyConv1d/2d/3d, LazyConvTranspose1d/2d/3d) and the
lazy normalizations (LazyBatchNorm1d/2d/3d, LazyInstanceNorm1d/2d/3d), UninitializedParameter
and UninitializedBuffer: a module whose input size (in_features, in_channels, num_features) is
taken from its first input; the parameters and buffers are materialized (and initialised as
the eager module's) then, drawing nothing from the random stream before, and the module becomes
the eager module (Linear, Conv2d, BatchNorm2d, ...), as in PyTorch."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ... import _core
from ..._core import Tensor
from ...autograd import no_grad
from ..parameter import Parameter
from .batchnorm import BatchNorm1d, BatchNorm2d
from .conv import Conv1d, Conv2d, Conv3d
from .conv_transpose import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from .linear import Linear, _factory
from .misc_extra import BatchNorm3d
from .module import Module
from .normalization_extra import InstanceNorm1d, InstanceNorm2d, InstanceNorm3d

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


class UninitializedBuffer(Tensor):
    """A buffer without data yet (a lazy module materializes it on its first forward); it then
    becomes a plain Tensor."""

    __slots__ = ()
    cls_to_become = Tensor

    def __new__(
        cls, requires_grad: bool = False, device: Any = None, dtype: Any = None
    ) -> UninitializedBuffer:
        data = _core.empty(0, dtype=_factory(dtype, device))
        return Tensor._make_subclass(cls, data, requires_grad)

    def materialize(self, shape: Sequence[int], device: Any = None, dtype: Any = None) -> None:
        """Gives the buffer uninitialized data of `shape`; it becomes a Tensor."""
        with no_grad():
            self.data = _core.empty(list(shape), dtype=dtype if dtype is not None else self.dtype)
        self.__class__ = self.cls_to_become  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "<UninitializedBuffer>"


class _LazyMixin:
    """The first forward's pre-hook: initialize_parameters(input), then the module becomes
    cls_to_become (the eager module)."""

    cls_to_become: type[Module]

    def _lazy_setup(self) -> None:
        self._lazy_handle = self.register_forward_pre_hook(  # type: ignore[attr-defined]
            _LazyMixin._infer_parameters
        )

    def has_uninitialized_params(self) -> bool:
        """Whether the parameters or buffers still wait for the first input."""
        module: Any = self
        return any(
            isinstance(t, (UninitializedParameter, UninitializedBuffer))
            for t in (*module.parameters(), *module.buffers())
        )

    def _load_from_state_dict(
        self, state_dict: Any, prefix: str, *args: Any, **kwargs: Any
    ) -> None:
        # PyTorch's lazy load hook: an uninitialized parameter or buffer takes the shape of
        # the tensor loaded into it (the module stays lazy until its first forward)
        module: Any = self
        for name, t in (*module._parameters.items(), *module._buffers.items()):
            key = prefix + name
            if key in state_dict and isinstance(t, (UninitializedParameter, UninitializedBuffer)):
                loaded = state_dict[key]
                if not isinstance(loaded, (UninitializedParameter, UninitializedBuffer)):
                    t.materialize(loaded.shape)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)  # type: ignore[misc]

    @staticmethod
    def _infer_parameters(module: Any, args: tuple[Any, ...]) -> None:
        module.initialize_parameters(*args)
        if module.has_uninitialized_params():
            raise RuntimeError(f"module {type(module).__name__} has not been fully initialized")
        module._lazy_handle.remove()
        del module._lazy_handle
        module.__class__ = module.cls_to_become


class LazyLinear(_LazyMixin, Linear):
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
        self._lazy_setup()

    def reset_parameters(self) -> None:
        """Initialises as Linear once the parameters have data (a no-op before)."""
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor, *args: Any) -> None:
        """in_features from input's last dim; weight and bias materialized and initialised."""
        if self.has_uninitialized_params():
            self.in_features = int(input.shape[-1])
            weight: Any = self.weight
            bias: Any = self.bias
            weight.materialize((self.out_features, self.in_features))
            if bias is not None:
                bias.materialize((self.out_features,))
            self.reset_parameters()
        if self.in_features == 0:  # loaded from a state_dict
            if input.shape[-1] != self.weight.shape[-1]:
                raise AssertionError(
                    f"The in_features inferred from input: {input.shape[-1]} is not equal to "
                    f"in_features from self.weight: {self.weight.shape[-1]}"
                )
            self.in_features = int(input.shape[-1])


class _LazyConvMixin(_LazyMixin):
    in_channels: int
    out_channels: int
    groups: int
    transposed: bool
    kernel_size: tuple[int, ...]
    weight: Any
    bias: Any
    _n: int

    def _lazy_init(self, out_channels: int, bias: bool, device: Any, dtype: Any) -> None:
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        self.out_channels = out_channels
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)
        self._lazy_setup()

    def reset_parameters(self) -> None:
        """Initialises as the eager convolution once the parameters have data."""
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()  # type: ignore[misc]

    def initialize_parameters(self, input: Tensor, *args: Any) -> None:
        """in_channels from input (batched or unbatched); weight and bias materialized."""
        if not self.has_uninitialized_params():
            return
        unbatched = self._n + 1
        if input.dim() not in (unbatched, unbatched + 1):
            raise RuntimeError(
                f"Expected {unbatched}D (unbatched) or {unbatched + 1}D (batched) input to "
                f"{type(self).__name__}, but got input of size: {input.shape}"
            )
        self.in_channels = int(input.shape[1] if input.dim() == unbatched + 1 else input.shape[0])
        if self.in_channels % self.groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if self.transposed:
            shape = (self.in_channels, self.out_channels // self.groups, *self.kernel_size)
        else:
            shape = (self.out_channels, self.in_channels // self.groups, *self.kernel_size)
        self.weight.materialize(shape)
        if self.bias is not None:
            self.bias.materialize((self.out_channels,))
        self.reset_parameters()


def _lazy_conv(eager: type[Any], transposed: bool) -> Any:
    def __init__(
        self: Any,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        *rest: Any,
        device: Any = None,
        dtype: Any = None,
        **kwargs: Any,
    ) -> None:
        bias = kwargs.pop("bias", True)
        # the eager module's positional parameters after padding
        names: tuple[str, ...] = (
            ("output_padding", "groups", "bias", "dilation", "padding_mode")
            if transposed
            else ("dilation", "groups", "bias", "padding_mode")
        )
        given = dict(zip(names, rest, strict=False))
        bias = given.pop("bias", bias)
        eager.__init__(
            self, 0, 0, kernel_size, stride, padding, bias=False, device=device, dtype=dtype,
            **given, **kwargs,
        )  # fmt: skip
        self._lazy_init(out_channels, bias, device, dtype)

    name = "Lazy" + eager.__name__
    doc = f"A {eager.__name__} whose in_channels is inferred from its first input."
    cls: Any = type(name, (_LazyConvMixin, eager), {"__init__": __init__, "__doc__": doc})
    cls.cls_to_become = eager
    cls.__module__ = __name__
    return cls


LazyConv1d = _lazy_conv(Conv1d, False)
LazyConv2d = _lazy_conv(Conv2d, False)
LazyConv3d = _lazy_conv(Conv3d, False)
LazyConvTranspose1d = _lazy_conv(ConvTranspose1d, True)
LazyConvTranspose2d = _lazy_conv(ConvTranspose2d, True)
LazyConvTranspose3d = _lazy_conv(ConvTranspose3d, True)


class _LazyNormMixin(_LazyMixin):
    num_features: int
    affine: bool
    track_running_stats: bool
    weight: Any
    bias: Any
    running_mean: Any
    running_var: Any

    def reset_parameters(self) -> None:
        """Initialises as the eager normalization once the parameters have data."""
        if not self.has_uninitialized_params() and self.num_features != 0:
            super().reset_parameters()  # type: ignore[misc]

    def initialize_parameters(self, input: Tensor, *args: Any) -> None:
        """num_features from input.shape[1]; parameters and running statistics materialized."""
        if not self.has_uninitialized_params():
            return
        self.num_features = int(input.shape[1])
        if self.affine:
            self.weight.materialize((self.num_features,))
            if self.bias is not None:
                self.bias.materialize((self.num_features,))
        if self.track_running_stats:
            self.running_mean.materialize((self.num_features,))
            self.running_var.materialize((self.num_features,))
        self.reset_parameters()


def _lazy_norm(eager: type[Any]) -> Any:
    # PyTorch's lazy norms default to affine=True and track_running_stats=True (the instance
    # norms too, unlike InstanceNorm's own defaults)
    def __init__(
        self: Any,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        eager.__init__(self, 0, eps, momentum, False, False, device=device, dtype=dtype)
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = UninitializedParameter(device=device, dtype=dtype)
            if bias:
                self.bias = UninitializedParameter(device=device, dtype=dtype)
        if track_running_stats:
            self.running_mean = UninitializedBuffer(device=device, dtype=dtype)
            self.running_var = UninitializedBuffer(device=device, dtype=dtype)
            self.num_batches_tracked = _core.zeros((), dtype=_core.int64)
        self._lazy_setup()

    name = "Lazy" + eager.__name__
    doc = f"A {eager.__name__} whose num_features is inferred from its first input."
    cls: Any = type(name, (_LazyNormMixin, eager), {"__init__": __init__, "__doc__": doc})
    cls.cls_to_become = eager
    cls.__module__ = __name__
    return cls


LazyBatchNorm1d = _lazy_norm(BatchNorm1d)
LazyBatchNorm2d = _lazy_norm(BatchNorm2d)
LazyBatchNorm3d = _lazy_norm(BatchNorm3d)
LazyInstanceNorm1d = _lazy_norm(InstanceNorm1d)
LazyInstanceNorm2d = _lazy_norm(InstanceNorm2d)
LazyInstanceNorm3d = _lazy_norm(InstanceNorm3d)
