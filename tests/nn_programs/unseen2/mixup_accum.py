# A CIFAR-style training recipe on synthetic images: mixup and cutmix with the mixing ratio
# drawn from numpy's Beta (np.random.beta), label-smoothed cross_entropy, gradient
# accumulation over micro-batches (loss / accum, one step per accum backward passes), SGD with
# nesterov momentum and weight decay, a
# CosineAnnealingWarmRestarts schedule stepped with fractional epochs, in-place ReLUs.
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(14)
np.random.seed(14)

model = nn.Sequential(
    nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(inplace=True),
    nn.MaxPool2d(2),
    nn.Conv2d(8, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16), nn.ReLU(inplace=True),
    nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 4),
)
x_all = torch.randn(96, 3, 8, 8)
y_all = torch.randint(0, 4, (96,))
x_all += y_all.view(-1, 1, 1, 1).float() * 0.3


def mixup(x, y, alpha=0.4):
    lam = float(np.random.beta(alpha, alpha))
    index = torch.randperm(x.size(0))
    return lam * x + (1 - lam) * x[index], y, y[index], lam


def cutmix(x, y, alpha=1.0):
    lam = np.random.beta(alpha, alpha)
    index = torch.randperm(x.size(0))
    H, W = x.shape[2:]
    cut = int(H * np.sqrt(1.0 - lam))
    cy, cx = np.random.randint(H), np.random.randint(W)
    y1, y2 = np.clip(cy - cut // 2, 0, H), np.clip(cy + cut // 2, 0, H)
    x1, x2 = np.clip(cx - cut // 2, 0, W), np.clip(cx + cut // 2, 0, W)
    x = x.clone()
    x[:, :, y1:y2, x1:x2] = x[index, :, y1:y2, x1:x2]
    lam = 1 - ((x2 - x1) * (y2 - y1) / (H * W))
    return x, y, y[index], float(lam)


criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)
scheduler = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(optimizer, T_0=2, T_mult=2, eta_min=1e-3)
accum, micro = 2, 16
iters = len(x_all) // (accum * micro)
for epoch in range(6):
    perm = torch.randperm(len(x_all))
    model.train()
    for it in range(iters):
        optimizer.zero_grad()
        for m in range(accum):
            idx = perm[(it * accum + m) * micro : (it * accum + m + 1) * micro]
            x, y = x_all[idx], y_all[idx]
            x, ya, yb, lam = (mixup if m % 2 == 0 else cutmix)(x, y)
            out = model(x)
            loss = lam * criterion(out.float(), ya) + (1 - lam) * criterion(out.float(), yb)
            (loss / accum).backward()
        optimizer.step()
        scheduler.step(epoch + it / iters)
    model.eval()
    with torch.no_grad():
        acc = (model(x_all).argmax(1) == y_all).float().mean().item()
    print(f"epoch {epoch} last loss {loss.item():.3f} lam {lam:.4f} lr {optimizer.param_groups[0]['lr']:.5f} train acc {acc:.3f}")

print("bn running mean:", model[1].running_mean[:4].round(decimals=4).tolist(), "batches", model[1].num_batches_tracked.item())
print("last lrs:", [round(lr, 6) for lr in scheduler.get_last_lr()], "T_cur", round(scheduler.T_cur, 4), "T_i", scheduler.T_i)
