"""affine_grid and grid_sample of nn.functional (4-d inputs, 2-d affine transforms), as
compositions of core ops following ATen's CPU kernels: the grid is unnormalized (and clipped
or reflected by padding_mode) into pixel coordinates; bilinear sampling gathers the four
corners and weighs them, so the gradient flows to the input (a scatter-add) and to the grid
(through the weights), as in PyTorch (spatial transformer networks train through both)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

from ... import _core
from ..._core import Tensor

__all__ = ["affine_grid", "grid_sample"]

_DEFAULT = (
    "Default grid_sample and affine_grid behavior has changed to align_corners=False since "
    "1.3.0. Please specify align_corners=True if the old behavior is desired. See the "
    "documentation of grid_sample for details."
)


def _linspace(n: int, align_corners: bool, dtype: _core.dtype) -> Tensor:
    if n <= 1:
        return _core.zeros(max(n, 1), dtype=dtype)
    r = _core.linspace(-1.0, 1.0, n, dtype=dtype)
    return r if align_corners else r * ((n - 1) / n)


def affine_grid(theta: Tensor, size: Sequence[int], align_corners: bool | None = None) -> Tensor:
    """The (N, H, W, 2) sampling grid of the batch of 2-d affine matrices theta (N, 2, 3) for
    an output of size (N, C, H, W), in grid_sample's [-1, 1] coordinates."""
    if align_corners is None:
        warnings.warn(_DEFAULT, stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = list(size)
    if len(size) == 4:
        if theta.dim() != 3 or theta.shape[-2] != 2 or theta.shape[-1] != 3:
            raise ValueError(
                f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {size}. Got "
                f"{theta.shape}."
            )
    elif len(size) == 5:
        raise NotImplementedError("[affine_grid] 3-d affine grids (5-d sizes) are not supported")
    else:
        raise NotImplementedError(
            "affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
            f"respectively. Got size {size}."
        )
    if align_corners and min(size[-2:]) == 1:
        warnings.warn(
            "Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
            "align_corners=True. This is not an intended use case of affine_grid. See the "
            "documentation of affine_grid for details.",
            stacklevel=2,
        )
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    n, _, h, w = size
    xs = _linspace(w, align_corners, theta.dtype).reshape(1, w).expand(h, w)
    ys = _linspace(h, align_corners, theta.dtype).reshape(h, 1).expand(h, w)
    base = _core.stack([xs, ys, _core.ones(h, w, dtype=theta.dtype)], 2).reshape(1, h * w, 3)
    grid = base.expand(n, h * w, 3).matmul(theta.transpose(1, 2))
    return grid.reshape(n, h, w, 2)


def _reflect(coord: Tensor, twice_low: int, twice_high: int) -> Tensor:
    if twice_low == twice_high:
        return coord * 0.0
    low = twice_low / 2
    span = (twice_high - twice_low) / 2
    x = (coord - low).abs()
    extra = x.fmod(span)
    flips = (x.detach() / span).floor()
    even = flips.fmod(2) == 0
    return _core.where(even, extra + low, span - extra + low)


def _source(coord: Tensor, size: int, padding_mode: str, align_corners: bool) -> Tensor:
    if align_corners:
        x = (coord + 1) / 2 * (size - 1)
    else:
        x = ((coord + 1) * size - 1) / 2
    if padding_mode == "border":
        x = x.clamp(0, size - 1)
    elif padding_mode == "reflection":
        x = _reflect(x, 0, 2 * (size - 1)) if align_corners else _reflect(x, -1, 2 * size - 1)
        x = x.clamp(0, size - 1)
    return x


def _fetch(flat: Tensor, xi: Tensor, yi: Tensor, w: int, h: int) -> tuple[Tensor, Tensor]:
    """The input values at integer pixel coordinates (N, Ho, Wo) and the 0/1 in-bounds mask."""
    n, c = flat.shape[0], flat.shape[1]
    valid = (xi >= 0).logical_and(xi <= w - 1).logical_and(yi >= 0).logical_and(yi <= h - 1)
    idx = (yi.clamp(0, h - 1) * w + xi.clamp(0, w - 1)).long()
    ho, wo = idx.shape[1], idx.shape[2]
    index = idx.reshape(n, 1, ho * wo).expand(n, c, ho * wo).contiguous()
    vals = flat.gather(2, index).reshape(n, c, ho, wo)
    return vals, valid


def grid_sample(
    input: Tensor,
    grid: Tensor,
    mode: str = "bilinear",
    padding_mode: str = "zeros",
    align_corners: bool | None = None,
) -> Tensor:
    """Samples input (N, C, H, W) at the grid's (N, Ho, Wo, 2) locations (x, y in [-1, 1]):
    mode 'bilinear' or 'nearest'; padding_mode 'zeros', 'border' or 'reflection'."""
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(
            "nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or "
            f"'bicubic', but got: '{mode}'"
        )
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(
            "nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
            f"'reflection', but got: '{padding_mode}'"
        )
    if align_corners is None:
        warnings.warn(_DEFAULT, stacklevel=2)
        align_corners = False
    if mode == "bicubic":
        raise NotImplementedError("[grid_sample] mode='bicubic' is not supported by pyautograd")
    if input.dim() != 4 or grid.dim() != 4:
        raise NotImplementedError(
            f"[grid_sample] only 4-d inputs and grids are supported, got input "
            f"{list(input.shape)} and grid {list(grid.shape)}"
        )
    n, c, h, w = input.shape
    if grid.shape[0] != n or grid.shape[3] != 2:
        raise RuntimeError(
            "grid_sampler(): expected grid to have size 2 in last dimension and the same batch "
            f"size as input, but got input with sizes {list(input.shape)} and grid with sizes "
            f"{list(grid.shape)}"
        )
    ix = _source(grid[..., 0], w, padding_mode, align_corners)
    iy = _source(grid[..., 1], h, padding_mode, align_corners)
    flat = input.reshape(n, c, h * w)
    if mode == "nearest":
        vals, valid = _fetch(flat, ix.detach().round(), iy.detach().round(), w, h)
        # PyTorch's grid gradient is zeros here: keep the grid in the graph with a zero term
        zero = (ix.clamp(-1, w) + iy.clamp(-1, h)) * 0.0
        return vals * valid.to(input.dtype).unsqueeze(1) + zero.unsqueeze(1)
    x0, y0 = ix.detach().floor(), iy.detach().floor()
    x1, y1 = x0 + 1, y0 + 1
    out: Tensor | None = None
    for xi, yi, weight in (
        (x0, y0, (x1 - ix) * (y1 - iy)),
        (x1, y0, (ix - x0) * (y1 - iy)),
        (x0, y1, (x1 - ix) * (iy - y0)),
        (x1, y1, (ix - x0) * (iy - y0)),
    ):
        vals, valid = _fetch(flat, xi, yi, w, h)
        term = vals * (weight * valid.to(input.dtype)).unsqueeze(1)
        out = term if out is None else out + term
    assert out is not None
    return out
