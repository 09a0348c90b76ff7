#include "kernels/parallel.h"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "kernels/gemm.h"
#include "tensor/error.h"

namespace pyag {
namespace detail {
std::atomic<int> g_threads{0};  // 0: not yet initialised (read as "serial" until then)
}  // namespace detail

namespace {

// Workers sleep on a condition variable between jobs. A job is published under the mutex with
// a new generation and left open while the caller works on it; a worker that wakes while it is
// open checks in, takes ranges from an atomic counter until none are left, and checks out. The
// caller takes ranges too, then closes the job and waits only for the workers that checked in:
// a worker the OS has not scheduled yet is not waited for (the caller has done its share), and
// no worker can touch the job's function after parallel_for returned.
//
// A worker that finished a job first spins for kSpin on the generation before it sleeps: a
// step's kernels come back to back, and waking a sleeping thread (a futex, on a virtual machine
// an idle virtual CPU) took longer than a seed-sized half product, so the caller did most of
// the work alone. The spin is bounded and only runs right after a job.
constexpr auto kSpin = std::chrono::microseconds(200);

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

struct Pool {
  std::mutex m;
  std::condition_variable wake, done;
  std::vector<std::thread> workers;
  bool stop = false;
  std::atomic<uint64_t> generation{0};  // written under m; read without it by spinning workers
  bool open = false;                    // workers may still join the current job
  std::atomic<int> active{0};           // workers inside the current job (written under m)
  detail::RangeFn fn{nullptr, nullptr};
  int64_t n = 0, chunk = 0;
  int nchunks = 0;
  std::atomic<int> next{0};
  std::mutex busy;  // one job at a time: a second thread's kernel runs serially instead

  void take_chunks() {
    for (int c; (c = next.fetch_add(1, std::memory_order_relaxed)) < nchunks;) {
      const int64_t b = c * chunk;
      fn(b, std::min(n, b + chunk));
    }
  }

  // Returns when a new job is published or kSpin has passed.
  void spin(uint64_t seen) const {
    const auto until = std::chrono::steady_clock::now() + kSpin;
    for (int i = 1; generation.load(std::memory_order_acquire) == seen; ++i) {
      cpu_relax();
      if (i % 64 == 0 && std::chrono::steady_clock::now() > until) return;
    }
  }

  void work(uint64_t seen) {
    for (bool after_job = false;; after_job = true) {
      if (after_job) spin(seen);
      {
        std::unique_lock<std::mutex> lk(m);
        wake.wait(lk, [&] { return stop || generation != seen; });
        if (stop) return;
        seen = generation.load(std::memory_order_relaxed);
        if (!open) continue;
        ++active;
      }
      take_chunks();
      std::lock_guard<std::mutex> lk(m);
      if (active.fetch_sub(1, std::memory_order_release) == 1 && !open) done.notify_one();
    }
  }

  void resize(int nworkers) {
    {
      std::lock_guard<std::mutex> lk(m);
      stop = true;
    }
    wake.notify_all();
    for (std::thread& t : workers) t.join();
    workers.clear();
    stop = false;
    const uint64_t g = generation.load();
    for (int i = 0; i < nworkers; ++i) workers.emplace_back([this, g] { work(g); });
  }
};

// Never destroyed: workers may still be asleep on it while the process exits.
Pool* g_pool = nullptr;
std::mutex g_config;

void after_fork_in_child() {
  // The workers did not survive the fork: forget them (leaking the old pool's memory) and let
  // the next parallel kernel start new ones.
  g_pool = nullptr;
  new (&g_config) std::mutex();
}

Pool& pool() {
  if (!g_pool) {
    static const bool registered = (pthread_atfork(nullptr, nullptr, after_fork_in_child), true);
    (void)registered;
    g_pool = new Pool();
  }
  return *g_pool;
}

// The BLAS's configured thread count (OPENBLAS_NUM_THREADS, else the cores), read once; from
// then on the BLAS runs one thread and large products are split by the pool (gemm.cpp).
int initial_threads() {
  static const int threads = [] {
    const int blas = get_blas_threads();
    set_blas_threads(1);
    return std::max(1, blas);
  }();
  return threads;
}

}  // namespace

int default_num_threads() {
  std::lock_guard<std::mutex> lk(g_config);
  return initial_threads();
}

int num_threads() {
  int t = detail::g_threads.load(std::memory_order_relaxed);
  if (t == 0) {
    std::lock_guard<std::mutex> lk(g_config);
    t = detail::g_threads.load();
    if (t == 0) detail::g_threads.store(t = initial_threads());
  }
  return t;
}

void set_num_threads(int64_t k) {
  if (k < 1 || k > kMaxThreads)
    fail("set_num_threads", "expected a number of threads in [1, ", kMaxThreads, "], got ", k);
  const int n = static_cast<int>(k);
  std::lock_guard<std::mutex> lk(g_config);
  initial_threads();  // the BLAS runs one thread from then on
  set_blas_threads(1);
  detail::g_threads.store(n);
}

namespace detail {

bool parallel_for_impl(int64_t n, int64_t grain, RangeFn fn) {
  const int threads = num_threads();
  std::unique_lock<std::mutex> cfg(g_config, std::try_to_lock);
  if (!cfg.owns_lock()) return false;
  Pool& p = pool();
  std::unique_lock<std::mutex> job(p.busy, std::try_to_lock);
  if (!job.owns_lock()) return false;
  // No job is in flight (busy is held): the workers can be replaced safely.
  if (static_cast<int>(p.workers.size()) != threads - 1) p.resize(threads - 1);
  cfg.unlock();
  // A few ranges per thread: a worker that starts late still finds work left. A multiple of
  // the threads, so that when every thread is on time each does the same share (3 ranges on 2
  // threads left one thread two thirds of the work).
  int64_t parts = std::min<int64_t>(4 * threads, n / grain);
  if (parts > threads) parts -= parts % threads;
  {
    std::lock_guard<std::mutex> lk(p.m);
    p.fn = fn;
    p.n = n;
    p.chunk = (n + parts - 1) / parts;
    p.nchunks = static_cast<int>((n + p.chunk - 1) / p.chunk);
    p.next.store(0, std::memory_order_relaxed);
    p.open = true;
    p.active.store(0, std::memory_order_relaxed);
    p.generation.fetch_add(1, std::memory_order_release);
  }
  p.wake.notify_all();
  p.take_chunks();
  {
    std::lock_guard<std::mutex> lk(p.m);
    p.open = false;
  }
  // The caller has done its share; a worker that checked in is finishing a range. Spin for it
  // first: sleeping on `done` makes the worker's last step a futex wake of the caller, which on
  // a virtual machine (an idle virtual CPU) costs tens of microseconds, more than the range.
  const auto until = std::chrono::steady_clock::now() + kSpin;
  for (int i = 1; p.active.load(std::memory_order_acquire) != 0; ++i) {
    cpu_relax();
    if (i % 64 == 0 && std::chrono::steady_clock::now() > until) break;
  }
  std::unique_lock<std::mutex> lk(p.m);
  p.done.wait(lk, [&] { return p.active.load(std::memory_order_relaxed) == 0; });
  return true;
}

}  // namespace detail
}  // namespace pyag
