"""The op table: one row per op form. Adding an op to pyautograd = adding its rows here.

A row is (name, code template, argument generators, kind, weight). The template formats the
arguments' code: ``"{0}.clamp({1}, {2})"``. Kinds:

- ``op``      an expression whose value is a new variable (``t5 = <expr>``)
- ``tuple``   an expression returning (values, indices) (``t5, t6 = <expr>``)
- ``py``      an expression returning a Python value (``item()``, ``tolist()``, ...)
- ``inplace`` a statement that writes into ``{0}`` (every tensor is compared afterwards)
- ``effect``  a statement that changes ``{0}``'s autograd state (``retain_grad()``, ...)

Dtype constraints are the ``dtypes`` of the argument generators; PyTorch decides what is legal
(a draw PyTorch rejects is kept at times, to compare which calls raise). Known divergences are
not excluded here but in known.py, by name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import args as A
import predicates as P
from args import ALL, INTS, NUM, ArgGen

FLOAT_ONLY = ("float32", "float64")


@dataclass(frozen=True)
class Row:
    name: str
    template: str
    args: tuple[ArgGen, ...]
    kind: str = "op"
    weight: float = 1.0
    family: str = ""


ROWS: list[Row] = []


def row(
    name: str,
    template: str,
    *args: ArgGen,
    kind: str = "op",
    weight: float = 1.0,
    family: str = "",
) -> None:
    ROWS.append(Row(name, template, tuple(args), kind, weight, family))


def _rank_at_least(n: int) -> A.ArgGen:
    return A.tensor(pred=lambda t: t.dim() >= n)


# ---- broadcasting binary ops: operator, reflected operator, method, function, in-place ------
def binary(
    name: str,
    sym: str,
    dtypes: Sequence[str] = ALL,
    method: str | None = None,
    func: str | None = None,
    inplace: str | None = None,
    weight: float = 1.0,
) -> None:
    x = A.tensor(dtypes)
    y = A.other(0, dtypes)
    w = weight / 4
    row(f"{name}:op", f"{{0}} {sym} {{1}}", x, y, weight=w, family="binary")
    row(
        f"{name}:rop",
        f"{{1}} {sym} {{0}}",
        x,
        A.scalar(A._kinds_for(dtypes)),
        weight=w / 2,
        family="binary",
    )
    if method:
        row(f"{name}:method", f"{{0}}.{method}({{1}})", x, y, weight=w / 2, family="binary")
    if func:
        yt = A.other(0, dtypes, scalar_p=0.15)
        row(f"{name}:func", f"L.{func}({{0}}, {{1}})", x, yt, weight=w / 2, family="binary")
    if inplace:
        row(
            f"{name}:inplace",
            f"{{0}}.{inplace}({{1}})",
            x,
            y,
            kind="inplace",
            weight=w,
            family="inplace",
        )
        row(
            f"{name}:iop",
            f"{{0}} {sym}= {{1}}",
            x,
            y,
            kind="inplace",
            weight=w / 2,
            family="inplace",
        )


binary("add", "+", method="add", func="add", inplace="add_", weight=2.0)
binary("sub", "-", method="sub", func="sub", inplace="sub_", weight=1.5)
binary("mul", "*", method="mul", func="mul", inplace="mul_", weight=2.0)
binary("div", "/", method="div", func="div", inplace="div_", weight=1.5)
binary("pow", "**", method="pow", func="pow", inplace="pow_", weight=1.5)
binary("and", "&", INTS, method="bitwise_and", inplace="bitwise_and_", weight=0.5)
binary("or", "|", INTS, method="bitwise_or", inplace="bitwise_or_", weight=0.5)
binary("xor", "^", INTS, method="bitwise_xor", inplace="bitwise_xor_", weight=0.5)
for _n, _s in (("eq", "=="), ("ne", "!="), ("lt", "<"), ("le", "<="), ("gt", ">"), ("ge", ">=")):
    binary(_n, _s, method=_n, func=_n, weight=0.5)

row("sub:alias", "{0}.subtract({1})", A.tensor(), A.other(0), weight=0.1, family="binary")
row("mul:alias", "{0}.multiply({1})", A.tensor(), A.other(0), weight=0.1, family="binary")
row("div:alias", "{0}.true_divide({1})", A.tensor(), A.other(0), weight=0.1, family="binary")
for _f in ("maximum", "minimum"):
    row(
        f"{_f}:func",
        f"L.{_f}({{0}}, {{1}})",
        A.tensor(),
        A.other(0, tensor_only=True),
        family="binary",
    )
    row(
        f"{_f}:method",
        f"{{0}}.{_f}({{1}})",
        A.tensor(),
        A.other(0, tensor_only=True),
        weight=0.3,
        family="binary",
    )
row("max:elementwise", "{0}.max({1})", A.tensor(), A.other(0, tensor_only=True), weight=0.3)
row("min:elementwise", "L.min({0}, {1})", A.tensor(), A.other(0, tensor_only=True), weight=0.3)
for _f in ("logical_and", "logical_or"):
    row(
        f"{_f}",
        f"{{0}}.{_f}({{1}})",
        A.tensor(),
        A.other(0, tensor_only=True),
        weight=0.3,
        family="binary",
    )
row("logical_not", "{0}.logical_not()", A.tensor(), weight=0.2, family="unary")
row("invert:op", "~{0}", A.tensor(INTS), weight=0.3, family="unary")
row("bitwise_not", "{0}.bitwise_not()", A.tensor(INTS), weight=0.2, family="unary")

# ---- unary ---------------------------------------------------------------------------------
for _u in ("exp", "log", "sqrt", "tanh", "sigmoid", "relu", "abs", "neg", "sign"):
    row(f"{_u}:method", f"{{0}}.{_u}()", A.tensor(), weight=0.8, family="unary")
    row(f"{_u}:func", f"L.{_u}({{0}})", A.tensor(), weight=0.2, family="unary")
row("neg:op", "-{0}", A.tensor(), weight=0.4, family="unary")
row("abs:op", "abs({0})", A.tensor(), weight=0.3, family="unary")
row("square:method", "{0}.square()", A.tensor(), weight=0.4, family="unary")
row("square:func", "L.square({0})", A.tensor(), weight=0.1, family="unary")
for _c, _code in (
    ("float", "float()"),
    ("double", "double()"),
    ("long", "long()"),
    ("bool", "bool()"),
    ("to", "to(L.float64)"),
    ("to_kw", "to(dtype=L.float32)"),
):
    row(f"cast:{_c}", f"{{0}}.{_code}", A.tensor(), weight=0.25, family="unary")

# ---- clamp / where / masked_fill -------------------------------------------------------------
_NONE = A.lit("None")
row("clamp:both", "{0}.clamp({1}, {2})", A.tensor(), A.bound(), A.bound(), family="clamp")
row("clamp:min", "{0}.clamp(min={1})", A.tensor(), A.bound(), family="clamp")
row("clamp:max", "{0}.clamp(max={1})", A.tensor(), A.bound(), family="clamp")
row("clamp:none", "{0}.clamp({1}, {2})", A.tensor(), _NONE, _NONE, weight=0.08, family="clamp")
row("clip", "{0}.clip({1}, {2})", A.tensor(), A.bound(), A.bound(), weight=0.3, family="clamp")
row(
    "clamp:func",
    "L.clamp({0}, {1}, {2})",
    A.tensor(),
    A.bound(),
    A.bound(),
    weight=0.3,
    family="clamp",
)
row("clip:func", "L.clip({0}, min={1})", A.tensor(), A.bound(), weight=0.2, family="clamp")
row(
    "clamp:tensor",
    "{0}.clamp(min={1})",
    A.tensor(),
    A.other(0, tensor_only=True),
    weight=0.2,
    family="clamp",
)
row(
    "clamp:tensors",
    "{0}.clamp({1}, {2})",
    A.tensor(),
    A.other(0, tensor_only=True),
    A.other(0, tensor_only=True),
    weight=0.2,
    family="clamp",
)
row(
    "clamp_max:tensor",
    "{0}.clamp_max({1})",
    A.tensor(),
    A.other(0, tensor_only=True),
    weight=0.1,
    family="clamp",
)
row(
    "clamp_:tensor",
    "{0}.clamp_(min={1})",
    A.tensor(),
    A.other(0, tensor_only=True),
    kind="inplace",
    weight=0.1,
    family="clamp",
)
row(
    "clamp_",
    "{0}.clamp_({1}, {2})",
    A.tensor(),
    A.bound(),
    A.bound(),
    kind="inplace",
    weight=0.5,
    family="inplace",
)
row(
    "where:func",
    "L.where({0}, {1}, {2})",
    A.tensor(("bool",)),
    A.other(0),
    A.other(0),
    family="where",
)
row(
    "where:method",
    "{1}.where({0}, {2})",
    A.tensor(("bool",)),
    A.other(0, tensor_only=True),
    A.other(0),
    weight=0.4,
    family="where",
)
row("where:cmp", "L.where({0} > 0, {0}, {1})", A.tensor(NUM), A.other(0), family="where")
row(
    "masked_fill",
    "{0}.masked_fill({1}, {2})",
    A.tensor(),
    A.mask(0),
    A.choice(A.scalar(), A.other(0, zero_d_p=1.0, tensor_only=True)),
    weight=0.5,
    family="where",
)
row(
    "masked_fill_",
    "{0}.masked_fill_({1}, {2})",
    A.tensor(),
    A.mask(0),
    A.choice(A.scalar(), A.other(0, zero_d_p=1.0, tensor_only=True)),
    kind="inplace",
    weight=0.4,
    family="inplace",
)

# ---- reductions ----------------------------------------------------------------------------
for _r in ("sum", "mean"):
    row(f"{_r}:all", f"{{0}}.{_r}()", A.tensor(), family="reduce")
    row(f"{_r}:dim", f"{{0}}.{_r}({{1}})", A.tensor(), A.dim(0), weight=0.6, family="reduce")
    row(
        f"{_r}:dim_keep",
        f"{{0}}.{_r}({{1}}, keepdim={{2}})",
        A.tensor(),
        A.dim(0),
        A.flag(),
        weight=0.6,
        family="reduce",
    )
    row(
        f"{_r}:dims",
        f"{{0}}.{_r}(dim={{1}}, keepdim={{2}})",
        A.tensor(),
        A.dims(0),
        A.flag(),
        weight=0.5,
        family="reduce",
    )
    row(f"{_r}:func", f"L.{_r}({{0}}, {{1}})", A.tensor(), A.dim(0), weight=0.2, family="reduce")
for _r in ("max", "min"):
    row(f"{_r}:all", f"{{0}}.{_r}()", A.tensor(), weight=0.7, family="reduce")
    row(
        f"{_r}:dim",
        f"{{0}}.{_r}({{1}})",
        A.tensor(),
        A.dim(0),
        kind="tuple",
        weight=0.5,
        family="reduce",
    )
    row(
        f"{_r}:dim_keep",
        f"{{0}}.{_r}({{1}}, keepdim={{2}})",
        A.tensor(),
        A.dim(0),
        A.flag(),
        kind="tuple",
        weight=0.4,
        family="reduce",
    )
    row(
        f"{_r}:values",
        f"{{0}}.{_r}(dim={{1}})[0]",
        A.tensor(),
        A.dim(0),
        weight=0.4,
        family="reduce",
    )
    row(
        f"{_r}:func",
        f"L.{_r}({{0}}, {{1}}).values",
        A.tensor(),
        A.dim(0),
        weight=0.2,
        family="reduce",
    )
    row(f"arg{_r}:all", f"{{0}}.arg{_r}()", A.tensor(), weight=0.3, family="reduce")
    row(
        f"arg{_r}:dim",
        f"{{0}}.arg{_r}({{1}}, keepdim={{2}})",
        A.tensor(),
        A.dim(0),
        A.flag(),
        weight=0.3,
        family="reduce",
    )

# ---- matmul (every rank combination through matmul's partner generator) ---------------------
row("matmul:op", "{0} @ {1}", A.tensor(NUM), A.mat_partner(0), weight=1.5, family="linalg")
row(
    "matmul:method", "{0}.matmul({1})", A.tensor(NUM), A.mat_partner(0), weight=0.4, family="linalg"
)
row(
    "matmul:func",
    "L.matmul({0}, {1})",
    A.tensor(NUM),
    A.mat_partner(0),
    weight=0.3,
    family="linalg",
)
row(
    "mm",
    "{0}.mm({1})",
    A.tensor(NUM, pred=lambda t: t.dim() == 2),
    A.mat_partner(0, "mm"),
    weight=0.5,
    family="linalg",
)
row(
    "mm:func",
    "L.mm({0}, {1})",
    A.tensor(NUM, pred=lambda t: t.dim() == 2),
    A.mat_partner(0, "mm"),
    weight=0.2,
    family="linalg",
)
row(
    "bmm",
    "{0}.bmm({1})",
    A.tensor(NUM, pred=lambda t: t.dim() == 3),
    A.mat_partner(0, "bmm"),
    weight=0.4,
    family="linalg",
)

# ---- views and shape ops -------------------------------------------------------------------
row("transpose", "{0}.transpose({1}, {2})", A.tensor(), A.dim(0), A.dim(0), family="view")
row("t", "{0}.t()", A.tensor(pred=lambda t: t.dim() <= 2), weight=0.6, family="view")
row("T", "{0}.T", A.tensor(pred=lambda t: t.dim() == 2), weight=0.3, family="view")
row("permute", "{0}.permute({1})", A.tensor(), A.perm(0), weight=0.6, family="view")
row("view", "{0}.view({1})", A.tensor(), A.new_shape(0), weight=0.8, family="view")
row("reshape", "{0}.reshape({1})", A.tensor(), A.new_shape(0), weight=0.8, family="view")
row("view:flat", "{0}.view(-1)", A.tensor(), weight=0.3, family="view")
row("view_as", "{0}.view_as({1})", A.tensor(), A.tensor(), weight=0.1, family="view")
row("flatten", "{0}.flatten()", A.tensor(), weight=0.3, family="view")
row("expand", "{0}.expand({1})", A.tensor(), A.new_shape(0, "expand"), weight=0.8, family="view")
row("expand_as", "{0}.expand_as({1})", A.tensor(), A.tensor(), weight=0.1, family="view")
row("squeeze", "{0}.squeeze()", A.tensor(), weight=0.3, family="view")
row("squeeze:dim", "{0}.squeeze({1})", A.tensor(), A.dim(0), weight=0.3, family="view")
row("unsqueeze", "{0}.unsqueeze({1})", A.tensor(), A.dim(0), weight=0.4, family="view")
row("contiguous", "{0}.contiguous()", A.tensor(), weight=0.3, family="view")
row("clone", "{0}.clone()", A.tensor(), weight=0.4, family="view")
row("index", "{0}[{1}]", A.tensor(), A.basic_index(0), weight=2.0, family="index")
row("index:mask", "{0}[{1}]", A.tensor(), A.mask(0, prefix=True), weight=0.5, family="index")
row("index:cmp", "{0}[{0} > 0]", A.tensor(NUM), weight=0.3, family="index")
row("index:int_tensor", "{0}[{1}]", A.tensor(), A.int_index(0), weight=0.4, family="index")
row("detach", "{0}.detach()", A.tensor(), weight=0.4, family="autograd")
row("data", "{0}.data", A.tensor(), weight=0.3, family="autograd")

# ---- in-place writes (beyond the binary ops' own) ------------------------------------------
row("zero_", "{0}.zero_()", A.tensor(), kind="inplace", weight=0.4, family="inplace")
row(
    "fill_",
    "{0}.fill_({1})",
    A.tensor(),
    A.choice(A.scalar(), A.other(0, zero_d_p=1.0, tensor_only=True)),
    kind="inplace",
    weight=0.4,
    family="inplace",
)
row(
    "copy_",
    "{0}.copy_({1})",
    A.tensor(),
    A.other(0, scalar_p=0, zero_d_p=0.1),
    kind="inplace",
    weight=0.5,
    family="inplace",
)
row(
    "setitem",
    "{0}[{1}] = {2}",
    A.tensor(),
    A.basic_index(0),
    A.set_value(0, 1),
    kind="inplace",
    weight=1.5,
    family="inplace",
)
row(
    "setitem:mask",
    "{0}[{1}] = {2}",
    A.tensor(),
    A.mask(0, prefix=True),
    A.choice(A.scalar(), A.other(0, zero_d_p=1.0, tensor_only=True)),
    kind="inplace",
    weight=0.5,
    family="inplace",
)
row(
    "setitem:int_tensor",
    "{0}[{1}] = {2}",
    A.tensor(),
    A.int_index(0),
    A.scalar(),
    kind="inplace",
    weight=0.2,
    family="inplace",
)
row(
    "data:inplace",
    "{0}.data.mul_({1})",
    A.tensor(NUM),
    A.scalar(("int", "float")),
    kind="inplace",
    weight=0.3,
    family="inplace",
)
row("detach_", "{0}.detach_()", A.tensor(), kind="inplace", weight=0.2, family="autograd")

# ---- autograd state ------------------------------------------------------------------------
row(
    "retain_grad",
    "{0}.retain_grad()",
    A.tensor(FLOAT_ONLY),
    kind="effect",
    weight=0.5,
    family="autograd",
)
row(
    "requires_grad_",
    "{0}.requires_grad_()",
    A.tensor(),
    kind="effect",
    weight=0.3,
    family="autograd",
)
row(
    "requires_grad_false",
    "{0}.requires_grad_(False)",
    A.tensor(),
    kind="effect",
    weight=0.1,
    family="autograd",
)

row(
    "grad:zero_",
    "{0}.grad.zero_()",
    A.tensor(FLOAT_ONLY, pred=lambda t: P.is_leaf(t) and t.grad is not None, fresh_p=0.0),
    kind="effect",
    weight=0.3,
    family="autograd",
)
row(
    "grad:none",
    "{0}.grad = None",
    A.tensor(FLOAT_ONLY, pred=lambda t: P.is_leaf(t) and t.requires_grad, fresh_p=0.0),
    kind="effect",
    weight=0.2,
    family="autograd",
)

# ---- creation from a tensor, and Python values ---------------------------------------------
row("zeros_like", "L.zeros_like({0})", A.tensor(), weight=0.1, family="creation")
row("ones_like", "L.ones_like({0}, dtype=L.float64)", A.tensor(), weight=0.1, family="creation")
row("full_like", "L.full_like({0}, {1})", A.tensor(), A.scalar(), weight=0.1, family="creation")
row("item", "{0}.item()", A.tensor(pred=lambda t: t.numel() == 1), kind="py", weight=0.1)
row("tolist", "{0}.tolist()", A.tensor(), kind="py", weight=0.1)
row("float()", "float({0})", A.tensor(pred=lambda t: t.numel() == 1), kind="py", weight=0.08)
row("len", "len({0})", A.tensor(), kind="py", weight=0.08)

import ops_api  # noqa: E402, F401  (appends the wider tensor API's rows)
import ops_nn  # noqa: E402, F401  (appends the nn.functional rows)

ROW_BY_NAME = {r.name: r for r in ROWS}
assert len(ROW_BY_NAME) == len(ROWS), (
    "row names must be unique",
    sorted({r.name for r in ROWS if sum(q.name == r.name for q in ROWS) > 1}),
)

#: rows whose result is a view of their first argument (same strides in both libraries)
VIEW_ROWS = frozenset(
    (
        "transpose t T permute view view:flat view_as flatten reshape expand expand_as squeeze "
        "squeeze:dim unsqueeze index detach data"
    ).split()
)
#: rows whose result is a view or a copy depending on the argument's strides
LAYOUT_SENSITIVE = frozenset(
    "view view:flat view_as reshape flatten flatten:range unflatten ravel contiguous".split()
)
