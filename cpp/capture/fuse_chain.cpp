// The elementwise fusion of a captured tape (issue 14): a short chain of recorded elementwise
// calls over one iteration space becomes one call that evaluates the chain block by block
// (kernels/fused_chain.h). Bias add + clamp, the loss's residual + square + sum and the start
// of its backward (2 r g, the bias's row sums), the ReLU mask and its bias's row sums: each is a
// chain found by this one matcher, not a pattern of its own.
//
// A chain starts at an elementwise call (unary, binary or their derivatives) writing a
// contiguous float32/float64 tensor of shape S, and grows by later calls that
//   - read a value the chain wrote (through the same view),
//   - write a contiguous tensor of shape S and dtype (an elementwise call), or sum a value of
//     the chain over everything or over the last dim (bias gradients, the loss);
//   - read other tensors as S, or broadcast as a row (a bias (R, 1)), a column, or a scalar.
// Calls between the chain's steps that it passes over must commute with the steps before them
// (they do not read what the chain wrote, nor write what it read or wrote): the fused call runs
// at the chain's last step. A value the chain wrote that nothing outside the chain uses (the tape
// proves it: all uses of its buffer are inside), that is an internal buffer of the step, and that
// is neither returned nor set as a .grad, is never stored: it lives in a block array.
//
// The chain computes each element with the kernels' own functions, in the kernels' dtype, and
// sums in reduce.cpp's order: bitwise the same as the calls it replaces, so it runs under
// compile(fn, exact=True) too.
#include <algorithm>
#include <cmath>
#include <memory>
#include <unordered_map>

#include "capture/tape.h"
#include "kernels/elementwise.h"
#include "kernels/fused_chain.h"
#include "kernels/parallel.h"

namespace pyag::capture {
namespace {

const void* buf(const Tensor& t) { return t ? t->storage->data : nullptr; }

bool same_view(const Tensor& a, const Tensor& b) {
  return a && b && buf(a) == buf(b) && a->offset == b->offset && a->shape == b->shape &&
         a->strides == b->strides && a->dtype == b->dtype;
}

bool whole(const Tensor& t) {
  return t->offset == 0 && t->contiguous() &&
         static_cast<size_t>(t->numel) * itemsize(t->dtype) == t->storage->nbytes;
}

template <class F>
void operands(const Call& c, F&& fn) {
  if (c.optim) {
    for (const OptimParam& p : c.optim->params) {
      fn(p.param, true, true);
      fn(p.grad, true, false);
      for (const Tensor& s : p.state) fn(s, true, true);
      fn(p.step, true, true);
    }
    return;
  }
  for (int i = 0; i < kMaxOperands; ++i)
    fn(c.t[i], ((c.reads >> i) & 1) != 0, ((c.writes >> i) & 1) != 0);
}

// x viewed in shape S (right-aligned broadcasting) as a (rows, cols) array with element strides
// (rs, cs), cs 0 or 1; false when it cannot be.
bool view2d(const Tensor& x, const Dims& S, int64_t& rs, int64_t& cs) {
  const int nd = S.size(), xd = x->shape.size();
  if (xd > nd) return false;
  if (nd == 0) {
    rs = cs = 0;
    return true;
  }
  int64_t st[kMaxDims] = {};
  for (int d = 0; d < nd; ++d) {
    const int od = d - (nd - xd);
    if (od < 0 || x->shape[od] == 1) {
      st[d] = 0;
    } else {
      if (x->shape[od] != S[d]) return false;
      st[d] = x->strides[od];
    }
  }
  cs = S[nd - 1] == 1 ? 1 : st[nd - 1];
  if (cs != 0 && cs != 1) return false;
  bool known = false;
  rs = 0;
  int64_t m = 1;
  for (int d = nd - 2; d >= 0; --d) {
    if (S[d] == 1) continue;
    if (!known) {
      if (st[d] % m) return false;
      rs = st[d] / m;
      known = true;
    } else if (st[d] != rs * m) {
      return false;
    }
    m *= S[d];
  }
  return true;
}

struct Builder {
  DType dtype{};
  Dims S;
  int64_t rows = 1, cols = 1;
  std::vector<ChainSlot> slots;
  std::vector<ChainStep> steps;
  std::vector<size_t> calls;         // tape indices of the steps
  std::vector<Tensor> written_view;  // per slot: the view a step wrote it through (or null)
  std::vector<bool> sum_slot;        // per slot: a sum's output (not readable in the chain)
  std::unordered_map<const void*, int> value;  // buffer -> slot of its latest in-chain value
  std::unordered_map<const void*, std::vector<int>> ext;  // buffer -> its external slots
  std::unordered_set<const void*> reads, writes;          // buffers, for the commute test

