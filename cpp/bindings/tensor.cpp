// The Tensor class: properties, size and layout, conversions, autograd methods (its computing
// methods are in tensor_ops.cpp).
#include <pybind11/stl.h>

#include "autograd/engine.h"
#include "autograd/node.h"
#include "bindings/bindings.h"
#include "bindings/convert.h"
#include "capture/hooks.h"
#include "kernels/gemm.h"
#include "ops/rules.h"

namespace pyag {

namespace {

py::object tolist_rec(const Tensor& t, Dims& pos, int d) {
  if (d == t->dim()) {
    double v = get_double(t, pos);
    if (t->dtype == DType::Bool) return py::bool_(v != 0);
    if (t->dtype == DType::Int64) {
      int64_t off = 0;
      for (int i = 0; i < pos.size(); ++i) off += pos[i] * t->strides[i];
      return py::int_(t->data_as<int64_t>()[off]);
    }
    if (is_integral(t->dtype)) return py::int_(static_cast<int64_t>(v));  // exact below 2**53
    return py::float_(v);
  }
  py::list l;
  for (int64_t i = 0; i < t->shape[d]; ++i) {
    pos[d] = i;
    l.append(tolist_rec(t, pos, d + 1));
  }
  return l;
}

Tensor to_dtype_or_device(const Tensor& a, py::args args, py::kwargs kwargs) {
  std::optional<DType> dt;
  auto consider = [&](py::handle h) {
    if (h.is_none()) return;
    if (py::isinstance<TensorImpl>(h)) {  // to(other): other's dtype (and device: the CPU)
      dt = h.cast<Tensor>()->dtype;
      return;
    }
    if (py::isinstance<py::str>(h) || py::hasattr(h, "type")) {
      check_device(h, "to");
      return;
    }
    dt = parse_dtype(h, "to");
  };
  for (py::handle h : args) consider(h);
  if (kwargs.contains("dtype")) consider(kwargs["dtype"]);
  if (kwargs.contains("device")) consider(kwargs["device"]);
  return dt ? cast(a, *dt) : a;
}

py::buffer_info buffer(TensorImpl& t) {
  capture::refuse("the buffer protocol (memoryview, np.asarray) of a tensor",
                  "it hands the data to Python, which replay does not run");
  const auto isz = static_cast<py::ssize_t>(itemsize(t.dtype));
  std::vector<py::ssize_t> shape, strides;
  for (int i = 0; i < t.dim(); ++i) {
    shape.push_back(t.shape[i]);
    strides.push_back(t.strides[i] * isz);
  }
  const std::string fmt =
      dispatch(t.dtype, [](auto v) { return py::format_descriptor<decltype(v)>::format(); });
  return py::buffer_info(t.data(), isz, fmt, t.dim(), shape, strides);
}

}  // namespace

void init_tensor(py::module_& m) {
  TensorClass c(
      m, "Tensor",
      "A multi-dimensional array of one dtype on the CPU, with autograd (as torch.Tensor).",
      py::buffer_protocol(), py::dynamic_attr(), py::module_local(),
      py::custom_type_setup(&tensor_type_setup));
  c.def_buffer(&buffer);

  // ---- properties ----
  c.def_property_readonly(
      "shape", [](const Tensor& a) { return size_tuple(a->shape); },
      "The size of each dimension (a Size, a tuple of ints).");
  c.def_property_readonly(
      "dtype", [](const Tensor& a) { return a->dtype; }, "The element type (a pyautograd dtype).");
  c.def_property_readonly(
      "ndim", [](const Tensor& a) { return a->dim(); }, "The number of dimensions.");
  c.def_property_readonly(
      "is_cuda", [](const Tensor&) { return false; }, "False: every tensor lives on the CPU.");
  // .data and .grad are CPython descriptors: see fast.cpp.
  c.def_property(
      "requires_grad", [](const Tensor& a) { return a->requires_grad(); },
      [](const Tensor& a, bool on) { set_requires_grad(a, on); },
      "Whether gradients are computed for this tensor; settable on leaves.");
  c.def_property_readonly(
      "is_leaf", [](const Tensor& a) { return a->is_leaf(); },
      "Whether the tensor is a leaf of the graph (made by the user, not by an op that records "
      "gradients).");
  c.def_property_readonly(
      "grad_fn", [](const Tensor& a) { return node_object(a->grad_fn()); },
      "The backward node that made this tensor, or None for a leaf.");
  c.def_property_readonly(
      "retains_grad", [](const Tensor& a) { return a->autograd && a->autograd->retains_grad; },
      "Whether this non-leaf keeps its .grad after backward (retain_grad was called).");
  c.def_property_readonly(
      "T",
      [](const Tensor& a) {
        std::vector<int64_t> p;
        for (int i = a->dim() - 1; i >= 0; --i) p.push_back(i);
        return permute(a, p);
      },
      "The tensor with its dimensions reversed (a view; for 2-D, the transpose).");

  // ---- size and layout ----
  c.def(
      "size",
      [](const Tensor& a, py::object dim) -> py::object {
        if (dim.is_none()) return size_tuple(a->shape);
        return py::int_(a->shape[wrap_dim(parse_int(dim, "size", "dim"), a->dim(), "size")]);
      },
      py::arg("dim") = py::none(), "The size of each dimension (a Size), or of dimension dim.");
  c.def(
      "stride",
      [](const Tensor& a, py::object dim) -> py::object {
        if (dim.is_none()) return py::tuple(py::cast(a->strides.vec()));
        return py::int_(a->strides[wrap_dim(parse_int(dim, "stride", "dim"), a->dim(), "stride")]);
      },
      py::arg("dim") = py::none(),
      "The stride of each dimension in elements (a tuple), or of dimension dim.");
  c.def("dim", [](const Tensor& a) { return a->dim(); }, "The number of dimensions.");
  c.def(
      "ndimension", [](const Tensor& a) { return a->dim(); },
      "The number of dimensions (alias of dim()).");
  c.def("numel", [](const Tensor& a) { return a->numel; }, "The number of elements.");
  c.def(
      "nelement", [](const Tensor& a) { return a->numel; },
      "The number of elements (alias of numel()).");
  c.def(
      "element_size", [](const Tensor& a) { return itemsize(a->dtype); },
      "The size of one element in bytes.");
  c.def(
      "storage_offset", [](const Tensor& a) { return a->offset; },
      "The offset of the first element in the storage, in elements.");
  c.def(
      "data_ptr", [](const Tensor& a) { return reinterpret_cast<uintptr_t>(a->data()); },
      "The address of the tensor's first element.");
  c.def(
      "is_contiguous", [](const Tensor& a) { return a->contiguous(); },
      "Whether the elements are laid out row-major contiguous in memory.");
  c.def(
      "is_floating_point", [](const Tensor& a) { return is_floating(a->dtype); },
      "Whether the dtype is a floating point type.");
  c.def("__len__", [](const Tensor& a) {
    if (a->dim() == 0) fail<TypeError>("len", "len() of a 0-d tensor");
    return a->shape[0];
  });

  // ---- conversion ----
  c.def(
      "item",
      [](const Tensor& a) {
        check_number(a, NumberUse::Item);
        return to_python_scalar(a);
      },
      "The value of a one-element tensor as a Python number.");
  c.def(
      "tolist",
      [](const Tensor& a) {
        Dims pos = Dims::filled(a->dim(), 0);
        return tolist_rec(a, pos, 0);
      },
      "The elements as (nested) Python lists of numbers.");
  c.def(
      "numpy", [](const Tensor& a) { return to_numpy(a); },
      "A NumPy array sharing the tensor's memory (the tensor must not require grad).");
  c.def(
      "__array__",
      [](const Tensor& a, py::object dtype, py::object) {
        py::array arr = to_numpy(a);
        return dtype.is_none() ? arr : py::array(arr.attr("astype")(dtype));
      },
      py::arg("dtype") = py::none(), py::arg("copy") = py::none());
  c.def("__float__", [](const Tensor& a) {
    check_number(a, NumberUse::Float);
    return get_double(a, Dims::filled(a->dim(), 0));
  });
  c.def("__int__", [](const Tensor& a) {
    check_number(a, NumberUse::Int);
    // Python's int(): exact for large floats, ValueError/OverflowError for NaN/inf.
    PyObject* r = PyNumber_Long(to_python_scalar(a).ptr());
    if (!r) throw py::error_already_set();
    return py::reinterpret_steal<py::object>(r);
  });
  c.def("__bool__", [](const Tensor& a) {
    check_number(a, NumberUse::Bool);
    return get_double(a, Dims::filled(a->dim(), 0)) != 0;
  });
  c.def("__index__", [](const Tensor& a) {
    check_number(a, NumberUse::Index);
    return static_cast<int64_t>(get_double(a, Dims::filled(a->dim(), 0)));
  });
  c.def("to", &to_dtype_or_device,
        "This tensor converted to dtype (a copy, or itself when nothing changes); device may only "
        "be the CPU.");
  c.def(
      "float", [](const Tensor& a) { return cast(a, DType::Float32); },
      "This tensor as float32 (a copy, or itself when already float32).");
  c.def(
      "double", [](const Tensor& a) { return cast(a, DType::Float64); },
      "This tensor as float64 (a copy, or itself when already float64).");
  c.def(
      "long", [](const Tensor& a) { return cast(a, DType::Int64); },
      "This tensor as int64 (a copy, or itself when already int64).");
  c.def(
      "bool", [](const Tensor& a) { return cast(a, DType::Bool); },
      "This tensor as bool (a copy, or itself when already bool).");
  c.def(
      "int", [](const Tensor& a) { return cast(a, DType::Int32); },
      "This tensor as int32 (a copy, or itself when already int32).");
  c.def(
      "short", [](const Tensor& a) { return cast(a, DType::Int16); },
      "This tensor as int16 (a copy, or itself when already int16).");
  c.def(
      "char", [](const Tensor& a) { return cast(a, DType::Int8); },
      "This tensor as int8 (a copy, or itself when already int8).");
  c.def(
      "byte", [](const Tensor& a) { return cast(a, DType::UInt8); },
      "This tensor as uint8 (a copy, or itself when already uint8).");
  c.def(
      "half", [](const Tensor&) -> Tensor { fail_unsupported_dtype(DType::Float16, "half"); },
      "Refuses: float16 tensors are not supported (raises TypeError).");
  c.def(
      "bfloat16",
      [](const Tensor&) -> Tensor { fail_unsupported_dtype(DType::BFloat16, "bfloat16"); },
      "Refuses: bfloat16 tensors are not supported (raises TypeError).");
  c.def(
      "cpu", [](const Tensor& a) { return a; },
      "The tensor itself: every tensor lives on the CPU.");
  c.def(
      "cuda",
      [](const Tensor& a, py::args, py::kwargs) -> Tensor {
        check_device("cuda", "cuda");  // refuses: the CPU only
        return a;
      },
      "Refuses: CUDA is not available (raises RuntimeError).");
  c.def("__hash__", [](py::handle self) {
    return py::hash(py::int_(reinterpret_cast<uintptr_t>(self.ptr())));
  });

  init_declared(c, m);
  init_tensor_ops(c);
  init_shape(c, m);
  init_ops_more(c, m);
  init_random(c, m);
  init_gather(c, m);
  init_indexing(c, m);

  // ---- autograd ----
  c.def(
      "detach", [](const Tensor& a) { return detach(a); },
      "A new tensor sharing this one's memory, detached from the graph (requires_grad=False).");
  c.def(
      "detach_",
      [](const Tensor& a) {
        detach_(a);
        return a;
      },
      "Detaches this tensor from the graph in place (no grad_fn, requires_grad=False; .grad is "
      "kept); returns it.");
  c.def(
      "requires_grad_",
      [](const Tensor& a, bool on) {
        set_requires_grad(a, on);
        return a;
      },
      py::arg("requires_grad") = true,
      "Sets whether autograd records operations on this leaf (floating dtypes only); returns the "
      "tensor.");
  c.def(
      "retain_grad", [](const Tensor& a) { retain_grad(a); },
      "Keeps the .grad of this non-leaf tensor after backward (a no-op on a leaf).");
  init_hooks(c, m);
  init_reduce(c, m);
  c.def(
      "backward",
      [](const Tensor& a, std::optional<Tensor> gradient, std::optional<bool> retain_graph,
         bool create_graph, py::object inputs) {
        std::vector<Tensor> grads;
        if (gradient) grads.push_back(*gradient);
        py::gil_scoped_release release;
        tensor_backward(a, grads, retain_graph.value_or(create_graph), create_graph,
                        !inputs.is_none());
      },
      py::arg("gradient") = py::none(), py::arg("retain_graph") = py::none(),
      py::arg("create_graph") = false, py::arg("inputs") = py::none(),
      "Computes the gradient of this tensor with respect to the graph leaves and accumulates it "
      "into their .grad (gradient is required unless the tensor has one element).");
}

}  // namespace pyag
