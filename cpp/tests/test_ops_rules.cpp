// The rules the Python bindings used to decide and the core now owns (issue 8: "bindings only
// convert"): masked_fill/masked_select broadcasting, argmax/argmin of the flattened tensor,
// the one-element rule of item()/float()/bool()/index(), set_num_threads' range, out= (dtype,
// resizing and its warning), add/sub's alpha, prod/norm's dtype, flatten's dims. Expected
// values come from plain arithmetic here; the Python tests compare the same rules to PyTorch.
#include "kernels/parallel.h"
#include "ops/rules.h"
#include "test_util.h"

namespace pyag::test {
namespace {

Tensor bools(const Values& v, const Dims& shape) { return from_values(v, shape, DType::Bool); }

TEST(CoreRules, MaskedFillBroadcastsAndKeepsDtype) {
  Tensor a = from_values({1, 2, 3, 4, 5, 6}, Dims{2, 3}, DType::Int64);
  Tensor m = bools({1, 0, 1}, Dims{3});  // right-aligned: every row
  Tensor r = masked_fill(a, m, Scalar{2.7});
  EXPECT_EQ(r->dtype, DType::Int64);  // the value is cast to a's dtype
  expect_values(r, {2, 2, 2, 2, 5, 2});
  // out of place, a and the mask broadcast together
  Tensor wide = masked_fill(from_values({1, 2, 3}, Dims{3}), bools({1, 0, 0, 0, 0, 1}, Dims{2, 3}),
                            scalar(9));
  EXPECT_EQ(wide->shape, (Dims{2, 3}));
  expect_values(wide, {9, 2, 3, 1, 2, 9});
  // in place, the mask broadcasts to a's shape
  Tensor b = from_values({1, 2, 3, 4, 5, 6}, Dims{2, 3});
  masked_fill_(b, m, Scalar{-1.0});
  expect_values(b, {-1, 2, -1, -1, 5, -1});
  masked_fill_(b, bools({0, 1}, Dims{2, 1}), scalar(0));
  expect_values(b, {-1, 2, -1, 0, 0, 0});
}

TEST(CoreRules, MaskedFillRefusals) {
  Tensor a = from_values({1, 2, 3, 4, 5, 6}, Dims{2, 3});
  expect_error<RuntimeError>(
      [&] { masked_fill(a, from_values({1, 0, 1}, Dims{3}, DType::UInt8), Scalar{0.0}); },
      "[masked_fill]", {"boolean", "uint8"});
  expect_error<RuntimeError>(
      [&] { masked_fill(a, bools({1, 0, 1}, Dims{3}), from_values({1}, Dims{1})); },
      "[masked_fill]", {"0-dimensional", "1 dimension"});
  expect_error<RuntimeError>([&] { masked_fill_(a, bools({1, 0}, Dims{2}), Scalar{0.0}); },
                             "[masked_fill_]");
  // a mask that would grow a: refused in place, a unchanged
  expect_error<RuntimeError>(
      [&] {
        masked_fill_(a, bools({1, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0}, Dims{2, 2, 3}), Scalar{0.0});
      },
      "[masked_fill_]", {"(2, 2, 3)", "(2, 3)"});
  expect_values(a, {1, 2, 3, 4, 5, 6});
}

TEST(CoreRules, MaskedSelectBroadcastsIndexDoesNot) {
  Tensor a = from_values({1, 2, 3, 4, 5, 6}, Dims{2, 3});
  Tensor r = masked_select(a, bools({1, 0, 1}, Dims{3}));
  EXPECT_EQ(r->shape, (Dims{4}));
  expect_values(r, {1, 3, 4, 6});
  Tensor g = masked_select(from_values({1, 2}, Dims{2}), bools({1, 1, 0, 1}, Dims{2, 2}));
  expect_values(g, {1, 2, 2});
  expect_error<RuntimeError>(
      [&] { masked_select(a, from_values({1, 0, 1}, Dims{3}, DType::UInt8)); }, "[masked_select]",
      {"bool"});
  // a[mask] is left-aligned and exact: a (3,) mask does not index a (2, 3) tensor
  expect_error<IndexError>([&] { index(a, bools({1, 0, 1}, Dims{3})); }, "[index]");
}

TEST(CoreRules, ArgmaxOfTheFlattenedTensor) {
  Tensor a = from_values({1, 7, 3, 7, 0, 2}, Dims{2, 3});
  Tensor i = argmax(a);
  EXPECT_EQ(i->shape, (Dims{}));
  EXPECT_EQ(i->dtype, DType::Int64);
  expect_values(i, {1});  // the first among equals
  EXPECT_EQ(argmax(a, std::nullopt, true)->shape, (Dims{1, 1}));
  expect_values(argmin(a, std::nullopt, true), {4});
  expect_values(argmax(a, 1), {1, 0});
  EXPECT_EQ(argmin(a, 0, true)->shape, (Dims{1, 3}));
  Tensor x = leaf({1, 2, 3}, Dims{3});
  EXPECT_FALSE(argmax(x)->requires_grad());
  expect_error<IndexError>([&] { argmax(zeros(Dims{0}, DType::Float32)); }, "[argmax]", {"(0,)"});
  expect_error<RuntimeError>([&] { argmin(bools({1, 0}, Dims{2})); }, "[argmin]", {"bool"});
}

TEST(CoreRules, OneElementToANumber) {
  EXPECT_EQ(item(from_values({2.5}, Dims{1, 1})), 2.5);
  Tensor two = from_values({1, 2}, Dims{2});
  expect_error<RuntimeError>([&] { item(two); }, "[item]", {"2 elements"});
  expect_error<ValueError>([&] { check_number(two, NumberUse::Float); }, "[float]",
                           {"one element"});
  expect_error<ValueError>([&] { check_number(two, NumberUse::Int); }, "[int]");
  expect_error<RuntimeError>([&] { check_number(two, NumberUse::Bool); }, "[bool]", {"ambiguous"});
  expect_error<TypeError>([&] { check_number(scalar(1.0), NumberUse::Index); }, "[index]");
  check_number(scalar(3, DType::Int64), NumberUse::Index);  // no throw
}

TEST(CoreRules, NumThreadsRange) {
  const int saved = num_threads();
  expect_error<RuntimeError>([] { set_num_threads(0); }, "[set_num_threads]", {"[1, 1024]"});
  expect_error<RuntimeError>([] { set_num_threads(kMaxThreads + 1); }, "[set_num_threads]");
  EXPECT_EQ(num_threads(), saved);
}

std::vector<std::string>* g_warnings = nullptr;
void record_warning(const std::string& m) { g_warnings->push_back(m); }

TEST(CoreRules, OutRules) {
  std::vector<std::string> warnings;
  g_warnings = &warnings;
  WarnHandler saved = warn_handler();
  warn_handler() = &record_warning;
  Tensor r = from_values({1, 2, 3, 4}, Dims{2, 2});
  Tensor empty_out = zeros(Dims{0}, DType::Float64);
  write_out(empty_out, r, "op");  // an empty out is resized without a warning
  EXPECT_EQ(empty_out->shape, (Dims{2, 2}));
  expect_values(empty_out, {1, 2, 3, 4});
  EXPECT_TRUE(warnings.empty());
  Tensor small = zeros(Dims{3}, DType::Float64);
  write_out(small, r, "op");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("[op] an output with one or more elements was resized"),
            std::string::npos);
  warn_handler() = saved;
  g_warnings = nullptr;
  Tensor ints = zeros(Dims{2, 2}, DType::Int64);
  expect_error<RuntimeError>([&] { write_out(ints, r, "sin"); }, "[sin]", {"can't be cast"});
  expect_error<TypeError>([&] { write_out(ints, r, "cat", OutDtype::CastTypeError); }, "[cat]");
  Tensor f32 = zeros(Dims{2, 2}, DType::Float32);
  expect_error<RuntimeError>([&] { write_out(f32, r, "isnan", OutDtype::Exact); }, "[isnan]");
  Tensor base = zeros(Dims{6}, DType::Float64);
  Tensor part = narrow(base, 0, 0, 3);
  expect_error<RuntimeError>([&] { write_out(part, r, "op"); }, "[op]", {"view"});
  Tensor x = leaf({1, 2}, Dims{2});
  expect_error<RuntimeError>(
      [&] { write_out(zeros(Dims{2}, DType::Float64), mul(x, Scalar{2.0}), "mul"); }, "[mul]",
      {"automatic differentiation"});
}

TEST(CoreRules, AddSubAlpha) {
  Tensor a = from_values({1, 2}, Dims{2});
  Tensor b = from_values({10, 20}, Dims{2});
  expect_values(add(a, b, Scalar{0.5}), {6, 12});
  expect_values(sub(a, Scalar{1.0}, Scalar{3.0}), {-2, -1});
  Tensor c = from_values({1, 2}, Dims{2});
  sub_(c, b, Scalar{2.0, ScalarKind::Int});
  expect_values(c, {-19, -38});
  Tensor i = from_values({1, 2}, Dims{2}, DType::Int64);
  expect_error<RuntimeError>([&] { add(i, i, Scalar{0.5}); }, "[add]", {"alpha"});
  expect_values(add(i, Scalar{3, ScalarKind::Int}, Scalar{2, ScalarKind::Int}), {7, 8});
  Tensor t = bools({1, 0}, Dims{2});
  expect_error<RuntimeError>([&] { add(i, i, Scalar{1, ScalarKind::Bool}); }, "[add]",
                             {"Boolean alpha"});
  expect_values(add(t, t, Scalar{1, ScalarKind::Bool}), {1, 0});
  Tensor tb = add(t, bools({0, 1}, Dims{2}), Scalar{2, ScalarKind::Int});  // bool stays bool
  EXPECT_EQ(tb->dtype, DType::Bool);
  expect_values(tb, {1, 1});
  expect_values(i, {1, 2});
}

TEST(CoreRules, ReductionDtypeAndFlatten) {
  Tensor i = from_values({1, 2, 3, 4}, Dims{2, 2}, DType::Int64);
  Tensor p = prod(i, std::nullopt, false, DType::Float64);
  EXPECT_EQ(p->dtype, DType::Float64);
  expect_values(p, {24});
  Tensor n = norm(i, 1.0, {1}, false, DType::Float32);
  EXPECT_EQ(n->dtype, DType::Float32);
  expect_values(n, {3, 7});
  Tensor a = zeros(Dims{2, 3, 4}, DType::Float32);
  EXPECT_EQ(flatten(a)->shape, (Dims{24}));
  EXPECT_EQ(flatten(a, 1)->shape, (Dims{2, 12}));
  EXPECT_EQ(flatten(a, 0, 1)->shape, (Dims{6, 4}));
  EXPECT_EQ(flatten(a, -2, -1)->shape, (Dims{2, 12}));
  EXPECT_EQ(flatten(a, 1, 1).get(), a.get());  // one dim: the tensor itself
  EXPECT_EQ(flatten(scalar(1.0))->shape, (Dims{1}));
  expect_error<RuntimeError>([&] { flatten(a, 2, 1); }, "[flatten]", {"start_dim"});
  expect_error<IndexError>([&] { flatten(a, 0, 3); }, "[flatten]");
}

TEST(CoreRules, LegacyIndexUint8MaskScatterValue) {
  const IndexItem zero{IndexItem::Int, 0}, minus1{IndexItem::Int, -1}, one{IndexItem::Int, 1};
  EXPECT_TRUE(reads_0d_value(scalar(3.0), {zero}));
  EXPECT_TRUE(reads_0d_value(scalar(3.0), {minus1}));
  EXPECT_FALSE(reads_0d_value(scalar(3.0), {one}));
  EXPECT_FALSE(reads_0d_value(from_values({3}, Dims{1}), {zero}));
  // a uint8 mask reads as a bool one, with PyTorch's warning
  std::vector<std::string> warnings;
  g_warnings = &warnings;
  WarnHandler saved = warn_handler();
  warn_handler() = &record_warning;
  Tensor a = from_values({1, 2, 3}, Dims{3});
  Tensor r = index(a, from_values({1, 0, 1}, Dims{3}, DType::UInt8));
  warn_handler() = saved;
  g_warnings = nullptr;
  expect_values(r, {1, 3});
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("torch.uint8 is now deprecated"), std::string::npos);
  // value=: a 0-d tensor that does not require grad
  EXPECT_EQ(value_number(scalar(2.5), "scatter").v, 2.5);
  EXPECT_EQ(value_number(scalar(2, DType::Int64), "scatter").kind, ScalarKind::Int);
  expect_error<RuntimeError>([] { value_number(from_values({1}, Dims{1}), "scatter"); },
                             "[scatter]", {"0-d"});
  expect_error<RuntimeError>([] { value_number(leaf({1}, Dims{}), "index_fill"); }, "[index_fill]",
                             {"requires grad"});
  EXPECT_TRUE(scatter_accumulates("add", "scatter"));
  expect_error<RuntimeError>([] { scatter_accumulates("multiply", "scatter_"); }, "[scatter_]",
                             {"multiply"});
  Tensor idx = from_values({0, 0, 2}, Dims{3}, DType::Int64);
  expect_values(scatter(from_values({1, 1, 1}, Dims{3}), 0, idx, Scalar{2.0}, true), {5, 1, 3});
  expect_values(scatter(from_values({1, 1, 1}, Dims{3}), 0, idx, Scalar{2.0}), {2, 1, 2});
}

