# A miniature LLaMA-style decoder written as in Hugging Face's modeling_llama.py: RMSNorm,
# rotary position embeddings by cos/sin caches and rotate_half, SwiGLU feed-forward,
# F.scaled_dot_product_attention(is_causal=True), tied embeddings, AdamW with betas
# (0.9, 0.95), then incremental decoding with a key/value cache checked against the full pass.
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(21)
V, D, H, L, T = 16, 32, 4, 2, 12


class RMSNorm(nn.Module):
    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def precompute_freqs_cis(dim, end, theta=10000.0):
    inv_freq = 1.0 / (theta ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
    t = torch.arange(end, dtype=torch.float32)
    freqs = torch.einsum("i,j->ij", t, inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    return torch.stack((emb.cos(), emb.sin()))


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2 :]
    return torch.cat((-x2, x1), dim=-1)


def apply_rotary_emb(xq, xk, freqs_cis):
    cos, sin = freqs_cis[0].unsqueeze(1), freqs_cis[1].unsqueeze(1)  # (t, 1, hd)
    return (xq * cos) + (rotate_half(xq) * sin), (xk * cos) + (rotate_half(xk) * sin)


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.hd = D // H
        self.wq, self.wk, self.wv, self.wo = (nn.Linear(D, D, bias=False) for _ in range(4))

    def forward(self, x, freqs_cis, cache=None):
        b, t, _ = x.shape
        q, k, v = (w(x).view(b, t, H, self.hd) for w in (self.wq, self.wk, self.wv))
        q, k = apply_rotary_emb(q, k, freqs_cis)
        if cache is not None:
            if "k" in cache:
                k, v = torch.cat([cache["k"], k], dim=1), torch.cat([cache["v"], v], dim=1)
            cache["k"], cache["v"] = k, v
        q, k, v = (z.transpose(1, 2) for z in (q, k, v))
        out = F.scaled_dot_product_attention(q, k, v, is_causal=cache is None)
        return self.wo(out.transpose(1, 2).contiguous().view(b, t, D))


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.attention_norm, self.ffn_norm = RMSNorm(D), RMSNorm(D)
        self.attention = Attention()
        self.w1, self.w3 = nn.Linear(D, 64, bias=False), nn.Linear(D, 64, bias=False)
        self.w2 = nn.Linear(64, D, bias=False)

    def forward(self, x, freqs_cis, cache=None):
        h = x + self.attention(self.attention_norm(x), freqs_cis, cache)
        y = self.ffn_norm(h)
        return h + self.w2(F.silu(self.w1(y)) * self.w3(y))


class Transformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(V, D)
        self.layers = nn.ModuleList(Block() for _ in range(L))
        self.norm = RMSNorm(D)
        self.output = nn.Linear(D, V, bias=False)
        self.output.weight = self.tok.weight
        self.register_buffer("freqs_cis", precompute_freqs_cis(D // H, 32), persistent=False)
        for name, p in self.named_parameters():
            if name.endswith("wo.weight") or name.endswith("w2.weight"):
                nn.init.normal_(p, std=0.02 / math.sqrt(2 * L))

    def forward(self, tokens, start_pos=0, caches=None):
        h = self.tok(tokens)
        fc = self.freqs_cis[:, start_pos : start_pos + tokens.shape[1]]
        for i, layer in enumerate(self.layers):
            h = layer(h, fc, None if caches is None else caches[i])
        return self.output(self.norm(h)).float()


def batch(n):
    start = torch.randint(0, V, (n, 1))
    step = torch.randint(1, 3, (n, 1))
    return (start + step * torch.arange(T + 1)) % V


model = Transformer()
print("freqs_cis", model.freqs_cis.dtype, tuple(model.freqs_cis.shape), "state keys", len(model.state_dict()))
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, betas=(0.9, 0.95), weight_decay=0.1)
for step in range(40):
    seq = batch(16)
    logits = model(seq[:, :-1])
    loss = F.cross_entropy(logits.view(-1, V), seq[:, 1:].reshape(-1))
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    if step % 10 == 0:
        print(f"step {step:2d} loss {loss.item():.5f}")

model.eval()
with torch.no_grad():
    prompt = torch.tensor([[3, 5, 7]])
    full = model(prompt)
    caches = [{} for _ in range(L)]
    inc = model(prompt[:, :1], 0, caches)
    inc2 = model(prompt[:, 1:2], 1, caches)
    print("kv cache matches full pass:", torch.allclose(inc2[0, -1], full[0, 1], atol=1e-5), tuple(caches[0]["k"].shape))
    out = prompt
    caches = [{} for _ in range(L)]
    logits = model(out, 0, caches)
    for pos in range(6):
        nxt = logits[:, -1].argmax(-1, keepdim=True)
        out = torch.cat([out, nxt], dim=1)
        logits = model(nxt, out.shape[1] - 1, caches)
    print("greedy:", out[0].tolist())
