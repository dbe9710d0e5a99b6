#include "io/global_heap_check.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "core/error.h"

namespace lathe::io {
namespace {

// The HDF5 file format specification (version 1.10), "Global Heap": a collection is
// "GCOL", version 1, 3 reserved bytes and its size (a length: 8 bytes unless the
// superblock says otherwise), then objects, each a 16-byte header (index, reference
// count, 4 reserved bytes, size) and its data padded to 8 bytes. Index 0 is free space,
// whose size counts its header too. Collections are at least 4096 bytes.
constexpr std::string_view kSignature = "GCOL";
constexpr std::uint64_t kMinimumCollectionSize = 4096;

std::uint64_t little_endian(const unsigned char* bytes, int width) {
  std::uint64_t value = 0;
  for (int i = width - 1; i >= 0; --i) value = (value << 8) | bytes[i];
  return value;
}

// The size of lengths the superblock at offset 0 declares (8 for every file Lathe writes).
int size_of_lengths(const unsigned char* file, std::size_t size) {
  if (size < 16 || std::memcmp(file, "\x89HDF\r\n\x1a\n", 8) != 0) return 8;
  const int version = file[8];
  const int declared = version <= 1 ? file[14] : file[10];
  return declared == 2 || declared == 4 || declared == 8 ? declared : 8;
}

// Walks the collection at `start` as libhdf5 does; throws at an object it would loop on.
void check_collection(const unsigned char* file, std::size_t file_size, std::size_t start,
                      int length_bytes, const std::string& path) {
  const std::size_t header = 8 + static_cast<std::size_t>(length_bytes);
  if (start + header > file_size || file[start + 4] != 1) return;  // not a collection
  const std::uint64_t size = little_endian(file + start + 8, length_bytes);
  if (size < kMinimumCollectionSize || size > file_size - start) return;
  const std::size_t object_header = 8 + static_cast<std::size_t>(length_bytes);
  const std::size_t end = start + size;
  std::size_t at = start + header;
  while (at + object_header <= end) {
    const std::uint64_t index = little_endian(file + at, 2);
    const std::uint64_t object_size = little_endian(file + at + 8, length_bytes);
    const std::uint64_t step = index == 0 ? object_size : object_header + ((object_size + 7) / 8) * 8;
    LATHE_CHECK(step != 0, path, ": expected an HDF5 file whose text can be read, found a damaged "
                "global heap (the collection at byte ", start, " has a free-space object of size 0 "
                "at byte ", at, ", on which libhdf5 loops forever); the file is damaged");
    if (step > end - at) return;  // past the end: libhdf5 refuses the file itself
    at += step;
  }
}

}  // namespace

void require_readable_global_heaps(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  LATHE_CHECK(fd >= 0, path, ": cannot open it: ", std::strerror(errno));
  struct stat status {};
  if (::fstat(fd, &status) != 0 || status.st_size <= 0) {
    ::close(fd);
    return;  // nothing to check; the HDF5 checks that follow say what is wrong
  }
  const auto file_size = static_cast<std::size_t>(status.st_size);
  void* mapped = ::mmap(nullptr, file_size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  LATHE_CHECK(mapped != MAP_FAILED, path, ": cannot read it: ", std::strerror(errno));
  const auto* file = static_cast<const unsigned char*>(mapped);
  try {
    const int length_bytes = size_of_lengths(file, file_size);
    const std::string_view bytes(reinterpret_cast<const char*>(file), file_size);
    for (std::size_t at = bytes.find(kSignature); at != std::string_view::npos;
         at = bytes.find(kSignature, at + 1)) {
      check_collection(file, file_size, at, length_bytes, path);
    }
  } catch (...) {
    ::munmap(mapped, file_size);
    throw;
  }
  ::munmap(mapped, file_size);
}

}  // namespace lathe::io
