"""mp.spawn children run as one MPI job, failing in the ways a test asks for:
``python spawn_failures.py raise|signal|exit|nojoin|wrong_rank|plain``."""
import os
import signal
import sys
import time

import ember as torch
import ember.distributed as dist
import ember.multiprocessing as mp


def raise_in_one(rank, world_size):
    dist.init_process_group("gloo", rank=rank, world_size=world_size)
    if rank == 1:
        raise RuntimeError("rank 1 fails on purpose")
    dist.all_reduce(torch.ones(1))  # waits for rank 1, which never comes
    print("should never get here", flush=True)


def kill_one(rank, world_size):
    dist.init_process_group("gloo", rank=rank, world_size=world_size)
    if rank == 1:
        os.kill(os.getpid(), signal.SIGKILL)
    dist.barrier()


def exit_one(rank, world_size):
    if rank == 1:
        sys.exit(7)
    time.sleep(30)


def report(rank, world_size):
    dist.init_process_group("gloo", rank=rank, world_size=world_size)
    print(f"rank {rank}/{dist.get_world_size()} pid {os.getpid()}", flush=True)


def wrong_rank(rank, world_size):
    dist.init_process_group("gloo", rank=(rank + 1) % world_size, world_size=world_size)


def expect(kind, fn, n=2):
    try:
        mp.spawn(fn, args=(n,), nprocs=n)
    except kind as err:
        print(f"caught {type(err).__name__} index {err.error_index}", flush=True)
        print(str(err), flush=True)
        return err
    raise SystemExit(f"expected {kind.__name__}")


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "raise":
        expect(mp.ProcessRaisedException, raise_in_one, 3)
    elif mode == "signal":
        err = expect(mp.ProcessExitedException, kill_one)
        print(f"signal {err.signal_name} code {err.exit_code}")
    elif mode == "exit":
        err = expect(mp.ProcessExitedException, exit_one)
        print(f"exit code {err.exit_code}")
    elif mode == "wrong_rank":
        expect(mp.ProcessRaisedException, wrong_rank)
    elif mode == "nojoin":
        context = mp.spawn(report, args=(2,), nprocs=2, join=False)
        while not context.join(timeout=0.5):
            pass
        print("pids", sorted(context.pids()), flush=True)
    elif mode == "plain":  # EMBER_SPAWN_MPI=0: two separate worlds of one
        expect(mp.ProcessRaisedException, report)
