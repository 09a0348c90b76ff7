# A toy speech/handwriting recognizer trained with CTC, as users write one: a Conv1d front
# end over feature frames, a bidirectional GRU, log_softmax over (blank + alphabet) in (T, N, C)
# layout, nn.CTCLoss with per-sample input and target lengths (padded targets,
# zero_infinity=True), and greedy CTC decoding (argmax, unique_consecutive, drop blanks).
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(25)
C, FEAT, BLANK = 5, 6, 0  # labels 1..4
protos = torch.randn(C, FEAT) * 1.5


def make_example():
    n = int(torch.randint(2, 5, (1,)))
    labels = torch.randint(1, C, (n,))
    frames = []
    for lab in labels.tolist():
        frames += [protos[lab]] * int(torch.randint(2, 4, (1,))) + [protos[BLANK]]
    x = torch.stack(frames) + 0.3 * torch.randn(len(frames), FEAT)
    return x, labels


class Recognizer(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(FEAT, 16, kernel_size=3, padding=1)
        self.rnn = nn.GRU(16, 16, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(32, C)

    def forward(self, x):
        h = F.relu(self.conv(x.transpose(1, 2))).transpose(1, 2)
        h, _ = self.rnn(h)
        return self.fc(h).log_softmax(-1).transpose(0, 1)  # (T, N, C)


def batchify(examples):
    xs, ys = zip(*examples)
    x = nn.utils.rnn.pad_sequence(xs, batch_first=True)
    targets = nn.utils.rnn.pad_sequence(ys, batch_first=True, padding_value=0)
    return x, targets, torch.tensor([len(a) for a in xs]), torch.tensor([len(b) for b in ys])


def greedy_decode(log_probs, lengths):
    out = []
    for i, t in enumerate(lengths.tolist()):
        best = log_probs[:t, i].argmax(-1)
        collapsed = torch.unique_consecutive(best)
        out.append(collapsed[collapsed != BLANK].tolist())
    return out


model = Recognizer()
ctc = nn.CTCLoss(blank=BLANK, reduction="mean", zero_infinity=True)
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for step in range(40):
    x, targets, in_len, tgt_len = batchify([make_example() for _ in range(8)])
    log_probs = model(x)
    loss = ctc(log_probs, targets, in_len, tgt_len)
    opt.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 5.0)
    opt.step()
    if step % 10 == 0:
        print(f"step {step:2d} ctc {loss.item():.5f}")

with torch.no_grad():
    examples = [make_example() for _ in range(6)]
    x, targets, in_len, tgt_len = batchify(examples)
    lp = model(x)
    decoded = greedy_decode(lp, in_len)
    correct = sum(d == y.tolist() for d, (_, y) in zip(decoded, examples))
    print("decoded:", decoded[:3], "truth:", [y.tolist() for _, y in examples[:3]], f"exact {correct}/6")
    concat = torch.cat([y for _, y in examples])
    a = F.ctc_loss(lp, concat, in_len, tgt_len, reduction="none")
    b = F.ctc_loss(lp, targets, in_len, tgt_len, reduction="sum")
    print("per-sample:", a.round(decimals=4).tolist(), f"sum {b.item():.4f}")
