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

bool all_zero(const Tensor& t) {
  capture::refuse("all_zero", "only a replayed step's guards run it");
  const char* b = t->data();
  const size_t bytes = static_cast<size_t>(t->numel) * itemsize(t->dtype);
  constexpr size_t kChunk = 4096;  // early exit per chunk; the inner loop vectorizes
  if (t->dtype == DType::Float32) {
    const size_t n = bytes / 4;
    for (size_t i = 0; i < n; i += kChunk) {
      const size_t e = std::min(n, i + kChunk);
      uint32_t acc = 0;
      for (size_t j = i; j < e; ++j) {
        uint32_t w;
        std::memcpy(&w, b + 4 * j, 4);
        acc |= w & 0x7fffffffu;
      }
      if (acc) return false;
    }
    return true;
  }
  const size_t n = bytes / 8;
  for (size_t i = 0; i < n; i += kChunk) {
    const size_t e = std::min(n, i + kChunk);
    uint64_t acc = 0;
    for (size_t j = i; j < e; ++j) {
      uint64_t w;
      std::memcpy(&w, b + 8 * j, 8);
      acc |= w & 0x7fffffffffffffffull;
    }
    if (acc) return false;
  }
  return true;
}

}  // namespace pyag
