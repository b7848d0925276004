"""ember.distributed without an MPI job: availability, errors before init, the launcher's command."""
import sys

import pytest

import ember as torch
import ember.distributed as dist
from ember.distributed import run


def test_without_mpi4py_unavailable_and_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "mpi4py", None)
    assert not dist.is_available() and not dist.is_mpi_available()
    with pytest.raises(RuntimeError, match="pip install mpi4py"):
        dist.init_process_group("gloo")


def test_calls_before_init_raise():
    assert not dist.is_initialized()
    with pytest.raises(ValueError, match="init_process_group"):
        dist.get_rank()
    with pytest.raises(ValueError, match="init_process_group"):
        dist.all_reduce(torch.ones(2))


def test_bad_backend_name():
    with pytest.raises(ValueError, match="Invalid backend"):
        dist.Backend("carrier-pigeon")


def test_launcher_builds_mpirun_command(monkeypatch):
    monkeypatch.setattr(run.shutil, "which", lambda name: "/usr/bin/mpirun")
    args = run._parser().parse_args(["--nproc_per_node", "3", "--master-port", "1234",
                                     "train.py", "--lr", "0.1"])
    cmd = run.mpirun_command(args)
    assert cmd[:3] == ["/usr/bin/mpirun", "-n", "3"]
    assert "MASTER_PORT=1234" in cmd
    assert cmd[-4:] == ["ember.distributed._rank", "train.py", "--lr", "0.1"]


def test_rank_environment_from_open_mpi():
    from ember.distributed._rank import set_rank_environment
    env = {"OMPI_COMM_WORLD_RANK": "2", "OMPI_COMM_WORLD_SIZE": "4",
           "OMPI_COMM_WORLD_LOCAL_RANK": "2", "OMPI_COMM_WORLD_LOCAL_SIZE": "4"}
    set_rank_environment(env)
    assert (env["RANK"], env["WORLD_SIZE"], env["LOCAL_RANK"], env["LOCAL_WORLD_SIZE"]) == \
        ("2", "4", "2", "4")
