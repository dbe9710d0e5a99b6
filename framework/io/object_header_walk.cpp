#include "io/object_header_walk.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/error.h"
#include "io/hdf5_messages.h"
#include "io/message_field_bytes.h"
#include "io/variable_length_check.h"

namespace lathe::io {
namespace {

// The HDF5 file format specification (version 1.10), "Object Header Messages": the
// message types the walk follows or looks into.
enum MessageType : unsigned {
  kDataspace = 0x01,
  kDatatype = 0x03,
  kLink = 0x06,
  kLayout = 0x08,
  kAttribute = 0x0c,
  kContinuation = 0x10,
  kSymbolTable = 0x11,
};
constexpr unsigned kSharedMessage = 0x02;  // message flag: the message is stored elsewhere

// Bounds that no file Lathe reads comes near; past them the walk stops and libhdf5 goes
// on alone, as it did before the walk existed.
constexpr int kGroupDepthLimit = 64;
constexpr std::size_t kObjectLimit = std::size_t{1} << 20;
constexpr std::size_t kChunkLimitPerHeader = std::size_t{1} << 16;
constexpr int kBtreeLevelLimit = 64;

struct Message {
  unsigned type = 0;
  unsigned flags = 0;
  MessageBytes bytes;
};

class Walk {
 public:
  Walk(const Hdf5FileBytes& file, const std::string& path) : file_(file), path_(path), heaps_(file) {}

  void object(std::uint64_t address, int depth) {
    if (depth > kGroupDepthLimit || objects_ >= kObjectLimit || !visited_.insert(address).second) return;
    ++objects_;
    const std::optional<std::vector<Message>> messages = messages_of(address);
    if (!messages) return;
    for (const Message& message : *messages) {
      if (message.type == kSymbolTable) group(message.bytes, address, depth);
      if (message.type == kLink) hard_link(message.bytes, depth);
      if (message.type == kAttribute && (message.flags & kSharedMessage) == 0) attribute(message.bytes, address);
    }
    data_set_values(*messages, address);
  }

 private:
  [[nodiscard]] bool inside(std::uint64_t at, std::uint64_t bytes) const {
    return at <= file_.size && bytes <= file_.size - at;
  }
  [[nodiscard]] bool signature_at(std::uint64_t at, const char* signature) const {
    return inside(at, 4) && std::memcmp(file_.data + at, signature, 4) == 0;
  }
  [[nodiscard]] std::uint64_t address_at(std::size_t at) const { return file_.number_at(at, file_.offset_bytes); }
  [[nodiscard]] std::size_t offset() const { return static_cast<std::size_t>(file_.offset_bytes); }
  [[nodiscard]] std::size_t length() const { return static_cast<std::size_t>(file_.length_bytes); }

  template <class... Details>
  [[noreturn]] void refuse(const Details&... details) const {
    fail(path_, ": expected an HDF5 file whose objects can be read, found ", details...,
         "; the file is damaged");
  }

  // "Object Header": version 1 (a 16-byte prefix, then chunk 0's messages) or version 2
  // ("OHDR", flags, optional times and attribute limits, chunk 0's size in 1 to 8 bytes,
  // its messages and a checksum), with the blocks continuation messages name. Nothing
  // when no object header is at `address` (libhdf5 refuses that itself).
  std::optional<std::vector<Message>> messages_of(std::uint64_t address) {
    std::vector<Message> messages;
    int version = 0;
    bool creation_order = false;
    std::uint64_t chunk_start = 0;
    std::uint64_t chunk_size = 0;
    if (inside(address, 16) && file_.data[address] == 1) {
      version = 1;
      chunk_start = address + 16;
      chunk_size = file_.number_at(address + 8, 4);
    } else if (signature_at(address, "OHDR") && inside(address, 6) && file_.data[address + 4] == 2) {
      version = 2;
      const unsigned flags = file_.data[address + 5];
      creation_order = (flags & 0x04) != 0;
      std::uint64_t at = address + 6 + ((flags & 0x20) != 0 ? 16 : 0) + ((flags & 0x10) != 0 ? 4 : 0);
      const int width = 1 << (flags & 0x03);
      if (!inside(at, static_cast<std::uint64_t>(width))) return std::nullopt;
      chunk_size = file_.number_at(at, width);
      chunk_start = at + static_cast<std::uint64_t>(width);
    } else {
      return std::nullopt;
    }
    const std::uint64_t checksum = version == 2 ? 4 : 0;
    if (!inside(chunk_start, chunk_size) || !inside(chunk_start + chunk_size, checksum)) {
      refuse("a damaged object header (the header at byte ", address, " declares a first chunk of ", chunk_size,
             " bytes at byte ", chunk_start, ", past the file's end of ", file_.size,
             " bytes, which libhdf5 would allocate)");
    }
    std::vector<std::pair<std::uint64_t, std::uint64_t>> chunks{{chunk_start, chunk_start + chunk_size}};
    for (std::size_t next = 0; next < chunks.size() && next < kChunkLimitPerHeader; ++next) {
      const std::size_t first_new = messages.size();
      chunk_messages(version, creation_order, chunks[next].first, chunks[next].second, address, messages);
      for (std::size_t i = first_new; i < messages.size(); ++i) {
        if (messages[i].type != kContinuation) continue;
        if (const auto block = continuation(version, messages[i], address)) chunks.push_back(*block);
      }
    }
    return messages;
  }

