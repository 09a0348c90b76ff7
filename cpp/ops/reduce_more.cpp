// prod all any logsumexp var std norm cumsum cumprod, and sum/mean with dtype=: forward and
// derivative. Written from existing ops where that gives the gradient (logsumexp, var, std);
// prod, norm, cumsum and cumprod have nodes whose derivatives are ops or scan kernels; all and
// any are not differentiable.
#include <algorithm>
#include <cmath>
#include <limits>

#include "autograd/node.h"
#include "kernels/elementwise.h"
#include "kernels/reduce.h"
#include "kernels/scan.h"
#include "ops/ops.h"

namespace pyag {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<int> dims_of(const Tensor& a, const std::vector<int64_t>& dims, const char* op) {
  if (dims.empty()) {
    std::vector<int> all(static_cast<size_t>(a->dim()));
    for (int i = 0; i < a->dim(); ++i) all[static_cast<size_t>(i)] = i;
    return all;
  }
  return wrap_dims(dims, a->dim(), op);
}

std::vector<int64_t> as64(const std::vector<int>& ds) {
  return std::vector<int64_t>(ds.begin(), ds.end());
}

Dims kept_shape(const Dims& shape, const std::vector<int>& ds) {
  Dims k = shape;
  for (int d : ds) k[d] = 1;
  return k;
}

Dims squeezed(const Dims& shape, const std::vector<int>& ds) {
  Dims out;
  for (int d = 0; d < shape.size(); ++d)
    if (std::find(ds.begin(), ds.end(), d) == ds.end()) out.push_back(shape[d]);
  return out;
}

int64_t count_of(const Dims& shape, const std::vector<int>& ds) {
  int64_t n = 1;
  for (int d : ds) n *= shape[d];
  return n;
}

// The keepdim result r as the op returns it.
Tensor finish_shape(const Tensor& r, const Dims& in_shape, const std::vector<int>& ds,
                    bool keepdim) {
  return keepdim ? r : reshape(r, squeezed(in_shape, ds));
}

// finish_shape for a result computed without autograd that the op then records a node for:
// a tensor of its own, not a view of the internal keepdim result (a view made there would
// refuse in-place writes as a view of a leaf).
Tensor finish_new(const Tensor& r, const Dims& in_shape, const std::vector<int>& ds, bool keepdim) {
  return keepdim ? r : detach(reshape(r, squeezed(in_shape, ds)));
}

// max (or min) over several dims, keepdim, no autograd.
Tensor extreme_dims(const Tensor& a, const std::vector<int>& ds, bool is_max, const char* op) {
  Tensor m = detach(a);
  if (a->dim() == 0) return clone(m);
  if (count_of(a->shape, ds) == 0)
    fail<IndexError>(op, "cannot reduce over a dimension of size 0 in shape ", shape_str(a->shape));
  for (int d : ds) m = extreme_dim(m, d, true, is_max).first;
  return m;
}

Tensor scalar_like(double v, DType dt) { return scalar_tensor(v, dt); }

// The op's output (saved in keepdim form, y) with its history: the node's own output has the
// shape of its gradient g.
Tensor output_keepdim(const std::shared_ptr<Node>& self, const Tensor& y, const Tensor& g) {
  if (y->shape == g->shape) return output_history(self, y);
  return reshape(
      output_history(self, make_view(y, g->shape, contiguous_strides(g->shape), y->offset)),
      y->shape);
}

// A reduction whose gradient reads its input x and its output (saved in keepdim form) and is
// made of recorded ops (grads): apply gives grads the saved values, apply_graph (for
// create_graph=True) the same with their history.
struct SavedReductionBackward : Node {
  SavedTensor x, out;  // out in keepdim form
  std::vector<int> dims;
  std::vector<Tensor> apply(const Tensor& g) override {
    return grads(g, x.unpack(*this), out.unpack(*this));
  }
  std::optional<std::vector<Tensor>> apply_graph(const Tensor& g,
                                                 const std::shared_ptr<Node>& self) override {
    if (!graph_ok()) return std::nullopt;
    return grads(g, input_history(*this, 0, x.unpack(*this)),
                 output_keepdim(self, out.unpack(*this), g));
  }
  virtual std::vector<Tensor> grads(const Tensor& g, const Tensor& xv, const Tensor& y) const = 0;
  virtual bool graph_ok() const { return true; }
  void check() const override { x.check(*this), out.check(*this); }
  void release() override { x.reset(), out.reset(); }
};

// The product of the other elements along dim d, at each element: PyTorch's
// prod_safe_zeros_backward, an exclusive cumulative product from each side (so 0 * inf is NaN
// where PyTorch's is, in its order of multiplication).
Tensor prod_of_others(const Tensor& x, int d) {
  const int64_t n = x->shape[d];
  Dims one = x->shape;
  one[d] = 1;
  Tensor ones = full(one, 1.0, x->dtype);
  Tensor before = cumprod(concat({ones, narrow(x, d, 0, n - 1)}, d), d, std::nullopt);
  Tensor after =
      flip(cumprod(concat({ones, flip(narrow(x, d, 1, n - 1), {d})}, d), d, std::nullopt), {d});
  return mul(before, after);
}

struct ProdBackward : SavedReductionBackward {
  bool all = false;  // prod() of every element, not prod(dim)
  const char* name() const override { return "ProdBackward0"; }
  // At a zero the gradient reads cumprod, whose own derivative is not recorded: refused there.
  // Without zeros (create_graph=True) it is g * prod / x alone, recorded.
  std::optional<std::vector<Tensor>> apply_graph(const Tensor& g,
                                                 const std::shared_ptr<Node>& self) override {
    const Tensor& xs = x.unpack(*this);
    if (get_double(sum(eq(xs, Scalar{0.0}), {}, false), Dims{}) != 0) return std::nullopt;
    Tensor y = output_keepdim(self, out.unpack(*this), g);
    Tensor gk = reshape(g, y->shape);
    if (xs->dim() == 0) return std::vector<Tensor>{gk};
    return std::vector<Tensor>{mul(gk, div(y, input_history(*this, 0, xs)))};
  }
  // PyTorch's prod_backward: g * prod / x when no element of x is 0; else the product of the
  // others (in every slice, zeros or not), or zeros for prod() of several zeros.
  // Selected by where, not by reading the count (a compiled step replays this without Python).
  std::vector<Tensor> grads(const Tensor& g, const Tensor& xv, const Tensor& y) const override {
    Tensor gk = reshape(g, y->shape);
    if (xv->dim() == 0) return {gk};
    Tensor plain = mul(gk, div(y, xv));
    if (xv->numel == 0) return {plain};
    Tensor nz = sum(eq(xv, Scalar{0.0}), {}, false);
    if (!all) return {where(gt(nz, Scalar{0.0}), mul(gk, prod_of_others(xv, dims[0])), plain)};
    Tensor flat = reshape(contiguous(xv), Dims{xv->numel});
    Tensor one_zero = reshape(mul(reshape(gk, Dims{1}), prod_of_others(flat, 0)), xv->shape);
    return {where(gt(nz, Scalar{1.0}), Scalar{0.0}, where(eq(nz, Scalar{1.0}), one_zero, plain))};
  }
};

struct NormBackward : SavedReductionBackward {
  double p = 2;
  const char* name() const override { return "LinalgVectorNormBackward0"; }
  // PyTorch's norm_backward, formula by formula: what it masks (norm == 0, or x == 0 for p < 1)
  // decides where a NaN or an infinity survives and what the second derivative sees.
  std::vector<Tensor> grads(const Tensor& g, const Tensor& xv, const Tensor& y) const override {
    Tensor gk = reshape(g, y->shape);
    const DType dt = xv->dtype;
    if (p == 0) return {zeros(xv->shape, dt)};
    if (p == 1) return {mul(sign(xv), gk)};
    if (p == 2) return {mul(gk, where(eq(y, Scalar{0.0}), Scalar{0.0}, div(xv, y)))};
    if (std::isinf(p)) {  // shared evenly among the elements at the extreme (or NaN)
      Tensor ax = abs(xv);
      Tensor at = logical_or(eq(ax, y), isnan(ax));
      return {mul(sign(xv), mul(div(gk, sum(at, as64(dims), true)), at))};
    }
    if (p < 1) {
      Tensor s = where(eq(xv, Scalar{0.0}), Scalar{0.0}, pow(abs(xv), Scalar{p - 1}));
      return {mul(mul(mul(sign(xv), s), gk), pow(y, Scalar{1 - p}))};
    }
    Tensor scale = where(eq(y, Scalar{0.0}), Scalar{0.0}, div(gk, pow(y, Scalar{p - 1})));
    Tensor s =
        p < 2 ? mul(sign(xv), pow(abs(xv), Scalar{p - 1})) : mul(xv, pow(abs(xv), Scalar{p - 2}));
    return {mul(s, scale)};
  }
};

// std's gradient as PyTorch's: g / (2 std), 0 where std is 0 (not sqrt's inf * 0 = NaN),
// then var's: times 2 (x - mean) / (n - correction).
// PyTorch's var_backward: (2 / (N - correction)) * g * (x - mean(x)); with every dim reduced
// and no degrees of freedom left, g * (x == mean(x) ? NaN : inf).
Tensor var_grad(const Tensor& gk, const Tensor& xv, const std::vector<int>& dims, bool all,
                double correction) {
  const double dof = static_cast<double>(count_of(xv->shape, dims)) - correction;
  if ((all || xv->dim() == 0) && dof <= 0) {
    Tensor m = mean(xv, {}, false);
    return mul(gk, where(eq(xv, m), Scalar{std::nan("")}, Scalar{kInf}));
  }
  return mul(mul(gk, Scalar{2.0 / dof}), sub(xv, mean(xv, as64(dims), true)));
}

// VarBackward0 saves the input only (PyTorch's node: an in-place write into the result is
// allowed, one into the input is caught at backward).
struct VarBackward : Node {
  SavedTensor x;
  std::vector<int> dims;
  Dims kshape;  // the result in keepdim form
  double correction = 1;
  bool all = false;
  const char* name() const override { return "VarBackward0"; }
  std::vector<Tensor> grad(const Tensor& g, const Tensor& xv) const {
    return {var_grad(reshape(g, kshape), xv, dims, all, correction)};
  }
  std::vector<Tensor> apply(const Tensor& g) override { return grad(g, x.unpack(*this)); }
  std::optional<std::vector<Tensor>> apply_graph(const Tensor& g,
                                                 const std::shared_ptr<Node>&) override {
    return grad(g, input_history(*this, 0, x.unpack(*this)));
  }
  void check() const override { x.check(*this); }
  void release() override { x.reset(); }
};

// PyTorch's std_backward: var_backward of g / (2 std), 0 where std is 0.
struct StdBackward : SavedReductionBackward {
  double correction = 1;
  bool all = false;
  const char* name() const override { return "StdBackward0"; }
  std::vector<Tensor> grads(const Tensor& g, const Tensor& xv, const Tensor& y) const override {
    const DType dt = xv->dtype;
    Tensor gk = reshape(g, y->shape);
    Tensor gv = where(eq(y, Scalar{0.0}), scalar_like(0.0, dt), div(gk, mul(y, Scalar{2.0})));
    return {var_grad(gv, xv, dims, all, correction)};
  }
};

struct CumsumBackward : Node {
  int dim = 0;
  const char* name() const override { return "CumsumBackward0"; }
  std::vector<Tensor> apply(const Tensor& g) override {
    Tensor r = empty(g->shape, g->dtype);
    cumsum_into(r, g, dim, true);
    return {r};
  }
  std::optional<std::vector<Tensor>> apply_graph(const Tensor& g,
                                                 const std::shared_ptr<Node>&) override {
    const int64_t d = dim;  // the adjoint of the reversed cumsum is cumsum
    return std::vector<Tensor>{record_linear(
        apply(g)[0], g, name(), [d](const Tensor& gg) { return cumsum(gg, d, std::nullopt); })};
  }
};

struct CumprodBackward : Node {
  SavedTensor x;
  SavedTensor y;  // the result: unread here, saved as PyTorch's node saves it (version check)
  int dim = 0;
  const char* name() const override { return "CumprodBackward0"; }
  std::vector<Tensor> apply(const Tensor& g) override {
    const Tensor& xv = x.unpack(*this);
    y.check(*this);
    if (xv->dim() == 0) return {g};  // PyTorch's cumprod_backward of a 0-d input
    Tensor r = empty(g->shape, g->dtype);
    cumprod_grad_into(r, g, xv, dim);
    return {r};
  }
  void check() const override { x.check(*this), y.check(*this); }
  void release() override { x.reset(), y.reset(); }
};

// all/any: bool, but uint8 for uint8 input (PyTorch keeps uint8 there).
Tensor truth_result(const Tensor& r, DType in) { return in == DType::UInt8 ? cast(r, in) : r; }

void need_float(const Tensor& a, const char* op, const char* what) {
  if (!is_floating(a->dtype))
    fail(op, what, " a floating point tensor, got ", dtype_name(a->dtype));
}

}  // namespace

