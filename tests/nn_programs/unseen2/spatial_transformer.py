# Spatial transformer network (Jaderberg et al. 2015) in the shape of the PyTorch tutorial:
# a localization net regresses a 2x3 affine matrix (initialized to the identity), the input is
# resampled with F.affine_grid + F.grid_sample, and a small CNN classifies the warped images.
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(3)


class STN(nn.Module):
    def __init__(self):
        super().__init__()
        self.localization = nn.Sequential(
            nn.Conv2d(1, 4, kernel_size=5), nn.MaxPool2d(2, stride=2), nn.ReLU(True),
            nn.Conv2d(4, 6, kernel_size=3), nn.MaxPool2d(2, stride=2), nn.ReLU(True),
        )
        self.fc_loc = nn.Sequential(nn.Linear(6 * 2 * 2, 16), nn.ReLU(True), nn.Linear(16, 3 * 2))
        self.fc_loc[2].weight.data.zero_()
        self.fc_loc[2].bias.data.copy_(torch.tensor([1, 0, 0, 0, 1, 0], dtype=torch.float))
        self.conv = nn.Conv2d(1, 8, kernel_size=3, padding=1)
        self.fc = nn.Linear(8 * 8 * 8, 3)

    def stn(self, x):
        xs = self.localization(x)
        xs = xs.view(-1, 6 * 2 * 2)
        theta = self.fc_loc(xs).view(-1, 2, 3)
        grid = F.affine_grid(theta, x.size(), align_corners=False)
        return F.grid_sample(x, grid, align_corners=False), theta

    def forward(self, x):
        x, theta = self.stn(x)
        x = F.max_pool2d(F.relu(self.conv(x)), 2)
        return F.log_softmax(self.fc(torch.flatten(x, 1)), dim=1), theta


def make_batch(n):
    labels = torch.randint(0, 3, (n,))
    imgs = torch.zeros(n, 1, 16, 16)
    for i, c in enumerate(labels.tolist()):
        r, s = torch.randint(2, 9, (2,)).tolist()
        if c == 0:
            imgs[i, 0, r : r + 6, s + 2] = 1.0
        elif c == 1:
            imgs[i, 0, r + 2, s : s + 6] = 1.0
        else:
            imgs[i, 0, r : r + 5, s : s + 5] = torch.eye(5)
    return imgs + 0.05 * torch.randn_like(imgs), labels


model = STN()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
for step in range(30):
    data, target = make_batch(16)
    optimizer.zero_grad()
    output, theta = model(data)
    loss = F.nll_loss(output, target)
    loss.backward()
    optimizer.step()
    if step % 10 == 0:
        print(f"step {step:2d} loss {loss.item():.5f} theta[0] {theta[0].detach().flatten().tolist()}")

model.eval()
with torch.no_grad():
    data, target = make_batch(32)
    output, theta = model(data)
    pred = output.argmax(dim=1, keepdim=True)
    correct = pred.eq(target.view_as(pred)).sum().item()
    print(f"test accuracy {correct}/32, mean |theta - I| {(theta - torch.tensor([[1., 0, 0], [0, 1, 0]])).abs().mean():.5f}")
    warped, _ = model.stn(data[:2])
    print("warped", warped.shape, f"{warped.sum().item():.4f}")
    rot = torch.tensor([[[0.0, -1.0, 0.0], [1.0, 0.0, 0.0]]])
    grid = F.affine_grid(rot, (1, 1, 4, 4), align_corners=True)
    img = torch.arange(16.0).view(1, 1, 4, 4)
    print(F.grid_sample(img, grid, mode="nearest", align_corners=True).view(4, 4))
    print(F.grid_sample(img, grid * 1.2, padding_mode="border", align_corners=True).view(4, 4))
