"""torch.compile: training steps of small models, eager and compiled, in one process.

Cases ``<model> eager`` and ``<model> compiled`` run the same step without and with
``torch.compile`` on the model (the loss and optimizer stay eager). Where the framework's
own compiler cannot run (e.g. no C compiler for torch's inductor), the compiled case
reports NaN. ``BENCH_TORCH_COMPILE=0`` skips torch's compiler (its first call can take
many seconds); ember always compiles.
"""
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

from _timing import per_call, report

torch.manual_seed(0)
IS_EMBER = torch.__name__ == "ember"
TRY_COMPILE = IS_EMBER or os.environ.get("BENCH_TORCH_COMPILE", "1") != "0"


def lenet():
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                         nn.Linear(84, 10))


class LSTMHead(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(32, 128, batch_first=True)
        self.head = nn.Linear(128, 1)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


CASES = {
    "mlp 4-8-8-1": (lambda: nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 8),
                                          nn.Tanh(), nn.Linear(8, 1)),
                    (16, 4), lambda out, y: F.mse_loss(out, y), (16, 1)),
    "mlp 784-256-128-10": (lambda: nn.Sequential(nn.Linear(784, 256), nn.ReLU(),
                                                 nn.Linear(256, 128), nn.ReLU(),
                                                 nn.Linear(128, 10)),
                           (64, 784), lambda out, y: F.cross_entropy(out, y), 10),
    "lenet": (lenet, (64, 1, 28, 28), lambda out, y: F.cross_entropy(out, y), 10),
    "lstm": (LSTMHead, (32, 50, 32), lambda out, y: F.mse_loss(out, y), (32, 1)),
}


def train_step(model, x, y, loss_fn):
    opt = torch.optim.SGD(model.parameters(), lr=0.01)

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    return step


def timed(step):
    try:
        return per_call(step, min_time=0.5)
    except Exception:  # the compiler is unavailable here
        return float("nan")


results = {}
for name, (build, xshape, loss_fn, yspec) in CASES.items():
    x = torch.randn(*xshape)
    y = torch.randn(*yspec) if isinstance(yspec, tuple) else torch.randint(0, yspec,
                                                                          (xshape[0],))
    model = build()
    results[f"{name} eager (s)"] = timed(train_step(model, x, y, loss_fn))
    compiled = float("nan")
    if TRY_COMPILE:
        compiled = timed(train_step(torch.compile(model), x, y, loss_fn))
    results[f"{name} compiled (s)"] = compiled

a = torch.randn(100, requires_grad=True)
b = torch.randn(100, requires_grad=True)


def abab(f):
    def step():
        a.grad = None
        f(a, b).backward()
    return step


def expr(a, b):
    return (a * b + a).sum()


results["(a*b+a).sum().backward() eager (s)"] = timed(abab(expr))
results["(a*b+a).sum().backward() compiled (s)"] = (
    timed(abab(torch.compile(expr))) if TRY_COMPILE else float("nan"))
report(results)
