// A check of an HDF5 file's local heaps, made before libhdf5 reads one (through
// require_walkable_hdf5_file). Every old-style group keeps its members' names in a local
// heap, whose header gives the size of its data segment; libhdf5 1.10 allocates that size
// before it reads the segment (found by fuzz_hdf5_data: 3.4 GB for a 2 KB file, while
// looking up X in the root group). Files whose heaps lie inside them load as before.
#pragma once

#include <string>

#include "io/hdf5_file_bytes.h"

namespace lathe::io {

// Throws lathe::Error naming `path` and the byte offsets when a local heap (found by its
// "HEAP" signature and version 0) declares a data segment that does not fit in the file.
void check_local_heaps(const Hdf5FileBytes& file, const std::string& path);

}  // namespace lathe::io
