"""Recurrent layers (RNNCell, LSTMCell, GRUCell, RNN, LSTM, GRU) against PyTorch: the same
state_dict and inputs give the same outputs, final states and gradients (inputs, initial
states, every weight and bias) over num_layers, bias, batch_first, bidirectional, initial
states and unbatched inputs; float64 gradchecks; PyTorch's initialisation, reprs and errors."""

import warnings

import numpy as np
import pytest
from nn_helpers import assert_close, copy_params, pa_of, torch_of, torch_or_skip

import pyautograd as pa
from pyautograd import nn
from pyautograd.autograd import gradcheck

rng = np.random.default_rng(0)
TOL = {"float64": (1e-7, 1e-9), "float32": (5e-5, 5e-5)}


def _pair(make, dtype):
    torch = torch_or_skip()
    tm = make(torch.nn).to(getattr(torch, dtype))
    pm = make(nn).to(getattr(pa, dtype))
    copy_params(pm, tm)
    return torch, pm, tm


def _flat(out):
    if isinstance(out, tuple):
        return [t for o in out for t in _flat(o)]
    return [out]


def _compare(make, x_shape, h_shapes, dtype="float64"):
    """Runs the module on the same input (and initial states when h_shapes is not None) in
    both libraries; compares every output and the gradients of a random weighting of them."""
    torch, pm, tm = _pair(make, dtype)
    rtol, atol = TOL[dtype]
    x = rng.standard_normal(x_shape)
    hs = [rng.standard_normal(s) for s in h_shapes] if h_shapes is not None else None
    px = pa_of(x, getattr(pa, dtype), True)
    tx = torch_of(x, torch, getattr(torch, dtype), True)
    args_p, args_t = [px], [tx]
    ph, th = [], []
    if hs is not None:
        ph = [pa_of(h, getattr(pa, dtype), True) for h in hs]
        th = [torch_of(h, torch, getattr(torch, dtype), True) for h in hs]
        args_p.append(tuple(ph) if len(ph) == 2 else ph[0])
        args_t.append(tuple(th) if len(th) == 2 else th[0])
    po, to = _flat(pm(*args_p)), _flat(tm(*args_t))
    assert len(po) == len(to)
    lp, lt = 0, 0
    for i, (a, b) in enumerate(zip(po, to, strict=True)):
        assert tuple(a.shape) == tuple(b.shape), (i, a.shape, b.shape)
        assert_close(a, b, rtol, atol, f"output {i}")
        w = rng.standard_normal(tuple(b.shape))
        lp = lp + (a * pa_of(w, a.dtype)).sum()
        lt = lt + (b * torch_of(w, torch, b.dtype)).sum()
    lp.backward()
    lt.backward()
    assert_close(px.grad, tx.grad, rtol, atol, "input gradient")
    for i, (a, b) in enumerate(zip(ph, th, strict=True)):
        assert_close(a.grad, b.grad, rtol, atol, f"initial state {i} gradient")
    tp = dict(tm.named_parameters())
    for name, p in pm.named_parameters():
        assert_close(p.grad, tp[name].grad, rtol, atol, f"grad of {name}")
    return pm, tm


MODES = ["RNN", "LSTM", "GRU"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "layers,bias,batch_first,bidir",
    [
        (1, True, False, False),
        (2, True, False, False),
        (1, False, True, False),
        (1, True, False, True),
        (3, True, True, True),
        (2, False, False, True),
    ],
)
@pytest.mark.parametrize("with_h0", [False, True])
def test_recurrent_layer_matches_torch(mode, layers, bias, batch_first, bidir, with_h0):
    def make(lib):
        return getattr(lib, mode)(
            5, 4, num_layers=layers, bias=bias, batch_first=batch_first, bidirectional=bidir
        )

    d = 2 if bidir else 1
    t_len, n = 6, 3
    x_shape = (n, t_len, 5) if batch_first else (t_len, n, 5)
    hs = None
    if with_h0:
        hs = [(layers * d, n, 4)] * (2 if mode == "LSTM" else 1)
    _compare(make, x_shape, hs)


@pytest.mark.parametrize("mode", MODES)
def test_recurrent_float32_batch_of_one_and_relu(mode):
    _compare(lambda lib: getattr(lib, mode)(3, 7, num_layers=2), (5, 1, 3), None, "float32")
    _compare(lambda lib: lib.RNN(3, 4, nonlinearity="relu", num_layers=2), (4, 2, 3), None)
    _compare(lambda lib: lib.RNN(3, 4, 1, "relu"), (4, 2, 3), None)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("with_h0", [False, True])
def test_recurrent_unbatched(mode, with_h0):
    hs = [(4, 3)] * (2 if mode == "LSTM" else 1) if with_h0 else None
    _compare(lambda lib: getattr(lib, mode)(5, 3, num_layers=2, bidirectional=True), (6, 5), hs)


