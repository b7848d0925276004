"""An MNIST-style classifier (MLP or CNN) trained with torchvision datasets and transforms.

Uses MNIST's IDX files when they are under ``--data`` (``<data>/MNIST/raw``), else
``FakeData`` of the same form, so it runs offline. Plain PyTorch code (see
``ember.examples``): ``python -m ember.examples.mnist --model cnn``.
"""
from __future__ import annotations

import argparse
import os

# Plain PyTorch imports: ember serves them (see ember/examples/__init__.py).
import torch  # noqa: reference
import torch.nn as nn  # noqa: reference
from torch.utils.data import DataLoader  # noqa: reference
from torchvision import datasets, transforms  # noqa: reference


def make_model(kind: str) -> nn.Module:
    """A 784-128-64-10 MLP or a two-block CNN."""
    if kind == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64),
                             nn.ReLU(), nn.Linear(64, 10))
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 64), nn.ReLU(), nn.Linear(64, 10))


def load(data: str, fake_size: int):
    tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    if os.path.isdir(os.path.join(data, "MNIST", "raw")):
        return (datasets.MNIST(data, train=True, transform=tf),
                datasets.MNIST(data, train=False, transform=tf), "MNIST")
    train = datasets.FakeData(size=fake_size, image_size=(1, 28, 28), num_classes=10,
                              transform=tf, random_offset=0)
    test = datasets.FakeData(size=fake_size // 4, image_size=(1, 28, 28), num_classes=10,
                             transform=tf, random_offset=fake_size)
    return train, test, "FakeData (random images: accuracy stays near chance)"


def main(argv=None):
    ap = argparse.ArgumentParser(description="MNIST-style MLP/CNN.")
    ap.add_argument("--model", choices=["mlp", "cnn"], default="mlp")
    ap.add_argument("--data", default="data")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--fake-size", type=int, default=1024)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    torch.manual_seed(args.seed)
    train, test, source = load(args.data, args.fake_size)
    print(f"data: {source}, {len(train)} training and {len(test)} test images")
    train_loader = DataLoader(train, batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(test, batch_size=256)
    model = make_model(args.model)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(1, args.epochs + 1):
        model.train()
        total = 0.0
        for xb, yb in train_loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * len(yb)
        model.eval()
        correct = 0
        with torch.no_grad():
            for xb, yb in test_loader:
                correct += (model(xb).argmax(1) == yb).sum().item()
        acc = correct / len(test)
        print(f"epoch {epoch}: train loss {total / len(train):.4f}, test accuracy "
              f"{100 * acc:.2f}%")
    return acc


if __name__ == "__main__":
    main()
