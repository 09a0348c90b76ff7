"""pyautograd.save / pyautograd.load: checkpoints of tensors, state dicts and optimizer states.

The file format is PyTorch's zip checkpoint (``<name>/data.pkl``, ``<name>/data/<key>`` raw
little-endian storages, version records), so ``torch.load`` reads pyautograd's checkpoints and
``pyautograd.load`` reads ``torch.save``'s (CPU tensors of the dtypes pyautograd has).

Tensors keep their dtype, shape, strides, storage offset and requires_grad; tensors saved
together that share memory (a tensor and its views) share it again after loading, and each
storage is written only over the span its saved tensors use. ``load`` refuses to unpickle
anything but tensors, containers and numbers unless ``weights_only=False`` (PyTorch's default
since 2.6); a truncated, corrupted or foreign file raises a clear error.
"""

from __future__ import annotations

import io
import os
import pickle
import secrets
import sys
import zipfile
from collections import Counter, OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any, TypeAlias

from . import _core
from ._core import Tensor
from ._creation import device
from ._size import Size

FileLike: TypeAlias = "str | os.PathLike[str] | IO[bytes]"

__all__ = [
    "add_safe_globals",
    "clear_safe_globals",
    "get_safe_globals",
    "load",
    "safe_globals",
    "save",
]

# ---- the names PyTorch's format uses, and what they mean here ----


def _rebuild_tensor_v2(
    storage: Tensor,
    storage_offset: int,
    size: tuple[int, ...],
    stride: tuple[int, ...],
    requires_grad: bool,
    backward_hooks: Any = None,
    metadata: Any = None,
) -> Tensor:
    """Rebuilds a tensor as a (bounds-checked) view of its storage."""
    if metadata:
        raise RuntimeError(
            f"[load] unsupported tensor metadata {metadata!r} (conjugate/negative bits)"
        )
    t = _core._as_strided_raw(storage, tuple(size), tuple(stride), int(storage_offset))
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_tensor(
    storage: Tensor, storage_offset: int, size: tuple[int, ...], stride: tuple[int, ...]
) -> Tensor:
    return _rebuild_tensor_v2(storage, storage_offset, size, stride, False)


def _rebuild_parameter(data: Tensor, requires_grad: bool, backward_hooks: Any) -> Tensor:
    from .nn.parameter import Parameter

    return Parameter(data, requires_grad)


def _rebuild_parameter_with_state(
    data: Tensor, requires_grad: bool, backward_hooks: Any, state: Any
) -> Tensor:
    p = _rebuild_parameter(data, requires_grad, backward_hooks)
    _set_state(p, state)
    return p


def _rebuild_subclass(cls: type[Tensor], data: Tensor, requires_grad: bool, state: Any) -> Tensor:
    """A Tensor subclass other than Parameter (pyautograd-specific record)."""
    if not (isinstance(cls, type) and issubclass(cls, Tensor)):
        raise RuntimeError(f"[load] {cls!r} is not a Tensor subclass")
    t = Tensor._make_subclass(cls, data, requires_grad)
    _set_state(t, state)
    return t


def _set_state(t: Tensor, state: Any) -> None:
    if isinstance(state, tuple) and len(state) == 2:  # (dict state, slots state)
        state = state[0]
    if state:
        t.__dict__.update(state)


class _StorageType:
    """Stands for one of PyTorch's legacy storage classes (torch.FloatStorage, ...)."""

    def __init__(self, name: str, dtype_name: str) -> None:
        self.name = name
        self.dtype_name = dtype_name

    def dtype(self) -> _core.dtype:
        d = getattr(_core, self.dtype_name, None)
        if not isinstance(d, _core.dtype):
            raise RuntimeError(
                f"[load] the checkpoint holds {self.dtype_name} tensors ({self.name}), a dtype "
                "pyautograd does not have"
            )
        return d


