// Indexing along a dim (ops/gather.cpp): gather, scatter, scatter_add, index_select, index_add,
// index_copy, index_fill, take, masked_select, as torch functions and Tensor methods (in-place
// forms too) with PyTorch's argument names.
#include <pybind11/stl.h>

#include "bindings/bindings.h"
#include "bindings/convert.h"
#include "ops/rules.h"

namespace pyag {
namespace {

std::string type_name(py::handle h) {
  return py::str(py::type::of(h).attr("__name__")).cast<std::string>();
}

// value=: a number, or a tensor (ops: scatter_value says which tensors).
Scalar as_value(py::handle h, const char* op) {
  Scalar s;
  if (to_scalar(h, s)) return s;
  if (py::isinstance<TensorImpl>(h)) return value_number(h.cast<Tensor>(), op);
  fail<TypeError>(op, "value must be a number or a 0-d tensor, got ", type_name(h));
}

bool accumulates(py::handle reduce, const char* op) {
  return !reduce.is_none() && scatter_accumulates(py::str(reduce).cast<std::string>(), op);
}

// scatter(dim, index, src) or scatter(dim, index, value): src is a tensor, value a number.
Tensor scatter_py(const Tensor& a, py::handle dim, const Tensor& index, py::handle src,
                  py::handle value, py::handle reduce) {
  const bool acc = accumulates(reduce, "scatter");
  const int64_t d = parse_int(dim, "scatter", "dim");
  py::handle v = src.is_none() ? value : src;
  if (v.is_none()) fail<TypeError>("scatter", "expected a src tensor or a value");
  if (py::isinstance<TensorImpl>(v) && !src.is_none())
    return scatter(a, d, index, v.cast<Tensor>(), acc);
  return scatter(a, d, index, as_value(v, "scatter"), acc);
}

Tensor scatter__py(const Tensor& a, py::handle dim, const Tensor& index, py::handle src,
                   py::handle value, py::handle reduce) {
  const bool acc = accumulates(reduce, "scatter_");
  const int64_t d = parse_int(dim, "scatter_", "dim");
  py::handle v = src.is_none() ? value : src;
  if (v.is_none()) fail<TypeError>("scatter_", "expected a src tensor or a value");
  if (py::isinstance<TensorImpl>(v) && !src.is_none())
    return scatter_(a, d, index, v.cast<Tensor>(), acc);
  return scatter_(a, d, index, as_value(v, "scatter_"), acc);
}

}  // namespace

void init_gather(TensorClass& c, py::module_& m) {
  // Each op is defined once as a function of (input, ...) and bound both as torch.<op>(input,
  // ...) and as Tensor.<op>(...), with the docstring given here.
  auto both = [&](const char* name, auto fn, const char* doc, auto... args) {
    m.def(name, fn, py::arg("input"), args..., doc);
    c.def(name, fn, args..., doc);
  };
  both(
      "gather",
      [](const Tensor& a, py::handle dim, const Tensor& index) {
        return gather(a, parse_int(dim, "gather", "dim"), index);
      },
      "gather(input, dim, index): out[i][j] = input[index[i][j]][j] along dim (an int64 index "
      "of input's number of dims).",
      py::arg("dim"), py::arg("index"));
  both("scatter", &scatter_py,
       "scatter(input, dim, index, src) or (input, dim, index, value): a copy of input with "
       "src's elements (or value) written where index points along dim.",
       py::arg("dim"), py::arg("index"), py::arg("src") = py::none(), py::kw_only(),
       py::arg("value") = py::none(), py::arg("reduce") = py::none());
  c.def("scatter_", &scatter__py,
        "scatter_(dim, index, src) or (dim, index, value): in place; reduce='add' accumulates.",
        py::arg("dim"), py::arg("index"), py::arg("src") = py::none(), py::kw_only(),
        py::arg("value") = py::none(), py::arg("reduce") = py::none());
  both(
      "scatter_add",
      [](const Tensor& a, py::handle dim, const Tensor& index, const Tensor& src) {
        return scatter_add(a, parse_int(dim, "scatter_add", "dim"), index, src);
      },
      "scatter_add(input, dim, index, src): a copy of input with src's elements added where "
      "index points along dim (repeated indices accumulate).",
      py::arg("dim"), py::arg("index"), py::arg("src"));
  c.def(
      "scatter_add_",
      [](const Tensor& a, py::handle dim, const Tensor& index, const Tensor& src) {
        return scatter_(a, parse_int(dim, "scatter_add_", "dim"), index, src, true);
      },
      "scatter_add_(dim, index, src): in place.", py::arg("dim"), py::arg("index"), py::arg("src"));
  both(
      "index_select",
      [](const Tensor& a, py::handle dim, const Tensor& index) {
        return index_select(a, parse_int(dim, "index_select", "dim"), index);
      },
      "index_select(input, dim, index): the entries of input at the int64 vector index along "
      "dim (a copy).",
      py::arg("dim"), py::arg("index"));
  auto alpha_of = [](py::handle alpha) {
    Scalar s;
    if (!to_scalar(alpha, s)) fail<TypeError>("index_add", "alpha must be a number");
    return s;
  };
  both(
      "index_add",
      [alpha_of](const Tensor& a, py::handle dim, const Tensor& index, const Tensor& source,
                 py::handle alpha) {
        return index_add(a, parse_int(dim, "index_add", "dim"), index, source, alpha_of(alpha));
      },
      "index_add(input, dim, index, source, *, alpha=1): a copy of input with alpha * source "
      "added at the indices along dim (repeated indices accumulate).",
      py::arg("dim"), py::arg("index"), py::arg("source"), py::kw_only(), py::arg("alpha") = 1);
  c.def(
      "index_add_",
      [alpha_of](const Tensor& a, py::handle dim, const Tensor& index, const Tensor& source,
                 py::handle alpha) {
        return index_add_(a, parse_int(dim, "index_add_", "dim"), index, source, alpha_of(alpha));
      },
      "index_add_(dim, index, source, *, alpha=1): in place.", py::arg("dim"), py::arg("index"),
      py::arg("source"), py::kw_only(), py::arg("alpha") = 1);
  both(
      "index_copy",
      [](const Tensor& a, py::handle dim, const Tensor& index, const Tensor& source) {
        return index_copy(a, parse_int(dim, "index_copy", "dim"), index, source);
      },
      "index_copy(input, dim, index, source): a copy of input with source's slices written at "
      "the indices along dim.",
      py::arg("dim"), py::arg("index"), py::arg("source"));
  c.def(
      "index_copy_",
      [](const Tensor& a, py::handle dim, const Tensor& index, const Tensor& source) {
        return index_copy_(a, parse_int(dim, "index_copy_", "dim"), index, source);
      },
      "index_copy_(dim, index, source): in place.", py::arg("dim"), py::arg("index"),
      py::arg("source"));
  both(
      "index_fill",
      [](const Tensor& a, py::handle dim, const Tensor& index, py::handle value) {
        return index_fill(a, parse_int(dim, "index_fill", "dim"), index,
                          as_value(value, "index_fill"));
      },
      "index_fill(input, dim, index, value): a copy of input with the slices at the indices "
      "along dim set to value.",
      py::arg("dim"), py::arg("index"), py::arg("value"));
  c.def(
      "index_fill_",
      [](const Tensor& a, py::handle dim, const Tensor& index, py::handle value) {
        return index_fill_(a, parse_int(dim, "index_fill_", "dim"), index,
                           as_value(value, "index_fill_"));
      },
      "index_fill_(dim, index, value): in place.", py::arg("dim"), py::arg("index"),
      py::arg("value"));
  both(
      "take", [](const Tensor& a, const Tensor& index) { return take(a, index); },
      "take(input, index): the elements of the flattened input at index (negative indices count "
      "from the end), in index's shape.",
      py::arg("index"));
  both(
      "masked_select", [](const Tensor& a, const Tensor& mask) { return masked_select(a, mask); },
      "masked_select(input, mask): the elements where the bool mask (broadcast with input) is "
      "true, as a 1-D copy.",
      py::arg("mask"));
}

}  // namespace pyag
