// Fused optimizer updates: one pass over a parameter's memory updates it and its state from its
// gradient, in the parameter's dtype (float32 or float64) with PyTorch's sequence of roundings.
// All tensors of one parameter are contiguous, of one dtype and of one number of elements.
// Reached only through ops/optim.h's optim_step, the entry point a recorder intercepts.
#pragma once
#include "tensor/tensor.h"

namespace pyag {

enum class OptimKernel : uint8_t { Sgd, Adam, Rmsprop, Adagrad };
const char* op_name(OptimKernel k);

// The hyper-parameters of one step (which ones a kernel reads is listed with the kernel).
struct OptimHyper {
  double lr = 0, weight_decay = 0;
  double momentum = 0, dampening = 0;  // sgd; rmsprop (momentum)
  double beta1 = 0, beta2 = 0;         // adam; rmsprop (alpha = beta2)
  double eps = 0;                      // adam, rmsprop, adagrad
  double lr_decay = 0;                 // adagrad
  bool nesterov = false, maximize = false;
  bool amsgrad = false, decoupled_weight_decay = false;  // adam (AdamW: decoupled)
  bool centered = false;                                 // rmsprop
};

// One parameter: its gradient, its state slots and its step counter (a 0-d tensor of the
// parameter's dtype or float32, incremented by the kernel; Adam, RMSprop, Adagrad).
//   sgd:     state[0] = momentum buffer (when momentum != 0; `fresh`: first step, buf = d_p)
//   adam:    state[0] = exp_avg, state[1] = exp_avg_sq, state[2] = max_exp_avg_sq (amsgrad)
//   rmsprop: state[0] = square_avg, state[1] = momentum buffer (momentum > 0),
//            state[2] = grad_avg (centered)
//   adagrad: state[0] = sum
struct OptimParam {
  Tensor param, grad;
  Tensor state[3];
  Tensor step;
  bool fresh = false;
};

// Updates one parameter in place.
void optim_update(OptimKernel k, const OptimParam& p, const OptimHyper& h);

}  // namespace pyag
