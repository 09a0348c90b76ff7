# BiLSTM-CRF sequence tagger in the shape of the PyTorch "Advanced: Making Dynamic Decisions"
# tutorial, vectorized over tags: the forward algorithm with logsumexp, the gold path score
# with gather over a transitions Parameter, Viterbi decoding with max over a dim and a Python
# backtrace built from .item()/.tolist(), SGD with weight decay.
import torch
import torch.nn as nn

torch.manual_seed(1)

START_TAG, STOP_TAG = "<START>", "<STOP>"
tag_to_ix = {"B": 0, "I": 1, "O": 2, START_TAG: 3, STOP_TAG: 4}
training_data = [
    ("the wall street journal reported today that apple corporation made money".split(),
     "B I I I O O O B I O O".split()),
    ("georgia tech is a university in georgia".split(), "B I O O O O B".split()),
]
word_to_ix = {}
for sentence, _ in training_data:
    for word in sentence:
        word_to_ix.setdefault(word, len(word_to_ix))


class BiLSTM_CRF(nn.Module):
    def __init__(self, vocab_size, tag_to_ix, embedding_dim, hidden_dim):
        super().__init__()
        self.tagset_size = len(tag_to_ix)
        self.word_embeds = nn.Embedding(vocab_size, embedding_dim)
        self.lstm = nn.LSTM(embedding_dim, hidden_dim // 2, num_layers=1, bidirectional=True)
        self.hidden2tag = nn.Linear(hidden_dim, self.tagset_size)
        self.transitions = nn.Parameter(torch.randn(self.tagset_size, self.tagset_size))
        self.transitions.data[tag_to_ix[START_TAG], :] = -10000
        self.transitions.data[:, tag_to_ix[STOP_TAG]] = -10000
        self.hidden_dim = hidden_dim

    def _get_lstm_features(self, sentence):
        embeds = self.word_embeds(sentence).view(len(sentence), 1, -1)
        h0 = (torch.randn(2, 1, self.hidden_dim // 2), torch.randn(2, 1, self.hidden_dim // 2))
        lstm_out, _ = self.lstm(embeds, h0)
        return self.hidden2tag(lstm_out.view(len(sentence), self.hidden_dim))

    def _forward_alg(self, feats):
        alpha = torch.full((self.tagset_size,), -10000.0)
        alpha[tag_to_ix[START_TAG]] = 0.0
        for feat in feats:
            alpha = torch.logsumexp(alpha.unsqueeze(0) + self.transitions + feat.unsqueeze(1), dim=1)
        return torch.logsumexp(alpha + self.transitions[tag_to_ix[STOP_TAG]], dim=0)

    def _score_sentence(self, feats, tags):
        tags = torch.cat([torch.tensor([tag_to_ix[START_TAG]], dtype=torch.long), tags])
        score = self.transitions[tags[1:], tags[:-1]].sum()
        score = score + feats.gather(1, tags[1:].unsqueeze(1)).sum()
        return score + self.transitions[tag_to_ix[STOP_TAG], tags[-1]]

    def _viterbi_decode(self, feats):
        backpointers = []
        fvar = torch.full((1, self.tagset_size), -10000.0)
        fvar[0][tag_to_ix[START_TAG]] = 0
        for feat in feats:
            scores = fvar + self.transitions  # [next, prev]
            best, idx = torch.max(scores, dim=1)
            backpointers.append(idx.tolist())
            fvar = (best + feat).view(1, -1)
        terminal = fvar + self.transitions[tag_to_ix[STOP_TAG]]
        best_tag_id = torch.argmax(terminal).item()
        path_score = terminal[0][best_tag_id]
        best_path = [best_tag_id]
        for bptrs_t in reversed(backpointers):
            best_tag_id = bptrs_t[best_tag_id]
            best_path.append(best_tag_id)
        start = best_path.pop()
        assert start == tag_to_ix[START_TAG]
        best_path.reverse()
        return path_score, best_path

    def neg_log_likelihood(self, sentence, tags):
        feats = self._get_lstm_features(sentence)
        return self._forward_alg(feats) - self._score_sentence(feats, tags)

    def forward(self, sentence):
        return self._viterbi_decode(self._get_lstm_features(sentence))


def prepare_sequence(seq, to_ix):
    return torch.tensor([to_ix[w] for w in seq], dtype=torch.long)


model = BiLSTM_CRF(len(word_to_ix), tag_to_ix, 5, 4)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, weight_decay=1e-4)
with torch.no_grad():
    score, path = model(prepare_sequence(training_data[0][0], word_to_ix))
    print(f"before: score {score.item():.4f} path {path}")
for epoch in range(30):
    total = 0.0
    for sentence, tags in training_data:
        model.zero_grad()
        loss = model.neg_log_likelihood(prepare_sequence(sentence, word_to_ix), torch.tensor([tag_to_ix[t] for t in tags]))
        loss.backward()
        optimizer.step()
        total += loss.item()
    if epoch % 10 == 9:
        print(f"epoch {epoch + 1} nll {total:.4f}")
with torch.no_grad():
    score, path = model(prepare_sequence(training_data[0][0], word_to_ix))
    print(f"after: score {score.item():.4f} path {path}")
print("transitions row B:", model.transitions[0].detach().round(decimals=3).tolist())
