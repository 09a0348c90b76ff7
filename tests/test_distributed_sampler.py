"""DistributedSampler: PyTorch's padding, drop_last and sharding rules (PyTorch is the oracle
when importable), a seeded shuffle shared by the ranks, set_epoch. No MPI needed."""

from __future__ import annotations

import itertools

import pytest

from pyautograd.distributed import DistributedSampler

SIZES = [0, 1, 5, 7, 10, 12]
REPLICAS = [1, 2, 3, 4]


def shards(n: int, replicas: int, **kw: object) -> list[list[int]]:
    data = list(range(n))
    return [list(DistributedSampler(data, replicas, r, **kw)) for r in range(replicas)]  # type: ignore[arg-type]


@pytest.mark.parametrize(("n", "replicas"), itertools.product(SIZES, REPLICAS))
@pytest.mark.parametrize("drop_last", [False, True])
def test_unshuffled_shards_match_pytorch(n: int, replicas: int, drop_last: bool) -> None:
    torch_data = pytest.importorskip("torch.utils.data.distributed")
    data = list(range(n))
    for r in range(replicas):
        ours = DistributedSampler(data, replicas, r, shuffle=False, drop_last=drop_last)
        theirs = torch_data.DistributedSampler(
            data, replicas, r, shuffle=False, drop_last=drop_last
        )
        assert list(ours) == list(theirs)
        assert len(ours) == len(theirs)


@pytest.mark.parametrize(("n", "replicas"), itertools.product(SIZES, REPLICAS))
def test_padding_and_drop_last_rules(n: int, replicas: int) -> None:
    padded = shards(n, replicas, shuffle=False)
    per = -(-n // replicas)
    assert all(len(s) == per for s in padded)
    flat = sorted(itertools.chain(*padded))
    assert set(flat) == set(range(n))  # every sample is seen
    assert len(flat) == per * replicas  # padded by repeating the first indices
    cut = shards(n, replicas, shuffle=False, drop_last=True)
    assert all(len(s) == n // replicas for s in cut)
    flat = list(itertools.chain(*cut))
    assert len(set(flat)) == len(flat)  # nothing repeated, the tail dropped


def test_shuffle_is_a_seeded_permutation_shared_by_the_ranks() -> None:
    a = shards(100, 4, seed=3)
    assert a == shards(100, 4, seed=3)  # every rank draws the same permutation
    assert sorted(itertools.chain(*a)) == list(range(100))
    assert a != shards(100, 4, seed=4)
    assert list(itertools.chain(*a)) != list(range(100))


def test_set_epoch_reshuffles() -> None:
    s = DistributedSampler(list(range(50)), 2, 1, seed=7)
    first = list(s)
    assert list(s) == first
    s.set_epoch(1)
    second = list(s)
    assert second != first
    s.set_epoch(0)
    assert list(s) == first


def test_bad_rank_is_refused() -> None:
    with pytest.raises(
        ValueError, match=r"invalid rank 3, rank should be in the interval \[0, 2\]"
    ):
        DistributedSampler(list(range(4)), 3, 3)


def test_defaults_need_an_initialized_world() -> None:
    from pyautograd.distributed import is_initialized

    if is_initialized():
        pytest.skip("this process joined a world")
    with pytest.raises(RuntimeError, match=r"init\(\) first"):
        DistributedSampler(list(range(4)))


@pytest.mark.parametrize("drop_last", [False, True])
def test_dataloader_batches_a_ranks_share(drop_last: bool) -> None:
    import numpy as np

    import pyautograd as pa
    from pyautograd.utils.data import DataLoader, Sampler, TensorDataset
    from pyautograd.utils.data import DistributedSampler as FromData
    from pyautograd.utils.data.distributed import DistributedSampler as FromDistributed

    assert FromData is FromDistributed is DistributedSampler
    ds = TensorDataset(pa.arange(11, dtype=pa.float32), pa.arange(11) * 10)
    seen = []
    for rank in range(3):
        sampler = DistributedSampler(ds, 3, rank, seed=5, drop_last=drop_last)
        assert isinstance(sampler, Sampler)
        sampler.set_epoch(2)
        batches = list(DataLoader(ds, batch_size=2, sampler=sampler))
        xs = np.concatenate([b[0].numpy() for b in batches])
        ys = np.concatenate([b[1].numpy() for b in batches])
        assert xs.tolist() == [float(i) for i in sampler]  # the sampler's order, in batches
        assert (ys == xs * 10).all()
        seen += xs.tolist()
    if drop_last:
        assert len(seen) == len(set(seen)) == 9
    else:
        assert sorted(set(seen)) == [float(i) for i in range(11)] and len(seen) == 12
