# Grad-CAM style model inspection, as users write it with module hooks: a forward hook
# stores the last conv block's activations, register_full_backward_hook stores the gradient
# of the class score with respect to them, the CAM is relu(sum(weights * activations))
# upsampled with F.interpolate; also a forward pre-hook, retain_grad on an intermediate,
# input-gradient saliency, and hook handles removed afterwards.
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(26)


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(),
        )
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(8, 2)

    def forward(self, x):
        return self.fc(self.pool(self.features(x)).flatten(1))


def make(n):
    y = torch.randint(0, 2, (n,))
    x = 0.2 * torch.randn(n, 1, 12, 12)
    for i, c in enumerate(y.tolist()):
        if c:
            x[i, 0, 2:6, 2:6] += 1.0
        else:
            x[i, 0, 7:11, 7:11] -= 1.0
    return x, y


model = SmallCNN()
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
for step in range(40):
    x, y = make(32)
    loss = F.cross_entropy(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
print(f"final loss {loss.item():.5f}")

store = {}
calls = []
target_layer = model.features[4]
h1 = target_layer.register_forward_hook(lambda m, i, o: store.__setitem__("act", o))
h2 = target_layer.register_full_backward_hook(lambda m, gi, go: store.__setitem__("grad", go[0]))
h3 = model.fc.register_forward_pre_hook(lambda m, args: calls.append(tuple(args[0].shape)))

model.eval()
x, y = make(2)
x.requires_grad_(True)
logits = model(x)
score = logits.gather(1, y.unsqueeze(1)).sum()
model.zero_grad()
score.backward()
act, grad = store["act"], store["grad"]
weights = grad.mean(dim=(2, 3), keepdim=True)
cam = F.relu((weights * act).sum(1, keepdim=True))
cam = F.interpolate(cam, size=(12, 12), mode="bilinear", align_corners=False)
cam = cam / cam.amax(dim=(2, 3), keepdim=True).clamp_min(1e-8)
print("labels", y.tolist(), "act", tuple(act.shape), "grad", tuple(grad.shape), "pre-hook saw", calls)
for i in range(2):
    r, c = divmod(cam[i, 0].argmax().item(), 12)
    print(f"cam {i}: peak at ({r}, {c}) mean {cam[i].mean().item():.4f}")
saliency = x.grad.abs().amax(dim=1)
print("saliency peak:", [divmod(s.argmax().item(), 12) for s in saliency])

h = model.features[:3](x)
h.retain_grad()
out = model.fc(model.pool(model.features[3:](h)).flatten(1)).sum()
out.backward()
print("retained grad", tuple(h.grad.shape), f"{h.grad.abs().sum().item():.5f}", "is_leaf", h.is_leaf)
for handle in (h1, h2, h3):
    handle.remove()
store.clear()
model(x)
print("after remove:", store, len(calls))