_STORAGE_TYPES = {
    name: _StorageType(name, dt)
    for name, dt in [
        ("FloatStorage", "float32"),
        ("DoubleStorage", "float64"),
        ("LongStorage", "int64"),
        ("BoolStorage", "bool"),
        ("ByteStorage", "uint8"),
        ("IntStorage", "int32"),
        ("ShortStorage", "int16"),
        ("CharStorage", "int8"),
        ("HalfStorage", "float16"),
        ("BFloat16Storage", "bfloat16"),
    ]
}
_STORAGE_OF_DTYPE = {st.dtype_name: st for st in _STORAGE_TYPES.values()}
_DTYPE_NAMES = ["float32", "float64", "int64", "bool", "uint8", "int32", "int16", "int8",
                "float16", "bfloat16"]  # fmt: skip


def _torch_names() -> dict[tuple[str, str], Any]:
    """(module, name) as PyTorch pickles them -> the object they mean in pyautograd."""
    from .nn.parameter import Parameter

    names: dict[tuple[str, str], Any] = {
        ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
        ("torch._utils", "_rebuild_tensor"): _rebuild_tensor,
        ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
        ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter_with_state,
        ("torch", "Size"): Size,
        ("torch", "device"): device,
        ("torch.nn.parameter", "Parameter"): Parameter,
        ("collections", "OrderedDict"): OrderedDict,
        ("collections", "Counter"): Counter,
        ("builtins", "set"): set,
        ("builtins", "frozenset"): frozenset,
        ("builtins", "slice"): slice,
        ("builtins", "complex"): complex,
        ("builtins", "bytearray"): bytearray,
        ("_codecs", "encode"): _encode,
        ("pyautograd.serialization", "_rebuild_subclass"): _rebuild_subclass,
    }
    for name, st in _STORAGE_TYPES.items():
        names[("torch", name)] = st
    for dt in _DTYPE_NAMES:
        d = getattr(_core, dt, None)
        if isinstance(d, _core.dtype):
            names[("torch", dt)] = d
    return names


def _encode(s: str, encoding: str = "latin1") -> bytes:
    """What protocol-2 pickles call to make bytes (codecs.encode, restricted to bytes)."""
    if not isinstance(s, str):
        raise pickle.UnpicklingError("[load] _codecs.encode expects a str")
    return s.encode(encoding)


_safe_globals: list[Any] = []


def add_safe_globals(safe: list[Any]) -> None:
    """Allows these classes/functions (or (object, "module.name") pairs) in
    ``load(weights_only=True)``."""
    _safe_globals.extend(safe)


def clear_safe_globals() -> None:
    """Forgets the globals added by add_safe_globals."""
    _safe_globals.clear()


def get_safe_globals() -> list[Any]:
    """The globals added by add_safe_globals."""
    return list(_safe_globals)


@contextmanager
def safe_globals(safe: list[Any]) -> Iterator[None]:
    """A context in which these globals are also allowed by ``load(weights_only=True)``."""
    n = len(_safe_globals)
    _safe_globals.extend(safe)
    try:
        yield
    finally:
        del _safe_globals[n:]


def _safe_global_names() -> dict[tuple[str, str], Any]:
    out = {}
    for g in _safe_globals:
        if isinstance(g, tuple):
            obj, full = g
            module, _, name = full.rpartition(".")
        else:
            obj, module, name = g, g.__module__, g.__qualname__
        out[(module, name)] = obj
    return out


# ---- saving ----


class _StorageRef:
    """A storage span to write as data/<key>."""

    def __init__(self, key: str, tensor: Tensor, start: int, count: int, stype: _StorageType):
        self.key, self.tensor, self.start, self.count, self.stype = key, tensor, start, count, stype


class _Rebuild:
    """Stand-ins for PyTorch's rebuild functions, pickled under PyTorch's names."""

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name = module, name

    def __call__(self, *args: Any) -> Any:  # pickle requires a callable; never called here
        raise RuntimeError(f"{self.module}.{self.name} is only a name written into checkpoints")


_REBUILD_V2 = _Rebuild("torch._utils", "_rebuild_tensor_v2")
_REBUILD_PARAM = _Rebuild("torch._utils", "_rebuild_parameter")
_REBUILD_PARAM_STATE = _Rebuild("torch._utils", "_rebuild_parameter_with_state")


def _spans(t: Tensor) -> tuple[int, int, int]:
    """(storage address, first element, one past the last element) a tensor uses."""
    address, _ = _core._storage_info(t)
    first = t.storage_offset()
    last = first
    for n, s in zip(t.shape, t.stride(), strict=True):
        if n == 0:
            return address, first, first
        last += (n - 1) * s
    return address, first, last + 1


