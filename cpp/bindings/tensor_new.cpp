// Making tensors from Python: the legacy constructors (Tensor(2, 3), Tensor([1, 2]),
// FloatTensor(...)), Python subclasses of Tensor (_make_subclass, as_subclass), the version
// counter and the default dtype.
#include "bindings/bindings.h"
#include "bindings/convert.h"
#include "ops/alias.h"

namespace pyag {
namespace {

const char* legacy_name(DType d) {
  switch (d) {
    case DType::Bool:
      return "BoolTensor";
    case DType::UInt8:
      return "ByteTensor";
    case DType::Int8:
      return "CharTensor";
    case DType::Int16:
      return "ShortTensor";
    case DType::Int32:
      return "IntTensor";
    case DType::Int64:
      return "LongTensor";
    case DType::Float16:
      return "HalfTensor";
    case DType::BFloat16:
      return "BFloat16Tensor";
    case DType::Float32:
      return "FloatTensor";
    case DType::Float64:
      return "DoubleTensor";
  }
  return "Tensor";
}

std::string type_name_of(py::handle h) {
  return py::str(py::type::of(h).attr("__name__")).cast<std::string>();
}

// torch.Tensor(...) (typed empty: the default dtype) and torch.FloatTensor(...) etc.:
// no arguments -> an empty 1-d tensor; ints or a Size -> an uninitialized tensor of that
// shape; a tensor -> an alias of it (of the constructor's dtype only); a sequence or an
// array -> a copy converted to the dtype. Only device= (the CPU) and size= are keywords.
Tensor legacy_new(std::optional<DType> typed, const py::args& args, const py::kwargs& kw) {
  const char* op = typed ? legacy_name(*typed) : "Tensor";
  const DType d = typed.value_or(default_dtype());
  py::object size_kw;
  for (auto item : kw) {
    const std::string k = py::str(item.first).cast<std::string>();
    if (k == "device")
      check_device(item.second, op);
    else if (k == "size")
      size_kw = py::reinterpret_borrow<py::object>(item.second);
    else
      fail<TypeError>(op, "got an unexpected keyword argument '", k,
                      "'; the legacy constructor takes data or sizes, and device=");
  }
  if (size_kw) {
    if (!args.empty()) fail<TypeError>(op, "takes either sizes or size=, not both");
    return empty(parse_shape_obj(size_kw, op), d);
  }
  if (args.empty()) return empty(Dims{0}, d);
  if (args.size() == 1) {
    py::handle a = args[0];
    if (py::isinstance<TensorImpl>(a)) {
      Tensor t = a.cast<Tensor>();
      if (typed && t->dtype != d)
        fail<TypeError>(op, "expected a ", dtype_name(d), " tensor, got ", describe(t));
      return alias(t);
    }
    const PyTypes& pt = py_types();
    if (pt.size_cls && py::isinstance(a, pt.size_cls)) return empty(parse_shape_obj(a, op), d);
    if (PyIndex_Check(a.ptr()) && !PyBool_Check(a.ptr()) && !PySequence_Check(a.ptr()))
      return empty(parse_shape(args, op), d);
    Scalar s;
    if (to_scalar(a, s) || PyUnicode_Check(a.ptr()) || PyBytes_Check(a.ptr()))
      fail<TypeError>(op, "data must be a sequence (got ", type_name_of(a), ")");
    py::object make = py::module_::import("pyautograd._creation").attr("tensor");
    return make(a, py::arg("dtype") = d).cast<Tensor>();
  }
  return empty(parse_shape(args, op), d);
}

// A Python object of class cls (Tensor or a subclass) holding t. pybind11 makes the instance
// the way its own py::init factories do: allocate, set the value pointer, copy the holder in
// and register the instance, so that C++ returning t later finds this very object.
py::object wrap_as(py::handle cls, Tensor t, const char* op) {
  const py::detail::type_info* tinfo = py::detail::get_type_info(typeid(TensorImpl));
  auto* type = reinterpret_cast<PyTypeObject*>(cls.ptr());
  if (!PyType_Check(cls.ptr()) || !PyType_IsSubtype(type, tinfo->type))
    fail<TypeError>(op, "cls must be Tensor or a subclass of it, got ",
                    py::repr(cls).cast<std::string>());
  if (type == tinfo->type) return py::cast(std::move(t));
  auto inst = py::reinterpret_steal<py::object>(py::detail::make_new_instance(type));
  if (!inst) throw py::error_already_set();
  auto* pi = reinterpret_cast<py::detail::instance*>(inst.ptr());
  pi->get_value_and_holder(tinfo).value_ptr() = t.get();
  tinfo->init_instance(pi, &t);
  return inst;
}

// Tensor.__new__: constructs (legacy constructor arguments) an instance of the requested
// class, so that a subclass may define __init__ without calling Tensor.__init__ (pybind11's
// __init__ then sees a registered instance and does nothing), as PyTorch allows.
PyObject* tensor_tp_new(PyTypeObject* type, PyObject* args, PyObject* kwargs) {
  try {
    auto a = py::reinterpret_borrow<py::args>(args);
    py::kwargs kw = kwargs ? py::reinterpret_borrow<py::kwargs>(kwargs) : py::kwargs();
    return wrap_as(reinterpret_cast<PyObject*>(type), legacy_new(std::nullopt, a, kw), "Tensor")
        .release()
        .ptr();
  } catch (...) {
    set_python_error(std::current_exception());
    return nullptr;
  }
}

}  // namespace

void init_tensor_new(py::module_& m) {
  auto c = py::reinterpret_borrow<TensorClass>(m.attr("Tensor"));
  c.def(py::init([](const py::args& args, const py::kwargs& kw) {
          return legacy_new(std::nullopt, args, kw);
        }),
        "The legacy constructor, in the default dtype: Tensor(2, 3) (uninitialized), "
        "Tensor([1, 2]) (a copy of the data), Tensor(t) (an alias of t), Tensor() (empty).");
  auto* type = reinterpret_cast<PyTypeObject*>(c.ptr());
  type->tp_new = tensor_tp_new;
  PyType_Modified(type);
  c.def_static(
      "_make_subclass",
      [](py::handle cls, const Tensor& data, bool require_grad) {
        Tensor t = detach(data);  // same storage and version counter, no history
        if (require_grad) set_requires_grad(t, true);
        return wrap_as(cls, t, "_make_subclass");
      },
      py::arg("cls"), py::arg("data"), py::arg("require_grad") = false,
      "A new instance of the Tensor subclass cls sharing data's elements, as a leaf (the "
      "way nn.Parameter is made).");
  c.def(
      "as_subclass",
      [](const Tensor& a, py::handle cls) { return wrap_as(cls, alias(a), "as_subclass"); },
      py::arg("cls"),
      "This tensor's elements seen as an instance of cls (a subclass of Tensor); the result "
      "stays in the autograd graph.");
  c.def_property_readonly(
      "_version", [](const Tensor& a) { return a->storage->version; },
      "The version counter of the tensor's storage: bumped by every in-place change.");
  m.def(
      "_legacy_new",
      [](py::handle dtype, const py::args& args, const py::kwargs& kw) {
        return legacy_new(parse_dtype(dtype, "Tensor"), args, kw);
      },
      "The typed legacy constructors (FloatTensor(...), LongTensor(...), ...): Tensor's "
      "constructor with a fixed dtype (None: the default dtype).");
  m.def(
      "_set_default_dtype",
      [](py::handle dtype) {
        auto d = parse_dtype(dtype, "set_default_dtype");
        if (!d || !is_floating(*d))
          fail<TypeError>("set_default_dtype",
                          "only floating-point types are supported as the default type, got ",
                          py::repr(dtype).cast<std::string>());
        default_dtype_slot().store(*d);
      },
      "Sets the dtype of Python floats and of float tensors made without dtype=.");
  m.def(
      "_get_default_dtype", []() { return default_dtype(); },
      "The dtype of Python floats and of float tensors made without dtype=.");
}

}  // namespace pyag