Tensor prod(const Tensor& a, std::optional<int64_t> dim, bool keepdim, std::optional<DType> dtype) {
  if (dtype && *dtype != a->dtype) return prod(cast(a, *dtype), dim, keepdim);
  const char* op = "prod";
  std::vector<int> ds = dim ? wrap_dims({*dim}, a->dim(), op) : dims_of(a, {}, op);
  if (!dim) keepdim = false;
  const DType odt = is_floating(a->dtype) ? a->dtype : DType::Int64;
  Tensor out = full(kept_shape(a->shape, ds), 1.0, odt);
  prod_into(out, a);
  Tensor r = finish_new(out, a->shape, ds, keepdim);
  if (auto n = record<ProdBackward>({&a}, r)) {
    n->x = SavedTensor(a);
    n->out = SavedTensor(out);
    n->dims = ds;
    n->all = !dim;
  }
  return r;
}

Tensor all(const Tensor& a, const std::vector<int64_t>& dims, bool keepdim) {
  std::vector<int> ds = dims_of(a, dims, "all");
  Tensor nonzero = sum(ne(detach(a), Scalar{0.0}), as64(ds), true);
  Tensor r = eq(nonzero, Scalar{static_cast<double>(count_of(a->shape, ds))});
  return truth_result(finish_shape(r, a->shape, ds, keepdim && !(dims.empty() && a->dim() == 0)),
                      a->dtype);
}

