"""EmbeddingBag / F.embedding_bag against PyTorch: modes sum/mean/max, 2-d inputs and 1-d
inputs with offsets (empty bags, include_last_offset), padding_idx, per_sample_weights;
values and the gradients of weight and per_sample_weights; module init, repr, from_pretrained
and errors."""

import numpy as np
import pytest
from nn_helpers import assert_close, copy_params, torch_or_skip

import pyautograd as pa
from pyautograd import nn

rng = np.random.default_rng(0)
W = rng.standard_normal((10, 3))
FLAT = np.array([1, 2, 4, 5, 4, 3, 2, 9, 2])
LAYOUTS = [
    ("2d", rng.integers(0, 10, (4, 5)), None, False),
    ("offsets_with_empty_bag", FLAT, np.array([0, 2, 2, 5]), False),
    ("include_last_offset", FLAT, np.array([0, 2, 2, 5, 9]), True),
    ("only_padding_bag", np.array([2, 2, 4]), np.array([0, 2]), False),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("padding_idx", [None, 2])
@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize(("name", "inp", "offsets", "last"), LAYOUTS, ids=[x[0] for x in LAYOUTS])
def test_functional_matches_torch(name, inp, offsets, last, mode, padding_idx, dtype):
    torch = torch_or_skip()
    res = []
    for lib in (pa, torch):
        w = lib.tensor(W, dtype=getattr(lib, dtype), requires_grad=True)
        o = None if offsets is None else lib.tensor(offsets)
        out = lib.nn.functional.embedding_bag(
            lib.tensor(inp), w, o, mode=mode, padding_idx=padding_idx, include_last_offset=last
        )
        g = np.random.default_rng(1).standard_normal(tuple(out.shape))
        (out * lib.tensor(g, dtype=out.dtype)).sum().backward()
        res.append((out, w.grad))
    assert res[0][0].dtype == getattr(pa, dtype)
    assert_close(res[0][0], res[1][0], rtol=1e-6, atol=1e-6, what="output")
    assert_close(res[0][1], res[1][1], rtol=1e-6, atol=1e-6, what="weight grad")


@pytest.mark.parametrize("padding_idx", [None, 4])
def test_per_sample_weights_match_torch(padding_idx):
    torch = torch_or_skip()
    psw = rng.standard_normal(9)
    res = []
    for lib in (pa, torch):
        w = lib.tensor(W, requires_grad=True)
        ps = lib.tensor(psw, requires_grad=True)
        out = lib.nn.functional.embedding_bag(
            lib.tensor(FLAT),
            w,
            lib.tensor([0, 2, 2, 5]),
            mode="sum",
            per_sample_weights=ps,
            padding_idx=padding_idx,
        )
        (out * out).sum().backward()
        res.append((out, w.grad, ps.grad))
    for a, b in zip(*res, strict=True):
        assert_close(a, b, rtol=1e-10, atol=1e-12)


def test_module_matches_torch():
    torch = torch_or_skip()
    for kw in [{}, {"mode": "sum"}, {"mode": "max", "padding_idx": -1}]:
        pm, tm = nn.EmbeddingBag(10, 3, **kw), torch.nn.EmbeddingBag(10, 3, **kw)
        assert repr(pm) == repr(tm)
        assert pm.padding_idx == tm.padding_idx
        if "padding_idx" in kw:
            assert pm.weight[pm.padding_idx].tolist() == [0.0, 0.0, 0.0]
        copy_params(pm, tm)
        x = rng.integers(0, 10, (3, 4))
        p, t = pm(pa.tensor(x)), tm(torch.tensor(x))
        assert_close(p, t, rtol=1e-6, atol=1e-6)
    emb = pa.tensor(W)
    bag = nn.EmbeddingBag.from_pretrained(emb, mode="sum")
    assert not bag.weight.requires_grad
    assert nn.EmbeddingBag.from_pretrained(emb, freeze=False).weight.requires_grad
    assert_close(bag(pa.tensor([[1, 2]])), W[1:2] + W[2:3])


def test_errors_match_torch():
    torch = torch_or_skip()
    checks = [
        lambda L: L.nn.functional.embedding_bag(L.tensor([1, 2]), L.randn(5, 2)),
        lambda L: L.nn.functional.embedding_bag(
            L.tensor([[1, 2]]), L.randn(5, 2), offsets=L.tensor([0])
        ),
        lambda L: L.nn.functional.embedding_bag(L.tensor([[1, 2]]), L.randn(5, 2), mode="median"),
        lambda L: L.nn.functional.embedding_bag(
            L.tensor([[1, 2]]), L.randn(5, 2), mode="mean", per_sample_weights=L.ones(1, 2)
        ),
        lambda L: L.nn.functional.embedding_bag(
            L.tensor([[1, 2]]), L.randn(5, 2), per_sample_weights=L.ones(2)
        ),
        lambda L: L.nn.EmbeddingBag(5, 2, padding_idx=7),
    ]
    for call in checks:
        with pytest.raises(Exception) as ours:
            call(pa)
        with pytest.raises(Exception) as theirs:
            call(torch)
        assert type(ours.value) is type(theirs.value), (ours.value, theirs.value)
        assert str(ours.value).replace("pyautograd", "torch") == str(theirs.value)
