"""Run under mpirun -n 2 (or 3): SyncBatchNorm on each rank's slice of a batch gives what one
BatchNorm gives on the whole batch: outputs, input gradients, the summed weight and bias
gradients and the running statistics."""
import numpy as np

import ember as torch
import ember.distributed as dist
from ember import nn

dist.init_process_group("mpi")
rank, n = dist.get_rank(), dist.get_world_size()

gen = torch.Generator().manual_seed(0)
per_rank = [3, 2, 4][:n]  # uneven slices: the statistics must weigh ranks by their counts
start = sum(per_rank[:rank])
x_all = torch.randn(sum(per_rank), 4, 5, 3, generator=gen, dtype=torch.float64) * 2 + 1
g_all = torch.randn(x_all.shape, generator=gen, dtype=torch.float64)

torch.manual_seed(0)
plain = nn.Sequential(nn.Conv2d(4, 4, 1), nn.BatchNorm2d(4)).double()
with torch.no_grad():
    plain[1].weight.uniform_(0.5, 1.5)
    plain[1].bias.uniform_(-1, 1)
synced = nn.SyncBatchNorm.convert_sync_batchnorm(plain)
assert type(synced[1]) is nn.SyncBatchNorm and synced[1].weight is plain[1].weight
reference = nn.Sequential(nn.Conv2d(4, 4, 1), nn.BatchNorm2d(4)).double()
reference.load_state_dict(plain.state_dict())

for step in range(2):  # twice: the running statistics follow the momentum update
    x = x_all[start:start + per_rank[rank]].clone().requires_grad_()
    x_ref = x_all.clone().requires_grad_()
    synced.zero_grad()
    reference.zero_grad()
    out = synced(x)
    out_ref = reference(x_ref)
    (out * g_all[start:start + per_rank[rank]]).sum().backward()
    (out_ref * g_all).sum().backward()
    np.testing.assert_allclose(out.detach().numpy(),
                               out_ref.detach().numpy()[start:start + per_rank[rank]],
                               rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), x_ref.grad.numpy()[start:start + per_rank[rank]],
                               rtol=1e-9, atol=1e-12)
    for p, p_ref in zip(synced.parameters(), reference.parameters()):
        total = p.grad.clone()
        dist.all_reduce(total)  # each rank holds its own batch's part of the sum
        np.testing.assert_allclose(total.numpy(), p_ref.grad.numpy(), rtol=1e-9, atol=1e-12)
    for name in ("running_mean", "running_var", "num_batches_tracked"):
        np.testing.assert_allclose(getattr(synced[1], name).numpy(),
                                   getattr(reference[1], name).numpy(), rtol=1e-12)

synced.eval()  # in eval the running statistics are used, no communication
np.testing.assert_allclose(synced(x_all[:2]).detach().numpy(),
                           reference.eval()(x_all[:2]).detach().numpy(), rtol=1e-12)
print(f"rank {rank} syncbn ok", flush=True)
dist.destroy_process_group()
