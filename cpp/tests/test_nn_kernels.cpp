// The fused nn ops (losses, layer norm, batch norm): values against naive double references,
// gradients against central differences through the ops, and their error checks.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "autograd/engine.h"
#include "autograd/node.h"
#include "ops/nn.h"
#include "ops/ops.h"
#include "test_util.h"

namespace pyag::test {
namespace {

Values randoms(size_t n, unsigned seed, double scale = 1.0) {
  std::mt19937 g(seed);
  std::normal_distribution<double> d(0.0, scale);
  Values v(n);
  for (double& x : v) x = d(g);
  return v;
}

// Checks d f / d x (f: a 0-d float64 result) against central differences at x's values.
void expect_gradient(const std::function<Tensor(const Tensor&)>& f, const Values& x0,
                     const Dims& shape, double tol = 1e-6) {
  Tensor x = leaf(x0, shape);
  Tensor y = f(x);
  backward({y}, {}, false);
  Values analytic = values(grad_of(x));
  for (size_t i = 0; i < x0.size(); ++i) {
    const double h = 1e-6;
    Values xp = x0, xm = x0;
    xp[i] += h, xm[i] -= h;
    const double fp = values(f(from_values(xp, shape)))[0];
    const double fm = values(f(from_values(xm, shape)))[0];
    EXPECT_NEAR(analytic[i], (fp - fm) / (2 * h), tol) << "element " << i;
  }
}

TEST(PointLoss, ValuesMatchTheFormulas) {
  Values xv = {0.5, -1.0, 2.0, 0.25}, yv = {0.0, 1.0, 2.5, 0.25};
  Tensor x = from_values(xv, Dims{4}), y = from_values(yv, Dims{4});
  auto none = [&](PointLoss k, double p) {
    return values(point_loss(k, x, y, Tensor(), Tensor(), p, Reduction::None));
  };
  Values mse = none(PointLoss::Mse, 0);
  Values l1 = values(l1_loss(x, y, Tensor(), Reduction::None));
  Values sl1 = none(PointLoss::SmoothL1, 1.0), hub = none(PointLoss::Huber, 0.3);
  for (size_t i = 0; i < 4; ++i) {
    const double d = xv[i] - yv[i], a = std::abs(d);
    EXPECT_DOUBLE_EQ(mse[i], d * d);
    EXPECT_DOUBLE_EQ(l1[i], a);
    EXPECT_DOUBLE_EQ(sl1[i], a < 1.0 ? 0.5 * d * d : a - 0.5);
    EXPECT_NEAR(hub[i], a < 0.3 ? 0.5 * d * d : 0.3 * (a - 0.15), 1e-15);
  }
  Tensor s = point_loss(PointLoss::Mse, x, y, Tensor(), Tensor(), 0, Reduction::Sum);
  Tensor m = point_loss(PointLoss::Mse, x, y, Tensor(), Tensor(), 0, Reduction::Mean);
  EXPECT_EQ(s->dim(), 0);
  EXPECT_DOUBLE_EQ(values(s)[0], 0.25 + 4 + 0.25 + 0);
  EXPECT_DOUBLE_EQ(values(m)[0], 4.5 / 4);
}

TEST(PointLoss, BceWithLogitsIsStableAndMatchesBce) {
  Values xv = {-3.0, 0.0, 2.0, 1000.0, -1000.0};
  Values yv = {0.0, 0.5, 1.0, 0.0, 1.0};
  Tensor x = from_values(xv, Dims{5}), y = from_values(yv, Dims{5});
  Values l =
      values(point_loss(PointLoss::BceWithLogits, x, y, Tensor(), Tensor(), 0, Reduction::None));
  for (size_t i = 0; i < 3; ++i) {
    const double p = 1 / (1 + std::exp(-xv[i]));
    EXPECT_NEAR(l[i], -(yv[i] * std::log(p) + (1 - yv[i]) * std::log(1 - p)), 1e-12);
  }
  EXPECT_NEAR(l[3], 1000.0, 1e-9);
  EXPECT_NEAR(l[4], 1000.0, 1e-9);
  Values bce = values(point_loss(PointLoss::Bce, from_values({0.0, 1.0, 0.5}, Dims{3}),
                                 from_values({1.0, 0.0, 1.0}, Dims{3}), Tensor(), Tensor(), 0,
                                 Reduction::None));
  EXPECT_DOUBLE_EQ(bce[0], 100.0);  // log clamped at -100
  EXPECT_DOUBLE_EQ(bce[1], 100.0);
  EXPECT_NEAR(bce[2], std::log(2.0), 1e-15);
}

TEST(PointLoss, GradientsMatchFiniteDifferences) {
  const Values x0 = randoms(6, 1), y0 = randoms(6, 2);
  Tensor y = from_values(y0, Dims{2, 3});
  Tensor w = from_values({0.5, 1.0, 2.0}, Dims{3});
  Tensor pw = from_values({3.0, 0.5, 1.0}, Dims{3});
  struct Case {
    PointLoss k;
    double p;
    Tensor w, pw;
    Reduction r;
  };
  for (const Case& c : {Case{PointLoss::Mse, 0, Tensor(), Tensor(), Reduction::Mean},
                        Case{PointLoss::SmoothL1, 0.4, w, Tensor(), Reduction::Sum},
                        Case{PointLoss::SmoothL1, 0.4, Tensor(), Tensor(), Reduction::Mean},
                        Case{PointLoss::Huber, 0.7, w, Tensor(), Reduction::Sum},
                        Case{PointLoss::BceWithLogits, 0, w, pw, Reduction::Mean}}) {
    SCOPED_TRACE(op_name(c.k));
    expect_gradient(
        [&](const Tensor& x) {
          Tensor target = c.k == PointLoss::BceWithLogits ? sigmoid(y) : y;
          return point_loss(c.k, x, target, c.w, c.pw, c.p, c.r);
        },
        x0, Dims{2, 3});
  }
  // the gradient with respect to the target, through a 'none' output summed
  expect_gradient(
      [&](const Tensor& t) {
        Tensor x = from_values(x0, Dims{2, 3});
        return sum(point_loss(PointLoss::Mse, x, t, Tensor(), Tensor(), 0, Reduction::None), {},
                   false);
      },
      y0, Dims{2, 3});
}

TEST(PointLoss, Errors) {
  Tensor a = from_values({0.5, 1.5}, Dims{2}), b = from_values({0.5, 0.5}, Dims{2});
  EXPECT_THROW(point_loss(PointLoss::Bce, a, b, Tensor(), Tensor(), 0, Reduction::Mean),
               RuntimeError);
  EXPECT_THROW(point_loss(PointLoss::Mse, a, from_values({1, 2, 3}, Dims{3}), Tensor(), Tensor(), 0,
                          Reduction::Mean),
               RuntimeError);
  Tensor ints = from_values({1, 2}, Dims{2}, DType::Int64);
  EXPECT_THROW(point_loss(PointLoss::Mse, ints, ints, Tensor(), Tensor(), 0, Reduction::Mean),
               TypeError);
  // an int input with a float target computes in the target's dtype
  Tensor two = from_values({2}, Dims{1}, DType::Int64), zero = from_values({0}, Dims{1});
  EXPECT_DOUBLE_EQ(
      values(point_loss(PointLoss::Mse, two, zero, Tensor(), Tensor(), 0, Reduction::Mean))[0],
      4.0);
}

TEST(CrossEntropy, ValuesMatchLogSoftmax) {
  const Values xv = randoms(12, 3, 2.0);
  Tensor x = from_values(xv, Dims{3, 4});
  Tensor t = from_values({1, 3, -100}, Dims{3}, DType::Int64);
  Values rows = values(cross_entropy(x, t, Tensor(), -100, 0.0, Reduction::None));
  for (int i = 0; i < 2; ++i) {
    double m = -INFINITY, s = 0;
    for (int j = 0; j < 4; ++j) m = std::max(m, xv[static_cast<size_t>(i * 4 + j)]);
    for (int j = 0; j < 4; ++j) s += std::exp(xv[static_cast<size_t>(i * 4 + j)] - m);
    const int tgt = i == 0 ? 1 : 3;
    EXPECT_NEAR(rows[static_cast<size_t>(i)],
                m + std::log(s) - xv[static_cast<size_t>(i * 4 + tgt)], 1e-12);
  }
  EXPECT_EQ(rows[2], 0.0);
  // +inf among the logits: NaN, as log_softmax gives
  Values inf_row = values(cross_entropy(from_values({2.0, INFINITY, 0.0}, Dims{1, 3}),
                                        from_values({2}, Dims{1}, DType::Int64), Tensor(), -100,
                                        0.0, Reduction::None, Dims{}));
  EXPECT_TRUE(std::isnan(inf_row[0]));
  Values mean = values(cross_entropy(x, t, Tensor(), -100, 0.0, Reduction::Mean));
  EXPECT_NEAR(mean[0], (rows[0] + rows[1]) / 2, 1e-12);  // ignored rows do not count
  EXPECT_THROW(cross_entropy(x, from_values({0, 4, 1}, Dims{3}, DType::Int64), Tensor(), -100, 0.0,
                             Reduction::Mean),
               IndexError);
}

TEST(CrossEntropy, GradientsMatchFiniteDifferences) {
  const Values x0 = randoms(15, 4);
  Tensor t = from_values({0, 4, 2}, Dims{3}, DType::Int64);
  Tensor w = from_values({0.5, 1.0, 2.0, 1.5, 0.7}, Dims{5});
  for (double eps : {0.0, 0.3}) {
    expect_gradient(
        [&](const Tensor& x) { return cross_entropy(x, t, w, 4, eps, Reduction::Mean); }, x0,
        Dims{3, 5});
  }
  Tensor probs = from_values(randoms(15, 5), Dims{3, 5});
  probs = div(exp(probs), sum(exp(probs), {1}, true));
  expect_gradient(
      [&](const Tensor& x) { return cross_entropy(x, probs, w, -100, 0.1, Reduction::Sum); }, x0,
      Dims{3, 5});
  expect_gradient([&](const Tensor& x) { return nll_loss(x, t, w, 2, Reduction::Mean); }, x0,
                  Dims{3, 5});
}

TEST(LayerNorm, NormalizesRowsAndMatchesFiniteDifferences) {
  const Values x0 = randoms(12, 6, 3.0);
  Tensor y = layer_norm(from_values(x0, Dims{3, 4}), Dims{4}, Tensor(), Tensor(), 0.0);
  Values v = values(y);
  for (int i = 0; i < 3; ++i) {
    double s = 0, s2 = 0;
    for (int j = 0; j < 4; ++j) s += v[static_cast<size_t>(i * 4 + j)];
    for (int j = 0; j < 4; ++j)
      s2 += v[static_cast<size_t>(i * 4 + j)] * v[static_cast<size_t>(i * 4 + j)];
    EXPECT_NEAR(s / 4, 0.0, 1e-12);
    EXPECT_NEAR(s2 / 4, 1.0, 1e-12);
  }
  Tensor w = from_values({1.0, -2.0, 0.5, 3.0}, Dims{4});
  Tensor b = from_values({0.1, 0.2, 0.3, 0.4}, Dims{4});
  Tensor mix = from_values(randoms(12, 7), Dims{3, 4});
  expect_gradient(
      [&](const Tensor& x) { return sum(mul(layer_norm(x, Dims{4}, w, b, 1e-5), mix), {}, false); },
      x0, Dims{3, 4});
  EXPECT_THROW(layer_norm(from_values(x0, Dims{3, 4}), Dims{3}, Tensor(), Tensor(), 1e-5),
               RuntimeError);
}

TEST(BatchNorm, TrainingStatisticsRunningUpdateAndGradients) {
  const Values x0 = randoms(12, 8, 2.0);
  Tensor rm = from_values({0, 0, 0}, Dims{3}), rv = from_values({1, 1, 1}, Dims{3});
  const uint64_t version = rm->storage->version;
  Tensor y = batch_norm(from_values(x0, Dims{4, 3}), rm, rv, Tensor(), Tensor(), true, 0.1, 0.0);
  EXPECT_GT(rm->storage->version, version);
  Values v = values(y);
  for (int c = 0; c < 3; ++c) {
    double mean = 0, var = 0;
    for (int i = 0; i < 4; ++i) mean += x0[static_cast<size_t>(i * 3 + c)] / 4;
    for (int i = 0; i < 4; ++i) {
      const double d = x0[static_cast<size_t>(i * 3 + c)] - mean;
      var += d * d / 4;
    }
    EXPECT_NEAR(at(rm, {c}), 0.1 * mean, 1e-12);
    EXPECT_NEAR(at(rv, {c}), 0.9 + 0.1 * var * 4 / 3, 1e-12);
    for (int i = 0; i < 4; ++i)
      EXPECT_NEAR(v[static_cast<size_t>(i * 3 + c)],
                  (x0[static_cast<size_t>(i * 3 + c)] - mean) / std::sqrt(var), 1e-9);
  }
  Tensor w = from_values({1.0, -2.0, 0.5}, Dims{3}), b = from_values({0.1, 0.2, 0.3}, Dims{3});
  Tensor mix = from_values(randoms(12, 9), Dims{4, 3});
  for (bool training : {true, false}) {
    expect_gradient(
        [&](const Tensor& x) {
          Tensor m = from_values({0.1, 0.2, 0.3}, Dims{3}), s = from_values({1, 2, 3}, Dims{3});
          return sum(mul(batch_norm(x, m, s, w, b, training, 0.1, 1e-5), mix), {}, false);
        },
        x0, Dims{4, 3});
  }
  EXPECT_THROW(batch_norm(from_values({1, 2, 3}, Dims{1, 3}), Tensor(), Tensor(), Tensor(),
                          Tensor(), true, 0.1, 1e-5),
               ValueError);
}

TEST(Linear, MatchesTheProductAndFiniteDifferences) {
  const Values x0 = randoms(24, 11), w0 = randoms(12, 12), b0 = randoms(3, 13);
  Tensor x = from_values(x0, Dims{2, 3, 4}), w = from_values(w0, Dims{3, 4});
  Tensor b = from_values(b0, Dims{3});
  Values y = values(linear(x, w, b));
  ASSERT_EQ(y.size(), 18u);
  for (size_t r = 0; r < 6; ++r)
    for (size_t o = 0; o < 3; ++o) {
      double ref = b0[o];
      for (size_t i = 0; i < 4; ++i) ref += x0[r * 4 + i] * w0[o * 4 + i];
      EXPECT_NEAR(y[r * 3 + o], ref, 1e-12);
    }
  Tensor mix = from_values(randoms(18, 14), Dims{2, 3, 3});
  expect_gradient([&](const Tensor& xv) { return sum(mul(linear(xv, w, b), mix), {}, false); }, x0,
                  Dims{2, 3, 4});
  expect_gradient([&](const Tensor& wv) { return sum(mul(linear(x, wv, b), mix), {}, false); }, w0,
                  Dims{3, 4});
  expect_gradient([&](const Tensor& bv) { return sum(mul(linear(x, w, bv), mix), {}, false); }, b0,
                  Dims{3});
  EXPECT_THROW(linear(x, from_values(w0, Dims{4, 3}), b), RuntimeError);
  EXPECT_THROW(linear(x, from_values(w0, Dims{3, 4}, DType::Float32), b), RuntimeError);
}

}  // namespace
}  // namespace pyag::test
