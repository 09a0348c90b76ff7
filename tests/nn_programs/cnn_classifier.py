import torch

torch.manual_seed(0)

# Synthetic images: three classes, each a fixed random 12x12 pattern under noise.
N, C = 96, 3
templates = torch.randn(C, 1, 12, 12)
x = torch.randn(N, 1, 12, 12) * 0.8
labels = [i % C for i in range(N)]
for i in range(N):
    x[i] += templates[labels[i]]
y = torch.tensor(labels)


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 8, 3, padding=1)
        self.bn1 = torch.nn.BatchNorm2d(8)
        self.pool = torch.nn.MaxPool2d(2)
        self.conv2 = torch.nn.Conv2d(8, 16, 3, padding="same")
        self.drop = torch.nn.Dropout2d(0.1)
        self.avg = torch.nn.AvgPool2d(2, ceil_mode=True)
        self.gap = torch.nn.AdaptiveAvgPool2d((2, 2))
        self.flatten = torch.nn.Flatten()
        self.fc = torch.nn.Linear(16 * 4, C)

    def forward(self, x):
        x = self.pool(torch.relu(self.bn1(self.conv1(x))))
        x = self.drop(torch.relu(self.conv2(x)))
        x = self.gap(self.avg(x))
        return self.fc(self.flatten(x))


model = Net()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
loss_fn = torch.nn.CrossEntropyLoss()
for t in range(60):
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    if t % 10 == 9:
        print(t, loss.item())

model.eval()
with torch.no_grad():
    pred = model(x).argmax(1)
correct = sum(int(p) == c for p, c in zip(pred.tolist(), labels))
print("accuracy", correct / N)
