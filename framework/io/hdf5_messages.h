// Decoders for the few HDF5 object header messages the object header walk looks into
// (object_header_walk.h): a data set's or attribute's dataspace, datatype and, for a data
// set, its layout. Each reads only inside the bytes it is given and returns nothing when
// the message is of a kind or version it does not know: the walk then leaves it to libhdf5.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "io/hdf5_file_bytes.h"

namespace lathe::io {

// A message's data: [at, at + size) in the file.
struct MessageBytes {
  std::size_t at = 0;
  std::size_t size = 0;
};

// Whether `bytes` bytes from `offset` (counted from the message's start) lie inside it.
inline bool message_holds(MessageBytes message, std::size_t offset, std::size_t bytes) {
  return offset <= message.size && bytes <= message.size - offset;
}

inline std::uint64_t padded_to_8(std::uint64_t bytes) { return (bytes + 7) / 8 * 8; }

// "Datatype" classes that hold further types.
constexpr int kCompoundClass = 6;
constexpr int kVariableLengthClass = 9;
constexpr int kArrayClass = 10;

// The HDF5 file format specification (version 1.10), "Dataspace": the number of elements
// (1 for a scalar, 0 for a null dataspace), capped at `cap` (computed without overflow),
// or nothing for a version not known here or dimensions past the message.
std::optional<std::uint64_t> dataspace_element_count(const Hdf5FileBytes& file, MessageBytes message,
                                                     std::uint64_t cap);

// "Datatype", class 9 (variable-length): a string or sequence whose elements are stored
// as a length (4 bytes), a global heap collection's address and an object index (4 bytes).
struct VariableLengthType {
  std::uint64_t base_size = 0;  // bytes per unit of the stored length (1 for a string)
};

// The variable-length type the datatype message holds, or nothing for any other type.
std::optional<VariableLengthType> variable_length_type(const Hdf5FileBytes& file, MessageBytes message);

// "Data Storage - Layout", versions 3 and 4: where a compact or contiguous data set's
// values are. Chunked and virtual layouts (and versions 1 and 2) give nothing.
struct StoredValues {
  std::uint64_t address = 0;  // byte offset in the file
  std::uint64_t size = 0;     // bytes
  bool allocated = true;      // false: a contiguous data set never written
};
std::optional<StoredValues> compact_or_contiguous_values(const Hdf5FileBytes& file, MessageBytes message);

// "Attribute": where the attribute's datatype, dataspace and values are inside its message
// (all empty when the parts run past the message: values_offset > the message's size).
struct AttributeParts {
  std::size_t values_offset = 0;  // from the message's start
  MessageBytes datatype;
  MessageBytes dataspace;
  MessageBytes values;          // to the message's end
  bool shared_datatype = false;  // a committed datatype, described elsewhere
};
std::optional<AttributeParts> attribute_parts(const Hdf5FileBytes& file, MessageBytes message);

}  // namespace lathe::io
