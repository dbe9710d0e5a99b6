// The rules a PackedTensor (io/checkpoint.h) must follow, and its decoding into float
// values. The checkpoint writer checks every packed tensor before storing it, the reader
// checks what it found before decoding, so both report a bad tensor the same way; a
// compression step can call them too, to decode exactly as a reader will.
#pragma once

#include <string>

#include "io/checkpoint.h"
#include "tensor/tensor.h"

namespace lathe::io {

// "quantized" or "codebook": the `encoding` attribute of a packed tensor in the file.
const char* encoding_name(PackedTensor::Encoding encoding);

// Throws lathe::Error naming `where` ("model.h5: /weights/fc1/weight") and the part at
// fault, unless: bits is 1..8; shape has at least one dimension, none negative; codes
// holds packed_byte_count(elements, bits) bytes; quantized: 1 or shape[0] scales, all
// finite, as many zero points, each below 2^bits, no codebook; codebook: 1 to 2^bits
// finite entries, every code below the codebook's size, no scales or zero points.
void check_packed_tensor(const PackedTensor& packed, const std::string& where);

// The float values, in `shape`: quantized scales[c] * float(code - zero_points[c]) (the
// difference taken in integers, then one float multiply, so every reader gets the same
// bits); codebook codebook[code]. Checks first, as check_packed_tensor.
Tensor decode_packed_tensor(const PackedTensor& packed, const std::string& where);

}  // namespace lathe::io
