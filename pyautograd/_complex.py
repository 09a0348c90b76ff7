"""Complex tensors (complex64/complex128) on the real core, and ``torch.fft``.

A complex tensor is its real view: a float tensor of shape ``(*shape, 2)`` holding each element's
real and imaginary parts side by side, as ``torch.view_as_real`` shows it. Every complex op is
written with the core's real ops on that view, so autograd, ``no_grad`` and in-place semantics
come from the core unchanged, and a complex leaf's ``.grad`` is PyTorch's (the conjugate
Wirtinger derivative of a real loss: dL/d(re) + i dL/d(im)). ``view_as_complex`` and
``view_as_real`` share storage with their argument, as in PyTorch.

What is here is what programs use complex numbers for: rotary embeddings (``polar``,
``view_as_complex``, a broadcast product, ``view_as_real``), spectral layers (``torch.fft`` with
gradients, complex weights through ``einsum``/``matmul``), and the elementwise functions of
complex analysis (``abs``, ``angle``, ``conj``, ``exp``, ...). An op a complex tensor does not
have raises an AttributeError naming it, never computes on the real view silently. The FFTs are
discrete Fourier transforms computed as products with the transform's matrix (exact to rounding,
O(n^2) per transformed dimension: fine for the sizes of spectral layers, slow for long signals).
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, cast

import numpy as np

from . import _core
from ._core import Tensor


def _pa() -> Any:
    """The torch namespace (functions defined in Python: einsum, tensor, broadcast_*)."""
    import pyautograd

    return pyautograd


__all__ = [
    "ComplexTensor",
    "complex",
    "complex64",
    "complex128",
    "polar",
    "view_as_complex",
    "view_as_real",
]


class ComplexDType:
    """A complex dtype: ``torch.complex64`` (``cfloat``) or ``torch.complex128`` (``cdouble``)."""

    is_complex = True
    is_floating_point = False
    is_signed = True

    def __init__(self, name: str, real: Any) -> None:
        self._name = name
        self._real = real
        self.itemsize = 2 * real.itemsize

    def to_real(self) -> Any:
        """The dtype of the real and imaginary parts (float32 for complex64)."""
        return self._real

    def to_complex(self) -> ComplexDType:
        """The dtype itself (it is complex already)."""
        return self

    def __repr__(self) -> str:
        return f"torch.{self._name}"

    def __reduce__(self) -> str:
        return self._name


complex64 = ComplexDType("complex64", _core.float32)
complex128 = ComplexDType("complex128", _core.float64)
_OF_REAL = {_core.float32: complex64, _core.float64: complex128}


def complex_dtype_of(real_dtype: Any) -> ComplexDType:
    """complex64 for float32 parts, complex128 for float64 parts (others are refused)."""
    try:
        return _OF_REAL[real_dtype]
    except KeyError:
        raise TypeError(
            f"complex tensors have float32 or float64 parts, got {real_dtype}"
        ) from None


def _real_dtype_of(dtype: Any) -> Any:
    """The parts' dtype of a complex dtype argument; None when dtype is not complex."""
    return dtype.to_real() if isinstance(dtype, ComplexDType) else None


def _fail(op: str, msg: str, exc: type[Exception] = RuntimeError) -> Exception:
    return exc(f"[{op}] {msg}")


