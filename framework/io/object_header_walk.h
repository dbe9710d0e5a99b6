// A walk of an HDF5 file the way libhdf5 1.10 reads it, made before libhdf5 opens it
// (through require_walkable_hdf5_file): from the superblock to the root group's object
// header, along its continuation blocks and its symbol-table message to the group's
// B-tree, symbol-table nodes and local heap, and from there to every member's object
// header, groups in groups. libhdf5 allocates or reads what these addresses and sizes
// name before it checks them against the file's end: a damaged continuation allocated
// 4 GiB, a damaged local heap address crashed H5Lexists, a string's length that disagrees
// with its heap object overflowed a buffer (fuzz/regressions/). The signature scans
// (hdf5_structure_check.h) miss such damage because the structure itself is sound; what
// points at it is not. The walk refuses only values no sound file holds and leaves to
// libhdf5 whatever it does not know (dense groups, unknown messages, chunked data).
#pragma once

#include <string>

#include "io/hdf5_file_bytes.h"

namespace lathe::io {

// Throws lathe::Error naming `path`, the structure and its byte offset when a structure
// the walk reaches names a block outside the file, holds messages that run past their
// chunk, or names a structure that is not there, or when a superblock at byte 0 declares
// a base address other than 0. Files with a user block (a superblock after byte 0) are
// left to libhdf5.
void walk_object_headers(const Hdf5FileBytes& file, const std::string& path);

}  // namespace lathe::io
