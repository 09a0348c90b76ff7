# A small PixelCNN (van den Oord et al. 2016) on binary images: MaskedConv2d subclasses
# nn.Conv2d, keeps its type-A/B mask in a register_buffer and multiplies weight.data by it
# before calling super().forward; per-pixel 2-way logits trained with cross_entropy over an
# (N, C, H, W) output; autoregressive sampling pixel by pixel with torch.multinomial.
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(31)


class MaskedConv2d(nn.Conv2d):
    def __init__(self, mask_type, *args, **kwargs):
        super().__init__(*args, **kwargs)
        assert mask_type in {"A", "B"}
        self.register_buffer("mask", self.weight.data.clone())
        _, _, kH, kW = self.weight.size()
        self.mask.fill_(1)
        self.mask[:, :, kH // 2, kW // 2 + (mask_type == "B"):] = 0
        self.mask[:, :, kH // 2 + 1:] = 0

    def forward(self, x):
        self.weight.data *= self.mask
        return super().forward(x)


fm = 16
net = nn.Sequential(
    MaskedConv2d("A", 1, fm, 5, 1, 2, bias=False), nn.BatchNorm2d(fm), nn.ReLU(True),
    MaskedConv2d("B", fm, fm, 3, 1, 1, bias=False), nn.BatchNorm2d(fm), nn.ReLU(True),
    MaskedConv2d("B", fm, fm, 3, 1, 1, bias=False), nn.BatchNorm2d(fm), nn.ReLU(True),
    nn.Conv2d(fm, 2, 1),
)
print("mask A center row:", net[0].mask[0, 0, 2].tolist(), "mask B:", net[3].mask[0, 0].tolist())


def make_images(n, size=8):
    imgs = torch.zeros(n, 1, size, size)
    for i in range(n):
        if torch.rand(1).item() < 0.5:
            imgs[i, 0, :, int(torch.randint(0, size, (1,)))] = 1
        else:
            imgs[i, 0, int(torch.randint(0, size, (1,))), :] = 1
    return imgs


data = make_images(64)
opt = torch.optim.Adam(net.parameters(), lr=3e-3)
for epoch in range(10):
    for batch in data.split(16):
        logits = net(batch)
        loss = F.cross_entropy(logits, batch.squeeze(1).long())
        opt.zero_grad()
        loss.backward()
        opt.step()
    if epoch % 3 == 0:
        print(f"epoch {epoch} nll/pixel {loss.item():.5f} bits {loss.item() / torch.log(torch.tensor(2.0)).item():.5f}")

# the mask must make each output independent of the pixel itself and of later pixels
net.eval()
x = torch.rand(1, 1, 8, 8, requires_grad=True)
net(x)[0, :, 4, 4].sum().backward()
dep = x.grad[0, 0] != 0
print("depends on self:", bool(dep[4, 4]), "on later rows:", bool(dep[5:].any()), "on earlier:", bool(dep[:4].any()))
sample = torch.zeros(2, 1, 8, 8)
with torch.no_grad():
    for i in range(8):
        for j in range(8):
            probs = F.softmax(net(sample)[:, :, i, j], dim=1)
            sample[:, :, i, j] = torch.multinomial(probs, 1).float()
print("samples:\n", sample[:, 0].int())
