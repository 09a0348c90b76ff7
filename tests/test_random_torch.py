"""The random streams against PyTorch's: after manual_seed(s) (or Generator().manual_seed(s)),
every random op, nn.init function and layer's default initialisation gives PyTorch's numbers,
bit for bit, and leaves the generator where PyTorch leaves it (checked by the next draw)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import pyautograd as pa

torch = pytest.importorskip("torch")

SEEDS = [0, 1, 42, 2**40 + 3, 2**64 - 1]
SIZES = [1, 2, 5, 15, 16, 17, 31, 32, 33, 100, 1000]
DTYPES = ["float32", "float64"]


def arr(t: Any) -> np.ndarray:
    if isinstance(t, np.ndarray):
        return t
    return np.asarray(t.detach().numpy() if hasattr(t, "detach") else t.numpy())


def same(ours: Any, theirs: Any) -> None:
    a, b = arr(ours), arr(theirs)
    assert a.dtype == b.dtype and a.shape == b.shape, (a.dtype, b.dtype, a.shape, b.shape)
    assert np.array_equal(a, b), f"first difference at {np.argwhere(a != b)[:3].tolist()}"


def both(program: Callable[[Any], Any], seed: int = 0) -> None:
    """Runs program(lib) after lib.manual_seed(seed) in both libraries; compares every tensor
    it returns, then the next draw of each generator (the generators' positions)."""
    outs = []
    for lib in (pa, torch):
        lib.manual_seed(seed)
        r = program(lib)
        r = list(r) if isinstance(r, (list, tuple)) else [r]
        r.append(lib.rand(3, dtype=lib.float64))
        outs.append(r)
    assert len(outs[0]) == len(outs[1])
    for a, b in zip(*outs, strict=True):
        same(a, b)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dtype", DTYPES)
def test_rand_and_randn_every_size(seed: int, dtype: str) -> None:
    def program(lib: Any) -> list[Any]:
        dt = getattr(lib, dtype)
        out = []
        for n in SIZES:
            out += [lib.rand(n, dtype=dt), lib.randn(n, dtype=dt)]
        return out

    both(program, seed)


@pytest.mark.parametrize("dtype", DTYPES)
def test_consecutive_calls_and_the_cached_normal(dtype: str) -> None:
    # the scalar normal path keeps the second value of its Box-Muller pair in the generator:
    # an odd count leaves one for the next small draw, the vectorised path leaves it alone
    def program(lib: Any) -> list[Any]:
        dt = getattr(lib, dtype)
        return [
            lib.randn(3, dtype=dt),
            lib.randn(40, dtype=dt),
            lib.randn(1, dtype=dt),
            lib.rand(2, 3, dtype=dt),
            lib.randn(5, 7, dtype=dt),
            lib.randn((), dtype=dt),
            lib.randn(2, dtype=dt),
        ]

    both(program)


def test_default_dtype_and_shapes() -> None:
    both(lambda lib: [lib.rand(2, 3), lib.randn((4, 5)), lib.rand([3, 1, 2]), lib.randn(0)])
    pa.set_default_dtype(pa.float64)
    torch.set_default_dtype(torch.float64)
    try:
        both(lambda lib: [lib.rand(2, 3), lib.randn(20)])
    finally:
        pa.set_default_dtype(pa.float32)
        torch.set_default_dtype(torch.float32)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", [3, 16, 37, 200])
def test_normal_and_uniform_in_place(dtype: str, n: int) -> None:
    def program(lib: Any) -> list[Any]:
        dt = getattr(lib, dtype)
        a = lib.empty(n, dtype=dt).normal_(0.5, 2.5)
        b = lib.empty(n, dtype=dt).uniform_(-0.3, 0.7)
        c = lib.empty(n, dtype=dt).normal_()
        d = lib.empty(n, dtype=dt).uniform_()
        e = lib.empty(n, dtype=dt).uniform_(-3, 5)
        return [a, b, c, d, e]

    both(program)


@pytest.mark.parametrize("dtype", DTYPES)
def test_non_contiguous_targets_draw_in_memory_order(dtype: str) -> None:
    # PyTorch visits a non-contiguous tensor in memory order, and its normal_ takes the scalar
    # path there whatever the size
    def program(lib: Any) -> list[Any]:
        dt = getattr(lib, dtype)
        base = lib.zeros(6, 8, dtype=dt)
        base.t().normal_()
        other = lib.zeros(5, 8, dtype=dt)
        other[:, ::2].uniform_(1, 2)
        third = lib.zeros(4, 6, dtype=dt)
        third.t()[1:4].normal_(1.0, 3.0)
        fourth = lib.zeros(3, 4, 5, dtype=dt)
        fourth.permute(2, 0, 1).uniform_()
        return [base, other, third, fourth]

    both(program)


@pytest.mark.parametrize(
    "args",
    [(10, (20,)), (-5, 5, (3, 4)), (0, 2**32 + 5, (9,)), (-(2**40), 2**40, (7,)), (3, 4, (2,))],
)
@pytest.mark.parametrize("dtype", ["int64", "int32", "float32", "float64", "int16", "uint8"])
def test_randint(args: tuple[Any, ...], dtype: str) -> None:
    lo, hi = (0, args[0]) if len(args) == 2 else args[:2]
    info = np.iinfo(dtype) if "int" in dtype else None
    if info is not None and (lo < info.min or hi - 1 > info.max):
        pytest.skip("out of the dtype's range")
    if dtype == "float32" and hi > 2**24:
        pytest.skip("out of float32's exact range")
    both(lambda lib: lib.randint(*args, dtype=getattr(lib, dtype)))


def test_randint_keyword_forms() -> None:
    both(
        lambda lib: [
            lib.randint(high=5, size=(32,)),
            lib.randint(2, 9, size=(4,)),
            lib.randint(low=-3, high=3, size=(2, 2)),
        ]
    )


@pytest.mark.parametrize("n", [0, 1, 2, 3, 10, 1000])
def test_randperm(n: int) -> None:
    both(lambda lib: [lib.randperm(n), lib.randperm(n, dtype=lib.float32)])


@pytest.mark.parametrize(
    "dtype", ["float32", "float64", "int64", "int32", "int16", "int8", "uint8", "bool"]
)
def test_random_(dtype: str) -> None:
    def program(lib: Any) -> list[Any]:
        dt = getattr(lib, dtype)
        out = [lib.empty(40, dtype=dt).random_()]
        if dtype != "bool":
            out += [lib.empty(40, dtype=dt).random_(100), lib.empty(40, dtype=dt).random_(3, 50)]
            out.append(lib.empty(10, dtype=dt).random_(5, None))
        else:
            out.append(lib.empty(9, dtype=dt).random_(0, 2))
        return out

    both(program)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool"])
def test_bernoulli(dtype: str) -> None:
    def program(lib: Any) -> list[Any]:
        dt = getattr(lib, dtype)
        p32 = lib.rand(5, 7)
        p64 = lib.rand(5, 7, dtype=lib.float64)
        return [
            lib.empty(6, 5, dtype=dt).bernoulli_(0.3),
            lib.empty(5, 7, dtype=dt).bernoulli_(p32),
            lib.empty(5, 7, dtype=dt).bernoulli_(p64),
            lib.bernoulli(p32),
            lib.bernoulli(p64),
            lib.bernoulli(p32.t()),
            lib.bernoulli(p32, 0.8),
        ]

    both(program)


def test_dropout_layers_and_functions() -> None:
    def program(lib: Any) -> list[Any]:
        x = lib.randn(8, 20)
        f = lib.nn.functional
        img = lib.randn(2, 3, 4, 4)
        return [
            f.dropout(x, 0.3),
            f.dropout(x, 0.5, training=True),
            lib.nn.Dropout(0.2)(x),
            lib.nn.Dropout2d(0.5)(img),
            f.dropout(x, 0.3, training=False),
        ]

    both(program)


@pytest.mark.parametrize("dtype", DTYPES)
def test_dropout_family_draws(dtype: str) -> None:
    def program(lib: Any) -> list[Any]:
        dt = getattr(lib, dtype)
        f = lib.nn.functional
        x = lib.randn(6, 7, dtype=dt)
        vol = lib.randn(2, 3, 2, 2, 2, dtype=dt)
        out = [
            f.alpha_dropout(x, 0.3, training=True),
            lib.nn.AlphaDropout(0.5)(x),
            f.feature_alpha_dropout(vol, 0.4, training=True),
            lib.nn.FeatureAlphaDropout(0.5)(x),
            lib.nn.Dropout3d(0.5)(vol),
            lib.nn.Dropout3d(0.5)(vol[0]),  # unbatched (C, D, H, W)
            f.dropout3d(x.reshape(2, 3, 7), 0.5),  # another rank: read as unbatched
            f.rrelu(x, training=True),
            lib.nn.RReLU(0.1, 0.3)(x),
            f.rrelu(x, training=False),
            f.gumbel_softmax(x, hard=True, dim=0),
        ]
        y = x.clone()
        f.rrelu_(y, training=True)
        return [*out, y]

    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        both(program)


@pytest.mark.parametrize("dtype", DTYPES)
def test_gumbel_softmax_draws(dtype: str) -> None:
    """The same Gumbel noise: the softmax itself may round differently (PyTorch's vectorized
    exp), so the soft samples agree to rounding and their one-hot argmax exactly."""
    outs = []
    for lib in (pa, torch):
        lib.manual_seed(5)
        x = lib.randn(5, 6, dtype=getattr(lib, dtype))
        outs.append([lib.nn.functional.gumbel_softmax(x, tau=0.7) for _ in range(3)])
        outs[-1].append(lib.rand(2, dtype=lib.float64))  # the stream's position after
    for a, b in zip(*outs, strict=True):
        np.testing.assert_allclose(arr(a), arr(b), rtol=1e-6, atol=1e-7)
        assert np.array_equal(arr(a).argmax(-1), arr(b).argmax(-1))


def test_rrelu_gradient_is_the_drawn_slope() -> None:
    grads = []
    for lib in (pa, torch):
        lib.manual_seed(3)
        x = lib.randn(4, 5, dtype=lib.float64, requires_grad=True)
        lib.nn.functional.rrelu(x, training=True).sum().backward()
        grads.append(x.grad)
    same(grads[0], grads[1])


@pytest.mark.parametrize("fn", ["rand_like", "randn_like"])
def test_like_functions(fn: str) -> None:
    def program(lib: Any) -> list[Any]:
        x = lib.zeros(5, 6)
        y = lib.zeros(6, 5, dtype=lib.float64).t()  # dense, transposed: drawn in its order
        f = getattr(lib, fn)
        return [f(x), f(y), f(x, dtype=lib.float64), f(lib.zeros(3)), lib.randint_like(x, 7)]

    both(program)


def test_generator_objects() -> None:
    def program(lib: Any) -> list[Any]:
        g = lib.Generator().manual_seed(123)
        h = lib.Generator()
        out = [
            lib.rand(5, generator=g),
            lib.randn(20, generator=g),
            lib.randn(3, generator=h),
            lib.randint(0, 10, (5,), generator=g),
            lib.randperm(7, generator=g),
            lib.empty(4).normal_(generator=g),
            lib.empty(4).uniform_(generator=h),
            lib.empty(4).bernoulli_(0.5, generator=g),
            lib.bernoulli(lib.full((4,), 0.5), generator=g),
            lib.empty(4, dtype=lib.int64).random_(generator=g),
            lib.randn(3),  # the global generator is untouched by the others
        ]
        assert g.initial_seed() == 123 and h.initial_seed() == 67280421310721
        return out

    both(program)


def test_seed_functions_and_state_round_trip() -> None:
    for lib in (pa, torch):
        assert lib.manual_seed(7) is lib.default_generator
        assert lib.initial_seed() == 7
        lib.manual_seed(-1)
        assert lib.initial_seed() == 2**64 - 1
        with pytest.raises(ValueError, match="Overflow"):
            lib.manual_seed(2**64)

    def program(lib: Any) -> list[Any]:
        lib.randn(3)  # leaves a cached normal: part of the state
        state = lib.get_rng_state()
        a = lib.randn(5)
        lib.set_rng_state(state)
        b = lib.randn(5)
        g = lib.Generator().manual_seed(9)
        lib.rand(3, generator=g)
        gs = g.get_state()
        c = lib.rand(4, generator=g)
        g.set_state(gs)
        d = lib.rand(4, generator=g)
        return [state, a, b, gs, c, d]

    both(program, seed=11)


def test_states_move_between_the_libraries() -> None:
    torch.manual_seed(5)
    torch.randn(3)
    pa.set_rng_state(pa.tensor(torch.get_rng_state().tolist(), dtype=pa.uint8))
    same(pa.randn(7), torch.randn(7))
    pa.manual_seed(8)
    pa.randn(1)
    torch.set_rng_state(torch.tensor(pa.get_rng_state().tolist(), dtype=torch.uint8))
    same(pa.randn(9, dtype=pa.float64), torch.randn(9, dtype=torch.float64))


def test_state_errors_match_torch() -> None:
    with pytest.raises(RuntimeError, match="Expected a CPUGeneratorImplState of size 5056"):
        pa.set_rng_state(pa.zeros(10, dtype=pa.uint8))
    with pytest.raises(TypeError, match=r"RNG state must be a torch\.ByteTensor"):
        pa.set_rng_state(pa.zeros(5056))
    with pytest.raises(RuntimeError, match="Invalid mt19937 state"):
        pa.set_rng_state(pa.zeros(5056, dtype=pa.uint8))
    with pytest.raises(TypeError, match="generator"):
        pa.rand(3, generator=1)


def test_fork_rng_restores_the_stream() -> None:
    both(lambda lib: [lib.rand(2), _forked(lib), lib.rand(2)])


def _forked(lib: Any) -> Any:
    with lib.random.fork_rng():
        return lib.randn(4)


LAYERS: dict[str, Callable[[Any], Any]] = {
    "Linear": lambda nn: nn.Linear(7, 5),
    "Linear_nobias": lambda nn: nn.Linear(20, 3, bias=False),
    "Bilinear": lambda nn: nn.Bilinear(3, 4, 5),
    "Conv1d": lambda nn: nn.Conv1d(3, 4, 3),
    "Conv2d": lambda nn: nn.Conv2d(3, 8, 5),
    "ConvTranspose2d": lambda nn: nn.ConvTranspose2d(4, 2, 3),
    "Embedding": lambda nn: nn.Embedding(10, 6),
    "LSTM": lambda nn: nn.LSTM(6, 6),
    "LSTM_2layer_bi": lambda nn: nn.LSTM(4, 5, num_layers=2, bidirectional=True),
    "GRU": lambda nn: nn.GRU(3, 4),
    "RNN": lambda nn: nn.RNN(3, 4),
    "LSTMCell": lambda nn: nn.LSTMCell(3, 4),
    "Sequential": lambda nn: nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10)),
}


