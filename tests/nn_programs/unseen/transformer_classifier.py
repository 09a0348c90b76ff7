# A Transformer text classifier: nn.TransformerEncoder (batch_first, norm_first, GELU) over
# padded token sequences with a src_key_padding_mask, sinusoidal positional encodings in a
# register_buffer, masked mean pooling, label-smoothed cross entropy, Adam with a linear
# warmup via LambdaLR, and inference under torch.inference_mode().
import math

import torch
import torch.nn as nn
from torch.nn.utils.rnn import pad_sequence

torch.manual_seed(0)
PAD = 0
vocab_size, d_model, num_classes = 20, 32, 2


class PositionalEncoding(nn.Module):
    def __init__(self, d_model: int, dropout: float = 0.1, max_len: int = 100):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)
        position = torch.arange(max_len).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(1, max_len, d_model)
        pe[0, :, 0::2] = torch.sin(position * div_term)
        pe[0, :, 1::2] = torch.cos(position * div_term)
        self.register_buffer("pe", pe)

    def forward(self, x):
        x = x + self.pe[:, : x.size(1)]
        return self.dropout(x)


class TransformerClassifier(nn.Module):
    def __init__(self, vocab_size, d_model, nhead, num_layers, num_classes, dim_feedforward=64):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, d_model, padding_idx=PAD)
        self.pos_encoder = PositionalEncoding(d_model)
        encoder_layer = nn.TransformerEncoderLayer(
            d_model, nhead, dim_feedforward, dropout=0.1, activation="gelu",
            batch_first=True, norm_first=True,
        )
        self.encoder = nn.TransformerEncoder(encoder_layer, num_layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d_model)
        self.classifier = nn.Linear(d_model, num_classes)

    def forward(self, tokens):
        padding_mask = tokens == PAD  # True where padded
        x = self.embedding(tokens) * math.sqrt(self.embedding.embedding_dim)
        x = self.pos_encoder(x)
        x = self.encoder(x, src_key_padding_mask=padding_mask)
        x = self.norm(x)
        keep = (~padding_mask).unsqueeze(-1).float()
        pooled = (x * keep).sum(dim=1) / keep.sum(dim=1).clamp(min=1.0)
        return self.classifier(pooled)


# class 1 iff token 7 occurs in the sequence
seqs, labels = [], []
for i in range(48):
    length = int(torch.randint(3, 11, (1,)))
    seq = torch.randint(1, vocab_size, (length,))
    seqs.append(seq)
    labels.append(int((seq == 7).any()))
tokens = pad_sequence(seqs, batch_first=True, padding_value=PAD)
labels = torch.tensor(labels)
print("tokens", tokens.shape, "positives", labels.sum().item(), "pad fraction", f"{(tokens == PAD).float().mean():.4f}")

model = TransformerClassifier(vocab_size, d_model, nhead=4, num_layers=2, num_classes=num_classes)
n_params = sum(p.numel() for p in model.parameters())
print(f"{n_params} parameters, buffers: {[name for name, _ in model.named_buffers()]}")
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3, betas=(0.9, 0.98), eps=1e-9)
warmup = 4
scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: min(1.0, (step + 1) / warmup))
criterion = nn.CrossEntropyLoss(label_smoothing=0.1)

for epoch in range(8):
    model.train()
    perm = torch.randperm(len(tokens))
    epoch_loss = 0.0
    for start in range(0, len(tokens), 16):
        idx = perm[start : start + 16]
        logits = model(tokens[idx])
        loss = criterion(logits, labels[idx])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        epoch_loss += loss.item() * len(idx)
    print(f"epoch {epoch} loss {epoch_loss / len(tokens):.5f} lr {scheduler.get_last_lr()[0]:.5f}")

model.eval()
with torch.inference_mode():
    logits = model(tokens)
    probs = logits.softmax(dim=-1)
    preds = probs.argmax(dim=-1)
    acc = (preds == labels).float().mean().item()
    print(f"train accuracy {acc:.4f}")
    print("probs", probs[:3])
    # padding must not change the prediction: append extra PAD columns
    padded = torch.cat([tokens, torch.zeros(len(tokens), 3, dtype=tokens.dtype)], dim=1)
    print("padding invariant:", torch.allclose(model(padded), logits, atol=1e-5))
