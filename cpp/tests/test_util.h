// Shared helpers of the C++ tests. Elements are read and written by walking (offset, strides)
// here, not through the code under test; expectations come from the naive references below
// (plain double arithmetic over index tuples).
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <vector>

#include "kernels/elementwise.h"
#include "ops/ops.h"
#include "tensor/tensor.h"

namespace pyag {
// Lets GoogleTest print shapes as "(2, 3)".
inline void PrintTo(const Dims& d, std::ostream* os) { *os << shape_str(d); }
}  // namespace pyag

namespace pyag::test {

using Index = std::vector<int64_t>;
using Values = std::vector<double>;

// ---- index tuples ----

// Calls f(index) for every index tuple of `shape` in row-major order (once for a 0-d shape).
template <class F>
void for_each_index(const Dims& shape, F&& f) {
  for (int64_t s : shape)
    if (s == 0) return;
  Index idx(static_cast<size_t>(shape.size()), 0);
  for (;;) {
    f(static_cast<const Index&>(idx));
    int d = shape.size() - 1;
    for (; d >= 0; --d) {
      if (++idx[static_cast<size_t>(d)] < shape[d]) break;
      idx[static_cast<size_t>(d)] = 0;
    }
    if (d < 0) return;
  }
}

// The index into an operand of shape `in` that broadcasting reads for output index `out_idx`.
inline Index bcast_index(const Index& out_idx, const Dims& in) {
  Index r(static_cast<size_t>(in.size()));
  const size_t lead = out_idx.size() - static_cast<size_t>(in.size());
  for (int d = 0; d < in.size(); ++d)
    r[static_cast<size_t>(d)] = in[d] == 1 ? 0 : out_idx[lead + static_cast<size_t>(d)];
  return r;
}

inline int64_t numel(const Dims& shape) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  return n;
}

// ---- raw element access ----

inline int64_t element_offset(const Tensor& t, const Index& idx) {
  int64_t off = t->offset;
  for (size_t d = 0; d < idx.size(); ++d) off += idx[d] * t->strides[static_cast<int>(d)];
  return off;
}

inline double read_raw(const Tensor& t, int64_t off) {
  const char* p =
      static_cast<const char*>(t->storage->data) + off * static_cast<int64_t>(itemsize(t->dtype));
  if (t->dtype == DType::Bool) {
    uint8_t v;  // the raw byte: a kernel that stores 2 into a bool is caught
    std::memcpy(&v, p, 1);
    return v;
  }
  return dispatch(t->dtype, [&](auto z) {
    decltype(z) v;
    std::memcpy(&v, p, sizeof v);
    return static_cast<double>(v);
  });
}

inline void write_raw(const Tensor& t, int64_t off, double v) {
  char* p = static_cast<char*>(t->storage->data) + off * static_cast<int64_t>(itemsize(t->dtype));
  dispatch(t->dtype, [&](auto z) {
    using T = decltype(z);
    const T x = std::is_same_v<T, bool> ? T(v != 0) : static_cast<T>(v);
    std::memcpy(p, &x, sizeof x);
  });
}

inline double at(const Tensor& t, const Index& idx) { return read_raw(t, element_offset(t, idx)); }
inline void set_at(const Tensor& t, const Index& idx, double v) {
  write_raw(t, element_offset(t, idx), v);
}

// The elements in row-major (logical) order.
inline Values values(const Tensor& t) {
  Values v;
  for_each_index(t->shape, [&](const Index& i) { v.push_back(at(t, i)); });
  return v;
}

// The value `v` rounded to what a tensor of dtype `dt` holds.
inline double to_dtype(double v, DType dt) {
  switch (dt) {
    case DType::Bool:
      return v != 0;
    case DType::UInt8:
      return static_cast<double>(static_cast<uint8_t>(static_cast<int64_t>(v)));
    case DType::Int8:
      return static_cast<double>(static_cast<int8_t>(static_cast<int64_t>(v)));
    case DType::Int16:
      return static_cast<double>(static_cast<int16_t>(static_cast<int64_t>(v)));
    case DType::Int32:
      return static_cast<double>(static_cast<int32_t>(static_cast<int64_t>(v)));
    case DType::Int64:
      return static_cast<double>(static_cast<int64_t>(v));
    case DType::Float16:
    case DType::BFloat16:
    case DType::Float32:
      return static_cast<float>(v);
    case DType::Float64:
      break;
  }
  return v;
}

// ---- tensor makers ----

