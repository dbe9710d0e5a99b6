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

// The HDF5 file format specification (version 1.10), "Dataspace": the number of elements
// (1 for a scalar, 0 for a null dataspace), capped at `cap` (computed without overflow),
// or nothing for a version not known here or dimensions past the message.
std::optional<std::uint64_t> dataspace_element_count(const Hdf5FileBytes& file, MessageBytes message,
                                                     std::uint64_t cap);

// The bytes a message's own fields say it holds, for the message types whose fields
// libhdf5 1.10 decodes without comparing them with the message's declared size, reading
// past it (a dataspace's dimensions, a link's name, a compact data set's values, an
// attribute's parts and values, a continuation's or symbol table's addresses); nothing
// for other types and versions not known here.
std::optional<std::uint64_t> bytes_of_fields(const Hdf5FileBytes& file, unsigned type, MessageBytes message);

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
