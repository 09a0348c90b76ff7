// Kernels that only a replayed step runs: what pyautograd.compile's fusions (capture/fuse.cpp)
// put in place of several recorded calls, and the checks its guards make. They refuse to be
// captured (nothing records a call to them: replay makes them).
#pragma once
#include "tensor/tensor.h"

namespace pyag {

// p = p - T(s) * x elementwise, in one pass, for contiguous float32/float64 p and x of p's
// shape and dtype: the rounding of `p -= s * x` computed as two kernels (the product rounded
// to T, then the difference).
void sub_scaled_into(const Tensor& p, const Tensor& x, double s);

// Whether every element of a contiguous float32/float64 tensor is zero (+0 or -0).
bool all_zero(const Tensor& t);

}  // namespace pyag
