// Indexing by index tensors (ops/gather.cpp, ops/advanced_index.cpp): element maps checked by
// index arithmetic, repeated indices, out-of-range indices refused before anything is written.
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

TEST(Gather, GatherAndIndexSelect) {
  Tensor a = iota(Dims{3, 4});
  Tensor idx = from_values({3, 0, 0, 2, 1, 1}, Dims{3, 2}, DType::Int64);
  Tensor g = gather(a, 1, idx);
  for_each_index(g->shape, [&](const Index& i) {
    ASSERT_EQ(at(g, i), at(a, Index{i[0], static_cast<int64_t>(at(idx, i))}));
  });
  Tensor v = from_values({2, 2, 0}, Dims{3}, DType::Int64);
  Tensor s = index_select(a, 0, v);
  EXPECT_EQ(s->shape, (Dims{3, 4}));
  for_each_index(s->shape, [&](const Index& i) {
    ASSERT_EQ(at(s, i), at(a, Index{static_cast<int64_t>(at(v, Index{i[0]})), i[1]}));
  });
}

TEST(Gather, ScatterAddAccumulatesAndScatterOverwrites) {
  Tensor z = zeros(Dims{4}, DType::Float64);
  Tensor idx = from_values({1, 1, 3}, Dims{3}, DType::Int64);
  Tensor src = from_values({1, 2, 4}, Dims{3});
  EXPECT_EQ(values(scatter_add(z, 0, idx, src)), (Values{0, 3, 0, 4}));
  EXPECT_EQ(values(scatter(z, 0, idx, src)), (Values{0, 2, 0, 4}));
  EXPECT_EQ(values(index_add(z, 0, idx, src)), (Values{0, 3, 0, 4}));
}

TEST(Gather, OutOfRangeIsRefusedBeforeWriting) {
  Tensor z = zeros(Dims{4}, DType::Float64);
  Tensor idx = from_values({0, 4}, Dims{2}, DType::Int64);
  Tensor src = from_values({1, 2}, Dims{2});
  EXPECT_THROW(scatter_(z, 0, idx, src), IndexRangeError);
  EXPECT_EQ(values(z), (Values{0, 0, 0, 0}));
  EXPECT_THROW(gather(z, 0, idx), IndexError);
  EXPECT_THROW(index_select(z, 0, from_values({-1}, Dims{1}, DType::Int64)), IndexError);
}

TEST(AdvancedIndex, PairOfIndexTensorsAndPut) {
  Tensor a = iota(Dims{3, 4});
  IndexEntry r, c;
  r.tensor = from_values({2, 0, -1}, Dims{3}, DType::Int64);
  c.tensor = from_values({1, 3, 0}, Dims{3}, DType::Int64);
  Tensor out = index_advanced(a, {r, c});
  EXPECT_EQ(values(out), (Values{9, 3, 8}));
  index_put_(a, {r, c}, scalar_tensor(-1, DType::Float64), false);
  EXPECT_EQ(at(a, Index{2, 1}), -1);
  EXPECT_EQ(at(a, Index{0, 3}), -1);
  EXPECT_EQ(at(a, Index{2, 0}), -1);
  EXPECT_EQ(at(a, Index{1, 1}), 5);
  IndexEntry bad;
  bad.tensor = from_values({3}, Dims{1}, DType::Int64);
  EXPECT_THROW(index_advanced(a, {bad}), IndexError);
}

}  // namespace
}  // namespace pyag::test