Tensor any(const Tensor& a, const std::vector<int64_t>& dims, bool keepdim) {
  std::vector<int> ds = dims_of(a, dims, "any");
  Tensor r = gt(sum(ne(detach(a), Scalar{0.0}), as64(ds), true), Scalar{0.0});
  return truth_result(finish_shape(r, a->shape, ds, keepdim && !(dims.empty() && a->dim() == 0)),
                      a->dtype);
}

Tensor logsumexp(const Tensor& a, const std::vector<int64_t>& dims, bool keepdim) {
  const char* op = "logsumexp";
  Tensor x = is_floating(a->dtype) ? a : cast(a, default_dtype());
  std::vector<int> ds = dims_of(x, dims, op);
  // Shift by the (detached) maximum: exp never overflows; an infinite maximum shifts by 0.
  Tensor m = count_of(x->shape, ds) == 0 ? zeros(kept_shape(x->shape, ds), x->dtype)
                                         : extreme_dims(x, ds, true, op);
  m = where(eq(abs(m), Scalar{kInf}), scalar_like(0.0, x->dtype), m);
  Tensor r = add(log(sum(exp(sub(x, m)), as64(ds), true)), m);
  Tensor out = finish_shape(r, x->shape, ds, keepdim);
  show_grad_fn_as(out, "LogsumexpBackward0");
  return out;
}

