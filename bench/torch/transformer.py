"""W4: lab 5's reverse task with PyTorch's layers: Embedding, sine positional
encoding, one TransformerEncoderLayer, a Linear head; Adam, one epoch at a
time with train and held-out token accuracy, until the held-out accuracy
reaches the target. The sequences are the kit's, read from dataFile."""
import json
import math

import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset


class PositionalEncoding(nn.Module):
    def __init__(self, d_model, max_len):
        super().__init__()
        pe = torch.zeros(max_len, d_model)
        position = torch.arange(max_len).unsqueeze(1)
        div = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe[:, 0::2] = torch.sin(position * div)
        pe[:, 1::2] = torch.cos(position * div)
        self.register_buffer("pe", pe)

    def forward(self, x):
        return x + self.pe[: x.size(1)]


class Reverser(nn.Module):
    def __init__(self, p):
        super().__init__()
        d = int(p["dModel"])
        self.embed = nn.Embedding(int(p["vocab"]), d)
        self.positional = PositionalEncoding(d, int(p["length"]))
        self.encoder = nn.TransformerEncoderLayer(d, int(p["heads"]), int(p["ff"]), dropout=0.0, batch_first=True)
        self.head = nn.Linear(d, int(p["vocab"]))

    def forward(self, tokens):
        return self.head(self.encoder(self.positional(self.embed(tokens))))


def load(data_file):
    with open(data_file) as f:
        sets = json.load(f)
    as_set = lambda s: TensorDataset(torch.tensor(s["x"]).reshape(s["shape"]), torch.tensor(s["y"]).reshape(s["shape"]))
    return as_set(sets["train"]), as_set(sets["heldOut"])


def run(p, start, data_file):
    train_set, held_out_set = load(data_file)
    vocab = int(p["vocab"])
    loader = DataLoader(train_set, batch_size=int(p["batch"]), shuffle=True)
    held_out = DataLoader(held_out_set, batch_size=500)
    start()
    torch.manual_seed(0)
    model = Reverser(p)
    opt = torch.optim.Adam(model.parameters(), lr=p["lr"])
    epochs, accuracy = 0, 0.0
    while epochs < p["maxEpochs"] and accuracy < p["target"]:
        model.train()
        running_loss, running_correct = 0.0, 0.0
        for x, y in loader:
            opt.zero_grad()
            logits = model(x)
            loss = F.cross_entropy(logits.reshape(-1, vocab), y.reshape(-1))
            loss.backward()
            opt.step()
            running_loss += loss.item() * len(x)
            running_correct += (logits.argmax(-1) == y).float().mean().item() * len(x)
        model.eval()
        correct = 0
        with torch.no_grad():
            for x, y in held_out:
                correct += (model(x).argmax(-1) == y).sum().item()
        accuracy = correct / held_out_set.tensors[1].numel()
        epochs += 1
    return {
        "steps": epochs * len(loader),
        "params": sum(q.numel() for q in model.parameters()),
        "detail": {"epochs": epochs, "heldOutAccuracy": accuracy, "reached": accuracy >= p["target"]},
    }
