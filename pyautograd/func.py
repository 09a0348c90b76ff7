"""Function transforms (PyTorch's ``torch.func``): ``grad``, ``grad_and_value``, ``vjp``,
``jvp``, ``linearize``, ``jacrev``, ``jacfwd``, ``hessian``, ``vmap``, ``functional_call``,
``stack_module_state``.

They are written over the tape: a differentiating transform marks its inputs, runs the
function and asks the engine for gradients (with ``create_graph`` when an enclosing transform,
or a caller's tensor that requires grad, will differentiate the result again), so transforms
compose: ``grad(grad(f))``, ``vmap(grad(f))``, ``jacfwd(jacrev(f))``. ``vmap`` runs the
function once per index of the mapped dimension and stacks the results: the values, shapes and
gradients are PyTorch's; the cost is one call per sample, not one batched kernel. ``jacfwd`` and
``jvp`` give forward-mode results computed in reverse mode (``jvp`` by the double-vjp identity),
so they need the function to be twice differentiable where PyTorch's forward mode would not.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ._core import Tensor

__all__ = [
    "functional_call",
    "functionalize",
    "grad",
    "grad_and_value",
    "hessian",
    "jacfwd",
    "jacrev",
    "jvp",
    "linearize",
    "stack_module_state",
    "vjp",
    "vmap",
]


def _pa() -> Any:
    import pyautograd

    return pyautograd


# ---- pytrees: tuples, lists, dicts and None/leaves ----------------------------------------


def _flatten(tree: Any) -> tuple[list[Any], Callable[[list[Any]], Any]]:
    """The leaves of a pytree (tuples, lists, dicts) in order, and a function rebuilding the
    tree from a list of new leaves."""
    if isinstance(tree, (tuple, list)) and not hasattr(tree, "_fields"):
        parts = [_flatten(x) for x in tree]
        kind = type(tree)

        def unflat_seq(leaves: list[Any]) -> Any:
            out, i = [], 0
            for sub, (lv, un) in zip(tree, parts, strict=True):
                del sub
                out.append(un(leaves[i : i + len(lv)]))
                i += len(lv)
            return kind(out) if kind in (tuple, list) else kind(*out)

        return [x for lv, _ in parts for x in lv], unflat_seq
    if isinstance(tree, tuple):  # a namedtuple
        parts = [_flatten(x) for x in tree]

        def unflat_named(leaves: list[Any]) -> Any:
            out, i = [], 0
            for lv, un in parts:
                out.append(un(leaves[i : i + len(lv)]))
                i += len(lv)
            return type(tree)(*out)

        return [x for lv, _ in parts for x in lv], unflat_named
    if isinstance(tree, dict):
        keys = list(tree)
        parts = [_flatten(tree[k]) for k in keys]

        def unflat_dict(leaves: list[Any]) -> Any:
            out, i = type(tree)(), 0
            for k, (lv, un) in zip(keys, parts, strict=True):
                out[k] = un(leaves[i : i + len(lv)])
                i += len(lv)
            return out

        return [x for lv, _ in parts for x in lv], unflat_dict
    return [tree], lambda leaves: leaves[0]


def _tensor_leaves(tree: Any) -> list[Tensor]:
    return [x for x in _flatten(tree)[0] if isinstance(x, Tensor)]


def _refill(trees: Sequence[Any], values: Sequence[Tensor]) -> list[Any]:
    """Each tree with its tensor leaves replaced, in order, by ``values`` (one per tensor
    leaf over all the trees)."""
    it = iter(values)
    out = []
    for tree in trees:
        leaves, unflat = _flatten(tree)
        out.append(unflat([next(it) if isinstance(x, Tensor) else x for x in leaves]))
    return out


# ---- differentiation ------------------------------------------------------------------------

#: differentiating transforms currently running (their results are differentiated again)
_depth = 0


@contextlib.contextmanager
def _level() -> Iterator[None]:
    global _depth
    _depth += 1
    try:
        with _core_enable_grad():
            yield
    finally:
        _depth -= 1


def _core_enable_grad() -> Any:
    from .autograd import enable_grad

    return enable_grad()


def _argnums_tuple(name: str, argnums: Any, nargs: int) -> tuple[int, ...]:
    nums = argnums if isinstance(argnums, tuple) else (argnums,)
    if not nums:
        raise RuntimeError(f"{name}: argnums must be non-empty")
    out = []
    for a in nums:
        if not isinstance(a, int) or isinstance(a, bool):
            raise RuntimeError(
                f"{name}: argnums must be int or Tuple[int, ...], got: {type(argnums).__name__}"
            )
        if not -nargs <= a < nargs:
            raise RuntimeError(
                f"{name}: Got argnums={a}, but only {nargs} positional inputs were given"
            )
        out.append(a % nargs)
    if len(set(out)) != len(out):
        raise RuntimeError(f"{name}: argnums must be unique, got {argnums}")
    return tuple(out)


def _keeps_graph(*trees: Any) -> bool:
    """Whether results must stay differentiable: inside another differentiating transform,
    or when a tensor the caller passed requires grad."""
    return _depth > 0 or any(t.requires_grad for tree in trees for t in _tensor_leaves(tree))


def _wrap(name: str, tree: Any) -> tuple[Any, list[Tensor]]:
    """The tree with each tensor replaced by one the engine differentiates with respect to:
    an alias that keeps the caller's history when it has one, else a fresh leaf."""
    leaves, unflat = _flatten(tree)
    marked: list[Tensor] = []
    out = []
    for x in leaves:
        if isinstance(x, Tensor):
            if not (x.is_floating_point() or x.is_complex()):
                raise RuntimeError(
                    f"{name}: only Tensors of floating point dtype can be differentiated "
                    f"with respect to, got {x.dtype}"
                )
            y = x.view_as(x) if x.requires_grad else x.detach().requires_grad_(True)
            marked.append(y)
            out.append(y)
        else:
            out.append(x)
    return unflat(out), marked