# The pure-Python pickler: its save_global can write PyTorch's global names.
_PurePickler: Any = getattr(pickle, "_Pickler")  # noqa: B009


class _Saver(_PurePickler):  # type: ignore[misc]
    """A pickler that writes tensors as PyTorch does (a rebuild call on a persistent storage
    record) and PyTorch's global names for dtypes, Size and device."""

    def __init__(self, file: IO[bytes], protocol: int, plan: dict[int, list[int]], collect: bool):
        super().__init__(file, protocol)
        self.plan = plan  # storage address -> [first, end) of the elements the saved tensors use
        self.collect = collect  # first pass: only collect the plan
        self.storages: dict[int, _StorageRef] = {}

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, Tensor):
            return self._reduce_tensor(obj)
        if isinstance(obj, _core.dtype):
            return str(obj).rsplit(".", 1)[-1]
        return NotImplemented

    def _reduce_tensor(self, t: Tensor) -> tuple[Any, ...]:
        from .nn.parameter import Parameter

        if t.requires_grad and not t.is_leaf:
            raise RuntimeError(
                "[save] Cowardly refusing to serialize non-leaf tensor which requires_grad, "
                "since autograd does not support crossing process boundaries. If you just want "
                "to transfer the data, call detach() on the tensor before serializing"
            )
        address, first, end = _spans(t)
        ref: _StorageRef | None = None
        if self.collect:
            if t.numel():
                span = self.plan.setdefault(address, [first, end])
                span[0], span[1] = min(span[0], first), max(span[1], end)
        else:
            ref = self._storage_ref(t, address, first, end)
        offset = t.storage_offset() - (ref.start if ref is not None else 0)
        args: tuple[Any, ...] = (
            ref,
            offset,
            tuple(t.shape),
            tuple(t.stride()),
            t.requires_grad,
            OrderedDict(),
        )
        state = dict(getattr(t, "__dict__", None) or {})
        if type(t) is Tensor:
            return (_REBUILD_V2, args)
        data: tuple[Any, tuple[Any, ...]] = (_REBUILD_V2, (*args[:4], False, OrderedDict()))
        plain = _Plain(data)
        if type(t) is Parameter:
            if state:
                return (_REBUILD_PARAM_STATE, (plain, t.requires_grad, OrderedDict(), state))
            return (_REBUILD_PARAM, (plain, t.requires_grad, OrderedDict()))
        return (_rebuild_subclass, (type(t), plain, t.requires_grad, state or None))

    def _storage_ref(self, t: Tensor, address: int, first: int, end: int) -> _StorageRef:
        if t.numel() == 0:  # empty tensors get an empty storage of their own
            key = str(len(self.storages))
            ref = _StorageRef(key, t, first, 0, self._stype(t))
            self.storages[-len(self.storages) - 1] = ref
            return ref
        found = self.storages.get(address)
        if found is None:
            start, stop = self.plan[address]
            found = _StorageRef(str(len(self.storages)), t, start, stop - start, self._stype(t))
            self.storages[address] = found
        elif found.stype.dtype_name != str(t.dtype).rsplit(".", 1)[-1]:
            raise RuntimeError(
                "[save] Cannot save multiple tensors or storages that view the same data as "
                "different types"
            )
        return found

    @staticmethod
    def _stype(t: Tensor) -> _StorageType:
        return _STORAGE_OF_DTYPE[str(t.dtype).rsplit(".", 1)[-1]]

    def persistent_id(self, obj: Any) -> Any:
        if isinstance(obj, _StorageRef):
            return ("storage", obj.stype, obj.key, "cpu", obj.count)
        return None

    def save_global(self, obj: Any, name: str | None = None) -> None:
        alias = _write_name(obj, name)
        if alias is None:
            super().save_global(obj, name)
            return
        module, qualname = alias
        if self.proto >= 4:
            self.save(module)
            self.save(qualname)
            self.write(pickle.STACK_GLOBAL)
        else:
            self.write(pickle.GLOBAL + f"{module}\n{qualname}\n".encode())
        self.memoize(obj)

    def save(self, obj: Any, save_persistent_id: bool = True) -> None:
        if isinstance(obj, (_Rebuild, _StorageType)):
            memo = self.memo.get(id(obj))
            if memo is not None:
                self.write(self.get(memo[0]))
            else:
                self.save_global(obj)
            return
        if isinstance(obj, _Plain):  # a nested reduce (the data of a Parameter)
            func, args = obj.reduce
            self.save_reduce(func, args, obj=obj)
            return
        super().save(obj, save_persistent_id)


