"""The legacy tensor types of Variable-era programs: FloatTensor, DoubleTensor, LongTensor,
IntTensor, ShortTensor, CharTensor, ByteTensor, BoolTensor (HalfTensor and BFloat16Tensor name
dtypes that hold no tensors here: calling them raises) as constructors, as ``isinstance``
targets and as arguments of ``Tensor.type(...)``; ``Tensor.type()`` returns PyTorch's type name.
"""

from __future__ import annotations

from typing import Any, ClassVar

from . import _core
from ._core import Tensor

# PyTorch's legacy type name of each dtype (only the dtypes this build has are made).
_NAMES = {
    "float32": "FloatTensor",
    "float64": "DoubleTensor",
    "int64": "LongTensor",
    "bool": "BoolTensor",
    "uint8": "ByteTensor",
    "int32": "IntTensor",
    "int16": "ShortTensor",
    "int8": "CharTensor",
    "float16": "HalfTensor",
    "bfloat16": "BFloat16Tensor",
}


def _dtype_key(d: _core.dtype) -> str:
    return str(d).rsplit(".", 1)[-1]


class _TensorType(type):
    """Metaclass of the legacy types: calling one constructs a tensor of its dtype;
    ``isinstance(t, FloatTensor)`` holds for the float32 tensors."""

    dtype: _core.dtype

    def __instancecheck__(cls, obj: object) -> bool:
        return isinstance(obj, Tensor) and obj.dtype == cls.dtype

    def __call__(cls, *args: Any, **kwargs: Any) -> Tensor:
        return _core._legacy_new(cls.dtype, *args, **kwargs)

    def __repr__(cls) -> str:
        return f"<class 'torch.{cls.__name__}'>"


class _LegacyType(metaclass=_TensorType):
    """Base of the legacy tensor types (never instantiated: calling a type makes a Tensor)."""

    dtype: ClassVar[_core.dtype]


def _make(dtype: _core.dtype, name: str) -> _TensorType:
    doc = (
        f"The legacy {name}: {name}(2, 3) is an uninitialized {_dtype_key(dtype)} tensor, "
        f"{name}([1, 2]) a copy of the data, {name}(t) an alias of a {_dtype_key(dtype)} "
        f"tensor; isinstance(t, {name}) holds for {_dtype_key(dtype)} tensors."
    )
    cls = _TensorType(name, (_LegacyType,), {"dtype": dtype, "__doc__": doc})
    cls.__module__ = "pyautograd"
    return cls


TYPES: dict[str, _TensorType] = {}
for _key, _name in _NAMES.items():
    if isinstance(getattr(_core, _key, None), _core.dtype):
        TYPES[_name] = _make(getattr(_core, _key), _name)

FloatTensor = TYPES["FloatTensor"]
DoubleTensor = TYPES["DoubleTensor"]
LongTensor = TYPES["LongTensor"]
BoolTensor = TYPES["BoolTensor"]
ByteTensor = TYPES["ByteTensor"]
CharTensor = TYPES["CharTensor"]
ShortTensor = TYPES["ShortTensor"]
IntTensor = TYPES["IntTensor"]


def type_name(d: _core.dtype) -> str:
    """PyTorch's name of the CPU tensor type of dtype d: 'torch.FloatTensor' for float32."""
    return "torch." + _NAMES[_dtype_key(d)]


def parse_tensor_type(t: Any, op: str) -> _core.dtype:
    """The dtype named by a legacy type (FloatTensor), its name ('torch.FloatTensor'), Tensor
    (the default dtype) or a dtype; CUDA types raise RuntimeError."""
    if isinstance(t, _core.dtype):
        return t
    if isinstance(t, _TensorType):
        return t.dtype
    if t is Tensor:
        return _core._get_default_dtype()
    if isinstance(t, str):
        module, _, name = t.rpartition(".")
        if module in ("torch.cuda", "pyautograd.cuda"):
            raise RuntimeError(f"[{op}] type '{t}' is a CUDA type: pyautograd runs on the CPU only")
        if module in ("torch", "pyautograd") and name in TYPES:
            return TYPES[name].dtype
        raise ValueError(f"[{op}] invalid type: '{t}'")
    raise TypeError(
        f"[{op}] expected a tensor type (e.g. FloatTensor), its name or a dtype, "
        f"got {type(t).__name__}"
    )


def _type(self: Tensor, dtype: Any = None, non_blocking: bool = False, **kwargs: Any) -> Any:
    """With no argument, the type name ('torch.FloatTensor' for float32, as PyTorch names it);
    given a type (FloatTensor), its name or a dtype, this tensor in that type (self if it has
    it already)."""
    if dtype is None:
        return type_name(self.dtype)
    d = parse_tensor_type(dtype, "type")
    return self if d == self.dtype else self.to(d)


def install(cls: type[Tensor]) -> None:
    """Adds Tensor.type."""
    cls.type = _type  # type: ignore[method-assign]
