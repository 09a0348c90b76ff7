# Evaluation and tensor idioms from Kaggle notebooks and course code: a logistic-regression
# model trained with BCEWithLogitsLoss(pos_weight=...), then thresholds, confusion matrix by
# bincount, precision/recall/F1, ROC AUC by sorting, top-k accuracy on a multiclass head,
# torch.where/clamp/cumsum/unique/histc/bucketize, .item()/.tolist()/.numpy() round trips,
# f-string formatting of tensors and print() of tensors of several dtypes.
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(2024)
np.random.seed(0)

X_np = np.random.randn(120, 4).astype(np.float32)
w_np = np.array([1.5, -2.0, 0.5, 0.0], dtype=np.float32)
y_np = ((X_np @ w_np + 0.5 * np.random.randn(120)) > 0.8).astype(np.float32)
X = torch.from_numpy(X_np)
y = torch.tensor(y_np).unsqueeze(1)
print(f"positives: {int(y.sum())}/{len(y)}  X[0]={X[0]}")

model = nn.Linear(4, 1)
pos_weight = (y == 0).sum() / (y == 1).sum()
criterion = nn.BCEWithLogitsLoss(pos_weight=pos_weight)
optimizer = torch.optim.Adagrad(model.parameters(), lr=0.3)
for epoch in range(30):
    optimizer.zero_grad()
    logits = model(X)
    loss = criterion(logits, y)
    loss.backward()
    optimizer.step()
    if epoch % 6 == 0:
        print(f"epoch {epoch:2d}: loss={loss:.5f} weight={model.weight.data.squeeze().numpy().round(4)}")

with torch.no_grad():
    probs = torch.sigmoid(model(X)).squeeze(1)
preds = (probs > 0.5).long()
target = y.squeeze(1).long()
cm = torch.bincount(target * 2 + preds, minlength=4).reshape(2, 2)
print("confusion matrix:\n", cm)
tn, fp, fn, tp = cm.flatten().tolist()
precision = tp / max(tp + fp, 1)
recall = tp / max(tp + fn, 1)
f1 = 2 * precision * recall / max(precision + recall, 1e-12)
print(f"precision {precision:.4f} recall {recall:.4f} f1 {f1:.4f}")

# ROC AUC by the rank statistic
order = torch.argsort(probs, descending=True)
sorted_t = target[order].float()
tps = torch.cumsum(sorted_t, 0)
fps = torch.cumsum(1 - sorted_t, 0)
tpr = torch.cat([torch.zeros(1), tps / tps[-1]])
fpr = torch.cat([torch.zeros(1), fps / fps[-1]])
auc = torch.trapezoid(tpr, fpr)
print(f"AUC {auc.item():.5f}")

# multiclass head: top-k accuracy
logits = torch.randn(10, 5)
labels = torch.tensor([0, 1, 2, 3, 4, 0, 1, 2, 3, 4])
top3 = logits.topk(3, dim=1).indices
top1_acc = (logits.argmax(1) == labels).float().mean()
top3_acc = (top3 == labels.unsqueeze(1)).any(dim=1).float().mean()
print(f"top1 {top1_acc:.2f} top3 {top3_acc:.2f}")
print(torch.unique(labels, return_counts=True))
print(torch.histc(probs, bins=5, min=0, max=1))
edges = torch.tensor([0.25, 0.5, 0.75])
print(torch.bucketize(probs[:6], edges), probs[:6].numpy().round(3).tolist())
clipped = torch.where(probs > 0.9, torch.ones_like(probs), probs).clamp(min=0.05)
print(f"{clipped.mean():.6f} {clipped.max().item():.4f} {clipped.argmin().item()}")
print(torch.tensor([1, 2, 3]), torch.tensor([True, False]), torch.tensor([1.5, 2.25], dtype=torch.float64))
print(torch.arange(6).view(2, 3).T.contiguous().tolist(), torch.tensor(3.5).item(), torch.tensor([[1.0]]).shape)
arr = np.arange(6, dtype=np.float32).reshape(2, 3)
t = torch.as_tensor(arr)
arr[0, 0] = 100.0  # shares memory
print(t[0, 0].item(), t.numpy() is not arr, torch.from_numpy(arr).sum().item())
stats = {"mean": probs.mean(), "std": probs.std(), "median": probs.median(), "q90": torch.quantile(probs, 0.9)}
print({k: round(v.item(), 5) for k, v in stats.items()})
print("{:.3f} | {:>8.4f} | {}".format(probs[0], probs[1], probs[2:4]))
