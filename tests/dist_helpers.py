"""Starting real MPI jobs from the distributed tests: this machine only, under a timeout.

Every job runs with Open MPI's shared-memory transport alone (``OMPI_MCA_btl=self,sm``,
``OMPI_MCA_pml=ob1``): no byte leaves the machine. A job still running at its timeout is killed
with its whole process group.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest.importorskip("mpi4py", reason="needs the mpi extra: pip install 'pyautograd[mpi]'")

from pyautograd.distributed import run as _run

HERE = Path(__file__).resolve().parent
WORKER = str(HERE / "dist_worker.py")


def mpirun_or_skip() -> str:
    """The mpirun the launcher would use; skips the test when there is none."""
    try:
        return _run.find_mpirun()
    except RuntimeError as e:
        pytest.skip(str(e))


@dataclass
class Job:
    """A finished job: exit code, output, wall time, and when it ended (time.time())."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float
    ended: float

    def lines(self, prefix: str) -> list[str]:
        """stdout lines starting with prefix."""
        return [ln for ln in self.stdout.splitlines() if ln.startswith(prefix)]

    def failing_at(self) -> float:
        """The time.time() a worker printed as FAILING_AT."""
        m = re.search(r"FAILING_AT (\d+\.\d+)", self.stdout)
        assert m, self.stdout + self.stderr
        return float(m.group(1))


def local_env(**extra: str) -> dict[str, str]:
    """The test environment: shared memory only, one BLAS thread, root allowed."""
    env = dict(os.environ)
    env.update(
        OMPI_MCA_btl="self,sm",
        OMPI_MCA_pml="ob1",
        OMPI_ALLOW_RUN_AS_ROOT="1",
        OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
        OPENBLAS_NUM_THREADS="1",
        OMP_NUM_THREADS="1",
    )
    for k in ("PYAG_DIST_DEBUG", "PYAG_DIST_TIMEOUT"):
        env.pop(k, None)
    env.update(extra)
    return env


def run_job(cmd: list[str], env: dict[str, str], timeout: float = 120.0) -> Job:
    """Runs cmd in its own process group; kills the group if it outlives timeout."""
    start = time.monotonic()
    proc = subprocess.Popen(
        cmd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"job timed out after {timeout} s: {cmd}\n{out}\n{err}")
    ended = time.time()
    return Job(proc.returncode, out, err, time.monotonic() - start, ended)


def launch(n: int, *args: str, timeout: float = 120.0, **env: str) -> Job:
    """``python -m pyautograd.distributed.run -n N dist_worker.py ARGS`` (the launcher)."""
    mpirun_or_skip()
    cmd = [sys.executable, "-m", "pyautograd.distributed.run", "-n", str(n), WORKER, *args]
    return run_job(cmd, local_env(**env), timeout)


def mpirun_plain(
    n: int, *args: str, timeout: float = 120.0, env: dict[str, str] | None = None, **extra: str
) -> Job:
    """``mpirun -n N python dist_worker.py ARGS``: as a cluster's own mpirun would start it
    (in ``env``, default `local_env`, plus ``extra``)."""
    mpirun = mpirun_or_skip()
    cmd = [mpirun, "-n", str(n)]
    if _run.is_open_mpi(mpirun):
        cmd += ["--bind-to", "none"]
        if n > _run.cores():
            cmd.append("--oversubscribe")
    cmd += [sys.executable, WORKER, *args]
    return run_job(cmd, {**(env if env is not None else local_env()), **extra}, timeout)
