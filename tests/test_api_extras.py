"""The smaller API pieces (pyautograd/_api.py, set_printoptions, F.one_hot, the extra lr
schedulers) against PyTorch: same values, dtypes, shapes, views and errors."""

import math
import warnings

import numpy as np
import pytest

import pyautograd as pa
import pyautograd.nn.functional as F
from pyautograd.optim import lr_scheduler as pa_sched

torch = pytest.importorskip("torch")


def T(x, dtype=None):
    """The same data as a torch tensor."""
    return torch.tensor(np.asarray(x), dtype=dtype)


def np_of(t):
    return t.detach().numpy()


# --- constants and dtype info ------------------------------------------------------------------


def test_constants_are_torchs():
    for name in ("pi", "e", "inf", "nan", "newaxis"):
        a, b = getattr(pa, name), getattr(torch, name)
        assert (a is None and b is None) or (math.isnan(a) and math.isnan(b)) or a == b, name


@pytest.mark.parametrize("name", ["float32", "float64"])
def test_finfo(name):
    a, b = pa.finfo(getattr(pa, name)), torch.finfo(getattr(torch, name))
    for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
        assert getattr(a, attr) == getattr(b, attr), attr


def test_finfo_default_and_errors():
    assert pa.finfo().eps == torch.finfo().eps
    with pytest.raises(TypeError, match="floating point"):
        pa.finfo(pa.int64)
    with pytest.raises(TypeError, match="integer"):
        pa.iinfo(pa.float32)


@pytest.mark.parametrize("name", ["int64", "bool"])
def test_iinfo(name):
    if name == "bool":
        with pytest.raises(TypeError):
            torch.iinfo(torch.bool)
        return
    a, b = pa.iinfo(getattr(pa, name)), torch.iinfo(getattr(torch, name))
    for attr in ("bits", "max", "min", "dtype"):
        assert getattr(a, attr) == getattr(b, attr), attr


# --- whole-tensor comparisons ------------------------------------------------------------------

CLOSE_CASES = [
    (
        [1.0, 2.0, math.inf, -math.inf, math.nan, 0.0],
        [1.0 + 1e-6, 2.1, math.inf, math.inf, math.nan, 1e-9],
    ),
    ([[1.0], [2.0]], [1.0, 2.0 + 1e-7, 3.0]),
    ([], []),
]


