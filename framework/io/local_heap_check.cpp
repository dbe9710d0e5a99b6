#include "io/local_heap_check.h"

#include <cstdint>
#include <string_view>

#include "core/error.h"

namespace lathe::io {
namespace {

// The HDF5 file format specification (version 1.10), "Local Heap": "HEAP", version 0,
// 3 reserved bytes, the data segment's size (a length), the offset of the free list's
// head (a length), the data segment's address (an offset).
constexpr std::string_view kSignature = "HEAP";

void check_heap(const Hdf5FileBytes& file, std::size_t start, const std::string& path) {
  const std::size_t header = 8 + 2 * static_cast<std::size_t>(file.length_bytes) +
                             static_cast<std::size_t>(file.offset_bytes);
  if (start + header > file.size || file.data[start + 4] != 0) return;  // not a local heap
  const std::uint64_t size = file.number_at(start + 8, file.length_bytes);
  const std::uint64_t address =
      file.number_at(start + 8 + 2 * static_cast<std::size_t>(file.length_bytes), file.offset_bytes);
  const bool undefined = address == (file.offset_bytes == 8 ? ~std::uint64_t{0}
                                                            : (std::uint64_t{1} << (8 * file.offset_bytes)) - 1);
  // An undefined address with a size is read all the same (found by fuzz_hdf5_data: a
  // read into a null buffer inside libhdf5).
  if (undefined && size == 0) return;
  LATHE_CHECK(!undefined && address <= file.size && size <= file.size - address, path,
              ": expected an HDF5 file whose groups can be read, found a damaged local heap (the heap "
              "at byte ", start, " declares a data segment of ", size, " bytes at byte ", address,
              " (", undefined ? "an undefined address" : "past the file's end", ") in a file of ", file.size, " bytes, which libhdf5 would allocate or read); the file is damaged");
}

}  // namespace

void check_local_heaps(const Hdf5FileBytes& file, const std::string& path) {
  file.for_each_signature(kSignature, [&](std::size_t at) { check_heap(file, at, path); });
}

}  // namespace lathe::io
