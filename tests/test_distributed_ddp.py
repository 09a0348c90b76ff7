"""DistributedDataParallel on real MPI jobs of 1, 2 and 3 processes (shared memory only, under
timeouts): replicas stay bitwise equal and equal to single-process full-batch training,
no_sync accumulates, .grad are bucket views with no extra allocations, misuse is reported."""

from __future__ import annotations

import sys

import pytest
from dist_helpers import HERE, local_env, mpirun_or_skip, run_job

import pyautograd as pa
from pyautograd.distributed._reducer import assign_buckets

WORKER = str(HERE / "dist_ddp_worker.py")


def ddp_job(n: int, *args: str, timeout: float = 120.0, worker: bool = True) -> object:
    """Runs dist_ddp_worker.py ARGS (or the script ARGS[0] when not worker) on n ranks."""
    pytest.importorskip("pyautograd.nn")
    if not hasattr(pa.Tensor, "register_post_accumulate_grad_hook"):
        pytest.skip("needs Tensor.register_post_accumulate_grad_hook")
    mpirun_or_skip()
    cmd = [sys.executable, "-m", "pyautograd.distributed.run", "-n", str(n)]
    cmd += [WORKER, *args] if worker else list(args)
    return run_job(cmd, local_env(), timeout)


@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("cap_mb", ["25", "0.0001"], ids=["one-bucket", "many-buckets"])
def test_replicas_are_bitwise_equal_and_match_full_batch_training(n: int, cap_mb: str) -> None:
    job = ddp_job(n, "train", cap_mb)
    assert job.returncode == 0, job.stderr  # type: ignore[attr-defined]
    lines = sorted(job.lines("OK"))  # type: ignore[attr-defined]
    assert [ln.split()[:3] for ln in lines] == [["OK", "rank", str(r)] for r in range(n)]
    if cap_mb != "25":
        assert all(ln.count(",") >= 1 for ln in lines), lines  # several buckets were used


@pytest.mark.parametrize("n", [1, 2, 3])
def test_no_sync_accumulates_locally_then_averages(n: int) -> None:
    job = ddp_job(n, "no_sync")
    assert job.returncode == 0, job.stderr  # type: ignore[attr-defined]
    assert len(job.lines("OK")) == n  # type: ignore[attr-defined]


@pytest.mark.parametrize("n", [1, 2])
def test_grads_are_bucket_views_and_a_step_allocates_nothing_extra(n: int) -> None:
    job = ddp_job(n, "views")
    assert job.returncode == 0, job.stderr  # type: ignore[attr-defined]
    assert len(job.lines("OK")) == n  # type: ignore[attr-defined]


def test_a_parameter_without_gradient_is_named_at_the_next_forward() -> None:
    job = ddp_job(2, "unused")
    assert job.returncode == 0, job.stderr  # type: ignore[attr-defined]
    assert len(job.lines("CAUGHT")) == 2 and len(job.lines("OK")) == 2  # type: ignore[attr-defined]


def test_ranks_with_different_models_all_refuse() -> None:
    job = ddp_job(3, "mismatch")
    assert job.returncode == 0, job.stderr  # type: ignore[attr-defined]
    caught = job.lines("CAUGHT")  # type: ignore[attr-defined]
    assert len(caught) == 3, job.stdout  # type: ignore[attr-defined]
    assert all("rank 1's module differs from rank 0's" in c for c in caught)
    assert all("fc1.weight" in c for c in caught)


def _p(*shape: int, dtype: object = None) -> pa.Tensor:
    return pa.zeros(*shape, dtype=dtype or pa.float32)


def test_buckets_fill_in_reverse_order_by_dtype_under_the_cap() -> None:
    params = [_p(256), _p(256), _p(256), _p(2, dtype=pa.float64), _p(256)]  # 1 KB each
    assert assign_buckets(params, cap_bytes=2048, first_cap_bytes=1024) == [[4], [2, 1], [3], [0]]
    assert assign_buckets(params, cap_bytes=1 << 20, first_cap_bytes=1 << 20) == [[4, 2, 1, 0], [3]]
    assert assign_buckets([], 1, 1) == []


def _losses(text: str) -> list[float]:
    return [float(ln.split()[1]) for ln in text.splitlines() if ln.split()[:1] != ["trained"]]


@pytest.mark.parametrize("n", [2, 3])
def test_the_example_follows_the_single_process_loss_curve(n: int) -> None:
    examples = HERE.parent / "examples"
    single = run_job([sys.executable, str(examples / "two_layer_modern.py")], local_env())
    assert single.returncode == 0, single.stderr
    want = _losses("\n".join(ln for ln in single.stdout.splitlines() if ln[:1].isdigit()))
    job = ddp_job(n, str(examples / "ddp_two_layer.py"), worker=False)
    assert job.returncode == 0, job.stderr  # type: ignore[attr-defined]
    got = _losses(job.stdout)  # type: ignore[attr-defined]
    assert len(got) == len(want) == 6
    assert got == pytest.approx(want, rel=2e-3)
    assert got[0] > 100 * got[-1]


def test_pytorch_import_path() -> None:
    from pyautograd import nn
    from pyautograd.distributed import DistributedDataParallel
    from pyautograd.nn.parallel import DistributedDataParallel as FromNN

    assert FromNN is DistributedDataParallel is nn.parallel.DistributedDataParallel
    assert issubclass(DistributedDataParallel, nn.Module)
