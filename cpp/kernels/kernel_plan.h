// A kernel call resolved once: the elementwise entry points of the waist (kernels/elementwise.h,
// sum_into) split into a plan (the kernel body for the operands' dtype, and the coalesced loop
// over their shapes and strides) and its run. Each entry point makes its plan and runs it at
// once; pyautograd.compile's replay (capture/tape.cpp) makes the plan of each recorded call once
// per tape and runs it at every replay: the dtype dispatch, the kernel lookup, the broadcasting
// and the coalescing of the loop are not redone, only the operands' addresses are read again
// (an argument of the step is rebound to new memory at each replay).
//
// A plan keeps raw pointers to its operands' TensorImpls: their owner keeps them alive, and a
// plan is valid only while they keep the dtype, shape and strides they had when it was made
// (their storage and offset may change: run() reads them). The tape guarantees it: its handles'
// geometry never changes, and its guards re-capture when a tensor it binds changes.
#pragma once
#include <cstring>

#include "kernels/elementwise.h"
#include "kernels/loop.h"

namespace pyag {

struct KernelPlan {
  using Body = void (*)(const KernelPlan&);
  Body body = nullptr;  // null: no plan
  Loop loop;            // shape and byte strides; ptr[] are set by run()
  // Per loop operand: its tensor, or null for a scalar operand held in slot[k].
  const TensorImpl* ops[kMaxOperands];
  int64_t isz[kMaxOperands];  // per tensor operand, its item size
  alignas(8) unsigned char slot[kMaxOperands][8];
  ScalarArgs p;  // the kernel's scalar parameters (after the op's prepare)

  // Starts the loop over `shape`, with no operands.
  void over(const Dims& shape) { loop.start(shape); }
  void add(const Tensor& t) {
    ops[loop.nops] = t.get();
    isz[loop.nops] = static_cast<int64_t>(itemsize(t->dtype));
    loop.add(t);
  }
  // A scalar operand (broadcast to every element), held by the plan as the compute type.
  template <class T>
  void add_scalar(T v) {
    const int k = loop.nops;
    static_assert(sizeof(T) <= sizeof(slot[0]));
    std::memcpy(slot[k], &v, sizeof(T));
    ops[k] = nullptr;
    loop.add_scalar(slot[k]);
  }

  // Runs the call on the operands' current memory.
  void run() {
    for (int k = 0; k < loop.nops; ++k)  // as TensorImpl::data(), the item size resolved
      loop.ptr[k] = ops[k] ? static_cast<char*>(ops[k]->storage->data) + ops[k]->offset * isz[k]
                           : reinterpret_cast<char*>(slot[k]);
    body(*this);
  }
};

// The plans of the waist's entry points of the same names and arguments (each entry point runs
// exactly its plan). They check what the entry point checks and throw the same errors.
void plan_unary(KernelPlan& plan, UnaryKernel k, const Tensor& out, const Tensor& a,
                const ScalarArgs& p);
void plan_unary_grad(KernelPlan& plan, UnaryKernel k, const Tensor& out, const Tensor& g,
                     const Tensor* x, const Tensor* y, const ScalarArgs& p);
void plan_binary(KernelPlan& plan, BinaryKernel k, const Tensor& out, Arg a, Arg b);
void plan_binary_grad(KernelPlan& plan, BinaryKernel k, int side, const Tensor& out,
                      const Tensor& g, const Arg* a, const Arg* b, const Tensor* y);
void plan_fill(KernelPlan& plan, const Tensor& t, double value);
void plan_copy(KernelPlan& plan, const Tensor& dst, const Tensor& src);
void plan_where(KernelPlan& plan, const Tensor& out, const Tensor& cond, const Tensor& a,
                const Tensor& b);
void plan_sum(KernelPlan& plan, const Tensor& out, const Tensor& in);

}  // namespace pyag
