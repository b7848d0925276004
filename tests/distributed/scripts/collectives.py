"""Run under mpirun -n N: every collective of ember.distributed checked against NumPy."""
import datetime

import numpy as np

import ember as torch
import ember.distributed as dist

dist.init_process_group("gloo", timeout=datetime.timedelta(seconds=20))
rank, n = dist.get_rank(), dist.get_world_size()
assert dist.is_initialized() and dist.get_backend() == "gloo"


def values(r):
    """What rank ``r`` contributes: small distinct integers as float64."""
    return np.arange(4.0) + 10 * r + 1


everyone = np.stack([values(r) for r in range(n)])
expected = {dist.ReduceOp.SUM: everyone.sum(0), dist.ReduceOp.PRODUCT: everyone.prod(0),
            dist.ReduceOp.MIN: everyone.min(0), dist.ReduceOp.MAX: everyone.max(0),
            dist.ReduceOp.AVG: everyone.mean(0)}
for op, want in expected.items():
    t = torch.tensor(values(rank))
    dist.all_reduce(t, op=op)
    np.testing.assert_allclose(t.numpy(), want, err_msg=str(op))
ints = np.stack([np.array([3, 5, 12]) + r for r in range(n)])
for op, fold in [(dist.ReduceOp.BAND, np.bitwise_and), (dist.ReduceOp.BOR, np.bitwise_or),
                 (dist.ReduceOp.BXOR, np.bitwise_xor)]:
    t = torch.tensor(ints[rank])
    dist.all_reduce(t, op=op)
    assert t.tolist() == fold.reduce(ints, 0).tolist(), op
    assert t.dtype == torch.int64

# async: the tensor changes only once the work completes
t = torch.tensor(values(rank), dtype=torch.float32)
work = dist.all_reduce(t, async_op=True)
assert work.wait() and work.is_completed()
np.testing.assert_allclose(t.numpy(), everyone.sum(0))

t = torch.full((2, 3), float(rank))
dist.broadcast(t, src=n - 1)
assert (t.numpy() == n - 1).all()

t = torch.tensor(values(rank))
dist.reduce(t, dst=0, op=dist.ReduceOp.MAX)
np.testing.assert_allclose(t.numpy(), everyone.max(0) if rank == 0 else values(rank))

out = [torch.zeros(4, dtype=torch.float64) for _ in range(n)]
dist.all_gather(out, torch.tensor(values(rank)))
np.testing.assert_allclose(np.stack([o.numpy() for o in out]), everyone)

big = torch.zeros(n * 4, dtype=torch.float64)
dist.all_gather_into_tensor(big, torch.tensor(values(rank)))
np.testing.assert_allclose(big.numpy(), everyone.reshape(-1))

gl = [torch.zeros(4, dtype=torch.float64) for _ in range(n)] if rank == 1 else None
dist.gather(torch.tensor(values(rank)), gl, dst=1)
if rank == 1:
    np.testing.assert_allclose(np.stack([g.numpy() for g in gl]), everyone)

t = torch.zeros(4, dtype=torch.float64)
dist.scatter(t, [torch.tensor(values(r)) for r in range(n)] if rank == 0 else None, src=0)
np.testing.assert_allclose(t.numpy(), values(rank))

# reduce_scatter: rank r gets sum over ranks of their input_list[r]
inputs = [torch.tensor(values(rank) * (j + 1)) for j in range(n)]
t = torch.zeros(4, dtype=torch.float64)
dist.reduce_scatter(t, inputs)
np.testing.assert_allclose(t.numpy(), everyone.sum(0) * (rank + 1))
t = torch.zeros(2, dtype=torch.float64)
dist.reduce_scatter_tensor(t, torch.arange(2.0 * n, dtype=torch.float64) + rank)
np.testing.assert_allclose(t.numpy(), n * np.arange(2.0 * rank, 2.0 * rank + 2) + sum(range(n)))

outs = [torch.zeros(2, dtype=torch.int64) for _ in range(n)]
dist.all_to_all(outs, [torch.tensor([rank, j]) for j in range(n)])
assert [o.tolist() for o in outs] == [[r, rank] for r in range(n)]
single = torch.zeros(n, dtype=torch.int64)
dist.all_to_all_single(single, torch.arange(n) + 100 * rank)
assert single.tolist() == [100 * r + rank for r in range(n)]

# point to point in a ring, blocking and non-blocking
right, left = (rank + 1) % n, (rank - 1) % n
got = torch.zeros(3, dtype=torch.int32)
reqs = [dist.isend(torch.full((3,), rank, dtype=torch.int32), right), dist.irecv(got, left)]
for r in reqs:
    r.wait()
assert got.tolist() == [left] * 3
if rank == 0:
    dist.send(torch.tensor([7.5]), dst=n - 1)
if rank == n - 1:
    t = torch.zeros(1)
    assert dist.recv(t) == 0 and t.item() == 7.5

objs = [None] * n
dist.all_gather_object(objs, {"rank": rank})
assert objs == [{"rank": r} for r in range(n)]
lst = ["a", rank] if rank == 0 else [None, None]
dist.broadcast_object_list(lst, src=0)
assert lst == ["a", 0]
box = [None]
dist.scatter_object_list(box, [f"to{r}" for r in range(n)] if rank == 0 else None, src=0)
assert box == [f"to{rank}"]

# sub-group of the even ranks
evens = dist.new_group([r for r in range(n) if r % 2 == 0])
t = torch.tensor([float(rank)])
dist.all_reduce(t, group=evens)
if rank % 2 == 0:
    assert t.item() == sum(r for r in range(n) if r % 2 == 0)
    assert dist.get_world_size(evens) == (n + 1) // 2
else:
    assert t.item() == rank and dist.get_rank(evens) == -1

dist.barrier()
dist.destroy_process_group()
assert not dist.is_initialized()
print(f"rank {rank}/{n} ok", flush=True)
