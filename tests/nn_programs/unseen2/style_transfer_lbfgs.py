# Neural style transfer in the shape of the PyTorch tutorial: a small frozen CNN whose
# intermediate activations are captured with forward hooks, content and style losses (gram
# matrices), the input image itself optimized by L-BFGS with a closure, clamped in place
# under torch.no_grad after every evaluation.
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(5)

cnn = nn.Sequential(
    nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(inplace=False),
    nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(inplace=False),
    nn.AvgPool2d(2),
    nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(inplace=False),
).eval()
for p in cnn.parameters():
    p.requires_grad_(False)

features = {}


def save_to(name):
    def hook(module, inputs, output):
        features[name] = output
    return hook


handles = [cnn[1].register_forward_hook(save_to("relu1")), cnn[6].register_forward_hook(save_to("relu3"))]
handles.append(cnn[3].register_forward_hook(save_to("relu2")))


class Normalization(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean).view(-1, 1, 1))
        self.register_buffer("std", torch.tensor(std).view(-1, 1, 1))

    def forward(self, img):
        return (img - self.mean) / self.std


norm = Normalization([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])


def gram_matrix(t):
    b, c, h, w = t.size()
    f = t.view(b * c, h * w)
    return torch.mm(f, f.t()).div(b * c * h * w)


def extract(img):
    features.clear()
    cnn(norm(img))
    return dict(features)


content_img = torch.rand(1, 3, 16, 16)
style_img = torch.rand(1, 3, 16, 16) ** 2
content_targets = {k: v.detach() for k, v in extract(content_img).items() if k == "relu2"}
style_targets = {k: gram_matrix(v).detach() for k, v in extract(style_img).items()}
print("features:", sorted(style_targets), [tuple(v.shape) for _, v in sorted(style_targets.items())])

input_img = content_img.clone().requires_grad_(True)
optimizer = torch.optim.LBFGS([input_img], lr=1, max_iter=10)
style_weight, content_weight = 1e3, 1.0
run = [0]
for outer in range(2):
    def closure():
        with torch.no_grad():
            input_img.clamp_(0, 1)
        optimizer.zero_grad()
        feats = extract(input_img)
        style_score = sum(F.mse_loss(gram_matrix(feats[k]), g) for k, g in style_targets.items())
        content_score = F.mse_loss(feats["relu2"], content_targets["relu2"])
        loss = style_weight * style_score + content_weight * content_score
        loss.backward()
        run[0] += 1
        return loss

    loss = optimizer.step(closure)
    print(f"round {outer}: loss {loss.item():.5f} evaluations {run[0]}")

with torch.no_grad():
    input_img.clamp_(0, 1)
for h in handles:
    h.remove()
features.clear()
cnn(input_img)
print("hooks removed, captured:", len(features))
print(f"result mean {input_img.mean().item():.5f} min {input_img.min().item():.4f} max {input_img.max().item():.4f}")
print("grad on cnn weights:", any(p.grad is not None for p in cnn.parameters()))
