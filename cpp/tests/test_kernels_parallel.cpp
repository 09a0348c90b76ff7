// Elementwise kernels split across threads (kernels/parallel.h): the same elements as the
// serial loop for every layout (ranges that cut rows in part included), in place, with 1-4
// threads, and while two threads run kernels at once (one of them then runs serially).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <numeric>
#include <thread>

#include "kernels/elementwise.h"
#include "kernels/gemm.h"
#include "kernels/parallel.h"
#include "test_util.h"

namespace pyag::test {
namespace {

// Restores the thread count a test changed.
struct ThreadsGuard {
  int saved = num_threads();
  ~ThreadsGuard() { set_num_threads(saved); }
};

// Large enough to be split, with odd extents so that ranges end inside rows.
const Dims kShape{389, 701};

Values serial_sum(const Tensor& a, const Tensor& b) {
  Values r;
  for_each_index(kShape, [&](const Index& i) {
    r.push_back(static_cast<float>(static_cast<float>(at(a, i)) + static_cast<float>(at(b, i))));
  });
  return r;
}

TEST(ParallelKernels, LargeShapeIsSplit) { ASSERT_GE(numel(kShape), 2 * kParallelMinElements); }

TEST(ParallelKernels, BinaryMatchesSerialForEveryLayoutAndThreadCount) {
  ThreadsGuard guard;
  std::mt19937 rng(7);
  for (int threads : {1, 2, 3, 4}) {
    set_num_threads(threads);
    ASSERT_EQ(num_threads(), threads);
    for (Layout la : kAllLayouts)
      for (Layout lo : kOutLayouts) {
        Tensor a = random_tensor(kShape, DType::Float32, la, rng);
        Tensor b = random_tensor(kShape, DType::Float32, Layout::Transposed, rng);
        Tensor out = make_layout(kShape, DType::Float32, lo);
        binary_into(BinaryKernel::add, out, a, b);
        SCOPED_TRACE(std::string(layout_name(la)) + " -> " + layout_name(lo) + ", threads " +
                     std::to_string(threads));
        expect_values(out, serial_sum(a, b), Tol{0, 0});
        if (lo == Layout::Sliced) expect_gaps_untouched(out);
      }
  }
}

TEST(ParallelKernels, UnaryInPlaceAndCopy) {
  ThreadsGuard guard;
  set_num_threads(2);
  std::mt19937 rng(3);
  Tensor a = random_tensor(kShape, DType::Float64, Layout::Sliced, rng);
  Values expected;
  for (double v : values(a)) expected.push_back(std::exp(v));
  unary_into(UnaryKernel::exp, a, a);
  expect_values(a, expected, tol_for(DType::Float64));
  expected = values(a);
  Tensor dst = make_layout(kShape, DType::Float64, Layout::Transposed);
  copy_into(dst, a);
  expect_values(dst, expected, Tol{0, 0});
  Tensor f = make_layout(kShape, DType::Int64, Layout::Sliced);
  copy_into(f, a);  // with a dtype conversion
  Values truncated;
  for (double v : expected) truncated.push_back(static_cast<double>(static_cast<int64_t>(v)));
  expect_values(f, truncated, Tol{0, 0});
}

// A process that never calls set_num_threads/get_num_threads still splits large work across
// the default thread count (the BLAS's): the count is read lazily on first use.
TEST(ParallelKernels, DefaultThreadCountIsUsedWithoutConfiguration) {
  ThreadsGuard guard;
  const int blas = default_num_threads();
  if (blas < 2) GTEST_SKIP() << "the BLAS is configured for 1 thread here: the default is serial";
  detail::g_threads.store(0);  // as in a fresh process
  std::atomic<int> ranges{0};
  parallel_for(4 * kParallelMinElements, kParallelMinElements,
               [&](int64_t, int64_t) { ranges.fetch_add(1); });
  EXPECT_GT(ranges.load(), 1);
  EXPECT_EQ(num_threads(), blas);
  EXPECT_EQ(get_blas_threads(), 1);  // products are split by the pool instead
}

// The ranges are a multiple of the threads' count, of equal sizes: 3 ranges of the seed's w1
// (10^5 elements, ranges of at least 2^15) on 2 threads left one thread two thirds of the work.
TEST(ParallelKernels, RangesAreAMultipleOfTheThreadsAndEven) {
  ThreadsGuard guard;
  std::mutex m;
  for (int threads : {2, 3, 4}) {
    set_num_threads(threads);
    for (int64_t n : {int64_t{100000}, int64_t{7} * kParallelMinElements / 2 + 5}) {
      std::vector<int64_t> sizes;
      parallel_for(n, kParallelMinElements / 2, [&](int64_t b, int64_t e) {
        std::lock_guard<std::mutex> lk(m);
        sizes.push_back(e - b);
      });
      SCOPED_TRACE("threads " + std::to_string(threads) + ", n " + std::to_string(n));
      const int64_t most = n / (kParallelMinElements / 2);
      const auto parts = static_cast<int64_t>(sizes.size());
      if (most >= threads) {
        EXPECT_EQ(parts % threads, 0);
      }
      EXPECT_LE(*std::max_element(sizes.begin(), sizes.end()) -
                    *std::min_element(sizes.begin(), sizes.end()),
                parts);  // equal but for the rounding of n / parts
      EXPECT_EQ(std::accumulate(sizes.begin(), sizes.end(), int64_t{0}), n);
    }
  }
}

TEST(ParallelKernels, TwoThreadsRunningKernelsAtOnce) {
  ThreadsGuard guard;
  set_num_threads(2);
  std::mt19937 rng(11);
  Tensor a = random_tensor(kShape, DType::Float32, Layout::Contiguous, rng);
  Tensor b = random_tensor(kShape, DType::Float32, Layout::Contiguous, rng);
  const Values expected = serial_sum(a, b);
  auto work = [&](Tensor out) {
    for (int i = 0; i < 20; ++i) binary_into(BinaryKernel::add, out, a, b);
  };
  Tensor o1 = empty(kShape, DType::Float32), o2 = empty(kShape, DType::Float32);
  std::thread t1(work, o1), t2(work, o2);
  t1.join();
  t2.join();
  expect_values(o1, expected, Tol{0, 0});
  expect_values(o2, expected, Tol{0, 0});
}

}  // namespace
}  // namespace pyag::test
