"""Creation from Python data, and the *_like helpers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import _core
from ._core import Tensor


class device:
    """A device descriptor. Only 'cpu' can hold tensors."""

    def __init__(self, type: str | device = "cpu", index: int | None = None) -> None:
        if isinstance(type, device):  # torch.device(another_device): a copy
            self.type, self.index = type.type, type.index
            return
        if not isinstance(type, str):
            raise TypeError(f"[device] expected a string, got {type.__class__.__name__}")
        name, _, idx = type.partition(":")
        self.type = name
        self.index = int(idx) if idx else index

    def __enter__(self) -> device:
        """``with torch.device("cpu"):`` (the default device of the factories inside): only
        the CPU exists here, so it is that already; another device is refused."""
        if self.type != "cpu":
            raise RuntimeError(f"[device] only the CPU is available, got device {self}")
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        return f"device(type='{self.type}')"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index or 0) == (
            other.type,
            other.index or 0,
        )

    def __hash__(self) -> int:
        return hash((self.type, self.index or 0))

    def __reduce__(self) -> tuple[type[device], tuple[str]]:
        return (device, (str(self),))


def _check_device(dev: Any, op: str) -> None:
    _core._check_device(dev, op)


def tensor(
    data: Any,
    dtype: _core.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """A new tensor holding a copy of `data` (a number, nested lists, a NumPy array, a tensor).

    Python floats become the default dtype (float32 unless set_default_dtype changed it), ints
    int64, bools bool; NumPy arrays keep their dtype.
    """
    _check_device(device, "tensor")
    if isinstance(data, Tensor):
        arr = data.detach().numpy()
    elif isinstance(data, (np.ndarray, np.generic)):
        arr = np.asarray(data)
    else:
        try:
            arr = np.array(data)
        except (ValueError, TypeError) as e:
            raise ValueError(f"[tensor] could not convert data to a tensor: {e}") from None
        if arr.dtype.kind not in "biuf":
            raise TypeError(
                f"[tensor] could not infer a dtype from data of type {type(data).__name__}; "
                "expected numbers, bools or (nested) lists of them"
            )
        if arr.dtype.kind == "f" and dtype is None:  # Python floats: the default dtype
            wide = _core._get_default_dtype() == _core.float64
            with np.errstate(over="ignore"):  # beyond float32: inf, as PyTorch
                arr = arr.astype(np.float64 if wide else np.float32)
        if dtype is not None:
            _check_fits(arr, dtype)
    t = _core._copy_numpy(arr, dtype)
    if requires_grad:
        t.requires_grad_(True)
    return t


_INT_NAMES = ("uint8", "int8", "int16", "int32", "int64")


def _check_fits(arr: np.ndarray, dtype: _core.dtype) -> None:
    """PyTorch's check when Python numbers become elements of an integer tensor: a float must
    be finite and in range (then truncated), an int in range (into an unsigned type a negative
    int wraps, two's complement: -1 is 255, while -256 overflows)."""
    name = str(dtype).rpartition(".")[2]
    if name not in _INT_NAMES or arr.dtype.kind not in "iuf" or arr.size == 0:
        return
    info = np.iinfo(name)
    if arr.dtype.kind == "f":
        bad = np.isnan(arr) | (arr < float(info.min)) | (arr > info.max) | (arr >= 2.0**63)
    elif info.min == 0:
        bad = (arr > info.max) | (arr < -info.max)
    else:
        bad = (arr < info.min) | (arr > info.max)
    if bad.any():
        raise RuntimeError(f"[tensor] value cannot be converted to type {name} without overflow")


def _like(
    make: Callable[..., Tensor], t: Tensor, dtype: _core.dtype | None, kw: dict[str, Any], op: str
) -> Tensor:
    if not isinstance(t, Tensor):
        raise TypeError(f"[{op}] expected a tensor, got {type(t).__name__}")
    return make(t.shape, dtype=dtype if dtype is not None else t.dtype, **kw)


def zeros_like(t: Tensor, dtype: _core.dtype | None = None, **kw: Any) -> Tensor:
    """A new tensor of ``t``'s shape (and dtype, unless given) filled with zeros."""
    return _like(_core.zeros, t, dtype, kw, "zeros_like")


def ones_like(t: Tensor, dtype: _core.dtype | None = None, **kw: Any) -> Tensor:
    """A new tensor of ``t``'s shape (and dtype, unless given) filled with ones."""
    return _like(_core.ones, t, dtype, kw, "ones_like")


def empty_like(t: Tensor, dtype: _core.dtype | None = None, **kw: Any) -> Tensor:
    """A new tensor of ``t``'s shape (and dtype, unless given) filled with uninitialised values."""
    return _like(_core.empty, t, dtype, kw, "empty_like")


def _random_like(t: Tensor, dtype: _core.dtype | None, kw: dict[str, Any], op: str) -> Tensor:
    # PyTorch's empty_like (t's memory layout when t is dense), to be filled in place: the
    # draws then follow the order and the path (vectorised or scalar) PyTorch's do
    if not isinstance(t, Tensor):
        raise TypeError(f"[{op}] expected a tensor, got {type(t).__name__}")
    _check_device(kw.pop("device", None), op)
    for k in ("layout", "memory_format", "pin_memory"):
        kw.pop(k, None)
    requires_grad = kw.pop("requires_grad", False)
    generator = kw.pop("generator", None)
    if kw:
        raise TypeError(f"[{op}] got an unexpected keyword argument '{next(iter(kw))}'")
    out = _core._empty_like_dense(t, dtype if dtype is not None else t.dtype)
    if op == "rand_like":
        out.uniform_(generator=generator)
    else:
        out.normal_(generator=generator)
    return out.requires_grad_(True) if requires_grad else out


def rand_like(t: Tensor, dtype: _core.dtype | None = None, **kw: Any) -> Tensor:
    """A tensor of ``t``'s shape (and dtype, unless given) of uniform random numbers in [0, 1)."""
    return _random_like(t, dtype, kw, "rand_like")


def randn_like(t: Tensor, dtype: _core.dtype | None = None, **kw: Any) -> Tensor:
    """A tensor of ``t``'s shape (and dtype, unless given) of standard normal random numbers."""
    return _random_like(t, dtype, kw, "randn_like")


def full_like(t: Tensor, fill_value: Any, dtype: _core.dtype | None = None, **kw: Any) -> Tensor:
    """A new tensor of ``t``'s shape (and dtype, unless given) filled with ``fill_value``."""
    if not isinstance(t, Tensor):
        raise TypeError(f"[full_like] expected a tensor, got {type(t).__name__}")
    return _core.full(t.shape, fill_value, dtype=dtype if dtype is not None else t.dtype, **kw)


def randint_like(
    t: Tensor, low: int, high: int | None = None, dtype: _core.dtype | None = None, **kw: Any
) -> Tensor:
    """A tensor of ``t``'s shape (and dtype, unless given) of integers drawn uniformly from
    [low, high): ``randint_like(t, high)`` or ``randint_like(t, low, high)``."""
    if not isinstance(t, Tensor):
        raise TypeError(f"[randint_like] expected a tensor, got {type(t).__name__}")
    lo, hi = (0, low) if high is None else (low, high)
    dt = dtype if dtype is not None else t.dtype
    _check_device(kw.pop("device", None), "randint_like")
    for k in ("layout", "memory_format", "pin_memory"):
        kw.pop(k, None)
    requires_grad = kw.pop("requires_grad", False)
    generator = kw.pop("generator", None)
    if kw:
        raise TypeError(f"[randint_like] got an unexpected keyword argument '{next(iter(kw))}'")
    _core.randint(lo, hi, (0,), dtype=dt)  # randint's checks of the bounds and the dtype
    # PyTorch's empty_like(t).random_(low, high): t's memory layout, drawn in its order
    out = _core._empty_like_dense(t, dt).random_(lo, hi, generator=generator)
    return out.requires_grad_(True) if requires_grad else out


def normal(
    mean: Tensor | float,
    std: Tensor | float = 1.0,
    size: Any = None,
    *,
    generator: Any = None,
    dtype: _core.dtype | None = None,
    requires_grad: bool = False,
    **kw: Any,
) -> Tensor:
    """Normal random numbers, PyTorch's ``torch.normal``: ``normal(mean, std)`` with a tensor
    mean and/or std (elementwise, broadcast), or ``normal(mean, std, size)`` with numbers.
    Drawn as PyTorch draws them: standard normals scaled by std and shifted by mean."""
    _check_device(kw.pop("device", None), "normal")
    for k in ("layout", "pin_memory"):
        kw.pop(k, None)
    if kw:
        raise TypeError(f"[normal] got an unexpected keyword argument '{next(iter(kw))}'")
    t_mean, t_std = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not t_mean and not t_std:
        if size is None:
            raise TypeError("[normal] with a number mean and std, size= is required")
        shape = (size,) if isinstance(size, int) else tuple(size)
        out = _core.empty(shape, dtype=dtype)
        out.normal_(float(mean), float(std), generator=generator)
    elif t_mean and not t_std:
        m = mean.detach()  # type: ignore[union-attr]
        out = _core.empty(m.shape, dtype=m.dtype).normal_(0.0, float(std), generator=generator)
        out.add_(m)
    else:
        s = std.detach()  # type: ignore[union-attr]
        m = mean.detach() if t_mean else mean  # type: ignore[union-attr]
        shape = tuple(s.shape)
        if t_mean:
            shape = np.broadcast_shapes(tuple(m.shape), shape)  # type: ignore[union-attr]
        out = _core.empty(shape, dtype=s.dtype).normal_(generator=generator)
        out.mul_(s).add_(m)
    return out.requires_grad_(True) if requires_grad else out
