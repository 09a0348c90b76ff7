# WGAN-GP (Gulrajani et al. 2017) on a 2-d mixture of Gaussians, in the shape of popular
# implementations: the gradient penalty from torch.autograd.grad(create_graph=True,
# grad_outputs=ones) at random interpolates, n_critic critic steps per generator step, Adam
# with betas (0.0, 0.9), requires_grad_(False) toggling of the critic, LeakyReLU networks.
import math

import torch
import torch.nn as nn

torch.manual_seed(24)


def sample_real(n):
    k = torch.randint(0, 4, (n,))
    angle = k.float() * (math.pi / 2)
    centers = torch.stack([torch.cos(angle), torch.sin(angle)], dim=1) * 2
    return centers + 0.1 * torch.randn(n, 2)


G = nn.Sequential(nn.Linear(4, 32), nn.LeakyReLU(0.2), nn.Linear(32, 32), nn.LeakyReLU(0.2), nn.Linear(32, 2))
D = nn.Sequential(nn.Linear(2, 32), nn.LeakyReLU(0.2), nn.Linear(32, 32), nn.LeakyReLU(0.2), nn.Linear(32, 1))
opt_g = torch.optim.Adam(G.parameters(), lr=1e-3, betas=(0.0, 0.9))
opt_d = torch.optim.Adam(D.parameters(), lr=1e-3, betas=(0.0, 0.9))
lambda_gp, n_critic, batch = 10.0, 3, 64


def gradient_penalty(critic, real, fake):
    alpha = torch.rand(real.size(0), 1).expand_as(real)
    interpolates = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    d_interp = critic(interpolates)
    grads = torch.autograd.grad(outputs=d_interp, inputs=interpolates, grad_outputs=torch.ones_like(d_interp),
                                create_graph=True, retain_graph=True, only_inputs=True)[0]
    return ((grads.norm(2, dim=1) - 1) ** 2).mean()


for it in range(40):
    for p in D.parameters():
        p.requires_grad_(True)
    for _ in range(n_critic):
        real = sample_real(batch)
        with torch.no_grad():
            fake = G(torch.randn(batch, 4))
        d_real, d_fake = D(real).mean(), D(fake).mean()
        gp = gradient_penalty(D, real, fake)
        d_loss = d_fake - d_real + lambda_gp * gp
        opt_d.zero_grad()
        d_loss.backward()
        opt_d.step()
    for p in D.parameters():
        p.requires_grad_(False)
    g_loss = -D(G(torch.randn(batch, 4))).mean()
    opt_g.zero_grad()
    g_loss.backward()
    opt_g.step()
    if it % 10 == 0:
        print(f"iter {it:2d} d_loss {d_loss.item():.5f} gp {gp.item():.5f} wasserstein {(d_real - d_fake).item():.5f} g_loss {g_loss.item():.5f}")

print("critic grads after G step:", all(p.grad is not None for p in D.parameters()), "requires_grad:", next(D.parameters()).requires_grad)
with torch.no_grad():
    s = G(torch.randn(256, 4))
print("sample mean", s.mean(0).round(decimals=3).tolist(), "std", s.std(0).round(decimals=3).tolist())
