"""Random module / optimizer / lr-scheduler programs run in lockstep on PyTorch and pyautograd
(tests/difftest/nn_programs.py), and regression tests for what those runs found. Long runs by
hand: ``python tests/difftest/nn_programs.py --seed 1 --programs 2000``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

sys.path.insert(0, str(Path(__file__).resolve().parent / "difftest"))

import nn_programs  # noqa: E402

import pyautograd  # noqa: E402

SEED = int(os.environ.get("PYAG_NN_PROGRAMS_SEED", "0"))
COUNT = {"optim": 120, "sched": 120, "functional": 200, "module": 120, "train": 60}


@pytest.mark.parametrize("fam", sorted(nn_programs.FAMILIES))
def test_random_programs_agree_with_torch(fam: str) -> None:
    bad = []
    for i in range(COUNT.get(fam, 60)):
        stmts = nn_programs.program(fam, SEED, i)
        why = nn_programs.compare(stmts, torch, pyautograd)
        if why:
            small = nn_programs.shrink(stmts, torch, pyautograd)
            bad.append(f"{fam}/{SEED}/{i}: {why}\n" + "\n".join(small))
            if len(bad) >= 3:
                break
    assert not bad, "\n\n".join(bad)


def lockstep(src: str) -> None:
    stmts = [s for s in src.strip().splitlines() if s.strip()]
    why = nn_programs.compare(stmts, torch, pyautograd)
    assert why is None, why


# ---- regressions ---------------------------------------------------------------------------
def test_adagrad_param_added_later_gets_state_at_its_first_step() -> None:
    # was KeyError: 'sum' (state made only in __init__); PyTorch fills it with the defaults'
    # initial_accumulator_value, also for a group that names its own
    lockstep("""
p0 = L.nn.Parameter(L.tensor([1.5, -0.5], dtype=L.float64))
p1 = L.nn.Parameter(L.tensor([-0.9, 0.3], dtype=L.float64))
p2 = L.nn.Parameter(L.tensor([0.2], dtype=L.float64))
opt = L.optim.Adagrad([p0], lr=0.1, lr_decay=0.1, initial_accumulator_value=0.5)
opt.add_param_group({'params': [p1]})
opt.add_param_group({'params': [p2], 'initial_accumulator_value': 3.0})
loss = lambda: (p0 * p0).sum() + p1.sin().sum() + (p2 ** 3).sum()
for k in range(2): opt.zero_grad(); loss().backward(); opt.step()
obs('p', [p0, p1, p2])
obs('state', [opt.state[p] for p in (p0, p1, p2)])
""")


@pytest.mark.parametrize("name", ["Adadelta", "NAdam", "RAdam"])
def test_param_group_keys_in_torch_order(name: str) -> None:
    lockstep(f"""
opt = L.optim.{name}([L.nn.Parameter(L.ones(2))], lr=0.1)
obs('keys', list(opt.param_groups[0]))
obs('sd', list(opt.state_dict()['param_groups'][0]))
""")


def test_sequential_lr_starts_its_first_scheduler_without_a_step() -> None:
    # ExponentialLR / CosineAnnealingLR read _is_initial: SequentialLR's first step of its
    # first scheduler must keep the initial lr (was lr * gamma at epoch 0)
    lockstep("""
p = L.nn.Parameter(L.ones(2))
opt = L.optim.SGD([{'params': [p]}, {'params': [L.nn.Parameter(L.ones(1))], 'lr': 0.3}], lr=1.0)
s1 = L.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)
s2 = L.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=3)
sch = L.optim.lr_scheduler.SequentialLR(opt, [s1, s2], milestones=[4])
obs('lr', [g['lr'] for g in opt.param_groups])
for e in range(12): opt.step(); sch.step(); obs('lr', [g['lr'] for g in opt.param_groups])
""")


@pytest.mark.parametrize("mode", ["triangular", "triangular2", "exp_range"])
@pytest.mark.parametrize("opt", ["SGD", "Adam"])
def test_cyclic_lr_sequence_and_momentum(mode: str, opt: str) -> None:
    # CyclicLR was missing; lr and momentum (beta1 for Adam) per step as PyTorch
    mom = ", momentum=0.9" if opt == "SGD" else ""
    lockstep(f"""
