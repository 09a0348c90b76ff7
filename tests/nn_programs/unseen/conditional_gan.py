# A conditional GAN (Mirza & Osindero) on a toy 2-D mixture, written as in the GAN tutorials:
# label embeddings concatenated with the noise / the sample, BCEWithLogitsLoss with real and
# fake targets (label smoothing on reals), separate Adam optimizers for G and D, the fake batch
# .detach()ed for D's step, LeakyReLU, BatchNorm1d, and sampling per class under no_grad.
import torch
import torch.nn as nn

torch.manual_seed(17)
n_classes, latent_dim, data_dim = 3, 4, 2
centers = torch.tensor([[2.0, 0.0], [-1.0, 1.7], [-1.0, -1.7]])


def real_batch(n):
    labels = torch.randint(0, n_classes, (n,))
    return centers[labels] + 0.2 * torch.randn(n, data_dim), labels


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.label_emb = nn.Embedding(n_classes, n_classes)

        def block(in_feat, out_feat, normalize=True):
            layers = [nn.Linear(in_feat, out_feat)]
            if normalize:
                layers.append(nn.BatchNorm1d(out_feat, 0.8))
            layers.append(nn.LeakyReLU(0.2, inplace=True))
            return layers

        self.model = nn.Sequential(
            *block(latent_dim + n_classes, 32, normalize=False),
            *block(32, 32),
            nn.Linear(32, data_dim),
        )

    def forward(self, noise, labels):
        gen_input = torch.cat((self.label_emb(labels), noise), -1)
        return self.model(gen_input)


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.label_embedding = nn.Embedding(n_classes, n_classes)
        self.model = nn.Sequential(
            nn.Linear(n_classes + data_dim, 32),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Linear(32, 32),
            nn.Dropout(0.3),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Linear(32, 1),
        )

    def forward(self, x, labels):
        d_in = torch.cat((x.view(x.size(0), -1), self.label_embedding(labels)), -1)
        return self.model(d_in)


generator = Generator()
discriminator = Discriminator()
adversarial_loss = nn.BCEWithLogitsLoss()
optimizer_G = torch.optim.Adam(generator.parameters(), lr=2e-3, betas=(0.5, 0.999))
optimizer_D = torch.optim.Adam(discriminator.parameters(), lr=2e-3, betas=(0.5, 0.999))

batch_size = 32
for i in range(40):
    real, labels = real_batch(batch_size)
    valid = torch.full((batch_size, 1), 0.9)
    fake = torch.zeros(batch_size, 1)

    # Train Generator
    optimizer_G.zero_grad()
    z = torch.randn(batch_size, latent_dim)
    gen_labels = torch.randint(0, n_classes, (batch_size,))
    gen_samples = generator(z, gen_labels)
    g_loss = adversarial_loss(discriminator(gen_samples, gen_labels), torch.ones(batch_size, 1))
    g_loss.backward()
    optimizer_G.step()

    # Train Discriminator
    optimizer_D.zero_grad()
    real_loss = adversarial_loss(discriminator(real, labels), valid)
    fake_loss = adversarial_loss(discriminator(gen_samples.detach(), gen_labels), fake)
    d_loss = (real_loss + fake_loss) / 2
    d_loss.backward()
    optimizer_D.step()

    if i % 8 == 0:
        print(f"[Batch {i}/40] [D loss: {d_loss.item():.5f}] [G loss: {g_loss.item():.5f}] D(x)={torch.sigmoid(discriminator(real, labels)).mean():.4f}")

generator.eval()
with torch.no_grad():
    for c in range(n_classes):
        samples = generator(torch.randn(50, latent_dim), torch.full((50,), c, dtype=torch.long))
        dist = (samples - centers[c]).norm(dim=1)
        print(f"class {c}: mean {samples.mean(0).tolist()} dist to center {dist.mean():.4f}")
print(generator.model[3].running_mean[:3], generator.model[3].eps)
