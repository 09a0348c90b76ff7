"""DataLoader with num_workers > 0 (pyautograd/utils/data/dataloader.py: workers emulated in
the calling process): worker_init_fn, get_worker_info (ids, seeds, dataset copies), the worker
that loads each batch and the order of batches, persistent_workers and prefetch_factor,
against PyTorch's real worker processes; torch.multiprocessing (pyautograd/multiprocessing)."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest

import pyautograd as pa

try:
    import torch
    import torch.utils.data
except ImportError:  # pragma: no cover - the oracle is optional
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch (the oracle) is not installed")


def _lib_info(lib: Any) -> Any:
    return lib.utils.data.get_worker_info()


class MapDS:
    """Each item: (index, worker id, worker seed) as seen by the loading worker."""

    def __init__(self, lib: Any, n: int) -> None:
        self.lib, self.n = lib, n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> tuple[int, int, int]:
        w = self.lib.utils.data.get_worker_info()
        return (i, -1, -1) if w is None else (i, w.id, w.seed)

    def __getstate__(self) -> dict[str, Any]:  # the library module is not picklable
        return {"n": self.n, "lib": self.lib.__name__}

    def __setstate__(self, st: dict[str, Any]) -> None:
        import importlib

        self.n, self.lib = st["n"], importlib.import_module(st["lib"])


def _rows(batches: list[Any]) -> list[list[int]]:
    out = []
    for b in batches:
        out.extend([[int(x) for x in t] for t in zip(*b, strict=True)] if isinstance(b, list)
                   else [[int(v) for v in b]])  # fmt: skip
    return out


def _run(lib: Any, loader_kw: dict[str, Any], n: int = 10, seed: int = 3) -> list[Any]:
    lib.manual_seed(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dl = lib.utils.data.DataLoader(MapDS(lib, n), **loader_kw)
    return [[int(c) if isinstance(c, int) else list(map(int, c)) for c in b] for b in dl]


@needs_torch
@pytest.mark.parametrize(
    "kw",
    [
        {"batch_size": 3, "num_workers": 2},
        {"batch_size": 2, "num_workers": 3, "shuffle": True},
        {"batch_size": None, "num_workers": 2},
        {"batch_size": 4, "num_workers": 2, "drop_last": True, "prefetch_factor": 3},
    ],
)
def test_map_style_workers_match_pytorch(kw: dict[str, Any]) -> None:
    """The same batches, loaded by the same worker, with the same worker seeds."""
    ours = _run(pa, kw)
    theirs = _run(torch, kw)
    assert ours == theirs
    # and the random numbers after the epoch are PyTorch's too
    assert pa.rand(2).tolist() == pytest.approx(torch.rand(2).tolist(), abs=1e-7)


def test_worker_init_fn_and_worker_info() -> None:
    calls: list[Any] = []
    ds = MapDS(pa, 6)

    def init(worker_id: int) -> None:
        info = pa.utils.data.get_worker_info()
        calls.append((worker_id, info.id, info.num_workers, info.dataset is ds, info.seed))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dl = pa.utils.data.DataLoader(ds, batch_size=2, num_workers=3, worker_init_fn=init)
    assert pa.utils.data.get_worker_info() is None
    list(dl)
    assert [c[:4] for c in calls] == [(0, 0, 3, False), (1, 1, 3, False), (2, 2, 3, False)]
    assert [c[4] - calls[0][4] for c in calls] == [0, 1, 2]  # base seed + id
    assert pa.utils.data.get_worker_info() is None
    list(dl)
    assert len(calls) == 6  # once per iterator
    from dataclasses import FrozenInstanceError

    with pytest.raises(FrozenInstanceError):
        pa.utils.data.WorkerInfo(0, 1, 0, None).id = 3  # type: ignore[misc]


def _iterables(lib: Any) -> tuple[type, type]:
    class RangeIterable(lib.utils.data.IterableDataset):
        """PyTorch's documentation example: each worker yields its share of [start, end)."""

        def __init__(self, start: int, end: int) -> None:
            self.start, self.end = start, end

        def __iter__(self) -> Any:
            w = lib.utils.data.get_worker_info()
            if w is None:
                return iter(range(self.start, self.end))
            per = math.ceil((self.end - self.start) / float(w.num_workers))
            lo = self.start + w.id * per
            return iter(range(lo, min(lo + per, self.end)))

    class ShardByInit(RangeIterable):
        """The other documented pattern: worker_init_fn narrows each worker's copy."""

        def __iter__(self) -> Any:
            return iter(range(self.start, self.end))

    return RangeIterable, ShardByInit


def _shard_init(lib_name: str) -> Any:
    def init(worker_id: int) -> None:
        import importlib

        lib = importlib.import_module(lib_name)
        w = lib.utils.data.get_worker_info()
        d = w.dataset
        per = math.ceil((d.end - d.start) / float(w.num_workers))
        d.start = d.start + worker_id * per
        d.end = min(d.start + per, d.end)

    return init


