"""The program generator: draws rows from the op table and runs each draw on PyTorch as it goes,
so that every later draw knows the real shapes, dtypes and autograd state it builds on.

A program is a function of (seed, index) alone. The generator keeps a draw PyTorch rejects only
sometimes (``keep_raise_p``): those statements compare which calls raise. Draws matching a known
divergence (known.py) are not made; they are counted per gate.
"""

from __future__ import annotations

import random
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import known
import predicates as P
import shapes
from args import Arg, Skip, dname
from ops import ROWS, VIEW_ROWS, Row
from program import FLOATS, Program, Stmt

warnings.simplefilter("ignore")


@dataclass
class Config:
    min_ops: int = 1
    max_ops: int = 10
    no_grad_p: float = 0.1
    keep_raise_p: float = 0.25
    special_p: float = 0.05
    mid_backward_p: float = 0.06
    leaf_rg_p: float = 0.7


def make_ns(lib: Any) -> dict[str, Any]:
    return {"L": lib, "inf": float("inf"), "nan": float("nan")}


def program_rng(seed: int, index: int) -> random.Random:
    return random.Random(f"difftest/{seed}/{index}")


class Gen:
    def __init__(self, rng: random.Random, torch: Any, cfg: Config | None = None) -> None:
        self.rng = rng
        self.torch = torch
        self.cfg = cfg or Config()
        self.ns = make_ns(torch)
        self.stmts: list[Stmt] = []
        self.vars: list[str] = []  # tensor variables, in creation order
        self.retaining: set[str] = set()
        self.n = 0
        self.gated: Counter[str] = Counter()
        self.gated_rows: Counter[str] = Counter()  # rows of the draws gates dropped
        self.no_grad = False  # the statement being drawn runs under no_grad
        # tensors whose strides differ between the libraries: PyTorch's ops give outputs the
        # memory layout of their inputs (a transposed input, a transposed output), pyautograd's
        # are contiguous; views of such tensors too
        self.layout_differs: set[str] = set()
        self.made_by: dict[str, str] = {}  # variable -> the row that made it
        self.graph_freed = False  # a backward pass ran without retain_graph
        # storages of int/bool tensors that ops recorded by autograd took as inputs
        # inputs of ops autograd recorded that pyautograd converts to another dtype (or, for
        # fused nn ops and matmul, to a contiguous copy) before saving
        self.cast_inputs: set[str] = set()
        self.pow_outputs: set[str] = set()  # tensor ** tensor results that require grad
        self.tracked_vars: set[str] = set()  # inputs and outputs of ops autograd recorded
        self.versions: dict[str, int] = {}  # variable -> its version when made
        self.matmul_operands: set[str] = set()  # operands of matmuls with a >= 3-D operand
        self.ln_bias: set[str] = set()  # biases of layer_norm autograd recorded
        self.rpow_exponents: set[str] = set()  # exponents of scalar ** tensor (recorded)
        # matmul results (pyautograd returns some as views of an internal product), and
        # views of them
        self.matmul_results: set[str] = set()
        self.grads_dirty = False  # a backward pass PyTorch aborted: .grad is not compared
        self.split_bases: set[str] = set()  # inputs of split/chunk/unbind (multi-output views)
        self.special_inputs: set[str] = set()  # inputs, outputs of special.* ops recorded
        self.lse_inputs: set[str] = set()  # inputs of logsumexp autograd recorded
        # tensors PyTorch's nodes save and pyautograd's do not (see known.py): op -> variables
        self.torch_saved: dict[str, set[str]] = {"gather": set(), "addcdiv": set(),
                                                 "logcumsumexp": set()}  # fmt: skip

    # ---- the interface argument generators use -------------------------------------------
    def t(self, name: str) -> Any:
        return self.ns[name]

    def eval(self, code: str) -> Any:
        if self.no_grad:
            with self.torch.no_grad():
                return eval(code, self.ns)
        return eval(code, self.ns)

    def pick(self, pred: Callable[[Any], bool]) -> str | None:
        """An existing tensor satisfying pred, recent ones preferred."""
        cands = [n for n in self.vars if pred(self.ns[n])]
        if not cands:
            return None
        w = [1.0 + i for i in range(len(cands))]
        return self.rng.choices(cands, w)[0]

    def fresh(
        self, shape: tuple[int, ...], dtype: str, rg: bool | None = None, register: bool = True
    ) -> str:
        if rg is None:
            rg = dtype in FLOATS and self.rng.random() < self.cfg.leaf_rg_p
        rg = rg and dtype in FLOATS
        if shapes.numel(shape) > shapes.MAX_NUMEL:
            raise Skip
        lf = shapes.leaf(self.rng, tuple(shape), dtype, rg, self.cfg.special_p)
        name = self._name()
        st = Stmt("", (name,), (), "leaf", "leaf", False, (name,)).with_leaf(lf)
        if self._gate("leaf", "leaf", [Arg(name, "leaf", value=lf)], st.code):
            raise Skip
        exec(st.code, self.ns)
        self.stmts.append(st)
        if register:
            self.vars.append(name)
        return name

    # ---- drawing -----------------------------------------------------------------------
    def _name(self) -> str:
        self.n += 1
        return f"t{self.n - 1}"

    def _gate(self, row: str, kind: str, args: list[Arg], code: str) -> bool:
        ctx = known.Ctx(row, kind, args, self.no_grad, self, code)
        for key, gate in known.KNOWN_DIVERGENCES.items():
            if gate.applies(ctx):
                self.gated[key] += 1
                self.gated_rows[row] += 1
                return True
        return False

    def _rollback(self, mark: tuple[int, int, int]) -> None:
        ns, nv, n = mark
        for st in self.stmts[ns:]:
            for d in st.defines:
                self.ns.pop(d, None)
        del self.stmts[ns:]
        del self.vars[nv:]
        self.n = n

    def _run(self, st: Stmt) -> bool:
        try:
            if st.no_grad:
                with self.torch.no_grad():
                    exec(st.code, self.ns)
            else:
                exec(st.code, self.ns)
            return True
        except Exception:
            return False

    def draw(self, row: Row) -> bool:
        mark = (len(self.stmts), len(self.vars), self.n)
        self.no_grad = self.rng.random() < self.cfg.no_grad_p
        try:
            args: list[Arg] = []
            for ag in row.args:
                args.append(ag(self, args))
        except Skip:
            self._rollback(mark)
            return False
        expr = row.template.format(*[a.code for a in args])
        if self._gate(row.name, row.kind, args, expr):
            self._rollback(mark)
            return False
        uses = tuple(dict.fromkeys(u for a in args for u in a.uses))
        if row.kind in ("op", "py"):
            out = self._name()
            st = Stmt(f"{out} = {expr}", (out,), uses, row.name, row.kind, self.no_grad, (out,))
        elif row.kind == "tuple":
            o1, o2 = self._name(), self._name()
            code = f"{o1}, {o2} = {expr}"
            st = Stmt(code, (o1, o2), uses, row.name, "op", self.no_grad, (o1, o2))
        elif row.kind == "inplace":
            st = Stmt(expr, (), uses, row.name, "inplace", self.no_grad, tuple(self.vars))
        else:  # effect
            st = Stmt(expr, (), uses, row.name, "effect", self.no_grad, (args[0].code,))
        ok = self._run(st)
        if not ok:
            if self.rng.random() >= self.cfg.keep_raise_p:
                self._rollback(mark)
                return False
            st = Stmt(st.code, (), st.uses, st.row, st.kind, st.no_grad, ())
        self.stmts.append(st)
        srcs = {a.var for a in args if a.var}
        self._note(row, args, st, ok)
        for d in st.defines:
            if d in self.ns and isinstance(self.ns[d], self.torch.Tensor):
                self.vars.append(d)
                self.made_by[d] = row.name
                self.versions[d] = self.ns[d]._version
                if row.name in VIEW_ROWS:
                    if srcs & self.layout_differs:
                        self.layout_differs.add(d)
                elif not self.ns[d].is_contiguous():
                    self.layout_differs.add(d)
        if ok and row.name == "retain_grad":
            self.retaining.add(args[0].code)
        return True

    # ---- backward ------------------------------------------------------------------------
    def _grad_vars(self) -> list[str]:
        return [n for n in self.vars if dname(self.ns[n]) in FLOATS and self.ns[n].requires_grad]

    def backward(self, final: bool) -> None:
        """One backward pass (or autograd.grad) from a float tensor that requires grad."""
        rng = self.rng
        cands = self._grad_vars()
        if not cands:
            return
        y = rng.choices(cands, [1.0 + i for i in range(len(cands))])[0]
        yt = self.ns[y]
        mark = (len(self.stmts), len(self.vars), self.n)
        keep = "" if final and rng.random() < 0.8 else "retain_graph=True"
        form = rng.choices(("sum", "gradient", "weighted", "grad"), (3, 3, 2, 2))[0]
        self.no_grad = False
        try:
            if form == "sum":
                code = f"{y}.sum().backward({keep})"
                row = "backward:sum"
                args = [Arg(y, "var", y, yt, (y,))]
            elif form in ("gradient", "weighted"):
                # not registered: no later statement may touch a gradient handed to backward
                # (PyTorch may keep it as a leaf's .grad without copying: aliasing no program
                # should rely on)
                gname = self.fresh(tuple(yt.shape), dname(yt), False, register=False)
                args = [Arg(y, "var", y, yt, (y,)), Arg(gname, "var", gname, self.ns[gname])]
                if form == "gradient":
                    sep = ", " if keep else ""
                    code = f"{y}.backward({gname}{sep}{keep})"
                    row = "backward:gradient"
                else:
                    code = f"({y} * {gname}).sum().backward({keep})"
                    row = "backward:weighted"
            else:
                below = known.reachable_leaves(yt)
                leaves = [n for n in cands if P.is_leaf(self.ns[n]) and id(self.ns[n]) in below]
                if leaves and rng.random() < 0.7:
                    ins = rng.sample(leaves, len(leaves))  # every leaf below y
                else:
                    ins = rng.sample(cands, rng.randint(1, min(3, len(cands))))
                unused = rng.random() < 0.8
                out = self._name()
                code = (
                    f"{out} = L.autograd.grad({y}.sum(), [{', '.join(ins)}]"
                    + (", allow_unused=True" if unused else "")
                    + (", retain_graph=True" if keep else "")
                    + ")"
                )
                row = "autograd.grad"
                args = [Arg(n, "var", n, self.ns[n], (n,)) for n in [y, *ins]]
        except Skip:
            self._rollback(mark)
            return
        if self._gate(row, "backward", args, code):
            self._rollback(mark)
            return
        uses = tuple(dict.fromkeys(u for a in args for u in a.uses))
        defines = (out,) if row == "autograd.grad" else ()
        observe = defines + self._grad_observations()
        st = Stmt(code, defines, uses, row, "backward", False, observe)
        if not self._run(st):
            if rng.random() >= 0.5:
                self._rollback(mark)
                return
            st = Stmt(code, (), uses, row, "backward", False, ())
            if "torch-partial-backward" in known.KNOWN_DIVERGENCES:
                self.grads_dirty = True
                self.gated["torch-partial-backward"] += 1
        self.stmts.append(st)
        if not keep:
            self.graph_freed = True

    def _note(self, row: Row, args: list[Arg], st: Stmt, ok: bool) -> None:
        """Bookkeeping the known-divergence gates use (see known.py)."""
        ts = [a for a in args if a.is_tensor and a.var]
        if not ok or not ts:
            return
        tracked = not st.no_grad and any(a.value.requires_grad for a in ts)
        if tracked and row.name not in VIEW_ROWS:
            self.tracked_vars.update(a.var for a in ts if a.var)  # type: ignore[misc]
            self.tracked_vars.update(st.defines)
            dtypes = {a.value.dtype for a in ts}
            fused = row.name.startswith(("nn:", "matmul", "mm", "bmm"))
            for a in ts:
                if not a.value.is_floating_point() or len(dtypes) > 1:
                    self.cast_inputs.add(a.var)  # type: ignore[arg-type]
                elif fused and not a.value.is_contiguous():
                    self.cast_inputs.add(a.var)  # type: ignore[arg-type]
        if tracked and row.name.startswith("matmul") and any(a.value.dim() >= 3 for a in ts):
            self.matmul_operands.update(a.var for a in ts if a.var)  # type: ignore[misc]
        if row.name.startswith(("matmul", "mm", "bmm", "nn:linear")) or (
            (row.name in VIEW_ROWS or row.name == "contiguous" or row.name.startswith("cast:"))
            and ts[0].var in self.matmul_results
        ):
            self.matmul_results.update(st.defines)
        if tracked and row.name.startswith(("special.", "ldexp")):
            self.special_inputs.update(a.var for a in ts if a.var)  # type: ignore[misc]
            self.special_inputs.update(st.defines)
        if tracked and row.name == "logsumexp" and args[0].var:
            self.lse_inputs.add(args[0].var)
        op = row.name.split(":")[0]
        if tracked and op == "gather" and args[0].var:  # self (GatherBackward0)
            self.torch_saved["gather"].add(args[0].var)
        if tracked and op in ("addcdiv", "addcdiv_"):  # tensor1, tensor2 (AddcdivBackward0)
            self.torch_saved["addcdiv"].update(a.var for a in args[1:3] if a.var)
        if tracked and op == "logcumsumexp":  # the result (LogcumsumexpBackward0)
            self.torch_saved["logcumsumexp"].update(st.defines)
        if row.name in P.MULTI_OUTPUT_VIEW_ROWS and args[0].var:
            self.split_bases.add(args[0].var)
        if tracked and row.name == "pow:rop" and args[0].var:
            self.rpow_exponents.add(args[0].var)
        if tracked and row.name == "nn:layer_norm" and args[3].var:
            self.ln_bias.add(args[3].var)
        if row.name.startswith("pow:") and row.kind == "op" and len(ts) == 2:
            if self.ns[st.defines[0]].requires_grad:
                self.pow_outputs.add(st.defines[0])
        if row.name in ("pow:inplace", "pow:iop") and len(ts) == 2 and args[0].var:  # t **= u
            if self.ns[args[0].var].requires_grad:
                self.pow_outputs.add(args[0].var)

    def _grad_observations(self) -> tuple[str, ...]:
        return () if self.grads_dirty else tuple(f"{n}.grad" for n in self.vars)

    def program(self) -> Program:
        cfg = self.cfg
        n_ops = self.rng.randint(cfg.min_ops, cfg.max_ops)
        for _ in range(self.rng.randint(1, 2)):
            try:
                s = shapes.shape(self.rng)
                self.fresh(
                    s,
                    self.rng.choices(("float32", "float64", "int64", "bool"), (50, 20, 18, 12))[0],
                )
            except Skip:
                pass
        weights = [r.weight for r in ROWS]
        made, tries = 0, 0
        while made < n_ops and tries < n_ops * 8:
            tries += 1
            if self.rng.random() < cfg.mid_backward_p:
                self.backward(final=False)
            if self.draw(self.rng.choices(ROWS, weights)[0]):
                made += 1
        for _ in range(self.rng.choice((1, 1, 1, 2))):
            self.backward(final=True)
        observe = tuple(self.vars) + self._grad_observations()
        self.stmts.append(Stmt("pass", (), tuple(self.vars), "final", "final", False, observe))
        return Program(self.stmts)


def generate(seed: int, index: int, torch: Any, cfg: Config | None = None) -> tuple[Program, Gen]:
    g = Gen(program_rng(seed, index), torch, cfg)
    p = g.program()
    p.tag = f"{seed}/{index}"
    return p, g
