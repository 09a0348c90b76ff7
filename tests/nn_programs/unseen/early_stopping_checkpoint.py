# A tabular regression workflow as in Kaggle notebooks: a TensorDataset split with random_split
# (seeded generator), DataLoaders, a BatchNorm1d/Dropout MLP, Adam with ReduceLROnPlateau,
# early stopping that keeps copy.deepcopy(model.state_dict()) of the best epoch, a checkpoint
# dict saved with torch.save to a temporary directory and restored with torch.load into a fresh
# model and optimizer, and a resumed epoch that must match the uninterrupted one.
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset, random_split

torch.manual_seed(0)

n_samples, n_features = 200, 6
X = torch.randn(n_samples, n_features)
true_w = torch.linspace(-1, 1, n_features)
y = (X @ true_w + 0.3 * torch.sin(3 * X[:, 0]) + 0.1 * torch.randn(n_samples)).unsqueeze(1)
mean, std = X.mean(0, keepdim=True), X.std(0, keepdim=True)
X = (X - mean) / std

dataset = TensorDataset(X, y)
train_set, val_set, test_set = random_split(dataset, [140, 30, 30], generator=torch.Generator().manual_seed(42))
print(len(train_set), len(val_set), len(test_set), train_set.indices[:5])
train_loader = DataLoader(train_set, batch_size=32, shuffle=True, drop_last=True)
val_loader = DataLoader(val_set, batch_size=64)
test_loader = DataLoader(test_set, batch_size=64)


def make_model():
    return nn.Sequential(
        nn.Linear(n_features, 32, bias=False),  # the BatchNorm1d after it has the shift
        nn.BatchNorm1d(32),
        nn.ReLU(),
        nn.Dropout(0.1),
        nn.Linear(32, 16),
        nn.ReLU(),
        nn.Linear(16, 1),
    )


def run_epoch(model, loader, criterion, optimizer=None):
    training = optimizer is not None
    model.train(training)
    total, count = 0.0, 0
    with torch.set_grad_enabled(training):
        for xb, yb in loader:
            pred = model(xb)
            loss = criterion(pred, yb)
            if training:
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            total += loss.item() * xb.size(0)
            count += xb.size(0)
    return total / count


model = make_model()
criterion = nn.MSELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", factor=0.5, patience=2)

best_loss, best_state, best_epoch = float("inf"), None, -1
patience, bad_epochs = 4, 0
history = []
tmpdir = tempfile.mkdtemp()
ckpt_path = os.path.join(tmpdir, "checkpoint.pt")
for epoch in range(25):
    train_loss = run_epoch(model, train_loader, criterion, optimizer)
    val_loss = run_epoch(model, val_loader, criterion)
    scheduler.step(val_loss)
    history.append((train_loss, val_loss))
    print(f"epoch {epoch:2d} train {train_loss:.5f} val {val_loss:.5f} lr {optimizer.param_groups[0]['lr']:.5f}")
    if val_loss < best_loss - 1e-4:
        best_loss, best_epoch, bad_epochs = val_loss, epoch, 0
        best_state = copy.deepcopy(model.state_dict())
        torch.save(
            {
                "epoch": epoch,
                "model_state_dict": model.state_dict(),
                "optimizer_state_dict": optimizer.state_dict(),
                "scheduler_state_dict": scheduler.state_dict(),
                "val_loss": val_loss,
                "rng_state": torch.get_rng_state(),
            },
            ckpt_path,
        )
    else:
        bad_epochs += 1
        if bad_epochs >= patience:
            print(f"early stopping at epoch {epoch}, best epoch {best_epoch}")
            break

model.load_state_dict(best_state)
print(f"restored best val {run_epoch(model, val_loader, criterion):.5f} (recorded {best_loss:.5f})")
print(f"test loss {run_epoch(model, test_loader, criterion):.5f}")

checkpoint = torch.load(ckpt_path)
print(sorted(checkpoint.keys()), checkpoint["epoch"], type(checkpoint["rng_state"]).__name__)
fresh = make_model()
fresh_opt = torch.optim.Adam(fresh.parameters(), lr=1e-2)
fresh.load_state_dict(checkpoint["model_state_dict"])
fresh_opt.load_state_dict(checkpoint["optimizer_state_dict"])
print("same weights:", all(torch.equal(a, b) for a, b in zip(fresh.state_dict().values(), best_state.values())))
print("optimizer step", fresh_opt.state_dict()["state"][0]["step"])

# resume one epoch from the checkpoint twice: with the restored rng state, both runs agree
results = []
for _ in range(2):
    resumed = make_model()
    resumed.load_state_dict(checkpoint["model_state_dict"])
    opt = torch.optim.Adam(resumed.parameters(), lr=1e-2)
    opt.load_state_dict(checkpoint["optimizer_state_dict"])
    torch.set_rng_state(checkpoint["rng_state"])
    results.append(run_epoch(resumed, train_loader, criterion, opt))
print(f"resumed epochs agree: {results[0] == results[1]} {results[0]:.5f}")
preds = torch.cat([fresh.eval()(xb) for xb, _ in test_loader]).detach().numpy()
print(preds.shape, preds.dtype, np.round(preds[:3, 0], 4))
weights_path = os.path.join(tmpdir, "weights_only.pt")
torch.save(fresh.state_dict(), weights_path)
sd = torch.load(weights_path, weights_only=True)
print(list(sd.keys())[:4], sd["1.num_batches_tracked"])
