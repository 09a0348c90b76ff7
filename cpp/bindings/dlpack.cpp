// The DLPack capsule protocol: Tensor.__dlpack__ / __dlpack_device__ (export) and
// _core._from_dlpack_capsule (import). The structs' lifetime is cpp/interop/dlpack.cpp's; this
// file names, consumes and finalises the capsules. A capsule is renamed "used_..." once imported,
// so its destructor and the importing tensor never both call the producer's deleter.
#include "interop/dlpack.h"

#include "bindings/bindings.h"
#include "bindings/convert.h"
#include "capture/hooks.h"

namespace pyag {
namespace {

namespace dl = dlpack;

constexpr const char* kVersioned = "dltensor_versioned";
constexpr const char* kUsedVersioned = "used_dltensor_versioned";
constexpr const char* kLegacy = "dltensor";
constexpr const char* kUsedLegacy = "used_dltensor";

// The capsule's destructor: an unconsumed capsule still owns its managed tensor. It may run with
// an exception set (during unwinding): that exception is kept.
template <class Managed>
void finalize_capsule(PyObject* capsule, const char* name) {
  if (!PyCapsule_IsValid(capsule, name)) return;  // renamed "used_...": the consumer owns it
  PyObject *type, *value, *traceback;
  PyErr_Fetch(&type, &value, &traceback);
  auto* managed = static_cast<Managed*>(PyCapsule_GetPointer(capsule, name));
  if (managed && managed->deleter) managed->deleter(managed);
  PyErr_Restore(type, value, traceback);
}

void finalize_versioned(PyObject* c) {
  finalize_capsule<dl::DLManagedTensorVersioned>(c, kVersioned);
}
void finalize_legacy(PyObject* c) { finalize_capsule<dl::DLManagedTensor>(c, kLegacy); }

template <class Managed>
py::object make_capsule(Managed* managed, const char* name, PyCapsule_Destructor destructor) {
  PyObject* capsule = PyCapsule_New(managed, name, destructor);
  if (!capsule) {
    managed->deleter(managed);
    throw py::error_already_set();
  }
  return py::reinterpret_steal<py::object>(capsule);
}

// A producer's deleter may need the GIL (NumPy's does): take it. At interpreter exit the memory
// is left to the process's end, as for arrays shared by from_numpy.
void release_with_gil(void (*release)(void*), void* managed) {
  if (!Py_IsInitialized()) return;
  py::gil_scoped_acquire gil;
  release(managed);
}

std::pair<int64_t, int64_t> parse_device(py::handle device, const char* op) {
  py::sequence seq = py::reinterpret_borrow<py::sequence>(device);
  if (!py::isinstance<py::sequence>(device) || py::len(seq) != 2)
    fail<TypeError>(op, "dl_device must be a (device_type, device_id) tuple, got ",
                    py::str(py::repr(device)).cast<std::string>());
  return {parse_int(seq[0], op, "dl_device[0]"), parse_int(seq[1], op, "dl_device[1]")};
}

py::object export_capsule(const Tensor& t, py::handle stream, py::handle max_version,
                          py::handle dl_device, py::handle copy) {
  const char* op = "__dlpack__";
  capture::refuse(op, "it hands the data to another library, which replay does not run");
  if (!stream.is_none())
    fail<ValueError>(op, "stream must be None for CPU tensors, got ",
                     py::str(py::repr(stream)).cast<std::string>());
  if (t->requires_grad())
    throw py::buffer_error(cat("[", op,
                               "] can't export a tensor that requires grad; use "
                               "tensor.detach() (as PyTorch)"));
  if (!dl_device.is_none()) {
    auto [type, id] = parse_device(dl_device, op);
    if (type != dl::kDLCPU || id != 0)
      throw py::buffer_error(cat("[", op, "] pyautograd tensors live on the CPU (device (1, 0)) ",
                                 "and cannot be exported to device (", type, ", ", id, ")"));
  }
  if (!copy.is_none() && !PyBool_Check(copy.ptr()))
    fail<TypeError>(op, "copy must be True, False or None");
  const bool copied = copy.ptr() == Py_True;
  bool versioned = false;
  if (!max_version.is_none()) {
    py::sequence seq = py::reinterpret_borrow<py::sequence>(max_version);
    if (!py::isinstance<py::sequence>(max_version) || py::len(seq) != 2)
      fail<TypeError>(op, "max_version must be a (major, minor) tuple, got ",
                      py::str(py::repr(max_version)).cast<std::string>());
    versioned = parse_int(seq[0], op, "max_version[0]") >= dl::kMajor;
  }
  if (versioned)
    return make_capsule(dl::export_versioned(t, copied), kVersioned, &finalize_versioned);
  // The legacy struct cannot say "copied"; a requested copy is still made.
  return make_capsule(dl::export_legacy(copied ? clone(detach(t)) : t), kLegacy, &finalize_legacy);
}

Tensor import_capsule(py::handle obj, bool copy) {
  const char* op = "from_dlpack";
  PyObject* capsule = obj.ptr();
  if (!PyCapsule_CheckExact(capsule))
    fail<TypeError>(op, "expected an object with __dlpack__ or a DLPack capsule, got ",
                    py::str(py::type::of(obj).attr("__name__")).cast<std::string>());
  const char* name = PyCapsule_GetName(capsule);
  if (!name) throw py::error_already_set();
  const std::string n(name);
  if (n == kUsedVersioned || n == kUsedLegacy)
    fail<ValueError>(op, "this DLPack capsule was already consumed (a capsule imports once)");
  if (n != kVersioned && n != kLegacy)
    fail<TypeError>(op, "not a DLPack capsule (its name is '", n, "')");
  // Consumed first, so that the capsule's destructor and the tensor never both release it; a
  // failed import gives the capsule back its name (and with it the producer's memory).
  const bool versioned = n == kVersioned;
  if (PyCapsule_SetName(capsule, versioned ? kUsedVersioned : kUsedLegacy) != 0)
    throw py::error_already_set();
  void* pointer = PyCapsule_GetPointer(capsule, versioned ? kUsedVersioned : kUsedLegacy);
  Tensor t;
  try {
    if (!pointer) throw py::error_already_set();
    if (versioned) {
      t = dl::import_versioned(static_cast<dl::DLManagedTensorVersioned*>(pointer),
                               &release_with_gil, /*read_only_ok=*/copy);
    } else {
      t = dl::import_legacy(static_cast<dl::DLManagedTensor*>(pointer), &release_with_gil);
    }
  } catch (...) {
    PyCapsule_SetName(capsule, versioned ? kVersioned : kLegacy);
    try {
      throw;
    } catch (const dl::BufferError& e) {
      throw py::buffer_error(e.what());
    }
  }
  return copy ? maybe_nogil(t->numel, [&] { return clone(t); }) : t;
}

}  // namespace

void init_dlpack(py::module_& m) {
  auto tensor = py::type::of<TensorImpl>();
  py::cpp_function dlpack(
      [](const Tensor& t, py::handle stream, py::handle max_version, py::handle dl_device,
         py::handle copy) { return export_capsule(t, stream, max_version, dl_device, copy); },
      py::name("__dlpack__"), py::is_method(tensor), py::arg("stream") = py::none(), py::kw_only(),
      py::arg("max_version") = py::none(), py::arg("dl_device") = py::none(),
      py::arg("copy") = py::none(),
      "Exports the tensor as a DLPack capsule sharing its memory (the array API's protocol).\n\n"
      "stream must be None (CPU). max_version=(1, x) or newer gives a versioned capsule\n"
      "('dltensor_versioned'), None a legacy one ('dltensor'). dl_device must be None or the\n"
      "CPU, (1, 0). copy=True exports a copy. A tensor that requires grad is refused\n"
      "(export tensor.detach()). Consumers normally call this through their from_dlpack.");
  tensor.attr("__dlpack__") = dlpack;
  py::cpp_function device(
      [](const Tensor&) { return py::make_tuple(static_cast<int>(dl::kDLCPU), 0); },
      py::name("__dlpack_device__"), py::is_method(tensor),
      "The DLPack device of the tensor's memory: (1, 0), the CPU.");
  tensor.attr("__dlpack_device__") = device;
  m.def(
      "_from_dlpack_capsule",
      [](py::handle capsule, bool copy) { return import_capsule(capsule, copy); },
      py::arg("capsule"), py::arg("copy") = false,
      "A tensor sharing the memory of a DLPack capsule ('dltensor' or 'dltensor_versioned'),\n"
      "which is consumed (renamed 'used_...'); copy=True returns a copy (and accepts read-only\n"
      "memory). Use pyautograd.from_dlpack, which also speaks the __dlpack__ protocol.");
}

}  // namespace pyag
