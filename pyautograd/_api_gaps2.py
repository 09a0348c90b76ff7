"""More of PyTorch's public API that real programs call (the second gap list).

Memory formats and layouts: ``contiguous_format``, ``preserve_format``, ``channels_last``,
``channels_last_3d`` (``memory_format``), ``strided`` (``layout``), ``Tensor.layout``, and the
``memory_format=`` argument of ``contiguous``, ``is_contiguous``, ``clone``, ``to`` and the
``*_like`` creators. A channels-last result has PyTorch's NHWC (NDHWC) strides: its memory is a
row-major tensor of the permuted shape, seen in the logical NCHW order (the kernels take strided
inputs, so values, shapes and gradients are as for a contiguous tensor). ``clone`` and the
``*_like`` creators keep a channels-last input's layout (PyTorch's ``preserve_format``); other
non-contiguous inputs give row-major results (PyTorch would keep their exact strides).

Small top-level functions (detach, masked_fill, unravel_index, matmul precision, real/imag,
conj and friends on real tensors, range, histogram(dd), gradient, in-place activations, the
losses with integer reductions), the scatter/copy view family (select/slice/diagonal_scatter,
as_strided, empty_strided, the ``*_copy`` functions, resize_, Tensor.new, index_reduce) and the
legacy linalg names that the existing solvers support (cholesky_solve, cholesky_inverse,
triangular_solve, matrix_exp), mvlgamma and polygamma.
"""

from __future__ import annotations

import builtins
import math
import threading
import warnings
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

import pyautograd as pa

from . import _core
from ._core import Tensor

_builtin_range = builtins.range

# ---- memory formats and layouts ---------------------------------------------------------------
_TOKEN = object()


class memory_format:
    """A memory format (``torch.memory_format``): ``contiguous_format``, ``preserve_format``,
    ``channels_last`` or ``channels_last_3d``. Instances are singletons; none can be made."""

    __slots__ = ("_name",)

    def __init__(self, name: str = "", token: object = None) -> None:
        if token is not _TOKEN:
            raise TypeError("cannot create 'torch.memory_format' instances")
        self._name = name

    def __repr__(self) -> str:
        return f"torch.{self._name}"

    def __reduce__(self) -> str:
        return self._name  # pickles as the module-level singleton

    def __copy__(self) -> memory_format:
        return self

    def __deepcopy__(self, memo: Any) -> memory_format:
        return self


class layout:
    """A tensor layout (``torch.layout``): only ``strided`` (dense) tensors exist here."""

    __slots__ = ("_name",)

    def __init__(self, name: str = "", token: object = None) -> None:
        if token is not _TOKEN:
            raise TypeError("cannot create 'torch.layout' instances")
        self._name = name

    def __repr__(self) -> str:
        return f"torch.{self._name}"

    def __reduce__(self) -> str:
        return self._name

    def __copy__(self) -> layout:
        return self

    def __deepcopy__(self, memo: Any) -> layout:
        return self


for _cls in (memory_format, layout):
    _cls.__module__ = "pyautograd"
contiguous_format = memory_format("contiguous_format", _TOKEN)
preserve_format = memory_format("preserve_format", _TOKEN)
channels_last = memory_format("channels_last", _TOKEN)
channels_last_3d = memory_format("channels_last_3d", _TOKEN)
strided = layout("strided", _TOKEN)

# the dims of NCHW / NCDHW from the fastest-varying (stride 1) to the slowest
_CL_ORDER = {channels_last: (1, 3, 2, 0), channels_last_3d: (1, 4, 3, 2, 0)}
_CL_RANK = {channels_last: 4, channels_last_3d: 5}
_ORIG: dict[str, Any] = {}


def _check_format(mf: Any, op: str) -> memory_format:
    if not isinstance(mf, memory_format):
        raise TypeError(
            f"{op}(): argument 'memory_format' must be torch.memory_format, not {type(mf).__name__}"
        )
    return mf


def _is_cl(t: Tensor, mf: memory_format) -> bool:
    """PyTorch's compute_channels_last_contiguous_2d/3d: strides in the NHWC order."""
    if t.dim() != _CL_RANK[mf]:
        return False
    shape, strides = t.shape, t.stride()
    expected = 1
    for d in _CL_ORDER[mf]:
        if shape[d] != 1:
            if strides[d] != expected:
                return False
            expected *= shape[d]
    return True


def _cl_of(t: Tensor) -> memory_format | None:
    """The channels-last format t is laid out in (and is not row-major contiguous), if any."""
    if t.dim() in (4, 5) and tuple(t.stride()) != _row_major(t.shape):
        mf = channels_last if t.dim() == 4 else channels_last_3d
        if _is_cl(t, mf):
            return mf
    return None


def _row_major(shape: Sequence[int]) -> tuple[int, ...]:
    st, acc = [0] * len(shape), 1
    for d in reversed(_builtin_range(len(shape))):
        st[d] = acc
        acc *= max(shape[d], 1)
    return tuple(st)


def _cl_empty(shape: Sequence[int], dtype: Any, mf: memory_format) -> Tensor:
    """An uninitialised tensor of shape with mf's strides (no autograd history, not a view)."""
    n = len(shape)
    order = list(reversed(_CL_ORDER[mf]))  # slowest to fastest: (0, 2, 3, 1)
    inv = [order.index(i) for i in _builtin_range(n)]
    buf = _core.empty([shape[d] for d in order], dtype=dtype)
    return buf.permute(*inv).detach()


def _to_cl(t: Tensor, mf: memory_format, op: str) -> Tensor:
    """A copy of t with mf's strides; differentiable (its grad_fn copies the gradient back)."""
    if t.dim() != _CL_RANK[mf]:
        raise RuntimeError(f"[{op}] required rank {_CL_RANK[mf]} tensor to use {mf._name} format")
    out = _cl_empty(t.shape, t.dtype, mf)
    out.copy_(t)
    return out


def _is_contiguous(self: Tensor, memory_format: memory_format = contiguous_format) -> bool:
    """Whether the elements are laid out contiguously in memory in the given order:
    row-major (``contiguous_format``, the default) or NHWC / NDHWC (``channels_last``,
    ``channels_last_3d``: False for tensors of another rank), as PyTorch answers."""
    mf = _check_format(memory_format, "is_contiguous")
    if mf in _CL_ORDER:
        return _is_cl(self, mf)
    return bool(_ORIG["is_contiguous"](self))


def _contiguous(self: Tensor, memory_format: memory_format = contiguous_format) -> Tensor:
    """The tensor itself when its memory is contiguous in memory_format (row-major by
    default; ``channels_last`` / ``channels_last_3d``: NHWC / NDHWC strides), else a copy laid
    out so; gradients flow back. ``preserve_format`` raises, as in PyTorch."""
    mf = _check_format(memory_format, "contiguous")
    if mf is preserve_format:
        raise RuntimeError(
            "[contiguous] preserve memory format is unsupported by the contiguous operator"
        )
    if mf in _CL_ORDER:
        if self.dim() != _CL_RANK[mf]:
            raise RuntimeError(
                f"[contiguous] required rank {_CL_RANK[mf]} tensor to use {mf._name} format"
            )
        return self if _is_cl(self, mf) else _to_cl(self, mf, "contiguous")
    return _ORIG["contiguous"](self)


def _clone(self: Tensor, *, memory_format: memory_format = preserve_format) -> Tensor:
    """A copy of the tensor with its own memory; gradients flow back to the input.
    memory_format: ``preserve_format`` (default: a channels-last input stays channels-last,
    others become row-major), ``contiguous_format``, ``channels_last``, ``channels_last_3d``."""
    if not isinstance(self, Tensor):
        raise TypeError(f"clone(): argument 'input' must be Tensor, not {type(self).__name__}")
    mf = _check_format(memory_format, "clone")
    if mf is preserve_format:
        mf = _cl_of(self) or contiguous_format
    if mf in _CL_ORDER:
        return _to_cl(self, mf, "clone")
    return _ORIG["clone"](self)


