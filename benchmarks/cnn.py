"""LeNet-5 on 1x28x28: Adam training step at batch 64, no_grad inference at batch 256."""
import resource

import torch
import torch.nn as nn

from _timing import per_call, report

torch.manual_seed(0)


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
            nn.Linear(84, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


model = LeNet5()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.CrossEntropyLoss()
x = torch.randn(64, 1, 28, 28)
y = torch.randint(0, 10, (64,))
x_eval = torch.randn(256, 1, 28, 28)


def train_step():
    opt.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    opt.step()


def infer():
    with torch.no_grad():
        model(x_eval)


model.train()
t_train = per_call(train_step, min_time=1.0)
model.eval()
t_infer = per_call(infer, min_time=1.0)
report({"train step, batch 64 (s)": t_train, "inference, batch 256 (s)": t_infer,
        "peak RSS (MB)": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})
