"""Legacy constructors and types (Tensor(2, 3), FloatTensor, x.type()), the default dtype and
device, torch.cuda: each against PyTorch when it is importable."""

import numpy as np
import pytest

import pyautograd as pa


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def _restore_default_dtype():
    yield
    pa.set_default_dtype(pa.float32)


def _dt(t):
    return str(t.dtype).rsplit(".", 1)[-1]


def _outcome(lib, expr):
    """(kind, value): a tensor's (dtype, shape, values if initialized), or the exception type."""
    try:
        r = eval(expr, {"T": lib, "np": np})
    except Exception as e:
        return ("raises", type(e).__name__)
    if isinstance(r, (lib.Tensor,)):
        return ("tensor", _dt(r), tuple(r.shape))
    return ("value", r)


# Expressions whose result (tensor dtype and shape, value, or exception type) must be PyTorch's.
LEGACY = [
    "T.Tensor(2, 3)",
    "T.Tensor(0)",
    "T.Tensor()",
    "T.Tensor(T.Size([2, 4]))",
    "T.Tensor(size=(2, 1))",
    "T.Tensor([1, 2])",
    "T.Tensor((1, 2))",
    "T.Tensor([[1.5], [2]])",
    "T.Tensor(np.ones(3, dtype=np.float64))",
    "T.Tensor(np.int64(3))",
    "T.Tensor(2.5)",
    "T.Tensor(True)",
    "T.Tensor('ab')",
    "T.Tensor(-1)",
    "T.Tensor(2, 'a')",
    "T.Tensor([1, 2], dtype=T.float64)",
    "T.Tensor([1, 2], requires_grad=True)",
    "T.Tensor([1, 2], device='cpu')",
    "T.Tensor(T.ones(2, dtype=T.float64))",
    "T.FloatTensor(3)",
    "T.FloatTensor([1, 2])",
    "T.FloatTensor(T.ones(2, dtype=T.float64))",
    "T.DoubleTensor(2, 2)",
    "T.DoubleTensor([1, 2])",
    "T.LongTensor([1.7, -2.2])",
    "T.LongTensor(4)",
    "T.LongTensor(T.ones(2))",
    "T.BoolTensor([1, 0, 2])",
    "T.BoolTensor(2)",
    "T.FloatTensor()",
    "T.ones(2).type()",
    "T.ones(2, dtype=T.float64).type()",
    "T.ones(2, dtype=T.int64).type()",
    "T.ones(2, dtype=T.bool).type()",
    "T.ones(2).type(T.DoubleTensor)",
    "T.ones(2).type(T.LongTensor)",
    "T.ones(2).type('torch.DoubleTensor')",
    "T.ones(2).type(T.float64)",
    "T.ones(2).type('torch.NoSuchTensor')",
    "T.ones(2).type(3)",
    "T.ones(2).float()",
    "T.ones(2).double()",
    "T.ones(2).long()",
    "T.ones(2).bool()",
    "isinstance(T.ones(2), T.FloatTensor)",
    "isinstance(T.ones(2), T.DoubleTensor)",
    "isinstance(T.ones(2, dtype=T.int64), T.LongTensor)",
    "isinstance(T.ones(2, dtype=T.bool), T.BoolTensor)",
    "isinstance(T.ones(2, dtype=T.float64), T.DoubleTensor)",
    "isinstance(T.ones(2), T.Tensor)",
    "isinstance(3, T.FloatTensor)",
    "issubclass(T.FloatTensor, T.Tensor)",
    "T.cuda.is_available()",
    "T.cuda.device_count()",
    "T.cuda.manual_seed(0)",
    "T.cuda.manual_seed_all(0)",
    "T.get_default_dtype()",
]


@pytest.mark.parametrize("expr", LEGACY)
def test_legacy_matches_torch(torch, expr):
    want = _outcome(torch, expr)
    got = _outcome(pa, expr)
    if want[0] == "value" and not isinstance(want[1], (bool, int, str, type(None))):
        want, got = (want[0], str(want[1])), (got[0], str(got[1]))
    assert got == want, expr


def test_legacy_data_values():
    assert pa.Tensor([1, 2]).tolist() == [1.0, 2.0]
    assert pa.LongTensor([1.7, -2.2]).tolist() == [1, -2]
    assert pa.BoolTensor([1, 0, 2]).tolist() == [True, False, True]
    assert pa.DoubleTensor([[1, 2]]).dtype == pa.float64
    assert pa.Tensor(np.arange(3)).tolist() == [0.0, 1.0, 2.0]


def test_legacy_constructor_of_a_tensor_is_an_alias():
    x = pa.ones(3)
    y = pa.Tensor(x)
    assert y is not x and y.data_ptr() == x.data_ptr()
    y[0] = 5
    assert x[0].item() == 5
    z = pa.FloatTensor(x)
    assert z.data_ptr() == x.data_ptr()
    w = pa.ones(2, requires_grad=True)
    a = pa.Tensor(w)
    assert a.requires_grad and a.grad_fn is not None and a.grad_fn.name() == "AliasBackward0"
    (a * 3).sum().backward()
    assert w.grad.tolist() == [3.0, 3.0]


