"""PyTorch tensor API the differential tester found missing: shifts, aminmax, angle, mode,
nanmedian, put_/put, masked_scatter_, scatter_reduce, index_put_, swapaxes_/swapdims_,
split_with_sizes, div_(rounding_mode=...). PyTorch's signatures, results, gradients and errors.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

import pyautograd as pa

from . import _core
from ._core import Tensor


def _wrap(dim: int, n: int, op: str) -> int:
    m = max(n, 1)
    if not -m <= dim < m:
        raise IndexError(
            f"[{op}] Dimension out of range (expected to be in range of [{-m}, {m - 1}], "
            f"but got {dim})"
        )
    return dim % m


def _tname(dt: Any) -> str:
    """PyTorch's scalar type name of a dtype: Float, Double, Long, Bool, ..."""
    return {
        "float32": "Float",
        "float64": "Double",
        "int64": "Long",
        "int32": "Int",
        "int16": "Short",
        "int8": "Char",
        "uint8": "Byte",
        "bool": "Bool",
    }.get(str(dt).rsplit(".", 1)[-1], str(dt))


# ---- shifts ----------------------------------------------------------------------------------
def _shift(op: str, a: Any, b: Any, left: bool) -> Tensor:
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        raise TypeError(f"[{op}] expects a tensor operand")
    dt = pa.result_type(a, b)
    if dt.is_floating_point or dt == pa.bool:
        raise RuntimeError(f'"{"lshift" if left else "rshift"}_cpu" not implemented for '
                           f"'{_tname(dt)}'")  # fmt: skip
    npdt = np.dtype(str(dt).rsplit(".", 1)[-1])
    x = np.asarray(a.detach().numpy() if isinstance(a, Tensor) else a).astype(npdt)
    s = np.asarray(b.detach().numpy() if isinstance(b, Tensor) else b).astype(np.int64)
    bits = npdt.itemsize * 8
    big = (s < 0) | (s >= bits)
    sc = np.where(big, 0, s).astype(npdt)
    with np.errstate(over="ignore"):
        if left:
            r = np.where(big, np.zeros((), npdt), np.left_shift(x, sc))
        else:  # arithmetic: a shift by the width or more fills with the sign
            r = np.where(big, np.right_shift(x, np.asarray(bits - 1, npdt)), np.right_shift(x, sc))
    return pa.from_numpy(np.array(r, dtype=npdt))  # (0-d stays 0-d)


def bitwise_left_shift(input: Any, other: Any) -> Tensor:
    """input << other, elementwise (integers; a shift by the width or more gives 0)."""
    return _shift("bitwise_left_shift", input, other, True)


def bitwise_right_shift(input: Any, other: Any) -> Tensor:
    """input >> other, elementwise, arithmetic (integers)."""
    return _shift("bitwise_right_shift", input, other, False)


def _lshift_(self: Tensor, other: Any) -> Tensor:
    """In place: self << other."""
    return _shift_(self, other, True)


def _rshift_(self: Tensor, other: Any) -> Tensor:
    """In place: self >> other (arithmetic)."""
    return _shift_(self, other, False)


def _shift_(self: Tensor, other: Any, left: bool) -> Tensor:
    r = _shift("bitwise_left_shift_" if left else "bitwise_right_shift_", self, other, left)
    if r.dtype != self.dtype and not pa.can_cast(r.dtype, self.dtype):
        raise RuntimeError(
            f"result type {_tname(r.dtype)} can't be cast to the desired output type "
            f"{_tname(self.dtype)}"
        )
    if tuple(r.shape) != tuple(self.shape):
        r = r.expand(self.shape) if r.dim() <= self.dim() else r
    return self.copy_(r)


# ---- aminmax, angle --------------------------------------------------------------------------
class aminmax(NamedTuple):
    """(min, max) of Tensor.aminmax."""

    min: Tensor
    max: Tensor


def _aminmax(input: Tensor, *, dim: int | None = None, keepdim: bool = False) -> aminmax:
    """(min, max) of input's elements (along dim)."""
    if dim is None:
        if input.numel() == 0:
            raise RuntimeError(
                "aminmax(): cannot compute aminmax over an empty dimension as the operation "
                "has no identity."
            )
        mn, mx = input.amin(), input.amax()
        if keepdim:
            shape = (1,) * input.dim()
            mn, mx = mn.reshape(shape), mx.reshape(shape)
        return aminmax(mn, mx)
    d = _wrap(dim, input.dim(), "aminmax")
    if input.dim() and input.shape[d] == 0:
        raise IndexError(
            f"aminmax(): Expected reduction dim {d} to have non-zero size."
        )  # fmt: skip
    return aminmax(input.amin(d, keepdim), input.amax(d, keepdim))


