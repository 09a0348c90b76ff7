# Super-resolution in the shape of pytorch/examples' ESPCN (super_resolution): Conv2d layers
# and nn.PixelShuffle upscaling, trained on pairs made by F.interpolate(mode="bicubic")
# downsampling, PSNR via log10; then stochastic weight averaging with
# torch.optim.swa_utils (AveragedModel, SWALR, update_bn on a model with BatchNorm).
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.optim.swa_utils import SWALR, AveragedModel, update_bn

torch.manual_seed(23)


class ESPCN(nn.Module):
    def __init__(self, upscale_factor):
        super().__init__()
        self.relu = nn.ReLU()
        self.conv1 = nn.Conv2d(1, 16, (5, 5), (1, 1), (2, 2))
        self.bn = nn.BatchNorm2d(16)
        self.conv2 = nn.Conv2d(16, 8, (3, 3), (1, 1), (1, 1))
        self.conv3 = nn.Conv2d(8, upscale_factor**2, (3, 3), (1, 1), (1, 1))
        self.pixel_shuffle = nn.PixelShuffle(upscale_factor)
        nn.init.orthogonal_(self.conv1.weight, nn.init.calculate_gain("relu"))
        nn.init.orthogonal_(self.conv2.weight, nn.init.calculate_gain("relu"))
        nn.init.orthogonal_(self.conv3.weight)

    def forward(self, x):
        x = self.relu(self.bn(self.conv1(x)))
        x = self.relu(self.conv2(x))
        return self.pixel_shuffle(self.conv3(x))


def make_images(n, size=16):
    yy, xx = torch.meshgrid(torch.linspace(-1, 1, size), torch.linspace(-1, 1, size), indexing="ij")
    freq = torch.rand(n, 1, 1) * 3 + 1
    phase = torch.rand(n, 1, 1) * math.pi
    img = 0.5 + 0.5 * torch.sin(freq * (xx + yy) + phase) * torch.exp(-(xx**2 + yy**2))
    return img.unsqueeze(1)


hr = make_images(48)
lr_img = F.interpolate(hr, scale_factor=0.5, mode="bicubic", align_corners=False).clamp(0, 1)
loader = list(zip(lr_img.split(8), hr.split(8)))
print("lr", tuple(lr_img.shape), "hr", tuple(hr.shape), f"bicubic up psnr {10 * math.log10(1 / F.mse_loss(F.interpolate(lr_img, scale_factor=2, mode='bicubic'), hr).item()):.4f}")

model = ESPCN(upscale_factor=2)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
swa_model = AveragedModel(model)
swa_start = 10
swa_scheduler = SWALR(optimizer, swa_lr=2e-3, anneal_epochs=3, anneal_strategy="cos")
criterion = nn.MSELoss()
for epoch in range(16):
    epoch_loss = 0.0
    for inp, target in loader:
        optimizer.zero_grad()
        loss = criterion(model(inp), target)
        epoch_loss += loss.item()
        loss.backward()
        optimizer.step()
    if epoch >= swa_start:
        swa_model.update_parameters(model)
        swa_scheduler.step()
    if epoch % 3 == 0:
        print(f"epoch {epoch:2d} loss {epoch_loss / len(loader):.6f} lr {optimizer.param_groups[0]['lr']:.6f}")

print("n_averaged:", swa_model.n_averaged.item())
update_bn([x for x, _ in loader], swa_model)
print("swa bn running_var[:3]:", swa_model.module.bn.running_var[:3].round(decimals=4).tolist())
model.eval()
swa_model.eval()
with torch.no_grad():
    for name, net in (("last", model), ("swa", swa_model)):
        mse = F.mse_loss(net(lr_img), hr).item()
        print(f"{name} psnr {10 * math.log10(1 / mse):.4f}")
ps = nn.PixelShuffle(2)
t = torch.arange(16.0).view(1, 4, 2, 2)
print("pixel shuffle:", ps(t).view(4, 4).tolist(), "unshuffle ok:", torch.equal(nn.PixelUnshuffle(2)(ps(t)), t))
