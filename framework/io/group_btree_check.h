// A check of the B-trees that index old-style HDF5 groups (every group Lathe and h5py
// write by default), made before libhdf5 walks them (through require_walkable_hdf5_file).
// A node's children are addresses of the next level's nodes or of the symbol table nodes
// that hold the members. libhdf5 1.10 checks a child's address against the end of the
// file only when the address is defined: an undefined one (all bits set) passes, and
// loading it reads from a null pointer (found by fuzz_checkpoint:
// fuzz/regressions/fuzz_checkpoint/hdf5_group_iteration_reads_null.h5), so listing or
// looking up the group's members crashes before any check of Lathe's could run.
#pragma once

#include <string>

#include "io/hdf5_file_bytes.h"

namespace lathe::io {

// Throws lathe::Error naming `path` and the byte offsets when a group B-tree node (found
// by its "TREE" signature and node type 0) has a child whose address is undefined.
void check_group_btrees(const Hdf5FileBytes& file, const std::string& path);

}  // namespace lathe::io
