#include "kernels/norm.h"

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
void ln_forward(const Tensor& y, const Tensor& mean, const Tensor& rstd, const Tensor& x,
                const Tensor& w, const Tensor& b, int64_t d, double eps) {
  const int64_t m = d ? x->numel / d : 0;
  const T* xp = x->data_as<T>();
  const T* wp = ptr_or_null<T>(w);
  const T* bp = ptr_or_null<T>(b);
  T* yp = y->data_as<T>();
  T* mp = mean->data_as<T>();
  T* rp = rstd->data_as<T>();
  for (int64_t i = 0; i < m; ++i) {
    const T* xr = xp + i * d;
    T* yr = yp + i * d;
    double s = 0;
    for (int64_t j = 0; j < d; ++j) s += xr[j];
    const double mu = s / static_cast<double>(d);
    double v = 0;
    for (int64_t j = 0; j < d; ++j) {
      const double c = xr[j] - mu;
      v += c * c;
    }
    const double r = 1.0 / std::sqrt(v / static_cast<double>(d) + eps);
    mp[i] = static_cast<T>(mu);
    rp[i] = static_cast<T>(r);
    const T muT = static_cast<T>(mu), rT = static_cast<T>(r);
    for (int64_t j = 0; j < d; ++j) {
      T v2 = (xr[j] - muT) * rT;
      if (wp) v2 *= wp[j];
      if (bp) v2 += bp[j];
      yr[j] = v2;
    }
  }
}

template <class T>
void ln_backward(const Tensor& gx, const Tensor& gw, const Tensor& gb, const Tensor& g,
                 const Tensor& x, const Tensor& mean, const Tensor& rstd, const Tensor& w,
                 int64_t d) {
  const int64_t m = d ? x->numel / d : 0;
  const T* xp = x->data_as<T>();
  const T* gp = g->data_as<T>();
  const T* mp = mean->data_as<T>();
  const T* rp = rstd->data_as<T>();
  const T* wp = ptr_or_null<T>(w);
  T* gxp = gx ? gx->data_as<T>() : nullptr;
  std::vector<double> accw(gw ? static_cast<size_t>(d) : 0), accb(gb ? static_cast<size_t>(d) : 0);
  for (int64_t i = 0; i < m; ++i) {
    const T* xr = xp + i * d;
    const T* gr = gp + i * d;
    const T mu = mp[i], r = rp[i];
    double s1 = 0, s2 = 0;  // sum of g*w and of g*w*xhat
    for (int64_t j = 0; j < d; ++j) {
      const double xhat = static_cast<double>(xr[j] - mu) * r;
      const double gh = static_cast<double>(gr[j]) * (wp ? wp[j] : T(1));
      s1 += gh;
      s2 += gh * xhat;
      if (gw) accw[static_cast<size_t>(j)] += gr[j] * xhat;
      if (gb) accb[static_cast<size_t>(j)] += gr[j];
    }
    if (gxp) {
      const T a = static_cast<T>(s1 / static_cast<double>(d));
      const T c = static_cast<T>(s2 / static_cast<double>(d));
      T* o = gxp + i * d;
      for (int64_t j = 0; j < d; ++j) {
        const T xhat = (xr[j] - mu) * r;
        const T gh = gr[j] * (wp ? wp[j] : T(1));
        o[j] = r * (gh - a - xhat * c);
      }
    }
  }
  if (gw)
    for (int64_t j = 0; j < d; ++j)
      gw->data_as<T>()[j] = static_cast<T>(accw[static_cast<size_t>(j)]);
  if (gb)
    for (int64_t j = 0; j < d; ++j)
      gb->data_as<T>()[j] = static_cast<T>(accb[static_cast<size_t>(j)]);
}

// (n, c, l) with channel ch at offsets i * c * l + ch * l + k.
struct Bnl {
  int64_t n, c, l;
  Bnl(const Tensor& x, int64_t channels) : n(0), c(channels), l(1) {
    n = x->dim() ? x->shape[0] : 1;
    for (int i = 2; i < x->dim(); ++i) l *= x->shape[i];
  }
  int64_t count() const { return n * l; }
};