@needs_torch
@pytest.mark.parametrize("which", [0, 1])
@pytest.mark.parametrize("bs,workers", [(2, 2), (3, 3), (None, 2), (4, 2)])
def test_iterable_workers_match_pytorch(which: int, bs: Any, workers: int) -> None:
    out = []
    for lib in (pa, torch):
        cls = _iterables(lib)[which]
        init = _shard_init(lib.__name__) if which == 1 else None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dl = lib.utils.data.DataLoader(
                cls(3, 14), batch_size=bs, num_workers=workers, worker_init_fn=init
            )
        out.append([b.tolist() if hasattr(b, "tolist") else b for b in dl])
    assert out[0] == out[1]


def test_persistent_workers() -> None:
    calls: list[int] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dl = pa.utils.data.DataLoader(
            MapDS(pa, 4), batch_size=2, num_workers=2, persistent_workers=True,
            worker_init_fn=calls.append,
        )  # fmt: skip
    a, b = list(dl), list(dl)
    assert calls == [0, 1]
    assert [x[2].tolist() for x in a] == [x[2].tolist() for x in b]  # the same workers' seeds


@pytest.mark.parametrize(
    "kw,msg",
    [
        ({"prefetch_factor": 2}, "prefetch_factor option could only be specified"),
        ({"num_workers": 1, "prefetch_factor": -1}, "prefetch_factor option should be"),
        ({"persistent_workers": True}, "persistent_workers option needs num_workers > 0"),
    ],
)
def test_loader_option_errors(kw: dict[str, Any], msg: str) -> None:
    libs = [pa] if torch is None else [pa, torch]
    for lib in libs:
        with pytest.raises(ValueError, match=msg), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lib.utils.data.DataLoader(list(range(4)), **kw)


# ---- torch.multiprocessing -------------------------------------------------------------------
def _square_into(i: int, q: Any) -> None:
    import pyautograd as pa

    q.put((i, (pa.arange(3, dtype=pa.float64) * i).pow(2).tolist()))


def _fail(i: int) -> None:
    if i == 1:
        raise ValueError("worker one failed")


def test_multiprocessing_reexports_and_spawn() -> None:
    mp = pa.multiprocessing
    import multiprocessing

    assert mp.Process is multiprocessing.Process or issubclass(mp.Process, object)
    assert mp.get_all_sharing_strategies() >= {"file_descriptor"}
    mp.set_sharing_strategy("file_system")
    assert mp.get_sharing_strategy() == "file_system"
    mp.set_sharing_strategy("file_descriptor")
    ctx = mp.get_context("fork")
    q = ctx.SimpleQueue()
    mp.spawn(_square_into, args=(q,), nprocs=2, start_method="fork")
    got = sorted(q.get() for _ in range(2))
    assert got == [(0, [0.0, 0.0, 0.0]), (1, [0.0, 1.0, 4.0])]
    with pytest.raises(mp.ProcessRaisedException, match="worker one failed"):
        mp.spawn(_fail, nprocs=2, start_method="fork")


def test_tensor_through_queue() -> None:
    ctx = pa.multiprocessing.get_context("fork")
    q = ctx.Queue()
    t = pa.arange(4.0).share_memory_()
    assert t.is_shared()
    p = ctx.Process(target=_put_double, args=(q, t))
    p.start()
    r = q.get(timeout=30)
    p.join()
    assert p.exitcode == 0
    assert r.tolist() == [0.0, 2.0, 4.0, 6.0]


def _put_double(q: Any, t: Any) -> None:
    q.put(t * 2)


class RandomDS:
    """Items drawn from the worker's generators: the global one and Python's random."""

    def __init__(self, lib: Any) -> None:
        self.lib = lib

    def __len__(self) -> int:
        return 6

    def __getitem__(self, i: int) -> Any:
        import random

        vals = [
            float(self.lib.rand(1)),
            random.random(),
            float(self.lib.initial_seed() % 1000),
            float(np.random.rand()),
        ]
        return self.lib.tensor(vals, dtype=self.lib.float64)


@needs_torch
@pytest.mark.parametrize("persistent", [False, True])
def test_workers_random_streams_match_pytorch(persistent: bool) -> None:
    """Each worker's generators are seeded with its seed, as PyTorch's worker processes:
    random data augmentation in a dataset gives PyTorch's numbers; the main process's stream
    is untouched (NumPy's included)."""
    out = []
    for lib in (pa, torch):
        lib.manual_seed(11)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dl = lib.utils.data.DataLoader(
                RandomDS(lib), batch_size=2, num_workers=2, persistent_workers=persistent
            )
        np.random.seed(5)
        epochs = [[b.tolist() for b in dl] for _ in range(2)]
        out.append((epochs, [*lib.rand(3).tolist(), np.random.rand()]))
    np.testing.assert_allclose(np.array(out[0][0]), np.array(out[1][0]), rtol=1e-6)
    np.testing.assert_allclose(out[0][1], out[1][1], rtol=1e-6)


@needs_torch
def test_numpy_seed_of_a_worker_is_pytorchs() -> None:
    from torch.utils.data._utils.worker import _generate_state

    from pyautograd.utils.data.dataloader import _numpy_seed

    for base in (0, 1, 2**32 + 5, 937055941807507096, 2**63 - 1):
        for wid in (0, 1, 7):
            assert _numpy_seed(base, wid) == list(_generate_state(base, wid))
