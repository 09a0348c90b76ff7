// In-place view ops (t_, transpose_, squeeze_, unsqueeze_): the tensor takes the layout of the
// view the out-of-place op makes of it, and that view's history; the version moves by one.
#include "autograd/node.h"
#include "ops/ops.h"

namespace pyag {
namespace {

const Tensor& become(const Tensor& self, const Tensor& r, const char* op) {
  if (GradMode::enabled() && self->requires_grad()) check_inplace(self, false, op);
  const std::shared_ptr<Node> fn = r->grad_fn();  // before self (r's base) changes
  self->shape = r->shape;
  self->strides = r->strides;
  self->offset = r->offset;
  self->bump_version();
  if (self->view.base) self->view.version = self->storage->version;  // r's history is current
  if (fn) {
    AutogradMeta& m = self->meta();
    m.requires_grad = true;
    m.grad_fn = fn;
  }
  return self;
}

}  // namespace

const Tensor& t_(const Tensor& self) { return become(self, t(self), "t_"); }
const Tensor& transpose_(const Tensor& self, int64_t d0, int64_t d1) {
  return become(self, transpose(self, d0, d1), "transpose_");
}
const Tensor& squeeze_(const Tensor& self, std::optional<int64_t> dim) {
  return become(self, squeeze(self, dim), "squeeze_");
}
const Tensor& unsqueeze_(const Tensor& self, int64_t dim) {
  return become(self, unsqueeze(self, dim), "unsqueeze_");
}

}  // namespace pyag