def _to(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """This tensor converted to a dtype (a copy, or itself when nothing changes); the device may
    only be the CPU. copy=True always copies; memory_format= lays the result out as
    ``contiguous`` would (``preserve_format``, the default, keeps a channels-last layout)."""
    mf = kwargs.pop("memory_format", preserve_format)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    if len(args) >= 2 and isinstance(args[-1], bool):  # to(dtype, non_blocking, copy)
        *rest, _nb, cp = args if len(args) >= 3 and isinstance(args[-2], bool) else (*args, False)
        args, copy = tuple(rest), copy or cp
    _check_format(mf, "to")
    r = _ORIG["to"](self, *args, **kwargs)
    if mf is preserve_format:
        keep = _cl_of(self)
        if r is not self and keep is not None and not _is_cl(r, keep):
            return _to_cl(r, keep, "to")
        return _clone(r) if copy and r is self else r
    if mf in _CL_ORDER:
        if r is self and (copy or not _is_cl(r, mf)):
            return _to_cl(r, mf, "to")
        return r if _is_cl(r, mf) else _to_cl(r, mf, "to")
    if copy and r is self:
        return _ORIG["clone"](r)
    return _ORIG["contiguous"](r)


def _layout(self: Tensor) -> layout:
    return strided


def _like_wrapper(name: str, fn: Any) -> Any:
    import functools

    @functools.wraps(fn)
    def like(input: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        mf = kwargs.pop("memory_format", preserve_format)
        _check_format(mf, name)
        if mf is preserve_format and isinstance(input, Tensor):
            mf = _cl_of(input) or contiguous_format
        if mf not in _CL_ORDER:
            return fn(input, *args, **kwargs)
        if not isinstance(input, Tensor):
            raise TypeError(
                f"{name}(): argument 'input' must be Tensor, not {type(input).__name__}"
            )
        rg = kwargs.pop("requires_grad", False)
        r = fn(input, *args, **kwargs)
        if r.dim() != _CL_RANK[mf]:
            raise RuntimeError(
                f"[{name}] required rank {_CL_RANK[mf]} tensor to use {mf._name} format"
            )
        out = _cl_empty(r.shape, r.dtype, mf)
        with pa.no_grad():
            out.copy_(r)
        return out.requires_grad_(True) if rg else out

    like.__doc__ = (fn.__doc__ or "") + (
        "\n\nmemory_format: ``preserve_format`` (default: a channels-last input gives a "
        "channels-last result), ``contiguous_format``, ``channels_last``, ``channels_last_3d``."
    )
    return like


def _empty_wrapper(orig: Any) -> Any:
    import functools

    @functools.wraps(orig)
    def empty(*args: Any, **kwargs: Any) -> Tensor:
        if "memory_format" not in kwargs:
            return orig(*args, **kwargs)
        mf = _check_format(kwargs.pop("memory_format"), "empty")
        if mf not in _CL_ORDER:
            if mf is preserve_format:
                raise RuntimeError("[empty] preserve memory format is unsupported by empty")
            return orig(*args, **kwargs)
        rg = kwargs.pop("requires_grad", False)
        r = orig(*args, **kwargs)
        if r.dim() != _CL_RANK[mf]:
            raise RuntimeError(
                f"[empty] required rank {_CL_RANK[mf]} tensor to use {mf._name} format"
            )
        out = _cl_empty(r.shape, r.dtype, mf)
        return out.requires_grad_(True) if rg else out

    empty.__doc__ = (orig.__doc__ or "") + (
        "\nmemory_format=channels_last (channels_last_3d) gives PyTorch's NHWC (NDHWC) strides."
    )
    return empty


def _module_to(orig: Any) -> Any:
    import functools

    @functools.wraps(orig)
    def to(self: Any, *args: Any, **kwargs: Any) -> Any:
        mf = kwargs.get("memory_format")
        out = orig(self, *args, **kwargs)
        if mf is not None and _check_format(mf, "to") in _CL_ORDER:
            rank = _CL_RANK[mf]
            with pa.no_grad():
                for p in [*self.parameters(), *self.buffers()]:
                    if p.dim() == rank and not _is_cl(p, mf):
                        p.data = _to_cl(p.detach(), mf, "to")
        return out

    return to


# ---- small top-level functions -----------------------------------------------------------
def detach(input: Tensor) -> Tensor:
    """A tensor sharing input's data, detached from the graph (``input.detach()``)."""
    _need_tensor(input, "detach")
    return input.detach()


def masked_fill(input: Tensor, mask: Tensor, value: Any) -> Tensor:
    """``input.masked_fill(mask, value)``: input with value where mask is True."""
    _need_tensor(input, "masked_fill")
    return input.masked_fill(mask, value)


def _need_tensor(x: Any, op: str, arg: str = "input") -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument '{arg}' must be Tensor, not {type(x).__name__}")


def unravel_index(indices: Any, shape: Any) -> tuple[Tensor, ...]:
    """The coordinates in a tensor of shape of each flat index (negative ones count from the
    end), as a tuple of int64 tensors of indices' shape."""
    if not isinstance(indices, Tensor):
        indices = pa.tensor(indices)
    if indices.dtype.is_floating_point or indices.dtype == pa.bool:
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    if isinstance(shape, int):
        shape = (shape,)
    shape = tuple(int(s) for s in shape)
    if any(s < 0 for s in shape):
        raise ValueError("'shape' cannot have negative values, but got " + str(shape))
    n = math.prod(shape)
    idx = indices.to(pa.int64)
    if idx.numel() and ((idx >= n).any().item() or (idx < -n).any().item()):
        raise RuntimeError(
            f"[unravel_index] 'indices' must be in range [{-n}, {n - 1}] for shape {list(shape)}"
        )
    idx = pa.where(idx < 0, idx + n, idx)
    out = []
    for s in reversed(shape):
        out.append(pa.remainder(idx, s) if s else idx * 0)
        idx = pa.div(idx, s, rounding_mode="floor") if s else idx
    return tuple(reversed(out))


def set_flush_denormal(mode: bool) -> bool:
    """Denormal flushing is not supported here: returns False (PyTorch's answer on machines
    without it) and changes nothing."""
    return False


_inference = threading.local()


def is_inference_mode_enabled() -> bool:
    """Whether an ``inference_mode()`` block (enabled) is running in this thread."""
    return getattr(_inference, "on", False)


class inference_mode:
    """Inference mode (context manager or decorator): gradient recording off, as no_grad;
    ``inference_mode(False)`` leaves inference mode (grad recording on, as PyTorch).
    pyautograd has no inference tensors."""

    def __init__(self, mode: bool = True) -> None:
        if callable(mode) and not isinstance(mode, bool):  # bare @inference_mode
            raise TypeError("[inference_mode] use @inference_mode() (with parentheses)")
        self.mode = bool(mode)

    def __enter__(self) -> None:
        self._prev = (_core.is_grad_enabled(), is_inference_mode_enabled())
        _core._set_grad_enabled(not self.mode)  # (PyTorch's InferenceMode(false) enables grad)
        _inference.on = self.mode

    def __exit__(self, *exc: object) -> None:
        _core._set_grad_enabled(self._prev[0])
        _inference.on = self._prev[1]

    def __call__(self, fn: Any) -> Any:
        import functools

        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with inference_mode(mode):
                return fn(*args, **kwargs)

        return wrapper

    def clone(self) -> inference_mode:
        """A new inference_mode with the same mode."""
        return inference_mode(self.mode)


def is_anomaly_enabled() -> bool:
    """Whether anomaly mode is on (``autograd.set_detect_anomaly``)."""
    return pa.autograd.is_anomaly_enabled()


def is_anomaly_check_nan_enabled() -> bool:
    """The check_nan flag given with anomaly mode."""
    return pa.autograd.is_anomaly_check_nan_enabled()


def set_anomaly_enabled(enabled: bool, check_nan: bool = True) -> None:
    """Turns anomaly mode on or off (``autograd.set_detect_anomaly``: recorded only)."""
    pa.autograd.set_detect_anomaly(enabled, check_nan)


def get_device(input: Tensor) -> int:
    """-1: PyTorch's device index of CPU tensors."""
    _need_tensor(input, "get_device")
    return -1


def _for_real(name: str, result: Any, doc: str) -> Any:
    """A function of a (real) tensor whose answer does not depend on its values: result(input)."""

    def fn(input: Tensor) -> Any:
        _need_tensor(input, name)
        return result(input)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


def _imag(input: Tensor) -> Tensor:
    raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")


def _itself(input: Tensor) -> Tensor:
    return input


def _false(input: Tensor) -> bool:
    return False


def _all_true(input: Tensor) -> Tensor:
    return _core.ones(input.shape, dtype=_core.bool)


# pyautograd has no complex dtypes: what PyTorch does for real tensors
real = _for_real(
    "real", _itself, "The real part: a real tensor itself (pyautograd has no complex dtypes)."
)
imag = _for_real(
    "imag",
    _imag,
    "The imaginary part: raises for real tensors, as PyTorch (no complex dtypes here).",
)
isreal = _for_real(
    "isreal",
    _all_true,
    "True everywhere: a real tensor's elements are real (a bool tensor of input's shape).",
)
conj = _for_real("conj", _itself, "The complex conjugate: a real tensor itself.")
conj_physical = _for_real(
    "conj_physical", _itself, "The complex conjugate, materialised: a real tensor itself."
)
resolve_conj = _for_real(
    "resolve_conj", _itself, "input with a lazy conjugation materialised: a real tensor itself."
)
resolve_neg = _for_real(
    "resolve_neg", _itself, "input with a lazy negation materialised: a real tensor itself."
)
is_conj = _for_real("is_conj", _false, "False: no tensor here carries a lazy conjugation.")
is_neg = _for_real("is_neg", _false, "False: no tensor here carries a lazy negation.")


def adjoint(input: Tensor) -> Tensor:
    """The conjugate transpose of the last two dims (a view; for real tensors
    ``transpose(-2, -1)``)."""
    _need_tensor(input, "adjoint")
    if input.dim() < 2:
        raise RuntimeError(
            "tensor.adjoint() is only supported on matrices or batches of matrices. Got "
            f"{input.dim()}-D tensor."
        )
    return input.transpose(-2, -1)


def range(
    start: Any = 0,
    end: Any = None,
    step: Any = 1,
    *,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    out: Any = None,
) -> Tensor:
    """Deprecated (use arange): the values start, start + step, ... up to and including end, of
    the default dtype unless dtype is given. Warns as PyTorch."""
    warnings.warn(
        "torch.range is deprecated and will be removed in a future release because its behavior "
        "is inconsistent with Python's range builtin. Instead, use torch.arange, which produces "
        "values in [start, end).",
        UserWarning,
        stacklevel=3,
    )
    if out is not None:
        raise TypeError("[range] out= is not supported")
    if end is None:
        raise TypeError('range() missing 1 required positional arguments: "end"')
    vals = []
    for v, nm in ((start, "start"), (end, "end"), (step, "step")):
        if isinstance(v, Tensor):
            v = v.item()
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise TypeError(f"range(): argument '{nm}' must be a number, not {type(v).__name__}")
        vals.append(v)
    start, end, step = vals
    if step == 0:
        raise RuntimeError("[range] step must be nonzero")
    if not all(math.isfinite(v) for v in vals):
        raise RuntimeError(f"[range] unsupported range: {start} -> {end}")
    if (step > 0 and start > end) or (step < 0 and start < end):
        raise RuntimeError("[range] upper bound and larger bound inconsistent with step sign")
    n = math.floor((end - start) / step) + 1
    dt = dtype if dtype is not None else pa.get_default_dtype()
    vals64 = start + np.arange(n, dtype=np.float64) * step
    r = pa.from_numpy(vals64).to(dt)
    pa._creation._check_device(device, "range")
    return r.requires_grad_(True) if requires_grad else r


class histogram(NamedTuple):
    """(hist, bin_edges) of torch.histogram."""

    hist: Tensor
    bin_edges: Tensor


class histogramdd(NamedTuple):
    """(hist, bin_edges) of torch.histogramdd."""

    hist: Tensor
    bin_edges: list[Tensor]


def _edges(lo: float, hi: float, bins: int, dt: Any) -> Tensor:
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    return pa.linspace(lo, hi, bins + 1, dtype=dt)


def _hist_dd(op: str, x: Tensor, bins: Any, range: Any, weight: Any, density: bool) -> Any:
    _need_tensor(x, op)
    if not x.dtype.is_floating_point:
        raise RuntimeError(f"\"{op}_cpu\" not implemented for '{str(x.dtype).rsplit('.', 1)[-1]}'")
    if weight is not None:
        _need_tensor(weight, op, "weight")
        if weight.dtype != x.dtype:
            raise RuntimeError(f"[{op}] expected weight to have the same dtype as input")
    d = x.shape[-1] if x.dim() else 1
    pts = x.detach().reshape(-1, d)
    w = None
    if weight is not None:
        if tuple(weight.shape) != tuple(x.shape[:-1]):
            raise RuntimeError(
                f"[{op}] if weight tensor is provided, it should have the same shape as the "
                "input tensor excluding its innermost dimension"
            )
        w = weight.detach().reshape(-1).numpy().astype(np.float64)
    if range is not None:
        range = [float(v) for v in range]
        if len(range) != 2 * d:
            raise RuntimeError(f"[{op}] expected {2 * d} range values, got {len(range)}")
    if isinstance(bins, Tensor):
        bins = [bins]
    if isinstance(bins, int):
        bins = [bins] * d
    bins = list(bins)
    if len(bins) != d:
        raise RuntimeError(f"[{op}] expected {d} bin specifications, got {len(bins)}")
    edges: list[Tensor] = []
    for i, b in enumerate(bins):
        if isinstance(b, Tensor):
            if b.dim() != 1 or b.numel() < 1:
                raise RuntimeError(
                    f"[{op}] bins tensor should have one dimension and at least 1 element"
                )
            if b.dtype != x.dtype:
                raise RuntimeError(
                    f"[{op}] input tensor and bins tensors should have the same dtype"
                )
            edges.append(b.detach().clone())
            continue
        if isinstance(b, bool) or not isinstance(b, int) or b <= 0:
            raise RuntimeError(f"[{op}] bins must be > 0, got {b}")
        if range is not None:
            lo, hi = range[2 * i], range[2 * i + 1]
        elif pts.shape[0]:
            col = pts[:, i]
            lo, hi = col.min().item(), col.max().item()
        else:
            lo, hi = 0.0, 1.0
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise ValueError(f"[{op}] range of [{lo}, {hi}] is not finite")
        if lo > hi:
            raise RuntimeError(f"[{op}] min should not exceed max, got {lo} > {hi}")
        edges.append(_edges(lo, hi, b, x.dtype))
    npts = pts.numpy().astype(np.float64)
    np_edges = [e.numpy().astype(np.float64) for e in edges]
    if npts.shape[0]:
        inside = np.ones(npts.shape[0], bool)
        for i, e in enumerate(np_edges):
            inside &= (npts[:, i] >= e[0]) & (npts[:, i] <= e[-1])
        hist, _ = np.histogramdd(
            npts[inside], bins=np_edges, weights=None if w is None else w[inside]
        )
    else:
        hist = np.zeros([len(e) - 1 for e in np_edges])
    if density:
        total = hist.sum()
        widths = np.ones_like(hist)
        for i, e in enumerate(np_edges):
            shp = [1] * d
            shp[i] = len(e) - 1
            widths = widths * np.diff(e).reshape(shp)
        hist = hist / (total * widths) if total else hist * np.nan
    return pa.from_numpy(np.ascontiguousarray(hist)).to(x.dtype), edges


def _histogram(
    input: Tensor,
    bins: Any = 100,
    *,
    range: Any = None,
    weight: Tensor | None = None,
    density: bool = False,
    out: Any = None,
) -> histogram:
    """A histogram of input's values: bins equal-width bins over range (default: the values'
    min to max) or the edges of a 1-d bins tensor; weight weighs each element; density
    normalises to a probability density. Returns (hist, bin_edges). Not differentiable."""
    _need_tensor(input, "histogram")
    if out is not None:
        raise TypeError("[histogram] out= is not supported")
    if isinstance(bins, Tensor) and range is not None:
        raise TypeError("histogram(): range= cannot be given with a tensor of bin edges")
    if weight is not None and isinstance(weight, Tensor):
        if tuple(weight.shape) != tuple(input.shape):
            raise RuntimeError(
                "[histogram] if weight tensor is provided it should have the same shape as the "
                "input tensor"
            )
        weight = weight.reshape(-1, 1)[:, 0]
    hist, edges = _hist_dd("histogram", input.reshape(-1, 1), bins, range, weight, density)
    return histogram(hist, edges[0])


def _histogramdd(
    input: Tensor,
    bins: Any = 10,
    *,
    range: Any = None,
    weight: Tensor | None = None,
    density: bool = False,
) -> histogramdd:
    """A D-dimensional histogram of the points of input (shape (..., D)): bins per dim (an
    int, D ints, or D tensors of edges), range (2*D floats), weight (input's shape without its
    last dim), density. Returns (hist, bin_edges: a list of D tensors). Not differentiable."""
    _need_tensor(input, "histogramdd")
    if input.dim() < 1:
        raise RuntimeError("[histogramdd] input should have at least 1 dimension")
    hist, edges = _hist_dd("histogramdd", input, bins, range, weight, density)
    return histogramdd(hist, edges)


def gradient(
    input: Tensor, *, spacing: Any = 1, dim: Any = None, edge_order: int = 1
) -> tuple[Tensor, ...]:
    """Estimates the derivative of input along dims by second-order central differences inside
    and first- or second-order (edge_order) one-sided differences at the ends. spacing: a number
    (the same step for every dim), one number per dim, or one 1-d coordinate tensor per dim.
    Differentiable (composed of tensor ops)."""
    _need_tensor(input, "gradient")
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    n = input.dim()
    if dim is None:
        dims = list(_builtin_range(n))
    elif isinstance(dim, int):
        dims = [dim]
    else:
        dims = list(dim)
    dims = [_wrapdim(d, n, "gradient") for d in dims]
    if isinstance(spacing, (int, float, Tensor)) and not (
        isinstance(spacing, Tensor) and spacing.dim() > 0
    ):
        sp = [spacing.item() if isinstance(spacing, Tensor) else spacing] * len(dims)
    else:
        sp = list(spacing)
        if len(sp) != len(dims):
            raise RuntimeError(
                f"torch.gradient expected spacing to be unspecified, a scalar or it's spacing and "
                f"dim arguments to have the same length, but got a spacing argument of length "
                f"{len(sp)} and a dim argument of length {len(dims)}."
            )
    for d in dims:
        if input.shape[d] < edge_order + 1:
            raise RuntimeError(
                "torch.gradient expected each dimension size to be at least edge_order+1"
            )
    x = input if input.dtype.is_floating_point else input.to(pa.get_default_dtype())
    outs = []
    for d, h in zip(dims, sp, strict=True):
        size = x.shape[d]

        def sl(a: int, b: int | None, d: int = d, size: int = size) -> Tensor:
            return x.narrow(d, a, (size if b is None else b) - a)

        if isinstance(h, Tensor) and h.dim() == 1:
            if h.shape[0] != size:
                raise RuntimeError(
                    "torch.gradient expected each tensor to be on the same device and the "
                    f"coordinates of dim {d} to have size {size}, got {h.shape[0]}"
                )
            coords = h.to(x.dtype)
            shp = [1] * n
            dx = coords[1:] - coords[:-1]

            def bc(t: Tensor, shp: list[int] = shp, d: int = d) -> Tensor:
                s = list(shp)
                s[d] = t.shape[0]
                return t.reshape(s)

            dx1, dx2 = dx[:-1], dx[1:]
            a = -dx2 / (dx1 * (dx1 + dx2))
            b = (dx2 - dx1) / (dx1 * dx2)
            c = dx1 / (dx2 * (dx1 + dx2))
            mid = bc(a) * sl(0, size - 2) + bc(b) * sl(1, size - 1) + bc(c) * sl(2, None)
            if edge_order == 1:
                first = (sl(1, 2) - sl(0, 1)) / dx[0]
                last = (sl(size - 1, None) - sl(size - 2, size - 1)) / dx[-1]
            else:
                d1, d2 = dx[0], dx[1]
                a0 = -(2.0 * d1 + d2) / (d1 * (d1 + d2))
                b0 = (d1 + d2) / (d1 * d2)
                c0 = -d1 / (d2 * (d1 + d2))
                first = a0 * sl(0, 1) + b0 * sl(1, 2) + c0 * sl(2, 3)
                d1, d2 = dx[-2], dx[-1]
                a1 = d2 / (d1 * (d1 + d2))
                b1 = -(d2 + d1) / (d1 * d2)
                c1 = (2.0 * d2 + d1) / (d2 * (d1 + d2))
                last = (
                    a1 * sl(size - 3, size - 2)
                    + b1 * sl(size - 2, size - 1)
                    + c1 * sl(size - 1, None)
                )
        else:
            if isinstance(h, Tensor):
                h = h.item()
            mid = (sl(2, None) - sl(0, size - 2)) / (2.0 * h)
            if edge_order == 1:
                first = (sl(1, 2) - sl(0, 1)) / h
                last = (sl(size - 1, None) - sl(size - 2, size - 1)) / h
            else:
                first = (-1.5 * sl(0, 1) + 2.0 * sl(1, 2) - 0.5 * sl(2, 3)) / h
                last = (
                    0.5 * sl(size - 3, size - 2)
                    - 2.0 * sl(size - 2, size - 1)
                    + 1.5 * sl(size - 1, None)
                ) / h
        outs.append(pa.cat([first, mid, last], dim=d) if size > 2 else pa.cat([first, last], dim=d))
    return tuple(outs)


def _wrapdim(d: int, n: int, op: str) -> int:
    m = max(n, 1)
    if isinstance(d, bool) or not isinstance(d, int):
        raise TypeError(f"{op}(): dim must be an int, not {type(d).__name__}")
    if not -m <= d < m:
        raise IndexError(
            f"[{op}] Dimension out of range (expected to be in range of [{-m}, {m - 1}], but "
            f"got {d})"
        )
    return d % m


# ---- in-place activations and losses at top level (torch's signatures) -------------------
def _F() -> Any:
    return pa.nn.functional


def selu_(input: Tensor) -> Tensor:
    """In place: SELU of input (``F.selu(input, inplace=True)``)."""
    return _F().selu(input, inplace=True)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In place: CELU of input with alpha (``F.celu(input, alpha, inplace=True)``)."""
    return _F().celu(input, alpha, inplace=True)


def rrelu_(
    input: Tensor,
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    generator: Any = None,
) -> Tensor:
    """In place: randomized leaky ReLU (``F.rrelu(..., inplace=True)``)."""
    if generator is not None:
        raise TypeError("[rrelu_] generator= is not supported")
    return _F().rrelu(input, lower, upper, training, inplace=True)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """In place: value where input <= threshold (``F.threshold(..., inplace=True)``)."""
    return _F().threshold(input, threshold, value, inplace=True)


def dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """In place: dropout (``F.dropout(input, p, train, inplace=True)``)."""
    return _F().dropout(input, p, train, inplace=True)


def alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """In place: alpha dropout (``F.alpha_dropout(input, p, train, inplace=True)``)."""
    return _F().alpha_dropout(input, p, train, inplace=True)


def feature_alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """In place: feature alpha dropout (``F.feature_alpha_dropout(..., inplace=True)``)."""
    return _F().feature_alpha_dropout(input, p, train, inplace=True)


# reduction: 0 none, 1 mean, 2 sum. PyTorch 2.13's top-level bindings of these losses reduce
# nothing when reduction is not given (their default parses as 0, not the schema's Mean): so
# do these.
_REDUCTIONS = {0: "none", 1: "mean", 2: "sum"}


def _red(reduction: Any, op: str) -> str:
    if isinstance(reduction, str) and reduction in _REDUCTIONS.values():
        return reduction
    if isinstance(reduction, bool) or reduction not in _REDUCTIONS:
        raise ValueError(
            f"[{op}] reduction must be 0 (none), 1 (mean) or 2 (sum), got {reduction!r}"
        )
    return _REDUCTIONS[reduction]


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    pos_weight: Tensor | None = None,
    reduction: int = 0,
) -> Tensor:
    """torch.binary_cross_entropy_with_logits: F's, with reduction 0 (none), 1 (mean), 2 (sum)."""
    r = _red(reduction, "binary_cross_entropy_with_logits")
    return _F().binary_cross_entropy_with_logits(
        input, target, weight, reduction=r, pos_weight=pos_weight
    )


def cosine_embedding_loss(
    input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0, reduction: int = 0
) -> Tensor:
    """torch.cosine_embedding_loss: F's, with reduction 0 (none), 1 (mean), 2 (sum)."""
    r = _red(reduction, "cosine_embedding_loss")
    return _F().cosine_embedding_loss(input1, input2, target, margin, reduction=r)


def hinge_embedding_loss(
    input: Tensor, target: Tensor, margin: float = 1.0, reduction: int = 0
) -> Tensor:
    """torch.hinge_embedding_loss: F's, with reduction 0 (none), 1 (mean), 2 (sum)."""
    r = _red(reduction, "hinge_embedding_loss")
    return _F().hinge_embedding_loss(input, target, margin, reduction=r)


def kl_div(
    input: Tensor, target: Tensor, reduction: int = 0, *, log_target: bool = False
) -> Tensor:
    """torch.kl_div: F's, with reduction 0 (none), 1 (mean), 2 (sum)."""
    r = _red(reduction, "kl_div")
    return _F().kl_div(input, target, reduction=r, log_target=log_target)


def margin_ranking_loss(
    input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0, reduction: int = 0
) -> Tensor:
    """torch.margin_ranking_loss: F's, with reduction 0 (none), 1 (mean), 2 (sum)."""
    r = _red(reduction, "margin_ranking_loss")
    return _F().margin_ranking_loss(input1, input2, target, margin, reduction=r)


def poisson_nll_loss(
    input: Tensor, target: Tensor, log_input: bool, full: bool, eps: float, reduction: int
) -> Tensor:
    """torch.poisson_nll_loss: F's (every argument required), reduction 0/1/2."""
    r = _red(reduction, "poisson_nll_loss")
    return _F().poisson_nll_loss(input, target, log_input, full, eps=eps, reduction=r)


def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2.0,
    eps: float = 1e-6,
    swap: bool = False,
    reduction: int = 0,
) -> Tensor:
    """torch.triplet_margin_loss: F's, with reduction 0 (none), 1 (mean), 2 (sum)."""
    r = _red(reduction, "triplet_margin_loss")
    return _F().triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap, reduction=r)