  // Appends the messages of the chunk [start, end); each must fit in it, as libhdf5
  // checks only after it has read them.
  void chunk_messages(int version, bool creation_order, std::uint64_t start, std::uint64_t end,
                      std::uint64_t header, std::vector<Message>& messages) const {
    // Version 1: type (2 bytes), size (2), flags (1), 3 reserved bytes. Version 2: type
    // (1), size (2), flags (1), the creation order (2) when the header tracks it.
    const std::uint64_t message_header = version == 1 ? 8 : (creation_order ? 6 : 4);
    for (std::uint64_t at = start; message_header <= end - at;) {
      const unsigned type = version == 1 ? static_cast<unsigned>(file_.number_at(at, 2)) : file_.data[at];
      const std::uint64_t size = file_.number_at(at + (version == 1 ? 2 : 1), 2);
      const unsigned flags = file_.data[at + (version == 1 ? 4 : 3)];
      const std::uint64_t data = at + message_header;
      if (size > end - data) {
        refuse("a damaged object header (the header at byte ", header, " has a message of type ", type, " and ",
               size, " bytes at byte ", at, ", running past its chunk's end at byte ", end, ")");
      }
      const Message message{type, flags, {static_cast<std::size_t>(data), static_cast<std::size_t>(size)}};
      fields_inside(message, header);
      messages.push_back(message);
      at = data + size;
    }
  }

  // libhdf5 decodes a message's fields whatever size the message declares, reading the
  // bytes after it (found by fuzz_checkpoint: a continuation message of size 0 whose
  // "fields" named a 4 GiB block, which libhdf5 allocated; an attribute whose values ran
  // past its message, which it copied from beyond its buffer).
  void fields_inside(const Message& message, std::uint64_t header) const {
    // A shared dataspace, datatype or attribute holds a reference to the message, not the message.
    const bool shared = (message.flags & kSharedMessage) != 0;
    if (shared && (message.type == kDataspace || message.type == kDatatype || message.type == kAttribute)) return;
    const std::optional<std::uint64_t> fields = bytes_of_fields(file_, message.type, message.bytes);
    if (fields && *fields > message.bytes.size) {
      refuse("a damaged object header (the header at byte ", header, " has a message of type ", message.type,
             " at byte ", message.bytes.at, " declaring ", message.bytes.size, " bytes, fewer than its ", *fields,
             " bytes of fields)");
    }
  }

  // "Object Header Continuation": the block's address and length, which must lie inside
  // the file before libhdf5 allocates the length (found by fuzz_checkpoint: 4 GiB). A
  // version 2 block starts with "OCHK" and ends with a checksum. Nothing for a block
  // already walked (libhdf5 refuses a header whose blocks repeat).
  std::optional<std::pair<std::uint64_t, std::uint64_t>> continuation(int version, const Message& message,
                                                                     std::uint64_t header) {
    const std::uint64_t address = address_at(message.bytes.at);
    const std::uint64_t size = file_.number_at(message.bytes.at + offset(), file_.length_bytes);
    const std::uint64_t smallest = version == 1 ? 8 : 8 + 4;  // one message header; "OCHK" and a checksum
    if (!inside(address, size)) {
      refuse("a damaged object header (the header at byte ", header, " has a continuation message at byte ",
             message.bytes.at, " naming a block of ", size, " bytes at byte ", address, ", past the file's end of ",
             file_.size, " bytes, which libhdf5 would allocate)");
    }
    if (size < smallest) {
      refuse("a damaged object header (the header at byte ", header, " has a continuation message at byte ",
             message.bytes.at, " naming a block of ", size, " bytes at byte ", address, ", too small for a message)");
    }
    if (!visited_.insert(address).second) return std::nullopt;
    if (version == 1) return std::make_pair(address, address + size);
    if (!signature_at(address, "OCHK")) return std::nullopt;  // libhdf5 refuses it itself
    return std::make_pair(address + 4, address + size - 4);
  }