// std and var: the value from var_into (PyTorch's kernels: two passes about the mean when the
// result has one element, else Welford), in keepdim form.
Tensor spread(const Tensor& a, const std::vector<int>& ds, double correction, bool take_sqrt) {
  if (count_of(a->shape, ds) == 0) return full(kept_shape(a->shape, ds), std::nan(""), a->dtype);
  Tensor y = empty(kept_shape(a->shape, ds), a->dtype);
  if (y->numel == 1)
    var_about_into(y, a, mean(detach(a), {}, false), correction, take_sqrt);
  else
    var_into(y, a, correction, take_sqrt);
  return y;
}

Tensor var(const Tensor& a, const std::vector<int64_t>& dims, double correction, bool keepdim) {
  need_float(a, "var", "std and var need");
  std::vector<int> ds = dims_of(a, dims, "var");
  Tensor y = spread(a, ds, correction, false);
  Tensor r = finish_new(y, a->shape, ds, keepdim);
  if (auto n = record<VarBackward>({&a}, r)) {
    n->x = SavedTensor(a);
    n->dims = ds;
    n->kshape = y->shape;
    n->correction = correction;
    n->all = dims.empty();
  }
  return r;
}

Tensor std_dev(const Tensor& a, const std::vector<int64_t>& dims, double correction, bool keepdim) {
  need_float(a, "std", "std and var need");
  std::vector<int> ds = dims_of(a, dims, "std");
  Tensor y = spread(a, ds, correction, true);
  Tensor r = finish_new(y, a->shape, ds, keepdim);
  if (auto n = record<StdBackward>({&a}, r)) {
    n->x = SavedTensor(a);
    n->out = SavedTensor(y);
    n->dims = ds;
    n->correction = correction;
    n->all = dims.empty();
  }
  return r;
}

