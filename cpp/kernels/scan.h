// Products, running sums and products on raw tensors (prod, cumsum, cumprod). Part of the kernel
// waist (cpp/ops/README.md).
#pragma once
#include "tensor/tensor.h"

namespace pyag {

// out *= the product of `in` over the dims where out (keepdim form) has size 1 and in does
// not. out is of in's dtype, or int64 for bool and integer input (the caller fills it with 1).
void prod_into(const Tensor& out, const Tensor& in);
// out = the running sum of `in` along dim (from the end when reverse); out has in's shape and
// in's dtype, or int64 for bool input; float sums accumulate in double.
void cumsum_into(const Tensor& out, const Tensor& in, int dim, bool reverse);
// out = the running product of `in` along dim; out as for cumsum_into.
void cumprod_into(const Tensor& out, const Tensor& in, int dim);
// The gradient of cumprod along dim, exact with zeros and without division: out[i] =
// prod(x[:i]) * s[i], where s[n-1] = g[n-1] and s[i] = g[i] + x[i+1] * s[i+1]. All three of x's
// (floating) dtype and shape.
void cumprod_grad_into(const Tensor& out, const Tensor& g, const Tensor& x, int dim);

}  // namespace pyag
