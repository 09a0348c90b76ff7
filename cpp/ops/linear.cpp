// linear (nn.Linear's op): y = x @ w^T + b as one GEMM onto the broadcast bias, and a backward
// of two GEMMs and a column sum. The transposed weight is a GEMM flag, and the weight's
// gradient is written in the weight's own layout (accumulated straight into an existing .grad
// when the engine allows it), so nothing is transposed or copied.
#include "autograd/node.h"
#include "kernels/elementwise.h"
#include "kernels/gemm.h"
#include "kernels/reduce.h"
#include "ops/nn.h"
#include "ops/ops.h"

namespace pyag {
namespace {

const Tensor& no_tensor() {  // stands for an absent bias in the node's edge list
  static const Tensor t = empty(Dims{0}, DType::Float32);
  return t;
}

Tensor raw_t(const Tensor& a) {  // the transposed view of a 2-d tensor, no autograd
  return make_view(a, Dims{a->shape[1], a->shape[0]}, Dims{a->strides[1], a->strides[0]},
                   a->offset);
}

// x as a (rows, in) matrix (rows: the product of x's leading dims): a view when they merge,
// else a contiguous copy.
Tensor as_rows(const Tensor& x, int64_t in) {
  if (x->dim() == 2) return x;
  int64_t rows = 1;
  for (int i = 0; i + 1 < x->dim(); ++i) rows *= x->shape[i];
  Tensor c = x->contiguous() ? x : contiguous(detach(x));
  return make_view(c, Dims{rows, in}, Dims{in, 1}, c->offset);
}

struct LinearBackward : Node {
  Dims x_shape;
  int64_t rows, in_f, out_f;
  SavedTensor x, w;   // x as a (rows, in) matrix, for the weight's gradient; w for the input's
  const char* label;  // the node PyTorch's F.linear ends with (addmm, mm or a view of them)
  LinearBackward(Dims s, int64_t r, int64_t i, int64_t o, bool bias)
      : x_shape(s), rows(r), in_f(i), out_f(o) {
    const int nd = x_shape.size();
    label = nd == 2   ? (bias ? "AddmmBackward0" : "MmBackward0")
            : bias    ? "ViewBackward0"
            : nd == 1 ? "SqueezeBackward4"
                      : "UnsafeViewBackward0";
  }
  const char* name() const override { return label; }
  std::vector<Tensor> apply(const Tensor& g) override { return apply(g, no_targets()); }
  std::vector<Tensor> apply(const Tensor& g, AccumulateTargets& targets) override {
    Tensor g2 = g->dim() == 2 ? g : as_rows(g, out_f);
    Tensor gx, gw, gb;
    if (needs(0)) {
      Tensor gx2 = empty(Dims{rows, in_f}, g->dtype);
      mm_into(gx2, g2, w.unpack(*this), 1.0, 0.0);
      gx = make_view(gx2, x_shape, contiguous_strides(x_shape), 0);
    }
    if (needs(1)) {
      const Tensor& xs = x.unpack(*this);
      if (Tensor target = targets.take(1)) {
        mm_into(target, raw_t(g2), xs, 1.0, 1.0);
      } else {
        gw = empty(Dims{out_f, in_f}, g->dtype);
        mm_into(gw, raw_t(g2), xs, 1.0, 0.0);
      }
    }
    if (needs(2)) {
      Tensor col = zeros(Dims{1, out_f}, g->dtype);
      sum_into(col, g2);
      gb = make_view(col, Dims{out_f}, Dims{1}, 0);
    }
    return {gx, gw, gb};
  }
  std::optional<std::vector<Tensor>> apply_graph(const Tensor& g,
                                                 const std::shared_ptr<Node>&) override {
    Tensor g2 = g->dim() == 2 ? g : reshape(g, Dims{rows, out_f});
    Tensor gx, gw, gb;
    if (needs(0)) {
      gx = mm(g2, input_history(*this, 1, w.unpack(*this)));
      if (gx->shape != x_shape) gx = reshape(gx, x_shape);
    }
    if (needs(1)) {
      const Tensor& xs = x.unpack(*this);  // (rows, in): x itself, or its contiguous rows
      Tensor xh =
          xs->shape == x_shape
              ? input_history(*this, 0, xs)
              : reshape(
                    input_history(*this, 0,
                                  make_view(xs, x_shape, contiguous_strides(x_shape), xs->offset)),
                    Dims{rows, in_f});
      gw = mm(t(g2), xh);
    }
    if (needs(2)) gb = sum(g2, {0}, false);
    return std::vector<Tensor>{gx, gw, gb};
  }
  void check() const override { x.check(*this), w.check(*this); }
  void release() override { x.reset(), w.reset(); }
};

}  // namespace

Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  const char* op = "linear";
  if (input->dtype != weight->dtype)
    fail(op, "input and weight must have the same dtype, got ", describe(input), " and ",
         describe(weight));
  if (weight->dim() != 2 || input->dim() < 1 || input->shape[input->dim() - 1] != weight->shape[1])
    fail(op, "input of shape ", shape_str(input->shape), " and weight of shape ",
         shape_str(weight->shape), " cannot be multiplied (the last dim of input must be ",
         weight->dim() == 2 ? weight->shape[1] : -1, ")");
  const int64_t in_f = weight->shape[1], out_f = weight->shape[0];
  if (bias && (bias->shape != Dims{out_f} || bias->dtype != weight->dtype))
    fail(op, "bias must be a ", dtype_name(weight->dtype), " tensor of shape (", out_f, ",), got ",
         describe(bias));
  if (!is_floating(input->dtype)) {  // integer tensors: matmul's integer loop, no GEMM
    Tensor out = matmul(input, t(weight));
    return bias ? add(out, bias) : out;
  }
  Tensor x2 = as_rows(input, in_f);
  Dims out_shape = input->shape;
  out_shape[out_shape.size() - 1] = out_f;
  Tensor out2 = empty(Dims{x2->shape[0], out_f}, input->dtype);
  if (bias) copy_into(out2, bias);
  mm_into(out2, x2, raw_t(weight), 1.0, bias ? 1.0 : 0.0);
  Tensor out =
      input->dim() == 2 ? out2 : make_view(out2, out_shape, contiguous_strides(out_shape), 0);
  const bool grad = GradMode::enabled() && (input->requires_grad() || weight->requires_grad() ||
                                            (bias && bias->requires_grad()));
  if (grad) {
    auto node = std::make_shared<LinearBackward>(input->shape, x2->shape[0], in_f, out_f,
                                                 static_cast<bool>(bias));
    attach(node, std::vector<Tensor>{input, weight, bias ? bias : no_tensor()}, out);
    // Only what a needed gradient reads, as PyTorch's addmm/matmul (a bias alone: nothing).
    if (node->needs(1)) node->x = SavedTensor(x2);
    if (node->needs(0)) node->w = SavedTensor(weight);
  }
  return out;
}

}  // namespace pyag
