"""DataLoader: batches of a dataset's samples in sampler order, collated; num_workers > 0
emulates PyTorch's workers in the calling process (worker_init_fn, get_worker_info, each
worker's copy of the dataset, the order in which workers deliver batches)."""

from __future__ import annotations

import contextlib
import copy
import itertools
import random
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import numpy as np

from ... import _core
from ..._generator import Generator
from .collate import default_collate, default_convert
from .dataset import Dataset, IterableDataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler

T_co = TypeVar("T_co", covariant=True)

__all__ = ["DataLoader", "WorkerInfo", "get_worker_info"]


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    """What get_worker_info() returns inside a worker: its id (0 to num_workers - 1),
    num_workers, its seed (the iterator's base seed + id) and its copy of the dataset."""

    id: int
    num_workers: int
    seed: int
    dataset: Any
    rng: Any = None
    worker_method: str | None = "multiprocessing"


_worker_info: WorkerInfo | None = None


def _numpy_seed(base_seed: int, worker_id: int) -> list[int]:
    """PyTorch's NumPy seed of a worker: SeedSequence's hashing of (worker_id, base_seed)
    into four 32-bit words."""
    mask = 0xFFFFFFFF
    hash_a = [0x43B0D7E5]

    def hash_(value: int) -> int:
        value = (value ^ hash_a[0]) & mask
        hash_a[0] = (hash_a[0] * 0x931E8875) & mask
        value = (value * hash_a[0]) & mask
        return (value ^ (value >> 16)) & mask

    def mix(x: int, y: int) -> int:
        r = ((0xCA01F9DD * x) - (0x4973F715 * y)) & mask
        return (r ^ (r >> 16)) & mask

    entropy = [worker_id, base_seed & mask, base_seed >> 32, 0]
    pool = [hash_(e) for e in entropy]
    for i_src in range(4):
        for i_dst in range(4):
            if i_src != i_dst:
                pool[i_dst] = mix(pool[i_dst], hash_(pool[i_src]))
    hash_b = 0x8B51F9DD
    state = []
    for v in pool:
        v = (v ^ hash_b) & mask
        hash_b = (hash_b * 0x58F38DED) & mask
        v = (v * hash_b) & mask
        state.append((v ^ (v >> 16)) & mask)
    return state


def _rng_states() -> tuple[Any, Any, Any]:
    from ... import random as pa_random

    return pa_random.get_rng_state(), random.getstate(), np.random.get_state()


def _set_rng_states(states: tuple[Any, Any, Any]) -> None:
    from ... import random as pa_random

    pa_random.set_rng_state(states[0])
    random.setstate(states[1])
    np.random.set_state(states[2])


class _Worker:
    """An emulated worker: its WorkerInfo and its random generators' states (pyautograd's
    global generator, Python's random and NumPy's global generator, seeded as PyTorch seeds
    them in a worker process), swapped in while it runs."""

    def __init__(self, info: WorkerInfo, base_seed: int) -> None:
        from ... import random as pa_random

        self.info = info
        main = _rng_states()
        pa_random.manual_seed(info.seed)
        random.seed(info.seed)
        np.random.seed(_numpy_seed(base_seed, info.id))
        self.states = _rng_states()
        _set_rng_states(main)


@contextlib.contextmanager
def _in_worker(worker: _Worker) -> Iterator[None]:
    global _worker_info
    was, _worker_info = _worker_info, worker.info
    main = _rng_states()
    _set_rng_states(worker.states)
    try:
        yield
    finally:
        worker.states = _rng_states()
        _set_rng_states(main)
        _worker_info = was


