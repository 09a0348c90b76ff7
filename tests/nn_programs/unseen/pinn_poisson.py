# A physics-informed neural network for the 1-D Poisson problem -u''(x) = pi^2 sin(pi x) on
# [0, 1] with u(0) = u(1) = 0 (exact solution sin(pi x)), as in the PINN tutorials: a Tanh MLP
# with Xavier initialisation through model.apply, derivatives by torch.autograd.grad with
# create_graph=True, Adam then a few L-BFGS steps with a closure, and the L2 error.
import math

import torch
import torch.nn as nn

torch.manual_seed(123)
torch.set_default_dtype(torch.float64)


class PINN(nn.Module):
    def __init__(self, layers):
        super().__init__()
        self.net = nn.Sequential()
        for i in range(len(layers) - 2):
            self.net.add_module(f"linear_{i}", nn.Linear(layers[i], layers[i + 1]))
            self.net.add_module(f"tanh_{i}", nn.Tanh())
        self.net.add_module("out", nn.Linear(layers[-2], layers[-1]))

    def forward(self, x):
        return self.net(x)


def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.xavier_normal_(m.weight)
        nn.init.zeros_(m.bias)


model = PINN([1, 20, 20, 1])
model.apply(init_weights)
print(model)

x_f = torch.linspace(0, 1, 50).view(-1, 1).requires_grad_(True)
x_b = torch.tensor([[0.0], [1.0]])
u_b = torch.zeros(2, 1)
f = math.pi**2 * torch.sin(math.pi * x_f.detach())


def pde_residual(model, x):
    u = model(x)
    u_x = torch.autograd.grad(u, x, grad_outputs=torch.ones_like(u), create_graph=True)[0]
    u_xx = torch.autograd.grad(u_x, x, grad_outputs=torch.ones_like(u_x), create_graph=True)[0]
    return -u_xx - f


def compute_loss():
    loss_pde = pde_residual(model, x_f).pow(2).mean()
    loss_bc = (model(x_b) - u_b).pow(2).mean()
    return loss_pde + 10.0 * loss_bc, loss_pde, loss_bc


optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
for it in range(150):
    optimizer.zero_grad()
    loss, loss_pde, loss_bc = compute_loss()
    loss.backward()
    optimizer.step()
    if it % 30 == 0:
        print(f"Adam iter {it:4d} loss {loss.item():.6e} pde {loss_pde.item():.6e} bc {loss_bc.item():.6e}")

lbfgs = torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=20, history_size=10, line_search_fn="strong_wolfe")


def closure():
    lbfgs.zero_grad()
    loss, _, _ = compute_loss()
    loss.backward()
    return loss


for it in range(2):
    loss = lbfgs.step(closure)
    print(f"LBFGS step {it} loss {loss.item():.6e}")

with torch.no_grad():
    x_test = torch.linspace(0, 1, 101).view(-1, 1)
    u_pred = model(x_test)
    u_true = torch.sin(math.pi * x_test)
    rel_l2 = torch.linalg.norm(u_pred - u_true) / torch.linalg.norm(u_true)
    print(f"relative L2 error: {rel_l2.item():.4e}")
    print(u_pred[::25].squeeze().tolist())
