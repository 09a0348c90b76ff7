"""Complex tensors and torch.fft (pyautograd/_complex.py): values and gradients against PyTorch
and finite differences; the rotary embedding of LLaMA's reference model; errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import pyautograd as pa
from pyautograd.autograd import gradcheck

torch = pytest.importorskip("torch")


def to_pa(t: torch.Tensor, requires_grad: bool = False) -> pa.Tensor:
    out = pa.tensor(t.detach().numpy().copy())
    return out.requires_grad_(requires_grad) if requires_grad else out


def close(ours: object, theirs: torch.Tensor, rtol: float = 2e-5, atol: float = 2e-5) -> None:
    a = ours.detach().numpy() if hasattr(ours, "detach") else np.asarray(ours)
    b = theirs.detach().numpy()
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def real_view(z: object) -> object:
    return pa.view_as_real(z) if isinstance(z, pa._complex.ComplexTensor) else z


def torch_real(z: torch.Tensor) -> torch.Tensor:
    return torch.view_as_real(z) if z.is_complex() else z


# ---- the rotary embedding of LLaMA's reference model (facebookresearch/llama, model.py) ----


def llama_rope(lib, xq, xk, dim: int, end: int, theta: float = 10000.0):
    freqs = 1.0 / (theta ** (lib.arange(0, dim, 2)[: (dim // 2)].float() / dim))
    t = lib.arange(end, device=freqs.device)
    freqs = lib.outer(t, freqs).float()
    freqs_cis = lib.polar(lib.ones_like(freqs), freqs)  # complex64
    freqs_cis = freqs_cis[0 : xq.shape[1]]
    xq_ = lib.view_as_complex(xq.float().reshape(*xq.shape[:-1], -1, 2))
    xk_ = lib.view_as_complex(xk.float().reshape(*xk.shape[:-1], -1, 2))
    ndim = xq_.ndim
    shape = [d if i == 1 or i == ndim - 1 else 1 for i, d in enumerate(xq_.shape)]
    freqs_cis = freqs_cis.view(*shape)
    xq_out = lib.view_as_real(xq_ * freqs_cis).flatten(3)
    xk_out = lib.view_as_real(xk_ * freqs_cis).flatten(3)
    return xq_out.type_as(xq), xk_out.type_as(xk), freqs_cis


def test_llama_rotary_embedding_values_and_gradients():
    g = torch.Generator().manual_seed(0)
    tq = torch.randn(2, 5, 3, 8, generator=g, requires_grad=True)
    tk = torch.randn(2, 5, 3, 8, generator=g, requires_grad=True)
    w = torch.randn(2, 5, 3, 8, generator=g)
    q, k = to_pa(tq, True), to_pa(tk, True)
    oq, ok, fc = llama_rope(pa, q, k, 8, 16)
    toq, tok, tfc = llama_rope(torch, tq, tk, 8, 16)
    assert fc.dtype == pa.complex64 and tuple(fc.shape) == tuple(tfc.shape)
    close(oq, toq)
    close(ok, tok)
    ((oq * to_pa(w)).sum() + ok.square().sum()).backward()
    ((toq * w).sum() + tok.square().sum()).backward()
    close(q.grad, tq.grad)
    close(k.grad, tk.grad)


def test_view_as_complex_shares_storage_and_checks_layout():
    x = pa.zeros(3, 2)
    z = pa.view_as_complex(x)
    x[1, 1] = 5.0
    assert z[1].item() == 5j
    pa.view_as_real(z)[0, 0] = 2.0
    assert x[0, 0].item() == 2.0
    with pytest.raises(RuntimeError, match="last dimension of size 2"):
        pa.view_as_complex(pa.zeros(3, 3))
    with pytest.raises(RuntimeError, match="stride 1"):
        pa.view_as_complex(pa.zeros(2, 3).t())
    with pytest.raises(RuntimeError, match="float and double"):
        pa.view_as_complex(pa.zeros(3, 2, dtype=pa.int64))
    with pytest.raises(RuntimeError, match="complex"):
        pa.view_as_real(pa.zeros(3, 2))


# ---- elementwise arithmetic and functions, gradients against PyTorch ----

BINARY = [
    ("mul", lambda a, b: a * b),
    ("div", lambda a, b: a / b),
    ("add", lambda a, b: a + b),
    ("sub", lambda a, b: a - b),
]


@pytest.mark.parametrize("name,f", BINARY)
@pytest.mark.parametrize("other", ["complex", "real", "py_complex", "py_float", "real_first"])
def test_binary_ops_values_and_gradients(name, f, other):
    g = torch.Generator().manual_seed(1)
    tr = torch.randn(4, 3, 2, generator=g, dtype=torch.float64, requires_grad=True)
    ur = torch.randn(3, 2, generator=g, dtype=torch.float64, requires_grad=True)
    ureal = torch.randn(4, 3, generator=g, dtype=torch.float64, requires_grad=True)
    r, u, real = to_pa(tr, True), to_pa(ur, True), to_pa(ureal, True)
    a, ta = pa.view_as_complex(r), torch.view_as_complex(tr)
    if other == "complex":
        out, tout = f(a, pa.view_as_complex(u)), f(ta, torch.view_as_complex(ur))
    elif other == "real":
        out, tout = f(a, real), f(ta, ureal)
    elif other == "real_first":
        out, tout = f(real, a), f(ureal, ta)
    elif other == "py_complex":
        out, tout = f(a, 0.5 - 2j), f(ta, 0.5 - 2j)
    else:
        out, tout = f(a, 1.5), f(ta, 1.5)
    assert out.dtype == pa.complex128 and tuple(out.shape) == tuple(tout.shape)
    close(pa.view_as_real(out), torch.view_as_real(tout), 1e-10, 1e-10)
    w = torch.randn(*tout.shape, 2, generator=g, dtype=torch.float64)
    (pa.view_as_real(out) * to_pa(w)).sum().backward()
    (torch.view_as_real(tout) * w).sum().backward()
    close(r.grad, tr.grad, 1e-10, 1e-10)
    if u.grad is not None or ur.grad is not None:
        close(u.grad, ur.grad, 1e-10, 1e-10)
    if real.grad is not None or ureal.grad is not None:
        close(real.grad, ureal.grad, 1e-10, 1e-10)


UNARY = [
    ("abs", lambda z: z.abs()),
    ("angle", lambda z: z.angle()),
    ("conj", lambda z: z.conj().resolve_conj()),
    ("exp", lambda z: z.exp()),
    ("log", lambda z: z.log()),
    ("sqrt", lambda z: z.sqrt()),
    ("pow3", lambda z: z**3),
    ("sum", lambda z: z.sum(0)),
    ("mean", lambda z: z.mean((0, 1), keepdim=True)),
    ("real", lambda z: z.real),
    ("imag", lambda z: z.imag),
    ("reciprocal", lambda z: 1 / z),
    ("index", lambda z: z[1:, ::2].t()),
    ("reshape", lambda z: z.reshape(-1).unsqueeze(0).flatten()),
    ("cat", lambda z: (torch if isinstance(z, torch.Tensor) else pa).cat([z, z.conj()], 1)),
    ("stack", lambda z: (torch if isinstance(z, torch.Tensor) else pa).stack([z, z * 2], -1)),
]


@pytest.mark.parametrize("name,f", UNARY)
def test_unary_functions_values_and_gradients(name, f):
    g = torch.Generator().manual_seed(2)
    tr = torch.randn(3, 4, 2, generator=g, dtype=torch.float64, requires_grad=True)
    r = to_pa(tr, True)
    out, tout = f(pa.view_as_complex(r)), f(torch.view_as_complex(tr))
    close(real_view(out), torch_real(tout), 1e-10, 1e-10)
    tv = torch_real(tout)
    w = torch.randn(*tv.shape, generator=g, dtype=torch.float64)
    (real_view(out) * to_pa(w)).sum().backward()
    (tv * w).sum().backward()
    close(r.grad, tr.grad, 1e-9, 1e-9)


def test_matmul_and_einsum_fno_spectral_product():
    g = torch.Generator().manual_seed(3)
    tx = torch.randn(2, 3, 4, 5, 2, generator=g, dtype=torch.float64, requires_grad=True)
    tw = torch.randn(3, 6, 4, 5, 2, generator=g, dtype=torch.float64, requires_grad=True)
    x, w = to_pa(tx, True), to_pa(tw, True)
    out = pa.einsum("bixy,ioxy->boxy", pa.view_as_complex(x), pa.view_as_complex(w))
    tout = torch.einsum("bixy,ioxy->boxy", torch.view_as_complex(tx), torch.view_as_complex(tw))
    close(pa.view_as_real(out), torch.view_as_real(tout), 1e-10, 1e-10)
    pa.view_as_real(out).square().sum().backward()
    torch.view_as_real(tout).square().sum().backward()
    close(x.grad, tx.grad, 1e-9, 1e-9)
    close(w.grad, tw.grad, 1e-9, 1e-9)
    ta, tb = torch.randn(3, 4, 2, dtype=torch.float64), torch.randn(4, 2, 2, dtype=torch.float64)
    a, b = pa.view_as_complex(to_pa(ta)), pa.view_as_complex(to_pa(tb))
    tca, tcb = torch.view_as_complex(ta), torch.view_as_complex(tb)
    close(pa.view_as_real(a @ b), torch.view_as_real(tca @ tcb), 1e-10, 1e-10)
    real = torch.randn(5, 3, dtype=torch.float64)
    close(pa.view_as_real(to_pa(real) @ a), torch.view_as_real(real.to(tca.dtype) @ tca), 1e-10)


# ---- torch.fft ----

FFTS = [
    ("fft", {}, True),
    ("fft", {"n": 6, "norm": "ortho"}, True),
    ("fft", {"n": 3, "dim": 0}, True),
    ("ifft", {"norm": "forward"}, True),
    ("rfft", {}, False),
    ("rfft", {"n": 7, "dim": 0, "norm": "ortho"}, False),
    ("irfft", {}, True),
    ("irfft", {"n": 9}, True),
    ("irfft", {"n": 4, "norm": "forward"}, True),
    ("fft2", {}, True),
    ("ifft2", {"s": (3, 4)}, True),
    ("rfft2", {}, False),
    ("irfft2", {}, True),
    ("irfft2", {"s": (5, 7), "norm": "ortho"}, True),
    ("fftn", {"dim": (0, 2)}, True),
    ("rfftn", {}, False),
    ("irfftn", {"dim": (1, 2)}, True),
]


@pytest.mark.parametrize("name,kw,complex_in", FFTS)
def test_fft_values_and_gradients_against_torch(name, kw, complex_in):
    g = torch.Generator().manual_seed(4)
    shape = (4, 5, 6, 2) if complex_in else (4, 5, 6)
    tr = torch.randn(*shape, generator=g, dtype=torch.float64, requires_grad=True)
    r = to_pa(tr, True)
    x, tx = (pa.view_as_complex(r), torch.view_as_complex(tr)) if complex_in else (r, tr)
    out = getattr(pa.fft, name)(x, **kw)
    tout = getattr(torch.fft, name)(tx, **kw)
    close(real_view(out), torch_real(tout), 1e-9, 1e-9)
    tv = torch_real(tout)
    w = torch.randn(*tv.shape, generator=g, dtype=torch.float64)
    (real_view(out) * to_pa(w)).sum().backward()
    (tv * w).sum().backward()
    close(r.grad, tr.grad, 1e-9, 1e-9)


def test_fft_float32_and_finite_differences():
    x = pa.randn(8, dtype=pa.float64, requires_grad=True)
    assert gradcheck(lambda v: pa.view_as_real(pa.fft.rfft(v, norm="ortho")), (x,))
    z = pa.randn(6, 2, dtype=pa.float64, requires_grad=True)
    assert gradcheck(lambda v: pa.fft.irfft(pa.view_as_complex(v), n=10), (z,))
    t = torch.randn(16)
    close(pa.view_as_real(pa.fft.rfft(to_pa(t))), torch.view_as_real(torch.fft.rfft(t)), 1e-5, 1e-4)
    assert pa.fft.rfft(pa.ones(4)).dtype == pa.complex64
    close(pa.fft.fftfreq(7, 0.5), torch.fft.fftfreq(7, 0.5))
    close(pa.fft.rfftfreq(8), torch.fft.rfftfreq(8))
    a = torch.arange(10.0).reshape(2, 5)
    close(pa.fft.fftshift(to_pa(a)), torch.fft.fftshift(a))
    close(pa.fft.ifftshift(to_pa(a), dim=1), torch.fft.ifftshift(a, dim=1))


def test_fourier_layer_trains_like_torch():
    """A 1-D Fourier layer (FNO): rfft, a complex product with weights kept as real parameters
    viewed as complex, irfft; SGD steps agree with PyTorch's."""
    g = torch.Generator().manual_seed(5)
    tw = torch.randn(3, 3, 4, 2, generator=g) * 0.3
    tx = torch.randn(2, 3, 16, generator=g)
    ty = torch.randn(2, 3, 16, generator=g)

    def run(lib, w0, x, y):
        w = lib.nn.Parameter(w0.clone())
        opt = lib.optim.SGD([w], lr=0.1)
        losses = []
        for _ in range(5):
            xf = lib.fft.rfft(x)
            out_ft = lib.zeros(2, 3, 16 // 2 + 1, dtype=lib.cfloat)
            out_ft[:, :, :4] = lib.einsum("bix,iox->box", xf[:, :, :4], lib.view_as_complex(w))
            out = lib.fft.irfft(out_ft, n=16)
            loss = ((out - y) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return losses, w

    ours, w = run(pa, to_pa(tw), to_pa(tx), to_pa(ty))
    theirs, tw_final = run(torch, tw, tx, ty)
    np.testing.assert_allclose(ours, theirs, rtol=1e-4)
    close(w, tw_final, 1e-4, 1e-5)


# ---- creation, conversion, printing, modules, errors ----


def test_creation_and_conversion():
    z = pa.tensor([1 + 2j, 3 - 1j])
    assert z.dtype == pa.complex64 and z.tolist() == [1 + 2j, 3 - 1j]
    assert pa.tensor(np.array([1j], dtype=np.complex128)).dtype == pa.complex128
    assert pa.from_numpy(np.array([[1 + 1j]])).dtype == pa.complex128
    assert pa.zeros(2, 3, dtype=pa.cfloat).shape == (2, 3)
    assert pa.ones(2, dtype=pa.cdouble).tolist() == [1 + 0j, 1 + 0j]
    assert pa.zeros_like(z).dtype == pa.complex64
    r = pa.randn(2000, dtype=pa.cfloat)
    assert abs(pa.view_as_real(r).var().item() - 0.5) < 0.05  # each part N(0, 1/2)
    assert pa.is_complex(z) and z.is_complex() and not pa.is_complex(pa.ones(1))
    assert pa.complex(pa.ones(2), pa.zeros(2)).tolist() == [1 + 0j, 1 + 0j]
    assert z.to(pa.complex128).dtype == pa.complex128
    with pytest.warns(UserWarning, match="discards the imaginary part"):
        assert z.float().tolist() == [1.0, 3.0]
    assert (z * 1j)[0].item() == (1 + 2j) * 1j
    assert z.numpy().dtype == np.complex64
    assert pa.ones(2).cdouble().dtype == pa.complex128
    assert pa.ones(2, dtype=pa.int64).cfloat().tolist() == [1 + 0j, 1 + 0j]


@pytest.mark.parametrize(
    "values",
    [[1 + 2j, 3 - 1j], [0.5 + 0.25j, -1.5j], [[1j, 2], [3, 4 + 0.5j]]],
)
def test_repr_matches_torch(values):
    assert repr(pa.tensor(values)) == repr(torch.tensor(values))


def test_rope_buffer_in_a_module():
    class Attn(pa.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.register_buffer(
                "freqs_cis", pa.polar(pa.ones(4, 2), pa.rand(4, 2)), persistent=False
            )

    m = Attn().float().to("cpu")
    assert m.freqs_cis.dtype == pa.complex64
    assert "freqs_cis" not in m.state_dict()


def test_operators_and_unsupported_ops():
    z = pa.view_as_complex(pa.randn(3, 2))
    assert isinstance(pa.ones(3) * z, pa._complex.ComplexTensor)
    assert isinstance(pa.ones(3, 3) @ z, pa._complex.ComplexTensor)
    with pytest.raises(TypeError, match="unsupported operand"):
        pa.ones(3) * object()
    with pytest.raises(AttributeError, match="'sigmoid' is not supported for complex"):
        z.sigmoid()
    with pytest.raises(RuntimeError, match="real scalar outputs"):
        z.sum().backward()
    with pytest.raises(ValueError, match="Invalid normalization mode"):
        pa.fft.fft(z, norm="bogus")
    with pytest.raises(RuntimeError, match="limits to 4096 points"):
        pa.fft.rfft(pa.zeros(5000))


def test_complex_buffer_reassigned_and_device_context():
    """LLaMA 2's reference Transformer (pytorch/examples) registers freqs_cis as a buffer, then
    reassigns it inside ``with torch.device(self.freqs_cis.device):``."""

    class Model(pa.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.register_buffer("freqs_cis", pa.polar(pa.ones(2), pa.zeros(2)), persistent=True)
            with pa.device(self.freqs_cis.device):
                self.freqs_cis = pa.polar(pa.ones(3), pa.ones(3))

    m = Model()
    assert tuple(m.freqs_cis.shape) == (3,) and "freqs_cis" in dict(m.named_buffers())
    assert pa.device(pa.device("cpu")) == pa.device("cpu")
    with pytest.raises(TypeError, match="as buffer"):
        m.freqs_cis = 3


class _SpectralConv1d:
    """The Fourier layer of the Fourier Neural Operator (neuraloperator's fourier_1d.py):
    complex weights as an nn.Parameter of a cfloat tensor."""

    @staticmethod
    def build(lib, w_init):
        class SpectralConv1d(lib.nn.Module):
            def __init__(self, in_channels, out_channels, modes1):
                super().__init__()
                self.in_channels, self.out_channels, self.modes1 = in_channels, out_channels, modes1
                self.scale = 1 / (in_channels * out_channels)
                self.weights1 = lib.nn.Parameter(
                    self.scale * lib.rand(in_channels, out_channels, self.modes1, dtype=lib.cfloat)
                )

            def compl_mul1d(self, input, weights):
                return lib.einsum("bix,iox->box", input, weights)

            def forward(self, x):
                batchsize = x.shape[0]
                x_ft = lib.fft.rfft(x)
                out_ft = lib.zeros(
                    batchsize, self.out_channels, x.size(-1) // 2 + 1, dtype=lib.cfloat
                )
                out_ft[:, :, : self.modes1] = self.compl_mul1d(
                    x_ft[:, :, : self.modes1], self.weights1
                )
                return lib.fft.irfft(out_ft, n=x.size(-1))

        class Net(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.fc0 = lib.nn.Linear(2, 4)
                self.conv = SpectralConv1d(4, 4, 5)
                self.fc1 = lib.nn.Linear(4, 1)

            def forward(self, x):
                x = self.fc0(x).permute(0, 2, 1)
                x = lib.nn.functional.gelu(self.conv(x))
                return self.fc1(x.permute(0, 2, 1))

        lib.manual_seed(0)
        net = Net()
        with lib.no_grad():
            lib.view_as_real(net.conv.weights1).copy_(w_init)
        return net


def test_fno_complex_parameter_trains_like_torch():
    g = torch.Generator().manual_seed(6)
    w0 = torch.rand(4, 4, 5, 2, generator=g) / 16
    x = torch.randn(3, 16, 2, generator=g)
    y = torch.randn(3, 16, 1, generator=g)
    results = []
    for lib, conv in ((pa, to_pa), (torch, lambda t: t)):
        net = _SpectralConv1d.build(lib, conv(w0))
        assert sum(p.numel() for p in net.parameters()) == 12 + 80 + 5
        opt = lib.optim.Adam(net.parameters(), lr=1e-2)
        losses = []
        for _ in range(5):
            loss = ((net(conv(x)) - conv(y)) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        results.append((losses, lib.view_as_real(net.conv.weights1.detach())))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-4)
    close(results[0][1], results[1][1], 1e-4, 1e-5)
    p = pa.nn.Parameter(pa.zeros(2, dtype=pa.cfloat))
    assert repr(p) == repr(torch.nn.Parameter(torch.zeros(2, dtype=torch.cfloat)))


def test_python_complex_scalars_and_joins():
    g = torch.Generator().manual_seed(7)
    tt = torch.randn(5, generator=g, dtype=torch.float64, requires_grad=True)
    t = to_pa(tt, True)
    out = pa.exp(1j * t) * 2 + t * (0.5 - 1j) - 3j
    tout = torch.exp(1j * tt) * 2 + tt * (0.5 - 1j) - 3j
    close(pa.view_as_real(out), torch.view_as_real(tout), 1e-12, 1e-12)
    pa.view_as_real(out).sum().backward()
    torch.view_as_real(tout).sum().backward()
    close(t.grad, tt.grad, 1e-12, 1e-12)
    z = pa.view_as_complex(pa.randn(3, 2))
    assert tuple(pa.cat([z, z]).shape) == (6,) and tuple(pa.stack([z, z], 1).shape) == (3, 2)
    with pytest.raises(TypeError, match="out= is not supported"):
        pa.cat([z, z], out=pa.zeros(6))
    with pytest.raises(TypeError, match="sequence of Tensors"):
        pa.cat([pa.ones(2), "x"])


@pytest.mark.parametrize(
    "kw",
    [
        {"n_fft": 8},
        {"n_fft": 8, "hop_length": 3, "window": "hann", "normalized": True},
        {"n_fft": 10, "win_length": 6, "window": "hann", "center": False},
        {"n_fft": 6, "hop_length": 2, "pad_mode": "constant"},
    ],
)
@pytest.mark.parametrize("batch", [False, True])
def test_stft_values_and_gradients(kw, batch):
    g = torch.Generator().manual_seed(8)
    tx = torch.randn(*((3, 40) if batch else (40,)), generator=g, dtype=torch.float64)
    tx.requires_grad_(True)
    x = to_pa(tx, True)
    kw = dict(kw)
    if kw.get("window") == "hann":
        n = kw.get("win_length", kw["n_fft"])
        kw_t = {**kw, "window": torch.hann_window(n, dtype=torch.float64)}
        kw_p = {**kw, "window": pa.hann_window(n, dtype=pa.float64)}
    else:
        kw_t = kw_p = kw
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # both warn without a window
        out = x.stft(**kw_p, return_complex=True)
        tout = torch.stft(tx, **kw_t, return_complex=True)
    close(pa.view_as_real(out), torch.view_as_real(tout), 1e-9, 1e-9)
    mag, tmag = out.abs(), tout.abs()
    (mag * to_pa(tmag.detach())).sum().backward()
    (tmag * tmag.detach()).sum().backward()
    close(x.grad, tx.grad, 1e-8, 1e-8)
    with pytest.raises(RuntimeError, match="return_complex"):
        pa.stft(x, 8)


@pytest.mark.parametrize(
    "kw",
    [
        {"n_fft": 8, "hop_length": 2},
        {"n_fft": 10, "hop_length": 3, "win_length": 8, "normalized": True},
        {"n_fft": 8, "hop_length": 4, "center": False},
        {"n_fft": 8, "hop_length": 2, "length": 37},
    ],
)
def test_istft_inverts_stft_as_torch(kw):
    g = torch.Generator().manual_seed(9)
    win = kw.get("win_length", kw["n_fft"])
    tx = torch.randn(2, 40, generator=g, dtype=torch.float64)
    fwd = {k: v for k, v in kw.items() if k != "length"}
    tw = torch.hann_window(win, dtype=torch.float64) + 0.1  # no zeros at the edges
    tspec = torch.stft(tx, **fwd, window=tw, return_complex=True).requires_grad_(True)
    r = to_pa(torch.view_as_real(tspec.detach()), True)
    spec = pa.view_as_complex(r)
    out = pa.istft(spec, **kw, window=to_pa(tw))
    tout = torch.istft(tspec, **kw, window=tw)
    close(out, tout, 1e-9, 1e-9)
    w = torch.randn(*tout.shape, generator=g, dtype=torch.float64)
    (out * to_pa(w)).sum().backward()
    (tout * w).sum().backward()
    close(r.grad, torch.view_as_real(tspec.grad), 1e-9, 1e-9)


def test_compiled_spectral_step_matches_eager():
    """pyautograd.compile captures a step through torch.fft and complex weights: the DFT
    matrices (cached constants) are bound like globals, and replays give eager's losses."""

    def run(compiled):
        pa.manual_seed(0)
        w = pa.nn.Parameter(pa.randn(4, 2))
        x = pa.randn(8)
        opt = pa.optim.SGD([w], lr=0.1)

        def step(x):
            z = pa.fft.rfft(x)[:4] * pa.view_as_complex(w)
            loss = pa.fft.irfft(z, n=6).square().sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss

        fn = pa.compile(step) if compiled else step
        return [float(fn(x)) for _ in range(5)], fn

    eager, _ = run(False)
    replayed, fn = run(True)
    assert replayed == eager
    assert fn.stats()["captures"] == 1


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_linalg_eig_and_eigvals_match_torch(dtype):
    g = torch.Generator().manual_seed(10)
    ta = torch.randn(3, 4, 4, generator=g, dtype=getattr(torch, dtype))
    w, v = pa.linalg.eig(to_pa(ta))
    tw, tv = torch.linalg.eig(ta)
    assert w.dtype == (pa.complex64 if dtype == "float32" else pa.complex128)
    tol = 1e-4 if dtype == "float32" else 1e-10
    close(pa.view_as_real(w), torch.view_as_real(tw), tol, tol)
    close(v.abs(), tv.abs(), tol, tol)  # eigenvectors: unique up to a phase (LAPACK's choice)
    close(pa.view_as_real(pa.linalg.eigvals(to_pa(ta))), torch.view_as_real(tw), tol, tol)
    av = to_pa(ta) @ v  # A V = V diag(w)
    close(pa.view_as_real(av), pa.view_as_real(v * w.unsqueeze(-2)).detach(), tol * 10, tol * 10)
    with pytest.raises(RuntimeError, match="not supported"):
        pa.linalg.eig(to_pa(ta, True))
    assert "torch.return_types.linalg_eig" in repr(pa.linalg.eig(pa.eye(2)))
