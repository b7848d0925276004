"""A torch-style script that starts its ranks with mp.spawn: DDP on a tiny model and an
all_reduce. Run as ``python -m ember.run spawn_style.py`` (torch from ember) or as
``python spawn_style.py --ember`` (the same code on ``import ember as torch``)."""
import copy
import os
import sys

if "--ember" in sys.argv:
    import ember as torch
    import ember.distributed as dist
    import ember.multiprocessing as mp
    from ember import nn
    from ember.nn.parallel import DistributedDataParallel as DDP
else:
    import torch
    import torch.distributed as dist
    import torch.multiprocessing as mp
    from torch import nn
    from torch.nn.parallel import DistributedDataParallel as DDP


def main(rank, world_size):
    os.environ["MASTER_ADDR"] = "localhost"
    os.environ["MASTER_PORT"] = "12355"
    dist.init_process_group("gloo", rank=rank, world_size=world_size)
    assert dist.get_rank() == rank and dist.get_world_size() == world_size

    t = torch.tensor([float(rank + 1)])
    dist.all_reduce(t)
    assert t.item() == world_size * (world_size + 1) / 2, t

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    whole = copy.deepcopy(model)
    ddp = DDP(model)
    x, y = torch.randn(4 * world_size, 3), torch.randn(4 * world_size, 1)
    mine = slice(4 * rank, 4 * rank + 4)
    nn.functional.mse_loss(ddp(x[mine]), y[mine]).backward()
    nn.functional.mse_loss(whole(x), y).backward()
    for p, q in zip(model.parameters(), whole.parameters()):
        assert torch.allclose(p.grad, q.grad, atol=1e-6), (p.grad, q.grad)
    print(f"rank {rank} ok ({torch.__name__}, {type(ddp).__module__})", flush=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    world_size = 2
    mp.spawn(main, args=(world_size,), nprocs=world_size, join=True)
    print("parent done", flush=True)
