# A U-Net-ish denoising autoencoder: DoubleConv blocks, MaxPool2d downsampling, upsampling
# with F.interpolate (bilinear, align_corners=False) or ConvTranspose2d, skip connections
# joined with torch.cat, F.pad to match odd sizes, MSELoss, Adam with CosineAnnealingLR.
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(3)


class DoubleConv(nn.Module):
    """(convolution => [BN] => ReLU) * 2"""

    def __init__(self, in_channels, out_channels, mid_channels=None):
        super().__init__()
        if not mid_channels:
            mid_channels = out_channels
        self.double_conv = nn.Sequential(
            nn.Conv2d(in_channels, mid_channels, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm2d(mid_channels),
            nn.ReLU(inplace=True),
            nn.Conv2d(mid_channels, out_channels, kernel_size=3, padding=1, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(inplace=True),
        )

    def forward(self, x):
        return self.double_conv(x)


class Down(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.maxpool_conv = nn.Sequential(nn.MaxPool2d(2), DoubleConv(in_channels, out_channels))

    def forward(self, x):
        return self.maxpool_conv(x)


class Up(nn.Module):
    def __init__(self, in_channels, out_channels, bilinear=True):
        super().__init__()
        self.bilinear = bilinear
        if bilinear:
            self.conv = DoubleConv(in_channels, out_channels, in_channels // 2)
        else:
            self.up = nn.ConvTranspose2d(in_channels, in_channels // 2, kernel_size=2, stride=2)
            self.conv = DoubleConv(in_channels, out_channels)

    def forward(self, x1, x2):
        if self.bilinear:
            x1 = F.interpolate(x1, scale_factor=2, mode="bilinear", align_corners=False)
        else:
            x1 = self.up(x1)
        diffY = x2.size()[2] - x1.size()[2]
        diffX = x2.size()[3] - x1.size()[3]
        x1 = F.pad(x1, [diffX // 2, diffX - diffX // 2, diffY // 2, diffY - diffY // 2])
        x = torch.cat([x2, x1], dim=1)
        return self.conv(x)


class UNet(nn.Module):
    def __init__(self, n_channels=1, bilinear=True):
        super().__init__()
        factor = 2 if bilinear else 1
        self.inc = DoubleConv(n_channels, 8)
        self.down1 = Down(8, 16)
        self.down2 = Down(16, 32 // factor)
        self.up1 = Up(32, 16 // factor, bilinear)
        self.up2 = Up(16, 8, bilinear)
        self.outc = nn.Conv2d(8, n_channels, kernel_size=1)

    def forward(self, x):
        x1 = self.inc(x)
        x2 = self.down1(x1)
        x3 = self.down2(x2)
        x = self.up1(x3, x2)
        x = self.up2(x, x1)
        return self.outc(x)


def make_images(n, size=14):
    yy, xx = torch.meshgrid(torch.linspace(-1, 1, size), torch.linspace(-1, 1, size), indexing="ij")
    centers = torch.rand(n, 2, 1, 1) - 0.5
    r = ((xx - centers[:, :1]) ** 2 + (yy - centers[:, 1:]) ** 2).sqrt()
    return (r < 0.5).to(torch.get_default_dtype())


clean = make_images(16)
noisy = clean + 0.3 * torch.randn_like(clean)
print(clean.shape, clean.mean().item())

for bilinear in (True, False):
    torch.manual_seed(5)
    model = UNet(1, bilinear=bilinear)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=6, eta_min=1e-4)
    criterion = nn.MSELoss()
    for step in range(6):
        model.train()
        optimizer.zero_grad()
        out = model(noisy)
        loss = criterion(out, clean)
        loss.backward()
        optimizer.step()
        scheduler.step()
        print(f"bilinear={bilinear} step {step} loss {loss.item():.6f} lr {optimizer.param_groups[0]['lr']:.6f}")
    model.eval()
    with torch.no_grad():
        recon = torch.sigmoid(model(noisy[:2]))
        psnr = 10 * torch.log10(1.0 / F.mse_loss(recon, clean[:2]))
        print(f"psnr {psnr.item():.4f} recon range [{recon.min():.4f}, {recon.max():.4f}]")
