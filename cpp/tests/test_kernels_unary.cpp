// unary_into, clamp_into and where_into against the naive reference.
#include <gtest/gtest.h>

#include "kernels/elementwise.h"
#include "test_util.h"

namespace pyag::test {
namespace {

constexpr pyag::UnaryKernel kUnaryOps[] = {
    pyag::UnaryKernel::neg,     pyag::UnaryKernel::abs,        pyag::UnaryKernel::exp,
    pyag::UnaryKernel::log,     pyag::UnaryKernel::sqrt,       pyag::UnaryKernel::tanh,
    pyag::UnaryKernel::sigmoid, pyag::UnaryKernel::relu,       pyag::UnaryKernel::sign,
    pyag::UnaryKernel::square,  pyag::UnaryKernel::bitwise_not};
constexpr DType kDTypes[] = {DType::Bool, DType::Int64, DType::Float32, DType::Float64};

Tensor unary_input(pyag::UnaryKernel op, DType dt, const Dims& shape, Layout l, std::mt19937& rng) {
  if (op == pyag::UnaryKernel::log || op == pyag::UnaryKernel::sqrt)
    return random_tensor(shape, dt, l, rng, 0.05, 4);
  if (is_floating(dt)) return random_tensor(shape, dt, l, rng, -4, 4);
  return coarse_tensor(shape, dt, l, rng, -3, 3);  // includes 0 for sign/relu/abs
}

Values unary_reference(pyag::UnaryKernel op, const Tensor& a) {
  Values r;
  for (double x : values(a)) r.push_back(ref_unary(op, x, a->dtype));
  return r;
}

class UnaryKernel : public ::testing::TestWithParam<std::tuple<pyag::UnaryKernel, DType>> {};

TEST_P(UnaryKernel, EveryLayout) {
  const auto [op, dt] = GetParam();
  std::mt19937 rng(11);
  for (const Dims& shape : {Dims{2, 3, 4}, Dims{}, Dims{0, 3}, Dims{7}}) {
    for (Layout la : kAllLayouts)
      for (Layout lo : kOutLayouts) {
        SCOPED_TRACE(cat(shape_str(shape), " in ", layout_name(la), ", out ", layout_name(lo)));
        Tensor a = unary_input(op, dt, shape, la, rng);
        Tensor out = make_layout(shape, dt, lo);
        if (!defined_for(op, dt)) {
          expect_error<RuntimeError>([&] { unary_into(op, out, a); }, "[unary]", {op_name(op)});
          continue;
        }
        unary_into(op, out, a);
        expect_values(out, unary_reference(op, a));
        expect_gaps_untouched(out);
      }
  }
}

std::string unary_name(const ::testing::TestParamInfo<std::tuple<pyag::UnaryKernel, DType>>& info) {
  return cat(op_name(std::get<0>(info.param)), "_", dtype_name(std::get<1>(info.param)));
}

INSTANTIATE_TEST_SUITE_P(AllOps, UnaryKernel,
                         ::testing::Combine(::testing::ValuesIn(kUnaryOps),
                                            ::testing::ValuesIn(kDTypes)),
                         unary_name);

TEST(UnaryKernelSpecial, SpecialValues) {
  const Values xs{0.0, -0.0, -1.0, INFINITY, -INFINITY, NAN, 1000.0, -1000.0, 50.0, -50.0};
  for (DType dt : {DType::Float32, DType::Float64})
    for (pyag::UnaryKernel op : kUnaryOps) {
      SCOPED_TRACE(cat(op_name(op), " ", dtype_name(dt)));
      // Relu and NaN: see ReluPropagatesNaN
      if (op == pyag::UnaryKernel::relu || !defined_for(op, dt)) continue;
      Tensor a = from_values(xs, Dims{10}, dt), out = empty(Dims{10}, dt);
      unary_into(op, out, a);
      Values want;
      for (double x : xs) want.push_back(ref_unary(op, to_dtype(x, dt), dt));
      expect_values(out, want);
    }
}

// PyTorch's relu (clamp_min(x, 0)) keeps NaN.
TEST(UnaryKernelSpecial, ReluPropagatesNaN) {
  Tensor a = from_values({NAN, -1, 2}, Dims{3}, DType::Float32),
         out = empty(Dims{3}, DType::Float32);
  unary_into(pyag::UnaryKernel::relu, out, a);
  expect_values(out, {NAN, 0, 2});
}

TEST(UnaryKernelSpecial, SigmoidSaturatesWithoutNaN) {
  Tensor a = from_values({-1000, -100, 0, 100, 1000}, Dims{5}, DType::Float32);
  Tensor out = empty(Dims{5}, DType::Float32);
  unary_into(pyag::UnaryKernel::sigmoid, out, a);
  expect_values(out, {0, to_dtype(1 / (1 + std::exp(100.0)), DType::Float32), 0.5, 1, 1});
}

// ---- clamp ----

struct Bounds {
  double lo, hi;  // NaN: missing
};
constexpr Bounds kBounds[] = {{-1, NAN}, {NAN, 1}, {-1, 1}, {0.5, 0.5}};

double ref_clamp(double x, Bounds b) {
  if (std::isnan(x)) return x;
  if (!std::isnan(b.lo) && x < b.lo) x = b.lo;
  if (!std::isnan(b.hi) && x > b.hi) x = b.hi;
  return x;
}

TEST(ClampKernel, EveryBoundCombinationAndLayout) {
  std::mt19937 rng(12);
  for (DType dt : {DType::Int64, DType::Float32, DType::Float64})
    for (Bounds b : kBounds)
      for (Layout la : kAllLayouts)
        for (Layout lo : kOutLayouts) {
          if (dt == DType::Int64 && b.lo == 0.5) continue;
          SCOPED_TRACE(cat(dtype_name(dt), " lo ", b.lo, " hi ", b.hi, " in ", layout_name(la),
                           " out ", layout_name(lo)));
          // coarse values hit the bounds exactly; floats get a NaN too
          Tensor a = coarse_tensor(Dims{2, 3, 4}, dt, la, rng, -3, 3);
          if (is_floating(dt) && la != Layout::Broadcast) set_at(a, {1, 2, 3}, NAN);
          Tensor out = make_layout(Dims{2, 3, 4}, dt, lo);
          clamp_into(out, a, b.lo, b.hi);
          Values want;
          for (double x : values(a)) want.push_back(ref_clamp(x, b));
          expect_values(out, want);
          expect_gaps_untouched(out);
        }
}

TEST(ClampKernel, InPlace) {
  Tensor a = from_values({-3, -1, 0, 2, 5}, Dims{5}, DType::Float32);
  clamp_into(a, a, -1, 2);
  expect_values(a, {-1, -1, 0, 2, 2});
}

// PyTorch: "If min is greater than max, clamp sets all elements to max" (min(max(x, lo), hi)).
TEST(ClampKernel, MinGreaterThanMaxGivesMax) {
  Tensor a = from_values({-5, 0, 2, 5, 10}, Dims{5}, DType::Float64);
  Tensor out = empty(Dims{5}, DType::Float64);
  clamp_into(out, a, 3, 1);
  expect_values(out, {1, 1, 1, 1, 1});
}

// ---- where ----

TEST(WhereKernel, BroadcastingEveryLayout) {
  std::mt19937 rng(13);
  const std::vector<std::tuple<Dims, Dims, Dims>> shapes = {
      {Dims{2, 3, 4}, Dims{2, 3, 4}, Dims{2, 3, 4}},
      {Dims{3, 1}, Dims{2, 3, 4}, Dims{4}},
      {Dims{2, 1, 4}, Dims{}, Dims{3, 1}},
      {Dims{}, Dims{3, 4}, Dims{3, 4}},
      {Dims{0, 4}, Dims{4}, Dims{}}};
  for (DType dt : kDTypes)
    for (const auto& [sc, sa, sb] : shapes)
      for (Layout l : kAllLayouts) {
        const Dims shape = broadcast_shapes(broadcast_shapes(sc, sa, "t"), sb, "t");
        SCOPED_TRACE(cat(dtype_name(dt), " ", shape_str(sc), shape_str(sa), shape_str(sb), " ",
                         layout_name(l)));
        Tensor c = coarse_tensor(sc, DType::Bool, l, rng);
        Tensor a = random_tensor(sa, dt, l, rng), b = random_tensor(sb, dt, Layout::Sliced, rng);
        Tensor out = make_layout(shape, dt, l == Layout::Broadcast ? Layout::Contiguous : l);
        where_into(out, c, a, b);
        Values want;
        for_each_index(shape, [&](const Index& i) {
          want.push_back(at(c, bcast_index(i, sc)) != 0 ? at(a, bcast_index(i, sa))
                                                        : at(b, bcast_index(i, sb)));
        });
        expect_values(out, want);
        expect_gaps_untouched(out);
      }
}

}  // namespace
}  // namespace pyag::test
