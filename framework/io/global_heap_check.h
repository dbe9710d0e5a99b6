// A check of an HDF5 file's global heap, made before libhdf5 reads any variable-length
// string from it (through require_walkable_hdf5_file). Lathe's text (the format attribute,
// /model_spec, the training metadata, an ablation table's columns) is stored as
// variable-length strings, whose bytes live in global heap collections. libhdf5 1.10's
// reader of a collection loops forever on a free-space object of size 0 (it never
// advances past it), and reads an object whose size runs past its collection from beyond
// it, so a damaged file would hang or crash H5Aread before any check of Lathe's could
// run. Files whose collections are sound load as before.
#pragma once

#include <string>

#include "io/hdf5_file_bytes.h"

namespace lathe::io {

// Throws lathe::Error naming `path` and the byte offsets when a global heap collection of
// the file (each found by its "GCOL" signature) holds an object libhdf5 would loop on
// or one running past the collection's end.
void check_global_heaps(const Hdf5FileBytes& file, const std::string& path);

}  // namespace lathe::io
