#include "io/hdf5_messages.h"

#include <algorithm>

namespace lathe::io {

std::optional<std::uint64_t> dataspace_element_count(const Hdf5FileBytes& file, MessageBytes message,
                                                     std::uint64_t cap) {
  if (!message_holds(message, 0, 4)) return std::nullopt;
  const int version = file.data[message.at];
  const int rank = file.data[message.at + 1];
  std::size_t dims_at = 0;
  if (version == 1) {
    dims_at = 8;
    if (rank == 0) return 1;  // version 1 writes a scalar as rank 0
  } else if (version == 2) {
    dims_at = 4;
    const int kind = file.data[message.at + 3];  // 0 scalar, 1 simple, 2 null
    if (kind == 0) return 1;
    if (kind == 2) return 0;
    if (kind != 1) return std::nullopt;
  } else {
    return std::nullopt;
  }
  const auto length = static_cast<std::size_t>(file.length_bytes);
  if (!message_holds(message, dims_at, static_cast<std::size_t>(rank) * length)) return std::nullopt;
  std::uint64_t count = 1;
  for (int i = 0; i < rank; ++i) {
    const std::size_t dim_at = message.at + dims_at + static_cast<std::size_t>(i) * length;
    const std::uint64_t dim = file.number_at(dim_at, file.length_bytes);
    if (dim == 0) return 0;
    count = dim > cap || count > cap / dim ? cap : count * dim;
  }
  return std::min(count, cap);
}

std::optional<VariableLengthType> variable_length_type(const Hdf5FileBytes& file, MessageBytes message) {
  // Class and version (4 bits each), 3 bytes of class bits, the size (4 bytes), then the
  // properties: for class 9, the base type, itself a datatype encoding.
  if (!message_holds(message, 0, 16) || (file.data[message.at] & 0x0f) != kVariableLengthClass) return std::nullopt;
  // Bases holding variable-length parts themselves (compounds, arrays, sequences) are left
  // to libhdf5: their heap objects' sizes are not simply the length times the base size.
  const int base_class = file.data[message.at + 8] & 0x0f;
  if (base_class == kVariableLengthClass || base_class == kCompoundClass || base_class == kArrayClass) {
    return std::nullopt;
  }
  const std::uint64_t base_size = file.number_at(message.at + 8 + 4, 4);
  if (base_size == 0) return std::nullopt;
  return VariableLengthType{base_size};
}

std::optional<StoredValues> compact_or_contiguous_values(const Hdf5FileBytes& file, MessageBytes message) {
  if (!message_holds(message, 0, 2)) return std::nullopt;
  const int version = file.data[message.at];
  const int layout_class = file.data[message.at + 1];
  if (version != 3 && version != 4) return std::nullopt;
  if (layout_class == 0) {  // compact: the values' size (2 bytes) and the values themselves
    if (!message_holds(message, 2, 2)) return std::nullopt;
    const std::uint64_t size = file.number_at(message.at + 2, 2);
    if (!message_holds(message, 4, size)) return std::nullopt;
    return StoredValues{message.at + 4, size, true};
  }
  if (layout_class == 1) {  // contiguous: an address and a size
    const auto offset = static_cast<std::size_t>(file.offset_bytes);
    if (!message_holds(message, 2, offset + static_cast<std::size_t>(file.length_bytes))) return std::nullopt;
    const std::uint64_t address = file.number_at(message.at + 2, file.offset_bytes);
    const std::uint64_t undefined =
        file.offset_bytes == 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * file.offset_bytes)) - 1;
    return StoredValues{address, file.number_at(message.at + 2 + offset, file.length_bytes), address != undefined};
  }
  return std::nullopt;
}

std::optional<AttributeParts> attribute_parts(const Hdf5FileBytes& file, MessageBytes message) {
  // Version, flags (a reserved byte in version 1), the sizes of the name, the datatype and
  // the dataspace (2 bytes each), in version 3 the name's character set; then the three
  // parts, each padded to 8 bytes in version 1 only, and the values.
  if (!message_holds(message, 0, 8)) return std::nullopt;
  const int version = file.data[message.at];
  if (version < 1 || version > 3) return std::nullopt;
  const int flags = version == 1 ? 0 : file.data[message.at + 1];
  const std::size_t name_size = file.number_at(message.at + 2, 2);
  const std::size_t datatype_size = file.number_at(message.at + 4, 2);
  const std::size_t dataspace_size = file.number_at(message.at + 6, 2);
  const auto part = [version](std::size_t bytes) { return version == 1 ? padded_to_8(bytes) : bytes; };
  const std::size_t datatype_at = (version == 3 ? 9 : 8) + part(name_size);
  const std::size_t dataspace_at = datatype_at + part(datatype_size);
  const std::size_t values_at = dataspace_at + part(dataspace_size);
  AttributeParts parts;
  parts.values_offset = values_at;
  if (!message_holds(message, values_at, 0)) return parts;  // the parts run past the message
  parts.datatype = {message.at + datatype_at, datatype_size};
  parts.dataspace = {message.at + dataspace_at, dataspace_size};
  parts.values = {message.at + values_at, message.size - values_at};
  parts.shared_datatype = (flags & 0x01) != 0 || (flags & 0x02) != 0;
  return parts;
}

}  // namespace lathe::io
