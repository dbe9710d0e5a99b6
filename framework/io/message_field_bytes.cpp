#include "io/message_field_bytes.h"

#include <algorithm>
#include <cstring>

namespace lathe::io {
namespace {

constexpr int kDatatypeDepthLimit = 16;  // types within types; deeper is left to libhdf5

// The bytes of a NUL-terminated name at `at` (its NUL included), padded to 8 when
// `padded`; past `end` when no NUL comes before it.
std::uint64_t name_bytes(const Hdf5FileBytes& file, std::uint64_t at, std::uint64_t end, bool padded) {
  const void* nul = at < end ? std::memchr(file.data + at, 0, end - at) : nullptr;
  if (nul == nullptr) return end - std::min(at, end) + 1;
  const auto length = static_cast<std::uint64_t>(static_cast<const unsigned char*>(nul) - (file.data + at)) + 1;
  return padded ? padded_to_8(length) : length;
}

// "Datatype": the bytes of the encoding at [at, end): 8 bytes of class, version, class
// bits and size, then the class's properties, which for compounds, enumerations, arrays
// and variable-length types hold further types. A result past `end` means the encoding
// runs past it (libhdf5 would read its names and values from beyond); nothing for a class
// or version not known here.
std::optional<std::uint64_t> datatype_bytes(const Hdf5FileBytes& file, std::uint64_t at, std::uint64_t end,
                                            int depth) {
  if (at + 8 > end) return 8;
  if (depth > kDatatypeDepthLimit) return std::nullopt;
  const int type_class = file.data[at] & 0x0f;
  const int version = file.data[at] >> 4;
  const std::uint64_t class_bits = file.number_at(static_cast<std::size_t>(at) + 1, 3);
  const std::uint64_t type_size = file.number_at(static_cast<std::size_t>(at) + 4, 4);
  std::uint64_t bytes = 8;
  const auto nested = [&](std::uint64_t from) -> std::optional<std::uint64_t> {
    const std::optional<std::uint64_t> inner = datatype_bytes(file, at + from, end, depth + 1);
    if (!inner) return std::nullopt;
    return from + *inner;
  };
  switch (type_class) {
    case 0: return 8 + 4;   // fixed-point: bit offset, precision
    case 1: return 8 + 12;  // floating-point: offsets, sizes, exponent bias
    case 2: return 8 + 2;   // time: precision
    case 3: return 8;       // string
    case 4: return 8 + 4;   // bitfield: bit offset, precision
    case 5: return 8 + (class_bits & 0xff);  // opaque: its tag, padded
    case 7: return 8;       // reference
    case kVariableLengthClass: return nested(8);
    case kCompoundClass: {
      const std::uint64_t members = class_bits & 0xffff;
      if (version < 1 || version > 3) return std::nullopt;
      // Version 3 stores each member's offset in as few bytes as the type's size needs.
      std::uint64_t offset_bytes = 1;
      while (offset_bytes < 4 && (type_size >> (8 * offset_bytes)) != 0) ++offset_bytes;
      for (std::uint64_t i = 0; i < members; ++i) {
        bytes += name_bytes(file, at + bytes, end, version < 3);
        bytes += version == 1 ? 4 + 1 + 3 + 4 + 4 + 16 : version == 2 ? 4 : offset_bytes;
        if (at + bytes > end) return bytes;
        const std::optional<std::uint64_t> member = nested(bytes);
        if (!member || at + *member > end) return member;
        bytes = *member;
      }
      return bytes;
    }
    case 8: {  // enumeration: the base type, the names, then the values
      const std::uint64_t members = class_bits & 0xffff;
      if (version < 1 || version > 3) return std::nullopt;
      const std::optional<std::uint64_t> base = nested(8);
      if (!base || at + *base > end) return base;
      const std::uint64_t base_size = file.number_at(static_cast<std::size_t>(at) + 8 + 4, 4);
      bytes = *base;
      for (std::uint64_t i = 0; i < members && at + bytes <= end; ++i) {
        bytes += name_bytes(file, at + bytes, end, version < 3);
      }
      return bytes + members * base_size;
    }
    case kArrayClass: {
      if (at + 9 > end) return 9;
      const std::uint64_t rank = file.data[at + 8];
      if (version == 2) return nested(8 + 4 + 8 * rank);  // rank, 3 reserved, dimensions, permutation
      if (version == 3) return nested(8 + 1 + 4 * rank);  // rank, dimensions
      return std::nullopt;
    }
    default: return std::nullopt;
  }
}

// "Dataspace": versions 1 (8 bytes before the dimensions) and 2 (4 bytes), the
// dimensions and, when flags bit 0 is set, as many maximum dimensions (lengths each).
std::optional<std::uint64_t> dataspace_bytes(const Hdf5FileBytes& file, MessageBytes message) {
  if (!message_holds(message, 0, 3)) return 4;
  const int version = file.data[message.at];
  if (version != 1 && version != 2) return std::nullopt;
  const std::uint64_t rank = file.data[message.at + 1];
  const std::uint64_t arrays = (file.data[message.at + 2] & 0x01) != 0 ? 2 : 1;
  return (version == 1 ? 8 : 4) + arrays * rank * static_cast<std::uint64_t>(file.length_bytes);
}

// "Link Message", version 1: see object_header_walk.cpp's hard_link; soft links end in a
// 2-byte length and the path, external ones likewise.
std::optional<std::uint64_t> link_bytes(const Hdf5FileBytes& file, MessageBytes message) {
  if (!message_holds(message, 0, 2)) return 2;
  if (file.data[message.at] != 1) return std::nullopt;
  const unsigned flags = file.data[message.at + 1];
  std::uint64_t at = 2;
  unsigned link_type = 0;
  if ((flags & 0x08) != 0) {
    if (!message_holds(message, at, 1)) return at + 1;
    link_type = file.data[message.at + at++];
  }
  at += ((flags & 0x04) != 0 ? 8 : 0) + ((flags & 0x10) != 0 ? 1 : 0);
  const int width = 1 << (flags & 0x03);
  if (!message_holds(message, at, static_cast<std::size_t>(width))) return at + static_cast<std::uint64_t>(width);
  at += static_cast<std::uint64_t>(width) + file.number_at(message.at + at, width);
  if (link_type == 0) return at + static_cast<std::uint64_t>(file.offset_bytes);
  if (!message_holds(message, at, 2)) return at + 2;
  return at + 2 + file.number_at(message.at + at, 2);
}

// "Data Storage - Layout", versions 3 and 4, compact and contiguous.
std::optional<std::uint64_t> layout_bytes(const Hdf5FileBytes& file, MessageBytes message) {
  if (!message_holds(message, 0, 2)) return 2;
  const int version = file.data[message.at];
  const int layout_class = file.data[message.at + 1];
  if (version != 3 && version != 4) return std::nullopt;
  if (layout_class == 0) return message_holds(message, 2, 2) ? 4 + file.number_at(message.at + 2, 2) : 4;
  if (layout_class == 1) return 2 + static_cast<std::uint64_t>(file.offset_bytes + file.length_bytes);
  return std::nullopt;
}

// "Attribute": the parts, then the values, as many bytes as the dataspace's elements
// times the datatype's size (libhdf5 copies that many). libhdf5 decodes them in order and
// refuses, cleanly, a name whose length disagrees with the stored one and a datatype of
// no known class: those are left to it.
std::optional<std::uint64_t> attribute_bytes(const Hdf5FileBytes& file, MessageBytes message) {
  if (!message_holds(message, 0, 8)) return 8;
  const std::optional<AttributeParts> parts = attribute_parts(file, message);
  if (!parts) return std::nullopt;
  const std::size_t name_at = file.data[message.at] == 3 ? 9 : 8;
  const std::size_t name_size = file.number_at(message.at + 2, 2);
  const void* name_end = name_at < message.size
                             ? std::memchr(file.data + message.at + name_at, 0, message.size - name_at)
                             : nullptr;
  if (name_end == nullptr) return name_at + std::max<std::size_t>(name_size, 1);  // read up to a NUL past it
  const auto name_length = static_cast<std::size_t>(static_cast<const unsigned char*>(name_end) -
                                                    (file.data + message.at + name_at));
  if (name_length + 1 != name_size) return std::nullopt;
  const std::uint64_t values_at = parts->values_offset;
  if (values_at > message.size) return values_at;
  if (parts->shared_datatype || parts->datatype.size < 8) return values_at;
  if ((file.data[parts->datatype.at] & 0x0f) > kArrayClass) return std::nullopt;
  // libhdf5 decodes the datatype and the dataspace as far as their encodings go, whatever
  // sizes the attribute gives them.
  const std::uint64_t message_end = message.at + message.size;
  const std::optional<std::uint64_t> datatype = datatype_bytes(file, parts->datatype.at, message_end, 0);
  if (datatype && parts->datatype.at + *datatype > message_end) return parts->datatype.at - message.at + *datatype;
  const MessageBytes rest_from_dataspace{parts->dataspace.at,
                                         static_cast<std::size_t>(message_end - parts->dataspace.at)};
  const std::optional<std::uint64_t> dataspace = dataspace_bytes(file, rest_from_dataspace);
  if (dataspace && *dataspace > rest_from_dataspace.size) return parts->dataspace.at - message.at + *dataspace;
  const std::uint64_t element_size = file.number_at(parts->datatype.at + 4, 4);
  // Capped: a count above the message's size cannot fit in it, whatever the element size.
  const std::optional<std::uint64_t> count = dataspace_element_count(file, parts->dataspace, message.size + 1);
  if (!count) return values_at;
  return values_at + *count * element_size;
}

}  // namespace

std::optional<std::uint64_t> bytes_of_fields(const Hdf5FileBytes& file, unsigned type, MessageBytes message) {
  const auto offset = static_cast<std::uint64_t>(file.offset_bytes);
  switch (type) {
    case 0x01: return dataspace_bytes(file, message);
    case 0x03: return datatype_bytes(file, message.at, message.at + message.size, 0);
    case 0x06: return link_bytes(file, message);
    case 0x08: return layout_bytes(file, message);
    case 0x0c: return attribute_bytes(file, message);
    case 0x10: return offset + static_cast<std::uint64_t>(file.length_bytes);
    case 0x11: return 2 * offset;
    default: return std::nullopt;
  }
}

}  // namespace lathe::io
