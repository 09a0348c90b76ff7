// softmax and log_softmax along one dimension: one fused forward and one fused backward kernel
// each (kernel entry points of the waist). Tensors are contiguous, seen as (outer, n, inner)
// with the reduced dimension of size n in the middle.
#pragma once
#include <cstdint>

#include "tensor/tensor.h"

namespace pyag {

enum class SoftmaxKernel : uint8_t { softmax, log_softmax };

// out = softmax(x) (or log_softmax) along dim; x and out contiguous, same shape and dtype.
// Stable: exponentials of x - max only (no overflow at 1e4); a row holding +inf, or only -inf,
// gives NaN as in PyTorch.
void softmax_into(SoftmaxKernel k, const Tensor& out, const Tensor& x, int dim);
// grad_in from the incoming gradient g and the forward's output y (all contiguous, same shape):
// softmax: y * (g - sum(g * y)); log_softmax: g - exp(y) * sum(g).
void softmax_grad_into(SoftmaxKernel k, const Tensor& grad_in, const Tensor& g, const Tensor& y,
                       int dim);

}  // namespace pyag
