"""pyautograd.distributed on real MPI jobs of 1, 2 and 3 processes on this machine (shared
memory only, each under a timeout): collectives, the launcher, failure behaviour."""

from __future__ import annotations

import subprocess
import sys

import pytest
from dist_helpers import WORKER, launch, local_env, mpirun_plain, run_job

WORLDS = [1, 2, 3]


@pytest.mark.parametrize("n", WORLDS)
def test_collectives_give_the_reduced_values_on_every_rank(n: int) -> None:
    job = launch(n, "collectives")
    assert job.returncode == 0, job.stderr
    assert sorted(job.lines("OK")) == [f"OK rank {r} of {n}" for r in range(n)]


def test_bad_arguments_are_refused_with_clear_errors() -> None:
    job = launch(2, "errors")
    assert job.returncode == 0, job.stderr
    assert sorted(job.lines("OK")) == ["OK rank 0", "OK rank 1"]


@pytest.mark.parametrize("n", WORLDS)
def test_launcher_gives_ranks_and_splits_the_cores(n: int) -> None:
    env = local_env()
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        env.pop(var)
    cmd = [sys.executable, "-m", "pyautograd.distributed.run", "-n", str(n)]
    job = run_job([*cmd, WORKER, "world"], env)
    assert job.returncode == 0, job.stderr
    from pyautograd.distributed.run import cores

    threads = max(1, cores() // n)
    want = [f"WORLD rank={r} size={n} initialized=True threads={threads}" for r in range(n)]
    assert sorted(job.lines("WORLD")) == want


def test_plain_mpirun_works_without_the_launcher() -> None:
    job = mpirun_plain(3, "world")
    assert job.returncode == 0, job.stderr
    assert sorted(ln.split()[1] for ln in job.lines("WORLD")) == [f"rank={r}" for r in range(3)]


def test_init_splits_the_cores_under_a_plain_mpirun() -> None:
    from pyautograd.distributed.run import cores

    env = local_env()
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.pop(var, None)
    job = mpirun_plain(2, "world", env=env)
    assert job.returncode == 0, job.stderr
    threads = {ln.split()[-1] for ln in job.lines("WORLD")}
    assert threads == {f"threads={max(1, cores() // 2)}"}


def test_a_script_started_alone_is_a_world_of_one() -> None:
    env = local_env()
    job = run_job([sys.executable, WORKER, "world"], env)
    assert job.returncode == 0, job.stderr
    assert job.lines("WORLD") == ["WORLD rank=0 size=1 initialized=True threads=1"]


def test_a_stray_singleton_under_a_foreign_launcher_is_refused() -> None:
    env = local_env(PMI_SIZE="4")  # what another MPI's mpirun would set
    job = run_job([sys.executable, WORKER, "world"], env)
    assert job.returncode != 0
    assert "PMI_SIZE=4" in job.stderr and "world of one" in job.stderr


def test_dry_run_prints_the_mpirun_command() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "pyautograd.distributed.run", "-n", "5", "--dry-run", "x.py", "-a"],
        capture_output=True,
        text=True,
        timeout=60,
        env=local_env(),
    )
    assert out.returncode == 0, out.stderr
    cmd = out.stdout.split()
    assert cmd[1:3] == ["-n", "5"]
    assert cmd[-5:] == [sys.executable, "-m", "pyautograd.distributed.run", "x.py", "-a"]
    assert "--oversubscribe" in cmd  # 5 ranks on this machine's cores


def test_without_mpi4py_import_works_and_use_names_the_extra() -> None:
    code = (
        "import sys; sys.modules['mpi4py'] = None\n"
        "import pyautograd.distributed as dist\n"
        "assert not dist.is_available()\n"
        "try:\n"
        "    dist.init()\n"
        "except RuntimeError as e:\n"
        "    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "pip install 'pyautograd[mpi]'" in out.stdout


def test_use_before_init_is_a_clear_error() -> None:
    code = (
        "import pyautograd, pyautograd.distributed as dist\n"
        "assert not dist.is_initialized()\n"
        "try:\n"
        "    dist.all_reduce(pyautograd.ones(2))\n"
        "except RuntimeError as e:\n"
        "    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "call pyautograd.distributed.init() first" in out.stdout


# ---- failure behaviour: a failing rank ends the whole job within seconds ----


@pytest.mark.parametrize("start", [launch, mpirun_plain], ids=["launcher", "plain-mpirun"])
def test_an_exception_on_one_rank_ends_the_job_quickly(start: object) -> None:
    job = start(3, "fail_raise", timeout=60)  # type: ignore[operator]
    assert job.returncode != 0
    assert "rank 1 fails on purpose" in job.stderr
    assert job.ended - job.failing_at() < 5.0, job.stderr


def test_a_nonzero_exit_on_one_rank_ends_the_job_quickly() -> None:
    job = launch(2, "fail_exit", timeout=60)
    assert job.returncode != 0
    assert job.ended - job.failing_at() < 5.0, job.stderr


def test_the_watchdog_names_the_stuck_collective_and_ends_the_job() -> None:
    job = launch(2, "stall", timeout=60, PYAG_DIST_TIMEOUT="1.5")
    assert job.returncode != 0
    assert job.seconds < 30  # rank 1 sleeps 60 s: the watchdog ended the job
    assert "rank 0 of 2: barrier #2 has not completed after" in job.stderr, job.stderr


# ---- debug mode: ranks that disagree all raise, nothing silently wrong ----

MISMATCHES = {
    "shape": ("all_reduce #2 (float32, shape (3,), op SUM)", "(float32, shape (4,), op SUM)"),
    "dtype": ("(float32, shape (4,), op SUM)", "(float64, shape (4,), op SUM)"),
    "op": ("(float32, shape (4,), op SUM)", "(float32, shape (4,), op MAX)"),
    "root": ("broadcast #2 (float32, shape (4,), root 0)", "(float32, shape (4,), root 1)"),
    "order": ("rank 0: all_reduce #2", "rank 1: broadcast #2"),
}


@pytest.mark.parametrize("n", [2, 3])
@pytest.mark.parametrize("kind", sorted(MISMATCHES))
def test_debug_mode_raises_on_every_rank_for_mismatched_collectives(kind: str, n: int) -> None:
    job = launch(n, f"mismatch_{kind}", timeout=60, PYAG_DIST_DEBUG="1")
    assert job.returncode == 0, job.stderr
    caught = job.lines("CAUGHT")
    assert len(caught) == n, job.stdout
    for line in caught:
        assert "ranks disagree on collective call #2" in line
        for words in MISMATCHES[kind]:
            assert words in line, line
    assert len(job.lines("OK")) == n  # the ranks agree again afterwards


def test_debug_mode_reports_a_rank_that_exits_early() -> None:
    job = launch(2, "mismatch_exit", timeout=60, PYAG_DIST_DEBUG="1")
    assert job.returncode != 0
    assert job.seconds < 30
    assert "rank 1: exit/destroy_process_group #1" in job.stderr, job.stderr
    assert "rank 0: all_reduce #1 (float32, shape (3,), op SUM)" in job.stderr
