# Metric learning with a siamese embedding network, as in the siamese/triplet tutorials:
# a shared encoder, nn.TripletMarginLoss and the same loss by F.pairwise_distance,
# a contrastive loss by hand, nn.CosineEmbeddingLoss, L2-normalised embeddings, hard-negative
# mining with torch.cdist and masks, and nearest-neighbour retrieval accuracy.
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(31)
n_classes, per_class, dim = 4, 12, 6
protos = torch.randn(n_classes, dim) * 2
labels = torch.arange(n_classes).repeat_interleave(per_class)
data = protos[labels] + torch.randn(len(labels), dim)


class EmbeddingNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(dim, 32), nn.PReLU(), nn.Linear(32, 32), nn.PReLU(), nn.Linear(32, 8))

    def forward(self, x):
        return F.normalize(self.net(x), p=2, dim=1)


def contrastive_loss(out1, out2, same, margin=1.0):
    d = F.pairwise_distance(out1, out2)
    return torch.mean(same * d.pow(2) + (1 - same) * torch.clamp(margin - d, min=0.0).pow(2))


def batch_hard_triplets(emb, labels, margin):
    dist = torch.cdist(emb, emb)
    same = labels.unsqueeze(0) == labels.unsqueeze(1)
    hardest_pos = (dist * same.float()).max(dim=1).values
    hardest_neg = dist.masked_fill(same, float("inf")).min(dim=1).values
    return F.relu(hardest_pos - hardest_neg + margin).mean()


model = EmbeddingNet()
triplet = nn.TripletMarginLoss(margin=0.5, p=2)
cosine = nn.CosineEmbeddingLoss(margin=0.1)
optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
for step in range(25):
    a_idx = torch.randint(0, len(labels), (24,))
    p_idx = torch.tensor([int(torch.randint(0, per_class, (1,))) + per_class * int(l) for l in labels[a_idx]])
    n_lab = (labels[a_idx] + torch.randint(1, n_classes, (24,))) % n_classes
    n_idx = n_lab * per_class + torch.randint(0, per_class, (24,))
    anchor, positive, negative = model(data[a_idx]), model(data[p_idx]), model(data[n_idx])
    loss_t = triplet(anchor, positive, negative)
    manual = F.relu(F.pairwise_distance(anchor, positive) - F.pairwise_distance(anchor, negative) + 0.5).mean()
    same = (torch.rand(24) < 0.5).float()
    other = torch.where(same.bool().unsqueeze(1), positive, negative)
    loss_c = contrastive_loss(anchor, other, same)
    loss_cos = cosine(anchor, other, same * 2 - 1)
    loss_h = batch_hard_triplets(model(data), labels, 0.5)
    loss = loss_t + 0.5 * loss_c + 0.1 * loss_cos + 0.5 * loss_h
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 5 == 0:
        print(f"step {step:2d} triplet {loss_t.item():.5f} (manual {manual.item():.5f}) contrastive {loss_c.item():.5f} cosine {loss_cos.item():.5f} hard {loss_h.item():.5f}")

model.eval()
with torch.no_grad():
    emb = model(data)
    dist = torch.cdist(emb, emb)
    dist.fill_diagonal_(float("inf"))
    nn_idx = dist.argmin(dim=1)
    acc = (labels[nn_idx] == labels).float().mean()
    print(f"1-NN retrieval accuracy {acc.item():.4f}")
    print("norms", emb.norm(dim=1)[:4])
    centroids = torch.stack([emb[labels == c].mean(0) for c in range(n_classes)])
    print(torch.cdist(centroids, centroids).round(decimals=3))
print([m.weight.item() for m in model.modules() if isinstance(m, nn.PReLU)])