p = L.nn.Parameter(L.ones(2))
opt = L.optim.{opt}([{{'params': [p]}}, {{'params': [L.nn.Parameter(L.ones(1))]}}], lr=0.1{mom})
kw = dict(step_size_up=3, step_size_down=2, mode={mode!r}, gamma=0.9)
sch = L.optim.lr_scheduler.CyclicLR(opt, base_lr=[0.01, 0.02], max_lr=0.5, **kw)
obs('lr', sch.get_last_lr())
moms = lambda: [g.get('momentum', g.get('betas')) for g in opt.param_groups]
for e in range(25): opt.step(); sch.step(); obs('lr', sch.get_last_lr()); obs('m', moms())
obs('sd', sorted(sch.state_dict()))
""")


def test_scheduler_state_dict_keys() -> None:
    lockstep("""
opt = L.optim.SGD([L.nn.Parameter(L.ones(2))], lr=0.1, momentum=0.9)
s = L.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10, three_phase=True)
obs('one', sorted(s.state_dict()))
obs('phases', s.state_dict()['_schedule_phases'])
s = L.optim.lr_scheduler.ReduceLROnPlateau(opt)
obs('plateau', sorted(s.state_dict()))
""")


@pytest.mark.parametrize("train", [True, False])
@pytest.mark.parametrize("n", [1, 3])
def test_instance_norm_running_stats(train: bool, n: int) -> None:
    # the running stats repeated over the batch were an expanded (not contiguous) view the
    # batch_norm kernel refused (eval, batch > 1), and PyTorch takes float32 stats with a
    # float64 input
    lockstep(f"""
m = L.nn.InstanceNorm1d(2, affine=True, track_running_stats=True)
m.train({train})
x = L.linspace(-2, 3, {n} * 10).reshape({n}, 2, 5).requires_grad_()
out = m(x)
(out * L.linspace(-1, 1, out.numel()).reshape(out.shape)).sum().backward()
obs('out', [out, x.grad, m.weight.grad, m.bias.grad, m.running_mean, m.running_var])
x64 = x.detach().double().requires_grad_()
y = L.nn.functional.instance_norm(x64, m.running_mean, m.running_var, use_input_stats={train})
obs('mixed', [y, m.running_mean, m.running_var], (1e-5, 1e-6))
""")


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0])
def test_embedding_max_norm_and_scale_grad_by_freq(norm_type: float) -> None:
    # were NotImplementedError; max_norm renormalizes the referenced rows in place
    lockstep(f"""
L.manual_seed(0)
m = L.nn.Embedding(5, 3, padding_idx=4, max_norm=1.0, norm_type={norm_type})
m2 = L.nn.Embedding(5, 3, scale_grad_by_freq=True)
i = L.tensor([[0, 1, 1], [4, 1, 0]])
out = m(i) + m2(i)
(out * L.arange(18.0).reshape(2, 3, 3)).sum().backward()
obs('out', [out, m.weight, m.weight.grad, m2.weight.grad])
w = L.randn(4, 2, dtype=L.float64, requires_grad=True)
y = L.nn.functional.embedding(L.tensor([3, 3, 1]), w, max_norm=0.5, scale_grad_by_freq=True)
y.sum().backward()
obs('f', [y, w, w.grad])
""")


def test_init_sparse_and_deprecated_names() -> None:
    lockstep("""
L.manual_seed(3)
w = L.empty(5, 4)
obs('sparse_', L.nn.init.sparse_(w, 0.4, std=2.0))
names = ('uniform', 'normal', 'xavier_uniform', 'xavier_normal', 'kaiming_uniform')
for f in names + ('orthogonal',): obs(f, getattr(L.nn.init, f)(w))
obs('sparse', L.nn.init.sparse(w, 0.5))
obs('dirac', L.nn.init.dirac(L.empty(2, 2, 3)))
""")


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_ctc_loss(reduction: str, dtype: str) -> None:
    # ctc_loss / CTCLoss were missing: padded and concatenated targets, unbatched input,
    # impossible alignments (inf, zero_infinity), PyTorch's gradient for a leaf log_probs
    lockstep(f"""
