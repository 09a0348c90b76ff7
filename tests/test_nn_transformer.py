"""nn.MultiheadAttention, the Transformer layers and F.scaled_dot_product_attention against
PyTorch (same weights: values and gradients), gradcheck in float64, and their errors."""

import math

import numpy as np
import pytest
from nn_helpers import assert_close, assert_grads_match, copy_params, pa_of, torch_of

import pyautograd as pa
import pyautograd.nn as nn
import pyautograd.nn.functional as F
from pyautograd.autograd import gradcheck


def _torch():
    return pytest.importorskip("torch")


RNG = np.random.default_rng(7)


def rand(*shape):
    return RNG.standard_normal(shape)


def _pair(pa_mod, t_mod):
    copy_params(pa_mod, t_mod)
    return pa_mod, t_mod


def _run_both(pa_mod, t_mod, arrays, call, seed_grad=True):
    """Runs call(module, *inputs) in both libraries on the same inputs; compares outputs, input
    gradients and parameter gradients."""
    torch = _torch()
    p_in = [
        pa_of(a, requires_grad=isinstance(a, np.ndarray) and a.dtype.kind == "f") for a in arrays
    ]
    t_in = [
        torch_of(a, torch, requires_grad=isinstance(a, np.ndarray) and a.dtype.kind == "f")
        for a in arrays
    ]
    p_out, t_out = call(pa_mod, *p_in), call(t_mod, *t_in)
    if not isinstance(p_out, tuple):
        p_out, t_out = (p_out,), (t_out,)
    loss_p, loss_t = 0, 0
    for po, to in zip(p_out, t_out, strict=True):
        if to is None:
            assert po is None
            continue
        assert_close(po, to, rtol=1e-5, atol=1e-6, what="output")
        w = rand(*to.shape)
        loss_p = loss_p + (po * pa_of(w)).sum()
        loss_t = loss_t + (to * torch_of(w, torch)).sum()
    if seed_grad:
        loss_p.backward()
        loss_t.backward()
        for pi, ti in zip(p_in, t_in, strict=True):
            if ti.grad is not None:
                assert_close(pi.grad, ti.grad, rtol=1e-5, atol=1e-6, what="input grad")
        assert_grads_match(pa_mod, t_mod)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("need_weights,average", [(True, True), (True, False), (False, True)])
def test_mha_self_attention_matches_torch(batch_first, need_weights, average):
    torch = _torch()
    p, t = _pair(
        nn.MultiheadAttention(8, 2, batch_first=batch_first, dtype=pa.float64),
        torch.nn.MultiheadAttention(8, 2, batch_first=batch_first, dtype=torch.float64),
    )
    x = rand(3, 5, 8)
    _run_both(
        p, t, [x],
        lambda m, x: m(x, x, x, need_weights=need_weights, average_attn_weights=average),
    )  # fmt: skip


@pytest.mark.parametrize("kind", ["bool", "float"])
def test_mha_masks_match_torch(kind):
    torch = _torch()
    p, t = _pair(
        nn.MultiheadAttention(6, 3, dtype=pa.float64),
        torch.nn.MultiheadAttention(6, 3, dtype=torch.float64),
    )
    q, kv = rand(4, 2, 6), rand(5, 2, 6)
    causal = np.triu(np.ones((4, 5), dtype=bool), 1)
    pad = np.zeros((2, 5), dtype=bool)
    pad[1, -2:] = True
    if kind == "float":
        causal = np.where(causal, -np.inf, 0.0)
        pad = np.where(pad, -np.inf, 0.0)
    for need in (True, False):

        def call(m, q, kv, am, kpm, need=need):
            return m(q, kv, kv, attn_mask=am, key_padding_mask=kpm, need_weights=need)

        _run_both(p, t, [q, kv, causal, pad], call)
        for q_ in (p, t):
            q_.zero_grad()


