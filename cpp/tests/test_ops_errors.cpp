// Error paths: the right pyag exception type, a message that starts with "[op]" and names the
// shapes (or dtypes); a failed in-place op leaves its tensor (values and version) unchanged.
#include <gtest/gtest.h>

#include "autograd/grad_mode.h"
#include "ops/ops.h"
#include "test_util.h"

namespace pyag::test {
namespace {

Tensor t23() { return from_values({1, 2, 3, 4, 5, 6}, Dims{2, 3}, DType::Float32); }

TEST(OpErrors, Broadcasting) {
  Tensor a = t23(), b = from_values({1, 2, 3, 4}, Dims{4}, DType::Float32);
  expect_error<RuntimeError>([&] { add(a, b); },
                             "[add] shapes (2, 3) and (4,) cannot be broadcast together");
  expect_error<RuntimeError>([&] { mul(b, a); }, "[mul]", {"(4,)", "(2, 3)"});
  expect_error<RuntimeError>([&] { where(from_values({1, 0}, Dims{2}, DType::Bool), a, a); },
                             "[where]", {"(2,)", "(2, 3)"});
}

TEST(OpErrors, Linalg) {
  Tensor a = from_values(Values(12, 1), Dims{3, 4}, DType::Float32);
  expect_error<RuntimeError>([&] { mm(a, a); }, "[mm]", {"(3, 4)"});
  expect_error<RuntimeError>([&] { mm(from_values({1, 2, 3}, Dims{3}, DType::Float32), a); },
                             "[mm]", {"(3,)", "(3, 4)"});
  expect_error<RuntimeError>([&] { mm(a, from_values(Values(4, 1), Dims{4, 1})); }, "[mm]",
                             {"float32", "float64"});
  Tensor ba = from_values(Values(4, 1), Dims{2, 2}, DType::Bool);
  expect_error<TypeError>([&] { mm(ba, ba); }, "[mm]", {"bool"});
  Tensor a3 = zeros(Dims{2, 3, 4}, DType::Float32), b3 = zeros(Dims{3, 4, 5}, DType::Float32);
  expect_error<RuntimeError>([&] { bmm(a3, b3); }, "[bmm]", {"(2, 3, 4)", "(3, 4, 5)"});
  expect_error<RuntimeError>([&] { bmm(a, a); }, "[bmm]", {"(3, 4)"});
  expect_error<RuntimeError>([&] { matmul(a3, zeros(Dims{5, 2}, DType::Float32)); }, "[matmul]",
                             {"(2, 3, 4)", "(5, 2)"});
  expect_error<RuntimeError>([&] { matmul(scalar(1), a); }, "[matmul]", {"()", "(3, 4)"});
  expect_error<RuntimeError>(
      [&] { matmul(zeros(Dims{2, 3, 4}, DType::Float32), zeros(Dims{3, 4, 5}, DType::Float32)); },
      "[matmul]", {"(2, 3, 4)", "(3, 4, 5)"});
}

TEST(OpErrors, Views) {
  Tensor a = t23();
  expect_error<RuntimeError>([&] { view(t(a), Dims{6}); }, "[view]", {"(6,)", "(3, 2)"});
  expect_error<RuntimeError>([&] { view(a, Dims{4, -1}); }, "[view]", {"(4, -1)", "(2, 3)"});
  expect_error<RuntimeError>([&] { reshape(a, Dims{5}); }, "[reshape]", {"(5,)", "(2, 3)"});
  expect_error<RuntimeError>([&] { reshape(a, Dims{-1, -1}); }, "[reshape]", {"(-1, -1)"});
  expect_error<RuntimeError>([&] { expand(a, Dims{2, 4}); }, "[expand]", {"(2, 4)", "(2, 3)"});
  expect_error<RuntimeError>([&] { expand(a, Dims{3}); }, "[expand]", {"(2, 3)"});
  expect_error<RuntimeError>([&] { expand(a, Dims{-1, 2, 3}); }, "[expand]", {"(-1, 2, 3)"});
  expect_error<RuntimeError>([&] { permute(a, {0}); }, "[permute]", {"(2, 3)"});
  expect_error<RuntimeError>([&] { permute(a, {0, 0}); }, "[permute]");
  expect_error<RuntimeError>([&] { t(zeros(Dims{2, 2, 2}, DType::Float32)); }, "[t]",
                             {"(2, 2, 2)"});
  expect_error<IndexError>([&] { transpose(a, 0, 2); }, "[transpose]", {"got 2"});
  expect_error<IndexError>([&] { permute(a, {0, -3}); }, "[permute]", {"got -3"});
  expect_error<IndexError>([&] { squeeze(a, 2); }, "[squeeze]", {"got 2"});
  expect_error<IndexError>([&] { unsqueeze(a, 3); }, "[unsqueeze]", {"got 3"});
  expect_error<IndexError>([&] { unsqueeze(a, -4); }, "[unsqueeze]", {"got -4"});
}

TEST(OpErrors, Indexing) {
  Tensor a = t23();
  auto I = [](int64_t i) { return IndexItem{IndexItem::Int, i}; };
  expect_error<IndexError>([&] { index(a, {I(2)}); }, "[index] index 2 is out of bounds",
                           {"size 2"});
  expect_error<IndexError>([&] { index(a, {I(0), I(-4)}); }, "[index]", {"-4", "size 3"});
  expect_error<IndexError>([&] { index(a, {I(0), I(0), I(0)}); }, "[index] too many indices",
                           {"(2, 3)"});
  expect_error<IndexError>(
      [&] { index(a, {IndexItem{IndexItem::Ellipsis}, IndexItem{IndexItem::Ellipsis}}); },
      "[index]", {"ellipsis"});
  expect_error<ValueError>([&] { index(a, {IndexItem{IndexItem::Slice, 0, 2, 0}}); }, "[index]",
                           {"step"});
  expect_error<ValueError>([&] { index(a, {IndexItem{IndexItem::Slice, 0, 2, -1}}); }, "[index]",
                           {"step"});
  expect_error<IndexError>([&] { index(a, from_values({1, 0}, Dims{2}, DType::Int64)); }, "[index]",
                           {"int64"});
  expect_error<IndexError>([&] { index(a, from_values({1, 0, 1}, Dims{3}, DType::Bool)); },
                           "[index]", {"(3,)", "(2, 3)"});
}

TEST(OpErrors, UnaryReductionsCreation) {
  Tensor b = from_values({1, 0}, Dims{2}, DType::Bool);
  expect_error<RuntimeError>([&] { neg(b); }, "[neg]", {"bool"});
  expect_error<RuntimeError>([&] { bitwise_not(t23()); }, "[bitwise_not]", {"float32"});
  expect_error<RuntimeError>([&] { bitwise_and(t23(), b); }, "[bitwise_and]", {"float32"});
  expect_error<RuntimeError>([&] { clamp(b, 0.0, 1.0); }, "[clamp]", {"bool"});
  expect_error<RuntimeError>([&] { clamp(t23(), std::nullopt, std::nullopt); }, "[clamp]");
  expect_error<RuntimeError>([&] { where(t23(), t23(), t23()); }, "[where]", {"float32"});
  expect_error<RuntimeError>([&] { mean(from_values({1}, Dims{1}, DType::Int64), {}, false); },
                             "[mean]", {"int64"});
  expect_error<IndexError>([&] { sum(t23(), {2}, false); }, "[sum]", {"got 2"});
  expect_error<RuntimeError>([&] { sum(t23(), {1, -1}, false); }, "[sum]", {"1"});
  expect_error<RuntimeError>([&] { extreme(zeros(Dims{0, 3}, DType::Float32), true); }, "[max]",
                             {"(0, 3)"});
  expect_error<IndexError>([&] { extreme_dim(zeros(Dims{0, 3}, DType::Float32), 0, false, false); },
                           "[min]", {"(0, 3)"});
  expect_error<TypeError>([&] { randn(Dims{2}, DType::Int64); }, "[randn]", {"int64"});
  expect_error<ValueError>([&] { zeros(Dims{2, -3}, DType::Float32); }, "[empty]", {"(2, -3)"});
  expect_error<RuntimeError>([&] { arange(0, 1, 0, DType::Float32); }, "[arange]");
  expect_error<RuntimeError>([&] { linspace(0, 1, -1, DType::Float32); }, "[linspace]");
}

// ---- in-place ops: success, then failures that must not change anything ----

TEST(InPlace, SuccessfulOpsChangeValuesAndVersion) {
  Tensor a = t23();
  uint64_t v = a->storage->version;
  add_(a, from_values({10, 20, 30}, Dims{3}, DType::Float32));
  expect_values(a, {11, 22, 33, 14, 25, 36});
  EXPECT_GT(a->storage->version, v);
  v = a->storage->version;
  mul_(a, Scalar{2, ScalarKind::Int});
  expect_values(a, {22, 44, 66, 28, 50, 72});
  EXPECT_GT(a->storage->version, v);
  clamp_(a, 30.0, 60.0);
  expect_values(a, {30, 44, 60, 30, 50, 60});
  copy_(a, from_values({1, 2, 3}, Dims{3}, DType::Int64));
  expect_values(a, {1, 2, 3, 1, 2, 3});
  zero_(a);
  expect_values(a, Values(6, 0));
  // self-overlapping source: a[:, 1:] = a[:, :2] reads the old values
  Tensor r = from_values({1, 2, 3, 4, 5, 6}, Dims{2, 3});
  copy_(index(r, {IndexItem{IndexItem::Slice, kNone, kNone, 1},
                  IndexItem{IndexItem::Slice, 1, kNone, 1}}),
        index(r, {IndexItem{IndexItem::Slice, kNone, kNone, 1},
                  IndexItem{IndexItem::Slice, kNone, 2, 1}}));
  expect_values(r, {1, 1, 2, 4, 4, 5});
}

// Runs op, which must throw E with `prefix`, and checks that `a` kept its values and version.
template <class E, class F>
void expect_unchanged_after(const Tensor& a, F op, const std::string& prefix,
                            const std::vector<std::string>& parts = {}, PYAG_CALLER) {
  const Values before = values(a);
  const uint64_t version = a->storage->version;
  expect_error<E>(op, prefix, parts, file, line);
  expect_values(a, before, file, line);
  PYAG_AT_CALLER;
  EXPECT_EQ(a->storage->version, version);
}

TEST(InPlace, FailuresLeaveTheTensorUnchanged) {
  Tensor a = t23();
  Tensor i = from_values({1, 2, 3}, Dims{3}, DType::Int64);
  expect_unchanged_after<RuntimeError>(
      a, [&] { add_(a, from_values(Values(6, 1), Dims{3, 2}, DType::Float32)); }, "[add_]",
      {"(2, 3)", "(3, 2)"});
  Tensor small = from_values({1, 2, 3}, Dims{3}, DType::Float32);
  expect_unchanged_after<RuntimeError>(small, [&] { add_(small, a); }, "[add_]",
                                       {"(3,)", "(2, 3)"});
  expect_unchanged_after<RuntimeError>(i, [&] { add_(i, small); }, "[add_]", {"float32", "int64"});
  expect_unchanged_after<RuntimeError>(i, [&] { div_(i, i); }, "[div_]", {"float32", "int64"});
  expect_unchanged_after<RuntimeError>(i, [&] { mul_(i, Scalar{0.5, ScalarKind::Float}); },
                                       "[mul_]", {"float32", "int64"});
  Tensor b = from_values({1, 0}, Dims{2}, DType::Bool);
  expect_unchanged_after<RuntimeError>(b, [&] { sub_(b, b); }, "[sub_]", {"bool"});
  expect_unchanged_after<RuntimeError>(b, [&] { clamp_(b, 0.0, 1.0); }, "[clamp_]", {"bool"});
  expect_unchanged_after<RuntimeError>(
      a, [&] { clamp_(a, std::nullopt, std::nullopt); }, "[clamp_]");
  expect_unchanged_after<RuntimeError>(
      a, [&] { copy_(a, from_values(Values(4, 1), Dims{4}, DType::Float32)); }, "[copy_]",
      {"(4,)", "(2, 3)"});
  Tensor mask = from_values({1, 0, 1, 1, 0, 1}, Dims{2, 3}, DType::Bool);
  expect_unchanged_after<RuntimeError>(
      a, [&] { masked_put(a, mask, from_values({1, 2}, Dims{2})); }, "[setitem]", {"(4,)", "(2,)"});
  expect_unchanged_after<IndexError>(
      a, [&] { masked_put(a, from_values({1, 0, 1}, Dims{3}, DType::Bool), Scalar{0}); },
      "[setitem]", {"(3,)", "(2, 3)"});
  expect_unchanged_after<IndexError>(
      a, [&] { index_put(a, {IndexItem{IndexItem::Int, 5}}, Scalar{1}); }, "[index]", {"5"});
}

TEST(InPlace, AutogradRefusals) {
  Tensor x = leaf({1, 2, 3}, Dims{3});
  expect_unchanged_after<RuntimeError>(x, [&] { add_(x, Scalar{1}); }, "[add_]", {"leaf"});
  expect_unchanged_after<RuntimeError>(x, [&] { fill_(x, Scalar{0}); }, "[fill_]", {"leaf"});
  // a view of that leaf (PyTorch: "a view of a leaf Variable that requires grad ...")
  Tensor lv = index(x, {IndexItem{IndexItem::Slice, 0, 2, 1}});
  expect_unchanged_after<RuntimeError>(x, [&] { mul_(lv, Scalar{3}); }, "[mul_]",
                                       {"view of a leaf"});
  // a view made under no_grad, changed in place with grad mode on
  Tensor y = mul(x, scalar(2));  // not a leaf
  Tensor v;
  {
    GradModeGuard guard(false);
    v = index(y, {IndexItem{IndexItem::Slice, 0, 2, 1}});
  }
  expect_unchanged_after<RuntimeError>(y, [&] { mul_(v, Scalar{3}); }, "[mul_]", {"no_grad"});
  // under no_grad the same leaf may be changed
  {
    GradModeGuard guard(false);
    add_(x, Scalar{1});
  }
  expect_values(x, {2, 3, 4});
}

// PyTorch refuses to write into a tensor whose elements share memory (an expanded view):
// "unsupported operation: more than one element of the written-to tensor refers to a single
// memory location" (otherwise add_ on expand((3,), (4, 3)) would add 4 times into each element).
TEST(InPlace, WriteIntoExpandedViewIsRefused) {
  Tensor base = zeros(Dims{3}, DType::Float32);
  Tensor e = expand(base, Dims{4, 3});
  expect_unchanged_after<RuntimeError>(base, [&] { add_(e, Scalar{1}); }, "[add_]");
}

// The one device rule (bindings and pyautograd._creation call it): the CPU, any index.
TEST(Errors, OnlyTheCpuDevice) {
  for (const char* ok : {"cpu", "cpu:0", "cpu:12"}) check_device(ok, "zeros");
  for (const char* bad : {"cuda", "cuda:0", "meta", "cpu:", "cpu:x", "cpux", ""})
    expect_error<RuntimeError>([&] { check_device(bad, "zeros"); }, "[zeros] device '",
                               {"is not available", "CPU only"});
}

}  // namespace
}  // namespace pyag::test
