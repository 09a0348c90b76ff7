"""More of PyTorch's tensor functions, composed of the core's ops (gradients come with them
where PyTorch has one): logaddexp/logaddexp2, fmax/fmin, nansum/nanmean, diff, tensordot, kron,
cross, rot90, cartesian_prod, combinations, block_diag, tril_indices/triu_indices, isin,
logspace, heaviside, cummax/cummin, quantile/nanquantile, cov/corrcoef, masked_scatter.
"""

from __future__ import annotations

import builtins
import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import _core, return_types
from ._api import broadcast_shapes, broadcast_tensors, meshgrid
from ._core import Tensor


def _need(op: str, name: str, value: Any) -> Tensor:
    if not isinstance(value, Tensor):
        raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(value).__name__}")
    return value


def _as_tensor(value: Any, like: Tensor) -> Tensor:
    if isinstance(value, Tensor):
        return value
    return _core.full((), value, dtype=like.dtype)


def _wrap_dim(op: str, dim: int, n: int) -> int:
    rank = builtins.max(n, 1)
    if not -rank <= dim < rank:
        raise IndexError(
            f"[{op}] Dimension out of range (expected to be in range of [{-rank}, {rank - 1}], "
            f"but got {dim})"
        )
    return dim % rank


# --- elementwise ---------------------------------------------------------------------------------


_LOGADDEXP: Any = None


def _logaddexp_fn() -> Any:
    """logaddexp(2) with PyTorch's backward: g / (1 + exp(b - a)) for a (in base 2 for
    logaddexp2), which stays inf for an infinite g where the composite's terms give NaN."""
    global _LOGADDEXP
    if _LOGADDEXP is None:
        from .autograd import Function

        class LogAddExpBackward0(Function):
            @staticmethod
            def forward(ctx: Any, *args: Any) -> Tensor:
                a, b, base = args
                ctx.base = base
                ctx.save_for_backward(a, b)
                return logaddexp2(a, b) if base else logaddexp(a, b)

            @staticmethod
            def backward(ctx: Any, *grads: Tensor) -> Any:
                g = grads[0]
                a, b = ctx.saved_tensors
                if ctx.base:
                    ga = g / (1 + (2 ** (b - a)))
                    gb = g / (1 + (2 ** (a - b)))
                else:
                    ga = g / (1 + (b - a).exp())
                    gb = g / (1 + (a - b).exp())
                return ga.sum_to_size(*a.shape), gb.sum_to_size(*b.shape), None

        _LOGADDEXP = LogAddExpBackward0
    return _LOGADDEXP


def logaddexp(input: Tensor, other: Tensor) -> Tensor:
    """log(exp(input) + exp(other)), computed without overflow (equal infinities give
    themselves)."""
    a, b = _need("logaddexp", "input", input), _as_tensor(other, input)
    if not (a.is_floating_point() or b.is_floating_point()):
        name = {"int64": "Long", "bool": "Bool"}.get(str(a.dtype).rsplit(".", 1)[-1], "Long")
        raise NotImplementedError(f"\"logaddexp_cpu\" not implemented for '{name}'")
    dt = _core.result_type(a, b)
    a, b = a.to(dt), b.to(dt)
    if _core.is_grad_enabled() and (a.requires_grad or b.requires_grad):
        r1: Tensor = _logaddexp_fn().apply(a, b, None)
        return r1
    m = _core.maximum(a, b)
    out = m + (-(a - b).abs()).exp().log1p()
    return _core.where((a == b) & a.isinf(), a, out)


def logaddexp2(input: Tensor, other: Tensor) -> Tensor:
    """log2(2**input + 2**other), computed without overflow."""
    a, b = _need("logaddexp2", "input", input), _as_tensor(other, input)
    if not (a.is_floating_point() or b.is_floating_point()):
        name = {"int64": "Long", "bool": "Bool"}.get(str(a.dtype).rsplit(".", 1)[-1], "Long")
        raise NotImplementedError(f"\"logaddexp2_cpu\" not implemented for '{name}'")
    dt = _core.result_type(a, b)
    a, b = a.to(dt), b.to(dt)
    if _core.is_grad_enabled() and (a.requires_grad or b.requires_grad):
        r2: Tensor = _logaddexp_fn().apply(a, b, 2.0)
        return r2
    m = _core.maximum(a, b)
    out = m + (-(a - b).abs() * math.log(2.0)).exp().log1p() / math.log(2.0)
    return _core.where((a == b) & a.isinf(), a, out)


