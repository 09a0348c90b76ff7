#include "kernels/optim.h"

#include <algorithm>
#include <cmath>

namespace pyag {
namespace {

template <class T>
T* ptr(const Tensor& t) {
  return t ? t->data_as<T>() : nullptr;
}

// Increments the step counter and returns its new value.
double bump_step(const Tensor& step) {
  if (!step) return 0;
  return dispatch_float(step->dtype, [&](auto v) {
    using S = decltype(v);
    S& s = *step->data_as<S>();
    s = static_cast<S>(s + S(1));
    return static_cast<double>(s);
  });
}

// lerp as PyTorch computes it: weight < 0.5 ? a + w (b - a) : b - (b - a) (1 - w).
template <class T>
inline T lerp(T a, T b, T w) {
  return std::abs(w) < T(0.5) ? a + w * (b - a) : b - (b - a) * (T(1) - w);
}

template <class T>
void sgd(const OptimParam& p, const OptimHyper& h) {
  const int64_t n = p.param->numel;
  T* __restrict x = ptr<T>(p.param);
  const T* __restrict g = ptr<T>(p.grad);
  T* __restrict buf = ptr<T>(p.state[0]);
  const T wd = static_cast<T>(h.weight_decay), mom = static_cast<T>(h.momentum);
  const T damp = static_cast<T>(1 - h.dampening), neg_lr = static_cast<T>(-h.lr);
  const bool use_wd = h.weight_decay != 0, use_mom = h.momentum != 0;
  for (int64_t i = 0; i < n; ++i) {
    T d = h.maximize ? -g[i] : g[i];
    if (use_wd) d = d + wd * x[i];
    if (use_mom) {
      T b = p.fresh ? d : buf[i] * mom + damp * d;
      buf[i] = b;
      d = h.nesterov ? d + mom * b : b;
    }
    x[i] = x[i] + neg_lr * d;
  }
}

template <class T>
void adam(const OptimParam& p, const OptimHyper& h) {
  const int64_t n = p.param->numel;
  const double step = bump_step(p.step);
  T* __restrict x = ptr<T>(p.param);
  const T* __restrict g = ptr<T>(p.grad);
  T* __restrict m = ptr<T>(p.state[0]);
  T* __restrict v = ptr<T>(p.state[1]);
  T* __restrict vmax = ptr<T>(p.state[2]);
  const double bc1 = 1 - std::pow(h.beta1, step), bc2 = 1 - std::pow(h.beta2, step);
  const T neg_step_size = static_cast<T>(-(h.lr / bc1));
  const T bc2_sqrt = static_cast<T>(std::sqrt(bc2));
  const T w1 = static_cast<T>(1 - h.beta1), b2 = static_cast<T>(h.beta2);
  const T w2 = static_cast<T>(1 - h.beta2), eps = static_cast<T>(h.eps);
  const T wd = static_cast<T>(h.weight_decay);
  const T decay = static_cast<T>(1 - h.lr * h.weight_decay);
  const bool coupled = h.weight_decay != 0 && !h.decoupled_weight_decay;
  const bool decoupled = h.weight_decay != 0 && h.decoupled_weight_decay;
  for (int64_t i = 0; i < n; ++i) {
    T gi = h.maximize ? -g[i] : g[i];
    T xi = x[i];
    if (decoupled) xi = xi * decay;
    if (coupled) gi = gi + wd * xi;
    const T mi = lerp(m[i], gi, w1);
    const T vi = v[i] * b2 + w2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    T s = vi;
    if (h.amsgrad) {
      s = std::max(vmax[i], vi);
      vmax[i] = s;
    }
    const T denom = std::sqrt(s) / bc2_sqrt + eps;
    x[i] = xi + neg_step_size * (mi / denom);
  }
}

template <class T>
void rmsprop(const OptimParam& p, const OptimHyper& h) {
  const int64_t n = p.param->numel;
  bump_step(p.step);
  T* __restrict x = ptr<T>(p.param);
  const T* __restrict g = ptr<T>(p.grad);
  T* __restrict sq = ptr<T>(p.state[0]);
  T* __restrict buf = ptr<T>(p.state[1]);
  T* __restrict gavg = ptr<T>(p.state[2]);
  const T alpha = static_cast<T>(h.beta2), w = static_cast<T>(1 - h.beta2);
  const T wd = static_cast<T>(h.weight_decay), eps = static_cast<T>(h.eps);
  const T mom = static_cast<T>(h.momentum), neg_lr = static_cast<T>(-h.lr);
  const bool use_wd = h.weight_decay != 0, use_mom = h.momentum > 0;
  for (int64_t i = 0; i < n; ++i) {
    T gi = h.maximize ? -g[i] : g[i];
    if (use_wd) gi = gi + wd * x[i];
    const T s = sq[i] * alpha + w * gi * gi;
    sq[i] = s;
    T avg;
    if (h.centered) {
      const T ga = lerp(gavg[i], gi, w);
      gavg[i] = ga;
      avg = std::sqrt(s + T(-1) * ga * ga) + eps;
    } else {
      avg = std::sqrt(s) + eps;
    }
    if (use_mom) {
      const T b = buf[i] * mom + gi / avg;
      buf[i] = b;
      x[i] = x[i] + neg_lr * b;
    } else {
      x[i] = x[i] + neg_lr * (gi / avg);
    }
  }
}

template <class T>
void adagrad(const OptimParam& p, const OptimHyper& h) {
  const int64_t n = p.param->numel;
  const double step = bump_step(p.step);
  T* __restrict x = ptr<T>(p.param);
  const T* __restrict g = ptr<T>(p.grad);
  T* __restrict sum = ptr<T>(p.state[0]);
  const T neg_clr = static_cast<T>(-(h.lr / (1 + (step - 1) * h.lr_decay)));
  const T wd = static_cast<T>(h.weight_decay), eps = static_cast<T>(h.eps);
  const bool use_wd = h.weight_decay != 0;
  for (int64_t i = 0; i < n; ++i) {
    T gi = h.maximize ? -g[i] : g[i];
    if (use_wd) gi = gi + wd * x[i];
    const T s = sum[i] + gi * gi;
    sum[i] = s;
    x[i] = x[i] + neg_clr * (gi / (std::sqrt(s) + eps));
  }
}

}  // namespace

const char* op_name(OptimKernel k) {
  switch (k) {
    case OptimKernel::Sgd:
      return "sgd";
    case OptimKernel::Adam:
      return "adam";
    case OptimKernel::Rmsprop:
      return "rmsprop";
    case OptimKernel::Adagrad:
      return "adagrad";
  }
  return "?";
}

void optim_update(OptimKernel k, const OptimParam& p, const OptimHyper& h) {
  dispatch_float(p.param->dtype, [&](auto v) {
    using T = decltype(v);
    switch (k) {
      case OptimKernel::Sgd:
        return sgd<T>(p, h);
      case OptimKernel::Adam:
        return adam<T>(p, h);
      case OptimKernel::Rmsprop:
        return rmsprop<T>(p, h);
      case OptimKernel::Adagrad:
        return adagrad<T>(p, h);
    }
  });
}

}  // namespace pyag
