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

// The loops below keep every store unconditional (flags that decide whether a state slot is
// written are template parameters) and turn the other flags into selects, so that the compiler
// vectorizes them; each element follows PyTorch's sequence of operations exactly.

template <class T, bool MOMENTUM>
void sgd_loop(const OptimParam& p, const OptimHyper& h) {
  const int64_t n = p.param->numel;
  T* __restrict x = ptr<T>(p.param);
  const T* __restrict g = ptr<T>(p.grad);
  T* __restrict buf = ptr<T>(p.state[0]);
  const T wd = static_cast<T>(h.weight_decay), mom = static_cast<T>(h.momentum);
  const T damp = static_cast<T>(1 - h.dampening), neg_lr = static_cast<T>(-h.lr);
  const T sign = h.maximize ? T(-1) : T(1);
  const bool use_wd = h.weight_decay != 0, fresh = p.fresh, nesterov = h.nesterov;
  for (int64_t i = 0; i < n; ++i) {
    const T xi = x[i];
    T d = sign * g[i];
    d = use_wd ? d + wd * xi : d;
    if constexpr (MOMENTUM) {
      const T b = fresh ? d : buf[i] * mom + damp * d;
      buf[i] = b;
      d = nesterov ? d + mom * b : b;
    }
    x[i] = xi + neg_lr * d;
  }
}

// lerp as PyTorch computes it: weight < 0.5 ? a + w (b - a) : b - (b - a) (1 - w).
template <class T>
inline T lerp(T a, T b, T w, bool small) {
  return small ? a + w * (b - a) : b - (b - a) * (T(1) - w);
}

enum WeightDecay { kNoDecay, kCoupled, kDecoupled };

// SMALL_W: 1 - beta1 < 0.5 (which of lerp's formulas); WD: how weight decay applies.
template <class T, bool AMSGRAD, bool SMALL_W, int WD>
void adam_loop(const OptimParam& p, const OptimHyper& h, double step) {
  const int64_t n = p.param->numel;
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
  const T sign = h.maximize ? T(-1) : T(1);
  for (int64_t i = 0; i < n; ++i) {
    T xi = x[i];
    if constexpr (WD == kDecoupled) xi = xi * decay;
    T gi = sign * g[i];
    if constexpr (WD == kCoupled) gi = gi + wd * xi;
    const T mi = lerp(m[i], gi, w1, SMALL_W);
    const T vi = v[i] * b2 + w2 * gi * gi;
    m[i] = mi;
    v[i] = vi;
    T s = vi;
    if constexpr (AMSGRAD) {
      s = std::max(vmax[i], vi);
      vmax[i] = s;
    }
    const T denom = std::sqrt(s) / bc2_sqrt + eps;
    x[i] = xi + neg_step_size * (mi / denom);
  }
}

template <class T, bool AMSGRAD, bool SMALL_W>
void adam_wd(const OptimParam& p, const OptimHyper& h, double step) {
  if (h.weight_decay == 0) return adam_loop<T, AMSGRAD, SMALL_W, kNoDecay>(p, h, step);
  if (h.decoupled_weight_decay) return adam_loop<T, AMSGRAD, SMALL_W, kDecoupled>(p, h, step);
  adam_loop<T, AMSGRAD, SMALL_W, kCoupled>(p, h, step);
}

template <class T>
void adam(const OptimParam& p, const OptimHyper& h, double step) {
  const bool small = std::abs(1 - h.beta1) < 0.5;
  if (h.amsgrad)
    return small ? adam_wd<T, true, true>(p, h, step) : adam_wd<T, true, false>(p, h, step);
  small ? adam_wd<T, false, true>(p, h, step) : adam_wd<T, false, false>(p, h, step);
}

template <class T, bool CENTERED, bool MOMENTUM>
void rmsprop_loop(const OptimParam& p, const OptimHyper& h) {
  const int64_t n = p.param->numel;
  T* __restrict x = ptr<T>(p.param);
  const T* __restrict g = ptr<T>(p.grad);
  T* __restrict sq = ptr<T>(p.state[0]);
  T* __restrict buf = ptr<T>(p.state[1]);
  T* __restrict gavg = ptr<T>(p.state[2]);
  const T alpha = static_cast<T>(h.beta2), w = static_cast<T>(1 - h.beta2);
  const T wd = static_cast<T>(h.weight_decay), eps = static_cast<T>(h.eps);
  const T mom = static_cast<T>(h.momentum), neg_lr = static_cast<T>(-h.lr);
  const T sign = h.maximize ? T(-1) : T(1);
  const bool use_wd = h.weight_decay != 0, small = std::abs(w) < T(0.5);
  for (int64_t i = 0; i < n; ++i) {
    const T xi = x[i];
    T gi = sign * g[i];
    gi = use_wd ? gi + wd * xi : gi;
    const T s = sq[i] * alpha + w * gi * gi;
    sq[i] = s;
    T avg;
    if constexpr (CENTERED) {
      const T ga = lerp(gavg[i], gi, w, small);
      gavg[i] = ga;
      avg = std::sqrt(s + T(-1) * ga * ga) + eps;
    } else {
      avg = std::sqrt(s) + eps;
    }
    if constexpr (MOMENTUM) {
      const T b = buf[i] * mom + gi / avg;
      buf[i] = b;
      x[i] = xi + neg_lr * b;
    } else {
      x[i] = xi + neg_lr * (gi / avg);
    }
  }
}

template <class T>
void adagrad_loop(const OptimParam& p, const OptimHyper& h, double step) {
  const int64_t n = p.param->numel;
  T* __restrict x = ptr<T>(p.param);
  const T* __restrict g = ptr<T>(p.grad);
  T* __restrict sum = ptr<T>(p.state[0]);
  const T neg_clr = static_cast<T>(-(h.lr / (1 + (step - 1) * h.lr_decay)));
  const T wd = static_cast<T>(h.weight_decay), eps = static_cast<T>(h.eps);
  const T sign = h.maximize ? T(-1) : T(1);
  const bool use_wd = h.weight_decay != 0;
  for (int64_t i = 0; i < n; ++i) {
    const T xi = x[i];
    T gi = sign * g[i];
    gi = use_wd ? gi + wd * xi : gi;
    const T s = sum[i] + gi * gi;
    sum[i] = s;
    x[i] = xi + neg_clr * (gi / (std::sqrt(s) + eps));
  }
}

template <class T>
void update(OptimKernel k, const OptimParam& p, const OptimHyper& h) {
  switch (k) {
    case OptimKernel::Sgd:
      return h.momentum != 0 ? sgd_loop<T, true>(p, h) : sgd_loop<T, false>(p, h);
    case OptimKernel::Adam:
      return adam<T>(p, h, bump_step(p.step));
    case OptimKernel::Rmsprop: {
      bump_step(p.step);
      const bool mom = h.momentum > 0;
      if (h.centered)
        return mom ? rmsprop_loop<T, true, true>(p, h) : rmsprop_loop<T, true, false>(p, h);
      return mom ? rmsprop_loop<T, false, true>(p, h) : rmsprop_loop<T, false, false>(p, h);
    }
    case OptimKernel::Adagrad:
      return adagrad_loop<T>(p, h, bump_step(p.step));
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
  dispatch_float(p.param->dtype, [&](auto v) { update<decltype(v)>(k, p, h); });
}

}  // namespace pyag