def fmax(input: Tensor, other: Tensor) -> Tensor:
    """The elementwise maximum, ignoring NaN (NaN only where both are NaN)."""
    a, b = _need("fmax", "input", input), _as_tensor(other, input)
    return _core.where((a >= b) | b.isnan(), a, b)


def fmin(input: Tensor, other: Tensor) -> Tensor:
    """The elementwise minimum, ignoring NaN (NaN only where both are NaN)."""
    a, b = _need("fmin", "input", input), _as_tensor(other, input)
    return _core.where((a <= b) | b.isnan(), a, b)


def heaviside(input: Tensor, values: Tensor) -> Tensor:
    """0 where input < 0, 1 where input > 0, values where input == 0 (no gradient, as in
    PyTorch)."""
    _need("heaviside", "input", input)
    _need("heaviside", "values", values)
    if input.dtype != values.dtype:
        raise RuntimeError(
            f"[heaviside] input and values must have the same dtype, got {input.dtype} and "
            f"{values.dtype}"
        )
    x = input.detach()
    return _core.where(x == 0, values.detach(), (x > 0).to(input.dtype))


# --- reductions ----------------------------------------------------------------------------------


def nansum(
    input: Tensor, dim: int | Sequence[int] | None = None, keepdim: bool = False, *,
    dtype: _core.dtype | None = None,
) -> Tensor:  # fmt: skip
    """The sum treating NaN as zero."""
    x = _need("nansum", "input", input)
    if x.is_floating_point():
        x = _core.where(x.isnan(), _core.zeros((), dtype=x.dtype), x)
    return x.sum(dim, keepdim, dtype=dtype) if dim is not None else x.sum(dtype=dtype)


def nanmean(
    input: Tensor, dim: int | Sequence[int] | None = None, keepdim: bool = False, *,
    dtype: _core.dtype | None = None,
) -> Tensor:  # fmt: skip
    """The mean of the non-NaN elements (NaN where there are none; the gradient there is 0,
    where PyTorch's is NaN)."""
    x = _need("nanmean", "input", input)
    if not x.is_floating_point():
        raise RuntimeError(f"[nanmean] expected a floating point tensor as input, got {x.dtype}")
    count = (~x.isnan()).sum(dim, keepdim) if dim is not None else (~x.isnan()).sum()
    return nansum(x, dim, keepdim, dtype=dtype) / count


