// Loss kernels: one pass forward, one pass backward, on contiguous float32/float64 tensors of
// one dtype (the op layer casts, broadcasts and makes operands contiguous). Per-element
// arithmetic in the tensor's dtype, sums in double. Each function is a kernel entry point
// (the waist: a recorder of kernel calls intercepts here): its kernel id, output and input
// tensors and scalar parameters are its arguments.
#pragma once
#include "tensor/tensor.h"

namespace pyag {

// Elementwise losses of (x, y): mse (x-y)^2, smooth_l1 (beta = param), huber (delta = param),
// bce -(y log x + (1-y) log(1-x)) with logs clamped at -100, bce_with_logits (stable for large
// |x|; pos_weight). An optional per-element weight w multiplies the loss. (l1 is composed of
// sub, abs and a reduction, as PyTorch does: see ops/loss.cpp.)
enum class PointLoss : uint8_t { Mse, SmoothL1, Huber, Bce, BceWithLogits };
const char* op_name(PointLoss k);

// out = the per-element losses (out of x's shape), or, when out is 0-d, scale * their sum.
// w and pw (pos_weight, bce_with_logits only) may be empty; otherwise of x's shape.
void point_loss_forward_into(PointLoss k, const Tensor& out, const Tensor& x, const Tensor& y,
                             const Tensor& w, const Tensor& pw, double param, double scale);
// gx, gy (either may be empty) = the gradients for x and y given the output gradient g: of x's
// shape ('none'), or 0-d (times scale) for a reduced loss.
void point_loss_backward_into(PointLoss k, const Tensor& gx, const Tensor& gy, const Tensor& g,
                              const Tensor& x, const Tensor& y, const Tensor& w, const Tensor& pw,
                              double param, double scale);

// Cross entropy of logits x (rows n x classes c) with class-index targets (int64, n): writes
// lp = log_softmax(x) (n x c, what the backward needs) and loss_i = -(1 - eps) w_t lp_t -
// eps / c * sum_c w_c lp_c (0 for rows whose target is ignore_index). A row holding +inf or only
// -inf gives NaN, as log_softmax does. w (c classes) may be empty. Writes the total weight
// sum_i w_{t_i} of the rows that count (the 'mean' denominator) into total (0-d float64; a
// tensor, not a return value, so that a captured step recomputes it). Throws IndexError for a
// target outside [0, c) that is not ignore_index.
void cross_entropy_forward_into(const Tensor& loss, const Tensor& lp, const Tensor& x,
                                const Tensor& target, const Tensor& w, int64_t ignore_index,
                                double eps, const Tensor& total);
// gx = d loss / dx from lp, given g (n rows, or 0-d times scale, divided by total[0] when total
// is given: 'mean').
void cross_entropy_backward_into(const Tensor& gx, const Tensor& g, const Tensor& lp,
                                 const Tensor& target, const Tensor& w, int64_t ignore_index,
                                 double eps, double scale, const Tensor& total);
// Cross entropy with class probabilities y (n x c): loss_i = -sum_c w_c y'_c lp_c,
// y' = (1 - eps) y + eps / c.
void cross_entropy_soft_forward_into(const Tensor& loss, const Tensor& lp, const Tensor& x,
                                     const Tensor& y, const Tensor& w, double eps);
void cross_entropy_soft_backward_into(const Tensor& gx, const Tensor& gy, const Tensor& g,
                                      const Tensor& lp, const Tensor& y, const Tensor& w,
                                      double eps, double scale);

// out (0-d, rows' dtype) = the sum (in double) of a contiguous tensor of per-row losses, divided
// by total[0] (0-d float64) when total is given, else by div.
void loss_reduce_into(const Tensor& out, const Tensor& rows, double div, const Tensor& total);
// Whether every element of a contiguous float tensor lies in [0, 1] (bce's inputs).
bool all_in_unit_interval(const Tensor& t);

// Negative log likelihood of log-probabilities lp (n x c): loss_i = -w_t lp[i, t]. Writes the
// total weight of the rows that count into total, as cross_entropy_forward_into.
void nll_forward_into(const Tensor& loss, const Tensor& lp, const Tensor& target, const Tensor& w,
                      int64_t ignore_index, const Tensor& total);
// glp from g as cross_entropy_backward_into (scale, divided by total[0] when given).
void nll_backward_into(const Tensor& glp, const Tensor& g, const Tensor& target, const Tensor& w,
                       int64_t ignore_index, double scale, const Tensor& total);

}  // namespace pyag
