// The Mersenne Twister of generator.h, and its state in PyTorch's byte layout (get_rng_state).
#include "ops/generator.h"

#include <cstring>

#include "tensor/error.h"

namespace pyag {
namespace {

constexpr int kN = Generator::kStateWords;
constexpr int kM = 397;
constexpr uint32_t kMatrixA = 0x9908b0dfu;

// Byte offsets of PyTorch's CPUGeneratorImplState (a legacy POD, then the float normal cache):
// seed u64, left i32, seeded i32, next u64, 624 state words as u64, normal_x/y/rho doubles,
// normal_is_valid i32 (+4 padding), next_float_normal_sample f32, its valid flag (+3 padding).
constexpr size_t kOffSeed = 0, kOffLeft = 8, kOffSeeded = 12, kOffNext = 16, kOffState = 24;
constexpr size_t kOffNormalY = kOffState + 8 * kN + 8, kOffNormalValid = kOffState + 8 * kN + 24;
constexpr size_t kOffFloat = kOffNormalValid + 8, kOffFloatValid = kOffFloat + 4;
static_assert(kOffFloatValid + 4 == Generator::kStateBytes, "PyTorch's state is 5056 bytes");

template <class T>
void put(std::vector<uint8_t>& b, size_t off, T v) {
  std::memcpy(b.data() + off, &v, sizeof v);
}
template <class T>
T get(const uint8_t* b, size_t off) {
  T v;
  std::memcpy(&v, b + off, sizeof v);
  return v;
}

}  // namespace

void Generator::seed_engine(uint64_t seed) {
  seed_ = seed;
  state_[0] = static_cast<uint32_t>(seed);
  for (int i = 1; i < kN; ++i) {
    const uint32_t prev = state_[static_cast<size_t>(i - 1)];
    state_[static_cast<size_t>(i)] = 1812433253u * (prev ^ (prev >> 30)) + static_cast<uint32_t>(i);
  }
  left_ = 1;
  next_ = 0;
  next_double_normal.reset();
  next_float_normal.reset();
}

void Generator::refill() {
  // Each word mixes the top bit of word i with the low 31 bits of word i + 1, shifted and
  // conditionally xored with the twist matrix, into word i + M (indices mod N).
  auto mixed = [](uint32_t hi, uint32_t lo) {
    const uint32_t y = (hi & 0x80000000u) | (lo & 0x7fffffffu);
    return (y >> 1) ^ ((lo & 1u) ? kMatrixA : 0u);
  };
  for (int i = 0; i < kN; ++i) {
    const size_t k = static_cast<size_t>(i);
    state_[k] = state_[static_cast<size_t>((i + kM) % kN)] ^
                mixed(state_[k], state_[static_cast<size_t>((i + 1) % kN)]);
  }
  left_ = kN;
  next_ = 0;
}

uint32_t Generator::random() {
  if (--left_ == 0) refill();
  uint32_t y = state_[next_++];
  y ^= y >> 11;
  y ^= (y << 7) & 0x9d2c5680u;
  y ^= (y << 15) & 0xefc60000u;
  y ^= y >> 18;
  return y;
}

uint64_t Generator::random64() {
  const uint64_t hi = random();
  const uint64_t lo = random();
  return (hi << 32) | lo;
}

std::vector<uint8_t> Generator::get_state() const {
  std::vector<uint8_t> b(kStateBytes, 0);
  put<uint64_t>(b, kOffSeed, seed_);
  put<int32_t>(b, kOffLeft, left_);
  put<int32_t>(b, kOffSeeded, 1);
  put<uint64_t>(b, kOffNext, next_);
  for (int i = 0; i < kN; ++i)
    put<uint64_t>(b, kOffState + 8 * static_cast<size_t>(i), state_[static_cast<size_t>(i)]);
  if (next_double_normal) {
    put<double>(b, kOffNormalY, *next_double_normal);
    put<int32_t>(b, kOffNormalValid, 1);
  }
  if (next_float_normal) {
    put<float>(b, kOffFloat, *next_float_normal);
    put<uint8_t>(b, kOffFloatValid, 1);
  }
  return b;
}

void Generator::set_state(const uint8_t* b, size_t n, const char* op) {
  if (n != kStateBytes)
    fail(op, "Expected a CPUGeneratorImplState of size ", kStateBytes,
         " but found the input RNG state size to be ", n);
  const int32_t left = get<int32_t>(b, kOffLeft), seeded = get<int32_t>(b, kOffSeeded);
  const uint64_t next = get<uint64_t>(b, kOffNext);
  if (seeded == 0 || left <= 0 || left > kN || next > static_cast<uint64_t>(kN))
    fail(op, "Invalid mt19937 state");
  seed_ = get<uint64_t>(b, kOffSeed);
  left_ = left;
  next_ = static_cast<uint32_t>(next);
  for (int i = 0; i < kN; ++i)
    state_[static_cast<size_t>(i)] =
        static_cast<uint32_t>(get<uint64_t>(b, kOffState + 8 * static_cast<size_t>(i)));
  next_double_normal.reset();
  next_float_normal.reset();
  if (get<int32_t>(b, kOffNormalValid)) next_double_normal = get<double>(b, kOffNormalY);
  if (get<uint8_t>(b, kOffFloatValid)) next_float_normal = get<float>(b, kOffFloat);
}

std::shared_ptr<Generator> global_generator_ptr() {
  // Never destroyed: random ops may run during interpreter shutdown.
  static auto* g = new std::shared_ptr<Generator>(std::make_shared<Generator>());
  return *g;
}

Generator& global_generator() {
  static Generator* g = global_generator_ptr().get();
  return *g;
}

}  // namespace pyag
