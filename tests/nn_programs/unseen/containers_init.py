# Module containers and initialisation idioms: nn.ModuleList/ModuleDict/ParameterList/
# ParameterDict, model.apply(init_fn) with nn.init.kaiming_normal_/xavier_uniform_/orthogonal_/
# constant_/trunc_normal_, named_parameters/named_modules/children traversal, freezing a part
# (requires_grad_(False)), optimizer parameter groups with their own learning rates and weight
# decay (no decay on biases and norms), SGD with Nesterov momentum, MultiStepLR, print(model).
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(99)


class MultiTaskNet(nn.Module):
    def __init__(self, in_dim=10, hidden=(32, 32), tasks=("reg", "cls")):
        super().__init__()
        dims = [in_dim, *hidden]
        self.layers = nn.ModuleList([nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:])])
        self.norms = nn.ModuleList([nn.LayerNorm(d) for d in hidden])
        self.heads = nn.ModuleDict({"reg": nn.Linear(hidden[-1], 1), "cls": nn.Linear(hidden[-1], 3)})
        self.task_scales = nn.ParameterList([nn.Parameter(torch.zeros(())) for _ in tasks])
        self.extra = nn.ParameterDict({"temperature": nn.Parameter(torch.tensor(1.0))})
        self.tasks = tasks

    def forward(self, x):
        for layer, norm in zip(self.layers, self.norms):
            x = F.relu(norm(layer(x)))
        return {name: head(x) for name, head in self.heads.items()}


def init_weights(m):
    if isinstance(m, nn.Linear):
        if m.out_features == 1:
            nn.init.xavier_uniform_(m.weight, gain=nn.init.calculate_gain("linear"))
        elif m.out_features == 3:
            nn.init.trunc_normal_(m.weight, std=0.02)
        else:
            nn.init.kaiming_normal_(m.weight, mode="fan_in", nonlinearity="relu")
        if m.bias is not None:
            nn.init.constant_(m.bias, 0.01)
    elif isinstance(m, nn.LayerNorm):
        nn.init.ones_(m.weight)
        nn.init.zeros_(m.bias)


model = MultiTaskNet()
model.apply(init_weights)
nn.init.orthogonal_(model.layers[1].weight)
print(model)
for name, p in model.named_parameters():
    print(f"{name:24s} {str(tuple(p.shape)):10s} {p.numel():5d} mean {p.mean().item():+.4f} std {p.std().item() if p.numel() > 1 else 0.0:.4f}")
print([name for name, _ in model.named_modules()][:6])
print([type(c).__name__ for c in model.children()])
w = model.layers[1].weight
print("orthogonal:", torch.allclose(w @ w.T, torch.eye(32), atol=1e-5))

decay, no_decay = [], []
for name, p in model.named_parameters():
    (no_decay if p.ndim <= 1 else decay).append(p)
optimizer = torch.optim.SGD(
    [
        {"params": decay, "weight_decay": 1e-4},
        {"params": no_decay, "weight_decay": 0.0, "lr": 0.02},
    ],
    lr=0.05,
    momentum=0.9,
    nesterov=True,
)
scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=[5, 8], gamma=0.1)
print([len(g["params"]) for g in optimizer.param_groups], optimizer.defaults["momentum"])

X = torch.randn(64, 10)
y_reg = X[:, :3].sum(1, keepdim=True)
y_cls = (X[:, 0] > 0).long() + (X[:, 1] > 0).long()
for step in range(10):
    if step == 6:  # freeze the first layer for the last steps
        for p in model.layers[0].parameters():
            p.requires_grad_(False)
        frozen = model.layers[0].weight.clone()
    out = model(X)
    losses = {
        "reg": F.mse_loss(out["reg"], y_reg),
        "cls": F.cross_entropy(out["cls"] / model.extra["temperature"], y_cls),
    }
    # uncertainty weighting (Kendall et al.)
    loss = sum(torch.exp(-s) * losses[t] + s for s, t in zip(model.task_scales, model.tasks))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    scheduler.step()
    print(f"step {step} loss {loss.item():.5f} reg {losses['reg'].item():.5f} cls {losses['cls'].item():.5f} lrs {[round(g['lr'], 5) for g in optimizer.param_groups]}")
print("first layer frozen:", torch.equal(frozen, model.layers[0].weight), model.layers[0].weight.grad is None)
print("task scales", [round(s.item(), 5) for s in model.task_scales], model.extra.temperature)
n_trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
print(f"trainable {n_trainable} / {sum(p.numel() for p in model.parameters())}")
