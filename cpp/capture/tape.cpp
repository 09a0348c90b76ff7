// Guards, replay and dump of a captured step (capture/tape.h).
#include "capture/tape.h"

#include <cstring>
#include <sstream>

#include "kernels/elementwise.h"
#include "kernels/fused.h"
#include "kernels/gemm.h"
#include "kernels/loss.h"
#include "kernels/reduce.h"
#include "kernels/softmax.h"
#include "ops/optim.h"

namespace pyag::capture {

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::Unary:
      return "unary";
    case Kind::UnaryGrad:
      return "unary_grad";
    case Kind::Binary:
      return "binary";
    case Kind::BinaryGrad:
      return "binary_grad";
    case Kind::Fill:
      return "fill";
    case Kind::Copy:
      return "copy";
    case Kind::Where:
      return "where";
    case Kind::Sum:
      return "sum";
    case Kind::ExtremeAll:
      return "extreme_all";
    case Kind::ExtremeDim:
      return "extreme_dim";
    case Kind::Mm:
      return "mm";
    case Kind::Softmax:
      return "softmax";
    case Kind::SoftmaxGrad:
      return "softmax_grad";
    case Kind::PointLoss:
      return "point_loss";
    case Kind::PointLossGrad:
      return "point_loss_grad";
    case Kind::Optim:
      return "optim";
    case Kind::Kernel:
      return "kernel";
    case Kind::SubScaled:
      return "fused:sub_scaled";
  }
  return "?";
}

namespace {

std::string op_of(const Call& c) {
  switch (c.kind) {
    case Kind::Unary:
    case Kind::UnaryGrad:
      return std::string(kind_name(c.kind)) + ":" + op_name(static_cast<UnaryKernel>(c.id));
    case Kind::Binary:
    case Kind::BinaryGrad:
      return std::string(kind_name(c.kind)) + ":" + op_name(static_cast<BinaryKernel>(c.id));
    case Kind::PointLoss:
    case Kind::PointLossGrad:
      return std::string(kind_name(c.kind)) + ":" + op_name(static_cast<PointLoss>(c.id));
    case Kind::Optim:
      return std::string("optim:") + op_name(static_cast<OptimKernel>(c.id));
    case Kind::Kernel:
      return c.name;
    default:
      return kind_name(c.kind);
  }
}

// a == b, inline (the guards compare a few short Dims per bound tensor at every call).
inline bool same(const Dims& a, const Dims& b) {
  const int n = a.size();
  if (n != b.size()) return false;
  for (int i = 0; i < n; ++i)
    if (a[i] != b[i]) return false;
  return true;
}

std::string reason(const char* what, size_t i, const char* field) {
  std::ostringstream os;
  os << what << " " << i << ": " << field << " changed";
  return os.str();
}

}  // namespace

std::string Tape::check(const std::vector<Tensor>& a) const {
  if (a.size() != args.size()) return "the number of tensor arguments changed";
  for (size_t i = 0; i < a.size(); ++i) {
    const ArgGuard& g = args[i];
    const Tensor& t = a[i];
    if (t->dtype != g.dtype) return reason("argument", i, "dtype");
    if (!same(t->shape, g.shape)) return reason("argument", i, "shape");
    if (!same(t->strides, g.strides)) return reason("argument", i, "strides");
    if (t->requires_grad() || (t->autograd && t->autograd->grad_fn))
      return reason("argument", i, "requires_grad");
    const void* d = t->storage->data;
    if (internal_data.count(d)) {
      std::ostringstream os;
      os << "argument " << i << " shares memory with a buffer of the compiled step";
      return os.str();
    }
    int first = -1;  // the first earlier argument sharing its buffer
    for (size_t j = 0; j < i && first < 0; ++j)
      if (a[j]->storage->data == d) first = static_cast<int>(j);
    if (first != g.alias_of) return reason("argument", i, "aliasing");
  }
  for (size_t i = 0; i < bound.size(); ++i) {
    const BoundGuard& b = bound[i];
    const TensorImpl& t = *b.t;
    if (b.data && t.storage->data != b.data) return reason("bound tensor", i, "storage");
    if (t.offset != b.offset) return reason("bound tensor", i, "storage offset");
    if (!same(t.shape, b.shape)) return reason("bound tensor", i, "shape");
    if (!same(t.strides, b.strides)) return reason("bound tensor", i, "strides");
    if (t.dtype != b.dtype) return reason("bound tensor", i, "dtype");
    if (t.requires_grad() != b.requires_grad) return reason("bound tensor", i, "requires_grad");
    const Tensor* grad = t.autograd ? &t.autograd->grad : nullptr;
    const bool has = grad && *grad;
    if (has != b.has_grad) return reason("bound tensor", i, ".grad presence");
    if (has) {
      const TensorImpl& gt = **grad;
      if (b.grad_data && gt.storage->data != b.grad_data)
        return reason("bound tensor", i, ".grad storage");
      if (!same(gt.shape, b.grad_shape) || !same(gt.strides, b.grad_strides))
        return reason("bound tensor", i, ".grad shape");
    }
  }
  for (const Tensor& z : zero_at_entry)
    if (!all_zero(z))
      return "a buffer the step leaves zeroed (a .grad it zeroes) changed between calls";
  return "";
}

