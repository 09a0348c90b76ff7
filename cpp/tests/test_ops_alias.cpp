// alias() (as_subclass, Tensor(t)) and the default dtype of float results of integer inputs.
#include <gtest/gtest.h>

#include "autograd/engine.h"
#include "autograd/node.h"
#include "ops/alias.h"
#include "ops/ops.h"
#include "test_util.h"

namespace pyag::test {
namespace {

TEST(Alias, SharesStorageLayoutAndVersion) {
  Tensor a = transpose(from_values({1, 2, 3, 4, 5, 6}, Dims{2, 3}), 0, 1);
  Tensor b = alias(a);
  EXPECT_NE(b, a);
  EXPECT_EQ(b->storage, a->storage);
  EXPECT_EQ(b->shape, a->shape);
  EXPECT_EQ(b->strides, a->strides);
  EXPECT_EQ(b->offset, a->offset);
  EXPECT_TRUE(b->is_view);
  EXPECT_FALSE(b->requires_grad());
  const uint64_t v = a->storage->version;
  fill_(b, Scalar{7.0});
  EXPECT_EQ(a->storage->version, v + 1);
  EXPECT_EQ(at(a, {2, 1}), 7.0);
}

TEST(Alias, GradientPassesThrough) {
  Tensor x = from_values({1, 2, 3}, Dims{3});
  x->meta().requires_grad = true;
  Tensor y = alias(x);
  ASSERT_TRUE(y->requires_grad());
  ASSERT_TRUE(y->grad_fn());
  EXPECT_STREQ(y->grad_fn()->name(), "AliasBackward0");
  Tensor loss = sum(mul(y, from_values({4, 5, 6}, Dims{3})), {}, false);
  backward({loss}, {}, false);
  const Tensor& g = x->autograd->grad;
  ASSERT_TRUE(g);
  EXPECT_EQ(at(g, {0}), 4.0);
  EXPECT_EQ(at(g, {1}), 5.0);
  EXPECT_EQ(at(g, {2}), 6.0);
}

TEST(DefaultDtype, FloatResultsOfIntegerInputsFollowIt) {
  Tensor i = from_values({1, 2}, Dims{2}, DType::Int64);
  EXPECT_EQ(default_dtype(), DType::Float32);
  EXPECT_EQ(div(i, i)->dtype, DType::Float32);
  EXPECT_EQ(mul(i, Scalar{2.5, ScalarKind::Float})->dtype, DType::Float32);
  default_dtype_slot().store(DType::Float64);
  EXPECT_EQ(div(i, i)->dtype, DType::Float64);
  EXPECT_EQ(mul(i, Scalar{2.5, ScalarKind::Float})->dtype, DType::Float64);
  EXPECT_EQ(exp(i)->dtype, DType::Float64);
  // float tensors keep their dtype
  EXPECT_EQ(mul(from_values({1}, Dims{1}, DType::Float32), Scalar{2.5, ScalarKind::Float})->dtype,
            DType::Float32);
  default_dtype_slot().store(DType::Float32);
}

}  // namespace
}  // namespace pyag::test