def ctc_loss(
    log_probs: Tensor,
    targets: Tensor,
    input_lengths: Any,
    target_lengths: Any,
    blank: int = 0,
    reduction: int = 0,
    zero_infinity: bool = False,
) -> Tensor:
    """torch.ctc_loss: F's, with reduction 0 (none), 1 (mean), 2 (sum)."""
    r = _red(reduction, "ctc_loss")
    return _F().ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, r, zero_infinity)


def embedding_bag(
    weight: Tensor,
    indices: Tensor,
    offsets: Tensor,
    scale_grad_by_freq: bool = False,
    mode: int = 0,
    sparse: bool = False,
    per_sample_weights: Tensor | None = None,
    include_last_offset: bool = False,
    padding_idx: int | None = None,
) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """torch.embedding_bag (mode 0 sum, 1 mean, 2 max; offsets required): (output, offset2bag,
    bag_size, max_indices). output is F.embedding_bag's (differentiable); offset2bag gives
    each index's bag, bag_size each bag's count (padding_idx not counted), max_indices the row
    taken for each output element in max mode, as PyTorch's CPU kernel fills them."""
    modes = {0: "sum", 1: "mean", 2: "max"}
    if isinstance(mode, bool) or mode not in modes:
        raise ValueError(f"[embedding_bag] mode must be 0 (sum), 1 (mean) or 2 (max), got {mode!r}")
    _need_tensor(indices, "embedding_bag", "indices")
    _need_tensor(offsets, "embedding_bag", "offsets")
    out = _F().embedding_bag(
        indices,
        weight,
        offsets,
        scale_grad_by_freq=scale_grad_by_freq,
        mode=modes[mode],
        sparse=sparse,
        per_sample_weights=per_sample_weights,
        include_last_offset=include_last_offset,
        padding_idx=padding_idx,
    )
    idx = indices.reshape(-1).to(pa.int64)
    offs = offsets.to(pa.int64).tolist()
    nb = out.shape[0]
    starts = offs[:nb]
    ends = [*offs[1 : nb + 1], idx.numel()][:nb]
    if include_last_offset:
        ends = offs[1 : nb + 1]
    o2b = [0] * idx.numel()
    sizes, maxi = [], []
    il = idx.tolist()
    for b, (s, e) in enumerate(zip(starts, ends, strict=True)):
        for j in _builtin_range(s, e):
            o2b[j] = b
        rows = [il[j] for j in _builtin_range(s, e) if padding_idx is None or il[j] != padding_idx]
        sizes.append(len(rows))
        if mode == 2:
            if rows:
                w = weight.detach()[pa.tensor(rows)]
                maxi.append([rows[k] for k in w.argmax(0).tolist()])
            else:
                maxi.append([-1] * weight.shape[1])
    # PyTorch's CPU kernel: sum mode fills offset2bag only with padding_idx or for float64, and
    # leaves bag_size/max_indices zero; mean mode's max_indices is bag_size
    o2b_t = pa.tensor(o2b, dtype=pa.int64)
    bag_size = pa.tensor(sizes, dtype=pa.int64).reshape(nb)
    if mode == 0:
        if padding_idx is None and weight.dtype == pa.float32:
            o2b_t = pa.tensor([], dtype=pa.int64)
        bag_size = _core.zeros([nb], dtype=pa.int64)
        max_idx = _core.zeros([nb], dtype=pa.int64)
    elif mode == 1:
        max_idx = bag_size.clone()
    else:
        max_idx = pa.tensor(maxi, dtype=pa.int64).reshape(nb, weight.shape[1])
    return out, o2b_t, bag_size, max_idx


