"""``python -m ember.distributed.run`` (torchrun): start a script as N ranks of one MPI job.

The ranks are started by ``mpirun``; each sets torchrun's environment variables (RANK,
LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT) from its MPI rank and
runs the script with ``torch`` served by ember."""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m ember.distributed.run",
                                description="Run a training script as several ranks on MPI.")
    p.add_argument("--nproc-per-node", "--nproc_per_node", default="1",
                   help="ranks to start on this machine (a number, or 'cpu'/'auto')")
    p.add_argument("--nnodes", default="1", help="machines taking part (ember: 1)")
    p.add_argument("--node-rank", "--node_rank", type=int, default=0)
    p.add_argument("--master-addr", "--master_addr", default="127.0.0.1")
    p.add_argument("--master-port", "--master_port", type=int, default=29500)
    p.add_argument("--standalone", action="store_true", help="single-machine rendezvous")
    for flag in ("--rdzv-backend", "--rdzv_backend", "--rdzv-endpoint", "--rdzv_endpoint",
                 "--rdzv-id", "--rdzv_id", "--max-restarts", "--max_restarts"):
        p.add_argument(flag, default=None, help=argparse.SUPPRESS)
    p.add_argument("-m", "--module", action="store_true", help="run the script as a module")
    p.add_argument("--no-python", "--no_python", action="store_true",
                   help="run the script as a program, not through Python")
    p.add_argument("training_script")
    p.add_argument("training_script_args", nargs=argparse.REMAINDER)
    return p


def _nproc(value: str) -> int:
    if value in ("cpu", "auto", "gpu"):
        return os.cpu_count() or 1
    return int(value)


def mpirun_command(args) -> list:
    """The ``mpirun`` command line that starts the ranks of ``args``."""
    if args.nnodes not in ("1", "1:1"):
        raise SystemExit("ember.distributed.run starts ranks on one machine only "
                         "(for several machines use mpirun with a host file)")
    mpirun = shutil.which("mpirun")
    if mpirun is None:
        raise SystemExit("ember.distributed.run needs mpirun: install OpenMPI "
                         "(apt-get install openmpi-bin libopenmpi-dev)")
    cmd = [mpirun, "-n", str(_nproc(args.nproc_per_node)), "--oversubscribe"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-run-as-root")
    for name, value in (("MASTER_ADDR", args.master_addr), ("MASTER_PORT", args.master_port)):
        cmd += ["-x", f"{name}={value}"]
    if args.no_python:
        return cmd + [args.training_script, *args.training_script_args]
    target = ["-m", args.training_script] if args.module else [args.training_script]
    return cmd + [sys.executable, "-m", "ember.distributed._rank", *target,
                  *args.training_script_args]


def main(argv=None) -> None:
    """Parse torchrun's arguments and run the ranks; exit with mpirun's status."""
    args = _parser().parse_args(argv)
    raise SystemExit(subprocess.call(mpirun_command(args)))


if __name__ == "__main__":
    main()
