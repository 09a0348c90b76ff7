# A program in the shape of pytorch/examples' mnist_rnn/main.py (written for this test, not
# copied): each 28x28 image read row by row by a batch_first LSTM whose last output feeds a
# Linear and log_softmax; Adadelta with StepLR, a test pass with argmax accuracy. The images
# are seeded random tensors of MNIST's shape, few of them.
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.rnn = nn.LSTM(input_size=28, hidden_size=32, batch_first=True)
        self.batchnorm = nn.BatchNorm1d(32)
        self.dropout1 = nn.Dropout2d(0.25)
        self.dropout2 = nn.Dropout2d(0.5)
        self.fc1 = nn.Linear(32, 16)
        self.fc2 = nn.Linear(16, 10)

    def forward(self, input):
        input = input.reshape(-1, 28, 28)
        output, hidden = self.rnn(input)
        output = output[:, -1, :]
        output = self.batchnorm(output)
        output = self.dropout1(output)
        output = self.fc1(output)
        output = F.relu(output)
        output = self.dropout2(output)
        output = self.fc2(output)
        return F.log_softmax(output, dim=1)


torch.manual_seed(3)
images = torch.randn(40, 1, 28, 28)
labels = torch.randint(0, 10, (40,))
model = Net()
print(model)
optimizer = optim.Adadelta(model.parameters(), lr=0.1)
scheduler = StepLR(optimizer, step_size=1, gamma=0.7)
for epoch in range(1, 3):
    model.train()
    perm = torch.randperm(40)
    for batch_idx in range(4):
        idx = perm[batch_idx * 10 : (batch_idx + 1) * 10]
        data, target = images[idx], labels[idx]
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        print(
            "Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}".format(
                epoch, batch_idx * len(data), 40, 100.0 * batch_idx / 4, loss.item()
            )
        )
    scheduler.step()
    model.eval()
    with torch.no_grad():
        output = model(images)
        test_loss = F.nll_loss(output, labels, reduction="sum").item() / 40
        pred = output.argmax(dim=1, keepdim=True)
        correct = pred.eq(labels.view_as(pred)).sum().item()
    print("Test set: Average loss: {:.4f}, Accuracy: {}/{}".format(test_loss, correct, 40))
print(optimizer.param_groups[0]["lr"], output.shape, pred[:4].view(-1))