// A fresh contiguous tensor holding `vals` (row-major).
inline Tensor from_values(const Values& vals, const Dims& shape, DType dt = DType::Float64) {
  Tensor t = empty(shape, dt);
  size_t k = 0;
  for_each_index(shape, [&](const Index& i) { set_at(t, i, vals.at(k++)); });
  EXPECT_EQ(k, vals.size()) << "from_values: wrong number of values for " << shape_str(shape);
  return t;
}

inline Tensor scalar(double v, DType dt = DType::Float64) { return from_values({v}, Dims{}, dt); }

// A leaf that requires grad.
inline Tensor leaf(const Values& vals, const Dims& shape, DType dt = DType::Float64) {
  Tensor t = from_values(vals, shape, dt);
  t->meta().requires_grad = true;
  return t;
}

inline Tensor grad_of(const Tensor& t) { return t->autograd ? t->autograd->grad : nullptr; }

// How a tensor's elements sit in memory.
enum class Layout { Contiguous, Transposed, Sliced, Broadcast };
constexpr Layout kAllLayouts[] = {Layout::Contiguous, Layout::Transposed, Layout::Sliced,
                                  Layout::Broadcast};
constexpr Layout kOutLayouts[] = {Layout::Contiguous, Layout::Transposed, Layout::Sliced};

inline const char* layout_name(Layout l) {
  switch (l) {
    case Layout::Contiguous:
      return "contiguous";
    case Layout::Transposed:
      return "transposed";
    case Layout::Sliced:
      return "sliced";
    case Layout::Broadcast:
      return "broadcast";
  }
  return "?";
}

inline double sentinel(DType dt) { return dt == DType::Bool ? 1.0 : 77.0; }

// An uninitialised view of `shape` laid out as `layout`: Transposed reverses the memory order
// of the dims, Sliced takes every other element starting at 1 in every dim, Broadcast gives
// dim 0 stride 0. Storage elements outside the view hold sentinel(dt).
inline Tensor make_layout(const Dims& shape, DType dt, Layout layout) {
  const int n = shape.size();
  if (layout == Layout::Broadcast && (n == 0 || shape[0] <= 1)) layout = Layout::Contiguous;
  Dims base_shape = shape;
  Tensor base, view;
  switch (layout) {
    case Layout::Contiguous:
      base = empty(shape, dt);
      break;
    case Layout::Transposed:
      for (int d = 0; d < n; ++d) base_shape[d] = shape[n - 1 - d];
      break;
    case Layout::Sliced:
      for (int d = 0; d < n; ++d) base_shape[d] = 2 * shape[d] + 2;
      break;
    case Layout::Broadcast:
      base_shape[0] = 1;
      break;
  }
  if (!base) base = empty(base_shape, dt);
  const int64_t count = static_cast<int64_t>(base->storage->nbytes / itemsize(dt));
  for (int64_t i = 0; i < count; ++i) write_raw(base, i, sentinel(dt));
  Dims st = base->strides;
  int64_t offset = 0;
  switch (layout) {
    case Layout::Contiguous:
      return base;
    case Layout::Transposed:
      for (int d = 0; d < n; ++d) st[d] = base->strides[n - 1 - d];
      break;
    case Layout::Sliced:
      for (int d = 0; d < n; ++d) st[d] = 2 * base->strides[d], offset += base->strides[d];
      break;
    case Layout::Broadcast:
      st[0] = 0;
      break;
  }
  return make_view(base, shape, st, offset);
}

// A random value of dtype dt in [lo, hi] (bool: 0 or 1; int64: an integer).
inline double random_value(std::mt19937& rng, DType dt, double lo, double hi) {
  if (dt == DType::Bool) return static_cast<double>(rng() % 2);
  if (dt == DType::Int64)
    return static_cast<double>(std::uniform_int_distribution<int64_t>(
        static_cast<int64_t>(lo), static_cast<int64_t>(hi))(rng));
  return to_dtype(std::uniform_real_distribution<double>(lo, hi)(rng), dt);
}

// A tensor of `shape` in `layout` whose elements are gen() in row-major order (for Broadcast the
// last value written along dim 0 wins).
template <class G>
Tensor generated(const Dims& shape, DType dt, Layout layout, G&& gen) {
  Tensor t = make_layout(shape, dt, layout);
  for_each_index(shape, [&](const Index& i) { set_at(t, i, gen()); });
  return t;
}

// A tensor of `shape` in `layout` filled with random values in [lo, hi].
inline Tensor random_tensor(const Dims& shape, DType dt, Layout layout, std::mt19937& rng,
                            double lo = -2, double hi = 2) {
  return generated(shape, dt, layout, [&] { return random_value(rng, dt, lo, hi); });
}

