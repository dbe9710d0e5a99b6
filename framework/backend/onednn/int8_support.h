// Whether oneDNN's int8 kernels compute this machine's u8 x s8 sums exactly. With VNNI
// (AVX-512 VNNI, AVX-VNNI) or AMX they accumulate every product in 32 bits; without it
// (AVX2, AVX-512 without VNNI) they add pairs of products in saturating 16-bit lanes
// (vpmaddubsw), so large codes clip and the outputs leave the simulated path's (measured
// here with DNNL_MAX_CPU_ISA=AVX2: errors of 1 to 19 in conv outputs). PyTorch's x86
// engine avoids that by using 7-bit activations there; Lathe keeps the simulated path.
#pragma once

#include <string>

namespace lathe::onednn {

// "" when the int8 kernels are exact here, else why not (names the instruction set).
std::string why_int8_sums_are_inexact();

}  // namespace lathe::onednn
