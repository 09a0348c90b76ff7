# A sequence-to-sequence nn.Transformer (encoder-decoder, batch_first) in the shape of the
# "Language Translation with nn.Transformer" tutorial: token embeddings scaled by sqrt(d_model),
# positional encodings, generate_square_subsequent_mask for the target, key padding masks for
# source and target, Xavier init of the >1-d parameters, CrossEntropyLoss(ignore_index=PAD),
# and greedy decoding through model.encoder / model.decoder. The task copies a sequence with
# each token incremented.
import math

import torch
import torch.nn as nn
from torch import Tensor

torch.manual_seed(0)
PAD_IDX, BOS_IDX, EOS_IDX = 0, 1, 2
VOCAB = 12


class PositionalEncoding(nn.Module):
    def __init__(self, emb_size: int, dropout: float, maxlen: int = 50):
        super().__init__()
        den = torch.exp(-torch.arange(0, emb_size, 2) * math.log(10000) / emb_size)
        pos = torch.arange(0, maxlen).reshape(maxlen, 1)
        pos_embedding = torch.zeros((maxlen, emb_size))
        pos_embedding[:, 0::2] = torch.sin(pos * den)
        pos_embedding[:, 1::2] = torch.cos(pos * den)
        pos_embedding = pos_embedding.unsqueeze(0)
        self.dropout = nn.Dropout(dropout)
        self.register_buffer("pos_embedding", pos_embedding)

    def forward(self, token_embedding: Tensor):
        return self.dropout(token_embedding + self.pos_embedding[:, : token_embedding.size(1), :])


class TokenEmbedding(nn.Module):
    def __init__(self, vocab_size: int, emb_size):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, emb_size)
        self.emb_size = emb_size

    def forward(self, tokens: Tensor):
        return self.embedding(tokens.long()) * math.sqrt(self.emb_size)


class Seq2SeqTransformer(nn.Module):
    def __init__(self, num_layers, emb_size, nhead, vocab_size, dim_feedforward=64, dropout=0.1):
        super().__init__()
        self.transformer = nn.Transformer(
            d_model=emb_size, nhead=nhead, num_encoder_layers=num_layers,
            num_decoder_layers=num_layers, dim_feedforward=dim_feedforward,
            dropout=dropout, batch_first=True,
        )
        self.generator = nn.Linear(emb_size, vocab_size)
        self.src_tok_emb = TokenEmbedding(vocab_size, emb_size)
        self.tgt_tok_emb = TokenEmbedding(vocab_size, emb_size)
        self.positional_encoding = PositionalEncoding(emb_size, dropout=dropout)

    def forward(self, src, trg, tgt_mask, src_padding_mask, tgt_padding_mask):
        src_emb = self.positional_encoding(self.src_tok_emb(src))
        tgt_emb = self.positional_encoding(self.tgt_tok_emb(trg))
        outs = self.transformer(
            src_emb, tgt_emb, None, tgt_mask, None,
            src_padding_mask, tgt_padding_mask, src_padding_mask,
        )
        return self.generator(outs)

    def encode(self, src, src_mask=None):
        return self.transformer.encoder(self.positional_encoding(self.src_tok_emb(src)), src_mask)

    def decode(self, tgt, memory, tgt_mask):
        return self.transformer.decoder(self.positional_encoding(self.tgt_tok_emb(tgt)), memory, tgt_mask)


def make_data(n):
    srcs, tgts = [], []
    for _ in range(n):
        length = int(torch.randint(2, 6, (1,)))
        body = torch.randint(3, VOCAB - 1, (length,))
        srcs.append(torch.cat([torch.tensor([BOS_IDX]), body, torch.tensor([EOS_IDX])]))
        tgts.append(torch.cat([torch.tensor([BOS_IDX]), body + 1, torch.tensor([EOS_IDX])]))
    pad = nn.utils.rnn.pad_sequence
    return pad(srcs, batch_first=True, padding_value=PAD_IDX), pad(tgts, batch_first=True, padding_value=PAD_IDX)


src, tgt = make_data(32)
print("src", src.shape, "tgt", tgt.shape)
model = Seq2SeqTransformer(num_layers=1, emb_size=16, nhead=2, vocab_size=VOCAB)
for p in model.parameters():
    if p.dim() > 1:
        nn.init.xavier_uniform_(p)
loss_fn = torch.nn.CrossEntropyLoss(ignore_index=PAD_IDX)
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3, betas=(0.9, 0.98), eps=1e-9)

for epoch in range(1, 9):
    model.train()
    tgt_input = tgt[:, :-1]
    tgt_mask = nn.Transformer.generate_square_subsequent_mask(tgt_input.size(1))
    src_padding_mask = src == PAD_IDX
    tgt_padding_mask = tgt_input == PAD_IDX
    logits = model(src, tgt_input, tgt_mask, src_padding_mask, tgt_padding_mask)
    optimizer.zero_grad()
    tgt_out = tgt[:, 1:]
    loss = loss_fn(logits.reshape(-1, logits.shape[-1]), tgt_out.reshape(-1))
    loss.backward()
    optimizer.step()
    print(f"Epoch: {epoch}, Train loss: {loss.item():.4f}")


def greedy_decode(model, src, max_len, start_symbol):
    memory = model.encode(src)
    ys = torch.ones(1, 1).fill_(start_symbol).type(torch.long)
    for i in range(max_len - 1):
        tgt_mask = nn.Transformer.generate_square_subsequent_mask(ys.size(1)).type(torch.bool)
        out = model.decode(ys, memory, tgt_mask)
        prob = model.generator(out[:, -1])
        _, next_word = torch.max(prob, dim=1)
        next_word = next_word.item()
        ys = torch.cat([ys, torch.ones(1, 1).type_as(src.data).fill_(next_word)], dim=1)
        if next_word == EOS_IDX:
            break
    return ys


model.eval()
with torch.no_grad():
    for i in range(3):
        n = int((src[i] != PAD_IDX).sum())
        out = greedy_decode(model, src[i : i + 1, :n], n + 2, BOS_IDX)
        print(src[i, :n].tolist(), "->", out.flatten().tolist())
