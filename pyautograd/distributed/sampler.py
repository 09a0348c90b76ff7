"""DistributedSampler: each rank iterates over its own share of a dataset's indices.

PyTorch's rules: the indices are (optionally) shuffled with the same seed on every rank, then
padded by repeating the first ones (or, with ``drop_last``, cut) to a multiple of the number of
replicas, and rank r takes every num_replicas-th index starting at r. Pass it to
``DataLoader(dataset, sampler=...)`` and call `DistributedSampler.set_epoch` at the start of
every epoch so that the shuffle changes.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sized

from pyautograd import _core
from pyautograd._generator import Generator
from pyautograd.utils.data.sampler import Sampler

from . import _world


class DistributedSampler(Sampler[int]):
    """Yields rank ``rank``'s share of ``range(len(dataset))`` (see the module's docstring).

    ``num_replicas`` and ``rank`` default to the world's size and this process's rank.
    The shuffle is a permutation drawn from NumPy's PCG64 seeded with ``seed + epoch``:
    the same on every rank, different from PyTorch's own permutation.
    """

    def __init__(
        self,
        dataset: Sized,
        num_replicas: int | None = None,
        rank: int | None = None,
        shuffle: bool = True,
        seed: int = 0,
        drop_last: bool = False,
    ) -> None:
        super().__init__()
        if num_replicas is None:
            num_replicas = _world.current().size
        if rank is None:
            rank = _world.current().rank
        if num_replicas < 1:
            raise ValueError(f"[DistributedSampler] num_replicas={num_replicas} must be >= 1")
        if not 0 <= rank < num_replicas:
            raise ValueError(
                f"[DistributedSampler] invalid rank {rank}, rank should be in the interval "
                f"[0, {num_replicas - 1}]"
            )
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.shuffle = shuffle
        self.seed = seed
        self.drop_last = drop_last
        n = len(dataset)
        if drop_last and n % num_replicas != 0:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas

    def __iter__(self) -> Iterator[int]:
        n = len(self.dataset)
        if self.shuffle:
            g = Generator().manual_seed(self.seed + self.epoch)  # PyTorch's permutation
            indices: list[int] = _core.randperm(n, generator=g).tolist()
        else:
            indices = list(range(n))
        if not self.drop_last:
            padding = self.total_size - len(indices)
            if padding <= len(indices):
                indices += indices[:padding]
            else:
                indices += (indices * math.ceil(padding / len(indices)))[:padding]
        else:
            indices = indices[: self.total_size]
        return iter(indices[self.rank : self.total_size : self.num_replicas])

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Sets the epoch: with ``shuffle``, each epoch gets its own permutation."""
        self.epoch = epoch
