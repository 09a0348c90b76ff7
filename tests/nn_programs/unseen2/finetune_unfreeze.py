# Transfer-learning plumbing: a "pretrained" backbone trained on one task, saved with
# torch.save, reloaded, frozen with requires_grad_(False), a new head trained, then gradual
# unfreezing with optimizer.add_param_group at a lower (discriminative) learning rate,
# MultiStepLR over every group, an optimizer state_dict round trip, checkpoint_sequential on
# the backbone, and datasets built with TensorDataset, Subset, ConcatDataset, a seeded
# torch.Generator for random_split / DataLoader shuffling, and drop_last.
import io

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.checkpoint import checkpoint_sequential
from torch.utils.data import ConcatDataset, DataLoader, Subset, TensorDataset, random_split

torch.manual_seed(29)


def backbone():
    return nn.Sequential(nn.Linear(6, 24), nn.Tanh(), nn.Linear(24, 24), nn.Tanh(), nn.Linear(24, 12), nn.Tanh())


x_a = torch.randn(200, 6)
y_a = (x_a[:, :3].sum(1) > 0).long()
pre = nn.Sequential(backbone(), nn.Linear(12, 2))
opt = torch.optim.Adam(pre.parameters(), lr=1e-2)
for _ in range(30):
    loss = F.cross_entropy(pre(x_a), y_a)
    opt.zero_grad()
    loss.backward()
    opt.step()
print(f"pretraining loss {loss.item():.5f}")
buf = io.BytesIO()
torch.save(pre[0].state_dict(), buf)

x_b = torch.randn(150, 6)
y_b = ((x_b[:, :3].sum(1) > 0) & (x_b[:, 3] > -0.5)).long() + (x_b[:, 4] > 1).long()
full = TensorDataset(x_b, y_b)
g = torch.Generator().manual_seed(7)
train_ds, val_ds = random_split(full, [0.8, 0.2], generator=g)
extra = Subset(TensorDataset(x_a, torch.zeros(200, dtype=torch.long)), range(0, 200, 10))
train_ds = ConcatDataset([train_ds, extra])
print("sizes:", len(train_ds), len(val_ds), "subset idx", list(extra.indices)[:3])
loader = DataLoader(train_ds, batch_size=32, shuffle=True, drop_last=True, generator=torch.Generator().manual_seed(3))

body = backbone()
buf.seek(0)
print(body.load_state_dict(torch.load(buf)))
body.requires_grad_(False)
head = nn.Linear(12, 3)
model = nn.Sequential(body, head)
opt = torch.optim.SGD(head.parameters(), lr=0.1, momentum=0.9)
sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[6, 9], gamma=0.5)
print("trainable:", sum(p.numel() for p in model.parameters() if p.requires_grad))
for epoch in range(12):
    if epoch == 4:
        body[4].requires_grad_(True)
        opt.add_param_group({"params": body[4].parameters(), "lr": 0.01})
    if epoch == 8:
        body.requires_grad_(True)
        opt.add_param_group({"params": [p for m in (body[0], body[2]) for p in m.parameters()], "lr": 0.003})
    model.train()
    for xb, yb in loader:
        x_in = xb.requires_grad_(True)
        feats = checkpoint_sequential(body, 2, x_in, use_reentrant=False)
        loss = F.cross_entropy(head(feats), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
    sched.step()
    if epoch % 2 == 1:
        with torch.no_grad():
            xv, yv = val_ds[:]
            acc = (model(xv).argmax(1) == yv).float().mean().item()
        print(f"epoch {epoch:2d} loss {loss.item():.5f} val acc {acc:.4f} lrs {[round(gp['lr'], 5) for gp in opt.param_groups]}")

state = opt.state_dict()
print("groups:", len(state["param_groups"]), "state entries:", len(state["state"]), "param ids:", [gp["params"] for gp in state["param_groups"]])
opt2 = torch.optim.SGD([{"params": head.parameters()}, {"params": body[4].parameters()}, {"params": [p for m in (body[0], body[2]) for p in m.parameters()]}], lr=0.1, momentum=0.9)
opt2.load_state_dict(state)
print("restored lrs:", [gp["lr"] for gp in opt2.param_groups], "momentum equal:",
      torch.equal(opt2.state[head.weight]["momentum_buffer"], opt.state[head.weight]["momentum_buffer"]))
