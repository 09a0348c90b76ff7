// Convolution (conv1d/conv2d, im2col + GEMM in kernels/conv.cpp): forward and its node.
#include "kernels/conv.h"

#include "autograd/node.h"
#include "kernels/elementwise.h"
#include "ops/conv.h"
#include "ops/ops.h"

namespace pyag {
namespace {

const Tensor& no_tensor() {  // stands for an absent bias in the node's edge list
  static const Tensor t = empty(Dims{0}, DType::Float32);
  return t;
}

// t itself when contiguous, else a contiguous copy outside autograd.
Tensor dense(const Tensor& t) { return t->contiguous() ? t : contiguous(detach(t)); }

std::string list_str(const std::vector<int64_t>& d, const char* sep) {
  std::string s;
  for (size_t i = 0; i < d.size(); ++i) s += (i ? sep : "") + std::to_string(d[i]);
  return s;
}
std::string sizes(const Dims& d) { return "[" + list_str(d.vec(), ", ") + "]"; }

// create_graph=True: the convolution is bilinear in (x, w), so its two gradients are bilinear
// maps too, whose own gradients are the convolution and the other gradient map. Each of the
// three is an op here (recorded when grad mode is on), for any order.
Tensor conv_geom(const Tensor& x, const Tensor& w, const ConvGeom& g);
Tensor conv_input_grad(const Tensor& gout, const Tensor& w, const ConvGeom& g, const Dims& xs);
Tensor conv_weight_grad(const Tensor& x, const Tensor& gout, const ConvGeom& g, const Dims& ws);

struct ConvInputGrad : Node {  // gx(gout, w)
  ConvGeom g;
  SavedTensor gout, w;
  explicit ConvInputGrad(const ConvGeom& gg) : g(gg) {}
  const char* name() const override { return "ConvolutionBackwardBackward0"; }
  std::vector<Tensor> apply(const Tensor& c) override {
    Tensor go = input_history(*this, 0, gout.unpack(*this));
    Tensor wv = input_history(*this, 1, w.unpack(*this));
    return {needs(0) ? conv_geom(c, wv, g) : nullptr,
            needs(1) ? conv_weight_grad(c, go, g, wv->shape) : nullptr};
  }
  bool apply_is_differentiable() const override { return true; }
  void check() const override { gout.check(*this), w.check(*this); }
  void release() override { gout.reset(), w.reset(); }
};

struct ConvWeightGrad : Node {  // gw(x, gout)
  ConvGeom g;
  SavedTensor x, gout;
  explicit ConvWeightGrad(const ConvGeom& gg) : g(gg) {}
  const char* name() const override { return "ConvolutionBackwardBackward0"; }
  std::vector<Tensor> apply(const Tensor& c) override {
    Tensor xv = input_history(*this, 0, x.unpack(*this));
    Tensor go = input_history(*this, 1, gout.unpack(*this));
    return {needs(0) ? conv_input_grad(go, c, g, xv->shape) : nullptr,
            needs(1) ? conv_geom(xv, c, g) : nullptr};
  }
  bool apply_is_differentiable() const override { return true; }
  void check() const override { x.check(*this), gout.check(*this); }
  void release() override { x.reset(), gout.reset(); }
};

struct ConvolutionBackward : Node {
  ConvGeom g;
  Dims x_shape, w_shape;
  bool has_bias;
  SavedTensor x, w;
  SavedTensor input_check, weight_check;  // the caller's tensors when x or w are copies
  ConvolutionBackward(const ConvGeom& gg, Dims xs, Dims ws, bool b)
      : g(gg), x_shape(std::move(xs)), w_shape(std::move(ws)), has_bias(b) {}
  const char* name() const override { return "ConvolutionBackward0"; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    const Tensor& xs = x.unpack(*this);
    const Tensor& ws = w.unpack(*this);
    Tensor gx = needs(0) ? empty(x_shape, xs->dtype) : Tensor();
    Tensor gw = needs(1) ? empty(w_shape, xs->dtype) : Tensor();
    Tensor gb = needs(2) && has_bias ? empty(Dims{g.o}, xs->dtype) : Tensor();
    conv2d_backward_into(gx, gw, gb, dense(grad), xs, ws, g);
    return {gx, gw, gb};
  }
  std::optional<std::vector<Tensor>> apply_graph(const Tensor& grad,
                                                 const std::shared_ptr<Node>&) override {
    input_check.check(*this), weight_check.check(*this);
    Tensor gx, gw, gb;
    if (needs(0)) gx = conv_input_grad(grad, input_history(*this, 1, w.unpack(*this)), g, x_shape);
    if (needs(1)) gw = conv_weight_grad(input_history(*this, 0, x.unpack(*this)), grad, g, w_shape);
    if (needs(2) && has_bias) {  // the sum over every dim but the channels'
      const int ch = grad->dim() == static_cast<int>(w_shape.size()) ? 1 : 0;
      std::vector<int64_t> dims;
      for (int d = 0; d < grad->dim(); ++d)
        if (d != ch) dims.push_back(d);
      gb = sum(grad, dims, false);
    }
    return std::vector<Tensor>{gx, gw, gb};
  }
  void check() const override {
    x.check(*this), w.check(*this), input_check.check(*this), weight_check.check(*this);
  }
  void release() override { x.reset(), w.reset(), input_check.reset(), weight_check.reset(); }
};

Dims conv_out_shape(const Dims& xs, const Dims& ws, const ConvGeom& g) {
  Dims out;
  if (xs.size() == ws.size()) out.push_back(g.n);
  out.push_back(g.o);
  if (ws.size() == 4) out.push_back(g.oh);
  out.push_back(g.ow);
  return out;
}

Tensor conv_geom(const Tensor& x, const Tensor& w, const ConvGeom& g) {
  Tensor out = empty(conv_out_shape(x->shape, w->shape, g), x->dtype);
  conv2d_forward_into(out, dense(detach(x)), dense(detach(w)), Tensor(), g);
  if (auto n = record<ConvolutionBackward>({&x, &w}, out, g, x->shape, w->shape, false)) {
    n->x = SavedTensor(dense(detach(x))), n->w = SavedTensor(dense(detach(w)));
    n->next.push_back(Edge{});  // no bias
  }
  return out;
}

Tensor conv_input_grad(const Tensor& gout, const Tensor& w, const ConvGeom& g, const Dims& xs) {
  Tensor gx = empty(xs, gout->dtype);
  // the kernel reads x only for the weight's gradient, not asked for here: gx stands in for it
  conv2d_backward_into(gx, Tensor(), Tensor(), dense(detach(gout)), gx, dense(detach(w)), g);
  if (auto n = record<ConvInputGrad>({&gout, &w}, gx, g)) {
    n->gout = SavedTensor(dense(detach(gout))), n->w = SavedTensor(dense(detach(w)));
  }
  return gx;
}

Tensor conv_weight_grad(const Tensor& x, const Tensor& gout, const ConvGeom& g, const Dims& ws) {
  Tensor gw = empty(ws, gout->dtype);
  conv2d_backward_into(Tensor(), gw, Tensor(), dense(detach(gout)), dense(detach(x)), gw, g);
  if (auto n = record<ConvWeightGrad>({&x, &gout}, gw, g)) {
    n->x = SavedTensor(dense(detach(x))), n->gout = SavedTensor(dense(detach(gout)));
  }
  return gw;
}

void check_params(const IntList& v, size_t k, const char* what, int64_t min, const char* op) {
  if (v.size() != k) fail<ValueError>(op, what, " must have ", k, " element(s), got ", v.size());
  for (int64_t e : v)
    if (e < min)
      fail(op, min > 0 ? "non-positive " : "negative ", what, " is not supported, got (",
           list_str(v, ", "), ")");
}

}  // namespace

Tensor convolution(const Tensor& input, const Tensor& weight, const Tensor& bias,
                   const IntList& stride, const IntList& padding, const IntList& dilation,
                   int64_t groups, bool same_padding, const char* op) {
  const int wd = weight->dim();
  if (wd != 3 && wd != 4)
    fail(op, "weight must be 3-d (conv1d) or 4-d (conv2d), got shape ", sizes(weight->shape));
  const size_t k = static_cast<size_t>(wd - 2);
  const int xd = input->dim();
  if (xd != wd && xd != wd - 1)
    fail(op, "Expected ", wd - 1, "D (unbatched) or ", wd, "D (batched) input to ", op,
         ", but got input of size: ", sizes(input->shape));
  if (!is_floating(input->dtype) || input->dtype != weight->dtype ||
      (bias && bias->dtype != input->dtype))
    fail<TypeError>(op, "input, weight and bias must be floating point tensors of one dtype, got ",
                    "input ", dtype_name(input->dtype), ", weight ", dtype_name(weight->dtype),
                    bias ? std::string(", bias ") + dtype_name(bias->dtype) : std::string());
  check_params(stride, k, "stride", 1, op);
  check_params(padding, k, "padding", 0, op);
  check_params(dilation, k, "dilation", 1, op);
  if (groups < 1) fail(op, "non-positive groups is not supported, got ", groups);
  const bool batched = xd == wd;
  const Dims& xs = input->shape;
  const int64_t n = batched ? xs[0] : 1, c = xs[batched ? 1 : 0];
  const int64_t o = weight->shape[0];
  if (o % groups != 0)
    fail(op, "Given groups=", groups, ", expected weight to be divisible by ", groups,
         " at dimension 0, but got weight of size ", sizes(weight->shape), " instead");
  if (c != weight->shape[1] * groups)
    fail(op, "Given groups=", groups, ", weight of size ", sizes(weight->shape), ", expected input",
         sizes(xs), " to have ", weight->shape[1] * groups, " channels, but got ", c,
         " channels instead");
  if (bias && (bias->dim() != 1 || bias->shape[0] != o))
    fail(op, "Given weight of size ", sizes(weight->shape),
         ", expected bias to be 1-dimensional with ", o, " elements, but got bias of size ",
         sizes(bias->shape), " instead");
  // Spatial sizes as 2-d (a 1-d convolution has height 1).
  const int64_t sp0 = batched ? 2 : 1;
  ConvGeom g;
  g.n = n, g.c = c, g.o = o, g.groups = groups;
  g.h = k == 2 ? xs[sp0] : 1, g.w = xs[sp0 + k - 1];
  g.kh = k == 2 ? weight->shape[2] : 1, g.kw = weight->shape[wd - 1];
  g.sh = k == 2 ? stride[0] : 1, g.sw = stride[k - 1];
  g.dh = k == 2 ? dilation[0] : 1, g.dw = dilation[k - 1];
  int64_t ph = k == 2 ? padding[0] : 0, pw = padding[k - 1];
  int64_t ph_end = ph, pw_end = pw;
  if (same_padding) {
    for (int64_t s : stride)
      if (s != 1) fail(op, "padding='same' is not supported for strided convolutions");
    const int64_t th = g.dh * (g.kh - 1), tw = g.dw * (g.kw - 1);
    ph = th / 2, ph_end = th - ph, pw = tw / 2, pw_end = tw - pw;
  }
  g.pt = ph, g.pl = pw;
  const int64_t eh = g.dh * (g.kh - 1) + 1, ew = g.dw * (g.kw - 1) + 1;
  const int64_t hp = g.h + ph + ph_end, wp = g.w + pw + pw_end;
  if (hp < eh || wp < ew) {
    const std::string in_s =
        k == 2 ? std::to_string(hp) + " x " + std::to_string(wp) : std::to_string(wp);
    const std::string k_s =
        k == 2 ? std::to_string(eh) + " x " + std::to_string(ew) : std::to_string(ew);
    fail(op, "Calculated padded input size per channel: (", in_s, "). Kernel size: (", k_s,
         "). Kernel size can't be greater than actual input size");
  }
  g.oh = (hp - eh) / g.sh + 1, g.ow = (wp - ew) / g.sw + 1;
  Dims out_shape;
  if (batched) out_shape.push_back(n);
  out_shape.push_back(o);
  if (k == 2) out_shape.push_back(g.oh);
  out_shape.push_back(g.ow);
  const Tensor x = dense(input), w = dense(weight);
  const Tensor b = bias ? dense(bias) : Tensor();
  Tensor out = empty(out_shape, input->dtype);
  conv2d_forward_into(out, x, w, b, g);
  const bool grad = GradMode::enabled() && (input->requires_grad() || weight->requires_grad() ||
                                            (bias && bias->requires_grad()));
  if (grad) {
    auto node = std::make_shared<ConvolutionBackward>(g, x->shape, w->shape, bool(bias));
    node->x = SavedTensor(x), node->w = SavedTensor(w);
    if (x->storage != input->storage) node->input_check = SavedTensor(input);
    if (w->storage != weight->storage) node->weight_check = SavedTensor(weight);
    attach(node, std::vector<Tensor>{input, weight, bias ? bias : no_tensor()}, out);
  }
  return out;
}

}  // namespace pyag
