"""Run under mpirun -n 2 with argument "timeout", "raise" or "kill".

timeout: rank 1 skips a collective, so rank 0's all_reduce must raise DistBackendError within
the group's timeout (the group is unusable afterwards, as in PyTorch). raise: rank 1 raises while rank 0 waits in a collective; the uncaught
exception must end the whole job (rank 0 never prints). kill: rank 1 dies by SIGKILL while
rank 0 waits in a collective; mpirun must notice and end the job the same way."""
import datetime
import os
import signal
import sys
import time

import ember as torch
import ember.distributed as dist

# kill: a long timeout, so that only mpirun noticing the dead rank can end rank 0's wait
seconds = 120 if sys.argv[1] == "kill" else 2
dist.init_process_group("mpi", timeout=datetime.timedelta(seconds=seconds))
rank = dist.get_rank()
if sys.argv[1] == "timeout":
    if rank == 0:
        try:
            dist.all_reduce(torch.ones(3))
        except dist.DistBackendError as exc:
            print(f"rank 0 timed out: {exc}", flush=True)
    else:
        time.sleep(4)
else:
    if rank == 1:
        if sys.argv[1] == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        raise ValueError("rank 1 fails on purpose")
    dist.all_reduce(torch.ones(3))
    print("rank 0 should never get here", flush=True)
