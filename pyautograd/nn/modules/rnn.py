"""Recurrent layers: RNNCell, LSTMCell, GRUCell, RNN, LSTM, GRU.

PyTorch's parameter names, shapes, gate orders (LSTM: i, f, g, o; GRU: r, z, n) and default
initialisation (every weight and bias uniform in +-1/sqrt(hidden_size)), so a state_dict moves
between the two libraries. Each step is a composition of fused ops: the input projections of
a whole sequence are one GEMM per layer and direction, each step one GEMM for the recurrent
projection and a few elementwise ops; the outputs are stacked once per layer.
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any

from ... import _core
from ..._core import Tensor
from .. import init
from .._functional import layers as FL
from ..parameter import Parameter
from .linear import _factory
from .module import Module

if TYPE_CHECKING:
    from ..utils.rnn import PackedSequence

__all__ = ["GRU", "LSTM", "RNN", "GRUCell", "LSTMCell", "RNNBase", "RNNCell", "RNNCellBase"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _stack(ts: list[Tensor], dim: int) -> Tensor:
    import pyautograd

    return pyautograd.stack(ts, dim)


def _cat(ts: list[Tensor], dim: int) -> Tensor:
    import pyautograd

    return pyautograd.cat(ts, dim) if len(ts) > 1 else ts[0]


def _rnn_step(mode: str, xg: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None) -> Tensor:
    """One step of a tanh/relu RNN: xg is the input projection (with bias_ih)."""
    pre = xg + FL.linear(h, w_hh, b_hh)
    return pre.tanh() if mode == "RNN_TANH" else pre.relu()


def _lstm_step(
    xg: Tensor,
    h: Tensor,
    c: Tensor,
    w_hh: Tensor,
    b_hh: Tensor | None,
    w_hr: Tensor | None = None,
) -> tuple[Tensor, Tensor]:
    """One LSTM step (gates i, f, g, o): returns (h', c') (h' projected by w_hr when given,
    proj_size)."""
    hs = c.shape[-1]
    gates = xg + FL.linear(h, w_hh, b_hh)
    sig = gates.sigmoid()
    i, f, o = sig[..., :hs], sig[..., hs : 2 * hs], sig[..., 3 * hs :]
    g = gates[..., 2 * hs : 3 * hs].tanh()
    c2 = f * c + i * g
    h2 = o * c2.tanh()
    return (h2 if w_hr is None else FL.linear(h2, w_hr)), c2


def _gru_step(xg: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None) -> Tensor:
    """One GRU step (gates r, z, n): n = tanh(x_n + r * (W_hn h + b_hn)), h' = n + z (h - n)."""
    hs = h.shape[-1]
    hg = FL.linear(h, w_hh, b_hh)
    rz = (xg[..., : 2 * hs] + hg[..., : 2 * hs]).sigmoid()
    r, z = rz[..., :hs], rz[..., hs:]
    n = (xg[..., 2 * hs :] + r * hg[..., 2 * hs :]).tanh()
    return n + z * (h - n)


class RNNCellBase(Module):
    """The shared part of the cells: weight_ih (G*H, I), weight_hh (G*H, H), bias_ih, bias_hh."""

    weight_ih: Parameter
    weight_hh: Parameter
    bias_ih: Parameter | None
    bias_hh: Parameter | None

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool,
        num_chunks: int,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        dt = _factory(dtype, device)
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        g = num_chunks * hidden_size
        self.weight_ih = Parameter(_core.empty(g, input_size, dtype=dt))
        self.weight_hh = Parameter(_core.empty(g, hidden_size, dtype=dt))
        if bias:
            self.bias_ih = Parameter(_core.empty(g, dtype=dt))
            self.bias_hh = Parameter(_core.empty(g, dtype=dt))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias uniform in +-1/sqrt(hidden_size), as PyTorch."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for w in self.parameters():
            init.uniform_(w, -stdv, stdv)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        nl = getattr(self, "nonlinearity", "tanh")
        if nl != "tanh":
            s += f", nonlinearity={nl}"
        return s

    def _prepare(self, input: Tensor, hx: Tensor | None) -> tuple[Tensor, Tensor, bool]:
        name = type(self).__name__
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(
                f"input has inconsistent input_size: got {input.shape[-1]} expected "
                f"{self.input_size}"
            )
        batched = input.dim() == 2
        if hx is not None and hx.dim() != input.dim():
            raise RuntimeError(
                f"{name}: Expected hidden to be {input.dim()}D (as the input), got {hx.dim()}D "
                "instead"
            )
        x = input if batched else input.unsqueeze(0)
        n = x.shape[0]
        if hx is None:
            h = _core.zeros(n, self.hidden_size, dtype=input.dtype)
        else:
            h = hx if batched else hx.unsqueeze(0)
            if tuple(h.shape) != (n, self.hidden_size):
                raise RuntimeError(
                    f"{name}: Expected hidden size {(n, self.hidden_size)}, got {list(h.shape)}"
                )
        return x, h, batched


