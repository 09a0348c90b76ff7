// In-place ops. Without autograd they run the kernel straight into the tensor; when the graph
// must follow the change they compute out of place and commit the result and its history.
#include "autograd/node.h"
#include "autograd/views.h"
#include "kernels/elementwise.h"
#include "ops/ops.h"

namespace pyag {
namespace {

// fill_ and copy_ of a tensor autograd tracks: self gets a zero gradient, the value the
// gradient (the engine sums it back to the value's shape). Saves nothing, as PyTorch's
// FillBackward and CopyBackwards.
struct ReplaceBackward : Node {
  const char* label;
  explicit ReplaceBackward(const char* l) : label(l) {}
  const char* name() const override { return label; }
  bool apply_is_differentiable() const override { return true; }
  std::vector<Tensor> apply(const Tensor& g) override {
    return {needs(0) ? zeros(g->shape, g->dtype) : nullptr, needs(1) ? g : nullptr};
  }
};

// `value` (self's dtype, broadcastable to self's shape) in self's shape, with that history.
Tensor replaced(const Tensor& self, const Tensor& value, const char* label) {
  Dims strides = Dims::filled(self->dim(), 0);  // value's, broadcast
  const int lead = self->dim() - value->dim();
  for (int d = 0; d < value->dim(); ++d)
    if (value->shape[d] != 1) strides[d + lead] = value->strides[d];
  Tensor out = empty(self->shape, self->dtype);
  copy_into(out, make_view(value, self->shape, strides, value->offset));
  record<ReplaceBackward>({&self, &value}, out, label);
  return out;
}

}  // namespace

bool overlaps(const Tensor& a, const Tensor& b) {
  return a->storage->data == b->storage->data &&
         !(a->offset == b->offset && a->shape == b->shape && a->strides == b->strides);
}

bool check_inplace(const Tensor& self, bool other_requires_grad, const char* op) {
  if (self->numel > 1)  // PyTorch's assert_no_internal_overlap: an empty tensor has none
    for (int d = 0; d < self->dim(); ++d)
      if (self->strides[d] == 0 && self->shape[d] > 1)
        fail(op, "unsupported operation: more than one element of the written-to tensor (",
             describe(self), ", strides ", shape_str(self->strides),
             ") refers to a single memory location; clone() it first");
  return inplace_needs_graph(self, other_requires_grad, op);
}

bool inplace_needs_graph(const Tensor& self, bool other_requires_grad, const char* op) {
  if (!GradMode::enabled()) return false;
  const bool self_rg = self->requires_grad();
  if (!self_rg && !other_requires_grad) return false;
  if (self->view.base) check_view_inplace(self, self_rg, op);
  if (self_rg && self->is_leaf())
    fail(op,
         "a leaf Variable that requires grad is being used in an in-place operation; use "
         "`with no_grad():` or `.data` to change it");
  return true;
}

const Tensor& commit_inplace(const Tensor& self, const Tensor& computed) {
  // self's history must take gradients of self's dtype: a result computed in a wider one
  // (float32 += float64) is cast first, so that the engine converts the gradient on the way.
  const Tensor result = computed->dtype == self->dtype ? computed : cast(computed, self->dtype);
  copy_into(self, result);
  self->bump_version();
  if (self->view.base) {  // the change goes into the base's history; self's follows from it
    rebase_view_history(self, result);
    return self;
  }
  if (const std::shared_ptr<Node>& fn = result->grad_fn()) {
    AutogradMeta& m = self->meta();
    if (m.retains_grad && m.grad_fn) m.grad_fn->retained.reset();  // .grad is the new value's
    m.requires_grad = true;
    m.grad_fn = fn;
    if (m.retains_grad) fn->retained = self->autograd;
  }
  return self;
}

const Tensor& fill_(const Tensor& self, Scalar value) {
  check_fits(value, self->dtype, "fill_");
  return fill_unchecked(self, Scalar(element_value(value, self->dtype), value.kind));
}

const Tensor& fill_unchecked(const Tensor& self, Scalar value) {
  if (inplace_needs_graph(self, false, "fill_"))  // every element gets the value: no overlap check
    return commit_inplace(self,
                          replaced(self, scalar_tensor(value.v, self->dtype), "FillBackward0"));
  fill(self, value.v);
  self->bump_version();
  return self;
}

const Tensor& fill_(const Tensor& self, const Tensor& value) {
  if (value->dim() != 0)
    fail("fill_", "only supports a 0-dimensional value tensor, but got ", describe(value));
  // PyTorch checks the overlap for a tensor value (not for a number).
  if (check_inplace(self, value->requires_grad(), "fill_"))
    return commit_inplace(
        self, replaced(self, cast(reshape(value, Dims{}), self->dtype), "FillBackward0"));
  // a tensor's value is not checked: PyTorch converts it as copy_ does (inf into int64 is
  // its lowest value), so it is converted by the cast kernel first
  const Tensor v = cast(reshape(value, Dims{}), self->dtype);
  return fill_unchecked(self, Scalar{get_double(v, Dims{})});
}

const Tensor& zero_(const Tensor& self) { return fill_(self, Scalar{0.0}); }

const Tensor& copy_(const Tensor& self, const Tensor& src) {
  if (src->shape != self->shape &&
      broadcast_shapes(self->shape, src->shape, "copy_") != self->shape)
    fail("copy_", "source of shape ", shape_str(src->shape),
         " cannot be broadcast to the destination's shape ", shape_str(self->shape));
  // PyTorch: copying a tensor into itself (or the same elements seen the same way) writes
  // nothing, whatever their overlap
  if (src.get() == self.get() ||
      (src->storage->data == self->storage->data && src->offset == self->offset &&
       src->dtype == self->dtype && src->shape == self->shape && src->strides == self->strides)) {
    if (inplace_needs_graph(self, src->requires_grad(), "copy_"))
      return commit_inplace(self, replaced(self, clone(src), "CopyBackwards"));
    self->bump_version();
    return self;
  }
  if (check_inplace(self, src->requires_grad(), "copy_")) {
    return commit_inplace(self, replaced(self, cast(src, self->dtype), "CopyBackwards"));
  }
  Tensor s = overlaps(self, src) ? clone(src) : src;
  copy_into(self, s);
  self->bump_version();
  return self;
}

}  // namespace pyag
