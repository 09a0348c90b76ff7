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
// out (keepdim form, in's floating dtype) = the variance of in over the dims where out has size 1
// and in does not, divided by max(0, N - correction), its square root when take_sqrt (taken in
// double, before the cast): PyTorch's CPU kernel, Welford's update in double per output element
// (so equal values give exactly 0).
void var_into(const Tensor& out, const Tensor& in, double correction, bool take_sqrt);
// As var_into, in two passes: the sum of (x - mean)^2 in double, mean a one-element tensor of
// in's dtype (PyTorch's std_var_all_cpu, for a result of one element).
void var_about_into(const Tensor& out, const Tensor& in, const Tensor& mean, double correction,
                    bool take_sqrt);
// Number of true elements of a bool tensor.
int64_t count_true(const Tensor& mask);

}  // namespace pyag
