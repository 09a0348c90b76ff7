// The hottest calls bypass pybind11's generic dispatcher (about 1,600 instructions a call):
// the arithmetic operators are CPython number slots and .data/.grad are getset descriptors,
// reading the tensor straight from the pybind11 instance's holder. Semantics are those of the
// pybind11 methods they replace (binary_op, inplace_op, set_data, set_grad).
#include "bindings/bindings.h"
#include "bindings/convert.h"

namespace pyag {
namespace {

PyTypeObject* tensor_type = nullptr;

bool is_tensor(PyObject* o) { return PyObject_TypeCheck(o, tensor_type); }

const Tensor& tensor_of(PyObject* o) {  // o must be a Tensor instance
  auto vh = reinterpret_cast<py::detail::instance*>(o)->get_value_and_holder();
  if (!vh.holder_constructed()) fail<TypeError>("Tensor", "uninitialized tensor object");
  return vh.holder<Tensor>();
}

PyObject* to_python(Tensor t) { return py::cast(std::move(t)).release().ptr(); }

template <class F>
PyObject* guarded(F&& f) noexcept {
  try {
    return f();
  } catch (...) {
    set_python_error(std::current_exception());
    return nullptr;
  }
}

// A tensor, a number or a NumPy array: what binary_op takes as the other operand.
bool is_operand(PyObject* o) {
  Scalar s;
  return is_tensor(o) || to_scalar(o, s) || py::isinstance<py::array>(o);
}

// `tensor op 2j`: a complex result (pyautograd._complex's arithmetic on the real view).
PyObject* complex_scalar_op(const char* op, PyObject* a, PyObject* b) {
  py::object f = py::module_::import("pyautograd._complex").attr(op);
  return f(py::handle(a), py::handle(b)).release().ptr();
}

template <int op>
PyObject* nb_binary(PyObject* a, PyObject* b) {
  return guarded([&] {
    if (PyComplex_Check(is_tensor(a) ? b : a)) return complex_scalar_op(binary_name(op), a, b);
    // Python calls the slot for `a op b` with either operand a tensor. Another kind of operand
    // gives NotImplemented (Python then tries its reflected method, as PyTorch's operators do).
    if (!is_operand(is_tensor(a) ? b : a)) return Py_NewRef(Py_NotImplemented);
    if (is_tensor(a)) return to_python(binary_op(op, tensor_of(a), b, false));
    return to_python(binary_op(op, tensor_of(b), a, true));
  });
}

template <int op>
PyObject* nb_inplace(PyObject* a, PyObject* b) {
  return guarded([&] {
    inplace_op(op, tensor_of(a), b);
    return Py_NewRef(a);
  });
}

PyObject* get_data(PyObject* self, void*) {
  return guarded([&] { return to_python(data_alias(tensor_of(self))); });
}

int set_data_slot(PyObject* self, PyObject* value, void*) {
  PyObject* r = guarded([&] {
    if (!value || !is_tensor(value))
      fail<TypeError>("data", "expected a tensor, got ",
                      value ? Py_TYPE(value)->tp_name : "a deletion");
    set_data(tensor_of(self), tensor_of(value));
    return Py_NewRef(Py_None);
  });
  if (!r) return -1;
  Py_DECREF(r);
  return 0;
}

PyObject* get_grad(PyObject* self, void*) {
  return guarded([&] {
    const Tensor& a = tensor_of(self);
    if (!a->autograd || !a->autograd->grad) return Py_NewRef(Py_None);
    return to_python(a->autograd->grad);
  });
}

int set_grad_slot(PyObject* self, PyObject* value, void*) {
  PyObject* r = guarded([&] {  // `del t.grad` and `t.grad = None` clear it
    if (value && value != Py_None && !is_tensor(value))
      fail<TypeError>("grad", "assigned grad must be a tensor or None, got ",
                      Py_TYPE(value)->tp_name);
    set_grad(tensor_of(self), value && value != Py_None ? tensor_of(value) : Tensor());
    return Py_NewRef(Py_None);
  });
  if (!r) return -1;
  Py_DECREF(r);
  return 0;
}

PyGetSetDef getsets[] = {
    {"data", get_data, set_data_slot,
     "The tensor's data as a tensor that autograd does not track (shares storage).", nullptr},
    {"grad", get_grad, set_grad_slot, "The gradient accumulated by backward(), or None.", nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr}};

}  // namespace

void init_fast_paths(py::module_& m) {
  py::object cls = m.attr("Tensor");
  tensor_type = reinterpret_cast<PyTypeObject*>(cls.ptr());
  PyNumberMethods* nb = tensor_type->tp_as_number;  // a heap type's own table
  constexpr int add = detail::binary_index<binary::add>, sub = detail::binary_index<binary::sub>,
                mul = detail::binary_index<binary::mul>, div = detail::binary_index<binary::div>;
  nb->nb_add = nb_binary<add>;
  nb->nb_subtract = nb_binary<sub>;
  nb->nb_multiply = nb_binary<mul>;
  nb->nb_true_divide = nb_binary<div>;
  nb->nb_inplace_add = nb_inplace<add>;
  nb->nb_inplace_subtract = nb_inplace<sub>;
  nb->nb_inplace_multiply = nb_inplace<mul>;
  nb->nb_inplace_true_divide = nb_inplace<div>;
  for (PyGetSetDef* d = getsets; d->name; ++d) {
    py::object descr = py::reinterpret_steal<py::object>(PyDescr_NewGetSet(tensor_type, d));
    if (!descr || PyObject_SetAttrString(cls.ptr(), d->name, descr.ptr()) != 0)
      throw py::error_already_set();
  }
  PyType_Modified(tensor_type);
}

}  // namespace pyag
