# Differentially private SGD (Abadi et al. 2016) written with torch.func as in the functorch
# per-sample-gradients tutorial: vmap(grad(loss)) over the batch via functional_call with
# in_dims=(None, None, 0, 0), per-sample clipping to norm C, Gaussian noise, and a manual
# parameter update; checked against a microbatch loop; parameters_to_vector and
# vector_to_parameters for the flat view.
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.func import functional_call, grad, vmap
from torch.nn.utils import parameters_to_vector, vector_to_parameters

torch.manual_seed(33)
model = nn.Sequential(nn.Linear(5, 16), nn.Tanh(), nn.Linear(16, 3))
params = {k: v.detach() for k, v in model.named_parameters()}
buffers = {k: v.detach() for k, v in model.named_buffers()}


def compute_loss(params, buffers, sample, target):
    out = functional_call(model, (params, buffers), (sample.unsqueeze(0),))
    return F.cross_entropy(out, target.unsqueeze(0))


per_sample_grad_fn = vmap(grad(compute_loss), in_dims=(None, None, 0, 0))
X = torch.randn(64, 5)
Y = (X[:, 0] > 0).long() + (X[:, 1] > 0.5).long()

xb, yb = X[:4], Y[:4]
ps = per_sample_grad_fn(params, buffers, xb, yb)
for i in range(4):
    model.zero_grad()
    F.cross_entropy(model(xb[i : i + 1]), yb[i : i + 1]).backward()
    assert all(torch.allclose(ps[k][i], p.grad, atol=1e-6) for k, p in model.named_parameters())
print("per-sample grads match the loop:", {k: tuple(v.shape) for k, v in ps.items()})

C, sigma, lr, batch = 1.0, 0.8, 0.5, 16
for step in range(30):
    idx = torch.randperm(64)[:batch]
    g = per_sample_grad_fn(params, buffers, X[idx], Y[idx])
    norms = torch.stack([v.reshape(batch, -1).norm(dim=1) for v in g.values()], dim=1).norm(dim=1)
    factor = (C / (norms + 1e-6)).clamp(max=1.0)
    for k in params:
        clipped = (g[k] * factor.view(-1, *([1] * (g[k].dim() - 1)))).sum(0)
        noisy = (clipped + sigma * C * torch.randn_like(clipped)) / batch
        params[k] = params[k] - lr * noisy
    if step % 10 == 0:
        with torch.no_grad():
            loss = F.cross_entropy(functional_call(model, (params, buffers), (X,)), Y)
        print(f"step {step:2d} loss {loss.item():.5f} mean grad norm {norms.mean().item():.5f} clipped {int((norms > C).sum())}/{batch}")

vec = parameters_to_vector(params.values())
print("flat params:", vec.shape, f"norm {vec.norm().item():.5f}")
vector_to_parameters(vec, model.parameters())
with torch.no_grad():
    acc = (model(X).argmax(1) == Y).float().mean().item()
print(f"model loaded from vector: accuracy {acc:.4f}", torch.equal(parameters_to_vector(model.parameters()), vec))
