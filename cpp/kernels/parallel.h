// The kernels' threads: one small fork-join pool that elementwise kernels over large tensors
// and large matrix products (by rows of the result, each range a single-threaded BLAS call)
// split their work across, sized by set_num_threads (one budget: the BLAS runs no threads of
// its own). Tiny tensors never touch it: the check is one comparison of the element count.
#pragma once
#include <atomic>
#include <cstdint>
#include <type_traits>

namespace pyag {

// Threads the kernels may use (the caller included; >= 1).
int num_threads();
// The count used until set_num_threads is called: the BLAS's configured one (its environment
// variables, else the cores), read once. The BLAS itself then runs one thread: products are
// split across the pool like elementwise kernels (kernels/gemm.cpp).
int default_num_threads();
// Sets the kernels' thread count (matrix products included); refuses a count outside
// [1, kMaxThreads].
constexpr int64_t kMaxThreads = 1024;
void set_num_threads(int64_t n);

// Below this many elements an elementwise kernel runs on the calling thread alone: handing
// half of it to a worker costs more than it saves. 2^16 since the caller spins for the workers
// instead of sleeping (parallel.cpp); while it slept, a futex wake per kernel made 2^15-2^16
// slower than serial and the bound was 2^17 (the seed's update of w1, 10^5 elements, ran on
// one thread). `benchmarks/run.py --sections step,sweep --threads 1,2` measures it.
constexpr int64_t kParallelMinElements = 1 << 16;

namespace detail {
extern std::atomic<int> g_threads;
// A non-owning reference to a callable f(int64_t begin, int64_t end).
struct RangeFn {
  void* obj;
  void (*call)(void*, int64_t, int64_t);
  void operator()(int64_t b, int64_t e) const { call(obj, b, e); }
};
// Runs fn over [0, n) in contiguous ranges of at least `grain` on the pool; returns false
// (having run nothing) when the pool is busy with another thread's kernel.
bool parallel_for_impl(int64_t n, int64_t grain, RangeFn fn);
}  // namespace detail

// f(begin, end) over [0, n) split into contiguous ranges across the threads, or f(0, n) on the
// calling thread when n < 2 * grain, one thread is allowed, or another kernel holds the pool.
template <class F>
void parallel_for(int64_t n, int64_t grain, F&& f) {
  if (n >= 2 * grain && num_threads() > 1) {
    using Fn = std::remove_reference_t<F>;
    auto call = [](void* o, int64_t b, int64_t e) { (*static_cast<Fn*>(o))(b, e); };
    void* obj = const_cast<void*>(static_cast<const void*>(&f));
    if (detail::parallel_for_impl(n, grain, detail::RangeFn{obj, call})) return;
  }
  f(int64_t{0}, n);
}

}  // namespace pyag
