// The fused backward kernels: clamp's, pow's (binary_grad_into) and the unary ops'
// (unary_grad_into).
#include <gtest/gtest.h>

#include "kernels/elementwise.h"
#include "test_util.h"

namespace pyag::test {
namespace {

constexpr DType kFloatTypes[] = {DType::Float32, DType::Float64};

// out = g * p * x^(p-1): pow's derivative for its base.
void pow_backward_into(const Tensor& out, const Tensor& g, const Tensor& x, double p) {
  const Arg a(x), b(p);
  binary_grad_into(BinaryKernel::pow, 0, out, g, &a, &b, nullptr);
}

// out = g * f'(x) from the saved input x or output y of op.
void unary_backward_into(UnaryKernel op, bool from_output, const Tensor& out, const Tensor& g,
                         const Tensor& saved) {
  unary_grad_into(op, out, g, from_output ? nullptr : &saved, from_output ? &saved : nullptr);
}

// Calls f(g, x, out) for g, x in every layout and out in every output layout, (2, 3, 4) shaped;
// x comes from make_x.
template <class MakeX, class F>
void for_layouts(DType dt, std::mt19937& rng, MakeX make_x, F f) {
  const Dims shape{2, 3, 4};
  for (Layout lg : kAllLayouts)
    for (Layout lx : kAllLayouts)
      for (Layout lo : kOutLayouts) {
        SCOPED_TRACE(cat(dtype_name(dt), " g ", layout_name(lg), ", x ", layout_name(lx), ", out ",
                         layout_name(lo)));
        Tensor g = random_tensor(shape, dt, lg, rng, -3, 3);
        Tensor x = make_x(shape, lx);
        Tensor out = make_layout(shape, dt, lo);
        f(g, x, out);
        expect_gaps_untouched(out);
      }
}

template <class Ref>
Values elementwise(const Tensor& g, const Tensor& x, Ref ref) {
  Values r;
  for_each_index(g->shape, [&](const Index& i) { r.push_back(ref(at(g, i), at(x, i))); });
  return r;
}

TEST(ClampBackwardKernel, BoundariesPassTheGradient) {
  std::mt19937 rng(31);
  const double lo = -1, hi = 1, none = NAN;
  for (DType dt : kFloatTypes)
    for (auto [l, h] : {std::pair{lo, none}, std::pair{none, hi}, std::pair{lo, hi}}) {
      auto make_x = [&](const Dims& s, Layout lx) { return coarse_tensor(s, dt, lx, rng, -2, 2); };
      for_layouts(dt, rng, make_x, [&](const Tensor& g, const Tensor& x, const Tensor& out) {
        clamp_backward_into(out, g, x, l, h);
        expect_values(out, elementwise(g, x, [&](double gv, double xv) {
                        const bool in = (std::isnan(l) || xv >= l) && (std::isnan(h) || xv <= h);
                        return in ? gv : 0.0;
                      }));
      });
    }
}

TEST(ClampBackwardKernel, ExactBoundsAndNaN) {
  Tensor x = from_values({-1, -1.0000001, 1, 1.0000001, 0, NAN}, Dims{6});
  Tensor g = from_values({1, 2, 3, 4, 5, 6}, Dims{6}), out = empty(Dims{6}, DType::Float64);
  clamp_backward_into(out, g, x, -1, 1);
  expect_values(out, {1, 0, 3, 0, 5, 0});
  clamp_backward_into(out, g, x, -1, NAN);
  expect_values(out, {1, 0, 3, 4, 5, 0});
  clamp_backward_into(out, g, x, NAN, 1);
  expect_values(out, {1, 2, 3, 0, 5, 0});
}

TEST(PowBackwardKernel, EveryExponentAndLayout) {
  std::mt19937 rng(32);
  for (DType dt : kFloatTypes)
    for (double p : {2.0, 0.0, 1.0, 3.0, 0.5, -1.0, -2.5}) {
      SCOPED_TRACE(cat("p = ", p));
      const bool fractional = p != std::floor(p);
      auto make_x = [&](const Dims& s, Layout lx) {
        return random_tensor(s, dt, lx, rng, fractional || p < 0 ? 0.2 : -2, 2);
      };
      for_layouts(dt, rng, make_x, [&](const Tensor& g, const Tensor& x, const Tensor& out) {
        pow_backward_into(out, g, x, p);
        expect_values(out,
                      elementwise(g, x,
                                  [&](double gv, double xv) {
                                    return p == 0 ? 0.0 : gv * p * std::pow(xv, p - 1);
                                  }),
                      Tol{dt == DType::Float32 ? 1e-5 : 1e-12, 1e-6});
      });
    }
}

TEST(PowBackwardKernel, ZeroExponentGivesZeroEvenAtZero) {
  Tensor x = from_values({0, 1, -2}, Dims{3}), g = from_values({1, 1, 1}, Dims{3});
  Tensor out = empty(Dims{3}, DType::Float64);
  pow_backward_into(out, g, x, 0.0);
  expect_values(out, {0, 0, 0});
}

struct GradCase {
  UnaryKernel op;
  bool from_output;
  const char* name;
  double lo, hi;  // range of the saved tensor
  double (*ref)(double g, double s);
};

const GradCase kGradCases[] = {
    {UnaryKernel::exp, true, "exp", 0.01, 5, [](double g, double y) { return g * y; }},
    {UnaryKernel::log, false, "log", 0.1, 5, [](double g, double x) { return g / x; }},
    {UnaryKernel::sqrt, true, "sqrt", 0.1, 3, [](double g, double y) { return g / (2 * y); }},
    {UnaryKernel::tanh, true, "tanh", -0.99, 0.99,
     [](double g, double y) { return g * (1 - y * y); }},
    {UnaryKernel::sigmoid, true, "sigmoid", 0.01, 0.99,
     [](double g, double y) { return g * y * (1 - y); }},
    {UnaryKernel::relu, true, "relu", -2, 2, [](double g, double y) { return y > 0 ? g : 0.0; }},
    {UnaryKernel::abs, false, "abs", -2, 2,
     [](double g, double x) { return x > 0 ? g : (x < 0 ? -g : 0.0); }},
};

TEST(UnaryBackwardKernel, EveryOpAndLayout) {
  std::mt19937 rng(33);
  for (DType dt : kFloatTypes)
    for (const GradCase& c : kGradCases) {
      SCOPED_TRACE(c.name);
      auto make_x = [&](const Dims& s, Layout lx) {
        // relu/abs: coarse values include exact zeros
        return c.op == UnaryKernel::relu || c.op == UnaryKernel::abs
                   ? coarse_tensor(s, dt, lx, rng, c.lo, c.hi)
                   : random_tensor(s, dt, lx, rng, c.lo, c.hi);
      };
      for_layouts(dt, rng, make_x, [&](const Tensor& g, const Tensor& s, const Tensor& out) {
        unary_backward_into(c.op, c.from_output, out, g, s);
        expect_values(out, elementwise(g, s, c.ref),
                      Tol{dt == DType::Float32 ? 1e-5 : 1e-12, 1e-7});
      });
    }
}

TEST(BackwardKernels, BroadcastGradientAndZeroDim) {
  // g broadcast from (3, 1) over x (3, 4); 0-d operands
  std::mt19937 rng(34);
  Tensor g = random_tensor(Dims{3, 1}, DType::Float64, Layout::Contiguous, rng);
  Tensor x = coarse_tensor(Dims{3, 4}, DType::Float64, Layout::Transposed, rng);
  Tensor out = empty(Dims{3, 4}, DType::Float64);
  clamp_backward_into(out, g, x, -1, 1);
  Values want;
  for_each_index(Dims{3, 4}, [&](const Index& i) {
    const double xv = at(x, i);
    want.push_back(xv >= -1 && xv <= 1 ? at(g, {i[0], 0}) : 0.0);
  });
  expect_values(out, want);
  Tensor g0 = scalar(2.0), x0 = scalar(3.0), o0 = empty(Dims{}, DType::Float64);
  pow_backward_into(o0, g0, x0, 3.0);
  expect_values(o0, {2.0 * 3 * 9});
  unary_backward_into(UnaryKernel::log, false, o0, g0, x0);
  expect_values(o0, {2.0 / 3});
  Tensor ge = empty(Dims{0, 4}, DType::Float32), oe = empty(Dims{0, 4}, DType::Float32);
  unary_backward_into(UnaryKernel::tanh, true, oe, ge, ge);
  EXPECT_EQ(oe->numel, 0);
}

}  // namespace
}  // namespace pyag::test
