// Recording a step at the kernel waist and turning the recording into a tape (capture/tape.h).
#include <algorithm>
#include <sstream>

#include "capture/tape.h"
#include "kernels/elementwise.h"
#include "kernels/loss.h"
#include "kernels/softmax.h"

namespace pyag::capture {

std::atomic<int> g_recording{0};

Recorder*& current() {
  static thread_local Recorder* r = nullptr;
  return r;
}

void refuse_impl(const char* op, const char* why) {
  abort();
  fail("compile", op, " cannot be captured: ", why);
}

void note_alloc(const std::shared_ptr<Storage>& s) {
  if (Recorder* r = active()) r->alloc(s);
}

namespace {

// A handle of the tape on x's elements (its own TensorImpl: no autograd state).
Tensor snap(const Tensor& x) {
  auto t = std::make_shared<TensorImpl>();
  t->storage = x->storage;
  t->shape = x->shape;
  t->strides = x->strides;
  t->offset = x->offset;
  t->numel = x->numel;
  t->dtype = x->dtype;
  return t;
}

Tensor snap_or_null(const Tensor* x) { return x && *x ? snap(*x) : nullptr; }

BoundGuard guard_of(const Tensor& t) {
  BoundGuard g;
  g.t = t;
  g.offset = t->offset;
  g.shape = t->shape;
  g.strides = t->strides;
  g.dtype = t->dtype;
  g.requires_grad = t->requires_grad();
  const Tensor* grad = t->autograd ? &t->autograd->grad : nullptr;
  g.has_grad = grad && *grad;
  if (g.has_grad) {
    g.grad_shape = (*grad)->shape;
    g.grad_strides = (*grad)->strides;
  }
  return g;
}

class TapeRecorder final : public Recorder {
 public:
  std::vector<Call> calls;
  std::unordered_map<const void*, std::shared_ptr<Storage>> allocated;
  std::vector<Tensor> args;
  std::vector<BoundGuard> bound;
  std::vector<Tensor> entry_grads;  // per bound tensor, its .grad at entry
  bool grad_mode = true;

  Call& add(Kind k, uint8_t id) {
    calls.emplace_back();
    Call& c = calls.back();
    c.kind = k;
    c.id = id;
    return c;
  }
  static void put(Call& c, int i, const Tensor* x, bool read, bool write) {
    if (!x || !*x) return;
    c.t[i] = snap(*x);
    if (read) c.reads |= static_cast<uint8_t>(1u << i);
    if (write) c.writes |= static_cast<uint8_t>(1u << i);
  }

