// Tensors of one value and the read of one element, which live above tensor/ because they run
// kernels (fill) and speak to the capture recorder (tensor/ includes neither); the device rule.
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "capture/hooks.h"
#include "kernels/elementwise.h"
#include "ops/ops.h"

namespace pyag {

Tensor zeros(const Dims& shape, DType dtype) {
  Tensor t = empty(shape, dtype);
  if (capture::active())
    fill(t, 0.0);  // recorded, so that replay zeroes it too
  else
    std::memset(t->storage->data, 0, t->storage->nbytes);
  return t;
}

Tensor full(const Dims& shape, double value, DType dtype) {
  Tensor t = empty(shape, dtype);
  fill(t, value);
  return t;
}

Tensor scalar_tensor(double value, DType dtype) { return full(Dims{}, value, dtype); }

double element_value(Scalar value, DType d) {
  if (value.kind != ScalarKind::Int || !is_integral(d) || d == DType::Bool) return value.v;
  return dispatch(d, [&](auto x) {
    using T = decltype(x);
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>)
      return static_cast<double>(param_as<T>(value.v));
    return value.v;
  });
}

void check_fits(Scalar value, DType d, const char* op) {
  const double v = value.v;
  if (d == DType::Bool || d == DType::Float64 || value.kind == ScalarKind::Bool) return;
  bool over = false;
  const char* type = "";
  dispatch(d, [&](auto x) {
    using T = decltype(x);
    using L = std::numeric_limits<T>;
    const double lo = static_cast<double>(L::lowest()), hi = static_cast<double>(L::max());
    if constexpr (std::is_floating_point_v<T>) {  // float32
      type = "float";
      over = value.kind == ScalarKind::Float && std::isfinite(v) && (v < lo || v > hi);
    } else {
      type = std::is_same_v<T, int64_t>   ? "int64_t"
             : std::is_same_v<T, int32_t> ? "int"
             : std::is_same_v<T, int16_t> ? "int16_t"
             : std::is_same_v<T, int8_t>  ? "int8_t"
                                          : "uint8_t";
      if (value.kind == ScalarKind::Float)
        over = std::isnan(v) || v < lo || v > hi || v >= 9223372036854775808.0;
      else if (std::is_unsigned_v<T>)  // a negative int wraps (two's complement), as PyTorch
        over = v > hi || (v < 0 && -v > hi);
      else if (!std::is_same_v<T, int64_t>)  // every int the bindings take fits int64 (whose
        over = v < lo || v > hi;  // max is no double: 2^63 - 1 arrives as 2^63 and saturates)
    }
  });
  if (over) fail(op, "value cannot be converted to type ", type, " without overflow");
}

double get_double(const Tensor& t, const Dims& index) {
  capture::refuse(".item()/float()/bool()/int()/tolist()/printing of a tensor",
                  "it reads a value into Python, which replay does not run");
  int64_t off = 0;
  for (int i = 0; i < index.size(); ++i) off += index[i] * t->strides[i];
  const char* p = t->data() + off * static_cast<int64_t>(itemsize(t->dtype));
  return dispatch(t->dtype, [&](auto v) {
    using T = decltype(v);
    T x;
    std::memcpy(&x, p, sizeof(T));
    return static_cast<double>(x);
  });
}

void check_device(const std::string& device, const char* op) {
  // "cpu" or "cpu:<index>" (PyTorch accepts any index of the CPU device)
  const bool indexed = device.size() > 4 && device.compare(0, 4, "cpu:") == 0 &&
                       device.find_first_not_of("0123456789", 4) == std::string::npos;
  if (device != "cpu" && !indexed)
    fail(op, "device '", device, "' is not available: pyautograd runs on the CPU only");
}

void check_number(const Tensor& a, NumberUse use) {
  switch (use) {
    case NumberUse::Item:
      if (a->numel != 1)
        fail("item", "a tensor with ", a->numel, " elements cannot be converted to a number");
      return;
    case NumberUse::Float:
    case NumberUse::Int:
      if (a->numel != 1)
        fail<ValueError>(use == NumberUse::Float ? "float" : "int",
                         "only one element tensors can be converted to Python scalars, got ",
                         describe(a));
      return;
    case NumberUse::Bool:
      if (a->numel != 1)
        fail("bool", "boolean value of a tensor with ", a->numel, " elements is ambiguous");
      return;
    case NumberUse::Index:
      if (a->numel != 1 || is_floating(a->dtype))
        fail<TypeError>("index",
                        "only integer tensors of a single element can be converted to an index, "
                        "got ",
                        describe(a));
      return;
  }
}

double item(const Tensor& a) {
  check_number(a, NumberUse::Item);
  return get_double(a, Dims::filled(a->dim(), 0));
}

}  // namespace pyag
