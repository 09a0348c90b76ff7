"""A small classifier: two interleaved spirals, generated here, separated by an MLP.

Shows pyautograd.utils.data (TensorDataset, DataLoader with a seeded shuffle, random_split),
nn.CrossEntropyLoss, optim.Adam with a learning-rate schedule (CosineAnnealingLR), eval mode,
and a checkpoint saved and reloaded. Prints the loss and the accuracy every few epochs.
Run: python3 examples/spirals.py
"""

import math
import os
import tempfile

import numpy as np

import pyautograd as torch
from pyautograd import nn, optim
from pyautograd.utils.data import DataLoader, TensorDataset, random_split


def spirals(
    n_per_class: int, noise: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Two spirals of n_per_class points each, turning 1.5 times around the origin."""
    t = np.sqrt(rng.random(n_per_class)) * 3 * math.pi
    arm = np.stack([t * np.cos(t), t * np.sin(t)], axis=1) / (3 * math.pi)
    points = np.concatenate([arm, -arm]) + rng.normal(0, noise, (2 * n_per_class, 2))
    labels = np.concatenate([np.zeros(n_per_class), np.ones(n_per_class)]).astype(np.int64)
    return points.astype(np.float32), labels


def accuracy(model: nn.Module, loader: DataLoader) -> float:
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for xb, yb in loader:
            correct += int((model(xb).argmax(dim=1) == yb).sum().item())
            total += yb.shape[0]
    model.train()
    return correct / total


torch.manual_seed(0)
points, labels = spirals(500, 0.02, np.random.default_rng(0))
dataset = TensorDataset(torch.tensor(points), torch.tensor(labels))
train_set, test_set = random_split(dataset, [0.8, 0.2], generator=torch.Generator().manual_seed(0))
train_loader = DataLoader(train_set, batch_size=32, shuffle=True,
                          generator=torch.Generator().manual_seed(1))  # fmt: skip
test_loader = DataLoader(test_set, batch_size=200)

model = nn.Sequential(nn.Linear(2, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 2))
loss_fn = nn.CrossEntropyLoss()
epochs = 60
optimizer = optim.Adam(model.parameters(), lr=0.01)
scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)

for epoch in range(1, epochs + 1):
    running = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        running += loss.item() * yb.shape[0]
    scheduler.step()
    if epoch % 10 == 0:
        print(f"epoch {epoch:3d}  loss {running / len(train_set):.4f}  "
              f"train acc {accuracy(model, train_loader):.3f}  "
              f"test acc {accuracy(model, test_loader):.3f}  "
              f"lr {scheduler.get_last_lr()[0]:.5f}")  # fmt: skip

path = os.path.join(tempfile.mkdtemp(), "spirals.pt")
torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict()}, path)
restored = nn.Sequential(
    nn.Linear(2, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 2)
)
restored.load_state_dict(torch.load(path)["model"])
print(f"restored model test acc {accuracy(restored, test_loader):.3f}")
