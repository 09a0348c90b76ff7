// alias: forward (a view with the input's own shape, strides and offset) and derivative.
#include "ops/alias.h"

#include "autograd/node.h"
#include "ops/ops.h"

namespace pyag {
namespace {

struct AliasBackward : Node {
  const char* name() const override { return "AliasBackward0"; }
  bool apply_is_differentiable() const override { return true; }
  std::vector<Tensor> apply(const Tensor& g) override { return {g}; }
};

}  // namespace

Tensor alias(const Tensor& a) {
  Tensor out = new_view(a, a->shape, a->strides, a->offset);
  record<AliasBackward>({&a}, out);
  return out;
}

}  // namespace pyag