def _quantile(
    op: str, input: Tensor, q: float | Tensor, dim: int | None, keepdim: bool, interpolation: str,
    ignore_nan: bool,
) -> Tensor:  # fmt: skip
    x = _need(op, "input", input)
    if not x.is_floating_point():
        raise RuntimeError(f"[{op}] quantile() input tensor must be either float or double dtype")
    modes = ("linear", "lower", "higher", "midpoint", "nearest")
    if interpolation not in modes:
        raise ValueError(
            f"[{op}] interpolation must be one of linear, lower, higher, midpoint or nearest. "
            f"Got {interpolation}"
        )
    scalar_q = not isinstance(q, Tensor)
    qt = q if isinstance(q, Tensor) else _core.full((), float(q), dtype=x.dtype)
    if qt.dim() > 1:
        raise RuntimeError(f"[{op}] quantile() q must be a scalar or 1D tensor")
    qs = [float(v) for v in qt.reshape(-1).tolist()]
    if any(not 0 <= v <= 1 for v in qs):
        raise RuntimeError(f"[{op}] quantile() q values must be in the range [0, 1]")
    if dim is None:
        x, d = x.reshape(-1), 0
    else:
        d = _wrap_dim(op, dim, x.dim())
        if x.dim() == 0:
            x = x.reshape(1)
    n = x.shape[d]
    if n == 0:
        raise IndexError(f"[{op}] quantile() input tensor must be non-empty")
    srt = x.sort(d)[0]  # NaN sort last
    nan_count = x.isnan().sum(d, keepdim=True)
    valid = (n - nan_count) if ignore_nan else _core.full(nan_count.shape, n, dtype=_core.int64)
    outs = []
    for v in qs:
        pos = (valid - 1).clamp(min=0).to(x.dtype) * v
        if interpolation == "lower":
            pos = pos.floor()
        elif interpolation == "higher":
            pos = pos.ceil()
        elif interpolation == "nearest":
            pos = pos.round()
        lo = pos.floor().to(_core.int64)
        hi = pos.ceil().to(_core.int64)
        v_lo, v_hi = srt.gather(d, lo), srt.gather(d, hi)
        if interpolation == "midpoint":
            val = v_lo + (v_hi - v_lo) * 0.5
        else:
            val = v_lo + (v_hi - v_lo) * (pos - lo.to(x.dtype))
        # a NaN in the slice gives NaN (quantile), or no valid element does (nanquantile)
        bad = (nan_count > 0) if not ignore_nan else (valid == 0)
        val = _core.where(bad, _core.full((), math.nan, dtype=x.dtype), val)
        outs.append(val if keepdim or (dim is None and keepdim) else val.squeeze(d))
    if dim is None and keepdim:
        outs = [o.reshape([1] * input.dim()) for o in outs]
    elif dim is None:
        outs = [o.reshape(()) for o in outs]
    return outs[0] if scalar_q or qt.dim() == 0 else _core.stack(outs)


def quantile(
    input: Tensor, q: float | Tensor, dim: int | None = None, keepdim: bool = False, *,
    interpolation: str = "linear",
) -> Tensor:  # fmt: skip
    """The q-th quantiles of input (over dim; None: all elements), interpolated as asked; NaN
    where a reduced slice has a NaN. A 1-d q puts its quantiles on a new first dim."""
    return _quantile("quantile", input, q, dim, keepdim, interpolation, False)


def nanquantile(
    input: Tensor, q: float | Tensor, dim: int | None = None, keepdim: bool = False, *,
    interpolation: str = "linear",
) -> Tensor:  # fmt: skip
    """quantile ignoring NaN (NaN where a slice has only NaN)."""
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, True)


def _cum_extreme(op: str, input: Tensor, dim: int) -> Any:
    x = _need(op, "input", input)
    pair = return_types.cummax if op == "cummax" else return_types.cummin
    if x.numel() == 0 and isinstance(dim, int):  # PyTorch returns early, dim unchecked
        return pair(x.clone(), _core.from_numpy(np.zeros(tuple(x.shape), dtype=np.int64)))
    d = _wrap_dim(op, dim, x.dim())
    a = np.asarray(x.detach().numpy()) if x.dim() else np.asarray(x.detach().numpy()).reshape(1)
    a = np.moveaxis(a, d, 0)
    idx = np.zeros(a.shape, dtype=np.int64)
    if a.shape[0]:
        best, arg = a[0].copy(), np.zeros(a.shape[1:], dtype=np.int64)
        idx[0] = 0
        is_float = np.issubdtype(a.dtype, np.floating)
        for i in range(1, a.shape[0]):
            cur = a[i]
            take = cur >= best if op == "cummax" else cur <= best
            if is_float:
                take = np.isnan(cur) | (~np.isnan(best) & take)
            best = np.where(take, cur, best)
            arg = np.where(take, i, arg)
            idx[i] = arg
    # indices: a tensor of its own too (no reshape view: detach_() of it is allowed)
    idx_t = _core.from_numpy(np.ascontiguousarray(np.moveaxis(idx, 0, d)).reshape(tuple(x.shape)))
    # values: a tensor of its own (as PyTorch's; detach_() of it is allowed), not a view
    values = x.gather(d, idx_t) if x.dim() else x.reshape(1).gather(0, idx_t.reshape(1))[0].clone()
    return pair(values, idx_t)


def cummax(input: Tensor, dim: int) -> Any:
    """(values, indices): the running maximum along dim and where it was taken (the last of
    equal values; NaN propagates). The gradient goes to those indices, as in PyTorch."""
    return _cum_extreme("cummax", input, dim)


