# A small ResNet (BasicBlock with a 1x1 projection shortcut, BatchNorm2d, AdaptiveAvgPool2d,
# Dropout) trained CIFAR-style with AdamW and OneCycleLR, with model.train()/model.eval(),
# accuracy by argmax and a per-class accuracy table; the images are seeded random tensors whose
# class shifts one colour channel, so the net can learn.
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(42)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, in_planes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != self.expansion * planes:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_planes, self.expansion * planes, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm2d(self.expansion * planes),
            )

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += self.shortcut(x)
        out = F.relu(out)
        return out


class ResNet(nn.Module):
    def __init__(self, block, num_blocks, num_classes=3):
        super().__init__()
        self.in_planes = 8
        self.conv1 = nn.Conv2d(3, 8, kernel_size=3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.layer1 = self._make_layer(block, 8, num_blocks[0], stride=1)
        self.layer2 = self._make_layer(block, 16, num_blocks[1], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.dropout = nn.Dropout(0.25)
        self.linear = nn.Linear(16 * block.expansion, num_classes)

    def _make_layer(self, block, planes, num_blocks, stride):
        strides = [stride] + [1] * (num_blocks - 1)
        layers = []
        for stride in strides:
            layers.append(block(self.in_planes, planes, stride))
            self.in_planes = planes * block.expansion
        return nn.Sequential(*layers)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layer1(out)
        out = self.layer2(out)
        out = self.avgpool(out)
        out = torch.flatten(out, 1)
        out = self.dropout(out)
        return self.linear(out)


num_classes = 3
labels = torch.randint(0, num_classes, (96,))
images = torch.randn(96, 3, 12, 12) * 0.5
images[torch.arange(96), labels] += 1.0
train_ds = TensorDataset(images[:64], labels[:64])
test_ds = TensorDataset(images[64:], labels[64:])
train_loader = DataLoader(train_ds, batch_size=16, shuffle=True)
test_loader = DataLoader(test_ds, batch_size=16)

model = ResNet(BasicBlock, [1, 1], num_classes)
print(model)
total_params = sum(p.numel() for p in model.parameters() if p.requires_grad)
print(f"Trainable parameters: {total_params:,}")

epochs = 4
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=5e-4)
scheduler = torch.optim.lr_scheduler.OneCycleLR(
    optimizer, max_lr=0.01, epochs=epochs, steps_per_epoch=len(train_loader)
)


def evaluate(model, loader):
    model.eval()
    correct, total, loss_sum = 0, 0, 0.0
    per_class = torch.zeros(num_classes, 2)
    with torch.no_grad():
        for inputs, targets in loader:
            outputs = model(inputs)
            loss_sum += criterion(outputs, targets).item() * inputs.size(0)
            _, predicted = outputs.max(1)
            total += targets.size(0)
            correct += predicted.eq(targets).sum().item()
            for c in range(num_classes):
                m = targets == c
                per_class[c, 0] += (predicted[m] == c).sum()
                per_class[c, 1] += m.sum()
    return loss_sum / total, 100.0 * correct / total, per_class


for epoch in range(epochs):
    model.train()
    train_loss, correct, total = 0.0, 0, 0
    for batch_idx, (inputs, targets) in enumerate(train_loader):
        optimizer.zero_grad()
        outputs = model(inputs)
        loss = criterion(outputs, targets)
        loss.backward()
        optimizer.step()
        scheduler.step()
        train_loss += loss.item()
        predicted = outputs.argmax(dim=1)
        total += targets.size(0)
        correct += (predicted == targets).sum().item()
    val_loss, val_acc, per_class = evaluate(model, test_loader)
    print(
        f"Epoch {epoch + 1}/{epochs} | lr {scheduler.get_last_lr()[0]:.6f} | "
        f"train loss {train_loss / len(train_loader):.4f} acc {100.0 * correct / total:.2f}% | "
        f"val loss {val_loss:.4f} acc {val_acc:.2f}%"
    )
for c in range(num_classes):
    print(f"class {c}: {int(per_class[c, 0])}/{int(per_class[c, 1])}")
print(model.bn1.running_mean[:4], model.bn1.num_batches_tracked)
