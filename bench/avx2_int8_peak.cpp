// The ceiling of int8 inference on a CPU without VNNI: u8 x s8 multiply-adds per second of
// one core with the AVX2 sequence oneDNN's int8 kernels run there (vpmaddubsw: 32 products
// added in pairs to 16-bit lanes; vpmaddwd by ones: to 32-bit; vpaddd into the sum), ten
// independent accumulators so that only the throughput counts. docs/benchmarks.md divides
// a model's multiply-adds by it, as by lathe_vnni_peak with VNNI.
//   lathe_avx2_int8_peak     (one thread; prints GMAC/s, the best of five runs)
#include <immintrin.h>

#include <cstdio>

#include "peak_timer.h"

// Written out in assembly: the same products in intrinsics would be computed once and
// added ten times. Two temporaries suffice: register renaming keeps the chains apart.
#define LATHE_AVX2_INT8_STEP(acc, t)                  \
  "vpmaddubsw %[levels], %[codes], %%" t "\n\t"       \
  "vpmaddwd %[ones], %%" t ", %%" t "\n\t"            \
  "vpaddd %%" t ", %[" acc "], %[" acc "]\n\t"

int main() {
  if (!__builtin_cpu_supports("avx2")) {
    std::fprintf(stderr, "lathe_avx2_int8_peak: this CPU has no AVX2\n");
    return 1;
  }
  __m256i a0 = _mm256_setzero_si256(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0,
          a7 = a0, a8 = a0, a9 = a0;
  __m256i codes = _mm256_set1_epi8(3);
  __m256i levels = _mm256_set1_epi8(-2);
  __m256i ones = _mm256_set1_epi16(1);
  const double best = lathe::bench::best_gmac_per_s(50'000'000, 10 * 32, [&] {
    asm volatile(LATHE_AVX2_INT8_STEP("a0", "ymm14") LATHE_AVX2_INT8_STEP("a1", "ymm15")
                 LATHE_AVX2_INT8_STEP("a2", "ymm14") LATHE_AVX2_INT8_STEP("a3", "ymm15")
                 LATHE_AVX2_INT8_STEP("a4", "ymm14") LATHE_AVX2_INT8_STEP("a5", "ymm15")
                 LATHE_AVX2_INT8_STEP("a6", "ymm14") LATHE_AVX2_INT8_STEP("a7", "ymm15")
                 LATHE_AVX2_INT8_STEP("a8", "ymm14") LATHE_AVX2_INT8_STEP("a9", "ymm15")
                 : [a0] "+x"(a0), [a1] "+x"(a1), [a2] "+x"(a2), [a3] "+x"(a3), [a4] "+x"(a4),
                   [a5] "+x"(a5), [a6] "+x"(a6), [a7] "+x"(a7), [a8] "+x"(a8), [a9] "+x"(a9)
                 : [codes] "x"(codes), [levels] "x"(levels), [ones] "x"(ones)
                 : "xmm14", "xmm15");
  });
  // The sums leave the registers, so the loop cannot be dropped.
  alignas(32) int lanes[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes),
                     _mm256_add_epi32(_mm256_add_epi32(a0, a1), _mm256_add_epi32(a8, a9)));
  std::printf("{\"avx2_int8_gmac_per_s_1_thread\": %.1f, \"checksum\": %d}\n", best,
              lanes[0] + lanes[7]);
  return 0;
}
