# Sparse mixture of experts with top-2 softmax gating (Shazeer et al. 2017 style, as in
# small MoE reference code): a router picks topk experts per token, tokens are dispatched by
# boolean masks / index_select, expert outputs are scattered back with index_add_, a
# load-balancing auxiliary loss; plus an exponential moving average of the weights kept with
# torch.no_grad() and lerp_/mul_().add_(), copy_ into a deepcopy of the model for evaluation.
import copy

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(13)


class Expert(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d, h), nn.SiLU(), nn.Linear(h, d))

    def forward(self, x):
        return self.net(x)


class MoE(nn.Module):
    def __init__(self, d=8, h=16, n_experts=4, k=2):
        super().__init__()
        self.router = nn.Linear(d, n_experts, bias=False)
        self.experts = nn.ModuleList([Expert(d, h) for _ in range(n_experts)])
        self.k, self.n = k, n_experts

    def forward(self, x):
        logits = self.router(x)
        topv, topi = torch.topk(logits, self.k, dim=-1)
        gates = F.softmax(topv, dim=-1)
        out = torch.zeros_like(x)
        for e, expert in enumerate(self.experts):
            token_idx, slot = torch.where(topi == e)
            if token_idx.numel() == 0:
                continue
            y = expert(x.index_select(0, token_idx)) * gates[token_idx, slot].unsqueeze(-1)
            out = out.index_add(0, token_idx, y)
        probs = F.softmax(logits, dim=-1)
        frac = F.one_hot(topi[:, 0], self.n).float().mean(0)
        aux = self.n * (frac * probs.mean(0)).sum()
        return out, aux, torch.bincount(topi.flatten(), minlength=self.n)


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.inp = nn.Linear(4, 8)
        self.moe = MoE()
        self.out = nn.Linear(8, 1)

    def forward(self, x):
        h = self.inp(x)
        m, aux, load = self.moe(F.layer_norm(h, (8,)))
        return self.out(h + m).squeeze(-1), aux, load


class EMA:
    def __init__(self, model, decay=0.9):
        self.decay = decay
        self.shadow = {k: v.detach().clone() for k, v in model.state_dict().items()}

    @torch.no_grad()
    def update(self, model):
        for name, p in model.named_parameters():
            if name.startswith("moe"):
                self.shadow[name].lerp_(p, 1 - self.decay)
            else:
                self.shadow[name].mul_(self.decay).add_(p.detach(), alpha=1 - self.decay)

    @torch.no_grad()
    def copy_to(self, model):
        for name, p in model.named_parameters():
            p.copy_(self.shadow[name])


def target(x):
    return torch.where(x[:, 0] > 0, x[:, 1] * 2, -x[:, 2]) + x[:, 3] ** 2


model = Model()
ema = EMA(model)
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
x_val = torch.randn(128, 4)
for step in range(60):
    x = torch.randn(64, 4)
    pred, aux, load = model(x)
    loss = F.mse_loss(pred, target(x)) + 0.01 * aux
    opt.zero_grad()
    loss.backward()
    opt.step()
    ema.update(model)
    if step % 15 == 0:
        print(f"step {step:2d} loss {loss.item():.5f} aux {aux.item():.5f} load {load.tolist()}")

ema_model = copy.deepcopy(model)
ema.copy_to(ema_model)
with torch.no_grad():
    raw = F.mse_loss(model(x_val)[0], target(x_val)).item()
    smooth = F.mse_loss(ema_model(x_val)[0], target(x_val)).item()
print(f"val mse raw {raw:.5f} ema {smooth:.5f}")
print("ema differs from raw:", not torch.equal(ema_model.out.weight, model.out.weight))
print("deepcopy independent:", ema_model.inp.weight.data_ptr() != model.inp.weight.data_ptr())
