# Knowledge-graph embedding with TransE (Bordes et al. 2013): entity and relation nn.Embedding
# tables (entities with max_norm=1 renormalized on lookup), corrupted triples by replacing the
# head or tail, nn.MarginRankingLoss on L1/L2 distances, relation vectors F.normalize-d under
# torch.no_grad, and filtered link-prediction ranks (MRR, hits@3) with torch.cdist-free broadcasting.
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(28)
n_ent, n_rel, dim = 20, 3, 8
# a synthetic graph: relation r links e to (e + r + 1) mod n_ent, plus some noise edges
triples = torch.tensor([[e, r, (e + 2 * r + 1) % n_ent] for e in range(n_ent) for r in range(n_rel)])
known = {tuple(t) for t in triples.tolist()}
print("triples:", tuple(triples.shape))


class TransE(nn.Module):
    def __init__(self, p_norm=1):
        super().__init__()
        self.ent = nn.Embedding(n_ent, dim, max_norm=1.0)
        self.rel = nn.Embedding(n_rel, dim)
        bound = 6 / dim**0.5
        nn.init.uniform_(self.ent.weight, -bound, bound)
        nn.init.uniform_(self.rel.weight, -bound, bound)
        with torch.no_grad():
            self.rel.weight.copy_(F.normalize(self.rel.weight, p=2, dim=1))
        self.p = p_norm

    def forward(self, h, r, t):
        return torch.norm(self.ent(h) + self.rel(r) - self.ent(t), p=self.p, dim=-1)


def corrupt(batch):
    b = batch.clone()
    heads = torch.rand(len(b)) < 0.5
    rand_ent = torch.randint(0, n_ent, (len(b),))
    b[heads, 0] = rand_ent[heads]
    b[~heads, 2] = rand_ent[~heads]
    return b


model = TransE()
print("entity norms before first lookup max:", f"{model.ent.weight.norm(dim=1).max().item():.4f}")
criterion = nn.MarginRankingLoss(margin=1.0)
opt = torch.optim.SGD(model.parameters(), lr=0.05)
for epoch in range(40):
    perm = torch.randperm(len(triples))
    total = 0.0
    for i in range(0, len(triples), 15):
        pos = triples[perm[i : i + 15]]
        neg = corrupt(pos)
        d_pos = model(pos[:, 0], pos[:, 1], pos[:, 2])
        d_neg = model(neg[:, 0], neg[:, 1], neg[:, 2])
        loss = criterion(d_neg, d_pos, torch.ones_like(d_pos))
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item()
    if epoch % 10 == 0:
        print(f"epoch {epoch:2d} loss {total:.5f} max entity norm {model.ent.weight.norm(dim=1).max().item():.5f}")

with torch.no_grad():
    ranks = []
    E = model.ent.weight
    for h, r, t in triples.tolist():
        d = torch.norm(E[h] + model.rel.weight[r] - E, p=1, dim=1)
        for e in range(n_ent):
            if e != t and (h, r, e) in known:
                d[e] = float("inf")
        ranks.append(int((d < d[t]).sum().item()) + 1)
    ranks = torch.tensor(ranks, dtype=torch.float)
print(f"MRR {(1 / ranks).mean().item():.4f} hits@3 {(ranks <= 3).float().mean().item():.4f} mean rank {ranks.mean().item():.3f}")
emb = nn.Embedding(4, 3, max_norm=0.5, norm_type=2.0)
with torch.no_grad():
    emb.weight.mul_(4)
before = emb.weight.norm(dim=1).clone()
emb(torch.tensor([0, 2, 2]))
print("renormed rows:", (emb.weight.norm(dim=1) < before).tolist(), emb.weight.norm(dim=1).round(decimals=4).tolist())
