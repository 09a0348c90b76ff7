// The hooks of the capture/replay recorder (issue 14) at the kernel waist (cpp/ops/README.md).
//
// While a step is being captured, the thread that runs it has a recorder: every kernel entry
// point appends its call (kernel id, operands, scalar parameters) to the recorder's tape and then
// runs as usual; allocations made meanwhile are noted as the step's own buffers; and whatever
// cannot be replayed (a read of a tensor's value into Python, a loop outside the waist, a random
// draw) refuses, naming the op. When no thread records, each hook costs one load of a global
// counter and a branch.
#pragma once
#include <atomic>
#include <functional>
#include <initializer_list>
#include <memory>
#include <vector>

#include "kernels/decl.h"
#include "tensor/tensor.h"

namespace pyag {

enum class UnaryKernel : uint8_t;
enum class BinaryKernel : uint8_t;
enum class SoftmaxKernel : uint8_t;
enum class PointLoss : uint8_t;
enum class OptimKernel : uint8_t;
struct Arg;
struct OptimParam;
struct OptimHyper;

namespace capture {

class Recorder;

// How many threads are recording (the cheap test every hook makes first).
extern std::atomic<int> g_recording;
// This thread's recorder, or null (also null while a recorded kernel runs: nested kernel calls
// belong to the recorded one).
Recorder*& current();

inline Recorder* active() {
  if (g_recording.load(std::memory_order_relaxed) == 0) return nullptr;
  return current();
}

// Entered at the top of each entry point of the waist: hands out the recorder (to record the
// call) and suspends it until the kernel returns, so that the kernels it calls are not recorded.
class Waist {
 public:
  Waist() : r_(active()) {
    if (r_) current() = nullptr;
  }
  ~Waist() {
    if (r_) current() = r_;
  }
  Waist(const Waist&) = delete;
  Waist& operator=(const Waist&) = delete;
  explicit operator bool() const { return r_ != nullptr; }
  Recorder* operator->() const { return r_; }

 private:
  Recorder* r_;
};

// Throws "[compile] <op> cannot be captured: <why>" when this thread is recording.
void refuse_impl(const char* op, const char* why);
inline void refuse(const char* op, const char* why) {
  if (active()) refuse_impl(op, why);
}
// A new buffer (Storage::allocate) made while recording: it belongs to the step.
void note_alloc(const std::shared_ptr<Storage>& s);

// One operand of a kernel recorded generically (Recorder::kernel): read, written or both.
struct Operand {
  const Tensor* t;
  bool read, write;
};
inline Operand R(const Tensor& t) { return {&t, true, false}; }
inline Operand W(const Tensor& t) { return {&t, false, true}; }
inline Operand RW(const Tensor& t) { return {&t, true, true}; }
// Runs a recorded kernel again, on the tape's handles of its operands (in the order they were
// given; an absent operand is a null Tensor). At most 8 operands.
using Rerun = std::function<void(const Tensor* t)>;

// What the hooks record (defined in capture/recorder.cpp).
class Recorder {
 public:
  virtual ~Recorder() = default;
  virtual void unary(UnaryKernel k, const Tensor& out, const Tensor& a, const ScalarArgs& p) = 0;
  virtual void unary_grad(UnaryKernel k, const Tensor& out, const Tensor& g, const Tensor* x,
                          const Tensor* y, const ScalarArgs& p) = 0;
  virtual void binary(BinaryKernel k, const Tensor& out, const Arg& a, const Arg& b) = 0;
  virtual void binary_grad(BinaryKernel k, int side, const Tensor& out, const Tensor& g,
                           const Arg* a, const Arg* b, const Tensor* y) = 0;
  virtual void fill(const Tensor& t, double value) = 0;
  virtual void copy(const Tensor& dst, const Tensor& src) = 0;
  virtual void where(const Tensor& out, const Tensor& c, const Tensor& a, const Tensor& b) = 0;
  virtual void sum(const Tensor& out, const Tensor& in) = 0;
  virtual void extreme_all(const Tensor& out, const Tensor& in, bool is_max) = 0;
  virtual void extreme_dim(const Tensor& values, const Tensor& indices, const Tensor& in, int dim,
                           bool is_max) = 0;
  virtual void mm(const Tensor& out, const Tensor& a, const Tensor& b, double alpha,
                  double beta) = 0;
  virtual void softmax(SoftmaxKernel k, const Tensor& out, const Tensor& x, int dim) = 0;
  virtual void softmax_grad(SoftmaxKernel k, const Tensor& gi, const Tensor& g, const Tensor& y,
                            int dim) = 0;
  virtual void point_loss(PointLoss k, const Tensor& out, const Tensor& x, const Tensor& y,
                          const Tensor& w, const Tensor& pw, double param, double scale) = 0;
  virtual void point_loss_grad(PointLoss k, const Tensor& gx, const Tensor& gy, const Tensor& g,
                               const Tensor& x, const Tensor& y, const Tensor& w, const Tensor& pw,
                               double param, double scale) = 0;
  virtual void optim(OptimKernel k, const std::vector<OptimParam>& params, const OptimHyper& h) = 0;
  // Any other kernel: its name (for dump()), operands, and how to run it again. The scalar
  // parameters live in `rerun`'s captures.
  virtual void kernel(const char* name, std::initializer_list<Operand> operands, Rerun rerun) = 0;
  virtual void alloc(const std::shared_ptr<Storage>& s) = 0;
  virtual void backward() = 0;  // a backward pass starts
};

}  // namespace capture
}  // namespace pyag
