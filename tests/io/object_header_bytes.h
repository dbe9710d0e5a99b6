// Finding an object's header messages in the bytes of a file Lathe writes (version 1
// object headers, 8-byte offsets and lengths), for the tests that damage one field of
// them: the header's address comes from libhdf5 (H5Oget_info), the messages from its
// chunks, continuation blocks included.
#pragma once

#include <gtest/gtest.h>
#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

#include "io/hdf5_damage.h"
#include "io/hdf5_handle.h"

namespace lathe::io::test_support {

struct HeaderMessage {
  std::size_t header = 0;     // the object header's byte offset
  unsigned type = 0;          // 0x10 continuation, 0x11 symbol table, 0x03 datatype, ...
  std::size_t type_at = 0;    // byte offset of the message's type field
  std::size_t data_at = 0;    // byte offset of its data
  std::size_t size = 0;
};

// The byte offset of the object header of `object` ("/", "/weights") in the file at `path`.
inline std::size_t object_header_address(const std::string& path, const char* object) {
  silence_hdf5_error_printing();
  const Hdf5Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
  EXPECT_TRUE(file.valid()) << path;
  H5O_info_t info{};
  EXPECT_GE(H5Oget_info_by_name2(file.get(), object, &info, H5O_INFO_BASIC, H5P_DEFAULT), 0) << object;
  return static_cast<std::size_t>(info.addr);
}

// The messages of the version 1 object header at `header`: chunk 0 after the 16-byte
// prefix, then each continuation block (address, length) in turn.
inline std::vector<HeaderMessage> header_messages(const std::string& bytes, std::size_t header) {
  std::vector<HeaderMessage> messages;
  EXPECT_EQ(static_cast<unsigned char>(bytes.at(header)), 1) << "not a version 1 object header at " << header;
  const std::size_t chunk_0 = header + 16;
  std::vector<std::pair<std::size_t, std::size_t>> chunks{{chunk_0, chunk_0 + little_endian_at(bytes, header + 8, 4)}};
  for (std::size_t next = 0; next < chunks.size(); ++next) {
    for (std::size_t at = chunks[next].first; at + 8 <= chunks[next].second;) {
      const HeaderMessage message{header, static_cast<unsigned>(little_endian_at(bytes, at, 2)), at, at + 8,
                                  static_cast<std::size_t>(little_endian_at(bytes, at + 2, 2))};
      messages.push_back(message);
      if (message.type == 0x10) {
        const std::size_t block = little_endian_at(bytes, message.data_at, 8);
        chunks.emplace_back(block, block + little_endian_at(bytes, message.data_at + 8, 8));
      }
      at = message.data_at + message.size;
    }
  }
  return messages;
}

// The first message of `type` in the object header of `object`; a test failure if none.
inline HeaderMessage header_message(const std::string& path, const char* object, unsigned type) {
  for (const HeaderMessage& message : header_messages(file_bytes(path), object_header_address(path, object))) {
    if (message.type == type) return message;
  }
  ADD_FAILURE() << object << " has no message of type " << type;
  return {};
}

// The byte offset of the variable-length value (length: 4 bytes, the global heap
// collection's address: 8, the object's index: 4) that names the global heap object
// holding exactly `text`; 0 (and a test failure) when the file holds no such value.
inline std::size_t variable_length_value_naming(const std::string& bytes, const std::string& text) {
  for (std::size_t collection = bytes.find("GCOL"); collection != std::string::npos;
       collection = bytes.find("GCOL", collection + 1)) {
    const std::size_t end = collection + little_endian_at(bytes, collection + 8, 8);
    for (std::size_t at = collection + 16; at + 16 <= end && at + 16 <= bytes.size();) {
      const std::uint64_t index = little_endian_at(bytes, at, 2);
      const std::uint64_t size = little_endian_at(bytes, at + 8, 8);
      if (index == 0) break;
      if (bytes.compare(at + 16, size, text) == 0 && size == text.size()) {
        std::string value;
        const auto append = [&value](std::uint64_t number, int width) {
          for (int i = 0; i < width; ++i) value += static_cast<char>((number >> (8 * i)) & 0xff);
        };
        append(size, 4);
        append(collection, 8);
        append(index, 4);
        const std::size_t found = bytes.find(value);
        EXPECT_NE(found, std::string::npos) << "no value names the heap object of \"" << text << "\"";
        return found == std::string::npos ? 0 : found;
      }
      at += 16 + (size + 7) / 8 * 8;
    }
  }
  ADD_FAILURE() << "no global heap object holds \"" << text << "\"";
  return 0;
}

// Overwrites the `width` bytes at `field` with `value` (little-endian).
inline void overwrite_number(const std::string& path, std::size_t field, std::uint64_t value, int width) {
  std::string bytes = file_bytes(path);
  for (int i = 0; i < width; ++i) {
    bytes[field + static_cast<std::size_t>(i)] = static_cast<char>((value >> (8 * i)) & 0xff);
  }
  write_bytes(path, bytes);
}

}  // namespace lathe::io::test_support
