// The checks made on an HDF5 file before libhdf5 opens it for reading, for the damage
// that libhdf5 1.10 does not refuse but hangs or crashes on (found by fuzz_checkpoint):
//  - a global heap collection (where variable-length strings live) with a free-space
//    object of size 0: libhdf5 loops forever reading text (global_heap_check.h);
//  - a group B-tree node whose child address is undefined: libhdf5 reads from a null
//    pointer while it lists or looks up the group's members
//    (group_btree_check.h);
//  - a local heap (where a group keeps its members' names) declaring a data segment past
//    the file's end: libhdf5 allocates it first (local_heap_check.h).
// The structures are found by their signatures ("GCOL", "TREE", "HEAP") rather than by following
// the file's links, which would mean parsing object headers as libhdf5 does; each check
// refuses only a value no sound structure holds, so sound files load as before.
// Damage to what points at a sound structure (a continuation message naming a block past
// the file's end, a group naming a local heap where none is, a string's length that
// disagrees with its heap object) the scans cannot see: the walk of object_header_walk.h
// follows the file's addresses from the superblock as libhdf5 does, after the scans.
#pragma once

#include <string>

namespace lathe::io {

// Throws lathe::Error naming `path`, the structure and its byte offset when the file holds
// one of the damaged structures above. Call it after require_input_file and H5Fis_hdf5,
// before H5Fopen.
void require_walkable_hdf5_file(const std::string& path);

}  // namespace lathe::io