def test_cuda_is_refused_clearly():
    x = pa.ones(2)
    for f in (lambda: x.cuda(), lambda: x.to("cuda"), lambda: x.to(device="cuda:0")):
        with pytest.raises(RuntimeError, match="CPU only"):
            f()
    with pytest.raises(RuntimeError, match="CPU only"):
        pa.zeros(2, device="cuda")
    with pytest.raises(RuntimeError, match="CPU only"):
        x.type("torch.cuda.FloatTensor")
    with pytest.raises(RuntimeError, match="CPU only"):
        pa.Tensor([1.0], device="cuda")
    dev = pa.device("cuda" if pa.cuda.is_available() else "cpu")
    assert x.to(dev) is x


def test_type_returns_self_when_unchanged():
    x = pa.ones(2)
    assert x.type(pa.FloatTensor) is x
    assert x.type("torch.FloatTensor") is x
    assert x.type(pa.float32) is x
    dtype = pa.FloatTensor
    y = pa.ones(2, dtype=pa.float64).type(dtype)
    assert y.dtype == pa.float32 and y.type() == "torch.FloatTensor"


def test_type_conversion_is_differentiable():
    w = pa.ones(2, dtype=pa.float64, requires_grad=True)
    (w.type(pa.FloatTensor) * 2).sum().backward()
    assert w.grad.dtype == pa.float64 and w.grad.tolist() == [2.0, 2.0]


def test_variable_era_program_selecting_dtype():
    from pyautograd.autograd import Variable

    dtype = pa.FloatTensor
    x = Variable(pa.randn(4, 3).type(dtype), requires_grad=False)
    w = Variable(pa.randn(3, 2).type(dtype), requires_grad=True)
    loss = (x.mm(w) ** 2).sum()
    loss.backward()
    assert w.grad.type() == "torch.FloatTensor"
    assert isinstance(w.grad, pa.FloatTensor)


DEFAULT_DTYPE_EXPRS = [
    "T.tensor([1.5])",
    "T.tensor(1.5)",
    "T.tensor([1, 2])",
    "T.zeros(2)",
    "T.ones(2)",
    "T.empty(2)",
    "T.randn(2)",
    "T.rand(2)",
    "T.arange(0.0, 1.0)",
    "T.arange(3)",
    "T.linspace(0, 1, 3)",
    "T.full((2,), 1.5)",
    "T.full((2,), 2)",
    "T.arange(3) * 2.5",
    "T.arange(3) / 2",
    "T.arange(3).exp()",
    "T.ones(2, dtype=T.float32) * 2.5",
    "T.Tensor(2)",
    "T.FloatTensor(2)",
    "T.tensor(np.ones(2, dtype=np.float32))",
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("expr", DEFAULT_DTYPE_EXPRS)
def test_default_dtype_matches_torch(torch, dtype, expr):
    results = []
    for lib in (torch, pa):
        prev = lib.get_default_dtype()
        lib.set_default_dtype(getattr(lib, dtype))
        try:
            results.append(_outcome(lib, expr))
        finally:
            lib.set_default_dtype(prev)
    assert results[1] == results[0], expr


def test_set_default_dtype_rejects_non_floats():
    with pytest.raises(TypeError, match="floating-point"):
        pa.set_default_dtype(pa.int64)
    with pytest.raises(TypeError):
        pa.set_default_dtype("float64")
    assert pa.get_default_dtype() == pa.float32


def test_set_default_tensor_type():
    pa.set_default_tensor_type(pa.DoubleTensor)
    assert pa.zeros(1).dtype == pa.float64
    pa.set_default_tensor_type("torch.FloatTensor")
    assert pa.zeros(1).dtype == pa.float32
    with pytest.raises(TypeError, match="floating-point"):
        pa.set_default_tensor_type(pa.LongTensor)
    with pytest.raises(RuntimeError, match="CPU only"):
        pa.set_default_tensor_type("torch.cuda.FloatTensor")


def test_default_device():
    pa.set_default_device("cpu")
    pa.set_default_device(pa.device("cpu"))
    pa.set_default_device(None)
    assert pa.get_default_device() == pa.device("cpu")
    for bad in ("cuda", "cuda:0", pa.device("cuda"), "mps"):
        with pytest.raises(RuntimeError, match="CPU only"):
            pa.set_default_device(bad)
    with pytest.raises(TypeError):
        pa.set_default_device(3)


def test_cuda_module():
    assert pa.cuda.is_available() is False
    assert pa.cuda.device_count() == 0
    assert pa.cuda.is_initialized() is False
    pa.cuda.empty_cache()
    with pytest.raises(RuntimeError, match="CPU only"):
        pa.cuda.current_device()
    with pytest.raises(RuntimeError, match="CPU only"):
        pa.cuda.synchronize()


def test_legacy_type_repr_and_docs():
    assert repr(pa.FloatTensor) == "<class 'torch.FloatTensor'>"
    for name in ("FloatTensor", "DoubleTensor", "LongTensor", "BoolTensor"):
        assert getattr(pa, name).__doc__
    if hasattr(pa, "uint8"):
        assert pa.ByteTensor([1, 2]).dtype == pa.uint8
        assert pa.ones(2, dtype=pa.uint8).type() == "torch.ByteTensor"
