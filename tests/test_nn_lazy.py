"""LazyLinear against PyTorch: repr and state before the first input, in_features inferred,
the module becoming a Linear with PyTorch's initialisation bounds, and training after."""

import numpy as np
from nn_helpers import assert_close, copy_params, torch_or_skip

import pyautograd as pa
from pyautograd import nn

rng = np.random.default_rng(0)


def test_lazy_linear_matches_torch():
    torch = torch_or_skip()
    for bias in (True, False):
        pm, tm = nn.LazyLinear(3, bias=bias), torch.nn.LazyLinear(3, bias=bias)
        assert repr(pm) == repr(tm)
        assert list(pm.state_dict()) == list(tm.state_dict())
        assert type(pm.weight).__name__ == "UninitializedParameter"
        assert pm.has_uninitialized_params()
        x = rng.standard_normal((2, 5))
        pm(pa.tensor(x, dtype=pa.float32))
        tm(torch.tensor(x, dtype=torch.float32))
        assert type(pm) is nn.Linear and type(tm) is torch.nn.Linear
        assert type(pm.weight) is nn.Parameter
        assert repr(pm) == repr(tm)
        assert float(pm.weight.abs().max()) <= 1 / np.sqrt(5) + 1e-6
        assert not pm._forward_pre_hooks
        copy_params(pm, tm)
        po, to = pm(pa.tensor(x, dtype=pa.float32)), tm(torch.tensor(x, dtype=torch.float32))
        po.sum().backward()
        to.sum().backward()
        assert_close(po, to, rtol=1e-5)
        assert_close(pm.weight.grad, tm.weight.grad, rtol=1e-5)


def test_lazy_linear_in_a_sequential_with_an_optimizer_after_the_first_batch():
    model = nn.Sequential(nn.LazyLinear(4), nn.ReLU(), nn.LazyLinear(1))
    x = pa.randn(8, 6)
    model(x)
    opt = pa.optim.SGD(model.parameters(), lr=0.1)
    losses = []
    for _ in range(5):
        opt.zero_grad()
        loss = (model(x) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]
    assert [tuple(p.shape) for p in model.parameters()] == [(4, 6), (4,), (1, 4), (1,)]