@pytest.mark.parametrize("name", list(LAYERS))
def test_default_initialisation_of_layers(name: str) -> None:
    def program(lib: Any) -> list[Any]:
        try:
            m = LAYERS[name](lib.nn)
        except AttributeError:
            pytest.skip(f"{name} missing")
        return [p for _, p in sorted(m.named_parameters())]

    both(program)


INITS: dict[str, Callable[[Any, Any], Any]] = {
    "uniform_": lambda init, w: init.uniform_(w, -0.5, 2.0),
    "normal_": lambda init, w: init.normal_(w, 0.1, 0.7),
    "xavier_uniform_": lambda init, w: init.xavier_uniform_(w, gain=1.5),
    "xavier_normal_": lambda init, w: init.xavier_normal_(w),
    "kaiming_uniform_": lambda init, w: init.kaiming_uniform_(w, nonlinearity="relu"),
    "kaiming_normal_": lambda init, w: init.kaiming_normal_(w, mode="fan_out"),
    "trunc_normal_": lambda init, w: init.trunc_normal_(w, std=0.02),
    "trunc_normal_wide": lambda init, w: init.trunc_normal_(w, 0.5, 2.0, -1.0, 3.0),
}


@pytest.mark.parametrize("name", list(INITS))
@pytest.mark.parametrize("shape", [(3, 4), (16, 9), (8, 3, 3, 3)])
def test_init_functions(name: str, shape: tuple[int, ...]) -> None:
    def program(lib: Any) -> Any:
        w = lib.empty(*shape)
        INITS[name](lib.nn.init, w)
        return w

    both(program)


