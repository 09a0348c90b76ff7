"""Concurrency: several Python threads, each training its own small model (the seed's autograd
loop at reduced size, float64), give bit-identical results to training the same models one
after another; grad mode is per thread."""

import threading

import numpy as np
import pytest

import pyautograd as pa
from pyautograd.autograd import Variable

N_THREADS = 4


def make_model(seed, M=32, D_in=300, H=64, D_out=10):
    """Inputs and parameters of one model, created up front (no RNG use inside threads).
    D_in * H * M is large enough for mm to run without the GIL."""
    rng = np.random.default_rng(seed)

    def leaf(*shape, rg):
        return Variable(pa.tensor(rng.standard_normal(shape), dtype=pa.float64), requires_grad=rg)

    x, y = leaf(D_in, M, rg=False), leaf(D_out, M, rg=False)
    params = {
        "w1": leaf(H, D_in, rg=True),
        "w2": leaf(D_out, H, rg=True),
        "b1": leaf(H, 1, rg=True),
        "b2": leaf(D_out, 1, rg=True),
    }
    return x, y, params


def train(model, steps, lr=1e-6, barrier=None):
    """The seed's loop (two-layer net, clamp as relu, squared error, manual SGD)."""
    x, y, p = model
    if barrier is not None:
        barrier.wait()
    losses = []
    for _ in range(steps):
        z1 = p["w1"].mm(x) + p["b1"]
        a1 = z1.clamp(min=0)
        y_pred = p["w2"].mm(a1) + p["b2"]
        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        for w in p.values():
            w.data -= lr * w.grad.data
            w.grad.data.zero_()
    return losses, {k: w.detach().numpy().copy() for k, w in p.items()}


def run_threads(fns):
    results, errors = [None] * len(fns), []

    def wrap(i, fn):
        try:
            results[i] = fn()
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=wrap, args=(i, fn)) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    if errors:
        raise errors[0]
    return results


def assert_bit_identical(a, b, what):
    la, pa_ = a
    lb, pb = b
    assert la == lb, f"{what}: loss histories differ"
    for k in pa_:
        assert pa_[k].tobytes() == pb[k].tobytes(), f"{what}: parameter {k} differs"


@pytest.mark.parametrize("blas_threads", [1, 2])
def test_concurrent_training_is_bit_identical_to_sequential(blas_threads, capsys):
    prev = pa.get_num_threads()
    pa.set_num_threads(blas_threads)
    try:
        steps = 60
        sequential = [train(make_model(100 + i), steps) for i in range(N_THREADS)]
        models = [make_model(100 + i) for i in range(N_THREADS)]
        barrier = threading.Barrier(N_THREADS)
        concurrent = run_threads([lambda m=m: train(m, steps, barrier=barrier) for m in models])
    finally:
        pa.set_num_threads(prev)
    for i in range(N_THREADS):
        assert_bit_identical(sequential[i], concurrent[i], f"model {i}")
        assert sequential[i][0][-1] < sequential[i][0][0], "the loss did not decrease"
    # the models really differ from each other (no accidental sharing)
    assert len({s[0][-1] for s in sequential}) == N_THREADS
    with capsys.disabled():
        print(
            f"\n[threads] {N_THREADS} threads x {steps} steps (BLAS threads={blas_threads}): "
            "bit-identical to sequential runs; final losses "
            + ", ".join(f"{s[0][-1]:.6g}" for s in sequential)
        )


def test_concurrent_training_repeated_runs_agree():
    steps = 25
    first = run_threads([lambda i=i: train(make_model(7 + i), steps) for i in range(N_THREADS)])
    second = run_threads([lambda i=i: train(make_model(7 + i), steps) for i in range(N_THREADS)])
    for i in range(N_THREADS):
        assert_bit_identical(first[i], second[i], f"model {i}")


def test_grad_mode_is_per_thread():
    x = pa.ones(3, dtype=pa.float64, requires_grad=True)
    a_in_no_grad = threading.Event()
    b_checked = threading.Event()
    b_disabled = threading.Event()
    a_checked = threading.Event()
    seen = {}

    def thread_a():
        with pa.no_grad():
            seen["a_enabled_inside"] = pa.is_grad_enabled()
            seen["a_requires_grad_inside"] = (x * 2).requires_grad
            a_in_no_grad.set()
            assert b_checked.wait(10)
            # B switched its own mode off meanwhile; A is still in no_grad, unaffected
            seen["a_still_off"] = not pa.is_grad_enabled()
        assert b_disabled.wait(10)
        seen["a_enabled_after"] = pa.is_grad_enabled()
        seen["a_requires_grad_after"] = (x * 2).requires_grad
        a_checked.set()

    def thread_b():
        assert a_in_no_grad.wait(10)
        seen["b_enabled_while_a_no_grad"] = pa.is_grad_enabled()
        seen["b_requires_grad_while_a_no_grad"] = (x * 2).requires_grad
        b_checked.set()
        pa.set_grad_enabled(False)
        b_disabled.set()
        assert a_checked.wait(10)
        seen["b_off"] = not pa.is_grad_enabled() and not (x * 2).requires_grad
        pa.set_grad_enabled(True)

    run_threads([thread_a, thread_b])
    assert seen == {
        "a_enabled_inside": False,
        "a_requires_grad_inside": False,
        "b_enabled_while_a_no_grad": True,
        "b_requires_grad_while_a_no_grad": True,
        "a_still_off": True,
        "a_enabled_after": True,
        "a_requires_grad_after": True,
        "b_off": True,
    }
    assert pa.is_grad_enabled()


def test_new_thread_starts_with_grad_enabled_even_if_main_is_in_no_grad():
    x = pa.ones(2, requires_grad=True)
    with pa.no_grad():
        (res,) = run_threads([lambda: (pa.is_grad_enabled(), (x * 2).requires_grad)])
        assert not pa.is_grad_enabled()
    assert res == (True, True)


def test_no_grad_in_one_thread_while_others_train():
    """One thread spins in no_grad doing forward passes while others train: their graphs are
    recorded normally and their results stay bit-identical to sequential training."""
    steps = 20
    ref = [train(make_model(50 + i), steps) for i in range(2)]
    stop = threading.Event()
    observed = []

    def inference():
        x = pa.ones(64, 64, dtype=pa.float64, requires_grad=True)
        with pa.no_grad():
            while not stop.is_set():
                observed.append((x.mm(x) + 1).requires_grad or pa.is_grad_enabled())

    def trainer(i):
        try:
            return train(make_model(50 + i), steps)
        finally:
            if i == 0:
                stop.set()

    t = threading.Thread(target=inference)
    t.start()
    try:
        out = run_threads([lambda i=i: trainer(i) for i in range(2)])
    finally:
        stop.set()
        t.join(30)
    assert observed and not any(observed)
    for i in range(2):
        assert_bit_identical(ref[i], out[i], f"model {i}")