class DataLoader(Generic[T_co]):
    """Iterates over a dataset in batches: ``DataLoader(dataset, batch_size=64, shuffle=True,
    generator=g)``. ``sampler=`` (any iterable of indices with a length, such as
    distributed.DistributedSampler) or ``batch_sampler=`` (an iterable of index lists) choose
    the order; ``collate_fn`` builds each batch (default_collate); ``drop_last`` drops a short
    last batch; ``batch_size=None`` yields single samples. Loading runs in the calling
    process: ``num_workers > 0`` is accepted with a warning and loads the same batches there.
    """

    _initialized = False

    def __init__(
        self,
        dataset: Dataset[T_co],
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Iterable[Any] | None = None,
        batch_sampler: Iterable[list[Any]] | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[list[Any]], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context: Any = None,
        generator: Generator | None = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        if not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError(
                "num_workers option should be non-negative; use num_workers=0 to disable "
                "multiprocessing."
            )
        if num_workers > 0:
            warnings.warn(
                f"DataLoader(num_workers={num_workers}): pyautograd loads batches in the "
                "calling process (the same batches, in the same order)",
                UserWarning,
                stacklevel=2,
            )
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "prefetch_factor option could only be specified in multiprocessing."
                "let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor "
                "to None."
            )
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        self.dataset = dataset
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers
        self.generator = generator
        self._workers: list[_Worker] | None = None  # (persistent_workers)
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            if shuffle not in (None, False):
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified shuffle option, but "
                    f"got shuffle={shuffle}"
                )
            if sampler is not None:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified sampler option, but "
                    f"got sampler={sampler}"
                )
            if batch_sampler is not None:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified batch_sampler "
                    f"option, but got batch_sampler={batch_sampler}"
                )
        else:
            shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, "
                    "sampler, and drop_last"
                )
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError(
                "batch_size=None option disables auto-batching and is mutually exclusive with "
                "drop_last"
            )
        if sampler is None and not self._iterable:
            sampler = (
                RandomSampler(dataset, generator=generator)  # type: ignore[arg-type]
                if shuffle
                else SequentialSampler(dataset)  # type: ignore[arg-type]
            )
        if batch_size is not None and batch_sampler is None and not self._iterable:
            assert sampler is not None
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self._initialized = True

    def __setattr__(self, name: str, value: Any) -> None:
        if self._initialized and name in (
            "batch_size",
            "batch_sampler",
            "sampler",
            "drop_last",
            "dataset",
        ):
            raise ValueError(
                f"{name} attribute should not be set after {type(self).__name__} is initialized"
            )
        super().__setattr__(name, value)

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None or (self._iterable and self.batch_size is not None)

    def __iter__(self) -> Iterator[Any]:
        # PyTorch's iterator draws a base seed for its workers from the loader's generator (the
        # global one by default) whenever it is made: drawn here too, so that the random
        # numbers after it are PyTorch's.
        if self.persistent_workers and self._workers is not None:
            return self._iter_workers(self._workers)  # (no new base seed, as PyTorch's)
        base_seed = int(_core.empty((), dtype=_core.int64).random_(generator=self.generator))
        if self.num_workers > 0:
            return self._iter_workers(self._start_workers(base_seed))
        if self._iterable:
            return self._iter_stream(self.dataset)
        return self._iter_map()

    def _start_workers(self, base_seed: int) -> list[_Worker]:
        """PyTorch's worker start, in this process: each worker gets its copy of the dataset
        (a shallow copy: attributes set in one worker stay there), its WorkerInfo, its own
        states of pyautograd's global generator, Python's random and NumPy's global generator
        (seeded as PyTorch's workers seed them, swapped in while it runs) and a call of
        worker_init_fn(id) (once per iterator, or once per loader with persistent_workers)."""
        n = self.num_workers
        workers = [
            _Worker(
                WorkerInfo(i, n, base_seed + i, copy.copy(self.dataset)),
                base_seed,
            )
            for i in range(n)
        ]
        for w in workers:
            if self.worker_init_fn is not None:
                with _in_worker(w):
                    self.worker_init_fn(w.info.id)
        if self.persistent_workers:
            self._workers = workers
        return workers

    def _iter_workers(self, workers: list[_Worker]) -> Iterator[Any]:
        """Batches as PyTorch's workers deliver them (in_order): map-style, batch k is loaded
        by worker k % num_workers from its dataset copy; iterable-style, each worker batches
        its own iterator of its copy and the batches come round robin over the workers still
        running."""
        n = len(workers)
        if not self._iterable:
            keys = self.batch_sampler if self.batch_sampler is not None else self.sampler
            assert keys is not None
            for k, key in enumerate(keys):
                w = workers[k % n]
                with _in_worker(w):
                    if self.batch_sampler is not None:
                        batch = self.collate_fn(self._fetch(list(key), w.info.dataset))
                    else:
                        batch = self.collate_fn(w.info.dataset[key])
                yield batch  # (the consumer runs outside the worker)
            return
        streams: list[Iterator[Any] | None] = []
        for w in workers:
            with _in_worker(w):
                streams.append(self._iter_stream(w.info.dataset))
        while any(st is not None for st in streams):
            for i, st in enumerate(streams):
                if st is None:
                    continue
                with _in_worker(workers[i]):
                    try:
                        batch = next(st)
                    except StopIteration:
                        streams[i] = None
                        continue
                yield batch

    def _fetch(self, indices: list[Any], dataset: Any = None) -> list[Any]:
        dataset = self.dataset if dataset is None else dataset
        getitems = getattr(dataset, "__getitems__", None)
        if callable(getitems):
            return getitems(indices)  # type: ignore[no-any-return]
        return [dataset[i] for i in indices]

    def _iter_map(self) -> Iterator[Any]:
        if self.batch_sampler is not None:
            for indices in self.batch_sampler:
                yield self.collate_fn(self._fetch(list(indices)))
        else:
            assert self.sampler is not None
            for i in self.sampler:
                yield self.collate_fn(self.dataset[i])  # type: ignore[arg-type]

    def _iter_stream(self, dataset: Any) -> Iterator[Any]:
        it: Iterator[Any] = iter(dataset)
        if self.batch_size is None:
            for sample in it:
                yield self.collate_fn(sample)
            return
        while True:
            batch = list(itertools.islice(it, self.batch_size))
            if not batch or (self.drop_last and len(batch) < self.batch_size):
                return
            yield self.collate_fn(batch)

    def __len__(self) -> int:
        if self._iterable:
            n = len(self.dataset)  # type: ignore[arg-type]
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        if self.batch_sampler is not None:
            return len(self.batch_sampler)  # type: ignore[arg-type]
        return len(self.sampler)  # type: ignore[arg-type]


def get_worker_info() -> WorkerInfo | None:
    """Inside a DataLoader worker (num_workers > 0: the dataset's methods and worker_init_fn
    while they run for that worker), its WorkerInfo; None elsewhere, as PyTorch's in the main
    process."""
    return _worker_info
