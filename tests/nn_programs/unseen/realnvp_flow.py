# A RealNVP normalizing flow on the two-moons-like data (in the shape of the many PyTorch
# RealNVP notebooks): affine coupling layers with alternating binary masks registered as
# buffers, scale nets with Tanh, a MultivariateNormal base distribution from torch.distributions,
# the change-of-variables log-likelihood, and sampling by inverting the flow.
import math

import numpy as np
import torch
import torch.nn as nn
from torch import distributions

torch.manual_seed(2)


def two_moons(n):
    t = torch.rand(n) * math.pi
    upper = torch.stack([torch.cos(t), torch.sin(t)], dim=1)
    lower = torch.stack([1 - torch.cos(t), 0.5 - torch.sin(t)], dim=1)
    which = torch.rand(n) < 0.5
    pts = torch.where(which.unsqueeze(1), upper, lower)
    return pts + 0.05 * torch.randn(n, 2)


class RealNVP(nn.Module):
    def __init__(self, nets, nett, mask, prior):
        super().__init__()
        self.prior = prior
        self.register_buffer("mask", mask)
        self.t = torch.nn.ModuleList([nett() for _ in range(len(mask))])
        self.s = torch.nn.ModuleList([nets() for _ in range(len(mask))])

    def g(self, z):
        x = z
        for i in range(len(self.t)):
            x_ = x * self.mask[i]
            s = self.s[i](x_) * (1 - self.mask[i])
            t = self.t[i](x_) * (1 - self.mask[i])
            x = x_ + (1 - self.mask[i]) * (x * torch.exp(s) + t)
        return x

    def f(self, x):
        log_det_J, z = x.new_zeros(x.shape[0]), x
        for i in reversed(range(len(self.t))):
            z_ = self.mask[i] * z
            s = self.s[i](z_) * (1 - self.mask[i])
            t = self.t[i](z_) * (1 - self.mask[i])
            z = (1 - self.mask[i]) * (z - t) * torch.exp(-s) + z_
            log_det_J -= s.sum(dim=1)
        return z, log_det_J

    def log_prob(self, x):
        z, logp = self.f(x)
        return self.prior.log_prob(z) + logp

    def sample(self, batch_size):
        z = self.prior.sample((batch_size,))
        x = self.g(z)
        return x


nets = lambda: nn.Sequential(nn.Linear(2, 32), nn.LeakyReLU(), nn.Linear(32, 32), nn.LeakyReLU(), nn.Linear(32, 2), nn.Tanh())
nett = lambda: nn.Sequential(nn.Linear(2, 32), nn.LeakyReLU(), nn.Linear(32, 32), nn.LeakyReLU(), nn.Linear(32, 2))
masks = torch.from_numpy(np.array([[0, 1], [1, 0]] * 3).astype(np.float32))
prior = distributions.MultivariateNormal(torch.zeros(2), torch.eye(2))
flow = RealNVP(nets, nett, masks, prior)
print("mask buffer", flow.mask.shape, [n for n, _ in flow.named_buffers()])

optimizer = torch.optim.Adam([p for p in flow.parameters() if p.requires_grad], lr=1e-3)
for t in range(61):
    noisy_moons = two_moons(100)
    loss = -flow.log_prob(noisy_moons).mean()
    optimizer.zero_grad()
    loss.backward(retain_graph=True)
    optimizer.step()
    if t % 20 == 0:
        print("iter %s:" % t, "loss = %.4f" % loss)

with torch.no_grad():
    x = two_moons(5)
    z, logdet = flow.f(x)
    x_back = flow.g(z)
    print("invertible:", torch.allclose(x, x_back, atol=1e-5))
    print("logdet", logdet)
    samples = flow.sample(4)
    print("samples", samples)
    base = distributions.Normal(torch.zeros(2), torch.ones(2))
    print("independent log_prob", distributions.Independent(base, 1).log_prob(z), prior.log_prob(z))
    print("entropy", f"{prior.entropy().item():.6f}")
