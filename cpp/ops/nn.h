// The nn layers' and losses' fused ops: validate -> cast/broadcast -> one kernel pass -> record
// one backward node (one kernel pass). Optional tensor arguments are empty Tensors.
#pragma once
#include <vector>

#include "kernels/loss.h"
#include "tensor/tensor.h"

namespace pyag {

enum class Reduction : uint8_t { None, Mean, Sum };

// ---- losses (loss.cpp) ----
// mse, l1, smooth_l1 (param = beta), huber (param = delta), bce (weight), bce_with_logits
// (weight, pos_weight). Input and target broadcast (bce and bce_with_logits: same shape);
// gradients flow to both. The weights take no gradient.
Tensor point_loss(PointLoss k, const Tensor& input, const Tensor& target, const Tensor& weight,
                  const Tensor& pos_weight, double param, Reduction r);
// Cross entropy of logits (n, c) with class indices (n,) int64 or class probabilities (n, c);
// 'none' gives (n,) per-row losses. weight: (c,) or empty.
Tensor cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight,
                     int64_t ignore_index, double label_smoothing, Reduction r);
// Negative log likelihood of log-probabilities (n, c) and class indices (n,).
Tensor nll_loss(const Tensor& input, const Tensor& target, const Tensor& weight,
                int64_t ignore_index, Reduction r);

// ---- normalization (norm.cpp) ----
// Layer norm over the trailing dims `normalized_shape` of input; weight/bias of that shape or
// empty.
Tensor layer_norm(const Tensor& input, const Dims& normalized_shape, const Tensor& weight,
                  const Tensor& bias, double eps);
// Batch norm of input (n, c) or (n, c, l...): batch statistics when `training` (then the
// running statistics, when given, are updated in place with `momentum`), else the running
// statistics. weight/bias: (c,) or empty.
Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& weight, const Tensor& bias, bool training, double momentum,
                  double eps);

}  // namespace pyag
