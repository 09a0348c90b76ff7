// Replay-only kernels of pyautograd.compile's fusions (kernels/fused.h).
#include "kernels/fused.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "capture/hooks.h"

namespace pyag {

void sub_scaled_into(const Tensor& p, const Tensor& x, double s) {
  capture::refuse("sub_scaled", "only a replayed step runs it");
  dispatch_float(p->dtype, [&](auto v) {
    using T = decltype(v);
    T* pp = p->data_as<T>();
    const T* xp = x->data_as<T>();
    const T a = static_cast<T>(s);
    const int64_t n = p->numel;
    for (int64_t i = 0; i < n; ++i) {
      const T step = a * xp[i];  // rounded to T first, as the two-kernel form
      pp[i] = pp[i] - step;
    }
  });
}

namespace {

// True when every Word of b[0, n) is +-0 (the sign bit masked off), checked a chunk at a time:
// an early exit per chunk, and an inner loop the compiler vectorizes.
template <class Word>
bool zero_words(const char* b, size_t n, Word magnitude) {
  constexpr size_t kChunk = 4096;
  for (size_t i = 0; i < n; i += kChunk) {
    const size_t e = std::min(n, i + kChunk);
    Word acc = 0;
    for (size_t j = i; j < e; ++j) {
      Word w;
      std::memcpy(&w, b + sizeof(Word) * j, sizeof(Word));
      acc |= w & magnitude;
    }
    if (acc) return false;
  }
  return true;
}

}  // namespace

bool all_zero(const Tensor& t) {
  capture::refuse("all_zero", "only a replayed step's guards run it");
  const size_t bytes = static_cast<size_t>(t->numel) * itemsize(t->dtype);
  if (t->dtype == DType::Float32) return zero_words<uint32_t>(t->data(), bytes / 4, 0x7fffffffu);
  return zero_words<uint64_t>(t->data(), bytes / 8, 0x7fffffffffffffffull);
}

}  // namespace pyag
