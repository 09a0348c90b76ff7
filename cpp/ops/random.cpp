// The random ops: rand, randn, randint, randperm, normal_, uniform_, random_, bernoulli and
// bernoulli_. Each draws from the given generator (or the global one) with PyTorch's CPU
// algorithms, in the order PyTorch's kernels visit the elements, so that after manual_seed(s)
// they give PyTorch's numbers and leave the generator where PyTorch leaves it:
// - uniform: 24 random bits per float32, 53 (two draws) per float64; from + x * (to - from);
// - normal: 16 or more elements of a contiguous tensor are drawn as uniforms first, then turned
//   into normals 16 at a time by Box-Muller (the last 16 redrawn when 16 does not divide the
//   size); fewer, or a non-contiguous tensor, go one at a time through a double Box-Muller pair
//   whose second value the generator keeps for the next such draw;
// - integers: one 32-bit draw per element modulo the range (two draws for a range >= 2^28);
// - randperm: a Fisher-Yates shuffle drawing i + (random() mod (n - i)) for i = 0 .. n - 2.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "capture/hooks.h"
#include "kernels/elementwise.h"
#include "ops/generator.h"
#include "ops/ops.h"
#include "ops/random_math.h"

namespace pyag {
namespace {

Generator& pick(Generator* g) { return g ? *g : global_generator(); }

void refuse_capture(const char* op) {
  capture::refuse(op,
                  "random numbers are drawn outside the recorded kernels (replay would repeat the "
                  "same numbers); draw them outside the step and pass them as arguments");
}

// The dims of t from outermost to innermost in memory (largest stride first; a stable sort,
// so equal strides keep their order): the order in which PyTorch's TensorIterator visits the
// elements of a tensor it writes.
std::vector<int64_t> memory_order(const Tensor& t) {
  std::vector<int64_t> perm(t->shape.size());
  std::iota(perm.begin(), perm.end(), int64_t(0));
  std::stable_sort(perm.begin(), perm.end(), [&](int64_t a, int64_t b) {
    return t->strides[static_cast<size_t>(a)] > t->strides[static_cast<size_t>(b)];
  });
  return perm;
}

// A new tensor of `shape` and `dtype` whose elements, in memory order, are `fill(T* p, n, g)`'s
// (called with the generator locked).
template <class F>
Tensor draw(const Dims& shape, DType dtype, Generator& g, F fill) {
  Tensor t = empty(shape, dtype);
  std::lock_guard<std::mutex> lock(g.mu);
  dispatch(dtype, [&](auto z) { fill(t->data_as<decltype(z)>(), t->numel); });
  return t;
}

// self <- values drawn by `fill` in the order PyTorch visits self's elements, as an in-place op
// (a leaf that requires grad is refused, the values carry no gradient).
template <class F>
const Tensor& fill_in_place(const Tensor& self, Generator& g, F fill) {
  const std::vector<int64_t> perm = memory_order(self);
  Dims drawn_shape;
  for (int64_t d : perm) drawn_shape.push_back(self->shape[static_cast<size_t>(d)]);
  Tensor values = draw(drawn_shape, self->dtype, g, fill);
  std::vector<int64_t> inverse(perm.size());
  for (size_t k = 0; k < perm.size(); ++k) inverse[static_cast<size_t>(perm[k])] = int64_t(k);
  return copy_(self, permute(values, inverse));
}

void check_floating(const char* op, const Tensor& t) {
  if (!is_floating(t->dtype))
    fail(op, "is only defined for floating tensors, got ", dtype_name(t->dtype));
}

// n uniforms in [from, to) of T.
template <class T>
void uniform_fill(T* p, int64_t n, double from, double to, Generator& g) {
  const T lo = static_cast<T>(from), width = static_cast<T>(to) - lo;
  if (lo == 0 && width == 1) {  // rand(): fma(x, 1, 0) is x, without a call per element
    for (int64_t i = 0; i < n; ++i) p[i] = rnd::uniform01<T>(g);
    return;
  }
  for (int64_t i = 0; i < n; ++i) p[i] = std::fma(rnd::uniform01<T>(g), width, lo);
}

// n normals of T, by PyTorch's vectorised fill (contiguous and n >= 16) or its scalar path.
template <class T>
void normal_fill(T* p, int64_t n, double mean, double std, bool contiguous, Generator& g) {
  if (!contiguous || n < 16) {
    for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(rnd::scalar_normal(g, mean, std));
    return;
  }
  const T m = static_cast<T>(mean), s = static_cast<T>(std);
  for (int64_t i = 0; i < n; ++i) p[i] = rnd::uniform01<T>(g);
  for (int64_t i = 0; i + 16 <= n; i += 16) rnd::normal16(p + i, m, s);
  if (n % 16 != 0) {  // the last 16 again, from new uniforms
    T* tail = p + n - 16;
    for (int i = 0; i < 16; ++i) tail[i] = rnd::uniform01<T>(g);
    rnd::normal16(tail, m, s);
  }
}

// Integers base + (draw mod range): two 32-bit draws for a range of 2^28 or more (as torch
// 2.13 does, for every dtype), else one.
template <class T>
void int_fill(T* p, int64_t n, uint64_t range, int64_t base, Generator& g) {
  const bool wide = range >= (uint64_t(1) << 28);
  for (int64_t i = 0; i < n; ++i) {
    const uint64_t v = wide ? g.random64() : g.random();
    p[i] = static_cast<T>(static_cast<int64_t>(v % range + static_cast<uint64_t>(base)));
  }
}

// random_() without bounds: [0, max] of an integer dtype, [0, 2^mantissa] of a floating one.
template <class T>
void full_int_fill(T* p, int64_t n, Generator& g) {
  for (int64_t i = 0; i < n; ++i) {
    if constexpr (std::is_same_v<T, bool>) {
      p[i] = (g.random() & 1u) != 0;
    } else if constexpr (std::is_floating_point_v<T>) {
      constexpr uint64_t m = (uint64_t(1) << std::numeric_limits<T>::digits) + 1;
      p[i] = static_cast<T>((sizeof(T) == 8 ? g.random64() : g.random()) % m);
    } else {
      constexpr uint64_t m = static_cast<uint64_t>(std::numeric_limits<T>::max()) + 1;
      p[i] = static_cast<T>((sizeof(T) == 8 ? g.random64() : g.random()) % m);
    }
  }
}

// The largest integer a dtype holds exactly (PyTorch's bound for random_ and randint).
int64_t dtype_int_max(DType d) {
  switch (d) {
    case DType::Float32:
      return int64_t(1) << 24;
    case DType::Float64:
      return int64_t(1) << 53;
    case DType::Bool:
      return 1;
    default:
      return dispatch(d, [](auto z) -> int64_t {
        using T = decltype(z);
        if constexpr (std::is_integral_v<T>)
          return static_cast<int64_t>(std::numeric_limits<T>::max());
        else
          return int64_t(1) << 53;
      });
  }
}
int64_t dtype_int_min(DType d) {
  if (is_floating(d)) return -dtype_int_max(d);
  return dispatch(d, [](auto z) -> int64_t {
    using T = decltype(z);
    if constexpr (std::is_integral_v<T>)
      return static_cast<int64_t>(std::numeric_limits<T>::lowest());
    else
      return 0;
  });
}

void check_range(const char* op, int64_t from, int64_t to_inclusive, DType d) {
  if (from < dtype_int_min(d) || to_inclusive > dtype_int_max(d))
    fail(op, "the range [", from, ", ", to_inclusive, "] is out of bounds for ", dtype_name(d));
}

}  // namespace

void manual_seed(uint64_t seed, Generator* gen) {
  Generator& g = pick(gen);
  std::lock_guard<std::mutex> lock(g.mu);
  g.seed_engine(seed);
}

Tensor rand(const Dims& shape, DType dtype, Generator* gen) {
  refuse_capture("rand");
  if (!is_floating(dtype))
    fail<TypeError>("rand", "expected a floating point dtype, got ", dtype_name(dtype));
  return draw(shape, dtype, pick(gen), [&](auto* p, int64_t n) {
    using T = std::remove_pointer_t<decltype(p)>;
    if constexpr (std::is_floating_point_v<T>) uniform_fill(p, n, 0.0, 1.0, pick(gen));
  });
}

Tensor randn(const Dims& shape, DType dtype, Generator* gen) {
  refuse_capture("randn");
  if (!is_floating(dtype))
    fail<TypeError>("randn", "expected a floating point dtype, got ", dtype_name(dtype));
  return draw(shape, dtype, pick(gen), [&](auto* p, int64_t n) {
    using T = std::remove_pointer_t<decltype(p)>;
    if constexpr (std::is_floating_point_v<T>) normal_fill(p, n, 0.0, 1.0, true, pick(gen));
  });
}

Tensor randint(int64_t low, int64_t high, const Dims& shape, DType dtype, Generator* gen) {
  refuse_capture("randint");
  if (low >= high)
    fail("randint", "random_ expects 'from' to be less than 'to', but got from=", low,
         " >= to=", high);
  check_range("randint", low, high - 1, dtype);
  const uint64_t range = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);
  return draw(shape, dtype, pick(gen),
              [&](auto* p, int64_t n) { int_fill(p, n, range, low, pick(gen)); });
}

