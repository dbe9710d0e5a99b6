// The timing both int8 peak programs share (vnni_peak.cpp, avx2_int8_peak.cpp): the best
// of five runs of `iterations` calls of `step`, each `macs` multiply-adds, in GMAC/s.
#pragma once

#include <algorithm>
#include <chrono>

namespace lathe::bench {

template <class Step>
double best_gmac_per_s(long iterations, long macs, Step step) {
  double best = 0.0;
  for (int run = 0; run < 5; ++run) {
    const auto start = std::chrono::steady_clock::now();
    for (long i = 0; i < iterations; ++i) step();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    best = std::max(best, static_cast<double>(iterations) * static_cast<double>(macs) / seconds / 1e9);
  }
  return best;
}

}  // namespace lathe::bench
