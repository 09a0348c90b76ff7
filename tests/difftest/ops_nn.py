"""Rows for pyautograd.nn.functional (activations, layers, losses): PyTorch's torch.nn.functional
with the same arguments. Appended to ops.ROWS."""

from __future__ import annotations

from typing import TYPE_CHECKING

import args as A
import shapes
from args import Arg, ArgGen, Skip, dname, var_arg
from ops import FLOAT_ONLY, row

if TYPE_CHECKING:
    from gen import Gen

F = "L.nn.functional"
FLOATISH = (*FLOAT_ONLY, *FLOAT_ONLY, "int64")  # mostly floats; int64 to compare refusals


def _x(rank_min: int = 0) -> ArgGen:
    return A.tensor(FLOATISH, pred=lambda t: t.dim() >= rank_min)


def like(of: int = 0, kind: str = "normal") -> ArgGen:
    """A fresh float tensor shaped like args[of]: "normal" values, or "prob" in [0, 1]."""

    def gen(g: Gen, args: list[Arg]) -> Arg:
        t = args[of].value
        dt = dname(t) if dname(t) in FLOAT_ONLY else "float32"
        name = g.fresh(tuple(t.shape), dt)
        if kind == "prob":
            name2 = g.fresh(tuple(t.shape), dt, rg=False)  # values then squashed in the code
            return Arg(f"{name2}.sigmoid()", "var", name2, g.t(name2), (name2,))
        return var_arg(g, name)

    return gen


def weight(of: int = 0) -> ArgGen:
    """A (out, in) weight for linear over args[of]'s last dim."""

    def gen(g: Gen, args: list[Arg]) -> Arg:
        t = args[of].value
        if t.dim() == 0:
            raise Skip
        dt = dname(t) if dname(t) in FLOAT_ONLY else "float32"
        return var_arg(g, g.fresh((shapes.dim_size(g.rng, False), t.shape[-1]), dt))

    return gen


def bias(of_weight: int = 1) -> ArgGen:
    def gen(g: Gen, args: list[Arg]) -> Arg:
        w = args[of_weight].value
        if g.rng.random() < 0.3:
            return Arg("None", "none")
        return var_arg(g, g.fresh((w.shape[0],), dname(w)))

    return gen


def normalized_shape(of: int = 0) -> ArgGen:
    def gen(g: Gen, args: list[Arg]) -> Arg:
        s = tuple(args[of].value.shape)
        if not s:
            raise Skip
        k = g.rng.randint(1, min(2, len(s)))
        return Arg(repr(s[-k:]), "dims", value=s[-k:])

    return gen


def affine(of: int = 0, shape_arg: int = 1) -> ArgGen:
    """layer_norm's weight/bias: None or a tensor of the normalized shape."""

    def gen(g: Gen, args: list[Arg]) -> Arg:
        if g.rng.random() < 0.4:
            return Arg("None", "none")
        dt = dname(args[of].value)
        dt = dt if dt in FLOAT_ONLY else "float32"
        return var_arg(g, g.fresh(tuple(args[shape_arg].value), dt))

    return gen


def classes(of: int = 0) -> ArgGen:
    """Class indices for logits args[of] of shape (N, C) or (C,)."""

    def gen(g: Gen, args: list[Arg]) -> Arg:
        t = args[of].value
        if t.dim() not in (1, 2) or t.shape[-1] == 0:
            raise Skip
        c = t.shape[-1]
        n = t.shape[0] if t.dim() == 2 else None
        vals = [g.rng.randrange(c) for _ in range(n or 1)]
        code = f"L.tensor({vals!r})" if n is not None else f"L.tensor({vals[0]})"
        return Arg(code, "lit", value=vals)

    return gen


def reduction() -> ArgGen:
    return lambda g, args: Arg(repr(g.rng.choice(("mean", "sum", "none"))), "lit")


def dim_arg(of: int = 0) -> ArgGen:
    def gen(g: Gen, args: list[Arg]) -> Arg:
        r = max(1, args[of].value.dim())
        return Arg(str(g.rng.randint(-r, r - 1)), "dims")

    return gen


