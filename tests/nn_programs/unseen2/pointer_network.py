# Pointer network (Vinyals et al. 2015) learning to sort short sequences of numbers: an LSTM
# encoder, an LSTMCell decoder whose additive attention over the encoder states is the
# output distribution, already-pointed positions masked with masked_fill(-inf), teacher
# forcing with torch.gather of the chosen encoder states, greedy decoding, exact-match accuracy.
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(17)
B, L, H = 32, 5, 24


class PointerNet(nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.embed = nn.Linear(1, hidden)
        self.encoder = nn.LSTM(hidden, hidden, batch_first=True)
        self.decoder = nn.LSTMCell(hidden, hidden)
        self.W1 = nn.Linear(hidden, hidden, bias=False)
        self.W2 = nn.Linear(hidden, hidden, bias=False)
        self.v = nn.Linear(hidden, 1, bias=False)
        self.start = nn.Parameter(torch.zeros(hidden))

    def forward(self, x, targets=None):
        b, n = x.shape
        emb = self.embed(x.unsqueeze(-1))
        enc, (h, c) = self.encoder(emb)
        h, c = h.squeeze(0), c.squeeze(0)
        dec_in = self.start.unsqueeze(0).expand(b, -1)
        mask = torch.zeros(b, n, dtype=torch.bool)
        enc_proj = self.W1(enc)
        logits_all, pointers = [], []
        for t in range(n):
            h, c = self.decoder(dec_in, (h, c))
            scores = self.v(torch.tanh(enc_proj + self.W2(h).unsqueeze(1))).squeeze(-1)
            scores = scores.masked_fill(mask, float("-inf"))
            logits_all.append(scores)
            idx = targets[:, t] if targets is not None else scores.argmax(dim=-1)
            pointers.append(idx)
            mask = mask.scatter(1, idx.unsqueeze(1), True)
            dec_in = torch.gather(emb, 1, idx.view(b, 1, 1).expand(-1, -1, emb.size(-1))).squeeze(1)
        return torch.stack(logits_all, dim=1), torch.stack(pointers, dim=1)


model = PointerNet(H)
optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
for step in range(80):
    x = torch.rand(B, L)
    target = torch.argsort(x, dim=1)
    logits, _ = model(x, target)
    loss = F.cross_entropy(logits.reshape(-1, L), target.reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 2.0)
    optimizer.step()
    if step % 20 == 0:
        print(f"step {step:2d} loss {loss.item():.5f}")

model.eval()
with torch.no_grad():
    x = torch.rand(100, L)
    _, ptr = model(x)
    sorted_x = torch.gather(x, 1, ptr)
    exact = (ptr == x.argsort(dim=1)).all(dim=1).float().mean()
    monotone = (sorted_x[:, 1:] >= sorted_x[:, :-1]).float().mean()
    is_perm = (ptr.sort(dim=1).values == torch.arange(L)).all().item()
print(f"exact match {exact.item():.3f} pairwise order {monotone.item():.4f} permutations {is_perm}")
print("example:", x[0].round(decimals=3).tolist(), "->", ptr[0].tolist())
