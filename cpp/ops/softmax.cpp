// softmax and log_softmax along a dimension: the fused kernels of kernels/softmax.h and one
// backward node each, which saves the output.
#include "kernels/softmax.h"

#include "autograd/node.h"
#include "kernels/elementwise.h"
#include "ops/nn.h"
#include "ops/ops.h"

namespace pyag {
namespace {

Tensor raw_contiguous(const Tensor& t) {
  if (t->contiguous()) return t;
  Tensor c = empty(t->shape, t->dtype);
  copy_into(c, t);
  return c;
}

struct SoftmaxNode : Node {
  SoftmaxKernel k;
  int dim;
  SavedTensor y;
  SoftmaxNode(SoftmaxKernel kernel, int d) : k(kernel), dim(d) {}
  const char* name() const override {
    return k == SoftmaxKernel::softmax ? "SoftmaxBackward0" : "LogSoftmaxBackward0";
  }
  std::vector<Tensor> apply(const Tensor& g) override {
    const Tensor& yv = y.unpack(*this);
    Tensor r = empty(yv->shape, yv->dtype);
    softmax_grad_into(k, r, raw_contiguous(g), yv, dim);
    return {r};
  }
  std::optional<std::vector<Tensor>> apply_graph(const Tensor& g,
                                                 const std::shared_ptr<Node>& self) override {
    Tensor yh = output_history(self, y.unpack(*this));
    if (k == SoftmaxKernel::softmax)  // y * (g - sum(g * y))
      return std::vector<Tensor>{mul(yh, sub(g, sum(mul(g, yh), {dim}, true)))};
    return std::vector<Tensor>{sub(g, mul(exp(yh), sum(g, {dim}, true)))};  // log_softmax
  }
  void check() const override { y.check(*this); }
  void release() override { y.reset(); }
};

Tensor run(SoftmaxKernel k, const char* op, const Tensor& input, int64_t dim,
           std::optional<DType> dtype) {
  if (dtype && !is_floating(*dtype))
    fail(op, "dtype must be a floating dtype, got ", dtype_name(*dtype));
  const Tensor x = dtype ? cast(input, *dtype) : input;
  if (!is_floating(x->dtype) && x->numel == 0) {  // PyTorch returns before its kernel
    if (x->dim()) wrap_dim(dim, x->dim(), op);
    return empty(x->shape, x->dtype);
  }
  if (!is_floating(x->dtype))
    fail(op, "is only defined for floating tensors, got ", dtype_name(x->dtype),
         " (pass dtype= to convert)");
  const int d = x->dim() == 0 ? 0 : wrap_dim(dim, x->dim(), op);
  if (x->dim() == 0) wrap_dim(dim, 0, op);  // range check only
  Tensor out = empty(x->shape, x->dtype);
  softmax_into(k, out, raw_contiguous(x), d);
  if (auto n = record<SoftmaxNode>({&x}, out, k, d)) n->y = SavedTensor(out);
  return out;
}

}  // namespace

Tensor log_softmax_history(const Tensor& lp, int64_t dim, const Edge& input) {
  if (!input.valid() || !GradMode::enabled()) return lp;
  auto n = std::make_shared<SoftmaxNode>(SoftmaxKernel::log_softmax, static_cast<int>(dim));
  n->next.push_back(input);
  Tensor out = detach(lp);
  set_history(*out, n);
  n->y = SavedTensor(out);
  return out;
}

Tensor softmax(const Tensor& x, int64_t dim, std::optional<DType> dtype) {
  return run(SoftmaxKernel::softmax, "softmax", x, dim, dtype);
}

Tensor log_softmax(const Tensor& x, int64_t dim, std::optional<DType> dtype) {
  return run(SoftmaxKernel::log_softmax, "log_softmax", x, dim, dtype);
}

}  // namespace pyag
