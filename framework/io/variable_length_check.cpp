#include "io/variable_length_check.h"

#include <cstring>

#include "core/error.h"

namespace lathe::io {

// The HDF5 file format specification (version 1.10), "Global Heap": "GCOL", version 1,
// 3 reserved bytes, the collection's size (a length, at least 4096), then objects: an
// index (2 bytes), a reference count (2), 4 reserved bytes, the size (a length) and the
// data padded to 8 bytes. Index 0 is the free space, whose size counts its header too.
const std::optional<std::map<std::uint64_t, std::uint64_t>>& GlobalHeapObjects::collection_at(std::uint64_t address) {
  const auto known = collections_.find(address);
  if (known != collections_.end()) return known->second;
  std::optional<std::map<std::uint64_t, std::uint64_t>>& found = collections_[address];
  const auto length = static_cast<std::size_t>(file_.length_bytes);
  const std::size_t header = 8 + length;
  if (address > file_.size || header > file_.size - address) return found;
  const std::size_t start = address;
  if (std::memcmp(file_.data + start, "GCOL", 4) != 0 || file_.data[start + 4] != 1) return found;
  const std::uint64_t size = file_.number_at(start + 8, file_.length_bytes);
  if (size < header || size > file_.size - start) return found;
  std::map<std::uint64_t, std::uint64_t> objects;
  const std::size_t end = start + size;
  const std::size_t object_header = 8 + length;
  for (std::size_t at = start + header; at + object_header <= end;) {
    const std::uint64_t index = file_.number_at(at, 2);
    const std::uint64_t object_size = file_.number_at(at + 8, file_.length_bytes);
    if (index == 0) break;  // the free space ends the objects
    objects[index] = object_size;
    const std::uint64_t step = object_header + (object_size + 7) / 8 * 8;
    if (object_size > end - at || step > end - at) break;  // global_heap_check.h refuses it
    at += step;
  }
  found = std::move(objects);
  return found;
}

void check_variable_length_values(const Hdf5FileBytes& file, std::uint64_t values_at, std::uint64_t count,
                                  VariableLengthType type, GlobalHeapObjects& heaps, const std::string& path,
                                  const std::string& owner) {
  const auto offset = static_cast<std::size_t>(file.offset_bytes);
  const std::size_t value_bytes = 4 + offset + 4;
  if (values_at > file.size || count > (file.size - values_at) / value_bytes) return;
  for (std::uint64_t i = 0; i < count; ++i) {
    const std::size_t at = values_at + i * value_bytes;
    const std::uint64_t stored_length = file.number_at(at, 4);
    const std::uint64_t collection = file.number_at(at + 4, file.offset_bytes);
    const std::uint64_t index = file.number_at(at + 4 + offset, 4);
    if (collection == 0) continue;  // a null value: libhdf5 reads no heap object for it
    const auto& objects = heaps.collection_at(collection);
    if (!objects) continue;
    const auto object = objects->find(index);
    LATHE_CHECK(object != objects->end(), path, ": expected an HDF5 file whose text can be read, found a damaged "
                "variable-length value (value ", i, " of ", owner, ", at byte ", at, ", names object ", index,
                " of the global heap collection at byte ", collection, ", which holds no such object",
                index == 0 ? " (0 is its free space)" : "", ", and libhdf5 would copy what is not the value); "
                "the file is damaged");
    LATHE_CHECK(object->second == stored_length * type.base_size, path, ": expected an HDF5 file whose text can be "
                "read, found a damaged variable-length value (value ", i, " of ", owner, ", at byte ", at,
                ", stores a length of ", stored_length * type.base_size,
                " bytes, but the global heap object it names (",
                index, " in the collection at byte ", collection, ") holds ", object->second,
                " bytes, which libhdf5 would copy into a buffer of the stored length); the file is damaged");
  }
}

}  // namespace lathe::io
