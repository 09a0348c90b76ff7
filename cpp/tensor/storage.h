// A storage is one buffer plus its version counter. Buffers come from a caching allocator
// (64-byte aligned, recycled by size so a steady-state training step takes nothing from the
// system) or from outside (a NumPy array), kept alive by `external`.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>

namespace pyag {

struct MemoryStats {
  int64_t allocated_bytes = 0;     // bytes in live storages
  int64_t peak_bytes = 0;          // high-water mark of allocated_bytes
  int64_t cached_bytes = 0;        // bytes held in the free lists
  int64_t alloc_count = 0;         // allocation requests served
  int64_t system_alloc_count = 0;  // requests that went to the system allocator
  int64_t system_free_count = 0;   // blocks returned to the system
};

MemoryStats memory_stats();
void reset_peak_memory();
void empty_cache();  // returns every cached block to the system

// Raw 64-byte aligned block of at least nbytes (nbytes may be 0). Throws MemoryError.
void* cached_alloc(size_t nbytes);
void cached_free(void* p, size_t nbytes);

struct Storage;

// Told of every new buffer (Storage::allocate) when set. tensor/ includes no higher layer; the
// capture recorder (cpp/capture), which must know the buffers a recorded step allocates, is
// plugged in here by capture::begin. One observer at a time; it may be set while threads allocate.
using StorageObserver = void (*)(const std::shared_ptr<Storage>&);
void set_storage_observer(StorageObserver f);
StorageObserver storage_observer();

struct Storage {
  void* data = nullptr;
  size_t nbytes = 0;
  uint64_t version = 0;
  std::shared_ptr<void> external;  // non-null: the buffer is owned by someone else

  static std::shared_ptr<Storage> allocate(size_t nbytes);
  // Shares `data` but has a version counter of its own (for `.data`).
  static std::shared_ptr<Storage> alias(const std::shared_ptr<Storage>& s);
  static std::shared_ptr<Storage> wrap(void* data, size_t nbytes, std::shared_ptr<void> owner);

  Storage() = default;
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  ~Storage();
};

}  // namespace pyag
