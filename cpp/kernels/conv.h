// Convolution kernels (im2col + GEMM) on contiguous float32/float64 tensors. Each function is
// a kernel entry point (the waist: a recorder of kernel calls intercepts here).
#pragma once
#include "tensor/tensor.h"

namespace pyag {

// The geometry of a 2-d convolution of x (n, c, h, w) with weight (o, c / groups, kh, kw) into
// out (n, o, oh, ow). A 1-d convolution is the same with h = kh = oh = 1. pt and pl are the
// zero padding before the first row and column (the padding after them is implied by oh, ow).
struct ConvGeom {
  int64_t n = 1, c = 1, h = 1, w = 1;
  int64_t o = 1, kh = 1, kw = 1;
  int64_t oh = 1, ow = 1;
  int64_t sh = 1, sw = 1, pt = 0, pl = 0, dh = 1, dw = 1, groups = 1;
};

// out = conv(x, weight) + bias (bias: o elements, or empty).
void conv2d_forward_into(const Tensor& out, const Tensor& x, const Tensor& weight,
                         const Tensor& bias, const ConvGeom& g);
// The gradients of x, weight and bias (each may be empty: not wanted) from the output's
// gradient gout (contiguous, out's shape). They are overwritten, not accumulated.
void conv2d_backward_into(const Tensor& gx, const Tensor& gweight, const Tensor& gbias,
                          const Tensor& gout, const Tensor& x, const Tensor& weight,
                          const ConvGeom& g);

}  // namespace pyag