  // A chain runs on one thread: beyond this many elements the unfused kernels, each split
  // across the threads, were faster than one serial pass (the scale sweep's large sizes).
  static constexpr int64_t kMaxChainElements = int64_t{1} << 17;

  bool start(const Call& c) {
    const Tensor& out = c.t[0];
    if (!out || (out->dtype != DType::Float32 && out->dtype != DType::Float64)) return false;
    if (!out->contiguous() || out->numel == 0 || out->numel >= kMaxChainElements) return false;
    dtype = out->dtype;
    S = out->shape;
    cols = S.size() ? S[S.size() - 1] : 1;
    rows = cols ? out->numel / cols : 0;
    return true;
  }

  // The slot of an input tensor (a chain value or an external operand), or -1.
  int input(const Tensor& x, std::vector<ChainSlot>& ns, std::vector<Tensor>& nviews) {
    if (x->dtype != dtype) return -1;
    if (auto it = value.find(buf(x)); it != value.end()) {
      const int s = it->second;
      if (sum_slot[static_cast<size_t>(s)] || !same_view(written_view[static_cast<size_t>(s)], x))
        return -1;
      return s;
    }
    int64_t rs = 0, cs = 0;
    if (!view2d(x, S, rs, cs)) return -1;
    const size_t total = slots.size() + ns.size();
    for (size_t i = 0; i < total; ++i) {
      const ChainSlot& sl = i < slots.size() ? slots[i] : ns[i - slots.size()];
      const Tensor& v = i < slots.size() ? ext_view[i] : nviews[i - slots.size()];
      if (sl.kind == ChainSlot::Operand && v && same_view(v, x) && sl.rs == rs && sl.cs == cs)
        return static_cast<int>(i);
    }
    ChainSlot sl;
    sl.kind = ChainSlot::Operand;
    sl.rs = rs;
    sl.cs = cs;
    ns.push_back(sl);
    nviews.push_back(x);
    return static_cast<int>(total);
  }
  std::vector<Tensor> ext_view;  // per slot: the external view it reads (or null)

  int literal(double v, std::vector<ChainSlot>& ns, std::vector<Tensor>& nviews) {
    ChainSlot sl;
    sl.kind = ChainSlot::Literal;
    sl.value = v;
    ns.push_back(sl);
    nviews.push_back(nullptr);
    return static_cast<int>(slots.size() + ns.size() - 1);
  }

