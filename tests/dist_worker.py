"""One rank of the distributed tests (tests/test_distributed*.py start it with mpirun).

Usage: dist_worker.py SCENARIO. Each scenario checks its own results with asserts (a failed
assert ends the job with a traceback) and prints lines the test reads.
"""

from __future__ import annotations

import sys
import time

import numpy as np

import pyautograd as pa
import pyautograd.distributed as dist


def expect(t: pa.Tensor, want: object) -> None:
    got = t.numpy()
    assert np.array_equal(got, np.asarray(want, dtype=got.dtype)), (got, want)


def collectives() -> None:
    r, n = dist.get_rank(), dist.get_world_size()
    ranks = np.arange(n)
    base = np.arange(6, dtype=np.float64).reshape(2, 3)
    for npdt in (np.float32, np.float64):
        each = [(base + q + 1).astype(npdt) for q in ranks]
        for op, fold in (
            ("sum", lambda xs: np.sum(xs, 0)),
            (dist.ReduceOp.SUM, lambda xs: np.sum(xs, 0)),
            (dist.ReduceOp.PRODUCT, lambda xs: np.prod(xs, 0)),
            (dist.ReduceOp.MIN, lambda xs: np.min(xs, 0)),
            (dist.ReduceOp.MAX, lambda xs: np.max(xs, 0)),
            (dist.ReduceOp.AVG, lambda xs: np.sum(xs, 0) / n),
        ):
            t = pa.from_numpy(each[r].copy())
            ptr = t.data_ptr()
            assert dist.all_reduce(t, op) is None
            assert t.data_ptr() == ptr  # in place
            np.testing.assert_allclose(t.numpy(), fold(np.stack(each)), rtol=1e-6)
    ints = [np.array([q, 3 * q + 1, 5], dtype=np.int64) for q in ranks]
    for op, fold in (
        (dist.ReduceOp.SUM, lambda xs: np.sum(xs, 0)),
        (dist.ReduceOp.MAX, lambda xs: np.max(xs, 0)),
        (dist.ReduceOp.BAND, lambda xs: np.bitwise_and.reduce(xs, 0)),
        (dist.ReduceOp.BOR, lambda xs: np.bitwise_or.reduce(xs, 0)),
        (dist.ReduceOp.BXOR, lambda xs: np.bitwise_xor.reduce(xs, 0)),
    ):
        t = pa.from_numpy(ints[r].copy())
        dist.all_reduce(t, op)
        expect(t, fold(np.stack(ints)))
    flags = pa.tensor([r == 0, True, False])
    dist.all_reduce(flags, dist.ReduceOp.SUM)
    expect(flags, [True, True, False])
    flags = pa.tensor([r == 0, True, False])
    dist.all_reduce(flags, dist.ReduceOp.MIN)
    expect(flags, [n == 1, True, False])

    # A view of a bigger tensor (contiguous): only its own elements change.
    big = pa.zeros(10)
    dist.all_reduce(big[2:5].fill_(1.0))
    expect(big, [0, 0, n, n, n, 0, 0, 0, 0, 0])

    for src in range(n):
        b = pa.full((2, 2), float(r * 10))
        dist.broadcast(b, src)
        expect(b, np.full((2, 2), src * 10))

    t = pa.full((3,), float(r + 1))
    dist.reduce(t, n - 1, dist.ReduceOp.SUM)
    if r == n - 1:
        expect(t, np.full(3, n * (n + 1) / 2))

    mine = pa.full((2,), float(r))
    rows = pa.zeros(n, 2)
    dist.all_gather(list(rows), mine)  # outputs back to back: one MPI_Allgather
    expect(rows, np.repeat(ranks[:, None], 2, 1))
    scattered = [pa.full((2,), -1.0) for _ in range(n)]
    dist.all_gather(scattered, mine)  # separate outputs: one broadcast per rank
    for q in ranks:
        expect(scattered[q], [q, q])
    flat = pa.zeros(2 * n)
    dist.all_gather_into_tensor(flat, mine)
    expect(flat, np.repeat(ranks, 2))
    flat = pa.zeros(2 * n)
    flat[2 * r : 2 * r + 2] = float(r)
    dist.all_gather_into_tensor(flat, flat[2 * r : 2 * r + 2])  # in place
    expect(flat, np.repeat(ranks, 2))

    rows = pa.arange(2 * n, dtype=pa.float64).view(n, 2) * (r + 1)
    out = pa.zeros(2, dtype=pa.float64)
    dist.reduce_scatter(out, list(rows))
    total = np.arange(2 * n).reshape(n, 2) * n * (n + 1) / 2
    expect(out, total[r])
    lists = [pa.full((2,), float(q + r)) for q in ranks]
    out = pa.zeros(2)
    dist.reduce_scatter(out, lists, dist.ReduceOp.AVG)
    np.testing.assert_allclose(out.numpy(), np.full(2, r + (n - 1) / 2), rtol=1e-6)
    out = pa.zeros(2, dtype=pa.float64)
    dist.reduce_scatter_tensor(out, pa.arange(2 * n, dtype=pa.float64) * (r + 1))
    expect(out, total[r])

    works = [dist.all_reduce(pa.full((4,), float(r)), async_op=True) for _ in range(3)]
    works.append(dist.broadcast(pa.full((2,), float(r)), 0, async_op=True))
    for w in works:
        assert w is not None
        assert w.wait()
        assert w.is_completed()
    expect(works[0].result()[0], np.full(4, n * (n - 1) / 2))
    expect(works[-1].result()[0], [0, 0])
    work = dist.all_reduce(pa.full((3,), 2.0), dist.ReduceOp.AVG, async_op=True)
    assert work is not None
    while not work.is_completed():
        pass
    expect(work.result()[0], [2, 2, 2])

    objs: list[object] = [None] * n
    dist.all_gather_object(objs, {"rank": r})
    assert objs == [{"rank": q} for q in ranks], objs
    box: list[object] = [f"from {r}", r]
    dist.broadcast_object_list(box, src=n - 1)
    assert box == [f"from {n - 1}", n - 1], box
    dist.barrier()
    w = dist.barrier(async_op=True)
    assert w is not None and w.wait()
    print(f"OK rank {r} of {n}")


