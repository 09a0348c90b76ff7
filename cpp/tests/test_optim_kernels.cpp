// The fused optimizer step: each kernel against a naive double reference of PyTorch's update
// (several steps, every option), the checks done before anything is written, version bumps.
#include <gtest/gtest.h>

#include <cmath>

#include "ops/ops.h"
#include "ops/optim.h"
#include "test_util.h"

namespace pyag::test {
namespace {

struct Ref {  // reference state of one parameter of n elements
  Values x, s0, s1, s2;
  double step = 0;
};

// One reference step of PyTorch's formula, in double.
void ref_step(OptimKernel k, Ref& r, const Values& g0, const OptimHyper& h, bool fresh) {
  r.step += 1;
  for (size_t i = 0; i < r.x.size(); ++i) {
    double g = h.maximize ? -g0[i] : g0[i];
    double& x = r.x[i];
    switch (k) {
      case OptimKernel::Sgd: {
        if (h.weight_decay != 0) g += h.weight_decay * x;
        if (h.momentum != 0) {
          r.s0[i] = fresh ? g : h.momentum * r.s0[i] + (1 - h.dampening) * g;
          g = h.nesterov ? g + h.momentum * r.s0[i] : r.s0[i];
        }
        x -= h.lr * g;
        break;
      }
      case OptimKernel::Adam: {
        if (h.weight_decay != 0) {
          if (h.decoupled_weight_decay)
            x *= 1 - h.lr * h.weight_decay;
          else
            g += h.weight_decay * x;
        }
        r.s0[i] += (1 - h.beta1) * (g - r.s0[i]);
        r.s1[i] = h.beta2 * r.s1[i] + (1 - h.beta2) * g * g;
        double v = r.s1[i];
        if (h.amsgrad) v = r.s2[i] = std::max(r.s2[i], v);
        const double bc1 = 1 - std::pow(h.beta1, r.step), bc2 = 1 - std::pow(h.beta2, r.step);
        x -= h.lr / bc1 * r.s0[i] / (std::sqrt(v) / std::sqrt(bc2) + h.eps);
        break;
      }
      case OptimKernel::Rmsprop: {
        if (h.weight_decay != 0) g += h.weight_decay * x;
        r.s0[i] = h.beta2 * r.s0[i] + (1 - h.beta2) * g * g;
        double avg;
        if (h.centered) {
          r.s2[i] += (1 - h.beta2) * (g - r.s2[i]);
          avg = std::sqrt(r.s0[i] - r.s2[i] * r.s2[i]) + h.eps;
        } else {
          avg = std::sqrt(r.s0[i]) + h.eps;
        }
        if (h.momentum > 0) {
          r.s1[i] = h.momentum * r.s1[i] + g / avg;
          x -= h.lr * r.s1[i];
        } else {
          x -= h.lr * g / avg;
        }
        break;
      }
      case OptimKernel::Adagrad: {
        if (h.weight_decay != 0) g += h.weight_decay * x;
        r.s0[i] += g * g;
        x -= h.lr / (1 + (r.step - 1) * h.lr_decay) * g / (std::sqrt(r.s0[i]) + h.eps);
        break;
      }
    }
  }
}

void run_case(OptimKernel k, const OptimHyper& h, DType dt) {
  const size_t n = 7;
  Values x0(n), init0(n, k == OptimKernel::Adagrad ? 0.1 : 0.0);
  for (size_t i = 0; i < n; ++i) x0[i] = std::sin(static_cast<double>(i) + 1.0);
  OptimParam p;
  p.param = from_values(x0, Dims{7}, dt);
  for (Tensor& s : p.state) s = from_values(init0, Dims{7}, dt);
  p.step = from_values({0}, Dims{}, DType::Float32);
  Ref r{x0, init0, init0, init0, 0};
  const uint64_t v0 = p.param->storage->version;
  for (int step = 0; step < 5; ++step) {
    Values g(n);
    for (size_t i = 0; i < n; ++i)
      g[i] = std::cos(static_cast<double>(i * 3 + static_cast<size_t>(step)));
    p.grad = from_values(g, Dims{7}, dt);
    p.fresh = step == 0;
    optim_step(k, {p}, h);
    ref_step(k, r, g, h, step == 0);
  }
  const double tol = dt == DType::Float64 ? 1e-12 : 2e-6;
  Values got = values(p.param);
  for (size_t i = 0; i < n; ++i) EXPECT_NEAR(got[i], r.x[i], tol * (1 + std::abs(r.x[i])));
  EXPECT_EQ(p.param->storage->version, v0 + 5);
  if (k != OptimKernel::Sgd) {
    EXPECT_EQ(values(p.step)[0], 5.0);
  }
}

TEST(OptimKernels, MatchTheReferenceFormulas) {
  for (DType dt : {DType::Float32, DType::Float64}) {
    for (bool maximize : {false, true}) {
      for (double wd : {0.0, 0.1}) {
        OptimHyper h;
        h.lr = 0.05, h.weight_decay = wd, h.maximize = maximize;
        for (double mom : {0.0, 0.9})
          for (double damp : {0.0, 0.3})
            for (bool nest : {false, true}) {
              if (nest && (mom == 0 || damp != 0)) continue;
              h.momentum = mom, h.dampening = damp, h.nesterov = nest;
              run_case(OptimKernel::Sgd, h, dt);
            }
        OptimHyper a = h;
        a.momentum = 0, a.beta1 = 0.8, a.beta2 = 0.95, a.eps = 1e-6;
        for (bool ams : {false, true})
          for (bool dec : {false, true}) {
            a.amsgrad = ams, a.decoupled_weight_decay = dec;
            run_case(OptimKernel::Adam, a, dt);
          }
        OptimHyper rm = h;
        rm.beta2 = 0.9, rm.eps = 1e-6;
        for (bool centered : {false, true})
          for (double mom : {0.0, 0.5}) {
            rm.centered = centered, rm.momentum = mom;
            run_case(OptimKernel::Rmsprop, rm, dt);
          }
        OptimHyper ag = h;
        ag.momentum = 0, ag.eps = 1e-8;
        for (double decay : {0.0, 0.2}) {
          ag.lr_decay = decay;
          run_case(OptimKernel::Adagrad, ag, dt);
        }
      }
    }
  }
}

TEST(OptimKernels, ChecksEverythingBeforeWriting) {
  OptimParam good, bad;
  good.param = from_values({1, 2}, Dims{2});
  good.grad = from_values({1, 1}, Dims{2});
  bad.param = from_values({1, 2}, Dims{2});
  bad.grad = from_values({1, 1, 1}, Dims{3});
  OptimHyper h;
  h.lr = 1;
  EXPECT_THROW(optim_step(OptimKernel::Sgd, {good, bad}, h), RuntimeError);
  EXPECT_EQ(values(good.param), (Values{1, 2}));
  EXPECT_EQ(good.param->storage->version, 0u);
  h.momentum = 0.9;  // needs the momentum buffer
  EXPECT_THROW(optim_step(OptimKernel::Sgd, {good}, h), RuntimeError);
  OptimParam ints;
  ints.param = from_values({1, 2}, Dims{2}, DType::Int64);
  ints.grad = from_values({1, 2}, Dims{2}, DType::Int64);
  EXPECT_THROW(optim_step(OptimKernel::Sgd, {ints}, OptimHyper{}), TypeError);
  OptimParam adam = good;  // no state, no step counter
  EXPECT_THROW(optim_step(OptimKernel::Adam, {adam}, OptimHyper{}), RuntimeError);
}

TEST(OptimKernels, StridedParameterGoesThroughACopy) {
  Tensor base = from_values({0, 1, 2, 3, 4, 5}, Dims{2, 3});
  OptimParam p;
  p.param = transpose(base, 0, 1);  // (3, 2), not contiguous
  p.grad = from_values({1, 1, 1, 1, 1, 1}, Dims{3, 2});
  OptimHyper h;
  h.lr = 0.5;
  optim_step(OptimKernel::Sgd, {p}, h);
  EXPECT_EQ(values(base), (Values{-0.5, 0.5, 1.5, 2.5, 3.5, 4.5}));
}

}  // namespace
}  // namespace pyag::test