class _Plain:
    """A (func, args) reduce to emit inline (a Parameter's data tensor)."""

    def __init__(self, reduce: tuple[Any, tuple[Any, ...]]) -> None:
        self.reduce = reduce


def _write_name(obj: Any, name: str | None) -> tuple[str, str] | None:
    if isinstance(obj, _Rebuild):
        return obj.module, obj.name
    if isinstance(obj, _StorageType):
        return "torch", obj.name
    if isinstance(obj, _core.dtype):
        return "torch", str(obj).rsplit(".", 1)[-1]
    if obj is Size:
        return "torch", "Size"
    if obj is device:
        return "torch", "device"
    return None


def _open_for_write(f: Any) -> tuple[IO[bytes], bool, str]:
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        root = os.path.splitext(os.path.basename(path))[0] or "archive"
        return open(path, "wb"), True, root
    if not hasattr(f, "write"):
        raise TypeError(f"[save] expected a path or a writable binary file, got {type(f).__name__}")
    return f, False, "archive"


def save(obj: Any, f: Any, pickle_module: Any = pickle, pickle_protocol: int = 2,
         _use_new_zipfile_serialization: bool = True) -> None:  # fmt: skip
    """Saves obj (tensors, state dicts, optimizer states, containers of them, and any other
    picklable objects) to a path or a binary file, in PyTorch's checkpoint format."""
    if pickle_module is not pickle:
        raise ValueError("[save] only the standard pickle module is supported")
    if not _use_new_zipfile_serialization:
        raise ValueError("[save] only the zip checkpoint format is supported")
    plan: dict[int, list[int]] = {}
    _Saver(io.BytesIO(), pickle_protocol, plan, collect=True).dump(obj)
    buf = io.BytesIO()
    saver = _Saver(buf, pickle_protocol, plan, collect=False)
    saver.dump(obj)
    handle, owned, root = _open_for_write(f)
    try:
        with zipfile.ZipFile(handle, "w", zipfile.ZIP_STORED) as z:
            z.writestr(f"{root}/data.pkl", buf.getvalue())
            z.writestr(f"{root}/.format_version", "1")
            z.writestr(f"{root}/.storage_alignment", "64")
            z.writestr(f"{root}/byteorder", sys.byteorder)
            for ref in saver.storages.values():
                isz = ref.tensor.element_size()
                data = _core._read_bytes(ref.tensor, ref.start * isz, ref.count * isz)
                z.writestr(f"{root}/data/{ref.key}", data)
            z.writestr(f"{root}/version", "3\n")
            z.writestr(f"{root}/.data/serialization_id", str(secrets.randbits(128)).zfill(40))
    finally:
        if owned:
            handle.close()


# ---- loading ----


class _Loader(pickle.Unpickler):
    def __init__(self, file: IO[bytes], archive: zipfile.ZipFile, root: str, weights_only: bool,
                 map_location: Any, what: str) -> None:  # fmt: skip
        super().__init__(file, encoding="utf-8")
        self.archive, self.root, self.weights_only = archive, root, weights_only
        self.map_location, self.what = map_location, what
        self.storages: dict[str, Tensor] = {}
        self.names = _torch_names()
        self.names.update(_safe_global_names())

    def find_class(self, module: str, name: str) -> Any:
        if module == "__builtin__":  # protocol 0-2 pickles name builtins as in Python 2
            module = "builtins"
        obj = self.names.get((module, name))
        if obj is not None:
            return obj
        if self.weights_only:
            raise pickle.UnpicklingError(
                f"[load] weights_only=True refuses to unpickle {module}.{name} from {self.what}: "
                "only tensors, containers and numbers are loaded by default. If you trust the "
                "file, pass weights_only=False, or allow the class with "
                "pyautograd.serialization.add_safe_globals([...])"
            )
        return super().find_class(module, name)

    def persistent_load(self, pid: Any) -> Any:
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage"):
            raise pickle.UnpicklingError(f"[load] unknown persistent record {pid!r}")
        _, stype, key, location, numel = pid
        if not isinstance(stype, _StorageType):
            raise pickle.UnpicklingError(f"[load] unsupported storage type {stype!r}")
        _check_location(str(location), self.map_location)
        if key not in self.storages:
            name = f"{self.root}/data/{key}"
            try:
                data = self.archive.read(name)
            except KeyError:
                raise RuntimeError(
                    f"[load] {self.what} has no record {name}: the file is incomplete"
                ) from None
            t = _core._from_bytes(data, stype.dtype())
            if t.numel() != int(numel):
                raise RuntimeError(
                    f"[load] {name} holds {t.numel()} elements, the checkpoint says {numel}: the "
                    "file is corrupted"
                )
            self.storages[key] = t
        return self.storages[key]


