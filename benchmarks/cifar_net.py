"""The CIFAR-10 tutorial's network (two 5x5 convolutions with max-pooling, three Linear
layers) on 3x32x32 input: an SGD-with-momentum training step at batch 4 (the tutorial's own
setting) and at batch 64."""
import resource

import torch
import torch.nn as nn
import torch.nn.functional as F

from _timing import per_call, report

torch.manual_seed(0)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


net = Net()
criterion = nn.CrossEntropyLoss()
opt = torch.optim.SGD(net.parameters(), lr=0.001, momentum=0.9)


def step_at(batch):
    x, y = torch.randn(batch, 3, 32, 32), torch.randint(0, 10, (batch,))

    def step():
        opt.zero_grad()
        loss = criterion(net(x), y)
        loss.backward()
        opt.step()
    return step


report({"train step, batch 4 (s)": per_call(step_at(4), min_time=1.0),
        "train step, batch 64 (s)": per_call(step_at(64), min_time=1.0),
        "peak RSS (MB)": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})