L.manual_seed(0)
x = L.randn(6, 2, 4, dtype=L.{dtype}, requires_grad=True)
tg = L.tensor([[1, 2, 2], [3, 1, 0]])
f = L.nn.functional.ctc_loss
loss = f(x.log_softmax(2), tg, [6, 5], [3, 2], reduction={reduction!r})
obs('loss', loss, (1e-5, 1e-6))
w = L.arange(1.0, loss.numel() + 1, dtype=loss.dtype).reshape(loss.shape)
obs('grad', L.autograd.grad((loss * w).sum(), x), (1e-5, 1e-6))
lp = x.detach().log_softmax(2).requires_grad_()
loss = f(lp, L.tensor([1, 2, 2, 3, 1]), (6, 5), (3, 2), reduction={reduction!r})
obs('flat', [loss, L.autograd.grad(loss.sum(), lp)], (1e-5, 1e-6))
m = L.nn.CTCLoss(blank=3, reduction={reduction!r}, zero_infinity=True)
loss = m(lp[:2], tg, L.tensor([2, 2]), L.tensor([3, 2]))
obs('zero_inf', [loss, L.autograd.grad(loss.sum(), lp)], (1e-5, 1e-6))
loss = L.nn.CTCLoss(reduction={reduction!r})(lp[:3, 0], tg[0], L.tensor(3), L.tensor(3))
obs('inf', [loss, L.autograd.grad(loss.sum(), lp)])
loss = f(lp[:, 1], tg[1, :2], L.tensor(6), L.tensor(2), reduction={reduction!r}, blank=2)
obs('unbatched', [loss, L.autograd.grad(loss.sum(), lp)], (1e-5, 1e-6))
loss = f(lp[:, 1], tg[1], L.tensor(6), L.tensor(2), reduction={reduction!r}, blank=2)
obs('unbatched', [loss, L.autograd.grad(loss.sum(), lp)], (1e-5, 1e-6))
""")


def _grads(expr: str, dtype: str = "float64") -> str:
    return f"""
x = L.linspace(-3, 2, 2 * 2 * 3 * 4 * 5, dtype=L.{dtype}).reshape(2, 2, 3, 4, 5).sin()
x.requires_grad_()
out = {expr}
obs('out', out)
y = out[0] if isinstance(out, tuple) else out
obs('grad', L.autograd.grad((y * L.linspace(-1, 1, y.numel()).reshape(y.shape)).sum(), x))
"""


@pytest.mark.parametrize(
    "expr",
    [
        "L.nn.functional.max_pool3d(x, (2, 3, 2), (1, 2, 1), (1, 1, 0), ceil_mode=True,"
        " return_indices=True)",
        "L.nn.functional.max_pool3d(x[0], 2, dilation=(1, 1, 2), return_indices=True)",
        "L.nn.functional.avg_pool3d(x, (2, 3, 2), 1, (1, 1, 0), ceil_mode=True,"
        " count_include_pad=False)",
        "L.nn.functional.avg_pool3d(x, 3, 2, 1, ceil_mode=True, divisor_override=5)",
        "L.nn.functional.adaptive_avg_pool3d(x, (2, None, 3))",
        "L.nn.functional.adaptive_max_pool3d(x, (2, 3, 4), return_indices=True)",
        "L.nn.functional.lp_pool3d(x, 2.0, (2, 2, 3), ceil_mode=True)",
        "L.nn.functional.interpolate(x, size=(2, 7, 3), mode='area')",
        "L.nn.AvgPool3d(2)(x) + L.nn.MaxPool3d(2)(x) + L.nn.AdaptiveAvgPool3d(1)(x)",
        "L.nn.functional.avg_pool3d(x, (4, 1, 1), padding=(2, 0, 0))",  # smaller than kernel
    ],
)
def test_pool3d(expr: str) -> None:
    # 3-d pooling was missing: composed of two 2-d passes (separable), indices combined
    lockstep(_grads(expr))


@pytest.mark.parametrize(
    "args",
    [
        "",
        ", stride=(1, 2, 1), padding=1",
        ", padding='same', dilation=(2, 1, 1)",
        ", stride=2, padding=(0, 2, 1), dilation=2",
    ],
)
@pytest.mark.parametrize("groups", [1, 2])
def test_conv3d(args: str, groups: int) -> None:
    lockstep(f"""
