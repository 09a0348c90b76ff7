"""DLPack both ways with NumPy, PyTorch and JAX (each when importable): values, strides and
offsets of views, zero-copy writes in both directions, lifetime (the producer's memory outlives
its Python objects while the consumer holds it; capsules import once), and clear refusals.
NumPy's own round trips (numpy(), from_numpy, the buffer protocol) are tested here too.
Run under ASan with tools/asan_pytest.sh."""

from __future__ import annotations

import ctypes
import gc
import weakref
from typing import Any

import numpy as np
import pytest

import pyautograd as pa
from pyautograd.utils import dlpack as pa_dlpack

_GET_NAME = ctypes.pythonapi.PyCapsule_GetName
_GET_NAME.restype = ctypes.c_char_p
_GET_NAME.argtypes = [ctypes.py_object]


def capsule_name(capsule: Any) -> str:
    return str(_GET_NAME(capsule).decode())


def views() -> list[tuple[str, Any]]:
    """(name, function of a fresh (4, 6) float32 arange tensor) for various strided views."""
    return [
        ("contiguous", lambda t: t),
        ("transposed", lambda t: t.t()),
        ("offset rows", lambda t: t[1:3]),
        ("offset columns", lambda t: t[:, 2:5]),
        ("transposed window", lambda t: t.t()[1:4, 1:3]),
        ("broadcast", lambda t: t[0:1].expand(3, 6)),
        ("scalar", lambda t: t[2, 3]),
        ("empty", lambda t: t[:, 0:0]),
    ]


def arange_tensor() -> pa.Tensor:
    return pa.arange(24.0).reshape(4, 6)


def byte_strides(t: pa.Tensor) -> tuple[int, ...]:
    return tuple(s * t.element_size() for s in t.stride())


# ---- protocol surface ----


def test_dlpack_device_is_the_cpu() -> None:
    assert pa.ones(2).__dlpack_device__() == (1, 0)


def test_capsule_kinds_follow_max_version() -> None:
    t = arange_tensor()
    assert capsule_name(t.__dlpack__()) == "dltensor"
    assert capsule_name(t.__dlpack__(max_version=(0, 8))) == "dltensor"
    assert capsule_name(t.__dlpack__(max_version=(1, 0))) == "dltensor_versioned"
    assert capsule_name(t.__dlpack__(max_version=(2, 3))) == "dltensor_versioned"
    assert capsule_name(pa_dlpack.to_dlpack(t)) == "dltensor"


@pytest.mark.parametrize("max_version", [None, (1, 0)])
def test_a_capsule_imports_once(max_version: Any) -> None:
    t = arange_tensor()
    capsule = t.__dlpack__(max_version=max_version)
    back = pa.from_dlpack(capsule)
    assert capsule_name(capsule).startswith("used_")
    with pytest.raises(ValueError, match="already consumed"):
        pa.from_dlpack(capsule)
    back[0, 0] = -1.0
    assert t[0, 0].item() == -1.0


def test_export_arguments() -> None:
    t = arange_tensor()
    assert capsule_name(t.__dlpack__(stream=None, dl_device=(1, 0), copy=False)) == "dltensor"
    with pytest.raises(ValueError, match="stream must be None"):
        t.__dlpack__(stream=1)
    with pytest.raises(BufferError, match=r"cannot be exported to device \(2, 0\)"):
        t.__dlpack__(dl_device=(2, 0))
    with pytest.raises(TypeError, match="max_version"):
        t.__dlpack__(max_version=1)
    with pytest.raises(TypeError, match="copy must be"):
        t.__dlpack__(copy="yes")


def test_export_copy_is_independent() -> None:
    t = arange_tensor()
    for max_version in (None, (1, 0)):
        c = pa.from_dlpack(t.t().__dlpack__(max_version=max_version, copy=True))
        assert c.is_contiguous()
        c[0, 0] = 99.0
        assert t[0, 0].item() == 0.0
        assert c.tolist()[1] == t.t().tolist()[1]


def test_requires_grad_is_refused_as_pytorch_does() -> None:
    w = pa.ones(3, requires_grad=True)
    with pytest.raises(BufferError, match=r"requires grad.*detach"):
        w.__dlpack__()
    assert pa.from_dlpack(w.detach()).tolist() == [1.0, 1.0, 1.0]


def test_from_dlpack_of_a_pyautograd_tensor_shares_storage_and_version() -> None:
    t = arange_tensor()
    v = t.t()[1:4, 1:3]
    back = pa.from_dlpack(v)
    assert back.stride() == v.stride()
    assert back.tolist() == v.tolist()
    assert back.data_ptr() == v.data_ptr()
    # One storage, one version counter: an in-place change through the import is seen by
    # autograd's check on a tensor saved for backward.
    w = pa.ones(3, requires_grad=True)
    x = pa.arange(3.0)
    y = (w * x).sum()
    pa.from_dlpack(x).add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_import_refusals() -> None:
    with pytest.raises(TypeError, match="__dlpack__"):
        pa.from_dlpack([1.0, 2.0])
    with pytest.raises(BufferError, match="CPU"):
        pa.from_dlpack(pa.ones(2), device="cuda")

    class OnGpu:
        def __dlpack__(self, **kwargs: Any) -> Any:
            raise AssertionError("not called for another device")

        def __dlpack_device__(self) -> tuple[int, int]:
            return (2, 0)

    with pytest.raises(BufferError, match="move it to the CPU"):
        pa.from_dlpack(OnGpu())


