// A check of an HDF5 file's global heap, made before libhdf5 reads any variable-length
// string from it. Lathe's text (the format attribute, /model_spec, the training
// metadata) is stored as variable-length strings, whose bytes live in global heap
// collections. libhdf5 1.10's reader of a collection loops forever on a free-space
// object of size 0 (it never advances past it), so a damaged file would hang H5Aread
// before any check of Lathe's could run. Files whose collections are sound load as before.
#pragma once

#include <string>

namespace lathe::io {

// Throws lathe::Error naming `path` and the byte offsets when a global heap collection of
// the file (each found by its "GCOL" signature) holds an object libhdf5 would loop on.
void require_readable_global_heaps(const std::string& path);

}  // namespace lathe::io
