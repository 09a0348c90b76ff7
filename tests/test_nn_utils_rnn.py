"""nn.utils.rnn (pad_sequence, pack_padded_sequence, pad_packed_sequence, pack_sequence,
unpack_sequence, unpad_sequence, PackedSequence) and RNN/LSTM/GRU over packed sequences
against PyTorch: values, lengths, indices and gradients (inputs, initial states, weights)."""

import itertools

import numpy as np
import pytest
from nn_helpers import assert_close, copy_params, torch_or_skip

import pyautograd as pa
from pyautograd import nn
from pyautograd.nn.utils import rnn as R

rng = np.random.default_rng(0)


def _seqs(lib, lengths, rest=(3,), grad=False):
    out = []
    for n in lengths:
        t = lib.tensor(np.random.default_rng(n).standard_normal((n, *rest)))
        out.append(t.requires_grad_(grad) if grad else t)
    return out


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize("rest", [(), (3,), (2, 2)])
def test_pad_sequence_matches_torch(batch_first, side, rest):
    torch = torch_or_skip()
    lens = [4, 1, 3]
    ps, ts = _seqs(pa, lens, rest, True), _seqs(torch, lens, rest, True)
    p = R.pad_sequence(ps, batch_first, -1.5, side)
    t = torch.nn.utils.rnn.pad_sequence(ts, batch_first, -1.5, side)
    assert_close(p, t)
    w = rng.standard_normal(tuple(t.shape))
    (p * pa.tensor(w)).sum().backward()
    (t * torch.tensor(w)).sum().backward()
    for a, b in zip(ps, ts, strict=True):
        assert_close(a.grad, b.grad)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("lengths", [[5, 3, 3, 1], [3, 5, 1, 3], [2, 2], [1]])
def test_pack_and_pad_roundtrip_match_torch(batch_first, lengths):
    torch = torch_or_skip()
    b, t_max = len(lengths), max(lengths)
    x = rng.standard_normal((b, t_max, 2) if batch_first else (t_max, b, 2))
    sorted_ = lengths == sorted(lengths, reverse=True)
    results = []
    for lib in (pa, torch):
        xt = lib.tensor(x, requires_grad=True)
        packed = lib.nn.utils.rnn.pack_padded_sequence(
            xt, lib.tensor(lengths), batch_first=batch_first, enforce_sorted=sorted_
        )
        padded, lens = lib.nn.utils.rnn.pad_packed_sequence(
            packed, batch_first=batch_first, padding_value=7.0, total_length=t_max + 1
        )
        w = np.random.default_rng(1).standard_normal(tuple(padded.shape))
        (padded * lib.tensor(w)).sum().backward()
        results.append((packed, padded, lens, xt.grad))
    (pp, ppad, plen, pg), (tp, tpad, tlen, tg) = results
    assert_close(pp.data, tp.data)
    assert pp.batch_sizes.tolist() == tp.batch_sizes.tolist()
    assert pp.batch_sizes.dtype == pa.int64
    for a, c in (
        (pp.sorted_indices, tp.sorted_indices),
        (pp.unsorted_indices, tp.unsorted_indices),
    ):
        assert (a is None) == (c is None)
        if a is not None:
            assert a.tolist() == c.tolist()
    assert_close(ppad, tpad)
    assert plen.tolist() == tlen.tolist()
    assert_close(pg, tg)


def test_pack_sequence_unpack_and_unpad():
    torch = torch_or_skip()
    lens = [2, 4, 3]
    pp = R.pack_sequence(_seqs(pa, lens), enforce_sorted=False)
    tp = torch.nn.utils.rnn.pack_sequence(_seqs(torch, lens), enforce_sorted=False)
    assert_close(pp.data, tp.data)
    for a, b in zip(R.unpack_sequence(pp), torch.nn.utils.rnn.unpack_sequence(tp), strict=True):
        assert_close(a, b)
    padded = R.pad_sequence(_seqs(pa, lens))
    for a, b in zip(R.unpad_sequence(padded, pa.tensor(lens)), _seqs(pa, lens), strict=True):
        assert_close(a, b)
    assert isinstance(pp, tuple)
    assert pp.double().data.dtype == pa.float64
    assert pp.float().data.dtype == pa.float32
    assert pp.cpu() is pp
    assert not pp.is_cuda
    data, batch_sizes, sorted_indices, unsorted_indices = pp
    assert R.invert_permutation(sorted_indices).tolist() == unsorted_indices.tolist()
    again = R.PackedSequence(data, batch_sizes, sorted_indices)
    assert again.unsorted_indices.tolist() == unsorted_indices.tolist()


