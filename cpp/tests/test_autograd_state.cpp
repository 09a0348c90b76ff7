// A tensor's autograd state as the user changes it (autograd/state.h): .data, .grad,
// requires_grad_, detach_, retain_grad, with PyTorch's rules.
#include <gtest/gtest.h>

#include "autograd/engine.h"
#include "autograd/node.h"
#include "autograd/state.h"
#include "test_util.h"

namespace pyag::test {
namespace {

TEST(State, SetDataTakesTheElementsOfAnotherTensor) {
  Tensor a = leaf({1, 2, 3}, Dims{3});
  Tensor src = from_values({4, 5, 6, 7}, Dims{2, 2}, DType::Float32);
  set_data(a, src);
  EXPECT_EQ(a->storage, src->storage);
  EXPECT_EQ(a->shape, (Dims{2, 2}));
  EXPECT_EQ(a->dtype, DType::Float32);
  EXPECT_TRUE(a->requires_grad());
  expect_values(a, {4, 5, 6, 7});
}

TEST(State, SetDataOfTheSameBufferKeepsTheVersionCounter) {
  // `p.data -= u` reads an alias (its own counter) and assigns it back
  Tensor a = leaf({1, 2, 3}, Dims{3});
  std::shared_ptr<Storage> own = a->storage;
  Tensor alias = data_alias(a);
  set_data(a, alias);
  EXPECT_EQ(a->storage, own);
}

TEST(State, SetDataRefusesANonFloatingDtypeOnATensorThatRequiresGrad) {
  Tensor a = leaf({1, 2}, Dims{2});
  expect_error<RuntimeError>([&] { set_data(a, from_values({1, 2}, Dims{2}, DType::Int64)); },
                             "[data]", {"int64", "requires grad"});
  Tensor b = from_values({1, 2}, Dims{2});
  set_data(b, from_values({3, 4}, Dims{2}, DType::Int64));  // no grad: allowed
  EXPECT_EQ(b->dtype, DType::Int64);
}

TEST(State, SetGradChecksShapeAndDtypeAndClears) {
  Tensor a = leaf({1, 2}, Dims{2});
  set_grad(a, from_values({0.5, 0.25}, Dims{2}));
  expect_values(grad_of(a), {0.5, 0.25});
  expect_error<RuntimeError>([&] { set_grad(a, from_values({1, 2, 3}, Dims{3})); }, "[grad]",
                             {"(3,)", "(2,)"});
  expect_error<RuntimeError>([&] { set_grad(a, from_values({1, 2}, Dims{2}, DType::Float32)); },
                             "[grad]", {"float32"});
  set_grad(a, nullptr);
  EXPECT_EQ(grad_of(a), nullptr);
  Tensor plain = from_values({1}, Dims{1});
  set_grad(plain, nullptr);  // clearing what was never set makes no autograd state
  EXPECT_EQ(plain->autograd, nullptr);
}

TEST(State, RequiresGradOnLeavesOfFloatingDtypeOnly) {
  Tensor a = from_values({1, 2}, Dims{2});
  set_requires_grad(a, true);
  EXPECT_TRUE(a->requires_grad());
  set_requires_grad(a, false);
  EXPECT_FALSE(a->requires_grad());
  expect_error<RuntimeError>(
      [&] { set_requires_grad(from_values({1}, Dims{1}, DType::Int64), true); }, "[requires_grad_]",
      {"floating point", "int64"});
  expect_error<RuntimeError>(
      [&] { set_requires_grad(from_values({1}, Dims{1}, DType::Int64), true, "zeros"); },
      "[zeros]");
  Tensor y = mul(a, 2.0);  // a no longer requires grad: y is a plain tensor
  set_requires_grad(a, true);
  Tensor z = mul(a, 2.0);
  set_requires_grad(z, true);  // a non-leaf already requires grad
  expect_error<RuntimeError>([&] { set_requires_grad(z, false); }, "[requires_grad_]",
                             {"leaf variables"});
  EXPECT_TRUE(y->is_leaf());
}

TEST(State, DetachInPlaceDropsTheHistoryButNotOfAView) {  // detach_: autograd/node.h
  Tensor a = leaf({1, 2, 3, 4}, Dims{4});
  Tensor y = mul(a, 3.0);
  EXPECT_FALSE(y->is_leaf());
  detach_(y);
  EXPECT_TRUE(y->is_leaf());
  EXPECT_FALSE(y->requires_grad());
  Tensor v = narrow(a, 0, 1, 2);
  expect_error<RuntimeError>([&] { detach_(v); }, "[detach_]", {"view"});
}

TEST(State, RetainGradKeepsANonLeafsGradient) {
  Tensor a = leaf({1, 2}, Dims{2});
  Tensor y = mul(a, 3.0);
  retain_grad(y);
  retain_grad(a);  // a no-op on a leaf
  backward({sum(mul(y, y), {}, false)}, {}, false);
  expect_values(grad_of(y), {6, 12});  // d(y^2)/dy = 2y
  expect_values(grad_of(a), {18, 36});
  expect_error<RuntimeError>([&] { retain_grad(from_values({1}, Dims{1})); }, "[retain_grad]",
                             {"requires_grad=False"});
}

}  // namespace
}  // namespace pyag::test
