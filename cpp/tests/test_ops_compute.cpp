// Forward values and shapes of the reductions and matrix products at the op level, against the
// naive references, on non-contiguous inputs.
#include <gtest/gtest.h>

#include <algorithm>

#include "ops/ops.h"
#include "test_util.h"

namespace pyag::test {
namespace {

// Sum (or mean) of `a` over dims (all when empty), in the keepdim shape's row-major order.
Values ref_reduce(const Tensor& a, const std::vector<int>& dims, bool average) {
  Dims kept = a->shape;
  for (int d = 0; d < kept.size(); ++d)
    if (dims.empty() || std::find(dims.begin(), dims.end(), d) != dims.end()) kept[d] = 1;
  Values r(static_cast<size_t>(numel(kept)), 0.0);
  for_each_index(a->shape, [&](const Index& i) {
    int64_t k = 0;
    for (int d = 0; d < kept.size(); ++d)
      k = k * kept[d] + (kept[d] == 1 ? 0 : i[static_cast<size_t>(d)]);
    r[static_cast<size_t>(k)] += at(a, i);
  });
  if (average) {
    const double n = static_cast<double>(numel(a->shape)) / static_cast<double>(r.size());
    for (double& x : r) x /= n;
  }
  return r;
}

TEST(Reductions, SumAndMeanShapesAndValues) {
  std::mt19937 rng(61);
  Tensor a = random_tensor(Dims{2, 3, 4}, DType::Float64, Layout::Transposed, rng);
  struct Case {
    std::vector<int64_t> dims;
    bool keepdim;
    Dims shape;
    std::vector<int> wrapped;
  };
  const Case cases[] = {{{}, false, Dims{}, {}},           {{}, true, Dims{1, 1, 1}, {}},
                        {{1}, false, Dims{2, 4}, {1}},     {{1}, true, Dims{2, 1, 4}, {1}},
                        {{-1, 0}, false, Dims{3}, {2, 0}}, {{0, 2}, true, Dims{1, 3, 1}, {0, 2}}};
  for (const Case& c : cases)
    for (bool average : {false, true}) {
      SCOPED_TRACE(cat(average ? "mean" : "sum", " dims ", c.dims.size(), " keepdim ", c.keepdim,
                       " -> ", shape_str(c.shape)));
      Tensor r = average ? mean(a, c.dims, c.keepdim) : sum(a, c.dims, c.keepdim);
      EXPECT_EQ(r->shape, c.shape);
      expect_values(r, ref_reduce(a, c.wrapped, average));
    }
  Tensor z = scalar(4);
  EXPECT_EQ(sum(z, {}, true)->shape, (Dims{}));
  EXPECT_EQ(sum(z, {0}, false)->shape, (Dims{}));
  expect_values(sum(zeros(Dims{0, 3}, DType::Float32), {0}, false), {0, 0, 0});
  Tensor m = mean(zeros(Dims{0}, DType::Float64), {}, false);
  EXPECT_TRUE(std::isnan(at(m, {})));
}

TEST(Reductions, MaxMinAndArg) {
  Tensor a = from_values({3, 1, 3, -2, 5, 5, 0, 0, -7, 8, 2, 8}, Dims{3, 4});
  Tensor at_ = t(a);  // (4, 3)
  expect_values(extreme(a, true), {8});
  expect_values(extreme(at_, false), {-7});
  auto [v, i] = extreme_dim(a, 1, false, true);
  EXPECT_EQ(v->shape, (Dims{3}));
  EXPECT_EQ(i->dtype, DType::Int64);
  expect_values(v, {3, 5, 8});
  expect_values(i, {0, 0, 1});  // ties: the first index
  auto [vk, ik] = extreme_dim(at_, 0, true, false);
  EXPECT_EQ(vk->shape, (Dims{1, 3}));
  expect_values(vk, {-2, 0, -7});
  expect_values(ik, {3, 2, 0});
  auto [v0, i0] = extreme_dim(scalar(2), 0, false, true);
  EXPECT_EQ(v0->shape, (Dims{}));
  expect_values(i0, {0});
}

TEST(Matmul, EveryRankCombination) {
  std::mt19937 rng(62);
  const DType dt = DType::Float64;
  auto rnd = [&](const Dims& s) { return random_tensor(s, dt, Layout::Contiguous, rng); };
  // 1-D @ 1-D
  Tensor u = rnd(Dims{4}), w = rnd(Dims{4});
  Tensor dot = matmul(u, w);
  EXPECT_EQ(dot->shape, (Dims{}));
  expect_values(dot, ref_mm(reshape(u, Dims{1, 4}), reshape(w, Dims{4, 1})));
  // 2-D @ 1-D, 1-D @ 2-D, 2-D @ 2-D (transposed operands)
  Tensor m = rnd(Dims{4, 3});
  Tensor mt = t(m);  // (3, 4)
  EXPECT_EQ(matmul(mt, u)->shape, (Dims{3}));
  expect_values(matmul(mt, u), ref_mm(mt, reshape(u, Dims{4, 1})));
  EXPECT_EQ(matmul(u, m)->shape, (Dims{3}));
  expect_values(matmul(u, m), ref_mm(reshape(u, Dims{1, 4}), m));
  expect_values(matmul(mt, m), ref_mm(mt, m));
  expect_values(mm(mt, m), ref_mm(mt, m));
  // batched (..., n, k) @ (k, p) and (k,)
  Tensor b3 = random_tensor(Dims{2, 5, 4}, dt, Layout::Sliced, rng);
  Tensor r = matmul(b3, m);
  EXPECT_EQ(r->shape, (Dims{2, 5, 3}));
  for (int64_t bi = 0; bi < 2; ++bi) {
    Tensor slice = index(b3, {IndexItem{IndexItem::Int, bi}});
    expect_values(index(r, {IndexItem{IndexItem::Int, bi}}), ref_mm(slice, m));
  }
  EXPECT_EQ(matmul(b3, u)->shape, (Dims{2, 5}));
  // broadcast batches: (2, 1, 5, 4) @ (3, 4, 2) -> (2, 3, 5, 2); 1-D @ batched
  Tensor x = rnd(Dims{2, 1, 5, 4}), y = rnd(Dims{3, 4, 2});
  Tensor p = matmul(x, y);
  EXPECT_EQ(p->shape, (Dims{2, 3, 5, 2}));
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 3; ++j) {
      SCOPED_TRACE(cat("batch ", i, ", ", j));
      Tensor xs = index(x, {IndexItem{IndexItem::Int, i}, IndexItem{IndexItem::Int, 0}});
      Tensor ys = index(y, {IndexItem{IndexItem::Int, j}});
      expect_values(index(p, {IndexItem{IndexItem::Int, i}, IndexItem{IndexItem::Int, j}}),
                    ref_mm(xs, ys));
    }
  EXPECT_EQ(matmul(u, y)->shape, (Dims{3, 2}));
  // bmm with transposed batches
  Tensor ba = rnd(Dims{3, 2, 4}), bb = transpose(rnd(Dims{3, 5, 4}), 1, 2);
  Tensor bp = bmm(ba, bb);
  EXPECT_EQ(bp->shape, (Dims{3, 2, 5}));
  for (int64_t i = 0; i < 3; ++i)
    expect_values(index(bp, {IndexItem{IndexItem::Int, i}}),
                  ref_mm(index(ba, {IndexItem{IndexItem::Int, i}}),
                         index(bb, {IndexItem{IndexItem::Int, i}})));
}

TEST(Creation, RangesAndRandom) {
  expect_values(arange(0, 5, 1, DType::Int64), {0, 1, 2, 3, 4});
  expect_values(arange(1, 0, -0.25, DType::Float64), {1, 0.75, 0.5, 0.25});
  Tensor ls = linspace(-1, 1, 5, DType::Float32);
  expect_values(ls, {-1, -0.5, 0, 0.5, 1});
  EXPECT_EQ(linspace(0, 1, 0, DType::Float32)->numel, 0);
  manual_seed(7);
  Tensor r1 = randn(Dims{1000}, DType::Float64);
  manual_seed(7);
  Tensor r2 = randn(Dims{1000}, DType::Float64);
  expect_values(r2, values(r1));  // the seed makes it reproducible
  double mean_v = 0, var = 0;
  for (double x : values(r1)) mean_v += x / 1000;
  for (double x : values(r1)) var += (x - mean_v) * (x - mean_v) / 1000;
  EXPECT_NEAR(mean_v, 0, 0.15);
  EXPECT_NEAR(var, 1, 0.2);
  for (double x : values(rand(Dims{500}, DType::Float32))) {
    ASSERT_GE(x, 0);
    ASSERT_LT(x, 1);
  }
}

}  // namespace
}  // namespace pyag::test