def test_orthogonal_draws_torch_normals() -> None:
    outs = []
    for lib in (pa, torch):
        lib.manual_seed(3)
        w = lib.empty(6, 10)
        lib.nn.init.orthogonal_(w)
        outs.append((arr(w), arr(lib.rand(2))))
    np.testing.assert_allclose(outs[0][0], outs[1][0], atol=1e-5)
    same(outs[0][1], outs[1][1])


def _loader_program(lib: Any, **kw: Any) -> list[Any]:
    data = lib.arange(23)
    ds = lib.utils.data.TensorDataset(data)
    loader = lib.utils.data.DataLoader(ds, batch_size=5, **kw)
    out = []
    for _ in range(2):
        for (b,) in loader:
            out.append(b)
    return out


@pytest.mark.parametrize(
    "kw",
    [{"shuffle": True}, {"shuffle": False}, {"shuffle": True, "drop_last": True}, {"gen": 5}],
)
def test_dataloader_order_and_stream(kw: dict[str, Any]) -> None:
    def program(lib: Any) -> list[Any]:
        k = dict(kw)
        if "gen" in k:
            k = {"shuffle": True, "generator": lib.Generator().manual_seed(k.pop("gen"))}
        return _loader_program(lib, **k)

    both(program)


def test_samplers_and_random_split() -> None:
    def program(lib: Any) -> list[Any]:
        u = lib.utils.data
        ds = u.TensorDataset(lib.arange(50))
        a, b = u.random_split(ds, [30, 20])
        c, d = u.random_split(ds, [0.6, 0.4], generator=lib.Generator().manual_seed(1))
        rs = list(u.RandomSampler(range(40), replacement=True, num_samples=70))
        rs2 = list(u.RandomSampler(range(10), num_samples=25))
        sub = list(u.SubsetRandomSampler([3, 9, 27, 81, 243]))
        wr = list(u.WeightedRandomSampler([0.1, 0.9, 0.4, 0.0, 2.0], 30))
        wn = list(u.WeightedRandomSampler([0.1, 0.9, 0.4, 0.0, 2.0], 3, replacement=False))
        idx = [a.indices, b.indices, c.indices, d.indices, rs, rs2, sub, wr, wn]
        return [lib.tensor(list(i)) for i in idx]

    both(program)


