# The data and model plumbing of an imbalanced-classification project: a custom map-style
# Dataset returning (tensor, label, length) tuples of variable length, a collate_fn that pads
# with pad_sequence, WeightedRandomSampler with inverse class-frequency weights inside a
# BatchSampler-free DataLoader, a model with a persistent=False buffer, an orthogonal
# parametrization (nn.utils.parametrizations.orthogonal), torch.utils.checkpoint on a block,
# saving the state_dict to an io.BytesIO with torch.save and restoring it with torch.load.
import io
from collections import Counter

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.parametrizations import orthogonal
from torch.nn.utils.rnn import pad_sequence
from torch.utils.checkpoint import checkpoint
from torch.utils.data import DataLoader, Dataset, WeightedRandomSampler

torch.manual_seed(19)


class VarLenDataset(Dataset):
    def __init__(self, n):
        self.labels = (torch.rand(n) < 0.2).long()
        self.items = []
        for y in self.labels.tolist():
            length = int(torch.randint(3, 8, (1,)))
            self.items.append(torch.randn(length, 4) + y * 0.7)

    def __len__(self):
        return len(self.items)

    def __getitem__(self, idx):
        return self.items[idx], self.labels[idx], len(self.items[idx])


def collate(batch):
    seqs, labels, lengths = zip(*batch)
    return pad_sequence(seqs, batch_first=True), torch.stack(labels), torch.tensor(lengths)


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("scale", torch.tensor(0.5), persistent=False)
        self.register_buffer("calls", torch.zeros((), dtype=torch.long))
        self.proj = orthogonal(nn.Linear(4, 4, bias=False))
        self.block = nn.Sequential(nn.Linear(4, 16), nn.GELU(), nn.Linear(16, 16), nn.GELU())
        self.out = nn.Linear(16, 2)

    def forward(self, x, lengths):
        self.calls += 1
        mask = (torch.arange(x.shape[1]).unsqueeze(0) < lengths.unsqueeze(1)).unsqueeze(-1)
        h = checkpoint(self.block, self.proj(x) * self.scale, use_reentrant=False)
        pooled = (h * mask).sum(1) / lengths.unsqueeze(1)
        return self.out(pooled)


ds = VarLenDataset(120)
counts = Counter(ds.labels.tolist())
print("class counts:", sorted(counts.items()))
class_weight = {c: 1.0 / n for c, n in counts.items()}
weights = [class_weight[y] for y in ds.labels.tolist()]
sampler = WeightedRandomSampler(weights, num_samples=len(ds), replacement=True)
loader = DataLoader(ds, batch_size=16, sampler=sampler, collate_fn=collate)
x, y, lengths = next(iter(loader))
print("batch:", tuple(x.shape), y.dtype, lengths.tolist())

model = Classifier()
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for epoch in range(4):
    seen = Counter()
    total = 0.0
    for x, y, lengths in loader:
        loss = F.cross_entropy(model(x, lengths), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item() * len(y)
        seen.update(y.tolist())
    print(f"epoch {epoch} loss {total / len(ds):.5f} sampled classes {sorted(seen.items())}")

W = model.proj.weight
print("orthogonal:", torch.allclose(W @ W.T, torch.eye(4), atol=1e-5))
sd = model.state_dict()
print("state_dict keys:", list(sd.keys()))
buf = io.BytesIO()
torch.save(sd, buf)
buf.seek(0)
restored = Classifier()
missing = restored.load_state_dict(torch.load(buf, weights_only=True))
print("load result:", missing)
full = DataLoader(ds, batch_size=40, shuffle=False, collate_fn=collate)
model.eval()
restored.eval()
with torch.no_grad():
    same = all(torch.allclose(model(x, l), restored(x, l)) for x, _, l in full)
    acc = sum((model(x, l).argmax(1) == y).sum().item() for x, y, l in full) / len(ds)
print("restored model agrees:", same, "calls", model.calls.item(), restored.calls.item(), f"accuracy {acc:.3f}")
