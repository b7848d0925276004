"""One child of ``spawn`` started as a rank of an ``mpirun`` job (see ``_mpi_spawn``).

``python -m ember.multiprocessing._mpi_child WORKDIR``: take the rank from MPI, set up as
multiprocessing's spawn sets up a child (the parent's sys.path and cwd, its main script
imported as ``__mp_main__`` so that its ``if __name__ == "__main__":`` block does not run
again), then call ``fn(rank, *args)`` and report how it ended in WORKDIR."""
import multiprocessing.spawn as _mp_spawn
import os
import pickle
import signal
import sys
import traceback

from ember.multiprocessing import _mpi_spawn as _files


def _rank() -> int:
    for name in ("OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"):
        if name in os.environ:
            return int(os.environ[name])
    from mpi4py import MPI
    return MPI.COMM_WORLD.Get_rank()


def _write(workdir: str, name: str, text: str) -> None:
    """Write a report file whole (a reader never sees half of it)."""
    path = os.path.join(workdir, name)
    with open(path + ".part", "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(path + ".part", path)


def _end(code: int) -> None:
    """End this child now with ``code`` and take the job down with it: MPI_Abort once MPI
    is up (MPI_Finalize would wait for ranks that wait for this one), else a plain exit."""
    sys.stdout.flush()
    sys.stderr.flush()
    mpi = sys.modules.get("mpi4py.MPI")
    if mpi is not None and mpi.Is_initialized() and not mpi.Is_finalized():
        mpi.COMM_WORLD.Abort(code)
    os._exit(code)


def _leave_segments_to_parent() -> None:
    """Forget the parent's shared tensors in this child's resource tracker.

    Attaching a segment registers it with the attaching process's tracker, which unlinks it
    when that process ends. multiprocessing's children share the parent's tracker; these
    children have their own, which would unlink a shared model's segments under the parent."""
    from multiprocessing import resource_tracker

    from ember.multiprocessing import _shared
    for name, shm in _shared._attached.items():
        if name not in _shared._handed:  # handed-over segments were unlinked on arrival
            resource_tracker.unregister(shm._name, "shared_memory")


def _mark_stop(workdir: str, rank: int):
    def on_term(signum, frame):
        _write(workdir, _files.stopped_file(rank), "")
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
    return on_term


def main(workdir: str) -> None:
    """Run this rank's share of the spawn call whose files are in ``workdir``."""
    rank = _rank()
    _write(workdir, _files.pid_file(rank), str(os.getpid()))
    signal.signal(signal.SIGTERM, _mark_stop(workdir, rank))
    with open(os.path.join(workdir, _files.PREPARATION), "rb") as f:
        preparation = pickle.load(f)
    if preparation["alias"]:
        import ember._aliased_child  # noqa: F401  (the parent runs under ember.run)
    preparation["data"]["name"] = f"SpawnProcess-{rank + 1}"
    _mp_spawn.prepare(preparation["data"])
    try:
        with open(os.path.join(workdir, _files.call_file(rank)), "rb") as f:
            fn, args = pickle.load(f)
        _leave_segments_to_parent()
        fn(rank, *args)
    except KeyboardInterrupt:
        pass  # as torch's spawn: the parent sees the exit status
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        if code:
            _end(code)
    except Exception:
        _write(workdir, _files.error_file(rank), traceback.format_exc())
        _end(1)
    _write(workdir, _files.done_file(rank), "")


if __name__ == "__main__":
    main(sys.argv[1])
