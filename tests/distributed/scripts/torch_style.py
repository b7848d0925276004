"""An unmodified torch-style DDP script: run by mpirun, ember.distributed.run or alone."""
import os
import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel as DDP

dist.init_process_group("gloo")
rank = dist.get_rank()
assert rank == int(os.environ.get("RANK", rank)), "RANK disagrees"
model = DDP(nn.Linear(4, 1))
torch.manual_seed(rank)
loss = model(torch.randn(8, 4)).pow(2).mean()
loss.backward()
g = model.module.weight.grad.clone()
gs = [torch.zeros_like(g) for _ in range(dist.get_world_size())]
dist.all_gather(gs, g)
assert all(torch.equal(x, g) for x in gs)
print(f"rank {rank}/{dist.get_world_size()} local {os.environ.get('LOCAL_RANK')} {type(model).__module__} ok", flush=True)
dist.destroy_process_group()
