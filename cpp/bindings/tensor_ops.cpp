// Tensor methods and operators that compute: arithmetic, comparisons, in-place ops, linear
// algebra, shape and indexing (the reductions are in reduce.cpp).
#include <pybind11/stl.h>

#include <algorithm>

#include "bindings/bindings.h"
#include "bindings/convert.h"
#include "ops/rules.h"

namespace pyag {

namespace {

py::object getitem(const Tensor& a, py::handle idx) {
  std::vector<IndexItem> items;
  if (parse_basic_index(idx, items)) {
    if (reads_0d_value(a, items)) return to_python_scalar(a);  // legacy: loss.data[0]
    return py::cast(index(a, items));
  }
  if (py::isinstance<TensorImpl>(idx)) {
    Tensor m = idx.cast<Tensor>();
    if (m->dtype == DType::Bool || m->dtype == DType::UInt8) return py::cast(index(a, m));
  }
  return getitem_advanced(a, idx);  // index tensors and lists (indexing.cpp)
}

void setitem(const Tensor& a, py::handle idx, py::handle value) {
  Scalar s;
  const bool scalar = to_scalar(value, s);
  Tensor v;
  if (!scalar) {
    if (!py::isinstance<TensorImpl>(value))
      fail<TypeError>("setitem", "can only assign a number or a tensor, got ",
                      py::str(py::type::of(value).attr("__name__")).cast<std::string>());
    v = value.cast<Tensor>();
  }
  std::vector<IndexItem> items;
  if (parse_basic_index(idx, items)) {
    if (scalar)
      index_put(a, items, s);
    else
      index_put(a, items, v);
    return;
  }
  if (py::isinstance<TensorImpl>(idx)) {
    Tensor m = idx.cast<Tensor>();
    if (m->dtype == DType::Bool) {
      if (scalar)
        masked_put(a, m, s);
      else
        masked_put(a, m, v);
      return;
    }
  }
  setitem_advanced(a, idx, value);  // index tensors and lists (indexing.cpp)
}

}  // namespace

void init_tensor_ops(TensorClass& c) {
  // The declared elementwise ops (methods, operators, in-place methods) are in declared.cpp.
  // NumPy defers to the tensor's reflected operators (np.float32(2) * t is a tensor).
  c.attr("__array_ufunc__") = py::none();
  const int sub = detail::binary_index<binary::sub>, mul = detail::binary_index<binary::mul>,
            div = detail::binary_index<binary::div>;
  c.def(
      "subtract", [sub](const Tensor& a, py::handle b) { return binary_op(sub, a, b, false); },
      "Alias of sub.");
  c.def(
      "multiply", [mul](const Tensor& a, py::handle b) { return binary_op(mul, a, b, false); },
      "Alias of mul.");
  c.def(
      "true_divide", [div](const Tensor& a, py::handle b) { return binary_op(div, a, b, false); },
      "Alias of div.");
  c.def(
      "where",
      [](const Tensor& a, const Tensor& cond, py::handle other) {
        Operand o = to_operand(other, "where");
        return o.is_tensor() ? where(cond, a, o.t) : where(cond, a, o.s);
      },
      py::arg("condition"), py::arg("other"),
      "Elements of input where condition is True, else of other (broadcast together).");
  c.def(
      "masked_fill",
      [](const Tensor& a, const Tensor& mask, py::handle value) {
        Operand o = to_operand(value, "masked_fill");
        return o.is_tensor() ? masked_fill(a, mask, o.t) : masked_fill(a, mask, o.s);
      },
      py::arg("mask"), py::arg("value"),
      "A copy of the tensor with value where the bool mask (broadcast to its shape) is True.");
  c.def(
      "masked_fill_",
      [](const Tensor& a, const Tensor& mask, py::handle value) {
        Operand o = to_operand(value, "masked_fill_");
        return o.is_tensor() ? masked_fill_(a, mask, o.t) : masked_fill_(a, mask, o.s);
      },
      py::arg("mask"), py::arg("value"),
      "Writes value where the bool mask (broadcast to the tensor's shape) is True; returns the "
      "tensor.");

  // ---- in-place ----
  c.def(
      "zero_", [](const Tensor& a) { return zero_(a); },
      "Sets every element to zero; returns the tensor.");
  c.def(
      "fill_",
      [](const Tensor& a, py::handle v) {
        Operand o = to_operand(v, "fill_");
        return o.is_tensor() ? fill_(a, o.t) : fill_(a, o.s);
      },
      "Sets every element to value (a number or a 1-element tensor); returns the tensor.");
  c.def(
      "copy_", [](const Tensor& a, const Tensor& src) { return copy_(a, src); }, py::arg("src"),
      "Copies the elements of src (broadcast, converted to this dtype) into this tensor; returns "
      "it.");

  // ---- linear algebra ----
  auto mm_ = [](const Tensor& a, const Tensor& b) {
    return maybe_nogil(a->numel * (b->dim() ? b->shape[b->dim() - 1] : 1) / 4,
                       [&] { return mm(a, b); });
  };
  auto matmul_ = [](const Tensor& a, const Tensor& b) {
    return maybe_nogil(a->numel * (b->dim() ? b->shape[b->dim() - 1] : 1) / 4,
                       [&] { return matmul(a, b); });
  };
  c.def("mm", mm_, py::arg("mat2"), "The matrix product of two 2-D tensors.");
  c.def(
      "bmm", [](const Tensor& a, const Tensor& b) { return bmm(a, b); }, py::arg("mat2"),
      "The batched matrix product of two 3-D tensors: out[b] = input[b] @ mat2[b].");
  c.def("matmul", matmul_, py::arg("other"),
        "The matrix product with numpy semantics: 1-D dot, 2-D mm, batched with broadcasting.");
  // Operators: an operand of another type gives NotImplemented, so that its own reflected
  // method runs (a complex tensor's, pyautograd/_complex.py), else Python's TypeError.
  c.def("__matmul__", matmul_, py::is_operator());
  c.def(
      "__rmatmul__", [matmul_](const Tensor& a, const Tensor& b) { return matmul_(b, a); },
      py::is_operator());

  // ---- shape ----
  c.def(
      "t", [](const Tensor& a) { return t(a); },
      "The transpose of a tensor of at most 2 dimensions (a view).");
  c.def(
      "transpose", [](const Tensor& a, int64_t d0, int64_t d1) { return transpose(a, d0, d1); },
      py::arg("dim0"), py::arg("dim1"), "A view with dimensions dim0 and dim1 swapped.");
  c.def(
      "permute",
      [](const Tensor& a, py::args dims) {
        return permute(a, parse_shape(dims, "permute", SizeKind::Dims).vec());
      },
      "A view with the dimensions reordered as given.");
  c.def(
      "view",
      [](const Tensor& a, py::args shape) {
        require_args(shape, "view", "shape");
        return view(a, parse_shape(shape, "view", SizeKind::MayInfer));
      },
      "A view of the same memory in a new shape (-1 infers a size).");
  c.def(
      "reshape",
      [](const Tensor& a, py::args shape) {
        require_args(shape, "reshape", "shape");
        return reshape(a, parse_shape(shape, "reshape", SizeKind::MayInfer));
      },
      "The elements in a new shape: a view when the memory allows, else a copy (-1 infers a "
      "size).");
  c.def(
      "view_as", [](const Tensor& a, const Tensor& o) { return view(a, o->shape); },
      py::arg("other"), "self.view(other.size()).");
  c.def(
      "reshape_as", [](const Tensor& a, const Tensor& o) { return reshape(a, o->shape); },
      py::arg("other"), "self.reshape(other.size()).");
  c.def(
      "expand",
      [](const Tensor& a, py::args shape) {
        return expand(a, parse_shape(shape, "expand", SizeKind::MayInfer));
      },
      "A view with dimensions of size 1 repeated to the given sizes (-1 keeps a size); no copy.");
  c.def(
      "expand_as", [](const Tensor& a, const Tensor& o) { return expand(a, o->shape); },
      py::arg("other"), "self.expand(other.size()).");
  c.def(
      "squeeze",
      [](const Tensor& a, py::object dim) {
        if (py::isinstance<py::tuple>(dim) || py::isinstance<py::list>(dim)) {
          // squeeze((d0, d1, ...)): those of the dims that have size 1, the last first
          const int n = std::max(a->dim(), 1);
          std::vector<int> ds;
          for (py::handle h : dim) {
            const int d = wrap_dim(parse_int(h, "squeeze", "dim"), n, "squeeze");
            if (std::find(ds.begin(), ds.end(), d) != ds.end())
              fail("squeeze", "dim ", d, " appears multiple times in the list of dims");
            ds.push_back(d);
          }
          std::sort(ds.rbegin(), ds.rend());
          if (ds.empty()) return view(a, a->shape);
          Tensor r = a;
          for (int d : ds) r = squeeze(r, std::optional<int64_t>(d));
          return r;
        }
        return squeeze(a, dim.is_none() ? std::nullopt
                                        : std::optional<int64_t>(parse_int(dim, "squeeze", "dim")));
      },
      py::arg("dim") = py::none(),
      "A view without the dimensions of size 1 (all of them, dim's when it has size 1, or "
      "those of a tuple of dims that have size 1).");
  c.def(
      "unsqueeze", [](const Tensor& a, int64_t d) { return unsqueeze(a, d); }, py::arg("dim"),
      "A view with a dimension of size 1 inserted at dim.");
  c.def(
      "t_", [](const Tensor& a) { return t_(a); },
      "In place t(): this tensor becomes its transpose.");
  c.def(
      "transpose_", [](const Tensor& a, int64_t d0, int64_t d1) { return transpose_(a, d0, d1); },
      py::arg("dim0"), py::arg("dim1"), "In place transpose(dim0, dim1).");
  c.def(
      "squeeze_",
      [](const Tensor& a, py::object dim) {
        return squeeze_(a, dim.is_none()
                               ? std::nullopt
                               : std::optional<int64_t>(parse_int(dim, "squeeze_", "dim")));
      },
      py::arg("dim") = py::none(), "In place squeeze(dim).");
  c.def(
      "unsqueeze_", [](const Tensor& a, int64_t d) { return unsqueeze_(a, d); }, py::arg("dim"),
      "In place unsqueeze(dim).");
  c.def(
      "flatten",
      [](const Tensor& a, int64_t start_dim, int64_t end_dim) {
        return flatten(a, start_dim, end_dim);
      },
      py::arg("start_dim") = 0, py::arg("end_dim") = -1,
      "Dimensions start_dim to end_dim merged into one: a view when the memory allows, else a "
      "copy (the tensor itself when they are one dimension).");
  c.def(
      "contiguous", [](const Tensor& a) { return contiguous(a); },
      "The tensor itself when its memory is row-major contiguous, else a contiguous copy.");
  c.def(
      "clone", [](const Tensor& a) { return clone(a); },
      "A copy of the tensor with its own memory; gradients flow back to the input.");
  c.def("__getitem__", &getitem);
  c.def("__setitem__", [](const Tensor& a, py::handle idx, py::handle v) { setitem(a, idx, v); });
}

}  // namespace pyag
