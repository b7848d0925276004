"""Run under mpirun -n N (N >= 2) through ``python -m ember.run``: torch.distributed.rpc
between the ranks, written as a PyTorch script."""
import os
import pickle
import threading
import time

import torch
import torch.distributed.rpc as rpc
from torch import nn


# ---- functions and classes the other ranks run (each rank runs this same script)

def scaled(t, factor=1, shift=0):
    return t * factor + shift, {"dtype": str(t.dtype), "who": rpc.get_worker_info().name}


def boom(message):
    raise ValueError(message)


def ask_back(caller, depth):
    """Nested RPC: call the caller back (and, at depth 2, a third worker)."""
    if depth == 0:
        return [rpc.get_worker_info().id]
    return [rpc.get_worker_info().id] + rpc.rpc_sync(caller, ask_back,
                                                     (rpc.get_worker_info().id, depth - 1))


class Counter:
    def __init__(self, start):
        self.value = start

    def add(self, k):
        self.value += k
        return self.value

    def get(self):
        return self.value


def on_owner(rref):
    """Run on the owner: the RRef is the owner's again."""
    return rref.is_owner(), rref.local_value().get()


def read_elsewhere(rref):
    """Run on a third worker: fetch the value from its owner."""
    return rref.owner().id, rref.to_here().get()


# ---- the parameter server and its trainers

class ParameterServer:
    def __init__(self):
        torch.manual_seed(0)
        self.model = nn.Linear(3, 1)
        self.lock = threading.Lock()
        self.updates = 0

    def parameters(self):
        with self.lock:
            return [p.detach().clone() for p in self.model.parameters()]

    def apply(self, grads, lr=0.1):
        with self.lock:
            with torch.no_grad():
                for p, g in zip(self.model.parameters(), grads):
                    p -= lr * g
            self.updates += 1
            return self.updates

    def loss(self, x, y):
        with torch.no_grad():
            return nn.functional.mse_loss(self.model(x), y).item()


def data():
    g = torch.Generator().manual_seed(1)
    x = torch.randn(64, 3, generator=g)
    return x, x @ torch.tensor([[1.0], [-2.0], [0.5]]) + 0.3


def train(ps_rref, steps):
    x, y = data()
    model = nn.Linear(3, 1)
    for _ in range(steps):
        for p, value in zip(model.parameters(), ps_rref.rpc_sync().parameters()):
            p.data.copy_(value)
        model.zero_grad()
        nn.functional.mse_loss(model(x), y).backward()
        ps_rref.rpc_sync().apply([p.grad for p in model.parameters()])
    return rpc.get_worker_info().name


# ---- join, now that every function the ranks call on each other is defined
rank, n = int(os.environ["OMPI_COMM_WORLD_RANK"]), int(os.environ["OMPI_COMM_WORLD_SIZE"])
options = rpc.TensorPipeRpcBackendOptions(num_worker_threads=4, rpc_timeout=30)
rpc.init_rpc(f"worker{rank}", rank=rank, world_size=n, rpc_backend_options=options)
peer, third = (rank + 1) % n, (rank + 2) % n


def ok(what):
    print(f"rank {rank} {what} ok", flush=True)


# ---- rpc_sync / rpc_async with tensors, kwargs, every form of `to`

for dtype in (torch.float16, torch.float32, torch.float64, torch.int64, torch.bool):
    t = torch.arange(6).reshape(2, 3).to(dtype)
    back = rpc.rpc_sync(f"worker{peer}", torch.clone, (t,))
    assert back.dtype == dtype and torch.equal(back, t), (dtype, back)
t = torch.arange(4.0, dtype=torch.float64)
for to in (peer, f"worker{peer}", rpc.get_worker_info(f"worker{peer}")):
    out, info = rpc.rpc_sync(to, scaled, (t,), {"factor": 2, "shift": 1})
    assert torch.equal(out, t * 2 + 1) and out.dtype == torch.float64
    assert info == {"dtype": "torch.float64", "who": f"worker{peer}"}
futs = [rpc.rpc_async(r, torch.add, (torch.ones(3, dtype=torch.int32), r)) for r in range(n)]
assert isinstance(futs[0], torch.futures.Future)
assert all(torch.equal(f.wait(), torch.full((3,), 1 + r, dtype=torch.int32))
           for r, f in enumerate(futs))
