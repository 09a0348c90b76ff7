// Raw storage access for pickling and checkpoints (pyautograd/serialization.py): where a
// tensor's storage is, its bytes, and tensors rebuilt from bytes with bounds-checked strides.
#include <pybind11/stl.h>

#include <cstring>

#include "autograd/grad_mode.h"
#include "bindings/bindings.h"
#include "bindings/convert.h"
#include "ops/ops.h"
#include "ops/rules.h"

namespace pyag {

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
        return as_strided_checked(base, parse_shape_obj(shape, "load"),
                                  parse_shape_obj(strides, "load", SizeKind::Dims), offset, "load");
      },
      "A view (no autograd) of base's storage with the given shape, strides and offset in "
      "elements; ValueError if it reaches outside the storage.");
  m.def(
      "_as_strided_view",
      [](const Tensor& base, py::handle shape, py::handle strides, int64_t offset) {
        const Dims s = parse_shape_obj(shape, "as_strided");
        const Dims st = parse_shape_obj(strides, "as_strided", SizeKind::Dims);
        as_strided_checked(base, s, st, offset, "as_strided");  // bounds
        Tensor v = new_view(base, s, st, offset);
        // Its grad_fn is made when first read, as for a view whose base changed in place: an
        // AsStridedBackward0 node from the base's history (autograd/views.cpp).
        if (GradMode::enabled()) v->view.version = v->storage->version - 1;
        return v;
      },
      "A differentiable view (torch.as_strided) of base's storage with the given shape, strides "
      "and offset in elements; ValueError if it reaches outside the storage.");
}

}  // namespace pyag
