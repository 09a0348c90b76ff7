# A seq2seq GRU encoder-decoder with Bahdanau (additive) attention and teacher forcing, in the
# shape of the "NLP From Scratch: Translation with a Sequence to Sequence Network" tutorial:
# the task is reversing short random token sequences; SGD, NLLLoss, greedy decoding with topk.
import random

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import optim

SOS_token, EOS_token = 0, 1
vocab, hidden_size, max_length = 12, 32, 7

torch.manual_seed(0)
random.seed(0)


class EncoderRNN(nn.Module):
    def __init__(self, input_size, hidden_size, dropout_p=0.1):
        super(EncoderRNN, self).__init__()
        self.hidden_size = hidden_size
        self.embedding = nn.Embedding(input_size, hidden_size)
        self.gru = nn.GRU(hidden_size, hidden_size, batch_first=True)
        self.dropout = nn.Dropout(dropout_p)

    def forward(self, input):
        embedded = self.dropout(self.embedding(input))
        output, hidden = self.gru(embedded)
        return output, hidden


class BahdanauAttention(nn.Module):
    def __init__(self, hidden_size):
        super(BahdanauAttention, self).__init__()
        self.Wa = nn.Linear(hidden_size, hidden_size)
        self.Ua = nn.Linear(hidden_size, hidden_size)
        self.Va = nn.Linear(hidden_size, 1)

    def forward(self, query, keys):
        scores = self.Va(torch.tanh(self.Wa(query) + self.Ua(keys)))
        scores = scores.squeeze(2).unsqueeze(1)
        weights = F.softmax(scores, dim=-1)
        context = torch.bmm(weights, keys)
        return context, weights


class AttnDecoderRNN(nn.Module):
    def __init__(self, hidden_size, output_size, dropout_p=0.1):
        super(AttnDecoderRNN, self).__init__()
        self.embedding = nn.Embedding(output_size, hidden_size)
        self.attention = BahdanauAttention(hidden_size)
        self.gru = nn.GRU(2 * hidden_size, hidden_size, batch_first=True)
        self.out = nn.Linear(hidden_size, output_size)
        self.dropout = nn.Dropout(dropout_p)

    def forward(self, encoder_outputs, encoder_hidden, target_tensor=None, teacher_forcing=True):
        batch_size = encoder_outputs.size(0)
        decoder_input = torch.empty(batch_size, 1, dtype=torch.long).fill_(SOS_token)
        decoder_hidden = encoder_hidden
        decoder_outputs = []
        attentions = []

        for i in range(max_length):
            decoder_output, decoder_hidden, attn_weights = self.forward_step(
                decoder_input, decoder_hidden, encoder_outputs
            )
            decoder_outputs.append(decoder_output)
            attentions.append(attn_weights)

            if target_tensor is not None and teacher_forcing:
                decoder_input = target_tensor[:, i].unsqueeze(1)  # Teacher forcing
            else:
                _, topi = decoder_output.topk(1)
                decoder_input = topi.squeeze(-1).detach()

        decoder_outputs = torch.cat(decoder_outputs, dim=1)
        decoder_outputs = F.log_softmax(decoder_outputs, dim=-1)
        attentions = torch.cat(attentions, dim=1)
        return decoder_outputs, decoder_hidden, attentions

    def forward_step(self, input, hidden, encoder_outputs):
        embedded = self.dropout(self.embedding(input))
        query = hidden.permute(1, 0, 2)
        context, attn_weights = self.attention(query, encoder_outputs)
        input_gru = torch.cat((embedded, context), dim=2)
        output, hidden = self.gru(input_gru, hidden)
        output = self.out(output)
        return output, hidden, attn_weights


def make_batch(n):
    lengths = torch.randint(3, max_length, (n,))
    src = torch.full((n, max_length), EOS_token, dtype=torch.long)
    tgt = torch.full((n, max_length), EOS_token, dtype=torch.long)
    for i, length in enumerate(lengths.tolist()):
        seq = torch.randint(2, vocab, (length,))
        src[i, :length] = seq
        tgt[i, :length] = seq.flip(0)
    return src, tgt


encoder = EncoderRNN(vocab, hidden_size)
decoder = AttnDecoderRNN(hidden_size, vocab)
encoder_optimizer = optim.SGD(encoder.parameters(), lr=0.1, momentum=0.9)
decoder_optimizer = optim.SGD(decoder.parameters(), lr=0.1, momentum=0.9)
criterion = nn.NLLLoss()

src, tgt = make_batch(32)
print(src[:2])
print(tgt[:2])
for epoch in range(1, 13):
    encoder_optimizer.zero_grad()
    decoder_optimizer.zero_grad()
    encoder_outputs, encoder_hidden = encoder(src)
    use_teacher_forcing = random.random() < 0.5
    decoder_outputs, _, _ = decoder(encoder_outputs, encoder_hidden, tgt, use_teacher_forcing)
    loss = criterion(decoder_outputs.view(-1, decoder_outputs.size(-1)), tgt.view(-1))
    loss.backward()
    encoder_optimizer.step()
    decoder_optimizer.step()
    print(f"epoch {epoch:2d} teacher_forcing={use_teacher_forcing} loss {loss.item():.5f}")

encoder.eval()
decoder.eval()
with torch.no_grad():
    encoder_outputs, encoder_hidden = encoder(src[:4])
    decoder_outputs, decoder_hidden, attentions = decoder(encoder_outputs, encoder_hidden)
    _, topi = decoder_outputs.topk(1)
    decoded_ids = topi.squeeze()
    print("decoded:", decoded_ids.tolist())
    print("attention rows sum to one:", torch.allclose(attentions.sum(-1), torch.ones(4, max_length)))
    print("attention", attentions.shape, attentions[0, 0])
    acc = (decoded_ids == tgt[:4]).float().mean()
    print(f"token accuracy {acc:.4f}")