L.manual_seed(1)
m = L.nn.Conv3d(2, 4, (2, 3, 2), groups={groups}{args}).double()
obs('repr', repr(m))
x = L.linspace(-3, 2, 2 * 2 * 3 * 4 * 5, dtype=L.float64).reshape(2, 2, 3, 4, 5).sin()
x.requires_grad_()
y = m(x)
obs('out', y)
(y * L.linspace(-1, 1, y.numel(), dtype=L.float64).reshape(y.shape)).sum().backward()
obs('grads', [x.grad, m.weight.grad, m.bias.grad])
obs('unbatched', m(x[1]))
m = L.nn.Conv3d(2, 2, 3, padding=1, padding_mode='circular', bias=False).double()
obs('circular', m(x))
""")


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_linspace_bitwise(dtype: str) -> None:
    # PyTorch computes each value as one fused multiply-add in the dtype (float32 values
    # differed in the last bit: -2.98e-08 at the middle of linspace(-1, 1, 7), not 0)
    import numpy as np

    for n in (1, 2, 7, 20, 120, 2001):
        for a, b in ((-1.0, 1.0), (-3.14159, 3.14159), (0.1, 0.7), (5.0, -2.5)):
            t = torch.linspace(a, b, n, dtype=getattr(torch, dtype)).numpy()
            p = pyautograd.linspace(a, b, n, dtype=getattr(pyautograd, dtype)).numpy()
            assert np.array_equal(t, p), (a, b, n)


@pytest.mark.parametrize("batch_first", [True, False])
def test_lstm_proj_size(batch_first: bool) -> None:
    # proj_size was NotImplementedError: weight_hr per layer and direction, h of proj_size
    lockstep(f"""
L.manual_seed(0)
m = L.nn.LSTM(3, 4, proj_size=2, num_layers=2, bidirectional=True, batch_first={batch_first})
m = m.double()
obs('repr', repr(m))
obs('names', [n for n, _ in m.named_parameters()])
x = L.linspace(-1, 1, 2 * 5 * 3, dtype=L.float64).reshape(2, 5, 3).sin().requires_grad_()
h0 = L.linspace(-1, 1, 4 * 2 * 2, dtype=L.float64).reshape(4, 2, 2).requires_grad_()
c0 = L.linspace(-2, 1, 4 * 2 * 4, dtype=L.float64).reshape(4, 2, 4).requires_grad_()
out, (h, c) = m(x, (h0, c0))
obs('out', [out, h, c])
(out.sum() + h.sum() * 2 + c.sum() * 3).backward()
obs('grads', [x.grad, h0.grad, c0.grad] + [p.grad for p in m.parameters()])
obs('unbatched', m(x[0])[0])
obs('nohx', m(x)[1])
p = L.nn.utils.rnn.pack_padded_sequence(x, [5, 3], batch_first={batch_first}, enforce_sorted=False)
po, (ph, pc) = m(p)
obs('packed', [po.data, ph, pc])
obs('err', raises(lambda: m(x, (c0, c0))))
obs('err', raises(lambda: L.nn.LSTM(3, 4, proj_size=4)))
obs('err', raises(lambda: L.nn.LSTM(3, 4, proj_size=-1)))
obs('err', raises(lambda: L.nn.GRU(3, 4, proj_size=2)))
obs('end', 1)
""")


@pytest.mark.parametrize("anneal", ["cos", "linear"])
def test_swa_utils(anneal: str) -> None:
    # optim.swa_utils was missing: AveragedModel (SWA, EMA, buffers), SWALR, update_bn
    lockstep(f"""
