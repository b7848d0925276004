"""Run under mpirun -n 2 (or 3): fully_shard (FSDP2) training equals one process training
on the whole batch; parameters are Shard(0) DTensors split as torch.chunk splits; gradient
sync can be switched off; state_dict keeps the plain module's keys."""
import numpy as np

import ember as torch
import ember.distributed as dist
from ember import nn
from ember.distributed.fsdp import FSDPModule, fully_shard
from ember.distributed.tensor import DTensor, Shard, distribute_tensor, init_device_mesh

dist.init_process_group("mpi")
rank, n = dist.get_rank(), dist.get_world_size()


def make():
    torch.manual_seed(0)  # the same start on every rank, as fully_shard expects
    # 7 rows split 4+3 (n=2) or 3+3+1 (n=3); 2 rows leave rank 2 of 3 empty
    return nn.Sequential(nn.Linear(5, 7), nn.Tanh(), nn.Linear(7, 2), nn.Tanh(),
                         nn.Linear(2, 3)).double()


reference, model = make(), make()
keys = list(model.state_dict())
mesh = init_device_mesh("cpu", (n,))
for layer in model:
    if isinstance(layer, nn.Linear):
        fully_shard(layer, mesh=mesh)
fully_shard(model, mesh=mesh)
assert type(model).__name__ == "FSDPSequential" and isinstance(model, nn.Sequential)
assert isinstance(model, FSDPModule) and isinstance(model[0], FSDPModule)
for (name, p), q in zip(model.named_parameters(), reference.parameters()):
    assert isinstance(p, DTensor) and isinstance(p, nn.Parameter), name
    assert p.placements == (Shard(0),)
    assert p.shape == q.chunk(n)[rank].shape if rank < len(q.chunk(n)) else p.shape[0] == 0, name
    assert np.array_equal(p.full_tensor().detach().numpy(), q.detach().numpy()), name
assert list(model.state_dict()) == keys
print(f"rank {rank} fully_shard layout ok", flush=True)

gen = torch.Generator().manual_seed(1)
per_rank = 3
xs = torch.randn(4, per_rank * n, 5, generator=gen, dtype=torch.float64)
ys = torch.randn(4, per_rank * n, 3, generator=gen, dtype=torch.float64)
mine = slice(rank * per_rank, (rank + 1) * per_rank)
opt = torch.optim.Adam(model.parameters(), lr=0.05)
ref_opt = torch.optim.Adam(reference.parameters(), lr=0.05)
for x, y in zip(xs, ys):
    opt.zero_grad()
    ((model(x[mine]) - y[mine]) ** 2).mean().backward()
    opt.step()
    ref_opt.zero_grad()
    ((reference(x) - y) ** 2).mean().backward()
    ref_opt.step()
sd = model.state_dict()
for key, q in reference.state_dict().items():
    assert isinstance(sd[key], DTensor), key
    np.testing.assert_allclose(sd[key].full_tensor().numpy(), q.numpy(), rtol=1e-9, atol=1e-12)
print(f"rank {rank} fully_shard train ok", flush=True)

# gradient sync off for two backwards, on for the third: the average of all three
model.zero_grad()
reference.zero_grad()
model.set_requires_gradient_sync(False)
for x in xs[:2]:
    model(x[mine]).sum().backward()
    assert all(p.grad is None for p in model.parameters())
model.set_requires_gradient_sync(True)
model(xs[2][mine]).sum().backward()
for x in xs[:3]:
    reference(x).sum().backward()
for p, q in zip(model.parameters(), reference.parameters()):
    whole = torch.zeros_like(q)
    start = min(rank * -(-q.shape[0] // n), q.shape[0])
    whole[start:start + p.shape[0]] = p.grad
    dist.all_reduce(whole)
    np.testing.assert_allclose(whole.numpy(), q.grad.numpy() / n, rtol=1e-9, atol=1e-12)

# unshard/reshard, and distribute_tensor
sharded = model[0].weight
model[0].unshard()  # a module's own parameters, as torch's
assert model[0].weight.shape == (7, 5) and not isinstance(model[0].weight, DTensor)
model[0].reshard()
assert model[0].weight is sharded
d = distribute_tensor(torch.arange(10.0) + rank, mesh, [Shard(0)])  # rank 0's values
assert np.array_equal(d.full_tensor().numpy(), np.arange(10.0))
print(f"rank {rank} fully_shard sync ok", flush=True)
