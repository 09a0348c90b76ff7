// pybind11 conversions shared by the binding files: shapes, dtypes, scalars, operands, numpy.
#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include "ops/ops.h"

namespace py = pybind11;

// None is not a tensor: pybind11 would otherwise pass an empty pointer for a Tensor argument.
namespace pybind11::detail {
template <>
class type_caster<std::shared_ptr<pyag::TensorImpl>>
    : public copyable_holder_caster<pyag::TensorImpl, std::shared_ptr<pyag::TensorImpl>> {
 public:
  bool load(handle src, bool convert) {
    if (src.is_none()) return false;
    return copyable_holder_caster<pyag::TensorImpl, std::shared_ptr<pyag::TensorImpl>>::load(
        src, convert);
  }
};
}  // namespace pybind11::detail

namespace pyag {

// Objects set by the Python package at import (Size, the namedtuple for max/min, device).
struct PyTypes {
  py::object size_cls, max_cls, min_cls;  // Size; (values, indices) of max(dim) and min(dim)
};
PyTypes& py_types();

// Sizes given as varargs (t.view(2, 3)) or one sequence (t.view((2, 3))): sizes >= 0, or
// also -1 (view, reshape, expand), or any ints (dims of permute).
enum class SizeKind { Sizes, MayInfer, Dims };
Dims parse_shape(const py::args& args, const char* op, SizeKind kind = SizeKind::Sizes);
// A TypeError when a required varargs parameter got nothing (t.reshape(), torch.zeros()), as
// PyTorch's argument parser: "missing 1 required positional argument: 'shape'".
void require_args(const py::args& args, const char* op, const char* what);
Dims parse_shape_obj(py::handle obj, const char* op, SizeKind kind = SizeKind::Sizes);
int64_t parse_int(py::handle h, const char* op, const char* what);
std::optional<int64_t> parse_optional_int(py::handle h, const char* op, const char* what);  // None
std::optional<DType> parse_dtype(py::handle obj, const char* op);
void check_device(py::handle device, const char* op);
// A Python number (bool, int, float, or a NumPy scalar) as a Scalar; false if it is not one.
bool to_scalar(py::handle h, Scalar& out);
// A tensor, or a Python number, as the second operand of a binary op (TypeError otherwise).
struct Operand {
  Tensor t;
  Scalar s;
  bool is_tensor() const { return static_cast<bool>(t); }
};
Operand to_operand(py::handle h, const char* op);
std::vector<int64_t> parse_dims(py::handle dim, const char* op);  // None -> all (empty)
py::object to_python_scalar(const Tensor& t);
py::object size_tuple(const Dims& d);
// A NumPy array sharing the tensor's memory.
py::array to_numpy(const Tensor& t);
// A tensor sharing an array's memory (from_numpy) or copying it.
Tensor from_numpy(py::array arr, const char* op);
Tensor copy_numpy(py::array arr, std::optional<DType> dtype, const char* op);
// The elements of an index expression (ints, slices, None, Ellipsis); false if it holds
// anything else (a tensor or a list).
bool parse_basic_index(py::handle idx, std::vector<IndexItem>& items);
// Runs f with the GIL released when `work` (elements or flops) is large enough to pay for it.
template <class F>
decltype(auto) maybe_nogil(int64_t work, F&& f) {
  if (work >= (int64_t{1} << 16)) {
    py::gil_scoped_release release;
    return f();
  }
  return f();
}

}  // namespace pyag
