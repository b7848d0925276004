"""``spawn`` through ``mpirun``: the N children of one ``spawn`` call start as one MPI job.

PyTorch scripts start their ranks with ``mp.spawn(main, nprocs=N)`` and meet through
``init_process_group``. Processes started one by one cannot form an MPI world here (Open
MPI's connect/accept needs ``ompi-server``), so the children are started together instead:
``mpirun -n N python -m ember.multiprocessing._mpi_child WORKDIR``. Each child takes its rank
from MPI and calls ``fn(rank, *args)``; its MPI world is then exactly the N ranks the script
asked for. The work directory carries what multiprocessing's spawn would send down its pipe
(the parent's sys.path, cwd and main module, then ``(fn, args)`` pickled once per child) and
brings back each child's pid, its traceback if it raised, and a mark when it finished.

``EMBER_SPAWN_MPI=0`` in the environment keeps ``spawn`` on plain multiprocessing.
"""
from __future__ import annotations

import importlib.util
import io
import multiprocessing.spawn as _mp_spawn
import os
import pickle
import shutil
import signal
import subprocess
import sys
import tempfile
import weakref
from multiprocessing.reduction import ForkingPickler

SWITCH = "EMBER_SPAWN_MPI"
PREPARATION = "preparation.pkl"


def call_file(rank: int) -> str:
    """The file holding ``(fn, args)`` for ``rank``."""
    return f"call_{rank}.pkl"


def pid_file(rank: int) -> str:
    """The file a child writes its pid to."""
    return f"pid_{rank}"


def error_file(rank: int) -> str:
    """The file a child writes its traceback to when ``fn`` raised."""
    return f"error_{rank}"


def done_file(rank: int) -> str:
    """The file a child creates once ``fn`` returned."""
    return f"done_{rank}"


def stopped_file(rank: int) -> str:
    """The file a child creates when SIGTERM ends it (mpirun stopping the job)."""
    return f"stopped_{rank}"


def usable(nprocs: int) -> bool:
    """Whether ``spawn`` of ``nprocs`` children should start them as one MPI job."""
    if nprocs < 2 or os.environ.get(SWITCH, "1").strip().lower() in ("0", "false", "no", "off"):
        return False
    if int(os.environ.get("OMPI_COMM_WORLD_SIZE", "1")) > 1:
        return False  # already a rank of a job: its children stay plain processes
    return shutil.which("mpirun") is not None and importlib.util.find_spec("mpi4py") is not None


def _stub(tensor):
    return int, ()


def _picklable(obj) -> bool:
    """Whether ``obj`` pickles for a child, tried without moving tensors to shared memory."""
    from .._tensor import Tensor
    pickler = ForkingPickler(io.BytesIO(), pickle.HIGHEST_PROTOCOL)
    table = dict(pickler.dispatch_table)
    for cls in [c for c in table if isinstance(c, type) and issubclass(c, Tensor)]:
        table[cls] = _stub
    pickler.dispatch_table = table
    try:
        pickler.dump(obj)
    except Exception:
        return False
    return True


def _child_environment() -> dict:
    """This environment without the variables of an MPI job this process may belong to
    (a singleton MPI process sets some, and mpirun would take them as its own)."""
    job = ("PMIX_", "ORTE_", "OMPI_MCA_ess", "OMPI_MCA_orte_", "OMPI_MCA_pmix")

    def own(name):
        return name.startswith(job) or (name.startswith("OMPI_")
                                        and not name.startswith("OMPI_MCA_"))
    return {k: v for k, v in os.environ.items() if not own(k)}


