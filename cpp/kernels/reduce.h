// Reduction kernels on raw tensors.
#pragma once
#include "tensor/tensor.h"

namespace pyag {

// out += sum of `in` over the dims where out (right-aligned, keepdim form) has size 1 and in
// does not. out must be of in's dtype (or int64 for bool input) and is accumulated into.
void sum_into(const Tensor& out, const Tensor& in);
// out = max (or min) of in over everything; NaN propagates.
void extreme_all_into(const Tensor& out, const Tensor& in, bool is_max);
// values/indices (keepdim shape) = max (or min) of in along dim; first index among ties.
void extreme_dim_into(const Tensor& values, const Tensor& indices, const Tensor& in, int dim,
                      bool is_max);
// Number of true elements of a bool tensor.
int64_t count_true(const Tensor& mask);

}  // namespace pyag
