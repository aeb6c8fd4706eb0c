"""W1: lab 1's MLP, Sequential(Linear, Tanh, Linear), cross-entropy, SGD over
a shuffled DataLoader; the epoch's last loss read once per epoch (as the kit)."""
import math

import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset


def run(p, start, _data_file=None):
    n, batch = int(p["n"]), int(p["batch"])
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(n, 2, generator=g), torch.randint(0, 2, (n,), generator=g)
    loader = DataLoader(TensorDataset(x, y), batch_size=batch, shuffle=True, drop_last=True, generator=g)
    start()
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, int(p["hidden"])), nn.Tanh(), nn.Linear(int(p["hidden"]), 2))
    opt = torch.optim.SGD(model.parameters(), lr=p["lr"])
    epochs = math.ceil(p["steps"] / len(loader))
    steps, last_loss = 0, float("nan")
    for _ in range(epochs):
        for xb, yb in loader:
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            steps += 1
        last_loss = loss.item()
    return {"steps": steps, "params": sum(q.numel() for q in model.parameters()), "detail": {"epochs": epochs, "lastLoss": last_loss}}
