// The reductions and scans (ops/reduce_ops.h): each bound as Tensor.<name>(...) and as
// torch.<name>(input, ...) with PyTorch's argument names and its declaration's docstring, and
// listed in the op table. Argument conversion only: the rules are in ops/reduce*.cpp.
#include <pybind11/stl.h>

#include "bindings/bindings.h"
#include "bindings/convert.h"
#include "ops/ops.h"
#include "ops/reduce_ops.h"

namespace pyag {
namespace {

// The binding of one reduction; every op of PYAG_REDUCE_OPS has its specialization below (a
// declared op without one is a compile error: the use of a deleted function).
template <class Op>
void bind_reduction(TensorClass& c, py::module_& m) = delete;

// Tensor.<name>(args...) and torch.<name>(input, args...), both with Op's docstring.
template <class Op, class F, class... A>
void both(TensorClass& c, py::module_& m, const char* name, F fn, A... args) {
  c.def(name, fn, Op::doc, args...);
  m.def(name, fn, Op::doc, py::arg("input"), args...);
}

// var/std: (dim, unbiased, keepdim, *, correction), where a bool in dim's place is unbiased.
double correction_of(py::handle& dim, py::handle unbiased, py::handle correction, const char* op) {
  if (py::isinstance<py::bool_>(dim)) {
    if (!unbiased.is_none())
      fail<TypeError>(op, "got unbiased twice (a bool in dim's place and unbiased=)");
    unbiased = dim;
    dim = py::none();
  }
  if (!correction.is_none()) {
    if (!unbiased.is_none()) fail<TypeError>(op, "takes unbiased or correction, not both");
    return correction.cast<double>();
  }
  return unbiased.is_none() || unbiased.cast<bool>() ? 1.0 : 0.0;
}

double norm_p(py::handle p) {
  if (p.is_none()) return 2.0;
  if (py::isinstance<py::str>(p)) {
    const std::string s = p.cast<std::string>();
    if (s == "fro") return 2.0;
    fail("norm", "p='", s, "' is not supported (only numbers, inf and 'fro')");
  }
  return p.cast<double>();
}

py::object minmax(const Tensor& a, py::handle dim, bool keepdim, bool is_max) {
  if (dim.is_none()) return py::cast(extreme(a, is_max));
  if (py::isinstance<TensorImpl>(dim)) {  // max(a, b): elementwise
    return py::cast(is_max ? maximum(a, dim.cast<Tensor>()) : minimum(a, dim.cast<Tensor>()));
  }
  auto r = extreme_dim(a, parse_int(dim, is_max ? "max" : "min", "dim"), keepdim, is_max);
  return (is_max ? py_types().max_cls : py_types().min_cls)(r.first, r.second);
}

template <>
void bind_reduction<reduce::sum>(TensorClass& c, py::module_& m) {
  both<reduce::sum>(
      c, m, "sum",
      [](const Tensor& a, py::handle dim, bool keepdim, py::handle dtype) {
        const std::optional<DType> dt = parse_dtype(dtype, "sum");
        return dt ? sum(a, parse_dims(dim, "sum"), keepdim, *dt)
                  : sum(a, parse_dims(dim, "sum"), keepdim);
      },
      py::arg("dim") = py::none(), py::arg("keepdim") = false, py::kw_only(),
      py::arg("dtype") = py::none());
}

template <>
void bind_reduction<reduce::mean>(TensorClass& c, py::module_& m) {
  both<reduce::mean>(
      c, m, "mean",
      [](const Tensor& a, py::handle dim, bool keepdim, py::handle dtype) {
        const std::optional<DType> dt = parse_dtype(dtype, "mean");
        return dt ? mean(a, parse_dims(dim, "mean"), keepdim, *dt)
                  : mean(a, parse_dims(dim, "mean"), keepdim);
      },
      py::arg("dim") = py::none(), py::arg("keepdim") = false, py::kw_only(),
      py::arg("dtype") = py::none());
}

template <>
void bind_reduction<reduce::prod>(TensorClass& c, py::module_& m) {
  both<reduce::prod>(
      c, m, "prod",
      [](const Tensor& a, py::handle dim, bool keepdim, py::handle dtype) {
        return prod(a, parse_optional_int(dim, "prod", "dim"), keepdim, parse_dtype(dtype, "prod"));
      },
      py::arg("dim") = py::none(), py::arg("keepdim") = false, py::kw_only(),
      py::arg("dtype") = py::none());
}

template <>
void bind_reduction<reduce::all>(TensorClass& c, py::module_& m) {
  both<reduce::all>(
      c, m, "all",
      [](const Tensor& a, py::handle dim, bool keepdim) {
        return all(a, parse_dims(dim, "all"), keepdim);
      },
      py::arg("dim") = py::none(), py::arg("keepdim") = false);
}

template <>
void bind_reduction<reduce::any>(TensorClass& c, py::module_& m) {
  both<reduce::any>(
      c, m, "any",
      [](const Tensor& a, py::handle dim, bool keepdim) {
        return any(a, parse_dims(dim, "any"), keepdim);
      },
      py::arg("dim") = py::none(), py::arg("keepdim") = false);
}

template <>
void bind_reduction<reduce::logsumexp>(TensorClass& c, py::module_& m) {
  both<reduce::logsumexp>(
      c, m, "logsumexp",
      [](const Tensor& a, py::handle dim, bool keepdim) {
        return logsumexp(a, parse_dims(dim, "logsumexp"), keepdim);
      },
      py::arg("dim"), py::arg("keepdim") = false);
}

template <>
void bind_reduction<reduce::var>(TensorClass& c, py::module_& m) {
  both<reduce::var>(
      c, m, "var",
      [](const Tensor& a, py::handle dim, py::handle unbiased, bool keepdim,
         py::handle correction) {
        const double corr = correction_of(dim, unbiased, correction, "var");
        return var(a, parse_dims(dim, "var"), corr, keepdim);
      },
      py::arg("dim") = py::none(), py::arg("unbiased") = py::none(), py::arg("keepdim") = false,
      py::kw_only(), py::arg("correction") = py::none());
}

template <>
void bind_reduction<reduce::std>(TensorClass& c, py::module_& m) {
  both<reduce::std>(
      c, m, "std",
      [](const Tensor& a, py::handle dim, py::handle unbiased, bool keepdim,
         py::handle correction) {
        const double corr = correction_of(dim, unbiased, correction, "std");
        return std_dev(a, parse_dims(dim, "std"), corr, keepdim);
      },
      py::arg("dim") = py::none(), py::arg("unbiased") = py::none(), py::arg("keepdim") = false,
      py::kw_only(), py::arg("correction") = py::none());
}

template <>
void bind_reduction<reduce::norm>(TensorClass& c, py::module_& m) {
  both<reduce::norm>(
      c, m, "norm",
      [](const Tensor& a, py::handle p, py::handle dim, bool keepdim, py::handle dtype) {
        return norm(a, norm_p(p), parse_dims(dim, "norm"), keepdim, parse_dtype(dtype, "norm"));
      },
      py::arg("p") = "fro", py::arg("dim") = py::none(), py::arg("keepdim") = false,
      py::arg("dtype") = py::none());
}

template <>
void bind_reduction<reduce::max>(TensorClass& c, py::module_& m) {
  both<reduce::max>(
      c, m, "max",
      [](const Tensor& a, py::handle dim, bool keepdim) { return minmax(a, dim, keepdim, true); },
      py::arg("dim") = py::none(), py::arg("keepdim") = false);
}

template <>
void bind_reduction<reduce::min>(TensorClass& c, py::module_& m) {
  both<reduce::min>(
      c, m, "min",
      [](const Tensor& a, py::handle dim, bool keepdim) { return minmax(a, dim, keepdim, false); },
      py::arg("dim") = py::none(), py::arg("keepdim") = false);
}

template <>
void bind_reduction<reduce::argmax>(TensorClass& c, py::module_& m) {
  both<reduce::argmax>(
      c, m, "argmax",
      [](const Tensor& a, py::handle dim, bool keepdim) {
        return argmax(a, parse_optional_int(dim, "argmax", "dim"), keepdim);
      },
      py::arg("dim") = py::none(), py::arg("keepdim") = false);
}

template <>
void bind_reduction<reduce::argmin>(TensorClass& c, py::module_& m) {
  both<reduce::argmin>(
      c, m, "argmin",
      [](const Tensor& a, py::handle dim, bool keepdim) {
        return argmin(a, parse_optional_int(dim, "argmin", "dim"), keepdim);
      },
      py::arg("dim") = py::none(), py::arg("keepdim") = false);
}

template <>
void bind_reduction<reduce::cumsum>(TensorClass& c, py::module_& m) {
  both<reduce::cumsum>(
      c, m, "cumsum",
      [](const Tensor& a, py::handle dim, py::handle dtype) {
        return cumsum(a, parse_int(dim, "cumsum", "dim"), parse_dtype(dtype, "cumsum"));
      },
      py::arg("dim"), py::kw_only(), py::arg("dtype") = py::none());
}

template <>
void bind_reduction<reduce::cumprod>(TensorClass& c, py::module_& m) {
  both<reduce::cumprod>(
      c, m, "cumprod",
      [](const Tensor& a, py::handle dim, py::handle dtype) {
        return cumprod(a, parse_int(dim, "cumprod", "dim"), parse_dtype(dtype, "cumprod"));
      },
      py::arg("dim"), py::kw_only(), py::arg("dtype") = py::none());
}

template <class Op>
py::list arg_rows() {
  py::list l;
  for (const char* a : Op::args)
    if (a[0] != '*') l.append(py::make_tuple(a, py::none(), false));
  return l;
}

const char* differentiable_name(Differentiable d) {
  switch (d) {
    case Differentiable::Yes:
      return "yes";
    case Differentiable::Zero:
      return "zero";
    case Differentiable::No:
      return "no";
  }
  return "no";
}

}  // namespace

void init_reduce(TensorClass& c, py::module_& m) {
#define PYAG_X(op)                                                                               \
  bind_reduction<reduce::op>(c, m);                                                              \
  add_op_row("reduction", #op, reduce::op::doc, differentiable_name(reduce::op::differentiable), \
             reduce::op::python, arg_rows<reduce::op>());
  PYAG_REDUCE_OPS(PYAG_X)
#undef PYAG_X
}

}  // namespace pyag
