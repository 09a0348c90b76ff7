"""Matrix helpers with PyTorch's signatures: eye, tril/triu (and in place), diag, diagonal (a
view), diag_embed, trace, mv and einsum. They are made of differentiable ops (diagonal and
diag_embed are C++ ops: ops/diagonal.cpp), so their gradients come from those."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

from . import _core
from ._core import Tensor


def eye(
    n: int,
    m: int | None = None,
    *,
    dtype: _core.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """The n x m (m = n by default) identity matrix, of the default dtype unless dtype."""
    m = n if m is None else m
    if n < 0 or m < 0:
        raise RuntimeError(f"[eye] n and m must be non-negative, got {n} and {m}")
    out = _core.zeros(n, m, dtype=dtype, device=device)
    _core._diagonal(out, 0, 0, 1).fill_(1)
    return out.requires_grad_() if requires_grad else out


def _tri_mask(input: Tensor, diagonal: int, lower: bool, op: str) -> Tensor:
    if input.dim() < 2:
        raise RuntimeError(f"[{op}] expected a tensor of at least 2 dimensions, got {input.dim()}")
    r, c = input.shape[-2], input.shape[-1]
    rows = _core.arange(r).unsqueeze(1)
    cols = _core.arange(c).unsqueeze(0)
    return (cols - rows <= diagonal) if lower else (cols - rows >= diagonal)


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle of the last two dimensions (elements with col - row <= diagonal);
    the rest zero."""
    out = input.masked_fill(~_tri_mask(input, diagonal, True, "tril"), 0)
    return _core._show_grad_fn_as(out, "TrilBackward0")


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle of the last two dimensions (elements with col - row >= diagonal);
    the rest zero."""
    out = input.masked_fill(~_tri_mask(input, diagonal, False, "triu"), 0)
    return _core._show_grad_fn_as(out, "TriuBackward0")


def _tril_(self: Tensor, diagonal: int = 0) -> Tensor:
    """tril in place."""
    return self.masked_fill_(~_tri_mask(self, diagonal, True, "tril_"), 0)


def _triu_(self: Tensor, diagonal: int = 0) -> Tensor:
    """triu in place."""
    return self.masked_fill_(~_tri_mask(self, diagonal, False, "triu_"), 0)


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """A view of the diagonal `offset` of dims dim1 and dim2 (removed; the diagonal is the
    last dimension of the result)."""
    return _core._diagonal(input, offset, dim1, dim2)


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """A zero tensor with input's last dimension on the diagonal `offset` of dims dim1, dim2."""
    return _core._diag_embed(input, offset, dim1, dim2)


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """A 1-d input: the square matrix with it on diagonal `diagonal`; a 2-d input: a copy of
    its diagonal `diagonal`."""
    if input.dim() == 1:
        return _core._diag_embed(input, diagonal, 0, 1)
    if input.dim() == 2:
        return _core._diagonal(input, diagonal, 0, 1).clone()
    raise RuntimeError(f"[diag] expected a 1-d or 2-d tensor, got {input.dim()}-d")


def trace(input: Tensor) -> Tensor:
    """The sum of the main diagonal of a 2-d tensor (integers sum to int64)."""
    if input.dim() != 2:
        raise RuntimeError(f"[trace] expected a matrix, got a {input.dim()}-d tensor")
    if input.dtype == _core.bool:
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    return _core._diagonal(input, 0, 0, 1).sum()


def mv(input: Tensor, vec: Tensor) -> Tensor:
    """The product of a matrix (n, m) and a vector (m,): a vector (n,)."""
    for name, t in (("input", input), ("vec", vec)):
        if not isinstance(t, Tensor):
            raise TypeError(f"[mv] argument '{name}' must be Tensor, not {type(t).__name__}")
    if input.dim() != 2 or vec.dim() != 1:
        raise RuntimeError(
            f"[mv] expected a matrix and a vector, got {input.dim()}-d and {vec.dim()}-d tensors"
        )
    if input.shape[1] != vec.shape[0]:
        raise RuntimeError(
            f"[mv] size mismatch: matrix {tuple(input.shape)}, vector {tuple(vec.shape)}"
        )
    return input.matmul(vec)