def test_errors_match_torch():
    torch = torch_or_skip()
    checks = [
        lambda L: L.nn.utils.rnn.pack_padded_sequence(L.randn(4, 3, 2), [2, 3, 1]),
        lambda L: L.nn.utils.rnn.pack_padded_sequence(L.randn(4, 3, 2), [3, 0, 0]),
        lambda L: L.nn.utils.rnn.pack_padded_sequence(L.randn(4, 3, 2), [3, 2]),
        lambda L: L.nn.utils.rnn.pad_packed_sequence(
            L.nn.utils.rnn.pack_padded_sequence(L.randn(4, 2, 2), [4, 2]), total_length=3
        ),
        lambda L: L.nn.utils.rnn.pad_sequence([L.ones(2)], padding_side="middle"),
    ]
    for call in checks:
        with pytest.raises(Exception) as ours:
            call(pa)
        with pytest.raises(Exception) as theirs:
            call(torch)
        assert type(ours.value) is type(theirs.value), (ours.value, theirs.value)
        assert str(ours.value) == str(theirs.value)


RNNS = list(itertools.product(["RNN", "LSTM", "GRU"], [False, True], [1, 2], [True, False]))


@pytest.mark.parametrize(
    ("mode", "bidirectional", "layers", "batch_first"),
    RNNS,
    ids=[f"{m}-bi{b}-l{n}-bf{f}" for m, b, n, f in RNNS],
)
def test_recurrent_layers_on_packed_sequences(mode, bidirectional, layers, batch_first):
    torch = torch_or_skip()
    lens = [3, 5, 1, 3]  # unsorted: enforce_sorted=False
    t_max, b, i, h = 5, 4, 3, 4
    x = rng.standard_normal((b, t_max, i) if batch_first else (t_max, b, i))
    d = 2 if bidirectional else 1
    h0 = rng.standard_normal((layers * d, b, h))
    tm = getattr(torch.nn, mode)(i, h, layers, bidirectional=bidirectional, batch_first=batch_first)
    pm = getattr(nn, mode)(i, h, layers, bidirectional=bidirectional, batch_first=batch_first)
    tm, pm = tm.double(), pm.double()
    copy_params(pm, tm)
    res = []
    for lib, m in ((pa, pm), (torch, tm)):
        xt = lib.tensor(x, requires_grad=True)
        ht = lib.tensor(h0, requires_grad=True)
        hx = (ht, ht * 0.5) if mode == "LSTM" else ht
        packed = lib.nn.utils.rnn.pack_padded_sequence(
            xt, lens, batch_first=batch_first, enforce_sorted=False
        )
        out, hn = m(packed, hx)
        assert isinstance(out, lib.nn.utils.rnn.PackedSequence)
        padded, _ = lib.nn.utils.rnn.pad_packed_sequence(out, batch_first=batch_first)
        final = hn[0] + 2 * hn[1] if mode == "LSTM" else hn
        w1 = np.random.default_rng(1).standard_normal(tuple(padded.shape))
        w2 = np.random.default_rng(2).standard_normal(tuple(final.shape))
        ((padded * lib.tensor(w1)).sum() + (final * lib.tensor(w2)).sum()).backward()
        res.append([padded, final, xt.grad, ht.grad] + [p.grad for p in m.parameters()])
    for k, (a, c) in enumerate(zip(*res, strict=True)):
        assert_close(a, c, rtol=1e-9, atol=1e-10, what=f"result {k}")


def test_packed_without_initial_state_and_sorted():
    torch = torch_or_skip()
    tm, pm = torch.nn.LSTM(2, 3).double(), nn.LSTM(2, 3).double()
    copy_params(pm, tm)
    seqs = [rng.standard_normal((n, 2)) for n in (4, 2, 1)]
    p_out, (p_h, p_c) = pm(R.pack_sequence([pa.tensor(s) for s in seqs]))
    t_out, (t_h, t_c) = tm(torch.nn.utils.rnn.pack_sequence([torch.tensor(s) for s in seqs]))
    assert_close(p_out.data, t_out.data, rtol=1e-10)
    assert_close(p_h, t_h, rtol=1e-10)
    assert_close(p_c, t_c, rtol=1e-10)
    with pytest.raises(RuntimeError, match="Expected hidden"):
        pm(R.pack_sequence([pa.tensor(s) for s in seqs]), (pa.zeros(1, 2, 3), pa.zeros(1, 2, 3)))
