"""The smaller pieces of PyTorch's API that programs use beside the ops: constants, dtype info,
comparisons of whole tensors, broadcasting helpers, meshgrid, the ``new_*`` constructors, view
helpers (``mT``, ``select``, ``unflatten``, ...), aliases, and ``compile``.

Each is written here in terms of the core's ops (views stay views, gradients flow through the
ops they call), with PyTorch's names, signatures and errors.
"""

from __future__ import annotations

import builtins
import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, overload

import numpy as np

from . import _core
from ._core import Tensor

pi = math.pi
e = math.e
inf = math.inf
nan = math.nan
newaxis = None


def _need_tensor(op: str, name: str, value: Any) -> None:
    if not isinstance(value, Tensor):
        raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(value).__name__}")


def _need_int(op: str, name: str, value: Any) -> int:
    if isinstance(value, builtins.bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{op}(): argument '{name}' must be int, not {type(value).__name__}")
    return int(value)


def _name(dt: _core.dtype) -> str:
    return str(dt).rsplit(".", 1)[-1]


def _size_args(op: str, size: tuple[Any, ...]) -> tuple[int, ...]:
    """PyTorch's size arguments: f(2, 3), f((2, 3)), f([2, 3]) or f(torch.Size([2, 3]))."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, int) or isinstance(s, bool):
            raise TypeError(
                f"[{op}] size must be a tuple of ints, but got an element of type "
                f"{type(s).__name__}"
            )
    return tuple(size)


# --- dtype information -------------------------------------------------------------------------


class finfo:
    """Machine limits of a floating dtype, as ``torch.finfo``: ``bits eps max min tiny
    smallest_normal resolution dtype``. ``finfo()`` describes the default dtype."""

    bits: int
    eps: float
    max: float
    min: float
    tiny: float
    smallest_normal: float
    resolution: float
    dtype: str

    def __init__(self, type: _core.dtype | None = None) -> None:
        from ._defaults import get_default_dtype

        dt = get_default_dtype() if type is None else type
        if not isinstance(dt, _core.dtype):
            raise TypeError(
                f"finfo(): argument 'type' must be a dtype, not {dt.__class__.__name__}"
            )
        if not dt.is_floating_point:
            raise TypeError(
                "torch.finfo() requires a floating point input type. Use torch.iinfo to handle "
                "'torch.finfo'"
            )
        info = np.finfo(np.dtype(_name(dt)))
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = float(info.tiny)
        self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -int(info.precision)
        self.dtype = _name(dt)

    def __repr__(self) -> str:
        return (
            f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
            f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, "
            f"dtype={self.dtype})"
        )


class iinfo:
    """Limits of an integer dtype, as ``torch.iinfo``: ``bits max min dtype``."""

    bits: int
    max: int
    min: int
    dtype: str

    def __init__(self, type: _core.dtype) -> None:
        if not isinstance(type, _core.dtype):
            raise TypeError(
                f"iinfo(): argument 'type' must be a dtype, not {type.__class__.__name__}"
            )
        if type.is_floating_point:
            raise TypeError(
                "torch.iinfo() requires an integer input type. Use torch.finfo to handle "
                "'torch.iinfo'"
            )
        name = _name(type)
        if name == "bool":
            self.bits, self.min, self.max = 8, 0, 1
        else:
            info = np.iinfo(np.dtype(name))
            self.bits, self.min, self.max = int(info.bits), int(info.min), int(info.max)
        self.dtype = name

    def __repr__(self) -> str:
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"  # PyTorch's %g


# --- whole-tensor comparisons ------------------------------------------------------------------


def _numpy_pair(op: str, a: Tensor, b: Tensor) -> tuple[np.ndarray, np.ndarray]:
    for name, t in (("input", a), ("other", b)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {t.__class__.__name__}")
    if a.dtype != b.dtype:
        raise RuntimeError(
            f"[{op}] {_name(a.dtype)} did not match {_name(b.dtype)}: both inputs must have the "
            "same dtype"
        )
    try:
        shape = broadcast_shapes(a.shape, b.shape)
    except RuntimeError:
        raise RuntimeError(
            f"[{op}] the shapes {list(a.shape)} and {list(b.shape)} do not broadcast"
        ) from None
    x = np.broadcast_to(a.detach().numpy(), shape)
    y = np.broadcast_to(b.detach().numpy(), shape)
    return x, y


def isclose(
    input: Tensor,
    other: Tensor,
    rtol: float = 1e-05,
    atol: float = 1e-08,
    equal_nan: bool = False,
) -> Tensor:
    """A bool tensor: where ``|input - other| <= atol + rtol * |other|`` (or both are equal,
    infinities included; NaNs equal when ``equal_nan``). Both inputs must have one dtype."""
    if rtol < 0 or atol < 0:
        which = "rtol" if rtol < 0 else "atol"
        value = rtol if rtol < 0 else atol
        raise RuntimeError(
            f"isclose(): {which} must be greater than or equal to zero, but got {value}"
        )
    x, y = _numpy_pair("isclose", input, other)
    if x.dtype == np.bool_:
        out = x == y
    else:
        with np.errstate(invalid="ignore", over="ignore"):
            xf = x.astype(np.float64) if x.dtype.kind in "iub" else x
            yf = y.astype(np.float64) if y.dtype.kind in "iub" else y
            out = np.isclose(xf, yf, rtol=rtol, atol=atol, equal_nan=equal_nan)
    return _core.from_numpy(np.array(out, dtype=np.bool_))  # (0-d stays 0-d)


def allclose(
    input: Tensor,
    other: Tensor,
    rtol: float = 1e-05,
    atol: float = 1e-08,
    equal_nan: bool = False,
) -> builtins.bool:
    """True when every element of ``isclose(input, other, ...)`` is."""
    return builtins.bool(isclose(input, other, rtol, atol, equal_nan).numpy().all())


def equal(input: Tensor, other: Tensor) -> builtins.bool:
    """True when both tensors have the same shape and the same elements."""
    for name, t in (("input", input), ("other", other)):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"equal(): argument '{name}' must be Tensor, not {t.__class__.__name__}"
            )
    if tuple(input.shape) != tuple(other.shape):
        return False
    return builtins.bool(np.array_equal(input.detach().numpy(), other.detach().numpy()))


# --- broadcasting ------------------------------------------------------------------------------


def broadcast_shapes(*shapes: Any) -> Any:
    """The shape that tensors of the given shapes broadcast to (a ``Size``)."""
    from ._size import Size

    dims: list[int] = []
    for shape in shapes:
        shp = (shape,) if isinstance(shape, int) else tuple(shape)
        for s in shp:
            if not isinstance(s, int) or isinstance(s, bool):
                raise TypeError(f"broadcast_shapes(): expected ints, got {type(s).__name__}")
            if s < 0:
                raise RuntimeError(
                    f"Trying to create tensor with negative dimension {s}: {list(shp)}"
                )
        n = builtins.max(len(dims), len(shp))
        a = [1] * (n - len(dims)) + dims
        b = [1] * (n - len(shp)) + list(shp)
        out = []
        for i, (p, q) in enumerate(zip(a, b, strict=True)):
            if p != q and p != 1 and q != 1:
                raise RuntimeError(
                    f"Shape mismatch: objects cannot be broadcast to a single shape. Mismatch "
                    f"is between arg 0 and arg 1: the size of dimension {i - n} is {p} and {q}"
                )
            out.append(q if p == 1 else p)
        dims = out
    return Size(dims)


def broadcast_to(input: Tensor, size: Sequence[int]) -> Tensor:
    """``input.expand(size)``: a view with the broadcast shape."""
    if not isinstance(size, (list, tuple)):
        raise TypeError(
            f"broadcast_to(): argument 'size' must be a tuple of ints, not {type(size).__name__}"
        )
    return input.expand(*size)


def broadcast_tensors(*tensors: Any) -> tuple[Tensor, ...]:
    """Views of the tensors expanded to their common broadcast shape."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    shape = broadcast_shapes(*(t.shape for t in tensors))
    return tuple(t.expand(*shape) for t in tensors)


def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple[Tensor, ...]:
    """Coordinate grids of 1-D (or 0-d) tensors, as views: ``indexing='ij'`` (matrix, the
    default) or ``'xy'`` (Cartesian: the first two dimensions swapped)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn(
            "torch.meshgrid: in an upcoming release, it will be required to pass the indexing "
            "argument.",
            UserWarning,
            stacklevel=2,
        )
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(
            f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}'
        )
    if not tensors:
        raise RuntimeError("torch.meshgrid: expects a non-empty TensorList")
    for t in tensors:
        if t.dim() > 1:
            raise RuntimeError(
                f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t.dim()}D"
            )
    first = tensors[0].dtype
    for t in tensors[1:]:
        if t.dtype != first:
            raise RuntimeError(
                "torch.meshgrid: Expected all tensors in the tensor list to have the same dtype"
            )
    ts = list(tensors)
    swap = indexing == "xy" and len(ts) >= 2
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    sizes = [t.numel() for t in ts]
    n = len(ts)
    grids = []
    for i, t in enumerate(ts):
        shape = [1] * n
        shape[i] = sizes[i]
        grids.append(t.reshape(shape).expand(*sizes))
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


# --- small functions ---------------------------------------------------------------------------


def numel(input: Tensor) -> int:
    """The number of elements of input."""
    return input.numel()


def is_floating_point(input: Tensor) -> builtins.bool:
    """True when input's dtype is a floating dtype."""
    return input.is_floating_point()


def is_complex(input: Tensor) -> builtins.bool:
    """False: pyautograd has no complex dtypes."""
    return False


def is_nonzero(input: Tensor) -> builtins.bool:
    """The truth of a one-element tensor; an error for any other number of elements."""
    if input.numel() == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if input.numel() > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return builtins.bool(input.item())


def is_same_size(input: Tensor, other: Tensor) -> builtins.bool:
    """True when both tensors have the same shape."""
    _need_tensor("is_same_size", "other", other)
    return tuple(input.shape) == tuple(other.shape)


def is_signed(input: Tensor) -> builtins.bool:
    """True for the signed dtypes (every dtype but bool and uint8)."""
    return _name(input.dtype) not in ("bool", "uint8", "uint16", "uint32", "uint64")


def as_tensor(data: Any, dtype: _core.dtype | None = None, device: Any = None) -> Tensor:
    """``data`` as a tensor, sharing memory when it already is one (or a NumPy array) of the
    requested dtype; a copy otherwise."""
    from ._creation import _check_device, tensor

    _check_device(device, "as_tensor")
    if isinstance(data, Tensor):
        return data if dtype is None or data.dtype == dtype else data.to(dtype)
    if isinstance(data, np.ndarray):
        try:
            t = _core.from_numpy(data)
        except (TypeError, ValueError, RuntimeError):
            return tensor(data, dtype=dtype)
        return t if dtype is None or t.dtype == dtype else t.to(dtype)
    return tensor(data, dtype=dtype)


def asarray(
    obj: Any,
    *,
    dtype: _core.dtype | None = None,
    device: Any = None,
    copy: builtins.bool | None = None,
    requires_grad: builtins.bool = False,
) -> Tensor:
    """``obj`` as a tensor: shares memory unless ``copy=True`` or a conversion needs a copy
    (``copy=False`` then raises)."""
    from ._creation import _check_device, tensor

    _check_device(device, "asarray")
    if copy is True:
        out = tensor(obj, dtype=dtype)
    else:
        out = as_tensor(obj, dtype=dtype)
        shared = (isinstance(obj, Tensor) and out is obj) or (
            isinstance(obj, np.ndarray) and np.shares_memory(out.numpy(), obj)
        )
        if copy is False and not shared:
            raise ValueError("asarray(): can't satisfy copy=False: a copy is needed")
    if requires_grad:
        out.requires_grad_(True)
    return out


def scalar_tensor(s: float, *, dtype: _core.dtype | None = None, device: Any = None) -> Tensor:
    """A 0-d tensor holding s (the default floating dtype unless dtype is given)."""
    from ._creation import tensor
    from ._defaults import get_default_dtype

    return tensor(builtins.float(s), dtype=dtype or get_default_dtype(), device=device)


def typename(obj: Any) -> str:
    """PyTorch's type name of a tensor (``'torch.FloatTensor'``) or the qualified name of an
    object's class."""
    if isinstance(obj, Tensor):
        return str(obj.type())
    cls = obj if isinstance(obj, type) else type(obj)
    module = cls.__module__
    return cls.__qualname__ if module in ("builtins", None) else f"{module}.{cls.__qualname__}"


# --- views -------------------------------------------------------------------------------------


def _wrap_dim(op: str, dim: int, ndim: int) -> int:
    n = builtins.max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"[{op}] Dimension out of range (expected to be in range of [{-n}, {n - 1}], but "
            f"got {dim})"
        )
    return dim % n


