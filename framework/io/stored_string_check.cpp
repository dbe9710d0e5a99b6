#include "io/stored_string_check.h"

#include <cstdint>
#include <fstream>
#include <vector>

#include "core/error.h"
#include "io/hdf5_calls.h"

namespace lathe::io {

// The HDF5 file format specification (version 1.10), "Variable-length data": a stored
// element is its length (4 bytes, little-endian: characters, for a string), then the
// global heap ID of its bytes.
void require_stored_string_within_file(hid_t data_set, const std::string& where) {
  const haddr_t offset = H5Dget_offset(data_set);
  if (offset == HADDR_UNDEF) return;
  const Hdf5Handle file = own(H5Iget_file_id(data_set), H5Fclose, where, ": cannot find its file");
  hsize_t file_size = 0;
  check(H5Fget_filesize(file.get(), &file_size), where, ": cannot read the file's size");
  const ssize_t name_length = H5Fget_name(file.get(), nullptr, 0);
  if (name_length <= 0) return;
  std::vector<char> name(static_cast<std::size_t>(name_length) + 1, '\0');
  if (H5Fget_name(file.get(), name.data(), name.size()) <= 0) return;
  std::ifstream in(name.data(), std::ios::binary);
  unsigned char bytes[4] = {};
  in.seekg(static_cast<std::streamoff>(offset));
  if (!in.read(reinterpret_cast<char*>(bytes), sizeof bytes)) return;  // past the end: libhdf5 refuses it
  const std::uint64_t length = std::uint64_t{bytes[0]} | std::uint64_t{bytes[1]} << 8 |
                               std::uint64_t{bytes[2]} << 16 | std::uint64_t{bytes[3]} << 24;
  LATHE_CHECK(length <= file_size, where, ": expected a string stored in the file, found a stored length of ",
              length, " bytes in a file of ", file_size,
              " bytes (libhdf5 would allocate that much before reading it); the file is damaged");
}

}  // namespace lathe::io