def cummin(input: Tensor, dim: int) -> Any:
    """(values, indices): the running minimum along dim and where it was taken."""
    return _cum_extreme("cummin", input, dim)


def cov(
    input: Tensor, *, correction: int = 1, fweights: Tensor | None = None,
    aweights: Tensor | None = None,
) -> Tensor:  # fmt: skip
    """The covariance matrix of the variables in input's rows (observations in its columns),
    with frequency and observation weights and PyTorch's correction."""
    x = _need("cov", "input", input)
    if x.dim() > 2:
        raise RuntimeError(
            f"[cov] expected input to have two or fewer dimensions but got {x.dim()}"
        )
    if x.dim() < 2:
        x = x.reshape(1, -1)
    if not x.is_floating_point():
        x = x.to(_core._get_default_dtype())
    n_obs = x.shape[1]
    w: Tensor | None = None
    if fweights is not None:
        w = fweights
    if aweights is not None:
        w = aweights if w is None else w * aweights
    if w is None:
        avg = x.mean(1)
        w_sum = _core.full((), float(n_obs), dtype=x.dtype)
        norm_factor = w_sum - correction
    else:
        w = w.to(x.dtype)
        w_sum = w.sum()
        avg = (x * w).sum(1) / w_sum
        if correction == 0:
            norm_factor = w_sum
        elif aweights is None:
            norm_factor = w_sum - correction
        else:
            norm_factor = w_sum - correction * (w * aweights.to(x.dtype)).sum() / w_sum
    norm_factor = norm_factor.clamp(min=0)
    xm = x - avg.unsqueeze(1)
    xw = xm if w is None else xm * w
    c = xw.mm(xm.t()) / norm_factor
    return c.squeeze() if input.dim() < 2 else c


def corrcoef(input: Tensor) -> Tensor:
    """The Pearson correlation coefficients of the variables in input's rows, clipped to
    [-1, 1]."""
    c = cov(input)
    if c.dim() == 0:
        return c / c
    d = c.diagonal()
    std = d.sqrt()
    c = c / std.unsqueeze(1) / std.unsqueeze(0)
    return c.clamp(-1, 1)


# --- shape and construction ----------------------------------------------------------------------


def diff(
    input: Tensor, n: int = 1, dim: int = -1, prepend: Tensor | None = None,
    append: Tensor | None = None,
) -> Tensor:  # fmt: skip
    """The n-th forward difference along dim (after concatenating prepend and append); bool
    inputs give not-equal."""
    x = _need("diff", "input", input)
    if x.dim() == 0:
        raise RuntimeError("[diff] diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"[diff] order must be non-negative but got {n}")
    d = _wrap_dim("diff", dim, x.dim())
    parts = [t for t in (prepend, x, append) if t is not None]
    if len(parts) > 1:
        x = _core.cat(parts, d)
    for _ in range(n):
        length = x.shape[d]
        if length == 0:
            break
        hi, lo = x.narrow(d, 1, length - 1), x.narrow(d, 0, length - 1)
        x = hi != lo if x.dtype == _core.bool else hi - lo
    return x


def tensordot(
    a: Tensor, b: Tensor, dims: int | Sequence[Any] | Tensor = 2, out: Tensor | None = None
) -> Tensor:
    """The sum of products over the given dims: dims an int (the last dims of a with the first
    of b) or a pair of lists of dims."""
    _need("tensordot", "a", a)
    _need("tensordot", "b", b)
    if isinstance(dims, Tensor):
        dims = dims.tolist() if dims.dim() else int(dims.item())
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"[tensordot] tensordot expects dims >= 0, but got dims={dims}")
        da = list(range(a.dim() - dims, a.dim()))
        db = list(range(dims))
    else:
        da_raw, db_raw = dims
        da = [da_raw] if isinstance(da_raw, int) else list(da_raw)
        db = [db_raw] if isinstance(db_raw, int) else list(db_raw)
    if len(da) != len(db):
        raise RuntimeError("[tensordot] both dimension lists should have same length")
    da = [_wrap_dim("tensordot", d, a.dim()) for d in da]
    db = [_wrap_dim("tensordot", d, b.dim()) for d in db]
    for i, j in zip(da, db, strict=True):
        if a.shape[i] != b.shape[j]:
            raise RuntimeError(
                f"[tensordot] contracted dimensions need to match, but first has size "
                f"{a.shape[i]} in dim {i} and second has size {b.shape[j]} in dim {j}"
            )
    fa = [i for i in range(a.dim()) if i not in da]
    fb = [j for j in range(b.dim()) if j not in db]
    k = math.prod(a.shape[i] for i in da)
    m = math.prod(a.shape[i] for i in fa)
    n = math.prod(b.shape[j] for j in fb)
    am = a.permute(*fa, *da).reshape(m, k)
    bm = b.permute(*db, *fb).reshape(k, n)
    res = am.mm(bm).reshape([*[a.shape[i] for i in fa], *[b.shape[j] for j in fb]])
    if out is not None:
        if tuple(out.shape) != tuple(res.shape):
            raise RuntimeError(
                f"[tensordot] out has shape {tuple(out.shape)}, the result {tuple(res.shape)}"
            )
        return out.copy_(res)
    return res