  // Adds call c as a step when it can be one; false (and no change) otherwise.
  bool add(const Call& c, size_t index) {
    if (steps.size() >= static_cast<size_t>(kChainMaxSteps)) return false;
    ChainStep st;
    std::vector<ChainSlot> ns;
    std::vector<Tensor> nviews;
    const Tensor& out = c.t[0];
    if (!out || out->dtype != dtype) return false;
    auto in = [&](const Tensor& x) { return input(x, ns, nviews); };
    bool sum = false;
    switch (c.kind) {
      case Kind::Unary:
        st.kind = ChainStep::Unary;
        if (!chain_unary(static_cast<UnaryKernel>(c.id), dtype, false, c.p, st)) return false;
        if ((st.in[0] = in(c.t[1])) < 0) return false;
        break;
      case Kind::UnaryGrad:
        st.kind = ChainStep::UnaryGrad;
        if (!chain_unary(static_cast<UnaryKernel>(c.id), dtype, true, c.p, st)) return false;
        if ((st.in[0] = in(c.t[1])) < 0) return false;
        for (int k = 2; k < 4; ++k)
          if ((st.in[k - 1] = c.t[k] ? in(c.t[k]) : literal(NAN, ns, nviews)) < 0) return false;
        break;
      case Kind::Binary:
      case Kind::BinaryGrad: {
        const bool grad = c.kind == Kind::BinaryGrad;
        st.kind = grad ? ChainStep::BinaryGrad : ChainStep::Binary;
        st.side = static_cast<int8_t>(c.iarg);
        if (!chain_binary(static_cast<BinaryKernel>(c.id), dtype, grad, c.iarg, st)) return false;
        int k = 0;
        if (grad && (st.in[k++] = in(c.t[3])) < 0) return false;
        for (int side = 0; side < 2; ++side) {
          int s;
          if (c.scalar_mask & (4 << side))
            s = literal(NAN, ns, nviews);
          else if (c.scalar_mask & (1 << side))
            s = literal(c.s[side], ns, nviews);
          else
            s = c.t[1 + side] ? in(c.t[1 + side]) : -1;
          if ((st.in[k++] = s) < 0) return false;
        }
        if (grad && (st.in[k++] = c.t[4] ? in(c.t[4]) : literal(NAN, ns, nviews)) < 0) return false;
        break;
      }
      case Kind::Sum: {
        sum = true;
        const Tensor& x = c.t[1];
        auto it = value.find(buf(x));
        if (it == value.end()) return false;  // sums only a value of the chain
        if ((st.in[0] = in(x)) < 0) return false;
        if (value.count(buf(out)) || ext.count(buf(out))) return false;
        ChainSlot sl;
        sl.kind = ChainSlot::Operand;
        if (out->numel == 1) {
          st.kind = ChainStep::SumAll;
        } else {
          int64_t rs = 0, cs = 0;
          if (rows < 2 || cols < 2 || !view2d(out, S, rs, cs) || rs != 1 || cs != 0 ||
              out->numel != rows)
            return false;
          st.kind = ChainStep::SumRows;
          sl.rs = 1;
        }
        ns.push_back(sl);
        nviews.push_back(nullptr);
        st.out = static_cast<int8_t>(slots.size() + ns.size() - 1);
        break;
      }
      default:
        return false;
    }
    if (!sum) {
      if (out->shape != S || !out->contiguous()) return false;
      // A buffer read from outside the chain and then written by it: only through one view,
      // element for element (in place).
      if (auto e = ext.find(buf(out)); e != ext.end())
        for (int s : e->second)
          if (!same_view(ext_view[static_cast<size_t>(s)], out) || slots[s].cs != 1) return false;
      for (size_t i = 0; i < nviews.size(); ++i)
        if (nviews[i] && buf(nviews[i]) == buf(out) &&
            (!same_view(nviews[i], out) || ns[i].cs != 1))
          return false;
      ChainSlot sl;  // a Temp for now: materialize() decides
      ns.push_back(sl);
      nviews.push_back(nullptr);
      st.out = static_cast<int8_t>(slots.size() + ns.size() - 1);
    }
    if (slots.size() + ns.size() > static_cast<size_t>(kChainMaxSlots)) return false;
    // A step must use what the chain made (the first one aside).
    if (!steps.empty()) {
      bool connected = false;
      for (int k = 0; k < 4; ++k)
        if (st.in[k] >= 0 && static_cast<size_t>(st.in[k]) < slots.size() &&
            written_view[static_cast<size_t>(st.in[k])])
          connected = true;
      if (!connected) return false;
    }
    // Commit.
    const size_t first_new = slots.size();
    for (size_t i = 0; i < ns.size(); ++i) {
      slots.push_back(ns[i]);
      ext_view.push_back(nviews[i]);
      written_view.push_back(nullptr);
      sum_slot.push_back(false);
      if (nviews[i]) {
        ext[buf(nviews[i])].push_back(static_cast<int>(first_new + i));
        reads.insert(buf(nviews[i]));
      }
    }
    const size_t o = static_cast<size_t>(st.out);
    written_view[o] = out;
    sum_slot[o] = sum;
    if (sum) {
      reads.insert(buf(out));  // accumulates
    }
    value[buf(out)] = st.out;
    writes.insert(buf(out));
    steps.push_back(st);
    calls.push_back(index);
    return true;
  }

