# The less common recurrent and attention options, as sequence code uses them: nn.RNN with
# nonlinearity="relu", LSTM with proj_size and inter-layer dropout, GRUCell decoding with
# scheduled teacher forcing (random.random), pack_sequence(enforce_sorted=False) and
# pad_packed_sequence(total_length=...), MultiheadAttention with kdim/vdim, add_bias_kv,
# add_zero_attn, a float attn_mask plus key_padding_mask and per-head weights.
import random

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_sequence, pad_packed_sequence

random.seed(39)
torch.manual_seed(39)

seqs = [torch.randn(n, 3) for n in (5, 2, 4, 3)]
packed = pack_sequence(seqs, enforce_sorted=False)
print("packed batch_sizes:", packed.batch_sizes.tolist(), "sorted:", packed.sorted_indices.tolist(), "unsorted:", packed.unsorted_indices.tolist())
rnn = nn.RNN(3, 4, num_layers=2, nonlinearity="relu", batch_first=True)
out, h = rnn(packed)
padded, lengths = pad_packed_sequence(out, batch_first=True, total_length=6)
print("rnn relu:", tuple(padded.shape), lengths.tolist(), "h", tuple(h.shape), f"{padded.sum().item():.5f}")
print("last outputs equal h:", torch.allclose(padded[torch.arange(4), lengths - 1], h[-1]))

lstm = nn.LSTM(3, 6, num_layers=2, proj_size=2, dropout=0.3, batch_first=True)
print("proj weights:", [(n, tuple(p.shape)) for n, p in lstm.named_parameters() if "hr" in n])
lstm.train()
o1, (hn, cn) = lstm(torch.randn(2, 5, 3))
print("proj lstm:", tuple(o1.shape), tuple(hn.shape), tuple(cn.shape), f"{o1.abs().sum().item():.5f}")

enc = nn.GRU(3, 8, batch_first=True)
cell = nn.GRUCell(1, 8)
readout = nn.Linear(8, 1)
params = list(enc.parameters()) + list(cell.parameters()) + list(readout.parameters())
opt = torch.optim.Adam(params, lr=1e-2)
for step in range(30):
    x = torch.randn(8, 6, 3)
    target = x.sum(-1).cumsum(1)[:, -4:].unsqueeze(-1) * 0.3
    _, h = enc(x)
    h = h.squeeze(0)
    inp = torch.zeros(8, 1)
    tf_ratio = max(0.0, 1.0 - step / 20)
    preds = []
    for t in range(4):
        h = cell(inp, h)
        pred = readout(h)
        preds.append(pred)
        inp = target[:, t] if random.random() < tf_ratio else pred.detach()
    loss = F.mse_loss(torch.stack(preds, 1), target)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step % 10 == 0:
        print(f"seq step {step:2d} loss {loss.item():.5f} tf {tf_ratio:.3f}")

mha = nn.MultiheadAttention(8, 2, kdim=5, vdim=3, add_bias_kv=True, add_zero_attn=True, batch_first=True)
q, k, v = torch.randn(2, 4, 8), torch.randn(2, 6, 5), torch.randn(2, 6, 3)
attn_mask = torch.triu(torch.full((4, 6), float("-inf")), diagonal=3)
kpm = torch.tensor([[False] * 6, [False] * 4 + [True] * 2])
out, w = mha(q, k, v, key_padding_mask=kpm, attn_mask=attn_mask, need_weights=True, average_attn_weights=False)
print("mha:", tuple(out.shape), "per-head weights", tuple(w.shape), f"out sum {out.sum().item():.5f}")
print("weights rows sum to 1:", torch.allclose(w.sum(-1), torch.ones(2, 2, 4)), "masked zero:", bool((w[1, :, :, 4:6] == 0).all()))
print("params:", sorted(n for n, _ in mha.named_parameters()))
