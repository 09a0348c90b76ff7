// In-place ops. Without autograd they run the kernel straight into the tensor; when the graph
// must follow the change they compute out of place and commit the result and its history.
#include "autograd/node.h"
#include "kernels/elementwise.h"
#include "ops/ops.h"

namespace pyag {
namespace {

// `value` in self's shape, with a history that gives self a zero gradient.
Tensor replaced(const Tensor& self, const Tensor& value) {
  return where(full(self->shape, 1.0, DType::Bool), value, self);
}

}  // namespace

bool overlaps(const Tensor& a, const Tensor& b) {
  return a->storage->data == b->storage->data &&
         !(a->offset == b->offset && a->shape == b->shape && a->strides == b->strides);
}

bool check_inplace(const Tensor& self, bool other_requires_grad, const char* op) {
  for (int d = 0; d < self->dim(); ++d)
    if (self->strides[d] == 0 && self->shape[d] > 1)
      fail(op, "unsupported operation: more than one element of the written-to tensor (",
           describe(self), ", strides ", shape_str(self->strides),
           ") refers to a single memory location; clone() it first");
  if (!GradMode::enabled()) return false;
  const bool self_rg = self->requires_grad();
  if (self_rg && self->is_leaf())
    fail(op,
         "a leaf Variable that requires grad is being used in an in-place operation; use "
         "`with no_grad():` or `.data` to change it");
  if (!self_rg && !other_requires_grad) return false;
  if (self->is_view)
    fail(op, "in-place operation on a view (", describe(self),
         ") is not supported when autograd must record it; use an out-of-place op");
  return true;
}

const Tensor& commit_inplace(const Tensor& self, const Tensor& result) {
  copy_into(self, result);
  self->bump_version();
  if (result->grad_fn()) {
    AutogradMeta& m = self->meta();
    m.requires_grad = true;
    m.grad_fn = result->grad_fn();
  }
  return self;
}

const Tensor& fill_(const Tensor& self, Scalar value) {
  if (check_inplace(self, false, "fill_"))
    return commit_inplace(self, replaced(self, scalar_tensor(value.v, self->dtype)));
  fill(self, value.v);
  self->bump_version();
  return self;
}

const Tensor& zero_(const Tensor& self) { return fill_(self, Scalar{0.0}); }

const Tensor& copy_(const Tensor& self, const Tensor& src) {
  if (src->shape != self->shape &&
      broadcast_shapes(self->shape, src->shape, "copy_") != self->shape)
    fail("copy_", "source of shape ", shape_str(src->shape),
         " cannot be broadcast to the destination's shape ", shape_str(self->shape));
  if (check_inplace(self, src->requires_grad(), "copy_")) {
    return commit_inplace(self, replaced(self, cast(src, self->dtype)));
  }
  Tensor s = overlaps(self, src) ? clone(src) : src;
  copy_into(self, s);
  self->bump_version();
  return self;
}

}  // namespace pyag
