// Type promotion: bool < int64 < float32 < float64; int / int is float32; Python scalars never
// widen a tensor of their own category; comparisons give bool.
#include <gtest/gtest.h>

#include "ops/ops.h"
#include "test_util.h"

namespace pyag::test {
namespace {

constexpr DType kDTypes[] = {DType::Bool, DType::Int64, DType::Float32, DType::Float64};

// d's position in kDTypes, which is its rank in the promotion lattice of these four dtypes.
int rank(DType d) {
  switch (d) {
    case DType::Bool:
      return 0;
    case DType::Int64:
      return 1;
    case DType::Float32:
      return 2;
    case DType::Float64:
      return 3;
    case DType::UInt8:
    case DType::Int8:
    case DType::Int16:
    case DType::Int32:
    case DType::Float16:
    case DType::BFloat16:
      break;  // not one of kDTypes
  }
  ADD_FAILURE() << "dtype " << static_cast<int>(d) << " is not one of this test's dtypes";
  return -1;
}
DType wider(DType a, DType b) { return rank(a) >= rank(b) ? a : b; }

Values lhs_values(DType d) {
  static const Values v[] = {{1, 0, 1, 1}, {2, -3, 0, 5}, {1.5, -2, 0.25, 3}, {-0.5, 2, 1.25, 4}};
  return rank(d) < 0 ? Values{} : v[rank(d)];
}
Values rhs_values(DType d) {
  static const Values v[] = {{1, 1, 0, 1}, {3, 1, 2, 4}, {2, -1.5, 0.5, 1}, {1, 0.5, -2, 2}};
  return rank(d) < 0 ? Values{} : v[rank(d)];
}

constexpr BinaryKernel kOps[] = {BinaryKernel::add, BinaryKernel::sub, BinaryKernel::mul,
                                 BinaryKernel::div, BinaryKernel::pow, BinaryKernel::maximum,
                                 BinaryKernel::lt,  BinaryKernel::eq};

TEST(Promotion, TensorWithTensor) {
  for (DType da : kDTypes)
    for (DType db : kDTypes)
      for (BinaryKernel op : kOps) {
        SCOPED_TRACE(cat(dtype_name(da), " ", op_name(op), " ", dtype_name(db)));
        Tensor a = from_values(lhs_values(da), Dims{4}, da);
        Tensor b = from_values(rhs_values(db), Dims{4}, db);
        DType ct = wider(da, db);
        const bool any_bool = da == DType::Bool || db == DType::Bool;
        if ((ct == DType::Bool && op == BinaryKernel::pow) ||
            (any_bool && op == BinaryKernel::sub)) {  // PyTorch: no subtraction with bool
          expect_error<RuntimeError>([&] { call_binary(op, a, b); }, cat("[", op_name(op), "]"),
                                     {"bool"});
          continue;
        }
        if (op == BinaryKernel::div && !is_floating(ct)) ct = DType::Float32;
        Tensor out = call_binary(op, a, b);
        EXPECT_EQ(out->dtype, is_comparison(op) ? DType::Bool : ct);
        Values want;
        for (size_t i = 0; i < 4; ++i)
          want.push_back(
              ref_binary(op, to_dtype(lhs_values(da)[i], ct), to_dtype(rhs_values(db)[i], ct), ct));
        expect_values(out, want);
      }
}

struct ScalarCase {
  DType tensor;
  Scalar s;
  BinaryKernel op;
  DType want;
};

TEST(Promotion, TensorWithScalar) {
  const ScalarCase cases[] = {
      {DType::Float32, {2.5, ScalarKind::Float}, BinaryKernel::mul, DType::Float32},
      {DType::Float64, {2.5, ScalarKind::Float}, BinaryKernel::mul, DType::Float64},
      {DType::Int64, {2.5, ScalarKind::Float}, BinaryKernel::mul, DType::Float32},
      {DType::Bool, {2.5, ScalarKind::Float}, BinaryKernel::add, DType::Float32},
      {DType::Int64, {2, ScalarKind::Int}, BinaryKernel::add, DType::Int64},
      {DType::Bool, {2, ScalarKind::Int}, BinaryKernel::add, DType::Int64},
      {DType::Bool, {1, ScalarKind::Bool}, BinaryKernel::add, DType::Bool},
      {DType::Float32, {3, ScalarKind::Int}, BinaryKernel::sub, DType::Float32},
      {DType::Int64, {2, ScalarKind::Int}, BinaryKernel::div, DType::Float32},
      {DType::Int64, {3, ScalarKind::Int}, BinaryKernel::pow, DType::Int64},
      {DType::Int64, {0.5, ScalarKind::Float}, BinaryKernel::pow, DType::Float32},
      {DType::Int64, {1.5, ScalarKind::Float}, BinaryKernel::lt, DType::Bool},
  };
  for (const ScalarCase& c : cases)
    for (bool first : {false, true}) {
      SCOPED_TRACE(cat(dtype_name(c.tensor), " ", op_name(c.op), " ", c.s.v,
                       first ? " (scalar first)" : ""));
      const Values av = c.op == BinaryKernel::pow && first ? Values{0, 1, 2, 3}
                        : c.tensor == DType::Bool          ? lhs_values(DType::Bool)
                                                           : Values{2, -3, 0, 5};
      Tensor a = from_values(av, Dims{4}, c.tensor);
      Tensor out = first ? call_binary(c.op, c.s, a) : call_binary(c.op, a, c.s);
      EXPECT_EQ(out->dtype, c.want);
      const DType ct = is_comparison(c.op) ? DType::Float32 : c.want;
      Values want;
      for (double x : av) {
        const double xv = to_dtype(x, ct), sv = to_dtype(c.s.v, ct);
        want.push_back(first ? ref_binary(c.op, sv, xv, ct) : ref_binary(c.op, xv, sv, ct));
      }
      expect_values(out, want);
    }
}

TEST(Promotion, IntegerToNegativeIntegerPowerIsAnError) {
  Tensor a = from_values({1, 2}, Dims{2}, DType::Int64);
  expect_error<RuntimeError>([&] { pow(a, Scalar{-1, ScalarKind::Int}); }, "[pow]", {"negative"});
  Tensor f = pow(a, Scalar{-1, ScalarKind::Float});
  EXPECT_EQ(f->dtype, DType::Float32);
  expect_values(f, {1, 0.5});
}

TEST(Promotion, UnaryReductionsWhereCast) {
  Tensor i = from_values({1, 4, 9}, Dims{3}, DType::Int64);
  Tensor b = from_values({1, 0, 1}, Dims{3}, DType::Bool);
  Tensor s = sqrt(i);
  EXPECT_EQ(s->dtype, DType::Float32);
  expect_values(s, {1, 2, 3});
  EXPECT_EQ(neg(i)->dtype, DType::Int64);
  expect_error<RuntimeError>([&] { abs(b); }, "[abs]", {"bool"});  // as PyTorch
  Tensor eb = exp(b);  // transcendental ops lift bool and int64 to float32
  EXPECT_EQ(eb->dtype, DType::Float32);
  expect_values(
      eb, {to_dtype(std::exp(1.0), DType::Float32), 1, to_dtype(std::exp(1.0), DType::Float32)});
  Tensor nb = bitwise_not(b);
  EXPECT_EQ(nb->dtype, DType::Bool);
  expect_values(nb, {0, 1, 0});
  Tensor bi = bitwise_or(b, from_values({2, 2, 4}, Dims{3}, DType::Int64));
  EXPECT_EQ(bi->dtype, DType::Int64);
  expect_values(bi, {3, 2, 5});
  EXPECT_EQ(exp(from_values({0}, Dims{1}, DType::Float64))->dtype, DType::Float64);
  Tensor sb = sum(b, {}, false);
  EXPECT_EQ(sb->dtype, DType::Int64);
  expect_values(sb, {2});
  EXPECT_EQ(sum(i, {0}, false)->dtype, DType::Int64);
  Tensor w = where(b, i, from_values({0.5, 0.5, 0.5}, Dims{3}, DType::Float32));
  EXPECT_EQ(w->dtype, DType::Float32);
  expect_values(w, {1, 0.5, 9});
  Tensor c = cast(from_values({-1.5, 2.7, 0}, Dims{3}, DType::Float64), DType::Int64);
  EXPECT_EQ(c->dtype, DType::Int64);
  expect_values(c, {-1, 2, 0});
  Tensor same = from_values({1}, Dims{1}, DType::Float32);
  EXPECT_EQ(cast(same, DType::Float32), same);  // no copy for the same dtype
  EXPECT_EQ(compute_dtype<binary::div>(DType::Int64, DType::Int64), DType::Float32);
  EXPECT_EQ(compute_dtype<binary::add>(DType::Bool, DType::Float32), DType::Float32);
}

}  // namespace
}  // namespace pyag::test
