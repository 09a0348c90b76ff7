"""pyautograd.autograd.functional: vjp, jvp, jacobian, vhp, hvp and hessian of a function, as
torch.autograd.functional. Reverse mode throughout: jvp, vhp, hvp and hessian differentiate
gradients again (create_graph=True), as PyTorch's do."""

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


def _prepare(inputs: tuple[Tensor, ...], create_graph: bool = False) -> tuple[Tensor, ...]:
    """Inputs to differentiate at: with create_graph, an input that requires grad stays
    connected to its graph (a view of it), as PyTorch's _grad_preprocess."""
    return tuple(
        t.view_as(t)
        if create_graph and t.requires_grad
        else t.detach().requires_grad_(t.is_floating_point())
        for t in inputs
    )


def _post(ts: tuple[Tensor, ...], create_graph: bool) -> tuple[Tensor, ...]:
    return ts if create_graph else tuple(t.detach() for t in ts)


def _grads(
    name: str,
    outputs: tuple[Tensor, ...],
    inputs: tuple[Tensor, ...],
    grad_outputs: tuple[Tensor, ...],
    strict: bool,
    retain: bool,
    create_graph: bool = False,
) -> tuple[Tensor, ...]:
    """d(outputs . grad_outputs)/d(inputs); zeros for inputs the outputs do not depend on
    (an error when strict)."""
    diff_out = [(o, g) for o, g in zip(outputs, grad_outputs, strict=True) if o.requires_grad]
    if diff_out:
        got = _core._grad(
            [o for o, _ in diff_out],
            list(inputs),
            [g for _, g in diff_out],
            retain or create_graph,
            True,
            create_graph,
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
    xs, in_tuple = _tuple("vjp", "inputs", inputs)
    xs = _prepare(xs, create_graph)
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
    grads = _post(_grads("vjp", outs, xs, vs, strict, False, create_graph), create_graph)
    detached = _post(outs, create_graph)
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
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError(
            'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
            "function has more outputs than inputs, forward-mode may be more efficient."
        )
    if strategy == "forward-mode":
        raise NotImplementedError("[jacobian] strategy='forward-mode' is not supported")
    xs, in_tuple = _tuple("jacobian", "inputs", inputs)
    xs = _prepare(xs, create_graph)
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
            grads = _grads("jacobian", (o,), xs, (seed_t,), strict, True, create_graph)
            for j, g in enumerate(grads):
                rows[j].append(g.reshape(-1))
        blocks = []
        for j, x in enumerate(xs):
            if n == 0 or x.numel() == 0:
                block = _core.zeros((n, x.numel()), dtype=x.dtype)
            elif create_graph:
                block = _core.stack(rows[j], 0)
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


def _vectors(name: str, v: Any, like: tuple[Tensor, ...], what: str) -> tuple[Tensor, ...]:
    if v is None:
        if len(like) != 1 or like[0].numel() != 1:
            raise RuntimeError(
                f"[{name}] The vector v can only be None if the {what} is a single Tensor with "
                "a single element."
            )
        return (_core.ones(like[0].shape, dtype=like[0].dtype),)
    vs, _ = _tuple(name, "v", v)
    if len(vs) != len(like):
        raise RuntimeError(f"[{name}] v has {len(vs)} tensors but the {what} has {len(like)}")
    for t, g in zip(like, vs, strict=True):
        if tuple(t.shape) != tuple(g.shape):
            raise RuntimeError(
                f"[{name}] Mismatch in shape: v has a Tensor of shape {list(g.shape)} and the "
                f"{what} has a Tensor of shape {list(t.shape)}"
            )
    return vs


def _scalar_output(name: str, raw: Any) -> Tensor:
    outs, _ = _tuple(name, "outputs of the user-provided function", raw)
    if len(outs) != 1 or outs[0].numel() != 1:
        raise RuntimeError(
            f"[{name}] The function given to {name} should return a single Tensor with a single "
            "element"
        )
    return outs[0]


def jvp(
    func: Callable[..., Any],
    inputs: Any,
    v: Any = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """(func(inputs), the Jacobian-vector product J v), by the double-vjp trick (as PyTorch's):
    the vjp with a dummy vector u is linear in u, and its vjp with v is J v."""
    from .autograd import enable_grad

    xs, _ = _tuple("jvp", "inputs", inputs)
    xs = _prepare(xs, create_graph)
    vs = _vectors("jvp", v, xs, "input")
    with enable_grad():
        raw = func(*xs)
        outs, out_tuple = _tuple("jvp", "outputs of the user-provided function", raw)
        us = tuple(_core.zeros(o.shape, dtype=o.dtype).requires_grad_(True) for o in outs)
        g = _grads("jvp", outs, xs, us, strict, True, True)
        diff = [(gi, vi) for gi, vi in zip(g, vs, strict=True) if gi.requires_grad]
        if diff:
            got = _core._grad(
                [gi for gi, _ in diff], list(us), [vi for _, vi in diff], True, True, create_graph
            )
        else:
            got = (None,) * len(us)
    res = tuple(
        _core.zeros(o.shape, dtype=o.dtype) if r is None else r
        for o, r in zip(outs, got, strict=True)
    )
    res = _post(res, create_graph)
    out = _post(outs, create_graph)
    return (out if out_tuple else out[0], res if out_tuple else res[0])


def vhp(
    func: Callable[..., Any],
    inputs: Any,
    v: Any = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """(func(inputs), v^T H) for a scalar function: the gradient, differentiated again along v."""
    from .autograd import enable_grad

    xs, in_tuple = _tuple("vhp", "inputs", inputs)
    xs = _prepare(xs, create_graph)
    vs = _vectors("vhp", v, xs, "input")
    with enable_grad():
        out = _scalar_output("vhp", func(*xs))
        g = _grads("vhp", (out,), xs, (_core.ones(out.shape, dtype=out.dtype),), strict, True, True)
        res = _grads_of(g, xs, vs, create_graph)
    res = _post(res, create_graph)
    return (_post((out,), create_graph)[0], res if in_tuple else res[0])


def hvp(
    func: Callable[..., Any],
    inputs: Any,
    v: Any = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """(func(inputs), H v) for a scalar function (the Hessian is symmetric: v^T H, transposed)."""
    out, res = vhp(func, inputs, v, create_graph, strict)
    return out, res


def _grads_of(
    g: tuple[Tensor, ...], xs: tuple[Tensor, ...], vs: tuple[Tensor, ...], create_graph: bool
) -> tuple[Tensor, ...]:
    """d(g . vs)/d(xs), zeros where g does not depend on an input."""
    diff = [(gi, vi) for gi, vi in zip(g, vs, strict=True) if gi.requires_grad]
    if not diff:
        return tuple(_core.zeros(x.shape, dtype=x.dtype) for x in xs)
    got = _core._grad(
        [gi for gi, _ in diff], list(xs), [vi for _, vi in diff], True, True, create_graph
    )
    return tuple(
        _core.zeros(x.shape, dtype=x.dtype) if r is None else r
        for x, r in zip(xs, got, strict=True)
    )


def hessian(
    func: Callable[..., Any],
    inputs: Any,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    outer_jacobian_strategy: str = "reverse-mode",
) -> Any:
    """The Hessian of a scalar function: the Jacobian of its gradient (shape input.shape +
    input.shape; nested tuples for several inputs)."""
    xs, in_tuple = _tuple("hessian", "inputs", inputs)

    def gradient(*args: Tensor) -> Any:
        out = _scalar_output("hessian", func(*args))
        g = _grads(
            "hessian", (out,), args, (_core.ones(out.shape, dtype=out.dtype),), strict, True, True
        )
        return g if in_tuple else g[0]

    return jacobian(
        gradient,
        tuple(xs) if in_tuple else xs[0],
        create_graph=create_graph,
        strict=strict,
        vectorize=vectorize,
        strategy=outer_jacobian_strategy,
    )
