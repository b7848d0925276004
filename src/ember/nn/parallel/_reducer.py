"""The gradient reducer of DistributedDataParallel.

Parameters are grouped into buckets (reverse registration order, about ``bucket_cap_mb``
each, one dtype per bucket). A hook on every parameter hands its gradient over as backward
produces it; once a bucket is complete its averaged all-reduce is started (``Iallreduce``,
buckets always started in the same order on every rank), and the hook of the last parameter
waits for all of them and writes the averaged gradients into ``.grad``.
"""
from __future__ import annotations

import numpy as np

from ...autograd.engine import Node


class Reducer:
    """Averages the gradients of ``params`` over ``group`` during backward."""

    def __init__(self, params, group, bucket_cap_mb: float, find_unused: bool):
        from ... import distributed as dist
        self.dist = dist
        self.group = group
        self.params = list(params)
        self.find_unused = find_unused
        self.buckets = _buckets(self.params, int(bucket_cap_mb * 2 ** 20))
        self.bucket_of = {id(p): b for b, bucket in enumerate(self.buckets) for p in bucket}
        self.armed = False
        self.totals = {}
        self.handles = [p.register_hook(self._hook_for(p)) for p in self.params]

    # -- per iteration -------------------------------------------------------
    def prepare(self, outputs) -> None:
        """Arm the hooks for the backward of ``outputs`` (the module's forward results)."""
        if self.armed and self.totals:
            raise RuntimeError(
                "Expected to have finished reduction in the prior iteration before starting a "
                "new one. This error indicates that your module has parameters that were not "
                "used in producing loss. You can enable unused parameter detection by passing "
                "the keyword argument `find_unused_parameters=True` to "
                "`torch.nn.parallel.DistributedDataParallel`.")
        self.armed = True
        self.totals = {}
        self.works = []
        self.next_bucket = 0
        self.unused = set()
        if self.find_unused:
            used = _reachable_leaves(outputs)
            for p in self.params:
                if id(p) not in used:
                    self.unused.add(id(p))
                    self.totals[id(p)] = _current(p)
            self._start_ready_buckets()

    def disarm(self) -> None:
        """Let the next backward accumulate locally (``no_sync``)."""
        self.armed = False

    def _hook_for(self, p):
        def hook(grad):
            if not self.armed:
                return None
            total = grad._data if p.grad is None else p.grad._data + grad._data
            self.totals[id(p)] = total
            p.grad = None  # the engine stores what this hook returns as the new .grad
            self._start_ready_buckets()
            for _, _, work in self.works:  # MPI moves a non-blocking collective on only
                work.is_completed()        # when asked: ask at every hook
            if len(self.totals) < len(self.params) or self.next_bucket < len(self.buckets):
                return _tensor(total)
            return _tensor(self._finish(p))
        return hook

    def _start_ready_buckets(self) -> None:
        while self.next_bucket < len(self.buckets):
            bucket = self.buckets[self.next_bucket]
            if any(id(p) not in self.totals for p in bucket):
                return
            flat = np.concatenate([np.ravel(self.totals[id(p)]) for p in bucket])
            self.works.append((bucket, flat, self.dist.all_reduce(
                _tensor(flat), op=self.dist.ReduceOp.AVG, group=self.group, async_op=True)))
            self.next_bucket += 1

    def _finish(self, current):
        """Wait for every bucket; write the averages; return ``current``'s averaged gradient array."""
        from ..._tensor import Tensor
        mine = None
        for bucket, flat, work in self.works:
            work.wait()
            start = 0
            for p in bucket:
                n = p.numel()
                # the gradients are views of the bucket, which is new every step
                avg = flat[start:start + n].reshape(p._data.shape)
                start += n
                if p is current:
                    mine = avg
                elif id(p) in self.unused and p.grad is None and not avg.any():
                    continue
                elif p.grad is None:
                    p.grad = Tensor._make(avg, False, None, 0, [0])
                else:
                    np.copyto(p.grad._data, avg)
        self.totals = {}
        self.armed = False
        return mine


def _tensor(arr):
    """A tensor sharing the array ``arr``."""
    from ..._creation import from_numpy
    return from_numpy(arr)


def _current(p):
    """What an unused parameter contributes: its accumulated gradient, or zeros."""
    return np.zeros_like(p._data) if p.grad is None else p.grad._data.copy()


def _buckets(params, cap_bytes: int):
    """Parameters in reverse order, cut into buckets of at most ``cap_bytes`` (and one dtype)."""
    buckets, size = [[]], 0
    for p in reversed(params):
        last = buckets[-1]
        if last and (size + p._data.nbytes > cap_bytes or last[0]._data.dtype != p._data.dtype):
            buckets.append([])
            size = 0
        buckets[-1].append(p)
        size += p._data.nbytes
    return [b for b in buckets if b]


def _reachable_leaves(outputs) -> set:
    """The ids of the leaf tensors the autograd graph of ``outputs`` leads to."""
    from ..._tensor import Tensor
    stack = [o.grad_fn for o in _flat_tensors(outputs) if o.grad_fn is not None]
    seen, leaves = set(), set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for e in node._edges:
            if e is None:
                continue
            child = e[0]
            if isinstance(child, Tensor):
                leaves.add(id(child))
            elif isinstance(child, Node):
                stack.append(child)
    return leaves


def _flat_tensors(obj):
    """Every tensor inside nested lists, tuples and dicts."""
    from ..._tensor import Tensor
    if isinstance(obj, Tensor):
        return [obj]
    if isinstance(obj, dict):
        obj = list(obj.values())
    if isinstance(obj, (list, tuple)):
        return [t for item in obj for t in _flat_tensors(item)]
    return []
