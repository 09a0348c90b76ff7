"""LPPool1d/2d, MaxUnpool1d/2d/3d, ChannelShuffle, Softmax2d and MultiLabelMarginLoss, thin
wrappers of nn.functional with PyTorch's arguments and reprs."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..._core import Tensor
from .._functional import activation as FA
from .._functional import pool_extra as F
from .._functional.conv import _ntuple
from .loss import _Loss
from .module import Module

__all__ = [
    "ChannelShuffle",
    "LPPool1d",
    "LPPool2d",
    "LPPool3d",
    "MaxUnpool1d",
    "MaxUnpool2d",
    "MaxUnpool3d",
    "MultiLabelMarginLoss",
    "Softmax2d",
]


class _LPPoolNd(Module):
    def __init__(
        self,
        norm_type: float,
        kernel_size: int | Sequence[int],
        stride: int | Sequence[int] | None = None,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = stride
        self.ceil_mode = ceil_mode

    def extra_repr(self) -> str:
        return (
            f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, stride={self.stride}, "
            f"ceil_mode={self.ceil_mode}"
        )


class LPPool1d(_LPPoolNd):
    """Power-average pooling over windows of the last dim: (sum x^p)^(1/p)."""

    def forward(self, input: Tensor) -> Tensor:
        """The pooled input."""
        k = self.kernel_size if isinstance(self.kernel_size, int) else self.kernel_size[0]
        return F.lp_pool1d(input, float(self.norm_type), k, self.stride, self.ceil_mode)


class LPPool2d(_LPPoolNd):
    """Power-average pooling over kh x kw windows: (sum x^p)^(1/p)."""

    def forward(self, input: Tensor) -> Tensor:
        """The pooled input."""
        return F.lp_pool2d(
            input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode
        )


class _MaxUnpoolNd(Module):
    _n = 2
    _unpool: Callable[..., Tensor]  # the functional form: F.max_unpool1d, ...

    def __init__(
        self,
        kernel_size: int | Sequence[int],
        stride: int | Sequence[int] | None = None,
        padding: int | Sequence[int] = 0,
    ) -> None:
        super().__init__()
        n, name = self._n, type(self).__name__
        self.kernel_size = tuple(_ntuple(kernel_size, n, "kernel_size", name))
        self.stride = tuple(
            _ntuple(stride if stride is not None else kernel_size, n, "stride", name)
        )
        self.padding = tuple(_ntuple(padding, n, "padding", name))

    def forward(
        self, input: Tensor, indices: Tensor, output_size: Sequence[int] | None = None
    ) -> Tensor:
        """The unpooled input."""
        return type(self)._unpool(
            input, indices, self.kernel_size, self.stride, self.padding, output_size
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """The partial inverse of MaxPool1d (return_indices=True): zeros but at the indices."""

    _n = 1
    _unpool = staticmethod(F.max_unpool1d)


class MaxUnpool2d(_MaxUnpoolNd):
    """The partial inverse of MaxPool2d (return_indices=True): zeros but at the indices."""

    _unpool = staticmethod(F.max_unpool2d)


class MaxUnpool3d(_MaxUnpoolNd):
    """The partial inverse of MaxPool3d (return_indices=True): zeros but at the indices."""

    _n = 3
    _unpool = staticmethod(F.max_unpool3d)


class ChannelShuffle(Module):
    """Interleaves the channels of `groups` groups."""

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = groups

    def forward(self, input: Tensor) -> Tensor:
        """The shuffled input."""
        return F.channel_shuffle(input, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"


class Softmax2d(Module):
    """Softmax over the channels (dim -3) of (N, C, H, W) or (C, H, W) inputs."""

    def forward(self, input: Tensor) -> Tensor:
        """The softmax over the channels."""
        if input.dim() not in (3, 4):
            raise ValueError(
                f"Softmax2d: expected input to be 3D or 4D, got {input.dim()}D instead"
            )
        return FA.softmax(input, -3, _stacklevel=5)


class MultiLabelMarginLoss(_Loss):
    """Multi-label hinge loss over target class lists (each row ended by -1)."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss."""
        return F.multilabel_margin_loss(input, target, reduction=self.reduction)


class LPPool3d(_LPPoolNd):
    """Power-average pooling over kD x kH x kW windows: (sum x^p)^(1/p)."""

    def forward(self, input: Tensor) -> Tensor:
        """The pooled input."""
        from .._functional.conv3d import lp_pool3d

        return lp_pool3d(
            input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode
        )
