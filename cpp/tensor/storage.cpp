#include "tensor/storage.h"

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "tensor/error.h"

namespace pyag {
namespace {

constexpr size_t kAlign = 64;

struct Cache {
  std::mutex mu;
  std::unordered_map<size_t, std::vector<void*>> free_lists;  // rounded size -> blocks
  MemoryStats stats;
};

Cache& cache() {
  static Cache* c = new Cache();  // never destroyed: storages may die after static teardown
  return *c;
}

std::atomic<StorageObserver> g_observer{nullptr};  // set by a capture while others allocate

size_t round_size(size_t n) { return n == 0 ? kAlign : (n + kAlign - 1) / kAlign * kAlign; }

void release_all_locked(Cache& c) {
  for (auto& kv : c.free_lists) {
    for (void* p : kv.second) {
      std::free(p);
      c.stats.system_free_count++;
    }
    c.stats.cached_bytes -= static_cast<int64_t>(kv.first * kv.second.size());
  }
  c.free_lists.clear();
}

}  // namespace

void* cached_alloc(size_t nbytes) {
  if (nbytes > (size_t{1} << 62)) fail<MemoryError>("alloc", "cannot allocate ", nbytes, " bytes");
  size_t size = round_size(nbytes);
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mu);
  c.stats.alloc_count++;
  c.stats.allocated_bytes += static_cast<int64_t>(size);
  if (c.stats.allocated_bytes > c.stats.peak_bytes) c.stats.peak_bytes = c.stats.allocated_bytes;
  auto it = c.free_lists.find(size);
  if (it != c.free_lists.end() && !it->second.empty()) {
    void* p = it->second.back();
    it->second.pop_back();
    c.stats.cached_bytes -= static_cast<int64_t>(size);
    return p;
  }
  void* p = std::aligned_alloc(kAlign, size);
  if (!p) {
    release_all_locked(c);
    p = std::aligned_alloc(kAlign, size);
  }
  if (!p) {
    c.stats.alloc_count--;
    c.stats.allocated_bytes -= static_cast<int64_t>(size);
    fail<MemoryError>("alloc", "out of memory: cannot allocate ", nbytes, " bytes");
  }
  c.stats.system_alloc_count++;
  return p;
}

void cached_free(void* p, size_t nbytes) {
  if (!p) return;
  size_t size = round_size(nbytes);
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mu);
  c.stats.allocated_bytes -= static_cast<int64_t>(size);
  c.free_lists[size].push_back(p);
  c.stats.cached_bytes += static_cast<int64_t>(size);
}

MemoryStats memory_stats() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mu);
  return c.stats;
}

void reset_peak_memory() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mu);
  c.stats.peak_bytes = c.stats.allocated_bytes;
}

void empty_cache() {
  Cache& c = cache();
  std::lock_guard<std::mutex> lock(c.mu);
  release_all_locked(c);
}

std::shared_ptr<Storage> Storage::allocate(size_t nbytes) {
  auto s = std::make_shared<Storage>();
  s->data = cached_alloc(nbytes);
  s->nbytes = nbytes;
  if (StorageObserver f = g_observer.load(std::memory_order_acquire)) f(s);
  return s;
}

void set_storage_observer(StorageObserver f) { g_observer.store(f, std::memory_order_release); }
StorageObserver storage_observer() { return g_observer.load(std::memory_order_acquire); }

std::shared_ptr<Storage> Storage::alias(const std::shared_ptr<Storage>& src) {
  // Point at the buffer's owner, never at another alias: aliases of aliases don't chain.
  return wrap(src->data, src->nbytes, src->external ? src->external : src);
}

std::shared_ptr<Storage> Storage::wrap(void* data, size_t nbytes, std::shared_ptr<void> owner) {
  auto s = std::make_shared<Storage>();
  s->data = data;
  s->nbytes = nbytes;
  s->external = std::move(owner);
  return s;
}

Storage::~Storage() {
  if (!external) cached_free(data, nbytes);
}

}  // namespace pyag
