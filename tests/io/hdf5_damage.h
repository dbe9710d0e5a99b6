// Byte-level damage to a sound HDF5 file, of the kinds libhdf5 1.10 hangs or crashes on
// (framework/io/hdf5_structure_check.h): what the readers' tests of checkpoints and
// ablation tables make to show that each reader refuses them. Files Lathe writes use
// 8-byte offsets and lengths.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "io/checkpoint_test_support.h"

namespace lathe::io::test_support {

inline std::uint64_t little_endian_at(const std::string& bytes, std::size_t at, int width) {
  std::uint64_t value = 0;
  for (int i = width - 1; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(bytes[at + i]);
  return value;
}

// The byte offset of the size field of the first global heap collection's free-space
// object (index 0), or 0 (and a test failure) when there is none.
inline std::size_t free_space_size_field(const std::string& bytes) {
  const std::size_t collection = bytes.find("GCOL");
  EXPECT_NE(collection, std::string::npos) << "the file has no global heap";
  if (collection == std::string::npos) return 0;
  const std::size_t end = collection + little_endian_at(bytes, collection + 8, 8);
  std::size_t at = collection + 16;
  while (at + 16 <= end) {
    const std::uint64_t index = little_endian_at(bytes, at, 2);
    const std::uint64_t size = little_endian_at(bytes, at + 8, 8);
    if (index == 0) return at + 8;
    at += 16 + (size + 7) / 8 * 8;
  }
  ADD_FAILURE() << "the global heap has no free-space object";
  return 0;
}

// The byte offset of child 0 of the first group B-tree node with an entry ("TREE", node
// type 0, then level, entries used, two sibling addresses and key 0), or 0 (and a test
// failure) when there is none.
inline std::size_t group_btree_child_field(const std::string& bytes) {
  for (std::size_t at = bytes.find("TREE"); at != std::string::npos; at = bytes.find("TREE", at + 1)) {
    if (bytes[at + 4] == 0 && little_endian_at(bytes, at + 6, 2) > 0) return at + 8 + 2 * 8 + 8;
  }
  ADD_FAILURE() << "the file has no group B-tree node with an entry";
  return 0;
}

// Overwrites the 8 bytes at `field` with `value` (little-endian).
inline void overwrite_field(const std::string& path, std::size_t field, std::uint64_t value) {
  std::string bytes = file_bytes(path);
  for (int i = 0; i < 8; ++i) bytes[field + static_cast<std::size_t>(i)] = static_cast<char>((value >> (8 * i)) & 0xff);
  write_bytes(path, bytes);
}

// The damaged structures; each returns the byte offset of the field it overwrote.
inline std::size_t zero_global_heap_free_space(const std::string& path) {
  const std::size_t field = free_space_size_field(file_bytes(path));
  if (field > 0) overwrite_field(path, field, 0);
  return field;
}

inline std::size_t point_group_btree_child_at(const std::string& path, std::uint64_t address) {
  const std::size_t field = group_btree_child_field(file_bytes(path));
  if (field > 0) overwrite_field(path, field, address);
  return field;
}

constexpr std::uint64_t kUndefinedAddress = ~std::uint64_t{0};

}  // namespace lathe::io::test_support
