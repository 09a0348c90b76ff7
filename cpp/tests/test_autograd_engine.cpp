// The backward engine: order, accumulation, unbroadcasting, freeing, version checks, grad mode,
// deep graphs, autograd.grad and mm's direct accumulation into .grad.
#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "autograd/engine.h"
#include "autograd/node.h"
#include "ops/ops.h"
#include "test_util.h"

namespace pyag::test {
namespace {

Tensor sum_all(const Tensor& t) { return sum(t, {}, false); }
void run_backward(const Tensor& root, bool retain = false) { backward({root}, {}, retain); }

// ---- order ----

struct Call {
  uint64_t seq;
  double grad;  // the first element of the gradient the node received
};

// A node that logs its calls and passes its gradient to every input.
struct Probe : Node {
  std::vector<Call>* log;
  explicit Probe(std::vector<Call>* l) : log(l) {}
  const char* name() const override { return "ProbeBackward"; }
  std::vector<Tensor> apply(const Tensor& g) override {
    log->push_back({seq, at(g, Index(static_cast<size_t>(g->dim()), 0))});
    return std::vector<Tensor>(next.size(), g);
  }
};

Tensor probe(std::vector<Call>& log, const std::vector<Tensor>& inputs,
             std::shared_ptr<Node>* node = nullptr) {
  Tensor out = zeros(inputs[0]->shape, DType::Float64);
  auto n = std::make_shared<Probe>(&log);
  attach(n, inputs, out);
  if (node) *node = n;
  return out;
}

TEST(Engine, RunsNodesInDescendingSequenceOrder) {
  // a <- x; b <- a; c <- b; d <- (a, c): a depth-first walk from d would reach a before b and
  // c have delivered their part of a's gradient.
  std::vector<Call> log;
  Tensor x = leaf({0}, Dims{});
  std::shared_ptr<Node> na, nb, nc, nd;
  Tensor a = probe(log, {x}, &na);
  Tensor b = probe(log, {a}, &nb);
  Tensor c = probe(log, {b}, &nc);
  Tensor d = probe(log, {a, c}, &nd);
  EXPECT_LT(na->seq, nb->seq);
  EXPECT_LT(nb->seq, nc->seq);
  EXPECT_LT(nc->seq, nd->seq);
  run_backward(d);
  ASSERT_EQ(log.size(), 4u);  // every node exactly once
  EXPECT_EQ(log[0].seq, nd->seq);
  EXPECT_EQ(log[1].seq, nc->seq);
  EXPECT_EQ(log[2].seq, nb->seq);
  EXPECT_EQ(log[3].seq, na->seq);
  EXPECT_EQ(log[3].grad, 2);  // both paths summed before a ran
  expect_values(grad_of(x), {2});
}

TEST(Engine, DiamondWithALeafOnTwoLevels) {
  std::vector<Call> log;
  Tensor x = leaf({0, 0}, Dims{2});
  Tensor p1 = probe(log, {x});
  Tensor p2 = probe(log, {p1});
  Tensor p3 = probe(log, {p1, p2});
  Tensor p4 = probe(log, {p3, x});
  backward({p4}, {full(Dims{2}, 1.0, DType::Float64)}, false);
  ASSERT_EQ(log.size(), 4u);
  for (size_t i = 1; i < log.size(); ++i) EXPECT_GT(log[i - 1].seq, log[i].seq);
  expect_values(grad_of(x), {3, 3});  // 1 directly + 2 through p1
}

// ---- accumulation and unbroadcasting ----

TEST(Engine, ContributionsToOneTensorAreSummed) {
  const Values xv{1.5, -2, 3};
  Tensor x = leaf(xv, Dims{3});
  run_backward(sum_all(add(mul(x, x), x)));
  Values want;
  for (double v : xv) want.push_back(2 * v + 1);
  expect_values(grad_of(x), want);
}

TEST(Engine, GradientsAreSummedBackToTheInputShape) {
  std::mt19937 rng(71);
  Tensor a = leaf({1, 2, 3}, Dims{3, 1});
  Tensor b = random_tensor(Dims{3, 4}, DType::Float64, Layout::Contiguous, rng);
  b->meta().requires_grad = true;
  Tensor c = leaf({0.5, -1, 2, 4}, Dims{4});
  Tensor s = leaf({3}, Dims{});
  run_backward(sum_all(mul(add(add(a, b), c), s)));
  ASSERT_EQ(grad_of(a)->shape, (Dims{3, 1}));
  ASSERT_EQ(grad_of(b)->shape, (Dims{3, 4}));
  ASSERT_EQ(grad_of(c)->shape, (Dims{4}));
  ASSERT_EQ(grad_of(s)->shape, (Dims{}));
  expect_values(grad_of(a), {12, 12, 12});
  expect_values(grad_of(b), Values(12, 3));
  expect_values(grad_of(c), {9, 9, 9, 9});
  double total = 0;
  for_each_index(Dims{3, 4},
                 [&](const Index& i) { total += at(a, {i[0], 0}) + at(b, i) + at(c, {i[1]}); });
  expect_values(grad_of(s), {total});

  // mul: a (3, 1) * b (3, 4) gives a the row sums of b
  Tensor a2 = leaf({1, 2, 3}, Dims{3, 1});
  run_backward(sum_all(mul(a2, b)));
  Values rows(3, 0);
  for_each_index(Dims{3, 4}, [&](const Index& i) { rows[static_cast<size_t>(i[0])] += at(b, i); });
  expect_values(grad_of(a2), rows);
}

TEST(Engine, GradAccumulatesAcrossBackwardCalls) {
  Tensor x = leaf({1, -2}, Dims{2});
  Tensor y = sum_all(mul(x, x));
  run_backward(y, true);
  expect_values(grad_of(x), {2, -4});
  run_backward(y, true);
  expect_values(grad_of(x), {4, -8});
  run_backward(sum_all(mul(x, scalar(3))));  // a new graph adds to the same .grad
  expect_values(grad_of(x), {7, -5});
}

TEST(Engine, RetainedGradOfANonLeaf) {
  Tensor x = leaf({1, 2}, Dims{2});
  Tensor h = mul(x, scalar(3));
  h->autograd->retains_grad = true;  // what retain_grad() does
  h->grad_fn()->retained = h->autograd;
  run_backward(sum_all(mul(h, h)));
  expect_values(grad_of(h), {6, 12});
  expect_values(grad_of(x), {18, 36});
}

TEST(Engine, ExplicitRootGradientAndDTypeConversion) {
  Tensor x = leaf({1, 2, 3}, Dims{3}, DType::Float32);
  Tensor y = mul(cast(x, DType::Float64), from_values({2, 2, 2}, Dims{3}));
  backward({y}, {from_values({1, 10, 100}, Dims{3})}, false);
  EXPECT_EQ(grad_of(x)->dtype, DType::Float32);
  expect_values(grad_of(x), {2, 20, 200});
}

TEST(Engine, RootErrors) {
  Tensor x = leaf({1, 2, 3}, Dims{3});
  Tensor y = mul(x, scalar(2));
  expect_error<RuntimeError>([&] { run_backward(y); }, "[backward] grad can be implicitly created",
                             {"(3,)"});
  expect_error<RuntimeError>([&] { backward({y}, {from_values({1, 1}, Dims{2})}, false); },
                             "[backward]", {"(2,)", "(3,)"});
  expect_error<RuntimeError>([&] { run_backward(scalar(1)); }, "[backward]", {"grad"});
  EXPECT_FALSE(grad_of(x));
}

// ---- freeing and versions ----

TEST(Engine, SecondBackwardNeedsRetainGraph) {
  Tensor x = leaf({1, 2}, Dims{2});
  Tensor y = sum_all(mul(x, x));
  run_backward(y);
  expect_values(grad_of(x), {2, 4});
  expect_error<RuntimeError>([&] { run_backward(y); }, "[MulBackward0]",
                             {"second time", "retain_graph"});
  expect_values(grad_of(x), {2, 4});  // the failed pass changed nothing

  Tensor z = sum_all(mul(x, x));
  run_backward(z, true);
  run_backward(z, true);
  run_backward(z);
  expect_values(grad_of(x), {2 + 6, 4 + 12});
}

TEST(Engine, InPlaceChangeOfASavedTensorIsDetected) {
  Tensor x = leaf({1, 2, 3}, Dims{3});
  Tensor c = from_values({4, 5, 6}, Dims{3});
  Tensor y = sum_all(mul(x, c));  // saves c at version 0
  add_(c, Scalar{1});
  expect_error<RuntimeError>([&] { run_backward(y); }, "[MulBackward0]",
                             {"modified by an inplace operation", "float64 tensor of shape (3,)",
                              "is at version 1", "expected version 0"});
  EXPECT_FALSE(grad_of(x));

  // a saved output (exp saves its result) changed in place through autograd
  Tensor e = exp(x);
  Tensor ye = sum_all(e);
  add_(e, Scalar{1});
  mul_(e, Scalar{2});
  expect_error<RuntimeError>([&] { run_backward(sum_all(e)); }, "[ExpBackward0]",
                             {"is at version 2", "expected version 0"});
  expect_error<RuntimeError>([&] { run_backward(ye); }, "[ExpBackward0]", {"(3,)"});
}

// ---- saved-tensor hooks (autograd.graph.saved_tensors_hooks) ----

// Packs a copy of the saved tensor away (returning its slot) and gives it back scaled.
struct SlotHooks : SavedTensorHooks {
  std::vector<Tensor> slots;
  int packs = 0, unpacks = 0;
  double scale = 1;
  std::shared_ptr<void> pack(const Tensor& t) override {
    ++packs;
    EXPECT_FALSE(saved_tensor_hooks());  // not active while a hook runs
    slots.push_back(clone(t));
    return std::make_shared<size_t>(slots.size() - 1);
  }
  Tensor unpack(const std::shared_ptr<void>& packed) override {
    ++unpacks;
    return mul(slots[*static_cast<size_t*>(packed.get())], Scalar{scale});
  }
};

TEST(Engine, SavedTensorHooksPackAtSaveAndUnpackAtBackward) {
  auto hooks = std::make_shared<SlotHooks>();
  Tensor x = leaf({1, 2, 3}, Dims{3});
  Tensor c = from_values({4, 5, 6}, Dims{3});
  saved_tensor_hooks() = hooks;
  Tensor y = sum_all(mul(x, c));  // saves c (x too, where needed)
  saved_tensor_hooks().reset();
  EXPECT_GE(hooks->packs, 1);
  EXPECT_EQ(hooks->unpacks, 0);
  add_(c, Scalar{1});  // packed: no version check (PyTorch's saved tensors with hooks)
  hooks->scale = 2;    // what unpack returns is what backward uses
  run_backward(y);
  EXPECT_GE(hooks->unpacks, 1);
  expect_values(grad_of(x), {8, 10, 12});
  // freed after the pass, as unpacked tensors
  expect_error<RuntimeError>([&] { run_backward(y); }, "[MulBackward0]", {"second time"});
  // without hooks set, nothing is packed
  int before = hooks->packs;
  Tensor z = sum_all(mul(x, c));
  run_backward(z);
  EXPECT_EQ(hooks->packs, before);
}

// ---- end-of-pass callbacks (Variable._execution_engine.queue_callback) ----

// A node that queues a callback (which queues another) when it runs.
struct Queuer : Node {
  std::vector<std::string>* log;
  explicit Queuer(std::vector<std::string>* l) : log(l) {}
  const char* name() const override { return "QueuerBackward"; }
  std::vector<Tensor> apply(const Tensor& g) override {
    log->push_back("node");
    EXPECT_TRUE(queue_end_of_pass([l = log] {
      l->push_back("end");
      EXPECT_TRUE(queue_end_of_pass([l] { l->push_back("end2"); }));
    }));
    return std::vector<Tensor>(next.size(), g);
  }
};

TEST(Engine, EndOfPassCallbacksRunAfterThePass) {
  std::vector<std::string> log;
  EXPECT_FALSE(queue_end_of_pass([&] { log.push_back("never"); }));  // no pass running
  Tensor x = leaf({1, 2}, Dims{2});
  Tensor out = zeros(Dims{2}, DType::Float64);
  attach(std::make_shared<Queuer>(&log), {&x}, out);
  run_backward(sum_all(out), true);
  EXPECT_EQ(log, (std::vector<std::string>{"node", "end", "end2"}));
  log.clear();
  grad({sum_all(out)}, {}, {x}, false, false);  // autograd.grad runs them too
  EXPECT_EQ(log, (std::vector<std::string>{"node", "end", "end2"}));
}

TEST(Engine, DataAliasIsTheEscapeHatch) {
  Tensor x = leaf({1, 2, 3}, Dims{3});
  Tensor c = from_values({4, 5, 6}, Dims{3});
  Tensor y = sum_all(mul(x, c));
  Tensor alias = data_alias(c);
  add_(alias, Scalar{1});  // changes c's values, not its version
  EXPECT_EQ(c->storage->version, 0u);
  run_backward(y);
  expect_values(grad_of(x), {5, 6, 7});
}

// ---- grad mode ----

TEST(Engine, NoGradRecordsNothing) {
  Tensor x = leaf({1, 2}, Dims{2});
  {
    GradModeGuard guard(false);
    EXPECT_FALSE(GradMode::enabled());
    Tensor y = mul(x, x);
    EXPECT_FALSE(y->requires_grad());
    EXPECT_FALSE(y->grad_fn());
    Tensor z = sum_all(exp(transpose(unsqueeze(x, 0), 0, 1)));
    EXPECT_FALSE(z->requires_grad());
    {
      GradModeGuard inner(true);
      EXPECT_TRUE(mul(x, x)->requires_grad());
    }
    EXPECT_FALSE(GradMode::enabled());
    bool other_thread = false;
    std::thread th([&] { other_thread = GradMode::enabled(); });
    th.join();
    EXPECT_TRUE(other_thread);  // grad mode is per thread
  }
  EXPECT_TRUE(GradMode::enabled());
  EXPECT_TRUE(mul(x, x)->requires_grad());
}

// ---- deep graphs ----

TEST(Engine, DeepChainBackwardAndDestructionWithoutRecursion) {
  constexpr int kDepth = 100000;
  Tensor x = leaf({0.5}, Dims{});
  Tensor y = x;
  for (int i = 0; i < kDepth; ++i) y = i % 2 ? add(y, Scalar{1}) : mul(y, Scalar{1});
  run_backward(y);
  expect_values(grad_of(x), {1});
  y.reset();  // frees 100,000 nodes

  Tensor z = x;  // a chain with saved tensors, destroyed without a backward
  const Tensor one = scalar(1);
  for (int i = 0; i < kDepth; ++i) z = mul(z, one);
  EXPECT_TRUE(z->requires_grad());
  z.reset();
}

// ---- autograd.grad ----

TEST(Engine, GradLeavesDotGradUntouched) {
  Tensor x = leaf({1, 2}, Dims{2}), w = leaf({3, -1}, Dims{2});
  Tensor h = mul(x, w);
  std::vector<Tensor> g = grad({sum_all(mul(h, h))}, {}, {x, h}, false, false);
  ASSERT_EQ(g.size(), 2u);
  Values want_x, want_h;  // d/dx = 2 h w, d/dh = 2 h, with h = x w
  for (int64_t i = 0; i < 2; ++i) {
    const double hv = at(x, {i}) * at(w, {i});
    want_x.push_back(2 * hv * at(w, {i}));
    want_h.push_back(2 * hv);
  }
  expect_values(g[0], want_x);
  expect_values(g[1], want_h);
  EXPECT_FALSE(grad_of(x));
  EXPECT_FALSE(grad_of(w));

  Tensor u = leaf({1}, Dims{1});
  expect_error<RuntimeError>([&] { grad({sum_all(mul(x, x))}, {}, {u}, false, false); }, "[grad]",
                             {"input 0"});
  std::vector<Tensor> none = grad({sum_all(mul(x, x))}, {}, {u}, false, true);
  EXPECT_FALSE(none[0]);
}

TEST(Engine, GradDoesNotAccumulateMmIntoDotGrad) {
  Tensor x = leaf({1, 2, 3, 4, 5, 6}, Dims{2, 3}), w = leaf({1, 0, -1, 2, 0.5, 3}, Dims{3, 2});
  run_backward(sum_all(mm(x, w)));
  const Values gx = values(grad_of(x)), gw = values(grad_of(w));
  const Tensor gx_tensor = grad_of(x);
  std::vector<Tensor> g = grad({sum_all(mm(x, w))}, {}, {x, w}, false, false);
  expect_values(g[0], gx);
  expect_values(g[1], gw);
  EXPECT_EQ(grad_of(x), gx_tensor);
  expect_values(grad_of(x), gx);  // not doubled
  expect_values(grad_of(w), gw);
}

// ---- mm accumulating straight into .grad (GEMM with beta = 1) ----

TEST(Engine, MmBackwardAccumulatesIntoExistingGrad) {
  std::mt19937 rng(72);
  Tensor x = random_tensor(Dims{5, 4}, DType::Float64, Layout::Contiguous, rng);
  Tensor w = random_tensor(Dims{4, 3}, DType::Float64, Layout::Contiguous, rng);
  x->meta().requires_grad = true;
  w->meta().requires_grad = true;
  Tensor ones = full(Dims{5, 3}, 1.0, DType::Float64);
  const Values want_x = ref_mm(ones, t(w)), want_w = ref_mm(t(x), ones);

  Tensor y = sum_all(mm(x, w));
  run_backward(y, true);
  expect_values(grad_of(x), want_x);
  expect_values(grad_of(w), want_w);
  const Tensor gx = grad_of(x);
  const uint64_t version = gx->storage->version;

  run_backward(y, true);  // both grads exist now: beta = 1 into them
  Values twice_x, twice_w;
  for (double v : want_x) twice_x.push_back(2 * v);
  for (double v : want_w) twice_w.push_back(2 * v);
  expect_values(grad_of(x), twice_x);
  expect_values(grad_of(w), twice_w);
  EXPECT_EQ(grad_of(x), gx);  // in place
  EXPECT_GT(gx->storage->version, version);

  run_backward(sum_all(mm(x, w)));  // a fresh graph, same leaves
  Values thrice_x;
  for (double v : want_x) thrice_x.push_back(3 * v);
  expect_values(grad_of(x), thrice_x);
}

TEST(Engine, MmBackwardWithANonContiguousExistingGrad) {
  Tensor x = leaf({1, 2, 3, 4, 5, 6}, Dims{2, 3}), w = leaf({1, 0, -1, 2, 0.5, 3}, Dims{3, 2});
  // .grad set by hand to a transposed (non-contiguous) tensor of zeros + 1
  x->autograd->grad = t(full(Dims{3, 2}, 1.0, DType::Float64));
  run_backward(sum_all(mm(x, w)));
  Values want;
  for (double v : ref_mm(full(Dims{2, 2}, 1.0, DType::Float64), t(w))) want.push_back(v + 1);
  expect_values(grad_of(x), want);
}

}  // namespace
}  // namespace pyag::test

namespace pyag::test {
namespace {

// ---- per-pass state: two passes over one retained graph in two threads ----

TEST(Engine, TwoThreadsRunPassesOverOneRetainedGraph) {
  std::mt19937 rng(7);
  Tensor x = random_tensor(Dims{32, 16}, DType::Float64, Layout::Contiguous, rng);
  x->meta().requires_grad = true;
  Tensor h = mul(x, x);
  Tensor loss = sum_all(add(mul(h, x), h));  // x reached three ways; d/dx = 3x^2 + 2x
  Values want;
  for (double v : values(x)) want.push_back(3 * v * v + 2 * v);
  std::vector<int> bad(2, 0);
  auto work = [&](int k) {
    for (int i = 0; i < 200; ++i) {
      std::vector<Tensor> g = grad({loss}, {}, {x}, true, false);
      const Values got = values(g[0]);
      for (size_t j = 0; j < got.size(); ++j)
        if (std::abs(got[j] - want[j]) > 1e-9 * (1 + std::abs(want[j]))) ++bad[k];
    }
  };
  std::thread a(work, 0), b(work, 1);
  a.join();
  b.join();
  EXPECT_EQ(bad[0] + bad[1], 0);
}

}  // namespace
}  // namespace pyag::test
