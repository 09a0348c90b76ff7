// The backward pass: collects the nodes reachable from the roots without recursion, checks
// them, runs them in descending sequence order, sums every gradient back to its input's shape,
// and accumulates into leaves (or captures the gradients of given inputs, for autograd.grad).
#pragma once
#include <functional>
#include <vector>

#include "tensor/tensor.h"

namespace pyag {

// create_graph: the gradients are computed by recorded ops, so that they can be differentiated
// again (Node::apply_graph); grad mode is on while the pass runs.
void backward(const std::vector<Tensor>& roots, const std::vector<Tensor>& grads, bool retain_graph,
              bool create_graph = false);
// create_graph=True for a fused op whose node has no closed form of its gradient as ops: the
// gradients of f(inputs) (f: the op recomposed from differentiable ops) along g, recorded.
// inputs carry their history (null or not requiring grad: no gradient, an empty result).
std::vector<Tensor> grad_by_recompute(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                                      const std::vector<Tensor>& inputs, const Tensor& g);

// Variable._execution_engine.queue_callback: fn runs when the innermost backward pass (backward
// or grad) running on this thread ends, after its gradients are delivered (callbacks queued by
// callbacks run too); a pass that fails drops them. False (nothing queued) outside a pass.
bool queue_end_of_pass(std::function<void()> fn);

// Gradients of roots w.r.t. inputs; .grad is left untouched. Empty tensors for unused inputs
// (an error unless allow_unused).
std::vector<Tensor> grad(const std::vector<Tensor>& roots, const std::vector<Tensor>& grads,
                         const std::vector<Tensor>& inputs, bool retain_graph, bool allow_unused,
                         bool create_graph = false);

}  // namespace pyag
