# Two architectures built around functional parameter handling: a Deep Sets model
# (Zaheer et al. 2017) predicting a set's statistics, invariant to permutation (sum and max
# pooling over the set dim, a padding mask), and a hypernetwork that emits the weights of a
# target MLP, evaluated with torch.func.functional_call on the generated parameter dict;
# nn.ModuleDict heads, nn.ParameterList, and torch.func.vmap over task embeddings.
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.func import functional_call, vmap

torch.manual_seed(18)


class DeepSets(nn.Module):
    def __init__(self, d_in=1, d_h=32):
        super().__init__()
        self.phi = nn.Sequential(nn.Linear(d_in, d_h), nn.ELU(), nn.Linear(d_h, d_h))
        self.rho = nn.ModuleDict({"sum": nn.Linear(2 * d_h, 1), "range": nn.Linear(2 * d_h, 1)})

    def forward(self, x, mask):
        h = self.phi(x) * mask.unsqueeze(-1)
        pooled = torch.cat([h.sum(dim=1), h.masked_fill(~mask.unsqueeze(-1), -1e9).amax(dim=1)], dim=-1)
        return {k: head(pooled).squeeze(-1) for k, head in self.rho.items()}


def make_sets(b, n):
    x = torch.randn(b, n, 1)
    lengths = torch.randint(2, n + 1, (b,))
    mask = torch.arange(n).unsqueeze(0) < lengths.unsqueeze(1)
    xs = x.squeeze(-1)
    targets = {"sum": (xs * mask).sum(1),
               "range": xs.masked_fill(~mask, -1e9).max(1).values - xs.masked_fill(~mask, 1e9).min(1).values}
    return x, mask, targets


ds = DeepSets()
opt = torch.optim.Adam(ds.parameters(), lr=3e-3)
for step in range(120):
    x, mask, t = make_sets(32, 6)
    out = ds(x, mask)
    loss = sum(F.mse_loss(out[k], t[k]) for k in out)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 40 == 0:
        print(f"deepsets step {step:3d} loss {loss.item():.5f}")
x, mask, _ = make_sets(4, 6)
perm = torch.randperm(6)
a, b = ds(x, mask), ds(x[:, perm], mask[:, perm])
print("permutation invariant:", all(torch.allclose(a[k], b[k], atol=1e-5) for k in a))

target_net = nn.Sequential(nn.Linear(1, 8), nn.Tanh(), nn.Linear(8, 1))
shapes = {n: p.shape for n, p in target_net.named_parameters()}
n_params = sum(p.numel() for p in target_net.parameters())


class HyperNet(nn.Module):
    def __init__(self, n_tasks=4, d_z=3):
        super().__init__()
        self.z = nn.ParameterList([nn.Parameter(torch.randn(d_z)) for _ in range(n_tasks)])
        self.gen = nn.Sequential(nn.Linear(d_z, 32), nn.ReLU(), nn.Linear(32, n_params))

    def params_for(self, z):
        flat, out, i = self.gen(z) * 0.5, {}, 0
        for name, shape in shapes.items():
            out[name] = flat[i : i + shape.numel()].view(shape)
            i += shape.numel()
        return out


hyper = HyperNet()
freqs = torch.tensor([0.5, 1.0, 1.5, 2.0])
xs = torch.linspace(-2, 2, 20).unsqueeze(1)
ys = torch.sin(freqs.view(-1, 1, 1) * xs)
hopt = torch.optim.Adam(hyper.parameters(), lr=1e-2)
for step in range(150):
    loss = sum(F.mse_loss(functional_call(target_net, hyper.params_for(z), (xs,)), ys[i]) for i, z in enumerate(hyper.z))
    hopt.zero_grad()
    loss.backward()
    hopt.step()
    if step % 50 == 0:
        print(f"hypernet step {step:3d} loss {loss.item():.5f}")
Z = torch.stack(list(hyper.z))
batched = vmap(lambda z: functional_call(target_net, hyper.params_for(z), (xs,)))(Z)
print("vmap output", tuple(batched.shape), "per-task mse", ((batched - ys) ** 2).mean((1, 2)).round(decimals=4).tolist())
print("target_net untouched:", target_net[0].weight.grad is None, "z grads:", [p.grad is not None for p in hyper.z])
