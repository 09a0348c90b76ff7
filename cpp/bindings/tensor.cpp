// The Tensor class: properties, operators and methods.
#include <pybind11/stl.h>

#include "autograd/engine.h"
#include "autograd/node.h"
#include "bindings/bindings.h"
#include "bindings/convert.h"
#include "kernels/gemm.h"

namespace pyag {

Tensor binary_op(BinaryOp op, const Tensor& a, py::handle other, bool reflected) {
  Operand o = to_operand(other, op_name(op));
  return maybe_nogil(a->numel, [&] {
    if (o.is_tensor()) return reflected ? binary(op, o.t, a) : binary(op, a, o.t);
    return binary(op, a, o.s, reflected);
  });
}

Tensor inplace_op(BinaryOp op, const Tensor& a, py::handle other) {
  Operand o = to_operand(other, op_name(op));
  return maybe_nogil(a->numel,
                     [&] { return o.is_tensor() ? binary_(op, a, o.t) : binary_(op, a, o.s); });
}

namespace {

using TensorClass = py::class_<TensorImpl, Tensor>;

void def_binary(TensorClass& c, const char* name, const char* rname, const char* iname,
                const char* method, BinaryOp op, const char* arg = "other") {
  if (op == BinaryOp::Eq || op == BinaryOp::Ne) {
    // t == None is False (and t != None True), as Python's default comparison gives.
    c.def(name, [op](const Tensor& a, py::handle b) -> py::object {
      Scalar s;
      if (!py::isinstance<TensorImpl>(b) && !to_scalar(b, s))
        return py::reinterpret_borrow<py::object>(Py_NotImplemented);
      return py::cast(binary_op(op, a, b, false));
    });
  } else {
    c.def(name, [op](const Tensor& a, py::handle b) { return binary_op(op, a, b, false); });
  }
  if (rname)
    c.def(rname, [op](const Tensor& a, py::handle b) { return binary_op(op, a, b, true); });
  if (iname) {
    c.def(iname, [op](const Tensor& a, py::handle b) { return inplace_op(op, a, b); });
    std::string m = std::string(method) + "_";
    c.def(m.c_str(), [op](const Tensor& a, py::handle b) { return inplace_op(op, a, b); });
  }
  c.def(
      method, [op](const Tensor& a, py::handle b) { return binary_op(op, a, b, false); },
      py::arg(arg));
}

void def_unary(TensorClass& c, const char* name, UnaryOp op) {
  c.def(name,
        [op](const Tensor& a) { return maybe_nogil(a->numel, [&] { return unary(op, a); }); });
}

std::optional<double> opt_double(py::handle h, const char* op) {
  if (h.is_none()) return std::nullopt;
  Scalar s;
  if (!to_scalar(h, s)) fail<TypeError>(op, "min and max must be numbers");
  return s.v;
}

py::object minmax(const Tensor& a, py::handle dim, bool keepdim, bool is_max) {
  const char* name = is_max ? "max" : "min";
  if (dim.is_none()) return py::cast(extreme(a, is_max));
  if (py::isinstance<TensorImpl>(dim)) {  // max(a, b): elementwise
    return py::cast(binary(is_max ? BinaryOp::Maximum : BinaryOp::Minimum, a, dim.cast<Tensor>()));
  }
  auto r = extreme_dim(a, parse_int(dim, name, "dim"), keepdim, is_max);
  return py_types().minmax_cls(r.first, r.second);
}

py::object getitem(const Tensor& a, py::handle idx) {
  std::vector<IndexItem> items;
  if (parse_basic_index(idx, items)) {
    if (a->dim() == 0 && items.size() == 1 && items[0].kind == IndexItem::Int &&
        (items[0].start == 0 || items[0].start == -1))
      return to_python_scalar(a);  // legacy Variable API: loss.data[0] on a scalar loss
    return py::cast(index(a, items));
  }
  if (py::isinstance<TensorImpl>(idx)) {
    Tensor m = idx.cast<Tensor>();
    if (m->dtype == DType::Bool) return py::cast(masked_select(a, m));
  }
  fail<IndexError>("index",
                   "only integers, slices (`:`), ellipsis (`...`), None and bool mask "
                   "tensors are valid indices, got ",
                   py::str(py::type::of(idx).attr("__name__")).cast<std::string>());
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
        masked_fill(a, m, s);
      else
        masked_put(a, m, v);
      return;
    }
  }
  fail<IndexError>("setitem",
                   "only integers, slices, ellipsis, None and bool mask tensors are "
                   "valid indices, got ",
                   py::str(py::type::of(idx).attr("__name__")).cast<std::string>());
}