  // "Symbol Table Message": an old-style group's B-tree and local heap, which libhdf5
  // reads at these addresses without looking first (found by fuzz_hdf5_data: a
  // segmentation fault in H5HL_protect for a heap address where no heap is).
  void group(MessageBytes message, std::uint64_t header, int depth) {
    const std::uint64_t btree = address_at(message.at);
    const std::uint64_t heap = address_at(message.at + offset());
    local_heap(heap, header, message.at);
    if (!signature_at(btree, "TREE") || !inside(btree, 8 + 2 * offset()) || file_.data[btree + 4] != 0) {
      refuse("a damaged group (the object header at byte ", header, " has a symbol-table message at byte ",
             message.at, " naming a B-tree at byte ", btree, ", where no group B-tree node is)");
    }
    btree_node(btree, -1, depth);
  }

  // "Local Heap": "HEAP", version 0, 3 reserved bytes, the data segment's size (a
  // length), the free list's offset (a length) and the segment's address (an offset).
  void local_heap(std::uint64_t heap, std::uint64_t header, std::uint64_t message_at) const {
    const std::uint64_t heap_header = 8 + 2 * length() + offset();
    if (!signature_at(heap, "HEAP") || !inside(heap, heap_header) || file_.data[heap + 4] != 0) {
      refuse("a damaged group (the object header at byte ", header, " has a symbol-table message at byte ",
             message_at, " naming a local heap at byte ", heap, ", where no local heap is)");
    }
    const std::uint64_t size = file_.number_at(heap + 8, file_.length_bytes);
    const std::uint64_t segment = address_at(heap + 8 + 2 * length());
    if (!inside(segment, size)) {
      refuse("a damaged local heap (the heap at byte ", heap, " declares a data segment of ", size,
             " bytes at byte ", segment, ", past the file's end of ", file_.size, " bytes)");
    }
  }

  // "Version 1 B-trees", group nodes: "TREE", type 0, the level, the entries used (2
  // bytes), two sibling addresses, then keys (lengths) and children (offsets) alternating.
  // Children of level 0 are symbol-table nodes, of higher levels nodes one level down.
  void btree_node(std::uint64_t node, int expected_level, int depth) {
    if (!signature_at(node, "TREE") || !inside(node, 8 + 2 * offset()) || file_.data[node + 4] != 0) return;
    const int level = file_.data[node + 5];
    if ((expected_level >= 0 && level != expected_level) || level > kBtreeLevelLimit) return;
    if (!visited_.insert(node).second) return;
    const std::uint64_t entries = file_.number_at(node + 6, 2);
    for (std::uint64_t i = 0; i < entries; ++i) {
      const std::uint64_t child_at = node + 8 + 2 * offset() + i * (length() + offset()) + length();
      if (!inside(child_at, offset())) return;  // libhdf5 refuses a node past the file's end itself
      const std::uint64_t child = address_at(child_at);
      if (level > 0) {
        btree_node(child, level - 1, depth);
      } else {
        symbol_table_node(child, depth);
      }
    }
  }

  // "Symbol Table Node": "SNOD", version 1, a reserved byte, the number of entries (2
  // bytes), then entries: the name's offset in the local heap, the object header's
  // address, the cache type (4 bytes), 4 reserved bytes and a 16-byte scratch pad.
  void symbol_table_node(std::uint64_t node, int depth) {
    if (!signature_at(node, "SNOD") || !inside(node, 8) || !visited_.insert(node).second) return;
    const std::uint64_t entries = file_.number_at(node + 6, 2);
    const std::uint64_t entry_bytes = 2 * offset() + 24;
    for (std::uint64_t i = 0; i < entries && inside(node + 8 + i * entry_bytes, entry_bytes); ++i) {
      object(address_at(node + 8 + i * entry_bytes + offset()), depth + 1);
    }
  }

  // "Link Message", version 1: flags, the link type when flags bit 3 is set (0: hard),
  // the creation order (8 bytes) when bit 2 is, the name's character set when bit 4 is,
  // the name's length (1 to 8 bytes by bits 0-1), the name, and for a hard link the
  // object header's address. New-style compact groups keep their members so.
  void hard_link(MessageBytes message, int depth) {
    if (message.size < 2 || file_.data[message.at] != 1) return;
    const unsigned flags = file_.data[message.at + 1];
    std::size_t at = 2;
    unsigned link_type = 0;
    if ((flags & 0x08) != 0) {
      if (at >= message.size) return;
      link_type = file_.data[message.at + at++];
    }
    at += ((flags & 0x04) != 0 ? 8 : 0) + ((flags & 0x10) != 0 ? 1 : 0);
    const auto width = static_cast<std::size_t>(1) << (flags & 0x03);
    if (link_type != 0 || at + width > message.size) return;
    const std::uint64_t name_length = file_.number_at(message.at + at, static_cast<int>(width));
    if (name_length > message.size - at - width || offset() > message.size - at - width - name_length) return;
    object(address_at(message.at + at + width + name_length), depth + 1);
  }

