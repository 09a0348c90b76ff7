# Energy-based modelling on 2-d data: denoising score matching for a score network, Langevin
# dynamics sampling with torch.autograd.grad of an energy with respect to the inputs (inside
# loops that otherwise run without building graphs), a contrastive-divergence energy model
# with spectral_norm layers and a replay buffer of samples, torch.randn_like / clamp_ noise.
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(37)


def data(n):
    t = torch.rand(n) * 2 * torch.pi
    r = 1.5 + 0.1 * torch.randn(n)
    return torch.stack([r * torch.cos(t), r * torch.sin(t)], 1)


score_net = nn.Sequential(nn.Linear(3, 64), nn.SiLU(), nn.Linear(64, 64), nn.SiLU(), nn.Linear(64, 2))
opt = torch.optim.Adam(score_net.parameters(), lr=2e-3)
sigmas = torch.tensor([1.0, 0.5, 0.25])
for step in range(80):
    x = data(128)
    idx = torch.randint(0, len(sigmas), (128,))
    sigma = sigmas[idx].unsqueeze(1)
    noise = torch.randn_like(x) * sigma
    target = -noise / sigma**2
    pred = score_net(torch.cat([x + noise, sigma], 1))
    loss = 0.5 * ((pred - target) ** 2 * sigma**2).sum(1).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 20 == 0:
        print(f"dsm step {step:2d} loss {loss.item():.5f}")

with torch.no_grad():
    x = torch.randn(200, 2) * 2
    for sigma in sigmas.tolist():
        step_size = 0.05 * sigma**2
        for _ in range(10):
            s = score_net(torch.cat([x, torch.full((200, 1), sigma)], 1))
            x = x + step_size * s + (2 * step_size) ** 0.5 * torch.randn_like(x)
r = x.norm(dim=1)
print(f"annealed langevin radius mean {r.mean().item():.4f} std {r.std().item():.4f}")

energy = nn.Sequential(nn.utils.spectral_norm(nn.Linear(2, 64)), nn.SiLU(), nn.utils.spectral_norm(nn.Linear(64, 64)), nn.SiLU(), nn.Linear(64, 1))
eopt = torch.optim.Adam(energy.parameters(), lr=1e-3, betas=(0.0, 0.999))
buffer = torch.rand(256, 2) * 6 - 3


def langevin(x, steps=10, step_size=0.05):
    x = x.clone().detach()
    for _ in range(steps):
        x.requires_grad_(True)
        e = energy(x).sum()
        (g,) = torch.autograd.grad(e, x)
        x = (x - step_size * g + 0.01 * torch.randn_like(x)).detach().clamp_(-3, 3)
    return x


for step in range(40):
    pos = data(64)
    idx = torch.randint(0, 256, (64,))
    fresh = torch.rand(64, 1) < 0.05
    init = torch.where(fresh, torch.rand(64, 2) * 6 - 3, buffer[idx])
    neg = langevin(init)
    buffer[idx] = neg
    e_pos, e_neg = energy(pos), energy(neg)
    loss = e_pos.mean() - e_neg.mean() + 0.1 * (e_pos**2 + e_neg**2).mean()
    eopt.zero_grad()
    loss.backward()
    eopt.step()
    if step % 10 == 0:
        print(f"cd step {step:2d} loss {loss.item():.5f} E+ {e_pos.mean().item():.4f} E- {e_neg.mean().item():.4f}")
print("weight_orig in state_dict:", sorted(k for k in energy.state_dict() if k.startswith("0.")))
with torch.no_grad():
    print(f"energy at ring {energy(data(100)).mean().item():.4f} at origin {energy(torch.zeros(1, 2)).item():.4f}")
