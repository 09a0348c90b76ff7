#include "kernels/loss.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "capture/hooks.h"

namespace pyag {
namespace {

template <class T>
const T* ptr_or_null(const Tensor& t) {
  return t ? t->data_as<T>() : nullptr;
}

template <class T>
T log_sigmoid(T x) {  // min(x, 0) - log1p(exp(-|x|)), stable for large |x|
  return std::min(x, T(0)) - std::log1p(std::exp(-std::abs(x)));
}

template <class T>
T sigmoid(T x) {
  if (x >= 0) return T(1) / (T(1) + std::exp(-x));
  const T e = std::exp(x);
  return e / (T(1) + e);
}

template <class T>
T point_value(PointLoss k, T x, T y, T pw, T p) {
  switch (k) {
    case PointLoss::Mse: {
      const T d = x - y;
      return d * d;
    }
    case PointLoss::SmoothL1: {
      const T d = std::abs(x - y);
      return d < p ? T(0.5) * d * d / p : d - T(0.5) * p;
    }
    case PointLoss::Huber: {
      const T d = std::abs(x - y);
      return d < p ? T(0.5) * d * d : p * (d - T(0.5) * p);
    }
    case PointLoss::Bce:
      return (y - T(1)) * std::max(T(std::log1p(-x)), T(-100)) -
             y * std::max(T(std::log(x)), T(-100));
    case PointLoss::BceWithLogits:
      return (T(1) - y) * x - (T(1) + (pw - T(1)) * y) * log_sigmoid(x);
  }
  return T(0);
}

// d loss / dx and d loss / dy (unweighted).
template <class T>
void point_grad(PointLoss k, T x, T y, T pw, T p, T& dx, T& dy) {
  switch (k) {
    case PointLoss::Mse:
      dx = T(2) * (x - y);
      dy = -dx;
      return;
    case PointLoss::SmoothL1: {
      const T d = x - y;
      dx = d < -p ? T(-1) : (d > p ? T(1) : d / p);
      dy = -dx;
      return;
    }
    case PointLoss::Huber: {
      const T d = x - y;
      dx = d < -p ? -p : (d > p ? p : d);
      dy = -dx;
      return;
    }
    case PointLoss::Bce:
      dx = (x - y) / std::max((T(1) - x) * x, T(1e-12));
      dy = std::log1p(-x) - std::log(x);
      return;
    case PointLoss::BceWithLogits: {
      const T lw = T(1) + (pw - T(1)) * y;
      dx = (T(1) - y) - lw * (T(1) - sigmoid(x));
      dy = -x - (pw - T(1)) * log_sigmoid(x);
      return;
    }
  }
}

template <class T>
void point_forward(PointLoss k, const Tensor& out, const Tensor& x, const Tensor& y,
                   const Tensor& w, const Tensor& pw, double param, double scale) {
  const int64_t n = x->numel;
  const T* xp = x->data_as<T>();
  const T* yp = y->data_as<T>();
  const T* wp = ptr_or_null<T>(w);
  const T* pwp = ptr_or_null<T>(pw);
  const T p = static_cast<T>(param);
  T* o = out->data_as<T>();
  const bool reduce = out->dim() == 0;  // for a 0-d x, 'none' and a reduction agree (scale 1)
  double acc = 0;
  for (int64_t i = 0; i < n; ++i) {
    T v = point_value<T>(k, xp[i], yp[i], pwp ? pwp[i] : T(1), p);
    if (wp) v *= wp[i];
    if (reduce)
      acc += v;
    else
      o[i] = v;
  }
  if (reduce) o[0] = static_cast<T>(acc * scale);
}

template <class T>
void point_backward(PointLoss k, const Tensor& gx, const Tensor& gy, const Tensor& g,
                    const Tensor& x, const Tensor& y, const Tensor& w, const Tensor& pw,
                    double param, double scale) {
  const int64_t n = x->numel;
  const T* xp = x->data_as<T>();
  const T* yp = y->data_as<T>();
  const T* wp = ptr_or_null<T>(w);
  const T* pwp = ptr_or_null<T>(pw);
  const T* gp = g->data_as<T>();
  const bool per_element = g->dim() != 0;
  const T g0 = static_cast<T>(static_cast<double>(gp[0]) * scale);
  T* gxp = gx ? gx->data_as<T>() : nullptr;
  T* gyp = gy ? gy->data_as<T>() : nullptr;
  const T p = static_cast<T>(param);
  for (int64_t i = 0; i < n; ++i) {
    T dx = 0, dy = 0;
    point_grad<T>(k, xp[i], yp[i], pwp ? pwp[i] : T(1), p, dx, dy);
    T c = per_element ? static_cast<T>(gp[i] * scale) : g0;
    if (wp) c *= wp[i];
    if (gxp) gxp[i] = dx * c;
    if (gyp) gyp[i] = dy * c;
  }
}

// log_softmax of one row into lp; NaN for a row holding +inf or only -inf (x - max is NaN
// there, as in log_softmax).
template <class T>
void row_log_softmax(const T* xr, T* lp, int64_t c) {
  T m = -INFINITY;
  for (int64_t j = 0; j < c; ++j) m = std::max(m, xr[j]);
  if (std::isinf(m)) {
    std::fill(lp, lp + c, static_cast<T>(NAN));
    return;
  }
  double s = 0;
  for (int64_t j = 0; j < c; ++j) s += std::exp(xr[j] - m);
  const T lse = static_cast<T>(m + std::log(s));
  for (int64_t j = 0; j < c; ++j) lp[j] = xr[j] - lse;
}

int64_t checked_target(int64_t t, int64_t c, int64_t ignore_index, const char* op) {
  if (t == ignore_index) return -1;
  if (t < 0 || t >= c) fail<IndexError>(op, "target ", t, " is out of bounds for ", c, " classes");
  return t;
}

template <class T>
double ce_forward(const Tensor& loss, const Tensor& lp, const Tensor& x, const Tensor& target,
                  const Tensor& w, int64_t ignore_index, double eps) {
  const int64_t n = x->shape[0], c = x->shape[1];
  const T* xp = x->data_as<T>();
  const int64_t* tp = target->data_as<int64_t>();
  const T* wp = ptr_or_null<T>(w);
  T* out = loss->data_as<T>();
  T* lpp = lp->data_as<T>();
  double denom = 0;
  for (int64_t i = 0; i < n; ++i) checked_target(tp[i], c, ignore_index, "cross_entropy");
  for (int64_t i = 0; i < n; ++i) {
    T* lr = lpp + i * c;
    row_log_softmax(xp + i * c, lr, c);
    const int64_t t = checked_target(tp[i], c, ignore_index, "cross_entropy");
    if (t < 0) {
      out[i] = 0;
      continue;
    }
    const double wt = wp ? wp[t] : 1.0;
    denom += wt;
    double v = -(1 - eps) * wt * lr[t];
    if (eps > 0) {
      double s = 0;
      for (int64_t j = 0; j < c; ++j) s += (wp ? wp[j] : 1.0) * lr[j];
      v -= eps / static_cast<double>(c) * s;
    }
    out[i] = static_cast<T>(v);
  }
  return denom;
}

template <class T>
void ce_backward(const Tensor& gx, const Tensor& g, const Tensor& lp, const Tensor& target,
                 const Tensor& w, int64_t ignore_index, double eps, double scale) {
  const int64_t n = lp->shape[0], c = lp->shape[1];
  const T* lpp = lp->data_as<T>();
  const int64_t* tp = target->data_as<int64_t>();
  const T* wp = ptr_or_null<T>(w);
  const T* gp = g->data_as<T>();
  const bool per_row = g->dim() != 0;
  T* op = gx->data_as<T>();
  double wsum = static_cast<double>(c);
  if (wp) {
    wsum = 0;
    for (int64_t j = 0; j < c; ++j) wsum += wp[j];
  }
  const T ec = static_cast<T>(eps / static_cast<double>(c));
  for (int64_t i = 0; i < n; ++i) {
    const T* lr = lpp + i * c;
    T* orow = op + i * c;
    const int64_t t = tp[i] == ignore_index ? -1 : tp[i];
    if (t < 0) {
      std::fill(orow, orow + c, T(0));
      continue;
    }
    const T coef = static_cast<T>(static_cast<double>(per_row ? gp[i] : gp[0]) * scale);
    const T a = static_cast<T>((1 - eps) * (wp ? wp[t] : 1.0));  // weight of the target term
    const T b = static_cast<T>(eps / static_cast<double>(c) * wsum);
    for (int64_t j = 0; j < c; ++j)
      orow[j] = coef * ((a + b) * std::exp(lr[j]) - (wp ? ec * wp[j] : ec));
    orow[t] -= coef * a;
  }
}

template <class T>
void ce_soft_forward(const Tensor& loss, const Tensor& lp, const Tensor& x, const Tensor& y,
                     const Tensor& w, double eps) {
  const int64_t n = x->shape[0], c = x->shape[1];
  const T* xp = x->data_as<T>();
  const T* yp = y->data_as<T>();
  const T* wp = ptr_or_null<T>(w);
  T* out = loss->data_as<T>();
  T* lpp = lp->data_as<T>();
  const double ec = eps / static_cast<double>(c);
  for (int64_t i = 0; i < n; ++i) {
    T* lr = lpp + i * c;
    const T* yr = yp + i * c;
    row_log_softmax(xp + i * c, lr, c);
    double s = 0;
    for (int64_t j = 0; j < c; ++j) {
      const double yj = (1 - eps) * yr[j] + ec;
      s -= (wp ? wp[j] : 1.0) * yj * lr[j];
    }
    out[i] = static_cast<T>(s);
  }
}

template <class T>
void ce_soft_backward(const Tensor& gx, const Tensor& gy, const Tensor& g, const Tensor& lp,
                      const Tensor& y, const Tensor& w, double eps, double scale) {
  const int64_t n = lp->shape[0], c = lp->shape[1];
  const T* lpp = lp->data_as<T>();
  const T* yp = y->data_as<T>();
  const T* wp = ptr_or_null<T>(w);
  const T* gp = g->data_as<T>();
  const bool per_row = g->dim() != 0;
  T* gxp = gx ? gx->data_as<T>() : nullptr;
  T* gyp = gy ? gy->data_as<T>() : nullptr;
  const T ec = static_cast<T>(eps / static_cast<double>(c));
  const T keep = static_cast<T>(1 - eps);
  for (int64_t i = 0; i < n; ++i) {
    const T* lr = lpp + i * c;
    const T* yr = yp + i * c;
    const T coef = static_cast<T>(static_cast<double>(per_row ? gp[i] : gp[0]) * scale);
    if (gxp) {
      double wy = 0;
      for (int64_t j = 0; j < c; ++j) wy += (wp ? wp[j] : T(1)) * (keep * yr[j] + ec);
      const T wyt = static_cast<T>(wy);
      T* orow = gxp + i * c;
      for (int64_t j = 0; j < c; ++j)
        orow[j] = coef * (std::exp(lr[j]) * wyt - (wp ? wp[j] : T(1)) * (keep * yr[j] + ec));
    }
    if (gyp) {
      T* orow = gyp + i * c;
      for (int64_t j = 0; j < c; ++j) orow[j] = -coef * keep * (wp ? wp[j] : T(1)) * lr[j];
    }
  }
}

template <class T>
double nll_forward(const Tensor& loss, const Tensor& lp, const Tensor& target, const Tensor& w,
                   int64_t ignore_index) {
  const int64_t n = lp->shape[0], c = lp->shape[1];
  const T* xp = lp->data_as<T>();
  const int64_t* tp = target->data_as<int64_t>();
  const T* wp = ptr_or_null<T>(w);
  T* op = loss->data_as<T>();
  double denom = 0;
  for (int64_t i = 0; i < n; ++i) checked_target(tp[i], c, ignore_index, "nll_loss");
  for (int64_t i = 0; i < n; ++i) {
    const int64_t t = tp[i] == ignore_index ? -1 : tp[i];
    if (t < 0) {
      op[i] = 0;
      continue;
    }
    const T wt = wp ? wp[t] : T(1);
    denom += wt;
    op[i] = -wt * xp[i * c + t];
  }
  return denom;
}

template <class T>
void nll_backward(const Tensor& glp, const Tensor& g, const Tensor& target, const Tensor& w,
                  int64_t ignore_index, double scale) {
  const int64_t n = glp->shape[0], c = glp->shape[1];
  const int64_t* tp = target->data_as<int64_t>();
  const T* wp = ptr_or_null<T>(w);
  const T* gp = g->data_as<T>();
  const bool per_row = g->dim() != 0;
  T* op = glp->data_as<T>();
  std::fill(op, op + n * c, T(0));
  for (int64_t i = 0; i < n; ++i) {
    const int64_t t = tp[i] == ignore_index ? -1 : tp[i];
    if (t < 0) continue;
    const T coef = static_cast<T>(static_cast<double>(per_row ? gp[i] : gp[0]) * scale);
    op[i * c + t] = -(wp ? wp[t] : T(1)) * coef;
  }
}

}  // namespace

const char* op_name(PointLoss k) {
  switch (k) {
    case PointLoss::Mse:
      return "mse_loss";
    case PointLoss::SmoothL1:
      return "smooth_l1_loss";
    case PointLoss::Huber:
      return "huber_loss";
    case PointLoss::Bce:
      return "binary_cross_entropy";
    case PointLoss::BceWithLogits:
      return "binary_cross_entropy_with_logits";
  }
  return "?";
}

void point_loss_forward_into(PointLoss k, const Tensor& out, const Tensor& x, const Tensor& y,
                             const Tensor& w, const Tensor& pw, double param, double scale) {
  capture::Waist rec;
  if (rec) rec->point_loss(k, out, x, y, w, pw, param, scale);
  dispatch_float(x->dtype,
                 [&](auto v) { point_forward<decltype(v)>(k, out, x, y, w, pw, param, scale); });
}

void point_loss_backward_into(PointLoss k, const Tensor& gx, const Tensor& gy, const Tensor& g,
                              const Tensor& x, const Tensor& y, const Tensor& w, const Tensor& pw,
                              double param, double scale) {
  capture::Waist rec;
  if (rec) rec->point_loss_grad(k, gx, gy, g, x, y, w, pw, param, scale);
  dispatch_float(x->dtype, [&](auto v) {
    point_backward<decltype(v)>(k, gx, gy, g, x, y, w, pw, param, scale);
  });
}

void cross_entropy_forward_into(const Tensor& loss, const Tensor& lp, const Tensor& x,
                                const Tensor& target, const Tensor& w, int64_t ignore_index,
                                double eps, const Tensor& total) {
  capture::Waist rec;
  if (rec)
    rec->kernel("cross_entropy",
                {capture::W(loss), capture::W(lp), capture::R(x), capture::R(target), capture::R(w),
                 capture::W(total)},
                [=](const Tensor* t) {
                  cross_entropy_forward_into(t[0], t[1], t[2], t[3], t[4], ignore_index, eps, t[5]);
                });
  const double denom = dispatch_float(x->dtype, [&](auto v) {
    return ce_forward<decltype(v)>(loss, lp, x, target, w, ignore_index, eps);
  });
  if (total) *total->data_as<double>() = denom;
}

void cross_entropy_backward_into(const Tensor& gx, const Tensor& g, const Tensor& lp,
                                 const Tensor& target, const Tensor& w, int64_t ignore_index,
                                 double eps, double scale, const Tensor& total) {
  capture::Waist rec;
  if (rec)
    rec->kernel("cross_entropy_backward",
                {capture::W(gx), capture::R(g), capture::R(lp), capture::R(target), capture::R(w),
                 capture::R(total)},
                [=](const Tensor* t) {
                  cross_entropy_backward_into(t[0], t[1], t[2], t[3], t[4], ignore_index, eps,
                                              scale, t[5]);
                });
  if (total) scale /= *total->data_as<double>();
  dispatch_float(lp->dtype, [&](auto v) {
    ce_backward<decltype(v)>(gx, g, lp, target, w, ignore_index, eps, scale);
  });
}

void cross_entropy_soft_forward_into(const Tensor& loss, const Tensor& lp, const Tensor& x,
                                     const Tensor& y, const Tensor& w, double eps) {
  capture::Waist rec;
  if (rec)
    rec->kernel("cross_entropy_soft",
                {capture::W(loss), capture::W(lp), capture::R(x), capture::R(y), capture::R(w)},
                [=](const Tensor* t) {
                  cross_entropy_soft_forward_into(t[0], t[1], t[2], t[3], t[4], eps);
                });
  dispatch_float(x->dtype, [&](auto v) { ce_soft_forward<decltype(v)>(loss, lp, x, y, w, eps); });
}

void cross_entropy_soft_backward_into(const Tensor& gx, const Tensor& gy, const Tensor& g,
                                      const Tensor& lp, const Tensor& y, const Tensor& w,
                                      double eps, double scale) {
  capture::Waist rec;
  if (rec)
    rec->kernel("cross_entropy_soft_backward",
                {capture::W(gx), capture::W(gy), capture::R(g), capture::R(lp), capture::R(y),
                 capture::R(w)},
                [=](const Tensor* t) {
                  cross_entropy_soft_backward_into(t[0], t[1], t[2], t[3], t[4], t[5], eps, scale);
                });
  dispatch_float(lp->dtype,
                 [&](auto v) { ce_soft_backward<decltype(v)>(gx, gy, g, lp, y, w, eps, scale); });
}

void loss_reduce_into(const Tensor& out, const Tensor& rows, double div, const Tensor& total) {
  capture::Waist rec;
  if (rec)
    rec->kernel("loss_reduce", {capture::W(out), capture::R(rows), capture::R(total)},
                [=](const Tensor* t) { loss_reduce_into(t[0], t[1], div, t[2]); });
  dispatch_float(rows->dtype, [&](auto v) {
    using T = decltype(v);
    const T* p = rows->data_as<T>();
    double s = 0;
    for (int64_t i = 0; i < rows->numel; ++i) s += p[i];
    *out->data_as<T>() = static_cast<T>(s / (total ? *total->data_as<double>() : div));
  });
}

bool all_in_unit_interval(const Tensor& t) {
  capture::refuse("binary_cross_entropy", "its input check reads values into the host");
  return dispatch_float(t->dtype, [&](auto v) {
    using T = decltype(v);
    const T* p = t->data_as<T>();
    for (int64_t i = 0; i < t->numel; ++i)
      if (!(p[i] >= T(0) && p[i] <= T(1))) return false;
    return true;
  });
}

void nll_forward_into(const Tensor& loss, const Tensor& lp, const Tensor& target, const Tensor& w,
                      int64_t ignore_index, const Tensor& total) {
  capture::Waist rec;
  if (rec)
    rec->kernel(
        "nll_loss",
        {capture::W(loss), capture::R(lp), capture::R(target), capture::R(w), capture::W(total)},
        [=](const Tensor* t) { nll_forward_into(t[0], t[1], t[2], t[3], ignore_index, t[4]); });
  const double denom = dispatch_float(lp->dtype, [&](auto v) {
    return nll_forward<decltype(v)>(loss, lp, target, w, ignore_index);
  });
  if (total) *total->data_as<double>() = denom;
}

void nll_backward_into(const Tensor& glp, const Tensor& g, const Tensor& target, const Tensor& w,
                       int64_t ignore_index, double scale, const Tensor& total) {
  capture::Waist rec;
  if (rec)
    rec->kernel(
        "nll_loss_backward",
        {capture::W(glp), capture::R(g), capture::R(target), capture::R(w), capture::R(total)},
        [=](const Tensor* t) {
          nll_backward_into(t[0], t[1], t[2], t[3], ignore_index, scale, t[4]);
        });
  if (total) scale /= *total->data_as<double>();
  dispatch_float(glp->dtype, [&](auto v) {
    nll_backward<decltype(v)>(glp, g, target, w, ignore_index, scale);
  });
}

}  // namespace pyag
