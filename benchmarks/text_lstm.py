"""A text classifier: Embedding (vocabulary 5000, 64) into an LSTM (64->128) whose last
hidden state feeds a Linear layer; sequences of 40 tokens at batch 32, an Adam training
step with cross-entropy over 4 classes."""
import resource

import torch
import torch.nn as nn

from _timing import per_call, report

torch.manual_seed(0)


class TextLSTM(nn.Module):
    def __init__(self, vocab=5000, dim=64, hidden=128, classes=4):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.lstm = nn.LSTM(dim, hidden, batch_first=True)
        self.out = nn.Linear(hidden, classes)

    def forward(self, tokens):
        _, (h, _) = self.lstm(self.embed(tokens))
        return self.out(h[-1])


model = TextLSTM()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.CrossEntropyLoss()
tokens = torch.randint(0, 5000, (32, 40))
labels = torch.randint(0, 4, (32,))


def step():
    opt.zero_grad()
    loss_fn(model(tokens), labels).backward()
    opt.step()


report({"train step (s)": per_call(step, min_time=1.0),
        "peak RSS (MB)": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})
