# Exact Gaussian-process regression written by hand (as in GP tutorials without GPyTorch), in
# float64: an RBF kernel from torch.cdist, the Cholesky factor via torch.linalg.cholesky,
# alpha via torch.cholesky_solve, the log marginal likelihood from the factor's diagonal,
# hyperparameters as log-parameters optimized with Adam; the predictive variance via
# torch.linalg.solve_triangular, and a posterior sample with MultivariateNormal(scale_tril).
import math

import torch

torch.manual_seed(9)
torch.set_default_dtype(torch.float64)

X = torch.rand(25, 1) * 6 - 3
y = torch.sin(X).squeeze(-1) * 2 + 0.2 * torch.randn(25)
Xs = torch.linspace(-4, 4, 7).unsqueeze(-1)

log_ls = torch.tensor(0.0, requires_grad=True)
log_sf = torch.tensor(0.0, requires_grad=True)
log_sn = torch.tensor(-1.0, requires_grad=True)


def rbf(a, b):
    d = torch.cdist(a, b, p=2) / log_ls.exp()
    return log_sf.exp() ** 2 * torch.exp(-0.5 * d**2)


def neg_log_marginal_likelihood():
    n = X.shape[0]
    K = rbf(X, X) + (log_sn.exp() ** 2 + 1e-6) * torch.eye(n)
    L = torch.linalg.cholesky(K)
    alpha = torch.cholesky_solve(y.unsqueeze(-1), L)
    return 0.5 * (y.unsqueeze(-1) * alpha).sum() + torch.log(torch.diagonal(L)).sum() + 0.5 * n * math.log(2 * math.pi)


opt = torch.optim.Adam([log_ls, log_sf, log_sn], lr=0.05)
for it in range(100):
    opt.zero_grad()
    nlml = neg_log_marginal_likelihood()
    nlml.backward()
    opt.step()
    if it % 25 == 0:
        print(f"iter {it:3d} nlml {nlml.item():.6f} lengthscale {log_ls.exp().item():.5f} signal {log_sf.exp().item():.5f} noise {log_sn.exp().item():.5f}")

with torch.no_grad():
    K = rbf(X, X) + log_sn.exp() ** 2 * torch.eye(25)
    L = torch.linalg.cholesky(K)
    Ks = rbf(X, Xs)
    alpha = torch.cholesky_solve(y.unsqueeze(-1), L)
    mean = (Ks.T @ alpha).squeeze(-1)
    v = torch.linalg.solve_triangular(L, Ks, upper=False)
    cov = rbf(Xs, Xs) - v.T @ v
    var = torch.diagonal(cov).clamp_min(0)
    v2 = torch.triangular_solve(Ks, L, upper=False).solution
    print("triangular_solve agrees:", torch.allclose(v, v2))
    print("mean:", mean.round(decimals=5).tolist())
    print("std: ", var.sqrt().round(decimals=5).tolist())
    print("logdet check:", torch.allclose(2 * torch.log(torch.diagonal(L)).sum(), torch.logdet(K)), f"{torch.linalg.slogdet(K).logabsdet.item():.6f}")
    post = torch.distributions.MultivariateNormal(mean, scale_tril=torch.linalg.cholesky(cov + 1e-6 * torch.eye(7)))
    s = post.sample((3,))
    print("posterior samples", tuple(s.shape), "log_prob", post.log_prob(s).round(decimals=4).tolist())
