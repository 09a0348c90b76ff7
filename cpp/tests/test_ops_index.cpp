// Indexing: ints, slices, None and Ellipsis (views), bool masks (copies), and writes.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>

#include "ops/ops.h"
#include "test_util.h"

namespace pyag::test {
namespace {

IndexItem I(int64_t i) { return {IndexItem::Int, i}; }
IndexItem S(int64_t start = kNone, int64_t stop = kNone, int64_t step = 1) {
  return {IndexItem::Slice, start, stop, step};
}
const IndexItem kNew{IndexItem::NewAxis};
const IndexItem kEllipsis{IndexItem::Ellipsis};

Tensor arange_tensor(const Dims& shape) {
  Values v(static_cast<size_t>(numel(shape)));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(i);
  return from_values(v, shape);
}

// Python's slice.indices for a positive step: the selected positions.
std::vector<int64_t> slice_positions(int64_t size, int64_t start, int64_t stop, int64_t step) {
  auto norm = [size](int64_t x, int64_t dflt) {
    if (x == kNone) return dflt;
    if (x < 0) x += size;
    return std::min(std::max(x, int64_t{0}), size);
  };
  std::vector<int64_t> r;
  for (int64_t i = norm(start, 0); i < norm(stop, size); i += step) r.push_back(i);
  return r;
}

TEST(Index, IntsSlicesNoneEllipsis) {
  Tensor a = arange_tensor(Dims{4, 5, 6});
  // a[1, ::2, None, ...]
  Tensor v = index(a, {I(1), S(kNone, kNone, 2), kNew, kEllipsis});
  EXPECT_EQ(v->shape, (Dims{3, 1, 6}));
  EXPECT_EQ(v->strides, (Dims{12, 0, 1}));
  EXPECT_EQ(v->offset, 30);
  EXPECT_EQ(v->storage, a->storage);
  EXPECT_TRUE(v->is_view);
  for_each_index(v->shape,
                 [&](const Index& i) { ASSERT_EQ(at(v, i), at(a, {1, 2 * i[0], i[2]})); });
  // a[..., -1]
  Tensor last = index(a, {kEllipsis, I(-1)});
  EXPECT_EQ(last->shape, (Dims{4, 5}));
  for_each_index(last->shape,
                 [&](const Index& i) { ASSERT_EQ(at(last, i), at(a, {i[0], i[1], 5})); });
  // a[None, ..., None]: every dim kept
  EXPECT_EQ(index(a, {kNew, kEllipsis, kNew})->shape, (Dims{1, 4, 5, 6, 1}));
  // a[2] and a[-4]
  EXPECT_EQ(index(a, {I(2)})->offset, 60);
  EXPECT_EQ(index(a, {I(-4)})->offset, 0);
  // a scalar: a[3, 4, 5]
  Tensor s = index(a, {I(3), I(4), I(5)});
  EXPECT_EQ(s->shape, (Dims{}));
  EXPECT_EQ(at(s, {}), 119);
  // 0-d tensor: x[None], x[...]
  Tensor z = scalar(3);
  EXPECT_EQ(index(z, {kNew})->shape, (Dims{1}));
  EXPECT_EQ(index(z, {kEllipsis})->shape, (Dims{}));
}

TEST(Index, SlicesMatchPythonSemantics) {
  Tensor a = arange_tensor(Dims{7});
  const std::vector<std::array<int64_t, 3>> slices = {
      {kNone, kNone, 1}, {2, 5, 1}, {-3, kNone, 1}, {kNone, -2, 2}, {1, 100, 3},
      {-100, 3, 1},      {5, 2, 1}, {7, kNone, 1},  {0, 0, 1},      {kNone, kNone, 10}};
  for (const auto& [start, stop, step] : slices) {
    SCOPED_TRACE(cat("[", start, ":", stop, ":", step, "]"));
    Tensor v = index(a, {S(start, stop, step)});
    const std::vector<int64_t> want = slice_positions(7, start, stop, step);
    ASSERT_EQ(v->shape, (Dims{static_cast<int64_t>(want.size())}));
    for (size_t i = 0; i < want.size(); ++i)
      EXPECT_EQ(at(v, {static_cast<int64_t>(i)}), static_cast<double>(want[i]));
  }
}

TEST(Index, SliceOfATransposedView) {
  Tensor a = arange_tensor(Dims{4, 6});
  Tensor v = index(t(a), {S(1, 5, 2), S(kNone, kNone, 3)});  // (6, 4)[1:5:2, ::3]
  EXPECT_EQ(v->shape, (Dims{2, 2}));
  EXPECT_EQ(v->strides, (Dims{2, 18}));
  for_each_index(v->shape,
                 [&](const Index& i) { ASSERT_EQ(at(v, i), at(a, {3 * i[1], 1 + 2 * i[0]})); });
}

TEST(Index, MaskedSelect) {
  Tensor a = arange_tensor(Dims{3, 4});
  Tensor full_mask = from_values({0, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1}, Dims{3, 4}, DType::Bool);
  Tensor picked = index(t(t(a)), full_mask);
  EXPECT_EQ(picked->shape, (Dims{4}));
  expect_values(picked, {1, 4, 5, 11});
  Tensor none = index(a, zeros(Dims{3, 4}, DType::Bool));
  EXPECT_EQ(none->shape, (Dims{0}));
}

// x[mask] with a mask over the leading dims selects whole rows: (3, 4)[(3,) mask] -> (2, 4).
// The count is the mask's own (2), not that of the mask broadcast over the trailing dims (8).
TEST(Index, MaskOverLeadingDims) {
  Tensor a = arange_tensor(Dims{3, 4});
  Tensor row_mask = from_values({1, 0, 1}, Dims{3}, DType::Bool);
  Tensor rows = index(a, row_mask);
  ASSERT_EQ(rows->shape, (Dims{2, 4}));
  expect_values(rows, {0, 1, 2, 3, 8, 9, 10, 11});
  masked_put(a, row_mask, from_values({-1, -2, -3, -4}, Dims{4}));
  expect_values(a, {-1, -2, -3, -4, 4, 5, 6, 7, -1, -2, -3, -4});
}

TEST(Index, Writes) {
  Tensor a = zeros(Dims{3, 4}, DType::Float64);
  index_put(a, {I(1)}, Scalar{2.0});
  index_put(a, {S(), I(-1)}, from_values({7, 8, 9}, Dims{3}));
  index_put(a, {I(0), S(0, 2)}, scalar(5));  // broadcast a 0-d value
  expect_values(a, {5, 5, 0, 7, 2, 2, 2, 8, 0, 0, 0, 9});

  Tensor b = arange_tensor(Dims{2, 3});
  masked_put(b, from_values({1, 0, 1, 0, 0, 1}, Dims{2, 3}, DType::Bool), Scalar{-1.0});
  expect_values(b, {-1, 1, -1, 3, 4, -1});
  masked_put(b, from_values({0, 1}, Dims{2}, DType::Bool), from_values({10, 11, 12}, Dims{3}));
  expect_values(b, {-1, 1, -1, 10, 11, 12});
  const uint64_t version = b->storage->version;
  masked_put(b, from_values({1, 0}, Dims{2}, DType::Bool), scalar(0));
  expect_values(b, {0, 0, 0, 10, 11, 12});
  EXPECT_GT(b->storage->version, version);
}

}  // namespace
}  // namespace pyag::test