def conv3d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """torch.conv3d: ``F.conv3d``."""
    return _F().conv3d(input, weight, bias, stride, padding, dilation, groups)


def conv_transpose3d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    output_padding: Any = 0,
    groups: int = 1,
    dilation: Any = 1,
) -> Tensor:
    """torch.conv_transpose3d: ``F.conv_transpose3d``."""
    return _F().conv_transpose3d(
        input, weight, bias, stride, padding, output_padding, groups, dilation
    )


def max_pool3d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = (),
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
) -> Tensor:
    """torch.max_pool3d: ``F.max_pool3d`` (stride () or None: the kernel size)."""
    return _F().max_pool3d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def max_pool1d_with_indices(
    input: Tensor,
    kernel_size: Any,
    stride: Any = (),
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
) -> tuple[Tensor, Tensor]:
    """torch.max_pool1d_with_indices: (values, indices) of ``F.max_pool1d``."""
    return _F().max_pool1d(
        input, kernel_size, stride or None, padding, dilation, ceil_mode, return_indices=True
    )


def constant_pad_nd(input: Tensor, pad: Sequence[int], value: float = 0) -> Tensor:
    """torch.constant_pad_nd: ``F.pad(input, pad, "constant", value)`` (negative pads crop)."""
    return _F().pad(input, pad, "constant", value)


