"""pyautograd.autograd.functional: vjp and jacobian of a function, as torch.autograd.functional.

They need first-order gradients only. jvp, hvp, vhp and hessian need gradients of gradients
(``create_graph=True``), which pyautograd's engine does not record: they raise."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import _core
from ._core import Tensor

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]


def _tuple(name: str, arg: str, x: Any) -> tuple[tuple[Tensor, ...], bool]:
    """(x as a tuple of tensors, whether x was a tuple)."""
    is_tuple = isinstance(x, (tuple, list))
    items = tuple(x) if is_tuple else (x,)
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            where = f"element {i} of " if is_tuple else ""
            raise TypeError(
                f"The {where}{arg} given to {name} must be a Tensor, got {type(t).__name__}"
            )
    return items, is_tuple


def _no_higher_order(name: str, create_graph: bool) -> None:
    if create_graph:
        raise NotImplementedError(
            f"[{name}] create_graph=True needs gradients of gradients, which pyautograd does not "
            "record"
        )


def _prepare(inputs: tuple[Tensor, ...]) -> tuple[Tensor, ...]:
    return tuple(t.detach().requires_grad_(t.is_floating_point()) for t in inputs)


def _grads(
    name: str,
    outputs: tuple[Tensor, ...],
    inputs: tuple[Tensor, ...],
    grad_outputs: tuple[Tensor, ...],
    strict: bool,
    retain: bool,
) -> tuple[Tensor, ...]:
    """d(outputs . grad_outputs)/d(inputs); zeros for inputs the outputs do not depend on
    (an error when strict)."""
    diff_out = [(o, g) for o, g in zip(outputs, grad_outputs, strict=True) if o.requires_grad]
    if diff_out:
        got = _core._grad(
            [o for o, _ in diff_out], list(inputs), [g for _, g in diff_out], retain, True
        )
    else:
        got = (None,) * len(inputs)
    out = []
    for i, (g, x) in enumerate(zip(got, inputs, strict=True)):
        if g is None:
            if strict:
                raise RuntimeError(
                    f"[{name}] the output of the user-provided function is independent of input "
                    f"{i}. This is not allowed in strict mode."
                )
            g = _core.zeros(x.shape, dtype=x.dtype)
        out.append(g)
    return tuple(out)


def vjp(
    func: Callable[..., Any],
    inputs: Any,
    v: Any = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """(func(inputs), the vector-Jacobian product v^T J) — v may be omitted when func returns
    a single element. Tuples in, tuples out, as PyTorch."""
    _no_higher_order("vjp", create_graph)
    xs, in_tuple = _tuple("vjp", "inputs", inputs)
    xs = _prepare(xs)
    from .autograd import enable_grad

    with enable_grad():
        raw = func(*xs)
    outs, out_tuple = _tuple("vjp", "outputs of the user-provided function", raw)
    if v is None:
        if len(outs) != 1 or outs[0].numel() != 1:
            raise RuntimeError(
                "The vector v can only be None if the user-provided function returns a single "
                "Tensor with a single element."
            )
        vs: tuple[Tensor, ...] = (_core.ones(outs[0].shape, dtype=outs[0].dtype),)
    else:
        vs, _ = _tuple("vjp", "v", v)
        if len(vs) != len(outs):
            raise RuntimeError(
                f"v has {len(vs)} tensors but the function returned {len(outs)} outputs"
            )
        for o, g in zip(outs, vs, strict=True):
            if tuple(o.shape) != tuple(g.shape):
                raise RuntimeError(
                    f"Mismatch in shape: v has a Tensor of shape {list(g.shape)} and the output "
                    f"has a Tensor of shape {list(o.shape)}"
                )
    grads = _grads("vjp", outs, xs, vs, strict, False)
    detached = tuple(o.detach() for o in outs)
    return (
        detached if out_tuple else detached[0],
        grads if in_tuple else grads[0],
    )


def jacobian(
    func: Callable[..., Any],
    inputs: Any,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    strategy: str = "reverse-mode",
) -> Any:
    """The Jacobian of func at inputs: for one input and one output a tensor of shape
    ``output.shape + input.shape``; tuples of them (nested for several outputs) otherwise.
    Reverse mode, one backward pass per output element."""
    _no_higher_order("jacobian", create_graph)
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError(
            'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
            "function has more outputs than inputs, forward-mode may be more efficient."
        )
    if strategy == "forward-mode":
        raise NotImplementedError("[jacobian] strategy='forward-mode' is not supported")
    xs, in_tuple = _tuple("jacobian", "inputs", inputs)
    xs = _prepare(xs)
    from .autograd import enable_grad

    with enable_grad():
        raw = func(*xs)
    outs, out_tuple = _tuple("jacobian", "outputs of the user-provided function", raw)
    per_output = []
    for o in outs:
        n = o.numel()
        rows: list[list[Tensor]] = [[] for _ in xs]
        for k in range(n):
            seed = _core.zeros((n,), dtype=o.dtype)
            seed[k] = 1
            seed_t = seed.reshape(tuple(o.shape))
            grads = _grads("jacobian", (o,), xs, (seed_t,), strict, True)
            for j, g in enumerate(grads):
                rows[j].append(g.reshape(-1))
        blocks = []
        for j, x in enumerate(xs):
            if n == 0 or x.numel() == 0:
                block = _core.zeros((n, x.numel()), dtype=x.dtype)
            else:
                block = _stack_rows(rows[j])
            blocks.append(block.reshape(tuple(o.shape) + tuple(x.shape)))
        per_output.append(tuple(blocks) if in_tuple else blocks[0])
    return tuple(per_output) if out_tuple else per_output[0]


def _stack_rows(rows: list[Tensor]) -> Tensor:
    out = _core.empty((len(rows), rows[0].numel()), dtype=rows[0].dtype)
    for i, r in enumerate(rows):
        out[i] = r
    return out


def _needs_double_backward(name: str) -> Callable[..., Any]:
    def fn(*args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            f"[{name}] needs gradients of gradients (create_graph=True), which pyautograd does "
            "not record; vjp and jacobian work"
        )

    fn.__name__ = name
    fn.__doc__ = f"Not supported: {name} needs gradients of gradients. Raises NotImplementedError."
    return fn


jvp = _needs_double_backward("jvp")
hvp = _needs_double_backward("hvp")
vhp = _needs_double_backward("vhp")
hessian = _needs_double_backward("hessian")
