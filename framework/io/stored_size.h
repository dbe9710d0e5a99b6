// The stored size of a model: the bytes of its weight payload as the checkpoint file
// holds it (docs/stored-size.md defines it; this is the one implementation). Float
// tensors count 4 bytes per element; packed ones their packed codes plus their scales,
// zero points or codebook. Metadata, the spec text and HDF5's own structures are not
// payload: the file on disk is larger, and reports give its size separately.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "io/checkpoint.h"

namespace lathe::io {

// float32: 4 * elements. quantized: codes.size() + 4 * scales + 1 * zero points.
// codebook: codes.size() + 4 * codebook entries. Counts what `packed` holds when set
// (`value` is then only its decoding), without checking it.
std::int64_t payload_bytes(const NamedTensor& tensor);
// The sum over every tensor of the checkpoint.
std::int64_t payload_bytes(const Checkpoint& checkpoint);

// One row of a size report.
struct TensorPayload {
  std::string name;          // "conv1/weight"
  std::string form;          // "float32", "quantized" or "codebook"
  int bits = 32;             // bits per stored element: 32 for float32, else the code width
  std::int64_t elements = 0;
  std::int64_t bytes = 0;    // payload_bytes(tensor)
  std::int64_t float32_bytes = 0;  // 4 * elements: the same tensor unpacked
};

// One row per tensor, in the checkpoint's order.
std::vector<TensorPayload> payload_breakdown(const Checkpoint& checkpoint);

// The size of the file at `path` on disk, HDF5 overhead included; throws lathe::Error
// naming the file when it cannot be read.
std::int64_t file_size_bytes(const std::string& path);

}  // namespace lathe::io
