"""When spawn starts its children as one MPI job, and when it keeps plain multiprocessing."""
import shutil
import threading

import pytest

import ember as torch
from ember.multiprocessing import _mpi_spawn

_HAVE_MPI = shutil.which("mpirun") is not None
try:
    import mpi4py  # noqa: F401
except ImportError:
    _HAVE_MPI = False


@pytest.mark.skipif(not _HAVE_MPI, reason="needs mpirun and mpi4py")
def test_mpi_path_for_several_children(monkeypatch):
    monkeypatch.delenv("EMBER_SPAWN_MPI", raising=False)
    monkeypatch.delenv("OMPI_COMM_WORLD_SIZE", raising=False)
    assert _mpi_spawn.usable(2)
    assert not _mpi_spawn.usable(1)


@pytest.mark.parametrize("value", ["0", "off", "false"])
def test_switch_forces_plain_multiprocessing(monkeypatch, value):
    monkeypatch.setenv("EMBER_SPAWN_MPI", value)
    assert not _mpi_spawn.usable(4)


def test_a_rank_of_a_job_spawns_plain_children(monkeypatch):
    monkeypatch.setenv("OMPI_COMM_WORLD_SIZE", "2")
    assert not _mpi_spawn.usable(4)


def _top_level(rank):
    pass


def test_unpicklable_arguments_take_the_plain_path():
    assert _mpi_spawn._picklable((_top_level, (torch.ones(2),)))
    assert not _mpi_spawn._picklable((lambda rank: None, ()))
    assert not _mpi_spawn._picklable((_top_level, (threading.Lock(),)))


def test_trying_to_pickle_leaves_tensors_where_they_are():
    t = torch.ones(3)
    assert _mpi_spawn._picklable((_top_level, (t,)))
    assert not t.is_shared()


def test_mpirun_environment_drops_the_parents_job(monkeypatch):
    monkeypatch.setenv("PMIX_RANK", "0")
    monkeypatch.setenv("OMPI_MCA_ess", "singleton")
    monkeypatch.setenv("OMPI_MCA_btl", "self,tcp")
    env = _mpi_spawn._child_environment()
    assert "PMIX_RANK" not in env and "OMPI_MCA_ess" not in env
    assert env["OMPI_MCA_btl"] == "self,tcp"  # the user's own MPI settings stay
