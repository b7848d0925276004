"""A torch script whose spawn / forkserver children report which torch they imported."""
import torch
import torch.multiprocessing as mp


def work(i, q):
    import torch as t2
    q.put((i, t2.__name__, type(t2.ones(1)).__module__, t2.ones(2).sum().item()))


if __name__ == "__main__":
    for method in ("spawn", "forkserver"):
        ctx = mp.get_context(method)
        q = ctx.Queue()
        mp.start_processes(work, args=(q,), nprocs=2, start_method=method)
        print(method, sorted(q.get() for _ in range(2)))
