"""``pyautograd.func``: ``functional_call`` and ``grad``/``grad_and_value`` (``torch.func``)
built on reverse-mode autograd. The vectorising transforms (vmap, jacfwd, jvp) are not
available: asking for one raises a RuntimeError naming it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._core import Tensor
from .nn.utils.stateless import functional_call

__all__ = ["functional_call", "grad", "grad_and_value"]

_UNSUPPORTED = (
    "vmap",
    "jacfwd",
    "jvp",
    "hessian",
    "jacrev",
    "vjp",
    "linearize",
    "stack_module_state",
)


def __getattr__(name: str) -> Any:
    if name in _UNSUPPORTED:
        raise RuntimeError(f"torch.func.{name} is not supported by pyautograd")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _tree_map(fn: Callable[[Any], Any], tree: Any) -> Any:
    if isinstance(tree, Tensor):
        return fn(tree)
    if isinstance(tree, dict):
        return {k: _tree_map(fn, v) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return type(tree)(_tree_map(fn, v) for v in tree)
    return tree


def _leaves(tree: Any) -> list[Tensor]:
    out: list[Tensor] = []
    _tree_map(lambda t: out.append(t), tree)
    return out


def grad_and_value(
    func: Callable[..., Any], argnums: int | tuple[int, ...] = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """A function returning (the gradient of func's scalar output with respect to the
    arguments argnums (tensors or trees of them), func's output) - with has_aux, func returns
    (output, aux) and the second item is (output, aux)."""
    from .autograd import enable_grad
    from .autograd import grad as autograd_grad

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
        if not nums:
            raise RuntimeError("grad_and_value(f)(*args): argnums must be non-empty")
        for n in nums:
            if not -len(args) <= n < len(args):
                raise RuntimeError(f"Got argnums={n}, but only {len(args)} positional inputs")
        # an input already requiring grad is differentiated by an enclosing transform (or
        # graph) too: it is tracked through a view and the gradient is built differentiably
        outer = any(t.requires_grad for n in nums for t in _leaves(args[n]))

        def track(t: Tensor) -> Tensor:
            return t.view_as(t) if t.requires_grad else t.detach().requires_grad_(True)

        new_args = list(args)
        with enable_grad():
            for n in nums:
                new_args[n] = _tree_map(track, args[n])
            result = func(*new_args, **kwargs)
            if has_aux:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(
                        "grad_and_value(f)(*args): output of function f should be a tuple: "
                        "(output, aux) if has_aux is True"
                    )
                output, aux = result
            else:
                output, aux = result, None
            if not isinstance(output, Tensor) or output.numel() != 1:
                raise RuntimeError(
                    "grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, "
                    f"got tensor with {output.dim() if isinstance(output, Tensor) else '?'} dims"
                )
            inputs = [t for n in nums for t in _leaves(new_args[n])]
            grads = autograd_grad(output, inputs, create_graph=outer, allow_unused=True)
        it = iter(
            g if g is not None else i.detach() * 0 for g, i in zip(grads, inputs, strict=True)
        )
        per_arg = [_tree_map(lambda _t: next(it), new_args[n]) for n in nums]
        g_out = per_arg[0] if isinstance(argnums, int) else tuple(per_arg)
        value = output if outer else output.detach()
        if has_aux:
            aux_out = aux if outer else _tree_map(lambda t: t.detach(), aux)
            return g_out, (value, aux_out)
        return g_out, value

    return wrapper


def grad(
    func: Callable[..., Any], argnums: int | tuple[int, ...] = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """A function returning the gradient of func's scalar output with respect to the
    arguments argnums (and func's aux output, with has_aux)."""
    gv = grad_and_value(func, argnums, has_aux)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g, value = gv(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return wrapper
