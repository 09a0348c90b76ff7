"""ChainDataset and StackDataset as PyTorch's: the same samples and batches."""

from __future__ import annotations

import pytest

import pyautograd as pa

torch = pytest.importorskip("torch")


def plain(b):
    if isinstance(b, dict):
        return {k: plain(v) for k, v in b.items()}
    if isinstance(b, list | tuple):
        return [plain(v) for v in b]
    return b.tolist()


def batches(lib, make):
    return [plain(b) for b in lib.utils.data.DataLoader(make(lib), batch_size=3)]


def test_stack_dataset_tuple_and_dict():
    def tup(lib):
        xs = lib.utils.data.TensorDataset(lib.arange(7.0))
        return lib.utils.data.StackDataset(xs, lib.arange(7) * 2)

    def dic(lib):
        return lib.utils.data.StackDataset(a=lib.arange(5.0), b=list(range(5)))

    assert batches(pa, tup) == batches(torch, tup)
    assert batches(pa, dic) == batches(torch, dic)
    for lib in (pa, torch):
        with pytest.raises(ValueError, match="Size mismatch"):
            lib.utils.data.StackDataset(lib.arange(3), lib.arange(4))


def test_chain_dataset():
    def make(lib):
        class Count(lib.utils.data.IterableDataset):
            def __init__(self, n):
                self.n = n

            def __iter__(self):
                return iter(lib.arange(self.n))

            def __len__(self):
                return self.n

        return lib.utils.data.ChainDataset([Count(2), Count(4)])

    assert [int(v) for v in make(pa)] == [int(v) for v in make(torch)]
    assert len(make(pa)) == len(make(torch)) == 6