template <class T>
void bn_stats(const Tensor& mean, const Tensor& var, const Tensor& x, int64_t c) {
  Bnl s(x, c);
  const T* xp = x->data_as<T>();
  for (int64_t ch = 0; ch < c; ++ch) {
    double sum = 0;
    for (int64_t i = 0; i < s.n; ++i) {
      const T* p = xp + (i * c + ch) * s.l;
      for (int64_t k = 0; k < s.l; ++k) sum += p[k];
    }
    const double mu = sum / static_cast<double>(s.count());
    double v = 0;
    for (int64_t i = 0; i < s.n; ++i) {
      const T* p = xp + (i * c + ch) * s.l;
      for (int64_t k = 0; k < s.l; ++k) v += (p[k] - mu) * (p[k] - mu);
    }
    mean->data_as<T>()[ch] = static_cast<T>(mu);
    var->data_as<T>()[ch] = static_cast<T>(v / static_cast<double>(s.count()));
  }
}

template <class T>
void bn_forward(const Tensor& y, const Tensor& x, const Tensor& mean, const Tensor& invstd,
                const Tensor& w, const Tensor& b, int64_t c) {
  Bnl s(x, c);
  const T* xp = x->data_as<T>();
  const T* wp = ptr_or_null<T>(w);
  const T* bp = ptr_or_null<T>(b);
  T* yp = y->data_as<T>();
  for (int64_t i = 0; i < s.n; ++i)
    for (int64_t ch = 0; ch < c; ++ch) {
      const T mu = mean->data_as<T>()[ch];
      const T scale = invstd->data_as<T>()[ch] * (wp ? wp[ch] : T(1));
      const T shift = bp ? bp[ch] : T(0);
      const int64_t off = (i * c + ch) * s.l;
      for (int64_t k = 0; k < s.l; ++k) yp[off + k] = (xp[off + k] - mu) * scale + shift;
    }
}

template <class T>
void bn_backward(const Tensor& gx, const Tensor& gw, const Tensor& gb, const Tensor& g,
                 const Tensor& x, const Tensor& mean, const Tensor& invstd, const Tensor& w,
                 int64_t c, bool batch_stats) {
  Bnl s(x, c);
  const T* xp = x->data_as<T>();
  const T* gp = g->data_as<T>();
  const T* wp = ptr_or_null<T>(w);
  const double cnt = static_cast<double>(s.count());
  for (int64_t ch = 0; ch < c; ++ch) {
    const T mu = mean->data_as<T>()[ch];
    const T r = invstd->data_as<T>()[ch];
    double sg = 0, sgx = 0;  // sum of g and of g * xhat
    for (int64_t i = 0; i < s.n; ++i) {
      const int64_t off = (i * c + ch) * s.l;
      for (int64_t k = 0; k < s.l; ++k) {
        sg += gp[off + k];
        sgx += static_cast<double>(gp[off + k]) * ((xp[off + k] - mu) * r);
      }
    }
    if (gw) gw->data_as<T>()[ch] = static_cast<T>(sgx);
    if (gb) gb->data_as<T>()[ch] = static_cast<T>(sg);
    if (!gx) continue;
    const T wr = r * (wp ? wp[ch] : T(1));
    const T a = batch_stats ? static_cast<T>(sg / cnt) : T(0);
    const T bcoef = batch_stats ? static_cast<T>(sgx / cnt) : T(0);
    T* o = gx->data_as<T>();
    for (int64_t i = 0; i < s.n; ++i) {
      const int64_t off = (i * c + ch) * s.l;
      for (int64_t k = 0; k < s.l; ++k) {
        const T xhat = (xp[off + k] - mu) * r;
        o[off + k] = wr * (gp[off + k] - a - xhat * bcoef);
      }
    }
  }
}

template <class T>
void bn_update(const Tensor& rm, const Tensor& rv, const Tensor& mean, const Tensor& var,
               int64_t count, double momentum) {
  const int64_t c = mean->numel;
  const double unbias =
      count > 1 ? static_cast<double>(count) / static_cast<double>(count - 1) : INFINITY;
  for (int64_t ch = 0; ch < c; ++ch) {
    if (rm) {
      T& m = rm->data_as<T>()[ch];
      m = static_cast<T>((1 - momentum) * m + momentum * mean->data_as<T>()[ch]);
    }
    if (rv) {
      T& v = rv->data_as<T>()[ch];
      v = static_cast<T>((1 - momentum) * v + momentum * var->data_as<T>()[ch] * unbias);
    }
  }
}

}  // namespace

