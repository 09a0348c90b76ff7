# Neural ODE fitted to a spiral trajectory, written the way users do without torchdiffeq: a
# fixed-step RK4 integrator over torch.linspace time points, the trajectory stacked with
# torch.stack, MSE to the observed points, backprop through the solver, RMSprop, and an
# autograd.functional.jacobian of the learned vector field at the origin.
import torch
import torch.nn as nn

torch.manual_seed(6)

true_A = torch.tensor([[-0.1, 2.0], [-2.0, -0.1]])
t = torch.linspace(0.0, 3.0, 31)
y0 = torch.tensor([[2.0, 0.0]])


def true_f(t, y):
    return torch.mm(y**3, true_A)


class ODEFunc(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(2, 32), nn.Tanh(), nn.Linear(32, 2))
        for m in self.net.modules():
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, mean=0, std=0.1)
                nn.init.constant_(m.bias, val=0)
        self.nfe = 0

    def forward(self, t, y):
        self.nfe += 1
        return self.net(y**3)


def odeint_rk4(func, y0, t):
    ys = [y0]
    y = y0
    for t0, t1 in zip(t[:-1], t[1:]):
        h = t1 - t0
        k1 = func(t0, y)
        k2 = func(t0 + h / 2, y + h * k1 / 2)
        k3 = func(t0 + h / 2, y + h * k2 / 2)
        k4 = func(t1, y + h * k3)
        y = y + h * (k1 + 2 * k2 + 2 * k3 + k4) / 6
        ys.append(y)
    return torch.stack(ys)


with torch.no_grad():
    true_y = odeint_rk4(true_f, y0, t)
print("true trajectory", tuple(true_y.shape), "end", true_y[-1].squeeze().tolist())

func = ODEFunc()
optimizer = torch.optim.RMSprop(func.parameters(), lr=1e-2)
for itr in range(40):
    optimizer.zero_grad()
    idx = torch.randint(0, 21, (8,))
    batch_y0, batch_t = true_y[idx], t[:10]
    batch_y = torch.stack([true_y[idx + i] for i in range(10)], dim=0)
    pred_y = odeint_rk4(func, batch_y0, batch_t)
    loss = torch.mean(torch.abs(pred_y - batch_y))
    loss.backward()
    optimizer.step()
    if itr % 10 == 0:
        with torch.no_grad():
            full = odeint_rk4(func, y0, t)
            print(f"iter {itr:2d} batch loss {loss.item():.5f} full-trajectory loss {torch.mean(torch.abs(full - true_y)).item():.5f}")
print("function evaluations:", func.nfe)
J = torch.autograd.functional.jacobian(lambda y: func.net(y**3), torch.tensor([0.5, -0.5]))
print("jacobian at (0.5,-0.5):", J.detach().round(decimals=4).tolist())
