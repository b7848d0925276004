"""torch.distributed.rpc in a world of one: a process run alone calls itself.

Each case runs in a fresh interpreter (this file run as a script), so that MPI is never
initialized in the pytest process, whose later tests start mpirun jobs of their own."""
import pickle
import subprocess
import sys

import pytest

import ember
import ember.distributed.rpc as rpc


def triple(t, plus=0):
    return t * 3 + plus


def fails():
    raise KeyError("missing on purpose")


def calls_itself():
    me = rpc.get_worker_info()
    assert (me.name, me.id) == ("solo", 0)
    t = ember.arange(3, dtype=ember.int32)
    out = rpc.rpc_sync("solo", triple, (t,), {"plus": 1})
    assert out.dtype == ember.int32 and out.tolist() == [1, 4, 7]
    assert rpc.rpc_async(0, ember.add, (t, 1)).wait().tolist() == [1, 2, 3]


def remote_on_itself_is_owned_here():
    rref = rpc.remote(rpc.get_worker_info(), triple, (ember.ones(2),))
    assert rref.is_owner() and rref.owner() == rpc.get_worker_info()
    assert rref.to_here().tolist() == [3.0, 3.0] and rref.local_value().tolist() == [3.0, 3.0]
    assert rref.rpc_sync().sum().item() == 6.0


def remote_exception_keeps_its_type():
    with pytest.raises(KeyError, match="missing on purpose"):
        rpc.rpc_sync("solo", fails)
    with pytest.raises(KeyError, match=r"On WorkerInfo\(id=0, name=solo\)"):
        rpc.remote("solo", fails).to_here()


def rref_pickles_only_inside_rpc():
    with pytest.raises(RuntimeError, match="only be pickled when using RPC"):
        pickle.dumps(rpc.RRef(1))


CASES = {f.__name__: f for f in (calls_itself, remote_on_itself_is_owned_here,
                                 remote_exception_keeps_its_type, rref_pickles_only_inside_rpc)}


def bad_arguments():
    with pytest.raises(ValueError, match="world_size=2 does not match the MPI world of 1"):
        rpc.init_rpc("solo", world_size=2)
    with pytest.raises(ValueError, match="rank=1 does not match the MPI rank 0"):
        rpc.init_rpc("solo", rank=1)
    with pytest.raises(ValueError, match="Worker name must match"):
        rpc.init_rpc("two words")


def _run_alone(case: str) -> None:
    if case == "bad_arguments":
        bad_arguments()
    else:
        rpc.init_rpc("solo", rank=0, world_size=1)
        CASES[case]()
        rpc.shutdown()
    print(f"{case} ok")


@pytest.mark.parametrize("case", [*CASES, "bad_arguments"])
def test_world_of_one(case):
    pytest.importorskip("mpi4py", reason="ember.distributed.rpc needs mpi4py")
    res = subprocess.run([sys.executable, __file__, case], capture_output=True, text=True,
                         timeout=60)
    assert res.returncode == 0 and f"{case} ok" in res.stdout, res.stdout + res.stderr


def test_calls_before_init_rpc_say_so():
    with pytest.raises(RuntimeError, match="RPC has not been initialized"):
        rpc.get_worker_info()


def test_without_mpi4py_unavailable_and_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "mpi4py", None)
    assert not rpc.is_available()
    with pytest.raises(RuntimeError, match="pip install mpi4py"):
        rpc.init_rpc("solo")


if __name__ == "__main__":
    _run_alone(sys.argv[1])
