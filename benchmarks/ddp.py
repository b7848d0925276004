"""DistributedDataParallel step time on 2 ranks against 1, on torch (gloo) and ember (MPI).

    python benchmarks/ddp.py [--rounds 3] [--ranks 2]

The driver starts this file under ``mpirun`` once per framework and world size, alternating,
for several rounds (``python -m ember.run`` serves ``torch`` from ember). Each rank trains
the same MLP (784-2048-2048-10, 5.8 M parameters, 23 MB of float32 gradients) on its own
batch of 64, one thread per rank. Rank 0 reports, as medians over the steps:

- the local step: forward, backward and SGD step with no communication;
- the DDP step: the same through ``DistributedDataParallel`` (gradients all-reduced in
  buckets started from autograd hooks during backward);
- the all-reduce alone: the gradients' bytes all-reduced in 25 MB pieces after backward;
- the overlap share: how much of that all-reduce the DDP step hides behind backward,
  ``(local + all-reduce - DDP) / all-reduce`` (0: none, 1: all).
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time

HERE = os.path.abspath(__file__)
BATCH, STEPS = 64, 12


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _timed(step, dist) -> float:
    """Median seconds of ``step`` over STEPS runs, every rank starting together."""
    step()  # warm-up
    times = []
    for _ in range(STEPS):
        dist.barrier()
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def worker() -> None:
    """One rank (under mpirun): measure and, on rank 0, print the BENCH line."""
    for ours, mpis in (("RANK", "OMPI_COMM_WORLD_RANK"), ("WORLD_SIZE", "OMPI_COMM_WORLD_SIZE")):
        os.environ.setdefault(ours, os.environ.get(mpis, "0" if ours == "RANK" else "1"))
    import torch
    import torch.distributed as dist
    from torch import nn
    from torch.nn.parallel import DistributedDataParallel as DDP
    torch.set_num_threads(1)
    dist.init_process_group("gloo")
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 2048), nn.ReLU(), nn.Linear(2048, 2048), nn.ReLU(),
                          nn.Linear(2048, 10))
    x, y = torch.randn(BATCH, 784), torch.randint(0, 10, (BATCH,))
    loss_fn = nn.CrossEntropyLoss()

    def step_of(net):
        opt = torch.optim.SGD(net.parameters(), lr=1e-3)

        def step():
            opt.zero_grad()
            loss_fn(net(x), y).backward()
            opt.step()
        return step

    local = _timed(step_of(model), dist)
    flat = torch.cat([p.grad.reshape(-1) for p in model.parameters()])
    pieces = flat.split(25 * 2 ** 20 // 4)
    comm = _timed(lambda: [dist.all_reduce(p) for p in pieces], dist)
    ddp = _timed(step_of(DDP(model)), dist)
    if dist.get_rank() == 0:
        print("BENCH " + json.dumps({"local": local, "ddp": ddp, "comm": comm}), flush=True)
    dist.destroy_process_group()


def run(framework: str, ranks: int) -> dict:
    cmd = ["mpirun", "-n", str(ranks), "--allow-run-as-root", "--oversubscribe",
           sys.executable, *(["-m", "ember.run"] if framework == "ember" else []), HERE,
           "--worker"]
    env = dict(os.environ, MASTER_ADDR="127.0.0.1", MASTER_PORT=str(_free_port()),
               OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    if out.returncode != 0:
        raise SystemExit(f"{framework} on {ranks} ranks failed:\n{out.stderr[-3000:]}")
    line = next(s for s in out.stdout.splitlines() if s.startswith("BENCH "))
    return json.loads(line[6:])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--ranks", type=int, default=2)
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ns = ap.parse_args()
    if ns.worker:
        return worker()
    samples = {(fw, n): [] for fw in ("torch", "ember") for n in (1, ns.ranks)}
    for _ in range(ns.rounds):
        for key in samples:
            samples[key].append(run(*key))
    med = {key: {k: statistics.median(s[k] for s in runs) for k in runs[0]}
           for key, runs in samples.items()}
    print(f"{'':6s} {'local 1':>9s} {'DDP 1':>9s} {'local N':>9s} {'DDP N':>9s} "
          f"{'allreduce':>9s} {'DDP N/1':>8s} {'overlap':>8s}   (ms; N={ns.ranks})")
    for fw in ("torch", "ember"):
        one, many = med[(fw, 1)], med[(fw, ns.ranks)]
        overlap = (many["local"] + many["comm"] - many["ddp"]) / many["comm"]
        print(f"{fw:6s} {one['local'] * 1e3:9.1f} {one['ddp'] * 1e3:9.1f} "
              f"{many['local'] * 1e3:9.1f} {many['ddp'] * 1e3:9.1f} {many['comm'] * 1e3:9.1f} "
              f"{many['ddp'] / one['ddp']:8.2f} {overlap:8.2f}")
    print(f"ember/torch, DDP step on {ns.ranks} ranks: "
          f"{med[('ember', ns.ranks)]['ddp'] / med[('torch', ns.ranks)]['ddp']:.2f}")


if __name__ == "__main__":
    main()
