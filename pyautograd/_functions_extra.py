"""Still more of PyTorch's tensor functions and methods, composed of the core's ops (gradients
come with them): the torch.* forms of nn.functional ops, splits and stacks (tensor_split,
hsplit/vsplit/dsplit, atleast_Nd, column_stack, dstack, fliplr/flipud), products (inner, vdot,
ger, addmv, addr, addbmm, chain_matmul, matrix_power), take_along_dim, diagflat, sum_to_size,
xlogy, float_power, logcumsumexp, renorm, dist, trapezoid, cumulative_trapezoid, vander,
ldexp, rsub, the window functions, Tensor.unfold, the in-place comparison and logical forms
(eq_, logical_and_, ...), cumsum_/cumprod_, fill_diagonal_, and the NumPy-computed ones without
gradients (histc, bucketize, searchsorted, unique_consecutive, gcd/lcm, frexp, nextafter).
"""

# The functions call the package's own (typed Any through sys.modules) to compose.
# mypy: disable-error-code="no-any-return"

from __future__ import annotations

import builtins
import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np

from . import _core
from ._core import Tensor
from ._functions_more import _need, _wrap_dim
from .autograd import Function, FunctionCtx


def _pa() -> Any:
    """The pyautograd package (its Python-level functions: where, result_type, linalg, ...)."""
    import sys

    return sys.modules[__package__]


def _from_numpy(a: Any, dtype: Any) -> Tensor:
    """A new tensor of dtype from the array (no Python list in between)."""
    return _pa().from_numpy(np.array(a, copy=True)).to(dtype)


# --- splits, stacks, flips ---------------------------------------------------------------------