def test_normal_function() -> None:
    def program(lib: Any) -> list[Any]:
        m, s = lib.zeros(20) + 1, lib.ones(20) * 2
        return [
            lib.normal(m, s),
            lib.normal(m, 2.0),
            lib.normal(1.0, s),
            lib.normal(1.0, 2.0, size=(20,)),
            lib.normal(lib.zeros(3, 1), lib.ones(4)),
            lib.normal(lib.zeros(3, dtype=lib.float64), 1.0),
            lib.normal(0.0, 1.0, (2, 3), generator=lib.Generator().manual_seed(4)),
        ]

    both(program)


@pytest.mark.parametrize("dtype", DTYPES)
def test_multinomial_and_exponential(dtype: str) -> None:
    def program(lib: Any) -> list[Any]:
        dt = getattr(lib, dtype)
        w = lib.rand(4, 7, dtype=dt) + 0.01
        v = lib.tensor([0.1, 0.0, 0.6, 0.3], dtype=dt)
        return [
            lib.empty(9, dtype=dt).exponential_(),
            lib.empty(3, 2, dtype=dt).exponential_(2.5),
            lib.multinomial(w, 1),
            lib.multinomial(w, 5),
            lib.multinomial(w, 12, replacement=True),
            lib.multinomial(v, 3),
            v.multinomial(40, True),
            lib.multinomial(w, 2, generator=lib.Generator().manual_seed(2)),
        ]

    both(program)