def _angle_fn() -> Any:
    from .autograd import Function

    class Angle(Function):
        @staticmethod
        def forward(ctx: Any, x: Tensor) -> Tensor:
            xf = x if x.is_floating_point() else x.to(pa.get_default_dtype())
            pi = pa.full((), math.pi, dtype=xf.dtype)  # (pi in xf's precision)
            out = pa.where(xf < 0, pi, pa.zeros((), dtype=xf.dtype))
            return pa.where(xf.isnan(), xf, out)

        @staticmethod
        def backward(ctx: Any, *grads: Tensor) -> Any:
            ctx._freed_check()  # (PyTorch's AngleBackward0 saves self)
            return pa.zeros_like(grads[0])  # the angle of a real number is piecewise constant

    return Angle


_ANGLE: Any = None


def angle(input: Tensor) -> Tensor:
    """The angle (argument) of each element: pi for negative reals, 0 otherwise, NaN at NaN."""
    global _ANGLE
    if _ANGLE is None:
        _ANGLE = _angle_fn()
    out: Tensor = _ANGLE.apply(input)
    return out


# ---- mode, nanmedian -------------------------------------------------------------------------
class mode(NamedTuple):
    """(values, indices) of Tensor.mode."""

    values: Tensor
    indices: Tensor


class nanmedian(NamedTuple):
    """(values, indices) of Tensor.nanmedian(dim)."""

    values: Tensor
    indices: Tensor


def _take(input: Tensor, d: int, idx: Tensor, keepdim: bool) -> Tensor:
    """input's elements at idx (keepdim form) along d, differentiable."""
    if input.dim() == 0:
        return input.clone()
    v = input.gather(d, idx)
    return v if keepdim else v.squeeze(d)


def _mode(input: Tensor, dim: int = -1, keepdim: bool = False) -> mode:
    """The most frequent value along dim (the smallest of the most frequent) and the index of
    its last occurrence."""
    d = _wrap(dim, input.dim(), "mode")
    if input.dim() and input.shape[d] == 0:
        raise IndexError(f"mode(): Expected reduction dim {d} to have non-zero size.")
    a: Any = input.detach().numpy().reshape(tuple(input.shape) if input.dim() else (1,))
    a = np.moveaxis(a, d, -1)
    k = int(a.shape[-1])
    rows = a.reshape(-1, k)
    out = np.zeros(rows.shape[0], dtype=np.int64)
    for r in range(rows.shape[0]):
        row = rows[r]
        order = np.argsort(row, kind="stable")
        s = row[order]
        best, best_n, i = 0, 0, 0
        while i < k:
            j = i + 1
            while j < k and s[j] == s[i]:
                j += 1
            if j - i > best_n:
                best, best_n = i, j - i
            i = j
        out[r] = int(order[best : best + best_n].max())
    idx = pa.from_numpy(out.reshape(*a.shape[:-1], 1))
    if input.dim():
        idx = idx.movedim(-1, d)
    else:
        idx = idx.reshape(())
    values = _take(input, d, idx, True)
    if not keepdim and input.dim():
        values, idx = values.squeeze(d), idx.squeeze(d)
    return mode(values, idx)


_EVEN: Any = None


def _evenly(input: Tensor, value: Tensor) -> Tensor:
    """value (an element of input, computed without autograd) with PyTorch's gradient for an
    all-element median/nanmedian: shared evenly among the elements equal to it (the NaNs when
    it is NaN)."""
    global _EVEN
    if not input.requires_grad:
        return value
    if _EVEN is None:
        from .autograd import Function

        class MedianBackward0(Function):
            @staticmethod
            def forward(ctx: Any, *args: Any) -> Tensor:
                x, v = args
                out: Tensor = v.clone()
                ctx.save_for_backward(x, out)  # the result, as PyTorch's node: writes caught
                return out

            @staticmethod
            def backward(ctx: Any, *grads: Tensor) -> Any:
                g = grads[0]
                x, v = ctx.saved_tensors
                mask = x.isnan() if bool(v.isnan().item()) else x == v
                m = mask.to(g.dtype)
                return m * (g / m.sum()), None

        _EVEN = MedianBackward0
    out: Tensor = _EVEN.apply(input, value.detach())
    return out


