// Shapes and strides: Dims and the pure functions of tensor/shape.h.
#include <gtest/gtest.h>

#include <limits>

#include "tensor/error.h"
#include "tensor/shape.h"
#include "test_util.h"

namespace pyag::test {
namespace {

TEST(Dims, ConstructionAndAccess) {
  Dims a{2, 3, 4};
  EXPECT_EQ(a.size(), 3);
  EXPECT_FALSE(a.empty());
  EXPECT_EQ(a[0], 2);
  EXPECT_EQ(a.back(), 4);
  EXPECT_EQ(a.vec(), (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(Dims(std::vector<int64_t>{2, 3, 4}), a);
  EXPECT_TRUE(Dims{}.empty());
  EXPECT_EQ(Dims::filled(3, 7), (Dims{7, 7, 7}));
  EXPECT_NE(a, (Dims{2, 3}));
  EXPECT_NE(a, (Dims{2, 3, 5}));
  int64_t total = 0;
  for (int64_t s : a) total += s;
  EXPECT_EQ(total, 9);
}

TEST(Dims, InsertEraseResize) {
  Dims a{2, 3};
  a.insert(0, 1);
  EXPECT_EQ(a, (Dims{1, 2, 3}));
  a.insert(3, 9);
  EXPECT_EQ(a, (Dims{1, 2, 3, 9}));
  a.insert(2, 5);
  EXPECT_EQ(a, (Dims{1, 2, 5, 3, 9}));
  a.erase(0);
  EXPECT_EQ(a, (Dims{2, 5, 3, 9}));
  a.erase(3);
  EXPECT_EQ(a, (Dims{2, 5, 3}));
  a.resize(5, 1);
  EXPECT_EQ(a, (Dims{2, 5, 3, 1, 1}));
  a.resize(1);
  EXPECT_EQ(a, (Dims{2}));
  a.push_back(4);
  EXPECT_EQ(a, (Dims{2, 4}));
}

TEST(Dims, AtMostTwelveDims) {
  Dims a = Dims::filled(kMaxDims, 1);
  expect_error<RuntimeError>([&] { a.push_back(1); }, "[shape]", {"12"});
  expect_error<RuntimeError>([&] { a.insert(0, 1); }, "[shape]", {"12"});
  expect_error<RuntimeError>([&] { a.resize(kMaxDims + 1); }, "[shape]", {"12"});
  EXPECT_EQ(a.size(), kMaxDims);
}

TEST(Shape, NumelOf) {
  EXPECT_EQ(numel_of(Dims{}, "t"), 1);
  EXPECT_EQ(numel_of(Dims{2, 3, 4}, "t"), 24);
  EXPECT_EQ(numel_of(Dims{2, 0, 4}, "t"), 0);
  expect_error<ValueError>([] { numel_of(Dims{2, -1}, "zeros"); }, "[zeros]", {"(2, -1)"});
  const int64_t big = std::numeric_limits<int64_t>::max() / 2;
  expect_error<MemoryError>([&] { numel_of(Dims{big, 3}, "empty"); }, "[empty]", {"overflow"});
}

// Strides of a row-major layout, from the definition: stride[d] = prod(max(shape[e], 1), e > d).
Dims naive_contiguous(const Dims& shape) {
  Dims st = Dims::filled(shape.size(), 0);
  for (int d = 0; d < shape.size(); ++d) {
    int64_t p = 1;
    for (int e = d + 1; e < shape.size(); ++e) p *= shape[e] > 1 ? shape[e] : 1;
    st[d] = p;
  }
  return st;
}

TEST(Shape, ContiguousStrides) {
  for (const Dims& s : {Dims{}, Dims{5}, Dims{2, 3, 4}, Dims{3, 1, 2}, Dims{2, 0, 3}, Dims{1, 1},
                        Dims{4, 3, 2, 5}}) {
    SCOPED_TRACE(shape_str(s));
    EXPECT_EQ(contiguous_strides(s), naive_contiguous(s));
    EXPECT_TRUE(is_contiguous(s, contiguous_strides(s)));
  }
  EXPECT_EQ(contiguous_strides(Dims{2, 3, 4}), (Dims{12, 4, 1}));
}

TEST(Shape, IsContiguous) {
  EXPECT_TRUE(is_contiguous(Dims{}, Dims{}));
  EXPECT_TRUE(is_contiguous(Dims{3, 4}, Dims{4, 1}));
  EXPECT_FALSE(is_contiguous(Dims{3, 4}, Dims{1, 3}));  // transposed
  EXPECT_FALSE(is_contiguous(Dims{3, 4}, Dims{8, 2}));  // sliced
  EXPECT_FALSE(is_contiguous(Dims{3, 4}, Dims{0, 1}));  // expanded
  EXPECT_FALSE(is_contiguous(Dims{3, 4}, Dims{5, 1}));  // padded rows
  // size-1 dims may have any stride
  EXPECT_TRUE(is_contiguous(Dims{3, 1, 4}, Dims{4, 99, 1}));
  EXPECT_TRUE(is_contiguous(Dims{1, 4}, Dims{0, 1}));
  // an empty tensor is contiguous whatever its strides
  EXPECT_TRUE(is_contiguous(Dims{3, 0}, Dims{7, 5}));
}

TEST(Shape, BroadcastShapes) {
  EXPECT_EQ(broadcast_shapes(Dims{2, 3}, Dims{2, 3}, "add"), (Dims{2, 3}));
  EXPECT_EQ(broadcast_shapes(Dims{2, 3}, Dims{3}, "add"), (Dims{2, 3}));
  EXPECT_EQ(broadcast_shapes(Dims{3, 1}, Dims{1, 4}, "add"), (Dims{3, 4}));
  EXPECT_EQ(broadcast_shapes(Dims{}, Dims{2, 1}, "add"), (Dims{2, 1}));
  EXPECT_EQ(broadcast_shapes(Dims{5, 1, 3}, Dims{4, 1}, "add"), (Dims{5, 4, 3}));
  EXPECT_EQ(broadcast_shapes(Dims{2, 0}, Dims{1}, "add"), (Dims{2, 0}));
  EXPECT_EQ(broadcast_shapes(Dims{1}, Dims{0}, "add"), (Dims{0}));
}

TEST(Shape, BroadcastShapesError) {
  try {
    broadcast_shapes(Dims{2, 3}, Dims{4}, "op");
    FAIL() << "no exception";
  } catch (const RuntimeError& e) {
    EXPECT_STREQ(e.what(), "[op] shapes (2, 3) and (4,) cannot be broadcast together");
  }
  expect_error<RuntimeError>([] { broadcast_shapes(Dims{2, 0}, Dims{3}, "mul"); }, "[mul] shapes",
                             {"(2, 0)", "(3,)"});
}

TEST(Shape, WrapDim) {
  EXPECT_EQ(wrap_dim(0, 3, "t"), 0);
  EXPECT_EQ(wrap_dim(2, 3, "t"), 2);
  EXPECT_EQ(wrap_dim(-1, 3, "t"), 2);
  EXPECT_EQ(wrap_dim(-3, 3, "t"), 0);
  EXPECT_EQ(wrap_dim(0, 0, "t"), 0);  // a 0-d tensor accepts 0 and -1
  EXPECT_EQ(wrap_dim(-1, 0, "t"), 0);
  expect_error<IndexError>([] { wrap_dim(3, 3, "sum"); }, "[sum]", {"[-3, 2]", "got 3"});
  expect_error<IndexError>([] { wrap_dim(-4, 3, "sum"); }, "[sum]", {"got -4"});
  expect_error<IndexError>([] { wrap_dim(1, 0, "max"); }, "[max]", {"[-1, 0]"});
}

TEST(Shape, InferShape) {
  EXPECT_EQ(infer_shape(Dims{3, -1}, Dims{2, 6}, "view"), (Dims{3, 4}));
  EXPECT_EQ(infer_shape(Dims{-1}, Dims{2, 6}, "view"), (Dims{12}));
  EXPECT_EQ(infer_shape(Dims{4, 3}, Dims{2, 6}, "view"), (Dims{4, 3}));
  EXPECT_EQ(infer_shape(Dims{}, Dims{1, 1}, "view"), (Dims{}));
  EXPECT_EQ(infer_shape(Dims{0, 5}, Dims{0}, "view"), (Dims{0, 5}));
  EXPECT_EQ(infer_shape(Dims{2, -1, 1}, Dims{2, 3, 4}, "view"), (Dims{2, 12, 1}));
}

TEST(Shape, InferShapeErrors) {
  expect_error<RuntimeError>([] { infer_shape(Dims{-1, -1}, Dims{6}, "view"); }, "[view]",
                             {"only one dimension", "(-1, -1)"});
  expect_error<RuntimeError>([] { infer_shape(Dims{-2, 3}, Dims{6}, "view"); }, "[view]", {"-2"});
  expect_error<RuntimeError>([] { infer_shape(Dims{5}, Dims{2, 3}, "reshape"); },
                             "[reshape] shape (5,) is invalid for input of shape (2, 3)",
                             {"6 elements"});
  expect_error<RuntimeError>([] { infer_shape(Dims{4, -1}, Dims{2, 3}, "view"); }, "[view]",
                             {"(4, -1)", "(2, 3)"});
  expect_error<RuntimeError>([] { infer_shape(Dims{0, -1}, Dims{2, 3}, "view"); }, "[view]",
                             {"(0, -1)"});
  // -1 next to a 0 is ambiguous even for an empty input
  expect_error<RuntimeError>([] { infer_shape(Dims{0, -1}, Dims{3, 0}, "view"); }, "[view]",
                             {"(0, -1)"});
}

TEST(Shape, ShapeStr) {
  EXPECT_EQ(shape_str(Dims{}), "()");
  EXPECT_EQ(shape_str(Dims{4}), "(4,)");
  EXPECT_EQ(shape_str(Dims{2, 3}), "(2, 3)");
  EXPECT_EQ(shape_str(Dims{0, 1, 12}), "(0, 1, 12)");
}

// ---- view_strides against a brute-force reference ----

int64_t offset_of(const Index& idx, const Dims& strides) {
  int64_t off = 0;
  for (size_t d = 0; d < idx.size(); ++d) off += idx[d] * strides[static_cast<int>(d)];
  return off;
}

// The memory offsets of a (shape, strides) tensor in row-major order.
std::vector<int64_t> offsets(const Dims& shape, const Dims& strides) {
  std::vector<int64_t> r;
  for_each_index(shape, [&](const Index& i) { r.push_back(offset_of(i, strides)); });
  return r;
}

// A view exists iff the strides forced by unit steps (stride[d] = offset of the element one step
// along d, for dims of size > 1) reproduce every offset; returns them, or false.
bool naive_view(const Dims& shape, const Dims& strides, const Dims& new_shape, Dims& out) {
  const std::vector<int64_t> old = offsets(shape, strides);
  out = Dims::filled(new_shape.size(), 0);
  if (old.empty()) return true;
  const Dims lin = contiguous_strides(new_shape);
  for (int d = 0; d < new_shape.size(); ++d)
    if (new_shape[d] > 1) out[d] = old[static_cast<size_t>(lin[d])] - old[0];
  std::vector<int64_t> mine = offsets(new_shape, out);
  for (size_t i = 0; i < mine.size(); ++i)
    if (mine[i] + old[0] != old[i]) return false;
  return true;
}

void check_view(const Dims& shape, const Dims& strides, const Dims& new_shape) {
  SCOPED_TRACE(shape_str(shape) + " strides " + shape_str(strides) + " -> " + shape_str(new_shape));
  Dims want, got;
  const bool exists = naive_view(shape, strides, new_shape, want);
  const bool ok = view_strides(shape, strides, new_shape, got);
  EXPECT_EQ(ok, exists);
  if (!ok || !exists) return;
  ASSERT_EQ(got.size(), new_shape.size());
  if (numel(shape) == 0) return;
  const std::vector<int64_t> old = offsets(shape, strides), mine = offsets(new_shape, got);
  for (size_t i = 0; i < old.size(); ++i) ASSERT_EQ(mine[i] + old[0], old[i]) << "element " << i;
}

TEST(ViewStrides, Contiguous) {
  check_view(Dims{2, 3, 4}, Dims{12, 4, 1}, Dims{6, 4});
  check_view(Dims{2, 3, 4}, Dims{12, 4, 1}, Dims{24});
  check_view(Dims{2, 3, 4}, Dims{12, 4, 1}, Dims{4, 1, 3, 2});
  check_view(Dims{6}, Dims{1}, Dims{1, 2, 1, 3, 1});
  check_view(Dims{}, Dims{}, Dims{1, 1});
  check_view(Dims{1, 1}, Dims{5, 9}, Dims{});
  check_view(Dims{0, 3}, Dims{3, 1}, Dims{3, 0});
  Dims st;
  ASSERT_TRUE(view_strides(Dims{2, 3, 4}, Dims{12, 4, 1}, Dims{6, 4}, st));
  EXPECT_EQ(st, (Dims{4, 1}));
}

TEST(ViewStrides, CompatibleNonContiguous) {
  // transposed (4, 3) -> (3, 4) with strides (1, 3): the last dim can be split
  check_view(Dims{3, 4}, Dims{1, 3}, Dims{3, 2, 2});
  Dims st;
  ASSERT_TRUE(view_strides(Dims{3, 4}, Dims{1, 3}, Dims{3, 2, 2}, st));
  EXPECT_EQ(st, (Dims{1, 6, 3}));
  // rows of a sliced matrix (every other row): merging inside a row only
  check_view(Dims{3, 4}, Dims{8, 1}, Dims{3, 2, 2});
  check_view(Dims{3, 4}, Dims{8, 1}, Dims{3, 1, 4});
  // expanded dims (stride 0) merge with each other
  check_view(Dims{3, 2}, Dims{0, 0}, Dims{6});
  // size-1 dims with arbitrary strides do not break a chunk
  check_view(Dims{2, 1, 3}, Dims{3, 100, 1}, Dims{6});
  // permuted (2, 3, 4) -> (3, 4, 2): the (3, 4) block is contiguous
  check_view(Dims{3, 4, 2}, Dims{4, 1, 12}, Dims{12, 2});
}

TEST(ViewStrides, IncompatibleNonContiguous) {
  Dims st;
  EXPECT_FALSE(view_strides(Dims{3, 4}, Dims{1, 3}, Dims{12}, st));  // transposed flatten
  check_view(Dims{3, 4}, Dims{1, 3}, Dims{12});
  check_view(Dims{3, 4}, Dims{1, 3}, Dims{2, 6});
  check_view(Dims{3, 4}, Dims{8, 1}, Dims{12});         // sliced rows
  check_view(Dims{3, 4}, Dims{4, 2}, Dims{12});         // sliced columns
  check_view(Dims{2, 3}, Dims{0, 1}, Dims{6});          // expanded rows
  check_view(Dims{3, 4, 2}, Dims{4, 1, 12}, Dims{24});  // permuted
}

TEST(ViewStrides, ExhaustiveSmall) {
  // Every small layout made by permuting, slicing or expanding a (2, 3, 4) block, viewed as every
  // shape whose sizes multiply to the same count (taken from a fixed list).
  const std::vector<Dims> shapes = {Dims{24},       Dims{2, 12},         Dims{12, 2},
                                    Dims{6, 4},     Dims{4, 6},          Dims{2, 3, 4},
                                    Dims{3, 2, 4},  Dims{4, 3, 2},       Dims{2, 2, 6},
                                    Dims{1, 24, 1}, Dims{2, 1, 3, 1, 4}, Dims{3, 8},
                                    Dims{8, 3}};
  const std::vector<std::pair<Dims, Dims>> layouts = {
      {Dims{2, 3, 4}, Dims{12, 4, 1}}, {Dims{2, 3, 4}, Dims{1, 2, 6}},
      {Dims{2, 3, 4}, Dims{24, 8, 2}}, {Dims{2, 3, 4}, Dims{4, 8, 1}},
      {Dims{2, 3, 4}, Dims{0, 4, 1}},  {Dims{2, 3, 4}, Dims{12, 0, 1}},
      {Dims{4, 3, 2}, Dims{1, 4, 12}}, {Dims{3, 4, 2}, Dims{8, 2, 1}},
      {Dims{6, 4}, Dims{4, 1}},        {Dims{6, 4}, Dims{1, 6}},
      {Dims{6, 4}, Dims{8, 1}},        {Dims{2, 12}, Dims{24, 1}}};
  for (const auto& [shape, strides] : layouts)
    for (const Dims& ns : shapes) check_view(shape, strides, ns);
}

}  // namespace
}  // namespace pyag::test