TEST(CoreRules, StridedViewsFromAFileAndBackwardOptions) {
  Tensor base = from_values({0, 1, 2, 3, 4, 5}, Dims{6});
  expect_values(as_strided_checked(base, Dims{2, 2}, Dims{1, 2}, 1, "load"), {1, 3, 2, 4});
  expect_error<ValueError>([&] { as_strided_checked(base, Dims{2, 3}, Dims{3, 1}, 1, "load"); },
                           "[load]", {"does not fit"});
  expect_error<ValueError>([&] { as_strided_checked(base, Dims{2}, Dims{-1}, 2, "load"); },
                           "[load]", {"negative"});
  expect_error<ValueError>([&] { as_strided_checked(base, Dims{2}, Dims{1, 1}, 0, "load"); },
                           "[load]", {"length"});
  EXPECT_EQ(as_strided_checked(base, Dims{0, 3}, Dims{100, 1}, 6, "load")->numel, 0);
  Tensor x = leaf({1, 2}, Dims{2});
  Tensor y = sum(mul(x, x), {}, false);
  expect_error<RuntimeError>([&] { tensor_backward(y, {}, false, false, true); }, "[backward]",
                             {"inputs="});
  tensor_backward(y, {}, false, false, false);
  expect_values(grad_of(x), {2, 4});
  // create_graph: .grad is recorded (2 x), and a second backward through it accumulates 2
  Tensor x2 = leaf({1, 2}, Dims{2});
  tensor_backward(sum(mul(x2, x2), {}, false), {}, true, true, false);
  Tensor g = grad_of(x2);
  ASSERT_TRUE(g->requires_grad());
  expect_values(g, {2, 4});
  tensor_backward(sum(g, {}, false), {}, false, false, false);
  expect_values(grad_of(x2), {4, 6});
  // .grad's history reaches x2 itself: a cycle (PyTorch's too) that clearing .grad breaks
  x2->autograd->grad = nullptr;
}

}  // namespace
}  // namespace pyag::test
