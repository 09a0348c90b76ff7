# Categorical VAE with the Gumbel-softmax relaxation (Jang et al. 2017): the encoder outputs
# logits for N latent categorical variables of K classes, F.gumbel_softmax(hard=True) gives
# straight-through one-hot samples, the KL to a uniform prior is computed from
# log_softmax, the temperature is annealed with exp decay, Bernoulli-logit reconstruction.
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(16)
N, K, D = 4, 5, 24

protos = (torch.rand(6, D) > 0.5).float()
data = protos[torch.randint(0, 6, (120,))]
data = torch.where(torch.rand_like(data) < 0.05, 1 - data, data)


class GumbelVAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(D, 32), nn.ReLU(), nn.Linear(32, N * K))
        self.dec = nn.Sequential(nn.Linear(N * K, 32), nn.ReLU(), nn.Linear(32, D))

    def forward(self, x, tau, hard):
        logits = self.enc(x).view(-1, N, K)
        z = F.gumbel_softmax(logits, tau=tau, hard=hard, dim=-1)
        return self.dec(z.view(-1, N * K)), logits, z


model = GumbelVAE()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
tau0, anneal, min_tau = 1.0, 3e-3, 0.5
step = 0
for epoch in range(8):
    total = 0.0
    for batch in data.split(30):
        tau = max(tau0 * math.exp(-anneal * step), min_tau)
        recon, logits, z = model(batch, tau, hard=True)
        bce = F.binary_cross_entropy_with_logits(recon, batch, reduction="sum") / len(batch)
        q = F.softmax(logits, dim=-1)
        kl = (q * (F.log_softmax(logits, dim=-1) + math.log(K))).sum((1, 2)).mean()
        loss = bce + kl
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item()
        step += 1
    if epoch % 2 == 1:
        print(f"epoch {epoch} loss {total / 4:.4f} kl {kl.item():.4f} tau {tau:.4f}")
print("hard samples one-hot:", bool(((z == 0) | (z == 1)).all()), "rows sum to 1:", torch.allclose(z.sum(-1), torch.ones(z.shape[:2])))
with torch.no_grad():
    codes = model.enc(data[:6]).view(-1, N, K).argmax(-1)
    print("codes:", codes.tolist())
    prior = F.one_hot(torch.randint(0, K, (3, N)), K).float()
    samples = torch.sigmoid(model.dec(prior.view(3, -1)))
    print("prior samples mean:", samples.mean(1).round(decimals=4).tolist())