# ---- scatter / copy / strided family -------------------------------------------------------
def _check_src(op: str, view: Tensor, src: Tensor) -> None:
    _need_tensor(src, op, "src")
    if tuple(view.shape) != tuple(src.shape):
        raise RuntimeError(
            f"[{op}] expected src to have a size equal to the slice of self. src size = "
            f"{list(src.shape)}, slice size = {list(view.shape)}"
        )


def _scatter_into(op: str, input: Tensor, src: Tensor, take: Any) -> Tensor:
    _need_tensor(input, op)
    _check_src(op, take(input), src)
    out = _ORIG["clone"](input)
    take(out).copy_(src)
    return out


def select_scatter(input: Tensor, src: Tensor, dim: int, index: int) -> Tensor:
    """A copy of input with src written into ``input.select(dim, index)`` (differentiable in
    both)."""
    return _scatter_into("select_scatter", input, src, lambda t: t.select(dim, index))


def slice_scatter(
    input: Tensor,
    src: Tensor,
    dim: int = 0,
    start: int | None = None,
    end: int | None = None,
    step: int = 1,
) -> Tensor:
    """A copy of input with src written into the slice ``start:end:step`` of dim."""
    if step <= 0:
        raise RuntimeError("[slice_scatter] slice step must be positive")

    def take(t: Tensor) -> Tensor:
        d = _wrapdim(dim, t.dim(), "slice_scatter")
        return t[(slice(None),) * d + (slice(start, end, step),)]

    return _scatter_into("slice_scatter", input, src, take)


def diagonal_scatter(
    input: Tensor, src: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1
) -> Tensor:
    """A copy of input with src written into ``input.diagonal(offset, dim1, dim2)``."""
    return _scatter_into("diagonal_scatter", input, src, lambda t: t.diagonal(offset, dim1, dim2))


def _sizes(v: Any, op: str, what: str) -> list[int]:
    if isinstance(v, int) and not isinstance(v, bool):
        return [v]
    try:
        out = [int(x) for x in v]
    except (TypeError, ValueError):
        raise TypeError(
            f"{op}(): argument '{what}' must be a sequence of ints, not {v!r}"
        ) from None
    if any(isinstance(x, bool) or (isinstance(x, float)) for x in v):
        raise TypeError(f"{op}(): argument '{what}' must be a sequence of ints, not {v!r}")
    return out


def as_strided(
    input: Tensor, size: Sequence[int], stride: Sequence[int], storage_offset: int | None = None
) -> Tensor:
    """A view of input's memory with the given size, strides (in elements) and storage offset
    (default: input's). Differentiable: the gradient is gathered back through the memory
    (PyTorch's AsStridedBackward0); the view must fit in the memory."""
    _need_tensor(input, "as_strided")
    shape = _sizes(size, "as_strided", "size")
    strides = _sizes(stride, "as_strided", "stride")
    off = input.storage_offset() if storage_offset is None else int(storage_offset)
    if len(shape) != len(strides):
        raise RuntimeError(
            f"[as_strided] mismatch in length of strides and shape: {len(shape)} sizes and "
            f"{len(strides)} strides"
        )
    if any(s < 0 for s in shape):
        raise RuntimeError(f"[as_strided] negative size in {shape}")
    if any(s < 0 for s in strides):
        raise RuntimeError(f"[as_strided] negative strides are not supported: {strides}")
    if off < 0:
        raise RuntimeError(f"[as_strided] Tensor: invalid storage offset {off}")
    try:
        return _core._as_strided_view(input, shape, strides, off)
    except ValueError as e:
        raise RuntimeError(f"[as_strided] {e}".replace("[load] ", "")) from None


def as_strided_(
    self: Tensor, size: Sequence[int], stride: Sequence[int], storage_offset: int | None = None
) -> Tensor:
    """In place: self becomes the as_strided view of its memory (tensors that do not require
    grad)."""
    v = as_strided(self, size, stride, storage_offset)
    if self.requires_grad:
        raise RuntimeError(
            "[as_strided_] cannot change the geometry of a tensor that requires grad"
        )
    self.data = v
    return self


def as_strided_copy(
    input: Tensor, size: Sequence[int], stride: Sequence[int], storage_offset: int | None = None
) -> Tensor:
    """A contiguous copy of ``as_strided(input, size, stride, storage_offset)``."""
    return _ORIG["clone"](as_strided(input, size, stride, storage_offset))


def as_strided_scatter(
    input: Tensor,
    src: Tensor,
    size: Sequence[int],
    stride: Sequence[int],
    storage_offset: int | None = None,
) -> Tensor:
    """A copy of input with src written into its as_strided view (input contiguous)."""
    _need_tensor(input, "as_strided_scatter")
    return _scatter_into(
        "as_strided_scatter",
        _ORIG["contiguous"](input),
        src,
        lambda t: as_strided(t, size, stride, storage_offset),
    )


def empty_strided(
    size: Sequence[int],
    stride: Sequence[int],
    *,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    pin_memory: bool = False,
) -> Tensor:
    """An uninitialised tensor with the given size and strides (in elements), in memory of
    the smallest size that holds it."""
    shape = _sizes(size, "empty_strided", "size")
    strides = _sizes(stride, "empty_strided", "stride")
    if len(shape) != len(strides):
        raise RuntimeError(
            f"[empty_strided] mismatch in length of strides and shape: {len(shape)} sizes and "
            f"{len(strides)} strides"
        )
    if any(s < 0 for s in shape) or any(s < 0 for s in strides):
        raise RuntimeError(f"[empty_strided] negative size or stride: {shape}, {strides}")
    pa._creation._check_device(device, "empty_strided")
    dt = dtype if dtype is not None else pa.get_default_dtype()
    n = 0 if 0 in shape else 1 + sum((s - 1) * st for s, st in zip(shape, strides, strict=True))
    buf = _core.empty([n], dtype=dt)
    out = _core._as_strided_raw(buf, shape, strides, 0)
    return out.requires_grad_(True) if requires_grad else out


def _new_empty_strided(
    self: Tensor,
    size: Sequence[int],
    stride: Sequence[int],
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    layout: Any = None,
    pin_memory: bool = False,
) -> Tensor:
    """empty_strided of self's dtype (unless given)."""
    return empty_strided(
        size, stride, dtype=self.dtype if dtype is None else dtype, device=device,
        requires_grad=requires_grad,
    )  # fmt: skip


