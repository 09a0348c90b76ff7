# Probabilistic regression with torch.distributions, as in GLM/likelihood tutorials: a
# heteroscedastic Normal head (softplus scale), a Poisson GLM for counts (log link), a Laplace
# (robust) and a LogNormal model for positive targets, each trained by maximizing log_prob;
# then the distributions' summaries (mean, variance, stddev, entropy, cdf/icdf), shapes
# (batch_shape, event_shape, expand, sample((n,))), Independent, OneHotCategorical, and
# argument validation (validate_args=True raises ValueError).
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import distributions as D

torch.manual_seed(30)
x = torch.linspace(-2, 2, 80).unsqueeze(1)
y_het = torch.sin(x) + (0.1 + 0.3 * x.abs()) * torch.randn_like(x)
rate = torch.exp(0.8 * x + 0.5)
y_cnt = torch.poisson(rate)
y_pos = torch.exp(0.5 * x + 0.3 * torch.randn_like(x))
y_rob = 2 * x + 0.2 * torch.randn_like(x)
y_rob[::10] += 5.0  # outliers


def fit(name, make_dist, target, n_out, steps=150, lr=0.03):
    net = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, n_out))
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    for _ in range(steps):
        loss = -make_dist(net(x)).log_prob(target).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        d = make_dist(net(torch.tensor([[-1.0], [0.0], [1.5]])))
        print(f"{name:9s} nll {loss.item():.5f} mean {d.mean.squeeze(-1).round(decimals=4).tolist()}")
    return net, d


fit("normal", lambda o: D.Normal(o[:, :1], F.softplus(o[:, 1:]) + 1e-3), y_het, 2)
_, pois = fit("poisson", lambda o: D.Poisson(o.exp()), y_cnt, 1)
_, lap = fit("laplace", lambda o: D.Laplace(o[:, :1], F.softplus(o[:, 1:]) + 1e-3), y_rob, 2)
_, logn = fit("lognormal", lambda o: D.LogNormal(o[:, :1], F.softplus(o[:, 1:]) + 1e-3), y_pos, 2)
print("poisson variance:", pois.variance.squeeze(-1).round(decimals=4).tolist(), "counts:", pois.sample().squeeze(-1).tolist())
print("laplace stddev:", lap.stddev.squeeze(-1).round(decimals=4).tolist(), "cdf(0):", lap.cdf(torch.zeros(3, 1)).squeeze(-1).round(decimals=4).tolist())
print("lognormal entropy:", logn.entropy().squeeze(-1).round(decimals=4).tolist())

n = D.Normal(torch.zeros(3), torch.ones(3))
print("shapes:", n.batch_shape, n.event_shape, n.sample((4,)).shape, n.expand(torch.Size([2, 3])).batch_shape)
ind = D.Independent(n, 1)
print("independent:", ind.batch_shape, ind.event_shape, f"{ind.log_prob(torch.tensor([0.1, -0.2, 0.3])).item():.5f}")
print("icdf:", n.icdf(torch.tensor([0.025, 0.5, 0.975])).round(decimals=4).tolist())
hn, ex = D.HalfNormal(torch.tensor(2.0)), D.Exponential(torch.tensor([0.5, 2.0]))
print(f"halfnormal mean {hn.mean.item():.5f} var {hn.variance.item():.5f} log_prob(1) {hn.log_prob(torch.tensor(1.0)).item():.5f}")
print("exponential rsample:", ex.rsample((2,)).round(decimals=4).tolist(), "entropy", ex.entropy().round(decimals=4).tolist())
oh = D.OneHotCategorical(logits=torch.tensor([0.0, 1.0, 2.0]))
s = oh.sample((5,))
print("one-hot samples:", s.argmax(-1).tolist(), "log_prob", oh.log_prob(s).round(decimals=4).tolist())
cat = D.Categorical(probs=torch.tensor([[0.2, 0.8], [0.5, 0.5]]))
print("categorical entropy:", cat.entropy().round(decimals=4).tolist(), "enumerate:", cat.enumerate_support().squeeze(-1).tolist())
for bad in (lambda: D.Normal(torch.tensor(0.0), torch.tensor(-1.0), validate_args=True),
            lambda: D.Poisson(torch.tensor([1.0]), validate_args=True).log_prob(torch.tensor([0.5])),
            lambda: D.Bernoulli(probs=torch.tensor(1.5), validate_args=True)):
    try:
        bad()
        print("no error")
    except ValueError as e:
        print("ValueError:", str(e).split(" ")[0])
print("kl normal/laplace pairs:", f"{D.kl_divergence(D.Normal(0.0, 1.0), D.Normal(1.0, 2.0)).item():.5f}",
      f"{D.kl_divergence(D.Bernoulli(0.3), D.Bernoulli(0.6)).item():.5f}")
