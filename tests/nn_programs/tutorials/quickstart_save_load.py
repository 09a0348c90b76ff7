# Learn the Basics: Save and Load the Model (a small model stands in for vgg16).
import os
import tempfile

import torch
from torch import nn

torch.manual_seed(0)
d = tempfile.mkdtemp()


class Small(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(0.5), nn.Linear(4 * 3 * 3, 5))

    def forward(self, x):
        return self.classifier(self.features(x))


model = Small()
x = torch.randn(2, 3, 8, 8)
print(model(x))
torch.save(model.state_dict(), os.path.join(d, 'model_weights.pth'))

model2 = Small()
model2.load_state_dict(torch.load(os.path.join(d, 'model_weights.pth'), weights_only=True))
model2.eval()
print(model2(x))
print(model2.training, model2.classifier[1].training)

torch.save(model, os.path.join(d, 'model.pth'))
model3 = torch.load(os.path.join(d, 'model.pth'), weights_only=False)
model3.eval()
print(model3(x))
print(sorted(model3.state_dict().keys()))