def kron(input: Tensor, other: Tensor) -> Tensor:
    """The Kronecker product of two tensors (the smaller rank padded with leading ones)."""
    a, b = _need("kron", "input", input), _need("kron", "other", other)
    n = builtins.max(a.dim(), b.dim())
    a = a.reshape([1] * (n - a.dim()) + list(a.shape))
    b = b.reshape([1] * (n - b.dim()) + list(b.shape))
    ai = a.reshape([s for d in a.shape for s in (d, 1)])
    bi = b.reshape([s for d in b.shape for s in (1, d)])
    out = (ai * bi).reshape([x * y for x, y in zip(a.shape, b.shape, strict=True)])
    # a tensor of its own, as PyTorch's (its _unsafe_view is no view: detach_() runs)
    return _core._show_grad_fn_as(out.clone(), "UnsafeViewBackward0")


def _cross(op: str, input: Tensor, other: Tensor, dim: int) -> Tensor:
    if input.dtype != other.dtype:
        raise RuntimeError(f"[{op}] expected scalar type {input.dtype} but found {other.dtype}")
    a, b = broadcast_tensors(input, other)
    d = _wrap_dim(op, dim, a.dim())
    da, db = d - (a.dim() - input.dim()), d - (b.dim() - other.dim())
    sa = input.shape[da] if da >= 0 else 1
    sb = other.shape[db] if db >= 0 else 1
    if sa != 3 or sb != 3:
        raise RuntimeError(
            f"{op}: inputs dimension {dim} must have length 3. Got {sa} and {sb}"
        )  # fmt: skip
    if a.shape[d] != 3:
        raise RuntimeError(
            f"[{op}] inputs dimension {dim} must have length 3. Got {input.shape[d]} and "
            f"{other.shape[d]}"
        )
    a0, a1, a2 = (a.select(d, i) for i in range(3))
    b0, b1, b2 = (b.select(d, i) for i in range(3))
    return _core.stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], d)


def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    """The cross product of 3-vectors along dim (None: the first dim of size 3, as PyTorch)."""
    _need("cross", "input", input)
    _need("cross", "other", other)
    if dim is None:
        sizes = broadcast_shapes(input.shape, other.shape)
        found = [i for i, s in enumerate(sizes) if s == 3]
        if not found:
            raise RuntimeError(
                f"[cross] no dimension of size 3 in input {tuple(input.shape)} and other "
                f"{tuple(other.shape)}"
            )
        dim = found[0]
    return _cross("cross", input, other, dim)


def linalg_cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:
    """``torch.linalg.cross``: the cross product along dim (default the last)."""
    _need("linalg.cross", "input", input)
    _need("linalg.cross", "other", other)
    return _cross("linalg.cross", input, other, dim)


