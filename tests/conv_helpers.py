"""Shared helpers of the convolution/pooling/recurrent tests: run the same call in pyautograd
and PyTorch on the same data and compare outputs and gradients."""

import numpy as np
from nn_helpers import assert_close, pa_of, torch_of, torch_or_skip

import pyautograd as pa

TOL = {"float64": (1e-7, 1e-9), "float32": (2e-5, 2e-5)}


def run_both(fn_pa, fn_torch, arrays, dtype="float64", seed=1, grad_mask=None):
    """Calls fn_pa(*pa tensors) and fn_torch(*torch tensors) on the same arrays (all
    requiring grad unless grad_mask says otherwise), backpropagates the same random weights
    through the first output and compares outputs and every input gradient."""
    torch = torch_or_skip()
    rtol, atol = TOL[dtype]
    mask = grad_mask or [True] * len(arrays)
    px = [pa_of(a, getattr(pa, dtype), requires_grad=m) for a, m in zip(arrays, mask, strict=True)]
    tx = [
        torch_of(a, torch, getattr(torch, dtype), requires_grad=m)
        for a, m in zip(arrays, mask, strict=True)
    ]
    po, to = fn_pa(*px), fn_torch(*tx)
    pouts = po if isinstance(po, tuple) else (po,)
    touts = to if isinstance(to, tuple) else (to,)
    assert len(pouts) == len(touts)
    for i, (a, b) in enumerate(zip(pouts, touts, strict=True)):
        if b.dtype == torch.int64:
            np.testing.assert_array_equal(np.array(a.tolist()), b.numpy(), err_msg=f"output {i}")
        else:
            assert str(a.dtype).split(".")[-1] == dtype, a.dtype
            assert_close(a, b, rtol, atol, f"output {i}")
    if not touts[0].requires_grad:
        return pouts, touts
    w = np.random.default_rng(seed).standard_normal(tuple(touts[0].shape))
    (pouts[0] * pa_of(w, pouts[0].dtype)).sum().backward()
    (touts[0] * torch_of(w, torch, touts[0].dtype)).sum().backward()
    for i, (a, b) in enumerate(zip(px, tx, strict=True)):
        if b.grad is not None:
            assert a.grad is not None, f"input {i} got no gradient"
            assert_close(a.grad, b.grad, rtol, atol, f"gradient of input {i}")
    return pouts, touts
