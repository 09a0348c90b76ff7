# Time-series forecasting as in the LSTM stock/airline-passenger notebooks: a noisy seasonal
# series scaled with numpy min-max, sliding windows built with unfold, torch.from_numpy,
# a stacked LSTM whose last time step feeds a linear head, HuberLoss, Adam and StepLR,
# autoregressive multi-step forecasting, and inverse scaling back in numpy.
import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(4)
np.random.seed(4)

t = np.arange(0, 160, dtype=np.float64)
series = 10 + 0.05 * t + 3 * np.sin(2 * np.pi * t / 12) + np.random.normal(0, 0.3, size=t.shape)
lo, hi = series.min(), series.max()
scaled = (series - lo) / (hi - lo)
values = torch.from_numpy(scaled).float()
window = 12
windows = values.unfold(0, window + 1, 1)  # (N, window + 1)
X, y = windows[:, :-1].unsqueeze(-1), windows[:, -1:]
split = int(0.8 * len(X))
X_train, y_train, X_test, y_test = X[:split], y[:split], X[split:], y[split:]
print(X_train.shape, y_train.shape, X_test.shape, X.dtype)


class LSTMForecaster(nn.Module):
    def __init__(self, input_size=1, hidden_size=24, num_layers=2):
        super().__init__()
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.lstm = nn.LSTM(input_size, hidden_size, num_layers, batch_first=True)
        self.fc = nn.Linear(hidden_size, 1)

    def forward(self, x):
        h0 = torch.zeros(self.num_layers, x.size(0), self.hidden_size)
        c0 = torch.zeros(self.num_layers, x.size(0), self.hidden_size)
        out, _ = self.lstm(x, (h0, c0))
        return self.fc(out[:, -1, :])


model = LSTMForecaster()
criterion = nn.HuberLoss(delta=0.1)
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)
for epoch in range(30):
    model.train()
    perm = torch.randperm(len(X_train))
    for i in range(0, len(perm), 32):
        idx = perm[i : i + 32]
        optimizer.zero_grad()
        loss = criterion(model(X_train[idx]), y_train[idx])
        loss.backward()
        optimizer.step()
    scheduler.step()
    if (epoch + 1) % 5 == 0:
        model.eval()
        with torch.no_grad():
            test_loss = criterion(model(X_test), y_test).item()
            rmse = torch.sqrt(nn.functional.mse_loss(model(X_test), y_test)).item()
        print(f"Epoch [{epoch + 1}/30], Loss: {loss.item():.6f}, Test: {test_loss:.6f}, RMSE: {rmse:.5f}")

# autoregressive forecast of the next 6 points from the last window
model.eval()
history = values[-window:].clone()
preds = []
with torch.no_grad():
    for _ in range(6):
        nxt = model(history.view(1, window, 1)).squeeze()
        preds.append(nxt.item())
        history = torch.cat([history[1:], nxt.view(1)])
forecast = np.array(preds) * (hi - lo) + lo
print("forecast", np.round(forecast, 3))
test_pred = model(X_test).detach().numpy().ravel() * (hi - lo) + lo
mae = np.abs(test_pred - (y_test.numpy().ravel() * (hi - lo) + lo)).mean()
print(f"MAE in original units: {mae:.4f}")