def _copying(name: str, view: Any, doc: str) -> Any:
    def fn(input: Tensor, *args: Any, **kwargs: Any) -> Any:
        _need_tensor(input, name)
        r = view(input, *args, **kwargs)
        if isinstance(r, Tensor):
            return _ORIG["clone"](r)
        return tuple(_ORIG["clone"](t) for t in r)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


def _no_derivative(out: Tensor, input: Tensor, name: str) -> Tensor:
    from ._api_gaps import _attach

    return _attach(_ORIG["clone"](out), [input], name, "none")


def _view(t: Tensor, *size: Any) -> Tensor:
    return t.view(*size)


COPIES: dict[str, Any] = {
    "view_copy": _copying("view_copy", _view, "A contiguous copy of ``input.view(size)``."),
    "permute_copy": _copying(
        "permute_copy",
        lambda t, dims: t.permute(*dims),
        "A contiguous copy of input.permute(dims).",
    ),
    "transpose_copy": _copying(
        "transpose_copy",
        lambda t, d0, d1: t.transpose(d0, d1),
        "A contiguous copy of input.transpose(dim0, dim1).",
    ),
    "t_copy": _copying("t_copy", lambda t: t.t(), "A contiguous copy of input.t()."),
    "expand_copy": _copying(
        "expand_copy",
        lambda t, size, *, implicit=False: t.expand(*size),
        "A contiguous copy of input.expand(size).",
    ),
    "squeeze_copy": _copying(
        "squeeze_copy",
        lambda t, dim=None: t.squeeze() if dim is None else t.squeeze(dim),
        "A contiguous copy of input.squeeze(dim).",
    ),
    "unsqueeze_copy": _copying(
        "unsqueeze_copy",
        lambda t, dim: t.unsqueeze(dim),
        "A contiguous copy of input.unsqueeze(dim).",
    ),
    "select_copy": _copying(
        "select_copy",
        lambda t, dim, index: t.select(dim, index),
        "A copy of input.select(dim, index).",
    ),
    "slice_copy": _copying(
        "slice_copy",
        lambda t, dim=0, start=None, end=None, step=1: t[
            (slice(None),) * _wrapdim(dim, t.dim(), "slice_copy") + (slice(start, end, step),)
        ],
        "A contiguous copy of the slice start:end:step of input along dim.",
    ),
    "diagonal_copy": _copying(
        "diagonal_copy",
        lambda t, offset=0, dim1=0, dim2=1: t.diagonal(offset, dim1, dim2),
        "A copy of input.diagonal(offset, dim1, dim2).",
    ),
    "unbind_copy": _copying(
        "unbind_copy", lambda t, dim=0: t.unbind(dim), "Copies of the tensors of input.unbind(dim)."
    ),
    "split_copy": _copying(
        "split_copy",
        lambda t, split_size, dim=0: t.split(split_size, dim),
        "Copies of the tensors of input.split(split_size, dim).",
    ),
    "split_with_sizes_copy": _copying(
        "split_with_sizes_copy",
        lambda t, split_sizes, dim=0: t.split(list(split_sizes), dim),
        "Copies of the tensors of input.split_with_sizes(split_sizes, dim).",
    ),
    "detach_copy": _copying(
        "detach_copy",
        lambda t: _no_derivative(t.detach(), t, "detach_copy"),
        "A copy of input.detach(); as PyTorch's it requires grad when input does, and "
        "backward through it raises (no derivative).",
    ),
    "alias_copy": _copying("alias_copy", lambda t: t, "A copy of input (of its alias)."),
    "narrow_copy": _copying(
        "narrow_copy",
        lambda t, dim, start, length: t.narrow(dim, start, length),
        "A contiguous copy of input.narrow(dim, start, length).",
    ),
    "unfold_copy": _copying(
        "unfold_copy",
        lambda t, dimension, size, step: t.unfold(dimension, size, step),
        "A contiguous copy of input.unfold(dimension, size, step).",
    ),
}


def _resize_(self: Tensor, *size: Any, memory_format: Any = None) -> Tensor:
    """Resizes self in place to size, row-major (channels_last: NHWC). The elements that fit keep
    their memory (shrinking keeps the data), new ones are uninitialised; a tensor that requires
    grad cannot be resized (as PyTorch)."""
    if len(size) == 1 and not isinstance(size[0], int):
        size = tuple(size[0])
    shape = _sizes(size, "resize_", "size")
    if any(s < 0 for s in shape):
        raise RuntimeError(f"[resize_] Trying to create tensor with negative dimension: {shape}")
    if memory_format is not None:
        _check_format(memory_format, "resize_")
    if self.requires_grad:
        raise RuntimeError("[resize_] cannot resize variables that require grad")
    isz = self.element_size()
    nbytes = _core._storage_info(self)[1]
    cap = nbytes // isz if isz else 0
    off = self.storage_offset()
    n = math.prod(shape)
    if memory_format in _CL_ORDER and len(shape) == _CL_RANK[memory_format]:
        order = list(reversed(_CL_ORDER[memory_format]))
        st = [0] * len(shape)
        acc = 1
        for d in reversed(order):
            st[d] = acc
            acc *= max(shape[d], 1)
    else:
        st, acc = [0] * len(shape), 1
        for d in reversed(_builtin_range(len(shape))):
            st[d] = acc
            acc *= max(shape[d], 1)
    need = off + n
    if need <= cap:
        new = _core._as_strided_raw(_flat_storage(self, cap), shape, st, off)
    else:  # a bigger memory: the old memory's elements first, then uninitialised ones
        buf = _core.empty([need], dtype=self.dtype)
        if cap:
            buf[:cap] = _flat_storage(self, cap)
        new = _core._as_strided_raw(buf, shape, st, off)
    with pa.no_grad():
        self.data = new
    return self


def _flat_storage(t: Tensor, cap: int) -> Tensor:
    return _core._as_strided_raw(t, [cap], [1], 0)


def _resize_as_(self: Tensor, the_template: Tensor, *, memory_format: Any = None) -> Tensor:
    """In place: resize_ self to the template's shape."""
    _need_tensor(the_template, "resize_as_", "the_template")
    return _resize_(self, tuple(the_template.shape), memory_format=memory_format)


def resize_as_(input: Tensor, the_template: Tensor, *, memory_format: Any = None) -> Tensor:
    """In place: resize_ input to the template's shape."""
    _need_tensor(input, "resize_as_")
    return _resize_as_(input, the_template, memory_format=memory_format)


def _resize(self: Tensor, *size: Any) -> Tensor:
    """Deprecated: a resized copy of self (the elements that fit, new ones uninitialised)."""
    return _resize_(_ORIG["clone"](self.detach()), *size)


def _resize_as(self: Tensor, the_template: Tensor) -> Tensor:
    """Deprecated: a copy of self resized to the template's shape."""
    _need_tensor(the_template, "resize_as", "the_template")
    return _resize(self, tuple(the_template.shape))


