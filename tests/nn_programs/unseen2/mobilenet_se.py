# A MobileNetV3-style network, written as torchvision's building blocks are: inverted
# residuals with depthwise Conv2d (groups=channels), squeeze-and-excitation (adaptive pool,
# 1x1 convs, hardsigmoid), Hardswish, channel shuffle (ShuffleNet's view/transpose), stochastic
# depth (DropPath via a Bernoulli mask per sample), Dropout2d, channels_last inputs,
# kaiming_normal_(mode="fan_out") init, RMSprop with eps/momentum, ExponentialLR.
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(36)


def channel_shuffle(x, groups):
    b, c, h, w = x.size()
    x = x.view(b, groups, c // groups, h, w)
    x = torch.transpose(x, 1, 2).contiguous()
    return x.view(b, -1, h, w)


class DropPath(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training or self.p == 0.0:
            return x
        keep = 1 - self.p
        mask = x.new_empty((x.shape[0],) + (1,) * (x.ndim - 1)).bernoulli_(keep)
        return x * mask.div_(keep)


class SqueezeExcitation(nn.Module):
    def __init__(self, c, squeeze):
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1, self.fc2 = nn.Conv2d(c, squeeze, 1), nn.Conv2d(squeeze, c, 1)

    def forward(self, x):
        s = self.fc2(F.relu(self.fc1(self.avgpool(x)), inplace=True))
        return x * F.hardsigmoid(s, inplace=True)


class InvertedResidual(nn.Module):
    def __init__(self, c_in, c_exp, c_out, stride, drop_path):
        super().__init__()
        self.use_res = stride == 1 and c_in == c_out
        self.block = nn.Sequential(
            nn.Conv2d(c_in, c_exp, 1, bias=False), nn.BatchNorm2d(c_exp), nn.Hardswish(inplace=True),
            nn.Conv2d(c_exp, c_exp, 3, stride, 1, groups=c_exp, bias=False), nn.BatchNorm2d(c_exp), nn.Hardswish(inplace=True),
            SqueezeExcitation(c_exp, max(8, c_exp // 4)),
            nn.Conv2d(c_exp, c_out, 1, bias=False), nn.BatchNorm2d(c_out),
        )
        self.drop_path = DropPath(drop_path)

    def forward(self, x):
        y = self.block(x)
        return x + self.drop_path(y) if self.use_res else y


class Net(nn.Module):
    def __init__(self, n_classes=3):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, 2, 1, bias=False), nn.BatchNorm2d(8), nn.Hardswish())
        self.blocks = nn.Sequential(InvertedResidual(8, 16, 8, 1, 0.1), InvertedResidual(8, 24, 12, 2, 0.0), InvertedResidual(12, 24, 12, 1, 0.2))
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(12, 16), nn.Hardswish(), nn.Dropout(0.2), nn.Linear(16, n_classes))
        self.drop2d = nn.Dropout2d(0.1)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, 0, 0.01)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        x = self.stem(x)
        x = channel_shuffle(self.drop2d(x), 2)
        return self.head(self.blocks(x))


x_all = torch.randn(64, 3, 16, 16)
y_all = torch.randint(0, 3, (64,))
x_all[y_all == 1, 0] += 1.0
x_all[y_all == 2, 1:, :8] -= 1.0
x_all = x_all.contiguous(memory_format=torch.channels_last)
print("channels_last:", x_all.is_contiguous(memory_format=torch.channels_last), x_all.stride())
model = Net()
print("params:", sum(p.numel() for p in model.parameters()), "depthwise groups:", model.blocks[0].block[3].groups)
opt = torch.optim.RMSprop(model.parameters(), lr=3e-3, alpha=0.9, eps=1e-3, momentum=0.9, weight_decay=1e-5)
sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)
for epoch in range(6):
    model.train()
    for xb, yb in zip(x_all.split(16), y_all.split(16)):
        loss = F.cross_entropy(model(xb), yb, label_smoothing=0.05)
        opt.zero_grad()
        loss.backward()
        opt.step()
    sched.step()
    model.eval()
    with torch.no_grad():
        acc = (model(x_all).argmax(1) == y_all).float().mean().item()
    print(f"epoch {epoch} loss {loss.item():.5f} acc {acc:.4f} lr {sched.get_last_lr()[0]:.6f}")
t = torch.arange(8.0).view(1, 8, 1, 1)
print("shuffle:", channel_shuffle(t, 2).flatten().tolist())
print("hardsigmoid/hardswish:", F.hardsigmoid(torch.tensor([-4.0, 0.0, 1.5, 4.0])).tolist(), F.hardswish(torch.tensor([-4.0, -1.0, 1.0, 4.0])).tolist())
