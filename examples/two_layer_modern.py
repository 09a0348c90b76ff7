"""The seed's two-layer network in today's PyTorch style, on pyautograd.

Tensors are created with requires_grad=True, the update runs under no_grad(), and the loss
is read with .item(). Run: python3 examples/two_layer_modern.py
"""

import pyautograd as torch

M, input_size, hidden_size, output_size = 64, 1000, 100, 10
learning_rate, epochs = 1e-6, 300

torch.manual_seed(0)
x = torch.randn(input_size, M, device="cpu")
y = torch.randn(output_size, M, device="cpu")
w1 = torch.randn(hidden_size, input_size, requires_grad=True)
w2 = torch.randn(output_size, hidden_size, requires_grad=True)
b1 = torch.randn(hidden_size, 1, requires_grad=True)
b2 = torch.randn(output_size, 1, requires_grad=True)
params = [w1, w2, b1, b2]

for t in range(epochs):
    y_pred = w2 @ (w1 @ x + b1).relu() + b2
    loss = (y_pred - y).pow(2).sum()
    if (t + 1) % 50 == 0:
        print(t + 1, loss.item())
    loss.backward()
    with torch.no_grad():
        for p in params:
            p -= learning_rate * p.grad
            p.grad.zero_()

print(y_pred.shape, y_pred[:2, :3])