  void unary(UnaryKernel k, const Tensor& out, const Tensor& a, const ScalarArgs& p) override {
    Call& c = add(Kind::Unary, static_cast<uint8_t>(k));
    put(c, 0, &out, false, true);
    put(c, 1, &a, true, false);
    c.p = p;
  }
  void unary_grad(UnaryKernel k, const Tensor& out, const Tensor& g, const Tensor* x,
                  const Tensor* y, const ScalarArgs& p) override {
    Call& c = add(Kind::UnaryGrad, static_cast<uint8_t>(k));
    put(c, 0, &out, false, true);
    put(c, 1, &g, true, false);
    put(c, 2, x, true, false);
    put(c, 3, y, true, false);
    c.p = p;
  }
  static void put_arg(Call& c, int i, const Arg* a) {
    if (!a) {
      c.scalar_mask |= static_cast<uint8_t>(4u << (i - 1));
    } else if (a->t) {
      put(c, i, a->t, true, false);
    } else {
      c.scalar_mask |= static_cast<uint8_t>(1u << (i - 1));
      c.s[i - 1] = a->s;
    }
  }
  void binary(BinaryKernel k, const Tensor& out, const Arg& a, const Arg& b) override {
    Call& c = add(Kind::Binary, static_cast<uint8_t>(k));
    put(c, 0, &out, false, true);
    put_arg(c, 1, &a);
    put_arg(c, 2, &b);
  }
  void binary_grad(BinaryKernel k, int side, const Tensor& out, const Tensor& g, const Arg* a,
                   const Arg* b, const Tensor* y) override {
    Call& c = add(Kind::BinaryGrad, static_cast<uint8_t>(k));
    c.iarg = side;
    put(c, 0, &out, false, true);
    put_arg(c, 1, a);
    put_arg(c, 2, b);
    put(c, 3, &g, true, false);
    put(c, 4, y, true, false);
  }
  void fill(const Tensor& t, double value) override {
    Call& c = add(Kind::Fill, 0);
    put(c, 0, &t, false, true);
    c.s[0] = value;
  }
  void copy(const Tensor& dst, const Tensor& src) override {
    Call& c = add(Kind::Copy, 0);
    put(c, 0, &dst, false, true);
    put(c, 1, &src, true, false);
  }
  void where(const Tensor& out, const Tensor& cond, const Tensor& a, const Tensor& b) override {
    Call& c = add(Kind::Where, 0);
    put(c, 0, &out, false, true);
    put(c, 1, &cond, true, false);
    put(c, 2, &a, true, false);
    put(c, 3, &b, true, false);
  }
  void sum(const Tensor& out, const Tensor& in) override {
    Call& c = add(Kind::Sum, 0);
    put(c, 0, &out, true, true);  // accumulates
    put(c, 1, &in, true, false);
  }
  void extreme_all(const Tensor& out, const Tensor& in, bool is_max) override {
    Call& c = add(Kind::ExtremeAll, 0);
    c.iarg = is_max;
    put(c, 0, &out, false, true);
    put(c, 1, &in, true, false);
  }
  void extreme_dim(const Tensor& values, const Tensor& indices, const Tensor& in, int dim,
                   bool is_max) override {
    Call& c = add(Kind::ExtremeDim, static_cast<uint8_t>(is_max));
    c.iarg = dim;
    put(c, 0, &values, false, true);
    put(c, 1, &indices, false, true);
    put(c, 2, &in, true, false);
  }
  void mm(const Tensor& out, const Tensor& a, const Tensor& b, double alpha, double beta) override {
    Call& c = add(Kind::Mm, 0);
    put(c, 0, &out, beta != 0, true);
    put(c, 1, &a, true, false);
    put(c, 2, &b, true, false);
    c.s[0] = alpha;
    c.s[1] = beta;
  }
  void softmax(SoftmaxKernel k, const Tensor& out, const Tensor& x, int dim) override {
    Call& c = add(Kind::Softmax, static_cast<uint8_t>(k));
    c.iarg = dim;
    put(c, 0, &out, false, true);
    put(c, 1, &x, true, false);
  }
  void softmax_grad(SoftmaxKernel k, const Tensor& gi, const Tensor& g, const Tensor& y,
                    int dim) override {
    Call& c = add(Kind::SoftmaxGrad, static_cast<uint8_t>(k));
    c.iarg = dim;
    put(c, 0, &gi, false, true);
    put(c, 1, &g, true, false);
    put(c, 2, &y, true, false);
  }
  void point_loss(PointLoss k, const Tensor& out, const Tensor& x, const Tensor& y, const Tensor& w,
                  const Tensor& pw, double param, double scale) override {
    Call& c = add(Kind::PointLoss, static_cast<uint8_t>(k));
    put(c, 0, &out, false, true);
    put(c, 1, &x, true, false);
    put(c, 2, &y, true, false);
    put(c, 3, &w, true, false);
    put(c, 4, &pw, true, false);
    c.s[0] = param;
    c.s[1] = scale;
  }
  void point_loss_grad(PointLoss k, const Tensor& gx, const Tensor& gy, const Tensor& g,
                       const Tensor& x, const Tensor& y, const Tensor& w, const Tensor& pw,
                       double param, double scale) override {
    Call& c = add(Kind::PointLossGrad, static_cast<uint8_t>(k));
    put(c, 0, &gx, false, true);
    put(c, 1, &gy, false, true);
    put(c, 2, &g, true, false);
    put(c, 3, &x, true, false);
    put(c, 4, &y, true, false);
    put(c, 5, &w, true, false);
    put(c, 6, &pw, true, false);
    c.s[0] = param;
    c.s[1] = scale;
  }
  void optim(OptimKernel k, const std::vector<OptimParam>& params, const OptimHyper& h) override {
    Call& c = add(Kind::Optim, static_cast<uint8_t>(k));
    c.optim = std::make_shared<OptimCall>();
    c.optim->k = k;
    c.optim->h = h;
    for (const OptimParam& p : params) {
      OptimParam q;
      q.param = snap_or_null(&p.param);
      q.grad = snap_or_null(&p.grad);
      for (int s = 0; s < 3; ++s) q.state[s] = snap_or_null(&p.state[s]);
      q.step = snap_or_null(&p.step);
      q.fresh = p.fresh;
      c.optim->params.push_back(std::move(q));
    }
  }
  void kernel(const char* name, std::initializer_list<Operand> operands, Rerun rerun) override {
    if (operands.size() > static_cast<size_t>(kMaxOperands))
      fail("compile", "internal: ", name, " has more than ", kMaxOperands, " operands");
    Call& c = add(Kind::Kernel, 0);
    c.name = name;
    int i = 0;
    for (const Operand& o : operands) put(c, i++, o.t, o.read, o.write);
    c.rerun = std::move(rerun);
  }
  void alloc(const std::shared_ptr<Storage>& s) override { allocated.emplace(s->data, s); }
  void backward() override { backward_passes++; }
  int backward_passes = 0;
};

TapeRecorder*& mine() {
  static thread_local TapeRecorder* r = nullptr;
  return r;
}

// Calls fn(tensor, read, written) for each operand of c.
template <class F>
void for_each_operand(Call& c, F&& fn) {
  if (c.optim) {
    for (OptimParam& p : c.optim->params) {
      fn(p.param, true, true);
      fn(p.grad, true, false);
      for (Tensor& s : p.state) fn(s, true, true);
      fn(p.step, true, true);
    }
    return;
  }
  for (int i = 0; i < kMaxOperands; ++i) fn(c.t[i], (c.reads >> i) & 1, (c.writes >> i) & 1);
}

}  // namespace

void begin(const std::vector<Tensor>& args, const std::vector<Tensor>& candidates, bool grad_mode) {
  if (mine()) fail("compile", "a capture is already running on this thread");
  // The recorder notes the buffers a recorded step allocates (the step's own). tensor/, which
  // allocates them, includes no higher layer: it is told through its observer, plugged in here
  // by the first capture (note_alloc does nothing while no capture runs).
  set_storage_observer(&note_alloc);
  auto* r = new TapeRecorder();
  r->args = args;
  r->grad_mode = grad_mode;
  std::unordered_set<const TensorImpl*> seen;
  auto add = [&](const Tensor& t) {
    if (!t || !seen.insert(t.get()).second) return;
    r->bound.push_back(guard_of(t));
    r->entry_grads.push_back(t->autograd ? t->autograd->grad : nullptr);
  };
  for (const Tensor& t : candidates) {
    add(t);
    if (t && t->autograd) add(t->autograd->grad);
  }
  mine() = r;
  current() = r;
  g_recording.fetch_add(1);
}

bool recording() { return mine() != nullptr; }

void abort() {
  TapeRecorder* r = mine();
  if (!r) return;
  mine() = nullptr;
  current() = nullptr;
  g_recording.fetch_sub(1);
  delete r;
}

std::unique_ptr<Tape> finish(const std::vector<Tensor>& outputs, bool exact) {
  std::unique_ptr<TapeRecorder> r(mine());
  if (!r) fail("compile", "no capture is running on this thread");
  mine() = nullptr;
  current() = nullptr;
  g_recording.fetch_sub(1);

  auto tape = std::make_unique<Tape>();
  tape->grad_mode = r->grad_mode;
  tape->stats.backward_passes = r->backward_passes;
  tape->calls = std::move(r->calls);

  // Arguments: their buffers, and which share one.
  std::unordered_map<const void*, int> arg_of;
  for (size_t i = 0; i < r->args.size(); ++i) {
    const Tensor& a = r->args[i];
    ArgGuard g{a->dtype, a->shape, a->strides, -1};
    auto [it, fresh] = arg_of.emplace(a->storage->data, static_cast<int>(i));
    if (!fresh) g.alias_of = it->second;
    tape->args.push_back(g);
  }
  // Bound tensors: which buffer each one (or its .grad) is the witness of.
  std::unordered_map<const void*, std::vector<size_t>> witness, grad_witness;
  for (size_t i = 0; i < r->bound.size(); ++i) {
    const BoundGuard& b = r->bound[i];
    witness[b.t->storage->data].push_back(i);
    if (b.has_grad) grad_witness[b.t->autograd->grad->storage->data].push_back(i);
  }
  auto label = [&](const void* d, const std::string& name) {
    if (tape->label_of.emplace(d, static_cast<int>(tape->labels.size())).second)
      tape->labels.push_back(name);
  };
  std::unordered_set<const void*> written;  // internal buffers written so far
  std::unordered_set<const void*> bound_written;
  int64_t nint = 0;
  for (size_t ci = 0; ci < tape->calls.size(); ++ci) {
    Call& c = tape->calls[ci];
    for_each_operand(c, [&](Tensor& t, bool read, bool write) {
      if (!t) return;
      const void* d = t->storage->data;
      if (auto a = arg_of.find(d); a != arg_of.end()) {
        tape->rebinds.push_back({t.get(), a->second, t->offset - r->args[a->second]->offset});
        label(d, "arg" + std::to_string(a->second));
        return;
      }
      if (auto in = r->allocated.find(d); in != r->allocated.end()) {
        if (read && !written.count(d)) {
          std::ostringstream os;
          os << "call " << ci << " (" << kind_name(c.kind) << ") reads a " << describe(t)
             << " made inside the step but filled outside the recorded kernels (data from "
                "Python such as torch.tensor([...]), or an op whose loop is not behind the "
                "kernel waist); create it outside the step or pass it as an argument";
          fail("compile", os.str());
        }
        if (write) written.insert(d);
        if (tape->internal_data.insert(d).second) {
          tape->internal.push_back(in->second);
          tape->stats.planned_bytes += static_cast<int64_t>(in->second->nbytes);
          label(d, "buf" + std::to_string(nint++));
        }
        return;
      }
      auto w = witness.find(d);
      auto gw = grad_witness.find(d);
      if (w == witness.end() && gw == grad_witness.end())
        fail("compile", "call ", ci, " (", kind_name(c.kind), ") uses a ", describe(t),
             " that is neither an argument of the step nor reachable from its globals, "
             "closure, modules or optimizers; pass it as an argument");
      if (w != witness.end()) {
        for (size_t i : w->second) r->bound[i].data = d;
        label(d, "bound" + std::to_string(w->second.front()));
      }
      if (gw != grad_witness.end()) {
        for (size_t i : gw->second) {
          BoundGuard& b = r->bound[i];
          b.grad_data = d;
        }
        label(d, "bound" + std::to_string(gw->second.front()) + ".grad");
      }
      if (write && bound_written.insert(d).second) tape->written_bound.push_back(t->storage);
    });
  }
  // .grad rebound by the step (zero_grad(set_to_none), a first backward): replay redoes it.
  for (size_t i = 0; i < r->bound.size(); ++i) {
    BoundGuard& b = r->bound[i];
    Tensor exit = b.t->autograd ? b.t->autograd->grad : nullptr;
    if (exit != r->entry_grads[i]) {
      if (exit && !tape->internal_data.count(exit->storage->data) &&
          !witness.count(exit->storage->data) && !grad_witness.count(exit->storage->data))
        fail("compile", "the step sets the .grad of a ", describe(b.t),
             " to a tensor that is neither made by the step nor reachable; replay could not "
             "redo it");
      b.fix_grad = true;
      b.exit_grad = exit;
    }
  }
  // Outputs.
  for (const Tensor& o : outputs) {
    Output out;
    out.view = snap(o);
    const void* d = o->storage->data;
    if (auto a = arg_of.find(d); a != arg_of.end()) {
      out.arg = a->second;
      out.delta = o->offset - r->args[a->second]->offset;
    } else if (tape->internal_data.count(d) || r->allocated.count(d)) {
      out.copy = true;
      if (!tape->internal_data.count(d)) {
        // made by the step but never touched by a kernel (e.g. a view of a new empty tensor)
        if (!written.count(d) && o->numel > 0)
          fail("compile", "the step returns a ", describe(o),
               " that no recorded kernel wrote (filled outside the kernel waist)");
      }
    } else if (!witness.count(d) && !grad_witness.count(d)) {
      fail("compile", "the step returns a ", describe(o),
           " that is neither an argument, made by the step, nor reachable from its globals");
    }
    tape->outputs.push_back(std::move(out));
  }
  {
    std::unordered_set<const void*> bound_bufs, returned;
    for (const auto& [d, v] : witness) bound_bufs.insert(d);
    for (const auto& [d, v] : grad_witness) bound_bufs.insert(d);
    for (const Tensor& o : outputs) returned.insert(o->storage->data);
    if (!exact) tape->stats.fusions = fuse(*tape, bound_bufs, returned);
    // The elementwise chains are bitwise the same as the calls they replace: on under exact.
    std::unordered_set<const void*> keep = returned;
    for (const BoundGuard& b : r->bound)
      if (b.fix_grad && b.exit_grad) keep.insert(b.exit_grad->storage->data);
    tape->stats.fusions += fuse_chains(*tape, bound_bufs, keep);
  }
  {
    // Buffers that outlive the step keep their own memory: outputs, .grads the step sets.
    std::unordered_set<const void*> pinned;
    for (const Tensor& o : outputs) pinned.insert(o->storage->data);
    for (const BoundGuard& b : r->bound)
      if (b.fix_grad && b.exit_grad) pinned.insert(b.exit_grad->storage->data);
    plan_memory(*tape, pinned);
  }
  // Guard only what replay relies on: the tensors whose storage (or .grad's) the tape uses,
  // those whose .grad it rebinds, and those requiring grad (a toggle changes the step).
  for (BoundGuard& b : r->bound)
    if (b.data || b.grad_data || b.fix_grad || b.requires_grad) tape->bound.push_back(std::move(b));
  for (const Call& c : tape->calls) {
    if (c.optim) {
      for (const OptimParam& p : c.optim->params) tape->stats.work += p.param->numel;
    } else if (c.kind == Kind::Mm) {
      tape->stats.work += c.t[1]->shape[0] * c.t[1]->shape[1] * c.t[2]->shape[1];
    } else {
      for (const Tensor& t : c.t)
        if (t) tape->stats.work += t->numel;
    }
  }
  tape->stats.records = static_cast<int64_t>(tape->calls.size());
  tape->stats.internal_buffers = static_cast<int64_t>(tape->internal.size());
  tape->stats.bound = static_cast<int64_t>(tape->bound.size());
  tape->prepare();
  return tape;
}

}  // namespace pyag::capture
