# A mixture density network (Bishop 1994) on the inverted sine problem, as in the well-known
# PyTorch MDN notebooks: the network outputs mixture logits, means and log-scales; the negative
# log-likelihood is built from torch.distributions (Categorical, Normal, MixtureSameFamily) and
# checked against a hand-written logsumexp; samples are drawn from the fitted mixture.
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.distributions import Categorical, MixtureSameFamily, Normal

torch.manual_seed(0)
np.random.seed(0)

n = 256
y_np = np.random.uniform(-10.5, 10.5, (n, 1)).astype(np.float32)
x_np = (7.0 * np.sin(0.75 * y_np) + 0.5 * y_np + np.random.normal(size=(n, 1))).astype(np.float32)
x = torch.from_numpy(x_np) / 10.0
y = torch.from_numpy(y_np) / 10.0
print(x.dtype, x.shape, f"{x.mean().item():.5f} {y.std().item():.5f}")


class MDN(nn.Module):
    def __init__(self, n_hidden=24, n_gaussians=5):
        super().__init__()
        self.z_h = nn.Sequential(nn.Linear(1, n_hidden), nn.Tanh())
        self.z_pi = nn.Linear(n_hidden, n_gaussians)
        self.z_mu = nn.Linear(n_hidden, n_gaussians)
        self.z_sigma = nn.Linear(n_hidden, n_gaussians)

    def forward(self, x):
        z_h = self.z_h(x)
        pi_logits = self.z_pi(z_h)
        mu = self.z_mu(z_h)
        sigma = F.softplus(self.z_sigma(z_h)) + 1e-3
        return pi_logits, mu, sigma


def mdn_loss(pi_logits, mu, sigma, y):
    mix = Categorical(logits=pi_logits)
    comp = Normal(mu, sigma)
    gmm = MixtureSameFamily(mix, comp)
    return -gmm.log_prob(y.squeeze(-1)).mean()


def mdn_loss_manual(pi_logits, mu, sigma, y):
    log_pi = F.log_softmax(pi_logits, dim=-1)
    log_normal = -0.5 * ((y - mu) / sigma) ** 2 - torch.log(sigma) - 0.5 * math.log(2 * math.pi)
    return -torch.logsumexp(log_pi + log_normal, dim=-1).mean()


model = MDN()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
for epoch in range(60):
    pi_logits, mu, sigma = model(x)
    loss = mdn_loss(pi_logits, mu, sigma, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if epoch % 10 == 0:
        manual = mdn_loss_manual(pi_logits, mu, sigma, y)
        print(f"epoch {epoch} nll {loss.item():.5f} manual {manual.item():.5f}")

with torch.no_grad():
    x_test = torch.linspace(-1.0, 1.0, 5).unsqueeze(1)
    pi_logits, mu, sigma = model(x_test)
    pi = pi_logits.softmax(-1)
    print("pi", pi)
    k = Categorical(probs=pi).sample()
    print("components", k.tolist())
    samples = Normal(mu.gather(1, k.unsqueeze(1)), sigma.gather(1, k.unsqueeze(1))).sample()
    print("samples", samples.squeeze(1))
    gmm = MixtureSameFamily(Categorical(logits=pi_logits), Normal(mu, sigma))
    print("mixture mean", gmm.mean, "variance", gmm.variance)
    print(np.round(gmm.sample((3,)).numpy(), 4))
