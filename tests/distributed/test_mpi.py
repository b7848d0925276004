"""The MPI scripts in scripts/, each started as one job of several ranks by mpirun."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mpi4py", reason="ember.distributed needs mpi4py (pip install mpi4py)")
if shutil.which("mpirun") is None:
    pytest.skip("mpirun not found (apt-get install openmpi-bin)", allow_module_level=True)

SCRIPTS = Path(__file__).parent / "scripts"


def mpirun(n, *args, timeout=60):
    """Run ``python args...`` as ``n`` MPI ranks; the finished process (fails on deadlock)."""
    cmd = ["mpirun", "-n", str(n), "--allow-run-as-root", "--oversubscribe",
           sys.executable, *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("n", [2, 3])
def test_collectives(n):
    res = mpirun(n, SCRIPTS / "collectives.py")
    assert res.returncode == 0, res.stdout + res.stderr
    # mpirun may run the ranks' lines together: look for each one
    assert all(f"rank {r}/{n} ok" in res.stdout for r in range(n)), res.stdout


def test_timeout_turns_hang_into_error():
    res = mpirun(2, SCRIPTS / "failures.py", "timeout")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "rank 0 timed out" in res.stdout


def test_raising_rank_ends_the_job():
    res = mpirun(2, SCRIPTS / "failures.py", "raise")
    assert res.returncode != 0
    assert "rank 1 fails on purpose" in res.stderr
    assert "should never get here" not in res.stdout


@pytest.mark.parametrize("n", [2, 3])
def test_ddp_matches_one_process_training(n):
    res = mpirun(n, SCRIPTS / "ddp.py", timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    for r in range(n):
        assert f"rank {r} ok" in res.stdout and f"rank {r} extras ok" in res.stdout


@pytest.mark.parametrize("how", ["launcher", "mpirun", "alone"])
def test_same_script_under_every_launcher(how):
    script = SCRIPTS / "torch_style.py"
    n = 1 if how == "alone" else 2
    if how == "launcher":
        cmd = [sys.executable, "-m", "ember.distributed.run", "--nproc-per-node", "2", str(script)]
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    elif how == "mpirun":
        res = mpirun(2, "-m", "ember.run", script)
    else:
        res = subprocess.run([sys.executable, "-m", "ember.run", str(script)],
                             capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stdout + res.stderr
    for r in range(n):
        assert f"rank {r}/{n} " in res.stdout
    if how == "launcher":
        assert "local 1 " in res.stdout  # LOCAL_RANK set per rank


@pytest.mark.parametrize("n", [2, 3])
def test_sync_batchnorm_equals_one_batchnorm_on_the_whole_batch(n):
    res = mpirun(n, SCRIPTS / "syncbn.py", timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    assert all(f"rank {r} syncbn ok" in res.stdout for r in range(n)), res.stdout