Tensor randperm(int64_t n, DType dtype, Generator* gen) {
  refuse_capture("randperm");
  if (n < 0) fail("randperm", "n must be non-negative, got ", n);
  if (n > 0) check_range("randperm", 0, n - 1, dtype);
  std::vector<int64_t> perm(static_cast<size_t>(n));
  std::iota(perm.begin(), perm.end(), int64_t(0));
  {
    Generator& g = pick(gen);
    std::lock_guard<std::mutex> lock(g.mu);
    if (n < int64_t(std::numeric_limits<uint32_t>::max() / 20)) {
      for (int64_t i = 0; i + 1 < n; ++i) {
        const int64_t z = static_cast<int64_t>(g.random() % static_cast<uint64_t>(n - i));
        std::swap(perm[static_cast<size_t>(i)], perm[static_cast<size_t>(i + z)]);
      }
    } else {  // PyTorch's inside-out shuffle for huge n
      for (int64_t i = 0; i < n; ++i) {
        const size_t z = static_cast<size_t>(g.random64() % static_cast<uint64_t>(i + 1));
        perm[static_cast<size_t>(i)] = perm[z];
        perm[z] = i;
      }
    }
  }
  Tensor t = empty(Dims{n}, dtype);
  dispatch(dtype, [&](auto z) {
    using T = decltype(z);
    T* p = t->data_as<T>();
    for (int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(perm[static_cast<size_t>(i)]);
  });
  return t;
}

const Tensor& normal_(const Tensor& self, double mean, double std, Generator* gen) {
  refuse_capture("normal_");
  check_floating("normal_", self);
  if (!(std >= 0)) fail("normal_", "expects std >= 0.0, but found std ", std);
  const bool contiguous = self->contiguous();
  return fill_in_place(self, pick(gen), [&](auto* p, int64_t n) {
    using T = std::remove_pointer_t<decltype(p)>;
    if constexpr (std::is_floating_point_v<T>) normal_fill(p, n, mean, std, contiguous, pick(gen));
  });
}

const Tensor& uniform_(const Tensor& self, double from, double to, Generator* gen) {
  refuse_capture("uniform_");
  check_floating("uniform_", self);
  if (from > to)
    fail("uniform_", "expects to return a [from, to) range, but found from=", from, " > to=", to);
  return fill_in_place(self, pick(gen), [&](auto* p, int64_t n) {
    using T = std::remove_pointer_t<decltype(p)>;
    if constexpr (std::is_floating_point_v<T>) uniform_fill(p, n, from, to, pick(gen));
  });
}

const Tensor& random_(const Tensor& self, std::optional<int64_t> from, std::optional<int64_t> to,
                      Generator* gen) {
  refuse_capture("random_");
  if (!from && !to)
    return fill_in_place(self, pick(gen),
                         [&](auto* p, int64_t n) { full_int_fill(p, n, pick(gen)); });
  const int64_t lo = from.value_or(0);
  if (to) {
    if (lo >= *to)
      fail("random_", "expects 'from' to be less than 'to', but got from=", lo, " >= to=", *to);
    check_range("random_", lo, *to - 1, self->dtype);
    const uint64_t range = static_cast<uint64_t>(*to) - static_cast<uint64_t>(lo);
    return fill_in_place(self, pick(gen),
                         [&](auto* p, int64_t n) { int_fill(p, n, range, lo, pick(gen)); });
  }
  const int64_t hi = dtype_int_max(self->dtype);  // random_(from, None): [from, max]
  check_range("random_", lo, hi, self->dtype);
  if (lo == std::numeric_limits<int64_t>::lowest())  // all 64 bits
    return fill_in_place(self, pick(gen), [&](auto* p, int64_t n) {
      using T = std::remove_pointer_t<decltype(p)>;
      for (int64_t i = 0; i < n; ++i)
        p[i] = static_cast<T>(static_cast<int64_t>(pick(gen).random64()));
    });
  const uint64_t range = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo) + 1;
  return fill_in_place(self, pick(gen),
                       [&](auto* p, int64_t n) { int_fill(p, n, range, lo, pick(gen)); });
}

