# A program in the shape of pytorch/examples' vae/main.py (written for this test, not copied):
# a fully connected variational autoencoder (reparameterization with randn_like, the binary
# cross entropy plus KL divergence loss), trained with Adam; the MNIST images are replaced by
# seeded uniform pixels of their shape, few of them.
import torch
import torch.utils.data
from torch import nn, optim
from torch.nn import functional as F


class VAE(nn.Module):
    def __init__(self):
        super(VAE, self).__init__()
        self.fc1 = nn.Linear(784, 64)
        self.fc21 = nn.Linear(64, 8)
        self.fc22 = nn.Linear(64, 8)
        self.fc3 = nn.Linear(8, 64)
        self.fc4 = nn.Linear(64, 784)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        eps = torch.randn_like(std)
        return mu + eps * std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 784))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


def loss_function(recon_x, x, mu, logvar):
    BCE = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction="sum")
    KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return BCE + KLD


torch.manual_seed(7)
data = torch.rand(64, 1, 28, 28)
loader = torch.utils.data.DataLoader(
    torch.utils.data.TensorDataset(data, torch.zeros(64)), batch_size=16, shuffle=True
)
model = VAE()
optimizer = optim.Adam(model.parameters(), lr=1e-3)
print(optimizer)
for epoch in range(1, 4):
    model.train()
    train_loss = 0
    for batch_idx, (x, _) in enumerate(loader):
        optimizer.zero_grad()
        recon_batch, mu, logvar = model(x)
        loss = loss_function(recon_batch, x, mu, logvar)
        loss.backward()
        train_loss += loss.item()
        optimizer.step()
        if batch_idx % 2 == 0:
            print(
                "Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}".format(
                    epoch,
                    batch_idx * len(x),
                    len(loader.dataset),
                    100.0 * batch_idx / len(loader),
                    loss.item() / len(x),
                )
            )
    print("====> Epoch: {} Average loss: {:.4f}".format(epoch, train_loss / len(loader.dataset)))
    with torch.no_grad():
        sample = torch.randn(4, 8)
        sample = model.decode(sample)
        print(sample.view(4, 1, 28, 28).shape, sample.mean().item())
print(mu.grad_fn, logvar.requires_grad, recon_batch.grad_fn)
print(loss)
