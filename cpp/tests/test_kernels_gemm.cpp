// mm_into: the four transpose layouts, non-contiguous and expanded operands, strided outputs,
// alpha/beta (beta = 1 accumulation), k = 0, empty and vector-shaped products.
#include <gtest/gtest.h>

#include <array>

#include "kernels/gemm.h"
#include "kernels/parallel.h"
#include "test_util.h"

namespace pyag::test {
namespace {

// A (rows, cols) output whose rows are padded (row stride cols + 3): BLAS-compatible, not dense.
Tensor padded(int64_t rows, int64_t cols, DType dt) {
  Tensor base = empty(Dims{rows, cols + 3}, dt);
  const int64_t count = static_cast<int64_t>(base->storage->nbytes / itemsize(dt));
  for (int64_t i = 0; i < count; ++i) write_raw(base, i, sentinel(dt));
  return make_view(base, Dims{rows, cols}, Dims{cols + 3, 1}, 0);
}

Tol gemm_tol(DType dt, int64_t k) {
  if (dt == DType::Float32) return {1e-5, 1e-6 * static_cast<double>(k + 1) * 8};
  if (dt == DType::Float64) return {1e-12, 1e-13 * static_cast<double>(k + 1)};
  return {0, 0};
}

struct Scale {
  double alpha, beta;
};

void check_mm(const Tensor& out, const Tensor& a, const Tensor& b, Scale s) {
  const Values before = values(out), prod = ref_mm(a, b);
  Values want;
  for (size_t i = 0; i < prod.size(); ++i)
    want.push_back(s.alpha * prod[i] + (s.beta == 0 ? 0.0 : s.beta * before[i]));
  mm_into(out, a, b, s.alpha, s.beta);
  expect_values(out, want, gemm_tol(out->dtype, a->shape[1]));
  expect_gaps_untouched(out);
}

class GemmKernel : public ::testing::TestWithParam<DType> {};

TEST_P(GemmKernel, EveryLayoutAndScale) {
  const DType dt = GetParam();
  std::mt19937 rng(51);
  const bool integral = dt == DType::Int64;
  const std::vector<Scale> scales = integral ? std::vector<Scale>{{1, 0}, {1, 1}, {2, 3}}
                                             : std::vector<Scale>{{1, 0}, {1, 1}, {0.5, 2}};
  // (m, k, n), including vector-shaped and single-element products
  const std::vector<std::array<int64_t, 3>> dims = {{4, 5, 3}, {1, 5, 3}, {4, 5, 1}, {4, 1, 3},
                                                    {1, 1, 1}, {7, 9, 6}, {1, 6, 1}};
  for (const auto& [m, k, n] : dims)
    for (Layout la : kAllLayouts)
      for (Layout lb : kAllLayouts)
        for (bool pad : {false, true})
          for (Scale s : scales) {
            SCOPED_TRACE(cat("m ", m, " k ", k, " n ", n, ", a ", layout_name(la), ", b ",
                             layout_name(lb), pad ? ", padded out" : "", ", alpha ", s.alpha,
                             " beta ", s.beta));
            Tensor a = coarse_tensor(Dims{m, k}, dt, la, rng, -2, 2);
            Tensor b = coarse_tensor(Dims{k, n}, dt, lb, rng, -2, 2);
            Tensor out = pad ? padded(m, n, dt) : make_layout(Dims{m, n}, dt, Layout::Contiguous);
            for_each_index(out->shape,
                           [&](const Index& i) { set_at(out, i, random_value(rng, dt, -3, 3)); });
            check_mm(out, a, b, s);
          }
}

TEST_P(GemmKernel, EmptyInnerDimension) {
  const DType dt = GetParam();
  for (Scale s : {Scale{1, 0}, Scale{1, 1}, Scale{1, 2}}) {
    SCOPED_TRACE(cat("beta ", s.beta));
    Tensor a = empty(Dims{3, 0}, dt), b = empty(Dims{0, 4}, dt);
    Tensor out = from_values({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, Dims{3, 4}, dt);
    check_mm(out, a, b, s);
  }
}

TEST_P(GemmKernel, EmptyOutput) {
  const DType dt = GetParam();
  Tensor a = empty(Dims{0, 3}, dt), b = full(Dims{3, 4}, 1, dt), out = empty(Dims{0, 4}, dt);
  mm_into(out, a, b, 1, 0);
  Tensor a2 = full(Dims{2, 3}, 1, dt), b2 = empty(Dims{3, 0}, dt), out2 = empty(Dims{2, 0}, dt);
  mm_into(out2, a2, b2, 1, 1);
  EXPECT_EQ(out->numel + out2->numel, 0);
}

INSTANTIATE_TEST_SUITE_P(AllDTypes, GemmKernel,
                         ::testing::Values(DType::Int64, DType::Float32, DType::Float64),
                         [](const auto& info) { return std::string(dtype_name(info.param)); });

TEST(GemmKernel, FourTransposeLayoutsExplicitly) {
  // a and b as views with swapped strides of row-major blocks: NN, NT, TN, TT
  std::mt19937 rng(52);
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      SCOPED_TRACE(cat(ta ? "T" : "N", tb ? "T" : "N"));
      Tensor a = random_tensor(Dims{6, 8}, DType::Float64,
                               ta ? Layout::Transposed : Layout::Contiguous, rng);
      Tensor b = random_tensor(Dims{8, 5}, DType::Float64,
                               tb ? Layout::Transposed : Layout::Contiguous, rng);
      EXPECT_EQ(a->strides[0] == 1, ta);
      EXPECT_EQ(b->strides[0] == 1, tb);
      check_mm(empty(Dims{6, 5}, DType::Float64), a, b, {1, 0});
    }
}

TEST(GemmKernel, SeedSizedProduct) {
  // the training step's shapes: (64, 1000) @ (1000, 100), and the transposed backward products
  std::mt19937 rng(53);
  Tensor x = random_tensor(Dims{64, 1000}, DType::Float32, Layout::Contiguous, rng, -1, 1);
  Tensor w = random_tensor(Dims{1000, 100}, DType::Float32, Layout::Contiguous, rng, -1, 1);
  Tensor h = empty(Dims{64, 100}, DType::Float32);
  const Values want = ref_mm(x, w);
  mm_into(h, x, w, 1, 0);
  expect_values(h, want, Tol{1e-4, 1e-4});
  Tensor xt = make_view(x, Dims{1000, 64}, Dims{1, 1000}, 0);  // x.t()
  Tensor gw = empty(Dims{1000, 100}, DType::Float32);
  const Values want_gw = ref_mm(xt, h);
  mm_into(gw, xt, h, 1, 0);
  expect_values(gw, want_gw, Tol{1e-4, 1e-3});
}

// Large products are split by rows of the result across the kernels' threads, each range one
// single-threaded BLAS call: every thread count gives the same bits as one thread, for every
// operand layout, beta = 1 accumulation and padded outputs, with row counts that do not divide.
TEST(GemmKernel, ThreadedProductsAreBitwiseTheSerialOnes) {
  const int saved = num_threads();
  std::mt19937 rng(54);
  const std::vector<std::array<int64_t, 3>> dims = {
      {100, 1000, 64}, {100, 64, 1000}, {97, 300, 131}, {257, 129, 300}};
  for (DType dt : {DType::Float32, DType::Float64})
    for (const auto& [m, k, n] : dims)
      for (Layout la : {Layout::Contiguous, Layout::Transposed})
        for (Layout lb : {Layout::Contiguous, Layout::Transposed})
          for (bool pad : {false, true}) {
            SCOPED_TRACE(cat(dtype_name(dt), " m ", m, " k ", k, " n ", n, ", a ", layout_name(la),
                             ", b ", layout_name(lb), pad ? ", padded" : ""));
            Tensor a = random_tensor(Dims{m, k}, dt, la, rng, -1, 1);
            Tensor b = random_tensor(Dims{k, n}, dt, lb, rng, -1, 1);
            Values serial;
            for (int threads : {1, 2, 3, 4}) {
              set_num_threads(threads);
              Tensor out = pad ? padded(m, n, dt) : empty(Dims{m, n}, dt);
              mm_into(out, a, b, 0.5, 0);
              mm_into(out, a, b, -0.25, 1);  // accumulates into what the first product wrote
              if (threads == 1)
                serial = values(out);
              else
                expect_values(out, serial, Tol{0, 0});
              if (pad) expect_gaps_untouched(out);
            }
          }
  EXPECT_EQ(get_blas_threads(), 1);  // the BLAS's own threads are never used
  set_blas_threads(2);               // as another user of the same OpenBLAS might
  Tensor a = random_tensor(Dims{100, 1000}, DType::Float32, Layout::Contiguous, rng, -1, 1);
  Tensor b = random_tensor(Dims{1000, 64}, DType::Float32, Layout::Contiguous, rng, -1, 1);
  mm_into(empty(Dims{100, 64}, DType::Float32), a, b, 1, 0);
  EXPECT_EQ(get_blas_threads(), 1);
  set_num_threads(saved);
}

}  // namespace
}  // namespace pyag::test
