// Fusions over a finished tape (capture/tape.h): patterns of recorded calls replaced by fewer
// kernels. Not applied under compile(fn, exact=True).
//
// The one pattern so far is the seed's update of a parameter P from its gradient G:
//
//     G += X  (the engine's accumulation)   or   G += A @ B  (GEMM, beta = 1)
//     T = lr * G ; P = P - T                (p.data -= lr * p.grad.data)
//     G = 0                                 (p.grad.data.zero_(), the last use of G)
//
// When G is zero when the step starts (the step itself zeroed it last time; a guard checks the
// contents before every replay, so any change between calls re-captures), G stays zero through
// the step and P changes by -lr * X: one pass P -= lr * X (bitwise the same as the two kernels),
// or one GEMM P = P + (-lr) A @ B (beta = 1 on P: rounding differs). G, T and the fill vanish.
#include <algorithm>
#include <unordered_map>

#include "capture/tape.h"
#include "kernels/binary_ops.h"
#include "kernels/elementwise.h"

namespace pyag::capture {
namespace {

const void* buf(const Tensor& t) { return t ? t->storage->data : nullptr; }

bool same_view(const Tensor& a, const Tensor& b) {
  return a && b && buf(a) == buf(b) && a->offset == b->offset && a->shape == b->shape &&
         a->strides == b->strides && a->dtype == b->dtype;
}

// t is the whole of its buffer, contiguous, of a floating dtype.
bool whole(const Tensor& t) {
  return t && t->offset == 0 && t->contiguous() && is_floating(t->dtype) &&
         static_cast<size_t>(t->numel) * itemsize(t->dtype) == t->storage->nbytes;
}

template <class F>
void operands(const Call& c, F&& fn) {
  if (c.optim) {
    for (const OptimParam& p : c.optim->params) {
      fn(p.param, true);
      fn(p.grad, false);
      for (const Tensor& s : p.state) fn(s, true);
      fn(p.step, true);
    }
    return;
  }
  for (int i = 0; i < kMaxOperands; ++i) fn(c.t[i], ((c.writes >> i) & 1) != 0);
}

bool is_binary(const Call& c, BinaryKernel k) {
  return c.kind == Kind::Binary && c.id == static_cast<uint8_t>(k);
}

}  // namespace

int fuse(Tape& tape, const std::unordered_set<const void*>& bound,
         const std::unordered_set<const void*>& returned) {
  std::vector<Call>& calls = tape.calls;
  const size_t n = calls.size();
  std::unordered_map<const void*, std::vector<size_t>> uses;
  std::unordered_map<const void*, std::vector<size_t>> writers;
  for (size_t i = 0; i < n; ++i)
    operands(calls[i], [&](const Tensor& t, bool w) {
      if (!t) return;
      auto& u = uses[buf(t)];
      if (u.empty() || u.back() != i) u.push_back(i);
      if (w) {
        auto& v = writers[buf(t)];
        if (v.empty() || v.back() != i) v.push_back(i);
      }
    });
  auto written_between = [&](const void* d, size_t from, size_t to) {
    auto it = writers.find(d);
    if (it == writers.end()) return false;
    for (size_t i : it->second)
      if (i > from && i < to) return true;
    return false;
  };

  std::vector<bool> dead(n, false);
  std::vector<Call> repl(n);
  std::vector<bool> replaced(n, false);
  int count = 0;
  for (const auto& [g, u] : uses) {
    if (!bound.count(g) || returned.count(g) || u.size() != 3) continue;
    const Call& first = calls[u[0]];
    const Call& mul = calls[u[1]];
    const Call& fill = calls[u[2]];
    // the last use zeroes all of G
    if (fill.kind != Kind::Fill || fill.s[0] != 0 || !whole(fill.t[0])) continue;
    const Tensor& G = fill.t[0];
    // the first accumulates into all of G
    const bool gemm = first.kind == Kind::Mm && first.s[1] == 1 && same_view(first.t[0], G) &&
                      buf(first.t[1]) != g && buf(first.t[2]) != g;
    const bool add = is_binary(first, BinaryKernel::add) && first.scalar_mask == 0 &&
                     same_view(first.t[0], G) && same_view(first.t[1], G) && first.t[2] &&
                     buf(first.t[2]) != g && first.t[2]->shape == G->shape &&
                     first.t[2]->contiguous() && first.t[2]->dtype == G->dtype;
    if (!gemm && !add) continue;
    // T = lr * G (either side scalar)
    if (!is_binary(mul, BinaryKernel::mul) || (mul.scalar_mask & 12) != 0) continue;
    const int sm = mul.scalar_mask & 3;
    if (sm != 1 && sm != 2) continue;
    const Tensor& gin = sm == 1 ? mul.t[2] : mul.t[1];
    const double lr = sm == 1 ? mul.s[0] : mul.s[1];
    const Tensor& T = mul.t[0];
    if (!same_view(gin, G) || !whole(T) || bound.count(buf(T)) || returned.count(buf(T))) continue;
    auto tu = uses.find(buf(T));
    if (tu == uses.end() || tu->second.size() != 2 || tu->second[0] != u[1]) continue;
    const size_t si = tu->second[1];
    const Call& sub = calls[si];
    // P = P - T on all of P, a bound buffer of G's shape and dtype
    if (!is_binary(sub, BinaryKernel::sub) || sub.scalar_mask != 0) continue;
    const Tensor& P = sub.t[0];
    if (!same_view(sub.t[1], P) || !same_view(sub.t[2], T) || !whole(P) || buf(P) == g ||
        !bound.count(buf(P)) || P->shape != G->shape || P->dtype != G->dtype)
      continue;
    if (dead[u[0]] || dead[u[1]] || dead[u[2]] || replaced[si]) continue;
    Call c;
    if (gemm) {
      // the product's operands must still hold the same values at the update (and not be P)
      if (buf(first.t[1]) == buf(P) || buf(first.t[2]) == buf(P)) continue;
      if (written_between(buf(first.t[1]), u[0], si) || written_between(buf(first.t[2]), u[0], si))
        continue;
      c = first;
      c.t[0] = P;
      c.s[0] = -lr * first.s[0];
      c.s[1] = 1;
      c.reads |= 1;
    } else {
      if (written_between(buf(first.t[2]), u[0], si)) continue;
      c.kind = Kind::SubScaled;
      c.t[0] = P;
      c.t[1] = first.t[2];
      c.reads = 3;
      c.writes = 1;
      c.s[0] = lr;
    }
    repl[si] = std::move(c);
    replaced[si] = true;
    dead[u[0]] = dead[u[1]] = dead[u[2]] = true;
    tape.zero_at_entry.push_back(G);
    ++count;
  }
  if (!count) return 0;
  std::vector<Call> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (replaced[i]) {
      out.push_back(std::move(repl[i]));
      tape.fused_away.push_back(std::move(calls[i]));
    } else if (dead[i]) {
      tape.fused_away.push_back(std::move(calls[i]));
    } else {
      out.push_back(std::move(calls[i]));
    }
  }
  calls = std::move(out);
  return count;
}

}  // namespace pyag::capture
