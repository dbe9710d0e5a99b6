#include "backend/onednn/int8_support.h"

#include <algorithm>

#include <oneapi/dnnl/dnnl.hpp>

namespace lathe::onednn {
namespace {

enum class Int8Sums { exact, pairs, none };

Int8Sums int8_sums() {
  using dnnl::cpu_isa;
  switch (dnnl::get_effective_cpu_isa()) {
    case cpu_isa::avx512_core_vnni:
    case cpu_isa::avx512_core_bf16:
    case cpu_isa::avx512_core_amx:
    case cpu_isa::avx2_vnni:
      return Int8Sums::exact;
    case cpu_isa::avx512_core:
    case cpu_isa::avx2:
      return Int8Sums::pairs;
    default:
      return Int8Sums::none;
  }
}

constexpr int kPairSumLimit = 32767;  // vpmaddubsw's saturating 16-bit lane
constexpr int kLargestS8Level = 128;

}  // namespace

std::string why_no_int8_kernels() {
  if (int8_sums() != Int8Sums::none) return "";
  return "this CPU has no int8 kernels of AVX2 or later (" + int8_sums_description() + ")";
}

bool int8_sums_saturate_in_pairs() { return int8_sums() == Int8Sums::pairs; }

int largest_exact_level(int max_code) {
  if (!int8_sums_saturate_in_pairs()) return kLargestS8Level;
  return std::min(kLargestS8Level, kPairSumLimit / (2 * std::max(max_code, 1)));
}

std::string int8_sums_description() {
  using dnnl::cpu_isa;
  switch (dnnl::get_effective_cpu_isa()) {
    case cpu_isa::avx512_core_amx:
      return "AMX, 32-bit sums";
    case cpu_isa::avx512_core_vnni:
    case cpu_isa::avx512_core_bf16:
      return "AVX-512 VNNI, 32-bit sums";
    case cpu_isa::avx2_vnni:
      return "AVX-VNNI, 32-bit sums";
    case cpu_isa::avx512_core:
      return "AVX-512 without VNNI, pairs of products in saturating 16-bit sums";
    case cpu_isa::avx2:
      return "AVX2 without VNNI, pairs of products in saturating 16-bit sums";
    default:
      return "an instruction set before AVX2";
  }
}

}  // namespace lathe::onednn
