#include "io/group_btree_check.h"

#include <cstdint>
#include <string_view>

#include "core/error.h"

namespace lathe::io {
namespace {

// The HDF5 file format specification (version 1.10), "Version 1 B-trees": "TREE", the
// node type (0: group nodes, 1: raw data chunk nodes), the node level, the entries used
// (2 bytes), the left and right sibling addresses (offsets), then keys and children
// alternating, key 0 first. A group node's key is an offset into the group's local heap
// (a length); its children are addresses (offsets).
constexpr std::string_view kSignature = "TREE";
constexpr unsigned char kGroupNode = 0;

void check_node(const Hdf5FileBytes& file, std::size_t start, const std::string& path) {
  const auto offset = static_cast<std::size_t>(file.offset_bytes);
  const auto length = static_cast<std::size_t>(file.length_bytes);
  const std::size_t header = 8 + 2 * offset;
  if (start + header > file.size || file.data[start + 4] != kGroupNode) return;
  const std::uint64_t entries = file.number_at(start + 6, 2);
  const std::uint64_t undefined = offset == 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * offset)) - 1;
  for (std::uint64_t i = 0; i < entries; ++i) {
    const std::size_t at = start + header + i * (length + offset) + length;
    if (at + offset > file.size) return;  // the node runs past the end: libhdf5 refuses it itself
    // Defined addresses past the end of allocation libhdf5 refuses itself (as it does a
    // truncated file's), so only the undefined one is ours to refuse.
    LATHE_CHECK(file.number_at(at, file.offset_bytes) != undefined, path,
                ": expected an HDF5 file whose groups can be listed, found a damaged group B-tree (the node "
                "at byte ", start, " has child ", i, " at byte ", at,
                " pointing nowhere (an undefined address), on which libhdf5 crashes); the file is damaged");
  }
}

}  // namespace

void check_group_btrees(const Hdf5FileBytes& file, const std::string& path) {
  file.for_each_signature(kSignature, [&](std::size_t at) { check_node(file, at, path); });
}

}  // namespace lathe::io
