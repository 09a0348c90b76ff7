# Matrix-factorization recommender trained with BPR (Rendle et al. 2009): user/item
# nn.Embedding tables plus item biases, sampled (user, positive, negative) triples, the
# loss -logsigmoid(x_ui - x_uj), Adam with weight_decay on dense (sparse=False) embeddings,
# and top-k recommendation with the seen items masked out, hit-rate@3.
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(12)
np.random.seed(12)

n_users, n_items, k = 20, 30, 8
true_u, true_i = torch.randn(n_users, 3), torch.randn(n_items, 3)
scores = true_u @ true_i.T
interactions = (scores > scores.quantile(0.7, dim=1, keepdim=True)).float()
held_out = torch.stack([torch.multinomial(interactions[u], 1) for u in range(n_users)]).squeeze(1)
train = interactions.clone()
train[torch.arange(n_users), held_out] = 0
print("interactions:", int(interactions.sum().item()), "train:", int(train.sum().item()))
pos_pairs = train.nonzero()


class MF(nn.Module):
    def __init__(self, sparse=False):
        super().__init__()
        self.user = nn.Embedding(n_users, k, sparse=sparse)
        self.item = nn.Embedding(n_items, k, sparse=sparse)
        self.item_bias = nn.Embedding(n_items, 1, sparse=sparse)
        nn.init.normal_(self.user.weight, std=0.1)
        nn.init.normal_(self.item.weight, std=0.1)
        nn.init.zeros_(self.item_bias.weight)

    def forward(self, u, i):
        return (self.user(u) * self.item(i)).sum(-1) + self.item_bias(i).squeeze(-1)

    def full(self):
        return self.user.weight @ self.item.weight.T + self.item_bias.weight.T


def train_model(model, opt, epochs=30):
    for epoch in range(epochs):
        perm = torch.from_numpy(np.random.permutation(len(pos_pairs)))
        total = 0.0
        for start in range(0, len(perm), 64):
            batch = pos_pairs[perm[start : start + 64]]
            u, i = batch[:, 0], batch[:, 1]
            j = torch.randint(0, n_items, (len(u),))
            loss = -F.logsigmoid(model(u, i) - model(u, j)).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(u)
        if epoch % 10 == 0:
            print(f"  epoch {epoch:2d} bpr {total / len(pos_pairs):.5f}")
    with torch.no_grad():
        s = model.full().masked_fill(train.bool(), float("-inf"))
        top = s.topk(3, dim=1).indices
        hits = (top == held_out.unsqueeze(1)).any(dim=1).float().mean()
    return hits.item(), top[:3].tolist()


dense = MF(sparse=False)
print("dense Adam + weight_decay")
print("hit@3, top:", train_model(dense, torch.optim.Adam(dense.parameters(), lr=0.05, weight_decay=1e-4)))
with torch.no_grad():
    u_norm = dense.user.weight.norm(dim=1)
    print("user norms:", u_norm[:5].round(decimals=4).tolist())
    print("item bias range:", f"{dense.item_bias.weight.min().item():.4f}", f"{dense.item_bias.weight.max().item():.4f}")
