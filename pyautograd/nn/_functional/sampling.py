"""interpolate (upsample), pixel_shuffle/pixel_unshuffle, unfold/fold of nn.functional.

Resampling is separable: along each spatial dim (last first) the output is a weighted sum of
index_select's of the input (one tap for nearest, two for linear, four for bicubic), so the
gradient is index_select's (a scatter-add). The source indices and weights are computed in NumPy
exactly as ATen's CPU kernels compute them (float32 scales for nearest; the input's precision
for linear and cubic), so the same output sizes and samples are picked. unfold and fold are one
index_select / index_add over the flattened, padded spatial positions.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from ... import _core
from ..._core import Tensor
from ..._creation import tensor
from .conv import adaptive_avg_pool1d, adaptive_avg_pool2d, pad

__all__ = [
    "fold",
    "interpolate",
    "pixel_shuffle",
    "pixel_unshuffle",
    "unfold",
    "upsample",
    "upsample_bilinear",
    "upsample_nearest",
]

_LINEAR = {"linear": 3, "bilinear": 4, "trilinear": 5}


def _index(a: np.ndarray) -> Tensor:
    return tensor(np.ascontiguousarray(a, dtype=np.int64))


def _nearest_taps(
    in_size: int, out_size: int, scale: float | None, exact: bool
) -> list[tuple[np.ndarray, np.ndarray | None]]:
    dst = np.arange(out_size)
    if out_size == in_size and not exact:
        return [(dst, None)]
    if out_size == 2 * in_size and not exact:
        return [(dst >> 1, None)]
    s = (
        np.float32(1.0 / scale)
        if scale is not None and scale > 0
        else np.float32(in_size) / out_size
    )
    if exact:  # floorf((dst + 0.5) * scale): a double product rounded to float
        src = np.floor(((dst + 0.5) * np.float64(s)).astype(np.float32))
    else:
        src = np.floor(dst.astype(np.float32) * s)
    return [(np.minimum(src.astype(np.int64), in_size - 1), None)]


def _source(
    in_size: int, out_size: int, align_corners: bool, scale: float | None, ft: Any, cubic: bool
) -> np.ndarray:
    """ATen's area_pixel_compute_source_index for every output position, in precision ft."""
    dst = np.arange(out_size).astype(ft)
    if align_corners:
        s = ft(in_size - 1) / ft(out_size - 1) if out_size > 1 else ft(0)
        return dst * s  # type: ignore[no-any-return]
    s = ft(1.0 / scale) if scale is not None and scale > 0 else ft(in_size) / ft(out_size)
    src = s * (dst + ft(0.5)) - ft(0.5)
    return src if cubic else np.maximum(src, ft(0))  # type: ignore[no-any-return]


def _linear_taps(
    in_size: int, out_size: int, align_corners: bool, scale: float | None, ft: Any
) -> list[tuple[np.ndarray, np.ndarray | None]]:
    real = _source(in_size, out_size, align_corners, scale, ft, cubic=False)
    i0 = np.minimum(np.floor(real).astype(np.int64), in_size - 1)
    lam = np.clip(real - i0.astype(ft), ft(0), ft(1)).astype(ft)
    i1 = i0 + (i0 < in_size - 1)
    return [(i0, (ft(1) - lam).astype(ft)), (i1, lam)]


def _cubic_taps(
    in_size: int, out_size: int, align_corners: bool, scale: float | None, ft: Any
) -> list[tuple[np.ndarray, np.ndarray | None]]:
    real = _source(in_size, out_size, align_corners, scale, ft, cubic=True)
    i = np.minimum(np.floor(real).astype(np.int64), in_size - 1)
    t = np.clip(real - i.astype(ft), ft(0), ft(1)).astype(ft)
    a = ft(-0.75)

    def conv1(x: np.ndarray) -> np.ndarray:
        return ((a + 2) * x - (a + 3)) * x * x + 1  # type: ignore[no-any-return]

    def conv2(x: np.ndarray) -> np.ndarray:
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a  # type: ignore[no-any-return]

    one = ft(1)
    coeffs = [conv2(t + one), conv1(t), conv1(one - t), conv2(one - t + one)]
    return [(np.clip(i - 1 + k, 0, in_size - 1), c.astype(ft)) for k, c in enumerate(coeffs)]


