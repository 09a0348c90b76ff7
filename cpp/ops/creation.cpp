// Random and range creation. One global generator, seeded by manual_seed.
#include <cmath>
#include <mutex>
#include <random>

#include "capture/hooks.h"
#include "kernels/elementwise.h"
#include "kernels/loop.h"
#include "ops/generator.h"
#include "ops/ops.h"

namespace pyag {

Generator& global_generator() {
  static Generator* g = new Generator();
  return *g;
}

namespace {

Generator& gen() { return global_generator(); }

template <class F>
Tensor generate(const Dims& shape, DType dtype, const char* op, F draw) {
  capture::refuse("random",
                  "random numbers are drawn outside the recorded kernels (replay would repeat the "
                  "same numbers); draw them outside the step and pass them as arguments");
  if (!is_floating(dtype))
    fail<TypeError>(op, "expected a floating point dtype, got ", dtype_name(dtype));
  Tensor t = empty(shape, dtype);
  Generator& g = gen();
  std::lock_guard<std::mutex> lock(g.mu);
  dispatch_float(dtype, [&](auto z) {
    using T = decltype(z);
    T* p = t->data_as<T>();
    for (int64_t i = 0; i < t->numel; ++i) p[i] = static_cast<T>(draw(g.engine));
  });
  return t;
}

}  // namespace

void manual_seed(uint64_t seed) {
  Generator& g = gen();
  std::lock_guard<std::mutex> lock(g.mu);
  g.engine.seed(seed);
}

Tensor randn(const Dims& shape, DType dtype) {
  return generate(shape, dtype, "randn", [](std::mt19937_64& e) {
    // Box-Muller on (0, 1]: one normal per draw keeps the stream position-independent.
    const double u1 = 1.0 - uniform01(e), u2 = uniform01(e);
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  });
}

Tensor rand(const Dims& shape, DType dtype) {
  return generate(shape, dtype, "rand", [](std::mt19937_64& e) { return uniform01(e); });
}

Tensor arange(double start, double end, double step, DType dtype) {
  capture::refuse("arange",
                  "its loop is not behind the recorder yet; create the tensor outside the step");
  if (!std::isfinite(start) || !std::isfinite(end))
    fail<ValueError>("arange", "unsupported range: ", start, " -> ", end);
  double n;
  if (!is_floating(dtype)) {  // as PyTorch: the bounds and step as integers, integer length
    if (dtype == DType::Bool) fail("arange", "is not implemented for bool");
    start = std::trunc(start), end = std::trunc(end), step = std::trunc(step);
  }
  if (step == 0) fail("arange", "step must be nonzero");
  if (!((step > 0 && end >= start) || (step < 0 && end <= start)))
    fail("arange", "upper bound and larger bound inconsistent with step sign");
  if (!is_floating(dtype)) {
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
    for (int64_t i = 0; i < t->numel; ++i)
      p[i] = static_cast<T>(start + step * static_cast<double>(i));
  });
  return t;
}

Tensor linspace(double start, double end, int64_t steps, DType dtype) {
  capture::refuse("linspace",
                  "its loop is not behind the recorder yet; create the tensor outside the step");
  if (steps < 0) fail("linspace", "number of steps must be non-negative, got ", steps);
  Tensor t = empty(Dims{steps}, dtype);
  const double step = steps > 1 ? (end - start) / static_cast<double>(steps - 1) : 0.0;
  dispatch(dtype, [&](auto z) {
    using T = decltype(z);
    T* p = t->data_as<T>();
    for (int64_t i = 0; i < steps; ++i) {
      // symmetric evaluation, as PyTorch does, so the last element is exactly `end`
      const double v = steps == 1      ? start
                       : i < steps / 2 ? start + step * static_cast<double>(i)
                                       : end - step * static_cast<double>(steps - 1 - i);
      p[i] = static_cast<T>(v);
    }
  });
  return t;
}

}  // namespace pyag
