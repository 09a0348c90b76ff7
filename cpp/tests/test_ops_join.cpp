// Joining, splitting and rearranging (ops/join.cpp, ops/rearrange.cpp): element maps checked by
// index arithmetic, views sharing storage, copies not, dtype promotion of cat.
#include <gtest/gtest.h>

#include "ops/ops.h"
#include "test_util.h"

namespace pyag::test {
namespace {

Tensor iota(const Dims& shape, DType dt = DType::Float64) {
  Values v(static_cast<size_t>(numel(shape)));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(i);
  return from_values(v, shape, dt);
}

TEST(Join, CatPlacesEachInputAndPromotes) {
  Tensor a = iota(Dims{2, 3}, DType::Int64), b = iota(Dims{2, 1}, DType::Float32);
  Tensor c = concat({a, b}, -1);
  EXPECT_EQ(c->shape, (Dims{2, 4}));
  EXPECT_EQ(c->dtype, DType::Float32);
  for_each_index(c->shape, [&](const Index& i) {
    double want = i[1] < 3 ? at(a, i) : at(b, Index{i[0], i[1] - 3});
    ASSERT_EQ(at(c, i), want);
  });
  EXPECT_NE(c->storage, a->storage);
}

TEST(Join, StackAddsADim) {
  Tensor a = iota(Dims{3}), b = iota(Dims{3});
  Tensor s = stack({a, b}, 1);
  EXPECT_EQ(s->shape, (Dims{3, 2}));
  for_each_index(s->shape, [&](const Index& i) { ASSERT_EQ(at(s, i), static_cast<double>(i[0])); });
}

TEST(Join, SplitPiecesAreViews) {
  Tensor a = iota(Dims{5, 2});
  auto pieces = split(a, 2, 0);
  ASSERT_EQ(pieces.size(), 3u);
  EXPECT_EQ(pieces[2]->shape, (Dims{1, 2}));
  for (const Tensor& p : pieces) {
    EXPECT_EQ(p->storage, a->storage);
    EXPECT_TRUE(p->is_view);
  }
  EXPECT_EQ(at(pieces[1], Index{1, 1}), at(a, Index{3, 1}));
  auto u = unbind(a, 1);
  ASSERT_EQ(u.size(), 2u);
  EXPECT_EQ(u[1]->shape, (Dims{5}));
  EXPECT_EQ(at(u[1], Index{4}), at(a, Index{4, 1}));
  EXPECT_THROW(split_sizes(a, {1, 1}, 0), RuntimeError);
  EXPECT_THROW(narrow(a, 0, 6, 1), IndexError);
}

TEST(Rearrange, FlipRollRepeat) {
  Tensor a = iota(Dims{3, 4});
  Tensor f = flip(a, {0, -1});
  for_each_index(f->shape,
                 [&](const Index& i) { ASSERT_EQ(at(f, i), at(a, Index{2 - i[0], 3 - i[1]})); });
  Tensor r = roll(a, {1}, {1});
  for_each_index(r->shape,
                 [&](const Index& i) { ASSERT_EQ(at(r, i), at(a, Index{i[0], (i[1] + 3) % 4})); });
  Tensor p = repeat(a, Dims{2, 1, 2});
  EXPECT_EQ(p->shape, (Dims{2, 3, 8}));
  for_each_index(p->shape,
                 [&](const Index& i) { ASSERT_EQ(at(p, i), at(a, Index{i[1], i[2] % 4})); });
  EXPECT_THROW(repeat(a, Dims{2}), RuntimeError);
  EXPECT_THROW(flip(a, {0, 0}), RuntimeError);
}

}  // namespace
}  // namespace pyag::test
