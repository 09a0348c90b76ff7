// Module-level functions: creation, seeding, threads, memory statistics.
#include <pybind11/stl.h>

#include <cmath>
#include <limits>
#include <type_traits>

#include "bindings/bindings.h"
#include "bindings/convert.h"
#include "kernels/gemm.h"
#include "kernels/parallel.h"
#include "tensor/promotion.h"

namespace pyag {
namespace {

struct Options {
  std::optional<DType> dtype;
  bool requires_grad = false;
};

Options parse_options(const py::kwargs& kw, const char* op) {
  Options o;
  for (auto item : kw) {
    std::string k = py::str(item.first).cast<std::string>();
    if (k == "dtype")
      o.dtype = parse_dtype(item.second, op);
    else if (k == "device")
      check_device(item.second, op);
    else if (k == "requires_grad") {
      if (!PyBool_Check(item.second.ptr()))
        fail<TypeError>(op, "requires_grad must be a bool, got ",
                        py::str(py::type::of(item.second).attr("__name__")).cast<std::string>());
      o.requires_grad = item.second.ptr() == Py_True;
    } else if (k == "layout" || k == "pin_memory" || k == "memory_format") {
      // accepted for compatibility: CPU dense tensors have one layout
    } else {
      fail<TypeError>(op, "got an unexpected keyword argument '", k, "'");
    }
  }
  return o;
}

// A linspace bound converted to dtype d as PyTorch's Scalar::to<T> does: an int may wrap into
// an unsigned type (-3 -> 253 in uint8, down to -max), a float may not (-3.0 in uint8 raises),
// NaN and inf do not fit an integer type, and a value past the type's range raises.
double linspace_bound(py::handle h, DType d, const char* which) {
  Scalar s;
  if (py::isinstance<TensorImpl>(h)) {
    Tensor t = h.cast<Tensor>();
    if (t->dim() != 0)
      fail("linspace", "linspace only supports 0-dimensional start and end tensors, but got ",
           which, " with ", t->dim(), " dimension(s).");
    s = Scalar{item(t), t->dtype == DType::Bool ? ScalarKind::Bool
                        : is_floating(t->dtype) ? ScalarKind::Float
                                                : ScalarKind::Int};
  } else if (!to_scalar(h, s)) {
    if (PyIndex_Check(h.ptr()))
      s = Scalar{
          static_cast<double>(py::int_(py::reinterpret_borrow<py::object>(h)).cast<int64_t>()),
          ScalarKind::Int};
    else if (py::hasattr(h, "__float__"))
      s = Scalar{py::float_(py::reinterpret_borrow<py::object>(h)), ScalarKind::Float};
    else
      fail<TypeError>("linspace", which, " must be a number or a 0-d tensor, got ",
                      py::str(py::type::of(h).attr("__name__")).cast<std::string>());
  }
  if (d == DType::Bool) fail("linspace", "is not implemented for bool");
  const double v = s.v;
  bool overflow = false;
  dispatch(d, [&](auto z) {
    using T = decltype(z);
    using L = std::numeric_limits<T>;
    if constexpr (std::is_floating_point_v<T>) {
      overflow = std::isfinite(v) &&
                 (v < static_cast<double>(L::lowest()) || v > static_cast<double>(L::max()));
    } else if (s.kind == ScalarKind::Float) {
      overflow = !std::isfinite(v) || v < static_cast<double>(L::lowest()) ||
                 v > static_cast<double>(L::max());
    } else if (s.kind == ScalarKind::Int) {
      const double hi = static_cast<double>(L::max());
      overflow = v > hi || (L::is_signed ? v < static_cast<double>(L::lowest()) : -v > hi);
    }
  });
  if (overflow)
    fail("linspace", "value ", py::repr(h).cast<std::string>(), " cannot be converted to type ",
         dtype_name(d), " without overflow");
  return v;
}

Tensor finish(Tensor t, const Options& o) {
  if (o.requires_grad) set_requires_grad(t, true);
  return t;
}

template <class F>
auto creator(const char* op, F make) {
  return [op, make](py::args args, py::kwargs kw) {
    Options o = parse_options(kw, op);
    return finish(make(parse_shape(args, op), o.dtype.value_or(default_dtype())), o);
  };
}

DType infer_scalar_dtype(const Scalar& s) {
  switch (s.kind) {
    case ScalarKind::Bool:
      return DType::Bool;
    case ScalarKind::Int:
      return DType::Int64;
    case ScalarKind::Float:
      break;
  }
  return default_dtype();
}

}  // namespace

void init_functions(py::module_& m) {
  m.def("empty", creator("empty", [](const Dims& s, DType d) { return empty(s, d); }),
        "A tensor of the given size with uninitialized elements.");
  m.def("zeros", creator("zeros", [](const Dims& s, DType d) { return zeros(s, d); }),
        "A tensor of the given size filled with zeros.");
  m.def("ones", creator("ones", [](const Dims& s, DType d) { return full(s, 1.0, d); }),
        "A tensor of the given size filled with ones.");
  m.def(
      "full",
      [](py::handle size, py::handle value, py::kwargs kw) {
        Options o = parse_options(kw, "full");
        Scalar s;
        if (!to_scalar(value, s))
          fail<TypeError>("full", "fill_value must be a number, got ",
                          py::str(py::type::of(value).attr("__name__")).cast<std::string>());
        DType d = o.dtype.value_or(infer_scalar_dtype(s));
        check_fits(s, d, "full");
        return finish(full(parse_shape_obj(size, "full"), s.v, d), o);
      },
      "A tensor of the given size filled with fill_value.");
  m.def(
      "arange",
      [](py::args args, py::kwargs kw) {
        Options o = parse_options(kw, "arange");
        if (args.size() < 1 || args.size() > 3)
          fail<TypeError>("arange", "expected 1 to 3 positional arguments (start, end, step), got ",
                          args.size());
        Scalar v[3] = {Scalar{0, ScalarKind::Int}, Scalar{0, ScalarKind::Int},
                       Scalar{1, ScalarKind::Int}};
        bool all_int = true;
        for (size_t i = 0; i < args.size(); ++i) {
          Scalar s;
          if (!to_scalar(args[i], s)) fail<TypeError>("arange", "arguments must be numbers");
          all_int = all_int && s.kind != ScalarKind::Float;
          v[args.size() == 1 ? 1 : i] = s;
        }
        DType d = o.dtype.value_or(all_int ? DType::Int64 : default_dtype());
        return finish(arange(v[0].v, v[1].v, v[2].v, d), o);
      },
      "Values from start (default 0) to end, exclusive, stepping by step (default 1), as a 1-D "
      "tensor.");
  m.def(
      "linspace",
      [](py::handle start, py::handle end, int64_t steps, py::kwargs kw) {
        Options o = parse_options(kw, "linspace");
        const DType d = o.dtype.value_or(default_dtype());
        const double s0 = linspace_bound(start, d, "start");
        const double s1 = linspace_bound(end, d, "end");
        return finish(linspace(s0, s1, steps, d), o);
      },
      py::arg("start"), py::arg("end"), py::arg("steps"),
      "steps values evenly spaced from start to end, inclusive, as a 1-D tensor.");
  m.def(
      "from_numpy",
      [](py::handle arr) {
        if (!py::isinstance<py::array>(arr))
          fail<TypeError>("from_numpy", "expected a NumPy array, got ",
                          py::str(py::type::of(arr).attr("__name__")).cast<std::string>());
        return from_numpy(py::reinterpret_borrow<py::array>(arr), "from_numpy");
      },
      "A tensor sharing the memory of a NumPy array (changes to one show in the other).");
  m.def(
      "_copy_numpy",
      [](py::array arr, py::handle dtype) {
        return copy_numpy(arr, parse_dtype(dtype, "tensor"), "tensor");
      },
      "A new tensor holding a copy of a NumPy array, converted to dtype when given.");
  m.def(
      "_check_device", [](py::handle device, const char* op) { check_device(device, op); },
      "Raises RuntimeError naming `op` unless `device` is None or the CPU ('cpu', 'cpu:0', "
      "device('cpu')).",
      py::arg("device"), py::arg("op"));
  m.def(
      "_write_out",
      [](const Tensor& out, const Tensor& result, const std::string& op) {
        return write_out(out, result, op.c_str());
      },
      "Writes result into out for op(..., out=out) under PyTorch's rules; returns out.",
      py::arg("out"), py::arg("result"), py::arg("op"));
  m.def(
      "set_num_threads",
      [](py::handle n) {
        set_num_threads(parse_int(n, "set_num_threads", "the number of threads"));
      },
      "Sets the number of threads of the kernels and the matrix products (one budget).");
  m.def(
      "get_num_threads", []() { return num_threads(); },
      "The number of threads of the kernels and the matrix products.");
  m.def(
      "_blas_name", []() { return blas_name(); },
      "The name of the BLAS library the matrix products call.");
  m.def(
      "memory_stats",
      []() {
        MemoryStats s = memory_stats();
        py::dict d;
        d["allocated_bytes"] = s.allocated_bytes;
        d["peak_bytes"] = s.peak_bytes;
        d["cached_bytes"] = s.cached_bytes;
        d["alloc_count"] = s.alloc_count;
        d["system_alloc_count"] = s.system_alloc_count;
        d["system_free_count"] = s.system_free_count;
        return d;
      },
      "The caching allocator's counters: allocated, peak and cached bytes, allocation counts.");
  m.def(
      "reset_peak_memory_stats", []() { reset_peak_memory(); },
      "Sets the peak allocated bytes to the bytes allocated now.");
  m.def(
      "empty_cache", []() { empty_cache(); },
      "Returns every cached, unused memory block to the system.");
  m.def(
      "result_type",
      [](py::handle a, py::handle b) {
        ResultType r;
        for (py::handle h : {a, b}) {
          Operand o = to_operand(h, "result_type");
          o.is_tensor() ? r.tensor(o.t) : r.number(o.s.kind);
        }
        return r.get();
      },
      py::arg("tensor"), py::arg("other"),
      "The dtype an arithmetic op on the two operands (tensors or numbers) returns, by PyTorch's "
      "rules: dimensioned tensors, then 0-d tensors, then numbers, each group changing the "
      "result only when of a higher category (bool < integer < floating).");
  m.def("promote_types", &promote_types, py::arg("type1"), py::arg("type2"),
        "The smallest dtype both dtypes can be converted to without losing category.");
  m.def("can_cast", &can_cast, py::arg("from_"), py::arg("to"),
        "Whether an in-place op may write a value of dtype from_ into a tensor of dtype to (no "
        "floating to integral, no non-bool to bool).");
  m.def(
      "where",
      [](const Tensor& c, py::handle a, py::handle b) {
        Operand oa = to_operand(a, "where"), ob = to_operand(b, "where");
        if (oa.is_tensor()) return ob.is_tensor() ? where(c, oa.t, ob.t) : where(c, oa.t, ob.s);
        return ob.is_tensor() ? where(c, oa.s, ob.t) : where(c, oa.s, ob.s);
      },
      "Elements of input where condition is True, else of other (broadcast together).");
}

}  // namespace pyag