def _resample(x: Tensor, dim: int, taps: list[tuple[np.ndarray, np.ndarray | None]]) -> Tensor:
    out: Tensor | None = None
    shape = [1] * x.dim()
    shape[dim] = -1
    for idx, w in taps:
        v = x.index_select(dim, _index(idx))
        if w is not None:
            v = v * tensor(w, dtype=x.dtype).reshape(shape)
        out = v if out is None else out + v
    assert out is not None
    return out


def _spatial(value: Any, dim: int) -> list[Any]:
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value] * dim


def interpolate(
    input: Tensor,
    size: int | Sequence[int] | None = None,
    scale_factor: float | Sequence[float] | None = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """Resizes the spatial dims of an (N, C, d1, ...) input to `size` or by `scale_factor`
    with mode 'nearest', 'nearest-exact', 'linear' (3-d), 'bilinear' (4-d), 'trilinear' (5-d),
    'bicubic' (4-d) or 'area' (adaptive average pooling, 3-d to 5-d)."""
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError(
                "align_corners option can only be set with the interpolating modes: "
                "linear | bilinear | bicubic | trilinear"
            )
    elif align_corners is None:
        align_corners = False
    dim = input.dim() - 2
    in_sizes = list(input.shape[2:])
    scales: list[float] | None
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        scales = None
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {in_sizes} and output size of {size}. "
                    "Please provide input tensor in (N, C, d1, d2, ...,dK) format and output "
                    "size in (o1, o2, ...,oK) format."
                )
            if not all(isinstance(s, (int, np.integer)) for s in size):
                raise TypeError(
                    "expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                    f"Tuple[int, int, int], but got size with types {[type(s) for s in size]}"
                )
        out_sizes = [int(s) for s in _spatial(size, dim)]
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)) and len(scale_factor) != dim:
            raise ValueError(
                "Input and scale_factor must have the same number of spatial dimensions, but "
                f"got input with spatial dimensions of {in_sizes} and scale_factor of shape "
                f"{scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) format "
                "and scale_factor in (s1, s2, ...,sK) format."
            )
        scales = [float(s) for s in _spatial(scale_factor, dim)]
        out_sizes = [math.floor(float(n) * s) for n, s in zip(in_sizes, scales, strict=True)]
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" or recompute_scale_factor:
        scales = None
    if antialias:
        if not (mode in ("bilinear", "bicubic", "lanczos") and input.dim() == 4):
            raise ValueError(
                "Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and "
                "requires a 4-D tensor as input"
            )
        raise NotImplementedError(
            f"[interpolate] antialias=True ({mode}) is not supported by pyautograd"
        )
    nd = input.dim()
    known = {"nearest": (3, 4, 5), "nearest-exact": (3, 4, 5), "area": (3, 4, 5), "bicubic": (4,)}
    known.update({m: (d,) for m, d in _LINEAR.items()})
    if mode not in known or nd not in (3, 4, 5):
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {nd}D) for the "
            "modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
            f"nearest-exact (got {mode})"
        )
    if nd not in known[mode]:
        if mode in _LINEAR:
            raise NotImplementedError(
                f"Got {nd}D input, but {mode} mode needs {_LINEAR[mode]}D input"
            )
        raise NotImplementedError(
            f"[interpolate] mode {mode!r} on a {nd}-d input is not supported by pyautograd"
        )
    if mode == "area" and 0 in out_sizes and all(s > 0 for s in in_sizes):
        # PyTorch's adaptive_avg_pool returns an empty result for an output size of 0
        return input.reshape(-1)[:0].reshape(*input.shape[:2], *out_sizes)
    if any(s <= 0 for s in out_sizes) or any(s <= 0 for s in in_sizes):
        raise RuntimeError(
            "Input and output sizes should be greater than 0, but got input "
            f"{tuple(in_sizes)} output {tuple(out_sizes)}"
        )
    if mode == "area":
        if nd == 5:
            from .conv3d import adaptive_avg_pool3d

            return adaptive_avg_pool3d(input, out_sizes)
        pool = adaptive_avg_pool1d if nd == 3 else adaptive_avg_pool2d
        return pool(input, out_sizes if nd == 4 else out_sizes[0])
    ft = np.float64 if str(input.dtype).endswith("float64") else np.float32
    x = input
    for i in reversed(range(dim)):
        n_in, n_out = in_sizes[i], out_sizes[i]
        s = None if scales is None else scales[i]
        if mode in ("nearest", "nearest-exact"):
            taps = _nearest_taps(n_in, n_out, s, mode == "nearest-exact")
        elif mode == "bicubic":
            taps = _cubic_taps(n_in, n_out, bool(align_corners), s, ft)
        else:
            taps = _linear_taps(n_in, n_out, bool(align_corners), s, ft)
        if len(taps) == 1 and taps[0][1] is None and n_in == n_out:
            continue
        x = _resample(x, 2 + i, taps)
    out = x if x is not input else input * 1
    kind = _UPSAMPLE_NODE.get(mode, "")
    return _core._show_grad_fn_as(out, f"{kind}{dim}DBackward0") if kind else out