L.manual_seed(0)
m = L.nn.Sequential(L.nn.Linear(3, 4), L.nn.BatchNorm1d(4), L.nn.ReLU(), L.nn.Linear(4, 2))
m = m.double()
U = L.optim.swa_utils
swa = U.AveragedModel(m)
ema = U.AveragedModel(m, multi_avg_fn=U.get_ema_multi_avg_fn(0.9), use_buffers=True)
ema2 = U.AveragedModel(m, avg_fn=U.get_ema_avg_fn(0.8))
swm = U.AveragedModel(m, multi_avg_fn=U.get_swa_multi_avg_fn())
obs('repr', repr(swa))
obs('sd', list(swa.state_dict()))
opt = L.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
sch = U.SWALR(opt, swa_lr=0.05, anneal_epochs=3, anneal_strategy={anneal!r})
x = L.linspace(-2, 2, 24, dtype=L.float64).reshape(8, 3).sin()
y = L.linspace(-1, 1, 16, dtype=L.float64).reshape(8, 2)
avgs = (swa, ema, ema2, swm)
step = lambda: (opt.zero_grad(), ((m(x) - y) ** 2).mean().backward(), opt.step(), sch.step())
for e in range(6): step(); [a.update_parameters(m) for a in avgs]; obs('lr', sch.get_last_lr())
obs('swa', list(swa.parameters()) + list(swa.buffers()))
obs('ema', list(ema.parameters()) + list(ema.buffers()))
obs('ema2', list(ema2.parameters()))
obs('swm', list(swm.parameters()))
U.update_bn([(x[:4], 0), (x[4:], 1)], swa)
obs('bn', list(swa.buffers()))
obs('out', swa(x))
obs('ssd', sorted(sch.state_dict()))
""")


@pytest.mark.parametrize(
    "args",
    [
        "",
        ", stride=(2, 1, 2), padding=1, output_padding=(1, 0, 1), dilation=(1, 2, 1)",
        ", stride=2, padding=(0, 2, 1), dilation=2, output_padding=1",
    ],
)
@pytest.mark.parametrize("groups", [1, 2])
def test_conv_transpose3d(args: str, groups: int) -> None:
    # ConvTranspose3d was missing: per depth tap a 2-d transposed convolution, placed and summed
    lockstep(f"""
L.manual_seed(1)
m = L.nn.ConvTranspose3d(2, 4, (2, 3, 2), groups={groups}{args}).double()
obs('repr', repr(m))
x = L.linspace(-3, 2, 2 * 2 * 3 * 4 * 3, dtype=L.float64).reshape(2, 2, 3, 4, 3).sin()
x.requires_grad_()
y = m(x)
obs('out', y)
(y * L.linspace(-1, 1, y.numel(), dtype=L.float64).reshape(y.shape)).sum().backward()
obs('grads', [x.grad, m.weight.grad, m.bias.grad])
obs('unbatched', m(x[1]))
""")


def test_hardsigmoid_nan_gradient() -> None:
    # PyTorch's hardsigmoid passes no gradient at NaN (any size); pyautograd passed 1/6
    lockstep("""
hs = L.nn.functional.hardsigmoid
nan = float('nan')
mk = lambda n: L.full((n,), nan, requires_grad=True)
for x in (mk(1), mk(3), mk(40)): y = hs(x); y.sum().backward(); obs('g', [y, x.grad])
x = L.tensor([-4.0, -3.0, 0.0, 2.9, 3.0, float('nan')], requires_grad=True)
y = L.nn.functional.hardsigmoid(x)
y.sum().backward()
obs('mixed', [y, x.grad])
""")


def test_softshrink_inf_gradient_and_signed_zero() -> None:
    # was x - clamp(x): an inf gradient became NaN (inf - inf) inside and outside; -0.0 inside
    lockstep("""
x = L.tensor([-1.0, -0.4, -0.2, 0.0, 0.4, 0.5, 3.0], requires_grad=True)
y = L.nn.functional.softshrink(x, 0.4)
inf = float('inf')
y.backward(L.tensor([inf, inf, -inf, 1.0, 2.0, inf, 3.0]))
obs('out', [y, x.grad, str(y)])
""")
