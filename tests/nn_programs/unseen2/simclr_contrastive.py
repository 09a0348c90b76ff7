# SimCLR-style contrastive learning (NT-Xent loss) on synthetic vectors: two random
# augmentations per sample, an encoder + projection head, F.normalize, the cosine-similarity
# matrix, the diagonal masked with -inf via masked_fill, cross_entropy against the positive
# pair's index; then a linear probe on the frozen encoder, and F.cosine_similarity checks.
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(11)

n_classes, dim, n = 4, 16, 64
centers = torch.randn(n_classes, dim) * 2
labels = torch.randint(0, n_classes, (n,))
data = centers[labels] + 0.5 * torch.randn(n, dim)


def augment(x):
    mask = (torch.rand_like(x) > 0.2).float()
    return x * mask + 0.1 * torch.randn_like(x)


class SimCLR(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(dim, 32), nn.BatchNorm1d(32), nn.ReLU(inplace=True), nn.Linear(32, 16))
        self.projector = nn.Sequential(nn.Linear(16, 16), nn.ReLU(inplace=True), nn.Linear(16, 8))

    def forward(self, x):
        return self.projector(self.encoder(x))


def nt_xent(z1, z2, temperature=0.5):
    z = F.normalize(torch.cat([z1, z2], dim=0), dim=1)
    sim = z @ z.T / temperature
    n2 = z.shape[0]
    self_mask = torch.eye(n2, dtype=torch.bool)
    sim = sim.masked_fill(self_mask, float("-inf"))
    targets = torch.arange(n2).roll(n2 // 2)
    return F.cross_entropy(sim, targets)


model = SimCLR()
opt = torch.optim.Adam(model.parameters(), lr=3e-3, weight_decay=1e-6)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=40, eta_min=1e-4)
for epoch in range(40):
    perm = torch.randperm(n)
    losses = []
    for i in range(0, n, 32):
        x = data[perm[i : i + 32]]
        loss = nt_xent(model(augment(x)), model(augment(x)))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    sched.step()
    if epoch % 10 == 0:
        print(f"epoch {epoch:2d} nt-xent {sum(losses) / len(losses):.5f} lr {sched.get_last_lr()[0]:.6f}")

model.eval()
with torch.no_grad():
    h = model.encoder(data)
    a, b = model(augment(data[:4])), model(augment(data[:4]))
    print("positive pair cosine:", F.cosine_similarity(a, b, dim=1).round(decimals=4))
    print("pairwise cos shape:", F.cosine_similarity(a.unsqueeze(1), b.unsqueeze(0), dim=-1).shape)

probe = nn.Linear(16, n_classes)
popt = torch.optim.SGD(probe.parameters(), lr=0.5)
for step in range(50):
    loss = F.cross_entropy(probe(h), labels, label_smoothing=0.1)
    popt.zero_grad()
    loss.backward()
    popt.step()
acc = (probe(h).argmax(1) == labels).float().mean()
print(f"linear probe loss {loss.item():.5f} accuracy {acc.item():.3f}")
