// Raw storage access for pickling and checkpoints (pyautograd/serialization.py): where a
// tensor's storage is, its bytes, and tensors rebuilt from bytes with bounds-checked strides.
#include <pybind11/stl.h>

#include <cstring>

#include "bindings/bindings.h"
#include "bindings/convert.h"

namespace pyag {
namespace {

// A strided view of base's storage, checked to lie within it (the layout comes from a file).
Tensor as_strided_raw(const Tensor& base, const Dims& shape, const Dims& strides, int64_t offset) {
  const char* op = "load";
  if (shape.size() != strides.size())
    fail<ValueError>(op, "shape ", shape_str(shape), " and strides ", shape_str(strides),
                     " differ in length");
  const auto isz = static_cast<int64_t>(itemsize(base->dtype));
  const auto capacity = static_cast<int64_t>(base->storage->nbytes) / isz;
  if (offset < 0) fail<ValueError>(op, "negative storage offset ", offset);
  int64_t last = offset;
  bool empty_view = false;
  for (int i = 0; i < shape.size(); ++i) {
    if (shape[i] < 0 || strides[i] < 0)
      fail<ValueError>(op, "negative size or stride in shape ", shape_str(shape), ", strides ",
                       shape_str(strides));
    if (shape[i] == 0) empty_view = true;
    if (shape[i] > 0 && strides[i] > 0) {
      if ((shape[i] - 1) > (INT64_MAX - last) / strides[i])
        fail<ValueError>(op, "strides ", shape_str(strides), " overflow");
      last += (shape[i] - 1) * strides[i];
    }
  }
  if (!empty_view && last >= capacity)
    fail<ValueError>(op, "a tensor of shape ", shape_str(shape), ", strides ", shape_str(strides),
                     " and offset ", offset, " does not fit its storage of ", capacity,
                     " elements");
  return make_view(base, shape, strides, offset);
}

}  // namespace

void init_serialization(py::module_& m) {
  m.def(
      "_storage_info",
      [](const Tensor& t) {
        return py::make_tuple(reinterpret_cast<uintptr_t>(t->storage->data), t->storage->nbytes);
      },
      "(address, size in bytes) of the tensor's storage: tensors sharing memory have the "
      "same address.");
  m.def(
      "_read_bytes",
      [](const Tensor& t, int64_t start, int64_t nbytes) {
        const auto total = static_cast<int64_t>(t->storage->nbytes);
        if (start < 0 || nbytes < 0 || start > total || nbytes > total - start)
          fail<ValueError>("save", "byte range [", start, ", ", start + nbytes,
                           ") is outside the storage of ", total, " bytes");
        return py::bytes(static_cast<const char*>(t->storage->data) + start,
                         static_cast<size_t>(nbytes));
      },
      "A copy of bytes [start, start + nbytes) of the tensor's storage.");
  m.def(
      "_from_bytes",
      [](const py::buffer& data, py::handle dtype) {
        DType d = *parse_dtype(dtype, "load");
        py::buffer_info info = data.request();
        if (info.ndim != 1 || info.itemsize != 1)
          fail<TypeError>("load", "expected a 1-d buffer of bytes");
        const auto n = static_cast<int64_t>(info.size);
        const auto isz = static_cast<int64_t>(itemsize(d));
        if (n % isz != 0)
          fail<ValueError>("load", n, " bytes are not a whole number of ", dtype_name(d),
                           " elements");
        Tensor t = empty(Dims{n / isz}, d);
        if (n) std::memcpy(t->data(), info.ptr, static_cast<size_t>(n));
        if (d == DType::Bool) {  // any byte other than 0 or 1 would not be a valid bool
          auto* p = static_cast<unsigned char*>(t->storage->data);
          for (int64_t i = 0; i < n; ++i) p[i] = p[i] != 0;
        }
        return t;
      },
      "A new 1-d tensor of dtype holding a copy of the bytes.");
  m.def(
      "_as_strided_raw",
      [](const Tensor& base, py::handle shape, py::handle strides, int64_t offset) {
        return as_strided_raw(base, parse_shape_obj(shape, "load"),
                              parse_shape_obj(strides, "load", SizeKind::Dims), offset);
      },
      "A view (no autograd) of base's storage with the given shape, strides and offset in "
      "elements; ValueError if it reaches outside the storage.");
}

}  // namespace pyag
