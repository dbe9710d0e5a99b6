// How exactly oneDNN's int8 kernels add this machine's u8 x s8 products. With VNNI
// (AVX-512 VNNI, AVX-VNNI) or AMX every product is accumulated in 32 bits. Without it
// (AVX2, AVX-512 without VNNI) the kernels multiply with vpmaddubsw, which adds pairs of
// products in saturating 16-bit lanes before the 32-bit sums: a pair c0 k0 + c1 k1 past
// 32767 clips (measured here with DNNL_MAX_CPU_ISA=AVX2 and 8-bit levels: conv outputs
// off by 1 to 19). A pair cannot clip when 2 x largest code x largest |level| <= 32767:
// 8-bit codes with weights of 7 bits or fewer (levels within +-64), or 7-bit codes with
// any s8 level. PyTorch's x86 engine takes the second way (7-bit activations); Lathe
// keeps the artifact's numerics and runs on integer kernels the layers whose levels fit.
#pragma once

#include <string>

namespace lathe::onednn {

// "" when this machine has int8 kernels Lathe runs (VNNI, AMX, or AVX2 / AVX-512 pair
// sums), else why not.
std::string why_no_int8_kernels();

// Whether the int8 kernels add pairs of products in saturating 16-bit sums (see above).
bool int8_sums_saturate_in_pairs();

// The largest |level| the int8 kernels multiply exactly with codes up to `max_code`
// (1..255): 128 (all of s8) with 32-bit sums, else floor(32767 / (2 max_code)) capped at
// 128 (64 for 8-bit codes, 128 for 7-bit ones).
int largest_exact_level(int max_code);

// The instruction set of the int8 kernels and how they add, for messages
// ("AVX2 without VNNI, pairs of products in saturating 16-bit sums").
std::string int8_sums_description();

}  // namespace lathe::onednn
