// Layer norm and batch norm: forward and derivative (kernels in kernels/norm.cpp).
#include "kernels/norm.h"

#include "autograd/engine.h"
#include "autograd/node.h"
#include "kernels/elementwise.h"
#include "ops/nn.h"
#include "ops/ops.h"

namespace pyag {
namespace {

const Tensor& no_tensor() {  // stands for an absent optional input in a node's edge list
  static const Tensor t = empty(Dims{0}, DType::Float32);
  return t;
}

Tensor param_operand(const Tensor& t, DType dt, const Dims& shape, const char* op,
                     const char* what) {
  if (!t) return t;
  if (t->shape != shape)
    fail(op, what, " must have shape ", shape_str(shape), ", got ", shape_str(t->shape));
  if (!is_floating(t->dtype))
    fail<TypeError>(op, what, " must be floating point, got ", describe(t));
  return contiguous(cast(t, dt));
}

// x and the weight (if any) as a normalization's recomposition reads them (create_graph=True):
// with their history where a gradient is wanted.
std::vector<Tensor> affine_inputs(const Node& n, const Tensor& xs, const SavedTensor& w) {
  Tensor wv = w.was_saved() ? w.unpack(n) : nullptr;
  return {n.needs(0) ? input_history(n, 0, xs) : detach(xs),
          wv && n.needs(1) ? input_history(n, 1, wv) : wv};
}

struct LayerNormBackward : Node {
  int64_t d;
  Dims wshape;  // normalized_shape: the shape of weight and bias
  double eps = 0;
  SavedTensor x, mean, rstd, w;
  SavedTensor input_check;  // the caller's input when x is a contiguous copy (version check)
  LayerNormBackward(int64_t dd, Dims ws) : d(dd), wshape(ws) {}
  const char* name() const override { return "NativeLayerNormBackward0"; }
  std::vector<Tensor> apply(const Tensor& g) override {
    const Tensor& xs = x.unpack(*this);
    const Tensor ws = w.was_saved() ? w.unpack(*this) : Tensor();
    Tensor gx = needs(0) ? empty(xs->shape, xs->dtype) : Tensor();
    Tensor gw = needs(1) ? empty(wshape, xs->dtype) : Tensor();
    Tensor gb = needs(2) ? empty(wshape, xs->dtype) : Tensor();
    layer_norm_backward_into(gx, gw, gb, contiguous(g), xs, mean.unpack(*this), rstd.unpack(*this),
                             ws, d);
    return {gx, gw, gb};
  }
  // Recomposed: (x - mean) * rsqrt(var + eps) * w over the normalized (last) dims.
  std::optional<std::vector<Tensor>> apply_graph(const Tensor& g,
                                                 const std::shared_ptr<Node>&) override {
    input_check.check(*this), mean.check(*this), rstd.check(*this);
    const Tensor& xs = x.unpack(*this);
    const int k = wshape.size(), nd = xs->dim();
    std::vector<int64_t> norm_dims, lead_dims;
    for (int i = 0; i < nd; ++i) (i < nd - k ? lead_dims : norm_dims).push_back(i);
    const double e = eps;
    auto f = [norm_dims, e](const std::vector<Tensor>& a) {
      Tensor xc = sub(a[0], pyag::mean(a[0], norm_dims, true));
      Tensor y = mul(xc, rsqrt(add(pyag::mean(mul(xc, xc), norm_dims, true), Scalar{e})));
      return a[1] ? mul(y, a[1]) : y;
    };
    std::vector<Tensor> r = grad_by_recompute(f, affine_inputs(*this, xs, w), g);
    Tensor gb;
    if (needs(2)) gb = lead_dims.empty() ? g : sum(g, lead_dims, false);
    return std::vector<Tensor>{needs(0) ? r[0] : nullptr, needs(1) ? r[1] : nullptr, gb};
  }
  void check() const override {
    x.check(*this), mean.check(*this), rstd.check(*this), w.check(*this);
    input_check.check(*this);
  }
  void release() override { x.reset(), mean.reset(), rstd.reset(), w.reset(), input_check.reset(); }
};

struct BatchNormBackward : Node {
  int64_t c;
  bool batch_stats;
  double eps = 0;
  SavedTensor x, mean, invstd, w;
  SavedTensor input_check;  // the caller's input when x is a contiguous copy (version check)
  BatchNormBackward(int64_t cc, bool bs) : c(cc), batch_stats(bs) {}
  const char* name() const override { return "NativeBatchNormBackward0"; }
  std::vector<Tensor> apply(const Tensor& g) override {
    const Tensor& xs = x.unpack(*this);
    const Tensor ws = w.was_saved() ? w.unpack(*this) : Tensor();
    Tensor gx = needs(0) ? empty(xs->shape, xs->dtype) : Tensor();
    Tensor gw = needs(1) ? empty(Dims{c}, xs->dtype) : Tensor();
    Tensor gb = needs(2) ? empty(Dims{c}, xs->dtype) : Tensor();
    batch_norm_backward_into(gx, gw, gb, contiguous(g), xs, mean.unpack(*this),
                             invstd.unpack(*this), ws, c, batch_stats);
    return {gx, gw, gb};
  }
  // Recomposed: (x - mean) * invstd * w per channel (dim 1); with batch statistics, the mean
  // and the biased variance are of x itself (their derivatives included).
  std::optional<std::vector<Tensor>> apply_graph(const Tensor& g,
                                                 const std::shared_ptr<Node>&) override {
    input_check.check(*this);
    const Tensor& xs = x.unpack(*this);
    std::vector<int64_t> dims;
    for (int i = 0; i < xs->dim(); ++i)
      if (i != 1) dims.push_back(i);
    Dims cshape = Dims::filled(xs->dim(), 1);
    cshape[1] = c;
    const double e = eps;
    const bool stats = batch_stats;
    const Tensor m = reshape(mean.unpack(*this), cshape),
                 is = reshape(invstd.unpack(*this), cshape);
    auto f = [dims, cshape, e, stats, m, is](const std::vector<Tensor>& a) {
      Tensor y;
      if (stats) {
        Tensor xc = sub(a[0], pyag::mean(a[0], dims, true));
        y = mul(xc, rsqrt(add(pyag::mean(mul(xc, xc), dims, true), Scalar{e})));
      } else {
        y = mul(sub(a[0], m), is);
      }
      return a[1] ? mul(y, reshape(a[1], cshape)) : y;
    };
    std::vector<Tensor> r = grad_by_recompute(f, affine_inputs(*this, xs, w), g);
    Tensor gb;
    if (needs(2)) gb = sum(g, dims, false);
    return std::vector<Tensor>{needs(0) ? r[0] : nullptr, needs(1) ? r[1] : nullptr, gb};
  }
  void check() const override {
    x.check(*this), mean.check(*this), invstd.check(*this), w.check(*this);
    input_check.check(*this);
  }
  void release() override {
    x.reset(), mean.reset(), invstd.reset(), w.reset(), input_check.reset();
  }
};

void record_affine_node(const std::shared_ptr<Node>& node, const Tensor& x, const Tensor& w,
                        const Tensor& b, const Tensor& out) {
  attach(node, std::vector<Tensor>{x, w ? w : no_tensor(), b ? b : no_tensor()}, out);
}

bool any_requires_grad(const Tensor& x, const Tensor& w, const Tensor& b) {
  return GradMode::enabled() &&
         (x->requires_grad() || (w && w->requires_grad()) || (b && b->requires_grad()));
}

}  // namespace

Tensor layer_norm(const Tensor& input, const Dims& normalized_shape, const Tensor& weight,
                  const Tensor& bias, double eps) {
  const char* op = "layer_norm";
  if (!is_floating(input->dtype))
    fail<TypeError>(op, "expects a floating point input, got ", describe(input));
  const int k = normalized_shape.size();
  bool ok = k >= 1 && input->dim() >= k;
  for (int i = 0; ok && i < k; ++i) ok = input->shape[input->dim() - k + i] == normalized_shape[i];
  if (!ok)
    fail(op, "given normalized_shape=", shape_str(normalized_shape),
         ", expected input with shape (*", k ? ", " : "", shape_str(normalized_shape).substr(1),
         ", but got input of size ", shape_str(input->shape));
  const DType dt = input->dtype;
  int64_t d = 1;
  for (int64_t s : normalized_shape) d *= s;
  Tensor x = contiguous(input);
  Tensor w = param_operand(weight, dt, normalized_shape, op, "weight");
  Tensor b = param_operand(bias, dt, normalized_shape, op, "bias");
  const int64_t m = d ? x->numel / d : 0;
  Tensor y = empty(x->shape, dt), mean = empty(Dims{m}, dt), rstd = empty(Dims{m}, dt);
  layer_norm_forward_into(y, mean, rstd, x, w, b, d, eps);
  if (any_requires_grad(x, w, b)) {
    auto node = std::make_shared<LayerNormBackward>(d, normalized_shape);
    node->eps = eps;
    node->x = SavedTensor(x), node->mean = SavedTensor(mean), node->rstd = SavedTensor(rstd);
    if (x->storage != input->storage) node->input_check = SavedTensor(input);
    if (w) node->w = SavedTensor(w);
    record_affine_node(node, x, w, b, y);
  }
  return y;
}

Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& weight, const Tensor& bias, bool training, double momentum,
                  double eps) {
  const char* op = "batch_norm";
  if (!is_floating(input->dtype))
    fail<TypeError>(op, "expects a floating point input, got ", describe(input));
  if (input->dim() < 2)
    fail<ValueError>(op, "expected a 2-d or higher input (batch, channels, ...), got shape ",
                     shape_str(input->shape));
  const DType dt = input->dtype;
  const int64_t c = input->shape[1];
  const Dims cshape{c};
  for (const Tensor* s : {&running_mean, &running_var}) {
    if (!*s) continue;
    if ((*s)->shape != cshape || (*s)->dtype != dt || !(*s)->contiguous())
      fail(op, "running statistics must be contiguous ", dtype_name(dt), " tensors of shape ",
           shape_str(cshape), ", got ", describe(*s));
  }
  if (!training && (!running_mean || !running_var))
    fail(op, "running_mean and running_var must be given when training=False");
  Tensor x = contiguous(input);
  Tensor w = param_operand(weight, dt, cshape, op, "weight");
  Tensor b = param_operand(bias, dt, cshape, op, "bias");
  const int64_t count = c ? x->numel / c : 0;
  Tensor mean = empty(cshape, dt), invstd = empty(cshape, dt);
  if (training) {
    if (count <= 1)
      fail<ValueError>(op, "expected more than 1 value per channel when training, got input size ",
                       shape_str(input->shape));
    Tensor var = empty(cshape, dt);
    batch_norm_stats_into(mean, var, x, c);
    batch_norm_update_running(running_mean, running_var, mean, var, count, momentum);
    if (running_mean) running_mean->bump_version();
    if (running_var) running_var->bump_version();
    Tensor one = scalar_tensor(1.0, dt);
    invstd = div(one, sqrt(add(var, Scalar{eps})));
  } else {
    copy_into(mean, running_mean);
    invstd = div(scalar_tensor(1.0, dt), sqrt(add(detach(running_var), Scalar{eps})));
  }
  Tensor y = empty(x->shape, dt);
  batch_norm_forward_into(y, x, mean, invstd, w, b, c);
  if (any_requires_grad(x, w, b)) {
    auto node = std::make_shared<BatchNormBackward>(c, training);
    node->eps = eps;
    node->x = SavedTensor(x), node->mean = SavedTensor(mean), node->invstd = SavedTensor(invstd);
    if (x->storage != input->storage) node->input_check = SavedTensor(input);
    if (w) node->w = SavedTensor(w);
    record_affine_node(node, x, w, b, y);
  }
  return y;
}

}  // namespace pyag
