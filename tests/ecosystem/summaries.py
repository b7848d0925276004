"""A PyTorch script printing torchinfo summaries of a few models; the ecosystem test runs
it on real PyTorch and through ember's runner and compares the output."""
import torch
import torch.nn as nn
from torchinfo import summary


class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8),
                                      nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 16, 3),
                                      nn.ReLU(), nn.AdaptiveAvgPool2d(1))
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.2), nn.Linear(16, 10))

    def forward(self, x):
        return self.head(self.features(x))


class Recurrent(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(100, 16)
        self.lstm = nn.LSTM(16, 32, batch_first=True, num_layers=2)
        self.out = nn.Linear(32, 3)

    def forward(self, tokens):
        h, _ = self.lstm(self.embed(tokens))
        return self.out(h[:, -1])


torch.manual_seed(0)
print(summary(nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1)), input_size=(2, 4),
              verbose=0))
print(summary(ConvNet(), input_size=(2, 1, 28, 28), verbose=0,
              col_names=("input_size", "output_size", "num_params", "trainable")))
print(summary(Recurrent(), input_data=torch.zeros(2, 7, dtype=torch.long), verbose=0,
              depth=4))
print(summary(nn.TransformerEncoderLayer(32, 4, 64, batch_first=True), input_size=(2, 5, 32),
              verbose=0))