def _grads(
    outputs: Sequence[Tensor],
    inputs: Sequence[Tensor],
    grad_outputs: Sequence[Tensor | None] | None,
    keep: bool,
    retain: bool = False,
) -> list[Tensor]:
    """d outputs / d inputs, zeros where an input was not used (PyTorch's transforms do so)."""
    from .autograd import grad as _autograd_grad

    used = [o for o in outputs if o.requires_grad]
    gos = None
    if grad_outputs is not None:
        gos = [g for o, g in zip(outputs, grad_outputs, strict=True) if o.requires_grad]
    if not used or not inputs:
        return [_pa().zeros_like(x) for x in inputs]
    gs = _autograd_grad(
        used, list(inputs), gos, retain_graph=retain or keep, create_graph=keep, allow_unused=True
    )
    return [_pa().zeros_like(x) if g is None else g for x, g in zip(inputs, gs, strict=True)]


def _plain(tree: Any, keep: bool) -> Any:
    """Results handed back: detached unless they must stay differentiable."""
    if keep:
        return tree
    leaves, unflat = _flatten(tree)
    return unflat([x.detach() if isinstance(x, Tensor) else x for x in leaves])


def _split_aux(name: str, out: Any, has_aux: bool) -> tuple[Any, Any]:
    if not has_aux:
        return out, None
    if not (isinstance(out, tuple) and len(out) == 2):
        raise RuntimeError(
            f"{name}(f, ...)(*args): output of function f should be a tuple: (output, aux) "
            "if has_aux is True"
        )
    return out


