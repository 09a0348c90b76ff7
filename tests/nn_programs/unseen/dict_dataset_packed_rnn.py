# A custom Dataset whose __getitem__ returns dicts (as Hugging Face-style pipelines do), a
# collate_fn that pads variable-length sequences with pad_sequence and keeps the lengths,
# a bidirectional GRU over pack_padded_sequence/pad_packed_sequence, Subset for a held-out
# part, WeightedRandomSampler for class balance, and the default collate of dicts of tensors.
import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence
from torch.utils.data import DataLoader, Dataset, Subset, WeightedRandomSampler
from torch.utils.data.dataloader import default_collate

torch.manual_seed(5)


class SequenceDataset(Dataset):
    """Sequences of floats; the label says whether their sum is positive."""

    def __init__(self, n, max_len=9):
        self.lengths = torch.randint(2, max_len + 1, (n,))
        self.items = [torch.randn(int(length), 2) + 0.2 for length in self.lengths]
        self.labels = [int(x[:, 0].sum() > 0) for x in self.items]

    def __len__(self):
        return len(self.items)

    def __getitem__(self, idx):
        return {"x": self.items[idx], "length": self.lengths[idx], "label": torch.tensor(self.labels[idx])}


def collate(batch):
    xs = [b["x"] for b in batch]
    return {
        "x": pad_sequence(xs, batch_first=True),
        "length": torch.stack([b["length"] for b in batch]),
        "label": torch.stack([b["label"] for b in batch]),
    }


class BiGRUClassifier(nn.Module):
    def __init__(self, input_size=2, hidden_size=16, num_classes=2):
        super().__init__()
        self.rnn = nn.GRU(input_size, hidden_size, batch_first=True, bidirectional=True)
        self.head = nn.Linear(2 * hidden_size, num_classes)

    def forward(self, x, lengths):
        packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        packed_out, h_n = self.rnn(packed)
        out, out_lengths = pad_packed_sequence(packed_out, batch_first=True)
        h = torch.cat([h_n[-2], h_n[-1]], dim=1)  # last forward and backward states
        return self.head(h), out, out_lengths


dataset = SequenceDataset(80)
print(dataset[0]["x"].shape, dataset[0]["length"], dataset[0]["label"])
print("default collate of dicts:", {k: tuple(v.shape) for k, v in default_collate([{"a": torch.ones(2), "b": 3}, {"a": torch.zeros(2), "b": 4}]).items()})
train_idx, val_idx = list(range(60)), list(range(60, 80))
train_set, val_set = Subset(dataset, train_idx), Subset(dataset, val_idx)
labels = torch.tensor([dataset.labels[i] for i in train_idx])
class_counts = torch.bincount(labels, minlength=2)
sample_weights = (1.0 / class_counts.float())[labels]
print("class counts", class_counts.tolist(), "weights", sample_weights[:4])
sampler = WeightedRandomSampler(sample_weights, num_samples=len(train_set), replacement=True)
train_loader = DataLoader(train_set, batch_size=12, sampler=sampler, collate_fn=collate)
val_loader = DataLoader(val_set, batch_size=10, shuffle=False, collate_fn=collate)

model = BiGRUClassifier()
optimizer = torch.optim.RMSprop(model.parameters(), lr=5e-3)
criterion = nn.CrossEntropyLoss()
for epoch in range(5):
    model.train()
    seen, running = 0, 0.0
    for batch in train_loader:
        logits, out, out_lengths = model(batch["x"], batch["length"])
        loss = criterion(logits, batch["label"])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        running += loss.item() * len(batch["label"])
        seen += len(batch["label"])
    model.eval()
    correct = 0
    with torch.no_grad():
        for batch in val_loader:
            logits, out, out_lengths = model(batch["x"], batch["length"])
            correct += (logits.argmax(1) == batch["label"]).sum().item()
    print(f"epoch {epoch} loss {running / seen:.5f} val acc {correct / len(val_set):.3f}")
print("padded out", out.shape, "lengths", out_lengths.tolist())
print("zeros past each length:", all(out[i, n:].abs().sum().item() == 0 for i, n in enumerate(out_lengths.tolist())))
