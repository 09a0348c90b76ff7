// Pooling and padding kernels on contiguous float32/float64 tensors, seen as planes: x is
// (planes, h, w) and out (planes, oh, ow) (a 1-d pooling has h = oh = kh = 1). Each function
// is a kernel entry point (the waist: a recorder of kernel calls intercepts here).
#pragma once
#include <array>

#include "tensor/tensor.h"

namespace pyag {

struct PoolGeom {
  int64_t planes = 1, h = 1, w = 1, oh = 1, ow = 1;
  int64_t kh = 1, kw = 1, sh = 1, sw = 1, ph = 0, pw = 0, dh = 1, dw = 1;
};

// Max over each (dilated) window; indices (int64, out's shape) get the flat position h * w + x
// of each maximum within its plane (the first one; NaN wins, as in PyTorch).
void max_pool2d_forward_into(const Tensor& out, const Tensor& indices, const Tensor& x,
                             const PoolGeom& g);
// gx = 0, then gx[plane, indices] += gout (also the backward of adaptive max pooling).
void max_pool2d_backward_into(const Tensor& gx, const Tensor& gout, const Tensor& indices);

// Mean over each window; the divisor is divisor_override when > 0, else the window's size
// within the padded input (count_include_pad) or within the input (PyTorch's rules).
void avg_pool2d_forward_into(const Tensor& out, const Tensor& x, const PoolGeom& g,
                             bool count_include_pad, int64_t divisor_override);
void avg_pool2d_backward_into(const Tensor& gx, const Tensor& gout, const PoolGeom& g,
                              bool count_include_pad, int64_t divisor_override);

// Adaptive pooling: output cell i covers [floor(i * in / out), ceil((i + 1) * in / out)) in each
// dim (g's k/s/p/d are unused).
void adaptive_avg_pool2d_forward_into(const Tensor& out, const Tensor& x, const PoolGeom& g);
void adaptive_avg_pool2d_backward_into(const Tensor& gx, const Tensor& gout, const PoolGeom& g);
void adaptive_max_pool2d_forward_into(const Tensor& out, const Tensor& indices, const Tensor& x,
                                      const PoolGeom& g);

// Padding of the last three dims of x seen as (planes, d, h, w) into out (planes, od, oh, ow):
// pads[2 * k], pads[2 * k + 1] are the amounts before and after dim k (d, h, w; negative
// crops). Modes: constant (value), reflect, replicate, circular.
enum class PadMode : uint8_t { Constant, Reflect, Replicate, Circular };
struct PadGeom {
  int64_t planes = 1;
  std::array<int64_t, 3> in{1, 1, 1}, out{1, 1, 1}, before{0, 0, 0};
};
void pad_forward_into(const Tensor& out, const Tensor& x, const PadGeom& g, PadMode mode,
                      double value);
// gx = 0, then every output element's gradient is added to the input element it copied.
void pad_backward_into(const Tensor& gx, const Tensor& gout, const PadGeom& g, PadMode mode);

}  // namespace pyag
