"""The MPI scripts in scripts/, each started as one job of several ranks by mpirun."""
import ast
import shutil
import subprocess
import sys
import time
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


def test_killed_rank_ends_the_job():
    start = time.monotonic()
    res = mpirun(2, SCRIPTS / "failures.py", "kill", timeout=100)
    assert res.returncode != 0
    assert "should never get here" not in res.stdout
    assert time.monotonic() - start < 60  # well before rank 0's 120 s collective timeout


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


# ---- mp.spawn scripts: the children start as one MPI job

def _python(*args, env=None, timeout=60):
    import os
    full = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env=full)


@pytest.mark.parametrize("how", ["runner", "ember_imports"])
def test_spawn_style_script_forms_one_world(how):
    script = SCRIPTS / "spawn_style.py"
    res = _python("-m", "ember.run", script) if how == "runner" else _python(script, "--ember")
    assert res.returncode == 0, res.stdout + res.stderr
    ddp = "torch" if how == "runner" else "ember"  # under the runner ember's names are torch's
    for r in range(2):
        assert f"rank {r} ok (ember, {ddp}.nn.parallel.distributed)" in res.stdout, res.stdout
    # the children import the script as __mp_main__: its __main__ block runs once, here
    assert res.stdout.count("parent done") == 1, res.stdout


def _spawn_failures(mode, env=None):
    return _python(SCRIPTS / "spawn_failures.py", mode, env=env)


def test_spawn_child_exception_reaches_parent_with_traceback():
    res = _spawn_failures("raise")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "caught ProcessRaisedException index 1" in res.stdout
    assert "in raise_in_one" in res.stdout and "RuntimeError: rank 1 fails on purpose" in res.stdout
    assert "should never get here" not in res.stdout


def test_spawn_child_killed_by_signal():
    res = _spawn_failures("signal")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "caught ProcessExitedException index 1" in res.stdout
    assert "signal SIGKILL code -9" in res.stdout


def test_spawn_child_exit_code():
    res = _spawn_failures("exit")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "caught ProcessExitedException index 1" in res.stdout and "exit code 7" in res.stdout


def test_spawn_rank_that_disagrees_with_mpi_is_an_error():
    res = _spawn_failures("wrong_rank")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "does not match the MPI rank" in res.stdout


def test_spawn_without_join_returns_a_context_to_join():
    res = _spawn_failures("nojoin")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "rank 0/2" in res.stdout and "rank 1/2" in res.stdout
    pids = ast.literal_eval(res.stdout.split("pids", 1)[1].splitlines()[0].strip())
    assert len(pids) == 2 and all(p > 0 for p in pids)  # both children reported their pid


def test_spawn_switch_keeps_plain_multiprocessing():
    res = _spawn_failures("plain", env={"EMBER_SPAWN_MPI": "0"})
    assert res.returncode == 0, res.stdout + res.stderr
    assert "does not match the MPI world of 1" in res.stdout


@pytest.mark.parametrize("n", [2, 3])
def test_fsdp_matches_one_process_training_and_state_dicts_round_trip(n):
    res = mpirun(n, SCRIPTS / "fsdp.py", timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    for r in range(n):
        assert f"rank {r} fsdp train ok" in res.stdout and f"rank {r} fsdp state ok" in res.stdout


# ---- torch.distributed.rpc

@pytest.mark.parametrize("n", [2, 3])
def test_rpc_calls_rrefs_and_parameter_server(n):
    res = mpirun(n, "-m", "ember.run", SCRIPTS / "rpc.py", timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    for r in range(n):
        for what in ("calls", "worker info", "rref", "rref passed on", "nested", "exceptions",
                     "shutdown"):
            assert f"rank {r} {what} ok" in res.stdout, res.stdout + res.stderr
    assert "rank 0 parameter server ok" in res.stdout
