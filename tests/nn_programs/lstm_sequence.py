import torch

torch.manual_seed(0)

# Synthetic sequence task: read a sequence of numbers, output their running sum and the sum
# of the first half at the last step (the net must remember across time steps).
N, T = 64, 12
x = torch.randn(N, T, 1)
y = torch.cat([x.sum(1), x[:, : T // 2].sum(1)], 1)


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(1, 16, num_layers=2, batch_first=True)
        self.gru = torch.nn.GRU(16, 16, batch_first=True, bidirectional=True)
        self.head = torch.nn.Linear(32, 2)

    def forward(self, x):
        out, (h, c) = self.lstm(x)
        out, h = self.gru(out)
        return self.head(out[:, -1])


model = Net()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
loss_fn = torch.nn.MSELoss()
for t in range(80):
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
    if t % 10 == 9:
        print(t, loss.item())
