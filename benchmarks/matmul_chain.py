"""Forward and backward of (X @ W1).relu() @ W2 at 1024x1024 float32: the BLAS limit."""
import torch

from _timing import per_call, report

torch.manual_seed(0)
n = 1024
X = torch.randn(n, n)
W1 = torch.randn(n, n, requires_grad=True)
W2 = torch.randn(n, n, requires_grad=True)


def step():
    W1.grad = None
    W2.grad = None
    ((X @ W1).relu() @ W2).sum().backward()


t = per_call(step, min_time=2.0)
report({"forward+backward (s)": t, "GFLOP/s": 5 * 2 * n ** 3 / t / 1e9})