def test_legacy_producer_without_max_version() -> None:
    t = arange_tensor()

    class Legacy:  # a producer that predates DLPack 1.0: no keyword arguments
        def __dlpack__(self, stream: Any = None) -> Any:
            return t.__dlpack__()

        def __dlpack_device__(self) -> tuple[int, int]:
            return (1, 0)

    assert pa.from_dlpack(Legacy()).tolist() == t.tolist()


# ---- NumPy ----


@pytest.mark.parametrize(("name", "make"), views(), ids=[n for n, _ in views()])
def test_numpy_consumes_views_without_copy(name: str, make: Any) -> None:
    t = arange_tensor()
    v = make(t)
    a = np.from_dlpack(v)
    assert a.shape == tuple(v.shape)
    assert a.dtype == np.float32
    np.testing.assert_array_equal(a, np.asarray(v.tolist(), dtype=np.float32).reshape(a.shape))
    if v.numel() > 0:
        assert a.strides == byte_strides(v) or v.dim() == 0
        assert a.__array_interface__["data"][0] == v.data_ptr()


@pytest.mark.parametrize(
    "dtype", [np.float32, np.float64, np.int64, np.bool_], ids=["f32", "f64", "i64", "bool"]
)
def test_numpy_round_trip_dtypes(dtype: Any) -> None:
    a = (np.arange(12) % 3).astype(dtype).reshape(3, 4)
    t = pa.from_dlpack(a)
    assert t.tolist() == a.tolist()
    assert t.data_ptr() == a.ctypes.data
    back = np.from_dlpack(t)
    assert back.dtype == a.dtype
    assert np.shares_memory(back, a)


def test_numpy_producer_views_and_writes() -> None:
    base = np.arange(30, dtype=np.float64).reshape(5, 6)
    for a in (
        base,
        base.T,
        base[1:4, 2:5],
        base[::2, ::3],
        base[2],
        np.broadcast_to(base[0], (3, 6)),
    ):
        if not a.flags.writeable:  # broadcast_to is read-only
            with pytest.raises(BufferError, match="read-only"):
                pa.from_dlpack(a)
            c = pa.from_dlpack(a, copy=True)
            assert c.tolist() == a.tolist()
            continue
        t = pa.from_dlpack(a)
        assert t.tolist() == a.tolist()
        assert byte_strides(t) == a.strides
        assert t.data_ptr() == a.__array_interface__["data"][0]
    t = pa.from_dlpack(base.T)
    t[0, 1] = -5.0
    assert base[1, 0] == -5.0


def test_numpy_refusals() -> None:
    for dtype in (np.uint16, np.float16, np.uint32, np.complex64):  # int32, uint8: supported
        with pytest.raises(BufferError, match="unsupported dtype"):
            pa.from_dlpack(np.zeros(3, dtype=dtype))
    with pytest.raises(BufferError, match="negative strides"):
        pa.from_dlpack(np.arange(4.0)[::-1])
    read_only = np.arange(3.0)
    read_only.flags.writeable = False
    with pytest.raises(BufferError, match="read-only"):
        pa.from_dlpack(read_only)
    copied = pa.from_dlpack(read_only, copy=True)
    copied[0] = 7.0
    assert read_only[0] == 0.0


def test_numpy_memory_outlives_its_array() -> None:
    a = np.arange(1000, dtype=np.float32)
    t = pa.from_dlpack(a)
    del a
    gc.collect()
    assert t[999].item() == 999.0  # ASan reports a use after free if the array was released
    n = np.from_dlpack(pa.arange(5.0)[1:])
    gc.collect()
    assert n.tolist() == [1.0, 2.0, 3.0, 4.0]


def test_dropping_the_consumer_releases_the_producer() -> None:
    class Producer:
        def __init__(self, t: pa.Tensor) -> None:
            self.t = t

        def __dlpack__(self, **kwargs: Any) -> Any:
            return self.t.__dlpack__(**kwargs)

        def __dlpack_device__(self) -> tuple[int, int]:
            return (1, 0)

    a = np.arange(6.0)
    producer_of_a = pa.from_numpy(a)  # holds a reference to `a`
    ref = weakref.ref(producer_of_a)
    t = pa.from_dlpack(Producer(producer_of_a))
    del producer_of_a
    gc.collect()
    assert ref() is None  # the Python object went; the memory is held by `t`'s storage
    assert t.tolist() == a.tolist()
    t[0] = 42.0
    assert a[0] == 42.0


# ---- PyTorch ----


