"""fully_shard (FSDP2) under mpirun: the scripts/fully_shard.py checks on 2 and 3 ranks."""
import pytest

pytest.importorskip("mpi4py", reason="ember.distributed needs mpi4py (pip install mpi4py)")

from test_mpi import SCRIPTS, mpirun  # noqa: E402


@pytest.mark.parametrize("n", [2, 3])
def test_fully_shard_trains_as_one_process_and_keeps_state_dict_keys(n):
    res = mpirun(n, SCRIPTS / "fully_shard.py", timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    for r in range(n):
        for part in ("layout", "train", "sync"):
            assert f"rank {r} fully_shard {part} ok" in res.stdout, res.stdout


def test_fully_shard_needs_a_process_group():
    from ember import nn
    from ember.distributed.fsdp import fully_shard
    with pytest.raises(ValueError, match="init_process_group"):
        fully_shard(nn.Linear(2, 2))