void Tape::prepare() {
  plans.clear();
  plans.resize(calls.size());
  stats.prepared = 0;
  for (size_t i = 0; i < calls.size(); ++i) {
    const Call& c = calls[i];
    const Tensor* t = c.t;
    KernelPlan& P = plans[i];
    switch (c.kind) {
      case Kind::Unary:
        plan_unary(P, static_cast<UnaryKernel>(c.id), t[0], t[1], c.p);
        break;
      case Kind::UnaryGrad:
        plan_unary_grad(P, static_cast<UnaryKernel>(c.id), t[0], t[1], t[2] ? &t[2] : nullptr,
                        t[3] ? &t[3] : nullptr, c.p);
        break;
      case Kind::Binary: {
        Arg x = (c.scalar_mask & 1) ? Arg(c.s[0]) : Arg(t[1]);
        Arg y = (c.scalar_mask & 2) ? Arg(c.s[1]) : Arg(t[2]);
        plan_binary(P, static_cast<BinaryKernel>(c.id), t[0], x, y);
        break;
      }
      case Kind::BinaryGrad: {
        Arg x = (c.scalar_mask & 1) ? Arg(c.s[0]) : Arg(t[1]);
        Arg y = (c.scalar_mask & 2) ? Arg(c.s[1]) : Arg(t[2]);
        const Arg* px = (c.scalar_mask & 4) ? nullptr : &x;
        const Arg* py = (c.scalar_mask & 8) ? nullptr : &y;
        plan_binary_grad(P, static_cast<BinaryKernel>(c.id), c.iarg, t[0], t[3], px, py,
                         t[4] ? &t[4] : nullptr);
        break;
      }
      case Kind::Fill:
        plan_fill(P, t[0], c.s[0]);
        break;
      case Kind::Copy:
        plan_copy(P, t[0], t[1]);
        break;
      case Kind::Where:
        plan_where(P, t[0], t[1], t[2], t[3]);
        break;
      case Kind::Sum:
        plan_sum(P, t[0], t[1]);
        break;
      default:  // replayed through its entry point
        break;
    }
    if (P.body) stats.prepared++;
  }
}

