// copy_into (dtype conversion, broadcasting, strided destinations) and fill.
#include <gtest/gtest.h>

#include "kernels/elementwise.h"
#include "test_util.h"

namespace pyag::test {
namespace {

constexpr DType kDTypes[] = {DType::Bool, DType::Int64, DType::Float32, DType::Float64};

// Values that exercise conversions: fractions truncate toward zero, 0 and -0 are false.
Tensor conversion_source(const Dims& shape, DType dt, Layout l, std::mt19937& rng) {
  static const double vals[] = {-2.75, -1.5, -0.5, -0.0, 0.0, 0.25, 1.0, 2.5, 3.0};
  return generated(shape, dt, l, [&] { return to_dtype(vals[rng() % 9], dt); });
}

class CopyKernel : public ::testing::TestWithParam<std::tuple<DType, DType>> {};

TEST_P(CopyKernel, ConvertsAndBroadcasts) {
  const auto [src_dt, dst_dt] = GetParam();
  std::mt19937 rng(21);
  const Dims dst_shape{2, 3, 4};
  for (const Dims& src_shape : {Dims{2, 3, 4}, Dims{3, 4}, Dims{3, 1}, Dims{4}, Dims{}})
    for (Layout ls : kAllLayouts)
      for (Layout ld : kOutLayouts) {
        SCOPED_TRACE(
            cat(shape_str(src_shape), " src ", layout_name(ls), ", dst ", layout_name(ld)));
        Tensor src = conversion_source(src_shape, src_dt, ls, rng);
        Tensor dst = make_layout(dst_shape, dst_dt, ld);
        copy_into(dst, src);
        Values want;
        for_each_index(dst_shape, [&](const Index& i) {
          want.push_back(to_dtype(at(src, bcast_index(i, src_shape)), dst_dt));
        });
        expect_values(dst, want);
        expect_gaps_untouched(dst);
      }
}

TEST_P(CopyKernel, ZeroDimAndEmpty) {
  const auto [src_dt, dst_dt] = GetParam();
  Tensor src = from_values({2.5}, Dims{}, src_dt),
         dst = make_layout(Dims{}, dst_dt, Layout::Sliced);
  copy_into(dst, src);
  expect_values(dst, {to_dtype(to_dtype(2.5, src_dt), dst_dt)});
  Tensor e_src = empty(Dims{0, 3}, src_dt), e_dst = make_layout(Dims{0, 3}, dst_dt, Layout::Sliced);
  copy_into(e_dst, e_src);
  expect_gaps_untouched(e_dst);
}

std::string copy_name(const ::testing::TestParamInfo<std::tuple<DType, DType>>& info) {
  return cat(dtype_name(std::get<0>(info.param)), "_to_", dtype_name(std::get<1>(info.param)));
}

INSTANTIATE_TEST_SUITE_P(AllDTypes, CopyKernel,
                         ::testing::Combine(::testing::ValuesIn(kDTypes),
                                            ::testing::ValuesIn(kDTypes)),
                         copy_name);

TEST(CopyKernel, TransposedToContiguousIsATranspose) {
  Tensor src = make_layout(Dims{3, 2}, DType::Float32, Layout::Transposed);
  // the storage holds 0..5 as a (2, 3) row-major block
  for (int64_t i = 0; i < 6; ++i) write_raw(src, i, static_cast<double>(i));
  Tensor dst = empty(Dims{3, 2}, DType::Float32);
  copy_into(dst, src);
  expect_values(dst, {0, 3, 1, 4, 2, 5});
}

TEST(FillKernel, EveryDTypeAndLayout) {
  for (DType dt : kDTypes)
    for (Layout l : kAllLayouts)
      for (const Dims& shape : {Dims{2, 3, 4}, Dims{}, Dims{5}, Dims{0, 2}})
        for (double v : {2.5, -1.0, 0.0}) {
          SCOPED_TRACE(cat(dtype_name(dt), " ", layout_name(l), " ", shape_str(shape), " ", v));
          Tensor t = make_layout(shape, dt, l);
          fill(t, v);
          expect_values(t, Values(static_cast<size_t>(numel(shape)), to_dtype(v, dt)));
          expect_gaps_untouched(t);
        }
}

}  // namespace
}  // namespace pyag::test