void layer_norm_forward_into(const Tensor& y, const Tensor& mean, const Tensor& rstd,
                             const Tensor& x, const Tensor& w, const Tensor& b, int64_t d,
                             double eps) {
  capture::Waist rec;
  if (rec)
    rec->kernel("layer_norm_forward",
                {capture::W(y), capture::W(mean), capture::W(rstd), capture::R(x), capture::R(w),
                 capture::R(b)},
                [=](const Tensor* t) {
                  layer_norm_forward_into(t[0], t[1], t[2], t[3], t[4], t[5], d, eps);
                });
  dispatch_float(x->dtype,
                 [&](auto v) { ln_forward<decltype(v)>(y, mean, rstd, x, w, b, d, eps); });
}

void layer_norm_backward_into(const Tensor& gx, const Tensor& gw, const Tensor& gb, const Tensor& g,
                              const Tensor& x, const Tensor& mean, const Tensor& rstd,
                              const Tensor& w, int64_t d) {
  capture::Waist rec;
  if (rec)
    rec->kernel("layer_norm_backward",
                {capture::W(gx), capture::W(gw), capture::W(gb), capture::R(g), capture::R(x),
                 capture::R(mean), capture::R(rstd), capture::R(w)},
                [=](const Tensor* t) {
                  layer_norm_backward_into(t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], d);
                });
  dispatch_float(x->dtype,
                 [&](auto v) { ln_backward<decltype(v)>(gx, gw, gb, g, x, mean, rstd, w, d); });
}

void batch_norm_stats_into(const Tensor& mean, const Tensor& var, const Tensor& x, int64_t c) {
  capture::Waist rec;
  if (rec)
    rec->kernel("batch_norm_stats", {capture::W(mean), capture::W(var), capture::R(x)},
                [=](const Tensor* t) { batch_norm_stats_into(t[0], t[1], t[2], c); });
  dispatch_float(x->dtype, [&](auto v) { bn_stats<decltype(v)>(mean, var, x, c); });
}

void batch_norm_forward_into(const Tensor& y, const Tensor& x, const Tensor& mean,
                             const Tensor& invstd, const Tensor& w, const Tensor& b, int64_t c) {
  capture::Waist rec;
  if (rec)
    rec->kernel(
        "batch_norm_forward",
        {capture::W(y), capture::R(x), capture::R(mean), capture::R(invstd), capture::R(w),
         capture::R(b)},
        [=](const Tensor* t) { batch_norm_forward_into(t[0], t[1], t[2], t[3], t[4], t[5], c); });
  dispatch_float(x->dtype, [&](auto v) { bn_forward<decltype(v)>(y, x, mean, invstd, w, b, c); });
}

void batch_norm_backward_into(const Tensor& gx, const Tensor& gw, const Tensor& gb, const Tensor& g,
                              const Tensor& x, const Tensor& mean, const Tensor& invstd,
                              const Tensor& w, int64_t c, bool batch_stats) {
  capture::Waist rec;
  if (rec)
    rec->kernel("batch_norm_backward",
                {capture::W(gx), capture::W(gw), capture::W(gb), capture::R(g), capture::R(x),
                 capture::R(mean), capture::R(invstd), capture::R(w)},
                [=](const Tensor* t) {
                  batch_norm_backward_into(t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], c,
                                           batch_stats);
                });
  dispatch_float(x->dtype, [&](auto v) {
    bn_backward<decltype(v)>(gx, gw, gb, g, x, mean, invstd, w, c, batch_stats);
  });
}

void batch_norm_update_running(const Tensor& running_mean, const Tensor& running_var,
                               const Tensor& mean, const Tensor& var, int64_t count,
                               double momentum) {
  capture::Waist rec;
  if (rec)
    rec->kernel(
        "batch_norm_update_running",
        {capture::RW(running_mean), capture::RW(running_var), capture::R(mean), capture::R(var)},
        [=](const Tensor* t) {
          batch_norm_update_running(t[0], t[1], t[2], t[3], count, momentum);
        });
  dispatch_float(mean->dtype, [&](auto v) {
    bn_update<decltype(v)>(running_mean, running_var, mean, var, count, momentum);
  });
}

}  // namespace pyag
