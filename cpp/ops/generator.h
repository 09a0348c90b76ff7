// The random generators: a 32-bit Mersenne Twister (MT19937) seeded, drawn and serialized as
// PyTorch's CPU generator is, so that after manual_seed(s) the random ops (random.cpp) give
// PyTorch's numbers. One global generator (manual_seed, the default of every random op) and any
// number of user generators (pyautograd.Generator, passed as generator=).
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace pyag {

class Generator {
 public:
  static constexpr int kStateWords = 624;
  // The seed of a new torch.Generator() (PyTorch's default_rng_seed_val).
  static constexpr uint64_t kDefaultSeed = 67280421310721ULL;
  // The size of get_state()'s bytes: PyTorch's CPUGeneratorImplState, field for field.
  static constexpr size_t kStateBytes = 5056;

  explicit Generator(uint64_t seed = kDefaultSeed) { seed_engine(seed); }
  Generator(const Generator&) = delete;
  Generator& operator=(const Generator&) = delete;

  // Reseeds (only the low 32 bits reach the engine, as in PyTorch; initial_seed keeps all 64)
  // and forgets the cached normal sample. Callers hold `mu`.
  void seed_engine(uint64_t seed);
  uint64_t initial_seed() const { return seed_; }

  uint32_t random();    // the next 32-bit output
  uint64_t random64();  // two outputs, the first in the high half

  // The second value of the last Box-Muller pair of the scalar normal path (see random.cpp).
  std::optional<double> next_double_normal;
  std::optional<float> next_float_normal;  // kept only for get_state/set_state

  std::vector<uint8_t> get_state() const;
  // Restores get_state()'s bytes; throws (naming `op`) on a wrong size or an invalid state.
  void set_state(const uint8_t* bytes, size_t n, const char* op);

  std::mutex mu;  // held while an op draws: each op's draws are one contiguous stretch

 private:
  void refill();
  uint64_t seed_ = 0;
  int left_ = 1;       // outputs left before the next refill, + 1
  uint32_t next_ = 0;  // index of the next output word in state_
  std::array<uint32_t, kStateWords> state_{};
};

// The global generator: what manual_seed seeds and what a random op draws from by default.
Generator& global_generator();
std::shared_ptr<Generator> global_generator_ptr();

}  // namespace pyag
