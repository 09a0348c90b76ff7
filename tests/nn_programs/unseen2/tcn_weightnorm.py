# Temporal convolutional network (Bai et al. 2018) in the shape of locuslab/TCN: dilated
# causal Conv1d layers whose right padding is cut off by a Chomp1d slice, weight
# normalization via torch.nn.utils.parametrizations.weight_norm, residual 1x1 downsample,
# trained on the adding problem with Adam and gradient clipping.
import torch
import torch.nn as nn
from torch.nn.utils.parametrizations import weight_norm

torch.manual_seed(4)


class Chomp1d(nn.Module):
    def __init__(self, chomp_size):
        super().__init__()
        self.chomp_size = chomp_size

    def forward(self, x):
        return x[:, :, : -self.chomp_size].contiguous()


class TemporalBlock(nn.Module):
    def __init__(self, n_in, n_out, kernel_size, dilation, dropout=0.0):
        super().__init__()
        padding = (kernel_size - 1) * dilation
        self.conv1 = weight_norm(nn.Conv1d(n_in, n_out, kernel_size, padding=padding, dilation=dilation))
        self.conv2 = weight_norm(nn.Conv1d(n_out, n_out, kernel_size, padding=padding, dilation=dilation))
        self.net = nn.Sequential(self.conv1, Chomp1d(padding), nn.ReLU(), nn.Dropout(dropout),
                                 self.conv2, Chomp1d(padding), nn.ReLU(), nn.Dropout(dropout))
        self.downsample = nn.Conv1d(n_in, n_out, 1) if n_in != n_out else None
        self.relu = nn.ReLU()
        self.conv1.weight.data.normal_(0, 0.01)  # as locuslab/TCN: a no-op on a parametrized weight
        if self.downsample is not None:
            self.downsample.weight.data.normal_(0, 0.01)

    def forward(self, x):
        out = self.net(x)
        res = x if self.downsample is None else self.downsample(x)
        return self.relu(out + res)


class TCN(nn.Module):
    def __init__(self, input_size, output_size, channels, kernel_size=2):
        super().__init__()
        layers = [TemporalBlock(input_size if i == 0 else channels[i - 1], c, kernel_size, 2**i) for i, c in enumerate(channels)]
        self.tcn = nn.Sequential(*layers)
        self.linear = nn.Linear(channels[-1], output_size)

    def forward(self, x):
        return self.linear(self.tcn(x)[:, :, -1])


def adding_problem(n, seq_len):
    values = torch.rand(n, 1, seq_len)
    marks = torch.zeros(n, 1, seq_len)
    for i in range(n):
        a, b = torch.randperm(seq_len)[:2].tolist()
        marks[i, 0, a] = marks[i, 0, b] = 1
    x = torch.cat((values, marks), dim=1)
    return x, (values * marks).sum(dim=2)


model = TCN(2, 1, [8, 8, 8])
names = [n for n, _ in model.named_parameters()][:3]
print("parametrized names:", names)
print("is parametrized:", nn.utils.parametrize.is_parametrized(model.tcn[0].conv1, "weight"))
g = model.tcn[0].conv1.parametrizations.weight.original0
v = model.tcn[0].conv1.parametrizations.weight.original1
print("g shape", tuple(g.shape), "v shape", tuple(v.shape),
      "w == g*v/|v|:", torch.allclose(model.tcn[0].conv1.weight, g * v / v.norm(dim=(1, 2), keepdim=True)))
opt = torch.optim.Adam(model.parameters(), lr=4e-3)
x_test, y_test = adding_problem(64, 16)
for step in range(60):
    x, y = adding_problem(32, 16)
    loss = nn.functional.mse_loss(model(x), y)
    opt.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 0.5)
    opt.step()
    if step % 15 == 0:
        with torch.no_grad():
            test = nn.functional.mse_loss(model(x_test), y_test)
        print(f"step {step:2d} train {loss.item():.5f} test {test.item():.5f}")
# causality: changing the last input step must not change earlier outputs
with torch.no_grad():
    feats = model.tcn(x_test[:2])
    x2 = x_test[:2].clone()
    x2[:, :, -1] += 1.0
    feats2 = model.tcn(x2)
print("causal:", torch.equal(feats[:, :, :-1], feats2[:, :, :-1]), "last changed:", not torch.equal(feats[:, :, -1], feats2[:, :, -1]))
print("state_dict keys:", list(model.tcn[0].state_dict().keys())[:4])
