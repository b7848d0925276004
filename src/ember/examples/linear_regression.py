"""Fit y = w x + b to noisy points with nn.Linear and SGD, and plot the fitted line.

Plain PyTorch code (see ``ember.examples``): ``python -m ember.examples.linear_regression``.
"""
from __future__ import annotations

import argparse
import os

# Plain PyTorch imports: ember serves them (see ember/examples/__init__.py).
import torch  # noqa: reference
import torch.nn as nn  # noqa: reference


def main(argv=None):
    ap = argparse.ArgumentParser(description="Linear regression with nn.Linear.")
    ap.add_argument("--epochs", type=int, default=300)
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--out", default="out")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    torch.manual_seed(args.seed)
    x = torch.linspace(-3, 3, 100).unsqueeze(1)
    y = 2.0 * x + 1.0 + 0.3 * torch.randn(x.shape)

    model = nn.Linear(1, 1)
    opt = torch.optim.SGD(model.parameters(), lr=args.lr)
    loss_fn = nn.MSELoss()
    for epoch in range(1, args.epochs + 1):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        if epoch % 50 == 0:
            print(f"epoch {epoch:4d}: loss {loss.item():.4f}")

    w, b = model.weight.item(), model.bias.item()
    print(f"fitted: y = {w:.3f} x + {b:.3f}  (true: y = 2 x + 1)")

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "linear_regression.png")
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.scatter(x.squeeze(1).numpy(), y.squeeze(1).numpy(), s=10, label="data")
    with torch.no_grad():
        ax.plot(x.squeeze(1).numpy(), model(x).squeeze(1).numpy(), color="tab:red",
                label=f"fit: y = {w:.2f} x + {b:.2f}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    print(f"saved the plot to {path}")
    return w, b


if __name__ == "__main__":
    main()