def tensor_split(input: Tensor, indices_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Views of input split along dim: into n nearly equal parts (the first n % size parts one
    longer), or at the given indices."""
    _need("tensor_split", "input", input)
    d = _wrap_dim("tensor_split", dim, input.dim())
    length = input.shape[d]
    if isinstance(indices_or_sections, Tensor):
        if indices_or_sections.dim() > 1 or indices_or_sections.is_floating_point():
            raise RuntimeError(
                "tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
                "one-dimensional tensor of integers, but got a tensor with "
                f"{indices_or_sections.dim()} dims"
            )
        indices_or_sections = (
            int(indices_or_sections.item())
            if indices_or_sections.dim() == 0
            else [int(v) for v in indices_or_sections.tolist()]
        )
    if isinstance(indices_or_sections, int):
        n = indices_or_sections
        if n <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {n}")
        if n > builtins.max(length, 1 << 24):  # PyTorch fails too, after allocating n views
            raise RuntimeError(f"[tensor_split] {n} sections of a dimension of {length}: too many")
        base, extra = divmod(length, n)
        bounds = [0]
        for i in range(n):
            bounds.append(bounds[-1] + base + (1 if i < extra else 0))
    else:
        bounds = [0, *[int(i) for i in indices_or_sections], length]
    parts = []
    for lo, hi in itertools.pairwise(bounds):
        lo_c = builtins.min(builtins.max(lo if lo >= 0 else lo + length, 0), length)
        hi_c = builtins.min(builtins.max(hi if hi >= 0 else hi + length, 0), length)
        parts.append(input.narrow(d, lo_c, builtins.max(hi_c - lo_c, 0)))
    return tuple(parts)


def _dim_split(op: str, need: int, dim: int) -> Callable[[Tensor, Any], tuple[Tensor, ...]]:
    def split(input: Tensor, indices_or_sections: Any) -> tuple[Tensor, ...]:
        _need(op, "input", input)
        if input.dim() < need:
            raise RuntimeError(
                f"torch.{op} requires a tensor with at least {need} dimension, but got a tensor "
                f"with {input.dim()} dimensions!"
            )
        d = 0 if (op == "hsplit" and input.dim() == 1) else dim
        if isinstance(indices_or_sections, int):
            size = input.shape[d]
            if indices_or_sections == 0 or size % indices_or_sections:
                raise RuntimeError(
                    f"torch.{op} attempted to split along dimension {d}, but the size of the "
                    f"dimension {size} is not divisible by the split_size "
                    f"{indices_or_sections}!"
                )
        return tensor_split(input, indices_or_sections, d)

    split.__name__ = op
    split.__doc__ = f"tensor_split along dimension {dim} (torch.{op})."
    return split


hsplit = _dim_split("hsplit", 1, 1)
vsplit = _dim_split("vsplit", 2, 0)
dsplit = _dim_split("dsplit", 3, 2)


def _atleast(n: int) -> Callable[..., Any]:
    def atleast(*tensors: Any) -> Any:
        single = len(tensors) == 1 and not isinstance(tensors[0], (list, tuple))
        items = (
            tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors
        )
        out = []
        for t in items:
            _need(f"atleast_{n}d", "tensors", t)
            if t.dim() == 0:
                t = t.reshape([1] * n)
            elif t.dim() == 1 and n >= 2:
                t = t.unsqueeze(0)
                if n == 3:
                    t = t.unsqueeze(-1)
            elif t.dim() == 2 and n == 3:
                t = t.unsqueeze(-1)
            out.append(t)
        return out[0] if single else tuple(out)

    atleast.__name__ = f"atleast_{n}d"
    atleast.__doc__ = f"Each tensor viewed with at least {n} dimensions."
    return atleast


atleast_1d = _atleast(1)
atleast_2d = _atleast(2)
atleast_3d = _atleast(3)


def column_stack(tensors: Sequence[Tensor]) -> Tensor:
    """The tensors side by side as columns (1-d and 0-d ones become columns)."""
    cols = [t.reshape(-1, 1) if t.dim() <= 1 else t for t in tensors]
    return _pa().cat(cols, 1)


def dstack(tensors: Sequence[Tensor]) -> Tensor:
    """The tensors concatenated along a third dimension (atleast_3d first)."""
    return _pa().cat(list(atleast_3d(list(tensors))), 2)


def fliplr(input: Tensor) -> Tensor:
    """input flipped left to right (dimension 1)."""
    if _need("fliplr", "input", input).dim() < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return input.flip(1)


def flipud(input: Tensor) -> Tensor:
    """input flipped upside down (dimension 0)."""
    if _need("flipud", "input", input).dim() < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return input.flip(0)


def unfold(self: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """Every slice of `size` elements along dimension, `step` apart, as a new last dimension.
    A copy (PyTorch returns a view), with gradients."""
    d = _wrap_dim("unfold", dimension, self.dim())
    length = self.shape[d] if self.dim() else 1
    if size > length:
        raise RuntimeError(
            f"maximum size for tensor at dimension {d} is {length} but size is {size}"
        )
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if self.dim() == 0:
        return self.reshape(1)
    n = (length - size) // step + 1
    idx = (_pa().arange(n).unsqueeze(1) * step + _pa().arange(size).unsqueeze(0)).reshape(-1)
    shape = list(self.shape)
    shape[d : d + 1] = [n, size]
    if not (_pa().is_grad_enabled() and self.requires_grad):
        return self.index_select(d, idx).reshape(shape).movedim(d + 1, -1)
    out = _unfold_fn().apply(self, d, idx, tuple(shape))
    return _pa()._core._show_grad_fn_as(out, "UnfoldBackward0")


_UNFOLD: Any = None


def _unfold_fn() -> Any:
    """unfold's node: its backward adds the gradient back at the slices' indices, which it
    keeps as a number-like constant, not a saved tensor (PyTorch's UnfoldBackward0 saves no
    tensor, so a second backward pass through it runs)."""
    global _UNFOLD
    if _UNFOLD is None:
        from .autograd import Function

        class Unfold(Function):
            @staticmethod
            def forward(ctx: Any, x: Tensor, d: int, idx: Tensor, shape: tuple[int, ...]) -> Any:
                ctx.d, ctx.idx, ctx.in_shape, ctx.shape = d, idx, tuple(x.shape), shape
                # a tensor of its own (not a view of the internal selection), so views of it
                # made under no_grad require grad, as views of PyTorch's unfold view do
                return x.index_select(d, idx).reshape(shape).movedim(d + 1, -1).clone()

            @staticmethod
            def backward(ctx: Any, *grads: Tensor) -> Any:
                d, sh = ctx.d, ctx.shape
                picked = [*sh[:d], sh[d] * sh[d + 1], *sh[d + 2 :]]
                g = grads[0].movedim(-1, d + 1).reshape(picked)
                gx = _pa().zeros(ctx.in_shape, dtype=g.dtype).index_add(d, ctx.idx, g)
                return gx, None, None, None

        _UNFOLD = Unfold
    return _UNFOLD


# --- products ----------------------------------------------------------------------------------


def inner(input: Tensor, other: Tensor) -> Tensor:
    """The dot products over the last dimensions (a product when either is 0-d)."""
    _need("inner", "input", input)
    _need("inner", "other", other)
    if input.dim() == 0 or other.dim() == 0:
        return input * other
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(
            f"inner() the last dimension must match on both input tensors but got shapes "
            f"{list(input.shape)} and {list(other.shape)}"
        )
    return _pa().tensordot(input, other, ([input.dim() - 1], [other.dim() - 1]))


def vdot(input: Tensor, other: Tensor) -> Tensor:
    """The dot product of two 1-d tensors (real dtypes: dot)."""
    if input.dim() != 1 or other.dim() != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {input.dim()}D and {other.dim()}D tensors"
        )
    return input.dot(other)


def _check_beta_input(input: Tensor, beta: Any, shape: Sequence[int]) -> Tensor:
    term = input.expand(*shape) if list(input.shape) != list(shape) else input
    if beta == 0:  # input ignored (NaN too), but given a zero gradient as PyTorch
        return _pa().where(_pa().zeros(*shape, dtype=_pa().bool), term, 0.0)
    return term if beta == 1 else term * beta


def _int_scale(v: Any, *ts: Tensor) -> Any:
    """alpha/beta as PyTorch uses them: truncated to an int for integer tensors."""
    if isinstance(v, float) and not any(t.dtype.is_floating_point for t in ts):
        return int(v)
    return v


def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """beta * input + alpha * (mat @ vec) (input ignored, NaNs too, when beta is 0)."""
    if mat.dim() != 2 or vec.dim() != 1:
        raise RuntimeError(
            f"vector + matrix @ vector expected, got {input.dim()}, {mat.dim()}, {vec.dim()}"
        )
    if not input.dtype == mat.dtype == vec.dtype:
        raise RuntimeError(
            "addmv input tensors must have the same dtype, but got "
            f"{input.dtype}, {mat.dtype}, and {vec.dtype}"
        )
    alpha, beta = _int_scale(alpha, input, mat, vec), _int_scale(beta, input, mat, vec)
    prod = mat.mv(vec)
    prod = prod if alpha == 1 else prod * alpha
    return _check_beta_input(input, beta, prod.shape) + prod


def addr(input: Tensor, vec1: Tensor, vec2: Tensor, *, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """beta * input + alpha * outer(vec1, vec2)."""
    if vec1.dim() != 1 or vec2.dim() != 1:
        raise RuntimeError(
            f"addr: Expected 1-D argument vec1, but got {vec1.dim()}-D"
            if vec1.dim() != 1
            else f"addr: Expected 1-D argument vec2, but got {vec2.dim()}-D"
        )
    prod = _pa().outer(vec1, vec2)
    prod = prod if alpha == 1 else prod * alpha
    return _check_beta_input(input, beta, prod.shape) + prod


def addbmm(
    input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1
) -> Tensor:
    """beta * input + alpha * the sum over the batch of batch1[i] @ batch2[i]."""
    if batch1.dim() != 3 or batch2.dim() != 3:
        raise RuntimeError("batch1 and batch2 must be 3D tensors")
    if not input.dtype == batch1.dtype == batch2.dtype:
        raise RuntimeError(
            "addbmm: self and the batches must have the same dtype, but got "
            f"{input.dtype}, {batch1.dtype} and {batch2.dtype}"
        )
    prod = batch1.bmm(batch2).sum(0)
    prod = prod if alpha == 1 else prod * alpha
    return _check_beta_input(input, beta, prod.shape) + prod


def chain_matmul(*matrices: Any) -> Tensor:
    """The product of the 2-d matrices, left to right."""
    if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)):
        matrices = tuple(matrices[0])
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    out = matrices[0]
    for m in matrices[1:]:
        out = out.mm(m)
    return out


def matrix_power(input: Tensor, n: int) -> Tensor:
    """input multiplied by itself n times (n >= 0: the identity for 0; n < 0 needs inv)."""
    if input.dim() < 2 or input.shape[-1] != input.shape[-2]:
        raise RuntimeError(
            "linalg.matrix_power: A must be batches of square matrices, but they are "
            f"{input.shape[-2] if input.dim() >= 2 else ''} by {input.shape[-1]} matrices"
        )
    if n < 0:
        from . import linalg

        if not hasattr(linalg, "inv"):
            raise RuntimeError("matrix_power with a negative exponent needs linalg.inv")
        return matrix_power(linalg.inv(input), -n)
    if n == 0:  # the identity, with a zero gradient to input (as PyTorch's)
        eye = _pa().eye(input.shape[-1], dtype=input.dtype).expand(*input.shape)
        return _pa().where(_pa().zeros((), dtype=_pa().bool), input, eye)
    result: Tensor | None = None
    base = input
    while n:
        if n & 1:
            result = base if result is None else result.matmul(base)
        n >>= 1
        if n:
            base = base.matmul(base)
    assert result is not None
    return result


def dist(input: Tensor, other: Tensor, p: float = 2) -> Tensor:
    """The p-norm of input - other."""
    _need("dist", "input", input)
    _need("dist", "other", other)
    out = _pa().norm(input - other, p)
    return _pa()._core._show_grad_fn_as(out, "DistBackward0") if out.grad_fn is not None else out


# --- gathers and reshapes ----------------------------------------------------------------------


def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:
    """The values of input at indices along dim (gather with broadcasting); dim None: of the
    flattened input."""
    if dim is None:
        return input.reshape(-1).gather(0, indices.reshape(-1))
    d = _wrap_dim("take_along_dim", dim, input.dim())
    if input.dim() != indices.dim():
        raise RuntimeError(
            "torch.take_along_dim(): input and indices should have the same number of "
            f"dimensions, but got {input.dim()} dimensions for input, and {indices.dim()} "
            "dimensions for indices"
        )
    in_shape = list(input.shape)
    ix_shape = list(indices.shape)
    in_shape[d] = 1
    ix_shape[d] = 1
    b = list(_pa().broadcast_shapes(in_shape, ix_shape))
    bi, bx = list(b), list(b)
    bi[d] = input.shape[d]
    bx[d] = indices.shape[d]
    return input.expand(*bi).gather(d, indices.expand(*bx))


def diagflat(input: Tensor, offset: int = 0) -> Tensor:
    """A 2-d tensor with the flattened input on its offset diagonal."""
    return _pa().diag(input.reshape(-1), offset)


def sum_to_size(self: Tensor, *size: Any) -> Tensor:
    """self summed over its broadcast dimensions down to size (which must expand to self)."""
    if len(size) == 1 and isinstance(size[0], (list, tuple)):
        size = tuple(size[0])
    shape = list(self.shape)
    lead = len(shape) - len(size)
    if lead < 0 or any(s != 1 and s != shape[lead + i] for i, s in enumerate(size)):
        raise RuntimeError(f"size {{{list(size)}}} is not expandable to size {{{shape}}}.")
    out = self
    if lead:
        out = out.sum(list(range(lead)))
    dims = [i for i, s in enumerate(size) if s == 1 and out.shape[i] != 1]
    if dims:
        out = out.sum(dims, keepdim=True)
    return out


# --- elementwise -------------------------------------------------------------------------------


class _XLogY(Function):
    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any) -> Tensor:
        x, y = args
        log_y = y.log()
        zero = _pa().zeros((), dtype=log_y.dtype)
        ctx.save_for_backward(x, y)
        return _pa().where((x == 0) & ~y.isnan(), zero, x * log_y)

    @staticmethod
    def backward(ctx: FunctionCtx, *grads: Tensor) -> Any:
        x, y = ctx.saved_tensors
        assert x is not None and y is not None
        g = grads[0]
        zero = _pa().zeros((), dtype=g.dtype)
        gx = gy = None
        if ctx.needs_input_grad[0]:  # PyTorch's xlogy(grad, other), 0 where x == 0 and y <= 0
            gl = _pa().where((g == 0) & ~y.isnan(), zero, g * y.log())
            gx = _pa().where((x == 0) & (y <= 0), zero, gl).sum_to_size(*x.shape)
        if ctx.needs_input_grad[1]:
            gy = (g * x / y).sum_to_size(*y.shape)
        return gx, gy


def xlogy(input: Any, other: Any) -> Tensor:
    """input * log(other), 0 where input is 0 (unless other is NaN), with PyTorch's gradients."""
    # computed in the promoted dtype (a float number with an integer tensor is float; bool
    # True is 1), the default float dtype when that is integral
    dt = _pa().result_type(input, other)
    if not dt.is_floating_point:
        dt = _pa().get_default_dtype()
    x = input.to(dt) if isinstance(input, Tensor) else _pa().tensor(input, dtype=dt)
    y = other.to(dt) if isinstance(other, Tensor) else _pa().tensor(other, dtype=dt)
    out = _XLogY.apply(x, y)
    if out.grad_fn is not None:  # PyTorch's node name (its overload for tensor, tensor)
        out = _pa()._core._show_grad_fn_as(out, "XlogyBackward0")
    return out


def float_power(input: Any, exponent: Any) -> Tensor:
    """input ** exponent computed in float64."""
    base = input.double() if isinstance(input, Tensor) else _pa().tensor(float(input))
    exp = exponent.double() if isinstance(exponent, Tensor) else float(exponent)
    return base.pow(exp)


def ldexp(input: Tensor, other: Tensor) -> Tensor:
    """input * 2 ** other."""
    if isinstance(other, Tensor) and other.dtype == _core.bool and input.is_floating_point():
        raise NotImplementedError("\"ldexp_cpu_exp\" not implemented for 'Bool'")
    pa = _pa()
    if isinstance(other, Tensor) and not other.is_floating_point() and input.is_floating_point():
        # PyTorch's ldexp kernel for an integer exponent: an exact scaling (1e-30f * 2 ** 130
        # is finite) in input's dtype (a 0-d float64 input gives float64 whatever other's dims)
        out = (input.double() * pa.pow(2.0, other.double())).to(input.dtype)
    elif input.dtype == pa.float64:  # PyTorch's _pow2: a 0-d float64 2 ** other
        out = input * pa.full((), 2.0, dtype=pa.float64).pow(other)
    else:  # 2 ** other in other's dtype (or the default one): 2 ** 130 overflows in float32
        out = input * pa.pow(2.0, other)
    return pa._core._show_grad_fn_as(out, "LdexpBackward0") if out.grad_fn is not None else out


def rsub(input: Tensor, other: Any, alpha: Any = 1) -> Tensor:
    """other - alpha * input."""
    if isinstance(other, bool) or (isinstance(input, Tensor) and input.dtype == _core.bool):
        raise RuntimeError(  # (PyTorch's sub refuses a bool operand, a Python bool too)
            "[rsub] Subtraction, the `-` operator, with a bool tensor is not supported. If you "
            "are trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    return _pa().sub(other, input, alpha=alpha)  # (a number first: alpha's checks as sub's)


def _scalar_type(dt: Any) -> str:
    """PyTorch's name of a dtype in its "not implemented for 'Long'" errors."""
    names = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte"}
    names.update(bool="Bool", float32="Float", float64="Double")
    return names.get(str(dt).rsplit(".", 1)[-1], str(dt))


def logcumsumexp(input: Tensor, dim: int) -> Tensor:
    """log(cumsum(exp(input), dim)), computed stably."""
    d = _wrap_dim("logcumsumexp", dim, input.dim())
    if not input.is_floating_point():
        raise NotImplementedError(
            f"\"logcumsumexp_out_cpu\" not implemented for '{_scalar_type(input.dtype)}'"
        )
    if input.numel() == 0:
        return input.clone()
    m = input.detach().amax(d, keepdim=True) if input.dim() else input.detach()
    m = _pa().where(m.isfinite(), m, _pa().zeros((), dtype=m.dtype))
    return (input - m).exp().cumsum(d).log() + m


def renorm(input: Tensor, p: float, dim: int, maxnorm: float) -> Tensor:
    """Each slice along dim scaled down to p-norm maxnorm when its norm exceeds it."""
    if p <= 0:
        raise RuntimeError(f"renorm: non-positive-norm not supported, got p={p}")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    d = _wrap_dim("renorm", dim, input.dim())
    others = [i for i in range(input.dim()) if i != d]
    norms = _pa().linalg.vector_norm(input, p, others, keepdim=True) if others else input.abs()
    factor = _pa().where(
        norms > maxnorm, maxnorm / (norms + 1e-7), _pa().ones((), dtype=norms.dtype)
    )
    return input * factor


def trapezoid(y: Tensor, x: Any = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    """The trapezoidal rule along dim: with sample points x, or a constant spacing dx (1)."""
    d = _wrap_dim("trapezoid", dim, y.dim())
    n = y.shape[d]
    if n == 0:
        return y.sum(d) * 0
    lo, hi = y.narrow(d, 0, n - 1), y.narrow(d, 1, n - 1)
    if x is None or not isinstance(x, Tensor):
        spacing = dx if dx is not None else (x if x is not None else 1)
        return (lo + hi).sum(d) * (spacing / 2)
    xd = d - (y.dim() - x.dim()) if x.dim() > 1 else 0
    if x.dim() == 1:
        if x.shape[0] != n:
            raise RuntimeError("trapezoid: There must be one `x` value for each sample point")
        diffs = x[1:] - x[:-1]
        shape = [1] * y.dim()
        shape[d] = n - 1
        diffs = diffs.reshape(shape)
    else:
        diffs = x.narrow(xd, 1, n - 1) - x.narrow(xd, 0, n - 1)
    return (diffs * (lo + hi)).sum(d) / 2


def cumulative_trapezoid(y: Tensor, x: Any = None, *, dx: Any = None, dim: int = -1) -> Tensor:
    """The running trapezoidal rule along dim (one element shorter than y there)."""
    d = _wrap_dim("cumulative_trapezoid", dim, y.dim())
    n = y.shape[d]
    if n == 0:
        return y
    lo, hi = y.narrow(d, 0, n - 1), y.narrow(d, 1, n - 1)
    if x is None or not isinstance(x, Tensor):
        spacing = dx if dx is not None else (x if x is not None else 1)
        return ((lo + hi) * (spacing / 2)).cumsum(d)
    if x.dim() == 1:
        diffs = x[1:] - x[:-1]
        shape = [1] * y.dim()
        shape[d] = n - 1
        diffs = diffs.reshape(shape)
    else:
        xd = d - (y.dim() - x.dim())
        diffs = x.narrow(xd, 1, n - 1) - x.narrow(xd, 0, n - 1)
    return (diffs * (lo + hi) / 2).cumsum(d)


def vander(x: Tensor, N: int | None = None, increasing: bool = False) -> Tensor:
    """The Vandermonde matrix of a 1-d x: columns x ** 0 ... x ** (N - 1) (decreasing unless
    increasing)."""
    if x.dim() != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    if n == 0:
        return _pa().empty(x.shape[0], 0, dtype=x.dtype)
    xx = x if x.is_floating_point() else x.to(_core.int64)
    cols = [_pa().ones_like(xx)]
    for _ in range(1, n):
        cols.append(cols[-1] * xx)
    out = _pa().stack(cols, 1)
    return out if increasing else out.flip(1)


# --- window functions ---------------------------------------------------------------------------


def _window(
    name: str, length: int, periodic: bool, dtype: Any, f: Callable[[np.ndarray, int], np.ndarray]
) -> Tensor:
    dtype = dtype if dtype is not None else _pa().get_default_dtype()
    if length < 0:
        raise RuntimeError(
            f"{name} requires non-negative window_length, got window_length={length}"
        )
    if length == 0:
        return _pa().empty(0, dtype=dtype)
    if length == 1:
        return _pa().ones(1, dtype=dtype)
    n = length + 1 if periodic else length
    w = f(np.arange(n, dtype=np.float64), n)
    return _from_numpy(w[:length], dtype)


def hann_window(
    window_length: int, periodic: bool = True, *, dtype: Any = None, **_: Any
) -> Tensor:
    """The Hann window: 0.5 - 0.5 cos(2 pi k / (N - 1))."""
    return _window(
        "hann_window", window_length, periodic, dtype,
        lambda k, n: 0.5 - 0.5 * np.cos(2 * math.pi * k / (n - 1)),
    )  # fmt: skip


def hamming_window(
    window_length: int,
    periodic: bool = True,
    alpha: float = 0.54,
    beta: float = 0.46,
    *,
    dtype: Any = None,
    **_: Any,
) -> Tensor:
    """The Hamming window: alpha - beta cos(2 pi k / (N - 1))."""
    return _window(
        "hamming_window", window_length, periodic, dtype,
        lambda k, n: alpha - beta * np.cos(2 * math.pi * k / (n - 1)),
    )  # fmt: skip


def blackman_window(
    window_length: int, periodic: bool = True, *, dtype: Any = None, **_: Any
) -> Tensor:
    """The Blackman window."""
    return _window(
        "blackman_window", window_length, periodic, dtype,
        lambda k, n: 0.42 - 0.5 * np.cos(2 * math.pi * k / (n - 1))
        + 0.08 * np.cos(4 * math.pi * k / (n - 1)),
    )  # fmt: skip


def bartlett_window(
    window_length: int, periodic: bool = True, *, dtype: Any = None, **_: Any
) -> Tensor:
    """The Bartlett (triangular) window."""
    return _window(
        "bartlett_window", window_length, periodic, dtype,
        lambda k, n: 1 - np.abs(2 * k / (n - 1) - 1),
    )  # fmt: skip


def kaiser_window(
    window_length: int, periodic: bool = True, beta: float = 12.0, *, dtype: Any = None, **_: Any
) -> Tensor:
    """The Kaiser window: I0(beta sqrt(1 - (2k / (N - 1) - 1)^2)) / I0(beta)."""
    return _window(
        "kaiser_window", window_length, periodic, dtype,
        lambda k, n: np.i0(beta * np.sqrt(np.clip(1 - (2 * k / (n - 1) - 1) ** 2, 0, None)))
        / np.i0(beta),
    )  # fmt: skip


# --- computed with NumPy, without gradients ----------------------------------------------------


def _legacy_name(t: Tensor) -> str:
    """PyTorch's scalar-type name of t's dtype in its kernels' errors ('Long', 'Int', ...)."""
    names = {"float64": "Double", "float32": "Float", "int64": "Long", "int32": "Int",
             "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}  # fmt: skip
    key = str(t.dtype).split(".")[-1]
    return names.get(key, key)


def _np(t: Tensor) -> np.ndarray:
    return t.detach().numpy()


def histc(input: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:
    """A histogram of input's values in `bins` equal bins over [min, max] (the data's range
    when both are 0); values outside are ignored. Not differentiable."""
    if not input.is_floating_point():
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{_legacy_name(input)}'")
    if bins <= 0:
        raise RuntimeError("torch.histc: bins must be > 0, but got " + str(bins))
    a = _np(input).reshape(-1)
    ftype = a.dtype.type
    lo, hi = ftype(min), ftype(max)
    if lo == hi and a.size:
        lo, hi = a.min(), a.max()
    if lo == hi:
        lo, hi = lo - ftype(1), hi + ftype(1)
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{lo}, {hi}] is not finite")
    keep = a[(a >= lo) & (a <= hi)]
    pos = ((keep - lo) * ftype(bins) / (hi - lo)).astype(np.int64)
    pos = np.minimum(pos, bins - 1)
    counts = np.bincount(pos, minlength=bins).astype(a.dtype)
    return _from_numpy(counts, input.dtype)


def searchsorted(
    sorted_sequence: Tensor,
    input: Any,
    *,
    out_int32: bool = False,
    right: bool = False,
    side: str | None = None,
    sorter: Tensor | None = None,
) -> Tensor:
    """For each value, the index where it would be inserted in the sorted innermost dimension
    of sorted_sequence (the left-most place, or the right-most when right/side='right')."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError(
                "side and right can't be set to opposites, got side of left while right was True"
            )
        right = side == "right"
    seq = _np(sorted_sequence)
    if sorter is not None:
        seq = np.take_along_axis(seq, _np(sorter), -1)
    scalar = not isinstance(input, Tensor)
    vals = np.asarray(input) if scalar else _np(input)
    how: Literal["left", "right"] = "right" if right else "left"
    if seq.ndim == 1:
        res = np.searchsorted(seq, vals, side=how)
    else:
        if vals.shape[:-1] != seq.shape[:-1]:
            raise RuntimeError(
                "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                "dimensions of boundaries tensor and input value tensor must match, but we got "
                f"boundaries tensor {list(seq.shape)} and input value tensor {list(vals.shape)}"
            )
        flat_s = seq.reshape(-1, seq.shape[-1])
        flat_v = vals.reshape(-1, vals.shape[-1])
        res = np.stack(
            [np.searchsorted(s, v, side=how) for s, v in zip(flat_s, flat_v, strict=True)]
        ).reshape(vals.shape)
    dtype = _core.int32 if out_int32 else _core.int64
    return _pa().tensor(np.asarray(res).tolist(), dtype=dtype)


def bucketize(
    input: Any, boundaries: Tensor, *, out_int32: bool = False, right: bool = False
) -> Tensor:
    """The bucket of each value among the 1-d sorted boundaries."""
    if boundaries.dim() != 1:
        raise RuntimeError(
            f"boundaries tensor must be 1 dimension, but got dim({boundaries.dim()})"
        )
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def unique_consecutive(
    input: Tensor,
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: int | None = None,
) -> Any:
    """input with each run of equal consecutive elements (or slices along dim) collapsed to
    one; optionally the run of each element and the runs' lengths."""
    a = _np(input)
    if dim is None:
        flat = a.reshape(-1)
        if flat.size == 0:
            starts = np.zeros(0, dtype=bool)
        else:
            starts = np.concatenate([[True], flat[1:] != flat[:-1]])
        values = flat[starts]
        run = np.cumsum(starts) - 1
        inverse = run.reshape(a.shape)
    else:
        d = _wrap_dim("unique_consecutive", dim, a.ndim)
        moved = np.moveaxis(a, d, 0).reshape(a.shape[d], -1)
        if moved.shape[0] == 0:
            starts = np.zeros(0, dtype=bool)
        else:
            starts = np.concatenate([[True], np.any(moved[1:] != moved[:-1], axis=1)])
        values = np.moveaxis(np.moveaxis(a, d, 0)[starts], 0, d)
        inverse = np.cumsum(starts) - 1
    counts = np.diff(np.append(np.flatnonzero(starts), len(starts)))
    out = (
        _from_numpy(values, input.dtype)
        if values.size
        else _pa().empty(*values.shape, dtype=input.dtype)
    )
    result: list[Tensor] = [out]
    if return_inverse:
        result.append(_pa().tensor(np.asarray(inverse).tolist(), dtype=_core.int64))
    if return_counts:
        result.append(_pa().tensor(counts.tolist(), dtype=_core.int64))
    return result[0] if len(result) == 1 else tuple(result)


def _int_binary(
    op: str, f: Callable[[np.ndarray, np.ndarray], np.ndarray]
) -> Callable[..., Tensor]:
    def fn(input: Tensor, other: Tensor) -> Tensor:
        _need(op, "input", input)
        _need(op, "other", other)
        if input.is_floating_point() or other.is_floating_point():
            raise NotImplementedError(f"\"{op}_cpu\" not implemented for '{_legacy_name(input)}'")
        res = f(_np(input), _np(other))
        dtype = _pa().result_type(input, other)
        return _pa().tensor(np.asarray(res).tolist(), dtype=dtype)

    fn.__name__ = op
    fn.__doc__ = f"The elementwise {op} of two integer tensors (NumPy's)."
    return fn


gcd = _int_binary("gcd", np.gcd)
lcm = _int_binary("lcm", np.lcm)


def frexp(input: Tensor) -> Any:
    """(mantissa, exponent): input = mantissa * 2 ** exponent, |mantissa| in [0.5, 1)."""
    if not input.is_floating_point():
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    m, e = np.frexp(_np(input))
    return _pa().return_types.frexp(
        _from_numpy(m, input.dtype), _pa().tensor(e.tolist(), dtype=_core.int32)
    )


def nextafter(input: Tensor, other: Tensor) -> Tensor:
    """The next representable value after input towards other."""
    dtype = _pa().result_type(input, other)
    a = _np(input.to(dtype))
    b = _np(other.to(dtype))
    return _from_numpy(np.nextafter(a, b), dtype)


# --- in-place forms ----------------------------------------------------------------------------


def _inplace_method(name: str) -> Callable[..., Tensor]:
    def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        # the op may save self for its backward: give it a copy, not the tensor written here
        src = self.clone() if _core.is_grad_enabled() and any(
            isinstance(a, Tensor) and a.requires_grad for a in (self, *args)
        ) else self  # fmt: skip
        if name == "float_power" and self.dtype != _core.float64:
            raise RuntimeError(
                f"the base given to float_power_ has dtype {_scalar_type(self.dtype)} but the "
                "operation's result requires dtype Double"
            )
        r = getattr(src, name)(*args, **kwargs)
        if r.dtype != self.dtype and not _pa().can_cast(r.dtype, self.dtype):
            raise RuntimeError(
                f"result type {_scalar_type(r.dtype)} can't be cast to the desired output type "
                f"{_scalar_type(self.dtype)}"
            )
        return self.copy_(r)

    method.__name__ = name + "_"
    method.__doc__ = f"In-place {name} (the result cast to self's dtype)."
    return method


def fill_diagonal_(self: Tensor, fill_value: Any, wrap: bool = False) -> Tensor:
    """Fills the main diagonal in place (all dimensions equal when more than 2; a tall matrix's
    diagonal restarts after every `columns + 1` rows when wrap)."""
    if self.dim() < 2:
        raise RuntimeError("dimensions must larger than 1")
    shape = list(self.shape)
    if self.dim() > 2 and any(s != shape[0] for s in shape):
        raise RuntimeError("all dimensions of input must be of equal length")
    n = builtins.min(shape)
    if self.dim() == 2:
        rows, cols = shape
        r = list(range(n))
        c = list(range(n))
        if wrap and rows > cols + 1:
            start = cols + 1
            while start < rows:
                k = builtins.min(cols, rows - start)
                r.extend(range(start, start + k))
                c.extend(range(k))
                start += cols + 1
        idx: tuple[Tensor, ...] = (
            _pa().tensor(r, dtype=_core.int64),
            _pa().tensor(c, dtype=_core.int64),
        )
    else:
        ar = _pa().arange(n)
        idx = (ar,) * self.dim()
    self[idx] = fill_value
    return self


def _apply_(self: Tensor, fn: Callable[[Any], Any]) -> Tensor:
    """Replaces each element x by fn(x) (a Python call per element; no gradients)."""
    if not callable(fn):
        raise TypeError(f"apply_(): argument 'callable' must be callable, not {type(fn).__name__}")
    values = [fn(v) for v in self.detach().reshape(-1).tolist()]
    self.detach().copy_(_pa().tensor(values, dtype=self.dtype).reshape(self.shape))
    return self


def _map_(self: Tensor, other: Tensor, fn: Callable[[Any, Any], Any]) -> Tensor:
    """Replaces each element x by fn(x, y), y the element of other broadcast to self."""
    _need("map_", "tensor", other)
    if not callable(fn):
        raise TypeError(f"map_(): argument 'callable' must be callable, not {type(fn).__name__}")
    b = other.expand_as(self)
    values = [
        fn(x, y)
        for x, y in zip(
            self.detach().reshape(-1).tolist(), b.detach().reshape(-1).tolist(), strict=True
        )
    ]
    self.detach().copy_(_pa().tensor(values, dtype=self.dtype).reshape(self.shape))
    return self


# --- torch.* forms of nn.functional ops ----------------------------------------------------------


def _functional() -> Any:
    from .nn import functional

    return functional


def conv1d(input: Tensor, weight: Tensor, bias: Any = None, stride: Any = 1, padding: Any = 0,
           dilation: Any = 1, groups: int = 1) -> Tensor:  # fmt: skip
    """nn.functional.conv1d."""
    return _functional().conv1d(input, weight, bias, stride, padding, dilation, groups)


def conv2d(input: Tensor, weight: Tensor, bias: Any = None, stride: Any = 1, padding: Any = 0,
           dilation: Any = 1, groups: int = 1) -> Tensor:  # fmt: skip
    """nn.functional.conv2d."""
    return _functional().conv2d(input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Any = None, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:  # fmt: skip
    """nn.functional.conv_transpose1d."""
    return _functional().conv_transpose1d(
        input, weight, bias, stride, padding, output_padding, groups, dilation
    )


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Any = None, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:  # fmt: skip
    """nn.functional.conv_transpose2d."""
    return _functional().conv_transpose2d(
        input, weight, bias, stride, padding, output_padding, groups, dilation
    )


def dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """nn.functional.dropout(input, p, training=train)."""
    return _functional().dropout(input, p, train)


def alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """nn.functional.alpha_dropout(input, p, training=train)."""
    return _functional().alpha_dropout(input, p, train)


def feature_alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """nn.functional.feature_alpha_dropout(input, p, training=train)."""
    return _functional().feature_alpha_dropout(input, p, train)


def layer_norm(input: Tensor, normalized_shape: Any, weight: Any = None, bias: Any = None,
               eps: float = 1e-5, cudnn_enable: bool = True) -> Tensor:  # fmt: skip
    """nn.functional.layer_norm."""
    return _functional().layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(input: Tensor, num_groups: int, weight: Any = None, bias: Any = None,
               eps: float = 1e-5, cudnn_enabled: bool = True) -> Tensor:  # fmt: skip
    """nn.functional.group_norm."""
    return _functional().group_norm(input, num_groups, weight, bias, eps)


def batch_norm(input: Tensor, weight: Any, bias: Any, running_mean: Any, running_var: Any,
               training: bool, momentum: float, eps: float,
               cudnn_enabled: bool = True) -> Tensor:  # fmt: skip
    """torch.batch_norm: nn.functional.batch_norm with PyTorch's positional order."""
    return _functional().batch_norm(
        input, running_mean, running_var, weight, bias, training, momentum, eps
    )


def instance_norm(input: Tensor, weight: Any, bias: Any, running_mean: Any, running_var: Any,
                  use_input_stats: bool, momentum: float, eps: float,
                  cudnn_enabled: bool = True) -> Tensor:  # fmt: skip
    """torch.instance_norm: nn.functional.instance_norm with PyTorch's positional order."""
    return _functional().instance_norm(
        input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps
    )


def embedding(weight: Tensor, indices: Tensor, padding_idx: int = -1,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:  # fmt: skip
    """torch.embedding(weight, indices): nn.functional.embedding(indices, weight)."""
    return _functional().embedding(
        indices,
        weight,
        padding_idx=None if padding_idx == -1 else padding_idx,
        scale_grad_by_freq=scale_grad_by_freq,
    )


def _delegate(name: str) -> Callable[..., Any]:
    def fn(*args: Any, **kwargs: Any) -> Any:
        return getattr(_functional(), name)(*args, **kwargs)

    fn.__name__ = name
    fn.__doc__ = f"nn.functional.{name}."
    return fn


_DELEGATED = (
    "cosine_similarity pairwise_distance pdist prelu pixel_shuffle pixel_unshuffle selu celu "
    "rrelu threshold hardshrink max_pool1d max_pool2d avg_pool1d adaptive_avg_pool1d "
    "adaptive_max_pool1d bilinear rms_norm channel_shuffle"
).split()


# --- the tables ----------------------------------------------------------------------------------

FUNCTIONS: dict[str, Any] = {
    f.__name__: f
    for f in (
        tensor_split, hsplit, vsplit, dsplit, atleast_1d, atleast_2d, atleast_3d, column_stack,
        dstack, fliplr, flipud, inner, vdot, addmv, addr, addbmm, chain_matmul, matrix_power,
        dist, take_along_dim, diagflat, xlogy, float_power, ldexp, rsub, logcumsumexp, renorm,
        trapezoid, cumulative_trapezoid, vander, hann_window, hamming_window, blackman_window,
        bartlett_window, kaiser_window, histc, searchsorted, bucketize, unique_consecutive, gcd,
        lcm, frexp, nextafter, conv1d, conv2d, conv_transpose1d, conv_transpose2d, dropout,
        alpha_dropout, feature_alpha_dropout, layer_norm, group_norm, batch_norm, instance_norm,
        embedding,
    )
}  # fmt: skip


def ger(input: Tensor, vec2: Tensor) -> Tensor:
    """outer(input, vec2)."""
    return _pa().outer(input, vec2)


FUNCTIONS["ger"] = ger


def i0(input: Tensor) -> Tensor:
    """The modified Bessel function of the first kind of order 0 (special.i0)."""
    from .special import i0 as special_i0

    return special_i0(input)


FUNCTIONS["i0"] = i0
FUNCTIONS["trapz"] = trapezoid
for _name in _DELEGATED:
    FUNCTIONS[_name] = _delegate(_name)

# Functions that are also Tensor methods (self first).
METHODS = (
    "tensor_split hsplit vsplit dsplit fliplr flipud inner vdot addmv addr addbmm matrix_power "
    "dist take_along_dim diagflat xlogy float_power ldexp logcumsumexp renorm histc gcd lcm "
    "frexp nextafter unique_consecutive ger prelu hardshrink i0"
).split()

# PyTorch's torch.<op>_ functions (2.13) that are Tensor methods here too.
TORCH_INPLACE_FUNCTIONS = (
    "abs_ acos_ acosh_ addmv_ arccos_ arccosh_ arcsin_ arcsinh_ arctan_ arctanh_ asin_ asinh_ "
    "atan_ atanh_ ceil_ clamp_ clamp_max_ clamp_min_ clip_ cos_ cosh_ deg2rad_ detach_ erf_ "
    "erfc_ exp2_ exp_ expm1_ fill_ fix_ floor_ frac_ gcd_ i0_ lcm_ ldexp_ log10_ log1p_ log2_ log_ "
    "logit_ nan_to_num_ neg_ negative_ rad2deg_ reciprocal_ relu_ round_ rsqrt_ sigmoid_ sin_ "
    "sinc_ sinh_ sqrt_ square_ tan_ tanh_ trunc_ xlogy_ zero_"
).split()

# In-place methods: name_ = self.copy_(self.name(...)).
INPLACE = (
    "eq ne lt le gt ge logical_and logical_or logical_xor logical_not cumsum cumprod copysign "
    "hypot heaviside atan2 float_power xlogy addmv addr addbmm ldexp renorm gcd lcm nextafter "
    "greater greater_equal less less_equal not_equal i0"
).split()


def _typed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """fn, with an argument of the wrong type (a number or a string where a tensor goes, which
    these Python compositions meet as a missing attribute) reported as the TypeError PyTorch
    raises."""
    import functools

    @functools.wraps(fn)
    def checked(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except AttributeError as e:
            raise TypeError(f"[{name}] an argument has the wrong type: {e}") from e

    return checked


def install(cls: type[Tensor], module: dict[str, Any]) -> None:
    """Adds the functions missing from the module, the methods and in-place methods missing
    from Tensor, unfold, sum_to_size, fill_diagonal_, apply_/map_ and the always-False
    properties (is_sparse, is_quantized, is_meta, is_mkldnn)."""
    for name, fn in FUNCTIONS.items():
        if name not in module:
            module[name] = _typed(name, fn)
    for name in METHODS:
        if not hasattr(cls, name):
            setattr(cls, name, module[name])
    for name in INPLACE:
        if not hasattr(cls, name + "_") and hasattr(cls, name):
            setattr(cls, name + "_", _typed(name + "_", _inplace_method(name)))
    extra: dict[str, Any] = {
        "unfold": unfold,
        "sum_to_size": sum_to_size,
        "fill_diagonal_": fill_diagonal_,
        "apply_": _apply_,
        "map_": _map_,
        "allclose": _method_of(module["allclose"]),
        "isclose": _method_of(module["isclose"]),
        "equal": _method_of(module["equal"]),
        "is_sparse": property(lambda self: False, doc="Always False (dense tensors only)."),
        "is_quantized": property(lambda self: False, doc="Always False."),
        "is_meta": property(lambda self: False, doc="Always False."),
        "is_mkldnn": property(lambda self: False, doc="Always False."),
    }
    for name, member in extra.items():
        if not hasattr(cls, name):
            setattr(cls, name, member if isinstance(member, property) else _typed(name, member))
    # PyTorch's other names of the in-place forms added above (arctan2_, greater_, ...)
    from ._api import ALIASES

    for alias, target in ALIASES.items():
        if hasattr(cls, target) and not hasattr(cls, alias):
            setattr(cls, alias, getattr(cls, target))
    # torch.<op>_(t, ...): the in-place methods PyTorch also has as functions (an alias is the
    # same function as its target)
    for name in sorted(TORCH_INPLACE_FUNCTIONS, key=lambda n: n in ALIASES):  # targets first
        target = ALIASES.get(name, name)
        if name in module or not callable(getattr(cls, target, None)):
            continue
        if target != name and target in module:
            module[name] = module[target]
        else:
            module[name] = _method_as_function(target)


def _method_of(fn: Callable[..., Any]) -> Callable[..., Any]:
    def method(self: Tensor, *args: Any, **kwargs: Any) -> Any:
        return fn(self, *args, **kwargs)

    method.__name__ = fn.__name__
    method.__doc__ = fn.__doc__ or f"{fn.__name__}(self, ...)."
    return method


def _method_as_function(name: str) -> Callable[..., Any]:
    def fn(input: Tensor, *args: Any, **kwargs: Any) -> Any:
        _need(name, "input", input)
        return getattr(input, name)(*args, **kwargs)

    fn.__name__ = name
    fn.__doc__ = f"input.{name}(...)."
    return fn