const Tensor& bernoulli_(const Tensor& self, double p, Generator* gen) {
  refuse_capture("bernoulli_");
  if (!(p >= 0 && p <= 1)) fail("bernoulli_", "expects p to be in [0, 1], but got p=", p);
  return fill_in_place(self, pick(gen), [&](auto* out, int64_t n) {
    using T = std::remove_pointer_t<decltype(out)>;
    for (int64_t i = 0; i < n; ++i) out[i] = static_cast<T>(rnd::uniform_double(pick(gen)) < p);
  });
}

namespace {

// self <- 1 with probability p (broadcast to self), as bernoulli_ and bernoulli (op) do.
const Tensor& bernoulli_tensor(const Tensor& self, const Tensor& p, Generator* gen,
                               const char* op) {
  refuse_capture(op);
  check_floating(op, p);
  if (broadcast_shapes(self->shape, p->shape, op) != self->shape)
    fail(op, "p of shape ", shape_str(p->shape), " cannot be broadcast to self's shape ",
         shape_str(self->shape));
  // the probabilities as doubles, in the order of self's elements in memory
  const std::vector<int64_t> perm = memory_order(self);
  Tensor pd = contiguous(cast(permute(expand(detach(p), self->shape), perm), DType::Float64));
  const double* pp = pd->data_as<double>();
  for (int64_t i = 0; i < pd->numel; ++i)
    if (!(pp[i] >= 0 && pp[i] <= 1)) fail(op, "expected every probability in [0, 1], got ", pp[i]);
  const bool p_double = p->dtype == DType::Float64;
  return fill_in_place(self, pick(gen), [&](auto* out, int64_t n) {
    using T = std::remove_pointer_t<decltype(out)>;
    Generator& g = pick(gen);
    for (int64_t i = 0; i < n; ++i)
      out[i] = static_cast<T>(p_double ? rnd::uniform_double(g) < pp[i]
                                       : rnd::uniform_float(g) < static_cast<float>(pp[i]));
  });
}

}  // namespace