// Random multiples of 0.5 in [lo, hi] (integers for int64, 0/1 for bool): many exact ties.
inline Tensor coarse_tensor(const Dims& shape, DType dt, Layout layout, std::mt19937& rng,
                            double lo = -2, double hi = 2) {
  const bool half = is_floating(dt);
  return generated(shape, dt, layout, [&] {
    if (dt == DType::Bool) return static_cast<double>(rng() % 2);
    const int64_t steps = static_cast<int64_t>((hi - lo) * (half ? 2 : 1));
    const int64_t k = std::uniform_int_distribution<int64_t>(0, steps)(rng);
    return lo + static_cast<double>(k) * (half ? 0.5 : 1.0);
  });
}

// A tensor of `shape` in `layout` holding vals (row-major); not for Layout::Broadcast.
inline Tensor laid_out(const Values& vals, const Dims& shape, DType dt, Layout layout) {
  Tensor t = make_layout(shape, dt, layout);
  size_t k = 0;
  for_each_index(shape, [&](const Index& i) { set_at(t, i, vals.at(k++)); });
  return t;
}

// ---- comparisons ----

struct Tol {
  double rtol, atol;
};
inline Tol tol_for(DType dt) {
  if (dt == DType::Float32) return {2e-6, 1e-6};
  if (dt == DType::Float64) return {1e-12, 1e-14};
  return {0, 0};
}

inline bool close(double a, double e, Tol tol) {
  if (std::isnan(e)) return std::isnan(a);
  if (a == e) return true;
  return std::fabs(a - e) <= tol.atol + tol.rtol * std::fabs(e);
}

// The helpers below report failures at their caller's line (GCC/Clang builtins).
#define PYAG_CALLER const char *file = __builtin_FILE(), int line = __builtin_LINE()
#define PYAG_AT_CALLER ::testing::ScopedTrace caller_trace(file, line, "called from here")

inline void expect_values(const Tensor& t, const Values& expected, Tol tol, PYAG_CALLER) {
  PYAG_AT_CALLER;
  const Values got = values(t);
  ASSERT_EQ(got.size(), expected.size()) << "for " << describe(t);
  int bad = 0;
  for (size_t i = 0; i < got.size() && bad < 5; ++i) {
    if (close(got[i], expected[i], tol)) continue;
    ++bad;
    ADD_FAILURE() << "element " << i << ": got " << got[i] << ", expected " << expected[i] << " ("
                  << describe(t) << ")";
  }
}
inline void expect_values(const Tensor& t, const Values& expected, PYAG_CALLER) {
  expect_values(t, expected, tol_for(t->dtype), file, line);
}

// Storage elements outside the view `t` (see make_layout) must still hold the sentinel.
inline void expect_gaps_untouched(const Tensor& t, PYAG_CALLER) {
  PYAG_AT_CALLER;
  const int64_t count = static_cast<int64_t>(t->storage->nbytes / itemsize(t->dtype));
  std::vector<bool> covered(static_cast<size_t>(count), false);
  for_each_index(
      t->shape, [&](const Index& i) { covered[static_cast<size_t>(element_offset(t, i))] = true; });
  for (int64_t i = 0; i < count; ++i) {
    if (covered[static_cast<size_t>(i)]) continue;
    ASSERT_EQ(read_raw(t, i), sentinel(t->dtype)) << "storage element " << i << " was written";
  }
}

// ---- exceptions ----

// f() must throw exactly E with a message starting with `prefix` and containing every part.
template <class E, class F>
void expect_error(F&& f, const std::string& prefix, const std::vector<std::string>& parts = {},
                  PYAG_CALLER) {
  PYAG_AT_CALLER;
  try {
    f();
  } catch (const E& e) {
    const std::string msg = e.what();
    EXPECT_EQ(msg.rfind(prefix, 0), 0u)
        << "message does not start with '" << prefix << "': " << msg;
    for (const std::string& p : parts)
      EXPECT_NE(msg.find(p), std::string::npos) << "missing '" << p << "' in: " << msg;
    return;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected " << typeid(E).name() << ", got " << typeid(e).name() << ": "
                  << e.what();
    return;
  }
  ADD_FAILURE() << "expected " << typeid(E).name() << ", nothing was thrown";
}

// ---- naive references ----

inline bool is_comparison(BinaryKernel op) {
  return op == BinaryKernel::eq || op == BinaryKernel::ne || op == BinaryKernel::lt ||
         op == BinaryKernel::le || op == BinaryKernel::gt || op == BinaryKernel::ge;
}
inline bool is_bitwise(BinaryKernel op) {
  return op == BinaryKernel::bitwise_and || op == BinaryKernel::bitwise_or ||
         op == BinaryKernel::bitwise_xor;
}