def grad_and_value(
    func: Callable[..., Any], argnums: int | tuple[int, ...] = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """A function returning ``(gradient, value)`` of ``func``, whose output must be a scalar
    tensor, with respect to the positional arguments ``argnums`` (tensors or pytrees of
    tensors); with ``has_aux`` func returns ``(output, aux)`` and the result is
    ``(gradient, (value, aux))``. Inputs func does not use get zero gradients."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nums = _argnums_tuple("grad_and_value", argnums, len(args))
        keep = _keeps_graph(args, kwargs)
        with _level():
            call = list(args)
            marked: list[list[Tensor]] = []
            for a in nums:
                call[a], m = _wrap("grad_and_value", args[a])
                marked.append(m)
            out, aux = _split_aux("grad_and_value", func(*call, **kwargs), has_aux)
            if not isinstance(out, Tensor):
                raise RuntimeError(
                    "grad_and_value(f)(*args): Expected f(*args) to return a Tensor, got "
                    f"{type(out).__name__}"
                )
            if out.dim() != 0:
                raise RuntimeError(
                    "grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, "
                    f"got tensor with {out.dim()} dims. Maybe you wanted to use the vjp or "
                    "jacrev APIs instead?"
                )
            flat = [t for m in marked for t in m]
            gs = _grads([out], flat, None, keep)
        results = _refill([args[a] for a in nums], gs)
        g = results[0] if isinstance(argnums, int) else tuple(results)
        value = _plain(out, keep)
        if has_aux:
            return g, (value, _plain(aux, keep))
        return g, value

    return wrapper


def grad(
    func: Callable[..., Any], argnums: int | tuple[int, ...] = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """A function returning the gradient of ``func`` (scalar tensor output) with respect to
    the positional arguments ``argnums``; with ``has_aux``, ``(gradient, aux)``. Composes with
    itself and the other transforms: ``grad(grad(f))`` is the second derivative."""
    gv = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g, value = gv(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return wrapper


def vjp(func: Callable[..., Any], *primals: Any, has_aux: bool = False) -> Any:
    """``(output, vjp_fn)`` (``(output, vjp_fn, aux)`` with ``has_aux``): ``vjp_fn(cotangents)``
    gives, for each primal, the vector-Jacobian product, as a tuple; it may be called many
    times."""
    keep = _keeps_graph(primals)
    with _level():
        wrapped, marked = [], []
        for p in primals:
            w, m = _wrap("vjp", p)
            wrapped.append(w)
            marked.append(m)
        out, aux = _split_aux("vjp", func(*wrapped), has_aux)
    out_leaves, _ = _flatten(out)
    for o in out_leaves:
        if not isinstance(o, Tensor):
            raise RuntimeError(
                f"vjp(f, *primals): Expected f to be a function that has only Tensors as its "
                f"outputs, got {type(o).__name__}"
            )

    def vjp_fn(*cotangents: Any) -> tuple[Any, ...]:
        ct = cotangents[0] if len(cotangents) == 1 else cotangents
        ct_leaves, _ = _flatten(ct)
        if len(ct_leaves) != len(out_leaves):
            raise RuntimeError(
                "Expected pytree structure of cotangents to be the same as pytree structure of "
                f"outputs to the function: {len(ct_leaves)} tensors given for "
                f"{len(out_leaves)} outputs"
            )
        for o, c in zip(out_leaves, ct_leaves, strict=True):
            if not isinstance(c, Tensor) or tuple(c.shape) != tuple(o.shape):
                shown = tuple(c.shape) if isinstance(c, Tensor) else type(c).__name__
                raise RuntimeError(
                    f"vjp: Mismatch in shape: the cotangent has shape {shown} and the output "
                    f"has shape {tuple(o.shape)}"
                )
        inner = _depth > 0 or keep or any(c.requires_grad for c in ct_leaves)
        with _level():
            flat = [t for m in marked for t in m]
            gs = _grads(out_leaves, flat, ct_leaves, inner, retain=True)
        return tuple(_refill(primals, gs))

    if has_aux:
        return _plain(out, keep), vjp_fn, _plain(aux, keep)
    return _plain(out, keep), vjp_fn


def jvp(
    func: Callable[..., Any],
    primals: Any,
    tangents: Any,
    *,
    strict: bool = False,
    has_aux: bool = False,
) -> Any:
    """``(output, jvp_out)``: func at ``primals`` and its Jacobian applied to ``tangents``
    (tuples of the same structure); with ``has_aux`` also func's aux. Computed by the
    double-vjp identity (the transposed vjp of the vjp)."""
    del strict
    if not isinstance(primals, tuple):
        raise RuntimeError(
            f"jvp(f, primals, tangents): Expected primals to be a tuple. E.g. it should be "
            f"valid to call f(*primals). Got {type(primals).__name__}"
        )
    if not isinstance(tangents, tuple):
        raise RuntimeError(
            "jvp(f, primals, tangents): Expected tangents to be a tuple, got "
            f"{type(tangents).__name__}"
        )
    p_leaves = _tensor_leaves(primals)
    t_leaves = _flatten(tangents)[0]
    if len(p_leaves) != len(t_leaves):
        raise RuntimeError(
            "jvp(f, primals, tangents): Expected primals and tangents to have the same python "
            f"structure: {len(p_leaves)} primal tensors, {len(t_leaves)} tangents"
        )
    for p, t in zip(p_leaves, t_leaves, strict=True):
        if not isinstance(t, Tensor) or tuple(t.shape) != tuple(p.shape):
            shown = tuple(t.shape) if isinstance(t, Tensor) else type(t).__name__
            raise RuntimeError(
                f"jvp(f, primals, tangents): Expected primals and tangents to have the same "
                f"shape, got a primal of shape {tuple(p.shape)} and a tangent of {shown}"
            )
    keep = _keeps_graph(primals, tangents)
    with _level():
        wrapped, marked = [], []
        for p in primals:
            w, m = _wrap("jvp", p)
            wrapped.append(w)
            marked.append(m)
        out, aux = _split_aux("jvp", func(*wrapped), has_aux)
        out_leaves, unflat = _flatten(out)
        for o in out_leaves:
            if not isinstance(o, Tensor):
                raise RuntimeError(
                    "jvp(f, primals, tangents): Expected f(*primals) to return only tensors, "
                    f"got unsupported type {type(o).__name__}"
                )
        flat = [t for m in marked for t in m]
        us = [_pa().zeros_like(o).requires_grad_(True) for o in out_leaves]
        vjps = _grads(out_leaves, flat, us, True, retain=True)
        live = [(g, t) for g, t in zip(vjps, t_leaves, strict=True) if g.requires_grad]
        if live:
            jv = _grads([g for g, _ in live], us, [t for _, t in live], keep)
        else:
            jv = [_pa().zeros_like(o) for o in out_leaves]
    result = (_plain(out, keep), unflat(jv))
    return (*result, _plain(aux, keep)) if has_aux else result


def linearize(func: Callable[..., Any], *primals: Any) -> tuple[Any, Callable[..., Any]]:
    """``(output, jvp_fn)``: ``jvp_fn(*tangents)`` is the Jacobian-vector product at primals."""
    out = func(*primals)

    def jvp_fn(*tangents: Any) -> Any:
        return jvp(func, primals, tangents)[1]

    return out, jvp_fn


def _jacobian(
    name: str,
    func: Callable[..., Any],
    argnums: int | tuple[int, ...],
    has_aux: bool,
) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nums = _argnums_tuple(name, argnums, len(args))
        keep = _keeps_graph(args, kwargs)
        with _level():
            call = list(args)
            marked: list[list[Tensor]] = []
            for a in nums:
                call[a], m = _wrap(name, args[a])
                marked.append(m)
            out, aux = _split_aux(name, func(*call, **kwargs), has_aux)
            out_leaves, unflat_out = _flatten(out)
            flat = [t for m in marked for t in m]
            per_output = []
            for o in out_leaves:
                if not isinstance(o, Tensor):
                    raise RuntimeError(
                        f"{name}(f, ...)(*args): Expected f(*args) to return only tensors, got "
                        f"unsupported type {type(o).__name__}"
                    )
                rows: list[list[Tensor]] = [[] for _ in flat]
                of = o.reshape(-1)
                for k in range(of.numel()):
                    gs = _grads([of[k]], flat, None, keep, retain=True)
                    for j, g in enumerate(gs):
                        rows[j].append(g)
                jac = []
                for j, x in enumerate(flat):
                    shape = (*o.shape, *x.shape)
                    if rows[j]:
                        jac.append(_pa().stack(rows[j]).reshape(shape))
                    else:
                        jac.append(_pa().zeros(shape, dtype=x.dtype))
                per_output.append(jac)
        results = []
        for jac in per_output:
            per_arg = _refill([args[a] for a in nums], jac)
            results.append(per_arg[0] if isinstance(argnums, int) else tuple(per_arg))
        j = unflat_out(results)
        return (j, _plain(aux, keep)) if has_aux else j

    return wrapper


def jacrev(
    func: Callable[..., Any],
    argnums: int | tuple[int, ...] = 0,
    *,
    has_aux: bool = False,
    chunk_size: int | None = None,
    _preallocate_and_copy: bool = False,
) -> Callable[..., Any]:
    """A function returning the Jacobian of ``func`` with respect to the arguments
    ``argnums``: for an output of shape O and an input of shape I, a tensor of shape O + I
    (pytrees of outputs and inputs give nested results, as PyTorch's)."""
    _check_chunk("jacrev", chunk_size)
    del _preallocate_and_copy
    return _jacobian("jacrev", func, argnums, has_aux)


def jacfwd(
    func: Callable[..., Any],
    argnums: int | tuple[int, ...] = 0,
    has_aux: bool = False,
    *,
    randomness: str = "error",
) -> Callable[..., Any]:
    """The Jacobian of ``func`` as ``jacrev`` gives it (same shapes and values; computed in
    reverse mode here)."""
    _check_randomness(randomness)
    return _jacobian("jacfwd", func, argnums, has_aux)


def hessian(func: Callable[..., Any], argnums: int | tuple[int, ...] = 0) -> Callable[..., Any]:
    """The Hessian of ``func`` (scalar output) with respect to ``argnums``:
    ``jacfwd(jacrev(func, argnums), argnums)``."""
    return jacfwd(jacrev(func, argnums), argnums)


# ---- vmap -----------------------------------------------------------------------------------


def _check_chunk(name: str, chunk_size: Any) -> None:
    if chunk_size is not None and (
        not isinstance(chunk_size, int) or isinstance(chunk_size, bool) or chunk_size <= 0
    ):
        raise ValueError(f"{name}: chunk_size should be None or greater than 0. (got {chunk_size})")


def _check_randomness(randomness: Any) -> None:
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(
            "Only allowed values for randomness are 'error', 'different', or 'same'. Got "
            f"{randomness}"
        )


def _dims_like(name: str, dims: Any, tree: Any, what: str) -> list[Any]:
    """``dims`` broadcast over the leaves of ``tree`` (an int/None applies to all of them)."""
    leaves = _flatten(tree)[0]
    if dims is None or (isinstance(dims, int) and not isinstance(dims, bool)):
        return [dims] * len(leaves)
    if isinstance(dims, (tuple, list, dict)):
        if isinstance(dims, dict) != isinstance(tree, dict) or (
            not isinstance(dims, dict)
            and (not isinstance(tree, (tuple, list)) or len(dims) != len(tree))
        ):
            raise ValueError(
                f"{name}: {what} is not compatible with the structure of the inputs: "
                f"{what}={dims!r}"
            )
        if isinstance(dims, dict):
            if set(dims) != set(tree):
                raise ValueError(f"{name}: {what} keys {sorted(dims)} do not match the inputs'")
            return [d for k in tree for d in _dims_like(name, dims[k], tree[k], what)]
        return [d for d, t in zip(dims, tree, strict=True) for d in _dims_like(name, d, t, what)]
    raise ValueError(
        f"{name}: Expected {what} to be int or a (potentially nested) tuple matching the "
        f"structure of inputs, got: {type(dims).__name__}."
    )


def vmap(
    func: Callable[..., Any],
    in_dims: Any = 0,
    out_dims: Any = 0,
    randomness: str = "error",
    *,
    chunk_size: int | None = None,
) -> Callable[..., Any]:
    """``func`` mapped over a dimension of its inputs: ``in_dims`` says which dimension of
    each positional argument is mapped (None: passed whole), ``out_dims`` where the mapped
    dimension goes in the outputs. func runs once per index and the results are stacked, so
    values, shapes and gradients are PyTorch's (the cost is one call per sample).
    ``randomness='error'`` refuses a func that draws random numbers, ``'same'`` gives every
    sample the same draws, ``'different'`` different ones."""
    _check_randomness(randomness)
    _check_chunk("vmap", chunk_size)
    if not callable(func):
        raise RuntimeError(f"vmap: Expected 'func' to be callable, got {type(func).__name__}")

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        dims_tree = in_dims
        if isinstance(in_dims, (tuple, list)) and len(in_dims) != len(args):
            raise ValueError(
                f"vmap(func, in_dims={in_dims!r}, ...)(<inputs>): in_dims is not compatible "
                f"with the structure of `inputs`. in_dims has structure of length "
                f"{len(in_dims)} but inputs has {len(args)} positional arguments."
            )
        if not isinstance(in_dims, (tuple, list)):
            dims_tree = (in_dims,) * len(args) if not isinstance(in_dims, dict) else in_dims
        leaves, unflat = _flatten(args)
        dims = _dims_like("vmap", dims_tree, args, "in_dims")
        size = None
        norm: list[int | None] = []
        for x, d in zip(leaves, dims, strict=True):
            if d is None:
                norm.append(None)
                continue
            if not isinstance(x, Tensor):
                raise ValueError(
                    f"vmap(func, in_dims={in_dims!r}, ...)(<inputs>): Got in_dim={d} for an input "
                    f"but the input is of type {type(x).__name__}. We cannot vmap over non-Tensor "
                    "arguments, please use None as the respective in_dim"
                )
            if not -x.dim() <= d < max(x.dim(), 1) or x.dim() == 0:
                raise ValueError(
                    f"vmap(func, in_dims={in_dims!r}, ...)(<inputs>): Got in_dim={d} for some "
                    f"input, but that input is a Tensor of dimensionality {x.dim()} so expected "
                    f"in_dim to satisfy -{x.dim()} <= in_dim < {x.dim()}."
                )
            d %= x.dim()
            n = x.shape[d]
            if size is not None and n != size:
                raise ValueError(
                    "vmap: Expected all tensors to have the same size in the mapped dimension, "
                    f"got sizes {size} and {n} for the mapped dimension"
                )
            size = n
            norm.append(d)
        if size is None:
            raise ValueError(
                f"vmap(func, in_dims={in_dims!r}, ...)(<inputs>): Got in_dims={in_dims!r} where "
                "no input is a Tensor mapped over a dimension: at least one input must be"
            )
        if size == 0:
            raise RuntimeError(
                "vmap: the mapped dimension has size 0; running func over no samples cannot "
                "give the outputs' shapes here"
            )
        state = _pa().get_rng_state() if randomness in ("error", "same") else None
        outs = []
        for i in range(size):
            if randomness == "same":
                _pa().set_rng_state(state)
            sample = [x if d is None else x.select(d, i) for x, d in zip(leaves, norm, strict=True)]
            outs.append(func(*unflat(sample), **kwargs))
        if randomness == "error" and not _pa().equal(state, _pa().get_rng_state()):
            _pa().set_rng_state(state)
            raise RuntimeError(
                "vmap: called random operation while in randomness error mode. Please either "
                "use the 'same' or 'different' randomness flags on vmap or perform the "
                "randomness operation out of vmap"
            )
        return _stack_outputs(outs, out_dims)

    return wrapper


def _stack_outputs(outs: list[Any], out_dims: Any) -> Any:
    first, unflat = _flatten(outs[0])
    per_sample = [_flatten(o)[0] for o in outs]
    dims = _dims_like("vmap", out_dims, outs[0], "out_dims")
    stacked = []
    for j, (x, d) in enumerate(zip(first, dims, strict=True)):
        col = [s[j] for s in per_sample]
        if not isinstance(x, Tensor):
            raise ValueError(
                f"vmap: `func` must only return Tensors, got type {type(x).__name__}. Did you "
                "mean to set out_dims= to None for output?"
            )
        if d is None:
            if any(not _pa().equal(x, c) for c in col[1:]):
                raise ValueError(
                    "vmap: out_dims=None for an output that differs between samples: it is "
                    "batched, give it an out_dim"
                )
            stacked.append(x)
            continue
        if not -(x.dim() + 1) <= d <= x.dim():
            raise ValueError(
                f"vmap: Dimension out of range (expected to be in range of [{-(x.dim() + 1)}, "
                f"{x.dim()}], but got {d}) for out_dims"
            )
        stacked.append(_pa().stack(col, d % (x.dim() + 1)))
    return unflat(stacked)


# ---- modules as functions -------------------------------------------------------------------


def _named_slots(module: Any) -> dict[str, tuple[Any, str, str, Any]]:
    """name -> (owning submodule, attribute, '_parameters'/'_buffers', current tensor) for
    every parameter and buffer, tied ones under each of their names."""
    slots: dict[str, tuple[Any, str, str, Any]] = {}
    for prefix, mod in module.named_modules(remove_duplicate=False):
        for kind in ("_parameters", "_buffers"):
            for attr, t in getattr(mod, kind).items():
                if t is not None:
                    slots[f"{prefix}.{attr}" if prefix else attr] = (mod, attr, kind, t)
    return slots


def functional_call(
    module: Any,
    parameter_and_buffer_dicts: Any,
    args: Any = None,
    kwargs: dict[str, Any] | None = None,
    *,
    tie_weights: bool = True,
    strict: bool = False,
) -> Any:
    """Calls ``module`` with its parameters and buffers replaced, for this call only, by the
    tensors of ``parameter_and_buffer_dicts`` (a dict name -> tensor, or a sequence of dicts),
    by the dotted names of ``named_parameters()``/``named_buffers()``. Names left out keep the
    module's own tensors (``strict=True`` refuses that); with ``tie_weights`` a tensor given
    for one of several tied names is used for all of them."""
    from .nn.modules.module import Module

    if not isinstance(module, Module):
        raise TypeError(f"functional_call: expected an nn.Module, got {type(module).__name__}")
    if isinstance(parameter_and_buffer_dicts, dict):
        given = dict(parameter_and_buffer_dicts)
    elif isinstance(parameter_and_buffer_dicts, (tuple, list)) and all(
        isinstance(d, dict) for d in parameter_and_buffer_dicts
    ):
        given = {}
        for d in parameter_and_buffer_dicts:
            dup = sorted(set(given) & set(d))
            if dup:
                raise ValueError(
                    f"{dup} appeared in multiple dictionaries; behavior of functional call is "
                    "ambiguous"
                )
            given.update(d)
    else:
        raise ValueError(
            "Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of dicts, but "
            f"got {type(parameter_and_buffer_dicts).__name__}"
        )
    for k, v in given.items():
        if not isinstance(v, Tensor):
            raise TypeError(f"functional_call: expected a tensor for '{k}', got {type(v).__name__}")
    slots = _named_slots(module)
    if strict:
        missing = sorted(set(slots) - set(given))
        unexpected = sorted(set(given) - set(slots))
        if missing or unexpected:
            parts = []
            if unexpected:
                parts.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
            if missing:
                parts.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
            raise RuntimeError(
                f"Error(s) in reparametrizing for {type(module).__name__}:\n\t" + "\n\t".join(parts)
            )
    values = dict(given)
    if tie_weights:
        groups: dict[int, list[str]] = {}
        for name, (_, _, _, t) in slots.items():
            groups.setdefault(id(t), []).append(name)
        for names in groups.values():
            if len(names) < 2:
                continue
            chosen = [n for n in names if n in given]
            if len({id(given[n]) for n in chosen}) > 1:
                raise ValueError(
                    f"functional_call got multiple values for keys {chosen}, which are tied. "
                    "Consider using tie_weights=False"
                )
            if chosen:
                for n in names:
                    values[n] = given[chosen[0]]
    saved: list[tuple[Any, str, str, Any]] = []
    added: list[tuple[Any, str]] = []
    try:
        for name, v in values.items():
            if name in slots:
                mod, attr, kind, old = slots[name]
                saved.append((mod, attr, kind, old))
                getattr(mod, kind)[attr] = v
            else:
                prefix, _, attr = name.rpartition(".")
                mod = module.get_submodule(prefix)
                if attr in mod.__dict__ or attr in mod._modules:
                    raise RuntimeError(
                        f"functional_call: '{name}' names an attribute that is not a "
                        "parameter or buffer"
                    )
                mod._buffers[attr] = v
                added.append((mod, attr))
        if args is None:
            args = ()
        elif not isinstance(args, tuple):
            args = (args,)
        return module(*args, **(kwargs or {}))
    finally:
        for mod, attr, kind, old in reversed(saved):
            getattr(mod, kind)[attr] = old
        for mod, attr in added:
            mod._buffers.pop(attr, None)


def stack_module_state(models: Sequence[Any]) -> tuple[dict[str, Tensor], dict[str, Tensor]]:
    """The parameters and buffers of same-shaped ``models`` stacked along a new first
    dimension (for ``vmap`` over ``functional_call``): the stacked parameters are new leaves
    that require grad, detached from the models'."""
    models = list(models)
    if not models:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if len({m.training for m in models}) > 1:
        raise RuntimeError(
            "stack_module_state: Expected all models to have the same training/eval mode."
        )
    if len({type(m) for m in models}) > 1:
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")
    names = [n for n, _ in models[0].named_parameters()]
    params = {
        n: _pa()
        .stack([dict(m.named_parameters())[n].detach() for m in models])
        .requires_grad_(True)
        for n in names
    }
    bnames = [n for n, _ in models[0].named_buffers()]
    buffers = {n: _pa().stack([dict(m.named_buffers())[n] for m in models]) for n in bnames}
    return params, buffers


def functionalize(func: Callable[..., Any], *, remove: str = "mutations") -> Callable[..., Any]:
    """``func`` itself: functionalization rewrites in-place updates into out-of-place ones for
    compilers and leaves eager results unchanged, and this library runs eagerly."""
    if remove not in ("mutations", "mutations_and_views"):
        raise RuntimeError(
            f"functionalize(f, remove='mutations'): received invalid argument for remove={remove}."
            " Valid options are:\n     remove='mutations'\n     remove='mutations_and_views'"
        )
    return func
