"""The seed's two-layer network written with pyautograd.nn and pyautograd.optim.

64 samples, 1000 -> 100 -> 10, ReLU, summed squared error, SGD; the loss is printed every 50
epochs. Run: python3 examples/two_layer_nn.py
"""

import pyautograd as torch
from pyautograd import nn, optim

M, input_size, hidden_size, output_size = 64, 1000, 100, 10
learning_rate, epochs = 1e-4, 300

torch.manual_seed(0)
x = torch.randn(M, input_size)
y = torch.randn(M, output_size)

model = nn.Sequential(
    nn.Linear(input_size, hidden_size),
    nn.ReLU(),
    nn.Linear(hidden_size, output_size),
)
loss_fn = nn.MSELoss(reduction="sum")
optimizer = optim.SGD(model.parameters(), lr=learning_rate)

for t in range(epochs):
    y_pred = model(x)
    loss = loss_fn(y_pred, y)
    if (t + 1) % 50 == 0:
        print(t + 1, loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

print(model)
