"""ember.multiprocessing: spawn and its errors, tensors shared through queues, Hogwild."""
import os

import numpy as np
import pytest

import ember as torch
import ember.multiprocessing as mp
from ember import nn


def _shm_names():
    """The shared memory segments Python created (OpenMPI keeps its own there)."""
    if not os.path.isdir("/dev/shm"):
        return set()
    return {name for name in os.listdir("/dev/shm") if name.startswith("psm_")}


@pytest.fixture(autouse=True)
def no_leaked_segments():
    """Every test must leave /dev/shm as it found it."""
    import gc
    before = _shm_names()
    yield
    gc.collect()
    assert _shm_names() - before == set()


def _fail_on_one(i, message):
    if i == 1:
        raise ValueError(message)


def test_spawn_reraises_child_traceback():
    with pytest.raises(mp.ProcessRaisedException, match="ValueError: boom") as info:
        mp.spawn(_fail_on_one, args=("boom",), nprocs=2)
    assert info.value.error_index == 1 and "_fail_on_one" in str(info.value)


def _exit_badly(i):
    os._exit(3)


def test_spawn_reports_exit_code():
    with pytest.raises(mp.ProcessExitedException, match="exit code 3") as info:
        mp.spawn(_exit_badly, nprocs=1)
    assert info.value.exit_code == 3


def test_sharing_strategy():
    assert mp.get_sharing_strategy() in mp.get_all_sharing_strategies()
    with pytest.raises(ValueError):
        mp.set_sharing_strategy("nope")


def test_share_memory_keeps_identity_and_values():
    t = torch.arange(6.0).reshape(2, 3)
    assert not t.is_shared()
    assert t.share_memory_() is t and t.is_shared()
    assert t.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert t[1].is_shared()  # a view of shared storage is shared too


def _add_one_and_send_back(queue, back):
    t = queue.get()
    assert t.is_shared()
    t.add_(1)
    back.put(t[1:])


@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_tensor_through_queue_shares_memory(method):
    ctx = mp.get_context(method)
    queue, back = ctx.Queue(), ctx.Queue()
    t = torch.zeros(4)
    proc = ctx.Process(target=_add_one_and_send_back, args=(queue, back))
    proc.start()
    queue.put(t)
    view = back.get(timeout=60)
    proc.join(60)
    assert proc.exitcode == 0
    assert t.tolist() == [1.0] * 4  # the child's in-place add is seen here
    assert view.tolist() == [1.0] * 3 and view.is_shared()


def _fill_shared(t):
    with torch.no_grad():
        t.fill_(7.0)


def test_module_share_memory_round_trip():
    model = nn.Linear(2, 2)
    weight = model.weight
    model.share_memory()
    assert model.weight is weight and all(p.is_shared() for p in model.parameters())
    ctx = mp.get_context("spawn")
    proc = ctx.Process(target=_fill_shared, args=(model.weight,))
    proc.start()
    proc.join(60)
    assert proc.exitcode == 0 and model.weight.tolist() == [[7.0, 7.0], [7.0, 7.0]]


def _hogwild(rank, model, data, target, steps):
    torch.manual_seed(rank)
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    for _ in range(steps):
        idx = torch.randint(0, data.shape[0], (16,))
        opt.zero_grad()
        nn.functional.mse_loss(model(data[idx]), target[idx]).backward()
        opt.step()


def test_hogwild_training_converges():
    torch.manual_seed(0)
    model = nn.Linear(5, 1)
    data = torch.randn(64, 5)
    target = data @ torch.tensor([[1.0], [-2.0], [0.5], [3.0], [0.0]]) + 0.3
    model.share_memory()
    before = [p.detach().clone() for p in model.parameters()]
    loss0 = nn.functional.mse_loss(model(data), target).item()
    mp.spawn(_hogwild, args=(model, data, target, 60), nprocs=2)
    loss1 = nn.functional.mse_loss(model(data), target).item()
    assert not np.allclose(before[0].numpy(), model.weight.detach().numpy())
    assert loss1 < 0.2 * loss0


def test_children_under_ember_run_import_ember_as_torch():
    import subprocess
    import sys
    script = os.path.join(os.path.dirname(__file__), "spawn_script.py")
    res = subprocess.run([sys.executable, "-m", "ember.run", script], capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    for method in ("spawn", "forkserver"):
        assert f"{method} [(0, 'ember', 'torch', 2.0), (1, 'ember', 'torch', 2.0)]" in res.stdout
