// Range creation: arange and linspace (the random ops are in random.cpp).
#include <cmath>
#include <type_traits>

#include "capture/hooks.h"
#include "kernels/elementwise.h"
#include "kernels/loop.h"
#include "ops/ops.h"

namespace pyag {

Tensor arange(double start, double end, double step, DType dtype) {
  capture::refuse("arange",
                  "its loop is not behind the recorder yet; create the tensor outside the step");
  if (!std::isfinite(start) || !std::isfinite(end))
    fail<ValueError>("arange", "unsupported range: ", start, " -> ", end);
  double n;
  // PyTorch's kernel: the checks and, but for int64, the length in double; int64 then truncates
  // the bounds and the step (a step that truncates to 0 is its ValueError) and counts in
  // integers; the values of an integer type are the truncated start plus multiples of the
  // truncated step in int64, wrapped into the type (arange(-0.5, 3, dtype=uint8) is 0 1 2 3)
  if (dtype == DType::Bool) fail("arange", "is not implemented for bool");
  if (step == 0) fail("arange", "step must be nonzero");
  if (!((step > 0 && end >= start) || (step < 0 && end <= start)))
    fail("arange", "upper bound and lower bound inconsistent with step sign");
  if (dtype == DType::Int64) {
    start = std::trunc(start), end = std::trunc(end), step = std::trunc(step);
    if (step == 0) fail<ValueError>("arange", "step must be nonzero");
    const double sgn = step > 0 ? 1 : -1;
    n = std::trunc((end - start + step - sgn) / step);
  } else {
    n = std::ceil((end - start) / step);
  }
  if (n > 1e15) fail<MemoryError>("arange", "too many elements: ", n);
  Tensor t = empty(Dims{static_cast<int64_t>(n)}, dtype);
  dispatch(dtype, [&](auto z) {
    using T = decltype(z);
    T* p = t->data_as<T>();
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      const auto s0 = static_cast<uint64_t>(static_cast<int64_t>(std::trunc(start)));
      const auto st = static_cast<uint64_t>(static_cast<int64_t>(std::trunc(step)));
      for (int64_t i = 0; i < t->numel; ++i)  // unsigned: wraps, as PyTorch's int64 sum
        p[i] = static_cast<T>(static_cast<int64_t>(s0 + st * static_cast<uint64_t>(i)));
    } else {
      for (int64_t i = 0; i < t->numel; ++i)
        p[i] = static_cast<T>(start + step * static_cast<double>(i));
    }
  });
  return t;
}

Tensor linspace(double start, double end, int64_t steps, DType dtype) {
  capture::refuse("linspace",
                  "its loop is not behind the recorder yet; create the tensor outside the step");
  if (steps < 0) fail("linspace", "number of steps must be non-negative, got ", steps);
  Tensor t = empty(Dims{steps}, dtype);
  dispatch(dtype, [&](auto z) {
    using T = decltype(z);
    // PyTorch's kernel: for a floating dtype, start, end and step in that dtype and each value
    // one fused multiply-add in it (bitwise PyTorch's float32 numbers); for integers, double
    using S = std::conditional_t<std::is_floating_point_v<T>, T, double>;
    // an integer type wraps an in-range negative bound as PyTorch does (-3 -> 253 in uint8)
    auto to_t = [](double v) {
      if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>)
        return static_cast<T>(static_cast<int64_t>(v));
      else
        return static_cast<T>(v);
    };
    const S s0 = static_cast<S>(to_t(start));
    const S s1 = static_cast<S>(to_t(end));
    const S step = steps > 1 ? (s1 - s0) / static_cast<S>(steps - 1) : S(0);
    T* p = t->data_as<T>();
    for (int64_t i = 0; i < steps; ++i) {
      // symmetric evaluation, as PyTorch does, so the last element is exactly `end`
      const S v = steps == 1      ? s0
                  : i < steps / 2 ? std::fma(step, static_cast<S>(i), s0)
                                  : std::fma(-step, static_cast<S>(steps - 1 - i), s1);
      p[i] = static_cast<T>(v);
    }
  });
  return t;
}

}  // namespace pyag
