// The nn layers' and losses' fused ops: validate -> cast/broadcast -> one kernel pass -> record
// one backward node (one kernel pass). Optional tensor arguments are empty Tensors.
#pragma once
#include <optional>
#include <vector>

#include "kernels/loss.h"
#include "tensor/tensor.h"

namespace pyag {

enum class Reduction : uint8_t { None, Mean, Sum };

struct Edge;
// create_graph=True (softmax.cpp): log-probabilities lp (made by a fused loss from its input) as
// the result of log_softmax(input, dim), input given by its edge, so they differentiate again.
Tensor log_softmax_history(const Tensor& lp, int64_t dim, const Edge& input);

// ---- losses (loss.cpp) ----
// mse, smooth_l1 (param = beta), huber (param = delta), bce (weight), bce_with_logits
// (weight, pos_weight). Input and target broadcast (bce and bce_with_logits: same shape) and
// promote to a float dtype; gradients flow to both. The weights take no gradient.
Tensor point_loss(PointLoss k, const Tensor& input, const Tensor& target, const Tensor& weight,
                  const Tensor& pos_weight, double param, Reduction r);
// |input - target| (times weight) reduced: sub, abs and a reduction, as PyTorch composes it
// (so the backward keeps input - target, not the inputs).
Tensor l1_loss(const Tensor& input, const Tensor& target, const Tensor& weight, Reduction r);
// Cross entropy of logits (n, c) with class indices (n,) int64 or class probabilities (n, c);
// 'none' gives the per-row losses in none_shape (n elements; default (n,)). weight: (c,) or
// empty. The backward keeps log_softmax(input), not the input.
Tensor cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight,
                     int64_t ignore_index, double label_smoothing, Reduction r,
                     const std::optional<Dims>& none_shape = std::nullopt);
// Negative log likelihood of log-probabilities (n, c) and class indices (n,).
Tensor nll_loss(const Tensor& input, const Tensor& target, const Tensor& weight,
                int64_t ignore_index, Reduction r,
                const std::optional<Dims>& none_shape = std::nullopt);

// ---- linear (linear.cpp) ----
// input (..., in) @ weight (out, in)^T + bias (out,) (or empty): one GEMM forward, two GEMMs and
// a column sum backward, no transposed copies.
Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias);

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