// Whether the kernels define op for dtype dt.
inline bool defined_for(BinaryKernel op, DType dt) { return !is_bitwise(op) || !is_floating(dt); }
inline bool defined_for(UnaryKernel op, DType dt) {
  if (dt == DType::Bool)  // sign(bool) is bool, as PyTorch; abs(bool) is an error
    return op == UnaryKernel::bitwise_not || op == UnaryKernel::sign;
  if (dt == DType::Int64)
    return op == UnaryKernel::neg || op == UnaryKernel::abs || op == UnaryKernel::relu ||
           op == UnaryKernel::sign || op == UnaryKernel::square || op == UnaryKernel::bitwise_not;
  return op != UnaryKernel::bitwise_not;
}

inline double ref_binary(BinaryKernel op, double a, double b, DType dt) {
  const bool integral = !is_floating(dt);
  switch (op) {
    case BinaryKernel::add:
      return to_dtype(a + b, dt);
    case BinaryKernel::sub:
      return to_dtype(a - b, dt);
    case BinaryKernel::mul:
      return to_dtype(a * b, dt);
    case BinaryKernel::div:
      return to_dtype(integral ? std::trunc(a / b) : a / b, dt);
    case BinaryKernel::pow:
      return to_dtype(integral ? std::trunc(std::pow(a, b)) : std::pow(a, b), dt);
    case BinaryKernel::maximum:
      return std::isnan(a) || std::isnan(b) ? NAN : std::fmax(a, b);
    case BinaryKernel::minimum:
      return std::isnan(a) || std::isnan(b) ? NAN : std::fmin(a, b);
    // bitwise ops: bool and int64 only (bool: logical)
    case BinaryKernel::bitwise_and:
      return static_cast<double>(static_cast<int64_t>(a) & static_cast<int64_t>(b));
    case BinaryKernel::bitwise_or:
      return static_cast<double>(static_cast<int64_t>(a) | static_cast<int64_t>(b));
    case BinaryKernel::bitwise_xor:
      return static_cast<double>(static_cast<int64_t>(a) ^ static_cast<int64_t>(b));
    case BinaryKernel::eq:
      return a == b;
    case BinaryKernel::ne:
      return a != b;
    case BinaryKernel::lt:
      return a < b;
    case BinaryKernel::le:
      return a <= b;
    case BinaryKernel::gt:
      return a > b;
    case BinaryKernel::ge:
      return a >= b;
    default:  // no reference for the other declared ops
      break;
  }
  return NAN;
}

inline double ref_unary(UnaryKernel op, double x, DType dt) {
  switch (op) {
    case UnaryKernel::neg:
      return to_dtype(-x, dt);
    case UnaryKernel::abs:
      return to_dtype(std::fabs(x), dt);
    case UnaryKernel::exp:
      return to_dtype(std::exp(x), dt);
    case UnaryKernel::log:
      return to_dtype(std::log(x), dt);
    case UnaryKernel::sqrt:
      return to_dtype(std::sqrt(x), dt);
    case UnaryKernel::tanh:
      return to_dtype(std::tanh(x), dt);
    case UnaryKernel::sigmoid:
      return to_dtype(1.0 / (1.0 + std::exp(-x)), dt);
    case UnaryKernel::relu:
      return std::isnan(x) || x > 0 ? x : 0.0;  // NaN propagates (PyTorch)
    case UnaryKernel::sign:
      return x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0);
    case UnaryKernel::square:
      return to_dtype(x * x, dt);
    case UnaryKernel::bitwise_not:  // bool and int64 only
      return dt == DType::Bool ? x == 0 : static_cast<double>(~static_cast<int64_t>(x));
    default:  // no reference for the other declared ops
      break;
  }
  return NAN;
}

// The named op (ops/ops.h) of a kernel id, for tests that loop over ops.
template <class A, class B>
Tensor call_binary(BinaryKernel k, const A& a, const B& b) {
  switch (k) {
#define PYAG_X(op)       \
  case BinaryKernel::op: \
    return op(a, b);
    PYAG_BINARY_OPS(PYAG_X)
#undef PYAG_X
  }
  return nullptr;
}

// Row-major values of a (m, k) @ b (k, n).
inline Values ref_mm(const Tensor& a, const Tensor& b) {
  const int64_t m = a->shape[0], k = a->shape[1], n = b->shape[1];
  Values r;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double acc = 0;
      for (int64_t p = 0; p < k; ++p) acc += at(a, {i, p}) * at(b, {p, j});
      r.push_back(acc);
    }
  return r;
}

}  // namespace pyag::test