def rot90(input: Tensor, k: int = 1, dims: Sequence[int] = (0, 1)) -> Tensor:
    """input rotated by 90 degrees k times in the plane of dims (from the first towards the
    second)."""
    x = _need("rot90", "input", input)
    dims = list(dims)
    if len(dims) != 2:
        raise RuntimeError(f"[rot90] expected total rotation dims == 2, but got dims = {len(dims)}")
    if x.dim() < 2:
        raise RuntimeError(f"[rot90] expected total dims >= 2, but got total dims = {x.dim()}")
    d0, d1 = (_wrap_dim("rot90", d, x.dim()) for d in dims)
    if d0 == d1:
        raise RuntimeError(f"[rot90] expected rotation dims to be different, but got {d0}, {d1}")
    k %= 4
    if k == 1:
        return x.flip([d1]).transpose(d0, d1)
    if k == 2:
        return x.flip([d0, d1])
    if k == 3:
        return x.flip([d0]).transpose(d0, d1)
    return x.clone()


def cartesian_prod(*tensors: Tensor) -> Tensor:
    """The Cartesian product of 1-d tensors: one row per combination (1-d for one input)."""
    for i, t in enumerate(tensors):
        _need("cartesian_prod", f"tensors[{i}]", t)
        if t.dim() != 1:
            raise RuntimeError(
                f"[cartesian_prod] Expect a 1D vector, but got shape {tuple(t.shape)}"
            )
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return _core.stack([g.reshape(-1) for g in grids], 1)