def _new(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """The legacy constructor in self's dtype: ``new()`` an empty 1-d tensor, ``new(2, 3)`` or
    ``new(size)`` an uninitialised one, ``new(data)`` a copy of a list, ``new(tensor)`` an
    alias of a tensor of the same dtype."""
    dt = kwargs.pop("dtype", None) or self.dtype
    dev = kwargs.pop("device", None)
    pa._creation._check_device(dev, "new")
    if kwargs:
        raise TypeError(f"new() got an unexpected keyword argument '{next(iter(kwargs))}'")
    if not args:
        return _core.empty([0], dtype=dt)
    if len(args) == 1 and isinstance(args[0], Tensor):
        if args[0].dtype != dt:
            raise TypeError(
                f"expected {str(dt).rsplit('.', 1)[-1]} tensor but got "
                f"{str(args[0].dtype).rsplit('.', 1)[-1]} tensor (new)"
            )
        return args[0].detach()
    if all(isinstance(a, int) and not isinstance(a, bool) for a in args):
        return _core.empty(list(args), dtype=dt)
    if len(args) == 1 and isinstance(args[0], pa.Size):
        return _core.empty(list(args[0]), dtype=dt)
    if len(args) == 1:
        return pa.tensor(args[0], dtype=dt)
    raise TypeError(f"new() received an invalid combination of arguments: {args!r}")


def index_reduce(
    input: Tensor,
    dim: int,
    index: Tensor,
    source: Tensor,
    reduce: str,
    *,
    include_self: bool = True,
    _inplace: bool = False,
) -> Tensor:
    """A copy of input whose slices ``index[i]`` along dim are reduced ("prod", "mean", "amax",
    "amin") with ``source``'s slice i (and input's own values when include_self).
    Differentiable as scatter_reduce."""
    _need_tensor(input, "index_reduce")
    _need_tensor(index, "index_reduce", "index")
    _need_tensor(source, "index_reduce", "source")
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(
            f"[index_reduce] reduce argument must be either prod, mean, amax or amin, got {reduce}"
        )
    if index.dim() > 1 or index.dtype not in (pa.int64, pa.int32):
        raise RuntimeError("[index_reduce] index should be a 1-d int64 or int32 tensor")
    d = _wrapdim(dim, input.dim(), "index_reduce")
    if source.dim() != input.dim() and not (input.dim() <= 1 and source.dim() <= 1):
        raise RuntimeError("[index_reduce] source and self should have the same number of dims")
    if index.numel() != (source.shape[d] if source.dim() else 1):
        raise RuntimeError(
            "[index_reduce] index and source need to have the same number of elements along dim"
        )
    for i in _builtin_range(source.dim()):
        if i != d and source.shape[i] != input.shape[i]:
            raise RuntimeError(
                f"[index_reduce] source's shape {list(source.shape)} and self's "
                f"{list(input.shape)} differ outside dim {d}"
            )
    if source.dtype != input.dtype:
        raise RuntimeError("[index_reduce] self and source should have the same dtype")
    if input.dim() == 0:
        input1, source1 = input.reshape(1), source.reshape(1)
        r = index_reduce(input1, 0, index.reshape(1), source1, reduce, include_self=include_self)
        return input.copy_(r[0]) if _inplace else r[0]
    n = input.shape[d]
    if index.numel() and ((index >= n).any().item() or (index < -n).any().item()):
        raise IndexError(f"[index_reduce] index out of range for dimension {d} of size {n}")
    idx = pa.where(index < 0, index + n, index).to(pa.int64)
    shp = [1] * input.dim()
    shp[d] = -1
    full = idx.reshape(shp).expand(*source.shape)
    if _inplace:
        return input.scatter_reduce_(d, full, source, reduce, include_self=include_self)
    return input.scatter_reduce(d, full, source, reduce, include_self=include_self)


def _index_reduce_(
    self: Tensor,
    dim: int,
    index: Tensor,
    source: Tensor,
    reduce: str,
    *,
    include_self: bool = True,
) -> Tensor:
    """In place: index_reduce."""
    return index_reduce(self, dim, index, source, reduce, include_self=include_self, _inplace=True)


# ---- legacy linalg names and special functions ------------------------------------------
def _need_matrix(op: str, x: Any, arg: str = "input") -> None:
    _need_tensor(x, op, arg)
    if x.dim() < 2:
        raise RuntimeError(f"[{op}] {arg} should have at least 2 dimensions, but has {x.dim()}")
    if not x.dtype.is_floating_point:
        raise RuntimeError(
            f"[{op}] Expected a floating point tensor as {arg}. Got "
            f"{str(x.dtype).rsplit('.', 1)[-1]}"
        )


def cholesky_solve(input: Tensor, input2: Tensor, upper: bool = False) -> Tensor:
    """The solution X of ``A X = input`` with A = L Lᵀ given its Cholesky factor input2 (L, or
    U with A = Uᵀ U when upper). Differentiable in both (through linalg.solve)."""
    _need_matrix("cholesky_solve", input)
    _need_matrix("cholesky_solve", input2, "input2")
    fac = _tri_values(input2, upper)
    a = fac.mT @ fac if upper else fac @ fac.mT
    return pa.linalg.solve(a, input)


def _tri_values(f: Tensor, upper: bool) -> Tensor:
    """f's triangle as values (the other triangle is not read, as LAPACK's), with the gradient
    of every entry of f as PyTorch's formulas give it (they treat the factor as full)."""
    other = f.tril(-1) if upper else f.triu(1)
    return f - other.detach()


def cholesky_inverse(input: Tensor, upper: bool = False) -> Tensor:
    """The inverse of A = L Lᵀ (U with A = Uᵀ U when upper) from its Cholesky factor input.
    Differentiable (through inverse)."""
    _need_matrix("cholesky_inverse", input)
    fac = _tri_values(input, upper)
    a = fac.mT @ fac if upper else fac @ fac.mT
    return pa.linalg.inv(a)


class triangular_solve(NamedTuple):
    """(solution, cloned_coefficient) of torch.triangular_solve."""

    solution: Tensor
    cloned_coefficient: Tensor


def _triangular_solve(
    input: Tensor,
    A: Tensor,
    upper: bool = True,
    transpose: bool = False,
    unitriangular: bool = False,
) -> triangular_solve:
    """Deprecated (warns once, as PyTorch): solves ``M X = input`` for the triangular part M of
    A (upper or lower; its diagonal taken as ones when unitriangular; Mᵀ when transpose).
    Returns (solution, a copy of A). Differentiable (through linalg.solve)."""
    _need_matrix("triangular_solve", input)
    _need_matrix("triangular_solve", A, "A")
    from ._linalg_np2 import _warn_once

    _warn_once(
        "triangular_solve",
        "torch.triangular_solve is deprecated in favor of torch.linalg.solve_triangular and "
        "will be removed in a future PyTorch release.",
    )
    m = A.triu() if upper else A.tril()
    if unitriangular:
        m = m - pa.diag_embed(m.diagonal(0, -2, -1)) + pa.eye(A.shape[-1], dtype=A.dtype)
    if transpose:
        m = m.mT
    return triangular_solve(pa.linalg.solve(m, input), _ORIG["clone"](A))


def matrix_exp(input: Tensor) -> Tensor:
    """The matrix exponential of each square matrix of input (Taylor series of degree 18 after
    scaling by a power of 2, then squaring). Differentiable (composed of matmuls)."""
    _need_tensor(input, "matrix_exp")
    if input.dim() < 2 or input.shape[-1] != input.shape[-2]:
        raise RuntimeError(
            f"[matrix_exp] expected a square matrix or batch of square matrices, got shape "
            f"{list(input.shape)}"
        )
    if not input.dtype.is_floating_point:
        raise RuntimeError(
            f"\"linalg_matrix_exp\" not implemented for '{str(input.dtype).rsplit('.', 1)[-1]}'"
        )
    n = input.shape[-1]
    if input.numel() == 0:
        return _ORIG["clone"](input)
    norm = input.detach().abs().sum(-2).amax(-1).max().item() if n else 0.0
    if not math.isfinite(norm):
        s = 0
    else:
        s = max(0, math.ceil(math.log2(norm / 0.25))) if norm > 0.25 else 0
    x = input / (2.0**s)
    eye = pa.eye(n, dtype=input.dtype)
    p = eye + x / 18.0
    for k in _builtin_range(17, 0, -1):
        p = eye + (x @ p) / float(k)
    for _ in _builtin_range(s):
        p = p @ p
    return p


def mvlgamma(input: Tensor, p: int) -> Tensor:
    """The multivariate log-gamma of dimension p: ``sum_j lgamma(input - j/2) + p(p-1)/4
    log(pi)`` (defined where every element exceeds (p-1)/2; inf or nan elsewhere, as PyTorch
    2.13, which no longer checks). Differentiable."""
    _need_tensor(input, "mvlgamma")
    if isinstance(p, bool) or not isinstance(p, int) or p < 1:
        raise RuntimeError(f"[mvlgamma] p has to be greater than or equal to 1, got {p!r}")
    x = input if input.dtype.is_floating_point else input.to(pa.get_default_dtype())
    # PyTorch's: the p terms as one tensor (a huge p fails to allocate, as PyTorch's does)
    offsets = _core.arange(0, p, dtype=x.dtype) * -0.5
    out = _core.lgamma(x.unsqueeze(-1) + offsets).sum(-1)
    return out + p * (p - 1) / 4.0 * math.log(math.pi)


def _mvlgamma_(self: Tensor, p: int) -> Tensor:
    """In place: mvlgamma."""
    return self.copy_(mvlgamma(self.detach() if not self.requires_grad else self, p))


# Cephes' Hurwitz zeta (PyTorch's zeta kernel): Euler-Maclaurin summation.
_ZETA_A = np.array(
    [12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9,
     7.47242496e10, -2.950130727918164224e12, 1.1646782814350067249e14,
     -4.5979787224074726105e15, 1.8152105401943546773e17, -7.1661652561756670113e18]
)  # fmt: skip


def _zeta_np(x: np.ndarray, q: np.ndarray) -> np.ndarray:
    x, q = np.broadcast_arrays(np.asarray(x, np.float64), np.asarray(q, np.float64))
    out = np.empty(x.shape)
    flat_x, flat_q, flat_o = x.reshape(-1), q.reshape(-1), out.reshape(-1)
    for i in _builtin_range(flat_x.size):
        flat_o[i] = _zeta1(float(flat_x[i]), float(flat_q[i]))
    return out


def _zeta1(x: float, q: float) -> float:
    machep = 1.11022302462515654042e-16
    if x == 1.0:
        return math.inf
    if x < 1.0:
        return math.nan
    if q <= 0.0:
        if q == math.floor(q):
            return math.inf
        if x != math.floor(x):
            return math.nan
    s = q**-x
    a = q
    i = 0
    b = 0.0
    while i < 9 or a <= 9.0:
        i += 1
        a += 1.0
        b = a**-x
        s += b
        if abs(b / s) < machep:
            return s
    w = a
    s += b * w / (x - 1.0)
    s -= 0.5 * b
    a = 1.0
    k = 0.0
    for j in _builtin_range(12):
        a *= x + k
        b /= w
        t = a * b / _ZETA_A[j]
        s += t
        if abs(t / s) < machep:
            return s
        k += 1.0
        a *= x + k
        b /= w
        k += 1.0
    return s


def _polygamma_np(n: int, x: np.ndarray) -> np.ndarray:
    sign = -1.0 if n % 2 == 0 else 1.0  # (-1)^(n+1)
    return sign * math.factorial(n) * _zeta_np(n + 1.0, x)


def _polygamma_fn() -> Any:
    class Polygamma(pa.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Tensor, n: int) -> Tensor:
            ctx.save_for_backward(x)
            ctx.n = n
            r = _polygamma_np(n, x.detach().numpy())
            return pa.from_numpy(np.ascontiguousarray(r)).to(x.dtype)

        @staticmethod
        def backward(ctx: Any, g: Tensor) -> Any:
            (x,) = ctx.saved_tensors
            return g * polygamma(ctx.n + 1, x), None

    return Polygamma


_POLYGAMMA: list[Any] = []


def polygamma(n: int, input: Tensor) -> Tensor:
    """The n-th derivative of the digamma function at input (n = 0: digamma), as PyTorch
    computes it (Cephes' Hurwitz zeta: ``(-1)^(n+1) n! zeta(n+1, x)``). Differentiable."""
    _need_tensor(input, "polygamma")
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"polygamma(): argument 'n' must be int, not {type(n).__name__}")
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    x = input if input.dtype.is_floating_point else input.to(pa.get_default_dtype())
    if n == 0:
        return _core.digamma(x)
    if not _POLYGAMMA:
        _POLYGAMMA.append(_polygamma_fn())
    return _POLYGAMMA[0].apply(x, n)