# PyTorch's backward node of each interpolate mode: Upsample<kind><dims>DBackward0
_UPSAMPLE_NODE = {
    "nearest": "UpsampleNearest",
    "nearest-exact": "_UpsampleNearestExact",
    "linear": "UpsampleLinear",
    "bilinear": "UpsampleBilinear",
    "bicubic": "UpsampleBicubic",
    "trilinear": "UpsampleTrilinear",
}


def upsample(
    input: Tensor,
    size: int | Sequence[int] | None = None,
    scale_factor: float | Sequence[float] | None = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
) -> Tensor:
    """Deprecated alias of interpolate."""
    warnings.warn(
        "`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(
    input: Tensor,
    size: int | Sequence[int] | None = None,
    scale_factor: float | Sequence[float] | None = None,
) -> Tensor:
    """Deprecated: interpolate(..., mode='nearest')."""
    warnings.warn(
        "`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(
    input: Tensor,
    size: int | Sequence[int] | None = None,
    scale_factor: float | Sequence[float] | None = None,
) -> Tensor:
    """Deprecated: interpolate(..., mode='bilinear', align_corners=True)."""
    warnings.warn(
        "`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C r^2, H, W) -> (*, C, H r, W r): channel blocks become r x r pixel blocks."""
    if input.dim() < 3:
        raise RuntimeError(
            "pixel_shuffle expects input to have at least 3 dimensions, but got input with "
            f"{input.dim()} dimension(s)"
        )
    r = upscale_factor
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    *batch, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(
            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square "
            f"of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}"
        )
    b = len(batch)
    x = input.reshape(*batch, c // (r * r), r, r, h, w)
    x = x.permute(*range(b), b, b + 3, b + 1, b + 4, b + 2)
    return x.reshape(*batch, c // (r * r), h * r, w * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H r, W r) -> (*, C r^2, H, W): the inverse of pixel_shuffle."""
    if input.dim() < 3:
        raise RuntimeError(
            "pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
            f"{input.dim()} dimension(s)"
        )
    r = downscale_factor
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    *batch, c, h, w = input.shape
    if h % r:
        raise RuntimeError(
            "pixel_unshuffle expects height to be divisible by downscale_factor, but "
            f"input.size(-2)={h} is not divisible by {r}"
        )
    if w % r:
        raise RuntimeError(
            "pixel_unshuffle expects width to be divisible by downscale_factor, but "
            f"input.size(-1)={w} is not divisible by {r}"
        )
    b = len(batch)
    x = input.reshape(*batch, c, h // r, r, w // r, r)
    x = x.permute(*range(b), b, b + 2, b + 4, b + 1, b + 3)
    return x.reshape(*batch, c * r * r, h // r, w // r)


def _pair(v: int | Sequence[int], name: str) -> tuple[int, int]:
    t = (v, v) if isinstance(v, int) else tuple(v)
    if len(t) != 2:
        raise RuntimeError(f"[unfold/fold] {name} must be an int or a pair, got {v}")
    return int(t[0]), int(t[1])


def _positions(
    padded: tuple[int, int],
    kernel: tuple[int, int],
    dilation: tuple[int, int],
    stride: tuple[int, int],
    blocks: tuple[int, int],
) -> np.ndarray:
    """The flat index into the padded (H, W) plane of every (kernel offset, block) pair, in
    im2col's order: kernel row, kernel column, then block row, block column."""
    ki = np.arange(kernel[0]).reshape(-1, 1, 1, 1) * dilation[0]
    kj = np.arange(kernel[1]).reshape(1, -1, 1, 1) * dilation[1]
    oi = np.arange(blocks[0]).reshape(1, 1, -1, 1) * stride[0]
    oj = np.arange(blocks[1]).reshape(1, 1, 1, -1) * stride[1]
    return ((ki + oi) * padded[1] + (kj + oj)).reshape(-1)


def _blocks(
    size: tuple[int, int],
    kernel: tuple[int, int],
    dilation: tuple[int, int],
    padding: tuple[int, int],
    stride: tuple[int, int],
) -> tuple[int, int]:
    return (
        (size[0] + 2 * padding[0] - dilation[0] * (kernel[0] - 1) - 1) // stride[0] + 1,
        (size[1] + 2 * padding[1] - dilation[1] * (kernel[1] - 1) - 1) // stride[1] + 1,
    )


def _check_params(
    kernel: tuple[int, int],
    dilation: tuple[int, int],
    padding: tuple[int, int],
    stride: tuple[int, int],
    op: str,
) -> None:
    if min(kernel) <= 0:
        raise RuntimeError(f"[{op}] kernel size should be greater than zero, but got {kernel}")
    if min(dilation) <= 0:
        raise RuntimeError(f"[{op}] dilation should be greater than zero, but got {dilation}")
    if min(padding) < 0:
        raise RuntimeError(f"[{op}] padding should be non-negative, but got {padding}")
    if min(stride) <= 0:
        raise RuntimeError(f"[{op}] stride should be greater than zero, but got {stride}")


def unfold(
    input: Tensor,
    kernel_size: int | Sequence[int],
    dilation: int | Sequence[int] = 1,
    padding: int | Sequence[int] = 0,
    stride: int | Sequence[int] = 1,
) -> Tensor:
    """im2col: the sliding kh x kw blocks of an (N, C, H, W) (or (C, H, W)) input as columns,
    (N, C kh kw, L)."""
    k, d = _pair(kernel_size, "kernel_size"), _pair(dilation, "dilation")
    p, s = _pair(padding, "padding"), _pair(stride, "stride")
    _check_params(k, d, p, s, "unfold")
    if input.dim() not in (3, 4) or (input.numel() == 0 and input.dim() == 3):
        raise RuntimeError(
            "Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other "
            f"non-zero dimensions for input, but got: {list(input.shape)}"
        )
    batched = input.dim() == 4
    x = input if batched else input.unsqueeze(0)
    n, c, h, w = x.shape
    blocks = _blocks((h, w), k, d, p, s)
    if blocks[0] < 1 or blocks[1] < 1:
        raise RuntimeError(
            f"Given input with spatial size ({h}, {w}), kernel_size=({k[0]}, {k[1]}), "
            f"dilation=({d[0]}, {d[1]}), padding=({p[0]}, {p[1]}), calculated shape of the array "
            f"of sliding blocks as ({blocks[0]}, {blocks[1]}), but its components must be at "
            "least one."
        )
    if p != (0, 0):
        x = pad(x, (p[1], p[1], p[0], p[0]))
    hp, wp = h + 2 * p[0], w + 2 * p[1]
    idx = _positions((hp, wp), k, d, s, blocks)
    cols = x.reshape(n, c, hp * wp).index_select(2, _index(idx))
    out = cols.reshape(n, c * k[0] * k[1], blocks[0] * blocks[1])
    return out if batched else out.squeeze(0)


def col2im(
    cols: Tensor,
    output_size: tuple[int, int],
    kernel: tuple[int, int],
    dilation: tuple[int, int],
    padding: tuple[int, int],
    stride: tuple[int, int],
    blocks: tuple[int, int],
) -> Tensor:
    """Sums (N, C kh kw, blocks) columns into (N, C, H, W): block (i, j) at kernel offset
    (a, b) lands at (i s0 + a d0 - p0, j s1 + b d1 - p1); what lands outside is dropped (the
    plane may extend past the padding, as for a transposed convolution's output_padding)."""
    n = cols.shape[0]
    kk = kernel[0] * kernel[1]
    c = cols.shape[1] // kk
    hp = max(
        (blocks[0] - 1) * stride[0] + dilation[0] * (kernel[0] - 1) + 1, padding[0] + output_size[0]
    )
    wp = max(
        (blocks[1] - 1) * stride[1] + dilation[1] * (kernel[1] - 1) + 1, padding[1] + output_size[1]
    )
    idx = _positions((hp, wp), kernel, dilation, stride, blocks)
    plane = _core.zeros(n, c, hp * wp, dtype=cols.dtype)
    length = blocks[0] * blocks[1]
    out = plane.index_add(2, _index(idx), cols.reshape(n, c, kk * length)).reshape(n, c, hp, wp)
    if (hp, wp) != tuple(output_size):
        p0, p1 = padding
        out = out[:, :, p0 : p0 + output_size[0], p1 : p1 + output_size[1]]
    return out


def fold(
    input: Tensor,
    output_size: int | Sequence[int],
    kernel_size: int | Sequence[int],
    dilation: int | Sequence[int] = 1,
    padding: int | Sequence[int] = 0,
    stride: int | Sequence[int] = 1,
) -> Tensor:
    """col2im: sums (N, C kh kw, L) columns of sliding blocks back into an (N, C, H, W) output
    (overlaps add up); the adjoint of unfold."""
    o = _pair(output_size, "output_size")
    k, d = _pair(kernel_size, "kernel_size"), _pair(dilation, "dilation")
    p, s = _pair(padding, "padding"), _pair(stride, "stride")
    _check_params(k, d, p, s, "fold")
    if input.dim() not in (2, 3):
        raise RuntimeError(
            "Expected 2D or 3D (batch mode) tensor with possibly 0 batch size and non-zero "
            f"dimensions for input, but got: {list(input.shape)}"
        )
    batched = input.dim() == 3
    x = input if batched else input.unsqueeze(0)
    ckk, length = x.shape[1], x.shape[2]
    kk = k[0] * k[1]
    if ckk % kk:
        raise RuntimeError(
            "Expected size of input's dimension 1 to be divisible by the product of kernel_size, "
            f"but got input.size(1)={ckk} and kernel_size=({k[0]}, {k[1]})"
        )
    blocks = _blocks(o, k, d, p, s)
    if blocks[0] * blocks[1] != length:
        raise RuntimeError(
            f"Given output_size=({o[0]}, {o[1]}), kernel_size=({k[0]}, {k[1]}), "
            f"dilation=({d[0]}, {d[1]}), padding=({p[0]}, {p[1]}), stride=({s[0]}, {s[1]}), "
            f"expected size of input's dimension 2 to match the calculated number of sliding "
            f"blocks {blocks[0]} * {blocks[1]} = {blocks[0] * blocks[1]}, but got "
            f"input.size(2)={length}."
        )
    out = col2im(x, o, k, d, p, s, blocks)
    return out if batched else out.squeeze(0)
