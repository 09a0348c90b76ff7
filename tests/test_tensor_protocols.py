"""Python protocols on tensors (format, float/int/bool/index, deepcopy, pickle), against
PyTorch when it is importable."""

import copy
import pickle

import pytest

import pyautograd as pa


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _outcome(lib, expr):
    try:
        return ("value", eval(expr, {"T": lib}))
    except Exception as e:
        return ("raises", type(e).__name__)


PROTOCOL_EXPRS = [
    "f'{T.tensor(1.23456):.4f}'",
    "'{:+.2f}'.format(T.tensor(3.0))",
    "'{:+.2f}'.format(T.tensor(-3.0, requires_grad=True))",
    "f'{T.tensor(3):.2f}'",
    "f'{T.tensor(3):5d}'",
    "f'{T.tensor(3)}'",
    "f'{T.tensor(True):>6}'",
    "f'{T.tensor(2.5, dtype=T.float64):e}'",
    "f'{T.tensor(1e-7):g}'",
    "f'{T.tensor([1.5]):.2f}'",
    "f'{T.ones(2, 2):.2f}'",
    "f'{T.ones(2)}'",
    "format(T.tensor(2), '')",
    "float(T.tensor(2.5))",
    "float(T.tensor([[2]]))",
    "float(T.ones(2))",
    "float(T.ones(0))",
    "int(T.tensor(2.7))",
    "int(T.tensor(-2.7))",
    "int(T.tensor([7]))",
    "int(T.ones(2))",
    "int(T.tensor(float('nan')))",
    "int(T.tensor(float('inf')))",
    "bool(T.tensor(0.0))",
    "bool(T.tensor([3]))",
    "bool(T.ones(2))",
    "bool(T.ones(0))",
    "[10, 20, 30][T.tensor(1)]",
    "[10, 20, 30][T.tensor([2])]",
    "[10, 20, 30][T.tensor(1.0)]",
    "[10, 20, 30][T.tensor([1, 2])]",
    "T.tensor(True).__index__()",
    "range(10)[T.tensor(3):T.tensor(6)]",
    "hex(T.tensor(255))",
]


@pytest.mark.parametrize("expr", PROTOCOL_EXPRS)
def test_protocols_match_torch(torch, expr):
    assert _outcome(pa, expr) == _outcome(torch, expr), expr


def test_format_of_0d_tensor_in_training_loop_style():
    loss = (pa.ones(3, requires_grad=True) * 0.5).sum()
    assert f"{loss:.4f}" == "1.5000"
    assert f"loss={loss:.2e}" == "loss=1.50e+00"
    assert f"{loss}" == "1.5"  # item().__format__(""), as PyTorch


def test_deepcopy_of_a_leaf_copies_data_grad_and_flags():
    x = pa.ones(2, 3, requires_grad=True)
    (x * 2).sum().backward()
    y = copy.deepcopy(x)
    assert y is not x and y.requires_grad and y.is_leaf
    assert y.data_ptr() != x.data_ptr() and y.tolist() == x.tolist()
    assert y.grad.tolist() == x.grad.tolist() and y.grad.data_ptr() != x.grad.data_ptr()
    d = copy.deepcopy({"a": x, "b": x})
    assert d["a"] is d["b"]


def test_deepcopy_of_non_leaf_raises():
    x = pa.ones(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="graph leaves"):
        copy.deepcopy(x)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool"])
def test_pickle_round_trip(dtype):
    d = getattr(pa, dtype)
    x = pa.arange(12).reshape(3, 4).to(d)
    for t in (x, x[:, 1:3], x.t(), x[1], pa.zeros(0, 3).to(d)):
        y = pickle.loads(pickle.dumps(t))
        assert y.dtype == t.dtype and y.shape == t.shape and y.tolist() == t.tolist()
        assert y.is_contiguous()


def test_pickle_keeps_requires_grad_and_refuses_non_leaves():
    w = pa.randn(3, requires_grad=True)
    v = pickle.loads(pickle.dumps(w))
    assert v.requires_grad and v.is_leaf and v.tolist() == w.tolist()
    with pytest.raises(RuntimeError, match="non-leaf"):
        pickle.dumps(w * 2)
    pickle.dumps((w * 2).detach())


def test_dtypes_and_sizes_pickle():
    for d in (pa.float32, pa.float64, pa.int64, pa.bool):
        assert pickle.loads(pickle.dumps(d)) == d
        assert copy.deepcopy(d) == d
    s = pa.ones(2, 3).shape
    assert pickle.loads(pickle.dumps(s)) == s and type(pickle.loads(pickle.dumps(s))) is type(s)
