"""nn.DataParallel on the CPU: PyTorch's behaviour without GPUs (the module runs as it is)."""

from __future__ import annotations

import numpy as np
import pytest

import pyautograd as pa

torch = pytest.importorskip("torch")


def test_data_parallel_wraps_the_module_as_torch_without_gpus():
    results = []
    for lib in (pa, torch):
        lib.manual_seed(0)
        model = lib.nn.DataParallel(lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.ReLU()))
        opt = lib.optim.SGD(model.parameters(), lr=0.1)
        x = lib.tensor(np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3))
        loss = model(x).square().sum()
        loss.backward()
        opt.step()
        results.append((repr(model), list(model.state_dict()), model.module[0].weight, loss))
    (r, keys, w, loss), (tr, tkeys, tw, tloss) = results
    assert r == tr and keys == tkeys
    np.testing.assert_allclose(w.detach().numpy(), tw.detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(loss.item(), tloss.item(), rtol=1e-6)
    out = pa.nn.parallel.data_parallel(pa.nn.Identity(), pa.ones(2))
    assert out.tolist() == [1.0, 1.0]
    with pytest.raises(RuntimeError, match="CPU only"):
        pa.nn.DataParallel(pa.nn.Linear(2, 2), device_ids=[0])
