"""Run under mpirun -n 2 (or 3): DistributedDataParallel training of the digits CNN.

Every rank trains on its slice of each batch; the parameters must end bit-identical on all
ranks and equal (float tolerance) to one process training on the whole batch."""
import copy

import numpy as np

import ember as torch
import ember.distributed as dist
from ember import nn
from ember.examples.digits import DigitsCNN
from ember.nn.parallel import DistributedDataParallel as DDP
from ember.utils.data import DistributedSampler

dist.init_process_group("mpi")
rank, n = dist.get_rank(), dist.get_world_size()

torch.manual_seed(rank)  # different on every rank: the wrap must copy rank 0's
model = DigitsCNN().double().eval()  # eval: no dropout, so runs are comparable
reference = copy.deepcopy(model)  # on rank 0: the start every rank gets from the wrap
start = torch.cat([p.detach().reshape(-1) for p in model.parameters()])
ddp = DDP(model, bucket_cap_mb=0.05)  # small buckets: several all-reduces in flight
assert len(ddp.reducer.buckets) > 2
assert all(k.startswith("module.") for k in ddp.state_dict())

gen = torch.Generator().manual_seed(0)
per_rank, steps = 4, 4
xs = torch.randn(steps, per_rank * n, 1, 8, 8, generator=gen, dtype=torch.float64)
ys = torch.randint(0, 10, (steps, per_rank * n), generator=gen)
loss_fn = nn.CrossEntropyLoss()


def train(net, opt, batches):
    for x, y in batches:
        opt.zero_grad()
        loss_fn(net(x), y).backward()
        opt.step()


mine = slice(rank * per_rank, (rank + 1) * per_rank)
train(ddp, torch.optim.SGD(ddp.parameters(), lr=0.1), [(x[mine], y[mine]) for x, y in zip(xs, ys)])
flat = torch.cat([p.detach().reshape(-1) for p in model.parameters()])
everyone = [torch.zeros_like(flat) for _ in range(n)]
dist.all_gather(everyone, flat)
for other in everyone:
    assert np.array_equal(other.numpy(), flat.numpy()), "ranks differ"
if rank == 0:
    train(reference, torch.optim.SGD(reference.parameters(), lr=0.1), list(zip(xs, ys)))
    ref = torch.cat([p.detach().reshape(-1) for p in reference.parameters()])
    np.testing.assert_allclose(flat.numpy(), ref.numpy(), rtol=1e-10, atol=1e-12)
    assert not np.allclose(flat.numpy(), start.numpy())  # training moved them
print(f"rank {rank} ok", flush=True)

# no_sync: two local backwards, then a synchronized one, average the sum of all three
net = DDP(nn.Linear(3, 1, dtype=torch.float64))
x = torch.arange(3.0 * n, dtype=torch.float64).reshape(n, 3) + 1
with net.no_sync():
    net(x[rank]).sum().backward()
    net(x[rank]).sum().backward()
    local = net.module.weight.grad.clone()
    assert np.array_equal(local.numpy(), 2 * x[rank:rank + 1].numpy())
net(x[rank]).sum().backward()
np.testing.assert_allclose(net.module.weight.grad.numpy(), 3 * x.mean(0, keepdim=True).numpy())


class TwoHeads(nn.Module):
    """Rank 0 uses head a, the others head b: unused parameters differ between ranks."""

    def __init__(self):
        super().__init__()
        self.a = nn.Linear(2, 1, bias=False, dtype=torch.float64)
        self.b = nn.Linear(2, 1, bias=False, dtype=torch.float64)

    def forward(self, x):
        return self.a(x) if rank == 0 else self.b(x)


net = DDP(TwoHeads(), find_unused_parameters=True)
net(torch.ones(2, dtype=torch.float64)).sum().backward()
np.testing.assert_allclose(net.module.a.weight.grad.numpy(), [[1 / n, 1 / n]])
np.testing.assert_allclose(net.module.b.weight.grad.numpy(), [[(n - 1) / n] * 2])

# DistributedSampler: the ranks' shards cover the dataset once (padded to equal length)
shard = list(DistributedSampler(range(10), num_replicas=n, rank=rank, shuffle=True, seed=3))
shards = [None] * n
dist.all_gather_object(shards, shard)
assert sorted(set(i for s in shards for i in s)) == list(range(10))
assert len({len(s) for s in shards}) == 1
print(f"rank {rank} extras ok", flush=True)