def combinations(input: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:
    """The length-r combinations of a 1-d tensor's elements, one per row (itertools order)."""
    x = _need("combinations", "input", input)
    if x.dim() != 1:
        raise RuntimeError(f"[combinations] Expect a 1D vector, but got shape {tuple(x.shape)}")
    if r < 0:
        raise RuntimeError(f"[combinations] Expect a non-negative number, but got {r}")
    if r == 0:
        return _core.empty(0, dtype=x.dtype)
    gen = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    rows = list(gen(range(x.shape[0]), r))
    if not rows:
        return _core.empty(0, r, dtype=x.dtype)
    idx = _core.from_numpy(np.array(rows, dtype=np.int64))
    return x.index_select(0, idx.reshape(-1)).reshape(len(rows), r)


def block_diag(*tensors: Tensor) -> Tensor:
    """A block-diagonal matrix of the given 0-, 1- or 2-d tensors (zeros elsewhere)."""
    mats = []
    for i, t in enumerate(tensors):
        _need("block_diag", f"tensors[{i}]", t)
        if t.dim() > 2:
            raise RuntimeError(
                f"[block_diag] Input tensors must have 2 or fewer dimensions. Input {i} has "
                f"{t.dim()} dimensions"
            )
        mats.append(t.reshape(1, -1) if t.dim() < 2 else t)
    if not mats:
        return _core.empty(1, 0)
    dtype = mats[0].dtype
    for m in mats[1:]:
        dtype = _core.promote_types(dtype, m.dtype)
    cols = builtins.sum(m.shape[1] for m in mats)
    rows, left = [], 0
    for m in mats:
        h, w = m.shape
        parts = []
        if left:
            parts.append(_core.zeros(h, left, dtype=dtype))
        parts.append(m.to(dtype))
        if cols - left - w:
            parts.append(_core.zeros(h, cols - left - w, dtype=dtype))
        rows.append(_core.cat(parts, 1))
        left += w
    return _core.cat(rows, 0)


def _tri_indices(op: str, row: int, col: int, offset: int, dtype: Any, upper: bool) -> Tensor:
    if dtype is not None and dtype not in (_core.int64, _core.int32):
        raise RuntimeError(f"[{op}] dtype must be int32 or int64, got {dtype}")
    r, c = (np.triu_indices if upper else np.tril_indices)(row, offset, col)
    out = _core.from_numpy(np.stack([r, c]).astype(np.int64).reshape(2, -1))
    return out if dtype in (None, _core.int64) else out.to(dtype)


def tril_indices(
    row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None,
    layout: Any = None,
) -> Tensor:  # fmt: skip
    """The (2, N) coordinates of the lower triangle of a row x col matrix (row-major order)."""
    return _tri_indices("tril_indices", row, col, offset, dtype, False)


def triu_indices(
    row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None,
    layout: Any = None,
) -> Tensor:  # fmt: skip
    """The (2, N) coordinates of the upper triangle of a row x col matrix (row-major order)."""
    return _tri_indices("triu_indices", row, col, offset, dtype, True)


def isin(
    elements: Tensor | float, test_elements: Tensor | float, *, assume_unique: bool = False,
    invert: bool = False,
) -> Tensor:  # fmt: skip
    """A bool tensor of elements' shape: whether each element is in test_elements."""
    e = elements if isinstance(elements, Tensor) else None
    t = test_elements if isinstance(test_elements, Tensor) else None
    if e is None and t is None:
        raise TypeError("isin(): at least one of elements and test_elements must be a Tensor")
    ea = e.detach().numpy() if e is not None else np.asarray(elements)
    ta = t.detach().numpy() if t is not None else np.asarray(test_elements)
    res = np.isin(ea, ta, assume_unique=assume_unique, invert=invert)
    return _core.from_numpy(np.ascontiguousarray(res)).reshape(list(np.shape(ea)))


def logspace(
    start: float, end: float, steps: int, base: float = 10.0, *, dtype: Any = None,
    device: Any = None, requires_grad: bool = False, **_: Any,
) -> Tensor:  # fmt: skip
    """steps values from base**start to base**end, evenly spaced in the exponent."""
    from ._creation import _check_device

    _check_device(device, "logspace")
    dt = dtype if dtype is not None else _core._get_default_dtype()
    exps = _core.linspace(float(start), float(end), steps, dtype=_core.float64)
    out = (_core.full((), float(base), dtype=_core.float64) ** exps).to(dt)
    return out.requires_grad_(True) if requires_grad else out


def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """A copy of input with the elements where mask (broadcast) is True taken, in order, from
    source's leading elements."""
    x = _need("masked_scatter", "input", input)
    _need("masked_scatter", "mask", mask)
    _need("masked_scatter", "source", source)
    if mask.dtype != _core.bool:
        raise RuntimeError(f"[masked_scatter] expected mask of dtype bool, got {mask.dtype}")
    if source.dtype != x.dtype:
        raise RuntimeError(
            "[masked_scatter] expected self and source to have same dtypes but got "
            f"{x.dtype} and {source.dtype}"
        )
    shape = broadcast_shapes(x.shape, mask.shape)  # (PyTorch broadcasts both)
    x = x.expand(shape) if tuple(x.shape) != tuple(shape) else x
    m = mask.expand(shape) if tuple(mask.shape) != tuple(shape) else mask
    n = int(m.sum().item())
    if n > source.numel():
        raise RuntimeError(
            f"[masked_scatter] Number of elements of source < number of ones in mask ({n})"
        )
    out = x.clone()
    out[m] = source.reshape(-1)[:n]
    return out


FUNCTIONS: dict[str, Any] = {
    "logaddexp": logaddexp,
    "logaddexp2": logaddexp2,
    "fmax": fmax,
    "fmin": fmin,
    "heaviside": heaviside,
    "nansum": nansum,
    "nanmean": nanmean,
    "quantile": quantile,
    "nanquantile": nanquantile,
    "cummax": cummax,
    "cummin": cummin,
    "cov": cov,
    "corrcoef": corrcoef,
    "diff": diff,
    "tensordot": tensordot,
    "kron": kron,
    "cross": cross,
    "rot90": rot90,
    "cartesian_prod": cartesian_prod,
    "combinations": combinations,
    "block_diag": block_diag,
    "tril_indices": tril_indices,
    "triu_indices": triu_indices,
    "isin": isin,
    "logspace": logspace,
    "masked_scatter": masked_scatter,
}

METHODS = (
    "logaddexp logaddexp2 fmax fmin heaviside nansum nanmean quantile nanquantile cummax "
    "cummin cov corrcoef diff kron cross rot90 masked_scatter"
).split()


def install(cls: type[Tensor]) -> None:
    """Adds the methods among these functions to Tensor."""
    for name in METHODS:
        setattr(cls, name, FUNCTIONS[name])
