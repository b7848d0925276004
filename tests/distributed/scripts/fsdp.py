"""FSDP training under mpirun -n N equals one process training on the whole batch; its state
dicts (full, sharded, local) round-trip and the full one loads into a plain module."""
import copy

import ember as torch
import ember.distributed as dist
from ember import nn
from ember.distributed.fsdp import FullStateDictConfig, StateDictType
from ember.distributed.fsdp import FullyShardedDataParallel as FSDP


def mlp():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(5, 7), nn.ReLU(), nn.Linear(7, 3), nn.LayerNorm(3))


def close(a, b):
    return torch.allclose(a, b, atol=1e-5, rtol=1e-4)


dist.init_process_group("gloo")
rank, n = dist.get_rank(), dist.get_world_size()
plain = mlp()
model = FSDP(mlp())
assert len(list(model.parameters())) == 1  # one flat shard per rank
numel = sum(p.numel() for p in plain.parameters())
assert model._flat_param.numel() == -(-numel // n)

opt = torch.optim.Adam(model.parameters(), lr=0.01)
ref_opt = torch.optim.Adam(plain.parameters(), lr=0.01)
torch.manual_seed(1)
for step in range(4):
    x, y = torch.randn(4 * n, 5), torch.randn(4 * n, 3)
    mine = slice(4 * rank, 4 * rank + 4)
    opt.zero_grad()
    nn.functional.mse_loss(model(x[mine]), y[mine]).backward()
    model.clip_grad_norm_(0.5)
    opt.step()
    ref_opt.zero_grad()
    nn.functional.mse_loss(plain(x), y).backward()
    nn.utils.clip_grad_norm_(plain.parameters(), 0.5)
    ref_opt.step()

full = model.state_dict()
ref = plain.state_dict()
params = {k for k, _ in plain.named_parameters()}
assert list(full) == list(ref), (list(full), list(ref))
for k in params:
    assert close(full[k], ref[k]), (k, full[k], ref[k])

fresh = mlp()
fresh.load_state_dict(full)
with torch.no_grad():
    x = torch.randn(6, 5)
    assert close(fresh(x), model(x))
print(f"rank {rank} fsdp train ok", flush=True)

with FSDP.state_dict_type(model, StateDictType.FULL_STATE_DICT,
                          FullStateDictConfig(offload_to_cpu=True, rank0_only=True)):
    only0 = model.state_dict()
assert (len(only0) > 0) == (rank == 0)

with FSDP.state_dict_type(model, StateDictType.SHARDED_STATE_DICT):
    sharded = model.state_dict()
    assert sharded["0.weight"].shape[0] == (7 + n - 1) // n or rank == n - 1
    other = FSDP(copy.deepcopy(plain))
    with FSDP.state_dict_type(other, StateDictType.SHARDED_STATE_DICT):
        other.load_state_dict(sharded)
assert all(close(a, b) for a, b in zip(other.state_dict().values(), full.values()))

with FSDP.state_dict_type(model, StateDictType.LOCAL_STATE_DICT):
    local = model.state_dict()
    assert torch.equal(local["_flat_param"], model._flat_param.detach())

with FSDP.summon_full_params(model):
    w = model.module[0].weight
    assert tuple(w.shape) == (7, 5) and close(w, full["0.weight"])
    with torch.no_grad():
        w.zero_()
assert model.state_dict()["0.weight"].abs().sum().item() == 0
print(f"rank {rank} fsdp state ok", flush=True)
dist.destroy_process_group()