def test_mha_3d_mask_kdim_vdim_bias_kv_zero_attn_match_torch():
    torch = _torch()
    kw = {"kdim": 3, "vdim": 5, "add_bias_kv": True, "add_zero_attn": True}
    p, t = _pair(
        nn.MultiheadAttention(4, 2, dtype=pa.float64, **kw),
        torch.nn.MultiheadAttention(4, 2, dtype=torch.float64, **kw),
    )
    assert [n for n, _ in p.named_parameters()] == [n for n, _ in t.named_parameters()]
    q, k, v = rand(3, 2, 4), rand(6, 2, 3), rand(6, 2, 5)
    mask = rand(4, 3, 6)  # (N * H, L, S)
    _run_both(p, t, [q, k, v, mask], lambda m, q, k, v, am: m(q, k, v, attn_mask=am))


def test_mha_unbatched_and_no_bias_match_torch():
    torch = _torch()
    p, t = _pair(
        nn.MultiheadAttention(4, 4, bias=False, dtype=pa.float64),
        torch.nn.MultiheadAttention(4, 4, bias=False, dtype=torch.float64),
    )
    x, kpm = rand(5, 4), np.array([False, False, True, False, False])
    _run_both(p, t, [x, kpm], lambda m, x, kpm: m(x, x, x, key_padding_mask=kpm))


def test_mha_fully_masked_row_is_nan_as_in_torch():
    torch = _torch()
    p, t = _pair(nn.MultiheadAttention(4, 2), torch.nn.MultiheadAttention(4, 2))
    x = rand(3, 1, 4).astype(np.float32)
    mask = np.zeros((3, 3), dtype=bool)
    mask[1] = True
    po, pw = p(pa_of(x), pa_of(x), pa_of(x), attn_mask=pa_of(mask))
    to, tw = t(
        torch_of(x, torch), torch_of(x, torch), torch_of(x, torch), attn_mask=torch_of(mask, torch)
    )
    assert_close(po, to, what="output (NaN row)")
    assert_close(pw, tw, what="weights (NaN row)")


def test_fully_masked_rows_give_zeros_without_weights_as_in_torch():
    torch = _torch()
    q = rand(2, 3, 4)
    keep = np.ones((3, 3), dtype=bool)
    keep[1] = False
    _sdpa_both([q, q, q, keep])
    neg = np.where(keep, 0.0, -np.inf)
    _sdpa_both([q, q, q, neg])
    p, t = _pair(
        nn.MultiheadAttention(4, 2, dtype=pa.float64),
        torch.nn.MultiheadAttention(4, 2, dtype=torch.float64),
    )
    x = rand(3, 2, 4)
    _run_both(p, t, [x, ~keep], lambda m, x, am: m(x, x, x, attn_mask=am, need_weights=False))


def test_mha_dropout_and_eval():
    m = nn.MultiheadAttention(4, 2, dropout=0.5)
    x = pa.randn(3, 2, 4)
    m.eval()
    a, _ = m(x, x, x)
    b, _ = m(x, x, x)
    assert pa.equal(a, b)  # no dropout in eval mode
    m.train()
    _, w = m(x, x, x, average_attn_weights=False)
    assert bool(((w == 0) | (w >= 0)).all())
    zeros = int((w == 0).sum())
    assert 0 < zeros < w.numel()  # some weights dropped, not all


def test_mha_errors():
    m = nn.MultiheadAttention(4, 2)
    with pytest.raises(AssertionError, match="divisible"):
        nn.MultiheadAttention(5, 2)
    with pytest.raises(ValueError, match="greater than 0"):
        nn.MultiheadAttention(0, 2)
    x = pa.randn(3, 2, 4)
    with pytest.raises(AssertionError, match="embedding dimension"):
        m(pa.randn(3, 2, 6), pa.randn(3, 2, 6), pa.randn(3, 2, 6))
    with pytest.raises(RuntimeError, match="2D attn_mask"):
        m(x, x, x, attn_mask=pa.zeros(2, 2))
    with pytest.raises(RuntimeError, match="Need attn_mask"):
        m(x, x, x, is_causal=True)
    with pytest.raises(AssertionError, match="only bool and floating"):
        m(x, x, x, attn_mask=pa.zeros(3, 3, dtype=pa.int64))
    with pytest.raises(AssertionError, match="3-D"):
        m(x, pa.randn(3, 4), x)


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
def test_encoder_layer_matches_torch(norm_first, batch_first, activation):
    torch = _torch()
    kw = {"dim_feedforward": 16, "dropout": 0.0, "norm_first": norm_first,
          "batch_first": batch_first, "activation": activation}  # fmt: skip
    p, t = _pair(
        nn.TransformerEncoderLayer(8, 2, dtype=pa.float64, **kw),
        torch.nn.TransformerEncoderLayer(8, 2, dtype=torch.float64, **kw),
    )
    x = rand(2, 5, 8) if batch_first else rand(5, 2, 8)
    mask = np.triu(np.full((5, 5), -np.inf), 1)
    _run_both(p, t, [x, mask], lambda m, x, am: m(x, src_mask=am))


