"""W3: the char-RNN. One word at a time: the slide's RNN class (the PyTorch
tutorial's), NLL loss on the last step, SGD, loss.item() after every word.
Batched: nn.RNN over fixed-length words and a Linear head.
The words follow bench/workloads/words.ts."""
import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader, TensorDataset


def word_length(i):
    return 3 + (7 * i) % 10


def word_chars(i, length, vocab):
    return [(31 * i + 17 * t) % vocab for t in range(length)]


class SlideRNN(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super().__init__()
        self.hidden_size = hidden_size
        self.i2h = nn.Linear(input_size + hidden_size, hidden_size)
        self.i2o = nn.Linear(input_size + hidden_size, output_size)
        self.softmax = nn.LogSoftmax(dim=1)

    def forward(self, input, hidden):
        combined = torch.cat((input, hidden), 1)
        hidden = self.i2h(combined)
        output = self.softmax(self.i2o(combined))
        return output, hidden

    def initHidden(self):
        return torch.zeros(1, self.hidden_size)


def word(p, start, _data_file=None):
    vocab, classes = int(p["vocab"]), int(p["classes"])
    words = [word_chars(i, word_length(i), vocab) for i in range(int(p["words"]))]
    start()
    torch.manual_seed(0)
    rnn = SlideRNN(vocab, int(p["hidden"]), classes)
    opt = torch.optim.SGD(rnn.parameters(), lr=p["lr"])
    total = 0.0
    for i, chars in enumerate(words):
        letters = F.one_hot(torch.tensor(chars), vocab).float()
        category = torch.tensor([i % classes])
        hidden = rnn.initHidden()
        opt.zero_grad()
        for t in range(len(chars)):
            output, hidden = rnn(letters[t:t + 1], hidden)
        loss = F.nll_loss(output, category)
        loss.backward()
        opt.step()
        total += loss.item()
    return {"steps": len(words), "params": sum(q.numel() for q in rnn.parameters()), "detail": {"meanLoss": total / len(words)}}


class WordClassifier(nn.Module):
    def __init__(self, vocab, hidden, classes):
        super().__init__()
        self.rnn = nn.RNN(vocab, hidden, batch_first=True)
        self.head = nn.Linear(hidden, classes)

    def forward(self, x):
        _, h_n = self.rnn(x)
        return self.head(h_n[0])


def batched(p, start, _data_file=None):
    n, length, vocab, classes = int(p["words"]), int(p["length"]), int(p["vocab"]), int(p["classes"])
    chars = torch.tensor([word_chars(i, length, vocab) for i in range(n)])
    x, y = F.one_hot(chars, vocab).float(), torch.tensor([i % classes for i in range(n)])
    loader = DataLoader(TensorDataset(x, y), batch_size=int(p["batch"]), shuffle=True)
    start()
    torch.manual_seed(0)
    model = WordClassifier(vocab, int(p["hidden"]), classes)
    opt = torch.optim.SGD(model.parameters(), lr=p["lr"])
    running = 0.0
    for _ in range(int(p["epochs"])):
        running = 0.0
        for xb, yb in loader:
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            running += loss.item() * len(xb)
    return {"steps": int(p["epochs"]) * len(loader), "params": sum(q.numel() for q in model.parameters()), "detail": {"loss": running / n}}
