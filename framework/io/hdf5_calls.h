// Checked HDF5 calls shared by every HDF5 file Lathe writes or reads (checkpoints,
// ablation tables): a failing call becomes a lathe::Error with our message and HDF5's
// innermost reason, and returned ids are owned by an Hdf5Handle.
#pragma once

#include <string>

#include "core/error.h"
#include "io/hdf5_handle.h"

namespace lathe::io {

// HDF5's innermost error description ("truncated file: eof = 512, ..."), appended to our
// messages where it says more than we can. Must be called right after the failing call:
// the next HDF5 API call clears the stack.
std::string hdf5_error_detail();

// Takes ownership of an id an HDF5 call returned; a negative id fails with `message`.
template <class... Parts>
Hdf5Handle own(hid_t id, Hdf5Handle::Closer closer, const Parts&... message) {
  if (id < 0) fail(message..., hdf5_error_detail());
  return {id, closer};
}

template <class... Parts>
void check(herr_t status, const Parts&... message) {
  if (status < 0) fail(message..., hdf5_error_detail());
}

// Strings are variable-length UTF-8: what h5py writes for a Python str, and free of
// HDF5's 64 KiB limit on attribute values.
Hdf5Handle text_type();

}  // namespace lathe::io
