"""A small LLaMA-style decoder with the reference implementation's complex rotary embedding
(precompute_freqs_cis with torch.polar, view_as_complex / view_as_real), RMSNorm and SwiGLU,
trained on a copy task and decoded greedily."""
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


def precompute_freqs_cis(dim, end, theta=10000.0):
    freqs = 1.0 / (theta ** (torch.arange(0, dim, 2)[: (dim // 2)].float() / dim))
    t = torch.arange(end, device=freqs.device)
    freqs = torch.outer(t, freqs).float()
    return torch.polar(torch.ones_like(freqs), freqs)


def reshape_for_broadcast(freqs_cis, x):
    ndim = x.ndim
    shape = [d if i == 1 or i == ndim - 1 else 1 for i, d in enumerate(x.shape)]
    return freqs_cis.view(*shape)


def apply_rotary_emb(xq, xk, freqs_cis):
    xq_ = torch.view_as_complex(xq.float().reshape(*xq.shape[:-1], -1, 2))
    xk_ = torch.view_as_complex(xk.float().reshape(*xk.shape[:-1], -1, 2))
    freqs_cis = reshape_for_broadcast(freqs_cis, xq_)
    xq_out = torch.view_as_real(xq_ * freqs_cis).flatten(3)
    xk_out = torch.view_as_real(xk_ * freqs_cis).flatten(3)
    return xq_out.type_as(xq), xk_out.type_as(xk)


class RMSNorm(nn.Module):
    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class Block(nn.Module):
    def __init__(self, dim, n_heads):
        super().__init__()
        self.n_heads, self.head_dim = n_heads, dim // n_heads
        self.wq, self.wk, self.wv, self.wo = (nn.Linear(dim, dim, bias=False) for _ in range(4))
        self.w1, self.w3 = nn.Linear(dim, 2 * dim, bias=False), nn.Linear(dim, 2 * dim, bias=False)
        self.w2 = nn.Linear(2 * dim, dim, bias=False)
        self.attn_norm, self.ffn_norm = RMSNorm(dim), RMSNorm(dim)

    def forward(self, x, freqs_cis, mask):
        b, s, _ = x.shape
        h = self.attn_norm(x)
        q = self.wq(h).view(b, s, self.n_heads, self.head_dim)
        k = self.wk(h).view(b, s, self.n_heads, self.head_dim)
        v = self.wv(h).view(b, s, self.n_heads, self.head_dim)
        q, k = apply_rotary_emb(q, k, freqs_cis)
        q, k, v = (t.transpose(1, 2) for t in (q, k, v))
        scores = q @ k.transpose(2, 3) / self.head_dim**0.5 + mask
        out = (F.softmax(scores.float(), dim=-1).type_as(q) @ v).transpose(1, 2).reshape(b, s, -1)
        x = x + self.wo(out)
        h = self.ffn_norm(x)
        return x + self.w2(F.silu(self.w1(h)) * self.w3(h))


class Decoder(nn.Module):
    def __init__(self, vocab=12, dim=32, n_heads=4, n_layers=2, max_len=32):
        super().__init__()
        self.tok = nn.Embedding(vocab, dim)
        self.layers = nn.ModuleList([Block(dim, n_heads) for _ in range(n_layers)])
        self.norm = RMSNorm(dim)
        self.out = nn.Linear(dim, vocab, bias=False)
        self.freqs_cis = precompute_freqs_cis(dim // n_heads, max_len * 2)

    def forward(self, tokens):
        s = tokens.shape[1]
        h = self.tok(tokens)
        freqs_cis = self.freqs_cis[:s]
        mask = torch.triu(torch.full((s, s), float("-inf")), diagonal=1)
        for layer in self.layers:
            h = layer(h, freqs_cis, mask)
        return self.out(self.norm(h)).float()


model = Decoder()
print("freqs_cis:", model.freqs_cis.dtype, tuple(model.freqs_cis.shape))
print("freqs_cis[3, :2]:", model.freqs_cis[3, :2])
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.01)
SEP = 11
for step in range(80):
    src = torch.randint(1, 10, (16, 6))
    seq = torch.cat([src, torch.full((16, 1), SEP), src], dim=1)
    logits = model(seq[:, :-1])
    loss = F.cross_entropy(logits[:, 6:].reshape(-1, 12), seq[:, 7:].reshape(-1))
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    if step % 20 == 0:
        print(f"step {step:2d} loss {loss.item():.5f}")
model.eval()
with torch.no_grad():
    src = torch.tensor([[3, 1, 4, 1, 5, 9]])
    seq = torch.cat([src, torch.tensor([[SEP]])], dim=1)
    for _ in range(6):
        nxt = model(seq)[:, -1].argmax(-1, keepdim=True)
        seq = torch.cat([seq, nxt], dim=1)
print("decoded:", seq[0, 7:].tolist(), "for", src[0].tolist())
