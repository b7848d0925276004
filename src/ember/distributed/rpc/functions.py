"""``torch.distributed.rpc.functions``: marking a function whose result arrives later."""
from __future__ import annotations


def async_execution(fn):
    """Mark ``fn`` as returning a ``torch.futures.Future``: the RPC that runs it replies with
    the future's value once it completes, without holding a thread meanwhile."""
    fn._ember_async_rpc = True
    return fn