py::object tolist_rec(const Tensor& t, Dims& pos, int d) {
  if (d == t->dim()) {
    double v = get_double(t, pos);
    if (t->dtype == DType::Bool) return py::bool_(v != 0);
    if (t->dtype == DType::Int64) {
      int64_t off = 0;
      for (int i = 0; i < pos.size(); ++i) off += pos[i] * t->strides[i];
      return py::int_(t->data_as<int64_t>()[off]);
    }
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
  const auto isz = static_cast<py::ssize_t>(itemsize(t.dtype));
  std::vector<py::ssize_t> shape, strides;
  for (int i = 0; i < t.dim(); ++i) {
    shape.push_back(t.shape[i]);
    strides.push_back(t.strides[i] * isz);
  }
  const char* fmt = t.dtype == DType::Float32   ? "f"
                    : t.dtype == DType::Float64 ? "d"
                    : t.dtype == DType::Int64   ? "q"
                                                : "?";
  return py::buffer_info(t.data(), isz, fmt, t.dim(), shape, strides);
}

}  // namespace

void init_tensor(py::module_& m) {
  TensorClass c(m, "Tensor", py::buffer_protocol(), py::dynamic_attr(), py::module_local());
  c.def_buffer(&buffer);

  // ---- properties ----
  c.def_property_readonly("shape", [](const Tensor& a) { return size_tuple(a->shape); });
  c.def_property_readonly("dtype", [](const Tensor& a) { return a->dtype; });
  c.def_property_readonly("ndim", [](const Tensor& a) { return a->dim(); });
  c.def_property_readonly("is_cuda", [](const Tensor&) { return false; });
  // .data and .grad are CPython descriptors: see fast.cpp.
  c.def_property(
      "requires_grad", [](const Tensor& a) { return a->requires_grad(); },
      [](const Tensor& a, bool on) { set_requires_grad(a, on); });
  c.def_property_readonly("is_leaf", [](const Tensor& a) { return a->is_leaf(); });
  c.def_property_readonly("grad_fn", [](const Tensor& a) { return a->grad_fn(); });
  c.def_property_readonly("retains_grad",
                          [](const Tensor& a) { return a->autograd && a->autograd->retains_grad; });
  c.def_property_readonly("T", [](const Tensor& a) {
    std::vector<int64_t> p;
    for (int i = a->dim() - 1; i >= 0; --i) p.push_back(i);
    return permute(a, p);
  });

  // ---- size and layout ----
  c.def(
      "size",
      [](const Tensor& a, py::object dim) -> py::object {
        if (dim.is_none()) return size_tuple(a->shape);
        return py::int_(a->shape[wrap_dim(parse_int(dim, "size", "dim"), a->dim(), "size")]);
      },
      py::arg("dim") = py::none());
  c.def(
      "stride",
      [](const Tensor& a, py::object dim) -> py::object {
        if (dim.is_none()) return py::tuple(py::cast(a->strides.vec()));
        return py::int_(a->strides[wrap_dim(parse_int(dim, "stride", "dim"), a->dim(), "stride")]);
      },
      py::arg("dim") = py::none());
  c.def("dim", [](const Tensor& a) { return a->dim(); });
  c.def("ndimension", [](const Tensor& a) { return a->dim(); });
  c.def("numel", [](const Tensor& a) { return a->numel; });
  c.def("nelement", [](const Tensor& a) { return a->numel; });
  c.def("element_size", [](const Tensor& a) { return itemsize(a->dtype); });
  c.def("storage_offset", [](const Tensor& a) { return a->offset; });
  c.def("data_ptr", [](const Tensor& a) { return reinterpret_cast<uintptr_t>(a->data()); });
  c.def("is_contiguous", [](const Tensor& a) { return a->contiguous(); });
  c.def("is_floating_point", [](const Tensor& a) { return is_floating(a->dtype); });
  c.def("__len__", [](const Tensor& a) {
    if (a->dim() == 0) fail<TypeError>("len", "len() of a 0-d tensor");
    return a->shape[0];
  });

  // ---- conversion ----
  c.def("item", [](const Tensor& a) {
    if (a->numel != 1)
      fail("item", "a tensor with ", a->numel, " elements cannot be converted to a Python scalar");
    return to_python_scalar(a);
  });
  c.def("tolist", [](const Tensor& a) {
    Dims pos = Dims::filled(a->dim(), 0);
    return tolist_rec(a, pos, 0);
  });
  c.def("numpy", [](const Tensor& a) { return to_numpy(a); });
  c.def(
      "__array__",
      [](const Tensor& a, py::object dtype, py::object) {
        py::array arr = to_numpy(a);
        return dtype.is_none() ? arr : py::array(arr.attr("astype")(dtype));
      },
      py::arg("dtype") = py::none(), py::arg("copy") = py::none());
  auto scalar_conv = [](const char* op) {
    return [op](const Tensor& a) {
      if (a->numel != 1)
        fail<TypeError>(op,
                        "only tensors with one element can be converted to Python scalars, got ",
                        describe(a));
      return get_double(a, Dims::filled(a->dim(), 0));
    };
  };
  c.def("__float__", scalar_conv("float"));
  c.def("__int__", [](const Tensor& a) {
    if (a->numel != 1)
      fail<TypeError>("int",
                      "only tensors with one element can be converted to Python scalars, "
                      "got ",
                      describe(a));
    // Python's int(): exact for large floats, ValueError/OverflowError for NaN/inf.
    PyObject* r = PyNumber_Long(to_python_scalar(a).ptr());
    if (!r) throw py::error_already_set();
    return py::reinterpret_steal<py::object>(r);
  });
  c.def("__bool__", [](const Tensor& a) {
    if (a->numel != 1)
      fail("bool", "boolean value of a tensor with ", a->numel, " elements is ambiguous");
    return get_double(a, Dims::filled(a->dim(), 0)) != 0;
  });
  c.def("__index__", [](const Tensor& a) {
    if (a->numel != 1 || is_floating(a->dtype))
      fail<TypeError>("index",
                      "only integer tensors of a single element can be converted to an index");
    return static_cast<int64_t>(get_double(a, Dims::filled(a->dim(), 0)));
  });
  c.def("to", &to_dtype_or_device);
  c.def("float", [](const Tensor& a) { return cast(a, DType::Float32); });
  c.def("double", [](const Tensor& a) { return cast(a, DType::Float64); });
  c.def("long", [](const Tensor& a) { return cast(a, DType::Int64); });
  c.def("bool", [](const Tensor& a) { return cast(a, DType::Bool); });
  c.def("cpu", [](const Tensor& a) { return a; });
  c.def("cuda", [](const Tensor&, py::args, py::kwargs) -> Tensor {
    fail("cuda", "CUDA is not available: pyautograd runs on the CPU only");
  });
  c.def("__hash__", [](py::handle self) {
    return py::hash(py::int_(reinterpret_cast<uintptr_t>(self.ptr())));
  });

  // ---- arithmetic ----
  def_binary(c, "__add__", "__radd__", "__iadd__", "add", BinaryOp::Add);
  def_binary(c, "__sub__", "__rsub__", "__isub__", "sub", BinaryOp::Sub);
  def_binary(c, "__mul__", "__rmul__", "__imul__", "mul", BinaryOp::Mul);
  def_binary(c, "__truediv__", "__rtruediv__", "__itruediv__", "div", BinaryOp::Div);
  def_binary(c, "__pow__", "__rpow__", "__ipow__", "pow", BinaryOp::Pow, "exponent");
  def_binary(c, "__eq__", nullptr, nullptr, "eq", BinaryOp::Eq);
  def_binary(c, "__ne__", nullptr, nullptr, "ne", BinaryOp::Ne);
  def_binary(c, "__lt__", nullptr, nullptr, "lt", BinaryOp::Lt);
  def_binary(c, "__le__", nullptr, nullptr, "le", BinaryOp::Le);
  def_binary(c, "__gt__", nullptr, nullptr, "gt", BinaryOp::Gt);
  def_binary(c, "__ge__", nullptr, nullptr, "ge", BinaryOp::Ge);
  def_binary(c, "__and__", "__rand__", "__iand__", "bitwise_and", BinaryOp::And);
  def_binary(c, "__or__", "__ror__", "__ior__", "bitwise_or", BinaryOp::Or);
  def_binary(c, "__xor__", "__rxor__", "__ixor__", "bitwise_xor", BinaryOp::Xor);
  def_unary(c, "__invert__", UnaryOp::Not);
  def_unary(c, "bitwise_not", UnaryOp::Not);
  c.def("logical_not", [](const Tensor& a) {
    return binary(BinaryOp::Eq, a, Scalar{0.0, ScalarKind::Int});
  });
  c.def(
      "logical_and",
      [](const Tensor& a, const Tensor& b) {
        return binary(BinaryOp::And, cast(a, DType::Bool), cast(b, DType::Bool));
      },
      py::arg("other"));
  c.def(
      "logical_or",
      [](const Tensor& a, const Tensor& b) {
        return binary(BinaryOp::Or, cast(a, DType::Bool), cast(b, DType::Bool));
      },
      py::arg("other"));
  // NumPy defers to the tensor's reflected operators (np.float32(2) * t is a tensor).
  c.attr("__array_ufunc__") = py::none();
  c.def("subtract",
        [](const Tensor& a, py::handle b) { return binary_op(BinaryOp::Sub, a, b, false); });
  c.def("multiply",
        [](const Tensor& a, py::handle b) { return binary_op(BinaryOp::Mul, a, b, false); });
  c.def("true_divide",
        [](const Tensor& a, py::handle b) { return binary_op(BinaryOp::Div, a, b, false); });
  c.def(
      "maximum", [](const Tensor& a, const Tensor& b) { return binary(BinaryOp::Maximum, a, b); },
      py::arg("other"));
  c.def(
      "minimum", [](const Tensor& a, const Tensor& b) { return binary(BinaryOp::Minimum, a, b); },
      py::arg("other"));
  def_unary(c, "__neg__", UnaryOp::Neg);
  def_unary(c, "neg", UnaryOp::Neg);
  def_unary(c, "__abs__", UnaryOp::Abs);
  def_unary(c, "abs", UnaryOp::Abs);
  def_unary(c, "exp", UnaryOp::Exp);
  def_unary(c, "log", UnaryOp::Log);
  def_unary(c, "sqrt", UnaryOp::Sqrt);
  def_unary(c, "tanh", UnaryOp::Tanh);
  def_unary(c, "sigmoid", UnaryOp::Sigmoid);
  def_unary(c, "relu", UnaryOp::Relu);
  def_unary(c, "sign", UnaryOp::Sign);
  c.def("square", [](const Tensor& a) {
    return binary(BinaryOp::Pow, a, Scalar{2.0, ScalarKind::Int});
  });
  c.def(
      "clamp",
      [](const Tensor& a, py::handle min, py::handle max) {
        auto lo = opt_double(min, "clamp"), hi = opt_double(max, "clamp");
        return maybe_nogil(a->numel, [&] { return clamp(a, lo, hi); });
      },
      py::arg("min") = py::none(), py::arg("max") = py::none());
  c.attr("clip") = c.attr("clamp");
  c.def(
      "clamp_",
      [](const Tensor& a, py::handle min, py::handle max) {
        return clamp_(a, opt_double(min, "clamp_"), opt_double(max, "clamp_"));
      },
      py::arg("min") = py::none(), py::arg("max") = py::none());
  c.def(
      "where",
      [](const Tensor& a, const Tensor& cond, py::handle other) {
        Operand o = to_operand(other, "where");
        return where(cond, a, o.is_tensor() ? o.t : scalar_tensor(o.s.v, a->dtype));
      },
      py::arg("condition"), py::arg("other"));
  c.def(
      "masked_fill",
      [](const Tensor& a, const Tensor& mask, py::handle value) {
        Operand o = to_operand(value, "masked_fill");
        Tensor v = o.is_tensor() ? o.t : scalar_tensor(o.s.v, a->dtype);
        return where(mask, v, a);
      },
      py::arg("mask"), py::arg("value"));
  c.def(
      "masked_fill_",
      [](const Tensor& a, const Tensor& mask, py::handle value) {
        Operand o = to_operand(value, "masked_fill_");
        // Unlike t[mask], masked_fill_ broadcasts the mask to the tensor's shape (right-aligned).
        Tensor m = mask->shape == a->shape ? mask : expand(mask, a->shape);
        if (o.is_tensor()) {
          if (o.t->numel != 1)
            fail("masked_fill_", "expects a 0-d value tensor, got ", describe(o.t));
          masked_fill(a, m, Scalar{get_double(o.t, Dims::filled(o.t->dim(), 0))});
        } else {
          masked_fill(a, m, o.s);
        }
        return a;
      },
      py::arg("mask"), py::arg("value"));

  // ---- in-place ----
  c.def("zero_", [](const Tensor& a) { return zero_(a); });
  c.def("fill_", [](const Tensor& a, py::handle v) {
    Operand o = to_operand(v, "fill_");
    if (o.is_tensor()) {
      if (o.t->numel != 1) fail("fill_", "expects a 0-d value tensor, got ", describe(o.t));
      return fill_(a, Scalar{get_double(o.t, Dims::filled(o.t->dim(), 0))});
    }
    return fill_(a, o.s);
  });
  c.def(
      "copy_", [](const Tensor& a, const Tensor& src) { return copy_(a, src); }, py::arg("src"));

  // ---- reductions ----
  c.def(
      "sum",
      [](const Tensor& a, py::handle dim, bool keepdim) {
        return sum(a, parse_dims(dim, "sum"), keepdim);
      },
      py::arg("dim") = py::none(), py::arg("keepdim") = false);
  c.def(
      "mean",
      [](const Tensor& a, py::handle dim, bool keepdim) {
        return mean(a, parse_dims(dim, "mean"), keepdim);
      },
      py::arg("dim") = py::none(), py::arg("keepdim") = false);
  c.def(
      "max",
      [](const Tensor& a, py::handle dim, bool keepdim) { return minmax(a, dim, keepdim, true); },
      py::arg("dim") = py::none(), py::arg("keepdim") = false);
  c.def(
      "min",
      [](const Tensor& a, py::handle dim, bool keepdim) { return minmax(a, dim, keepdim, false); },
      py::arg("dim") = py::none(), py::arg("keepdim") = false);
  c.def(
      "argmax",
      [](const Tensor& a, py::handle dim, bool keepdim) -> Tensor {
        if (dim.is_none()) return extreme_dim(reshape(detach(a), Dims{-1}), 0, false, true).second;
        return extreme_dim(detach(a), parse_int(dim, "argmax", "dim"), keepdim, true).second;
      },
      py::arg("dim") = py::none(), py::arg("keepdim") = false);
  c.def(
      "argmin",
      [](const Tensor& a, py::handle dim, bool keepdim) -> Tensor {
        if (dim.is_none()) return extreme_dim(reshape(detach(a), Dims{-1}), 0, false, false).second;
        return extreme_dim(detach(a), parse_int(dim, "argmin", "dim"), keepdim, false).second;
      },
      py::arg("dim") = py::none(), py::arg("keepdim") = false);

  // ---- linear algebra ----
  auto mm_ = [](const Tensor& a, const Tensor& b) {
    return maybe_nogil(a->numel * (b->dim() ? b->shape[b->dim() - 1] : 1) / 4,
                       [&] { return mm(a, b); });
  };
  auto matmul_ = [](const Tensor& a, const Tensor& b) {
    return maybe_nogil(a->numel * (b->dim() ? b->shape[b->dim() - 1] : 1) / 4,
                       [&] { return matmul(a, b); });
  };
  c.def("mm", mm_, py::arg("mat2"));
  c.def(
      "bmm", [](const Tensor& a, const Tensor& b) { return bmm(a, b); }, py::arg("mat2"));
  c.def("matmul", matmul_, py::arg("other"));
  c.def("__matmul__", matmul_);
  c.def("__rmatmul__", [matmul_](const Tensor& a, const Tensor& b) { return matmul_(b, a); });

  // ---- shape ----
  c.def("t", [](const Tensor& a) { return t(a); });
  c.def(
      "transpose", [](const Tensor& a, int64_t d0, int64_t d1) { return transpose(a, d0, d1); },
      py::arg("dim0"), py::arg("dim1"));
  c.def("permute", [](const Tensor& a, py::args dims) {
    return permute(a, parse_shape(dims, "permute", SizeKind::Dims).vec());
  });
  c.def("view", [](const Tensor& a, py::args shape) {
    return view(a, parse_shape(shape, "view", SizeKind::MayInfer));
  });
  c.def("reshape", [](const Tensor& a, py::args shape) {
    return reshape(a, parse_shape(shape, "reshape", SizeKind::MayInfer));
  });
  c.def(
      "view_as", [](const Tensor& a, const Tensor& o) { return view(a, o->shape); },
      py::arg("other"));
  c.def(
      "reshape_as", [](const Tensor& a, const Tensor& o) { return reshape(a, o->shape); },
      py::arg("other"));
  c.def("expand", [](const Tensor& a, py::args shape) {
    return expand(a, parse_shape(shape, "expand", SizeKind::MayInfer));
  });
  c.def(
      "expand_as", [](const Tensor& a, const Tensor& o) { return expand(a, o->shape); },
      py::arg("other"));
  c.def(
      "squeeze",
      [](const Tensor& a, py::object dim) {
        return squeeze(a, dim.is_none() ? std::nullopt
                                        : std::optional<int64_t>(parse_int(dim, "squeeze", "dim")));
      },
      py::arg("dim") = py::none());
  c.def(
      "unsqueeze", [](const Tensor& a, int64_t d) { return unsqueeze(a, d); }, py::arg("dim"));
  c.def("flatten", [](const Tensor& a) { return flatten(a); });
  c.def("contiguous", [](const Tensor& a) { return contiguous(a); });
  c.def("clone", [](const Tensor& a) { return clone(a); });
  c.def("__getitem__", &getitem);
  c.def("__setitem__", [](const Tensor& a, py::handle idx, py::handle v) { setitem(a, idx, v); });

  // ---- autograd ----
  c.def("detach", [](const Tensor& a) { return detach(a); });
  c.def("detach_", [](const Tensor& a) {
    if (a->is_view && a->requires_grad()) fail("detach_", "cannot detach a view in place");
    a->autograd.reset();
    return a;
  });
  c.def(
      "requires_grad_",
      [](const Tensor& a, bool on) {
        set_requires_grad(a, on);
        return a;
      },
      py::arg("requires_grad") = true);
  c.def("retain_grad", [](const Tensor& a) {
    if (!a->requires_grad())
      fail("retain_grad", "can't retain_grad on a tensor that has requires_grad=False");
    if (a->is_leaf()) return;
    a->autograd->retains_grad = true;
    a->autograd->grad_fn->retained = a->autograd;
  });
  c.def(
      "backward",
      [](const Tensor& a, std::optional<Tensor> gradient, std::optional<bool> retain_graph,
         bool create_graph, py::object inputs) {
        if (create_graph)
          fail("backward", "create_graph=True (higher-order gradients) is not supported");
        if (!inputs.is_none())
          fail("backward", "the inputs= argument is not supported; use autograd.grad");
        std::vector<Tensor> roots{a}, grads;
        if (gradient) grads.push_back(*gradient);
        py::gil_scoped_release release;
        backward(roots, grads, retain_graph.value_or(false));
      },
      py::arg("gradient") = py::none(), py::arg("retain_graph") = py::none(),
      py::arg("create_graph") = false, py::arg("inputs") = py::none());
}

