// A check of a variable-length string data set's stored length, made before libhdf5
// reads it: libhdf5 1.10 allocates the length a damaged descriptor gives (found by
// fuzz_checkpoint: 1.8 and 2.2 GB for a 21 KB file) before it finds that the global heap
// object named cannot hold it.
#pragma once

#include <string>

#include "io/hdf5_handle.h"

namespace lathe::io {

// Throws lathe::Error naming `where` when the scalar variable-length string data set
// `data_set` is stored with a length greater than its file's size. A data set without
// raw data of its own (compact, or never written) is left to libhdf5.
void require_stored_string_within_file(hid_t data_set, const std::string& where);

}  // namespace lathe::io
