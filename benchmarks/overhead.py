"""Per-operation overhead: where tiny tensors make Python and dispatch the whole cost."""
import resource

import torch
import torch.nn as nn

from _timing import per_call, report

torch.manual_seed(0)
a = torch.ones(2)
b = torch.ones(2)
ag = torch.ones(2, requires_grad=True)
bg = torch.ones(2, requires_grad=True)


def add():
    return a + b


def mul_add_backward():
    (ag * bg + ag).sum().backward()


model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.01)
loss_fn = nn.MSELoss()
x = torch.randn(4, 4)
y = torch.randn(4, 1)


def mlp_step():
    opt.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    opt.step()


report({
    "2-element add (s)": per_call(add),
    "(a*b+a).sum().backward() (s)": per_call(mul_add_backward),
    "4-8-8-1 MLP train step, 4 samples (s)": per_call(mlp_step),
    "peak RSS (MB)": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
})
