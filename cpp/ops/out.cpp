// The out= argument of the functions that PyTorch gives one (torch.sin(x, out=y)): the result,
// computed as usual, written into a given tensor under PyTorch's rules.
#include "autograd/grad_mode.h"
#include "kernels/elementwise.h"
#include "ops/ops.h"

namespace pyag {

bool can_cast(DType from, DType to) {  // PyTorch's canCast: no float -> integer, no number -> bool
  if (is_floating(from) && !is_floating(to)) return false;
  if (from != DType::Bool && to == DType::Bool) return false;
  return true;
}

const Tensor& write_out(const Tensor& out, const Tensor& result, const char* op, OutDtype rule) {
  if (GradMode::enabled() && (result->requires_grad() || out->requires_grad()))
    fail(op,
         "functions with out=... arguments don't support automatic differentiation, but one of "
         "the arguments requires grad");
  if (rule == OutDtype::Exact && result->dtype != out->dtype)
    fail(op, "out= must have the result's dtype ", dtype_name(result->dtype), ", got ",
         dtype_name(out->dtype));
  if (!can_cast(result->dtype, out->dtype)) {
    const std::string why =
        cat("result type ", dtype_name(result->dtype), " can't be cast to the desired output type ",
            dtype_name(out->dtype));
    if (rule == OutDtype::CastTypeError) fail<TypeError>(op, why);
    fail(op, why);
  }
  if (out->shape != result->shape) {  // PyTorch resizes out to the result's shape
    if (out->is_view)
      fail(op, "out= is a view of shape ", shape_str(out->shape),
           " and cannot be resized to the result's shape ", shape_str(result->shape));
    if (out->numel != 0)
      warn(op, "an output with one or more elements was resized since it had shape ",
           shape_str(out->shape), ", which does not match the required output shape ",
           shape_str(result->shape));
    Tensor fresh = empty(result->shape, out->dtype);
    out->storage = fresh->storage, out->shape = fresh->shape, out->strides = fresh->strides;
    out->offset = 0, out->numel = fresh->numel;
  }
  copy_into(out, result);
  out->bump_version();
  return out;
}

}  // namespace pyag