  bool conflicts(const Call& c) const {
    bool bad = false;
    operands(c, [&](const Tensor& t, bool r, bool w) {
      if (!t) return;
      const void* d = buf(t);
      if (writes.count(d) && (r || w)) bad = true;
      if (w && reads.count(d)) bad = true;
    });
    return bad;
  }
};

}  // namespace

int fuse_chains(Tape& tape, const std::unordered_set<const void*>& bound,
                const std::unordered_set<const void*>& keep) {
  std::vector<Call>& calls = tape.calls;
  const size_t n = calls.size();
  std::unordered_map<const void*, std::vector<size_t>> uses;
  for (size_t i = 0; i < n; ++i)
    operands(calls[i], [&](const Tensor& t, bool, bool) {
      if (!t) return;
      auto& u = uses[buf(t)];
      if (u.empty() || u.back() != i) u.push_back(i);
    });
  auto elementwise = [](const Call& c) {
    return c.kind == Kind::Unary || c.kind == Kind::UnaryGrad || c.kind == Kind::Binary ||
           c.kind == Kind::BinaryGrad;
  };

  std::vector<int> chain_of(n, -1);
  std::vector<Call> fused;  // per chain: its call
  std::vector<size_t> at;   // per chain: where it runs (its last step)
  constexpr size_t kWindow = 32;
  constexpr int kMaxSkipped = 8;
  for (size_t i = 0; i < n; ++i) {
    if (chain_of[i] >= 0 || !elementwise(calls[i])) continue;
    Builder b;
    if (!b.start(calls[i]) || !b.add(calls[i], i)) continue;
    int skipped = 0;
    for (size_t j = i + 1; j < n && j - i < kWindow; ++j) {
      if (chain_of[j] >= 0) break;
      if (b.add(calls[j], j)) continue;
      if (b.conflicts(calls[j]) || ++skipped > kMaxSkipped) break;
    }
    if (b.steps.size() < 2) continue;

    // Which written values are stored: the last write of a buffer that is used outside the
    // chain, not internal, bound, kept (returned, a .grad), or not the whole buffer.
    std::unordered_set<size_t> in_chain(b.calls.begin(), b.calls.end());
    std::vector<Tensor> ops;
    std::vector<uint8_t> rd, wr;
    auto operand = [&](const Tensor& t, bool r, bool w) {
      for (size_t k = 0; k < ops.size(); ++k)
        if (same_view(ops[k], t)) {
          rd[k] |= r;
          wr[k] |= w;
          return static_cast<int>(k);
        }
      ops.push_back(t);
      rd.push_back(r);
      wr.push_back(w);
      return static_cast<int>(ops.size() - 1);
    };
    ChainProgram prog;
    prog.dtype = b.dtype;
    prog.rows = b.rows;
    prog.cols = b.cols;
    prog.slots = b.slots;
    prog.steps = b.steps;
    int ntemps = 0;
    bool ok = true;
    for (size_t s = 0; s < prog.slots.size() && ok; ++s) {
      ChainSlot& sl = prog.slots[s];
      const Tensor& wv = b.written_view[s];
      if (wv) {
        const void* d = buf(wv);
        bool store = b.sum_slot[s];
        if (!store && b.value.at(d) == static_cast<int>(s)) {
          store = !tape.internal_data.count(d) || bound.count(d) || keep.count(d) || !whole(wv);
          for (size_t u : uses[d])
            if (!in_chain.count(u)) store = true;
        }
        if (store) {
          sl.kind = ChainSlot::Operand;
          sl.operand = static_cast<int8_t>(operand(wv, b.sum_slot[s], true));
          if (!b.sum_slot[s]) {
            sl.rs = b.cols;
            sl.cs = 1;
          }
          continue;
        }
        sl.kind = ChainSlot::Temp;
      } else if (sl.kind == ChainSlot::Operand) {
        sl.operand = static_cast<int8_t>(operand(b.ext_view[s], true, false));
        if (sl.cs == 1) continue;  // read in place
      }
      // temps, literals, broadcast operands: a block array each
      if (ntemps == kChainMaxTemps) ok = false;
      sl.temp = static_cast<int8_t>(ntemps++);
    }
    if (!ok || ops.size() > static_cast<size_t>(kMaxOperands)) continue;
    prog.ntemps = ntemps;
    // Flat: no row structure needed (every operand is all of S or a scalar, no row sums).
    bool flat = true;
    for (const ChainStep& st : prog.steps)
      if (st.kind == ChainStep::SumRows) flat = false;
    for (const ChainSlot& sl : prog.slots)
      if (sl.kind == ChainSlot::Operand && !(sl.rs == 0 && sl.cs == 0) &&
          !(sl.cs == 1 && (sl.rs == b.cols || b.rows == 1)))
        flat = false;
    if (flat && b.rows > 1) {
      prog.cols = b.rows * b.cols;
      prog.rows = 1;
    }
    prog.name = "fused:chain[";
    for (size_t s = 0; s < prog.steps.size(); ++s) {
      const Call& c = calls[b.calls[s]];
      std::string op;
      switch (c.kind) {
        case Kind::Unary:
          op = op_name(static_cast<UnaryKernel>(c.id));
          break;
        case Kind::UnaryGrad:
          op = std::string(op_name(static_cast<UnaryKernel>(c.id))) + "_grad";
          break;
        case Kind::Binary:
          op = op_name(static_cast<BinaryKernel>(c.id));
          break;
        case Kind::BinaryGrad:
          op = std::string(op_name(static_cast<BinaryKernel>(c.id))) + "_grad";
          break;
        default:
          op = prog.steps[s].kind == ChainStep::SumAll ? "sum" : "sum_rows";
      }
      prog.name += (s ? "," : "") + op;
    }
    prog.name += "]";

    auto shared = std::make_shared<const ChainProgram>(std::move(prog));
    Call c;
    c.kind = Kind::Kernel;
    c.name = shared->name.c_str();
    for (size_t k = 0; k < ops.size(); ++k) {
      c.t[k] = ops[k];
      if (rd[k]) c.reads |= static_cast<uint8_t>(1u << k);
      if (wr[k]) c.writes |= static_cast<uint8_t>(1u << k);
    }
    c.rerun = [shared](const Tensor* t) { run_chain(*shared, t); };
    const int id = static_cast<int>(fused.size());
    for (size_t k : b.calls) chain_of[k] = id;
    fused.push_back(std::move(c));
    at.push_back(b.calls.back());
  }
  if (fused.empty()) return 0;
  std::vector<Call> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const int id = chain_of[i];
    if (id < 0) {
      out.push_back(std::move(calls[i]));
      continue;
    }
    tape.fused_away.push_back(std::move(calls[i]));
    if (at[static_cast<size_t>(id)] == i) out.push_back(std::move(fused[static_cast<size_t>(id)]));
  }
  calls = std::move(out);
  return static_cast<int>(fused.size());
}

}  // namespace pyag::capture