def _polygamma_method(self: Tensor, n: int) -> Tensor:
    """polygamma(n, self)."""
    return polygamma(n, self)


def _polygamma_(self: Tensor, n: int) -> Tensor:
    """In place: polygamma(n, self)."""
    return self.copy_(polygamma(n, self))


def zeta(input: Any, other: Any) -> Tensor:
    """The Hurwitz zeta function ``sum_k (k + other)^-input`` (Cephes, as PyTorch). Not
    differentiable (PyTorch has no derivative either)."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError("zeta(): expected a tensor argument")
    dt = pa.result_type(input, other)
    if not dt.is_floating_point:
        dt = pa.get_default_dtype()
    a = input.detach().numpy() if isinstance(input, Tensor) else np.asarray(float(input))
    b = other.detach().numpy() if isinstance(other, Tensor) else np.asarray(float(other))
    return pa.from_numpy(np.ascontiguousarray(_zeta_np(a, b))).to(dt)


# ---- installation ---------------------------------------------------------------------------
FUNCTIONS: dict[str, Any] = {
    "detach": detach,
    "masked_fill": masked_fill,
    "unravel_index": unravel_index,
    "set_flush_denormal": set_flush_denormal,
    "is_inference_mode_enabled": is_inference_mode_enabled,
    "is_anomaly_enabled": is_anomaly_enabled,
    "is_anomaly_check_nan_enabled": is_anomaly_check_nan_enabled,
    "set_anomaly_enabled": set_anomaly_enabled,
    "get_device": get_device,
    "real": real,
    "imag": imag,
    "isreal": isreal,
    "conj": conj,
    "conj_physical": conj_physical,
    "resolve_conj": resolve_conj,
    "resolve_neg": resolve_neg,
    "is_conj": is_conj,
    "is_neg": is_neg,
    "adjoint": adjoint,
    "range": range,
    "histogram": _histogram,
    "histogramdd": _histogramdd,
    "gradient": gradient,
    "selu_": selu_,
    "celu_": celu_,
    "rrelu_": rrelu_,
    "threshold_": threshold_,
    "dropout_": dropout_,
    "alpha_dropout_": alpha_dropout_,
    "feature_alpha_dropout_": feature_alpha_dropout_,
    "binary_cross_entropy_with_logits": binary_cross_entropy_with_logits,
    "cosine_embedding_loss": cosine_embedding_loss,
    "hinge_embedding_loss": hinge_embedding_loss,
    "kl_div": kl_div,
    "margin_ranking_loss": margin_ranking_loss,
    "poisson_nll_loss": poisson_nll_loss,
    "triplet_margin_loss": triplet_margin_loss,
    "ctc_loss": ctc_loss,
    "embedding_bag": embedding_bag,
    "conv3d": conv3d,
    "conv_transpose3d": conv_transpose3d,
    "max_pool3d": max_pool3d,
    "max_pool1d_with_indices": max_pool1d_with_indices,
    "constant_pad_nd": constant_pad_nd,
    "select_scatter": select_scatter,
    "slice_scatter": slice_scatter,
    "diagonal_scatter": diagonal_scatter,
    "as_strided": as_strided,
    "as_strided_": as_strided_,
    "as_strided_copy": as_strided_copy,
    "as_strided_scatter": as_strided_scatter,
    "empty_strided": empty_strided,
    "resize_as_": resize_as_,
    "index_reduce": index_reduce,
    "cholesky_solve": cholesky_solve,
    "cholesky_inverse": cholesky_inverse,
    "triangular_solve": _triangular_solve,
    "matrix_exp": matrix_exp,
    "mvlgamma": mvlgamma,
    "polygamma": polygamma,
    **COPIES,
}

# names PyTorch has at top level that are objects, not functions
OBJECTS: dict[str, Any] = {
    "memory_format": memory_format,
    "layout": layout,
    "contiguous_format": contiguous_format,
    "preserve_format": preserve_format,
    "channels_last": channels_last,
    "channels_last_3d": channels_last_3d,
    "strided": strided,
    "inference_mode": inference_mode,
}


def install(cls: type[Tensor], module: dict[str, Any]) -> None:
    """Adds the functions above to the package namespace and the methods to Tensor; wraps
    contiguous/is_contiguous/clone/to and the *_like creators for memory_format=."""
    from . import _creation, _functions_extra

    if not _ORIG:
        for name in ("is_contiguous", "contiguous", "clone", "to"):
            _ORIG[name] = getattr(cls, name)
    typed = _functions_extra._typed
    for name, fn in FUNCTIONS.items():
        if name not in module:  # (what exists stays)
            module[name] = typed(name, fn)
    module.update(OBJECTS)
    module["clone"] = typed("clone", _clone)
    if not hasattr(module["empty"], "__wrapped__"):
        module["empty"] = _empty_wrapper(module["empty"])
    for name in ("zeros_like", "ones_like", "empty_like", "full_like", "rand_like", "randn_like",
                 "randint_like"):  # fmt: skip
        orig = getattr(_creation, name)
        module[name] = _like_wrapper(name, orig)
    methods: dict[str, Any] = {
        "is_contiguous": _is_contiguous,
        "contiguous": _contiguous,
        "clone": _clone,
        "to": _to,
        "histogram": _histogram,
        "isreal": isreal,
        "conj": conj,
        "conj_physical": conj_physical,
        "resolve_conj": resolve_conj,
        "resolve_neg": resolve_neg,
        "is_conj": is_conj,
        "is_neg": is_neg,
        "adjoint": adjoint,
        "select_scatter": select_scatter,
        "slice_scatter": slice_scatter,
        "diagonal_scatter": diagonal_scatter,
        "as_strided": as_strided,
        "as_strided_": as_strided_,
        "as_strided_scatter": as_strided_scatter,
        "new_empty_strided": _new_empty_strided,
        "narrow_copy": COPIES["narrow_copy"],
        "resize_": _resize_,
        "resize_as_": _resize_as_,
        "resize": _resize,
        "resize_as": _resize_as,
        "new": _new,
        "index_reduce": index_reduce,
        "index_reduce_": _index_reduce_,
        "cholesky_solve": cholesky_solve,
        "cholesky_inverse": cholesky_inverse,
        "triangular_solve": _triangular_solve,
        "matrix_exp": matrix_exp,
        "mvlgamma": mvlgamma,
        "mvlgamma_": _mvlgamma_,
        "polygamma": _polygamma_method,
        "polygamma_": _polygamma_,
    }
    for name, fn in methods.items():
        if name in ("is_contiguous", "contiguous", "clone", "to"):
            setattr(cls, name, fn)
        elif not hasattr(cls, name):  # (what exists stays)
            setattr(cls, name, typed(name, fn))
    cls.layout = property(_layout, doc="The layout: always ``torch.strided`` (dense).")  # type: ignore[attr-defined]
    # inference_mode with PyTorch's mode argument and is_inference_mode_enabled
    pa.autograd.inference_mode = inference_mode  # type: ignore[attr-defined, misc]
    # nn.Module.to(memory_format=channels_last) converts 4-d (5-d) parameters and buffers
    mod = pa.nn.Module
    if not getattr(mod.to, "_gaps2", False):
        mod.to = _module_to(mod.to)  # type: ignore[method-assign]
        mod.to._gaps2 = True  # type: ignore[attr-defined]
    # torch.special.polygamma / zeta
    pa.special.polygamma = FUNCTIONS_SPECIAL["polygamma"]  # type: ignore[attr-defined]
    pa.special.zeta = FUNCTIONS_SPECIAL["zeta"]  # type: ignore[attr-defined]
    pa.special.multigammaln = getattr(pa.special, "multigammaln", mvlgamma)  # type: ignore[attr-defined]


FUNCTIONS_SPECIAL: dict[str, Any] = {"polygamma": polygamma, "zeta": zeta}
