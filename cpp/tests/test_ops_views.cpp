// View ops: shapes, strides and offsets, shared storage, and reshape copying only when needed.
#include <gtest/gtest.h>

#include "ops/ops.h"
#include "test_util.h"

namespace pyag::test {
namespace {

Tensor arange_tensor(const Dims& shape, DType dt = DType::Float64) {
  Values v(static_cast<size_t>(numel(shape)));
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(i);
  return from_values(v, shape, dt);
}

void expect_shares_storage(const Tensor& view, const Tensor& base) {
  EXPECT_EQ(view->storage, base->storage);
  EXPECT_TRUE(view->is_view);
}

// Every element of `v` at index i is the element of `base` at map(i).
template <class Map>
void expect_elements(const Tensor& v, const Tensor& base, Map map) {
  for_each_index(v->shape, [&](const Index& i) { ASSERT_EQ(at(v, i), at(base, map(i))); });
}

TEST(Views, Transpose) {
  Tensor a = arange_tensor(Dims{2, 3, 4});
  Tensor t01 = transpose(a, 0, 1);
  EXPECT_EQ(t01->shape, (Dims{3, 2, 4}));
  EXPECT_EQ(t01->strides, (Dims{4, 12, 1}));
  expect_shares_storage(t01, a);
  expect_elements(t01, a, [](const Index& i) { return Index{i[1], i[0], i[2]}; });
  Tensor tn = transpose(a, -1, 0);
  EXPECT_EQ(tn->shape, (Dims{4, 3, 2}));
  EXPECT_EQ(tn->strides, (Dims{1, 4, 12}));
  EXPECT_FALSE(tn->contiguous());
  Tensor same = transpose(a, 1, 1);
  EXPECT_EQ(same->strides, a->strides);
  Tensor m = arange_tensor(Dims{3, 5});
  EXPECT_EQ(t(m)->shape, (Dims{5, 3}));
  EXPECT_EQ(t(m)->strides, (Dims{1, 5}));
  EXPECT_EQ(t(arange_tensor(Dims{4}))->shape, (Dims{4}));
  EXPECT_EQ(t(scalar(1))->shape, (Dims{}));
  EXPECT_EQ(transpose(scalar(1), 0, -1)->shape, (Dims{}));
}

TEST(Views, Permute) {
  Tensor a = arange_tensor(Dims{2, 3, 4});
  Tensor p = permute(a, {2, 0, 1});
  EXPECT_EQ(p->shape, (Dims{4, 2, 3}));
  EXPECT_EQ(p->strides, (Dims{1, 12, 4}));
  expect_shares_storage(p, a);
  expect_elements(p, a, [](const Index& i) { return Index{i[1], i[2], i[0]}; });
  Tensor q = permute(a, {-1, -3, -2});
  EXPECT_EQ(q->strides, p->strides);
}

TEST(Views, OffsetsCarryThrough) {
  Tensor a = arange_tensor(Dims{4, 5});
  Tensor row = index(a, {IndexItem{IndexItem::Int, 2}});
  EXPECT_EQ(row->offset, 10);
  Tensor u = unsqueeze(row, 0);
  EXPECT_EQ(u->offset, 10);
  EXPECT_EQ(at(u, {0, 3}), 13);
  Tensor v = view(row, Dims{5, 1});
  EXPECT_EQ(v->offset, 10);
  EXPECT_EQ(at(v, {4, 0}), 14);
}

TEST(Views, ViewAndReshape) {
  Tensor a = arange_tensor(Dims{2, 3, 4});
  Tensor v = view(a, Dims{6, -1});
  EXPECT_EQ(v->shape, (Dims{6, 4}));
  EXPECT_EQ(v->strides, (Dims{4, 1}));
  expect_shares_storage(v, a);
  // a compatible view of a non-contiguous tensor: split the last dim of a transpose
  Tensor tr = transpose(view(a, Dims{6, 4}), 0, 1);  // (4, 6) strides (1, 4)
  Tensor split = view(tr, Dims{4, 2, 3});
  EXPECT_EQ(split->strides, (Dims{1, 12, 4}));
  expect_elements(split, tr, [](const Index& i) { return Index{i[0], i[1] * 3 + i[2]}; });

  Tensor r = reshape(a, Dims{4, 6});  // contiguous: a view
  expect_shares_storage(r, a);
  Tensor rt = reshape(tr, Dims{24});  // transposed: needs a copy
  EXPECT_NE(rt->storage, a->storage);
  EXPECT_TRUE(rt->contiguous());
  expect_elements(rt, tr, [](const Index& i) { return Index{i[0] / 6, i[0] % 6}; });
  Tensor rs = reshape(tr, Dims{4, 3, 2});  // compatible: still a view
  expect_shares_storage(rs, a);
  EXPECT_EQ(flatten(a)->shape, (Dims{24}));
  EXPECT_EQ(reshape(scalar(5), Dims{1, 1})->shape, (Dims{1, 1}));
  EXPECT_EQ(view(arange_tensor(Dims{1, 1}), Dims{})->shape, (Dims{}));
}

TEST(Views, Expand) {
  Tensor a = arange_tensor(Dims{3, 1});
  Tensor e = expand(a, Dims{2, 3, 4});
  EXPECT_EQ(e->shape, (Dims{2, 3, 4}));
  EXPECT_EQ(e->strides, (Dims{0, 1, 0}));
  expect_shares_storage(e, a);
  expect_elements(e, a, [](const Index& i) { return Index{i[1], 0}; });
  Tensor keep = expand(a, Dims{-1, 5});
  EXPECT_EQ(keep->shape, (Dims{3, 5}));
  Tensor zero = expand(a, Dims{3, 0});
  EXPECT_EQ(zero->numel, 0);
  Tensor s = expand(scalar(7), Dims{2, 2});
  EXPECT_EQ(s->strides, (Dims{0, 0}));
  EXPECT_EQ(at(s, {1, 1}), 7);
}

TEST(Views, SqueezeUnsqueeze) {
  Tensor a = arange_tensor(Dims{2, 1, 3, 1});
  Tensor s = squeeze(a, std::nullopt);
  EXPECT_EQ(s->shape, (Dims{2, 3}));
  EXPECT_EQ(s->strides, (Dims{3, 1}));
  expect_shares_storage(s, a);
  EXPECT_EQ(squeeze(a, 1)->shape, (Dims{2, 3, 1}));
  EXPECT_EQ(squeeze(a, -1)->shape, (Dims{2, 1, 3}));
  EXPECT_EQ(squeeze(a, 0)->shape, a->shape);  // not of size 1: unchanged
  EXPECT_EQ(squeeze(scalar(1), std::nullopt)->shape, (Dims{}));

  Tensor b = arange_tensor(Dims{2, 3});
  Tensor u0 = unsqueeze(b, 0), u1 = unsqueeze(b, 1), u2 = unsqueeze(b, -1);
  EXPECT_EQ(u0->shape, (Dims{1, 2, 3}));
  EXPECT_EQ(u0->strides, (Dims{6, 3, 1}));
  EXPECT_EQ(u1->shape, (Dims{2, 1, 3}));
  EXPECT_EQ(u1->strides, (Dims{3, 3, 1}));
  EXPECT_EQ(u2->shape, (Dims{2, 3, 1}));
  EXPECT_EQ(u2->strides, (Dims{3, 1, 1}));
  EXPECT_TRUE(u1->contiguous());
  expect_shares_storage(u1, b);
  EXPECT_EQ(unsqueeze(scalar(1), 0)->shape, (Dims{1}));
  // unsqueeze of a transposed tensor keeps its elements
  Tensor tu = unsqueeze(t(b), 1);
  expect_elements(tu, b, [](const Index& i) { return Index{i[2], i[0]}; });
}

TEST(Views, WritesThroughAViewReachTheBase) {
  Tensor a = zeros(Dims{3, 4}, DType::Float32);
  Tensor col =
      index(a, {IndexItem{IndexItem::Slice, kNone, kNone, 1}, IndexItem{IndexItem::Int, 1}});
  fill_(col, Scalar{5.0});
  Values want(12, 0.0);
  for (int r = 0; r < 3; ++r) want[static_cast<size_t>(r * 4 + 1)] = 5;
  expect_values(a, want);
  // the version counter is shared by the views of one storage
  EXPECT_EQ(a->storage->version, col->storage->version);
  EXPECT_GT(a->storage->version, 0u);
}

TEST(Views, ContiguousAndClone) {
  Tensor a = arange_tensor(Dims{3, 4});
  EXPECT_EQ(contiguous(a), a);  // already contiguous: the same tensor
  Tensor tc = contiguous(t(a));
  EXPECT_NE(tc->storage, a->storage);
  EXPECT_TRUE(tc->contiguous());
  expect_elements(tc, a, [](const Index& i) { return Index{i[1], i[0]}; });
  Tensor c = clone(a);
  EXPECT_NE(c->storage, a->storage);
  expect_values(c, values(a));
}

}  // namespace
}  // namespace pyag::test