@pytest.mark.parametrize("equal_nan", [False, True])
@pytest.mark.parametrize(("a", "b"), CLOSE_CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_isclose_allclose(a, b, dtype, equal_nan):
    pd, td = getattr(pa, dtype), getattr(torch, dtype)
    x, y = pa.tensor(a, dtype=pd), pa.tensor(b, dtype=pd)
    tx, ty = T(a, td), T(b, td)
    out = pa.isclose(x, y, equal_nan=equal_nan)
    ref = torch.isclose(tx, ty, equal_nan=equal_nan)
    assert out.dtype == pa.bool
    np.testing.assert_array_equal(np_of(out), ref.numpy())
    assert pa.allclose(x, y, equal_nan=equal_nan) == torch.allclose(tx, ty, equal_nan=equal_nan)
    for rtol, atol in ((0.1, 0.0), (0.0, 0.2)):
        np.testing.assert_array_equal(
            np_of(pa.isclose(x, y, rtol=rtol, atol=atol)),
            torch.isclose(tx, ty, rtol=rtol, atol=atol).numpy(),
        )


def test_isclose_ints_and_errors():
    a, b = [1, 5, -3], [1, 6, -3]
    np.testing.assert_array_equal(
        np_of(pa.isclose(pa.tensor(a), pa.tensor(b), atol=0.5)),
        torch.isclose(T(a), T(b), atol=0.5).numpy(),
    )
    with pytest.raises(RuntimeError, match="did not match"):
        torch.isclose(T([1.0], torch.float32), T([1.0], torch.float64))
    with pytest.raises(RuntimeError, match="did not match"):
        pa.isclose(pa.tensor([1.0]), pa.tensor([1.0], dtype=pa.float64))
    with pytest.raises(RuntimeError, match="rtol"):
        pa.isclose(pa.ones(1), pa.ones(1), rtol=-1)


@pytest.mark.parametrize(
    ("a", "b"),
    [([1.0, 2.0], [1.0, 2.0]), ([1.0, 2.0], [1.0, 2.5]), ([1.0, 2.0], [[1.0, 2.0]]), ([], [])],
)
def test_equal(a, b):
    assert pa.equal(pa.tensor(a), pa.tensor(b)) == torch.equal(
        T(a, torch.float32), T(b, torch.float32)
    )


# --- broadcasting and meshgrid -----------------------------------------------------------------


@pytest.mark.parametrize(
    "shapes", [((2, 1), (3,)), ((1,), (4, 1, 5), (5,)), ((0, 1), (1, 3)), ((),)]
)
def test_broadcast_shapes_and_tensors(shapes):
    assert tuple(pa.broadcast_shapes(*shapes)) == tuple(torch.broadcast_shapes(*shapes))
    ts = [pa.ones(s) for s in shapes]
    outs = pa.broadcast_tensors(*ts)
    refs = torch.broadcast_tensors(*[torch.ones(s) for s in shapes])
    for o, r, t in zip(outs, refs, ts, strict=True):
        assert tuple(o.shape) == tuple(r.shape)
        assert o.data_ptr() == t.data_ptr()  # a view
    x = pa.arange(3.0)
    assert tuple(pa.broadcast_to(x, (2, 3)).shape) == (2, 3)
    assert tuple(x.broadcast_to((4, 3)).shape) == (4, 3)


def test_broadcast_shapes_mismatch():
    with pytest.raises(RuntimeError):
        torch.broadcast_shapes((2,), (3,))
    with pytest.raises(RuntimeError, match="broadcast"):
        pa.broadcast_shapes((2,), (3,))


@pytest.mark.parametrize("indexing", ["ij", "xy"])
@pytest.mark.parametrize("sizes", [(3, 2), (2, 3, 4), (4,), (0, 2)])
def test_meshgrid(indexing, sizes):
    xs = [np.arange(n, dtype=np.float32) + 10 * i for i, n in enumerate(sizes)]
    outs = pa.meshgrid(*[pa.tensor(x) for x in xs], indexing=indexing)
    refs = torch.meshgrid(*[T(x) for x in xs], indexing=indexing)
    assert len(outs) == len(refs)
    for o, r in zip(outs, refs, strict=True):
        np.testing.assert_array_equal(np_of(o), r.numpy())


def test_meshgrid_warns_without_indexing_and_grads_flow():
    x = pa.tensor([1.0, 2.0], requires_grad=True)
    y = pa.tensor([3.0, 4.0, 5.0], requires_grad=True)
    with pytest.warns(UserWarning, match="indexing"):
        gx, gy = pa.meshgrid(x, y)
    (gx * gy).sum().backward()
    tx = torch.tensor([1.0, 2.0], requires_grad=True)
    ty = torch.tensor([3.0, 4.0, 5.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rx, ry = torch.meshgrid(tx, ty)
    (rx * ry).sum().backward()
    np.testing.assert_allclose(np_of(x.grad), tx.grad.numpy())
    np.testing.assert_allclose(np_of(y.grad), ty.grad.numpy())


# --- small functions and views -----------------------------------------------------------------


def test_small_predicates():
    x = pa.ones(2, 3)
    assert pa.numel(x) == 6
    assert pa.is_floating_point(x) and not pa.is_floating_point(pa.ones(2, dtype=pa.int64))
    assert not pa.is_complex(x) and not x.is_complex()
    assert x.is_cpu and x.get_device() == torch.ones(1).get_device()
    assert x.itemsize == 4 and x.nbytes == 24
    assert pa.is_same_size(x, pa.zeros(2, 3)) and not x.is_same_size(pa.zeros(3, 2))
    assert pa.is_signed(x) and not pa.is_signed(pa.ones(1, dtype=pa.bool))
    assert pa.is_nonzero(pa.tensor([1.0])) and not pa.tensor(0).is_nonzero()
    with pytest.raises(RuntimeError, match="more than one value"):
        pa.is_nonzero(x)
    assert pa.typename(x) == torch.typename(torch.ones(1)) == "torch.FloatTensor"


@pytest.mark.parametrize(("dim", "index"), [(0, 1), (1, -1), (-1, 0), (2, 3)])
def test_select(dim, index):
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    x = pa.tensor(a, requires_grad=True)
    tx = T(a).requires_grad_()
    out, ref = pa.select(x, dim, index), torch.select(tx, dim, index)
    np.testing.assert_array_equal(np_of(out), ref.detach().numpy())
    (out * 2).sum().backward()
    (ref * 2).sum().backward()
    np.testing.assert_array_equal(np_of(x.grad), tx.grad.numpy())
    base = pa.tensor(a)
    base.select(dim, index).fill_(-1.0)  # a view: the write reaches the base
    tb = T(a)
    tb.select(dim, index).fill_(-1.0)
    np.testing.assert_array_equal(np_of(base), tb.numpy())


def test_select_errors():
    with pytest.raises(IndexError):
        pa.ones(2, 3).select(0, 2)
    with pytest.raises(IndexError):
        pa.ones(2, 3).select(2, 0)
    with pytest.raises(IndexError):
        pa.tensor(1.0).select(0, 0)


@pytest.mark.parametrize(
    ("shape", "dim", "sizes"),
    [((6,), 0, (2, 3)), ((2, 12), 1, (3, -1)), ((2, 12, 1), -2, (2, 2, 3)), ((4,), 0, (4,))],
)
def test_unflatten(shape, dim, sizes):
    a = np.arange(math.prod(shape), dtype=np.float32).reshape(shape)
    out = pa.tensor(a).unflatten(dim, sizes)
    ref = T(a).unflatten(dim, sizes)
    assert tuple(out.shape) == tuple(ref.shape)
    np.testing.assert_array_equal(np_of(out), ref.numpy())
    assert tuple(pa.unflatten(pa.tensor(a), dim, sizes).shape) == tuple(ref.shape)


def test_unflatten_errors():
    with pytest.raises(RuntimeError):
        torch.ones(6).unflatten(0, (4, -1))
    with pytest.raises(RuntimeError, match="unflatten"):
        pa.ones(6).unflatten(0, (4, -1))
    with pytest.raises(RuntimeError, match="unflatten"):
        pa.ones(6).unflatten(0, (2, 2))


def test_transposes_swapaxes_ravel_positive():
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    x, t = pa.tensor(a), T(a)
    np.testing.assert_array_equal(np_of(x.mT), t.mT.numpy())
    np.testing.assert_array_equal(np_of(x.mH), t.mH.numpy())
    np.testing.assert_array_equal(np_of(x.adjoint()), t.adjoint().numpy())
    np.testing.assert_array_equal(np_of(x[0].H), t[0].H.numpy())
    np.testing.assert_array_equal(np_of(pa.swapaxes(x, 0, 2)), torch.swapaxes(t, 0, 2).numpy())
    np.testing.assert_array_equal(np_of(x.swapdims(1, 2)), t.swapdims(1, 2).numpy())
    np.testing.assert_array_equal(
        np_of(x.transpose(0, 1).ravel()), t.transpose(0, 1).ravel().numpy()
    )
    assert pa.positive(x) is x
    for bad in (lambda z: z.mT, lambda z: z.mH):
        with pytest.raises(RuntimeError):
            bad(pa.ones(3))
    with pytest.raises(RuntimeError):
        _ = x.H
    with pytest.raises(RuntimeError, match="bool"):
        pa.positive(pa.ones(2, dtype=pa.bool))


# --- constructors on a tensor ------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_new_constructors(dtype):
    x = pa.ones(2, dtype=getattr(pa, dtype))
    t = torch.ones(2, dtype=getattr(torch, dtype))
    for name in ("new_zeros", "new_ones", "new_empty"):
        for args in ((2, 3), ((2, 3),), ([4],)):
            out, ref = getattr(x, name)(*args), getattr(t, name)(*args)
            assert (
                tuple(out.shape) == tuple(ref.shape) and str(out.dtype)[-5:] == str(ref.dtype)[-5:]
            )
            if name != "new_empty":
                np.testing.assert_array_equal(np_of(out), ref.numpy())
    out, ref = x.new_full((2, 2), 7), t.new_full((2, 2), 7)
    np.testing.assert_array_equal(np_of(out), ref.numpy())
    assert x.new_zeros(3, dtype=pa.float64).dtype == pa.float64
    if dtype != "int64":
        assert x.new_ones(3, requires_grad=True).requires_grad
    out, ref = x.new_tensor([1.5, 2.5]), t.new_tensor([1.5, 2.5])
    np.testing.assert_array_equal(np_of(out), ref.numpy())


def test_type_as():
    x, y = pa.ones(2), pa.ones(2, dtype=pa.float64)
    assert x.type_as(y).dtype == pa.float64
    assert x.type_as(x) is x
    a = pa.tensor([1.0, 2.0], requires_grad=True)
    (a.type_as(y) * 3).sum().backward()
    np.testing.assert_array_equal(np_of(a.grad), [3.0, 3.0])


# --- aliases -----------------------------------------------------------------------------------


def test_aliases_are_their_ops():
    from pyautograd._api import ALIASES

    installed = 0
    x = pa.tensor([[1.5, -2.0], [0.25, 3.0]])
    for alias, target in ALIASES.items():
        if hasattr(pa.Tensor, target):
            method, op = getattr(pa.Tensor, alias), getattr(pa.Tensor, target)
            if method is not op and not alias.endswith("_"):  # bound separately: same results
                args = (x, x) if alias not in ("moveaxis", "swapdims") else (x, 0, 1)
                try:
                    expected = op(*args)
                except TypeError:
                    args = (x,)
                    expected = op(*args)
                np.testing.assert_array_equal(np_of(method(*args)), np_of(expected))
            assert hasattr(torch.Tensor, alias), f"{alias} is not a torch.Tensor method"
            installed += 1
        if hasattr(pa, target) and hasattr(torch, alias):  # torch.abs_ has no torch.absolute_
            assert getattr(pa, alias) is getattr(pa, target), alias
        if hasattr(pa, alias):
            assert hasattr(torch, alias), f"torch.{alias} does not exist"
    assert installed >= 15
    x = pa.tensor([-1.0, 2.0])
    np.testing.assert_array_equal(np_of(pa.multiply(x, 3)), np_of(x * 3))
    np.testing.assert_array_equal(np_of(x.absolute()), [1.0, 2.0])


# --- set_printoptions --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "opts",
    [
        {"precision": 2},
        {"precision": 6},
        {"sci_mode": True},
        {"sci_mode": False},
        {"profile": "short"},
        {"threshold": 5, "edgeitems": 1},
    ],
)
def test_set_printoptions_matches_torch(opts):
    values = [[1.23456789, -2.5, 1000.125], [0.001234, 5.0, 6.75]]
    try:
        pa.set_printoptions(**opts)
        torch.set_printoptions(**opts)
        for v in (values, [1.5, 2.25, 3.0, 4.0, 5.0, 6.0, 7.0], [1.0, 2.0]):
            assert repr(pa.tensor(v)) == repr(torch.tensor(v))
    finally:
        pa.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")
    assert repr(pa.tensor([1.23456])) == repr(torch.tensor([1.23456]))


# --- F.one_hot ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "n"), [([0, 2, 1], -1), ([[0, 1], [3, 3]], 5), ([], 3), (3, -1), ([0], 1)]
)
def test_one_hot(values, n):
    out = F.one_hot(pa.tensor(values, dtype=pa.int64), n)
    ref = torch.nn.functional.one_hot(torch.tensor(values, dtype=torch.int64), n)
    assert out.dtype == pa.int64 and tuple(out.shape) == tuple(ref.shape)
    np.testing.assert_array_equal(np_of(out), ref.numpy())


@pytest.mark.parametrize(
    ("values", "n", "dtype"),
    [([0, -1], -1, "int64"), ([0, 3], 3, "int64"), ([], -1, "int64"), ([0.0, 1.0], -1, "float32")],
)
def test_one_hot_errors(values, n, dtype):
    with pytest.raises(RuntimeError):
        torch.nn.functional.one_hot(torch.tensor(values, dtype=getattr(torch, dtype)), n)
    with pytest.raises(RuntimeError):
        F.one_hot(pa.tensor(values, dtype=getattr(pa, dtype)), n)


# --- compile -----------------------------------------------------------------------------------


def test_compile_has_torchs_signature():
    def step(x):
        return (x * 2).sum()

    compiled = pa.compile(step)
    x = pa.tensor([1.0, 2.0])
    assert compiled(x).item() == step(x).item() == 6.0

    @pa.compile(mode="max-autotune", fullgraph=True)
    def f(x):
        return x + 1

    assert f(x).tolist() == [2.0, 3.0]
    model = pa.nn.Linear(2, 1)
    np.testing.assert_array_equal(pa.compile(model)(x).tolist(), model(x).tolist())
    with pytest.raises(RuntimeError):
        pa.compile(step, mode="default", options={})


# --- the extra lr schedulers -------------------------------------------------------------------


def _lrs(mod, make, steps, opt_name="SGD", opt_kw=None):
    """The lr (and momentum/beta1) sequence of a scheduler built by make(mod, opt)."""
    opt_kw = opt_kw or {"lr": 0.1, "momentum": 0.9}
    p = (pa if mod is pa_sched else torch).nn.Parameter((pa if mod is pa_sched else torch).zeros(2))
    opt_mod = pa.optim if mod is pa_sched else torch.optim
    opt = getattr(opt_mod, opt_name)([p], **opt_kw)
    sched = make(mod, opt)
    out = []
    for _ in range(steps):
        group = opt.param_groups[0]
        mom = group.get("momentum", group.get("betas", (None,))[0])
        out.append((group["lr"], mom, sched.get_last_lr()[0]))
        opt.step()
        sched.step()
    return out


SCHEDULERS = {
    "MultiplicativeLR": lambda m, o: m.MultiplicativeLR(o, lambda e: 0.9),
    "ConstantLR": lambda m, o: m.ConstantLR(o, factor=0.5, total_iters=3),
    "LinearLR": lambda m, o: m.LinearLR(o, start_factor=0.25, total_iters=4),
    "LinearLR-down": lambda m, o: m.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=6),
    "PolynomialLR": lambda m, o: m.PolynomialLR(o, total_iters=5, power=2.0),
    "CosineAnnealingWarmRestarts": lambda m, o: m.CosineAnnealingWarmRestarts(
        o, T_0=3, T_mult=2, eta_min=0.01
    ),
    "OneCycleLR": lambda m, o: m.OneCycleLR(o, max_lr=1.0, total_steps=12),
    "OneCycleLR-3": lambda m, o: m.OneCycleLR(
        o, max_lr=0.5, epochs=3, steps_per_epoch=4, three_phase=True, anneal_strategy="linear"
    ),
    "SequentialLR": lambda m, o: m.SequentialLR(
        o,
        [m.LinearLR(o, start_factor=0.1, total_iters=3), m.ExponentialLR(o, gamma=0.8)],
        milestones=[3],
    ),
    "ChainedScheduler": lambda m, o: m.ChainedScheduler(
        [m.ConstantLR(o, factor=0.5, total_iters=2), m.ExponentialLR(o, gamma=0.9)]
    ),
}


