"""W2: LeNet-5 (ReLU, max pooling) on 28x28 images: trained with Adam over a
shuffled DataLoader, then evaluated on 10,000 images in batches."""
import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset


def lenet5():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(),
        nn.Linear(120, 84), nn.ReLU(),
        nn.Linear(84, 10),
    )


def images(n, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(n, 1, 28, 28, generator=g), torch.randint(0, 10, (n,), generator=g)


def train(p, start, _data_file=None):
    batch, steps = int(p["batch"]), int(p["steps"])
    x, y = images(batch * steps, 0)
    loader = DataLoader(TensorDataset(x, y), batch_size=batch, shuffle=True)
    start()
    torch.manual_seed(0)
    model = lenet5()
    opt = torch.optim.Adam(model.parameters(), lr=p["lr"])
    model.train()
    running = 0.0
    for xb, yb in loader:
        opt.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
        running += loss.item() * len(xb)
    return {"steps": len(loader), "params": sum(q.numel() for q in model.parameters()), "detail": {"loss": running / len(x)}}


def infer(p, start, _data_file=None):
    x, y = images(int(p["images"]), 1)
    loader = DataLoader(TensorDataset(x, y), batch_size=int(p["batch"]))
    start()
    torch.manual_seed(0)
    model = lenet5().eval()
    correct = 0
    with torch.no_grad():
        for xb, yb in loader:
            correct += (model(xb).argmax(1) == yb).sum().item()
    return {"steps": len(loader), "params": sum(q.numel() for q in model.parameters()), "detail": {"accuracy": correct / len(x)}}
