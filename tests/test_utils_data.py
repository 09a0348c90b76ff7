"""pyautograd.utils.data against torch.utils.data: the same batches (structure, dtypes, values)
for sequential loading, reproducible shuffling with a seeded generator, samplers, collation,
random_split and the errors."""

import collections

import numpy as np
import pytest
from nn_helpers import np_of

import pyautograd as pa
from pyautograd.utils.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    Sampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    default_collate,
    random_split,
)


def _torch():
    return pytest.importorskip("torch")


def _structure(x):
    """A comparable description of a batch: nested containers, tensors as (dtype, values)."""
    if hasattr(x, "dtype") and hasattr(x, "shape") and not isinstance(x, np.ndarray):
        return ("T", str(x.dtype).split(".")[-1], x.detach().tolist())
    if isinstance(x, dict):
        return {k: _structure(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, [_structure(v) for v in x])
    return x


def _tensor_dataset(lib, n=10):
    x = lib.arange(n * 3).reshape(n, 3).float()
    y = lib.arange(n)
    return lib.utils.data.TensorDataset(x, y)


@pytest.mark.parametrize("batch_size", [1, 3, 4, 10, 11, None])
@pytest.mark.parametrize("drop_last", [False, True])
def test_sequential_batches_match_torch(batch_size, drop_last):
    torch = _torch()
    if batch_size is None and drop_last:
        pytest.skip("mutually exclusive")
    got = [_structure(b) for b in DataLoader(_tensor_dataset(pa), batch_size, drop_last=drop_last)]
    loader = torch.utils.data.DataLoader(_tensor_dataset(torch), batch_size, drop_last=drop_last)
    want = [_structure(b) for b in loader]
    assert got == want
    assert len(DataLoader(_tensor_dataset(pa), batch_size, drop_last=drop_last)) == len(loader)


class Samples(Dataset):
    def __init__(self, kind):
        self.kind = kind

    def __len__(self):
        return 5

    def __getitem__(self, i):
        if self.kind == "dict":
            return {"x": np.full((2,), i, np.float32), "label": i, "name": f"s{i}"}
        if self.kind == "tuple":
            return (float(i) / 2, i % 2 == 0, np.int64(i))
        if self.kind == "list":
            return [i, [i, i + 1]]
        if self.kind == "namedtuple":
            return collections.namedtuple("P", "a b")(i, float(i))
        raise AssertionError


@pytest.mark.parametrize("kind", ["dict", "tuple", "list", "namedtuple"])
def test_default_collate_structures_match_torch(kind):
    torch = _torch()

    class TorchSamples(Samples, torch.utils.data.Dataset):
        pass

    got = [_structure(b) for b in DataLoader(Samples(kind), batch_size=2)]
    want = [_structure(b) for b in torch.utils.data.DataLoader(TorchSamples(kind), batch_size=2)]
    assert got == want


def test_default_collate_errors():
    with pytest.raises(TypeError, match="default_collate: batch must contain"):
        default_collate([None, None])
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([[1, 2], [1]])
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([pa.ones(2), pa.ones(3)])


def test_shuffle_is_a_permutation_reproducible_with_a_generator():
    ds = _tensor_dataset(pa, 50)

    def epoch_orders(seed, epochs=3):
        g = pa.Generator().manual_seed(seed)
        loader = DataLoader(ds, batch_size=7, shuffle=True, generator=g)
        return [np.concatenate([np_of(b[1]) for b in loader]).tolist() for _ in range(epochs)]

    a, b, c = epoch_orders(1), epoch_orders(1), epoch_orders(2)
    assert a == b and a != c
    assert a[0] != a[1]  # a new permutation every epoch
    for order in a:
        assert sorted(order) == list(range(50))
    # batches keep the samples' pairing
    g = pa.Generator().manual_seed(3)
    for x, y in DataLoader(ds, batch_size=8, shuffle=True, generator=g):
        np.testing.assert_array_equal(np_of(x)[:, 0], np_of(y) * 3)


def test_shuffle_follows_manual_seed():
    ds = _tensor_dataset(pa, 20)

    def order():
        return [int(v) for b in DataLoader(ds, batch_size=5, shuffle=True) for v in np_of(b[1])]

    pa.manual_seed(7)
    a = order()
    pa.manual_seed(7)
    assert order() == a


def test_sampler_and_batch_sampler_plug_in():
    ds = _tensor_dataset(pa, 10)

    class Evens(Sampler):
        def __iter__(self):
            return iter(range(0, 10, 2))

        def __len__(self):
            return 5

    got = [np_of(b[1]).tolist() for b in DataLoader(ds, batch_size=2, sampler=Evens())]
    assert got == [[0, 2], [4, 6], [8]]
    bs = BatchSampler(SequentialSampler(ds), 4, drop_last=True)
    got = [np_of(b[1]).tolist() for b in DataLoader(ds, batch_sampler=bs)]
    assert got == [[0, 1, 2, 3], [4, 5, 6, 7]]
    got = [np_of(b[1]).tolist() for b in DataLoader(ds, batch_sampler=[[9, 0], [3]])]
    assert got == [[9, 0], [3]]
    assert len(DataLoader(ds, batch_sampler=bs)) == 2


def test_distributed_sampler_plugs_in():
    from pyautograd.distributed import DistributedSampler

    ds = _tensor_dataset(pa, 10)
    seen = []
    for rank in range(3):
        sampler = DistributedSampler(ds, num_replicas=3, rank=rank, shuffle=True, seed=4)
        sampler.set_epoch(1)
        loader = DataLoader(ds, batch_size=2, sampler=sampler)
        assert len(loader) == 2
        seen += [int(v) for b in loader for v in np_of(b[1])]
    assert sorted(set(seen)) == list(range(10)) and len(seen) == 12


def test_custom_collate_fn_and_no_batching():
    ds = _tensor_dataset(pa, 4)
    out = list(DataLoader(ds, batch_size=2, collate_fn=lambda batch: len(batch)))
    assert out == [2, 2]
    single = list(DataLoader(ds, batch_size=None))
    assert len(single) == 4 and np_of(single[2][1]).tolist() == 2


class Stream(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


@pytest.mark.parametrize("drop_last", [False, True])
def test_iterable_dataset_batches_match_torch(drop_last):
    torch = _torch()

    class TorchStream(torch.utils.data.IterableDataset):
        def __iter__(self):
            return iter(range(7))

        def __len__(self):
            return 7

    got = [_structure(b) for b in DataLoader(Stream(7), batch_size=3, drop_last=drop_last)]
    want = [
        _structure(b)
        for b in torch.utils.data.DataLoader(TorchStream(), batch_size=3, drop_last=drop_last)
    ]
    assert got == want
    assert len(DataLoader(Stream(7), 3, drop_last=drop_last)) == (2 if drop_last else 3)


def test_argument_errors_match_torch():
    torch = _torch()
    cases = [
        lambda L, ds, S: L(ds, sampler=S(ds), shuffle=True),
        lambda L, ds, S: L(ds, batch_sampler=[[0]], batch_size=2),
        lambda L, ds, S: L(ds, batch_sampler=[[0]], drop_last=True),
        lambda L, ds, S: L(ds, batch_size=None, drop_last=True),
        lambda L, ds, S: L(ds, num_workers=-1),
        lambda L, ds, S: L(ds, batch_size=0),
    ]

    def outcome(lib, f):
        try:
            f(lib.utils.data.DataLoader, _tensor_dataset(lib), lib.utils.data.SequentialSampler)
            return "ok"
        except Exception as e:
            return type(e).__name__, str(e)

    for f in cases:
        assert outcome(pa, f) == outcome(torch, f)
    with pytest.raises(ValueError, match="expected unspecified shuffle"):
        DataLoader(Stream(3), shuffle=True)
    loader = DataLoader(_tensor_dataset(pa))
    with pytest.raises(ValueError, match="should not be set after"):
        loader.batch_size = 3
    with pytest.warns(UserWarning, match="calling process"):
        batches = list(DataLoader(_tensor_dataset(pa), batch_size=5, num_workers=2))
    assert len(batches) == 2


def test_random_split():
    ds = _tensor_dataset(pa, 10)
    g = pa.Generator().manual_seed(0)
    a, b = random_split(ds, [7, 3], generator=g)
    assert isinstance(a, Subset) and len(a) == 7 and len(b) == 3
    assert sorted(a.indices + b.indices) == list(range(10))
    again = random_split(ds, [7, 3], generator=pa.Generator().manual_seed(0))
    assert again[0].indices == a.indices
    parts = random_split(ds, [0.5, 0.3, 0.2])
    assert [len(p) for p in parts] == [5, 3, 2]
    parts = random_split(range(11), [0.5, 0.5])
    assert [len(p) for p in parts] == [6, 5]
    with pytest.raises(ValueError, match="Sum of input lengths"):
        random_split(ds, [4, 4])
    x, y = a[0]
    assert x.shape == (3,) and np_of(x)[0] == np_of(y) * 3


def test_fraction_lengths_match_torch():
    torch = _torch()
    for lengths in ([0.5, 0.5], [0.1, 0.2, 0.7], [1 / 3, 1 / 3, 1 / 3]):
        got = [len(p) for p in random_split(range(17), lengths)]
        want = [len(p) for p in torch.utils.data.random_split(range(17), lengths)]
        assert got == want


def test_samplers():
    data = list(range(10))
    assert list(SequentialSampler(data)) == data
    g = pa.Generator().manual_seed(5)
    r = list(RandomSampler(data, generator=g))
    assert sorted(r) == data
    rr = list(RandomSampler(data, replacement=True, num_samples=25, generator=g))
    assert len(rr) == 25 and all(0 <= i < 10 for i in rr)
    rn = list(RandomSampler(data, num_samples=15, generator=g))
    assert len(rn) == 15 and sorted(rn[:10]) == data
    s = list(SubsetRandomSampler([3, 5, 7], generator=g))
    assert sorted(s) == [3, 5, 7]
    w = list(WeightedRandomSampler([0.0, 1.0, 0.0, 3.0], 200, generator=g))
    assert set(w) == {1, 3} and w.count(3) > w.count(1)
    nw = list(WeightedRandomSampler(pa.tensor([1.0, 1.0, 1.0]), 3, replacement=False, generator=g))
    assert sorted(nw) == [0, 1, 2]
    assert list(BatchSampler(range(5), 2, False)) == [[0, 1], [2, 3], [4]]
    assert len(BatchSampler(range(5), 2, True)) == 2
    with pytest.raises(ValueError, match="batch_size should be a positive integer"):
        BatchSampler(range(5), 0, False)
    with pytest.raises(ValueError, match="num_samples should be a positive integer"):
        RandomSampler(data, num_samples=0)


def test_datasets():
    a = TensorDataset(pa.arange(3))
    b = TensorDataset(pa.arange(3, 5))
    c = a + b
    assert isinstance(c, ConcatDataset) and len(c) == 5
    assert [int(c[i][0].item()) for i in range(5)] == [0, 1, 2, 3, 4]
    assert int(c[-1][0].item()) == 4
    with pytest.raises(AssertionError, match="Size mismatch"):
        TensorDataset(pa.ones(3), pa.ones(4))
    with pytest.raises(NotImplementedError):
        Dataset()[0]
    sub = Subset(c, [4, 0])
    assert len(sub) == 2 and int(sub[0][0].item()) == 4


def test_generator_state():
    g = pa.Generator().manual_seed(11)
    assert g.initial_seed() == 11
    state = g.get_state()
    a = list(RandomSampler(range(20), generator=g))
    g.set_state(state)
    assert list(RandomSampler(range(20), generator=g)) == a
    with pytest.raises(RuntimeError, match="CPU only"):
        pa.Generator("cuda")
    with pytest.raises(TypeError, match=r"pyautograd\.Generator"):
        list(RandomSampler(range(3), generator=np.random.default_rng(0)))