@pytest.mark.parametrize("name", sorted(SCHEDULERS))
def test_scheduler_sequence_matches_torch(name):
    make = SCHEDULERS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = _lrs(pa_sched, make, 12)
        ref = _lrs(torch.optim.lr_scheduler, make, 12)
    np.testing.assert_allclose(np.array(ours, dtype=float), np.array(ref, dtype=float), rtol=1e-12)


def test_onecycle_with_adam_cycles_beta1():
    make = SCHEDULERS["OneCycleLR"]
    ours = _lrs(pa_sched, make, 12, "Adam", {"lr": 0.1})
    ref = _lrs(torch.optim.lr_scheduler, make, 12, "Adam", {"lr": 0.1})
    np.testing.assert_allclose(np.array(ours, dtype=float), np.array(ref, dtype=float), rtol=1e-12)


def test_scheduler_errors():
    opt = pa.optim.SGD([pa.nn.Parameter(pa.zeros(1))], lr=0.1)
    with pytest.raises(ValueError):
        pa_sched.LinearLR(opt, start_factor=0)
    with pytest.raises(ValueError):
        pa_sched.OneCycleLR(opt, max_lr=1.0)
    with pytest.raises(ValueError):
        pa_sched.SequentialLR(opt, [pa_sched.ConstantLR(opt)], milestones=[1])
    sched = pa_sched.OneCycleLR(opt, max_lr=1.0, total_steps=2)
    sched.step()
    sched.step()
    with pytest.raises(ValueError, match="Tried to step"):
        sched.step()


