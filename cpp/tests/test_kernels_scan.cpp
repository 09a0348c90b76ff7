// cumsum_into and cumprod_into (kernels/scan.h), one walk for both: against a naive running
// sum/product along each dim, forward and reversed, for every dtype family and layout.
#include <gtest/gtest.h>

#include "kernels/scan.h"
#include "test_util.h"

namespace pyag::test {
namespace {

constexpr DType kDTypes[] = {DType::Bool, DType::Int64, DType::Float32, DType::Float64};

// The naive reference: along dim, from the start (or the end), acc = acc + x (or acc * x).
Values reference(const Tensor& in, int dim, bool prod, bool reverse) {
  Values out(static_cast<size_t>(in->numel));
  const Dims& shape = in->shape;
  Dims st = contiguous_strides(shape);
  for_each_index(shape, [&](const Index& i) {
    double acc = prod ? 1 : 0;
    const int64_t len = shape[dim];
    for (int64_t k = 0; k < len; ++k) {
      const int64_t j = reverse ? len - 1 - k : k;
      Index idx = i;
      idx[dim] = j;
      acc = prod ? acc * at(in, idx) : acc + at(in, idx);
      if (j == i[dim]) break;
    }
    int64_t flat = 0;
    for (int d = 0; d < shape.size(); ++d) flat += i[d] * st[d];
    out[static_cast<size_t>(flat)] = acc;
  });
  return out;
}

class ScanKernel : public ::testing::TestWithParam<std::tuple<DType, Layout>> {};

TEST_P(ScanKernel, MatchesANaiveRunningSumAndProduct) {
  const auto [dt, layout] = GetParam();
  std::mt19937 rng(7);
  const Dims shape{3, 4, 5};
  // coarse values (multiples of 0.5 in [-1.5, 1.5]) keep products exact in float32
  Tensor in = coarse_tensor(shape, dt, layout, rng, -1.5, 1.5);
  const DType odt = is_floating(dt) ? dt : DType::Int64;
  for (int dim = 0; dim < 3; ++dim) {
    for (bool reverse : {false, true}) {
      Tensor out = make_layout(shape, odt, layout == Layout::Broadcast ? Layout::Sliced : layout);
      cumsum_into(out, in, dim, reverse);
      expect_values(out, reference(in, dim, false, reverse));
    }
    Tensor out = empty(shape, odt);
    cumprod_into(out, in, dim);
    expect_values(out, reference(in, dim, true, false));
  }
}

INSTANTIATE_TEST_SUITE_P(All, ScanKernel,
                         ::testing::Combine(::testing::ValuesIn(kDTypes),
                                            ::testing::ValuesIn(kAllLayouts)));

TEST(ScanKernel, EmptyInputWritesNothing) {
  Tensor in = empty(Dims{2, 0}, DType::Float64), out = empty(Dims{2, 0}, DType::Float64);
  cumsum_into(out, in, 1, false);
  cumprod_into(out, in, 0);
  EXPECT_EQ(out->numel, 0);
}

}  // namespace
}  // namespace pyag::test
