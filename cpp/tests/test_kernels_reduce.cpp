// sum_into, extreme_all_into, extreme_dim_into and count_true against the naive reference.
#include <gtest/gtest.h>

#include "kernels/reduce.h"
#include "test_util.h"

namespace pyag::test {
namespace {

constexpr DType kDTypes[] = {DType::Bool, DType::Int64, DType::Float32, DType::Float64};

// out (right-aligned keepdim form) + the sum of `in` over the dims where out has size 1.
Values ref_sum(const Tensor& out, const Tensor& in) {
  Values r = values(out);
  const Dims os = out->shape;
  for_each_index(in->shape, [&](const Index& i) {
    const Index o = bcast_index(i, os);
    int64_t k = 0;  // row-major position in out
    for (size_t d = 0; d < o.size(); ++d) k = k * os[static_cast<int>(d)] + o[d];
    r[static_cast<size_t>(k)] += at(in, i);
  });
  return r;
}

TEST(SumKernel, EveryDimSetDTypeAndLayout) {
  std::mt19937 rng(41);
  const Dims in_shape{2, 3, 4};
  const std::vector<Dims> outs = {Dims{1, 1, 1}, Dims{2, 1, 4}, Dims{1, 3, 1}, Dims{2, 3, 1},
                                  Dims{1, 1, 4}, Dims{3, 1},    Dims{4},       Dims{},
                                  Dims{2, 3, 4}, Dims{1, 3, 4}};
  for (DType dt : kDTypes)
    for (const Dims& os : outs)
      for (Layout li : kAllLayouts)
        for (Layout lo : kOutLayouts) {
          const DType odt = dt == DType::Bool ? DType::Int64 : dt;
          SCOPED_TRACE(cat(dtype_name(dt), " into ", shape_str(os), ", in ", layout_name(li),
                           ", out ", layout_name(lo)));
          Tensor in = random_tensor(in_shape, dt, li, rng, -3, 3);
          Tensor out = random_tensor(os, odt, lo, rng, -3, 3);  // sum_into accumulates
          const Values want = ref_sum(out, in);
          sum_into(out, in);
          expect_values(out, want, dt == DType::Float32 ? Tol{1e-5, 1e-5} : tol_for(odt));
          expect_gaps_untouched(out);
        }
}

TEST(SumKernel, LongRowsZeroDimAndEmpty) {
  std::mt19937 rng(42);
  Tensor in = random_tensor(Dims{3, 1000}, DType::Float32, Layout::Transposed, rng);
  Tensor out = zeros(Dims{3, 1}, DType::Float32);
  const Values want = ref_sum(out, in);
  sum_into(out, in);
  expect_values(out, want, Tol{1e-5, 1e-4});

  Tensor s = scalar(2.5), acc = scalar(1.0);
  sum_into(acc, s);
  expect_values(acc, {3.5});

  Tensor e = empty(Dims{2, 0, 3}, DType::Float64), eo = full(Dims{2, 1, 3}, 7, DType::Float64);
  sum_into(eo, e);
  expect_values(eo, Values(6, 7.0));
}

// ---- max / min ----

bool better(double a, double b, bool is_max) {  // NaN beats everything, first NaN wins
  if (std::isnan(a)) return !std::isnan(b);
  if (std::isnan(b)) return false;
  return is_max ? a > b : a < b;
}

TEST(ExtremeAllKernel, EveryDTypeAndLayout) {
  std::mt19937 rng(43);
  for (DType dt : kDTypes)
    for (bool is_max : {true, false})
      for (Layout l : kAllLayouts)
        for (const Dims& shape : {Dims{2, 3, 4}, Dims{1}, Dims{}, Dims{7}}) {
          SCOPED_TRACE(cat(dtype_name(dt), is_max ? " max " : " min ", layout_name(l), " ",
                           shape_str(shape)));
          Tensor in = random_tensor(shape, dt, l, rng, -50, 50);
          Tensor out = empty(Dims{}, dt);
          extreme_all_into(out, in, is_max);
          const Values v = values(in);
          double best = v[0];
          for (double x : v)
            if (better(x, best, is_max)) best = x;
          expect_values(out, {best});
        }
}

TEST(ExtremeAllKernel, NaNPropagates) {
  for (DType dt : {DType::Float32, DType::Float64})
    for (bool is_max : {true, false})
      for (const Values& v : {Values{NAN, 1, 2}, Values{1, NAN, -5}, Values{3, 4, NAN}}) {
        Tensor out = empty(Dims{}, dt);
        extreme_all_into(out, from_values(v, Dims{3}, dt), is_max);
        EXPECT_TRUE(std::isnan(at(out, {}))) << dtype_name(dt) << (is_max ? " max" : " min");
      }
}

// values/indices of `in` along dim, keepdim shape, by a scan in index order.
std::pair<Values, Values> ref_extreme_dim(const Tensor& in, int dim, bool is_max) {
  Dims kept = in->shape;
  kept[dim] = 1;
  Values vals, idxs;
  for_each_index(kept, [&](const Index& o) {
    Index i = o;
    double best = at(in, i);
    int64_t arg = 0;
    for (int64_t j = 1; j < in->shape[dim]; ++j) {
      i[static_cast<size_t>(dim)] = j;
      if (better(at(in, i), best, is_max)) best = at(in, i), arg = j;
    }
    vals.push_back(best), idxs.push_back(static_cast<double>(arg));
  });
  return {vals, idxs};
}

TEST(ExtremeDimKernel, TiesGiveTheFirstIndex) {
  std::mt19937 rng(44);
  const Dims shape{3, 4, 5};
  for (DType dt : kDTypes)
    for (bool is_max : {true, false})
      for (int dim = 0; dim < 3; ++dim)
        for (Layout li : kAllLayouts)
          for (Layout lo : {Layout::Contiguous, Layout::Sliced}) {
            SCOPED_TRACE(cat(dtype_name(dt), is_max ? " max" : " min", " dim ", dim, " in ",
                             layout_name(li), " out ", layout_name(lo)));
            // few distinct values: many ties
            Tensor in = coarse_tensor(shape, dt, li, rng, -1, 1);
            Dims kept = shape;
            kept[dim] = 1;
            Tensor v = make_layout(kept, dt, lo), ix = make_layout(kept, DType::Int64, lo);
            extreme_dim_into(v, ix, in, dim, is_max);
            const auto [wv, wi] = ref_extreme_dim(in, dim, is_max);
            expect_values(v, wv);
            expect_values(ix, wi);
            expect_gaps_untouched(v);
            expect_gaps_untouched(ix);
          }
}

TEST(ExtremeDimKernel, NaNWinsAtItsFirstIndex) {
  Tensor in = from_values({1, NAN, 3, NAN, 2, 5, 7, 0, -1}, Dims{3, 3}, DType::Float32);
  for (bool is_max : {true, false}) {
    Tensor v = empty(Dims{3, 1}, DType::Float32), ix = empty(Dims{3, 1}, DType::Int64);
    extreme_dim_into(v, ix, in, 1, is_max);
    const auto [wv, wi] = ref_extreme_dim(in, 1, is_max);
    expect_values(v, wv);
    expect_values(ix, wi);
    EXPECT_TRUE(std::isnan(at(v, {0, 0})));
    EXPECT_EQ(at(ix, {0, 0}), 1);
    EXPECT_EQ(at(ix, {1, 0}), 0);
    Tensor v0 = empty(Dims{1, 3}, DType::Float32), i0 = empty(Dims{1, 3}, DType::Int64);
    extreme_dim_into(v0, i0, in, 0, is_max);
    EXPECT_EQ(at(i0, {0, 0}), 1);  // column 0 is (1, NaN, 7)
    const auto [wv0, wi0] = ref_extreme_dim(in, 0, is_max);
    expect_values(v0, wv0);
    expect_values(i0, wi0);
  }
}

TEST(CountTrueKernel, EveryLayout) {
  std::mt19937 rng(45);
  for (Layout l : kAllLayouts)
    for (const Dims& shape : {Dims{2, 3, 4}, Dims{}, Dims{0, 5}, Dims{9}}) {
      SCOPED_TRACE(cat(layout_name(l), " ", shape_str(shape)));
      Tensor m = coarse_tensor(shape, DType::Bool, l, rng);
      double want = 0;
      for (double x : values(m)) want += x;
      EXPECT_EQ(count_true(m), static_cast<int64_t>(want));
    }
}

}  // namespace
}  // namespace pyag::test
