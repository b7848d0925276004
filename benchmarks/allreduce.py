"""All-reduce bandwidth of ember.distributed against a NumPy memory copy.

Run as ``mpirun -n 2 --oversubscribe python benchmarks/allreduce.py``; rank 0 prints one row
per size: the best of several all-reduces (float32, SUM) and of as many ``np.copyto``."""
import time

import numpy as np

import ember as torch
import ember.distributed as dist


def best(fn, repeat: int) -> float:
    """The fastest of ``repeat`` timed calls of ``fn``, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    """Print MB/s of all_reduce and of a memory copy for 1 KB to 64 MB."""
    dist.init_process_group("mpi")
    rank = dist.get_rank()
    if rank == 0:
        print(f"{'bytes':>10} {'all_reduce MB/s':>16} {'memcpy MB/s':>12}  ({dist.get_world_size()} ranks)")
    size = 1024
    while size <= 64 * 2 ** 20:
        t = torch.ones(size // 4)
        src, dst = np.ones(size // 4, np.float32), np.empty(size // 4, np.float32)
        repeat = 20 if size < 2 ** 22 else 5
        dist.barrier()
        reduce_s = best(lambda: dist.all_reduce(t), repeat)
        copy_s = best(lambda: np.copyto(dst, src), repeat)
        if rank == 0:
            print(f"{size:>10} {size / reduce_s / 1e6:>16.0f} {size / copy_s / 1e6:>12.0f}")
        size *= 4
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
