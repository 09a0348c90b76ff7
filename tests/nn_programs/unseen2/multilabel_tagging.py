# Multi-label text tagging as in many Kaggle notebooks: EmbeddingBag(mode="mean") over
# flattened token ids with offsets, BCEWithLogitsLoss(pos_weight) for rare labels, compared
# with MultiLabelSoftMarginLoss, CyclicLR with momentum cycling (SGD), per-label thresholds,
# micro/macro F1 computed by hand, average precision via argsort/cumsum, and
# ListNet ranking (softmax cross entropy over scores) with NDCG@3.
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(32)
V, n_labels, n_docs = 40, 5, 120
label_words = torch.randint(0, V, (n_labels, 3))
docs, labels = [], torch.zeros(n_docs, n_labels)
for i in range(n_docs):
    lab = (torch.rand(n_labels) < torch.tensor([0.5, 0.3, 0.2, 0.1, 0.05])).float()
    labels[i] = lab
    words = torch.randint(0, V, (int(torch.randint(3, 8, (1,))),))
    for k in lab.nonzero().flatten().tolist():
        words = torch.cat([words, label_words[k]])
    docs.append(words[torch.randperm(len(words))])
print("label frequency:", labels.mean(0).round(decimals=3).tolist())


class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.bag = nn.EmbeddingBag(V, 16, mode="mean")
        self.fc = nn.Linear(16, n_labels)

    def forward(self, flat, offsets):
        return self.fc(torch.relu(self.bag(flat, offsets)))


def pack(batch_docs):
    lengths = torch.tensor([len(d) for d in batch_docs])
    offsets = torch.cat([torch.zeros(1, dtype=torch.long), lengths.cumsum(0)[:-1]])
    return torch.cat(batch_docs), offsets


pos = labels.sum(0)
pos_weight = ((n_docs - pos) / pos.clamp(min=1)).clamp(max=10)
for name, criterion in (("bce+pos_weight", nn.BCEWithLogitsLoss(pos_weight=pos_weight)), ("softmargin", nn.MultiLabelSoftMarginLoss())):
    torch.manual_seed(0)
    model = Tagger()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = torch.optim.lr_scheduler.CyclicLR(opt, base_lr=0.05, max_lr=0.5, step_size_up=6, mode="triangular2")
    for epoch in range(8):
        for s in range(0, n_docs, 20):
            flat, offsets = pack(docs[s : s + 20])
            loss = criterion(model(flat, offsets), labels[s : s + 20])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    with torch.no_grad():
        probs = torch.sigmoid(model(*pack(docs)))
    pred = (probs > 0.5).float()
    tp, fp, fn = (pred * labels).sum(0), (pred * (1 - labels)).sum(0), ((1 - pred) * labels).sum(0)
    micro = 2 * tp.sum() / (2 * tp.sum() + fp.sum() + fn.sum())
    macro = (2 * tp / (2 * tp + fp + fn).clamp(min=1)).mean()
    print(f"{name}: loss {loss.item():.5f} micro-F1 {micro.item():.4f} macro-F1 {macro.item():.4f} lr {sched.get_last_lr()[0]:.5f} momentum {opt.param_groups[0]['momentum']:.4f}")


def average_precision(scores, target):
    order = torch.argsort(scores, descending=True, stable=True)
    t = target[order]
    prec = t.cumsum(0) / torch.arange(1, len(t) + 1)
    return (prec * t).sum() / t.sum().clamp(min=1)


print("AP per label:", [round(average_precision(probs[:, k], labels[:, k]).item(), 4) for k in range(n_labels)])

relevance = labels * torch.tensor([3.0, 2.0, 2.0, 1.0, 1.0])
ranker = nn.Linear(n_labels, 1)
ropt = torch.optim.Adam(ranker.parameters(), lr=0.05)
feats = probs.detach().unsqueeze(0).expand(4, -1, -1)[:, :30]
rel = relevance[:30].sum(1).view(1, -1).expand(4, -1) + torch.randn(4, 30) * 0.1
for step in range(50):
    scores = ranker(feats).squeeze(-1)
    loss = -(F.softmax(rel, dim=1) * F.log_softmax(scores, dim=1)).sum(1).mean()
    ropt.zero_grad()
    loss.backward()
    ropt.step()


def ndcg_at_k(scores, rel, k=3):
    top = scores.topk(k).indices
    disc = 1.0 / torch.log2(torch.arange(2, k + 2).float())
    dcg = ((2 ** rel[top] - 1) * disc).sum()
    ideal = ((2 ** rel.sort(descending=True).values[:k] - 1) * disc).sum()
    return (dcg / ideal).item()


print(f"listnet loss {loss.item():.5f} ndcg@3 {ndcg_at_k(scores[0].detach(), rel[0]):.4f} log2 check {math.log2(3):.4f}")