def mpirun_command(nprocs: int, workdir: str) -> list:
    """The command line that starts the ``nprocs`` children of one spawn call."""
    cmd = [shutil.which("mpirun") or "mpirun", "-q", "-n", str(nprocs), "--oversubscribe"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-run-as-root")
    return cmd + [sys.executable, "-m", "ember.multiprocessing._mpi_child", workdir]


def start(fn, args, nprocs: int):
    """Start ``fn(rank, *args)`` on ``nprocs`` MPI ranks; the MPIProcessContext, or None when
    ``(fn, args)`` cannot be pickled for it (spawn then takes the plain path)."""
    if not _picklable((fn, args)):
        return None
    workdir = tempfile.mkdtemp(prefix="ember-spawn-")
    data = _mp_spawn.get_preparation_data("SpawnProcess")
    data["authkey"] = bytes(data["authkey"])  # the directory is this user's alone (mkdtemp)
    preparation = {"alias": "ember._aliased_child" in sys.modules, "data": data}
    with open(os.path.join(workdir, PREPARATION), "wb") as f:
        pickle.dump(preparation, f, pickle.HIGHEST_PROTOCOL)
    for rank in range(nprocs):
        # one pickle per child, as multiprocessing sends one down each child's pipe: a tensor
        # that is not shared yet gets its own segment per child, which that child unlinks
        with open(os.path.join(workdir, call_file(rank)), "wb") as f:
            ForkingPickler(f, pickle.HIGHEST_PROTOCOL).dump((fn, args))
    proc = subprocess.Popen(mpirun_command(nprocs, workdir), stdin=subprocess.DEVNULL,
                            env=_child_environment())
    return MPIProcessContext(proc, workdir, nprocs)


def _stop(proc, workdir) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    shutil.rmtree(workdir, ignore_errors=True)


class MPIProcessContext:
    """The children of one spawn call, run as the ranks of one ``mpirun`` job."""

    def __init__(self, mpirun: subprocess.Popen, workdir: str, nprocs: int):
        self.mpirun = mpirun
        self.workdir = workdir
        self.nprocs = nprocs
        self._pids = [0] * nprocs
        self._cleanup = weakref.finalize(self, _stop, mpirun, workdir)

    def _path(self, name: str) -> str:
        return os.path.join(self.workdir, name)

    def _read(self, name: str) -> str | None:
        try:
            with open(self._path(name), encoding="utf-8") as f:
                return f.read()
        except OSError:
            return None

    def pids(self) -> list:
        """The children's process ids (0 for a child that has not started yet)."""
        for r, pid in enumerate(self._pids):
            if not pid and self._cleanup.alive:
                self._pids[r] = int(self._read(pid_file(r)) or 0)
        return list(self._pids)

    def join(self, timeout=None) -> bool:
        """Wait for the job; True once every child ended well, False while it still runs,
        and the failed child's exception when one failed (the job then ends as a whole)."""
        if self._cleanup.alive is False:
            return True
        try:
            code = self.mpirun.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        except BaseException:  # an interrupted parent takes its children down with it
            self._cleanup()
            raise
        self.pids()  # keep them: the directory they are in goes now
        if code == 0:
            self._cleanup()
            return True
        failure = self._failure(code)
        self._cleanup()
        raise failure

    def _failure(self, code: int) -> Exception:
        from .spawn import ProcessExitedException, ProcessRaisedException
        pids = self.pids()
        for r in range(self.nprocs):
            text = self._read(error_file(r))
            if text is not None:
                return ProcessRaisedException(
                    f"\n\n-- Process {r} terminated with the following error:\n{text}",
                    r, pids[r])
        unfinished = [r for r in range(self.nprocs) if self._read(done_file(r)) is None]
        culprits = [r for r in unfinished if self._read(stopped_file(r)) is None] or unfinished
        r = culprits[0] if culprits else 0
        if code > 128 and code - 128 < signal.NSIG:  # mpirun's status for a child's signal
            name = signal.Signals(code - 128).name
            return ProcessExitedException(f"process {r} terminated with signal {name}",
                                          r, pids[r], -(code - 128), name)
        return ProcessExitedException(f"process {r} terminated with exit code {code}",
                                      r, pids[r], code)