  void data_set_values(const std::vector<Message>& messages, std::uint64_t header) {
    std::optional<VariableLengthType> type;
    std::optional<std::uint64_t> count;
    std::optional<StoredValues> values;
    for (const Message& message : messages) {
      if ((message.flags & kSharedMessage) != 0) continue;
      if (message.type == kDatatype) type = variable_length_type(file_, message.bytes);
      if (message.type == kDataspace) count = dataspace_element_count(file_, message.bytes, file_.size);
      if (message.type == kLayout) values = compact_or_contiguous_values(file_, message.bytes);
    }
    if (!type || !count || !values || !values->allocated) return;
    const std::uint64_t stored = values->size / (8 + offset());
    check_variable_length_values(file_, values->address, std::min(*count, stored), *type, heaps_, path_,
                                 "the data set whose object header is at byte " + std::to_string(header));
  }

  void attribute(MessageBytes message, std::uint64_t header) {
    const std::optional<AttributeParts> parts = attribute_parts(file_, message);
    if (!parts || parts->shared_datatype || parts->values_offset > message.size) return;
    const std::optional<VariableLengthType> type = variable_length_type(file_, parts->datatype);
    if (!type) return;
    const std::optional<std::uint64_t> count = dataspace_element_count(file_, parts->dataspace, file_.size);
    if (!count) return;
    const std::uint64_t stored = parts->values.size / (8 + offset());
    check_variable_length_values(file_, parts->values.at, std::min(*count, stored), *type, heaps_, path_,
                                 "the attribute message at byte " + std::to_string(message.at) +
                                     " of the object header at byte " + std::to_string(header));
  }

  const Hdf5FileBytes& file_;
  const std::string& path_;
  GlobalHeapObjects heaps_;
  std::unordered_set<std::uint64_t> visited_;  // object headers, blocks and nodes walked
  std::size_t objects_ = 0;
};

// "Superblock": versions 0 and 1 keep the sizes of offsets and lengths at bytes 13 and
// 14, the base address at 24 (28 in version 1), then three more addresses and the root
// group's symbol-table entry, whose second field is the root object header's address.
// Versions 2 and 3 keep the sizes at 9 and 10, then at 12 the base address, the
// superblock extension's and the end of file's addresses and the root object header's.
// A file shorter than its end-of-file address is left to libhdf5, which refuses it as
// truncated before it reads any object header: a truncated file is not a damaged one.
// A superblock at byte 0 has base address 0 in every file libhdf5 writes; another base
// makes libhdf5 read every object elsewhere than the walk would (found by fuzz_hdf5_data:
// base 65, then a segmentation fault in H5F__accum_read under H5HL_protect).
std::optional<std::uint64_t> root_object_header(const Hdf5FileBytes& file, const std::string& path) {
  if (file.size < 16 || std::memcmp(file.data, "\x89HDF\r\n\x1a\n", 8) != 0) return std::nullopt;
  const int version = file.data[8];
  const int offset_bytes = version <= 1 ? file.data[13] : file.data[9];
  const int length_bytes = version <= 1 ? file.data[14] : file.data[10];
  const auto valid = [](int bytes) { return bytes == 2 || bytes == 4 || bytes == 8; };
  if (version > 3 || !valid(offset_bytes) || !valid(length_bytes) || offset_bytes != file.offset_bytes ||
      length_bytes != file.length_bytes) {
    return std::nullopt;
  }
  const auto offset = static_cast<std::size_t>(offset_bytes);
  const std::size_t base_at = version == 0 ? 24 : version == 1 ? 28 : 12;
  const std::size_t root_at = version <= 1 ? base_at + 4 * offset + offset : base_at + 3 * offset;
  if (root_at + offset > file.size) return std::nullopt;
  const std::uint64_t base = file.number_at(base_at, offset_bytes);
  LATHE_CHECK(base == 0, path, ": expected an HDF5 file whose objects can be read, found a damaged "
              "superblock (the superblock at byte 0 declares a base address of ", base,
              " at byte ", base_at, ", where a file that starts with its superblock has 0); the file "
              "is damaged");
  if (file.number_at(base_at + 2 * offset, offset_bytes) > file.size) return std::nullopt;
  return file.number_at(root_at, offset_bytes);
}

}  // namespace

void walk_object_headers(const Hdf5FileBytes& file, const std::string& path) {
  const std::optional<std::uint64_t> root = root_object_header(file, path);
  if (!root) return;
  Walk(file, path).object(*root, 0);
}

}  // namespace lathe::io