def test_encoder_stack_with_padding_mask_matches_torch():
    torch = _torch()
    kw = {"dim_feedforward": 12, "dropout": 0.0, "batch_first": True}
    t_layer = torch.nn.TransformerEncoderLayer(8, 4, dtype=torch.float64, **kw)
    p_layer = nn.TransformerEncoderLayer(8, 4, dtype=pa.float64, **kw)
    t = torch.nn.TransformerEncoder(t_layer, 2, norm=torch.nn.LayerNorm(8, dtype=torch.float64),
                                    enable_nested_tensor=False)  # fmt: skip
    p = nn.TransformerEncoder(p_layer, 2, norm=nn.LayerNorm(8, dtype=pa.float64))
    copy_params(p, t)
    x, pad = rand(3, 6, 8), np.zeros((3, 6), dtype=bool)
    pad[0, 4:] = True
    _run_both(p, t, [x, pad], lambda m, x, kpm: m(x, src_key_padding_mask=kpm))


@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_layer_and_transformer_match_torch(norm_first):
    torch = _torch()
    kw = {"dim_feedforward": 16, "dropout": 0.0, "norm_first": norm_first}
    p, t = _pair(
        nn.TransformerDecoderLayer(8, 2, dtype=pa.float64, **kw),
        torch.nn.TransformerDecoderLayer(8, 2, dtype=torch.float64, **kw),
    )
    tgt, mem = rand(4, 2, 8), rand(6, 2, 8)
    mask = np.triu(np.full((4, 4), -np.inf), 1)
    _run_both(p, t, [tgt, mem, mask], lambda m, tgt, mem, am: m(tgt, mem, tgt_mask=am))
    kw2 = {"d_model": 8, "nhead": 2, "num_encoder_layers": 2, "num_decoder_layers": 1,
           "dim_feedforward": 16, "dropout": 0.0, "norm_first": norm_first}  # fmt: skip
    p2, t2 = _pair(
        nn.Transformer(dtype=pa.float64, **kw2), torch.nn.Transformer(dtype=torch.float64, **kw2)
    )
    assert [n for n, _ in p2.named_parameters()] == [n for n, _ in t2.named_parameters()]
    src = rand(5, 2, 8)
    _run_both(
        p2, t2, [src, tgt, mask],
        lambda m, src, tgt, am: m(src, tgt, tgt_mask=am),
    )  # fmt: skip


def test_generate_square_subsequent_mask_matches_torch():
    torch = _torch()
    assert_close(nn.Transformer.generate_square_subsequent_mask(4),
                 torch.nn.Transformer.generate_square_subsequent_mask(4))  # fmt: skip


def test_transformer_layer_clones_are_independent():
    layer = nn.TransformerEncoderLayer(4, 2, dim_feedforward=8)
    enc = nn.TransformerEncoder(layer, 3)
    w = [m.linear1.weight for m in enc.layers]
    assert len({id(x) for x in w}) == 3
    assert all(pa.equal(w[0], x) for x in w[1:])  # deep copies of one layer, as in PyTorch
    assert len(list(enc.parameters())) == 3 * len(list(layer.parameters()))


