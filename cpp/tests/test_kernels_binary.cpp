// binary_into and binary_scalar_into against the naive reference, for every op and dtype, on
// contiguous, transposed, sliced and broadcast operands, 0-d and empty tensors.
#include <gtest/gtest.h>

#include "kernels/elementwise.h"
#include "test_util.h"

namespace pyag::test {
namespace {

constexpr pyag::BinaryKernel kBinaryOps[] = {
    pyag::BinaryKernel::add,        pyag::BinaryKernel::sub,
    pyag::BinaryKernel::mul,        pyag::BinaryKernel::div,
    pyag::BinaryKernel::pow,        pyag::BinaryKernel::maximum,
    pyag::BinaryKernel::minimum,    pyag::BinaryKernel::bitwise_and,
    pyag::BinaryKernel::bitwise_or, pyag::BinaryKernel::bitwise_xor,
    pyag::BinaryKernel::eq,         pyag::BinaryKernel::ne,
    pyag::BinaryKernel::lt,         pyag::BinaryKernel::le,
    pyag::BinaryKernel::gt,         pyag::BinaryKernel::ge};
constexpr DType kDTypes[] = {DType::Bool, DType::Int64, DType::Float32, DType::Float64};

DType out_dtype(pyag::BinaryKernel op, DType dt) { return is_comparison(op) ? DType::Bool : dt; }

// Operand values suited to (op, dtype): no integer division by zero, small integer powers,
// float powers from a list of interesting exponents; otherwise coarse values with many ties.
Tensor operand(pyag::BinaryKernel op, DType dt, bool rhs, const Dims& shape, Layout l,
               std::mt19937& rng) {
  const bool integral = !is_floating(dt);
  if (op == pyag::BinaryKernel::div && integral && rhs)
    return generated(shape, dt, l, [&] {
      if (dt == DType::Bool) return 1.0;
      const double v = random_value(rng, dt, 1, 4);
      return rng() % 2 ? v : -v;
    });
  if (op == pyag::BinaryKernel::pow && rhs) {
    if (integral) return coarse_tensor(shape, dt, l, rng, 0, 4);
    static const double exps[] = {-2, -1, 0, 0.5, 1, 2, 3};
    return generated(shape, dt, l, [&] { return exps[rng() % 7]; });
  }
  return coarse_tensor(shape, dt, l, rng, -3, 3);
}

Values reference(pyag::BinaryKernel op, const Tensor& a, const Tensor& b, const Dims& shape) {
  Values r;
  for_each_index(shape, [&](const Index& i) {
    r.push_back(
        ref_binary(op, at(a, bcast_index(i, a->shape)), at(b, bcast_index(i, b->shape)), a->dtype));
  });
  return r;
}

std::string trace(Layout la, Layout lb, Layout lo) {
  return cat("a ", layout_name(la), ", b ", layout_name(lb), ", out ", layout_name(lo));
}

class BinaryKernel : public ::testing::TestWithParam<std::tuple<pyag::BinaryKernel, DType>> {};

TEST_P(BinaryKernel, EveryLayout) {
  const auto [op, dt] = GetParam();
  std::mt19937 rng(1);
  const Dims shape{2, 3, 4};
  for (Layout la : kAllLayouts)
    for (Layout lb : kAllLayouts)
      for (Layout lo : kOutLayouts) {
        SCOPED_TRACE(trace(la, lb, lo));
        Tensor a = operand(op, dt, false, shape, la, rng),
               b = operand(op, dt, true, shape, lb, rng);
        Tensor out = make_layout(shape, out_dtype(op, dt), lo);
        binary_into(op, out, a, b);
        expect_values(out, reference(op, a, b, shape));
        expect_gaps_untouched(out);
      }
}

TEST_P(BinaryKernel, Broadcasting) {
  const auto [op, dt] = GetParam();
  std::mt19937 rng(2);
  const std::vector<std::pair<Dims, Dims>> cases = {
      {Dims{2, 3, 4}, Dims{4}}, {Dims{2, 3, 4}, Dims{3, 1}}, {Dims{3, 1}, Dims{1, 4}},
      {Dims{2, 3, 4}, Dims{}},  {Dims{}, Dims{2, 1, 4}},     {Dims{2, 1, 4}, Dims{3, 1}},
      {Dims{}, Dims{}},         {Dims{0, 3}, Dims{3}},       {Dims{2, 0, 4}, Dims{1, 4}},
      {Dims{5}, Dims{1}}};
  for (const auto& [sa, sb] : cases)
    for (Layout la : kAllLayouts)
      for (Layout lb : kAllLayouts) {
        const Dims shape = broadcast_shapes(sa, sb, "test");
        SCOPED_TRACE(shape_str(sa) + " op " + shape_str(sb) + ", " + trace(la, lb, la));
        Tensor a = operand(op, dt, false, sa, la, rng), b = operand(op, dt, true, sb, lb, rng);
        Tensor out = make_layout(shape, out_dtype(op, dt), Layout::Contiguous);
        binary_into(op, out, a, b);
        expect_values(out, reference(op, a, b, shape));
      }
}

// Scalars suited to (op, dtype), as the kernel converts them to the tensor's type.
std::vector<double> scalars(pyag::BinaryKernel op, DType dt, bool scalar_first) {
  if (dt == DType::Bool)
    return op == pyag::BinaryKernel::div && !scalar_first ? Values{1} : Values{0, 1};
  const bool integral = dt == DType::Int64;
  if (op == pyag::BinaryKernel::pow && !scalar_first)
    return integral ? Values{0, 1, 3} : Values{2, 3, 0.5, -1};
  if (op == pyag::BinaryKernel::div && !scalar_first)
    return integral ? Values{2, -3} : Values{2, -0.5};
  return integral ? Values{-2, 0, 3} : Values{-1.5, 0, 2, 0.5};
}

TEST_P(BinaryKernel, ScalarOnEitherSide) {
  const auto [op, dt] = GetParam();
  std::mt19937 rng(3);
  const Dims shape{2, 3, 4};
  for (bool first : {false, true})
    for (double s : scalars(op, dt, first))
      for (Layout la : kAllLayouts)
        for (Layout lo : kOutLayouts) {
          SCOPED_TRACE(cat(first ? "s op a" : "a op s", ", s = ", s, ", ", trace(la, la, lo)));
          // The tensor takes the role of the right operand when the scalar comes first.
          Tensor a = operand(op, dt, first, shape, la, rng);
          Tensor out = make_layout(shape, out_dtype(op, dt), lo);
          binary_scalar_into(op, out, a, s, first);
          Values want;
          for_each_index(shape, [&](const Index& i) {
            const double x = at(a, i), sv = to_dtype(s, dt);
            want.push_back(first ? ref_binary(op, sv, x, dt) : ref_binary(op, x, sv, dt));
          });
          expect_values(out, want);
          expect_gaps_untouched(out);
        }
}

TEST_P(BinaryKernel, ZeroDimAndEmpty) {
  const auto [op, dt] = GetParam();
  std::mt19937 rng(4);
  for (const Dims& shape : {Dims{}, Dims{0}, Dims{3, 0}, Dims{0, 2, 1}}) {
    SCOPED_TRACE(shape_str(shape));
    Tensor a = operand(op, dt, false, shape, Layout::Contiguous, rng);
    Tensor b = operand(op, dt, true, shape, Layout::Contiguous, rng);
    Tensor out = make_layout(shape, out_dtype(op, dt), Layout::Contiguous);
    binary_into(op, out, a, b);
    expect_values(out, reference(op, a, b, shape));
    Tensor out2 = make_layout(shape, out_dtype(op, dt), Layout::Contiguous);
    binary_scalar_into(op, out2, a, 1.0, false);
    Values want;
    for_each_index(shape, [&](const Index& i) { want.push_back(ref_binary(op, at(a, i), 1, dt)); });
    expect_values(out2, want);
  }
}

std::string case_name(const ::testing::TestParamInfo<std::tuple<pyag::BinaryKernel, DType>>& info) {
  return cat(op_name(std::get<0>(info.param)), "_", dtype_name(std::get<1>(info.param)));
}

std::vector<std::tuple<pyag::BinaryKernel, DType>> defined_cases(bool defined) {
  std::vector<std::tuple<pyag::BinaryKernel, DType>> r;
  for (pyag::BinaryKernel op : kBinaryOps)
    for (DType dt : kDTypes)
      if (defined_for(op, dt) == defined) r.emplace_back(op, dt);
  return r;
}

INSTANTIATE_TEST_SUITE_P(AllOps, BinaryKernel, ::testing::ValuesIn(defined_cases(true)), case_name);

TEST(BinaryKernelSpecial, BitwiseOpsRejectFloats) {
  std::mt19937 rng(6);
  for (const auto& [op, dt] : defined_cases(false)) {
    SCOPED_TRACE(case_name({std::tuple{op, dt}, 0}));
    Tensor a = random_tensor(Dims{2, 3}, dt, Layout::Contiguous, rng), out = empty(Dims{2, 3}, dt);
    expect_error<RuntimeError>([&] { binary_into(op, out, a, a); }, cat("[", op_name(op), "]"),
                               {"bool, uint8, int8, int16, int32 and int64"});
    expect_error<RuntimeError>([&] { binary_scalar_into(op, out, a, 1, true); },
                               cat("[", op_name(op), "]"));
  }
}

TEST(BinaryKernelSpecial, NaNAndInfinity) {
  for (DType dt : {DType::Float32, DType::Float64}) {
    SCOPED_TRACE(dtype_name(dt));
    const Values av{NAN, 1, NAN, -INFINITY, 2}, bv{1, NAN, NAN, 2, -0.5};
    Tensor a = from_values(av, Dims{5}, dt), b = from_values(bv, Dims{5}, dt);
    for (pyag::BinaryKernel op : kBinaryOps) {
      SCOPED_TRACE(op_name(op));
      if (!defined_for(op, dt)) continue;
      Tensor out = empty(Dims{5}, out_dtype(op, dt));
      binary_into(op, out, a, b);
      Values want;
      for (size_t i = 0; i < av.size(); ++i) want.push_back(ref_binary(op, av[i], bv[i], dt));
      expect_values(out, want);
    }
  }
}

TEST(BinaryKernelSpecial, IntegerPowerWithNegativeExponent) {
  Tensor a = from_values({1, -1, -1, 2, -2, 3}, Dims{6}, DType::Int64);
  Tensor b = from_values({-3, -2, -3, -1, -1, -2}, Dims{6}, DType::Int64);
  Tensor out = empty(Dims{6}, DType::Int64);
  binary_into(pyag::BinaryKernel::pow, out, a, b);
  Values want;
  for (int i = 0; i < 6; ++i)
    want.push_back(ref_binary(pyag::BinaryKernel::pow, values(a)[static_cast<size_t>(i)],
                              values(b)[static_cast<size_t>(i)], DType::Int64));
  expect_values(out, want);  // 1, 1, -1, 0, 0, 0: the truncated real power
}

// 2^32, 3^33 and 7^22 fit in int64: square-and-multiply must not square the base once more
// after the last bit (a signed overflow, undefined behaviour that UBSan reports).
TEST(BinaryKernelSpecial, IntegerPowerNearInt64RangeHasNoOverflow) {
  Tensor a = from_values({2, 3, 7, -2}, Dims{4}, DType::Int64);
  Tensor b = from_values({32, 33, 22, 61}, Dims{4}, DType::Int64);
  Tensor out = empty(Dims{4}, DType::Int64);
  binary_into(pyag::BinaryKernel::pow, out, a, b);
  const int64_t p3 = 5559060566555523;  // 3^33
  EXPECT_EQ(out->data_as<int64_t>()[0], int64_t{1} << 32);
  EXPECT_EQ(out->data_as<int64_t>()[1], p3);
  EXPECT_EQ(out->data_as<int64_t>()[2], 3909821048582988049);  // 7^22
  EXPECT_EQ(out->data_as<int64_t>()[3], -(int64_t{1} << 61));
}

TEST(BinaryKernelSpecial, InPlaceAliasing) {
  // out may be the first operand (as accumulation does)
  std::mt19937 rng(5);
  Tensor a = random_tensor(Dims{3, 4}, DType::Float64, Layout::Transposed, rng);
  Tensor b = random_tensor(Dims{4}, DType::Float64, Layout::Sliced, rng);
  const Values before = values(a);
  binary_into(pyag::BinaryKernel::add, a, a, b);
  Values want;
  for_each_index(Dims{3, 4}, [&](const Index& i) {
    want.push_back(before[static_cast<size_t>(i[0] * 4 + i[1])] + at(b, {i[1]}));
  });
  expect_values(a, want);
}

}  // namespace
}  // namespace pyag::test