# ---- einsum ----------------------------------------------------------------------------------
def _fail(msg: str) -> RuntimeError:
    return RuntimeError(f"[einsum] {msg}")


def _parse_term(term: str, ndim: int, idx: int) -> tuple[list[str], int]:
    """The letters of one operand's subscripts ('.' where the ellipsis is) and how many
    dimensions the ellipsis covers."""
    if term.count("...") > 1 or term.replace("...", "").count(".") > 0:
        raise _fail(f"operand {idx}: an ellipsis is '...' and appears at most once")
    letters = list(term.replace("...", "."))
    for c in letters:
        if c != "." and not (c.isascii() and c.isalpha()):
            raise _fail(f"invalid subscript '{c}': subscripts are letters a-z, A-Z")
    named = len(letters) - ("." in letters)
    if "." in letters:
        if ndim < named:
            raise _fail(f"operand {idx} has {ndim} dimensions, fewer than its {named} subscripts")
        return letters, ndim - named
    if ndim != named:
        raise _fail(f"operand {idx} has {ndim} dimensions but {named} subscripts")
    return letters, 0


def _sizes(ops: list[tuple[Tensor, list[str]]]) -> dict[str, int]:
    size: dict[str, int] = {}
    for x, s in ops:
        for c, n in zip(s, x.shape, strict=True):
            old = size.get(c, 1)
            if old != 1 and n != 1 and old != n:
                raise _fail(f"subscript '{c}' has size {n} in one operand and {old} in another")
            size[c] = max(old, n) if n != 0 and old != 0 else 0
    return size


def _contract(
    x: Tensor, s: list[str], y: Tensor, t: list[str], keep: set[str], size: dict[str, int]
) -> tuple[Tensor, list[str]]:
    batch = [c for c in s if c in t and c in keep]
    contr = [c for c in s if c in t and c not in keep]
    xo = [c for c in s if c not in t]
    yo = [c for c in t if c not in s]
    xp = x.permute([s.index(c) for c in batch + xo + contr])
    yp = y.permute([t.index(c) for c in batch + contr + yo])
    xs = [size[c] for c in batch] + list(xp.shape[len(batch) : len(batch) + len(xo)])
    ys = [size[c] for c in contr] + list(yp.shape[len(batch) + len(contr) :])
    xp = xp.expand([*xs, *(size[c] for c in contr)])
    yp = yp.expand([*(size[c] for c in batch), *ys])
    nb = math.prod(size[c] for c in batch)
    m = math.prod(xs[len(batch) :])
    k = math.prod(size[c] for c in contr)
    n = math.prod(ys[len(contr) :])
    r = xp.reshape(nb, m, k).bmm(yp.reshape(nb, k, n))
    return r.reshape([*xs, *ys[len(contr) :]]), batch + xo + yo


