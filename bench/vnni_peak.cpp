// The ceiling of int8 inference on this CPU: u8 x s8 multiply-adds per second of one core
// with AVX-512 VNNI (vpdpbusd on 512-bit registers, 64 products per instruction), ten
// independent accumulators so that only the throughput counts. docs/benchmarks.md divides
// a model's multiply-adds by it to say how close an int8 model (Lathe's, PyTorch's) runs
// to what the core allows.
//   lathe_vnni_peak          (one thread; prints GMAC/s, the best of five runs)
#include <immintrin.h>

#include <cstdio>

#include "peak_timer.h"

// Written out in assembly: in intrinsics the compiler may see ten equal sums and compute
// one.
#define LATHE_VNNI_STEP(acc) "vpdpbusd %[levels], %[codes], %[" acc "]\n\t"

int main() {
  if (!__builtin_cpu_supports("avx512vnni")) {
    std::fprintf(stderr, "lathe_vnni_peak: this CPU has no AVX-512 VNNI\n");
    return 1;
  }
  __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0,
          a7 = a0, a8 = a0, a9 = a0;
  __m512i codes = _mm512_set1_epi8(3);
  __m512i levels = _mm512_set1_epi8(-2);
  const double best = lathe::bench::best_gmac_per_s(50'000'000, 10 * 64, [&] {
    asm volatile(LATHE_VNNI_STEP("a0") LATHE_VNNI_STEP("a1") LATHE_VNNI_STEP("a2")
                 LATHE_VNNI_STEP("a3") LATHE_VNNI_STEP("a4") LATHE_VNNI_STEP("a5")
                 LATHE_VNNI_STEP("a6") LATHE_VNNI_STEP("a7") LATHE_VNNI_STEP("a8")
                 LATHE_VNNI_STEP("a9")
                 : [a0] "+v"(a0), [a1] "+v"(a1), [a2] "+v"(a2), [a3] "+v"(a3), [a4] "+v"(a4),
                   [a5] "+v"(a5), [a6] "+v"(a6), [a7] "+v"(a7), [a8] "+v"(a8), [a9] "+v"(a9)
                 : [codes] "v"(codes), [levels] "v"(levels));
  });
  // The sums leave the registers, so the loop cannot be dropped.
  alignas(64) int lanes[16];
  _mm512_store_si512(lanes, _mm512_add_epi32(_mm512_add_epi32(a0, a1), _mm512_add_epi32(a8, a9)));
  std::printf("{\"vnni_gmac_per_s_1_thread\": %.1f, \"checksum\": %d}\n", best, lanes[0] + lanes[15]);
  return 0;
}
