# Domain-adversarial training (DANN, Ganin & Lempitsky 2015) with a gradient reversal layer
# written as a torch.autograd.Function (ctx attributes, needs_input_grad), a straight-through
# binarizer Function, and hand-written optimizers subclassing torch.optim.Optimizer (Lion,
# Chen et al. 2023, and SGD with Nesterov momentum), with @torch.no_grad() steps, per-parameter
# state, closures, state_dict/load_state_dict, and a custom LR lambda per group.
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.optim import Optimizer

torch.manual_seed(34)


class GradReverse(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, alpha):
        ctx.alpha = alpha
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad_output):
        return (-ctx.alpha * grad_output if ctx.needs_input_grad[0] else None), None


class BinarizeSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return (x > 0).float()

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (x.abs() <= 1).float()


class Lion(Optimizer):
    def __init__(self, params, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        super().__init__(params, dict(lr=lr, betas=betas, weight_decay=weight_decay))

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                p.data.mul_(1 - group["lr"] * group["weight_decay"])
                state = self.state[p]
                if len(state) == 0:
                    state["exp_avg"] = torch.zeros_like(p)
                exp_avg = state["exp_avg"]
                beta1, beta2 = group["betas"]
                update = exp_avg * beta1 + p.grad * (1 - beta1)
                p.add_(torch.sign(update), alpha=-group["lr"])
                exp_avg.mul_(beta2).add_(p.grad, alpha=1 - beta2)
        return loss


def make_domain(n, shift):
    y = torch.randint(0, 2, (n,))
    x = torch.randn(n, 4) + y.unsqueeze(1).float() * 1.5
    return x + shift, y


xs, ys = make_domain(100, 0.0)
xt, yt = make_domain(100, torch.tensor([1.0, -1.0, 0.5, 0.0]))
feat = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 8), nn.ReLU())
label_head, domain_head = nn.Linear(8, 2), nn.Linear(8, 1)
opt = Lion([{"params": feat.parameters()}, {"params": label_head.parameters()}, {"params": domain_head.parameters(), "lr": 3e-3}], lr=1e-3, weight_decay=0.01)
print("defaults:", opt.defaults, "group lrs:", [g["lr"] for g in opt.param_groups])
sched = torch.optim.lr_scheduler.LambdaLR(opt, [lambda e: 1.0, lambda e: 1.0, lambda e: 0.95**e])
for epoch in range(40):
    p = epoch / 40
    alpha = 2.0 / (1.0 + torch.exp(torch.tensor(-10 * p)).item()) - 1

    def closure():
        opt.zero_grad()
        fs, ft = feat(xs), feat(xt)
        cls = F.cross_entropy(label_head(fs), ys)
        dom_in = GradReverse.apply(torch.cat([fs, ft]), alpha)
        dom_y = torch.cat([torch.zeros(100, 1), torch.ones(100, 1)])
        dom = F.binary_cross_entropy_with_logits(domain_head(dom_in), dom_y)
        (cls + dom).backward()
        return cls + dom

    loss = opt.step(closure)
    sched.step()
    if epoch % 10 == 0:
        with torch.no_grad():
            acc_t = (label_head(feat(xt)).argmax(1) == yt).float().mean().item()
        print(f"epoch {epoch:2d} loss {loss.item():.5f} alpha {alpha:.4f} target acc {acc_t:.4f} lrs {[round(x, 6) for x in sched.get_last_lr()]}")

x = torch.linspace(-2, 2, 5, requires_grad=True)
y = GradReverse.apply(x, 0.5)
y.sum().backward()
print("reversed grad:", x.grad.tolist(), "grad_fn:", type(y.grad_fn).__name__)
x.grad = None
b = BinarizeSTE.apply(x)
(b * torch.arange(5.0)).sum().backward()
print("binarized:", b.tolist(), "ste grad:", x.grad.tolist())
sd = opt.state_dict()
opt2 = Lion([{"params": feat.parameters()}, {"params": label_head.parameters()}, {"params": domain_head.parameters(), "lr": 3e-3}])
opt2.load_state_dict(sd)
first = next(iter(feat.parameters()))
print("state restored:", torch.equal(opt2.state[first]["exp_avg"], opt.state[first]["exp_avg"]), "wd:", opt2.param_groups[0]["weight_decay"])
try:
    Lion(feat.parameters(), lr=-1)
except ValueError as e:
    print("ValueError:", e)
