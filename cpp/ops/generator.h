// The global random generator that manual_seed seeds (creation.cpp), shared by the random ops
// (creation.cpp: rand, randn; random.cpp: randint, randperm, normal_, uniform_, bernoulli).
#pragma once
#include <cstdint>
#include <mutex>
#include <random>

namespace pyag {

struct Generator {
  std::mutex mu;  // held while a tensor is filled: each op's draws are one contiguous stretch
  std::mt19937_64 engine{5489u};
};

Generator& global_generator();

inline double uniform01(std::mt19937_64& e) {  // [0, 1) with 53 random bits
  return static_cast<double>(e() >> 11) * (1.0 / 9007199254740992.0);
}

// Uniform in [0, range), range >= 1, without modulo bias.
inline uint64_t uniform_below(std::mt19937_64& e, uint64_t range) {
  const uint64_t limit = UINT64_MAX - UINT64_MAX % range;
  uint64_t r;
  do r = e();
  while (r >= limit);
  return r % range;
}

}  // namespace pyag
