// The fused losses: forward and derivative (kernels in kernels/loss.cpp).
#include <cmath>

#include "autograd/node.h"
#include "ops/nn.h"
#include "ops/ops.h"

namespace pyag {
namespace {

// A weight-like argument (no gradient) as a contiguous tensor of dtype dt in `shape`.
Tensor constant_operand(const Tensor& t, DType dt, const Dims& shape, const char* op,
                        const char* what) {
  if (!t) return t;
  if (t->requires_grad())
    fail(op, "the derivative for '", what, "' is not implemented; pass ", what,
         " without requires_grad (e.g. ", what, ".detach())");
  Tensor c = cast(detach(t), dt);
  if (c->shape != shape) {
    if (broadcast_shapes(c->shape, shape, op) != shape)
      fail(op, what, " of shape ", shape_str(c->shape), " cannot be broadcast to ",
           shape_str(shape));
    c = expand(c, shape);
  }
  return contiguous(c);
}

// The float dtype input and target compute in (their promotion: an int input with a float
// target computes in the target's dtype, as in PyTorch); TypeError when neither is float.
DType float_dtype_of(const Tensor& a, const Tensor& b, const char* op) {
  const DType dt = promote(a->dtype, b->dtype);
  if (!is_floating(dt))
    fail<TypeError>(op, "expects floating point input or target, got ", describe(a), " and ",
                    describe(b));
  return dt;
}

struct PointLossBackward : Node {
  PointLoss kind;
  double param = 0, scale = 1;
  SavedTensor x, y, w, pw;
  // The caller's input and target, for the version check only: x and y may be broadcast or
  // cast copies, and an in-place change of the originals must still be caught (as PyTorch,
  // which saves the inputs themselves, does).
  SavedTensor input_check, target_check;
  PointLossBackward(PointLoss k, double p, double s) : kind(k), param(p), scale(s) {}
  const char* name() const override {
    switch (kind) {
      case PointLoss::Mse:
        return "MseLossBackward0";
      case PointLoss::SmoothL1:
        return "SmoothL1LossBackward0";
      case PointLoss::Huber:
        return "HuberLossBackward0";
      case PointLoss::Bce:
        return "BinaryCrossEntropyBackward0";
      case PointLoss::BceWithLogits:
        return "BinaryCrossEntropyWithLogitsBackward0";
    }
    return "LossBackward0";
  }
  std::vector<Tensor> apply(const Tensor& g) override {
    const Tensor& xs = x.unpack(*this);
    const Tensor& ys = y.unpack(*this);
    Tensor gx = needs(0) ? empty(xs->shape, xs->dtype) : Tensor();
    Tensor gy = needs(1) ? empty(ys->shape, ys->dtype) : Tensor();
    point_loss_backward_into(kind, gx, gy, contiguous(g), xs, ys,
                             w.was_saved() ? w.unpack(*this) : Tensor(),
                             pw.was_saved() ? pw.unpack(*this) : Tensor(), param, scale);
    return {gx, gy};
  }
  // The derivative as recorded ops (create_graph=True), the kernels' point_grad formulas:
  // each loss is twice differentiable in input and target, as in PyTorch.
  std::optional<std::vector<Tensor>> apply_graph(const Tensor& g,
                                                 const std::shared_ptr<Node>&) override {
    input_check.check(*this), target_check.check(*this);
    const Tensor xs = input_history(*this, 0, x.unpack(*this));
    const Tensor ys = input_history(*this, 1, y.unpack(*this));
    Tensor gw = mul(g, Scalar{scale});  // the incoming gradient, scaled and weighted
    if (w.was_saved()) gw = mul(gw, w.unpack(*this));
    Tensor dx, dy;
    switch (kind) {
      case PointLoss::Mse:
        dx = mul(sub(xs, ys), Scalar{2.0});
        break;
      case PointLoss::SmoothL1:
        dx = param > 0 ? clamp(div(sub(xs, ys), Scalar{param}), -1.0, 1.0) : sign(sub(xs, ys));
        break;
      case PointLoss::Huber:
        dx = clamp(sub(xs, ys), -param, param);
        break;
      case PointLoss::Bce:
        dx = div(sub(xs, ys), clamp_min(mul(sub(Scalar{1.0}, xs), xs), 1e-12));
        dy = sub(log1p(neg(xs)), log(xs));
        break;
      case PointLoss::BceWithLogits: {
        // log_sigmoid(x) = min(x, 0) - log1p(exp(-|x|))
        if (!pw.was_saved()) {
          dx = sub(sigmoid(xs), ys);
          dy = neg(xs);
          break;
        }
        const Tensor pw1 = sub(pw.unpack(*this), Scalar{1.0});
        const Tensor lw = add(mul(pw1, ys), Scalar{1.0});
        dx = sub(sub(Scalar{1.0}, ys), mul(lw, sigmoid(neg(xs))));
        const Tensor log_sig = sub(clamp_max(xs, 0.0), log1p(exp(neg(abs(xs)))));
        dy = sub(neg(xs), mul(pw1, log_sig));
        break;
      }
    }
    Tensor gx = needs(0) ? mul(dx, gw) : nullptr;
    Tensor gy;
    if (needs(1)) gy = dy ? mul(dy, gw) : neg(gx ? gx : mul(dx, gw));
    return std::vector<Tensor>{gx, gy};
  }
  void check() const override {
    x.check(*this), y.check(*this), w.check(*this), pw.check(*this);
    input_check.check(*this), target_check.check(*this);
  }
  void release() override {
    x.reset(), y.reset(), w.reset(), pw.reset(), input_check.reset(), target_check.reset();
  }
};

// The loss tensor: the rows in none_shape ('none'; a fresh tensor, not a view), or their sum
// (for 'mean', divided by total[0] when total is given, else by denom).
Tensor reduce_rows(const Tensor& rows, Reduction r, double denom, const Tensor& total,
                   const std::optional<Dims>& none_shape) {
  if (r == Reduction::None) {
    if (none_shape) {
      if (numel_of(*none_shape, "loss") != rows->numel)
        fail("loss", "cannot shape ", rows->numel, " row losses as ", shape_str(*none_shape));
      rows->shape = *none_shape;
      rows->strides = contiguous_strides(*none_shape);
    }
    return rows;
  }
  const bool mean = r == Reduction::Mean;
  Tensor out = empty(Dims{}, rows->dtype);
  loss_reduce_into(out, rows, mean ? denom : 1.0, mean ? total : Tensor());
  return out;
}

struct CrossEntropyBackward : Node {
  bool soft;
  int64_t ignore_index;
  double eps, scale;
  SavedTensor lp, target, w;  // lp = log_softmax(input), made by the forward
  Tensor total;               // 'mean' over class-index targets: the denominator (0-d float64)
  // The node PyTorch's cross_entropy (log_softmax then nll_loss, or the probability targets'
  // sum) ends with.
  const char* label = "NllLossBackward0";
  CrossEntropyBackward(bool s, int64_t ii, double e, double sc)
      : soft(s), ignore_index(ii), eps(e), scale(sc) {}
  const char* name() const override { return label; }
  std::vector<Tensor> apply(const Tensor& g) override {
    const Tensor& lps = lp.unpack(*this);
    const Tensor& ts = target.unpack(*this);
    const Tensor ws = w.was_saved() ? w.unpack(*this) : Tensor();
    Tensor gx = needs(0) ? empty(lps->shape, lps->dtype) : Tensor();
    Tensor gc = contiguous(g);
    if (soft) {
      Tensor gy = needs(1) ? empty(ts->shape, ts->dtype) : Tensor();
      cross_entropy_soft_backward_into(gx, gy, gc, lps, ts, ws, eps, scale);
      return {gx, gy};
    }
    if (gx) cross_entropy_backward_into(gx, gc, lps, ts, ws, ignore_index, eps, scale, total);
    return {gx};
  }
  // gx = glp - softmax(x) * rowsum(glp), glp the gradient of the log-probabilities, linear in
  // g; log_softmax(x) is given its history (the input's edge) for the softmax's derivative.
  std::optional<std::vector<Tensor>> apply_graph(const Tensor& g,
                                                 const std::shared_ptr<Node>&) override {
    if (eps != 0 && soft) return std::nullopt;  // smoothed probabilities
    const Tensor& lps = lp.unpack(*this);
    const Tensor ws = w.was_saved() ? w.unpack(*this) : Tensor();
    const int64_t n = lps->shape[0];
    Tensor lph = log_softmax_history(lps, 1, next[0]);
    Tensor gb = g->dim() == 0 ? g : reshape(g, Dims{n, 1});
    Tensor glp, gy;
    if (soft) {
      Tensor yh = input_history(*this, 1, target.unpack(*this));
      Tensor wy = ws ? mul(yh, ws) : yh;
      glp = mul(mul(wy, Scalar{-scale}), gb);
      if (needs(1)) gy = mul(mul(ws ? mul(lph, ws) : lph, Scalar{-scale}), gb);
    } else {
      // m: glp's coefficients (they depend on the targets, weights, smoothing and count only):
      // the fused kernel's gx for g = 1 where softmax(x) is 0 (log-probabilities -inf), so
      // that gx = glp - softmax(x) * rowsum(glp) is glp itself.
      Tensor m = empty(lps->shape, lps->dtype);
      cross_entropy_backward_into(m, full(g->dim() == 0 ? Dims{} : Dims{n}, 1.0, g->dtype),
                                  full(lps->shape, -INFINITY, lps->dtype), target.unpack(*this), ws,
                                  ignore_index, eps, scale, total);
      glp = mul(m, gb);
    }
    Tensor gx;
    if (needs(0)) gx = sub(glp, mul(exp(lph), sum(glp, {1}, true)));
    if (soft) return std::vector<Tensor>{gx, gy};
    return std::vector<Tensor>{gx};
  }
  void check() const override { lp.check(*this), target.check(*this), w.check(*this); }
  void release() override { lp.reset(), target.reset(), w.reset(), total.reset(); }
};

struct NllLossBackward : Node {
  int64_t ignore_index;
  double scale;
  Dims shape;
  SavedTensor target, w;
  Tensor total;                            // 'mean': the denominator (0-d float64)
  const char* label = "NllLossBackward0";  // NllLoss2DBackward0 for (n, c, d1, ...) inputs
  NllLossBackward(int64_t ii, double s, Dims sh) : ignore_index(ii), scale(s), shape(sh) {}
  const char* name() const override { return label; }
  std::vector<Tensor> apply(const Tensor& g) override {
    Tensor gx = empty(shape, g->dtype);
    nll_backward_into(gx, contiguous(g), target.unpack(*this),
                      w.was_saved() ? w.unpack(*this) : Tensor(), ignore_index, scale, total);
    return {gx};
  }
  // Linear in g: gx = m * g (per row), m the coefficients; the adjoint sums gg * m per row.
  std::optional<std::vector<Tensor>> apply_graph(const Tensor& g,
                                                 const std::shared_ptr<Node>&) override {
    if (shape.size() != 2) return std::nullopt;
    Tensor m = empty(shape, g->dtype);
    nll_backward_into(m, full(g->dim() == 0 ? Dims{} : Dims{shape[0]}, 1.0, g->dtype),
                      target.unpack(*this), w.was_saved() ? w.unpack(*this) : Tensor(),
                      ignore_index, scale, total);
    const Dims gs = g->shape;
    return std::vector<Tensor>{record_linear(apply(g)[0], g, name(), [m, gs](const Tensor& gg) {
      Tensor p = mul(gg, m);
      return gs.size() == 0 ? sum(p, {}, false) : reshape(sum(p, {1}, false), gs);
    })};
  }
  void check() const override { target.check(*this), w.check(*this); }
  void release() override { target.reset(), w.reset(), total.reset(); }
};

// Checks (n, c) logits / log-probabilities and (n,) int64 targets; returns the class weight as
// a contiguous (c,) tensor of dtype dt (or empty).
Tensor class_weight(const Tensor& input, const Tensor& weight, DType dt, const char* op) {
  if (input->dim() != 2)
    fail(op, "expects a 2-d input (batch, classes), got shape ", shape_str(input->shape));
  if (!weight) return weight;
  if (weight->dim() != 1 || weight->shape[0] != input->shape[1])
    fail(op, "weight should be a 1-d tensor of ", input->shape[1],
         " elements (one per class), got shape ", shape_str(weight->shape));
  return constant_operand(weight, dt, weight->shape, op, "weight");
}

void check_index_target(const Tensor& input, const Tensor& target, const char* op) {
  if (target->dtype != DType::Int64)
    fail<TypeError>(op, "class-index targets must be int64, got ", describe(target));
  if (target->dim() != 1 || target->shape[0] != input->shape[0])
    fail<ValueError>(op, "expected target of shape (", input->shape[0], ",), got ",
                     shape_str(target->shape));
}

}  // namespace

Tensor point_loss(PointLoss k, const Tensor& input, const Tensor& target, const Tensor& weight,
                  const Tensor& pos_weight, double param, Reduction r) {
  const char* op = op_name(k);
  const DType dt = float_dtype_of(input, target, op);
  // PyTorch's dtype rules: mse and smooth_l1 promote an int input or target; huber and
  // bce_with_logits need a float input; bce and bce_with_logits a float target (bce: of the
  // input's dtype).
  if ((k == PointLoss::Huber || k == PointLoss::BceWithLogits) && !is_floating(input->dtype))
    fail<TypeError>(op, "expects a floating point input, got ", describe(input));
  if ((k == PointLoss::Bce || k == PointLoss::BceWithLogits) && !is_floating(target->dtype))
    fail<TypeError>(op, "expects a floating point target, got ", describe(target));
  if (k == PointLoss::Bce && input->dtype != target->dtype)
    fail<TypeError>(op, "expects input and target of one dtype, got ", describe(input), " and ",
                    describe(target));
  Tensor x = cast(input, dt), y = cast(target, dt);
  const bool same_shape_only = k == PointLoss::Bce || k == PointLoss::BceWithLogits;
  if (same_shape_only && x->shape != y->shape)
    fail<ValueError>(op, "target size ", shape_str(y->shape), " must be the same as input size ",
                     shape_str(x->shape));
  const Dims shape = broadcast_shapes(x->shape, y->shape, op);
  if (x->shape != shape) x = expand(x, shape);
  if (y->shape != shape) y = expand(y, shape);
  x = contiguous(x), y = contiguous(y);
  Tensor w = constant_operand(weight, dt, shape, op, "weight");
  Tensor pw = constant_operand(pos_weight, dt, shape, op, "pos_weight");
  if (k == PointLoss::Bce) {
    if (!all_in_unit_interval(x)) fail(op, "all elements of input should be between 0 and 1");
    if (!all_in_unit_interval(y)) fail(op, "all elements of target should be between 0 and 1");
  }
  const double scale =
      r == Reduction::Mean ? 1.0 / static_cast<double>(x->numel) : 1.0;  // 0 elements: NaN
  Tensor out = r == Reduction::None ? empty(shape, dt) : empty(Dims{}, dt);
  point_loss_forward_into(k, out, x, y, w, pw, param, scale);
  if (auto n =
          record<PointLossBackward>({&x, &y}, out, k, param, r == Reduction::None ? 1.0 : scale)) {
    n->x = SavedTensor(x), n->y = SavedTensor(y);
    if (x->storage != input->storage) n->input_check = SavedTensor(input);
    if (y->storage != target->storage) n->target_check = SavedTensor(target);
    if (w) n->w = SavedTensor(w);
    if (pw) n->pw = SavedTensor(pw);
  }
  return out;
}

Tensor l1_loss(const Tensor& input, const Tensor& target, const Tensor& weight, Reduction r) {
  const char* op = "l1_loss";
  const DType dt = float_dtype_of(input, target, op);
  Tensor e = abs(sub(cast(input, dt), cast(target, dt)));
  if (weight) e = mul(e, constant_operand(weight, dt, e->shape, op, "weight"));
  switch (r) {
    case Reduction::None:
      return e;
    case Reduction::Mean:
      return mean(e, {}, false);
    case Reduction::Sum:
      break;
  }
  return sum(e, {}, false);
}

Tensor cross_entropy(const Tensor& input, const Tensor& target, const Tensor& weight,
                     int64_t ignore_index, double label_smoothing, Reduction r,
                     const std::optional<Dims>& none_shape) {
  const char* op = "cross_entropy";
  if (!is_floating(input->dtype))
    fail<TypeError>(op, "expects floating point logits, got ", describe(input));
  if (!(label_smoothing >= 0.0 && label_smoothing <= 1.0))
    fail<ValueError>(op, "label_smoothing must be between 0.0 and 1.0. Got: ", label_smoothing);
  const DType dt = input->dtype;
  Tensor w = class_weight(input, weight, dt, op);
  Tensor x = contiguous(input);
  const int64_t n = x->shape[0];
  Tensor rows = empty(Dims{n}, dt), lp = empty(x->shape, dt);
  if (is_floating(target->dtype)) {  // class probabilities
    if (target->shape != input->shape)
      fail<ValueError>(op, "class-probability targets must have the input's shape ",
                       shape_str(input->shape), ", got ", shape_str(target->shape));
    Tensor y = contiguous(cast(target, dt));
    cross_entropy_soft_forward_into(rows, lp, x, y, w, label_smoothing);
    const double denom = static_cast<double>(n);
    Tensor out = reduce_rows(rows, r, denom, Tensor(), none_shape);
    const double scale = r == Reduction::Mean ? 1.0 / denom : 1.0;
    if (auto node = record<CrossEntropyBackward>({&x, &y}, out, true, ignore_index, label_smoothing,
                                                 scale)) {
      node->lp = SavedTensor(lp), node->target = SavedTensor(y);
      if (w) node->w = SavedTensor(w);
      node->label = r == Reduction::Mean ? "DivBackward1" : "NegBackward0";
    }
    return out;
  }
  check_index_target(input, target, op);
  Tensor t = contiguous(target);
  const bool mean = r == Reduction::Mean;
  Tensor total = mean ? empty(Dims{}, DType::Float64) : Tensor();
  cross_entropy_forward_into(rows, lp, x, t, w, ignore_index, label_smoothing, total);
  Tensor out = reduce_rows(rows, r, 1.0, total, none_shape);
  if (auto node =
          record<CrossEntropyBackward>({&x}, out, false, ignore_index, label_smoothing, 1.0)) {
    node->lp = SavedTensor(lp), node->target = SavedTensor(t), node->total = total;
    if (w) node->w = SavedTensor(w);
    node->label = label_smoothing > 0.0                   ? "AddBackward0"
                  : none_shape && none_shape->size() >= 2 ? "NllLoss2DBackward0"
                                                          : "NllLossBackward0";
  }
  return out;
}

Tensor nll_loss(const Tensor& input, const Tensor& target, const Tensor& weight,
                int64_t ignore_index, Reduction r, const std::optional<Dims>& none_shape) {
  const char* op = "nll_loss";
  if (!is_floating(input->dtype))
    fail<TypeError>(op, "expects floating point log-probabilities, got ", describe(input));
  const DType dt = input->dtype;
  Tensor w = class_weight(input, weight, dt, op);
  check_index_target(input, target, op);
  Tensor x = contiguous(input), t = contiguous(target);
  Tensor rows = empty(Dims{x->shape[0]}, dt);
  const bool mean = r == Reduction::Mean;
  Tensor total = mean ? empty(Dims{}, DType::Float64) : Tensor();
  nll_forward_into(rows, x, t, w, ignore_index, total);
  Tensor out = reduce_rows(rows, r, 1.0, total, none_shape);
  if (auto node = record<NllLossBackward>({&x}, out, ignore_index, 1.0, x->shape)) {
    node->target = SavedTensor(t), node->total = total;
    if (w) node->w = SavedTensor(w);
    if (none_shape && none_shape->size() >= 2) node->label = "NllLoss2DBackward0";
  }
  return out;
}

}  // namespace pyag