for _a in ("relu", "relu6", "sigmoid", "tanh", "silu", "gelu", "elu", "softplus"):
    row(f"nn:{_a}", f"{F}.{_a}({{0}})", _x(), weight=0.25, family="nn")
row("nn:leaky_relu", f"{F}.leaky_relu({{0}}, 0.1)", _x(), weight=0.25, family="nn")
row("nn:hardtanh", f"{F}.hardtanh({{0}}, -0.5, 1.5)", _x(), weight=0.25, family="nn")
row("nn:softmax", f"{F}.softmax({{0}}, {{1}})", _x(), dim_arg(0), weight=0.4, family="nn")
row("nn:log_softmax", f"{F}.log_softmax({{0}}, {{1}})", _x(), dim_arg(0), weight=0.4, family="nn")
row("nn:linear", f"{F}.linear({{0}}, {{1}}, {{2}})", _x(1), weight(0), bias(1), weight=0.5,
    family="nn")  # fmt: skip
row("nn:layer_norm", f"{F}.layer_norm({{0}}, {{1}}, {{2}}, {{3}})", _x(1), normalized_shape(0),
    affine(0, 1), affine(0, 1), weight=0.4, family="nn")  # fmt: skip
row("nn:dropout_eval", f"{F}.dropout({{0}}, 0.5, training=False)", _x(), weight=0.1,
    family="nn")  # fmt: skip
for _l in ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"):
    row(f"nn:{_l}", f"{F}.{_l}({{0}}, {{1}}, reduction={{2}})", _x(), like(0), reduction(),
        weight=0.25, family="nn")  # fmt: skip
row("nn:bce", f"{F}.binary_cross_entropy({{0}}.sigmoid(), {{1}}, reduction={{2}})",
    A.tensor(FLOAT_ONLY), like(0, "prob"), reduction(), weight=0.3, family="nn")  # fmt: skip
row("nn:bce_logits", f"{F}.binary_cross_entropy_with_logits({{0}}, {{1}}, reduction={{2}})",
    A.tensor(FLOAT_ONLY), like(0, "prob"), reduction(), weight=0.3, family="nn")  # fmt: skip
row("nn:cross_entropy", f"{F}.cross_entropy({{0}}, {{1}}, reduction={{2}})",
    A.tensor(FLOAT_ONLY, pred=lambda t: t.dim() in (1, 2)), classes(0), reduction(),
    weight=0.4, family="nn")  # fmt: skip
row("nn:nll_loss", f"{F}.nll_loss({F}.log_softmax({{0}}, -1), {{1}}, reduction={{2}})",
    A.tensor(FLOAT_ONLY, pred=lambda t: t.dim() in (1, 2)), classes(0), reduction(),
    weight=0.3, family="nn")  # fmt: skip

# ---- more activations, with their parameters (oracle2) ----
for _a, _code in (
    ("selu", "selu({0})"),
    ("celu", "celu({0}, alpha=0.5)"),  # PyTorch's backward uses 1 / float32(alpha)
    ("softsign", "softsign({0})"),
    ("mish", "mish({0})"),
    ("logsigmoid", "logsigmoid({0})"),
    ("hardswish", "hardswish({0})"),
    ("hardsigmoid", "hardsigmoid({0})"),
    ("softshrink", "softshrink({0}, 0.4)"),
    ("tanhshrink", "tanhshrink({0})"),
    ("elu_alpha", "elu({0}, alpha=0.5)"),
    ("softplus_beta", "softplus({0}, beta=2.0, threshold=1.5)"),
    ("gelu_tanh", "gelu({0}, approximate='tanh')"),
    ("leaky_relu_default", "leaky_relu({0})"),
):
    row(f"nn:{_a}", f"{F}.{_code}", _x(), weight=0.15, family="nn")
row("nn:softmin", f"{F}.softmin({{0}}, {{1}})", _x(), dim_arg(0), weight=0.2, family="nn")
row("nn:normalize", f"{F}.normalize({{0}}, p=2.0, dim={{1}})", A.tensor(FLOAT_ONLY), dim_arg(0),
    weight=0.2, family="nn")  # fmt: skip
