// Writes and reads a Checkpoint as one HDF5 file; the layout is in
// docs/checkpoint-format.md. Both throw lathe::Error naming the file, the HDF5 object
// and what was expected. Reading checks the file's structure only: whether the weights
// fit the model spec is for nn/ to judge.
#pragma once

#include <string>

#include "io/checkpoint.h"

namespace lathe::io {

// The layout version this build writes, and the newest it reads. 2 added packed
// tensors; version 1 files (float32 only) are still read.
inline constexpr int kCheckpointFormatVersion = 2;

// Atomic: writes "<path>.tmp-<pid>" in the same directory, then renames it over `path`.
// On failure the temporary file is removed and an existing `path` is left as it was.
// The parent directory must exist. A tensor with `packed` set is stored in packed form
// only, after check_packed_tensor (io/packed_tensor.h) and a check that its shape is
// `value`'s.
void write_checkpoint(const std::string& path, const Checkpoint& checkpoint);

// Tensors come back in the order they were written. Packed tensors come back with
// `packed` as stored and `value` decoded from it, after the same checks.
Checkpoint read_checkpoint(const std::string& path);

}  // namespace lathe::io
