// A bound on what a data set's declared shape may make a reader allocate, checked
// before it allocates: the shape in a header is a few bytes that a damaged file can set
// to anything (found by fuzz_hdf5_data: a 2 KB file declaring 3.2 GB of images), while the
// bytes the file stores for the data set are real. The declared size must be one that the
// stored bytes can decode to.
#pragma once

#include <string>

#include "io/hdf5_handle.h"

namespace lathe::io {

// Throws lathe::Error naming `where`, the declared shape and size, and the bound when the
// data set's declared size (its element count times its element size) exceeds what its
// stored bytes can hold:
//  - stored plain (contiguous, compact, or chunked without filters): the stored bytes
//    themselves, which must also lie inside the file; chunks cover the whole extent, so
//    a fully written chunked set stores at least its declared size, and one with chunks
//    never written (read back as fill values, not data) is refused too;
//  - chunked through deflate (gzip), shuffle and fletcher32: the stored bytes times 1032,
//    deflate's largest expansion (a 258-byte match coded in 2 bits, plus block
//    overhead), since shuffle reorders bytes and fletcher32 only adds a checksum;
//  - other filters (szip, nbit, scaleoffset, plugins) can decode a few bytes to any size,
//    so nothing in the file bounds them: refused, naming the filter.
// The stored bytes are bounded by the file's size first: a larger figure is damage.
void require_declared_size_stored(hid_t data_set, const std::string& where);

}  // namespace lathe::io
