// clamp/clip, clamp_min and clamp_max with tensor bounds (PyTorch's clamp.Tensor overloads):
// the bounds broadcast with the input, take part in type promotion and receive gradients.
// The number-bound forms are the unary declarations (kernels/unary_ops.h).
#pragma once
#include <optional>

#include "ops/ops.h"

namespace pyag {

// A bound: a tensor, a Python number (promoted as a number, as PyTorch's wrapped scalars), or
// none.
struct ClampBound {
  Tensor t;
  std::optional<Scalar> s;
  bool given() const { return t || s; }
};

// `name` is the op the user called (clamp, clip, clamp_min, clamp_max), for errors.
Tensor clamp_tensor(const Tensor& x, const ClampBound& lo, const ClampBound& hi, const char* name);
const Tensor& clamp_tensor_(const Tensor& self, const ClampBound& lo, const ClampBound& hi,
                            const char* name);

}  // namespace pyag