class RNNCell(RNNCellBase):
    """h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu)."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity: {nonlinearity}")
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        """The next hidden state (N, H) (or (H,) for an unbatched input)."""
        x, h, batched = self._prepare(input, hx)
        mode = "RNN_TANH" if self.nonlinearity == "tanh" else "RNN_RELU"
        out = _rnn_step(
            mode, FL.linear(x, self.weight_ih, self.bias_ih), h, self.weight_hh, self.bias_hh
        )
        return out if batched else out.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step: gates i, f, g, o; c' = f c + i g, h' = o tanh(c')."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(
        self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None
    ) -> tuple[Tensor, Tensor]:
        """(h', c'), each (N, H) (or (H,) for an unbatched input)."""
        x, h, batched = self._prepare(input, None if hx is None else hx[0])
        if hx is None:
            c = _core.zeros(*h.shape, dtype=input.dtype)
        else:
            c = hx[1] if batched else hx[1].unsqueeze(0)
            if tuple(c.shape) != tuple(h.shape):
                raise RuntimeError(
                    f"LSTMCell: Expected cell state size {tuple(h.shape)}, got {list(c.shape)}"
                )
        h2, c2 = _lstm_step(
            FL.linear(x, self.weight_ih, self.bias_ih), h, c, self.weight_hh, self.bias_hh
        )
        return (h2, c2) if batched else (h2.squeeze(0), c2.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step: gates r, z, n; h' = (1 - z) n + z h."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        """The next hidden state (N, H) (or (H,) for an unbatched input)."""
        x, h, batched = self._prepare(input, hx)
        out = _gru_step(FL.linear(x, self.weight_ih, self.bias_ih), h, self.weight_hh, self.bias_hh)
        return out if batched else out.squeeze(0)


class RNNBase(Module):
    """The multi-layer, optionally bidirectional recurrent layer behind RNN, LSTM and GRU."""

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if (
            not isinstance(dropout, (int, float))
            or isinstance(dropout, bool)
            or not (0 <= dropout <= 1)
        ):
            raise ValueError(
                "dropout should be a number in range [0, 1] representing the probability of an "
                "element being zeroed"
            )
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero "
                "dropout expects num_layers greater than 1, but got dropout="
                f"{dropout} and num_layers={num_layers}",
                stacklevel=3,
            )
        if not isinstance(hidden_size, int) or isinstance(hidden_size, bool):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError(
                "proj_size should be a positive integer or zero to disable projections"
            )
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if proj_size != 0 and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        dt = _factory(dtype, device)
        gate = _GATES[mode] * hidden_size
        dirs = 2 if bidirectional else 1
        real = proj_size if proj_size > 0 else hidden_size  # the size of h
        self._flat_weights_names: list[str] = []
        for layer in range(num_layers):
            layer_in = input_size if layer == 0 else real * dirs
            for d in range(dirs):
                sfx = f"_l{layer}" + ("_reverse" if d == 1 else "")
                shapes: list[tuple[str, tuple[int, ...]]] = [
                    ("weight_ih", (gate, layer_in)),
                    ("weight_hh", (gate, real)),
                ]
                if bias:
                    shapes += [("bias_ih", (gate,)), ("bias_hh", (gate,))]
                if proj_size > 0:
                    shapes.append(("weight_hr", (proj_size, hidden_size)))
                for name, shape in shapes:
                    setattr(self, name + sfx, Parameter(_core.empty(*shape, dtype=dt)))
                    self._flat_weights_names.append(name + sfx)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias uniform in +-1/sqrt(hidden_size), as PyTorch."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for w in self.parameters():
            init.uniform_(w, -stdv, stdv)

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """The parameters of each layer and direction, [w_ih, w_hh, (b_ih, b_hh)]."""
        per = (4 if self.bias else 2) + (1 if self.proj_size > 0 else 0)
        names = self._flat_weights_names
        return [[getattr(self, n) for n in names[i : i + per]] for i in range(0, len(names), per)]

    def flatten_parameters(self) -> None:
        """A no-op (PyTorch's cuDNN weight layout); kept so programs that call it run."""

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    def _layer(self, x: Tensor, layer: int, d: int, h: Tensor, c: Tensor | None) -> Any:
        """Runs one layer in one direction over x (T, N, I); returns (outputs (T, N, H), h_n,
        c_n)."""
        sfx = f"_l{layer}" + ("_reverse" if d == 1 else "")
        w_ih, w_hh = getattr(self, "weight_ih" + sfx), getattr(self, "weight_hh" + sfx)
        b_ih = getattr(self, "bias_ih" + sfx) if self.bias else None
        b_hh = getattr(self, "bias_hh" + sfx) if self.bias else None
        w_hr = getattr(self, "weight_hr" + sfx) if self.proj_size > 0 else None
        xp = FL.linear(x, w_ih, b_ih)  # all time steps in one GEMM
        steps = range(x.shape[0] - 1, -1, -1) if d == 1 else range(x.shape[0])
        outs: list[Tensor] = []
        for t in steps:
            if self.mode == "LSTM":
                assert c is not None
                h, c = _lstm_step(xp[t], h, c, w_hh, b_hh, w_hr)
            elif self.mode == "GRU":
                h = _gru_step(xp[t], h, w_hh, b_hh)
            else:
                h = _rnn_step(self.mode, xp[t], h, w_hh, b_hh)
            outs.append(h)
        if d == 1:
            outs.reverse()
        return _stack(outs, 0), h, c

    def _check_hidden(self, h: Tensor, expected: tuple[int, ...], what: str) -> None:
        if tuple(h.shape) != expected:
            raise RuntimeError(f"Expected {what} size {expected}, got {list(h.shape)}")

    def forward(self, input: Tensor | PackedSequence, hx: Any = None) -> tuple[Any, Any]:
        """(output, h_n) ((output, (h_n, c_n)) for LSTM): output (T, N, D*H) (batch_first:
        (N, T, D*H)); h_n (D*num_layers, N, H); unbatched (T, I) inputs drop the N dims. A
        PackedSequence input gives a PackedSequence output."""
        from ..utils.rnn import PackedSequence

        if isinstance(input, PackedSequence):  # each step on the sequences active at it
            from . import _rnn_packed

            return _rnn_packed.forward(self, input, hx)
        name = {"RNN_TANH": "RNN", "RNN_RELU": "RNN"}.get(self.mode, self.mode)
        if input.dim() not in (2, 3):
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(
                "input.size(-1) must be equal to input_size. Expected "
                f"{self.input_size}, got {input.shape[-1]}"
            )
        batched = input.dim() == 3
        x = input if batched else input.unsqueeze(1)
        if batched and self.batch_first:
            x = x.transpose(0, 1)
        n = x.shape[1]
        dirs = 2 if self.bidirectional else 1
        lstm = self.mode == "LSTM"
        h0: Tensor | None
        c0: Tensor | None = None
        if hx is None:
            h0 = None
        else:
            h0, c0 = (hx[0], hx[1]) if lstm else (hx, None)
            if not batched:
                dims = [h0.dim()] + ([c0.dim()] if c0 is not None else [])
                if any(dd != 2 for dd in dims):
                    if lstm:
                        raise RuntimeError(
                            "For unbatched 2-D input, hx and cx should also be 2-D but got "
                            f"({dims[0]}-D, {dims[1]}-D) tensors"
                        )
                    raise RuntimeError(
                        f"For unbatched 2-D input, hx should also be 2-D but got {dims[0]}-D tensor"
                    )
                h0 = h0.unsqueeze(1)
                c0 = c0.unsqueeze(1) if c0 is not None else None
            elif any(t.dim() != 3 for t in ([h0] + ([c0] if c0 is not None else []))):
                raise RuntimeError(
                    f"For batched 3-D input, hx{' and cx' if lstm else ''} should also be 3-D"
                )
            real = self.proj_size if self.proj_size > 0 else self.hidden_size
            expected = (self.num_layers * dirs, n, real)
            self._check_hidden(h0, expected, "hidden[0]" if lstm else "hidden")
            if c0 is not None:
                self._check_hidden(c0, (*expected[:2], self.hidden_size), "hidden[1]")
        zeros = czeros = None
        if h0 is None:
            zeros = _core.zeros(n, self.proj_size or self.hidden_size, dtype=x.dtype)
        if c0 is None:
            czeros = _core.zeros(n, self.hidden_size, dtype=x.dtype)
        layer_in = x
        h_n: list[Tensor] = []
        c_n: list[Tensor] = []
        for layer in range(self.num_layers):
            outs = []
            for d in range(dirs):
                k = layer * dirs + d
                h = zeros if h0 is None else h0[k]
                c = (czeros if c0 is None else c0[k]) if lstm else None
                assert h is not None
                out, hk, ck = self._layer(layer_in, layer, d, h, c)
                outs.append(out)
                h_n.append(hk)
                if lstm:
                    c_n.append(ck)
            layer_in = _cat(outs, 2)
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                layer_in = FL.dropout(layer_in, self.dropout, True)
        output = layer_in
        if lstm and dirs == 1 and output.dtype == _core.float32 and output.numel():
            # PyTorch runs a float32 LSTM through oneDNN on the CPU: its output's node
            _core._show_grad_fn_as(output, "MkldnnRnnLayerBackward0")
        hn = _stack(h_n, 0)
        cn = _stack(c_n, 0) if lstm else None
        if not batched:
            output = output.squeeze(1)
            hn = hn.squeeze(1)
            cn = cn.squeeze(1) if cn is not None else None
        elif self.batch_first:
            output = output.transpose(0, 1)
            if not lstm:  # PyTorch's GRU and RNN transpose in place (TransposeBackward1)
                _core._show_grad_fn_as(output, "TransposeBackward1")
        return (output, (hn, cn)) if lstm else (output, hn)


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if len(args) > 3:
            nonlinearity = args[3]
            args = args[:3] + args[4:]
        if nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(
                f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'."
            )
        self.nonlinearity = nonlinearity
        super().__init__(mode, *args, **kwargs)


class LSTM(RNNBase):
    """Long short-term memory: gates i, f, g, o; returns (output, (h_n, c_n))."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__("LSTM", *args, **kwargs)


class GRU(RNNBase):
    """Gated recurrent unit: gates r, z, n; returns (output, h_n)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__("GRU", *args, **kwargs)
