"""Build and load the native baseline (``benchmarks/native``) through ctypes."""

from __future__ import annotations

import ctypes
import shutil
import subprocess
import weakref
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .config import KINDS
from .data import InitArrays

LIBRARY_NAME = "libbench_native.so"
_FLOAT_P = ctypes.POINTER(ctypes.c_float)


def step_function(kind: str, unfused: bool) -> str:
    """The library's entry point for one step kind, fused or with the Python program's passes."""
    return f"native_{kind}_step{'_unfused' if unfused else ''}"


class NativeUnavailableError(Exception):
    """The native baseline could not be built or loaded; the message says why."""


def openblas_cmake_dir() -> Path:
    """Directory holding OpenBLASConfig.cmake inside the ``scipy-openblas32`` wheel."""
    try:
        import scipy_openblas32
    except ImportError as exc:
        raise NativeUnavailableError("scipy_openblas32 not importable") from exc
    return Path(scipy_openblas32.get_lib_dir()) / "cmake" / "openblas"


def build(source_dir: Path, build_dir: Path) -> Path:
    """Configure and build the baseline with CMake (incremental); returns the library path."""
    configure = [
        "cmake",
        "-S",
        str(source_dir),
        "-B",
        str(build_dir),
        "-DCMAKE_BUILD_TYPE=Release",
        f"-DOpenBLAS_DIR={openblas_cmake_dir()}",
    ]
    if shutil.which("ninja") and not (build_dir / "CMakeCache.txt").exists():
        configure += ["-G", "Ninja"]
    for command in (configure, ["cmake", "--build", str(build_dir)]):
        try:
            proc = subprocess.run(command, capture_output=True, text=True, check=False)
        except OSError as exc:
            raise NativeUnavailableError(f"cannot run {command[0]}: {exc}") from exc
        if proc.returncode != 0:
            tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-15:])
            raise NativeUnavailableError(f"`{' '.join(command)}` failed:\n{tail}")
    return build_dir / LIBRARY_NAME


class NativeLib:
    """The shared library's ``extern "C"`` interface."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._lib = ctypes.CDLL(str(path))
        except OSError as exc:
            raise NativeUnavailableError(f"cannot load {path}: {exc}") from exc
        lib = self._lib
        lib.native_create.restype = ctypes.c_void_p
        lib.native_create.argtypes = [ctypes.c_int] * 4 + [_FLOAT_P] * 6
        lib.native_destroy.restype = None
        lib.native_destroy.argtypes = [ctypes.c_void_p]
        for name in (step_function(k, unfused) for k in KINDS for unfused in (False, True)):
            getattr(lib, name).restype = ctypes.c_double
            getattr(lib, name).argtypes = [ctypes.c_void_p, ctypes.c_float]
        lib.native_set_threads.restype = None
        lib.native_set_threads.argtypes = [ctypes.c_int]
        lib.native_get_threads.restype = ctypes.c_int
        lib.native_get_threads.argtypes = []

    def set_threads(self, n: int) -> None:
        self._lib.native_set_threads(n)

    def get_threads(self) -> int:
        return int(self._lib.native_get_threads())

    def create(self, init: InitArrays) -> NativeNet:
        return NativeNet(self._lib, init)


class NativeNet:
    """One network's state (buffers allocated once, inside the library)."""

    def __init__(self, lib: ctypes.CDLL, init: InitArrays) -> None:
        arrays = [
            np.ascontiguousarray(a, dtype=np.float32)
            for a in (init.x, init.y, *init.params().values())
        ]
        pointers = [a.ctypes.data_as(_FLOAT_P) for a in arrays]
        s = init.sizes
        handle = lib.native_create(s.m, s.din, s.hidden, s.dout, *pointers)
        if not handle:
            raise MemoryError("native_create failed to allocate")
        self._lib = lib
        self._handle = ctypes.c_void_p(handle)
        weakref.finalize(self, lib.native_destroy, self._handle)

    def stepper(self, kind: str, unfused: bool) -> Callable[[float], float]:
        """``step(lr) -> loss`` for one step kind; use one kind and variant per network.

        The closure holds ``self``: the network lives (is not destroyed) as long as it does.
        """
        fn = getattr(self._lib, step_function(kind, unfused))
        return lambda lr: float(fn(self._handle, lr))