void set_data(const Tensor& a, const Tensor& src) {
  // `p.data -= u` assigns p.data back to the alias it read: keep p's own storage (and its
  // version counter) when the buffer is the same.
  if (src->storage->data != a->storage->data || src->storage->nbytes != a->storage->nbytes) {
    if (a->requires_grad() && !is_floating(src->dtype))
      fail("data", "cannot assign a ", dtype_name(src->dtype),
           " tensor to the data of a tensor "
           "that requires grad");
    a->storage = src->storage;
  }
  a->shape = src->shape, a->strides = src->strides, a->dtype = src->dtype;
  a->offset = src->offset, a->numel = src->numel;
}

void set_grad(const Tensor& a, const Tensor& g) {
  if (g && (g->shape != a->shape || g->dtype != a->dtype))
    fail("grad", "assigned grad has ", describe(g), " but the tensor is ", describe(a));
  if (g || a->autograd) a->meta().grad = g;
}

void set_requires_grad(const Tensor& a, bool on) {
  if (!a->is_leaf()) {
    if (!on)
      fail("requires_grad_",
           "you can only change requires_grad flags of leaf variables; use "
           "detach() to get a tensor that does not require grad");
    return;
  }
  if (on && !is_floating(a->dtype))
    fail("requires_grad_", "only tensors of floating point dtype can require gradients, got ",
         dtype_name(a->dtype));
  if (on || a->autograd) a->meta().requires_grad = on;
}

}  // namespace pyag
