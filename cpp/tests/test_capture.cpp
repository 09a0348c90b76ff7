// The capture/replay recorder (cpp/capture): recording at the kernel waist, classifying
// buffers, guards, replay, and the refusals.
#include <gtest/gtest.h>

#include "autograd/engine.h"
#include "capture/tape.h"
#include "kernels/elementwise.h"
#include "kernels/gemm.h"
#include "ops/ops.h"
#include "test_util.h"

namespace pyag::test {
namespace {

Tensor sum_all(const Tensor& t) { return sum(t, {}, false); }

// loss = sum(relu(x @ w) * 2); loss.backward(); w -= 0.1 * w.grad; w.grad = 0
Tensor step(const Tensor& x, const Tensor& w) {
  Tensor loss = sum_all(mul(relu(mm(x, w)), 2.0));
  backward({loss}, {}, false);
  Tensor g = data_alias(w->autograd->grad);
  sub_(data_alias(w), mul(g, 0.1));
  mul_(g, 0.0);
  return loss;
}

struct Net {
  Tensor w = leaf({0.5, -1, 2, 0.25, -0.5, 1.5}, Dims{3, 2});
  Net() { w->meta().grad = zeros(Dims{3, 2}, DType::Float64); }
};

Tensor input(double shift) {
  return from_values({1 + shift, -2, 0.5, 3, 1, -shift, 2, 0.25, -1, 0.5, 1, 1}, Dims{4, 3});
}

TEST(Capture, ReplayMatchesEagerOnNewArguments) {
  Net eager, comp;
  step(input(0), eager.w);
  Tensor x0 = input(0);
  capture::begin({x0}, {comp.w}, true);
  Tensor loss0 = step(x0, comp.w);
  auto tape = capture::finish({loss0});
  expect_values(comp.w, values(eager.w));
  EXPECT_GT(tape->stats.records, 5);
  EXPECT_GT(tape->stats.planned_bytes, 0);
  for (double shift : {1.0, -2.0, 0.5}) {
    Tensor x = input(shift);
    Tensor le = step(x, eager.w);
    ASSERT_EQ(tape->check({x}), "");
    std::vector<Tensor> out = tape->replay({x});
    ASSERT_EQ(out.size(), 1u);
    expect_values(out[0], values(le));
    expect_values(comp.w, values(eager.w));
    expect_values(comp.w->autograd->grad, values(eager.w->autograd->grad));
  }
}

// The seed's update form: w -= 0.1 * w.grad; w.grad.zero_() (a fill: the fusion's pattern).
Tensor step_zeroing(const Tensor& x, const Tensor& w) {
  Tensor loss = sum_all(mul(relu(mm(x, w)), 2.0));
  backward({loss}, {}, false);
  Tensor g = data_alias(w->autograd->grad);
  sub_(data_alias(w), mul(g, 0.1));
  zero_(g);
  return loss;
}

TEST(Capture, FusedAndPlannedReplayMatchesEager) {
  Net eager, comp;
  step_zeroing(input(0), eager.w);
  step_zeroing(input(0), comp.w);
  Tensor x0 = input(0.5);
  step_zeroing(x0, eager.w);
  capture::begin({x0}, {comp.w}, true);
  step_zeroing(x0, comp.w);
  auto tape = capture::finish({}, /*exact=*/false);
  // the weight-gradient GEMM writes w; one elementwise chain (capture/fuse_chain.cpp)
  EXPECT_EQ(tape->stats.fusions, 2);
  EXPECT_NE(tape->dump().find("fused:chain["), std::string::npos) << tape->dump();
  for (double shift : {1.0, -2.0, 0.25}) {
    Tensor x = input(shift);
    Tensor le = step_zeroing(x, eager.w);
    ASSERT_EQ(tape->check({x}), "");
    tape->replay({x});
    const Values we = values(eager.w), wc = values(comp.w);
    ASSERT_EQ(we.size(), wc.size());
    for (size_t i = 0; i < we.size(); ++i) EXPECT_NEAR(wc[i], we[i], 1e-12);
    for (double v : values(comp.w->autograd->grad)) EXPECT_EQ(v, 0.0);
  }
  // a write to the gradient between calls fails the guard
  fill(comp.w->autograd->grad, 1.0);
  EXPECT_NE(tape->check({input(0)}).find("zeroed"), std::string::npos);
}

TEST(Capture, GuardsNameWhatChanged) {
  Net n;
  Tensor x = input(0);
  capture::begin({x}, {n.w}, true);
  Tensor loss = step(x, n.w);
  auto tape = capture::finish({loss});
  EXPECT_EQ(tape->check({input(1)}), "");
  EXPECT_EQ(tape->check({from_values({1, 2, 3}, Dims{1, 3})}), "argument 0: shape changed");
  EXPECT_EQ(tape->check({full(Dims{4, 3}, 1, DType::Float32)}), "argument 0: dtype changed");
  std::shared_ptr<Storage> saved = n.w->storage;
  n.w->storage = Storage::allocate(n.w->storage->nbytes);  // `.data = ...`
  EXPECT_EQ(tape->check({x}), "bound tensor 0: storage changed");
  n.w->storage = saved;
  n.w->autograd->grad = nullptr;  // p.grad = None
  EXPECT_EQ(tape->check({x}), "bound tensor 0: .grad presence changed");
}

// tensor/ includes no higher layer: the recorder is told of new storages through the observer
// that capture::begin plugs in (tests/test_layers.py keeps tensor/ free of upward includes).
TEST(Capture, BeginPlugsTheRecorderIntoTheAllocator) {
  Tensor x = input(0);
  capture::begin({x}, {}, true);
  EXPECT_EQ(storage_observer(), &capture::note_alloc);
  capture::abort();
  EXPECT_FALSE(capture::recording());
}

TEST(Capture, ReadingAValueRefusesAndEndsTheRecording) {
  Tensor x = input(0);
  capture::begin({x}, {}, true);
  Tensor y = mul(x, 2.0);
  expect_error<RuntimeError>([&] { get_double(y, Dims{0, 0}); }, "[compile] .item()");
  EXPECT_FALSE(capture::recording());
  EXPECT_EQ(capture::active(), nullptr);
}

TEST(Capture, ABufferFilledOutsideTheWaistIsRefused) {
  Tensor x = input(0);
  capture::begin({x}, {}, true);
  Tensor c = empty(Dims{4, 3}, DType::Float64);
  write_raw(c, 0, 1.0);  // a raw loop outside the waist
  Tensor y = add(x, c);
  expect_error<RuntimeError>([&] { capture::finish({y}); }, "[compile] call 0",
                             {"filled outside the recorded kernels"});
  EXPECT_FALSE(capture::recording());
}

TEST(Capture, AnUnreachableTensorIsRefused) {
  Tensor x = input(0), hidden = input(5);
  capture::begin({x}, {}, true);
  Tensor y = add(x, hidden);
  expect_error<RuntimeError>([&] { capture::finish({y}); }, "[compile] call 0",
                             {"neither an argument"});
}

TEST(Capture, NestedKernelCallsAreNotRecorded) {
  // an mm operand with no BLAS layout (no unit stride) is copied inside the kernel: the copy
  // belongs to the recorded mm, and so does the buffer it allocates
  Tensor a = input(0), base = zeros(Dims{6, 6}, DType::Float64);
  Tensor b = make_view(base, Dims{3, 3}, Dims{12, 2}, 0);
  capture::begin({a, base}, {}, true);
  Tensor out = empty(Dims{4, 3}, DType::Float64);
  mm_into(out, a, b, 1.0, 0.0);
  auto tape = capture::finish({out});
  ASSERT_EQ(tape->calls.size(), 1u);
  EXPECT_EQ(tape->calls[0].kind, capture::Kind::Mm);
  EXPECT_EQ(tape->stats.internal_buffers, 1);  // out; not the copy of b
  EXPECT_EQ(capture::active(), nullptr);
}

}  // namespace
}  // namespace pyag::test
