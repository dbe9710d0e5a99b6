#include "io/global_heap_check.h"

#include <cstdint>
#include <string_view>

#include "core/error.h"

namespace lathe::io {
namespace {

// The HDF5 file format specification (version 1.10), "Global Heap": a collection is
// "GCOL", version 1, 3 reserved bytes and its size (a length), then objects, each a
// header (index: 2 bytes, reference count: 2, 4 reserved bytes, size: a length) and its
// data padded to 8 bytes. Index 0 is free space, whose size counts its header too.
// Collections are at least 4096 bytes.
constexpr std::string_view kSignature = "GCOL";
constexpr std::uint64_t kMinimumCollectionSize = 4096;

// Walks the collection at `start` as libhdf5 does; throws at an object it would loop on.
void check_collection(const Hdf5FileBytes& file, std::size_t start, const std::string& path) {
  const std::size_t header = 8 + static_cast<std::size_t>(file.length_bytes);
  if (start + header > file.size || file.data[start + 4] != 1) return;  // not a collection
  const std::uint64_t size = file.number_at(start + 8, file.length_bytes);
  if (size < kMinimumCollectionSize || size > file.size - start) return;
  const std::size_t object_header = 8 + static_cast<std::size_t>(file.length_bytes);
  const std::size_t end = start + size;
  std::size_t at = start + header;
  while (at + object_header <= end) {
    const std::uint64_t index = file.number_at(at, 2);
    const std::uint64_t object_size = file.number_at(at + 8, file.length_bytes);
    const std::uint64_t step = index == 0 ? object_size : object_header + ((object_size + 7) / 8) * 8;
    LATHE_CHECK(step != 0, path, ": expected an HDF5 file whose text can be read, found a damaged "
                "global heap (the collection at byte ", start, " has a free-space object of size 0 "
                "at byte ", at, ", on which libhdf5 loops forever); the file is damaged");
    // libhdf5 1.10 checks this only by an assertion, compiled out of its release build: an
    // object running past its collection is read past it (found by fuzz_checkpoint: a
    // memcpy of a text attribute's bytes from far outside the heap).
    LATHE_CHECK(step <= end - at, path, ": expected an HDF5 file whose text can be read, found a damaged "
                "global heap (the collection at byte ", start, " of ", size, " bytes has an object of ",
                object_size, " bytes at byte ", at, ", past the collection's end); the file is damaged");
    at += step;
  }
}

}  // namespace

void check_global_heaps(const Hdf5FileBytes& file, const std::string& path) {
  file.for_each_signature(kSignature, [&](std::size_t at) { check_collection(file, at, path); });
}

}  // namespace lathe::io
