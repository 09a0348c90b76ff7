// Validation and bookkeeping of the fused optimizer step (kernels in kernels/optim.cpp).
#include "ops/optim.h"

#include "capture/hooks.h"
#include "kernels/elementwise.h"
#include "ops/ops.h"

namespace pyag {
namespace {

// Which state slots kernel k reads and writes under hyper-parameters h.
void required_slots(OptimKernel k, const OptimHyper& h, bool (&need)[3], bool& need_step) {
  need[0] = need[1] = need[2] = false;
  need_step = false;
  switch (k) {
    case OptimKernel::Sgd:
      need[0] = h.momentum != 0;
      return;
    case OptimKernel::Adam:
      need[0] = need[1] = need_step = true;
      need[2] = h.amsgrad;
      return;
    case OptimKernel::Rmsprop:
      need[0] = need_step = true;
      need[1] = h.momentum > 0;
      need[2] = h.centered;
      return;
    case OptimKernel::Adagrad:
      need[0] = need_step = true;
      return;
  }
}

void check_param(OptimKernel k, const OptimParam& p, const OptimHyper& h, size_t i) {
  const char* op = op_name(k);
  if (!p.param || !p.grad) fail(op, "parameter ", i, ": missing parameter or gradient");
  if (!is_floating(p.param->dtype))
    fail<TypeError>(op, "parameter ", i, " must be floating point, got ", describe(p.param));
  if (p.grad->shape != p.param->shape || p.grad->dtype != p.param->dtype)
    fail(op, "parameter ", i, " is a ", describe(p.param), " but its gradient is a ",
         describe(p.grad));
  bool need[3], need_step;
  required_slots(k, h, need, need_step);
  for (int s = 0; s < 3; ++s) {
    if (!need[s]) continue;
    const Tensor& t = p.state[s];
    if (!t) fail(op, "parameter ", i, ": state slot ", s, " is missing");
    if (t->numel != p.param->numel || t->dtype != p.param->dtype || !t->contiguous())
      fail(op, "parameter ", i, ": state slot ", s, " must be a contiguous ",
           dtype_name(p.param->dtype), " tensor of ", p.param->numel, " elements, got ",
           describe(t));
  }
  if (need_step && (!p.step || p.step->numel != 1 || !is_floating(p.step->dtype)))
    fail(op, "parameter ", i, ": the step counter must be a one-element float tensor");
}

}  // namespace

void optim_step(OptimKernel k, const std::vector<OptimParam>& params, const OptimHyper& h) {
  capture::Waist rec;
  if (rec) rec->optim(k, params, h);
  // The waist: a recorder of kernel calls intercepts here (kernel k, the tensors of params,
  // the scalars of h).
  for (size_t i = 0; i < params.size(); ++i) check_param(k, params[i], h, i);
  for (const OptimParam& p : params) {
    bool need[3], need_step;
    required_slots(k, h, need, need_step);
    if (p.param->contiguous() && p.grad->contiguous()) {
      optim_update(k, p, h);
    } else {  // rare: strided parameters or gradients go through contiguous copies
      OptimParam c = p;
      c.param = contiguous(detach(p.param));
      c.grad = contiguous(detach(p.grad));
      optim_update(k, c, h);
      copy_into(p.param, c.param);
    }
    p.param->bump_version();
    for (int s = 0; s < 3; ++s)
      if (need[s]) p.state[s]->bump_version();
    if (need_step) p.step->bump_version();
  }
}

}  // namespace pyag
