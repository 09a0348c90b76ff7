// Convolution, pooling and padding: values against naive double loops written from the
// definitions, gradients against central differences through the ops, and their errors.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>

#include "autograd/engine.h"
#include "autograd/node.h"
#include "ops/conv.h"
#include "ops/ops.h"
#include "test_util.h"

namespace pyag::test {
namespace {

Values randoms(size_t n, unsigned seed) {
  std::mt19937 g(seed);
  std::normal_distribution<double> d(0.0, 1.0);
  Values v(n);
  for (double& x : v) x = d(g);
  return v;
}

// The definition: out[n, o, y, x] = b[o] + sum_{ci, i, j} w[o, ci, i, j] *
// in[n, g * cg + ci, y * s - p + i * d, x * s - p + j * d] (zero outside).
Values naive_conv(const Values& x, const Dims& xs, const Values& w, const Dims& ws, const Values& b,
                  int64_t s, int64_t p, int64_t d, int64_t groups, Dims& os) {
  const int64_t n = xs[0], c = xs[1], h = xs[2], wd = xs[3];
  const int64_t o = ws[0], cg = ws[1], kh = ws[2], kw = ws[3], og = o / groups;
  const int64_t oh = (h + 2 * p - d * (kh - 1) - 1) / s + 1;
  const int64_t ow = (wd + 2 * p - d * (kw - 1) - 1) / s + 1;
  os = Dims{n, o, oh, ow};
  Values out(static_cast<size_t>(n * o * oh * ow));
  for (int64_t in = 0; in < n; ++in)
    for (int64_t oc = 0; oc < o; ++oc)
      for (int64_t y = 0; y < oh; ++y)
        for (int64_t xx = 0; xx < ow; ++xx) {
          double acc = b.empty() ? 0.0 : b[static_cast<size_t>(oc)];
          for (int64_t ci = 0; ci < cg; ++ci)
            for (int64_t i = 0; i < kh; ++i)
              for (int64_t j = 0; j < kw; ++j) {
                const int64_t iy = y * s - p + i * d, ix = xx * s - p + j * d;
                if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                const int64_t ch = (oc / og) * cg + ci;
                acc += w[static_cast<size_t>(((oc * cg + ci) * kh + i) * kw + j)] *
                       x[static_cast<size_t>(((in * c + ch) * h + iy) * wd + ix)];
              }
          out[static_cast<size_t>(((in * o + oc) * oh + y) * ow + xx)] = acc;
        }
  return out;
}

// d sum(f(x) * r) / d x against central differences, for a random r.
void expect_gradient(const std::function<Tensor(const Tensor&)>& f, const Values& x0,
                     const Dims& shape, double tol = 1e-6) {
  Tensor x = leaf(x0, shape);
  Tensor y = f(x);
  const Values r = randoms(static_cast<size_t>(y->numel), 99);
  Tensor rt = from_values(r, y->shape);
  backward({sum(mul(y, rt), {}, false)}, {}, false);
  const Values analytic = values(grad_of(x));
  auto loss = [&](const Values& v) {
    Values out = values(f(from_values(v, shape)));
    double s = 0;
    for (size_t i = 0; i < out.size(); ++i) s += out[i] * r[i];
    return s;
  };
  for (size_t i = 0; i < x0.size(); ++i) {
    const double h = 1e-6;
    Values xp = x0, xm = x0;
    xp[i] += h, xm[i] -= h;
    EXPECT_NEAR(analytic[i], (loss(xp) - loss(xm)) / (2 * h), tol) << "element " << i;
  }
}

struct ConvCase {
  Dims xs, ws;
  int64_t s, p, d, groups;
};

TEST(Conv2d, MatchesTheDefinition) {
  const ConvCase cases[] = {
      {Dims{2, 3, 7, 6}, Dims{4, 3, 3, 3}, 1, 1, 1, 1},
      {Dims{1, 4, 9, 8}, Dims{6, 2, 3, 2}, 2, 1, 2, 2},
      {Dims{2, 6, 5, 5}, Dims{6, 1, 3, 3}, 1, 0, 1, 6},
      {Dims{3, 4, 4, 5}, Dims{2, 4, 1, 1}, 1, 0, 1, 1},
      {Dims{1, 2, 8, 8}, Dims{3, 2, 1, 1}, 3, 0, 1, 1},
  };
  for (DType dt : {DType::Float64, DType::Float32}) {
    for (const ConvCase& c : cases) {
      const Values xv = randoms(static_cast<size_t>(numel(c.xs)), 1);
      const Values wv = randoms(static_cast<size_t>(numel(c.ws)), 2);
      const Values bv = randoms(static_cast<size_t>(c.ws[0]), 3);
      Dims os;
      const Values want = naive_conv(xv, c.xs, wv, c.ws, bv, c.s, c.p, c.d, c.groups, os);
      Tensor out = convolution(from_values(xv, c.xs, dt), from_values(wv, c.ws, dt),
                               from_values(bv, Dims{c.ws[0]}, dt), {c.s, c.s}, {c.p, c.p},
                               {c.d, c.d}, c.groups, false, "conv2d");
      ASSERT_EQ(out->shape, os);
      expect_values(out, want, dt == DType::Float32 ? Tol{1e-4, 1e-4} : Tol{1e-12, 1e-12});
    }
  }
}

TEST(Conv2d, GradientsMatchFiniteDifferences) {
  const Dims xs{2, 4, 5, 4}, ws{6, 2, 3, 2};
  const Values xv = randoms(static_cast<size_t>(numel(xs)), 4);
  const Values wv = randoms(static_cast<size_t>(numel(ws)), 5);
  const Values bv = randoms(6, 6);
  Tensor w = from_values(wv, ws), b = from_values(bv, Dims{6});
  Tensor x = from_values(xv, xs);
  auto conv = [](const Tensor& a, const Tensor& ww, const Tensor& bb) {
    return convolution(a, ww, bb, {2, 1}, {1, 1}, {1, 2}, 2, false, "conv2d");
  };
  expect_gradient([&](const Tensor& t) { return conv(t, w, b); }, xv, xs);
  expect_gradient([&](const Tensor& t) { return conv(x, t, b); }, wv, ws);
  expect_gradient([&](const Tensor& t) { return conv(x, w, t); }, bv, Dims{6});
  // 1-d, unbatched, 'same' padding with an even kernel.
  const Values x1 = randoms(3 * 7, 7), w1 = randoms(2 * 3 * 4, 8);
  expect_gradient(
      [&](const Tensor& t) {
        return convolution(t, from_values(w1, Dims{2, 3, 4}), Tensor(), {1}, {0}, {1}, 1, true,
                           "conv1d");
      },
      x1, Dims{3, 7});
}

TEST(Conv2d, Errors) {
  Tensor x = from_values(randoms(2 * 3 * 5 * 5, 1), Dims{2, 3, 5, 5});
  Tensor w = from_values(randoms(4 * 3 * 3 * 3, 2), Dims{4, 3, 3, 3});
  expect_error<RuntimeError>(
      [&] {
        convolution(x, from_values(randoms(36, 1), Dims{4, 1, 3, 3}), Tensor(), {1, 1}, {0, 0},
                    {1, 1}, 1, false, "conv2d");
      },
      "[conv2d] Given groups=1", {"to have 1 channels, but got 3"});
  expect_error<RuntimeError>(
      [&] { convolution(x, w, Tensor(), {1, 1}, {0, 0}, {4, 4}, 1, false, "conv2d"); },
      "[conv2d] Calculated padded input size", {"(5 x 5)", "(9 x 9)"});
  expect_error<RuntimeError>(
      [&] { convolution(x, w, Tensor(), {2, 2}, {0, 0}, {1, 1}, 1, true, "conv2d"); },
      "[conv2d] padding='same' is not supported for strided");
  expect_error<RuntimeError>(
      [&] {
        convolution(from_values({1, 2}, Dims{2}), w, Tensor(), {1, 1}, {0, 0}, {1, 1}, 1, false,
                    "conv2d");
      },
      "[conv2d] Expected 3D (unbatched) or 4D (batched) input");
}

// max over each k x k window with stride s and padding p (-inf outside), naive.
Values naive_max_pool(const Values& x, int64_t planes, int64_t h, int64_t w, int64_t k, int64_t s,
                      int64_t p, int64_t oh, int64_t ow) {
  Values out;
  for (int64_t q = 0; q < planes; ++q)
    for (int64_t y = 0; y < oh; ++y)
      for (int64_t xx = 0; xx < ow; ++xx) {
        double m = -std::numeric_limits<double>::infinity();
        for (int64_t i = 0; i < k; ++i)
          for (int64_t j = 0; j < k; ++j) {
            const int64_t iy = y * s - p + i, ix = xx * s - p + j;
            if (iy >= 0 && iy < h && ix >= 0 && ix < w)
              m = std::max(m, x[static_cast<size_t>((q * h + iy) * w + ix)]);
          }
        out.push_back(m);
      }
  return out;
}

TEST(Pool, MaxAndAvgMatchTheDefinition) {
  const Dims xs{2, 3, 7, 6};
  const Values xv = randoms(static_cast<size_t>(numel(xs)), 11);
  auto [out, idx] = max_pool(from_values(xv, xs), {3, 3}, {2, 2}, {1, 1}, {1, 1}, false, "mp");
  ASSERT_EQ(out->shape, (Dims{2, 3, 4, 3}));
  expect_values(out, naive_max_pool(xv, 6, 7, 6, 3, 2, 1, 4, 3));
  const Values iv = values(idx);
  const Values ov = values(out);
  for (size_t i = 0; i < iv.size(); ++i)  // each index points at its maximum
    EXPECT_EQ(
        xv[static_cast<size_t>(static_cast<int64_t>(i) / 12 * 42 + static_cast<int64_t>(iv[i]))],
        ov[i]);
  // avg with count_include_pad=false over a 2x2 input padded by 1: each window's mean of the
  // elements inside.
  Tensor a = avg_pool(from_values({1, 2, 3, 4}, Dims{1, 2, 2}), {2, 2}, {1, 1}, {1, 1}, false,
                      false, 0, "ap");
  expect_values(a, {1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4});
  Tensor ai = avg_pool(from_values({1, 2, 3, 4}, Dims{1, 2, 2}), {2, 2}, {1, 1}, {1, 1}, false,
                       true, 0, "ap");
  expect_values(ai, {0.25, 0.75, 0.5, 1, 2.5, 1.5, 0.75, 1.75, 1});
  Tensor ad = adaptive_avg_pool(from_values({1, 2, 3, 4, 5}, Dims{1, 5}), {3}, "aap");
  // windows [0, 2), [1, 4), [3, 5)
  expect_values(ad, {1.5, 3, 4.5});
}

TEST(Pool, GradientsMatchFiniteDifferences) {
  const Dims xs{2, 2, 5, 6};
  const Values xv = randoms(static_cast<size_t>(numel(xs)), 12);
  expect_gradient(
      [](const Tensor& t) { return max_pool(t, {3, 2}, {2, 1}, {1, 1}, {1, 2}, true, "mp").first; },
      xv, xs);
  expect_gradient(
      [](const Tensor& t) { return avg_pool(t, {3, 3}, {2, 2}, {1, 1}, true, false, 0, "ap"); }, xv,
      xs);
  expect_gradient([](const Tensor& t) { return adaptive_avg_pool(t, {3, 4}, "aap"); }, xv, xs);
  expect_gradient([](const Tensor& t) { return adaptive_max_pool(t, {2, 4}, "amp").first; }, xv,
                  xs);
  for (const char* mode : {"constant", "reflect", "replicate", "circular"})
    expect_gradient([&](const Tensor& t) { return pad(t, {2, 1, 0, 3}, mode, 0.5); }, xv, xs);
}

TEST(Pad, ModesMatchTheirDefinitions) {
  Tensor x = from_values({1, 2, 3}, Dims{1, 3});
  expect_values(pad(x, {2, 2}, "constant", 9), {9, 9, 1, 2, 3, 9, 9});
  expect_values(pad(x, {2, 2}, "reflect", 0), {3, 2, 1, 2, 3, 2, 1});
  expect_values(pad(x, {2, 2}, "replicate", 0), {1, 1, 1, 2, 3, 3, 3});
  expect_values(pad(x, {2, 2}, "circular", 0), {2, 3, 1, 2, 3, 1, 2});
  expect_values(pad(x, {-1, 1}, "constant", 0), {2, 3, 0});
  expect_error<RuntimeError>([&] { pad(x, {3, 0}, "reflect", 0); },
                             "[pad] Padding size should be less than");
  expect_error<RuntimeError>([&] { pad(x, {1}, "constant", 0); },
                             "[pad] Padding length must be divisible by 2");
}

}  // namespace
}  // namespace pyag::test
