// Gradients of the ops against central finite differences, in float64.
#include <gtest/gtest.h>

#include <functional>

#include "autograd/engine.h"
#include "autograd/grad_mode.h"
#include "ops/ops.h"
#include "test_util.h"

namespace pyag::test {
namespace {

using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

// Compares the gradients backward() gives for sum(f(inputs)) with central differences.
void gradcheck(const Fn& f, const std::vector<Tensor>& inputs, double eps = 1e-6) {
  for (const Tensor& x : inputs) {
    x->meta().requires_grad = true;
    x->autograd->grad.reset();
  }
  backward({sum(f(inputs), {}, false)}, {}, false);
  GradModeGuard no_grad(false);
  auto value = [&] { return at(sum(f(inputs), {}, false), {}); };
  for (size_t k = 0; k < inputs.size(); ++k) {
    const Tensor& x = inputs[k];
    const Tensor g = grad_of(x);
    ASSERT_TRUE(g) << "input " << k << " got no gradient";
    ASSERT_EQ(g->shape, x->shape) << "input " << k;
    for_each_index(x->shape, [&](const Index& i) {
      const double orig = at(x, i);
      set_at(x, i, orig + eps);
      const double up = value();
      set_at(x, i, orig - eps);
      const double down = value();
      set_at(x, i, orig);
      const double numeric = (up - down) / (2 * eps), analytic = at(g, i);
      EXPECT_NEAR(analytic, numeric, 1e-6 + 1e-5 * std::fabs(numeric))
          << "input " << k << " element " << ::testing::PrintToString(i);
    });
  }
}

Tensor rnd(const Dims& s, std::mt19937& rng, double lo = -1, double hi = 1) {
  return random_tensor(s, DType::Float64, Layout::Contiguous, rng, lo, hi);
}
Tensor S(double v) { return scalar(v); }

TEST(GradCheck, MmTanhMul) {
  std::mt19937 rng(81);
  Tensor c = rnd(Dims{3, 2}, rng);
  gradcheck([&](const auto& in) { return mul(tanh(mm(in[0], in[1])), c); },
            {rnd(Dims{3, 4}, rng), rnd(Dims{4, 2}, rng)});
}

TEST(GradCheck, MmTransposedOperands) {
  std::mt19937 rng(82);
  gradcheck([](const auto& in) { return mm(t(in[0]), t(in[1])); },
            {rnd(Dims{4, 3}, rng), rnd(Dims{2, 4}, rng)});
}

TEST(GradCheck, Transcendentals) {
  std::mt19937 rng(83);
  gradcheck(
      [](const auto& in) {
        Tensor x = in[0];
        Tensor a = log(add(exp(x), S(1)));
        Tensor b = sqrt(sigmoid(x));
        return add(mul(a, b), square(tanh(x)));
      },
      {rnd(Dims{2, 3}, rng, -2, 2)});
}

TEST(GradCheck, PiecewiseAwayFromKinks) {
  // relu, abs, clamp, sign and neg at points away from their kinks
  Tensor x = from_values({-1.5, -0.3, 0.4, 1.2, 2.5, -2.2}, Dims{6});
  gradcheck(
      [](const auto& in) {
        Tensor v = in[0];
        Tensor r = add(relu(v), abs(v));
        Tensor c = clamp(v, -1.0, 2.0);
        Tensor lo = clamp(v, 0.0, std::nullopt), hi = clamp(v, std::nullopt, 1.0);
        return add(add(mul(r, c), mul(lo, hi)), add(sign(v), neg(v)));
      },
      {x});
}

TEST(GradCheck, ClampGradientAtTheBoundsIsPassed) {
  // PyTorch's convention: min <= x <= max passes the gradient, boundaries included.
  Tensor x = leaf({-1, 0, 1, 1.5, -2}, Dims{5});
  backward({sum(clamp(x, -1.0, 1.0), {}, false)}, {}, false);
  expect_values(grad_of(x), {1, 1, 1, 0, 0});
}

TEST(GradCheck, DivAndPowTensors) {
  std::mt19937 rng(84);
  gradcheck([](const auto& in) { return div(pow(in[0], in[1]), add(in[1], S(3))); },
            {rnd(Dims{2, 3}, rng, 0.5, 2), rnd(Dims{2, 3}, rng, -1, 2)});
}

TEST(GradCheck, ScalarOperandsOnBothSides) {
  std::mt19937 rng(85);
  gradcheck(
      [](const auto& in) {
        const Tensor& a = in[0];
        Tensor r = div(Scalar{2.0}, a);   // 2 / a
        Tensor p = pow(Scalar{3.0}, a);   // 3 ** a
        Tensor q = pow(a, Scalar{2.5});   // a ** 2.5
        Tensor sq = pow(a, Scalar{2.0});  // a ** 2
        Tensor s = sub(Scalar{1.0}, a);   // 1 - a
        Tensor m = mul(div(a, Scalar{4.0}), Scalar{3.0});
        return add(add(add(r, p), add(q, sq)), add(mul(s, s), add(m, Scalar{1.0})));
      },
      {rnd(Dims{5}, rng, 0.5, 2)});
}

TEST(GradCheck, BroadcastingAndWhere) {
  std::mt19937 rng(86);
  Tensor cond = from_values({1, 0, 0, 1, 1, 0, 1, 0, 0, 1, 1, 1}, Dims{3, 4}, DType::Bool);
  gradcheck(
      [&](const auto& in) {
        Tensor sum_ = add(in[0], in[1]);                          // (3, 1) + (4,)
        return where(cond, mul(sum_, in[2]), sub(in[1], in[0]));  // 0-d factor
      },
      {rnd(Dims{3, 1}, rng), rnd(Dims{4}, rng), rnd(Dims{}, rng)});
}

TEST(GradCheck, Views) {
  std::mt19937 rng(87);
  Tensor w = rnd(Dims{4, 3, 2}, rng);
  gradcheck(
      [&](const auto& in) {
        const Tensor& x = in[0];                             // (2, 3, 4)
        Tensor p = permute(x, {2, 1, 0});                    // (4, 3, 2)
        Tensor r = reshape(transpose(x, 0, 2), Dims{4, 6});  // a copy
        Tensor v =
            view(unsqueeze(squeeze(index(x, {IndexItem{IndexItem::Int, 1}}), std::nullopt), 0),
                 Dims{12});
        Tensor e = expand(index(x, {IndexItem{IndexItem::Slice, 0, 1, 1}}), Dims{3, 3, 4});
        return add(add(sum(mul(p, w), {}, false), sum(mul(r, r), {}, false)),
                   add(sum(mul(v, v), {}, false), sum(mul(e, e), {}, false)));
      },
      {rnd(Dims{2, 3, 4}, rng)});
}

TEST(GradCheck, IndexingAndMasks) {
  std::mt19937 rng(88);
  Tensor mask = from_values({1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 1, 0}, Dims{3, 4}, DType::Bool);
  gradcheck(
      [&](const auto& in) {
        const Tensor& x = in[0];  // (3, 4)
        Tensor a =
            index(x, {IndexItem{IndexItem::Slice, kNone, kNone, 2}, IndexItem{IndexItem::NewAxis},
                      IndexItem{IndexItem::Ellipsis}, IndexItem{IndexItem::Int, -1}});
        Tensor b = index(x, mask);
        return add(sum(mul(a, a), {}, false), sum(exp(b), {}, false));
      },
      {rnd(Dims{3, 4}, rng)});
}

TEST(GradCheck, Reductions) {
  // distinct values so that max/min have a unique argument
  Tensor x =
      from_values({0.3, -1.2, 2.1, 0.7, 1.5, -0.4, 0.9, -2.3, 1.1, 0.2, -0.8, 1.8}, Dims{3, 4});
  gradcheck(
      [](const auto& in) {
        const Tensor& v = in[0];
        Tensor m = mean(v, {1}, true);                      // (3, 1)
        Tensor s = sum(mul(v, v), {0, -1}, false);          // ()
        Tensor mx = extreme_dim(v, 0, false, true).first;   // (4,)
        Tensor mn = extreme_dim(v, -1, true, false).first;  // (3, 1)
        return add(add(sum(mul(m, mn), {}, false), s),
                   add(sum(mx, {}, false), mul(extreme(v, true), extreme(v, false))));
      },
      {x});
}

TEST(GradCheck, MaxAllSharesTheGradientAmongTies) {
  Tensor x = leaf({1, 3, 3, 2}, Dims{4});
  backward({extreme(x, true)}, {}, false);
  expect_values(grad_of(x), {0, 0.5, 0.5, 0});
}

TEST(GradCheck, MaximumMinimumAwayFromTies) {
  Tensor a = from_values({0.3, -1.2, 2.1, 0.7, 1.5, -0.4}, Dims{2, 3});
  Tensor b = from_values({0.1, 0.9, -0.5}, Dims{3});
  gradcheck(
      [](const auto& in) {
        Tensor mx = maximum(in[0], in[1]);
        Tensor mn = minimum(in[0], Scalar{0.5});
        return mul(mx, mn);
      },
      {a, b});
}

TEST(GradCheck, MaximumTiesShareTheGradient) {
  Tensor a = leaf({1, 2, 3}, Dims{3}), b = leaf({1, 5, 0}, Dims{3});
  backward({sum(maximum(a, b), {}, false)}, {}, false);
  expect_values(grad_of(a), {0.5, 0, 1});
  expect_values(grad_of(b), {0.5, 1, 0});
}

TEST(GradCheck, MatmulBatchedAndBmm) {
  std::mt19937 rng(89);
  gradcheck(
      [](const auto& in) {
        Tensor p = matmul(in[0], in[1]);                // (2, 1, 3, 4) @ (5, 4, 2)
        Tensor q = bmm(in[2], transpose(in[3], 1, 2));  // (2, 3, 4) @ (2, 4, 2)
        Tensor v = matmul(
            in[3], index(in[1], {IndexItem{IndexItem::Int, 0}, IndexItem{IndexItem::Ellipsis},
                                 IndexItem{IndexItem::Int, 0}}));  // (2, 2, 4) @ (4,)
        return add(add(sum(p, {}, false), sum(mul(q, q), {}, false)), sum(v, {}, false));
      },
      {rnd(Dims{2, 1, 3, 4}, rng), rnd(Dims{5, 4, 2}, rng), rnd(Dims{2, 3, 4}, rng),
       rnd(Dims{2, 2, 4}, rng)});
}

TEST(GradCheck, InPlaceOnANonLeaf) {
  // in-place ops whose derivative does not need self's old value
  std::mt19937 rng(90);
  Tensor c = rnd(Dims{4}, rng);
  gradcheck(
      [&](const auto& in) {
        Tensor h = mul(in[0], S(1));
        add_(h, in[1]);
        mul_(h, c);  // saves c only
        sub_(h, Scalar{2.0});
        div_(h, Scalar{3.0});
        return mul(h, h);
      },
      {rnd(Dims{4}, rng), rnd(Dims{4}, rng)});
}

// PyTorch saves a copy of self's old value for in-place ops whose derivative needs it
// (h.mul_(w) with w requiring grad, h.clamp_()), so backward works: the op must not save self
// itself, whose version the in-place commit bumps.
TEST(GradCheck, InPlaceOpsThatSaveSelf) {
  std::mt19937 rng(91);
  gradcheck(
      [](const auto& in) {
        Tensor h = mul(in[0], S(1));
        mul_(h, in[1]);
        return mul(h, h);
      },
      {rnd(Dims{4}, rng), rnd(Dims{4}, rng)});
  gradcheck(
      [](const auto& in) {
        Tensor h = mul(in[0], S(2));
        clamp_(h, -0.5, 0.5);
        return mul(h, in[0]);
      },
      {from_values({-0.9, -0.1, 0.2, 0.6}, Dims{4})});
}

}  // namespace
}  // namespace pyag::test