std::vector<Tensor> Tape::replay(const std::vector<Tensor>& a, const Tensor* reuse) {
  for (const Rebind& r : rebinds) {
    const Tensor& arg = a[static_cast<size_t>(r.arg)];
    r.impl->storage = arg->storage;
    r.impl->offset = arg->offset + r.delta;
  }
  // The prepared calls skip the waist's entry points, so a thread that records (a replay inside
  // a captured step) replays through them, where the recorder sees each call.
  KernelPlan* plan = plans.size() == calls.size() && !capture::active() ? plans.data() : nullptr;
  for (size_t i = 0; i < calls.size(); ++i) {
    if (plan && plan[i].body) {
      plan[i].run();
      continue;
    }
    const Call& c = calls[i];
    const Tensor* t = c.t;
    switch (c.kind) {
      case Kind::Unary:
        unary_into(static_cast<UnaryKernel>(c.id), t[0], t[1], c.p);
        break;
      case Kind::UnaryGrad:
        unary_grad_into(static_cast<UnaryKernel>(c.id), t[0], t[1], t[2] ? &t[2] : nullptr,
                        t[3] ? &t[3] : nullptr, c.p);
        break;
      case Kind::Binary: {
        Arg x = (c.scalar_mask & 1) ? Arg(c.s[0]) : Arg(t[1]);
        Arg y = (c.scalar_mask & 2) ? Arg(c.s[1]) : Arg(t[2]);
        binary_into(static_cast<BinaryKernel>(c.id), t[0], x, y);
        break;
      }
      case Kind::BinaryGrad: {
        Arg x = (c.scalar_mask & 1) ? Arg(c.s[0]) : Arg(t[1]);
        Arg y = (c.scalar_mask & 2) ? Arg(c.s[1]) : Arg(t[2]);
        const Arg* px = (c.scalar_mask & 4) ? nullptr : &x;
        const Arg* py = (c.scalar_mask & 8) ? nullptr : &y;
        binary_grad_into(static_cast<BinaryKernel>(c.id), c.iarg, t[0], t[3], px, py,
                         t[4] ? &t[4] : nullptr);
        break;
      }
      case Kind::Fill:
        fill(t[0], c.s[0]);
        break;
      case Kind::Copy:
        copy_into(t[0], t[1]);
        break;
      case Kind::Where:
        where_into(t[0], t[1], t[2], t[3]);
        break;
      case Kind::Sum:
        sum_into(t[0], t[1]);
        break;
      case Kind::ExtremeAll:
        extreme_all_into(t[0], t[1], c.iarg != 0);
        break;
      case Kind::ExtremeDim:
        extreme_dim_into(t[0], t[1], t[2], c.iarg, c.id != 0);
        break;
      case Kind::Mm:
        mm_into(t[0], t[1], t[2], c.s[0], c.s[1]);
        break;
      case Kind::Softmax:
        softmax_into(static_cast<SoftmaxKernel>(c.id), t[0], t[1], c.iarg);
        break;
      case Kind::SoftmaxGrad:
        softmax_grad_into(static_cast<SoftmaxKernel>(c.id), t[0], t[1], t[2], c.iarg);
        break;
      case Kind::PointLoss:
        point_loss_forward_into(static_cast<PointLoss>(c.id), t[0], t[1], t[2], t[3], t[4], c.s[0],
                                c.s[1]);
        break;
      case Kind::PointLossGrad:
        point_loss_backward_into(static_cast<PointLoss>(c.id), t[0], t[1], t[2], t[3], t[4], t[5],
                                 t[6], c.s[0], c.s[1]);
        break;
      case Kind::Optim:
        optim_step(c.optim->k, c.optim->params, c.optim->h);
        break;
      case Kind::Kernel:
        c.rerun(t);
        break;
      case Kind::SubScaled:
        sub_scaled_into(t[0], t[1], c.s[0]);
        break;
    }
  }
  for (BoundGuard& b : bound)
    if (b.fix_grad) b.t->meta().grad = b.exit_grad;
  for (const auto& s : written_bound) s->version++;
  std::vector<Tensor> res;
  res.reserve(outputs.size());
  for (const Output& o : outputs) {
    if (o.copy) {
      Tensor c;
      if (reuse && res.empty() && *reuse && (*reuse)->dtype == o.view->dtype &&
          same((*reuse)->shape, o.view->shape) && (*reuse)->offset == 0 && (*reuse)->contiguous()) {
        c = *reuse;
        c->bump_version();  // written in place
      } else {
        c = empty(o.view->shape, o.view->dtype);
      }
      if (o.view->contiguous()) {  // as copy_into, without its loop
        if (c->numel)
          std::memcpy(c->data(), o.view->data(),
                      static_cast<size_t>(c->numel) * itemsize(c->dtype));
      } else {
        copy_into(c, o.view);
      }
      res.push_back(std::move(c));
    } else if (o.arg >= 0) {
      const Tensor& arg = a[static_cast<size_t>(o.arg)];
      res.push_back(make_view(arg, o.view->shape, o.view->strides, arg->offset + o.delta));
      res.back()->dtype = o.view->dtype;
    } else {
      res.push_back(make_view(o.view, o.view->shape, o.view->strides, o.view->offset));
    }
  }
  stats.replays++;
  return res;
}

std::string Tape::dump() const {
  std::ostringstream os;
  os << "tape: " << calls.size() << " calls, " << args.size() << " arguments, " << bound.size()
     << " bound tensors, " << internal.size() << " planned buffers (" << stats.planned_bytes
     << " bytes), " << stats.fusions << " fusions\n";
  auto name = [&](const Tensor& t) {
    std::ostringstream s;
    auto it = label_of.find(t->storage->data);
    s << (it == label_of.end() ? std::string("?") : labels[static_cast<size_t>(it->second)])
      << shape_str(t->shape);
    if (!t->contiguous()) s << "@" << shape_str(t->strides);
    if (t->offset) s << "+" << t->offset;
    return s.str();
  };
  for (size_t i = 0; i < calls.size(); ++i) {
    const Call& c = calls[i];
    os << "  " << i << " " << op_of(c);
    if (c.optim) {
      os << " lr=" << c.optim->h.lr << " params=";
      for (const OptimParam& p : c.optim->params) os << name(p.param) << " ";
    }
    for (int k = 0; k < kMaxOperands; ++k) {
      if (!c.t[k]) continue;
      os << " " << ((c.writes >> k) & 1 ? ((c.reads >> k) & 1 ? "rw:" : "w:") : "") << name(c.t[k]);
    }
    if (c.kind == Kind::Binary || c.kind == Kind::BinaryGrad) {
      if (c.scalar_mask & 1) os << " a=" << c.s[0];
      if (c.scalar_mask & 2) os << " b=" << c.s[1];
    } else if (c.kind == Kind::Fill) {
      os << " value=" << c.s[0];
    } else if (c.kind == Kind::Mm) {
      os << " alpha=" << c.s[0] << " beta=" << c.s[1];
    } else if (c.kind == Kind::SubScaled) {
      os << " s=" << c.s[0];
    }
    for (int k = 0; k < c.p.n; ++k) os << (k ? "," : " p=") << c.p[k];
    os << "\n";
  }
  return os.str();
}

}  // namespace pyag::capture
