# Bayes-by-backprop (Blundell et al. 2015) regression: a BayesLinear layer with a mean and a
# softplus-parametrized std per weight, reparametrized samples via Normal.rsample, the KL
# to an isotropic prior via torch.distributions.kl_divergence, an ELBO with a Normal
# log_prob likelihood, Monte-Carlo predictive mean/std under torch.no_grad, and Independent.
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.distributions import Independent, Normal, kl_divergence

torch.manual_seed(8)


class BayesLinear(nn.Module):
    def __init__(self, n_in, n_out, prior_std=1.0):
        super().__init__()
        self.w_mu = nn.Parameter(torch.empty(n_out, n_in).uniform_(-0.2, 0.2))
        self.w_rho = nn.Parameter(torch.full((n_out, n_in), -3.0))
        self.b_mu = nn.Parameter(torch.zeros(n_out))
        self.b_rho = nn.Parameter(torch.full((n_out,), -3.0))
        self.prior = Normal(0.0, prior_std)

    def forward(self, x):
        qw = Normal(self.w_mu, F.softplus(self.w_rho))
        qb = Normal(self.b_mu, F.softplus(self.b_rho))
        w, b = qw.rsample(), qb.rsample()
        self.kl = kl_divergence(qw, self.prior).sum() + kl_divergence(qb, self.prior).sum()
        return F.linear(x, w, b)


class BNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1, self.l2 = BayesLinear(1, 24), BayesLinear(24, 1)
        self.log_noise = nn.Parameter(torch.tensor(math.log(0.3)))

    def forward(self, x):
        return self.l2(torch.relu(self.l1(x)))

    def kl(self):
        return self.l1.kl + self.l2.kl


x = torch.linspace(-2, 2, 40).unsqueeze(-1)
y = torch.sin(2 * x) + 0.1 * torch.randn_like(x)
model = BNN()
opt = torch.optim.Adam(model.parameters(), lr=2e-2)
for epoch in range(80):
    opt.zero_grad()
    pred = model(x)
    lik = Independent(Normal(pred.squeeze(-1), model.log_noise.exp()), 1)
    nll = -lik.log_prob(y.squeeze(-1))
    loss = nll + model.kl() / 10.0
    loss.backward()
    opt.step()
    if epoch % 20 == 0:
        print(f"epoch {epoch:2d} elbo loss {loss.item():.4f} nll {nll.item():.4f} kl {model.kl().item():.4f} noise {model.log_noise.exp().item():.4f}")

x_test = torch.tensor([[-1.5], [0.0], [1.5], [3.0]])
with torch.no_grad():
    samples = torch.stack([model(x_test) for _ in range(50)])
mean, std = samples.mean(0).squeeze(-1), samples.std(0).squeeze(-1)
print("predictive mean:", mean.round(decimals=3).tolist())
print("predictive std: ", std.round(decimals=3).tolist())
print("std grows out of the data:", bool(std[3] > std[1]))
q = Normal(torch.tensor([0.0, 1.0]), torch.tensor([1.0, 2.0]))
p = Normal(torch.tensor([1.0, 1.0]), torch.tensor([1.0, 1.0]))
print("closed-form kl:", kl_divergence(q, p), "entropy:", q.entropy(), "cdf:", q.cdf(torch.tensor([0.5, 0.5])))
