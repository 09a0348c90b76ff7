// In-place ops. Without autograd they run the kernel straight into the tensor; when the graph
// must follow the change they compute out of place and commit the result and its history.
#include "autograd/node.h"
#include "ops/ops.h"

namespace pyag {
namespace {

bool castable(DType from, DType to) {
  if (is_floating(from) && !is_floating(to)) return false;
  if (from != DType::Bool && to == DType::Bool) return false;
  return true;
}

void check_cast(DType result, const Tensor& self, const char* op) {
  if (!castable(result, self->dtype))
    fail(op, "result type ", dtype_name(result), " can't be cast to the desired output type ",
         dtype_name(self->dtype));
}

const char* inplace_name(BinaryOp op) {
  switch (op) {
    case BinaryOp::Add:
      return "add_";
    case BinaryOp::Sub:
      return "sub_";
    case BinaryOp::Mul:
      return "mul_";
    case BinaryOp::Div:
      return "div_";
    case BinaryOp::Pow:
      return "pow_";
    default:
      return "inplace";
  }
}

// A tracked in-place op computes out of place, then overwrites self: when the derivative reads
// self (saved by the op), it must get a copy of the old value, not self.
bool derivative_reads_self(BinaryOp op) { return op != BinaryOp::Add && op != BinaryOp::Sub; }

bool overlaps(const Tensor& a, const Tensor& b) {
  return a->storage->data == b->storage->data &&
         !(a->offset == b->offset && a->shape == b->shape && a->strides == b->strides);
}

// `value` in self's shape, with a history that gives self a zero gradient.
Tensor replaced(const Tensor& self, const Tensor& value) {
  return where(full(self->shape, 1.0, DType::Bool), value, self);
}

}  // namespace

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

const Tensor& binary_(BinaryOp op, const Tensor& self, const Tensor& other) {
  const char* name = inplace_name(op);
  DType ct = compute_dtype(op, self->dtype, other->dtype, name);
  check_cast(ct, self, name);
  if (self->shape != other->shape &&
      broadcast_shapes(self->shape, other->shape, name) != self->shape)
    fail(name, "output with shape ", shape_str(self->shape), " doesn't match the broadcast shape ",
         shape_str(broadcast_shapes(self->shape, other->shape, name)));
  if (check_inplace(self, other->requires_grad(), name))
    return commit_inplace(self, binary(op, derivative_reads_self(op) ? clone(self) : self, other));
  Tensor o = other->dtype == self->dtype ? other : cast(other, self->dtype);
  if (overlaps(self, o)) o = clone(o);
  binary_into(op, self, self, o);
  self->bump_version();
  return self;
}

const Tensor& binary_(BinaryOp op, const Tensor& self, Scalar s) {
  const char* name = inplace_name(op);
  DType ct = promote_scalar(self->dtype, s.kind);
  if (op == BinaryOp::Div && !is_floating(ct)) ct = default_dtype();
  check_cast(ct, self, name);
  if (check_inplace(self, false, name))  // of the scalar ops, only pow's derivative reads self
    return commit_inplace(self, binary(op, op == BinaryOp::Pow ? clone(self) : self, s));
  binary_scalar_into(op, self, self, s.v, false);
  self->bump_version();
  return self;
}

const Tensor& clamp_(const Tensor& self, std::optional<double> lo, std::optional<double> hi) {
  if (check_inplace(self, false, "clamp_")) return commit_inplace(self, clamp(clone(self), lo, hi));
  if (!lo && !hi) fail("clamp_", "at least one of 'min' or 'max' must not be None");
  if (self->dtype == DType::Bool) fail<TypeError>("clamp_", "is not supported for bool tensors");
  clamp_into(self, self, lo ? *lo : NAN, hi ? *hi : NAN);
  self->bump_version();
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
