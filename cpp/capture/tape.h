// A captured step: the kernel calls of one run of a function, on planned buffers, replayed in one
// C++ call (issue 14). See capture/hooks.h for how calls are recorded at the kernel waist.
//
// Every operand of a recorded call is classified by the buffer it lives in:
//   argument  a tensor argument of the step: rebound by pointer at each replay;
//   bound     a tensor that existed before the step (a parameter, a .grad, optimizer state),
//             reached by the caller from the function's globals/closures/modules ("candidates"):
//             replay reads and writes its storage; guards check it still has that storage;
//   internal  a buffer the step allocated: kept by the tape and reused by every replay (a static
//             memory plan: no allocation per replay).
// A buffer that is none of these (a tensor the caller could not reach) refuses the capture, as
// does an internal buffer that is read before any recorded kernel wrote it (it was filled by
// something outside the waist).
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "capture/hooks.h"
#include "kernels/kernel_plan.h"
#include "kernels/optim.h"

namespace pyag::capture {

enum class Kind : uint8_t {
  Unary,
  UnaryGrad,
  Binary,
  BinaryGrad,
  Fill,
  Copy,
  Where,
  Sum,
  ExtremeAll,
  ExtremeDim,
  Mm,
  Softmax,
  SoftmaxGrad,
  PointLoss,
  PointLossGrad,
  Optim,
  Kernel,     // recorded generically: Call::rerun runs it
  SubScaled,  // a fusion: t0 = t0 - s0 * t1 (kernels/fused.h)
};
const char* kind_name(Kind k);

constexpr int kMaxOperands = 8;

// The tensors of one optimizer call (their TensorImpls are the tape's operand handles).
struct OptimCall {
  OptimKernel k{};
  OptimHyper h;
  std::vector<OptimParam> params;
};

// One recorded kernel call. Operands are the tape's own tensor handles (same storage, shape,
// strides and offset as at capture; an argument's are re-pointed at each replay).
struct Call {
  Kind kind{};
  uint8_t id = 0;           // the kernel id within its family
  int iarg = 0;             // binary_grad side, reduction dim, softmax dim, is_max
  uint8_t reads = 0;        // bit i: operand i is read
  uint8_t writes = 0;       // bit i: operand i is written
  uint8_t scalar_mask = 0;  // binary: bit 0 a is a scalar, bit 1 b is; bit 2/3: a/b missing
  Tensor t[kMaxOperands];   // null when absent
  ScalarArgs p;             // unary parameters
  double s[2] = {0, 0};     // binary scalars, fill value, mm alpha/beta, loss param/scale
  std::shared_ptr<OptimCall> optim;
  const char* name = nullptr;  // Kind::Kernel
  Rerun rerun;                 // Kind::Kernel
};

// Per tensor the caller reached (a candidate): what replay relies on.
struct BoundGuard {
  Tensor t;
  const void* data = nullptr;  // storage checked only when the tape uses it (else null)
  int64_t offset = 0;
  Dims shape, strides;
  DType dtype{};
  bool requires_grad = false;
  bool has_grad = false;
  const void* grad_data = nullptr;  // checked when the tape uses the .grad's storage
  Dims grad_shape, grad_strides;
  bool fix_grad = false;  // the step rebinds .grad: replay sets it to exit_grad
  Tensor exit_grad;
};

struct ArgGuard {
  DType dtype{};
  Dims shape, strides;
  int alias_of = -1;  // index of an earlier argument sharing its buffer, or -1
};

struct Rebind {
  TensorImpl* impl;
  int arg;
  int64_t delta;  // offset relative to the argument's
};

struct Output {
  Tensor view;   // the tape's handle on the result
  int arg = -1;  // lives in an argument's buffer
  int64_t delta = 0;
  bool copy = false;  // lives in an internal buffer: returned as a fresh copy
};

struct TapeStats {
  int64_t records = 0, internal_buffers = 0, planned_bytes = 0, bound = 0, replays = 0;
  int64_t backward_passes = 0;  // during the capture
  int64_t fusions = 0;
  int64_t work = 0;      // elements written plus GEMM multiply-adds: a replay's size, roughly
  int64_t prepared = 0;  // calls replayed through a prepared plan (kernels/kernel_plan.h)
};

class Tape {
 public:
  std::vector<Call> calls;
  std::vector<ArgGuard> args;
  std::vector<BoundGuard> bound;
  std::vector<Rebind> rebinds;
  std::vector<Output> outputs;
  std::vector<std::shared_ptr<Storage>> internal;  // the planned buffers
  std::unordered_set<const void*> internal_data;
  std::vector<std::shared_ptr<Storage>> written_bound;  // storages whose versions replay bumps
  std::vector<Tensor> zero_at_entry;  // buffers a fusion relies on being zero (guarded)
  std::vector<Call> fused_away;       // calls replaced by fusions (their handles stay alive)
  std::vector<std::string> labels;    // per operand buffer, for dump()
  std::unordered_map<const void*, int> label_of;
  // Per call: its kernel resolved once (dtype, loop), or no body (the call is replayed through
  // its entry point). Made by prepare(), after the last change to the calls and their handles.
  std::vector<KernelPlan> plans;
  bool grad_mode = true;
  TapeStats stats;
  std::mutex mu;  // held by a replay (the tensor handles are re-pointed)

  // "" when the guards hold for these arguments (and the bound tensors' current state), else
  // the first reason they do not.
  std::string check(const std::vector<Tensor>& a) const;
  // Runs every call (guards already checked; may be called without the GIL) and returns the
  // outputs. reuse (may be null): a tensor that nothing else references (the caller's last
  // result, since dropped), to receive the first output instead of a new tensor when that
  // output is a copy of the same dtype and shape (else it is left alone).
  std::vector<Tensor> replay(const std::vector<Tensor>& a, const Tensor* reuse = nullptr);
  // Resolves the elementwise calls once (plans): replay then runs each as a tight call.
  void prepare();
  std::string dump() const;
};

// Recording on this thread, from begin() to finish() or abort(). begin() snapshots the
// arguments and the candidates (tensors the caller reached; their .grads are added) as the
// guards' reference state.
void begin(const std::vector<Tensor>& args, const std::vector<Tensor>& candidates, bool grad_mode);
bool recording();
void abort();
// Ends the recording and builds the tape; throws (and ends it) when the step cannot be replayed.
// exact: no fusion (capture/fuse.cpp).
std::unique_ptr<Tape> finish(const std::vector<Tensor>& outputs, bool exact = true);
// Applies the fusions to a tape whose operands are classified (bound: the buffers of bound
// tensors; returned: the buffers of the outputs); returns how many it made.
int fuse(Tape& tape, const std::unordered_set<const void*>& bound,
         const std::unordered_set<const void*>& returned);
// The elementwise fusion (capture/fuse_chain.cpp): chains of elementwise calls become one pass
// each; bitwise the same, so applied under exact too. keep: buffers that outlive the step
// (returned, set as a .grad). Returns how many chains it made.
int fuse_chains(Tape& tape, const std::unordered_set<const void*>& bound,
                const std::unordered_set<const void*>& keep);
// The memory plan (capture/plan.cpp): internal buffers whose lives (first to last call) do not
// overlap share one allocation; those in `pinned` (they outlive the step) keep their own.
void plan_memory(Tape& tape, const std::unordered_set<const void*>& pinned);

}  // namespace pyag::capture
