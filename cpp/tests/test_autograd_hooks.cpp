// Gradient hooks from C++ (autograd/hooks.h): order, replacement, removal, post-accumulate
// timing and the checks on what a hook returns. Python's side is tests/test_autograd_hooks.py.
#include <gtest/gtest.h>

#include "autograd/engine.h"
#include "autograd/hooks.h"
#include "ops/ops.h"
#include "test_util.h"

namespace pyag::test {
namespace {

TEST(Hooks, RunInOrderBeforeAccumulationAndPostSeesTheFinalGrad) {
  Tensor x = leaf({1, 2}, Dims{2});
  std::vector<std::string> log;
  register_hook(x, [&](const Tensor& g) {
    log.push_back("double");
    return mul(g, 2.0);
  });
  register_hook(x, [&](const Tensor& g) {
    log.push_back("see " + std::to_string(values(g)[0]));
    return Tensor();
  });
  register_post_accumulate_grad_hook(x, [&](const Tensor& t) {
    log.push_back("post " + std::to_string(values(t->autograd->grad)[0]));
  });
  // two contributions (3x and 4x): the hooks see their sum once
  backward({sum(add(mul(x, 3.0), mul(x, 4.0)), {}, false)}, {}, false);
  EXPECT_EQ(log, (std::vector<std::string>{"double", "see 14.000000", "post 14.000000"}));
  expect_values(x->autograd->grad, {14, 14}, tol_for(DType::Float64));
}

TEST(Hooks, RemovedHooksDoNotRunAndRemovingTwiceIsFine) {
  Tensor x = leaf({1}, Dims{1});
  int calls = 0;
  HookHandle h = register_hook(x, [&](const Tensor&) {
    ++calls;
    return Tensor();
  });
  h.remove();
  h.remove();
  backward({sum(mul(x, 2.0), {}, false)}, {}, false);
  EXPECT_EQ(calls, 0);
}

TEST(Hooks, NonLeafHooksLiveOnTheNodeAndReplaceTheGradient) {
  Tensor x = leaf({1, 2}, Dims{2});
  Tensor y = mul(x, 2.0);
  register_hook(y, [](const Tensor& g) { return mul(g, 10.0); });
  Tensor loss = sum(y, {}, false);
  y.reset();  // the node keeps the hook
  backward({loss}, {}, false);
  expect_values(x->autograd->grad, {20, 20}, tol_for(DType::Float64));
}

TEST(Hooks, AReturnedGradientOfAnotherShapeOrDtypeIsAnError) {
  Tensor x = leaf({1, 2}, Dims{2});
  register_hook(x, [](const Tensor&) { return zeros(Dims{3}, DType::Float64); });
  EXPECT_THROW(
      {
        try {
          backward({sum(mul(x, 2.0), {}, false)}, {}, false);
        } catch (const RuntimeError& e) {
          EXPECT_NE(std::string(e.what()).find("changed the size of value"), std::string::npos);
          throw;
        }
      },
      RuntimeError);
  Tensor z = leaf({1, 2}, Dims{2});
  register_hook(z, [](const Tensor& g) { return zeros(g->shape, DType::Float32); });
  EXPECT_THROW(backward({sum(mul(z, 2.0), {}, false)}, {}, false), RuntimeError);
}

TEST(Hooks, RegistrationErrorsAsPyTorch) {
  Tensor plain = zeros(Dims{2}, DType::Float64);
  EXPECT_THROW(register_hook(plain, [](const Tensor&) { return Tensor(); }), RuntimeError);
  Tensor x = leaf({1, 2}, Dims{2});
  Tensor y = mul(x, 2.0);
  EXPECT_THROW(register_post_accumulate_grad_hook(y, [](const Tensor&) {}), RuntimeError);
}

TEST(Hooks, AutogradGradRunsTensorHooksButNoPostHook) {
  Tensor x = leaf({1, 2}, Dims{2});
  int post = 0;
  register_hook(x, [](const Tensor& g) { return mul(g, 3.0); });
  register_post_accumulate_grad_hook(x, [&](const Tensor&) { ++post; });
  std::vector<Tensor> g = grad({sum(mul(x, 2.0), {}, false)}, {}, {x}, false, false);
  expect_values(g[0], {6, 6}, tol_for(DType::Float64));
  EXPECT_EQ(post, 0);
  EXPECT_FALSE(x->autograd->grad);
}

}  // namespace
}  // namespace pyag::test