def einsum(equation: str, *operands: Any) -> Tensor:
    """Einstein summation: 'ij,jk->ik' is a matrix product. Any number of operands, repeated
    subscripts in one operand take its diagonal, '...' stands for broadcast dimensions, and
    without '->' the output is the subscripts that appear once, in alphabetical order.
    Differentiable (it is made of diagonal, sum, permute, expand, reshape and bmm)."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not operands:
        raise _fail("expected at least one operand")
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(operands):
        raise _fail(f"{len(terms)} subscript terms for {len(operands)} operands")
    parsed = [
        _parse_term(t, x.dim(), i) for i, (t, x) in enumerate(zip(terms, operands, strict=True))
    ]
    n_ell = max(ne for _, ne in parsed)
    ell = [chr(0x3B1 + i) for i in range(n_ell)]  # placeholders for the ellipsis dims
    subs: list[list[str]] = []
    for letters, ne in parsed:
        s: list[str] = []
        for c in letters:
            s += ell[n_ell - ne :] if c == "." else [c]
        subs.append(s)
    if arrow:
        if rhs.count("...") > 1:
            raise _fail("the output has more than one ellipsis")
        out: list[str] = []
        for c in rhs.replace("...", "."):
            if c == ".":
                out += ell
            elif not (c.isascii() and c.isalpha()):
                raise _fail(f"invalid output subscript '{c}'")
            elif c in out:
                raise _fail(f"output subscript '{c}' appears more than once")
            elif not any(c in s for s in subs):
                raise _fail(f"output subscript '{c}' does not appear in the inputs")
            else:
                out.append(c)
    else:
        counts = Counter(c for s in subs for c in s if c not in ell)
        out = ell + sorted(c for c, k in counts.items() if k == 1)

    ops: list[tuple[Tensor, list[str]]] = []
    for x, s in zip(operands, subs, strict=True):
        s = list(s)
        while True:  # a repeated subscript: its diagonal
            dup = next((c for c in s if s.count(c) > 1), None)
            if dup is None:
                break
            i = s.index(dup)
            j = s.index(dup, i + 1)
            if x.shape[i] != x.shape[j]:
                raise _fail(
                    f"subscript '{dup}' is repeated over sizes {x.shape[i]} and {x.shape[j]}"
                )
            x = _core._diagonal(x, 0, i, j)
            s = [c for k, c in enumerate(s) if k not in (i, j)] + [dup]
        ops.append((x, s))
    size = _sizes(ops)

    # Sum out what one operand alone holds and the output does not need.
    for k, (x, s) in enumerate(ops):
        others = set(out).union(*(set(u) for j, (_, u) in enumerate(ops) if j != k))
        drop = [i for i, c in enumerate(s) if c not in others]
        if drop:
            ops[k] = (x.sum(drop), [c for c in s if c in others])
    x, s = ops[0]
    for k in range(1, len(ops)):
        keep = set(out).union(*(set(u) for _, u in ops[k + 1 :]))
        x, s = _contract(x, s, ops[k][0], ops[k][1], keep, size)
    drop = [i for i, c in enumerate(s) if c not in out]
    if drop:
        x, s = x.sum(drop), [c for c in s if c in out]
    if len(s) < len(out):  # an output subscript broadcast to size 1 everywhere: keep it
        raise _fail("internal: an output subscript was lost")
    perm = [s.index(c) for c in out]
    return x.permute(perm) if perm != list(range(len(perm))) else x


FUNCTIONS = {
    "tril": tril,
    "triu": triu,
    "diagonal": diagonal,
    "diag_embed": diag_embed,
    "diag": diag,
    "trace": trace,
    "mv": mv,
}


def install(cls: type[Tensor]) -> None:
    """Adds the matrix helpers (and tril_/triu_) to Tensor."""
    for name, f in FUNCTIONS.items():
        setattr(cls, name, f)
    cls.tril_ = _tril_  # type: ignore[method-assign]
    cls.triu_ = _triu_  # type: ignore[method-assign]


__all__: Sequence[str] = ["einsum", "eye", *FUNCTIONS]


def matmul(input: Tensor, other: Tensor, *, out: Tensor | None = None) -> Tensor:
    """The matrix product of input and other (1-D, 2-D or batched, broadcasting); out= as
    PyTorch (refused when autograd records, resized with a warning)."""
    r = Tensor.matmul(input, other)
    return r if out is None else _core._write_out(out, r, "matmul")


def mm(input: Tensor, mat2: Tensor, *, out: Tensor | None = None) -> Tensor:
    """The product of two 2-D matrices; out= as PyTorch."""
    r = Tensor.mm(input, mat2)
    return r if out is None else _core._write_out(out, r, "mm")


def bmm(input: Tensor, mat2: Tensor, *, out: Tensor | None = None) -> Tensor:
    """The batched product of two 3-D tensors; out= as PyTorch."""
    r = Tensor.bmm(input, mat2)
    return r if out is None else _core._write_out(out, r, "bmm")
