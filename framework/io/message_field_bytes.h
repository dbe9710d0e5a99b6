// How many bytes an HDF5 object header message's own fields say it holds, for the
// object header walk (object_header_walk.h): libhdf5 1.10 decodes these fields without
// comparing them with the message's declared size, and reads past the message when they
// disagree (found by fuzz_checkpoint: a continuation message of size 0, an attribute whose
// values, or whose datatype's names, lay past it).
#pragma once

#include <cstdint>
#include <optional>

#include "io/hdf5_file_bytes.h"
#include "io/hdf5_messages.h"

namespace lathe::io {

// The bytes the fields of a message of `type` need: a dataspace's dimensions, a datatype's
// encoding (types within types), a link's name and target, a compact data set's values,
// an attribute's parts and values, a continuation's or symbol table's addresses; nothing
// for other types and for versions not known here.
std::optional<std::uint64_t> bytes_of_fields(const Hdf5FileBytes& file, unsigned type, MessageBytes message);

}  // namespace lathe::io
