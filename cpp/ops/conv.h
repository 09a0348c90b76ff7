// Convolution, pooling and padding ops (nn.Conv1d/2d, MaxPool, AvgPool, AdaptiveAvgPool/
// AdaptiveMaxPool, F.pad): validate -> one kernel pass -> record one backward node. Each takes
// the Python name of the function it serves (`op`, for errors) and the number of spatial
// dims (1 or 2); inputs are batched (n, c, *spatial) or unbatched (c, *spatial).
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "kernels/pool.h"
#include "tensor/tensor.h"

namespace pyag {

using IntList = std::vector<int64_t>;

// Convolution of input with weight (o, c / groups, *kernel) plus bias (o,) or empty. stride,
// padding and dilation have one value per spatial dim; same_padding: PyTorch's
// padding='same' (the padding that keeps the size; stride must be 1).
Tensor convolution(const Tensor& input, const Tensor& weight, const Tensor& bias,
                   const IntList& stride, const IntList& padding, const IntList& dilation,
                   int64_t groups, bool same_padding, const char* op);

// Max pooling; returns the output and the int64 indices of the maxima (flat within each
// input plane, as PyTorch's return_indices gives them).
std::pair<Tensor, Tensor> max_pool(const Tensor& input, const IntList& kernel_size,
                                   const IntList& stride, const IntList& padding,
                                   const IntList& dilation, bool ceil_mode, const char* op);
Tensor avg_pool(const Tensor& input, const IntList& kernel_size, const IntList& stride,
                const IntList& padding, bool ceil_mode, bool count_include_pad,
                int64_t divisor_override, const char* op);
// output_size: one entry per spatial dim; -1 keeps the input's size (PyTorch's None).
Tensor adaptive_avg_pool(const Tensor& input, const IntList& output_size, const char* op);
std::pair<Tensor, Tensor> adaptive_max_pool(const Tensor& input, const IntList& output_size,
                                            const char* op);

// F.pad: pads (before, after) pairs starting from the last dim; mode constant (value),
// reflect, replicate or circular.
Tensor pad(const Tensor& input, const IntList& pads, const std::string& mode, double value);

}  // namespace pyag
