// The random ops beyond rand/randn: randint, randperm, normal_, uniform_, bernoulli and
// bernoulli_. All draw from the global generator (ops/generator.h), so manual_seed makes them
// reproducible; the streams differ from PyTorch's.
#include <cmath>
#include <numeric>

#include "capture/hooks.h"
#include "kernels/elementwise.h"
#include "ops/generator.h"
#include "ops/ops.h"

namespace pyag {
namespace {

// A new contiguous tensor of `shape` and `dtype`, element i = draw(engine) in order.
template <class F>
Tensor draw_tensor(const Dims& shape, DType dtype, F draw) {
  capture::refuse("random",
                  "random numbers are drawn outside the recorded kernels (replay would repeat the "
                  "same numbers); draw them outside the step and pass them as arguments");
  Tensor t = empty(shape, dtype);
  Generator& g = global_generator();
  std::lock_guard<std::mutex> lock(g.mu);
  dispatch(dtype, [&](auto z) {
    using T = decltype(z);
    T* p = t->data_as<T>();
    for (int64_t i = 0; i < t->numel; ++i) p[i] = static_cast<T>(draw(g.engine));
  });
  return t;
}

void check_floating(const char* op, const Tensor& t) {
  if (!is_floating(t->dtype))
    fail(op, "is only defined for floating tensors, got ", dtype_name(t->dtype));
}

// self <- values (a fresh tensor of self's shape), as an in-place op: a leaf that requires grad
// is refused, and the values carry no gradient.
const Tensor& fill_from(const Tensor& self, const Tensor& values) { return copy_(self, values); }

}  // namespace

Tensor randint(int64_t low, int64_t high, const Dims& shape, DType dtype) {
  if (low >= high)
    fail("randint", "expected 'low' to be less than 'high', but got low=", low, " >= high=", high);
  if (dtype == DType::Bool && (low < 0 || high > 2))
    fail("randint", "a bool result needs 0 <= low < high <= 2, got low=", low, ", high=", high);
  if (dtype == DType::Float32 && (high - low) > (int64_t(1) << 24))
    fail("randint", "the range [", low, ", ", high, ") is too wide for float32");
  const uint64_t range = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  return draw_tensor(shape, dtype, [low, range](std::mt19937_64& e) {
    return static_cast<double>(
        static_cast<int64_t>(static_cast<uint64_t>(low) + uniform_below(e, range)));
  });
}

Tensor randperm(int64_t n, DType dtype) {
  capture::refuse("randperm", "random numbers are drawn outside the recorded kernels");
  if (n < 0) fail("randperm", "n must be non-negative, got ", n);
  if (dtype == DType::Bool && n > 2) fail("randperm", "n = ", n, " is too large for bool");
  if (dtype == DType::Float32 && n > (int64_t(1) << 24))
    fail("randperm", "n = ", n, " is too large for float32");
  std::vector<int64_t> perm(static_cast<size_t>(n));
  std::iota(perm.begin(), perm.end(), int64_t(0));
  {
    Generator& g = global_generator();
    std::lock_guard<std::mutex> lock(g.mu);
    for (int64_t i = n - 1; i > 0; --i)  // Fisher-Yates
      std::swap(perm[static_cast<size_t>(i)],
                perm[uniform_below(g.engine, static_cast<uint64_t>(i + 1))]);
  }
  Tensor t = empty(Dims{n}, dtype);
  dispatch(dtype, [&](auto z) {
    using T = decltype(z);
    T* p = t->data_as<T>();
    for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(perm[static_cast<size_t>(i)]);
  });
  return t;
}

const Tensor& normal_(const Tensor& self, double mean, double std) {
  check_floating("normal_", self);
  if (!(std >= 0)) fail("normal_", "expects std >= 0.0, but found std ", std);
  return fill_from(self, draw_tensor(self->shape, self->dtype, [mean, std](std::mt19937_64& e) {
                     // Box-Muller on (0, 1], as randn
                     const double u1 = 1.0 - uniform01(e), u2 = uniform01(e);
                     return mean + std * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
                   }));
}

const Tensor& uniform_(const Tensor& self, double from, double to) {
  check_floating("uniform_", self);
  if (from > to)
    fail("uniform_", "expects to return a [from, to) range, but found from=", from, " > to=", to);
  return fill_from(self, draw_tensor(self->shape, self->dtype, [from, to](std::mt19937_64& e) {
                     return from + (to - from) * uniform01(e);
                   }));
}

Tensor bernoulli(const Tensor& p) {
  capture::refuse("bernoulli", "random numbers are drawn outside the recorded kernels");
  check_floating("bernoulli", p);
  Tensor pd = empty(p->shape, DType::Float64);  // the probabilities, contiguous, as doubles
  copy_into(pd, p);
  const double* pp = pd->data_as<double>();
  for (int64_t i = 0; i < pd->numel; ++i)
    if (!(pp[i] >= 0 && pp[i] <= 1))
      fail("bernoulli", "expected every probability in [0, 1], got ", pp[i]);
  int64_t i = 0;
  return draw_tensor(p->shape, p->dtype,
                     [&i, pp](std::mt19937_64& e) { return uniform01(e) < pp[i++] ? 1.0 : 0.0; });
}

const Tensor& bernoulli_(const Tensor& self, double p) {
  if (!(p >= 0 && p <= 1)) fail("bernoulli_", "expects p to be in [0, 1], but got p=", p);
  return fill_from(self, draw_tensor(self->shape, self->dtype, [p](std::mt19937_64& e) {
                     return uniform01(e) < p ? 1.0 : 0.0;
                   }));
}

const Tensor& bernoulli_(const Tensor& self, const Tensor& p) {
  check_floating("bernoulli_", p);
  if (broadcast_shapes(self->shape, p->shape, "bernoulli_") != self->shape)
    fail("bernoulli_", "p of shape ", shape_str(p->shape), " cannot be broadcast to self's shape ",
         shape_str(self->shape));
  Tensor draws = bernoulli(expand(detach(p), self->shape));
  return fill_from(self, cast(draws, self->dtype));
}

}  // namespace pyag
