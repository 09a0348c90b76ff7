# A convolutional VAE whose decoder returns logits: the reconstruction term is
# F.binary_cross_entropy_with_logits(reduction="sum"), the KL term in closed form and through
# torch.distributions.kl_divergence(Normal, Normal), with a linear KL annealing (beta) schedule,
# rsample() reparameterization, nn.Unflatten, ConvTranspose2d with output_padding, and
# StepLR; then latent interpolation and a torch.save/torch.load of the whole state.
import io

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.distributions import Normal, kl_divergence

torch.manual_seed(21)


class ConvVAE(nn.Module):
    def __init__(self, latent_dim=4):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 8, 3, stride=2, padding=1),  # 13 -> 7
            nn.ReLU(),
            nn.Conv2d(8, 16, 3, stride=2, padding=1),  # 7 -> 4
            nn.ReLU(),
            nn.Flatten(),
        )
        self.fc_mu = nn.Linear(16 * 4 * 4, latent_dim)
        self.fc_logvar = nn.Linear(16 * 4 * 4, latent_dim)
        self.decoder = nn.Sequential(
            nn.Linear(latent_dim, 16 * 4 * 4),
            nn.ReLU(),
            nn.Unflatten(1, (16, 4, 4)),
            nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1),  # 4 -> 7
            nn.ReLU(),
            nn.ConvTranspose2d(8, 1, 3, stride=2, padding=1, output_padding=0),  # 7 -> 13
        )

    def encode(self, x):
        h = self.encoder(x)
        return self.fc_mu(h), self.fc_logvar(h)

    def forward(self, x):
        mu, logvar = self.encode(x)
        q = Normal(mu, torch.exp(0.5 * logvar))
        z = q.rsample()
        return self.decoder(z), mu, logvar, q


def make_digits(n, size=13):
    imgs = torch.zeros(n, 1, size, size)
    for i in range(n):
        r = torch.randint(2, size - 2, (2,))
        imgs[i, 0, r[0] - 2 : r[0] + 2, :] = 1.0
        imgs[i, 0, :, r[1]] = 1.0
    return imgs


data = make_digits(48)
model = ConvVAE()
print(model)
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
prior = Normal(torch.zeros(4), torch.ones(4))
for epoch in range(6):
    beta = min(1.0, (epoch + 1) / 4)
    model.train()
    total = recon_total = kl_total = 0.0
    for i in range(0, len(data), 16):
        x = data[i : i + 16]
        logits, mu, logvar, q = model(x)
        recon = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
        kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        kl_dist = kl_divergence(q, prior).sum()
        loss = (recon + beta * kl) / x.size(0)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item()
        recon_total += recon.item()
        kl_total += kl.item()
    scheduler.step()
    print(
        f"epoch {epoch} beta {beta:.2f} loss {total / 3:.4f} recon {recon_total / len(data):.4f} "
        f"kl {kl_total / len(data):.4f} (distributions: {kl_dist.item():.4f}) lr {scheduler.get_last_lr()[0]}"
    )

model.eval()
with torch.no_grad():
    mu, _ = model.encode(data[:2])
    steps = torch.linspace(0, 1, 4).unsqueeze(1)
    z = torch.lerp(mu[0].expand(4, -1), mu[1].expand(4, -1), steps)
    imgs = torch.sigmoid(model.decoder(z))
    print("interpolation", imgs.shape, imgs.mean(dim=(1, 2, 3)))

buffer = io.BytesIO()
torch.save({"model": model.state_dict(), "opt": optimizer.state_dict()}, buffer)
buffer.seek(0)
state = torch.load(buffer)
clone = ConvVAE()
clone.load_state_dict(state["model"])
clone.eval()
with torch.no_grad():
    print("reloaded decoder matches:", torch.equal(clone.decoder(z), model.decoder(z)))
print(state["opt"]["param_groups"][0]["lr"], len(state["opt"]["state"]))