def errors() -> None:
    """Bad input is refused on this rank with a clear error (nothing is sent)."""
    cases = [
        (lambda: dist.all_reduce(pa.ones(3, 4).t()), ValueError, "not contiguous"),
        (lambda: dist.all_reduce(pa.ones(3), "mean"), ValueError, "unknown reduce op"),
        (lambda: dist.all_reduce(pa.ones(3, dtype=pa.int64), "avg"), TypeError, "AVG"),
        (lambda: dist.all_reduce(pa.ones(3), dist.ReduceOp.BAND), TypeError, "BAND"),
        (lambda: dist.all_reduce([1.0]), TypeError, "pyautograd.Tensor"),  # type: ignore[arg-type]
        (lambda: dist.broadcast(pa.ones(3), dist.get_world_size()), ValueError, "src="),
        (lambda: dist.all_gather([pa.ones(3)] * 7, pa.ones(3)), ValueError, "7 tensors"),
        (
            lambda: dist.all_gather([pa.ones(2)] * dist.get_world_size(), pa.ones(3)),
            ValueError,
            "3 elements",
        ),
        (lambda: dist.all_reduce(pa.ones(3), group=object()), ValueError, "default group"),
        (lambda: dist.all_reduce(pa.ones(3), async_op=True).wait(1.0), ValueError, "timeout"),  # type: ignore[union-attr]
    ]
    for fn, exc, words in cases:
        try:
            fn()
        except exc as e:
            assert words in str(e), (words, str(e))
        else:
            raise AssertionError(f"no {exc.__name__} for {words}")
    dist.barrier()
    print(f"OK rank {dist.get_rank()}")


def world() -> None:
    print(
        f"WORLD rank={dist.get_rank()} size={dist.get_world_size()} "
        f"initialized={dist.is_initialized()} threads={pa.get_num_threads()}"
    )


def fail_raise() -> None:
    """Rank 1 raises while the others wait in an all_reduce."""
    if dist.get_rank() == 1:
        time.sleep(0.5)
        print(f"FAILING_AT {time.time():.6f}", flush=True)
        raise ValueError("rank 1 fails on purpose")
    dist.all_reduce(pa.ones(3))
    time.sleep(60)


def fail_exit() -> None:
    """Rank 1 calls sys.exit(3) while the others wait in a barrier."""
    if dist.get_rank() == 1:
        time.sleep(0.5)
        print(f"FAILING_AT {time.time():.6f}", flush=True)
        sys.exit(3)
    dist.barrier()
    time.sleep(60)


def stall() -> None:
    """Rank 1 never joins the second barrier: the watchdog of the waiting ranks ends the job."""
    dist.barrier()
    if dist.get_rank() == 1:
        time.sleep(60)
    dist.barrier()


def mismatch(kind: str) -> None:
    """Ranks call collectives that disagree; in debug mode all of them raise."""
    r = dist.get_rank()
    dist.all_reduce(pa.ones(2))  # agreeing calls pass the check
    try:
        if kind == "shape":
            dist.all_reduce(pa.ones(3 + (r == 1)))
        elif kind == "dtype":
            dist.all_reduce(pa.ones(4, dtype=pa.float64 if r == 1 else pa.float32))
        elif kind == "op":
            dist.all_reduce(pa.ones(4), dist.ReduceOp.MAX if r == 1 else dist.ReduceOp.SUM)
        elif kind == "root":
            dist.broadcast(pa.ones(4), src=1 if r == 1 else 0)
        elif kind == "order":
            if r == 1:
                dist.broadcast(pa.ones(4), 0)
                dist.all_reduce(pa.ones(4))
            else:
                dist.all_reduce(pa.ones(4))
                dist.broadcast(pa.ones(4), 0)
        else:
            raise AssertionError(kind)
    except RuntimeError as e:
        print(f"CAUGHT rank {r}: {e}".replace("\n", " | "), flush=True)
    else:
        print(f"NOT CAUGHT rank {r}", flush=True)
    dist.all_reduce(pa.ones(2))  # the ranks still agree afterwards
    print(f"OK rank {r}")


def mismatch_exit() -> None:
    """Rank 1 finishes while rank 0 makes one more collective: debug mode reports it."""
    if dist.get_rank() == 0:
        dist.all_reduce(pa.ones(3))


def main() -> None:
    scenario = sys.argv[1]
    dist.init()
    if scenario.startswith("mismatch_") and scenario != "mismatch_exit":
        mismatch(scenario.removeprefix("mismatch_"))
        return
    {
        "collectives": collectives,
        "errors": errors,
        "world": world,
        "fail_raise": fail_raise,
        "fail_exit": fail_exit,
        "stall": stall,
        "mismatch_exit": mismatch_exit,
    }[scenario]()


if __name__ == "__main__":
    main()
