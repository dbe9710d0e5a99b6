// The strategies' random numbers: xoshiro256** seeded through SplitMix64, with the
// uniform draws written here. <random>'s distributions are implementation-defined, and a
// search must propose the same candidates for a seed on every platform and standard
// library (a resumed search replays its journal into a fresh strategy).
#pragma once

#include <array>
#include <cstdint>

namespace lathe::search {

class Rng {
 public:
  explicit Rng(std::uint64_t seed);

  // The next 64 raw bits.
  std::uint64_t next();
  // Uniform in [0, 1), a multiple of 2^-53.
  double uniform();
  // Uniform in [low, high) for finite low <= high (low when they are equal).
  double uniform(double low, double high);
  // Uniform integer in [0, bound), bound > 0, without modulo bias.
  std::uint64_t below(std::uint64_t bound);
  // Uniform integer in [low, high], both included (low <= high).
  std::int64_t uniform_int(std::int64_t low, std::int64_t high);

 private:
  std::array<std::uint64_t, 4> state_{};
};

}  // namespace lathe::search