class ComplexTensor:
    """A complex tensor: ``_r`` is its real view (shape ``(*shape, 2)``, last stride 1)."""

    __slots__ = ("__weakref__", "_r")
    __array_priority__ = 1000  # NumPy defers `ndarray op complex_tensor` to us

    def __init__(self, real_view: Tensor) -> None:
        self._r = real_view

    # ---- what it is ----
    @property
    def shape(self) -> Any:
        return self._r.shape[:-1]

    def size(self, dim: int | None = None) -> Any:
        return self.shape if dim is None else self.shape[self._dim(dim, "size")]

    @property
    def dtype(self) -> ComplexDType:
        return complex_dtype_of(self._r.dtype)

    @property
    def device(self) -> Any:
        return self._r.device

    @property
    def is_cuda(self) -> bool:
        return False

    @property
    def ndim(self) -> int:
        return self._r.dim() - 1

    def dim(self) -> int:
        return self.ndim

    def numel(self) -> int:
        return self._r.numel() // 2

    def nelement(self) -> int:
        return self.numel()

    def element_size(self) -> int:
        return 2 * self._r.element_size()

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return int(self.shape[0])

    def is_complex(self) -> bool:
        return True

    def is_floating_point(self) -> bool:
        return False

    def stride(self, dim: int | None = None) -> Any:
        st = tuple(s // 2 for s in self._r.stride()[:-1])
        return st if dim is None else st[self._dim(dim, "stride")]

    def is_contiguous(self) -> bool:
        return self._r.is_contiguous()

    def _dim(self, d: int, op: str) -> int:
        n = max(self.ndim, 1)
        if not -n <= d < n:
            raise IndexError(
                f"[{op}] Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                f"but got {d})"
            )
        return d % n

    # ---- autograd ----
    @property
    def requires_grad(self) -> bool:
        return self._r.requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self._r.requires_grad = value

    def requires_grad_(self, requires_grad: bool = True) -> ComplexTensor:
        self._r.requires_grad_(requires_grad)
        return self

    @property
    def is_leaf(self) -> bool:
        return self._r.is_leaf

    @property
    def grad(self) -> ComplexTensor | None:
        g = self._r.grad
        return None if g is None else ComplexTensor(g)

    @grad.setter
    def grad(self, value: ComplexTensor | None) -> None:
        self._r.grad = None if value is None else _as_complex(value, "grad")._r

    @property
    def grad_fn(self) -> Any:
        return self._r.grad_fn

    @property
    def data(self) -> ComplexTensor:
        return ComplexTensor(self._r.data)

    def detach(self) -> ComplexTensor:
        return ComplexTensor(self._r.detach())

    def backward(self, *args: Any, **kwargs: Any) -> None:
        raise _fail("backward", "grad can be implicitly created only for real scalar outputs")

    def retain_grad(self) -> None:
        self._r.retain_grad()

    # ---- parts ----
    @property
    def real(self) -> Tensor:
        return self._r.select(-1, 0)

    @property
    def imag(self) -> Tensor:
        return self._r.select(-1, 1)

    def _parts(self) -> tuple[Tensor, Tensor]:
        return self._r.select(-1, 0), self._r.select(-1, 1)

    # ---- shape (views of the real view) ----
    def _shape_arg(self, args: Sequence[Any]) -> list[int]:
        shape = args[0] if len(args) == 1 and not isinstance(args[0], int) else args
        return [int(s) for s in shape]

    def view(self, *shape: Any) -> ComplexTensor:
        if len(shape) == 1 and isinstance(shape[0], ComplexDType | type(_core.float32)):
            raise _fail("view", "viewing a complex tensor as another dtype is not supported")
        return ComplexTensor(self._r.view(*self._shape_arg(shape), 2))

    def reshape(self, *shape: Any) -> ComplexTensor:
        return ComplexTensor(self._r.reshape(*self._shape_arg(shape), 2))

    def view_as(self, other: Any) -> ComplexTensor:
        return self.view(*other.shape)

    def reshape_as(self, other: Any) -> ComplexTensor:
        return self.reshape(*other.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> ComplexTensor:
        if self.ndim == 0:
            return self.reshape(1)
        s, e = self._dim(start_dim, "flatten"), self._dim(end_dim, "flatten")
        return ComplexTensor(self._r.flatten(s, e))

    def unflatten(self, dim: int, sizes: Sequence[int]) -> ComplexTensor:
        return ComplexTensor(self._r.unflatten(self._dim(dim, "unflatten"), sizes))

    def unsqueeze(self, dim: int) -> ComplexTensor:
        n = self.ndim + 1
        if not -n <= dim < n:
            raise IndexError(f"[unsqueeze] Dimension out of range (got {dim})")
        return ComplexTensor(self._r.unsqueeze(dim % n))

    def squeeze(self, dim: int | None = None) -> ComplexTensor:
        if dim is None:
            keep = [i for i, s in enumerate(self.shape) if s != 1]
            return self.reshape(*[self.shape[i] for i in keep])
        return ComplexTensor(self._r.squeeze(self._dim(dim, "squeeze")))

    def permute(self, *dims: Any) -> ComplexTensor:
        d = self._shape_arg(dims)
        return ComplexTensor(self._r.permute(*[self._dim(i, "permute") for i in d], self.ndim))

    def transpose(self, d0: int, d1: int) -> ComplexTensor:
        return ComplexTensor(
            self._r.transpose(self._dim(d0, "transpose"), self._dim(d1, "transpose"))
        )

    def t(self) -> ComplexTensor:
        if self.ndim > 2:
            raise _fail("t", f"expects a tensor with <= 2 dimensions, but self is {self.ndim}D")
        return self if self.ndim < 2 else self.transpose(0, 1)

    @property
    def T(self) -> ComplexTensor:
        return self.permute(*reversed(range(self.ndim)))

    @property
    def mT(self) -> ComplexTensor:
        return self.transpose(-2, -1)

    @property
    def mH(self) -> ComplexTensor:
        return self.transpose(-2, -1).conj()

    def adjoint(self) -> ComplexTensor:
        return self.mH

    def expand(self, *shape: Any) -> ComplexTensor:
        return ComplexTensor(self._r.expand(*self._shape_arg(shape), 2))

    def expand_as(self, other: Any) -> ComplexTensor:
        return self.expand(*other.shape)

    def repeat(self, *sizes: Any) -> ComplexTensor:
        return ComplexTensor(self._r.repeat(*self._shape_arg(sizes), 1))

    def contiguous(self) -> ComplexTensor:
        return self if self._r.is_contiguous() else ComplexTensor(self._r.contiguous())

    def clone(self) -> ComplexTensor:
        return ComplexTensor(self._r.clone())

    def chunk(self, chunks: int, dim: int = 0) -> tuple[ComplexTensor, ...]:
        return tuple(ComplexTensor(c) for c in self._r.chunk(chunks, self._dim(dim, "chunk")))

    def split(self, size: Any, dim: int = 0) -> tuple[ComplexTensor, ...]:
        return tuple(ComplexTensor(c) for c in self._r.split(size, self._dim(dim, "split")))

    def unbind(self, dim: int = 0) -> tuple[ComplexTensor, ...]:
        return tuple(ComplexTensor(c) for c in self._r.unbind(self._dim(dim, "unbind")))

    def narrow(self, dim: int, start: int, length: int) -> ComplexTensor:
        return ComplexTensor(self._r.narrow(self._dim(dim, "narrow"), start, length))

    def roll(self, shifts: Any, dims: Any = None) -> ComplexTensor:
        if dims is None:
            return ComplexTensor(self._r.reshape(-1, 2).roll(shifts, 0).reshape(self._r.shape))
        ds = [dims] if isinstance(dims, int) else list(dims)
        return ComplexTensor(self._r.roll(shifts, [self._dim(d, "roll") for d in ds]))

    def flip(self, *dims: Any) -> ComplexTensor:
        ds = self._shape_arg(dims)
        return ComplexTensor(self._r.flip([self._dim(d, "flip") for d in ds]))

    def _index(self, key: Any) -> Any:
        key = key if isinstance(key, tuple) else (key,)
        if any(k is Ellipsis for k in key):
            return (*key, slice(None))
        if any(isinstance(k, ComplexTensor) for k in key):
            raise _fail("index", "a complex tensor cannot index", IndexError)
        return (*key, Ellipsis, slice(None))

    def __getitem__(self, key: Any) -> ComplexTensor:
        return ComplexTensor(self._r[self._index(key)])

    def __setitem__(self, key: Any, value: Any) -> None:
        self._r[self._index(key)] = _real_view_like(value, self._r.dtype, "__setitem__")

    # ---- conversion ----
    def to(self, *args: Any, **kwargs: Any) -> Any:
        dtype = kwargs.pop("dtype", None)
        rest = []
        for a in args:
            if isinstance(a, ComplexDType) or isinstance(a, type(_core.float32)):
                dtype = a
            elif isinstance(a, ComplexTensor | Tensor):
                dtype = a.dtype
            else:
                rest.append(a)  # a device: the CPU
        for key in ("device", "non_blocking", "copy", "memory_format"):
            kwargs.pop(key, None)
        if kwargs:
            raise TypeError(f"[to] unexpected keyword arguments {sorted(kwargs)}")
        for d in rest:
            if str(d) not in ("cpu", "cpu:0"):
                raise _fail("to", f"only the CPU is available, got device {d}")
        return self if dtype is None else self.type(dtype)

    def type(self, dtype: Any = None) -> Any:
        if dtype is None:
            return (
                "torch.ComplexFloatTensor"
                if self.dtype is complex64
                else "torch.ComplexDoubleTensor"
            )
        if isinstance(dtype, ComplexDType):
            part = dtype.to_real()
            return self if part == self._r.dtype else ComplexTensor(self._r.to(part))
        import warnings

        warnings.warn(
            "Casting complex values to real discards the imaginary part", UserWarning, stacklevel=3
        )
        return self.real.to(dtype)

    def type_as(self, other: Any) -> Any:
        return self.type(other.dtype)

    def float(self) -> Tensor:
        return cast(Tensor, self.type(_core.float32))

    def double(self) -> Tensor:
        return cast(Tensor, self.type(_core.float64))

    def cfloat(self) -> ComplexTensor:
        return cast(ComplexTensor, self.type(complex64))

    def cdouble(self) -> ComplexTensor:
        return cast(ComplexTensor, self.type(complex128))

    def cpu(self) -> ComplexTensor:
        return self

    def numpy(self, *, force: bool = False) -> np.ndarray:
        if self.requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        parts = self._r.detach().numpy() if force else self._r.numpy()
        return np.ascontiguousarray(parts).view(
            np.complex64 if self.dtype is complex64 else np.complex128
        )[..., 0]

    def tolist(self) -> Any:
        return (
            self._r.detach().numpy().astype(np.float64).view(np.complex128)[..., 0].tolist()
            if self._r.is_contiguous()
            else self.contiguous().tolist()
        )

    def item(self) -> builtins.complex:
        if self.numel() != 1:
            raise RuntimeError(
                f"a Tensor with {self.numel()} elements cannot be converted to Scalar"
            )
        re, im = self._r.reshape(2).tolist()
        return builtins.complex(re, im)

    def __complex__(self) -> builtins.complex:
        return self.item()

    def __bool__(self) -> bool:
        return bool(self.item())

    def __repr__(self) -> str:
        return _format(self)

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return format(self.item(), spec) if self.ndim == 0 else repr(self)

    def __iter__(self) -> Any:
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __hash__(self) -> int:
        return id(self)

    # ---- arithmetic ----
    def __neg__(self) -> ComplexTensor:
        return ComplexTensor(-self._r)

    def __pos__(self) -> ComplexTensor:
        return self

    def __add__(self, other: Any) -> ComplexTensor:
        return add(self, other)

    def __radd__(self, other: Any) -> ComplexTensor:
        return add(other, self)

    def __sub__(self, other: Any) -> ComplexTensor:
        return sub(self, other)

    def __rsub__(self, other: Any) -> ComplexTensor:
        return sub(other, self)

    def __mul__(self, other: Any) -> ComplexTensor:
        return mul(self, other)

    def __rmul__(self, other: Any) -> ComplexTensor:
        return mul(other, self)

    def __truediv__(self, other: Any) -> ComplexTensor:
        return div(self, other)

    def __rtruediv__(self, other: Any) -> ComplexTensor:
        return div(other, self)

    def __pow__(self, exponent: Any) -> ComplexTensor:
        return pow(self, exponent)

    def __matmul__(self, other: Any) -> ComplexTensor:
        return matmul(self, other)

    def __rmatmul__(self, other: Any) -> ComplexTensor:
        return matmul(other, self)

    def __iadd__(self, other: Any) -> ComplexTensor:
        return self.add_(other)

    def __isub__(self, other: Any) -> ComplexTensor:
        return self.sub_(other)

    def __imul__(self, other: Any) -> ComplexTensor:
        return self.mul_(other)

    def __itruediv__(self, other: Any) -> ComplexTensor:
        return self.div_(other)

    def __eq__(self, other: Any) -> Any:
        o = _as_complex(other, "eq", self._r.dtype)
        a, b = _broadcast_views(self, o)
        return (a == b).all(-1)

    def __ne__(self, other: Any) -> Any:
        return (self == other).logical_not()

    def add(self, other: Any, *, alpha: Any = 1) -> ComplexTensor:
        return add(self, other, alpha=alpha)

    def sub(self, other: Any, *, alpha: Any = 1) -> ComplexTensor:
        return sub(self, other, alpha=alpha)

    def mul(self, other: Any) -> ComplexTensor:
        return mul(self, other)

    def div(self, other: Any) -> ComplexTensor:
        return div(self, other)

    def matmul(self, other: Any) -> ComplexTensor:
        return matmul(self, other)

    def _inplace(self, result: ComplexTensor, op: str) -> ComplexTensor:
        if tuple(result.shape) != tuple(self.shape):
            raise _fail(
                op,
                f"output with shape {list(self.shape)} doesn't match the broadcast shape "
                f"{list(result.shape)}",
            )
        self._r.copy_(result._r)
        return self

    def add_(self, other: Any, *, alpha: Any = 1) -> ComplexTensor:
        return self._inplace(add(self, other, alpha=alpha), "add_")

    def sub_(self, other: Any, *, alpha: Any = 1) -> ComplexTensor:
        return self._inplace(sub(self, other, alpha=alpha), "sub_")

    def mul_(self, other: Any) -> ComplexTensor:
        return self._inplace(mul(self, other), "mul_")

    def div_(self, other: Any) -> ComplexTensor:
        return self._inplace(div(self, other), "div_")

    def copy_(self, src: Any) -> ComplexTensor:
        self._r.copy_(_real_view_like(src, self._r.dtype, "copy_").expand_as(self._r))
        return self

    def zero_(self) -> ComplexTensor:
        self._r.zero_()
        return self

    def fill_(self, value: Any) -> ComplexTensor:
        c = builtins.complex(value)
        self._r.select(-1, 0).fill_(c.real)
        self._r.select(-1, 1).fill_(c.imag)
        return self

    # ---- functions of complex analysis ----
    def conj(self) -> ComplexTensor:
        return cast(ComplexTensor, conj(self))

    def conj_physical(self) -> ComplexTensor:
        return cast(ComplexTensor, conj(self))

    def resolve_conj(self) -> ComplexTensor:
        return self

    def resolve_neg(self) -> ComplexTensor:
        return self

    def is_conj(self) -> bool:
        return False

    def abs(self) -> Tensor:
        return abs(self)

    def angle(self) -> Tensor:
        return angle(self)

    def exp(self) -> ComplexTensor:
        return exp(self)

    def log(self) -> ComplexTensor:
        return log(self)

    def sqrt(self) -> ComplexTensor:
        return sqrt(self)

    def reciprocal(self) -> ComplexTensor:
        return div(1.0, self)

    def sum(self, dim: Any = None, keepdim: bool = False) -> ComplexTensor:
        return _reduce(self, dim, keepdim, "sum")

    def mean(self, dim: Any = None, keepdim: bool = False) -> ComplexTensor:
        return _reduce(self, dim, keepdim, "mean")

    def istft(self, *args: Any, **kwargs: Any) -> Tensor:
        """The signal whose stft this is (``torch.istft``)."""
        return istft(self, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(
            f"'{name}' is not supported for complex tensors in pyautograd (complex tensors have "
            "shape, view/reshape/indexing, arithmetic, matmul/einsum, conj/abs/angle/exp/log/"
            "sqrt, sum/mean, torch.fft and view_as_real)"
        )


class ComplexParameter(ComplexTensor):
    """``nn.Parameter`` of a complex tensor: its real view is a real ``Parameter`` (a leaf that
    requires grad). Modules register it as a parameter; optimizers update its real view, which
    is what PyTorch's optimizers do with complex parameters (``view_as_real``)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __deepcopy__(self, memo: dict[int, Any]) -> ComplexParameter:
        import copy

        return ComplexParameter(copy.deepcopy(self._r, memo))


def real_parameter(p: Any) -> Any:
    """What an optimizer updates for a parameter: the real view of a complex one."""
    return p._r if isinstance(p, ComplexTensor) else p


# ---- construction ----------------------------------------------------------------------------


def _stack_parts(re: Tensor, im: Tensor) -> ComplexTensor:
    return ComplexTensor(_core.stack([re, im], -1))


def _real_view_like(value: Any, dtype: Any, op: str) -> Tensor:
    """value (complex tensor, real tensor or number) as a real view of parts of dtype."""
    if isinstance(value, ComplexTensor):
        return value._r.to(dtype)
    if isinstance(value, Tensor):
        v = value.to(dtype)
        return _core.stack([v, _pa().zeros_like(v)], -1)
    if isinstance(value, int | float | builtins.complex):
        c = builtins.complex(value)
        return cast(Tensor, _pa().tensor([c.real, c.imag], dtype=dtype))
    raise TypeError(f"[{op}] expected a tensor or a number, got {type(value).__name__}")


def _as_complex(value: Any, op: str, dtype: Any = None) -> ComplexTensor:
    if isinstance(value, ComplexTensor):
        return value
    if isinstance(value, Tensor):
        if not value.is_floating_point():
            value = value.to(dtype or _pa().get_default_dtype())
        return _stack_parts(value, _pa().zeros_like(value))
    if isinstance(value, int | float | builtins.complex):
        return ComplexTensor(_real_view_like(value, dtype or _core.float32, op))
    raise TypeError(f"[{op}] expected a tensor or a number, got {type(value).__name__}")


def view_as_complex(input: Any) -> ComplexTensor:
    """The complex tensor whose real view is ``input`` (last dim of size 2, stride 1): shares
    its storage and its autograd history."""
    if isinstance(input, ComplexTensor):
        raise _fail("view_as_complex", "Input tensor must be real-valued")
    if not isinstance(input, Tensor):
        raise TypeError(f"[view_as_complex] expected a tensor, got {type(input).__name__}")
    if input.dtype not in _OF_REAL:
        raise _fail(
            "view_as_complex",
            f"view_as_complex is only supported for float and double tensors, but got a tensor "
            f"of scalar type: {input.dtype}",
        )
    if input.dim() == 0 or input.shape[-1] != 2:
        raise _fail("view_as_complex", "Tensor must have a last dimension of size 2")
    if input.stride(-1) != 1:
        raise _fail("view_as_complex", "Tensor must have a last dimension with stride 1")
    if any(s % 2 for s in input.stride()[:-1]) or input.storage_offset() % 2:
        raise _fail(
            "view_as_complex", "Tensor must have a stride divisible by 2 for all but last dimension"
        )
    return ComplexTensor(input.view(input.shape))


def view_as_real(input: ComplexTensor) -> Tensor:
    """The real view of a complex tensor (shape ``(*shape, 2)``), sharing its storage."""
    if not isinstance(input, ComplexTensor):
        raise _fail("view_as_real", "view_as_real is only supported for complex tensors")
    return input._r.view(input._r.shape)


def complex(real: Tensor, imag: Tensor) -> ComplexTensor:
    """The complex tensor real + i imag (same floating dtype, broadcast)."""
    if not isinstance(real, Tensor) or not isinstance(imag, Tensor):
        raise TypeError("[complex] expected two tensors")
    if real.dtype != imag.dtype or real.dtype not in _OF_REAL:
        raise _fail(
            "complex",
            f"Expected both inputs to be Half, Float or Double tensors but got {real.dtype} and "
            f"{imag.dtype}",
        )
    re, im = _pa().broadcast_tensors(real, imag)
    return _stack_parts(re, im)


def polar(abs: Tensor, angle: Tensor) -> ComplexTensor:
    """abs * (cos(angle) + i sin(angle))."""
    if not isinstance(abs, Tensor) or not isinstance(angle, Tensor):
        raise TypeError("[polar] expected two tensors")
    if abs.dtype != angle.dtype or abs.dtype not in _OF_REAL:
        raise _fail(
            "polar",
            f"Expected both inputs to be Float or Double tensors but got {abs.dtype} and "
            f"{angle.dtype}",
        )
    return _stack_parts(abs * angle.cos(), abs * angle.sin())


def from_numpy_complex(array: np.ndarray) -> ComplexTensor:
    """A complex tensor copied from a complex NumPy array."""
    part = np.float32 if array.dtype == np.complex64 else np.float64
    parts = np.ascontiguousarray(array).view(part).reshape(*array.shape, 2)
    return ComplexTensor(_core.from_numpy(parts.copy()))


def tensor_from_data(data: Any, dtype: Any = None, requires_grad: bool = False) -> ComplexTensor:
    """``torch.tensor`` of complex data (Python complex numbers, complex arrays): a NumPy
    array keeps its precision; Python numbers take the default dtype's (complex64 for float32)."""
    arr = np.asarray(data.detach().numpy() if isinstance(data, ComplexTensor) else data)
    real = _real_dtype_of(dtype)
    if real is None and isinstance(data, np.ndarray | ComplexTensor):
        real = _core.float64 if arr.dtype == np.complex128 else _core.float32
    if real is None:
        real = _core.float64 if _pa().get_default_dtype() == _core.float64 else _core.float32
    out = from_numpy_complex(arr.astype(np.complex64 if real == _core.float32 else np.complex128))
    return out.requires_grad_(requires_grad) if requires_grad else out


def is_complex_data(data: Any) -> bool:
    """Whether ``torch.tensor(data)`` makes a complex tensor (complex numbers in it)."""
    if isinstance(data, builtins.complex):
        return True
    if isinstance(data, np.ndarray):
        return bool(np.iscomplexobj(data))
    if isinstance(data, list | tuple):
        return any(is_complex_data(d) for d in data)
    return False


def _make(
    fn: Callable[..., Tensor], shape: Sequence[Any], dtype: ComplexDType, **kw: Any
) -> ComplexTensor:
    dims = shape[0] if len(shape) == 1 and not isinstance(shape[0], int) else shape
    return ComplexTensor(fn(*dims, 2, dtype=dtype.to_real(), **kw))


def zeros(shape: Sequence[Any], dtype: ComplexDType, requires_grad: bool = False) -> ComplexTensor:
    return _make(_core.zeros, shape, dtype, requires_grad=requires_grad)


def ones(shape: Sequence[Any], dtype: ComplexDType, requires_grad: bool = False) -> ComplexTensor:
    z = _make(_core.zeros, shape, dtype)
    z._r.select(-1, 0).fill_(1.0)
    return z.requires_grad_(requires_grad) if requires_grad else z


def randn(
    shape: Sequence[Any], dtype: ComplexDType, requires_grad: bool = False, generator: Any = None
) -> ComplexTensor:
    """Standard complex normal draws: real and imaginary parts each N(0, 1/2), as PyTorch."""
    z = _make(_core.randn, shape, dtype, generator=generator)
    z._r.mul_(math.sqrt(0.5))
    return z.requires_grad_(requires_grad) if requires_grad else z


def rand(
    shape: Sequence[Any], dtype: ComplexDType, requires_grad: bool = False, generator: Any = None
) -> ComplexTensor:
    """Real and imaginary parts each uniform on [0, 1), as PyTorch."""
    z = _make(_core.rand, shape, dtype, generator=generator)
    return z.requires_grad_(requires_grad) if requires_grad else z


# ---- arithmetic -------------------------------------------------------------------------------


def _parts_of(x: Any, like: ComplexTensor) -> tuple[Any, Any]:
    """(re, im) of an operand: tensors broadcast against ``like``'s element shape; numbers."""
    if isinstance(x, ComplexTensor):
        return x._parts()
    if isinstance(x, Tensor):
        if x.dtype not in _OF_REAL:
            x = x.to(like._r.dtype)
        return x, None
    if isinstance(x, bool | int | float):
        return float(x), None
    if isinstance(x, builtins.complex):
        return x.real, x.imag
    raise TypeError(f"unsupported operand of type {type(x).__name__} for a complex tensor")


def _result_part_dtype(a: Any, b: Any) -> Any:
    ds = [
        x._r.dtype if isinstance(x, ComplexTensor) else x.dtype
        for x in (a, b)
        if isinstance(x, ComplexTensor | Tensor)
        and (isinstance(x, ComplexTensor) or x.dtype in _OF_REAL)
    ]
    return _core.float64 if _core.float64 in ds else _core.float32


def _binary(a: Any, b: Any, op: str) -> ComplexTensor:
    like = a if isinstance(a, ComplexTensor) else b
    ar, ai = _parts_of(a, like)
    br, bi = _parts_of(b, like)
    zero = 0.0
    if op == "add":
        re = ar + br
        im = ai if bi is None else bi if ai is None else ai + bi
    elif op == "sub":
        re = ar - br
        im = ai if bi is None else -bi if ai is None else ai - bi
    elif op == "mul":
        if ai is None:
            re, im = ar * br, ar * bi
        elif bi is None:
            re, im = ar * br, ai * br
        else:
            re, im = ar * br - ai * bi, ar * bi + ai * br
    else:  # div: (a b*) / |b|^2
        if bi is None:
            re, im = ar / br, (zero if ai is None else ai / br)
        else:
            den = br * br + bi * bi
            if ai is None:
                re, im = ar * br / den, -(ar * bi) / den
            else:
                re, im = (ar * br + ai * bi) / den, (ai * br - ar * bi) / den
    if im is None:
        im = zero
    dtype = _result_part_dtype(a, b)
    re_t = re if isinstance(re, Tensor) else _pa().tensor(re, dtype=dtype)
    im_t = im if isinstance(im, Tensor) else _pa().tensor(im, dtype=dtype)
    re_t, im_t = _pa().broadcast_tensors(re_t.to(dtype), im_t.to(dtype))
    return _stack_parts(re_t, im_t)


def _alpha(b: Any, alpha: Any) -> Any:
    return b if alpha == 1 else mul(b, alpha) if isinstance(b, ComplexTensor) else b * alpha


def add(input: Any, other: Any, *, alpha: Any = 1) -> ComplexTensor:
    return _binary(input, _alpha(other, alpha), "add")


def sub(input: Any, other: Any, *, alpha: Any = 1) -> ComplexTensor:
    return _binary(input, _alpha(other, alpha), "sub")


def mul(input: Any, other: Any) -> ComplexTensor:
    return _binary(input, other, "mul")


def div(input: Any, other: Any) -> ComplexTensor:
    return _binary(input, other, "div")


def pow(input: ComplexTensor, exponent: Any) -> ComplexTensor:
    if isinstance(exponent, int) and not isinstance(exponent, bool):
        if exponent == 0:
            return ones(input.shape, input.dtype)
        base = input if exponent > 0 else div(1.0, input)
        out = base
        for _ in range(builtins.abs(exponent) - 1):
            out = mul(out, base)
        return out
    return exp(mul(log(input), exponent))


def _broadcast_views(a: ComplexTensor, b: ComplexTensor) -> tuple[Tensor, Tensor]:
    shape = _pa().broadcast_shapes(tuple(a.shape), tuple(b.shape))
    return a._r.expand(*shape, 2), b._r.expand(*shape, 2)


def conj(input: Any) -> Any:
    if not isinstance(input, ComplexTensor):
        return input
    re, im = input._parts()
    return _stack_parts(re, -im)


def abs(input: ComplexTensor) -> Tensor:
    """|z| (hypot of the parts; its gradient at 0 is 0, as PyTorch's)."""
    re, im = input._parts()
    return _core.hypot(re, im)


def angle(input: ComplexTensor) -> Tensor:
    re, im = input._parts()
    return _core.atan2(im, re)


def exp(input: ComplexTensor) -> ComplexTensor:
    re, im = input._parts()
    m = re.exp()
    return _stack_parts(m * im.cos(), m * im.sin())


def log(input: ComplexTensor) -> ComplexTensor:
    return _stack_parts(abs(input).log(), angle(input))


def sqrt(input: ComplexTensor) -> ComplexTensor:
    r = abs(input).sqrt()
    half = angle(input) * 0.5
    return _stack_parts(r * half.cos(), r * half.sin())


def _reduce(input: ComplexTensor, dim: Any, keepdim: bool, how: str) -> ComplexTensor:
    r = input._r
    if dim is None:
        dims = list(range(input.ndim))
    else:
        dims = [input._dim(d, how) for d in ([dim] if isinstance(dim, int) else dim)]
    if not dims:
        return ComplexTensor(r.clone()) if how == "sum" else input
    out = r.sum(dims, keepdim=keepdim) if how == "sum" else r.mean(dims, keepdim=keepdim)
    return ComplexTensor(out)


def matmul(a: Any, b: Any) -> ComplexTensor:
    """(A + iB)(C + iD) = (AC - BD) + i(AD + BC), broadcast as torch.matmul."""
    ar, ai = _matmul_parts(a)
    br, bi = _matmul_parts(b)
    re = ar @ br if ai is None or bi is None else ar @ br - ai @ bi
    if ai is None:
        im = ar @ bi
    elif bi is None:
        im = ai @ br
    else:
        im = ar @ bi + ai @ br
    return _stack_parts(re, im)


def _matmul_parts(x: Any) -> tuple[Tensor, Any]:
    if isinstance(x, ComplexTensor):
        return x._parts()
    if isinstance(x, Tensor):
        return x, None
    raise TypeError(f"[matmul] expected tensors, got {type(x).__name__}")


def einsum(equation: str, *operands: Any) -> ComplexTensor:
    """einsum with complex operands: the product expanded into real einsums of the parts."""
    ops = operands[0] if len(operands) == 1 and isinstance(operands[0], list | tuple) else operands
    terms: list[tuple[float, list[Tensor], bool]] = [(1.0, [], False)]  # (sign, parts, imaginary)
    for x in ops:
        re, im = _matmul_parts(x)
        nxt = []
        for sign, parts, imag in terms:
            nxt.append((sign, [*parts, re], imag))
            if im is not None:
                # i * i = -1: an imaginary term times an imaginary part becomes real, negated
                nxt.append((-sign if imag else sign, [*parts, im], not imag))
        terms = nxt
    real_sum: Any = None
    imag_sum: Any = None
    for sign, parts, imag in terms:
        v = _pa().einsum(equation, *parts)
        if sign < 0:
            v = -v
        if imag:
            imag_sum = v if imag_sum is None else imag_sum + v
        else:
            real_sum = v if real_sum is None else real_sum + v
    if imag_sum is None:
        imag_sum = _pa().zeros_like(real_sum)
    return _stack_parts(real_sum, imag_sum)


def cat(tensors: Sequence[Any], dim: int = 0) -> ComplexTensor:
    cs = [_as_complex(t, "cat") for t in tensors]
    d = cs[0]._dim(dim, "cat")
    return ComplexTensor(_core.cat([c._r for c in cs], d))


def stack(tensors: Sequence[Any], dim: int = 0) -> ComplexTensor:
    cs = [_as_complex(t, "stack") for t in tensors]
    n = cs[0].ndim + 1
    if not -n <= dim < n:
        raise IndexError(f"[stack] Dimension out of range (got {dim})")
    return ComplexTensor(_core.stack([c._r for c in cs], dim % n))


# ---- printing ---------------------------------------------------------------------------------


class _ComplexFormatter:
    """PyTorch's complex printing: one formatter for the real parts, one for the imaginary
    parts, the imaginary part signed and followed by j."""

    def __init__(self, values: np.ndarray) -> None:
        from ._tensor_str import _Formatter

        self.re, self.im = _Formatter(values.real), _Formatter(values.imag)
        self.max_width = self.re.max_width + self.im.max_width + 1

    def format(self, value: Any) -> str:
        c = builtins.complex(value)
        imag = (self.im.format(c.imag) + "j").lstrip()
        return self.re.format(c.real) + (imag if imag[0] in "+-" else "+" + imag)


def _format(z: ComplexTensor) -> str:
    from . import _tensor_str as ts

    prefix = "tensor("
    indent = len(prefix)
    a = z.detach().numpy()
    default = complex128 if _pa().get_default_dtype() == _core.float64 else complex64
    suffixes = []
    if a.size == 0:
        if a.ndim != 1:
            suffixes.append(f"size={tuple(a.shape)}")
        body = "[]"
    else:
        summarize = a.size > ts.THRESHOLD
        fmt = _ComplexFormatter(ts._summarized(a) if summarize else a)
        body = ts._body(a, indent, summarize, fmt)  # type: ignore[arg-type]
    if z.dtype is not default:
        suffixes.append(f"dtype={z.dtype}")
    if z.grad_fn is not None:
        suffixes.append(f"grad_fn=<{z.grad_fn.name()}>")
    elif z.requires_grad:
        suffixes.append("requires_grad=True")
    return ts._with_suffixes(prefix + body, suffixes, indent)


# ---- torch.fft --------------------------------------------------------------------------------


_MAX_DFT = 4096  # points: the matrices of a larger transform take hundreds of MB


def _dft(n: int, kind: str, dtype: Any) -> tuple[Tensor, Tensor]:
    """_dft_matrices, refusing transforms too long for a matrix product."""
    if n > _MAX_DFT:
        raise _fail(
            "fft",
            f"a transform of {n} points: pyautograd computes a Fourier transform as a product "
            f"with its {n}x{n} matrix, which it limits to {_MAX_DFT} points",
        )
    return _dft_matrices(n, kind, dtype)


_DFT_CACHE: dict[tuple[int, str, Any], tuple[Tensor, Tensor]] = {}
_DFT_CACHE_SIZE = 32


def constant_tensors() -> list[Tensor]:
    """The cached DFT matrices: constants (never written), which pyautograd.compile binds by
    storage like a step's globals."""
    return [t for pair in _DFT_CACHE.values() for t in pair]


def _dft_matrices(n: int, kind: str, dtype: Any) -> tuple[Tensor, Tensor]:
    """The cos and sin matrices of an n-point DFT, computed in float64 and cached (a spectral
    layer transforms the same sizes every step). kind: "fwd"/"inv" (n x n, exp(-+i theta)),
    "r2c" (n x n // 2 + 1, rfft's), "c2r" (n // 2 + 1 x n, irfft's: x_j = sum_k w_k (Re X_k cos
    - Im X_k sin), w = 1 at the zero and Nyquist bins, 2 between)."""
    key = (n, kind, dtype)
    hit = _DFT_CACHE.get(key)
    if hit is not None:
        return hit
    m = n // 2 + 1
    rows, cols = (m, n) if kind == "c2r" else (n, m if kind == "r2c" else n)
    theta = 2.0 * np.pi * ((np.arange(rows)[:, None] * np.arange(cols)[None, :]) % n) / n
    c, s = _exact_zeros(np.cos(theta)), _exact_zeros(np.sin(theta))
    if kind == "c2r":
        w = np.full((m, 1), 2.0)
        w[0] = 1.0
        if n % 2 == 0:
            w[-1] = 1.0
        c, s = w * c, -w * s
    elif kind != "inv":
        s = -s
    if len(_DFT_CACHE) >= _DFT_CACHE_SIZE:
        del _DFT_CACHE[next(iter(_DFT_CACHE))]
    pair = (_core.from_numpy(c).to(dtype), _core.from_numpy(s).to(dtype))
    _DFT_CACHE[key] = pair
    return pair


def _exact_zeros(m: np.ndarray) -> np.ndarray:
    """cos(pi/2) and sin(pi) are 6e-17 and 1.2e-16 in floating point: exactly 0 in the DFT."""
    return np.where(np.abs(m) < 1e-12, 0.0, m)


def _norm_scale(norm: str | None, n: int, inverse: bool, op: str) -> float:
    if norm is None or norm == "backward":
        return 1.0 / n if inverse else 1.0
    if norm == "ortho":
        return 1.0 / math.sqrt(n)
    if norm == "forward":
        return 1.0 if inverse else 1.0 / n
    raise ValueError(f'[{op}] Invalid normalization mode: "{norm}"')


def _resize(x: Tensor, dim: int, n: int) -> Tensor:
    """x along dim (a real view's dim) truncated or zero-padded to n."""
    have = x.shape[dim]
    if n == have:
        return x
    if n < have:
        return x.narrow(dim, 0, n)
    pad_shape = list(x.shape)
    pad_shape[dim] = n - have
    return _core.cat([x, _core.zeros(*pad_shape, dtype=x.dtype)], dim)


def _along(x: Tensor, dim: int, mat: Tensor) -> Tensor:
    """x transformed along dim by mat (n_in x n_out): (x moved to the last dim) @ mat."""
    return (x.movedim(dim, -1) @ mat).movedim(-1, dim)


def _float_input(x: Any, op: str) -> Any:
    if isinstance(x, ComplexTensor):
        return x
    if not isinstance(x, Tensor):
        raise TypeError(f"[{op}] expected a tensor, got {type(x).__name__}")
    if x.dtype not in _OF_REAL:
        x = x.to(_pa().get_default_dtype())
    return x


def _check_n(n: int | None, have: int, op: str) -> int:
    n = have if n is None else int(n)
    if n < 1:
        raise _fail(op, f"Invalid number of data points ({n}) specified")
    return n


def _c2c(
    z: ComplexTensor, n: int | None, dim: int, norm: str | None, inverse: bool, op: str
) -> ComplexTensor:
    d = z._dim(dim, op)
    n = _check_n(n, z.shape[d] if z.ndim else 1, op)
    re, im = z._parts()
    re, im = _resize(re, d, n), _resize(im, d, n)
    c, s = _dft(n, "inv" if inverse else "fwd", re.dtype)
    scale = _norm_scale(norm, n, inverse, op)
    out_re = _along(re, d, c) - _along(im, d, s)
    out_im = _along(im, d, c) + _along(re, d, s)
    if scale != 1.0:
        out_re, out_im = out_re * scale, out_im * scale
    return _stack_parts(out_re, out_im)


def fft(input: Any, n: int | None = None, dim: int = -1, norm: str | None = None) -> ComplexTensor:
    """The discrete Fourier transform along dim (n points: truncated or zero-padded)."""
    return _c2c(
        _as_complex(_float_input(input, "fft_fft"), "fft_fft"), n, dim, norm, False, "fft_fft"
    )


def ifft(input: Any, n: int | None = None, dim: int = -1, norm: str | None = None) -> ComplexTensor:
    """The inverse discrete Fourier transform along dim."""
    return _c2c(
        _as_complex(_float_input(input, "fft_ifft"), "fft_ifft"), n, dim, norm, True, "fft_ifft"
    )


def rfft(
    input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None
) -> ComplexTensor:
    """The Fourier transform of a real signal: the n // 2 + 1 non-negative frequencies."""
    op = "fft_rfft"
    x = _float_input(input, op)
    if isinstance(x, ComplexTensor):
        raise _fail(op, "rfft expects a real input tensor, but got ComplexFloat")
    d = _dim_of(x, dim, op)
    n = _check_n(n, x.shape[d], op)
    x = _resize(x, d, n)
    c, s = _dft(n, "r2c", x.dtype)
    scale = _norm_scale(norm, n, False, op)
    re, im = _along(x, d, c), _along(x, d, s)
    if scale != 1.0:
        re, im = re * scale, im * scale
    return _stack_parts(re, im)


def irfft(input: Any, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The real signal of n points whose rfft is input (the imaginary parts of the zero and,
    for even n, Nyquist bins are ignored, as PyTorch's)."""
    op = "fft_irfft"
    z = _as_complex(_float_input(input, op), op)
    d = z._dim(dim, op)
    m_in = z.shape[d]
    n = _check_n(n, 2 * (m_in - 1), op)
    m = n // 2 + 1
    re, im = z._parts()
    re, im = _resize(re, d, m), _resize(im, d, m)
    c, s = _dft(n, "c2r", re.dtype)
    out = _along(re, d, c) + _along(im, d, s)
    scale = _norm_scale(norm, n, True, op)
    return out * scale if scale != 1.0 else out


def _dim_of(x: Tensor, dim: int, op: str) -> int:
    nd = max(x.dim(), 1)
    if not -nd <= dim < nd:
        raise IndexError(f"[{op}] Dimension out of range (got {dim})")
    return dim % nd


def _dims_and_sizes(
    ndim: int, s: Any, dim: Any, default_last: int | None, op: str
) -> tuple[list[int], list[int | None]]:
    if dim is None:
        if s is not None:
            dims = list(range(ndim - len(s), ndim))
        elif default_last is not None:
            dims = list(range(ndim - default_last, ndim))
        else:
            dims = list(range(ndim))
    else:
        dims = [dim] if isinstance(dim, int) else list(dim)
    sizes: list[int | None] = list(s) if s is not None else [None] * len(dims)
    if len(sizes) != len(dims):
        raise _fail(op, "When given, dim and shape arguments must have the same length")
    return dims, sizes


def _c2c_n(input: Any, s: Any, dim: Any, norm: str | None, inverse: bool, op: str) -> ComplexTensor:
    z = _as_complex(_float_input(input, op), op)
    dims, sizes = _dims_and_sizes(z.ndim, s, dim, None, op)
    for d, n in zip(dims, sizes, strict=True):
        z = _c2c(z, n, d, norm, inverse, op)
    return z


def fftn(input: Any, s: Any = None, dim: Any = None, norm: str | None = None) -> ComplexTensor:
    """The Fourier transform over several dims (all by default)."""
    return _c2c_n(input, s, dim, norm, False, "fft_fftn")


def ifftn(input: Any, s: Any = None, dim: Any = None, norm: str | None = None) -> ComplexTensor:
    """The inverse Fourier transform over several dims (all by default)."""
    return _c2c_n(input, s, dim, norm, True, "fft_ifftn")


def rfftn(input: Tensor, s: Any = None, dim: Any = None, norm: str | None = None) -> ComplexTensor:
    """rfft over the last of dims, then fft over the others."""
    x = _float_input(input, "fft_rfftn")
    dims, sizes = _dims_and_sizes(x.dim(), s, dim, None, "fft_rfftn")
    z = rfft(x, sizes[-1], dims[-1], norm)
    for d, n in zip(dims[:-1], sizes[:-1], strict=True):
        z = _c2c(z, n, d, norm, False, "fft_rfftn")
    return z


def irfftn(input: Any, s: Any = None, dim: Any = None, norm: str | None = None) -> Tensor:
    """The inverse of rfftn: ifft over all but the last of dims, then irfft."""
    z = _as_complex(_float_input(input, "fft_irfftn"), "fft_irfftn")
    dims, sizes = _dims_and_sizes(z.ndim, s, dim, None, "fft_irfftn")
    for d, n in zip(dims[:-1], sizes[:-1], strict=True):
        z = _c2c(z, n, d, norm, True, "fft_irfftn")
    return irfft(z, sizes[-1], dims[-1], norm)


def fft2(input: Any, s: Any = None, dim: Any = (-2, -1), norm: str | None = None) -> ComplexTensor:
    """fftn over the last two dims."""
    return fftn(input, s, dim, norm)


def ifft2(input: Any, s: Any = None, dim: Any = (-2, -1), norm: str | None = None) -> ComplexTensor:
    """ifftn over the last two dims."""
    return ifftn(input, s, dim, norm)


def rfft2(
    input: Tensor, s: Any = None, dim: Any = (-2, -1), norm: str | None = None
) -> ComplexTensor:
    """rfftn over the last two dims."""
    return rfftn(input, s, dim, norm)


def irfft2(input: Any, s: Any = None, dim: Any = (-2, -1), norm: str | None = None) -> Tensor:
    """irfftn over the last two dims."""
    return irfftn(input, s, dim, norm)


def fftfreq(n: int, d: float = 1.0, *, dtype: Any = None, **_: Any) -> Tensor:
    """Sample frequencies of an n-point fft: [0, 1, ..., -1] / (d n)."""
    k = np.concatenate([np.arange(0, (n - 1) // 2 + 1), np.arange(-(n // 2), 0)]) / (d * n)
    return _core.from_numpy(k).to(dtype or _pa().get_default_dtype())


def rfftfreq(n: int, d: float = 1.0, *, dtype: Any = None, **_: Any) -> Tensor:
    """Sample frequencies of an n-point rfft: [0, 1, ..., n // 2] / (d n)."""
    k = np.arange(0, n // 2 + 1) / (d * n)
    return _core.from_numpy(k).to(dtype or _pa().get_default_dtype())


def _shift(x: Any, dim: Any, sign: int) -> Any:
    """Rolls each dim by sign * (its size // 2)."""
    nd = x.ndim if isinstance(x, ComplexTensor) else x.dim()
    dims = list(range(nd)) if dim is None else [dim] if isinstance(dim, int) else list(dim)
    return x.roll([sign * (x.shape[d] // 2) for d in dims], dims)


def fftshift(input: Any, dim: Any = None) -> Any:
    """Moves the zero frequency to the centre: rolls each dim by half its size."""
    return _shift(input, dim, 1)


def ifftshift(input: Any, dim: Any = None) -> Any:
    """The inverse of fftshift."""
    return _shift(input, dim, -1)


# ---- short-time Fourier transform ---------------------------------------------------------------


def stft(
    input: Any,
    n_fft: int,
    hop_length: int | None = None,
    win_length: int | None = None,
    window: Tensor | None = None,
    center: bool = True,
    pad_mode: str = "reflect",
    normalized: bool = False,
    onesided: bool | None = None,
    return_complex: bool | None = None,
) -> Any:
    """PyTorch's stft of a real signal (L,) or batch (B, L): frames of n_fft samples every
    hop_length, times the window (zero-padded to n_fft in the middle), rfft'd: (B?, n_fft // 2
    + 1, frames) complex (``return_complex=False``: the real view, (..., 2))."""
    op = "stft"
    if return_complex is None:
        raise _fail(
            op,
            "stft requires the return_complex parameter be given for real inputs, and will "
            "further require that return_complex=True in a future PyTorch release.",
        )
    if isinstance(input, ComplexTensor) or not isinstance(input, Tensor):
        raise _fail(op, "only real input signals are supported")
    if input.dim() not in (1, 2):
        raise _fail(op, f"expected a 1D or 2D tensor, but got {input.dim()}D")
    if onesided is False:
        raise _fail(op, "onesided=False is not supported for real signals here")
    hop = n_fft // 4 if hop_length is None else int(hop_length)
    win = n_fft if win_length is None else int(win_length)
    if n_fft <= 0 or hop <= 0 or not 0 < win <= n_fft:
        raise _fail(
            op,
            f"expected 0 < n_fft, 0 < hop_length and 0 < win_length <= n_fft, got n_fft="
            f"{n_fft}, hop_length={hop}, win_length={win}",
        )
    x = input if input.dim() == 2 else input.unsqueeze(0)
    if center:
        from .nn import functional as F

        x = F.pad(x.unsqueeze(1), (n_fft // 2, n_fft // 2), mode=pad_mode).squeeze(1)
    if x.shape[-1] < n_fft:
        raise _fail(op, f"expected 0 < n_fft <= {x.shape[-1]}, but got n_fft={n_fft}")
    frames = x.unfold(-1, n_fft, hop)  # (B, n_frames, n_fft)
    if window is None:
        import warnings

        warnings.warn(
            "A window was not provided. A rectangular window will be applied, which is known to "
            "cause spectral leakage. Other windows such as torch.hann_window or "
            "torch.hamming_window are recommended to reduce spectral leakage.",
            UserWarning,
            stacklevel=2,
        )
        window = _core.ones(win, dtype=x.dtype)
    elif window.dim() != 1 or window.shape[0] != win:
        raise _fail(
            op,
            f"expected a 1D window tensor of size equal to win_length={win}, but got "
            f"window with size {list(window.shape)}",
        )
    if win < n_fft:
        left = (n_fft - win) // 2
        window = _core.cat(
            [
                _core.zeros(left, dtype=window.dtype),
                window,
                _core.zeros(n_fft - win - left, dtype=window.dtype),
            ]
        )
    spec = rfft(frames * window, norm="ortho" if normalized else None)  # (B, frames, freq)
    spec = spec.transpose(-2, -1)
    if input.dim() == 1:
        spec = spec.squeeze(0)
    return spec if return_complex else view_as_real(spec)


def istft(
    input: Any,
    n_fft: int,
    hop_length: int | None = None,
    win_length: int | None = None,
    window: Tensor | None = None,
    center: bool = True,
    normalized: bool = False,
    onesided: bool | None = None,
    length: int | None = None,
    return_complex: bool = False,
) -> Tensor:
    """The inverse of stft (PyTorch's istft of a onesided spectrogram): irfft of each frame,
    times the window, overlap-added and divided by the overlap-added squared window."""
    op = "istft"
    if not isinstance(input, ComplexTensor):
        raise _fail(op, "istft requires a complex-valued input tensor")
    if return_complex or onesided is False:
        raise _fail(op, "only real signals (onesided spectrograms) are supported")
    if input.ndim not in (2, 3):
        raise _fail(op, f"expected a 2D or 3D complex tensor, but got {input.ndim}D")
    hop = n_fft // 4 if hop_length is None else int(hop_length)
    win = n_fft if win_length is None else int(win_length)
    spec = input if input.ndim == 3 else input.unsqueeze(0)
    if spec.shape[1] != n_fft // 2 + 1:
        raise _fail(
            op, f"expected {n_fft // 2 + 1} frequencies for n_fft={n_fft}, got {spec.shape[1]}"
        )
    parts = _core.float64 if spec.dtype is complex128 else _core.float32
    if window is None:
        window = _core.ones(win, dtype=parts)
    if win < n_fft:
        left = (n_fft - win) // 2
        window = _core.cat(
            [
                _core.zeros(left, dtype=window.dtype),
                window,
                _core.zeros(n_fft - win - left, dtype=window.dtype),
            ]
        )
    frames = irfft(spec.transpose(1, 2), n=n_fft, norm="ortho" if normalized else None)
    frames = frames * window  # (B, n_frames, n_fft)
    n_frames = frames.shape[1]
    total = n_fft + hop * (n_frames - 1)
    from .nn import functional as F

    def overlap_add(x: Tensor) -> Tensor:  # (B, n_frames, n_fft) -> (B, total)
        folded = F.fold(x.transpose(1, 2), (1, total), kernel_size=(1, n_fft), stride=(1, hop))
        return folded.reshape(x.shape[0], total)

    y = overlap_add(frames)
    envelope = overlap_add((window * window).expand(1, n_frames, n_fft))
    start = n_fft // 2 if center else 0
    end = total - (n_fft // 2 if center else 0) if length is None else start + int(length)
    y, envelope = y[:, start:end], envelope[:, start:end]
    if envelope.numel() and float(envelope.abs().min()) < 1e-11:
        raise _fail(op, "window overlap add min: the window's squares vanish where frames overlap")
    y = y / envelope
    if length is not None and y.shape[1] < length:
        y = _core.cat([y, _core.zeros(y.shape[0], length - y.shape[1], dtype=y.dtype)], 1)
    return y if input.ndim == 3 else y.squeeze(0)


# ---- general eigendecomposition (complex results) ------------------------------------------------


class linalg_eig(NamedTuple):
    """(eigenvalues, eigenvectors) of linalg.eig."""

    eigenvalues: ComplexTensor
    eigenvectors: ComplexTensor

    def __repr__(self) -> str:
        return (
            f"torch.return_types.linalg_eig(\neigenvalues={self.eigenvalues!r},\n"
            f"eigenvectors={self.eigenvectors!r})"
        )


def _general_square(A: Any, op: str) -> np.ndarray:
    if isinstance(A, ComplexTensor) or not isinstance(A, Tensor):
        raise _fail(op, "expected a real tensor (complex inputs are not supported here)")
    if A.dim() < 2 or A.shape[-1] != A.shape[-2]:
        raise _fail(op, f"A must be batches of square matrices, but got shape {list(A.shape)}")
    if A.requires_grad and _core.is_grad_enabled():
        raise _fail(
            op,
            "gradients of a general eigendecomposition are not supported in pyautograd (detach "
            "the input, or use linalg.eigh for symmetric matrices)",
        )
    a = A.to(_pa().get_default_dtype() if not A.is_floating_point() else A.dtype).numpy()
    if not np.all(np.isfinite(a)):
        raise _fail(
            op,
            "The algorithm failed to converge because the input matrix contained "
            "non-finite values.",
        )
    return a


def eig(A: Tensor) -> linalg_eig:
    """linalg.eig: the (complex) eigenvalues and eigenvectors of square matrices, from LAPACK's
    geev as PyTorch's (no gradients)."""
    a = _general_square(A, "linalg.eig")
    w, v = np.linalg.eig(a)
    cd = np.complex64 if a.dtype == np.float32 else np.complex128
    return linalg_eig(from_numpy_complex(w.astype(cd)), from_numpy_complex(v.astype(cd)))


def eigvals(A: Tensor) -> ComplexTensor:
    """linalg.eigvals: the (complex) eigenvalues of square matrices (no gradients)."""
    a = _general_square(A, "linalg.eigvals")
    cd = np.complex64 if a.dtype == np.float32 else np.complex128
    return from_numpy_complex(np.linalg.eigvals(a).astype(cd))


# ---- installation into the torch namespace ------------------------------------------------------


def _any_complex(args: Sequence[Any]) -> bool:
    for a in args:
        if isinstance(a, ComplexTensor):
            return True
        if isinstance(a, list | tuple) and any(isinstance(t, ComplexTensor) for t in a):
            return True
    return False


_FALLBACK_ERRORS = (TypeError, AttributeError, RuntimeError, ValueError, IndexError)


def _named_like(f: Callable[..., Any], orig: Callable[..., Any]) -> Callable[..., Any]:
    f.__name__ = getattr(orig, "__name__", "f")
    f.__doc__ = getattr(orig, "__doc__", None)
    f.__wrapped__ = orig  # type: ignore[attr-defined]
    return f


def _wrap(orig: Callable[..., Any], impl: Callable[..., Any]) -> Callable[..., Any]:
    """orig; impl when orig refused a complex argument (or a list holding one). The real call
    runs first, so a real program pays one Python frame, not a type check per argument."""

    def f(*args: Any, **kwargs: Any) -> Any:
        try:
            return orig(*args, **kwargs)
        except _FALLBACK_ERRORS:
            if _any_complex(args) or _any_complex(tuple(kwargs.values())):
                return impl(*args, **kwargs)
            raise

    return _named_like(f, orig)


def _strip_placement(kwargs: dict[str, Any]) -> None:
    for k in ("device", "layout", "pin_memory", "memory_format"):
        kwargs.pop(k, None)


def _wrap_creation(orig: Callable[..., Any], impl: Callable[..., Any]) -> Callable[..., Any]:
    """orig; impl(shape, dtype, ...) when orig refused a complex dtype."""

    def f(*size: Any, **kwargs: Any) -> Any:
        try:
            return orig(*size, **kwargs)
        except _FALLBACK_ERRORS:
            dtype = kwargs.pop("dtype", None)
            if not isinstance(dtype, ComplexDType):
                raise
            _strip_placement(kwargs)
            return impl(size, dtype, **kwargs)

    return _named_like(f, orig)


def _wrap_like(orig: Callable[..., Any], impl: Callable[..., Any]) -> Callable[..., Any]:
    """``*_like``: a complex input, or a complex dtype, gives a complex result."""

    def f(input: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return orig(input, *args, **kwargs)
        except _FALLBACK_ERRORS:
            dtype = kwargs.pop("dtype", None)
            cd = dtype if isinstance(dtype, ComplexDType) else getattr(input, "dtype", None)
            if not isinstance(cd, ComplexDType):
                raise
            _strip_placement(kwargs)
            return impl(tuple(input.shape), cd, **kwargs)

    return _named_like(f, orig)


def _wrap_tensor(orig: Callable[..., Any]) -> Callable[..., Any]:
    """``torch.tensor``/``as_tensor``: complex data or a complex dtype makes a complex tensor."""

    def f(data: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return orig(data, *args, **kwargs)
        except _FALLBACK_ERRORS:
            dtype = kwargs.get("dtype")
            if (
                isinstance(dtype, ComplexDType)
                or isinstance(data, ComplexTensor)
                or (dtype is None and is_complex_data(data))
            ):
                return tensor_from_data(data, dtype, bool(kwargs.get("requires_grad", False)))
            raise

    return _named_like(f, orig)


def _wrap_from_numpy(orig: Callable[..., Any]) -> Callable[..., Any]:
    def f(array: Any) -> Any:
        if isinstance(array, np.ndarray) and array.dtype in (np.complex64, np.complex128):
            return from_numpy_complex(array)  # a copy: the core's storage is real
        return orig(array)

    f.__name__ = "from_numpy"
    f.__doc__ = orig.__doc__
    return f


def _sum(input: ComplexTensor, dim: Any = None, keepdim: bool = False, **_: Any) -> ComplexTensor:
    return _reduce(input, dim, keepdim, "sum")


def _mean(input: ComplexTensor, dim: Any = None, keepdim: bool = False, **_: Any) -> ComplexTensor:
    return _reduce(input, dim, keepdim, "mean")


def _to_complex64(self: Tensor) -> ComplexTensor:
    """The tensor as complex64 (imaginary parts 0)."""
    return _as_complex(self.to(_core.float32), "cfloat")


def _to_complex128(self: Tensor) -> ComplexTensor:
    """The tensor as complex128 (imaginary parts 0)."""
    return _as_complex(self.to(_core.float64), "cdouble")


def install(ns: dict[str, Any]) -> None:
    """Adds the complex dtypes and functions to the torch namespace ``ns`` and wraps the
    functions that take complex tensors (``torch.fft`` is pyautograd/fft.py)."""
    ns.update(
        complex64=complex64,
        complex128=complex128,
        cfloat=complex64,
        cdouble=complex128,
        complex=complex,
        polar=polar,
        view_as_complex=view_as_complex,
        view_as_real=view_as_real,
        stft=stft,
        istft=istft,
    )
    setattr(Tensor, "stft", stft)  # noqa: B010 (the stub declares it)
    setattr(Tensor, "istft", istft)  # noqa: B010 (the stub declares it)
    setattr(Tensor, "cfloat", _to_complex64)  # noqa: B010 (the stub declares it)
    setattr(Tensor, "cdouble", _to_complex128)  # noqa: B010 (the stub declares it)
    impls: dict[str, Callable[..., Any]] = {
        "abs": abs,
        "absolute": abs,
        "angle": angle,
        "conj": conj,
        "conj_physical": conj,
        "resolve_conj": lambda z: z,
        "exp": exp,
        "log": log,
        "sqrt": sqrt,
        "real": lambda z: z.real,
        "imag": lambda z: z.imag,
        "einsum": einsum,
    }
    linalg = ns["linalg"]
    if not hasattr(linalg, "eig"):
        linalg.eig, linalg.eigvals = eig, eigvals
    real_is_complex = ns["is_complex"]

    def is_complex(input: Any) -> bool:
        """True for a complex tensor (complex64/complex128)."""
        return isinstance(input, ComplexTensor) or real_is_complex(input)

    ns["is_complex"] = is_complex
    wrapped: dict[int, Callable[..., Any]] = {}  # aliases (abs, absolute) stay one object
    for name, impl in impls.items():
        if name in ns:
            orig = ns[name]
            ns[name] = wrapped.setdefault(id(orig), _wrap(orig, impl))
        elif name in ("real", "imag", "conj", "resolve_conj", "conj_physical"):
            ns[name] = impl
    for name, impl in (
        ("zeros", zeros),
        ("ones", ones),
        ("randn", randn),
        ("rand", rand),
        ("empty", zeros),
    ):
        ns[name] = _wrap_creation(ns[name], impl)
    for name, impl in (("zeros_like", zeros), ("ones_like", ones)):
        if name in ns:
            ns[name] = _wrap_like(ns[name], impl)
    for name in ("tensor", "as_tensor"):
        if name in ns:
            ns[name] = _wrap_tensor(ns[name])
    ns["from_numpy"] = _wrap_from_numpy(ns["from_numpy"])
