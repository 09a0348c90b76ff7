"""What a program prints, against PyTorch's: the reprs of dtypes, sizes, devices, tensors of
each dtype and shape, modules, optimizers, the named tuples of max/sort/topk and iinfo must be
PyTorch's text (a program run with `import pyautograd as torch` prints `torch.float32`)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import pyautograd as pa

torch = pytest.importorskip("torch")

EXPRS = [
    "x.dtype",
    "x.shape",
    "x.size()",
    "x.shape[1:]",
    "x.shape[::-1]",
    "x.shape + (5,)",
    "(5,) + x.shape",
    "x.shape * 2",
    "x.shape[0]",
    "str(torch.float32)",
    "torch.int64",
    "torch.bool",
    "x.type()",
    "x.long().type()",
    "x.device",
    "str(x.device)",
    "torch.FloatTensor",
    "torch.tensor([1, 2], dtype=torch.int32)",
    "torch.tensor([1, 2])",
    "torch.tensor([True, False])",
    "torch.tensor([1.5, 2], dtype=torch.float64)",
    "torch.tensor(3.0)",
    "torch.tensor(3)",
    "torch.empty(0)",
    "torch.empty(0, 3)",
    "torch.zeros(0, dtype=torch.int64)",
    "torch.tensor([1e-5, 1e5])",
    "torch.tensor([float('nan'), float('inf'), -1.0])",
    "torch.arange(12).reshape(3, 4)",
    "torch.arange(2000.0)",
    "torch.tensor([1, 2], dtype=torch.uint8)",
    "torch.ones(2, requires_grad=True)",
    "torch.ones(2, requires_grad=True) * 2",
    "x.max(1)",
    "x.min(dim=0)",
    "x.sort(1)",
    "x.topk(2)",
    "torch.iinfo(torch.int32)",
    "torch.iinfo(torch.int8)",
    "torch.iinfo(torch.int64)",
    "torch.finfo(torch.float32)",
    "nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Dropout(0.1), nn.BatchNorm1d(3))",
    "nn.Conv2d(1, 2, 3, stride=2, padding=1)",
    "nn.LSTM(3, 4, num_layers=2, batch_first=True)",
    "nn.Embedding(10, 3, padding_idx=0)",
    "nn.CrossEntropyLoss()",
    "torch.optim.SGD(nn.Linear(2, 2).parameters(), lr=0.1, momentum=0.9)",
    "torch.optim.Adam(nn.Linear(2, 2).parameters())",
    "nn.Parameter(torch.ones(2))",
]


def _printed(lib: Any, expr: str) -> str:
    lib.manual_seed(0)
    x = lib.tensor(np.arange(6, dtype=np.float32).reshape(2, 3) * 0.75 - 1)
    return repr(eval(expr, {"torch": lib, "nn": lib.nn, "x": x}))  # the expressions of EXPRS


@pytest.mark.parametrize("expr", EXPRS)
def test_prints_what_pytorch_prints(expr: str) -> None:
    assert _printed(pa, expr) == _printed(torch, expr)


def test_max_and_min_results_are_named_tuples() -> None:
    x = pa.tensor([[1.0, 3.0], [4.0, 2.0]])
    values, indices = x.max(1)
    r = x.min(1)
    assert isinstance(r, pa.MinMax) and r.indices.tolist() == [0, 1] and values.tolist() == [3, 4]
    assert type(x.max(0)).__name__ == "max" and type(r).__name__ == "min"
    assert indices.tolist() == [1, 0]