def _median(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    """Without dim, the lower median of all elements (a 0-d tensor; its gradient shared evenly
    among the elements equal to it, as PyTorch's); with dim, (values, indices) along it."""
    if dim is None:
        return _evenly(input, _SORTING_MEDIAN(input.detach()))
    return _SORTING_MEDIAN(input, dim, keepdim)


def _nanmedian(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    """The lower median of the non-NaN elements (NaN when all are NaN); with dim, (values,
    indices) along it."""
    if dim is None:
        x = input.reshape(-1)
        if x.numel() == 0:
            nothing = pa.full(
                (), math.nan if input.is_floating_point() else -(2**63), dtype=input.dtype
            )
            return _attach(nothing, (input,), "nanmedian", "zeros")
        xd = x.detach()
        s, i = xd.sort()
        k = int((~xd.isnan()).sum().item()) if x.is_floating_point() else x.numel()
        pos = max(k - 1, 0) // 2
        return _evenly(input, s[pos])
    d = _wrap(dim, input.dim(), "nanmedian")
    if input.dim() and input.shape[d] == 0:
        raise IndexError(f"nanmedian(): Expected reduction dim {d} to have non-zero size.")
    if input.dim() == 0:
        return nanmedian(input.clone(), pa.zeros((), dtype=pa.int64))
    i = input.sort(d)[1]
    kt: Tensor
    if input.is_floating_point():
        kt = (~input.isnan()).sum(d, keepdim=True)
    else:
        kt = pa.full_like(i.narrow(d, 0, 1), input.shape[d])
    mid = (kt - 1).clamp(min=0) // 2
    idx = i.gather(d, mid)
    values = input.gather(d, idx)
    if not keepdim:
        values, idx = values.squeeze(d), idx.squeeze(d)
    return nanmedian(values, idx)


# ---- unique(dim=...), broadcast_to(*sizes) ------------------------------------------------------
def _unique(
    input: Tensor,
    sorted: bool = True,
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: int | None = None,
) -> Any:
    """The sorted distinct elements of input (with dim: the distinct slices along dim, in
    lexicographic order); optionally the inverse indices and the counts."""
    if dim is None:
        r = _SORTING_UNIQUE(input, sorted, return_inverse, return_counts)
        return r.clone() if isinstance(r, Tensor) else (r[0].clone(), *r[1:])
    d = _wrap(dim, input.dim(), "unique")
    if input.dim() == 0:
        raise IndexError("unique(): a 0-d tensor has no dimension to take slices along")
    if input.numel() == 0 and any(s == 0 for i, s in enumerate(input.shape) if i != d):
        raise RuntimeError(  # PyTorch's check (its slices along d would be empty)
            "[unique] There are 0 sized dimensions, and they aren't selected, so unique cannot "
            "be applied"
        )
    a = np.moveaxis(input.detach().numpy(), d, 0)
    n = a.shape[0]
    if n == 0:
        first = np.zeros(0, dtype=np.int64)
        inverse = np.zeros(0, dtype=np.int64)
        counts = np.zeros(0, dtype=np.int64)
    else:
        rows = a.reshape(n, -1)
        if rows.shape[1] == 0:  # every slice is empty, so all are equal
            first = np.zeros(1, dtype=np.int64)
            inverse = np.zeros(n, dtype=np.int64)
            counts = np.array([n], dtype=np.int64)
        else:
            order = np.lexsort(rows.T[::-1])
            srt = rows[order]
            new = np.concatenate([[True], np.any(srt[1:] != srt[:-1], axis=1)])
            group = np.cumsum(new) - 1
            first = order[new]
            inverse = np.empty(n, dtype=np.int64)
            inverse[order] = group
            counts = np.bincount(group).astype(np.int64)
    values = input.index_select(d, pa.from_numpy(first.astype(np.int64)))
    out: list[Tensor] = [_attach(values, (input,), "_unique2", "none")]
    if return_inverse:
        out.append(pa.from_numpy(inverse))
    if return_counts:
        out.append(pa.from_numpy(counts))
    return out[0] if len(out) == 1 else tuple(out)


def _broadcast_to(self: Tensor, *size: Any) -> Tensor:
    """self.expand(size): a view with the broadcast shape (size as a sequence or as ints)."""
    if len(size) == 1 and not isinstance(size[0], int):
        size = tuple(size[0])
    r: Tensor = self.expand(*size)
    return r


# ---- put_, masked_scatter_, index_put_ -------------------------------------------------------
def _flat_coords(shape: Sequence[int], idx: Tensor) -> tuple[Tensor, ...]:
    coords = []
    for size in reversed(shape):
        coords.append(idx % size)
        idx = idx // size
    return tuple(reversed(coords))


def _no_internal_overlap(self: Tensor, op: str) -> None:
    """PyTorch's assert_no_internal_overlap: refuses to write into a tensor several of whose
    elements share memory (an expanded one), whatever is written."""
    if self.numel() > 1 and any(
        st == 0 and n > 1 for st, n in zip(self.stride(), self.shape, strict=True)
    ):
        raise RuntimeError(
            f"[{op}] unsupported operation: more than one element of the written-to tensor "
            "refers to a single memory location. Please clone() the tensor before performing "
            "the operation."
        )


def put_(self: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    """Writes source's elements at the flat (row-major) positions index of self."""
    _no_internal_overlap(self, "put_")
    if index.dtype != pa.int64:
        raise RuntimeError(
            f"put_(): Expected a long tensor for index, but got {_tname(index.dtype)}"
        )  # fmt: skip
    if source.dtype != self.dtype:
        raise RuntimeError(
            "put_(): self and source expected to have the same dtype, but got self.dtype = "
            f"{_tname(self.dtype)} and source.dtype = {_tname(source.dtype)}"
        )
    if source.numel() != index.numel():
        raise IndexError(
            "put_(): Expected source and index to have the same number of elements, but got "
            f"source.numel() = {source.numel()}, index.numel() = {index.numel()}"
        )
    n = self.numel()
    flat = index.reshape(-1)
    if flat.numel():
        lo, hi = int(flat.min().item()), int(flat.max().item())
        bad = hi if hi >= n else lo if lo < -n else None
        if bad is not None:
            raise IndexError(
                f"out of range: tried to access index {bad} on a tensor of {n} elements."
            )
    flat = pa.where(flat < 0, flat + n, flat)
    if self.dim() == 0:
        self.view(1).index_put_((flat,), source.reshape(-1), accumulate)
        return self
    self.index_put_(_flat_coords(self.shape, flat), source.reshape(-1), accumulate)
    return self


def put(input: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    """A copy of input with put_ applied."""
    return put_(input.clone(), index, source, accumulate)


def masked_scatter_(self: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """Writes source's leading elements, in order, where mask (broadcast to self) is True."""
    _no_internal_overlap(self, "masked_scatter_")
    if mask.dtype != pa.bool:
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with "
                           f"dtype {mask.dtype}")  # fmt: skip
    if source.dtype != self.dtype:
        raise RuntimeError(
            "masked_scatter_: expected self and source to have same dtypes but got "
            f"{_tname(self.dtype)} and {_tname(source.dtype)}"
        )
    m = mask.expand(self.shape) if tuple(mask.shape) != tuple(self.shape) else mask
    n = int(m.sum().item())
    if n > source.numel():
        raise RuntimeError(
            f"masked_scatter_: Number of elements of source < number of ones in mask ({n})"
        )
    self[m] = source.reshape(-1)[:n].clone()  # (source may share self's memory)
    return self


def index_put_(
    input: Tensor, indices: Sequence[Tensor], values: Any, accumulate: bool = False
) -> Tensor:
    """input[indices] = values (+= with accumulate), in place."""
    return input.index_put_(tuple(indices), values, accumulate)


def swapaxes_(self: Tensor, axis0: int, axis1: int) -> Tensor:
    """transpose_ under NumPy's name."""
    return self.transpose_(axis0, axis1)


def split_with_sizes(input: Tensor, split_sizes: Sequence[int], dim: int = 0) -> Any:
    """input split along dim into pieces of the given sizes (which must add up to its size)."""
    return input.split(list(split_sizes), dim)


# ---- scatter_reduce --------------------------------------------------------------------------
_REDUCES = ("sum", "prod", "mean", "amax", "amin")


def _scatter_reduce_np(
    x: np.ndarray, dim: int, idx: np.ndarray, src: np.ndarray, reduce: str, include_self: bool
) -> np.ndarray:
    out: np.ndarray = x.copy()
    if idx.size == 0:
        return out
    coords: list[Any] = list(np.indices(idx.shape, sparse=False))
    coords[dim] = idx
    where = tuple(coords)
    s = src[tuple(slice(0, k) for k in idx.shape)]
    isint = not np.issubdtype(out.dtype, np.floating)
    if reduce in ("sum", "mean"):
        ident: Any = 0
    elif reduce == "prod":
        ident = 1
    elif reduce == "amax":
        ident = (np.iinfo(out.dtype).min if out.dtype != np.bool_ else False) if isint else -np.inf
    else:
        ident = (np.iinfo(out.dtype).max if out.dtype != np.bool_ else True) if isint else np.inf
    if not include_self:
        out[where] = ident
    if reduce in ("sum", "mean"):
        np.add.at(out, where, s)
    elif reduce == "prod":
        np.multiply.at(out, where, s)
    elif reduce == "amax":
        np.maximum.at(out, where, s)
    else:
        np.minimum.at(out, where, s)
    if reduce == "mean":
        cnt = np.full(out.shape, 1 if include_self else 0, dtype=np.int64)
        np.add.at(cnt, where, 1)
        cnt = np.maximum(cnt, 1)
        if isint:
            out = np.floor_divide(out, cnt).astype(out.dtype)
        else:
            out = (out / cnt).astype(out.dtype)
    return out


def _np_reduce(x: Tensor, dim: int, index: Tensor, src: Tensor, inc: bool) -> Tensor:
    """scatter_reduce 'prod' of detached operands (the backward's helper products)."""
    r = _scatter_reduce_np(
        x.detach().numpy(), dim, index.numpy(), src.detach().numpy(), "prod", inc
    )  # fmt: skip
    return pa.from_numpy(np.ascontiguousarray(r)).to(x.dtype)


def _scatter_reduce_fn() -> Any:
    from .autograd import Function

    class ScatterReduce(Function):
        @staticmethod
        def forward(ctx: Any, *args: Any) -> Tensor:
            x, dim, index, src, reduce, inc = args
            r = _scatter_reduce_np(
                x.detach().numpy(), dim, index.numpy(), src.detach().numpy(), reduce, inc
            )
            out = pa.from_numpy(np.ascontiguousarray(r)).to(x.dtype)
            ctx.dim, ctx.reduce, ctx.inc = dim, reduce, inc
            ctx.src_shape = tuple(src.shape)
            ctx.save_for_backward(x, index, src, out)
            return out

        @staticmethod
        def backward(ctx: Any, *grads: Tensor) -> Any:
            g = grads[0]
            x, index, src, result = ctx.saved_tensors
            dim, reduce, inc = ctx.dim, ctx.reduce, ctx.inc
            srcv = src[tuple(slice(0, k) for k in index.shape)] if src.dim() else src
            if reduce == "sum":
                gs, gsrc = g, g.gather(dim, index)
            elif reduce == "mean":
                n = pa.ones_like(g) if inc else pa.zeros_like(g)
                n = n.scatter_add(dim, index, pa.ones_like(srcv))
                n = n.masked_fill(n == 0, 1)
                gs = g / n
                gsrc = gs.gather(dim, index)
            elif reduce == "prod":
                masked_self = x.masked_fill(x == 0, 1)
                msr = _np_reduce(masked_self, dim, index, src, inc)
                gs = g * msr / masked_self
                src_zero = srcv == 0
                nz = pa.zeros_like(g).scatter_add(dim, index, src_zero.to(g.dtype))
                nz = nz.gather(dim, index)
                single = src_zero & (nz == 1)
                masked_src = src.clone()
                masked_src[tuple(slice(0, k) for k in index.shape)] = srcv.masked_fill(single, 1)
                msrc = _np_reduce(x, dim, index, masked_src, inc)
                gsrc = pa.where(
                    single,
                    (g * msrc).gather(dim, index),
                    (g * result).gather(dim, index) / srcv.masked_fill(src_zero, 1),
                )
            else:  # amax / amin: shared evenly among the elements equal to the result
                value = result.gather(dim, index)
                self_is = (x == result).to(g.dtype)
                src_is = (srcv == value).to(g.dtype)
                nd = self_is.scatter_add(dim, index, src_is)
                gd = g / nd
                gs = self_is * gd
                gsrc = src_is * gd.gather(dim, index)
            if not inc:
                gs = gs.scatter(dim, index, 0)
            if tuple(gsrc.shape) != ctx.src_shape:
                full = pa.zeros(ctx.src_shape, dtype=g.dtype)
                full[tuple(slice(0, k) for k in index.shape)] = gsrc
                gsrc = full
            return gs, None, None, gsrc, None, None

    return ScatterReduce


_SCATTER_REDUCE: Any = None


def scatter_reduce(
    input: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *,
    include_self: bool = True,
) -> Tensor:  # fmt: skip
    """input with src's elements reduced into the positions index gives along dim ('sum',
    'prod', 'mean', 'amax' or 'amin'; input's own element takes part unless include_self is
    False)."""
    global _SCATTER_REDUCE
    if reduce not in _REDUCES:
        raise RuntimeError(
            "reduce argument must be either sum, prod, mean, amax or amin, got " + str(reduce)
        )
    if index.dtype != pa.int64:
        raise RuntimeError("scatter_reduce(): Expected dtype int64 for index")
    if src.dtype != input.dtype:
        raise RuntimeError(
            "scatter_reduce(): Expected self.dtype to be equal to src.dtype"
        )  # fmt: skip
    d = _wrap(dim, input.dim(), "scatter_reduce")
    # shapes and bounds as scatter_add (which raises PyTorch's errors)
    _ = pa.zeros_like(input).scatter_add(d, index, pa.zeros_like(src))
    if input.dim() == 0:
        r = scatter_reduce(input.reshape(1), 0, index.reshape(-1), src.reshape(-1), reduce,
                           include_self=include_self)  # fmt: skip
        return r.reshape(())
    if index.dim() == 0 or src.dim() == 0:
        index, src = index.reshape(1), src.reshape(1)
    idx = pa.where(index < 0, index + input.shape[d], index)
    if _SCATTER_REDUCE is None:
        _SCATTER_REDUCE = _scatter_reduce_fn()
    out: Tensor = _SCATTER_REDUCE.apply(input, d, idx, src, reduce, include_self)
    return out


def scatter_reduce_(
    self: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *,
    include_self: bool = True,
) -> Tensor:  # fmt: skip
    """scatter_reduce, in place."""
    return self.copy_(scatter_reduce(self, dim, index, src, reduce, include_self=include_self))


# ---- autograd for ops computed without it ----------------------------------------------------
def _tracked(inputs: Sequence[Any]) -> bool:
    return pa.is_grad_enabled() and any(isinstance(t, Tensor) and t.requires_grad for t in inputs)


_ATTACHED: Any = None


def _attached_fn() -> Any:
    from .autograd import Function

    class Attached(Function):
        """A result computed without autograd, recorded as a function of the tensor inputs.
        Nothing here refers to a tensor of the graph (a closure or ctx attribute holding
        one would make a reference cycle through the C++ graph that gc cannot free)."""

        @staticmethod
        def forward(ctx: Any, *args: Any) -> Tensor:
            out, kind, name = args[:3]
            ctx.kind, ctx.name = kind, name
            ctx.metas = [(tuple(t.shape), t.dtype, t.is_floating_point()) for t in args[3:]]
            r: Tensor = out.detach()
            return r

        @staticmethod
        def backward(ctx: Any, *gs: Tensor) -> Any:
            ctx._freed_check()  # (PyTorch's nextafter/div/nanmedian nodes save their inputs)
            g = gs[0]
            if ctx.kind == "none":
                raise RuntimeError(f"derivative for aten::{ctx.name} is not implemented")
            grads: list[Any] = [None, None, None]
            for i, (shape, dt, flt) in enumerate(ctx.metas):
                if not flt:
                    grads.append(None)
                elif ctx.kind == "first" and i == 0:  # d/dinput = 1 (nextafter)
                    grads.append(g.sum_to_size(*shape).to(dt))
                else:
                    grads.append(pa.zeros(shape, dtype=dt))
            return tuple(grads)

    return Attached


def _attach(out: Tensor, inputs: Sequence[Any], name: str, kind: str) -> Tensor:
    """out (computed without autograd) recorded as a function of the tensor inputs, as
    PyTorch records it. kind: "none" (PyTorch has no derivative: the backward raises),
    "zeros" (zero gradients), "first" (the gradient passes to the first input unchanged)."""
    global _ATTACHED
    if not out.is_floating_point() or not _tracked(inputs):
        return out
    if _ATTACHED is None:
        _ATTACHED = _attached_fn()
    tensors = [t for t in inputs if isinstance(t, Tensor)]
    r: Tensor = _ATTACHED.apply(out.detach(), kind, name, *tensors)
    return r


def _wrap_no_derivative(fn: Any, name: str) -> Any:
    """fn whose float result is recorded with no derivative (backward raises), as PyTorch's
    floor_divide, heaviside, unique: it requires grad when an input does."""

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        out = fn(*args, **kwargs)
        if not _tracked(args):
            return out
        if isinstance(out, tuple):
            first = _attach(out[0], args, name, "none")
            return (first, *out[1:])
        return _attach(out, args, name, "none")

    wrapped.__name__ = getattr(fn, "__name__", name)
    wrapped.__doc__ = getattr(fn, "__doc__", None)
    return wrapped


def _nextafter(input: Tensor, other: Tensor) -> Tensor:
    """The next representable value after input towards other (gradient: 1 for input, 0 for
    other, as PyTorch's)."""
    out: Tensor = _NEXTAFTER(input, other)
    if not out.is_floating_point():
        raise NotImplementedError(
            f'"nextafter_cpu" not implemented for \'{_tname(out.dtype)}\''
        )  # fmt: skip
    if isinstance(input, Tensor) and isinstance(other, Tensor) and _tracked((input, other)):
        global _NEXTAFTER_NODE
        if _NEXTAFTER_NODE is None:
            _NEXTAFTER_NODE = _nextafter_node()
        r: Tensor = _NEXTAFTER_NODE.apply(out.detach(), input, other)
        return _core._show_grad_fn_as(r, "NextafterBackward0")
    return _attach(
        out, (input, other), "nextafter", "first" if isinstance(input, Tensor) else "zeros"
    )


_NEXTAFTER_NODE: Any = None


def _nextafter_node() -> Any:
    from .autograd import Function

    class Nextafter(Function):
        """PyTorch's NextafterBackward0: the gradient passes to input where input != other
        (0 where they are equal), none to other; input and other are saved (version-checked,
        freed after a pass) only when input requires grad, as PyTorch saves them."""

        @staticmethod
        def forward(ctx: Any, *args: Any) -> Tensor:
            out, x, y = args
            ctx.metas = [(tuple(t.shape), t.dtype, t.is_floating_point()) for t in (x, y)]
            ctx.saves = x.requires_grad
            if ctx.saves:
                ctx.save_for_backward(x, y)
            r: Tensor = out.detach()
            return r

        @staticmethod
        def backward(ctx: Any, *gs: Tensor) -> Any:
            g = gs[0]
            (xs, xdt, xf), (ys, ydt, yf) = ctx.metas
            gx = gy = None
            if ctx.saves and xf:
                x, y = ctx.saved_tensors
                gx = _core.where(x == y, 0.0, g).sum_to_size(*xs).to(xdt)
            if yf:
                gy = pa.zeros(ys, dtype=ydt)
            return None, gx, gy

    return Nextafter


def _floor_divide_inplace(inplace: Any, floordiv: Any) -> Any:
    def floor_divide_(self: Tensor, other: Any) -> Tensor:
        """In place: self // other (recorded with no derivative when autograd records, as
        PyTorch's)."""
        if not _tracked((self, other)):
            r: Tensor = inplace(self, other)
            return r
        return self.copy_(floordiv(self, other))

    return floor_divide_


# ---- div with a rounding mode -----------------------------------------------------------------
def _div_rounded(input: Tensor, other: Any, mode: str) -> Tensor:
    with pa.no_grad():
        if mode == "floor":
            r: Tensor = _FLOOR_DIVIDE(input, other)
        elif mode != "trunc":
            raise RuntimeError(
                "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                f"'{mode}'"
            )
        elif pa.result_type(input, other).is_floating_point:
            r = _core.div(input, other).trunc()
        else:  # integers: C's division, exact (a - fmod(a, b) is a multiple of b)
            r = _FLOOR_DIVIDE(input - pa.fmod(input, other), other)
    return _attach(r, (input, other), "div", "zeros")  # zero gradients, as PyTorch's


def div(input: Tensor, other: Any, *, rounding_mode: str | None = None, out: Any = None) -> Any:
    """input / other; rounding_mode 'trunc' rounds the quotient toward 0, 'floor' down (both
    keep integer dtypes and have a zero gradient)."""
    if rounding_mode is None:
        return _core.div(input, other) if out is None else _core.div(input, other, out=out)
    r = _div_rounded(input, other, rounding_mode)
    return r if out is None else out.copy_(r)


def _div_(self: Tensor, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    """In place: self / other, rounded toward 0 ('trunc') or down ('floor') when given."""
    if rounding_mode is None:
        r0: Tensor = _DIV_(self, other)
        return r0
    with pa.no_grad():
        r = _div_rounded(self, other, rounding_mode)
    r = _attach(r, (self, other), "div", "zeros")
    if r.dtype != self.dtype and not pa.can_cast(r.dtype, self.dtype):
        raise RuntimeError(
            f"result type {_tname(r.dtype)} can't be cast to the desired output type "
            f"{_tname(self.dtype)}"
        )
    return self.copy_(r)


_DIV_: Any = None
from ._sorting import median as _SORTING_MEDIAN  # noqa: E402
from ._sorting import unique as _SORTING_UNIQUE  # noqa: E402

_DIV: Any = None
_FLOOR_DIVIDE: Any = None
_NEXTAFTER: Any = None

FUNCTIONS: dict[str, Any] = {
    "bitwise_left_shift": bitwise_left_shift,
    "bitwise_right_shift": bitwise_right_shift,
    "aminmax": _aminmax,
    "angle": angle,
    "mode": _mode,
    "nanmedian": _nanmedian,
    "median": _median,
    "put": put,
    "index_put_": index_put_,
    "scatter_reduce": scatter_reduce,
    "split_with_sizes": split_with_sizes,
    "div": div,
    "divide": div,
    "true_divide": div,
}


def install(cls: type[Tensor]) -> None:
    """Adds the methods and operators to Tensor."""
    global _DIV_, _DIV, _FLOOR_DIVIDE, _NEXTAFTER
    from . import _functions_extra, _functions_more

    if _DIV_ is None:
        _DIV_, _DIV, _FLOOR_DIVIDE = cls.div_, cls.div, _core.floor_divide
        _NEXTAFTER = _functions_extra.nextafter
    # the declared op's docstring stays (test_op_table), with what rounding_mode adds
    div.__doc__ = f"{_core.div.__doc__}\n\n{div.__doc__}"
    floordiv = _wrap_no_derivative(_FLOOR_DIVIDE, "floor_divide")  # (number first too)
    FUNCTIONS["floor_divide"] = floordiv
    FUNCTIONS["heaviside"] = _wrap_no_derivative(_functions_more.heaviside, "heaviside")
    FUNCTIONS["unique"] = _wrap_no_derivative(_unique, "_unique2")
    FUNCTIONS["unique_consecutive"] = _wrap_no_derivative(
        _functions_extra.unique_consecutive, "unique_consecutive"
    )
    FUNCTIONS["nextafter"] = _nextafter
    methods: dict[str, Any] = {
        name: FUNCTIONS[name]
        for name in (
            "bitwise_left_shift bitwise_right_shift angle put split_with_sizes scatter_reduce "
            "aminmax mode nanmedian median div divide"
        ).split()
    }
    methods.update(
        put_=put_,
        masked_scatter_=masked_scatter_,
        scatter_reduce_=scatter_reduce_,
        swapaxes_=swapaxes_,
        swapdims_=swapaxes_,
        __lshift__=bitwise_left_shift,
        __rshift__=bitwise_right_shift,
        __rlshift__=lambda self, other: bitwise_left_shift(other, self),
        __rrshift__=lambda self, other: bitwise_right_shift(other, self),
        bitwise_left_shift_=_lshift_,
        bitwise_right_shift_=_rshift_,
        div_=_div_,
        divide_=_div_,
        true_divide=div,
        floor_divide=floordiv,
        __floordiv__=floordiv,
        __rfloordiv__=_wrap_no_derivative(cls.__rfloordiv__, "floor_divide"),
        heaviside=FUNCTIONS["heaviside"],
        unique=FUNCTIONS["unique"],
        unique_consecutive=FUNCTIONS["unique_consecutive"],
        nextafter=_nextafter,
        broadcast_to=_broadcast_to,
        __rmod__=_wrap_no_derivative(cls.__rmod__, "remainder"),  # number % tensor
        floor_divide_=_floor_divide_inplace(cls.floor_divide_, floordiv),
    )
    methods["__ilshift__"] = methods["bitwise_left_shift_"]
    methods["__irshift__"] = methods["bitwise_right_shift_"]
    # a number or a string where a tensor goes meets these compositions as a missing attribute:
    # PyTorch's TypeError instead (the functions too: torch.put(x, 5, ...))
    typed: dict[int, Any] = {}  # one wrapper per function: aliases stay the same object

    def checked(name: str, fn: Any) -> Any:
        if name.startswith("__"):
            return fn
        return typed.setdefault(id(fn), _functions_extra._typed(name, fn))

    for name, fn in methods.items():
        setattr(cls, name, checked(name, fn))
    for name, fn in FUNCTIONS.items():
        FUNCTIONS[name] = checked(name, fn)
