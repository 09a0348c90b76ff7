# word2vec skip-gram with negative sampling (in the shape of the many PyTorch SGNS
# implementations): context pairs from a window, negatives drawn with torch.multinomial from the
# unigram distribution raised to 3/4, center/context nn.Embedding tables initialized uniformly
# and with zeros, the loss through F.logsigmoid and torch.bmm, SGD, and nearest neighbours by
# cosine similarity with topk.
import collections

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(11)
corpus = (
    "the king rules the kingdom the queen rules the kingdom "
    "the cat chases the mouse the dog chases the cat "
    "a king and a queen live in a castle a dog and a cat live in a house "
) * 3
words = corpus.split()
counter = collections.Counter(words)
vocab = sorted(counter, key=lambda w: (-counter[w], w))
w2i = {w: i for i, w in enumerate(vocab)}
ids = [w2i[w] for w in words]
window = 2
pairs = []
for i, center in enumerate(ids):
    for j in range(max(0, i - window), min(len(ids), i + window + 1)):
        if j != i:
            pairs.append((center, ids[j]))
pairs = torch.tensor(pairs)
print(f"{len(vocab)} words, {len(pairs)} pairs")

freqs = torch.tensor([counter[w] for w in vocab], dtype=torch.float)
noise_dist = freqs.pow(0.75)
noise_dist = noise_dist / noise_dist.sum()


class SkipGramNeg(nn.Module):
    def __init__(self, n_vocab, n_embed):
        super().__init__()
        self.in_embed = nn.Embedding(n_vocab, n_embed)
        self.out_embed = nn.Embedding(n_vocab, n_embed)
        initrange = 0.5 / n_embed
        self.in_embed.weight.data.uniform_(-initrange, initrange)
        self.out_embed.weight.data.zero_()

    def forward(self, center, context, negatives):
        v = self.in_embed(center)  # (B, D)
        u = self.out_embed(context)  # (B, D)
        u_neg = self.out_embed(negatives)  # (B, K, D)
        pos = F.logsigmoid(torch.sum(v * u, dim=1))
        neg = F.logsigmoid(-torch.bmm(u_neg, v.unsqueeze(2)).squeeze(2)).sum(1)
        return -(pos + neg).mean()


model = SkipGramNeg(len(vocab), 16)
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
batch_size, n_neg = 64, 5
for epoch in range(6):
    perm = torch.randperm(len(pairs))
    total = 0.0
    for i in range(0, len(pairs), batch_size):
        batch = pairs[perm[i : i + batch_size]]
        negatives = torch.multinomial(noise_dist, batch.size(0) * n_neg, replacement=True).view(-1, n_neg)
        loss = model(batch[:, 0], batch[:, 1], negatives)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * batch.size(0)
    print(f"epoch {epoch} loss {total / len(pairs):.5f}")

emb = F.normalize(model.in_embed.weight.detach(), dim=1)
sims = emb @ emb.T
for w in ["king", "cat"]:
    scores, idx = sims[w2i[w]].topk(4)
    print(w, "->", [vocab[i] for i in idx.tolist()[1:]], [round(s, 3) for s in scores.tolist()[1:]])
print(F.cosine_similarity(emb[w2i["king"]], emb[w2i["queen"]], dim=0))