def _check_location(location: str, map_location: Any) -> None:
    if map_location is not None:
        target = map_location
        if isinstance(map_location, dict):
            target = map_location.get(location, location)
        elif callable(map_location):
            return  # a function maps storages: all of them live on the CPU here
        if str(target) in ("cpu", "cpu:0"):
            return
        raise RuntimeError(
            f"[load] map_location {map_location!r}: pyautograd loads tensors onto the CPU only"
        )
    if not location.startswith("cpu"):
        raise RuntimeError(
            f"[load] the checkpoint holds tensors saved on '{location}'; pyautograd runs on the "
            "CPU only: pass map_location='cpu' to load them there"
        )


def _open_for_read(f: Any) -> tuple[IO[bytes], bool, str]:
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        return open(path, "rb"), True, repr(path)
    if not hasattr(f, "read"):
        raise TypeError(f"[load] expected a path or a readable binary file, got {type(f).__name__}")
    return f, False, "the file"


def load(
    f: Any,
    map_location: Any = None,
    pickle_module: Any = None,
    *,
    weights_only: bool | None = None,
    mmap: bool | None = None,
    **pickle_load_args: Any,
) -> Any:
    """Loads an object saved by pyautograd.save or torch.save (CPU tensors). With
    ``weights_only`` (the default) only tensors, parameters, containers, numbers, strings and
    the classes allowed by add_safe_globals are unpickled; ``weights_only=False`` unpickles
    anything (only for files you trust). map_location may be None, 'cpu', a CPU device, a
    dict or a function; other devices raise."""
    if pickle_module is not None and pickle_module is not pickle:
        raise ValueError("[load] only the standard pickle module is supported")
    if mmap:
        raise NotImplementedError("[load] mmap=True is not supported: tensors are read into memory")
    if pickle_load_args:
        raise TypeError(f"[load] unexpected arguments {sorted(pickle_load_args)}")
    weights_only = True if weights_only is None else bool(weights_only)
    handle, owned, what = _open_for_read(f)
    try:
        try:
            archive = zipfile.ZipFile(handle)
        except zipfile.BadZipFile as e:
            raise RuntimeError(
                f"[load] {what} is not a checkpoint saved by pyautograd.save or torch.save (or "
                f"it is truncated): {e}"
            ) from None
        with archive:
            pkl = [n for n in archive.namelist() if n.endswith("/data.pkl") and n.count("/") == 1]
            if len(pkl) != 1:
                raise RuntimeError(
                    f"[load] {what} is a zip file but not a checkpoint (no <name>/data.pkl record)"
                )
            root = pkl[0].split("/")[0]
            order = (
                archive.read(f"{root}/byteorder").decode()
                if f"{root}/byteorder" in archive.namelist()
                else "little"
            )
            if order != sys.byteorder:
                raise RuntimeError(f"[load] {what} was saved with {order}-endian storages")
            try:
                data = archive.read(pkl[0])
                return _Loader(
                    io.BytesIO(data), archive, root, weights_only, map_location, what
                ).load()
            except zipfile.BadZipFile as e:
                raise RuntimeError(f"[load] {what} is corrupted: {e}") from None
            except (EOFError, pickle.UnpicklingError) as e:
                if "weights_only" in str(e):
                    raise
                raise RuntimeError(f"[load] {what} is corrupted: {e}") from None
    finally:
        if owned:
            handle.close()
