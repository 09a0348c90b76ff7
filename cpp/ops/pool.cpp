// Pooling (max, avg, adaptive) and padding: forward and their nodes (kernels/pool.cpp).
#include "kernels/pool.h"

#include "autograd/node.h"
#include "kernels/elementwise.h"
#include "ops/conv.h"
#include "ops/ops.h"

namespace pyag {
namespace {

Tensor dense(const Tensor& t) { return t->contiguous() ? t : contiguous(detach(t)); }

std::string list_str(const IntList& d) {
  std::string s;
  for (size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + std::to_string(d[i]);
  return s;
}

struct MaxPoolBackward : Node {
  Dims x_shape;
  SavedTensor indices;
  const char* node_name;
  MaxPoolBackward(Dims s, const char* n) : x_shape(std::move(s)), node_name(n) {}
  const char* name() const override { return node_name; }
  std::vector<Tensor> apply(const Tensor& g) override {
    const Tensor& idx = indices.unpack(*this);
    Tensor gx = empty(x_shape, g->dtype);
    max_pool2d_backward_into(plane_view(gx), plane_view(dense(g)), plane_view(idx));
    return {gx};
  }
  // Linear in g; the adjoint picks each output's maximum back out of its plane (a gather).
  std::optional<std::vector<Tensor>> apply_graph(const Tensor& g,
                                                 const std::shared_ptr<Node>&) override {
    const Tensor idx = indices.unpack(*this);
    const int64_t planes = plane_count;
    const Dims gs = g->shape;
    return std::vector<Tensor>{
        record_linear(apply(g)[0], g, name(), [idx, planes, gs](const Tensor& gg) {
          const int64_t in = planes ? gg->numel / planes : 0,
                        out = planes ? idx->numel / planes : 0;
          return reshape(gather(reshape(gg, Dims{planes, in}), 1, reshape(idx, Dims{planes, out})),
                         gs);
        })};
  }
  // t as (planes, rest): the kernel reads the plane count from dim 0.
  int64_t plane_count = 1;
  Tensor plane_view(const Tensor& t) const {
    return make_view(t, Dims{plane_count, plane_count ? t->numel / plane_count : 0},
                     Dims{plane_count ? t->numel / plane_count : 0, 1}, t->offset);
  }
  void check() const override { indices.check(*this); }
  void release() override { indices.reset(); }
};

struct AvgPoolBackward : Node {
  Dims x_shape;
  PoolGeom g;
  bool cip;
  int64_t dov;
  bool adaptive;
  const char* label;
  AvgPoolBackward(Dims s, const PoolGeom& gg, bool c, int64_t d, bool a, const char* l)
      : x_shape(std::move(s)), g(gg), cip(c), dov(d), adaptive(a), label(l) {}
  const char* name() const override { return label; }
  std::vector<Tensor> apply(const Tensor& grad) override {
    Tensor gx = empty(x_shape, grad->dtype);
    if (adaptive)
      adaptive_avg_pool2d_backward_into(gx, dense(grad), g);
    else
      avg_pool2d_backward_into(gx, dense(grad), g, cip, dov);
    return {gx};
  }
  // Linear in g; the adjoint is the pooling itself (each recorded with the other as its
  // backward, at any order).
  std::optional<std::vector<Tensor>> apply_graph(const Tensor& grad,
                                                 const std::shared_ptr<Node>&) override {
    const Dims xs = x_shape, os = grad->shape;
    const PoolGeom pg = g;
    const bool c = cip, ad = adaptive;
    const int64_t d = dov;
    return std::vector<Tensor>{record_adjoint_pair(
        grad, name(),
        [xs, pg, c, d, ad](const Tensor& t) {  // the gradient of the pooling
          Tensor gx = empty(xs, t->dtype);
          if (ad)
            adaptive_avg_pool2d_backward_into(gx, dense(detach(t)), pg);
          else
            avg_pool2d_backward_into(gx, dense(detach(t)), pg, c, d);
          return gx;
        },
        [os, pg, c, d, ad](const Tensor& t) {  // the pooling
          Tensor out = empty(os, t->dtype);
          if (ad)
            adaptive_avg_pool2d_forward_into(out, dense(detach(t)), pg);
          else
            avg_pool2d_forward_into(out, dense(detach(t)), pg, c, d);
          return out;
        })};
  }
};

// Geometry of a pooling of input (*, c, *spatial) with k spatial dims; out_shape gets the
// leading dims (the spatial sizes are appended by the caller).
PoolGeom pool_geom(const Tensor& input, size_t k, const char* op, Dims& lead) {
  const int d = input->dim();
  const int kk = static_cast<int>(k);
  if (d != kk + 1 && d != kk + 2)
    fail(op, "Expected ", kk + 1, "D or ", kk + 2, "D (batch mode) tensor for input, got shape ",
         shape_str(input->shape));
  if (!is_floating(input->dtype))
    fail<TypeError>(op, "expects a floating point input, got ", describe(input));
  for (int i = d == kk + 2 ? 1 : 0; i < d; ++i)
    if (input->shape[i] == 0)
      fail(op, "Expected input to have non-zero size for non-batch dimensions, got shape ",
           shape_str(input->shape));
  PoolGeom g;
  lead = Dims(std::vector<int64_t>(input->shape.begin(), input->shape.end() - kk));
  g.planes = 1;
  for (int64_t s : lead) g.planes *= s;
  g.h = k == 2 ? input->shape[d - 2] : 1;
  g.w = input->shape[d - 1];
  return g;
}

void check_list(const IntList& v, size_t k, const char* what, int64_t min, const char* op) {
  if (v.size() != k) fail<ValueError>(op, what, " must have ", k, " element(s), got ", v.size());
  for (int64_t e : v)
    if (e < min)
      fail(op, what, " should be ", min > 0 ? "greater than zero" : "non-negative", ", but got ",
           what, "=(", list_str(v), ")");
}

// PyTorch's pooling_output_shape.
int64_t pooled_size(int64_t in, int64_t k, int64_t pad, int64_t stride, int64_t dil, bool ceil) {
  const int64_t num = in + 2 * pad - dil * (k - 1) - 1 + (ceil ? stride - 1 : 0);
  int64_t out = (num >= 0 ? num / stride : -((-num + stride - 1) / stride)) + 1;
  if (ceil && (out - 1) * stride >= in + pad) --out;
  return out;
}

// Fills g's window parameters and output size (2-d: index 0 is h; 1-d: all h's are 1/0).
void set_window(PoolGeom& g, size_t k, const IntList& ks, const IntList& st, const IntList& pd,
                const IntList& dl, bool ceil, bool avg, const Tensor& input, const char* op) {
  check_list(ks, k, "kernel_size", 1, op);
  check_list(st, k, "stride", 1, op);
  check_list(pd, k, "padding", 0, op);
  check_list(dl, k, "dilation", 1, op);
  const size_t l = k - 1;
  g.kh = k == 2 ? ks[0] : 1, g.kw = ks[l];
  g.sh = k == 2 ? st[0] : 1, g.sw = st[l];
  g.ph = k == 2 ? pd[0] : 0, g.pw = pd[l];
  g.dh = k == 2 ? dl[0] : 1, g.dw = dl[l];
  for (size_t i = 0; i < k; ++i) {
    const int64_t eff = avg ? ks[i] : (ks[i] - 1) * dl[i] + 1;
    if (pd[i] * 2 > eff)
      fail(op, "pad should be at most half of ", avg ? "" : "effective ",
           "kernel size, but got pad=", pd[i], ", kernel_size=", ks[i],
           avg ? "" : " and dilation=", avg ? "" : std::to_string(dl[i]));
  }
  g.oh = k == 2 ? pooled_size(g.h, g.kh, g.ph, g.sh, g.dh, ceil) : 1;
  g.ow = pooled_size(g.w, g.kw, g.pw, g.sw, g.dw, ceil);
  if (g.oh < 1 || g.ow < 1)
    fail(op, "Given input size: ", shape_str(input->shape), ". Calculated output size: (",
         k == 2 ? std::to_string(g.oh) + "x" : std::string(), g.ow, "). Output size is too small");
}

Dims out_dims(Dims lead, const PoolGeom& g, size_t k) {
  if (k == 2) lead.push_back(g.oh);
  lead.push_back(g.ow);
  return lead;
}

size_t spatial_of(const IntList& ks, const char* op) {
  if (ks.size() != 1 && ks.size() != 2)
    fail<ValueError>(op, "expects 1 or 2 spatial sizes, got ", ks.size());
  return ks.size();
}

std::pair<Tensor, Tensor> finish_max(const Tensor& input, const Tensor& out, const Tensor& idx,
                                     int64_t planes, const char* node_name) {
  if (GradMode::enabled() && input->requires_grad()) {
    auto node = std::make_shared<MaxPoolBackward>(input->shape, node_name);
    node->indices = SavedTensor(idx);
    node->plane_count = planes;
    attach(node, {&input}, out);
  }
  return {out, idx};
}

}  // namespace

std::pair<Tensor, Tensor> max_pool(const Tensor& input, const IntList& kernel_size,
                                   const IntList& stride, const IntList& padding,
                                   const IntList& dilation, bool ceil_mode, const char* op) {
  const size_t k = spatial_of(kernel_size, op);
  Dims lead;
  PoolGeom g = pool_geom(input, k, op, lead);
  set_window(g, k, kernel_size, stride, padding, dilation, ceil_mode, false, input, op);
  const Dims os = out_dims(lead, g, k);
  Tensor out = empty(os, input->dtype), idx = empty(os, DType::Int64);
  max_pool2d_forward_into(out, idx, dense(input), g);
  return finish_max(input, out, idx, g.planes,
                    k == 2 ? "MaxPool2DWithIndicesBackward0" : "SqueezeBackward1");
}

Tensor avg_pool(const Tensor& input, const IntList& kernel_size, const IntList& stride,
                const IntList& padding, bool ceil_mode, bool count_include_pad,
                int64_t divisor_override, const char* op) {
  const size_t k = spatial_of(kernel_size, op);
  Dims lead;
  PoolGeom g = pool_geom(input, k, op, lead);
  set_window(g, k, kernel_size, stride, padding, IntList(k, 1), ceil_mode, true, input, op);
  if (divisor_override < 0) fail(op, "divisor_override must be positive, got ", divisor_override);
  Tensor out = empty(out_dims(lead, g, k), input->dtype);
  avg_pool2d_forward_into(out, dense(input), g, count_include_pad, divisor_override);
  if (GradMode::enabled() && input->requires_grad()) {
    auto node = std::make_shared<AvgPoolBackward>(
        input->shape, g, count_include_pad, divisor_override, false,
        k == 2 ? "AvgPool2DBackward0" : "SqueezeBackward1");
    attach(node, {&input}, out);
  }
  return out;
}

static PoolGeom adaptive_geom(const Tensor& input, const IntList& output_size, const char* op,
                              Dims& lead, size_t& k) {
  k = spatial_of(output_size, op);
  PoolGeom g = pool_geom(input, k, op, lead);
  for (int64_t s : output_size)
    if (s < -1 || s == 0)
      fail(op, "output_size must be positive (or None), got (", list_str(output_size), ")");
  const int64_t oh = k == 2 ? output_size[0] : 1, ow = output_size[k - 1];
  g.oh = oh < 0 ? g.h : oh;
  g.ow = ow < 0 ? g.w : ow;
  return g;
}

Tensor adaptive_avg_pool(const Tensor& input, const IntList& output_size, const char* op) {
  Dims lead;
  size_t k = 0;
  PoolGeom g = adaptive_geom(input, output_size, op, lead, k);
  Tensor out = empty(out_dims(lead, g, k), input->dtype);
  adaptive_avg_pool2d_forward_into(out, dense(input), g);
  if (GradMode::enabled() && input->requires_grad()) {
    // PyTorch: a mean over the plane for a (1, 1) output; 1-d pools squeeze a 2-d one's result
    const char* label = k == 1                   ? "SqueezeBackward1"
                        : g.oh == 1 && g.ow == 1 ? "MeanBackward1"
                                                 : "AdaptiveAvgPool2DBackward0";
    auto node = std::make_shared<AvgPoolBackward>(input->shape, g, false, 0, true, label);
    attach(node, {&input}, out);
  }
  return out;
}

std::pair<Tensor, Tensor> adaptive_max_pool(const Tensor& input, const IntList& output_size,
                                            const char* op) {
  Dims lead;
  size_t k = 0;
  PoolGeom g = adaptive_geom(input, output_size, op, lead, k);
  const Dims os = out_dims(lead, g, k);
  Tensor out = empty(os, input->dtype), idx = empty(os, DType::Int64);
  adaptive_max_pool2d_forward_into(out, idx, dense(input), g);
  return finish_max(input, out, idx, g.planes,
                    k == 2 ? "AdaptiveMaxPool2DBackward0" : "SqueezeBackward1");
}

}  // namespace pyag
