"""RNN, LSTM and GRU over a PackedSequence: each time step runs on the sequences still active
at it (the first batch_sizes[t] rows, as the sequences are sorted longest first), so each
sequence's final state is taken at its own length and the reverse direction starts at its own
last step, as PyTorch's packed kernels do. The weights and step functions are RNNBase's."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ... import _core
from ..._core import Tensor
from .._functional import layers as FL

if TYPE_CHECKING:
    from ..utils.rnn import PackedSequence
    from .rnn import RNNBase


def _layer(
    module: RNNBase,
    data: Tensor,
    bs: list[int],
    layer: int,
    d: int,
    h: Tensor,
    c: Tensor | None,
) -> tuple[Tensor, Tensor, Tensor | None]:
    from .rnn import _gru_step, _lstm_step, _rnn_step

    sfx = f"_l{layer}" + ("_reverse" if d == 1 else "")
    w_ih, w_hh = getattr(module, "weight_ih" + sfx), getattr(module, "weight_hh" + sfx)
    b_ih = getattr(module, "bias_ih" + sfx) if module.bias else None
    b_hh = getattr(module, "bias_hh" + sfx) if module.bias else None
    w_hr = getattr(module, "weight_hr" + sfx) if module.proj_size > 0 else None
    xp = FL.linear(data, w_ih, b_ih)  # every step's rows in one GEMM
    offsets = np.concatenate([[0], np.cumsum(bs)[:-1]]).astype(int).tolist()
    steps = range(len(bs) - 1, -1, -1) if d == 1 else range(len(bs))
    outs: dict[int, Tensor] = {}
    for t in steps:
        n, off = bs[t], offsets[t]
        xt = xp[off : off + n]
        ht = h[:n] if n < h.shape[0] else h
        if module.mode == "LSTM":
            assert c is not None
            ct = c[:n] if n < c.shape[0] else c
            hn, cn = _lstm_step(xt, ht, ct, w_hh, b_hh, w_hr)
            c = _core.cat([cn, c[n:]], 0) if n < c.shape[0] else cn
        elif module.mode == "GRU":
            hn = _gru_step(xt, ht, w_hh, b_hh)
        else:
            hn = _rnn_step(module.mode, xt, ht, w_hh, b_hh)
        h = _core.cat([hn, h[n:]], 0) if n < h.shape[0] else hn
        outs[t] = hn
    return _core.cat([outs[t] for t in range(len(bs))], 0), h, c


def forward(module: RNNBase, input: PackedSequence, hx: Any) -> tuple[Any, Any]:
    """RNNBase.forward for a PackedSequence input: (PackedSequence output, h_n) (LSTM:
    (output, (h_n, c_n))), h_n in the caller's batch order."""
    from ..utils.rnn import PackedSequence

    data, batch_sizes = input.data, input.batch_sizes
    sorted_idx, unsorted_idx = input.sorted_indices, input.unsorted_indices
    if data.dim() != 2:
        raise ValueError(f"packed input must have 2 dimensions, got {data.dim()}")
    if data.shape[-1] != module.input_size:
        raise RuntimeError(
            "input.size(-1) must be equal to input_size. Expected "
            f"{module.input_size}, got {data.shape[-1]}"
        )
    bs = [int(v) for v in batch_sizes.tolist()]
    n = bs[0]
    dirs = 2 if module.bidirectional else 1
    lstm = module.mode == "LSTM"
    expected = (module.num_layers * dirs, n, module.proj_size or module.hidden_size)
    c_expected = (module.num_layers * dirs, n, module.hidden_size)
    h0: Tensor | None = None
    c0: Tensor | None = None
    if hx is not None:
        h0, c0 = (hx[0], hx[1]) if lstm else (hx, None)
        for t, what, want in (
            (h0, "hidden[0]" if lstm else "hidden", expected),
            (c0, "hidden[1]", c_expected),
        ):
            if t is not None and tuple(t.shape) != want:
                raise RuntimeError(f"Expected {what} size {want}, got {list(t.shape)}")
        if sorted_idx is not None:  # into the packed (length-sorted) batch order
            h0 = h0.index_select(1, sorted_idx)
            c0 = c0.index_select(1, sorted_idx) if c0 is not None else None
    zeros = _core.zeros(n, module.proj_size or module.hidden_size, dtype=data.dtype)
    czeros = _core.zeros(n, module.hidden_size, dtype=data.dtype)
    layer_in = data
    h_n: list[Tensor] = []
    c_n: list[Tensor] = []
    for layer in range(module.num_layers):
        outs = []
        for d in range(dirs):
            k = layer * dirs + d
            h = zeros if h0 is None else h0[k]
            c = (czeros if c0 is None else c0[k]) if lstm else None
            out, hk, ck = _layer(module, layer_in, bs, layer, d, h, c)
            outs.append(out)
            h_n.append(hk)
            if lstm:
                assert ck is not None
                c_n.append(ck)
        layer_in = outs[0] if dirs == 1 else _core.cat(outs, 1)
        if module.dropout > 0 and module.training and layer < module.num_layers - 1:
            layer_in = FL.dropout(layer_in, module.dropout, True)
    hn = _core.stack(h_n, 0)
    cn = _core.stack(c_n, 0) if lstm else None
    if unsorted_idx is not None:  # back into the caller's batch order
        hn = hn.index_select(1, unsorted_idx)
        cn = cn.index_select(1, unsorted_idx) if cn is not None else None
    output = PackedSequence(layer_in, batch_sizes, sorted_idx, unsorted_idx)
    return (output, (hn, cn)) if lstm else (output, hn)
