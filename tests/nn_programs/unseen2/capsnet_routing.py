# Capsule network (Sabour et al. 2017) in miniature: primary capsules from a Conv2d reshaped
# into 8-d vectors, the squash nonlinearity, prediction vectors u_hat by torch.einsum with a
# weight Parameter (or matmul over broadcast dims), dynamic routing by agreement (softmax of
# logits over the output capsules, three iterations, detached u_hat in the inner iterations),
# the margin loss, and a decoder reconstructing from the masked (one-hot) class capsule.
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(38)


def squash(s, dim=-1):
    sq = (s**2).sum(dim=dim, keepdim=True)
    return sq / (1 + sq) * s / torch.sqrt(sq + 1e-8)


class CapsNet(nn.Module):
    def __init__(self, n_classes=3, routing_iters=3):
        super().__init__()
        self.conv = nn.Conv2d(1, 16, 5)
        self.primary = nn.Conv2d(16, 4 * 8, 5, stride=2)  # 4 capsule types of dim 8
        self.n_primary = 4 * 2 * 2
        self.W = nn.Parameter(0.1 * torch.randn(1, self.n_primary, n_classes, 12, 8))
        self.iters = routing_iters
        self.decoder = nn.Sequential(nn.Linear(12 * n_classes, 64), nn.ReLU(inplace=True), nn.Linear(64, 144), nn.Sigmoid())

    def forward(self, x, y=None):
        b = x.size(0)
        h = F.relu(self.conv(x))
        u = self.primary(h).view(b, 4, 8, 2, 2).permute(0, 1, 3, 4, 2).reshape(b, self.n_primary, 8)
        u = squash(u)
        u_hat = torch.einsum("binpq,biq->binp", self.W.expand(b, -1, -1, -1, -1), u)
        u_hat2 = (self.W @ u[:, :, None, :, None]).squeeze(-1)
        assert torch.allclose(u_hat, u_hat2, atol=1e-5)
        logits = torch.zeros(b, self.n_primary, u_hat.size(2))
        for it in range(self.iters):
            c = F.softmax(logits, dim=2)
            uh = u_hat if it == self.iters - 1 else u_hat.detach()
            v = squash((c.unsqueeze(-1) * uh).sum(dim=1))
            if it < self.iters - 1:
                logits = logits + torch.einsum("binp,bnp->bin", uh, v)
        lengths = v.norm(dim=-1)
        if y is None:
            y = lengths.argmax(dim=1)
        mask = F.one_hot(y, lengths.size(1)).unsqueeze(-1).float()
        recon = self.decoder((v * mask).flatten(1))
        return lengths, recon, c


def margin_loss(lengths, y, m_pos=0.9, m_neg=0.1, lam=0.5):
    t = F.one_hot(y, lengths.size(1)).float()
    loss = t * F.relu(m_pos - lengths) ** 2 + lam * (1 - t) * F.relu(lengths - m_neg) ** 2
    return loss.sum(dim=1).mean()


def make(n):
    y = torch.randint(0, 3, (n,))
    x = 0.1 * torch.rand(n, 1, 12, 12)
    for i, c in enumerate(y.tolist()):
        if c == 0:
            x[i, 0, 3:9, 5:7] = 1
        elif c == 1:
            x[i, 0, 5:7, 3:9] = 1
        else:
            x[i, 0, 3:9, 3:9] = torch.eye(6)
    return x, y


model = CapsNet()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
for step in range(40):
    x, y = make(16)
    lengths, recon, c = model(x, y)
    loss = margin_loss(lengths, y) + 0.0005 * 144 * F.mse_loss(recon, x.flatten(1))
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 10 == 0:
        print(f"step {step:2d} loss {loss.item():.5f} mean |v| {lengths.mean().item():.4f} coupling max {c.max().item():.4f}")
with torch.no_grad():
    x, y = make(30)
    lengths, recon, _ = model(x)
print(f"accuracy {(lengths.argmax(1) == y).float().mean().item():.4f} recon mse {F.mse_loss(recon, x.flatten(1)).item():.5f}")
print("squash norms:", squash(torch.tensor([[0.1, 0.0], [1.0, 0.0], [10.0, 0.0]])).norm(dim=1).round(decimals=5).tolist())