@pytest.mark.parametrize("cell", ["RNNCell", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_cells_match_torch(cell, bias, dtype):
    make = lambda lib: getattr(lib, cell)(5, 4, bias=bias)  # noqa: E731
    hs = [(3, 4)] * (2 if cell == "LSTMCell" else 1)
    _compare(make, (3, 5), hs, dtype)
    _compare(make, (3, 5), None, dtype)
    _compare(make, (5,), [(4,)] * (2 if cell == "LSTMCell" else 1), dtype)  # unbatched


def test_rnn_cell_relu():
    _compare(lambda lib: lib.RNNCell(5, 4, nonlinearity="relu"), (3, 5), [(3, 4)])


def test_state_dict_names_and_initialisation():
    torch = torch_or_skip()
    for make in [
        lambda lib: lib.LSTM(3, 8, num_layers=2, bidirectional=True),
        lambda lib: lib.GRU(3, 8, bias=False),
        lambda lib: lib.RNN(3, 8, nonlinearity="relu", batch_first=True, num_layers=2),
        lambda lib: lib.LSTMCell(3, 8),
        lambda lib: lib.GRUCell(3, 8, bias=False),
        lambda lib: lib.RNNCell(3, 8, nonlinearity="relu"),
    ]:
        pm, tm = make(nn), make(torch.nn)
        assert repr(pm) == repr(tm)
        ps, ts = pm.state_dict(), tm.state_dict()
        assert list(ps) == list(ts)
        for k in ps:
            assert tuple(ps[k].shape) == tuple(ts[k].shape), k
            a = np.array(ps[k].tolist())
            assert np.abs(a).max() <= 1 / np.sqrt(8) + 1e-7, k
        assert pm.weight_hh_l0.dtype == pa.float32 if hasattr(pm, "weight_hh_l0") else True
    m = nn.LSTM(3, 8, num_layers=2)
    assert len(m.all_weights) == 2 and len(m.all_weights[0]) == 4
    w = np.concatenate([np.array(p.tolist()).ravel() for p in m.parameters()])
    b = 1 / np.sqrt(8)
    assert abs(w.std() - b / np.sqrt(3)) < 0.1 * b


def test_load_torch_state_dict_and_train_steps_match():
    torch = torch_or_skip()
    tm = torch.nn.LSTM(4, 6, num_layers=2, batch_first=True).double()
    pm = nn.LSTM(4, 6, num_layers=2, batch_first=True).double()
    pm.load_state_dict({k: pa_of(v) for k, v in tm.state_dict().items()})
    topt = torch.optim.SGD(tm.parameters(), lr=0.1)
    popt = pa.optim.SGD(pm.parameters(), lr=0.1)
    x = rng.standard_normal((3, 5, 4))
    for _ in range(5):
        for m, opt, lib in ((pm, popt, pa), (tm, topt, torch)):
            xx = pa_of(x, pa.float64) if lib is pa else torch_of(x, torch, torch.float64)
            out, (h, _c) = m(xx)
            loss = (out * out).mean() + h.sum() * 0.1
            opt.zero_grad()
            loss.backward()
            opt.step()
    for (k, p), (_, t) in zip(pm.named_parameters(), tm.named_parameters(), strict=True):
        assert_close(p, t, 1e-9, 1e-10, k)


def test_gradcheck_lstm_and_gru():
    for cls in (nn.LSTM, nn.GRU, nn.RNN):
        m = cls(2, 3, num_layers=2, bidirectional=True).double()
        x = pa.randn(4, 2, 2, dtype=pa.float64, requires_grad=True)

        def f(x, m=m):
            out, _h = m(x)
            return out

        assert gradcheck(f, (x,))


def test_dropout_between_layers():
    pa.manual_seed(0)
    m = nn.GRU(3, 4, num_layers=2, dropout=0.5)
    x = pa.randn(5, 2, 3)
    a, _ = m(x)
    b, _ = m(x)
    assert not np.allclose(np.array(a.tolist()), np.array(b.tolist()))  # random masks
    m.eval()
    a, _ = m(x)
    b, _ = m(x)
    np.testing.assert_array_equal(np.array(a.tolist()), np.array(b.tolist()))
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        nn.LSTM(3, 4, dropout=0.2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.LSTM(3, 4, num_layers=2, dropout=0.2)


def test_errors():
    m = nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    with pytest.raises(RuntimeError, match=r"input.size\(-1\) must be equal to input_size"):
        m(pa.randn(5, 2, 4))
    with pytest.raises(ValueError, match="LSTM: Expected input to be 2D or 3D, got 4D"):
        m(pa.randn(5, 2, 3, 1))
    with pytest.raises(
        RuntimeError, match=r"Expected hidden\[0\] size \(4, 2, 4\), got \[4, 3, 4\]"
    ):
        m(pa.randn(5, 2, 3), (pa.randn(4, 3, 4), pa.randn(4, 2, 4)))
    with pytest.raises(RuntimeError, match="For unbatched 2-D input, hx and cx should also be 2-D"):
        m(pa.randn(5, 3), (pa.randn(4, 3, 4), pa.randn(4, 2, 4)))
    with pytest.raises(RuntimeError, match=r"Expected hidden size \(1, 2, 4\), got \[1, 3, 4\]"):
        nn.GRU(3, 4)(pa.randn(5, 2, 3), pa.randn(1, 3, 4))
    with pytest.raises(ValueError, match="LSTMCell: Expected input to be 1D or 2D, got 3D"):
        nn.LSTMCell(3, 4)(pa.randn(5, 2, 4))
    with pytest.raises(RuntimeError, match="input has inconsistent input_size: got 4 expected 3"):
        nn.GRUCell(3, 4)(pa.randn(5, 4))
    with pytest.raises(ValueError, match="dropout should be a number in range"):
        nn.GRU(3, 4, dropout=1.5)
    with pytest.raises(ValueError, match="hidden_size must be greater than zero"):
        nn.RNN(3, 0)
    with pytest.raises(ValueError, match="Unknown nonlinearity"):
        nn.RNN(3, 4, nonlinearity="gelu")
    with pytest.raises(ValueError, match="proj_size has to be smaller than hidden_size"):
        nn.LSTM(3, 4, proj_size=4)
    with pytest.raises(ValueError, match="only supported for LSTM"):
        nn.GRU(3, 4, proj_size=2)
