#include "bindings/convert.h"

#include <cstring>

#include "capture/hooks.h"

namespace pyag {

PyTypes& py_types() {
  static PyTypes* t = new PyTypes();  // leaked on purpose: outlives interpreter teardown order
  return *t;
}

int64_t parse_int(py::handle h, const char* op, const char* what) {
  if (PyBool_Check(h.ptr()) || !PyIndex_Check(h.ptr()))
    fail<TypeError>(op, what, " must be an int, got ",
                    py::str(py::type::of(h).attr("__name__")).cast<std::string>());
  Py_ssize_t v = PyNumber_AsSsize_t(h.ptr(), PyExc_OverflowError);
  if (v == -1 && PyErr_Occurred()) {
    PyErr_Clear();
    fail<ValueError>(op, what, " is out of the int64 range");
  }
  return static_cast<int64_t>(v);
}

std::optional<int64_t> parse_optional_int(py::handle h, const char* op, const char* what) {
  if (h.is_none()) return std::nullopt;
  return parse_int(h, op, what);
}

Dims parse_shape_obj(py::handle obj, const char* op, SizeKind kind) {
  if (!PySequence_Check(obj.ptr()) || PyUnicode_Check(obj.ptr()))
    fail<TypeError>(op, "size must be a sequence of ints, got ",
                    py::str(py::type::of(obj).attr("__name__")).cast<std::string>());
  py::sequence seq = py::reinterpret_borrow<py::sequence>(obj);
  if (seq.size() > static_cast<size_t>(kMaxDims))
    fail<ValueError>(op, "at most ", kMaxDims, " dimensions are supported, got ", seq.size());
  Dims d;
  for (py::object h : seq) {  // an owned reference: items may be created on access
    d.push_back(parse_int(h, op, "size"));
    if (d.back() < (kind == SizeKind::MayInfer ? -1 : 0) && kind != SizeKind::Dims)
      fail(op, "negative dimension ", d.back(), " in size ", py::repr(obj).cast<std::string>());
  }
  return d;
}

void require_args(const py::args& args, const char* op, const char* what) {
  if (args.size() == 0)
    fail<TypeError>(op, op, "() missing 1 required positional argument: '", what, "'");
}

Dims parse_shape(const py::args& args, const char* op, SizeKind kind) {
  if (args.size() == 1 && !PyIndex_Check(args[0].ptr())) return parse_shape_obj(args[0], op, kind);
  return parse_shape_obj(args, op, kind);
}

std::optional<DType> parse_dtype(py::handle obj, const char* op) {
  if (obj.is_none()) return std::nullopt;
  DType d;
  try {
    d = obj.cast<DType>();
  } catch (const py::cast_error&) {
    fail<TypeError>(op, "dtype must be a pyautograd dtype (float32, int64, bool, ...), got ",
                    py::repr(obj).cast<std::string>());
  }
  if (!is_supported(d)) fail_unsupported_dtype(d, op);
  return d;
}

void check_device(py::handle device, const char* op) {
  if (!device.is_none()) check_device(py::str(device).cast<std::string>(), op);
}

bool to_scalar(py::handle h, Scalar& out) {
  PyObject* o = h.ptr();
  if (PyBool_Check(o)) {
    out = Scalar{o == Py_True ? 1.0 : 0.0, ScalarKind::Bool};
    return true;
  }
  if (PyFloat_Check(o)) {
    out = Scalar{PyFloat_AS_DOUBLE(o), ScalarKind::Float};
    return true;
  }
  if (PyLong_Check(o)) {
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (overflow)
      fail<ValueError>("scalar", "integer ", py::repr(h).cast<std::string>(),
                       " does not fit in int64");
    out = Scalar{static_cast<double>(v), ScalarKind::Int};
    return true;
  }
  // NumPy scalars (np.float32(1.5), np.int64(3), np.bool_(True))
  static py::object np_generic = py::module_::import("numpy").attr("generic");
  if (PyObject_IsInstance(o, np_generic.ptr()) == 1) {
    py::object kind = h.attr("dtype").attr("kind");
    std::string k = kind.cast<std::string>();
    if (k == "b") return to_scalar(py::bool_(py::cast<bool>(h)), out);
    if (k == "i" || k == "u")
      return to_scalar(py::int_(py::reinterpret_borrow<py::object>(h)), out);
    if (k == "f") return to_scalar(py::float_(py::reinterpret_borrow<py::object>(h)), out);
  }
  return false;
}

Operand to_operand(py::handle h, const char* op) {
  Operand r;
  if (py::isinstance<TensorImpl>(h)) {
    r.t = h.cast<Tensor>();
    return r;
  }
  if (to_scalar(h, r.s)) return r;
  if (py::isinstance<py::array>(h)) {  // PyTorch converts a NumPy array operand to a tensor
    r.t = copy_numpy(py::reinterpret_borrow<py::array>(h), std::nullopt, op);
    return r;
  }
  fail<TypeError>(op, "unsupported operand of type ",
                  py::str(py::type::of(h).attr("__name__")).cast<std::string>(),
                  "; expected a tensor or a number");
}

std::vector<int64_t> parse_dims(py::handle dim, const char* op) {
  std::vector<int64_t> dims;
  if (dim.is_none()) return dims;
  if (PyIndex_Check(dim.ptr()) && !PyBool_Check(dim.ptr())) {
    dims.push_back(parse_int(dim, op, "dim"));
    return dims;
  }
  if (!PySequence_Check(dim.ptr()) || PyUnicode_Check(dim.ptr()))
    fail<TypeError>(op, "dim must be an int or a tuple of ints, got ",
                    py::str(py::type::of(dim).attr("__name__")).cast<std::string>());
  for (py::object h : py::reinterpret_borrow<py::sequence>(dim))
    dims.push_back(parse_int(h, op, "dim"));
  if (dims.empty()) fail<ValueError>(op, "dim must not be an empty sequence");
  return dims;
}

py::object to_python_scalar(const Tensor& t) {
  double v = get_double(t, Dims::filled(t->dim(), 0));
  switch (t->dtype) {
    case DType::Bool:
      return py::bool_(v != 0);
    case DType::Int64: {
      int64_t x;
      std::memcpy(&x, t->data(), sizeof x);
      return py::int_(x);
    }
    case DType::UInt8:
    case DType::Int8:
    case DType::Int16:
    case DType::Int32:
      return py::int_(static_cast<int64_t>(v));
    default:
      return py::float_(v);
  }
}

py::object size_tuple(const Dims& d) {
  py::tuple tup(static_cast<size_t>(d.size()));
  for (int i = 0; i < d.size(); ++i) tup[static_cast<size_t>(i)] = py::int_(d[i]);
  PyTypes& pt = py_types();
  return pt.size_cls ? pt.size_cls(tup) : py::object(tup);
}

namespace {
py::dtype np_dtype(DType d) {
  return dispatch(d, [](auto v) { return py::dtype::of<decltype(v)>(); });
}

std::optional<DType> from_np_dtype(const py::dtype& dt) {
  if (!dt.attr("isnative").cast<bool>()) return std::nullopt;  // e.g. big-endian '>f8'
  const char k = dt.kind();
  const auto sz = dt.itemsize();
  if (k == 'f' && sz == 4) return DType::Float32;
  if (k == 'f' && sz == 8) return DType::Float64;
  if (k == 'b') return DType::Bool;
  if (k == 'i' && sz == 8) return DType::Int64;
  if (k == 'i' && sz == 4) return DType::Int32;
  if (k == 'i' && sz == 2) return DType::Int16;
  if (k == 'i' && sz == 1) return DType::Int8;
  if (k == 'u' && sz == 1) return DType::UInt8;
  return std::nullopt;
}
}  // namespace

py::array to_numpy(const Tensor& t) {
  capture::refuse(".numpy() of a tensor", "it hands the data to Python, which replay does not run");
  if (t->requires_grad())
    fail("numpy", "can't call numpy() on a tensor that requires grad; use tensor.detach().numpy()");
  std::vector<py::ssize_t> shape, strides;
  const auto isz = static_cast<py::ssize_t>(itemsize(t->dtype));
  for (int i = 0; i < t->dim(); ++i) {
    shape.push_back(t->shape[i]);
    strides.push_back(t->strides[i] * isz);
  }
  auto* keep = new Tensor(detach(t));
  py::capsule base(keep, [](void* p) { delete static_cast<Tensor*>(p); });
  return py::array(np_dtype(t->dtype), shape, strides, t->data(), base);
}

Tensor from_numpy(py::array arr, const char* op) {
  auto dt = from_np_dtype(arr.dtype());
  if (!dt)
    fail<TypeError>(op, "can't convert a NumPy array of dtype ",
                    py::str(arr.dtype()).cast<std::string>(),
                    "; supported: float64, float32, int64, int32, int16, int8, uint8 and bool");
  if (!arr.writeable())
    fail<ValueError>(op, "the NumPy array is not writeable; copy it with tensor(array)");
  const auto isz = static_cast<py::ssize_t>(itemsize(*dt));
  Dims shape, strides;
  if (arr.ndim() > kMaxDims)
    fail<ValueError>(op, "at most ", kMaxDims, " dimensions are supported");
  for (py::ssize_t i = 0; i < arr.ndim(); ++i) {
    if (arr.strides(i) < 0 || arr.strides(i) % isz != 0)
      fail<ValueError>(op,
                       "NumPy arrays with negative or unaligned strides are not supported; "
                       "copy it with tensor(array)");
    shape.push_back(arr.shape(i));
    strides.push_back(arr.strides(i) / isz);
  }
  int64_t span = 1;
  for (int i = 0; i < shape.size(); ++i)
    if (shape[i] > 0) span += (shape[i] - 1) * strides[i];
  auto* holder = new py::object(arr);
  std::shared_ptr<void> owner(holder, [](void* p) {
    auto* obj = static_cast<py::object*>(p);
    if (!Py_IsInitialized()) {  // interpreter gone (exit): the array's memory went with it
      obj->release();
      delete obj;
      return;
    }
    py::gil_scoped_acquire gil;
    delete obj;
  });
  auto t = std::make_shared<TensorImpl>();
  t->storage = Storage::wrap(arr.mutable_data(), static_cast<size_t>(span * isz), owner);
  t->shape = shape;
  t->strides = strides;
  t->numel = numel_of(shape, op);
  t->dtype = *dt;
  return t;
}

Tensor copy_numpy(py::array arr, std::optional<DType> dtype, const char* op) {
  auto src_dt = from_np_dtype(arr.dtype());
  py::array a = arr;
  if (!src_dt) {
    const char k = arr.dtype().kind();
    if (!arr.dtype().attr("isnative").cast<bool>() &&
        (k == 'f' || k == 'i' || k == 'u' || k == 'b')) {
      a = arr.attr("astype")(arr.dtype().attr("newbyteorder")("="));
      if (!from_np_dtype(a.dtype())) return copy_numpy(a, dtype, op);
    } else if (k == 'i' || k == 'u') {
      a = arr.attr("astype")("int64");
    } else if (k == 'f' && arr.dtype().itemsize() < 4) {
      a = arr.attr("astype")("float32");
    } else {
      fail<TypeError>(op, "can't convert data of NumPy dtype ",
                      py::str(arr.dtype()).cast<std::string>(),
                      " to a tensor; supported: numbers, bools and (nested) lists of them");
    }
  }
  py::array view = a;
  if (!a.writeable()) view = a.attr("copy")();  // read-only input: copy before sharing
  Tensor shared = from_numpy(view, op);
  Tensor out = empty(shared->shape, dtype ? *dtype : shared->dtype);
  copy_(out, shared);
  return out;
}

bool parse_basic_index(py::handle idx, std::vector<IndexItem>& items) {
  auto one = [&](py::handle h) {
    IndexItem it;
    if (h.is_none()) {
      it.kind = IndexItem::NewAxis;
    } else if (h.ptr() == Py_Ellipsis) {
      it.kind = IndexItem::Ellipsis;
    } else if (PySlice_Check(h.ptr())) {
      it.kind = IndexItem::Slice;
      py::slice s = py::reinterpret_borrow<py::slice>(h);
      auto get = [&](const char* name, int64_t dflt) {
        py::object v = s.attr(name);
        return v.is_none() ? dflt : parse_int(v, "index", "slice bound");
      };
      it.start = get("start", kNone);
      it.stop = get("stop", kNone);
      it.step = get("step", 1);
    } else if (PyIndex_Check(h.ptr()) && !PyBool_Check(h.ptr()) && !py::isinstance<TensorImpl>(h) &&
               !py::isinstance<py::array>(h)) {  // arrays index as tensors (advanced indexing)
      it.kind = IndexItem::Int;
      it.start = parse_int(h, "index", "index");
    } else {
      return false;
    }
    items.push_back(it);
    return true;
  };
  if (PyTuple_Check(idx.ptr())) {
    for (py::handle h : py::reinterpret_borrow<py::tuple>(idx))  // borrowed from the tuple
      if (!one(h)) return false;
    return true;
  }
  return one(idx);
}

}  // namespace pyag