assert rpc.rpc_async(peer, scaled, (t,), {"factor": 3}).then(
    lambda f: f.value()[0].sum().item()).wait() == 18.0
ok("calls")

# ---- worker info

me = rpc.get_worker_info()
assert (me.name, me.id) == (f"worker{rank}", rank) and me == rpc.get_worker_info(me.name)
assert repr(me) == f"WorkerInfo(id={rank}, name=worker{rank})"
try:
    rpc.rpc_sync("nobody", torch.add, (1, 2))
except RuntimeError as e:
    assert "could not find destination name nobody" in str(e)
else:
    raise AssertionError("an unknown worker was accepted")
ok("worker info")

# ---- remote, RRef and its proxies

rref = rpc.remote(f"worker{peer}", Counter, (5,))
assert not rref.is_owner() and rref.owner() == rpc.get_worker_info(f"worker{peer}")
assert rref.owner_name() == f"worker{peer}"
assert rref.rpc_sync().add(2) == 7
assert rref.rpc_async().add(1).wait() == 8
assert rref.remote().get().to_here() == 8
assert rref.to_here().value == 8 and rref.confirmed_by_owner()
assert rpc.rpc_sync(peer, on_owner, (rref,)) == (True, 8)
try:
    rref.local_value()
except RuntimeError as e:
    assert f"Call it on owner WorkerInfo(id={peer}, name=worker{peer})" in str(e), e
else:
    raise AssertionError("local_value worked on a user RRef")
mine = rpc.RRef(torch.tensor([1.5, 2.5]))
assert mine.is_owner() and mine.confirmed_by_owner() and torch.equal(mine.to_here(),
                                                                       mine.local_value())
ones = rpc.remote(rank, torch.ones, (4,)).to_here()  # a remote() on this worker itself
assert torch.equal(rpc.rpc_sync(peer, torch.Tensor.sum, (ones,)), torch.tensor(4.0))
try:
    pickle.dumps(mine)
except RuntimeError as e:
    assert "only be pickled when using RPC" in str(e)
else:
    raise AssertionError("an RRef pickled outside RPC")
ok("rref")

# an RRef handed to a third worker reads the owner's value
assert rpc.rpc_sync(third, read_elsewhere, (rref,)) == (peer, 8)
assert rpc.rpc_sync(third, read_elsewhere, (rpc.RRef(Counter(rank)),)) == (rank, rank)
ok("rref passed on")

# ---- nested RPC: the callee calls the caller back while the caller waits
assert rpc.rpc_sync(peer, ask_back, (rank, 3)) == [peer, rank, peer, rank]
ok("nested")

# ---- remote exceptions keep their type, message and the remote traceback
for attempt in (lambda: rpc.rpc_sync(peer, boom, (f"boom from {rank}",)),
                lambda: rpc.rpc_async(peer, boom, (f"boom from {rank}",)).wait(),
                lambda: rpc.remote(peer, boom, (f"boom from {rank}",)).to_here()):
    try:
        attempt()
    except ValueError as e:
        text = str(e)
        assert f"On WorkerInfo(id={peer}, name=worker{peer})" in text, text
        assert f"boom from {rank}" in text and "Traceback" in text and "in boom" in text, text
    else:
        raise AssertionError("the remote exception was lost")
try:
    rpc.rpc_sync(peer, time.sleep, (1.0,), timeout=0.2)
except RuntimeError as e:
    assert "RPC ran for more than set timeout (200 ms)" in str(e), e
else:
    raise AssertionError("no timeout")
ok("exceptions")


# ---- parameter server: the model lives on rank 0, trainers fetch and update it by RRef

if rank == 0:
    ps = rpc.RRef(ParameterServer())
    before = ps.local_value().loss(*data())
    trainers = [rpc.rpc_async(r, train, (ps, 40)) for r in range(1, n)]
    assert sorted(f.wait() for f in trainers) == [f"worker{r}" for r in range(1, n)]
    after = ps.local_value().loss(*data())
    assert ps.local_value().updates == 40 * (n - 1)
    assert after < 0.05 * before, (before, after)
    ok("parameter server")

# ---- graceful shutdown waits for calls still in flight
late = rpc.rpc_async(peer, scaled, (torch.ones(2),), {"shift": rank})
rpc.shutdown()
assert late.done() and torch.equal(late.value()[0], torch.ones(2) + rank)
ok("shutdown")
