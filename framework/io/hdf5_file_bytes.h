// An HDF5 file as bytes, for the checks Lathe makes before libhdf5 walks a file it reads
// (hdf5_structure_check.h): libhdf5 1.10 hangs or crashes on some damaged structures
// instead of refusing them, so those structures are looked at here first, with bounds
// checked on every read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace lathe::io {

struct Hdf5FileBytes {
  const unsigned char* data = nullptr;
  std::size_t size = 0;
  // The superblock's "size of offsets" (addresses) and "size of lengths", in bytes: 8 for
  // every file Lathe and h5py write by default.
  int offset_bytes = 8;
  int length_bytes = 8;

  // The `width`-byte little-endian number at `at`; the caller checks at + width <= size.
  [[nodiscard]] std::uint64_t number_at(std::size_t at, int width) const {
    std::uint64_t value = 0;
    for (int i = width - 1; i >= 0; --i) value = (value << 8) | data[at + static_cast<std::size_t>(i)];
    return value;
  }

  // Whether the superblock is at byte 0, so that addresses count from there (a file
  // with a user block keeps its superblock, and its base address, further on).
  bool addresses_from_start = false;

  // Whether the file holds `at` as an address (offset_bytes, little-endian) anywhere.
  // libhdf5 reaches every heap and B-tree node through its address: a signature that
  // nothing points to lies inside a data set's values (pixels, weights), and is not one.
  [[nodiscard]] bool holds_address_of(std::size_t at) const {
    unsigned char address[8];
    for (int i = 0; i < offset_bytes; ++i) address[i] = static_cast<unsigned char>(at >> (8 * i));
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    return bytes.find(std::string_view(reinterpret_cast<const char*>(address),
                                       static_cast<std::size_t>(offset_bytes))) != std::string_view::npos;
  }

  // Calls visit(at) for every byte offset where `signature` ("GCOL", "TREE", "HEAP")
  // starts and which the file holds as an address (when the base address is known;
  // every match otherwise).
  template <class Visit>
  void for_each_signature(std::string_view signature, Visit visit) const {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    for (std::size_t at = bytes.find(signature); at != std::string_view::npos; at = bytes.find(signature, at + 1)) {
      if (!addresses_from_start || holds_address_of(at)) visit(at);
    }
  }
};

}  // namespace lathe::io
