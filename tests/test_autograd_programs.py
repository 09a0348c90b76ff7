"""Full programs: program 2 of the seed tutorial (Variable + loss.backward()
+ ``.data`` updates) run as is with ``import pyautograd as torch``, and the
modern-style variant (requires_grad=True, no_grad updates, grad.zero_()).

The seed's final loss after 300 epochs depends on the random draw (with
PyTorch's RNG roughly 1 seed in 4 ends slightly above 0.1), so the
"< 0.1" criterion is tried on up to four manual seeds; every run must still
show the loss falling from thousands by many orders of magnitude."""

import contextlib
import io
import itertools
import math
import re

from grad_helpers import IS_STANDIN

import pyautograd

SEEDS = (0, 1, 2, 3)

# Program 2 of /work/shared/seed, verbatim except for the two shim imports and
# the manual_seed line (comments dropped).
SEED_PROGRAM_2 = """
import pyautograd as torch
from pyautograd.autograd import Variable
torch.manual_seed(SEED)

M, input_size, hidden_size, output_size = 64, 1000, 100, 10

x = Variable(torch.randn(input_size, M), requires_grad=False)
y = Variable(torch.randn(output_size, M), requires_grad=False)

def init_parameters():
    w1 = Variable(torch.randn(hidden_size, input_size), requires_grad=True)
    w2 = Variable(torch.randn(output_size, hidden_size), requires_grad=True)
    b1 = Variable(torch.randn(hidden_size, 1), requires_grad=True)
    b2 = Variable(torch.randn(output_size, 1), requires_grad=True)
    return {"w1": w1, "w2":w2, "b1": b1, "b2": b2}

def model(x, parameters):
    Z1 = parameters["w1"].mm(x) + parameters["b1"]
    A1 = Z1.clamp(min=0)
    Z2 = parameters["w2"].mm(A1) + parameters["b2"]
    return Z2

def loss_fn(y, y_pred):
    m = y.size()[1]
    loss = (y_pred - y).pow(2).sum()
    return loss

learning_rate = 1e-6
EPOCH = 300

parameters = init_parameters()

for t in range(EPOCH):
    y_pred= model(x, parameters)
    loss = loss_fn(y, y_pred)
    if (t+1) % 50 == 0:
        print(loss.data[0])
    loss.backward()

    parameters["w1"].data -= learning_rate * parameters["w1"].grad.data
    parameters["w2"].data -= learning_rate * parameters["w2"].grad.data
    parameters["b1"].data -= learning_rate * parameters["b1"].grad.data
    parameters["b2"].data -= learning_rate * parameters["b2"].grad.data

    parameters["w1"].grad.data.zero_()
    parameters["w2"].grad.data.zero_()
    parameters["b1"].grad.data.zero_()
    parameters["b2"].grad.data.zero_()
"""

_NUM = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def _run_seed_program(seed):
    src = SEED_PROGRAM_2.replace("SEED", str(seed))
    if IS_STANDIN:
        # modern PyTorch rejects indexing a 0-d tensor; pyautograd keeps the
        # legacy behaviour (loss.data[0] -> Python number)
        src = src.replace("print(loss.data[0])", "print(loss.item())")
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        exec(compile(src, "<seed program 2>", "exec"), {"__name__": "__seed__"})
    lines = [line for line in buf.getvalue().splitlines() if line.strip()]
    assert len(lines) == 6, lines
    if not IS_STANDIN:
        # loss.data[0] prints a plain Python number
        for line in lines:
            float(line)
    return [float(_NUM.search(line).group(0)) for line in lines]


def _check_run(losses):
    assert all(math.isfinite(v) for v in losses), losses
    assert losses[0] > 100, losses
    assert losses[-1] < 5.0, losses
    assert all(b < a for a, b in itertools.pairwise(losses)), losses


def test_seed_program_2_as_is():
    runs = []
    for seed in SEEDS:
        losses = _run_seed_program(seed)
        _check_run(losses)
        runs.append(losses)
        if losses[-1] < 0.1:
            break
    assert runs[-1][-1] < 0.1, runs


def _run_modern(seed, epochs=300):
    torch = pyautograd
    torch.manual_seed(seed)
    M, input_size, hidden_size, output_size = 64, 1000, 100, 10
    x = torch.randn(input_size, M)
    y = torch.randn(output_size, M)
    w1 = torch.randn(hidden_size, input_size, requires_grad=True)
    w2 = torch.randn(output_size, hidden_size, requires_grad=True)
    b1 = torch.randn(hidden_size, 1, requires_grad=True)
    b2 = torch.randn(output_size, 1, requires_grad=True)
    lr = 1e-6
    losses = []
    for _ in range(epochs):
        y_pred = w2.mm((w1.mm(x) + b1).clamp(min=0)) + b2
        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            w1 -= lr * w1.grad
            w2 -= lr * w2.grad
            b1 -= lr * b1.grad
            b2 -= lr * b2.grad
        w1.grad.zero_()
        w2.grad.zero_()
        b1.grad.zero_()
        b2.grad.zero_()
    assert w1.is_leaf and w1.requires_grad
    return losses


def test_modern_style_program():
    runs = []
    for seed in SEEDS:
        losses = _run_modern(seed)
        assert losses[0] > 1000, losses[:3]
        _check_run(losses[49::50])
        runs.append(losses)
        if losses[-1] < 0.1:
            break
    assert runs[-1][-1] < 0.1, [r[-1] for r in runs]
