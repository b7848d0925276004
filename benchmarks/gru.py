"""GRU 32->128 over 50 steps, batch 32: forward, backward and an SGD step (as lstm.py)."""
import resource

import torch
import torch.nn as nn

from _timing import per_call, report

torch.manual_seed(0)
gru = nn.GRU(32, 128, batch_first=True)
head = nn.Linear(128, 1)
opt = torch.optim.SGD(list(gru.parameters()) + list(head.parameters()), lr=0.01)
x = torch.randn(32, 50, 32)
y = torch.randn(32, 1)


def step():
    opt.zero_grad()
    out, h = gru(x)
    loss = ((head(out[:, -1]) - y) ** 2).mean()
    loss.backward()
    opt.step()


report({"train step (s)": per_call(step, min_time=1.0),
        "peak RSS (MB)": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})