def test_transformer_training_step_reduces_loss():
    pa.manual_seed(0)
    model = nn.TransformerEncoder(
        nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.1, batch_first=True), 2
    )
    head = nn.Linear(8, 3)
    opt = pa.optim.Adam(list(model.parameters()) + list(head.parameters()), lr=1e-2)
    x, y = pa.randn(16, 5, 8), pa.randint(0, 3, (16,))
    losses = []
    for _ in range(30):
        opt.zero_grad()
        loss = F.cross_entropy(head(model(x).mean(1)), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]


# --- scaled_dot_product_attention ---------------------------------------------------------------


def _sdpa_both(arrays, **kw):
    torch = _torch()
    p = [pa_of(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    t = [torch_of(a, torch, requires_grad=a.dtype.kind == "f") for a in arrays]
    mask_p = p[3] if len(p) > 3 else None
    mask_t = t[3] if len(t) > 3 else None
    po = F.scaled_dot_product_attention(p[0], p[1], p[2], attn_mask=mask_p, **kw)
    to = torch.nn.functional.scaled_dot_product_attention(t[0], t[1], t[2], attn_mask=mask_t, **kw)
    assert_close(po, to, rtol=1e-6, atol=1e-9, what="sdpa")
    w = rand(*to.shape)
    (po * pa_of(w)).sum().backward()
    (to * torch_of(w, torch)).sum().backward()
    for a, b in zip(p, t, strict=True):
        if b.grad is not None:
            assert_close(a.grad, b.grad, rtol=1e-6, atol=1e-9, what="sdpa grad")


@pytest.mark.parametrize("causal", [False, True])
@pytest.mark.parametrize("scale", [None, 0.3])
def test_sdpa_matches_torch(causal, scale):
    _sdpa_both(
        [rand(2, 3, 4, 5), rand(2, 3, 6, 5), rand(2, 3, 6, 7)], is_causal=causal, scale=scale
    )


def test_sdpa_masks_and_broadcast_match_torch():
    keep = RNG.random((4, 6)) > 0.3
    keep[:, 0] = True  # no fully masked row
    _sdpa_both([rand(2, 3, 4, 5), rand(2, 3, 6, 5), rand(2, 3, 6, 7), keep])
    _sdpa_both([rand(2, 3, 4, 5), rand(3, 6, 5), rand(3, 6, 7), rand(2, 1, 4, 6)])
    _sdpa_both([rand(4, 5), rand(6, 5), rand(6, 2)])


def test_sdpa_gqa_matches_torch():
    _sdpa_both([rand(1, 4, 3, 2), rand(1, 2, 5, 2), rand(1, 2, 5, 3)], enable_gqa=True)


def test_sdpa_gradcheck():
    q, k, v = (pa.tensor(rand(2, 3, 4), requires_grad=True) for _ in range(3))
    mask = pa.tensor(rand(3, 3))
    assert gradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=mask),
                     (q, k, v))  # fmt: skip


def test_sdpa_errors():
    q = pa.randn(2, 3, 4)
    with pytest.raises(RuntimeError, match="is_causal"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=pa.zeros(3, 3), is_causal=True)
    with pytest.raises(RuntimeError, match="same dtype"):
        F.scaled_dot_product_attention(q, q.double(), q)
    with pytest.raises(RuntimeError, match="shapes do not match"):
        F.scaled_dot_product_attention(q, pa.randn(2, 3, 5), q)
    with pytest.raises(TypeError, match="query"):
        F.scaled_dot_product_attention([1.0], q, q)
    with pytest.raises(RuntimeError, match="multiple"):
        F.scaled_dot_product_attention(
            pa.randn(1, 3, 2, 2), pa.randn(1, 2, 2, 2), pa.randn(1, 2, 2, 2), enable_gqa=True
        )


def test_mha_gradcheck_float64():
    m = nn.MultiheadAttention(4, 2, dtype=pa.float64)
    x = pa.tensor(rand(3, 2, 4), requires_grad=True)
    assert gradcheck(lambda x: m(x, x, x)[0], (x,))
    assert math.isfinite(float(m(x, x, x)[1].sum()))
