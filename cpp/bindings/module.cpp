// The _core extension module: exception types, dtypes, and the init_* of each binding file.
#include "bindings/bindings.h"
#include "bindings/convert.h"

namespace pyag {
namespace {

void init_dtypes(py::module_& m) {
  py::class_<DType> d(m, "dtype", "The element type of a tensor (float32, int64, bool, ...).",
                      py::module_local());
  d.def("__repr__", [](DType t) { return std::string("torch.") + dtype_name(t); });
  d.def("__str__", [](DType t) { return std::string("torch.") + dtype_name(t); });
  d.def("__eq__",
        [](DType a, py::handle b) { return py::isinstance<DType>(b) && b.cast<DType>() == a; });
  d.def("__hash__", [](DType t) { return static_cast<int>(t); });
  d.def_property_readonly(
      "is_floating_point", [](DType t) { return is_floating(t); },
      "Whether the dtype is a floating point type.");
  d.def_property_readonly(
      "itemsize", [](DType t) { return is_supported(t) ? itemsize(t) : 2; },
      "The size of one element in bytes.");
  d.def_property_readonly(
      "is_signed", [](DType t) { return t != DType::Bool && t != DType::UInt8; },
      "Whether the dtype holds negative values.");
  d.def_property_readonly(
      "is_complex", [](DType) { return false; }, "False: no dtype of pyautograd is complex.");
  m.attr("float32") = DType::Float32;
  m.attr("float64") = DType::Float64;
  m.attr("int64") = DType::Int64;
  m.attr("int32") = DType::Int32;
  m.attr("int16") = DType::Int16;
  m.attr("int8") = DType::Int8;
  m.attr("uint8") = DType::UInt8;
  m.attr("bool") = DType::Bool;
  m.attr("float16") = DType::Float16;
  m.attr("bfloat16") = DType::BFloat16;
}

// IndexOutOfRangeError(IndexError, RuntimeError): an index out of range in an indexing op.
PyObject* index_range_error() {
  static PyObject* t = [] {
    py::tuple bases = py::make_tuple(py::handle(PyExc_IndexError), py::handle(PyExc_RuntimeError));
    return PyErr_NewExceptionWithDoc(
        "pyautograd._core.IndexOutOfRangeError",
        "An index out of range in an indexing op; both an IndexError and a RuntimeError, as "
        "PyTorch raises either depending on the op.",
        bases.ptr(), nullptr);
  }();
  return t;
}

}  // namespace

void set_python_error(std::exception_ptr p) {
  try {
    if (p) std::rethrow_exception(p);
  } catch (py::error_already_set& e) {
    e.restore();
  } catch (const py::builtin_exception& e) {
    e.set_error();
  } catch (const TypeError& e) {
    PyErr_SetString(PyExc_TypeError, e.what());
  } catch (const ValueError& e) {
    PyErr_SetString(PyExc_ValueError, e.what());
  } catch (const IndexRangeError& e) {
    PyErr_SetString(index_range_error(), e.what());
  } catch (const IndexError& e) {
    PyErr_SetString(PyExc_IndexError, e.what());
  } catch (const MemoryError& e) {
    PyErr_SetString(PyExc_MemoryError, e.what());
  } catch (const std::bad_alloc&) {
    PyErr_SetString(PyExc_MemoryError, "out of memory");
  } catch (const std::exception& e) {  // RuntimeError and anything else
    PyErr_SetString(PyExc_RuntimeError, e.what());
  }
}

}  // namespace pyag

PYBIND11_MODULE(_core, m) {
  using namespace pyag;
  py::register_exception_translator(&set_python_error);
  warn_handler() = [](const std::string& message) {
    py::gil_scoped_acquire gil;
    if (PyErr_WarnEx(PyExc_UserWarning, message.c_str(), 1) != 0) throw py::error_already_set();
  };
  init_dtypes(m);
  m.attr("IndexOutOfRangeError") = py::handle(index_range_error());
  init_tensor(m);
  init_tensor_new(m);
  init_serialization(m);
  init_nn(m);
  init_optim(m);
  init_conv(m);
  init_fast_paths(m);
  init_functions(m);
  init_autograd(m);
  init_sort(m);
  init_dlpack(m);
  init_capture(m);
  init_clamp_tensor(m);
  m.def(
      "_set_py_types",
      [](py::object size_cls, py::object max_cls, py::object min_cls) {
        py_types().size_cls = size_cls;
        py_types().max_cls = max_cls;
        py_types().min_cls = min_cls;
      },
      "Hands the C++ module the Python types it returns (Size, ...); called once at import.");
}
