"""Lazy convolutions, transposed convolutions, batch and instance norms: the first input gives
their channels; after manual_seed they draw PyTorch's weights and compute PyTorch's outputs."""

from __future__ import annotations

import numpy as np
import pytest

import pyautograd as pa

torch = pytest.importorskip("torch")


def build(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.LazyConv2d(4, 3, padding=1),
        nn.LazyBatchNorm2d(),
        nn.ReLU(),
        nn.LazyConvTranspose2d(2, 2, stride=2, bias=False),
        nn.LazyInstanceNorm2d(affine=True),
        nn.Flatten(),
        nn.LazyLinear(3),
        nn.LazyBatchNorm1d(momentum=0.5),
    )


def test_lazy_network_matches_torch():
    nets = []
    for lib in (pa, torch):
        lib.manual_seed(0)
        net = build(lib)
        assert repr(net[0]).startswith("LazyConv2d(0, 4, kernel_size=(3, 3)")
        x = lib.tensor(np.linspace(-1, 1, 2 * 3 * 5 * 5, dtype=np.float32).reshape(2, 3, 5, 5))
        y = net(x)
        y.square().sum().backward()
        nets.append((net, y))
    (ours, y), (theirs, ty) = nets
    assert [type(m).__name__ for m in ours] == [type(m).__name__ for m in theirs]
    assert repr(ours) == repr(theirs)
    sd, tsd = ours.state_dict(), theirs.state_dict()
    assert list(sd) == list(tsd)
    for k in sd:
        np.testing.assert_allclose(sd[k].numpy(), tsd[k].numpy(), rtol=1e-5, atol=1e-6, err_msg=k)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), atol=1e-5)
    for p, tp in zip(ours.parameters(), theirs.parameters(), strict=True):
        # float32 through two batch norms of 2 samples: the gradients' rounding is amplified
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-4, atol=5e-5)


@pytest.mark.parametrize(
    "name,args,shape",
    [
        ("LazyConv1d", (5, 3), (2, 4, 9)),
        ("LazyConv1d", (5, 3), (4, 9)),  # unbatched: channels are dim 0
        ("LazyConv3d", (2, 2), (1, 3, 4, 4, 4)),
        ("LazyConvTranspose1d", (6, 3), (2, 4, 7)),
        ("LazyConvTranspose3d", (2, 2), (1, 3, 3, 3, 3)),
        ("LazyBatchNorm3d", (), (2, 3, 2, 2, 2)),
        ("LazyInstanceNorm1d", (), (2, 3, 8)),
    ],
)
def test_each_lazy_module_materializes_as_torch(name, args, shape):
    outs = []
    for lib in (pa, torch):
        lib.manual_seed(1)
        m = getattr(lib.nn, name)(*args)
        assert m.has_uninitialized_params()
        x = lib.tensor(np.cos(np.arange(np.prod(shape))).astype(np.float32).reshape(shape))
        outs.append((m, m(x)))
    (m, y), (tm, ty) = outs
    assert type(m).__name__ == type(tm).__name__
    for (k, v), (tk, tv) in zip(m.state_dict().items(), tm.state_dict().items(), strict=True):
        assert k == tk and tuple(v.shape) == tuple(tv.shape)
        np.testing.assert_allclose(v.numpy(), tv.numpy(), rtol=1e-5, atol=1e-6, err_msg=k)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-4, atol=1e-5)