# --- add/sub with alpha ------------------------------------------------------------------------


@pytest.mark.parametrize("op", ["add", "sub"])
@pytest.mark.parametrize("alpha", [2, -0.5, 1])
@pytest.mark.parametrize("other_kind", ["tensor", "broadcast", "scalar"])
def test_alpha_matches_torch(op, alpha, other_kind):
    a = np.array([[1.5, -2.0, 3.25], [0.5, 4.0, -1.0]])
    b = {"tensor": a[::-1].copy() * 0.3, "broadcast": np.array([0.25, -1.5, 2.0]), "scalar": 1.75}[
        other_kind
    ]
    x = pa.tensor(a, dtype=pa.float64, requires_grad=True)
    tx = torch.tensor(a, requires_grad=True)
    if other_kind == "scalar":
        y, ty = b, b
    else:
        y = pa.tensor(b, dtype=pa.float64, requires_grad=True)
        ty = torch.tensor(b, requires_grad=True)
    out, ref = getattr(pa, op)(x, y, alpha=alpha), getattr(torch, op)(tx, ty, alpha=alpha)
    np.testing.assert_allclose(np_of(out), ref.detach().numpy(), rtol=1e-15)
    np.testing.assert_allclose(np_of(getattr(x, op)(y, alpha=alpha)), ref.detach().numpy())
    (out * out).sum().backward()
    (ref * ref).sum().backward()
    np.testing.assert_allclose(np_of(x.grad), tx.grad.numpy(), rtol=1e-14)
    if other_kind != "scalar":
        np.testing.assert_allclose(np_of(y.grad), ty.grad.numpy(), rtol=1e-14)
    z, tz = pa.tensor(a), torch.tensor(a, dtype=torch.float32)
    getattr(z, op + "_")(pa.tensor(a) if other_kind != "scalar" else b, alpha=alpha)
    getattr(tz, op + "_")(
        torch.tensor(a, dtype=torch.float32) if other_kind != "scalar" else b, alpha=alpha
    )
    np.testing.assert_allclose(np_of(z), tz.numpy(), rtol=1e-6)


def test_alpha_errors_and_legacy_form():
    ints = pa.tensor([1, 2])
    with pytest.raises(RuntimeError, match="alpha"):
        torch.tensor([1, 2]).add(torch.tensor([1, 2]), alpha=0.5)
    with pytest.raises(RuntimeError, match="alpha"):
        ints.add(ints, alpha=0.5)
    np.testing.assert_array_equal(np_of(ints.add(ints, alpha=3)), [4, 8])
    with pytest.raises(TypeError):
        pa.ones(2).add(pa.ones(2), alpha="x")
    p, g = pa.ones(3), pa.tensor([1.0, 2.0, 3.0])
    tp, tg = torch.ones(3), torch.tensor([1.0, 2.0, 3.0])
    with pytest.warns(UserWarning):
        p.add_(-0.1, g)  # the deprecated form of older optimizer code
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tp.add_(-0.1, tg)
    np.testing.assert_allclose(np_of(p), tp.numpy())
