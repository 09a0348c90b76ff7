# MAML (Finn et al. 2017) on sinusoid regression, written as modern PyTorch MAML code is:
# the inner loop adapts a dict of "fast weights" with torch.autograd.grad(create_graph=True)
# and runs the network through torch.func.functional_call; the meta-optimizer (Adam) steps on
# the query loss summed over a batch of tasks; evaluation adapts without create_graph.
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.func import functional_call

torch.manual_seed(10)


def sample_task():
    amplitude = torch.empty(1).uniform_(0.1, 5.0)
    phase = torch.empty(1).uniform_(0, math.pi)
    return amplitude, phase


def sample_points(task, k):
    amplitude, phase = task
    x = torch.empty(k, 1).uniform_(-5.0, 5.0)
    return x, amplitude * torch.sin(x - phase)


model = nn.Sequential(nn.Linear(1, 40), nn.ReLU(), nn.Linear(40, 40), nn.ReLU(), nn.Linear(40, 1))
meta_opt = torch.optim.Adam(model.parameters(), lr=1e-3)
inner_lr, inner_steps, tasks_per_batch, k_shot = 0.01, 1, 4, 10


def adapt(params, x, y, steps, create_graph):
    for _ in range(steps):
        loss = F.mse_loss(functional_call(model, params, (x,)), y)
        grads = torch.autograd.grad(loss, list(params.values()), create_graph=create_graph)
        params = {name: p - inner_lr * g for (name, p), g in zip(params.items(), grads)}
    return params


for it in range(25):
    meta_opt.zero_grad()
    meta_loss = 0.0
    for _ in range(tasks_per_batch):
        task = sample_task()
        x_s, y_s = sample_points(task, k_shot)
        x_q, y_q = sample_points(task, k_shot)
        params = dict(model.named_parameters())
        fast = adapt(params, x_s, y_s, inner_steps, create_graph=True)
        meta_loss = meta_loss + F.mse_loss(functional_call(model, fast, (x_q,)), y_q)
    meta_loss = meta_loss / tasks_per_batch
    meta_loss.backward()
    meta_opt.step()
    if it % 5 == 0:
        print(f"meta iter {it:2d} query loss {meta_loss.item():.5f} grad[0] norm {model[0].weight.grad.norm():.5f}")

task = sample_task()
x_s, y_s = sample_points(task, k_shot)
x_t = torch.linspace(-5, 5, 6).unsqueeze(1)
y_t = task[0] * torch.sin(x_t - task[1])
params = {k: v.detach().requires_grad_() for k, v in model.named_parameters()}
for steps in (0, 1, 5):
    fast = adapt(params, x_s, y_s, steps, create_graph=False)
    with torch.no_grad():
        err = F.mse_loss(functional_call(model, fast, (x_t,)), y_t)
    print(f"after {steps} adaptation steps: test mse {err.item():.5f}")
print("model untouched:", all(torch.equal(a, b) for a, b in zip(params.values(), model.parameters())))
