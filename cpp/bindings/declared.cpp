// The Python face of the declared ops (kernels/unary_ops.h, kernels/binary_ops.h), generated
// from their declarations: for each op a Tensor method, a module function (torch.<name>), an
// in-place method when declared, the operators that map to it, and a row of _core._op_table().
#include <pybind11/stl.h>

#include <cstring>
#include <optional>

#include "bindings/bindings.h"
#include "bindings/convert.h"
#include "tensor/promotion.h"

namespace pyag {
namespace {

template <size_t>
using Handle = py::handle;

// ---- parameters ----
template <class Op, size_t I>
auto param_arg() {
  constexpr Param p = Op::params[I];
  if constexpr (p.default_value == kRequired)
    return py::arg(p.name);
  else if constexpr (p.default_value != p.default_value)  // kOptional (NaN)
    return py::arg_v(p.name, py::none(), "None");
  else
    return py::arg_v(p.name, p.default_value);
}

template <class Op, class... H>
ScalarArgs parse_params(const char* op, H... h) {
  ScalarArgs a;
  a.n = static_cast<int>(sizeof...(H));
  const py::handle hs[] = {h..., py::handle()};
  for (int i = 0; i < a.n; ++i) {
    const Param& p = Op::params[static_cast<size_t>(i)];
    Scalar s;
    if (hs[i].is_none() && is_optional(p))
      a[i] = kOptional;
    else if (to_scalar(hs[i], s))
      a[i] = s.v, a.kind[i] = static_cast<int8_t>(s.kind);
    else
      fail<TypeError>(op, p.name, " must be a number", is_optional(p) ? " or None" : "", ", got ",
                      py::str(py::type::of(hs[i]).attr("__name__")).cast<std::string>());
  }
  return a;
}

// ---- the op table ----
py::list& op_table() {
  static py::list* t = new py::list();  // leaked: lives as long as the module
  return *t;
}

py::list& function_names() {
  static py::list* t = new py::list();
  return *t;
}

template <class Op, size_t... I>
py::list param_rows(std::index_sequence<I...>) {
  py::list l;
  (l.append(py::make_tuple(Op::params[I].name,
                           is_optional(Op::params[I]) || is_required(Op::params[I])
                               ? py::object(py::none())
                               : py::object(py::float_(Op::params[I].default_value)),
                           is_required(Op::params[I]))),
   ...);
  return l;
}

// ---- unary ----
const char* unary_differentiable(unary::Grad g) {
  switch (g) {
    case unary::Grad::Zero:
      return "zero";
    case unary::Grad::None:
      return "no";
    case unary::Grad::FromInput:
    case unary::Grad::FromOutput:
    case unary::Grad::FromBoth:
    case unary::Grad::FromGrad:
      break;
  }
  return "yes";
}

const char* unary_dunder(const char* name) {
  if (!std::strcmp(name, "neg")) return "__neg__";
  if (!std::strcmp(name, "abs")) return "__abs__";
  if (!std::strcmp(name, "bitwise_not")) return "__invert__";
  return nullptr;
}

template <class Op, size_t... I>
void def_unary(TensorClass& c, py::module_& m, const char* name, std::index_sequence<I...> seq) {
  constexpr int id = detail::unary_index<Op>;
  auto fn = [name](const Tensor& a, Handle<I>... p) {
    const ScalarArgs args = parse_params<Op>(name, p...);
    return maybe_nogil(a->numel, [&] { return detail::apply_unary(id, a, args); });
  };
  static std::string inplace = std::string(name) + "_";
  auto fn_ = [](const Tensor& a, Handle<I>... p) {
    const ScalarArgs args = parse_params<Op>(inplace.c_str(), p...);
    return maybe_nogil(a->numel, [&] { return detail::apply_unary_(id, a, args); });
  };
  if (Op::python & kPyMethod) c.def(name, fn, Op::doc, param_arg<Op, I>()...);
  constexpr OutDtype exact = Op::python & kPyOutExact ? OutDtype::Exact : OutDtype::Cast;
  if ((Op::python & kPyFunction) && (Op::python & kPyNoOut))  // torch.isnan(input)
    m.def(name, fn, Op::doc, py::arg("input"), param_arg<Op, I>()...);
  else if (Op::python & kPyFunction)  // torch.<name>(input, ..., *, out=None)
    m.def(
        name,
        [fn, name](const Tensor& a, Handle<I>... p, const std::optional<Tensor>& out) {
          return out ? write_out(*out, fn(a, p...), name, exact) : fn(a, p...);
        },
        Op::doc, py::arg("input"), param_arg<Op, I>()..., py::kw_only(),
        py::arg("out") = py::none());
  else if (Op::python & kPyFunctional)
    m.def(name, fn, Op::doc, py::arg("input"), param_arg<Op, I>()...);
  if (Op::python & kPyInPlace) c.def(inplace.c_str(), fn_, Op::doc, param_arg<Op, I>()...);
  if (const char* d = unary_dunder(name)) c.def(d, fn, Op::doc);
  add_op_row("unary", name, Op::doc, unary_differentiable(Op::grad), Op::python,
             param_rows<Op>(seq));
}

// ---- binary ----
struct Dunder {
  const char* op;
  const char* forward;    // a op b
  const char* reflected;  // b op a (a number first), or nullptr
  const char* inplace;    // a op= b, or nullptr
};
constexpr Dunder kDunders[] = {
    {"add", "__add__", "__radd__", "__iadd__"},
    {"sub", "__sub__", "__rsub__", "__isub__"},
    {"mul", "__mul__", "__rmul__", "__imul__"},
    {"div", "__truediv__", "__rtruediv__", "__itruediv__"},
    {"pow", "__pow__", "__rpow__", "__ipow__"},
    {"remainder", "__mod__", "__rmod__", "__imod__"},
    {"floor_divide", "__floordiv__", "__rfloordiv__", "__ifloordiv__"},
    {"bitwise_and", "__and__", "__rand__", "__iand__"},
    {"bitwise_or", "__or__", "__ror__", "__ior__"},
    {"bitwise_xor", "__xor__", "__rxor__", "__ixor__"},
    {"eq", "__eq__", nullptr, nullptr},
    {"ne", "__ne__", nullptr, nullptr},
    {"lt", "__lt__", nullptr, nullptr},
    {"le", "__le__", nullptr, nullptr},
    {"gt", "__gt__", nullptr, nullptr},
    {"ge", "__ge__", nullptr, nullptr},
};

const Dunder* dunder_of(const char* op) {
  for (const Dunder& d : kDunders)
    if (!std::strcmp(d.op, op)) return &d;
  return nullptr;
}

// torch.<op>(number, tensor): PyTorch's overloads with a Scalar first (pow, remainder,
// bitwise_and/or/xor) and the functions its argument parser lets take a number for a tensor
// (add, sub, mul, div and their aliases, floor_divide), which also take two numbers.
bool takes_number_first(const char* op) {
  for (const char* n : {"add", "sub", "mul", "div", "floor_divide", "pow", "remainder",
                        "bitwise_and", "bitwise_or", "bitwise_xor"})
    if (!std::strcmp(n, op)) return true;
  return false;
}

bool takes_two_numbers(const char* op) {
  for (const char* n : {"add", "sub", "mul", "div", "floor_divide"})
    if (!std::strcmp(n, op)) return true;
  return false;
}

std::string type_name(py::handle h) {
  return py::str(py::type::of(h).attr("__name__")).cast<std::string>();
}

// A Python number as PyTorch wraps it for a tensor argument: a 0-d tensor of its kind's dtype
// (bool, int64, or the default float dtype).
Tensor number_tensor(const Scalar& s) {
  const DType d = s.kind == ScalarKind::Bool  ? DType::Bool
                  : s.kind == ScalarKind::Int ? DType::Int64
                                              : default_dtype();
  return scalar_tensor(s.v, d);
}

Scalar first_number(const char* op, py::handle a) {
  Scalar s;
  if (!to_scalar(a, s))
    fail<TypeError>(op, "input must be a Tensor or a number, got ", type_name(a));
  return s;
}

// number op tensor (the number promotes as a Python scalar, as in `2 - t`), or, for the ops
// that take two numbers, the first number as a 0-d tensor.
Tensor number_first(int id, const char* op, py::handle a, py::handle b) {
  const Scalar s = first_number(op, a);
  if (py::isinstance<TensorImpl>(b)) {
    const Tensor t = b.cast<Tensor>();
    return maybe_nogil(t->numel, [&] { return detail::apply_binary_number_first(id, t, s, true); });
  }
  Scalar t;
  if (!takes_two_numbers(op) || !to_scalar(b, t))
    fail<TypeError>(op, "with a number as input, the other argument must be a Tensor, got ",
                    type_name(b));
  return binary_op(id, number_tensor(s), b, false);
}

template <class Op>
void def_binary(TensorClass& c, py::module_& m, const char* name) {
  constexpr int id = detail::binary_index<Op>;
  const char* other = Op::other;
  auto fn = [id = id](const Tensor& a, py::handle b) { return binary_op(id, a, b, false); };
  static std::string inplace = std::string(name) + "_";
  auto fn_ = [id = id](const Tensor& a, py::handle b) { return inplace_op(id, a, b); };
  if (Op::python & kPyMethod) c.def(name, fn, Op::doc, py::arg(other));
  if (Op::python & kPyFunction)  // torch.<name>(input, other, *, out=None)
    m.def(
        name,
        [fn, name](const Tensor& a, py::handle b, const std::optional<Tensor>& out) {
          return out ? write_out(*out, fn(a, b), name) : fn(a, b);
        },
        Op::doc, py::arg("input"), py::arg(other), py::kw_only(), py::arg("out") = py::none());
  if ((Op::python & kPyFunction) && takes_number_first(name))
    m.def(
        name,
        [id = id, name](py::handle a, py::handle b, const std::optional<Tensor>& out) {
          Tensor r = number_first(id, name, a, b);
          return out ? write_out(*out, r, name) : r;
        },
        Op::doc, py::arg("input"), py::arg(other), py::kw_only(), py::arg("out") = py::none());
  else if (Op::python & kPyFunctional)
    m.def(name, fn, Op::doc, py::arg("input"), py::arg(other));
  if (Op::python & kPyInPlace) c.def(inplace.c_str(), fn_, Op::doc, py::arg(other));
  if (const Dunder* d = dunder_of(name)) {
    if (!std::strcmp(name, "eq") || !std::strcmp(name, "ne")) {
      // t == None is False (and t != None True), as Python's default comparison gives.
      c.def(
          d->forward,
          [id = id](const Tensor& a, py::handle b) -> py::object {
            Scalar s;
            if (!py::isinstance<TensorImpl>(b) && !to_scalar(b, s))
              return py::reinterpret_borrow<py::object>(Py_NotImplemented);
            return py::cast(binary_op(id, a, b, false));
          },
          Op::doc);
    } else {
      c.def(d->forward, fn, Op::doc);
    }
    if (d->reflected)
      c.def(
          d->reflected,
          [id = id](const Tensor& a, py::handle b) { return binary_op(id, a, b, true); }, Op::doc);
    if (d->inplace) c.def(d->inplace, fn_, Op::doc);
  }
  add_op_row("binary", name, Op::doc, binary::differentiable(Op::rule) ? "yes" : "no", Op::python,
             py::list());
}

template <class Op>
constexpr auto unary_params = std::make_index_sequence<detail::num_params<Op>>{};

// ---- alpha: add(a, b, alpha=k) and sub(a, b, alpha=k) are a +/- k * b (ops/alpha.cpp); also
// the deprecated add_(k, b) of older programs. Registered after the plain overloads, which stay
// the fast path.
// alpha: a number, or a 0-d tensor that does not require grad (PyTorch's Scalar arguments).
Scalar alpha_of(py::handle alpha, const char* name) {
  Scalar k;
  if (to_scalar(alpha, k)) return k;
  if (py::isinstance<TensorImpl>(alpha)) {
    const Tensor t = alpha.cast<Tensor>();
    if (t->dim() == 0 && !t->requires_grad())
      return Scalar(get_double(t, Dims{}), is_floating(t->dtype) ? ScalarKind::Float
                                           : is_bool(t->dtype)   ? ScalarKind::Bool
                                                                 : ScalarKind::Int);
  }
  fail<TypeError>(name, "alpha must be a number, got ", type_name(alpha));
}

void def_alpha(TensorClass& c, py::module_& m) {
  for (const bool is_add : {true, false}) {
    const char* name = is_add ? "add" : "sub";
    auto fn = [is_add, name](const Tensor& a, py::handle b, py::handle alpha) {
      const Scalar k = alpha_of(alpha, name);
      const Operand o = to_operand(b, name);
      return maybe_nogil(a->numel, [&] {
        if (o.is_tensor()) return is_add ? add(a, o.t, k) : sub(a, o.t, k);
        return is_add ? add(a, o.s, k) : sub(a, o.s, k);
      });
    };
    auto fn_ = [is_add, name](const Tensor& a, py::handle b, py::handle alpha) {
      const Scalar k = alpha_of(alpha, name);
      const Operand o = to_operand(b, name);
      return maybe_nogil(a->numel, [&]() -> Tensor {
        if (o.is_tensor()) return is_add ? add_(a, o.t, k) : sub_(a, o.t, k);
        return is_add ? add_(a, o.s, k) : sub_(a, o.s, k);
      });
    };
    const char* doc = "self + alpha * other (add) or self - alpha * other (sub).";
    c.def(name, fn, doc, py::arg("other"), py::kw_only(), py::arg("alpha"));
    m.def(name, fn, doc, py::arg("input"), py::arg("other"), py::kw_only(), py::arg("alpha"));
    // torch.add(number, other, alpha=k): number + k * other (PyTorch's checks on alpha)
    auto number_first_fn = [is_add, name, fn](py::handle a, py::handle b, py::handle alpha) {
      const Scalar s = first_number(name, a);
      if (!py::isinstance<TensorImpl>(b)) return fn(number_tensor(s), b, alpha);
      const Tensor t = b.cast<Tensor>();
      const Scalar k = alpha_of(alpha, name);
      return maybe_nogil(t->numel, [&] { return is_add ? add(s, t, k) : sub(s, t, k); });
    };
    m.def(name, number_first_fn, doc, py::arg("input"), py::arg("other"), py::kw_only(),
          py::arg("alpha"));
    std::string inplace = std::string(name) + "_";
    c.def(inplace.c_str(), fn_, doc, py::arg("other"), py::kw_only(), py::arg("alpha"));
    // The deprecated positional form: self.add_(alpha, other), self.add(alpha, other).
    auto legacy = [fn](const Tensor& a, py::handle alpha, const Tensor& b) {
      PyErr_WarnEx(PyExc_UserWarning,
                   "This overload of add/sub is deprecated: use add(other, *, alpha) instead", 1);
      return fn(a, py::cast(b), alpha);
    };
    auto legacy_ = [fn_](const Tensor& a, py::handle alpha, const Tensor& b) {
      PyErr_WarnEx(PyExc_UserWarning,
                   "This overload of add_/sub_ is deprecated: use add_(other, *, alpha) instead",
                   1);
      return fn_(a, py::cast(b), alpha);
    };
    c.def(name, legacy, doc, py::arg("alpha"), py::arg("other"));
    c.def(inplace.c_str(), legacy_, doc, py::arg("alpha"), py::arg("other"));
  }
}

}  // namespace

void add_op_row(const char* family, const char* name, const char* doc, const char* differentiable,
                uint8_t python, py::list params) {
  py::dict d;
  d["family"] = family;
  d["name"] = name;
  d["doc"] = doc;
  d["differentiable"] = differentiable;
  d["method"] = bool(python & kPyMethod);
  d["function"] = bool(python & kPyFunction);
  d["inplace"] = bool(python & kPyInPlace);
  d["functional"] = bool(python & kPyFunctional);
  d["out"] = bool(python & kPyFunction) && !(python & kPyNoOut);
  d["params"] = params;
  op_table().append(d);
  if (python & kPyFunction) function_names().append(name);
}

Tensor binary_op(int op, const Tensor& a, py::handle other, bool reflected) {
  Operand o = to_operand(other, binary_name(op));
  return maybe_nogil(a->numel, [&] {
    if (o.is_tensor())
      return reflected ? detail::apply_binary(op, o.t, a) : detail::apply_binary(op, a, o.t);
    return detail::apply_binary(op, a, o.s, reflected);
  });
}

Tensor inplace_op(int op, const Tensor& a, py::handle other) {
  Operand o = to_operand(other, binary_name(op));
  return maybe_nogil(a->numel, [&] {
    return o.is_tensor() ? detail::apply_binary_(op, a, o.t) : detail::apply_binary_(op, a, o.s);
  });
}

const char* binary_name(int op) {
  static constexpr const char* names[] = {
#define PYAG_X(op) #op,
      PYAG_BINARY_OPS(PYAG_X)
#undef PYAG_X
  };
  return names[op];
}

void init_declared(TensorClass& c, py::module_& m) {
#define PYAG_X(op) def_unary<unary::op>(c, m, #op, unary_params<unary::op>);
  PYAG_UNARY_OPS(PYAG_X)
#undef PYAG_X
#define PYAG_X(op) def_binary<binary::op>(c, m, #op);
  PYAG_BINARY_OPS(PYAG_X)
#undef PYAG_X
  def_alpha(c, m);
  c.attr("clip") = c.attr("clamp");
  m.attr("clip") = m.attr("clamp");
  function_names().append("clip");
  m.def(
      "_op_table", []() { return op_table(); },
      "The declared ops: one dict per op (family, name, doc, differentiable, method, "
      "function, inplace, functional, params).");
  m.attr("__all__") = function_names();
}

}  // namespace pyag
