# A character-level LSTM language model (in the shape of karpathy's char-rnn / min-char-rnn
# ports to PyTorch): nn.Embedding, a 2-layer LSTM with dropout, truncated BPTT with the hidden
# state detached between chunks, gradient clipping with clip_grad_norm_, and sampling with a
# temperature through torch.multinomial.
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(1234)

text = "hello world, the quick brown fox jumps over the lazy dog. " * 8
chars = sorted(list(set(text)))
stoi = {ch: i for i, ch in enumerate(chars)}
itos = {i: ch for ch, i in stoi.items()}
data = torch.tensor([stoi[c] for c in text], dtype=torch.long)
print(f"vocab size {len(chars)}, data {tuple(data.shape)} {data.dtype}")


class CharRNN(nn.Module):
    def __init__(self, vocab_size, embed_dim=16, hidden_dim=48, num_layers=2, dropout=0.2):
        super().__init__()
        self.hidden_dim = hidden_dim
        self.num_layers = num_layers
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.lstm = nn.LSTM(embed_dim, hidden_dim, num_layers, dropout=dropout, batch_first=True)
        self.fc = nn.Linear(hidden_dim, vocab_size)

    def forward(self, x, hidden=None):
        emb = self.embed(x)
        out, hidden = self.lstm(emb, hidden)
        logits = self.fc(out)
        return logits, hidden

    def init_hidden(self, batch_size):
        weight = next(self.parameters())
        return (
            weight.new_zeros(self.num_layers, batch_size, self.hidden_dim),
            weight.new_zeros(self.num_layers, batch_size, self.hidden_dim),
        )


def detach_hidden(h):
    if isinstance(h, torch.Tensor):
        return h.detach()
    return tuple(detach_hidden(v) for v in h)


model = CharRNN(len(chars))
print(model)
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
batch_size, seq_len = 4, 20
n = (len(data) - 1) // (batch_size * seq_len) * (batch_size * seq_len)
inputs = data[:n].view(batch_size, -1)
targets = data[1 : n + 1].view(batch_size, -1)

for epoch in range(3):
    model.train()
    hidden = model.init_hidden(batch_size)
    total = 0.0
    steps = 0
    for i in range(0, inputs.size(1), seq_len):
        x = inputs[:, i : i + seq_len]
        y = targets[:, i : i + seq_len]
        hidden = detach_hidden(hidden)
        logits, hidden = model(x, hidden)
        loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()
        total += loss.item()
        steps += 1
    print(f"epoch {epoch} loss {total / steps:.5f} last grad norm {norm:.4f} ppl {torch.exp(torch.tensor(total / steps)):.3f}")


@torch.no_grad()
def sample(model, start="the ", length=40, temperature=0.8):
    model.eval()
    idx = torch.tensor([[stoi[c] for c in start]])
    logits, hidden = model(idx)
    out = list(start)
    for _ in range(length):
        probs = F.softmax(logits[:, -1, :] / temperature, dim=-1)
        next_id = torch.multinomial(probs, num_samples=1)
        out.append(itos[next_id.item()])
        logits, hidden = model(next_id, hidden)
    return "".join(out)


print(repr(sample(model)))
print(repr(sample(model, start="qu", temperature=0.5)))