def select(input: Tensor, dim: int, index: int) -> Tensor:
    """The slice of input at ``index`` along ``dim``, without that dimension (a view)."""
    dim, index = _need_int("select", "dim", dim), _need_int("select", "index", index)
    if input.dim() == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim("select", dim, input.dim())
    size = input.shape[d]
    if not -size <= index < size:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {list(input.shape)} at "
            f"dimension {dim}"
        )
    return input[(slice(None),) * d + (index,)]


def swapaxes(input: Tensor, axis0: int, axis1: int) -> Tensor:
    """``input.transpose(axis0, axis1)`` (NumPy's name)."""
    return input.transpose(axis0, axis1)


def unflatten(input: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
    """input with dimension ``dim`` split into ``sizes`` (one of them may be -1): a view when
    the strides allow, as reshape."""
    dim = _need_int("unflatten", "dim", dim)
    if not isinstance(sizes, (list, tuple)):
        raise TypeError(
            f"unflatten(): argument 'sizes' must be a tuple of ints, not {type(sizes).__name__}"
        )
    sizes = tuple(_need_int("unflatten", "sizes", s) for s in sizes)
    if len(sizes) == 0:
        raise RuntimeError("unflatten: sizes must be non-empty")
    d = _wrap_dim("unflatten", dim, input.dim())
    shape = list(input.shape)
    n = shape[d]
    if sizes.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = math.prod(s for s in sizes if s != -1)
    if -1 in sizes:
        if known == 0 or n % known != 0:
            raise RuntimeError(
                f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim "
                f"{dim} ({n}) in the input tensor"
            )
        sizes = tuple(n // known if s == -1 else s for s in sizes)
    elif known != n:
        raise RuntimeError(
            f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
            f"({n}) in the input tensor"
        )
    return input.reshape(shape[:d] + list(sizes) + shape[d + 1 :])


def ravel(input: Tensor) -> Tensor:
    """input flattened to one dimension (a view when contiguous, else a copy: PyTorch's
    ``contiguous().view(-1)``, so even a 1-D strided input is copied)."""
    return input.contiguous().view(-1)


def positive(input: Tensor) -> Tensor:
    """input itself; an error for bool tensors, as PyTorch's unary ``+``."""
    if input.dtype == _core.bool:
        raise RuntimeError(
            "The `+` operator, on a bool tensor is not supported. If you are trying to invert a "
            "mask, use the `~` or `logical_not()` operator instead."
        )
    return input


def _mT(self: Tensor) -> Tensor:
    if self.dim() < 2:
        raise RuntimeError(
            f"tensor.mT is only supported on matrices or batches of matrices. Got {self.dim()}-D "
            "tensor."
        )
    return self.transpose(-2, -1)


def _mH(self: Tensor) -> Tensor:
    if self.dim() < 2:
        raise RuntimeError(
            f"tensor.mH is only supported on matrices or batches of matrices. Got {self.dim()}-D "
            "tensor."
        )
    return self.transpose(-2, -1)


def _H(self: Tensor) -> Tensor:
    if self.dim() not in (0, 2):
        raise RuntimeError(
            f"tensor.H is only supported on matrices (2-D tensors). Got {self.dim()}-D tensor."
        )
    return self if self.dim() == 0 else self.transpose(0, 1)


def _adjoint(self: Tensor) -> Tensor:
    """The last two dimensions transposed (the conjugate is the tensor for real dtypes)."""
    if self.dim() < 2:
        raise RuntimeError(
            f"tensor.adjoint() is only supported on matrices or batches of matrices. Got "
            f"{self.dim()}-D tensor."
        )
    return self.transpose(-2, -1)


def _is_complex(self: Tensor) -> builtins.bool:
    """False: pyautograd has no complex dtypes."""
    return False


def _is_inference(self: Tensor) -> builtins.bool:
    """False: pyautograd has no inference tensors (inference_mode is no_grad)."""
    return False


def _get_device(self: Tensor) -> int:
    """-1, PyTorch's device index of CPU tensors."""
    return -1


# --- constructors on a tensor ------------------------------------------------------------------


def _new_factory(name: str, fill: Callable[..., Tensor]) -> Callable[..., Tensor]:
    def method(
        self: Tensor,
        *size: Any,
        dtype: _core.dtype | None = None,
        device: Any = None,
        requires_grad: builtins.bool = False,
        **kwargs: Any,
    ) -> Tensor:
        from ._creation import _check_device

        _check_device(device, name)
        if "size" in kwargs:
            size = (kwargs.pop("size"),)
        fill_value = kwargs.pop("fill_value", None)
        if kwargs:
            raise TypeError(f"{name}() got an unexpected keyword argument '{next(iter(kwargs))}'")
        if name == "new_full":
            if fill_value is None:
                if len(size) != 2:
                    raise TypeError("new_full() missing required argument 'fill_value'")
                fill_value = size[1]
                size = (size[0],)
            out = fill(_size_args(name, size), fill_value, dtype or self.dtype)
        else:
            out = fill(_size_args(name, size), dtype or self.dtype)
        if requires_grad:
            out.requires_grad_(True)
        return out

    method.__name__ = name
    method.__doc__ = (
        f"A new tensor of the given size with this tensor's dtype (unless ``dtype`` is given): "
        f"``{name}(2, 3)`` or ``{name}((2, 3))``."
    )
    return method


def _new_tensor(
    self: Tensor,
    data: Any,
    dtype: _core.dtype | None = None,
    device: Any = None,
    requires_grad: builtins.bool = False,
) -> Tensor:
    """A new tensor holding a copy of data, with this tensor's dtype unless dtype is given."""
    from ._creation import tensor

    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.detach()."
            "clone() or sourceTensor.detach().clone().requires_grad_(True), rather than "
            "tensor.new_tensor(sourceTensor).",
            UserWarning,
            stacklevel=2,
        )
        data = data.detach()
    return tensor(data, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad)


def _type_as(self: Tensor, other: Tensor) -> Tensor:
    """This tensor converted to other's dtype (itself when the dtype already matches)."""
    _need_tensor("type_as", "other", other)
    return self if self.dtype == other.dtype else self.to(other.dtype)


# --- compile -----------------------------------------------------------------------------------

_F = TypeVar("_F")


@overload
def compile(model: _F, **kwargs: Any) -> _F: ...
@overload
def compile(model: None = None, **kwargs: Any) -> Callable[[_F], _F]: ...
def compile(  # type: ignore[misc]
    model: Any = None,
    *,
    fullgraph: builtins.bool = False,
    dynamic: builtins.bool | None = None,
    backend: Any = "inductor",
    mode: str | None = None,
    options: dict[str, Any] | None = None,
    disable: builtins.bool = False,
    exact: builtins.bool = False,
) -> Any:
    """Captures a whole step once and replays it from C++ (``torch.compile``'s signature, so
    that ``step = torch.compile(step)`` and ``@torch.compile`` run after the import swap).

    The first call runs eagerly, the second records the kernel calls of the step (forward,
    ``backward()``, the updates), later calls check the guards and replay the tape without
    running Python; a failed guard re-captures, and what cannot be replayed raises at capture.
    ``exact=True`` turns off fusions that change rounding; ``disable=True`` (or the environment
    variable ``PYAUTOGRAD_COMPILE=0``) runs eagerly. ``fullgraph``, ``dynamic``, ``backend``,
    ``mode`` and ``options`` are accepted and ignored. See docs/compile.md."""
    if mode is not None and options is not None:
        raise RuntimeError("Either mode or options can be specified, but both can't be specified")
    from ._compile import CompiledStep

    def wrap(fn: Any) -> Any:
        if not callable(fn):
            raise RuntimeError("torch.compile: model must be callable")
        return fn if disable else CompiledStep(fn, exact=exact)

    if model is None:
        return wrap
    return wrap(model)


# --- aliases -----------------------------------------------------------------------------------

# PyTorch's alternative names, for functions and methods: alias -> the op it names.
ALIASES = {
    "absolute": "abs",
    "negative": "neg",
    "multiply": "mul",
    "multiply_": "mul_",
    "divide": "div",
    "divide_": "div_",
    "true_divide": "div",
    "true_divide_": "div_",
    "subtract": "sub",
    "subtract_": "sub_",
    "greater": "gt",
    "greater_equal": "ge",
    "less": "lt",
    "less_equal": "le",
    "not_equal": "ne",
    "swapdims": "swapaxes",
    "sgn": "sign",
    "sgn_": "sign_",
    "absolute_": "abs_",
    "negative_": "neg_",
    "arcsin": "asin",
    "arcsin_": "asin_",
    "arccos": "acos",
    "arccos_": "acos_",
    "arctan": "atan",
    "arctan_": "atan_",
    "arctan2": "atan2",
    "arctan2_": "atan2_",
    "arcsinh": "asinh",
    "arcsinh_": "asinh_",
    "arccosh": "acosh",
    "arccosh_": "acosh_",
    "arctanh": "atanh",
    "arctanh_": "atanh_",
    "fix": "trunc",
    "fix_": "trunc_",
    "greater_": "gt_",
    "greater_equal_": "ge_",
    "less_": "lt_",
    "less_equal_": "le_",
    "not_equal_": "ne_",
    "row_stack": "vstack",
}

# Functions of the module that are the methods of the same name.
_METHOD_FUNCTIONS = ("select", "swapaxes", "unflatten", "ravel", "positive", "broadcast_to")


def install(module: dict[str, Any]) -> None:
    """Installs the Tensor methods and properties above and the aliases whose target exists
    (as methods, and as functions of the module whose namespace is ``module``)."""
    members: dict[str, Any] = {
        "mT": property(_mT, doc="The last two dimensions transposed (a view)."),
        "mH": property(_mH, doc="mT: the conjugate is the tensor itself for real dtypes."),
        "H": property(_H, doc="The transpose of a matrix (a view)."),
        "adjoint": _adjoint,
        "is_cpu": property(lambda self: True, doc="Always True."),
        "is_complex": _is_complex,
        "is_signed": is_signed,
        "is_inference": _is_inference,
        "is_same_size": is_same_size,
        "is_nonzero": is_nonzero,
        "get_device": _get_device,
        "itemsize": property(lambda self: self.element_size(), doc="Bytes per element."),
        "nbytes": property(
            lambda self: self.numel() * self.element_size(), doc="numel() * element_size()."
        ),
        "new_zeros": _new_factory("new_zeros", lambda s, dt: _core.zeros(*s, dtype=dt)),
        "new_ones": _new_factory("new_ones", lambda s, dt: _core.ones(*s, dtype=dt)),
        "new_empty": _new_factory("new_empty", lambda s, dt: _core.empty(*s, dtype=dt)),
        "new_full": _new_factory("new_full", lambda s, v, dt: _core.full(s, v, dtype=dt)),
        "new_tensor": _new_tensor,
        "type_as": _type_as,
    }
    members.update((name, module[name]) for name in _METHOD_FUNCTIONS)
    for name, member in members.items():
        setattr(Tensor, name, member)
    for alias, target in ALIASES.items():
        if hasattr(Tensor, target) and not hasattr(Tensor, alias):
            setattr(Tensor, alias, getattr(Tensor, target))
        if target in module and alias not in module:
            module[alias] = module[target]
