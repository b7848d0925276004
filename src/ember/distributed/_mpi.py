"""The MPI engine behind ember.distributed: mpi4py imported on demand, and request polling."""
from __future__ import annotations

import time

_INSTALL = ("ember.distributed needs MPI: install OpenMPI (e.g. `apt-get install openmpi-bin "
            "libopenmpi-dev`) and `pip install mpi4py` (or `pip install -e \".[distributed]\"`)")


def available() -> bool:
    """Whether mpi4py (and so an MPI library) can be imported."""
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return False
    return True


def mpi():
    """The ``mpi4py.MPI`` module, or a RuntimeError saying what to install."""
    try:
        from mpi4py import MPI
    except ImportError as exc:
        raise RuntimeError(_INSTALL) from exc
    return MPI


class DistBackendError(RuntimeError):
    """A collective failed in the backend (for instance it ran past the group's timeout)."""


def wait_all(requests, deadline: float, what: str, status=None) -> None:
    """Poll the MPI ``requests`` until all complete; past ``deadline`` raise DistBackendError.

    ``status``, given with a single request, receives that request's MPI status."""
    MPI = mpi()
    pause = 0.0  # first only yield: small collectives finish within microseconds
    while not (requests[0].Test(status) if status is not None
               else MPI.Request.Testall(requests)):
        if time.monotonic() > deadline:
            raise DistBackendError(f"{what} timed out: the other ranks did not take part "
                                   "within the process group's timeout")
        time.sleep(pause)
        pause = min(pause * 2 or 1e-6, 1e-3)
