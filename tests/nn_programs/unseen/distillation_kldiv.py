# Knowledge distillation (Hinton et al.) as in the PyTorch "Knowledge Distillation" tutorial:
# a larger teacher CNN trained first, then a small student trained on the soft targets with
# nn.KLDivLoss(reduction="batchmean") on log_softmax(student / T) against softmax(teacher / T),
# scaled by T**2 and mixed with cross entropy; the teacher is frozen with eval() and no_grad,
# and both are compared by accuracy and by their number of parameters.
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(8)
num_classes = 4
X = torch.randn(128, 1, 8, 8)
y = (X[:, 0, :4].mean((1, 2)) > 0).long() * 2 + (X[:, 0, :, :4].mean((1, 2)) > 0).long()


class DeepNN(nn.Module):
    def __init__(self, num_classes=4):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.Conv2d(16, 16, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2),
        )
        self.classifier = nn.Sequential(nn.Linear(16 * 4 * 4, 64), nn.ReLU(), nn.Dropout(0.1), nn.Linear(64, num_classes))

    def forward(self, x):
        x = self.features(x)
        x = torch.flatten(x, 1)
        return self.classifier(x)


class LightNN(nn.Module):
    def __init__(self, num_classes=4):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 4, kernel_size=3, padding=1), nn.ReLU(), nn.AvgPool2d(2))
        self.classifier = nn.Linear(4 * 4 * 4, num_classes)

    def forward(self, x):
        return self.classifier(self.features(x).flatten(1))


def train(model, epochs, lr=1e-2):
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    for epoch in range(epochs):
        running = 0.0
        for i in range(0, len(X), 32):
            optimizer.zero_grad()
            loss = F.cross_entropy(model(X[i : i + 32]), y[i : i + 32])
            loss.backward()
            optimizer.step()
            running += loss.item()
        print(f"{type(model).__name__} epoch {epoch + 1}: loss {running / 4:.5f}")


def accuracy(model):
    model.eval()
    with torch.no_grad():
        return (model(X).argmax(1) == y).float().mean().item()


def train_knowledge_distillation(teacher, student, epochs, T, soft_target_loss_weight, ce_loss_weight):
    ce_loss = nn.CrossEntropyLoss()
    kl = nn.KLDivLoss(reduction="batchmean")
    optimizer = torch.optim.Adam(student.parameters(), lr=1e-2)
    teacher.eval()
    student.train()
    for epoch in range(epochs):
        running = 0.0
        for i in range(0, len(X), 32):
            inputs, labels = X[i : i + 32], y[i : i + 32]
            optimizer.zero_grad()
            with torch.no_grad():
                teacher_logits = teacher(inputs)
            student_logits = student(inputs)
            soft_targets = F.softmax(teacher_logits / T, dim=-1)
            soft_prob = F.log_softmax(student_logits / T, dim=-1)
            soft_targets_loss = kl(soft_prob, soft_targets) * (T**2)
            manual = torch.sum(soft_targets * (soft_targets.log() - soft_prob)) / soft_prob.size(0) * (T**2)
            label_loss = ce_loss(student_logits, labels)
            loss = soft_target_loss_weight * soft_targets_loss + ce_loss_weight * label_loss
            loss.backward()
            optimizer.step()
            running += loss.item()
        print(f"KD epoch {epoch + 1}: loss {running / 4:.5f} (kl {soft_targets_loss.item():.5f} manual {manual.item():.5f})")


teacher = DeepNN(num_classes)
train(teacher, 4)
torch.manual_seed(42)
student = LightNN(num_classes)
torch.manual_seed(42)
student_ce = LightNN(num_classes)
print("same init:", torch.equal(student.classifier.weight, student_ce.classifier.weight))
train(student_ce, 4)
train_knowledge_distillation(teacher, student, epochs=4, T=2.0, soft_target_loss_weight=0.25, ce_loss_weight=0.75)
total_params_deep = "{:,}".format(sum(p.numel() for p in teacher.parameters()))
total_params_light = "{:,}".format(sum(p.numel() for p in student.parameters()))
print(f"DeepNN parameters: {total_params_deep}, LightNN parameters: {total_params_light}")
print(f"Teacher accuracy: {accuracy(teacher):.4f}")
print(f"Student accuracy without teacher: {accuracy(student_ce):.4f}")
print(f"Student accuracy with CE + KD: {accuracy(student):.4f}")
print(F.kl_div(torch.log_softmax(torch.randn(3, 4), 1), torch.log_softmax(torch.randn(3, 4), 1), reduction="sum", log_target=True))
