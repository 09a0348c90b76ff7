"""nn.init.trunc_normal_, orthogonal_ and dirac_ against PyTorch's (distributions and
properties; test_random_torch.py compares the values themselves)."""

import numpy as np
import pytest

import pyautograd as pa
from pyautograd.nn import init

torch = pytest.importorskip("torch")


@pytest.mark.parametrize(
    ("mean", "std", "a", "b"), [(0, 1, -2, 2), (1, 0.5, 0.5, 3), (0, 2, -1, 0.5)]
)
def test_trunc_normal_matches_torchs_distribution(mean, std, a, b):
    pa.manual_seed(0)
    torch.manual_seed(0)
    ours = init.trunc_normal_(pa.empty(200_000, dtype=pa.float64), mean, std, a, b).numpy()
    ref = torch.nn.init.trunc_normal_(
        torch.empty(200_000, dtype=torch.float64), mean, std, a, b
    ).numpy()
    assert ours.min() >= a and ours.max() <= b
    assert abs(ours.mean() - ref.mean()) < 0.02 * std
    assert abs(ours.std() - ref.std()) < 0.02 * std
    qs = [0.1, 0.5, 0.9]
    np.testing.assert_allclose(np.quantile(ours, qs), np.quantile(ref, qs), atol=0.03 * std)


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 4), (6, 2, 3)])
@pytest.mark.parametrize("gain", [1.0, 2.5])
def test_orthogonal(shape, gain):
    w = (
        init.orthogonal_(pa.empty(*shape), gain=gain)
        .numpy()
        .reshape(shape[0], -1)
        .astype(np.float64)
    )
    t = torch.nn.init.orthogonal_(torch.empty(*shape), gain=gain).numpy().reshape(shape[0], -1)
    rows, cols = w.shape
    gram = w @ w.T if rows <= cols else w.T @ w
    ref_gram = t @ t.T if rows <= cols else t.T @ t
    np.testing.assert_allclose(gram, gain**2 * np.eye(min(rows, cols)), atol=1e-5 * gain**2)
    np.testing.assert_allclose(ref_gram, gram, atol=1e-5 * gain**2)


def test_orthogonal_needs_two_dims():
    with pytest.raises(ValueError):
        torch.nn.init.orthogonal_(torch.empty(3))
    with pytest.raises(ValueError):
        init.orthogonal_(pa.empty(3))


@pytest.mark.parametrize(
    ("shape", "groups"),
    [((4, 3, 3), 1), ((4, 2, 3, 3), 2), ((3, 5, 2, 2, 2), 1), ((6, 2, 1, 3), 3)],
)
def test_dirac_matches_torch(shape, groups):
    ours = init.dirac_(pa.empty(*shape), groups).numpy()
    ref = torch.nn.init.dirac_(torch.empty(*shape), groups).numpy()
    np.testing.assert_array_equal(ours, ref)
    with pytest.raises(ValueError):
        init.dirac_(pa.empty(4, 4))