@pytest.mark.parametrize(("name", "make"), views(), ids=[n for n, _ in views()])
def test_torch_consumes_views_without_copy(name: str, make: Any) -> None:
    torch = pytest.importorskip("torch")
    t = arange_tensor()
    v = make(t)
    x = torch.from_dlpack(v)
    assert tuple(x.shape) == tuple(v.shape)
    assert x.tolist() == v.tolist()
    if v.numel() > 0:
        assert x.stride() == v.stride() or v.dim() == 0
        assert x.data_ptr() == v.data_ptr()


def test_torch_both_ways_dtypes_and_writes() -> None:
    torch = pytest.importorskip("torch")
    for dtype in (torch.float32, torch.float64, torch.int64, torch.bool):
        x = (torch.arange(12) % 3).to(dtype).reshape(3, 4)
        t = pa.from_dlpack(x)
        assert t.tolist() == x.tolist()
        assert t.data_ptr() == x.data_ptr()
        back = torch.from_dlpack(t)
        assert back.dtype == dtype
        assert back.data_ptr() == x.data_ptr()
    x = torch.arange(20.0).reshape(4, 5)
    for view in (x.t(), x[1:3, 2:], x[:, 1], x[0:1].expand(3, 5)):
        t = pa.from_dlpack(view)
        assert t.stride() == view.stride()
        assert t.tolist() == view.tolist()
    t = pa.from_dlpack(x.t())
    t[1, 2] = -1.0
    assert x[2, 1].item() == -1.0
    y = torch.from_dlpack(arange_tensor())
    y.mul_(2)
    assert y[3, 5].item() == 46.0


def test_torch_capsules_via_utils() -> None:
    torch = pytest.importorskip("torch")
    t = arange_tensor()
    x = torch.utils.dlpack.from_dlpack(pa_dlpack.to_dlpack(t))
    assert x.data_ptr() == t.data_ptr()
    back = pa_dlpack.from_dlpack(torch.utils.dlpack.to_dlpack(x))
    assert back.data_ptr() == t.data_ptr()


def test_torch_memory_outlives_the_torch_tensor() -> None:
    torch = pytest.importorskip("torch")
    x = torch.arange(10_000, dtype=torch.float64)
    t = pa.from_dlpack(x[5000:])
    del x
    gc.collect()
    assert t[4999].item() == 9999.0
    y = torch.from_dlpack(pa.arange(100.0)[50:])
    gc.collect()
    assert y[-1].item() == 99.0


def test_torch_unsupported_dtypes() -> None:
    torch = pytest.importorskip("torch")
    for dtype in (torch.uint16, torch.float16, torch.bfloat16, torch.uint32, torch.complex64):
        with pytest.raises(BufferError, match="unsupported dtype"):
            pa.from_dlpack(torch.zeros(3, dtype=dtype))


def test_torch_requires_grad_refused_both_ways() -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(BufferError):
        pa.from_dlpack(torch.ones(2, requires_grad=True))
    with pytest.raises(BufferError, match="requires grad"):
        torch.from_dlpack(pa.ones(2, requires_grad=True))


# ---- JAX ----


def test_jax_both_ways() -> None:
    jax = pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")
    x = jnp.arange(12, dtype=jnp.float32).reshape(3, 4)
    t = pa.from_dlpack(x)
    assert t.tolist() == np.asarray(x).tolist()
    assert t.data_ptr() == x.unsafe_buffer_pointer()  # zero-copy
    base = arange_tensor()
    for v in (base, base.t()):  # aligned buffers: JAX shares them
        y = jax.dlpack.from_dlpack(v)
        assert np.asarray(y).tolist() == v.tolist()
        assert y.unsafe_buffer_pointer() == v.data_ptr()
    for v in (base[1:3], pa.arange(5, dtype=pa.bool)):  # JAX may copy (alignment, dtype)
        assert np.asarray(jax.dlpack.from_dlpack(v)).tolist() == v.tolist()


def test_jax_unsupported_dtype() -> None:
    pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")
    with pytest.raises(BufferError, match="unsupported dtype"):
        pa.from_dlpack(jnp.zeros(3, dtype=jnp.bfloat16))


# ---- numpy(), from_numpy and the buffer protocol keep their guarantees ----


def test_numpy_interop_round_trips_share_memory() -> None:
    t = arange_tensor()
    v = t.t()[1:4]
    a = v.numpy()
    assert a.strides == byte_strides(v)
    assert np.shares_memory(a, t.numpy())
    back = pa.from_numpy(a)
    assert back.stride() == v.stride()
    assert back.data_ptr() == v.data_ptr()
    m = memoryview(v)
    assert m.strides == byte_strides(v)
    assert m.shape == tuple(v.shape)
    np.asarray(m)[0, 0] = 123.0
    assert t[0, 1].item() == 123.0
    del t, v
    gc.collect()
    assert back.tolist() == a.tolist()  # the array and back keep the storage alive


def test_from_numpy_keeps_the_array_alive() -> None:
    a = np.arange(1000.0)
    t = pa.from_numpy(a[10:])
    del a
    gc.collect()
    assert t[-1].item() == 999.0
    a2 = pa.arange(10.0).numpy()
    gc.collect()
    assert a2[-1] == 9.0
