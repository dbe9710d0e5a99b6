// A shared-weight tensor as the artifact stores it (docs/methods.md M2 step 5): a per-layer
// codebook of shared values plus one bit-packed index per weight.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "io/checkpoint.h"

namespace lathe::compress::share {

// The codebook index of each value, matched bit-exactly. A value the codebook lacks (one
// that another step set, e.g. a pruning mask's -0) is appended as an entry of its own.
std::vector<std::uint32_t> tie_to_codebook(std::span<const float> values,
                                           std::vector<float>& codebook);

// Bits per index for a codebook of `entries` values: ceil(log2(entries)), at least 1.
int codebook_bits(std::size_t entries);

// Packs `values` (whose every element must be a codebook entry, or is appended to a
// copy of it) with Encoding::codebook. `name` names the tensor in messages.
io::PackedTensor pack_with_codebook(const Tensor& values, std::vector<float> codebook,
                                    const std::string& name);

// The float values a codebook-packed tensor stands for.
Tensor decode_codebook(const io::PackedTensor& packed);

}  // namespace lathe::compress::share
