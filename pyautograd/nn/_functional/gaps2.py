"""nn.functional gaps: fractional_max_pool2d/3d (PyTorch's pseudo-random intervals; with
``_random_samples`` the pooling regions are PyTorch's exactly), linear_cross_entropy
(linear then cross_entropy) and native_channel_shuffle; the modules FractionalMaxPool2d/3d and
LinearCrossEntropyLoss."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

import pyautograd as pa

from ..._core import Tensor


def _tuple(v: Any, n: int, name: str, op: str) -> tuple[Any, ...]:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return (v,) * n
    t = tuple(v)
    if len(t) != n:
        raise ValueError(f"[{op}] {name} must be a number or a tuple of {n}, got {v!r}")
    return t


def _intervals(sample: np.ndarray, in_size: int, out_size: int, pool: int, dt: Any) -> np.ndarray:
    """PyTorch's generate_intervals, vectorised over planes (computed in the input's dtype)."""
    seq = np.zeros((sample.shape[0], out_size), np.int64)
    if out_size > 1:
        alpha = dt.type(in_size - pool) / dt.type(out_size - 1)
        i = np.arange(out_size - 1, dtype=dt)
        a = ((i[None, :] + sample[:, None]) * alpha).astype(dt)
        b = (sample * alpha).astype(dt)
        seq[:, :-1] = np.trunc(a).astype(np.int64) - np.trunc(b).astype(np.int64)[:, None]
    if out_size > 0:
        seq[:, -1] = in_size - pool
    return seq


def _fractional(
    op: str,
    nd: int,
    input: Tensor,
    kernel_size: Any,
    output_size: Any,
    output_ratio: Any,
    return_indices: bool,
    _random_samples: Tensor | None,
) -> Any:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(input).__name__}")
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"[{op}] non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected for input"
        )
    if not input.is_floating_point():
        raise RuntimeError(f"[{op}] expected a floating point input, got {input.dtype}")
    batched = input.dim() == nd + 2
    x = input if batched else input.unsqueeze(0)
    N, C, spatial = x.shape[0], x.shape[1], tuple(x.shape[2:])
    k = _tuple(kernel_size, nd, "kernel_size", op)
    if output_size is None and output_ratio is None:
        raise ValueError(f"{op} requires specifying either an output_size or an output_ratio")
    if output_size is None:
        ratio = _tuple(output_ratio, nd, "output_ratio", op)
        if not all(0 < r < 1 for r in ratio):
            raise ValueError(f"[{op}] output_ratio must be between 0 and 1 (got {ratio})")
        osz = tuple(int(s * r) for s, r in zip(spatial, ratio, strict=True))
    else:
        osz = _tuple(output_size, nd, "output_size", op)
    for d in range(nd):
        if k[d] <= 0 or osz[d] < 0:
            raise RuntimeError(f"[{op}] kernel_size and output_size must be positive")
        if osz[d] + k[d] - 1 > spatial[d]:
            raise RuntimeError(
                f"[{op}] out(): pool size {k[d]} too large relative to input size {spatial[d]} "
                f"and output size {osz[d]}"
            )
    dt = np.dtype(str(x.dtype).rsplit(".", 1)[-1])
    if _random_samples is None:
        samples = pa.rand(N, C, nd, dtype=x.dtype)
    else:
        samples = _random_samples
        if tuple(samples.shape) != (N, C, nd):
            raise RuntimeError(
                f"[{op}] Expect _random_samples to be of shape ({N}, {C}, {nd}), got "
                f"{list(samples.shape)}"
            )
    smp = samples.detach().to(x.dtype).numpy().reshape(N * C, nd)
    # PyTorch's order of the samples: 2d (W, H), 3d (T, H, W)
    order = [1, 0] if nd == 2 else [0, 1, 2]
    starts = [
        _intervals(smp[:, order[d]], spatial[d], osz[d], k[d], dt) for d in range(nd)
    ]  # each (N*C, osz[d])
    # the flat index (within a plane) of every window element: (N*C, *osz, *k)
    strides = [math.prod(spatial[d + 1 :]) for d in range(nd)]
    idx = np.zeros((N * C, *osz, *k), np.int64)
    for d in range(nd):
        shp = [N * C] + [1] * (2 * nd)
        shp[1 + d] = osz[d]
        s = starts[d].reshape(shp)
        kshp = [1] * (1 + 2 * nd)
        kshp[1 + nd + d] = k[d]
        off = np.arange(k[d]).reshape(kshp)
        idx = idx + (s + off) * strides[d]
    nwin = math.prod(k)
    nout = math.prod(osz)
    idx_t = pa.from_numpy(np.ascontiguousarray(idx.reshape(N, C, nout * nwin)))
    planes = x.reshape(N, C, math.prod(spatial))
    vals = planes.gather(2, idx_t).reshape(N, C, nout, nwin)
    out, arg = vals.max(-1)
    indices = idx_t.reshape(N, C, nout, nwin).gather(3, arg.unsqueeze(-1)).squeeze(-1)
    out = out.reshape(N, C, *osz)
    indices = indices.reshape(N, C, *osz)
    if not batched:
        out, indices = out.squeeze(0), indices.squeeze(0)
    return (out, indices) if return_indices else out


def _fractional_fn(nd: int, with_indices: bool, doc: str) -> Any:
    """F.fractional_max_pool{nd}d (with_indices: its _with_indices form, which always returns
    (values, indices))."""
    op = f"fractional_max_pool{nd}d"

    def fn(
        input: Tensor,
        kernel_size: Any,
        output_size: Any = None,
        output_ratio: Any = None,
        return_indices: bool = False,
        _random_samples: Tensor | None = None,
    ) -> Any:
        return _fractional(
            op, nd, input, kernel_size, output_size, output_ratio,
            return_indices or with_indices, _random_samples,
        )  # fmt: skip

    fn.__name__ = fn.__qualname__ = op + ("_with_indices" if with_indices else "")
    fn.__doc__ = doc
    return fn


fractional_max_pool2d = _fractional_fn(
    2,
    False,
    """Fractional max pooling over 2-d planes (PyTorch's pseudo-random windows of
    kernel_size; output_size or output_ratio). _random_samples (N, C, 2) in [0, 1) fixes the
    windows as PyTorch's; without it they are drawn from pyautograd's generator.
    Differentiable; return_indices gives the flat index of each maximum in its plane.""",
)
fractional_max_pool3d = _fractional_fn(
    3,
    False,
    """Fractional max pooling over 3-d volumes (see fractional_max_pool2d; _random_samples
    (N, C, 3)).""",
)
fractional_max_pool2d_with_indices = _fractional_fn(
    2, True, "fractional_max_pool2d returning (values, indices)."
)
fractional_max_pool3d_with_indices = _fractional_fn(
    3, True, "fractional_max_pool3d returning (values, indices)."
)


def linear_cross_entropy(
    input: Tensor,
    linear_weight: Tensor,
    target: Tensor,
    *,
    linear_bias: Tensor | None = None,
    weight: Tensor | None = None,
    reduction: str = "mean",
    ignore_index: int | None = None,
    label_smoothing: float = 0.0,
    options: Any = None,
) -> Tensor:
    """cross_entropy(linear(input, linear_weight, linear_bias), target, ...): linear_weight
    (C, in) or (C, d_1, ..., d_K, in) for a K-dimensional loss; ignore_index None ignores no
    class. options (a chunking hint) changes nothing here. Differentiable."""
    F = pa.nn.functional
    if not isinstance(input, Tensor) or not isinstance(linear_weight, Tensor):
        raise TypeError("linear_cross_entropy(): input and linear_weight must be tensors")
    if linear_weight.dim() < 2:
        raise RuntimeError("[linear_cross_entropy] linear_weight must have at least 2 dims")
    c, extra, nin = (
        linear_weight.shape[0],
        tuple(linear_weight.shape[1:-1]),
        linear_weight.shape[-1],
    )
    w2 = linear_weight.reshape(-1, nin)
    b = None if linear_bias is None else linear_bias.reshape(-1)
    logits = F.linear(input, w2, b)
    if extra:
        lead = tuple(input.shape[:-1])
        logits = logits.reshape(*lead, c, *extra)
    ii = -(2**62) if ignore_index is None else ignore_index
    return F.cross_entropy(
        logits, target, weight=weight, reduction=reduction, ignore_index=ii,
        label_smoothing=label_smoothing,
    )  # fmt: skip


def native_channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """channel_shuffle (PyTorch's native form: it requires grad when input does and has no
    derivative)."""
    from ..._api_gaps import _attach

    if not isinstance(input, Tensor):
        raise TypeError(f"native_channel_shuffle(): argument 'input' must be Tensor, not "
                        f"{type(input).__name__}")  # fmt: skip
    r = pa.nn.functional.channel_shuffle(input.detach(), groups)
    return _attach(r, [input], "native_channel_shuffle", "none")


def _modules() -> dict[str, Any]:
    Module = pa.nn.Module

    class _FractionalMaxPoolNd(Module):
        _nd = 2

        def __init__(
            self,
            kernel_size: Any,
            output_size: Any = None,
            output_ratio: Any = None,
            return_indices: bool = False,
            _random_samples: Tensor | None = None,
        ) -> None:
            super().__init__()
            self.kernel_size = kernel_size
            self.output_size = output_size
            self.output_ratio = output_ratio
            self.return_indices = return_indices
            self.register_buffer("_random_samples", _random_samples)
            if output_size is None and output_ratio is None:
                raise ValueError(
                    f"FractionalMaxPool{self._nd}d requires specifying either an output size, "
                    "or a pooling ratio"
                )
            if output_size is not None and output_ratio is not None:
                raise ValueError("only one of output_size and output_ratio may be specified")
            if output_ratio is not None:
                r = _tuple(output_ratio, self._nd, "output_ratio", "FractionalMaxPool")
                if not all(0 < v < 1 for v in r):
                    raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")

        def forward(self, input: Tensor) -> Any:
            fn = fractional_max_pool2d if self._nd == 2 else fractional_max_pool3d
            return fn(
                input, self.kernel_size, self.output_size, self.output_ratio,
                self.return_indices, _random_samples=self._random_samples,
            )  # fmt: skip

    class FractionalMaxPool2d(_FractionalMaxPoolNd):
        """Fractional max pooling over 2-d planes (F.fractional_max_pool2d)."""

        _nd = 2

    class FractionalMaxPool3d(_FractionalMaxPoolNd):
        """Fractional max pooling over 3-d volumes (F.fractional_max_pool3d)."""

        _nd = 3

    class LinearCrossEntropyLoss(Module):
        """A Linear layer (num_classes * prod(out_features) outputs) followed by
        cross_entropy (F.linear_cross_entropy)."""

        def __init__(
            self,
            in_features: int,
            num_classes: int,
            out_features: Sequence[int] = (),
            bias: bool = True,
            weight: Tensor | None = None,
            reduction: str = "mean",
            ignore_index: int | None = -100,
            label_smoothing: float = 0.0,
            options: Any = None,
            device: Any = None,
            dtype: Any = None,
        ) -> None:
            super().__init__()
            self.in_features, self.num_classes = in_features, num_classes
            self.out_features = tuple(out_features)
            n = num_classes * math.prod(self.out_features)
            self.linear = pa.nn.Linear(in_features, n, bias=bias, device=device, dtype=dtype)
            self.register_buffer("weight", weight)
            self.reduction, self.ignore_index = reduction, ignore_index
            self.label_smoothing, self.options = label_smoothing, options

        def forward(self, input: Tensor, target: Tensor) -> Tensor:
            w = self.linear.weight.reshape(self.num_classes, *self.out_features, self.in_features)
            b = self.linear.bias
            if b is not None:
                b = b.reshape(self.num_classes, *self.out_features)
            return linear_cross_entropy(
                input, w, target, linear_bias=b, weight=self.weight, reduction=self.reduction,
                ignore_index=self.ignore_index, label_smoothing=self.label_smoothing,
            )  # fmt: skip

    for cls in (FractionalMaxPool2d, FractionalMaxPool3d, LinearCrossEntropyLoss):
        cls.__module__ = "pyautograd.nn"
    return {
        "FractionalMaxPool2d": FractionalMaxPool2d,
        "FractionalMaxPool3d": FractionalMaxPool3d,
        "LinearCrossEntropyLoss": LinearCrossEntropyLoss,
    }


FUNCTIONS: dict[str, Any] = {
    "fractional_max_pool2d": fractional_max_pool2d,
    "fractional_max_pool3d": fractional_max_pool3d,
    "fractional_max_pool2d_with_indices": fractional_max_pool2d_with_indices,
    "fractional_max_pool3d_with_indices": fractional_max_pool3d_with_indices,
    "linear_cross_entropy": linear_cross_entropy,
    "native_channel_shuffle": native_channel_shuffle,
}


def install() -> None:
    """Adds the functions to pyautograd.nn.functional and the modules to pyautograd.nn (what
    exists stays)."""
    from ..._functions_extra import _typed

    F, nn = pa.nn.functional, pa.nn
    for name, fn in FUNCTIONS.items():
        if not hasattr(F, name):
            setattr(F, name, _typed(name, fn))
    for name, cls in _modules().items():
        if not hasattr(nn, name):
            setattr(nn, name, cls)
    if not hasattr(pa, "native_channel_shuffle"):
        pa.native_channel_shuffle = F.native_channel_shuffle  # type: ignore[attr-defined]
