#include "backend/onednn/int8_support.h"

#include <oneapi/dnnl/dnnl.hpp>

namespace lathe::onednn {

std::string why_int8_sums_are_inexact() {
  using dnnl::cpu_isa;
  switch (dnnl::get_effective_cpu_isa()) {
    case cpu_isa::avx512_core_vnni:
    case cpu_isa::avx512_core_bf16:
    case cpu_isa::avx512_core_amx:
    case cpu_isa::avx2_vnni:
      return "";
    case cpu_isa::avx512_core:
      return "this CPU's int8 kernels (AVX-512 without VNNI) add products in saturating 16-bit sums";
    case cpu_isa::avx2:
      return "this CPU's int8 kernels (AVX2 without VNNI) add products in saturating 16-bit sums";
    default:
      return "this CPU has no int8 kernels with 32-bit sums (VNNI or AMX)";
  }
}

}  // namespace lathe::onednn