const Tensor& bernoulli_(const Tensor& self, const Tensor& p, Generator* gen) {
  return bernoulli_tensor(self, p, gen, "bernoulli_");
}

Tensor empty_like_dense(const Tensor& t, DType dtype) {
  // PyTorch's empty_like: t's memory layout when t's elements tile its memory, else row-major.
  const std::vector<int64_t> perm = memory_order(t);
  int64_t expect = 1;
  bool dense = true;
  for (size_t k = perm.size(); k-- > 0;) {
    const size_t d = static_cast<size_t>(perm[k]);
    if (t->shape[d] != 1 && t->strides[d] != expect) dense = false;
    expect *= t->shape[d];
  }
  if (!dense || t->contiguous()) return empty(t->shape, dtype);
  Dims drawn_shape;
  for (int64_t d : perm) drawn_shape.push_back(t->shape[static_cast<size_t>(d)]);
  std::vector<int64_t> inverse(perm.size());
  for (size_t k = 0; k < perm.size(); ++k) inverse[static_cast<size_t>(perm[k])] = int64_t(k);
  return permute(empty(drawn_shape, dtype), inverse);
}

Tensor bernoulli(const Tensor& p, Generator* gen) {
  refuse_capture("bernoulli");
  check_floating("bernoulli", p);
  Tensor r = empty(p->shape, p->dtype);  // PyTorch's result is contiguous
  bernoulli_tensor(r, p, gen, "bernoulli");
  return r;
}

}  // namespace pyag
