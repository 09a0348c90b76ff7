// The static memory plan of a tape (capture/tape.h): after the fusions, each internal buffer
// lives from the first to the last call that uses it, and buffers whose lives do not overlap
// share one allocation (fewer bytes touched per replay, a smaller footprint). Buffers that
// outlive the step (returned, or become a .grad) keep their own.
#include <algorithm>
#include <unordered_map>

#include "capture/tape.h"

namespace pyag::capture {
namespace {

template <class F>
void each_handle(Call& c, F&& fn) {
  if (c.optim) {
    for (OptimParam& p : c.optim->params) {
      fn(p.param);
      fn(p.grad);
      for (Tensor& s : p.state) fn(s);
      fn(p.step);
    }
    return;
  }
  for (Tensor& t : c.t) fn(t);
}

}  // namespace

void plan_memory(Tape& tape, const std::unordered_set<const void*>& pinned) {
  // First and last use of each internal buffer, in call order.
  struct Life {
    size_t first = SIZE_MAX, last = 0;
    std::shared_ptr<Storage> s;
  };
  std::unordered_map<const void*, Life> life;
  for (const auto& s : tape.internal) life[s->data].s = s;
  std::unordered_set<const TensorImpl*> live_handles;
  for (size_t i = 0; i < tape.calls.size(); ++i)
    each_handle(tape.calls[i], [&](Tensor& t) {
      if (!t) return;
      live_handles.insert(t.get());
      auto it = life.find(t->storage->data);
      if (it == life.end()) return;
      it->second.first = std::min(it->second.first, i);
      it->second.last = std::max(it->second.last, i);
    });
  // Arguments rebound through handles of calls the fusions removed: nothing to rebind.
  tape.rebinds.erase(std::remove_if(tape.rebinds.begin(), tape.rebinds.end(),
                                    [&](const Rebind& r) { return !live_handles.count(r.impl); }),
                     tape.rebinds.end());
  tape.fused_away.clear();

  // Greedy by first use: a buffer takes the smallest free slab that fits, else keeps its own.
  std::vector<const void*> order;
  for (const auto& [d, l] : life)
    if (l.first != SIZE_MAX) order.push_back(d);
  std::sort(order.begin(), order.end(),
            [&](const void* a, const void* b) { return life[a].first < life[b].first; });
  struct Slab {
    std::shared_ptr<Storage> s;
    size_t busy_until;
  };
  std::vector<Slab> slabs;
  std::unordered_map<const void*, std::shared_ptr<Storage>> moved;  // old data -> slab
  for (const void* d : order) {
    const Life& l = life[d];
    if (pinned.count(d)) {
      slabs.push_back({l.s, SIZE_MAX});
      continue;
    }
    Slab* best = nullptr;
    for (Slab& sl : slabs)
      if (sl.busy_until < l.first && sl.s->nbytes >= l.s->nbytes &&
          (!best || sl.s->nbytes < best->s->nbytes))
        best = &sl;
    if (best) {
      moved[d] = best->s;
      best->busy_until = l.last;
    } else {
      slabs.push_back({l.s, l.last});
    }
  }
  for (Call& c : tape.calls)
    each_handle(c, [&](Tensor& t) {
      if (!t) return;
      auto it = moved.find(t->storage->data);
      if (it != moved.end()) t->storage = it->second;
    });
  tape.internal.clear();
  tape.internal_data.clear();
  tape.stats.planned_bytes = 0;
  for (const Slab& sl : slabs) {
    tape.internal.push_back(sl.s);
    tape.internal_data.insert(sl.s->data);
    tape.stats.planned_bytes += static_cast<int64_t>(sl.s->nbytes);
  }
}

}  // namespace pyag::capture
