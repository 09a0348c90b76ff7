# Shape-agnostic model code with lazy modules and streaming data: LazyConv1d /
# LazyBatchNorm1d / LazyLinear whose sizes come from a dry-run batch (the optimizer is built
# after it, as the docs advise), IterableDatasets chained with + (ChainDataset) and batched
# by DataLoader, a StackDataset pairing features with labels for evaluation, and a state_dict
# saved to BytesIO and loaded into a fresh, still-uninitialized lazy model.
import io

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, IterableDataset, StackDataset, TensorDataset

torch.manual_seed(40)


class SignalStream(IterableDataset):
    def __init__(self, n, freq, label, seed):
        self.n, self.freq, self.label, self.seed = n, freq, label, seed

    def __iter__(self):
        g = torch.Generator().manual_seed(self.seed)
        t = torch.linspace(0, 1, 32)
        for _ in range(self.n):
            phase = torch.rand(1, generator=g) * 6.28
            x = torch.stack([torch.sin(2 * 3.1416 * self.freq * t + phase), torch.randn(32, generator=g) * 0.3])
            yield x, self.label


def make_model():
    return nn.Sequential(
        nn.LazyConv1d(8, 5, padding=2), nn.LazyBatchNorm1d(), nn.ReLU(),
        nn.MaxPool1d(2), nn.LazyConv1d(8, 3), nn.ReLU(), nn.Flatten(), nn.LazyLinear(2),
    )


model = make_model()
print("before dry run:", model[0], model[7])
with torch.no_grad():
    model(torch.randn(2, 2, 32))
print("after dry run:", model[0], model[1], model[7])
print("parameters:", sum(p.numel() for p in model.parameters()))
opt = torch.optim.Adam(model.parameters(), lr=5e-3)
for epoch in range(3):
    stream = SignalStream(48, 2.0, 0, seed=epoch) + SignalStream(48, 5.0, 1, seed=100 + epoch)
    total, n = 0.0, 0
    for x, y in DataLoader(stream, batch_size=16):
        perm = torch.randperm(len(y))
        loss = F.cross_entropy(model(x[perm]), y[perm])
        opt.zero_grad()
        loss.backward()
        opt.step()
        total, n = total + loss.item() * len(y), n + len(y)
    print(f"epoch {epoch} samples {n} loss {total / n:.5f} stream type {type(stream).__name__}")

xs, ys = zip(*list(SignalStream(20, 2.0, 0, 7) + SignalStream(20, 5.0, 1, 8)))
evalset = StackDataset(features=TensorDataset(torch.stack(xs)), label=torch.tensor(ys))
print("stack item keys:", sorted(evalset[0]), len(evalset))
buf = io.BytesIO()
torch.save(model.state_dict(), buf)
buf.seek(0)
fresh = make_model()
print(fresh.load_state_dict(torch.load(buf)))
print("fresh still lazy:", type(fresh[0]).__name__, tuple(fresh[0].weight.shape))
model.eval()
fresh.eval()
with torch.no_grad():
    correct = agree = 0
    for batch in DataLoader(evalset, batch_size=10):
        x = batch["features"][0]
        out = model(x)
        agree += int(torch.equal(out, fresh(x)))
        correct += (out.argmax(1) == batch["label"]).sum().item()
print(f"accuracy {correct / len(evalset):.4f} batches agreeing {agree}/4 fresh now {type(fresh[0]).__name__}")