Tensor norm(const Tensor& a, double p, const std::vector<int64_t>& dims, bool keepdim,
            std::optional<DType> dtype) {
  if (dtype && *dtype != a->dtype) return norm(cast(a, *dtype), p, dims, keepdim);
  const char* op = "norm";
  need_float(a, op, "expects");
  std::vector<int> ds = dims_of(a, dims, op);
  const std::vector<int64_t> d64 = as64(ds);
  Tensor x = detach(a);
  Tensor y;
  if (p == kInf || p == -kInf) {
    y = extreme_dims(abs(x), ds, p > 0, op);
  } else if (p == 0) {
    y = cast(sum(ne(x, Scalar{0.0}), d64, true), a->dtype);
  } else if (p == 1) {
    y = sum(abs(x), d64, true);
  } else if (p == 2) {
    y = sqrt(sum(mul(x, x), d64, true));
  } else {
    y = pow(sum(pow(abs(x), Scalar{p}), d64, true), Scalar{1.0 / p});
  }
  Tensor r = finish_new(y, a->shape, ds, keepdim);
  if (auto n = record<NormBackward>({&a}, r)) {
    n->x = SavedTensor(a);
    n->out = SavedTensor(y);
    n->dims = ds;
    n->p = p;
  }
  return r;
}

Tensor cumsum(const Tensor& a, int64_t dim, std::optional<DType> dtype) {
  Tensor x = dtype && *dtype != a->dtype ? cast(a, *dtype) : a;
  const int d = wrap_dim(dim, a->dim(), "cumsum");
  if (a->dim() == 0) {
    // a new tensor (cast to int64 returns an int64 input itself)
    Tensor r = is_floating(x->dtype) || x->dtype == DType::Int64 ? clone(x) : cast(x, DType::Int64);
    return r;
  }
  Tensor out = empty(x->shape, is_floating(x->dtype) ? x->dtype : DType::Int64);
  cumsum_into(out, x, d, false);
  if (auto n = record<CumsumBackward>({&x}, out)) n->dim = d;
  return out;
}

Tensor cumprod(const Tensor& a, int64_t dim, std::optional<DType> dtype) {
  Tensor x = dtype && *dtype != a->dtype ? cast(a, *dtype) : a;
  const int d = wrap_dim(dim, a->dim(), "cumprod");
  if (a->dim() == 0 && !is_floating(x->dtype))
    return x->dtype == DType::Int64 ? clone(x) : cast(x, DType::Int64);
  Tensor out = empty(x->shape, is_floating(x->dtype) ? x->dtype : DType::Int64);
  if (a->dim() == 0)
    copy_into(out, x);  // a 0-d input: its value, recorded as CumprodBackward0 (saving out)
  else
    cumprod_into(out, x, d);
  if (auto n = record<CumprodBackward>({&x}, out)) {
    n->x = SavedTensor(x);
    n->y = SavedTensor(out);
    n->dim = d;
  }
  return out;
}

Tensor sum(const Tensor& a, const std::vector<int64_t>& dims, bool keepdim, DType dtype) {
  Tensor r = sum(a->dtype == dtype ? a : cast(a, dtype), dims, keepdim);
  return r->dtype == dtype ? r : cast(r, dtype);  // int32 with dtype=int32 stays int32
}

Tensor mean(const Tensor& a, const std::vector<int64_t>& dims, bool keepdim, DType dtype) {
  if (!is_floating(dtype))
    fail("mean",
         "could not infer output dtype: the dtype argument must be a floating point "
         "dtype, got ",
         dtype_name(dtype));
  return mean(a->dtype == dtype ? a : cast(a, dtype), dims, keepdim);
}

}  // namespace pyag
