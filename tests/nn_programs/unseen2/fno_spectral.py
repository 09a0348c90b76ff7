"""A 1-D Fourier neural operator learning the antiderivative operator on random smooth
functions: rfft, a complex-weight product on the lowest modes (cfloat nn.Parameter), irfft."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


class SpectralConv1d(nn.Module):
    def __init__(self, in_channels, out_channels, modes):
        super().__init__()
        self.modes = modes
        scale = 1 / (in_channels * out_channels)
        self.weights = nn.Parameter(
            scale * torch.rand(in_channels, out_channels, modes, dtype=torch.cfloat)
        )

    def forward(self, x):
        x_ft = torch.fft.rfft(x)
        out_ft = torch.zeros(x.size(0), self.weights.size(1), x.size(-1) // 2 + 1, dtype=torch.cfloat)
        out_ft[:, :, : self.modes] = torch.einsum("bix,iox->box", x_ft[:, :, : self.modes], self.weights)
        return torch.fft.irfft(out_ft, n=x.size(-1))


class FNO1d(nn.Module):
    def __init__(self, modes=6, width=12):
        super().__init__()
        self.lift = nn.Linear(2, width)
        self.spectral = nn.ModuleList([SpectralConv1d(width, width, modes) for _ in range(2)])
        self.pointwise = nn.ModuleList([nn.Conv1d(width, width, 1) for _ in range(2)])
        self.proj = nn.Sequential(nn.Linear(width, 32), nn.GELU(), nn.Linear(32, 1))

    def forward(self, u, grid):
        h = self.lift(torch.stack([u, grid.expand_as(u)], dim=-1)).permute(0, 2, 1)
        for i, (s, w) in enumerate(zip(self.spectral, self.pointwise)):
            h = s(h) + w(h)
            if i < len(self.spectral) - 1:
                h = F.gelu(h)
        return self.proj(h.permute(0, 2, 1)).squeeze(-1)


n, batch = 32, 16
grid = torch.linspace(0, 1, n)
k = torch.arange(1, 4, dtype=torch.float32)


def sample(b):
    a = torch.randn(b, 3)
    u = (a[:, :, None] * torch.sin(2 * math.pi * k[None, :, None] * grid)).sum(1)
    v = (a[:, :, None] * (1 - torch.cos(2 * math.pi * k[None, :, None] * grid)) / (2 * math.pi * k[None, :, None])).sum(1)
    return u, v


model = FNO1d()
n_params = sum(p.numel() for p in model.parameters())
print("parameters:", n_params, "complex:", sum(p.numel() for p in model.parameters() if p.is_complex()))
opt = torch.optim.Adam(model.parameters(), lr=5e-3)
sched = torch.optim.lr_scheduler.StepLR(opt, step_size=20, gamma=0.5)
for step in range(60):
    u, v = sample(batch)
    loss = F.mse_loss(model(u, grid), v)
    opt.zero_grad()
    loss.backward()
    opt.step()
    sched.step()
    if step % 10 == 0:
        print(f"step {step:2d} loss {loss.item():.6f}")
with torch.no_grad():
    u, v = sample(64)
    rel = torch.linalg.norm(model(u, grid) - v) / torch.linalg.norm(v)
    spectrum = torch.fft.rfft(u).abs().mean(0)
print(f"relative L2 error {rel.item():.5f}")
print("mean |rfft(u)| at modes 0-4:", [round(x, 4) for x in spectrum[:5].tolist()])
w = model.spectral[0].weights
print("first spectral weight |w| mean:", round(w.abs().mean().item(), 5), w.dtype, tuple(w.shape))
