// Normalization kernels on contiguous float32/float64 tensors (statistics in double). Each
// function is a kernel entry point (the waist: a recorder of kernel calls intercepts here).
#pragma once
#include "tensor/tensor.h"

namespace pyag {

// Layer norm over the rows of x viewed as (m, d): y = (x - mean) * rstd * w + b, with
// rstd = 1 / sqrt(var + eps) (biased variance). w and b (d elements) may be empty. Writes
// mean and rstd (m elements) for the backward pass.
void layer_norm_forward_into(const Tensor& y, const Tensor& mean, const Tensor& rstd,
                             const Tensor& x, const Tensor& w, const Tensor& b, int64_t d,
                             double eps);
// gx, gw, gb (each may be empty) from the output gradient g (x's shape).
void layer_norm_backward_into(const Tensor& gx, const Tensor& gw, const Tensor& gb, const Tensor& g,
                              const Tensor& x, const Tensor& mean, const Tensor& rstd,
                              const Tensor& w, int64_t d);

// Batch norm of x viewed as (n, c, l), per channel c over n * l values.
// Per-channel mean and biased variance of x.
void batch_norm_stats_into(const Tensor& mean, const Tensor& var, const Tensor& x, int64_t c);
// y = (x - mean) * invstd * w + b; w and b (c elements) may be empty.
void batch_norm_forward_into(const Tensor& y, const Tensor& x, const Tensor& mean,
                             const Tensor& invstd, const Tensor& w, const Tensor& b, int64_t c);
// Gradients; `batch_stats`: mean and invstd were computed from x (training), so the gradient
// flows through them too; otherwise they were constants (running statistics).
void batch_norm_backward_into(const Tensor& gx, const Tensor& gw, const Tensor& gb, const Tensor& g,
                              const Tensor& x, const Tensor& mean, const Tensor& invstd,
                              const Tensor& w, int64_t c, bool batch_stats);
// running = (1 - momentum) * running + momentum * stat (the variance unbiased by count/(count-1)).
void batch_norm_update_running(const Tensor& running_mean, const Tensor& running_var,
                               const Tensor& mean, const Tensor& var, int64_t count,
                               double momentum);

}  // namespace pyag
