"""A Transformer encoder layer (d_model 128, 4 heads, feed-forward 512, batch_first) on
sequences of 64 at batch 32: an Adam training step."""
import resource

import torch
import torch.nn as nn

from _timing import per_call, report

torch.manual_seed(0)
layer = nn.TransformerEncoderLayer(d_model=128, nhead=4, dim_feedforward=512, dropout=0.1,
                                   batch_first=True)
opt = torch.optim.Adam(layer.parameters(), lr=1e-3)
x = torch.randn(32, 64, 128)


def step():
    opt.zero_grad()
    loss = layer(x).pow(2).mean()
    loss.backward()
    opt.step()


report({"train step (s)": per_call(step, min_time=1.0),
        "peak RSS (MB)": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})
