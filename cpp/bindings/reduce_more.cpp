// Tensor.prod all any logsumexp var std norm cumsum cumprod (ops/reduce_more.cpp): argument
// conversion only, with PyTorch's signatures.
#include "bindings/bindings.h"
#include "bindings/convert.h"
#include "ops/ops.h"

namespace pyag {
namespace {

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

}  // namespace

void init_reduce_more(TensorClass& c) {
  c.def(
      "prod",
      [](const Tensor& a, py::handle dim, bool keepdim, py::handle dtype) {
        std::optional<DType> dt = parse_dtype(dtype, "prod");
        Tensor x = dt && *dt != a->dtype ? cast(a, *dt) : a;
        if (dim.is_none()) return prod(x, std::nullopt, false);
        return prod(x, parse_int(dim, "prod", "dim"), keepdim);
      },
      py::arg("dim") = py::none(), py::arg("keepdim") = false, py::kw_only(),
      py::arg("dtype") = py::none(),
      "The product of the elements (over dim, an int, when given); bool and integers give "
      "int64.");
  c.def(
      "all",
      [](const Tensor& a, py::handle dim, bool keepdim) {
        return all(a, parse_dims(dim, "all"), keepdim);
      },
      py::arg("dim") = py::none(), py::arg("keepdim") = false,
      "Whether every element (over dim: an int or a tuple) is non-zero: a bool tensor.");
  c.def(
      "any",
      [](const Tensor& a, py::handle dim, bool keepdim) {
        return any(a, parse_dims(dim, "any"), keepdim);
      },
      py::arg("dim") = py::none(), py::arg("keepdim") = false,
      "Whether any element (over dim: an int or a tuple) is non-zero: a bool tensor.");
  c.def(
      "logsumexp",
      [](const Tensor& a, py::handle dim, bool keepdim) {
        return logsumexp(a, parse_dims(dim, "logsumexp"), keepdim);
      },
      py::arg("dim"), py::arg("keepdim") = false,
      "log(sum(exp(input))) over dim (an int or a tuple), computed without overflow; integers "
      "give the default float dtype.");
  c.def(
      "var",
      [](const Tensor& a, py::handle dim, py::handle unbiased, bool keepdim,
         py::handle correction) {
        const double corr = correction_of(dim, unbiased, correction, "var");
        return var(a, parse_dims(dim, "var"), corr, keepdim);
      },
      py::arg("dim") = py::none(), py::arg("unbiased") = py::none(), py::arg("keepdim") = false,
      py::kw_only(), py::arg("correction") = py::none(),
      "The variance over dim (None: everything), divided by N - correction (default 1; "
      "unbiased=False is correction=0).");
  c.def(
      "std",
      [](const Tensor& a, py::handle dim, py::handle unbiased, bool keepdim,
         py::handle correction) {
        const double corr = correction_of(dim, unbiased, correction, "std");
        return std_dev(a, parse_dims(dim, "std"), corr, keepdim);
      },
      py::arg("dim") = py::none(), py::arg("unbiased") = py::none(), py::arg("keepdim") = false,
      py::kw_only(), py::arg("correction") = py::none(),
      "The standard deviation: the square root of var with the same arguments.");
  c.def(
      "norm",
      [](const Tensor& a, py::handle p, py::handle dim, bool keepdim, py::handle dtype) {
        std::optional<DType> dt = parse_dtype(dtype, "norm");
        Tensor x = dt && *dt != a->dtype ? cast(a, *dt) : a;
        return norm(x, norm_p(p), parse_dims(dim, "norm"), keepdim);
      },
      py::arg("p") = "fro", py::arg("dim") = py::none(), py::arg("keepdim") = false,
      py::arg("dtype") = py::none(),
      "The vector p-norm over dim (None: everything): p a number, inf, -inf or 'fro' (2); "
      "p = 0 counts the non-zero elements.");
  c.def(
      "cumsum",
      [](const Tensor& a, py::handle dim, py::handle dtype) {
        return cumsum(a, parse_int(dim, "cumsum", "dim"), parse_dtype(dtype, "cumsum"));
      },
      py::arg("dim"), py::kw_only(), py::arg("dtype") = py::none(),
      "The running sum along dim; bool and integers sum as int64.");
  c.def(
      "cumprod",
      [](const Tensor& a, py::handle dim, py::handle dtype) {
        return cumprod(a, parse_int(dim, "cumprod", "dim"), parse_dtype(dtype, "cumprod"));
      },
      py::arg("dim"), py::kw_only(), py::arg("dtype") = py::none(),
      "The running product along dim; bool and integers multiply as int64.");
}

}  // namespace pyag
