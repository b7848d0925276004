"""scikit-learn digits, 64-128-64-10 MLP, 30 epochs of Adam at batch 32; plus the
DataLoader's throughput with 0 and 2 worker processes."""
import resource
import time

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

from _timing import report


def data():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    d = load_digits()
    x = (d.data / 16.0).astype("float32")
    x_tr, x_te, y_tr, y_te = train_test_split(x, d.target.astype("int64"), test_size=0.2,
                                              random_state=0, stratify=d.target)
    return (TensorDataset(torch.from_numpy(x_tr), torch.from_numpy(y_tr)),
            TensorDataset(torch.from_numpy(x_te), torch.from_numpy(y_te)))


def train(train_ds, test_ds):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                          nn.Linear(64, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    loader = DataLoader(train_ds, batch_size=32, shuffle=True)
    for _ in range(30):
        model.train()
        for xb, yb in loader:
            opt.zero_grad()
            loss_fn(model(xb), yb).backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        x, y = test_ds.tensors
        return (model(x).argmax(1) == y).float().mean().item()


def throughput(ds, workers):
    loader = DataLoader(ds, batch_size=32, shuffle=True, num_workers=workers)
    n = 0
    t0 = time.perf_counter()
    for _ in range(3):
        for xb, _ in loader:
            n += len(xb)
    return n / (time.perf_counter() - t0)


if __name__ == "__main__":
    train_ds, test_ds = data()
    t0 = time.perf_counter()
    acc = train(train_ds, test_ds)
    t_train = time.perf_counter() - t0
    report({"training, 30 epochs (s)": t_train, "test accuracy": acc,
            "DataLoader samples/s, 0 workers": throughput(train_ds, 0),
            "DataLoader samples/s, 2 workers": throughput(train_ds, 2),
            "peak RSS (MB)": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})
