// A check of variable-length values (strings, sequences) against the global heap objects
// that hold their bytes, made by the object header walk (object_header_walk.h) for the
// data sets and attributes whose values it reaches. Each stored value is a length, a
// global heap collection's address and an object index; libhdf5 1.10 sizes its buffer by
// the length and then copies the whole heap object into it (H5HG_read), so a length that
// disagrees with its object writes past the buffer (found by fuzz_checkpoint), and an
// index the collection does not hold reads outside its table. libhdf5 writes the two
// equal, so a sound file never holds either.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "io/hdf5_file_bytes.h"
#include "io/hdf5_messages.h"

namespace lathe::io {

// The objects of the global heap collections a walk meets, each collection read once.
class GlobalHeapObjects {
 public:
  explicit GlobalHeapObjects(const Hdf5FileBytes& file) : file_(file) {}

  // The collection at `address` as object index -> object size (bytes), or nothing when
  // no readable collection is there (libhdf5 refuses a wrong signature itself).
  const std::optional<std::map<std::uint64_t, std::uint64_t>>& collection_at(std::uint64_t address);

 private:
  const Hdf5FileBytes& file_;
  std::map<std::uint64_t, std::optional<std::map<std::uint64_t, std::uint64_t>>> collections_;
};

// Throws lathe::Error naming `path`, `owner` ("the data set whose object header is at
// byte 96") and the byte offsets when one of the `count` values stored from byte
// `values_at` on names a heap object it disagrees with. Values the file does not hold
// completely are left to libhdf5, which refuses a read past the file's end itself.
void check_variable_length_values(const Hdf5FileBytes& file, std::uint64_t values_at, std::uint64_t count,
                                  VariableLengthType type, GlobalHeapObjects& heaps, const std::string& path,
                                  const std::string& owner);

}  // namespace lathe::io
