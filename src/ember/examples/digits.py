"""Train a small CNN on scikit-learn's bundled handwritten digits (8x8 images, no download).

Plain PyTorch code: it runs on ember as ``python -m ember.examples.digits`` (the
``ember.examples`` package serves ``import torch`` from ember) and, unchanged, under
``python -m ember.run`` or on real PyTorch. It prints a progress bar per epoch and the
test accuracy, saves the model as a checkpoint PyTorch can load and a PNG of the loss
and accuracy curves.
"""
from __future__ import annotations

import argparse
import os

# Plain PyTorch imports: ember serves them (see ember/examples/__init__.py).
import torch  # noqa: reference
import torch.nn as nn  # noqa: reference
from torch.utils.data import DataLoader, TensorDataset  # noqa: reference


class DigitsCNN(nn.Module):
    """Two conv blocks and a small classifier for 1x8x8 images."""

    def __init__(self, num_classes: int = 10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(64 * 2 * 2, 128), nn.ReLU(), nn.Dropout(0.2),
            nn.Linear(128, num_classes),
        )

    def forward(self, x):
        return self.classifier(self.features(x))


def load_data(seed: int):
    """The digits as (train, test) TensorDatasets of 1x8x8 images scaled to [0, 1]."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x = digits.images.astype("float32") / 16.0
    y = digits.target.astype("int64")
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.2, random_state=seed,
                                              stratify=y)
    to_ds = lambda a, b: TensorDataset(torch.from_numpy(a).unsqueeze(1), torch.from_numpy(b))
    return to_ds(x_tr, y_tr), to_ds(x_te, y_te)


def evaluate(model, loader, device):
    """Mean loss and accuracy over a loader."""
    model.eval()
    loss_fn = nn.CrossEntropyLoss(reduction="sum")
    total, correct, loss = 0, 0, 0.0
    with torch.no_grad():
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            out = model(xb)
            loss += loss_fn(out, yb).item()
            correct += (out.argmax(dim=1) == yb).sum().item()
            total += yb.numel()
    return loss / total, correct / total


def save_plot(history, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = range(1, len(history["train_loss"]) + 1)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ax1.plot(epochs, history["train_loss"], label="train")
    ax1.plot(epochs, history["test_loss"], label="test")
    ax1.set_xlabel("epoch")
    ax1.set_ylabel("cross-entropy loss")
    ax1.legend()
    ax2.plot(epochs, [100 * a for a in history["test_acc"]], color="tab:green")
    ax2.set_xlabel("epoch")
    ax2.set_ylabel("test accuracy (%)")
    fig.suptitle("Digits CNN")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Train a small CNN on scikit-learn's digits.")
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--out", default="out", help="folder for the checkpoint and the plot")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--export-onnx", metavar="PATH", default=None,
                    help="also write the trained model as ONNX (needs the onnx package)")
    args = ap.parse_args(argv)

    from tqdm import tqdm

    torch.manual_seed(args.seed)
    device = torch.device(args.device)
    train_ds, test_ds = load_data(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    train_loader = DataLoader(train_ds, batch_size=args.batch_size, shuffle=True, generator=gen)
    test_loader = DataLoader(test_ds, batch_size=256)

    model = DigitsCNN().to(device)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs)
    loss_fn = nn.CrossEntropyLoss()
    history = {"train_loss": [], "test_loss": [], "test_acc": []}

    for epoch in range(1, args.epochs + 1):
        model.train()
        running, seen = 0.0, 0
        bar = tqdm(train_loader, desc=f"epoch {epoch:2d}/{args.epochs}", unit="batch",
                   leave=True, ncols=90)
        for xb, yb in bar:
            xb, yb = xb.to(device), yb.to(device)
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            running += loss.item() * yb.numel()
            seen += yb.numel()
            bar.set_postfix(loss=f"{running / seen:.4f}", refresh=False)
        sched.step()
        test_loss, test_acc = evaluate(model, test_loader, device)
        history["train_loss"].append(running / seen)
        history["test_loss"].append(test_loss)
        history["test_acc"].append(test_acc)
        bar.write(f"epoch {epoch:2d}: train loss {running / seen:.4f}, "
                  f"test loss {test_loss:.4f}, test accuracy {100 * test_acc:.2f}%")

    os.makedirs(args.out, exist_ok=True)
    ckpt = os.path.join(args.out, "digits_cnn.pt")
    torch.save(model.state_dict(), ckpt)
    plot = os.path.join(args.out, "digits_curves.png")
    save_plot(history, plot)
    print(f"test accuracy: {100 * history['test_acc'][-1]:.2f}%")
    print(f"saved the model to {ckpt} and the curves to {plot}")
    if args.export_onnx:
        os.makedirs(os.path.dirname(args.export_onnx) or ".", exist_ok=True)
        torch.onnx.export(model.cpu(), (torch.zeros(1, 1, 8, 8),), args.export_onnx,
                          input_names=["images"], output_names=["logits"],
                          dynamic_axes={"images": {0: "batch"}, "logits": {0: "batch"}})
        print(f"exported the model to {args.export_onnx}")
    return history


if __name__ == "__main__":
    main()
